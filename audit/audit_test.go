package audit_test

import (
	"context"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

func systemContext() context.Context {
	return peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
}

func missionAdmin(mission string) peaceops.Actor {
	return peaceops.Actor{UserID: peaceops.NewID(), Username: "madmin-" + mission,
		Roles: map[string][]peaceops.Role{mission: {peaceops.RoleMissionAdmin}}}
}

// mustAppend appends n entries, each in its own transaction, as the system
// actor.
func mustAppend(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	ctx := systemContext()
	for i := range n {
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.Change{Mission: "MINUSCA", EntityType: "event", EntityID: peaceops.NewID(),
				Action: "create", After: map[string]any{"n": i, "title": "Patrol report"}})
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// mustEntry reads the row with seq directly from the table.
func mustEntry(tb testing.TB, db *store.DB, seq int64) store.AuditEntry {
	tb.Helper()
	var e store.AuditEntry
	var before, after string
	err := db.SQL().QueryRowContext(context.Background(), `SELECT seq, id, at, actor_id, actor, mission, entity_type,
		entity_id, action, before, after, prev_hash, hash FROM audit_log WHERE seq = $1`, seq).Scan(
		&e.Seq, &e.ID, &e.At, &e.ActorID, &e.Actor, &e.Mission, &e.EntityType, &e.EntityID, &e.Action,
		&before, &after, &e.PrevHash, &e.Hash)
	if err != nil {
		tb.Fatalf("read entry %d: %v", seq, err)
	}
	e.Before, e.After = []byte(before), []byte(after)
	return e
}

// sqlTamper returns a function that runs statements directly on the
// database, outside any peaceops transaction, as an intruder would.
func sqlTamper(statements ...string) func(t *testing.T, db *store.DB) {
	return func(t *testing.T, db *store.DB) {
		t.Helper()
		for _, s := range statements {
			mustExec(t, db, s)
		}
	}
}

func mustExec(tb testing.TB, db *store.DB, query string, args ...any) {
	tb.Helper()
	if _, err := db.SQL().ExecContext(context.Background(), query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
