package main

import (
	"context"
	"fmt"

	"github.com/peaceops/peaceops/store"
)

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
