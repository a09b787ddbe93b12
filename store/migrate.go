package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations for both engines live side by side, numbered alike: a schema
// change always ships for both, and TestSchemaParity keeps them equal.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) {
	db.providerOnce.Do(func() { db.goose, db.gooseErr = db.newProvider() })
	return db.goose, db.gooseErr
}

func (db *DB) newProvider() (*goose.Provider, error) {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		// Several servers may start at once against one database: a
		// session lock lets exactly one of them migrate. The lock is
		// named after the database and schema, so deployments (and
		// tests) in other schemas of one server do not wait on it.
		var where string
		if err := db.write.QueryRow(`SELECT current_database() || '.' || current_schema()`).Scan(&where); err != nil {
			return nil, fmt.Errorf("store: migration lock name: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte(where))
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(h.Sum64()>>1)),
			lock.WithLockTimeout(1, 300), // retry every second for 5 minutes
		)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, db.write, fsys, opts...)
}

// Migrate applies every pending migration and returns the schema version.
func (db *DB) Migrate(ctx context.Context) (int64, error) {
	p, err := db.provider()
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	return p.GetDBVersion(ctx)
}

// SchemaVersion returns the database's schema version and the latest
// version this binary knows. current < latest means the schema is behind
// (the server is not ready).
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, fmt.Errorf("store: migrations: %w", err)
	}
	sources := p.ListSources()
	if len(sources) > 0 {
		latest = sources[len(sources)-1].Version
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, latest, fmt.Errorf("store: schema version: %w", err)
	}
	return current, latest, nil
}
