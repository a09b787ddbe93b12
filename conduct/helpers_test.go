package conduct_test

import (
	"context"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/sealed"
	"github.com/peaceops/peaceops/store"
)

// fixture is a database with the missions MINUSCA and MONUSCO and a
// conduct service with a data key.
type fixture struct {
	db      *store.DB
	keys    *sealed.Keyring
	keyText string
	conduct *conduct.Service
	system  context.Context
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	keyText := sealed.NewKey("t")
	keys, err := sealed.ParseKeys(keyText)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, keys: keys, keyText: keyText, conduct: conduct.NewService(db, keys),
		system: peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())}
	mis := missions.NewService(db, nil)
	for _, m := range []*missions.Mission{
		{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}},
		{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}},
	} {
		if err := mis.CreateMission(f.system, m); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// as returns a context acting as a user holding roles in mission.
func as(username, mission string, roles ...peaceops.Role) context.Context {
	a := peaceops.Actor{UserID: peaceops.NewID(), Username: username, Roles: map[string][]peaceops.Role{mission: roles}}
	return peaceops.NewContextWithActor(context.Background(), a)
}

var (
	officer = as("cora", "MINUSCA", peaceops.RoleConductOfficer)
	rights  = as("vic", "MINUSCA", peaceops.RoleVictimRights)
	both    = as("bea", "MINUSCA", peaceops.RoleConductOfficer, peaceops.RoleVictimRights)
	boss    = as("boss", "MINUSCA", peaceops.RoleMissionAdmin)
	ana     = as("ana", "MINUSCA", peaceops.RoleAnalyst)
	rita    = as("rita", "MINUSCA", peaceops.RoleReporter)
	otherCO = as("otto", "MONUSCO", peaceops.RoleConductOfficer)
	admin   = peaceops.NewContextWithActor(context.Background(), peaceops.Actor{UserID: peaceops.NewID(), Username: "admin", Admin: true})
	anon    = context.Background()
)

func date(s string) peaceops.Date {
	d, err := peaceops.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// seaCase returns a valid SEA allegation of MINUSCA.
func seaCase(mut ...func(*conduct.Allegation)) *conduct.Allegation {
	a := &conduct.Allegation{Mission: "MINUSCA", Reported: date("2024-03-04"), IncidentDate: date("2024-02-01"),
		IncidentPrecision: "month", ReceivedVia: "hotline", Categories: []string{"sexual-exploitation"},
		PersonnelCategory: "military", Perpetrators: 2, Nationality: "ZAF", VictimCount: 1,
		Summary: "Transactional sex alleged near the base."}
	for _, m := range mut {
		m(a)
	}
	return a
}

func sealedKeyText(t testing.TB, f *fixture) string { t.Helper(); return f.keyText }
