package access_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// password is the password of every test user.
const password = "correct horse battery staple"

// clock is a fake time source for store.DB.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a Service on a fresh database with a fake clock.
type env struct {
	db    *store.DB
	svc   *access.Service
	clock *clock
}

func newEnv(tb testing.TB, db *store.DB, opts access.Options) *env {
	tb.Helper()
	c := &clock{t: time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	if opts.Argon2 == nil {
		opts.Argon2 = access.FastArgon2Params()
	}
	return &env{db: db, svc: access.NewService(db, opts), clock: c}
}

func system() context.Context {
	return peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
}

func as(a peaceops.Actor) context.Context {
	return peaceops.NewContextWithActor(context.Background(), a)
}

// mustUser creates a user with the test password.
func (e *env) mustUser(tb testing.TB, username string, admin bool) *access.User {
	tb.Helper()
	u, err := e.svc.CreateUser(system(), access.UserCreate{Username: username, Password: password, DisplayName: "User " + username, Admin: admin})
	if err != nil {
		tb.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// mustMission inserts a mission row (missions/ owns the real CreateMission).
func (e *env) mustMission(tb testing.TB, code string) {
	tb.Helper()
	ctx := context.Background()
	err := e.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO missions (id, code, name, host_country, start_date, status, classification, created_at, updated_at, version)
			VALUES ($1, $2, $3, 'CAF', '2014-04-10', 'active', 'internal', $4, $4, 1)`, peaceops.NewID(), code, "Mission "+code, tx.NowMillis())
		return err
	})
	if err != nil {
		tb.Fatalf("insert mission %s: %v", code, err)
	}
}

// mustMember grants role as the system actor.
func (e *env) mustMember(tb testing.TB, mission, username string, role peaceops.Role) {
	tb.Helper()
	if err := e.svc.AddMember(system(), mission, username, role); err != nil {
		tb.Fatalf("add %s as %s of %s: %v", username, role, mission, err)
	}
}

// mustLogin logs username in and returns the session token.
func (e *env) mustLogin(tb testing.TB, username string) string {
	tb.Helper()
	token, _, err := e.svc.Login(context.Background(), username, password, "192.0.2.1")
	if err != nil {
		tb.Fatalf("login %s: %v", username, err)
	}
	return token
}

// actor returns username's identity as ActorForSession builds it.
func (e *env) actor(tb testing.TB, username string) peaceops.Actor {
	tb.Helper()
	a, err := e.svc.ActorForSession(context.Background(), e.mustLogin(tb, username))
	if err != nil {
		tb.Fatalf("actor for %s: %v", username, err)
	}
	return a
}

// audit returns the audit entries in order.
func (e *env) audit(tb testing.TB) []store.AuditEntry {
	tb.Helper()
	ctx := context.Background()
	var out []store.AuditEntry
	err := e.db.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, actor_id, actor, mission, entity_type, entity_id, action, before, after FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a store.AuditEntry
			var before, after string
			if err := rows.Scan(&a.Seq, &a.ActorID, &a.Actor, &a.Mission, &a.EntityType, &a.EntityID, &a.Action, &before, &after); err != nil {
				return err
			}
			a.Before, a.After = []byte(before), []byte(after)
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// lastAudit returns the newest audit entry with action.
func (e *env) lastAudit(tb testing.TB, action string) store.AuditEntry {
	tb.Helper()
	entries := e.audit(tb)
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Action == action {
			return entries[i]
		}
	}
	tb.Fatalf("no audit entry with action %q in %d entries", action, len(entries))
	return store.AuditEntry{}
}

// count runs a COUNT query.
func (e *env) count(tb testing.TB, query string, args ...any) int {
	tb.Helper()
	ctx := context.Background()
	var n int
	if err := e.db.View(ctx, func(tx *store.Tx) error { return tx.QueryRowContext(ctx, query, args...).Scan(&n) }); err != nil {
		tb.Fatal(err)
	}
	return n
}

// wantCode fails unless err carries code ("" for no error).
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := peaceops.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func ptr[T any](v T) *T { return &v }
