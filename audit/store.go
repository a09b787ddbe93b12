package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops/store"
)

const entryColumns = `seq, id, at, actor_id, actor, mission, entity_type, entity_id, action, before, after, prev_hash, hash`

// readPage calls fn for up to n entries with seq > after, in ascending seq
// order, until fn returns false.
func readPage(ctx context.Context, tx *store.Tx, after int64, n int, fn func(store.AuditEntry) bool) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, after, n)
	if err != nil {
		return fmt.Errorf("audit: read log after %d: %w", after, err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return err
		}
		if !fn(e) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: read log after %d: %w", after, err)
	}
	return nil
}

// findEntries returns up to f.limit()+1 entries matching f, newest first,
// restricted to missions when it is not nil. The extra entry tells the
// caller there is a next page.
func findEntries(ctx context.Context, tx *store.Tx, f Filter, missions, hidden []string) ([]store.AuditEntry, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	eq := func(column, v string) {
		if v != "" {
			where = append(where, column+" = "+arg(v))
		}
	}
	if missions != nil {
		ph := make([]string, len(missions))
		for i, m := range missions {
			ph[i] = arg(m)
		}
		where = append(where, "mission IN ("+strings.Join(ph, ", ")+")")
	}
	if missions == nil {
		eq("mission", f.Mission)
	}
	eq("entity_type", f.EntityType)
	if len(hidden) > 0 {
		ph := make([]string, len(hidden))
		for i, t := range hidden {
			ph[i] = arg(t)
		}
		where = append(where, "entity_type NOT IN ("+strings.Join(ph, ", ")+")")
	}
	eq("entity_id", f.EntityID)
	eq("actor_id", f.ActorID)
	eq("actor", f.Actor)
	eq("action", f.Action)
	if !f.From.IsZero() {
		where = append(where, "at >= "+arg(store.Millis(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "at < "+arg(store.Millis(f.To)))
	}
	if seq, _ := parseCursor(f.Cursor); seq > 0 {
		where = append(where, "seq < "+arg(seq))
	}
	q := `SELECT ` + entryColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY seq DESC LIMIT ` + arg(f.limit()+1)

	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: find entries: %w", err)
	}
	defer rows.Close()
	entries := []store.AuditEntry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: find entries: %w", err)
	}
	return entries, nil
}

func scanEntry(rows *sql.Rows) (store.AuditEntry, error) {
	var e store.AuditEntry
	var before, after string
	err := rows.Scan(&e.Seq, &e.ID, &e.At, &e.ActorID, &e.Actor, &e.Mission, &e.EntityType, &e.EntityID,
		&e.Action, &before, &after, &e.PrevHash, &e.Hash)
	if err != nil {
		return e, fmt.Errorf("audit: scan entry: %w", err)
	}
	e.Before, e.After = []byte(before), []byte(after)
	return e, nil
}
