package events_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// fixture is a database with the missions MINUSCA (host CAF) and MONUSCO
// (host COD) and the services over it. Actors are built directly: the
// policy needs only their roles.
type fixture struct {
	db     *store.DB
	areas  *geo.Service
	events *events.Service
	system context.Context
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, areas: geo.NewService(db),
		system: peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())}
	f.events = events.NewService(db, f.areas)
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

// as returns a context acting as a user holding role in mission.
func as(username, mission string, role peaceops.Role) context.Context {
	a := peaceops.Actor{UserID: peaceops.NewID(), Username: username, Roles: map[string][]peaceops.Role{mission: {role}}}
	return peaceops.NewContextWithActor(context.Background(), a)
}

var (
	boss  = as("boss", "MINUSCA", peaceops.RoleMissionAdmin)
	ana   = as("ana", "MINUSCA", peaceops.RoleAnalyst)
	rita  = as("rita", "MINUSCA", peaceops.RoleReporter)
	vera  = as("vera", "MINUSCA", peaceops.RoleViewer)
	otto  = as("otto", "MONUSCO", peaceops.RoleMissionAdmin)
	admin = peaceops.NewContextWithActor(context.Background(), peaceops.Actor{UserID: peaceops.NewID(), Username: "admin", Admin: true})
	anon  = context.Background()
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// clash returns a valid event of MINUSCA: an armed clash in Bambari.
func clash(title string, mut ...func(*events.Event)) *events.Event {
	e := &events.Event{
		Mission: "MINUSCA", Type: events.ArmedClash, Title: title,
		Narrative: "Exchange of fire between armed groups near the market.",
		Start:     day(2023, 5, 1), End: day(2023, 5, 1), DatePrecision: events.DateDay,
		Location: &geo.Point{Lon: 20.6753, Lat: 5.7618}, LocationPrecision: events.LocationExact,
		PlaceName: "Bambari", Country: "CAF",
		Actors: []events.ActorRef{
			{Name: "Unité pour la Paix en Centrafrique (UPC)", Role: events.RoleSideA},
			{Name: "Anti-balaka", Role: events.RoleSideB},
		},
		Fatalities: events.Exactly(3), CivilianFatalities: events.Exactly(1),
		Sources: []events.Source{{Name: "Patrol Alpha", Kind: events.KindPatrolReport}},
	}
	for _, m := range mut {
		m(e)
	}
	return e
}

func create(t *testing.T, ctx context.Context, f *fixture, e *events.Event) *events.Event {
	t.Helper()
	if err := f.events.CreateEvent(ctx, e); err != nil {
		t.Fatalf("create %q: %v", e.Title, err)
	}
	return e
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := peaceops.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func titles(evs []*events.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Title
	}
	return out
}

// importAreas loads the CAR admin 1 and 2 boundaries of the demo data.
func importAreas(t *testing.T, f *fixture) {
	t.Helper()
	for level := 1; level <= 2; level++ {
		name := filepath.Join("..", "demo", "data", "caf_admin"+string(rune('0'+level))+".geojson")
		file, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		areas, err := geo.ReadAreas(file, geo.ImportOptions{Country: "CAF", Level: level, Source: filepath.Base(name)})
		file.Close()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.areas.ImportAreas(f.system, "CAF", level, areas); err != nil {
			t.Fatal(err)
		}
	}
}

// auditActions returns the actions of the audit entries about entity id.
func auditActions(t *testing.T, db *store.DB, id string) []string {
	t.Helper()
	var out []string
	err := db.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT action FROM audit_log WHERE entity_type = 'event' AND entity_id = $1 ORDER BY seq`, id)
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

func TestCreateEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		t.Run("OK", func(t *testing.T) {
			e := create(t, rita, f, clash("Clash in Bambari"))
			if !peaceops.ValidID(e.ID) || e.Version != 1 || e.Status != events.StatusReported || e.Classification != peaceops.Internal {
				t.Fatalf("created %+v", e)
			}
			got, err := f.events.FindEventByID(vera, "MINUSCA", e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if jsonString(t, got) != jsonString(t, e) {
				t.Errorf("read back\n%s\nwant\n%s", jsonString(t, got), jsonString(t, e))
			}
			if a := auditActions(t, db, e.ID); !slices.Equal(a, []string{"create"}) {
				t.Errorf("audit %v", a)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := f.events.CreateEvent(ana, clash("", func(e *events.Event) { e.Type = "battles.nothing"; e.End = day(2023, 4, 1) }))
			wantCode(t, err, peaceops.EINVALID)
			if got := errorFields(err); !slices.Equal(got, []string{"type", "title", "end"}) {
				t.Errorf("fields %v", got)
			}
		})
		t.Run("ErrReporterConfidential", func(t *testing.T) {
			err := f.events.CreateEvent(rita, clash("Secret", func(e *events.Event) { e.Classification = peaceops.Confidential }))
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrReporterVerified", func(t *testing.T) {
			err := f.events.CreateEvent(rita, clash("Verified", func(e *events.Event) { e.Status = events.StatusVerified }))
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("AnalystVerified", func(t *testing.T) {
			e := create(t, ana, f, clash("Verified", func(e *events.Event) { e.Status = events.StatusVerified }))
			if e.Verification == nil || e.Verification.By != "ana" || e.Verification.At.IsZero() {
				t.Errorf("verification %+v", e.Verification)
			}
		})
		t.Run("ErrViewer", func(t *testing.T) {
			wantCode(t, f.events.CreateEvent(vera, clash("Viewer")), peaceops.EFORBIDDEN)
		})
		t.Run("ErrOtherMission", func(t *testing.T) {
			wantCode(t, f.events.CreateEvent(otto, clash("Elsewhere")), peaceops.ENOTFOUND)
		})
		t.Run("ErrAnonymous", func(t *testing.T) {
			wantCode(t, f.events.CreateEvent(anon, clash("Anyone")), peaceops.EUNAUTHORIZED)
		})
		t.Run("ErrNoSuchMission", func(t *testing.T) {
			wantCode(t, f.events.CreateEvent(admin, clash("Nowhere", func(e *events.Event) { e.Mission = "UNMISS" })), peaceops.ENOTFOUND)
		})
		t.Run("ErrSameProvenance", func(t *testing.T) {
			prov := func(e *events.Event) { e.Source, e.SourceID = "patrol-log", "PL-17" }
			create(t, ana, f, clash("First", prov))
			wantCode(t, f.events.CreateEvent(ana, clash("Second", prov)), peaceops.ECONFLICT)
		})
	})
}

func TestAdminAreasAssigned(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		before := create(t, ana, f, clash("Before the areas"))
		if !before.Admin1.IsZero() {
			t.Fatalf("admin1 %+v without areas", before.Admin1)
		}
		importAreas(t, f)
		t.Run("Both", func(t *testing.T) {
			e := create(t, ana, f, clash("Bambari"))
			if e.Admin1 != (events.AdminRef{PCode: "CF43", Name: "Ouaka"}) || e.Admin2 != (events.AdminRef{PCode: "CF431", Name: "Bambari"}) {
				t.Errorf("admin %+v / %+v", e.Admin1, e.Admin2)
			}
		})
		t.Run("HostCountry", func(t *testing.T) {
			e := create(t, ana, f, clash("No country", func(e *events.Event) { e.Country = "" }))
			if e.Admin1.PCode != "CF43" {
				t.Errorf("admin1 %+v", e.Admin1)
			}
		})
		t.Run("GivenKept", func(t *testing.T) {
			given := events.AdminRef{PCode: "CF71", Name: "Bangui"}
			e := create(t, ana, f, clash("Given", func(e *events.Event) { e.Admin1 = given }))
			if e.Admin1 != given || !e.Admin2.IsZero() {
				t.Errorf("admin %+v / %+v: the given admin1 must stay and no admin2 outside it be added", e.Admin1, e.Admin2)
			}
		})
		t.Run("NoLocation", func(t *testing.T) {
			e := create(t, ana, f, clash("Nowhere", func(e *events.Event) { e.Location = nil; e.LocationPrecision = events.LocationCountry }))
			if !e.Admin1.IsZero() {
				t.Errorf("admin1 %+v", e.Admin1)
			}
		})
		t.Run("MovedOnUpdate", func(t *testing.T) {
			e := create(t, ana, f, clash("Moved"))
			bangui := geo.Point{Lon: 18.5582, Lat: 4.3612}
			got, err := f.events.UpdateEvent(ana, "MINUSCA", e.ID, events.Update{Location: &bangui}, e.Version)
			if err != nil {
				t.Fatal(err)
			}
			if got.Admin1.PCode != "CF71" || got.Admin2.PCode != "CF711" {
				t.Errorf("after moving to Bangui: %+v / %+v", got.Admin1, got.Admin2)
			}
		})
		t.Run("AdminFilter", func(t *testing.T) {
			list, _, err := f.events.FindEvents(vera, "MINUSCA", events.Filter{Admin: "CF711"})
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(list); !slices.Equal(got, []string{"Moved"}) {
				t.Errorf("events in CF711: %v", got)
			}
		})
	})
}

func TestEventVisibility(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		open := create(t, ana, f, clash("Open"))
		secret := create(t, ana, f, clash("Secret", func(e *events.Event) {
			e.Classification = peaceops.Confidential
			e.Fatalities = events.Exactly(10)
		}))
		box := &geo.BBox{MinLon: 20, MinLat: 5, MaxLon: 21, MaxLat: 6}
		seen := func(ctx context.Context) (list, each []string, stats, cells int) {
			t.Helper()
			evs, _, err := f.events.FindEvents(ctx, "MINUSCA", events.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			list = titles(evs)
			err = f.events.EachEvent(ctx, "MINUSCA", events.Filter{}, func(e *events.Event) error {
				each = append(each, e.Title)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.events.Stats(ctx, "MINUSCA", events.StatsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				stats += r.Fatalities
			}
			grid, err := f.events.Grid(ctx, "MINUSCA", events.Filter{BBox: box}, 6)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range grid {
				cells += c.Fatalities
			}
			return
		}
		t.Run("ViewerBelowClearance", func(t *testing.T) {
			list, each, stats, cells := seen(vera)
			if !slices.Equal(list, []string{"Open"}) || !slices.Equal(each, []string{"Open"}) || stats != 3 || cells != 3 {
				t.Errorf("viewer sees list %v, export %v, %d fatalities in stats, %d in cells", list, each, stats, cells)
			}
			_, err := f.events.FindEventByID(vera, "MINUSCA", secret.ID)
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("MissionAdmin", func(t *testing.T) {
			list, each, stats, cells := seen(boss)
			if len(list) != 2 || len(each) != 2 || stats != 13 || cells != 13 {
				t.Errorf("mission-admin sees list %v, export %v, %d fatalities in stats, %d in cells", list, each, stats, cells)
			}
			if _, err := f.events.FindEventByID(boss, "MINUSCA", secret.ID); err != nil {
				t.Fatal(err)
			}
			if a := auditActions(t, db, secret.ID); !slices.Equal(a, []string{"create", "read"}) {
				t.Errorf("audit of the confidential event: %v", a)
			}
			if _, err := f.events.FindEventByID(boss, "MINUSCA", open.ID); err != nil {
				t.Fatal(err)
			}
			if a := auditActions(t, db, open.ID); !slices.Equal(a, []string{"create"}) {
				t.Errorf("audit of the internal event: %v", a)
			}
		})
		t.Run("OtherMission", func(t *testing.T) {
			_, err := f.events.FindEventByID(otto, "MINUSCA", open.ID)
			wantCode(t, err, peaceops.ENOTFOUND)
			_, err = f.events.FindEventByID(otto, "MONUSCO", open.ID)
			wantCode(t, err, peaceops.ENOTFOUND)
			_, _, err = f.events.FindEvents(otto, "MINUSCA", events.Filter{})
			wantCode(t, err, peaceops.ENOTFOUND)
			_, err = f.events.Stats(otto, "MINUSCA", events.StatsRequest{})
			wantCode(t, err, peaceops.ENOTFOUND)
			_, err = f.events.Grid(otto, "MINUSCA", events.Filter{BBox: box}, 3)
			wantCode(t, err, peaceops.ENOTFOUND)
			wantCode(t, f.events.EachEvent(otto, "MINUSCA", events.Filter{}, func(*events.Event) error { return nil }), peaceops.ENOTFOUND)
			_, err = f.events.UpdateEvent(otto, "MINUSCA", open.ID, events.Update{}, 1)
			wantCode(t, err, peaceops.ENOTFOUND)
			wantCode(t, f.events.DeleteEvent(otto, "MINUSCA", open.ID, "spite", 1), peaceops.ENOTFOUND)
		})
		t.Run("Anonymous", func(t *testing.T) {
			_, _, err := f.events.FindEvents(anon, "MINUSCA", events.Filter{})
			wantCode(t, err, peaceops.EUNAUTHORIZED)
			_, err = f.events.FindEventByID(anon, "MINUSCA", open.ID)
			wantCode(t, err, peaceops.EUNAUTHORIZED)
		})
		t.Run("Admin", func(t *testing.T) {
			list, _, _, _ := seen(admin)
			if len(list) != 2 {
				t.Errorf("administrator sees %v", list)
			}
		})
	})
}

func TestFindEventsFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		create(t, ana, f, clash("Clash in Bambari"))
		create(t, ana, f, clash("Attack on Ndélé market", func(e *events.Event) {
			e.Type = events.Attack
			e.Start, e.End = day(2023, 6, 10), day(2023, 6, 12)
			e.DatePrecision = events.DateDays
			e.Location = &geo.Point{Lon: 20.6467, Lat: 8.4092}
			e.PlaceName = "Ndélé"
			e.Narrative = "Gunmen looted stalls."
			e.Actors = []events.ActorRef{{Name: "Front Populaire pour la Renaissance de la Centrafrique (FPRC)", Role: events.RolePerpetrator}}
			e.Fatalities = events.Exactly(7)
		}))
		create(t, ana, f, clash("Protest in Bangui", func(e *events.Event) {
			e.Type = events.PeacefulProtest
			e.Start, e.End = day(2022, 12, 31), day(2022, 12, 31)
			e.Location = &geo.Point{Lon: 18.5582, Lat: 4.3612}
			e.PlaceName = "Bangui"
			e.Narrative = "Students marched to the ministry."
			e.Actors = []events.ActorRef{{Name: "Étudiants", Role: events.RoleInvolved}}
			e.Fatalities = events.Count{}
			e.CivilianFatalities = events.Count{}
		}))
		create(t, ana, f, clash("Report without place", func(e *events.Event) {
			e.Type = events.Abduction
			e.Location, e.LocationPrecision, e.PlaceName = nil, events.LocationCountry, ""
			e.Start, e.End = day(2023, 1, 15), day(2023, 1, 15)
			e.Fatalities = events.Exactly(1)
			e.Admin1 = events.AdminRef{PCode: "CF43", Name: "Ouaka"}
		}))
		for _, tt := range []struct {
			name   string
			filter events.Filter
			want   []string
		}{
			{"All", events.Filter{}, []string{"Attack on Ndélé market", "Clash in Bambari", "Report without place", "Protest in Bangui"}},
			{"BBox", events.Filter{BBox: &geo.BBox{MinLon: 20, MinLat: 5, MaxLon: 21, MaxLat: 9}}, []string{"Attack on Ndélé market", "Clash in Bambari"}},
			{"BBoxEdge", events.Filter{BBox: &geo.BBox{MinLon: 18.5582, MinLat: 4.3612, MaxLon: 18.6, MaxLat: 4.4}}, []string{"Protest in Bangui"}},
			{"From", events.Filter{From: day(2023, 5, 1)}, []string{"Attack on Ndélé market", "Clash in Bambari"}},
			{"FromOverlap", events.Filter{From: day(2023, 6, 11)}, []string{"Attack on Ndélé market"}},
			{"To", events.Filter{To: day(2023, 1, 15)}, []string{"Report without place", "Protest in Bangui"}},
			{"FromTo", events.Filter{From: day(2023, 1, 1), To: day(2023, 5, 31)}, []string{"Clash in Bambari", "Report without place"}},
			{"Type", events.Filter{Types: []events.Type{events.Attack}}, []string{"Attack on Ndélé market"}},
			{"Category", events.Filter{Types: []events.Type{events.Type(events.CategoryViolenceAgainstCivilians)}}, []string{"Attack on Ndélé market", "Report without place"}},
			{"Types", events.Filter{Types: []events.Type{events.ArmedClash, "protests"}}, []string{"Clash in Bambari", "Protest in Bangui"}},
			{"Actor", events.Filter{Actor: "fprc"}, []string{"Attack on Ndélé market"}},
			{"ActorAccents", events.Filter{Actor: "etudiants"}, []string{"Protest in Bangui"}},
			{"ActorWildcard", events.Filter{Actor: "%"}, nil},
			{"Status", events.Filter{Status: []events.Status{events.StatusVerified}}, nil},
			{"Admin", events.Filter{Admin: "CF43"}, []string{"Report without place"}},
			{"MinFatalities", events.Filter{MinFatalities: 3}, []string{"Attack on Ndélé market", "Clash in Bambari"}},
			{"Query", events.Filter{Query: "market"}, []string{"Attack on Ndélé market", "Clash in Bambari", "Report without place"}},
			{"QueryAccents", events.Filter{Query: "NDELE"}, []string{"Attack on Ndélé market"}},
			{"QueryPrefix", events.Filter{Query: "stud minis"}, []string{"Protest in Bangui"}},
			{"QueryActor", events.Filter{Query: "anti-balaka"}, []string{"Clash in Bambari", "Report without place"}},
			{"QuerySyntax", events.Filter{Query: `"market" OR NEAR(`}, nil},
			{"Combined", events.Filter{Query: "market", Types: []events.Type{"battles"}, MinFatalities: 1}, []string{"Clash in Bambari"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, next, err := f.events.FindEvents(vera, "MINUSCA", tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(titles(got), tt.want) || next != "" {
					t.Errorf("got %q (next %q), want %q", titles(got), next, tt.want)
				}
			})
		}
		t.Run("ErrInvalid", func(t *testing.T) {
			_, _, err := f.events.FindEvents(vera, "MINUSCA", events.Filter{Types: []events.Type{"nope"}, MinFatalities: -1, Cursor: "garbage"})
			wantCode(t, err, peaceops.EINVALID)
			if got := errorFields(err); !slices.Equal(got, []string{"types[0]", "min_fatalities"}) {
				t.Errorf("fields %v", got)
			}
			_, _, err = f.events.FindEvents(vera, "MINUSCA", events.Filter{Cursor: "garbage"})
			wantCode(t, err, peaceops.EINVALID)
		})
	})
}

func TestFindEventsPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var want []string
		for i := 0; i < 7; i++ {
			// Two events on each day: ties on start are broken by ID.
			e := create(t, ana, f, clash("Event", func(e *events.Event) {
				e.Start = day(2023, 3, 1+i/2)
				e.End = e.Start
			}))
			want = append(want, e.ID)
		}
		slices.SortFunc(want, func(a, b string) int { return -cmpStrings(a, b) })
		var got []string
		cursor := ""
		for page := 0; page < 10; page++ {
			list, next, err := f.events.FindEvents(vera, "MINUSCA", events.Filter{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range list {
				got = append(got, e.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		// Newest first: order by start desc, then id desc.
		var order []string
		list, _, err := f.events.FindEvents(vera, "MINUSCA", events.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			order = append(order, e.ID)
		}
		if !slices.Equal(got, order) || len(got) != 7 {
			t.Fatalf("pages gave %v, one query %v", got, order)
		}
		for i := 1; i < len(list); i++ {
			a, b := list[i-1], list[i]
			if a.Start.Before(b.Start) || (a.Start.Equal(b.Start) && a.ID < b.ID) {
				t.Fatalf("order broken at %d: %s %s then %s %s", i, a.Start, a.ID, b.Start, b.ID)
			}
		}
	})
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestUpdateEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		e := create(t, rita, f, clash("Clash"))
		t.Run("OK", func(t *testing.T) {
			title, fat := "Clash at the bridge", events.Count{Low: 2, Best: 4, High: 6}
			actors := []events.ActorRef{{Name: "3R", Role: events.RolePerpetrator}}
			got, err := f.events.UpdateEvent(ana, "MINUSCA", e.ID, events.Update{Title: &title, Fatalities: &fat, Actors: &actors}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != title || got.Fatalities != fat || got.Version != 2 || len(got.Actors) != 1 {
				t.Fatalf("updated %+v", got)
			}
			list, _, err := f.events.FindEvents(vera, "MINUSCA", events.Filter{Actor: "3r"})
			if err != nil || len(list) != 1 {
				t.Fatalf("actor filter after the update: %v %v", titles(list), err)
			}
			rows, err := f.events.Stats(vera, "MINUSCA", events.StatsRequest{})
			if err != nil || len(rows) != 1 || rows[0].Fatalities != 4 {
				t.Fatalf("stats after the update: %+v %v", rows, err)
			}
		})
		t.Run("ErrStale", func(t *testing.T) {
			title := "Stale"
			_, err := f.events.UpdateEvent(ana, "MINUSCA", e.ID, events.Update{Title: &title}, 1)
			wantCode(t, err, peaceops.EPRECONDITION)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			title := ""
			_, err := f.events.UpdateEvent(ana, "MINUSCA", e.ID, events.Update{Title: &title}, 2)
			wantCode(t, err, peaceops.EINVALID)
		})
		t.Run("ErrViewer", func(t *testing.T) {
			title := "Viewer"
			_, err := f.events.UpdateEvent(vera, "MINUSCA", e.ID, events.Update{Title: &title}, 2)
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrStatusWithoutVerify", func(t *testing.T) {
			boss := as("rex", "MINUSCA", peaceops.RoleReporter)
			st := events.StatusVerified
			_, err := f.events.UpdateEvent(boss, "MINUSCA", e.ID, events.Update{Status: &st}, 2)
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrClassifyAbove", func(t *testing.T) {
			c := peaceops.StrictlyConfidential
			_, err := f.events.UpdateEvent(ana, "MINUSCA", e.ID, events.Update{Classification: &c}, 2)
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := f.events.UpdateEvent(ana, "MINUSCA", peaceops.NewID(), events.Update{}, 1)
			wantCode(t, err, peaceops.ENOTFOUND)
			_, err = f.events.UpdateEvent(ana, "MINUSCA", "not-an-id", events.Update{}, 1)
			wantCode(t, err, peaceops.ENOTFOUND)
		})
	})
}

// Concurrent PATCHes with the same If-Match: exactly one wins, the others
// are told their version is stale.
func TestUpdateEventConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		e := create(t, ana, f, clash("Contested"))
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				title := "Writer " + string(rune('A'+i))
				_, errs[i] = f.events.UpdateEvent(ana, "MINUSCA", e.ID, events.Update{Title: &title}, 1)
			}(i)
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch peaceops.ErrorCode(err) {
			case "":
				won++
			case peaceops.EPRECONDITION:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d writers won, want exactly 1", won)
		}
		got, err := f.events.FindEventByID(ana, "MINUSCA", e.ID)
		if err != nil || got.Version != 2 {
			t.Fatalf("final version %d, %v", got.Version, err)
		}
	})
}

func TestVerifyEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		e := create(t, rita, f, clash("To verify"))
		t.Run("Verified", func(t *testing.T) {
			got, err := f.events.VerifyEvent(ana, "MINUSCA", e.ID, events.Verify{Status: events.StatusVerified, Reason: "Confirmed by two patrols"}, 1)
			if err != nil {
				t.Fatal(err)
			}
			v := got.Verification
			if got.Status != events.StatusVerified || v == nil || v.By != "ana" || v.At.IsZero() || v.Reason != "Confirmed by two patrols" || got.Version != 2 {
				t.Fatalf("verified %+v %+v", got, v)
			}
			list, _, _ := f.events.FindEvents(vera, "MINUSCA", events.Filter{Status: []events.Status{events.StatusVerified}})
			if len(list) != 1 {
				t.Errorf("status filter: %v", titles(list))
			}
		})
		t.Run("ErrRejectWithoutReason", func(t *testing.T) {
			_, err := f.events.VerifyEvent(ana, "MINUSCA", e.ID, events.Verify{Status: events.StatusRejected}, 2)
			wantCode(t, err, peaceops.EINVALID)
			if got := errorFields(err); !slices.Equal(got, []string{"reason"}) {
				t.Errorf("fields %v", got)
			}
		})
		t.Run("ErrBadStatus", func(t *testing.T) {
			_, err := f.events.VerifyEvent(ana, "MINUSCA", e.ID, events.Verify{Status: "maybe"}, 2)
			wantCode(t, err, peaceops.EINVALID)
		})
		t.Run("ErrReporter", func(t *testing.T) {
			_, err := f.events.VerifyEvent(rita, "MINUSCA", e.ID, events.Verify{Status: events.StatusDisputed}, 2)
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrStale", func(t *testing.T) {
			_, err := f.events.VerifyEvent(ana, "MINUSCA", e.ID, events.Verify{Status: events.StatusDisputed}, 1)
			wantCode(t, err, peaceops.EPRECONDITION)
		})
		t.Run("BackToReported", func(t *testing.T) {
			got, err := f.events.VerifyEvent(boss, "MINUSCA", e.ID, events.Verify{Status: events.StatusReported, Reason: "New information"}, 2)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != events.StatusReported || got.Verification.By != "boss" {
				t.Errorf("%+v", got)
			}
			if a := auditActions(t, db, e.ID); !slices.Equal(a, []string{"create", "verify", "verify"}) {
				t.Errorf("audit %v", a)
			}
		})
	})
}

func TestDeleteEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		e := create(t, ana, f, clash("Doomed"))
		create(t, ana, f, clash("Kept"))
		wantCode(t, f.events.DeleteEvent(boss, "MINUSCA", e.ID, "  ", 1), peaceops.EINVALID)
		wantCode(t, f.events.DeleteEvent(ana, "MINUSCA", e.ID, "duplicate", 1), peaceops.EFORBIDDEN)
		wantCode(t, f.events.DeleteEvent(boss, "MINUSCA", e.ID, "duplicate", 7), peaceops.EPRECONDITION)
		if err := f.events.DeleteEvent(boss, "MINUSCA", e.ID, "entered twice", 1); err != nil {
			t.Fatal(err)
		}
		_, err := f.events.FindEventByID(boss, "MINUSCA", e.ID)
		wantCode(t, err, peaceops.ENOTFOUND)
		wantCode(t, f.events.DeleteEvent(boss, "MINUSCA", e.ID, "again", 2), peaceops.ENOTFOUND)
		list, _, _ := f.events.FindEvents(boss, "MINUSCA", events.Filter{})
		if got := titles(list); !slices.Equal(got, []string{"Kept"}) {
			t.Errorf("list after delete: %v", got)
		}
		rows, _ := f.events.Stats(boss, "MINUSCA", events.StatsRequest{})
		if len(rows) != 1 || rows[0].Events != 1 {
			t.Errorf("stats after delete: %+v", rows)
		}
		if a := auditActions(t, db, e.ID); !slices.Equal(a, []string{"create", "delete"}) {
			t.Errorf("audit %v", a)
		}
	})
}

func TestMergeEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		keep := create(t, ana, f, clash("Clash (patrol report)"))
		dup1 := create(t, rita, f, clash("Clash (radio)", func(e *events.Event) {
			e.Sources = []events.Source{{Name: "Radio Ndeke Luka", Kind: events.KindMedia}, {Name: "Patrol Alpha", Kind: events.KindPatrolReport}}
			e.Actors = append(e.Actors, events.ActorRef{Name: "FACA", Role: events.RoleInvolved})
		}))
		dup2 := create(t, rita, f, clash("Clash (hotline)", func(e *events.Event) {
			e.Sources = []events.Source{{Name: "Hotline", Kind: events.KindHotline}}
		}))
		other := create(t, ana, f, clash("Secret", func(e *events.Event) { e.Classification = peaceops.Confidential }))
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := f.events.MergeEvents(ana, "MINUSCA", keep.ID, []string{dup1.ID, dup1.ID, keep.ID})
			wantCode(t, err, peaceops.EINVALID)
			_, err = f.events.MergeEvents(ana, "MINUSCA", keep.ID, nil)
			wantCode(t, err, peaceops.EINVALID)
		})
		t.Run("ErrReporter", func(t *testing.T) {
			_, err := f.events.MergeEvents(rita, "MINUSCA", keep.ID, []string{dup1.ID})
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrInvisible", func(t *testing.T) {
			_, err := f.events.MergeEvents(rita, "MINUSCA", keep.ID, []string{other.ID})
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("OK", func(t *testing.T) {
			got, err := f.events.MergeEvents(ana, "MINUSCA", keep.ID, []string{dup1.ID, dup2.ID})
			if err != nil {
				t.Fatal(err)
			}
			var sources, actors []string
			for _, s := range got.Sources {
				sources = append(sources, s.Name)
			}
			for _, a := range got.Actors {
				actors = append(actors, a.Name)
			}
			if !slices.Equal(sources, []string{"Patrol Alpha", "Radio Ndeke Luka", "Hotline"}) || len(actors) != 3 || got.Version != 2 {
				t.Fatalf("kept event: sources %v, actors %v, version %d", sources, actors, got.Version)
			}
			for _, id := range []string{dup1.ID, dup2.ID} {
				_, err := f.events.FindEventByID(ana, "MINUSCA", id)
				wantCode(t, err, peaceops.ENOTFOUND)
			}
			links, err := f.events.FindLinks(ana, "MINUSCA", keep.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(links) != 2 || links[0].Relation != events.RelationMergedInto || links[0].Other != keep.ID {
				t.Errorf("links %+v", links)
			}
			rows, _ := f.events.Stats(boss, "MINUSCA", events.StatsRequest{})
			if len(rows) != 1 || rows[0].Events != 2 {
				t.Errorf("stats after merge: %+v", rows)
			}
			list, _, _ := f.events.FindEvents(ana, "MINUSCA", events.Filter{Actor: "FACA"})
			if !slices.Equal(titles(list), []string{"Clash (patrol report)"}) {
				t.Errorf("actor filter after merge: %v", titles(list))
			}
			if a := auditActions(t, db, dup1.ID); !slices.Equal(a, []string{"create", "merge"}) {
				t.Errorf("audit of a merged event: %v", a)
			}
		})
	})
}

func TestLinkEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a := create(t, ana, f, clash("First"))
		b := create(t, ana, f, clash("Follow-up"))
		secret := create(t, ana, f, clash("Secret", func(e *events.Event) { e.Classification = peaceops.Confidential }))
		if err := f.events.LinkEvents(ana, "MINUSCA", b.ID, a.ID, events.RelationFollowUp); err != nil {
			t.Fatal(err)
		}
		if err := f.events.LinkEvents(ana, "MINUSCA", a.ID, secret.ID, events.RelationRelated); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.events.LinkEvents(ana, "MINUSCA", b.ID, a.ID, events.RelationFollowUp), peaceops.ECONFLICT)
		wantCode(t, f.events.LinkEvents(ana, "MINUSCA", b.ID, a.ID, "cousin"), peaceops.EINVALID)
		wantCode(t, f.events.LinkEvents(ana, "MINUSCA", a.ID, a.ID, events.RelationRelated), peaceops.EINVALID)
		wantCode(t, f.events.LinkEvents(vera, "MINUSCA", a.ID, b.ID, events.RelationRelated), peaceops.EFORBIDDEN)
		wantCode(t, f.events.LinkEvents(rita, "MINUSCA", a.ID, secret.ID, events.RelationRelated), peaceops.ENOTFOUND)
		links, err := f.events.FindLinks(ana, "MINUSCA", a.ID)
		if err != nil || len(links) != 2 {
			t.Fatalf("analyst sees links %+v, %v", links, err)
		}
		links, err = f.events.FindLinks(vera, "MINUSCA", a.ID)
		if err != nil || len(links) != 1 || links[0].Event != b.ID || links[0].CreatedBy != "ana" {
			t.Fatalf("viewer sees links %+v, %v (the confidential one must be hidden)", links, err)
		}
	})
}

func TestGrid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for i := 0; i < 3; i++ {
			create(t, ana, f, clash("Bambari", func(e *events.Event) { e.Location.Lon += float64(i) * 0.001 }))
		}
		one := create(t, ana, f, clash("Bangui", func(e *events.Event) { e.Location = &geo.Point{Lon: 18.5582, Lat: 4.3612} }))
		create(t, ana, f, clash("Nowhere", func(e *events.Event) { e.Location = nil; e.LocationPrecision = events.LocationCountry }))
		box := &geo.BBox{MinLon: 14, MinLat: 2, MaxLon: 28, MaxLat: 11}
		cells, err := f.events.Grid(vera, "MINUSCA", events.Filter{BBox: box}, 6)
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) != 2 {
			t.Fatalf("cells %+v", cells)
		}
		bangui, bambari := cells[0], cells[1]
		if bangui.Count != 1 || bangui.EventID != one.ID || bangui.Center != *one.Location || !bangui.BBox.Contains(*one.Location) {
			t.Errorf("Bangui cell %+v", bangui)
		}
		size := events.CellSize(6)
		if bambari.Count != 3 || bambari.Fatalities != 9 || bambari.EventID != "" || bambari.BBox.MaxLon-bambari.BBox.MinLon != size {
			t.Errorf("Bambari cell %+v (size %g)", bambari, size)
		}
		cells, err = f.events.Grid(vera, "MINUSCA", events.Filter{BBox: box}, 0)
		if err != nil || len(cells) != 1 || cells[0].Count != 4 {
			t.Errorf("zoom 0: %+v %v", cells, err)
		}
		cells, err = f.events.Grid(vera, "MINUSCA", events.Filter{BBox: &geo.BBox{MinLon: 18, MinLat: 4, MaxLon: 19, MaxLat: 5}, Types: []events.Type{"battles"}}, 10)
		if err != nil || len(cells) != 1 || cells[0].Count != 1 {
			t.Errorf("small box: %+v %v", cells, err)
		}
		_, err = f.events.Grid(vera, "MINUSCA", events.Filter{}, 40)
		wantCode(t, err, peaceops.EINVALID)
		if got := errorFields(err); !slices.Equal(got, []string{"bbox", "zoom"}) {
			t.Errorf("fields %v", got)
		}
	})
}

// Stats from the rollup and from the events themselves agree, for every
// grouping and the filters the rollup serves.
func TestStatsRollupMatchesEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		importAreas(t, f)
		places := []geo.Point{{Lon: 20.6753, Lat: 5.7618}, {Lon: 18.5582, Lat: 4.3612}, {Lon: 20.6467, Lat: 8.4092}}
		types := []events.Type{events.ArmedClash, events.Attack, events.PeacefulProtest, events.Abduction}
		var made []*events.Event
		for i := 0; i < 40; i++ {
			e := create(t, ana, f, clash("Event", func(e *events.Event) {
				e.Start = day(2022, 11, 20).AddDate(0, 0, i*5)
				e.End = e.Start.AddDate(0, 0, i%3)
				p := places[i%len(places)]
				e.Location = &p
				e.Type = types[i%len(types)]
				e.Fatalities = events.Exactly(i % 7)
				e.CivilianFatalities = events.Exactly(i % 2)
				if i%5 == 0 {
					e.Classification = peaceops.Confidential
				}
				if i%6 == 0 {
					e.Actors = append(e.Actors, events.ActorRef{Name: "MPC", Role: events.RoleInvolved})
				}
			}))
			made = append(made, e)
		}
		if _, err := f.events.VerifyEvent(ana, "MINUSCA", made[3].ID, events.Verify{Status: events.StatusVerified}, 1); err != nil {
			t.Fatal(err)
		}
		if err := f.events.DeleteEvent(boss, "MINUSCA", made[4].ID, "test", 1); err != nil {
			t.Fatal(err)
		}
		// Moving an event to another month and place moves it in both
		// rollups.
		moved, later := day(2023, 6, 30), day(2023, 7, 2)
		if _, err := f.events.UpdateEvent(ana, "MINUSCA", made[7].ID, events.Update{Start: &moved, End: &later, Location: &places[0]}, 1); err != nil {
			t.Fatal(err)
		}
		filters := []events.Filter{
			{},
			{From: day(2023, 1, 1), To: day(2023, 3, 31).Add(24*time.Hour - time.Millisecond)},
			{From: day(2023, 7, 1), To: day(2023, 7, 31).Add(24*time.Hour - time.Millisecond)},
			{From: day(2023, 1, 12), To: day(2023, 2, 14).Add(24*time.Hour - time.Millisecond)},
			{Types: []events.Type{"battles", events.Abduction}},
			{Admin: "CF43"},
			{Status: []events.Status{events.StatusVerified}},
		}
		for _, ctx := range []context.Context{vera, boss} {
			for _, by := range []string{"", events.ByAdmin1, events.ByAdmin2, events.ByType, events.ByCategory} {
				for _, interval := range []string{"", events.IntervalWeek, events.IntervalMonth} {
					for i, filter := range filters {
						q := events.StatsRequest{Filter: filter, By: by, Interval: interval}
						fast, err := f.events.Stats(ctx, "MINUSCA", q)
						if err != nil {
							t.Fatal(err)
						}
						slow, err := events.StatsFromEvents(f.events, ctx, "MINUSCA", q)
						if err != nil {
							t.Fatal(err)
						}
						if jsonString(t, fast) != jsonString(t, slow) {
							t.Errorf("by %q interval %q filter %d:\nrollup %s\nevents %s", by, interval, i, jsonString(t, fast), jsonString(t, slow))
						}
					}
				}
			}
		}
		rows, err := f.events.Stats(boss, "MINUSCA", events.StatsRequest{By: events.ByActor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Key == "MPC" && r.Events != 7 {
				t.Errorf("actor MPC in %d events, want 7", r.Events)
			}
		}
		rows, _ = f.events.Stats(boss, "MINUSCA", events.StatsRequest{Interval: events.IntervalWeek})
		for _, r := range rows {
			if r.Period.Time().Weekday() != time.Monday {
				t.Errorf("week period %s is not a Monday", r.Period)
			}
		}
		_, err = f.events.Stats(boss, "MINUSCA", events.StatsRequest{By: "colour", Interval: "year"})
		wantCode(t, err, peaceops.EINVALID)
	})
}

// A box with a time window finds exactly the located events whose span
// meets the window, before and after their dates change (on SQLite the
// R*Tree holds the spans; its float days must not lose an edge).
func TestBoxAndWindow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		bambari := geo.Point{Lon: 20.6753, Lat: 5.7618}
		at := func(title string, start, end time.Time) *events.Event {
			return create(t, ana, f, clash(title, func(e *events.Event) {
				e.Start, e.End, e.Location = start, end, &bambari
			}))
		}
		from, to := day(2023, 3, 1), day(2023, 3, 31).Add(24*time.Hour-time.Millisecond)
		at("inside", day(2023, 3, 10), day(2023, 3, 10))
		at("spans the start", day(2023, 2, 20), from)
		at("ends the millisecond before", day(2023, 2, 1), from.Add(-time.Millisecond))
		at("starts the last millisecond", to, to.Add(48*time.Hour))
		late := at("starts after", to.Add(time.Millisecond), to.Add(time.Hour))
		box := &geo.BBox{MinLon: 20.6, MinLat: 5.7, MaxLon: 20.7, MaxLat: 5.8}
		titles := func() []string {
			list, _, err := f.events.FindEvents(vera, "MINUSCA", events.Filter{BBox: box, From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range list {
				out = append(out, e.Title)
			}
			slices.Sort(out)
			return out
		}
		if got, want := titles(), []string{"inside", "spans the start", "starts the last millisecond"}; !slices.Equal(got, want) {
			t.Fatalf("window: %q, want %q", got, want)
		}
		moved := day(2023, 3, 15)
		if _, err := f.events.UpdateEvent(ana, "MINUSCA", late.ID, events.Update{Start: &moved, End: &moved}, 1); err != nil {
			t.Fatal(err)
		}
		if got, want := titles(), []string{"inside", "spans the start", "starts after", "starts the last millisecond"}; !slices.Equal(got, want) {
			t.Fatalf("after moving an event into the window: %q, want %q", got, want)
		}
		cells, err := f.events.Grid(vera, "MINUSCA", events.Filter{BBox: box, From: from, To: to}, 9)
		if err != nil || len(cells) != 1 || cells[0].Count != 4 {
			t.Fatalf("grid: %+v, %v", cells, err)
		}
	})
}
