// Package store opens the peaceops database, SQLite (embedded default) or
// PostgreSQL (scale-out), applies the embedded migrations and runs
// transactions that carry the fixed time and the acting identity, appending
// to the hash-chained audit log inside the same transaction as the change.
//
// Module SQL does not live here: each capability keeps its own queries next
// to its Go code and calls them with a *Tx. This package holds only what
// differs between the engines (the dialect seam) and what every module
// shares.
package store
