package mandates_test

import (
	"context"
	"slices"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/mandates"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
)

// fixture is a database with the missions MINUSCA and MONUSCO and a
// mandates service over it.
type fixture struct {
	db     *store.DB
	svc    *mandates.Service
	system context.Context
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	return &fixture{db: db, svc: mandates.NewService(db), system: newFixtureB(t, db)}
}

// newFixtureB creates the missions MINUSCA and MONUSCO and returns the
// system actor's context.
func newFixtureB(tb testing.TB, db *store.DB) context.Context {
	tb.Helper()
	system := peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
	mis := missions.NewService(db, nil)
	for _, m := range []*missions.Mission{
		{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: date("2014-04-10")},
		{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: date("2010-07-01")},
	} {
		if err := mis.CreateMission(system, m); err != nil {
			tb.Fatal(err)
		}
	}
	return system
}

// as returns a context acting as a user holding role in mission.
func as(username, mission string, role peaceops.Role) context.Context {
	a := peaceops.Actor{UserID: peaceops.NewID(), Username: username, Roles: map[string][]peaceops.Role{mission: {role}}}
	return peaceops.NewContextWithActor(context.Background(), a)
}

var (
	boss  = as("boss", "MINUSCA", peaceops.RoleMissionAdmin)
	paula = as("paula", "MINUSCA", peaceops.RolePlanner)
	vera  = as("vera", "MINUSCA", peaceops.RoleViewer)
	ana   = as("ana", "MINUSCA", peaceops.RoleAnalyst)
	otto  = as("otto", "MONUSCO", peaceops.RoleMissionAdmin)
	anon  = context.Background()
)

func date(s string) peaceops.Date {
	d, err := peaceops.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// resolution returns a valid resolution of MINUSCA adopted on adopted with
// a mandate of one year, two tasks and the four contract ceilings.
func resolution(number int, adopted string, mut ...func(*mandates.Resolution)) *mandates.Resolution {
	a := date(adopted)
	r := &mandates.Resolution{
		Mission: "MINUSCA", Symbol: symbol(number, a.Year), Adopted: a, PeriodStart: a,
		PeriodEnd: peaceops.DateOf(a.Time().AddDate(1, 0, -1)), ChapterVII: true,
		Ceilings: map[string]int{"military": 9000, "military_observers": 400, "police_fpu": 1400, "police_ipo": 400},
		Tasks: []mandates.Task{
			{Title: "Protection of civilians", Category: mandates.CategoryPoC, Priority: true},
			{Title: "Support to the peace process", Category: mandates.CategoryPoliticalProcess},
		},
	}
	for _, m := range mut {
		m(r)
	}
	return r
}

func symbol(number, year int) string {
	return "S/RES/" + itoa(number) + " (" + itoa(year) + ")"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// continuing returns the tasks of prev, each continuing its original.
func continuing(prev *mandates.Resolution) []mandates.Task {
	var out []mandates.Task
	for _, t := range prev.Tasks {
		if t.InForce() {
			out = append(out, mandates.Task{Title: t.Title, Category: t.Category, Priority: t.Priority,
				Lineage: mandates.LineageContinues, Previous: t.ID})
		}
	}
	return out
}

func mustCreate(t *testing.T, ctx context.Context, svc *mandates.Service, r *mandates.Resolution) *mandates.Resolution {
	t.Helper()
	if err := svc.CreateResolution(ctx, r); err != nil {
		t.Fatalf("CreateResolution(%s): %v", r.Symbol, err)
	}
	return r
}

// fields returns the field names of an error.
func fields(err error) []string {
	var out []string
	for _, f := range peaceops.ErrorFields(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

// auditActions returns the actions of the audit entries about resolution id.
func auditActions(t *testing.T, db *store.DB, id string) []string {
	t.Helper()
	var out []string
	err := db.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT action FROM audit_log WHERE entity_type = 'resolution' AND entity_id = $1 ORDER BY seq`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
