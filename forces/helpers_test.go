package forces_test

import (
	"context"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
)

// fixture is a database with the missions MINUSCA and MONUSCO and a forces
// service without a ceiling source (ceilings entered on the mission).
type fixture struct {
	db  *store.DB
	svc *forces.Service
	sys context.Context
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, svc: forces.NewService(db, nil), sys: peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())}
	mis := missions.NewService(db, access.NewService(db, access.Options{Argon2: access.FastArgon2Params()}))
	for _, m := range []*missions.Mission{
		{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}},
		{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}},
	} {
		if err := mis.CreateMission(f.sys, m); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// createMissions creates missions with the given codes (for imports of
// files covering many missions).
func (f *fixture) createMissions(t testing.TB, codes []string) {
	t.Helper()
	mis := missions.NewService(f.db, access.NewService(f.db, access.Options{Argon2: access.FastArgon2Params()}))
	for _, c := range codes {
		if c == "MINUSCA" || c == "MONUSCO" {
			continue
		}
		m := &missions.Mission{Code: c, Name: c, HostCountry: "CAF", StartDate: peaceops.Date{Year: 1948, Month: 1, Day: 1}}
		if err := mis.CreateMission(f.sys, m); err != nil {
			t.Fatalf("mission %s: %v", c, err)
		}
	}
}

// as returns a context acting as a user holding role in mission.
func as(username, mission string, role peaceops.Role) context.Context {
	a := peaceops.Actor{UserID: peaceops.NewID(), Username: username, Roles: map[string][]peaceops.Role{mission: {role}}}
	return peaceops.NewContextWithActor(context.Background(), a)
}

var (
	boss   = as("boss", "MINUSCA", peaceops.RoleMissionAdmin)
	pablo  = as("pablo", "MINUSCA", peaceops.RolePersonnelOfficer)
	vera   = as("vera", "MINUSCA", peaceops.RoleViewer)
	ana    = as("ana", "MINUSCA", peaceops.RoleAnalyst)
	otto   = as("otto", "MONUSCO", peaceops.RoleMissionAdmin)
	anon   = context.Background()
	global = peaceops.NewContextWithActor(context.Background(), peaceops.Actor{UserID: peaceops.NewID(), Username: "admin", Admin: true})
)

func date(s string) peaceops.Date {
	d, err := peaceops.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// battalion returns a valid pledged infantry battalion.
func battalion(name string, mut ...func(*forces.Unit)) *forces.Unit {
	u := &forces.Unit{Name: name, Type: forces.TypeInfantry, Country: "RWA", Size: 750,
		Base:    &forces.Base{Name: "Bangui M'Poko", Kind: forces.SiteHQ},
		Arrival: date("2024-01-15"), RotationDue: date("2025-01-15")}
	for _, m := range mut {
		m(u)
	}
	return u
}

// auditCount counts audit entries of an entity type and action.
func auditCount(t testing.TB, db *store.DB, entity, action string) int {
	t.Helper()
	var n int
	err := db.View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE entity_type = $1 AND action = $2`, entity, action).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fieldsOf(err error) []string {
	var out []string
	for _, f := range peaceops.ErrorFields(err) {
		out = append(out, f.Field)
	}
	return out
}
