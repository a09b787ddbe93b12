package alerts_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/demo"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
)

// fixture is a database with the missions MINUSCA (CAR) and MONUSCO
// (DRC), these users, and the services over it:
//
//	mina   mission-admin of MINUSCA
//	ana    analyst in MINUSCA
//	rita   reporter in MINUSCA
//	vera   viewer in MINUSCA
//	otto   mission-admin of MONUSCO
type fixture struct {
	db     *store.DB
	access *access.Service
	areas  *geo.Service
	events *events.Service
	alerts *alerts.Service
	system context.Context
	actors map[string]peaceops.Actor
	logs   *syncBuffer
}

var users = []struct {
	name    string
	mission string
	role    peaceops.Role
}{
	{"mina", "MINUSCA", peaceops.RoleMissionAdmin},
	{"ana", "MINUSCA", peaceops.RoleAnalyst},
	{"rita", "MINUSCA", peaceops.RoleReporter},
	{"vera", "MINUSCA", peaceops.RoleViewer},
	{"otto", "MONUSCO", peaceops.RoleMissionAdmin},
}

const password = "correct horse battery staple"

func newFixture(t *testing.T, db *store.DB, opts alerts.Options) *fixture {
	t.Helper()
	f := &fixture{db: db, system: peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor()),
		actors: map[string]peaceops.Actor{}, logs: &syncBuffer{}}
	f.access = access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	f.areas = geo.NewService(db)
	f.events = events.NewService(db, f.areas)
	mis := missions.NewService(db, f.access)
	for _, m := range []*missions.Mission{
		{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}},
		{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}},
	} {
		if err := mis.CreateMission(f.system, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range users {
		created, err := f.access.CreateUser(f.system, access.UserCreate{Username: u.name, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.access.AddMember(f.system, u.mission, u.name, u.role); err != nil {
			t.Fatal(err)
		}
		f.actors[u.name] = peaceops.Actor{UserID: created.ID, Username: u.name, Roles: map[string][]peaceops.Role{u.mission: {u.role}}}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	opts.Access, opts.Missions = f.access, mis
	f.alerts = alerts.NewService(db, f.events, opts)
	return f
}

// as returns a context acting as the fixture's user name.
func (f *fixture) as(name string) context.Context {
	a, ok := f.actors[name]
	if !ok {
		panic("no user " + name)
	}
	return peaceops.NewContextWithActor(context.Background(), a)
}

// importCAR loads the demo data of the Central African Republic: OCHA
// admin 1 and 2 boundaries, then the 1,848 UCDP GED v23.1 events into
// MINUSCA, through the geo and events services.
func (f *fixture) importCAR(t *testing.T) {
	t.Helper()
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
	file, err := demo.Data.Open("data/GEDEvent_v23_1_CAF.geojson")
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
	if res.Created < 1800 {
		t.Fatalf("imported %d UCDP events, want about 1,848", res.Created)
	}
}

// at2014 is the run date of the Bangui tests: the last complete week is
// that of 23 December 2013, after the attacks of 5 December.
var at2014 = time.Date(2014, time.January, 1, 6, 0, 0, 0, time.UTC)

// run runs detection as name at at, failing the test on error.
func (f *fixture) run(t *testing.T, name string, at time.Time) alerts.RunResult {
	t.Helper()
	res, err := f.alerts.Run(f.as(name), "MINUSCA", at)
	if err != nil {
		t.Fatalf("run as %s at %s: %v", name, at.Format(time.DateOnly), err)
	}
	return res
}

// find returns the alert of area (P-code) and type among list, or nil.
func find(list []*alerts.Alert, area, typ string) *alerts.Alert {
	i := slices.IndexFunc(list, func(a *alerts.Alert) bool { return a.Area == area && a.Type == typ })
	if i < 0 {
		return nil
	}
	return list[i]
}

// all returns every alert of MINUSCA as mina sees them.
func (f *fixture) all(t *testing.T) []*alerts.Alert {
	t.Helper()
	list, _, err := f.alerts.FindAlerts(f.as("mina"), "MINUSCA", alerts.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// bangui is the P-code of the prefecture of Bangui in the OCHA boundaries.
const bangui = "CF71"

// raiseBangui imports the CAR data and runs at2014 as ana, returning
// Bangui's alert.
func (f *fixture) raiseBangui(t *testing.T) *alerts.Alert {
	t.Helper()
	f.importCAR(t)
	res := f.run(t, "ana", at2014)
	a := find(res.Alerts, bangui, "")
	if a == nil {
		t.Fatalf("no alert for Bangui (%s) at %s; alerts: %v", bangui, at2014.Format(time.DateOnly), explanations(res.Alerts))
	}
	return a
}

func explanations(list []*alerts.Alert) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = string(a.Level) + ": " + a.Explanation
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := peaceops.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// auditCount counts the audit entries of entity type and action in
// MINUSCA.
func auditCount(t *testing.T, db *store.DB, entityType, action string) int {
	t.Helper()
	var n int
	err := db.View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log
			WHERE mission = 'MINUSCA' AND entity_type = $1 AND action = $2`, entityType, action).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
