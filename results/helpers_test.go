package results_test

import (
	"context"
	"os"
	"path"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/demo"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/results"
	"github.com/peaceops/peaceops/store"
)

// taskTable is the mandate as the results framework sees it: task ids and
// titles by mission.
type taskTable map[string]map[string]string

func (t taskTable) TaskTitle(_ context.Context, mission, id string) (string, error) {
	if title, ok := t[mission][id]; ok {
		return title, nil
	}
	return "", peaceops.Errorf(peaceops.ENOTFOUND, "mandated task %s not found", id)
}

var tasks = taskTable{"MINUSCA": {"T-POC": "Protection of civilians", "T-DDR": "Disarmament, demobilisation and reintegration"}}

// fixture is a database with MINUSCA and MONUSCO and these users:
//
//	pat   planner in MINUSCA
//	mina  mission-admin of MINUSCA
//	ana   analyst in MINUSCA (reads events)
//	vera  viewer in MINUSCA
//	sam   viewer in MINUSCA, member of the section "HRD" (human rights)
//	otto  mission-admin of MONUSCO
type fixture struct {
	db      *store.DB
	system  context.Context
	areas   *geo.Service
	events  *events.Service
	results *results.Service
	actors  map[string]peaceops.Actor
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, system: peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor()), actors: map[string]peaceops.Actor{}}
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	mis := missions.NewService(db, acc)
	for _, m := range []*missions.Mission{
		{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}},
		{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}},
	} {
		if err := mis.CreateMission(f.system, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct {
		name, mission string
		role          peaceops.Role
	}{
		{"pat", "MINUSCA", peaceops.RolePlanner}, {"mina", "MINUSCA", peaceops.RoleMissionAdmin},
		{"ana", "MINUSCA", peaceops.RoleAnalyst}, {"vera", "MINUSCA", peaceops.RoleViewer},
		{"sam", "MINUSCA", peaceops.RoleViewer}, {"otto", "MONUSCO", peaceops.RoleMissionAdmin},
	} {
		created, err := acc.CreateUser(f.system, access.UserCreate{Username: u.name, Password: "correct horse battery staple"})
		if err != nil {
			t.Fatal(err)
		}
		if err := acc.AddMember(f.system, u.mission, u.name, u.role); err != nil {
			t.Fatal(err)
		}
		f.actors[u.name] = peaceops.Actor{UserID: created.ID, Username: u.name, Roles: map[string][]peaceops.Role{u.mission: {u.role}}}
	}
	f.areas = geo.NewService(db)
	f.events = events.NewService(db, f.areas)
	f.results = results.NewService(db, f.events, results.Options{Tasks: tasks, Missions: mis})
	if err := f.results.AddSectionMember(f.as("pat"), "MINUSCA", results.SectionMember{Section: "HRD", Username: "sam"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) as(name string) context.Context {
	a, ok := f.actors[name]
	if !ok {
		panic("no user " + name)
	}
	return peaceops.NewContextWithActor(context.Background(), a)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := peaceops.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func date(s string) peaceops.Date {
	d, err := peaceops.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// chain creates an objective, an expected result and returns the result.
func (f *fixture) chain(t *testing.T) (*results.Objective, *results.Result) {
	t.Helper()
	o := &results.Objective{Code: "OBJ-1", Title: "Civilians are protected", TaskIDs: []string{"T-POC"}}
	if err := f.results.CreateObjective(f.as("pat"), "MINUSCA", o); err != nil {
		t.Fatal(err)
	}
	r := &results.Result{ObjectiveID: o.ID, Code: "ER-1.1", Level: results.LevelOutcome, Title: "Violence against civilians falls"}
	if err := f.results.CreateResult(f.as("pat"), "MINUSCA", r); err != nil {
		t.Fatal(err)
	}
	return o, r
}

// manual returns a valid entered percentage indicator of result r.
func manual(r *results.Result) *results.Indicator {
	return &results.Indicator{ResultID: r.ID, Code: "IND-1", Name: "Share of reported violations documented",
		Kind: results.KindOutput, Unit: results.UnitPercentage, Direction: results.Higher,
		BaselineValue: 20, BaselineDate: date("2024-01-01"),
		Targets:    []results.Target{{Value: 50, Date: date("2024-12-31")}, {Value: 80, Date: date("2025-12-31")}},
		Frequency:  results.Quarterly,
		Dimensions: []results.Dimension{{Name: "sex", Values: []string{"female", "male"}}, {Name: "admin1", Values: []string{"CF43", "CF71"}}},
		DataSource: "HRD case database", Section: "HRD"}
}

// importCAR loads the OCHA admin 1 and 2 boundaries of the Central African
// Republic and the UCDP GED v23.1 events of the shared data folder into
// MINUSCA.
func (f *fixture) importCAR(t *testing.T) {
	t.Helper()
	p := shareddata.Path(t, "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson")
	for level := 1; level <= 2; level++ {
		name := "data/caf_admin" + string(rune('0'+level)) + ".geojson"
		file, err := demo.Data.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		areas, err := geo.ReadAreas(file, geo.ImportOptions{Country: "CAF", Level: level, Source: path.Base(name)})
		file.Close()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.areas.ImportAreas(f.system, "CAF", level, areas); err != nil {
			t.Fatal(err)
		}
	}
	file, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, err := events.NewReader(events.FormatUCDP, file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.events.Import(f.system, "MINUSCA", r, events.ImportOptions{Name: "GEDEvent_v23_1_CAF.geojson"})
	if err != nil {
		t.Fatalf("import UCDP: %v (%d row errors)", err, len(res.Errors))
	}
	if res.Created != 1848 {
		t.Fatalf("imported %d UCDP events, want 1,848", res.Created)
	}
}
