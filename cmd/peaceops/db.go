package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/peaceops/peaceops/store"
)

// openExisting opens the database named by dsn without migrating it, and
// refuses a SQLite file that does not exist: tools that only read (backup,
// audit verify) must never create an empty database from a mistyped path.
func openExisting(ctx context.Context, dsn string) (*store.DB, error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		path := strings.TrimPrefix(dsn, "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("database %s does not exist", path)
		}
	}
	return store.Open(ctx, dsn)
}

// openDB opens and migrates the database named by dsn.
func openDB(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}
