package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/peaceops/peaceops"
)

// Tx is a transaction with its fixed time and actor. Helpers in capability
// packages take a *Tx and compose; only the outermost service method opens
// one. A Tx is not safe for concurrent use.
type Tx struct {
	tx       *sql.Tx
	db       *DB
	readOnly bool
	locked   bool // postgres: the audit chain lock is held

	// Now is the transaction's time, UTC, truncated to the millisecond:
	// every created_at/updated_at and audit entry in it agrees.
	Now time.Time
	// Actor is the identity the change is made for.
	Actor peaceops.Actor
}

// Dialect returns the engine the transaction runs on.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// NowMillis returns tx.Now as unix milliseconds, the stored form of instants.
func (tx *Tx) NowMillis() int64 { return tx.Now.UnixMilli() }

// ExecContext executes a statement with $1..$n placeholders.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query with $1..$n placeholders.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query expected to return at most one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares a statement for repeated use within the
// transaction (bulk imports).
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return tx.tx.PrepareContext(ctx, query)
}

// Millis converts an instant to its stored form.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis converts a stored instant back to UTC time.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
