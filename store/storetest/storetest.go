// Package storetest gives tests a fresh, migrated peaceops database on
// SQLite and, when PEACEOPS_TEST_POSTGRES holds a URL, on PostgreSQL.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests.
const PostgresEnv = "PEACEOPS_TEST_POSTGRES"

// RequireEnv names the variable listing what tests must not skip for lack
// of ("postgres", "browser"); CI sets it so a missing service fails the run.
const RequireEnv = "PEACEOPS_TEST_REQUIRE"

// Required reports whether RequireEnv lists what.
func Required(what string) bool {
	for _, w := range strings.Split(os.Getenv(RequireEnv), ",") {
		if strings.TrimSpace(w) == what {
			return true
		}
	}
	return false
}

// Engines lists the engines tests run on: always "sqlite", and "postgres"
// when PEACEOPS_TEST_POSTGRES is set.
func Engines() []store.Dialect {
	if os.Getenv(PostgresEnv) != "" || Required("postgres") {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// Run runs fn as a subtest on every engine, each with a fresh database.
func Run(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range Engines() {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, Open(t, engine))
		})
	}
}

// Open returns a fresh, migrated database on engine, closed and dropped
// when the test ends.
func Open(tb testing.TB, engine store.Dialect) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), DSN(tb, engine))
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s: %v", engine, err)
	}
	return db
}

var schemaSeq atomic.Int64

// DSN returns the data source name of a fresh, empty database on engine:
// a file in the test's temporary folder for SQLite, a new schema for
// PostgreSQL (dropped at cleanup). It skips the test when PostgreSQL is
// asked for but not configured.
func DSN(tb testing.TB, engine store.Dialect) string {
	tb.Helper()
	if engine == store.SQLite {
		return filepath.Join(tb.TempDir(), "peaceops.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if Required("postgres") {
			tb.Fatalf("%s is not set but %s asks for PostgreSQL", PostgresEnv, RequireEnv)
		}
		tb.Skipf("%s is not set: PostgreSQL tests skipped", PostgresEnv)
	}
	schema := fmt.Sprintf("t_%d_%d_%s", time.Now().UnixNano(), schemaSeq.Add(1), strings.ToLower(peaceops.NewID()[20:]))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("postgres: create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("postgres: bad %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}
