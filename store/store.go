package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/peaceops/peaceops"
)

// Dialect names a database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open peaceops database. It is safe for concurrent use.
//
// On SQLite all writes go through one connection (SQLite has one writer;
// queuing in Go is cheaper than retrying SQLITE_BUSY) while reads use a pool
// that sees committed data through WAL. On PostgreSQL both share one pool.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	dsn     string

	providerOnce sync.Once
	goose        *goose.Provider
	gooseErr     error

	// Now returns the current time; transactions fix it at their start.
	// Tests replace it to control time.
	Now func() time.Time
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL
// selects PostgreSQL, anything else is a SQLite file path (or a file: URI).
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, peaceops.Errorf(peaceops.EINVALID, "no database given: pass --db FILE or --db postgres://...")
	}
	db := &DB{dsn: dsn, Now: time.Now}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		err = db.openPostgres(ctx)
	} else {
		err = db.openSQLite(ctx)
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}

func (db *DB) openPostgres(ctx context.Context) error {
	db.dialect = Postgres
	pool, err := sql.Open("pgx", db.dsn)
	if err != nil {
		return fmt.Errorf("store: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(4 * runtime.GOMAXPROCS(0))
	pool.SetMaxIdleConns(4 * runtime.GOMAXPROCS(0))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("store: connect to postgres: %w", err)
	}
	db.write, db.read = pool, pool
	return nil
}

// sqlitePragmas are set on every connection. WAL lets readers proceed while
// the writer writes; foreign keys are off by default in SQLite; the busy
// timeout covers other processes (backup, a second serve) holding the lock.
const sqlitePragmas = "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)"

// writerPragmas give the one writer connection a page cache of 64 MiB
// instead of SQLite's 2 MiB: an import touches every index of a large
// table at scattered places, and with the default cache most of those
// touches were reads from disk.
const writerPragmas = "&_pragma=cache_size(-65536)"

func (db *DB) openSQLite(ctx context.Context) error {
	db.dialect = SQLite
	path := strings.TrimPrefix(db.dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" || path == ":memory:" {
		return peaceops.Errorf(peaceops.EINVALID, "an in-memory SQLite database cannot be shared by the reader pool: give a file path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("store: create database folder: %w", err)
		}
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	// _txlock=immediate takes the write lock at BEGIN, so a transaction never
	// fails half-way on lock upgrade.
	w, err := sql.Open("sqlite", base+"?"+sqlitePragmas+writerPragmas+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"?"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite readers: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	db.write, db.read = w, r
	return nil
}

// Dialect returns the engine of db.
func (db *DB) Dialect() Dialect { return db.dialect }

// DSN returns the data source name db was opened with.
func (db *DB) DSN() string { return db.dsn }

// Path returns the SQLite file path, or "" on PostgreSQL.
func (db *DB) Path() string {
	if db.dialect != SQLite {
		return ""
	}
	p := strings.TrimPrefix(db.dsn, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// Close closes every connection.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// SQL returns the underlying pool for writes. It exists for the few kernel
// tasks that are not transactions (backup, bulk load floors in benchmarks);
// modules use Update and View.
func (db *DB) SQL() *sql.DB { return db.write }

// Update runs fn in a read-write transaction with tx.Now fixed and the actor
// taken from ctx. fn's error (or a commit failure) rolls everything back,
// audit entries included. Database errors are translated: a unique violation
// becomes ECONFLICT.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.write, false, fn)
}

// View runs fn in a read-only transaction. Reads that must be audited (of
// confidential records) use Update instead, since the audit entry is a
// write.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.read, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: readOnly && db.dialect == Postgres}
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return translate(fmt.Errorf("store: begin: %w", err))
	}
	tx := &Tx{tx: stx, db: db, Now: db.Now().UTC().Truncate(time.Millisecond), Actor: peaceops.ActorFromContext(ctx), readOnly: readOnly}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return translate(err)
	}
	if err := stx.Commit(); err != nil {
		return translate(fmt.Errorf("store: commit: %w", err))
	}
	return nil
}

// translate maps engine errors that callers act on to peaceops codes,
// keeping the original in the chain for the log.
func translate(err error) error {
	if err == nil || peaceops.ErrorCode(err) != peaceops.EINTERNAL {
		return err
	}
	switch {
	case IsUniqueViolation(err):
		return &wrapped{code: peaceops.ECONFLICT, msg: "a record with the same key already exists", err: err}
	case errors.Is(err, sql.ErrNoRows):
		return &wrapped{code: peaceops.ENOTFOUND, msg: "not found", err: err}
	}
	return err
}

// wrapped carries a peaceops code for an engine error without losing it.
type wrapped struct {
	code, msg string
	err       error
}

func (w *wrapped) Error() string { return w.msg + ": " + w.err.Error() }
func (w *wrapped) Unwrap() []error {
	return []error{&peaceops.Error{Code: w.code, Message: w.msg}, w.err}
}

// IsUniqueViolation reports whether err is a unique or primary key
// violation on either engine.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign key violation on
// either engine.
func IsForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	return false
}
