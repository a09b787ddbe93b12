package events_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
)

// validEvent returns a complete, valid mission event.
func validEvent() events.Event {
	at := time.Date(2024, 2, 5, 14, 30, 0, 0, time.UTC)
	return events.Event{
		ID:                peaceops.NewID(),
		Mission:           "MINUSCA",
		Type:              events.AttackOnPeacekeepers,
		Title:             "Convoy ambushed near Kaga-Bandoro",
		Narrative:         "An invented test event.",
		Start:             at,
		End:               at.Add(2 * time.Hour),
		DatePrecision:     events.DateExact,
		Location:          &geo.Point{Lon: 19.1856, Lat: 6.9896},
		LocationPrecision: events.LocationNear,
		PlaceName:         "Kaga-Bandoro",
		Country:           "CAF",
		Admin1:            events.AdminRef{PCode: "CF42", Name: "Nana-Grébizi"},
		Admin2:            events.AdminRef{PCode: "CF421", Name: "Kaga-Bandoro"},
		SourceAdmin1:      "Nana-Grébizi prefecture",
		Actors: []events.ActorRef{
			{Name: "Armed group B (invented)", Role: events.RolePerpetrator},
			{Name: "MINUSCA", Role: events.RoleTarget},
		},
		Fatalities:            events.Count{Low: 1, Best: 1, High: 2},
		PeacekeeperFatalities: events.Exactly(1),
		Injuries:              events.Count{Low: 2, Best: 3, High: 4},
		Sources: []events.Source{
			{Name: "Patrol report 24-118", Kind: events.KindPatrolReport, Reliability: "B", Credibility: 2, Date: peaceops.DateOf(at), Reference: "PR-24-118"},
		},
		Status:         events.StatusVerified,
		Verification:   &events.Verification{By: "jmac.analyst", At: at.Add(24 * time.Hour), Reason: "two patrol reports"},
		Classification: peaceops.Confidential,
		SourceAttrs:    map[string]string{"unit": "invented battalion"},
		Flags:          []string{"late_report"},
		CreatedAt:      at.Add(3 * time.Hour),
		UpdatedAt:      at.Add(25 * time.Hour),
		Version:        2,
	}
}

func TestEventValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*events.Event)
		fields []string
	}{
		{"OK", func(*events.Event) {}, nil},
		{"OKDefaults", func(e *events.Event) {
			e.Status, e.Verification, e.Classification = "", nil, 0
		}, nil},
		{"ErrTitleRequired", func(e *events.Event) { e.Title = "  " }, []string{"title"}},
		{"ErrTitleTooLong", func(e *events.Event) { e.Title = strings.Repeat("é", events.MaxTitle+1) }, []string{"title"}},
		{"ErrMissionRequired", func(e *events.Event) { e.Mission = "" }, []string{"mission"}},
		{"ErrType", func(e *events.Event) { e.Type = "battles" }, []string{"type"}},
		{"ErrID", func(e *events.Event) { e.ID = "42" }, []string{"id"}},
		{"ErrStartRequired", func(e *events.Event) { e.Start = time.Time{} }, []string{"start"}},
		{"ErrEndBeforeStart", func(e *events.Event) { e.End = e.Start.Add(-time.Hour) }, []string{"end"}},
		{"OKEndBeforeStartFlagged", func(e *events.Event) {
			e.End = e.Start.Add(-time.Hour)
			e.AddFlag(events.FlagDateEndBeforeStart)
		}, nil},
		{"ErrDatePrecision", func(e *events.Event) { e.DatePrecision = "fortnight" }, []string{"date_precision"}},
		{"ErrLocation", func(e *events.Event) { e.Location = &geo.Point{Lon: 190} }, []string{"location"}},
		{"ErrLocationPrecision", func(e *events.Event) { e.LocationPrecision = "nearby" }, []string{"location_precision"}},
		{"ErrCountry", func(e *events.Event) { e.Country = "caf" }, []string{"country"}},
		{"ErrAdminPCode", func(e *events.Event) { e.Admin2 = events.AdminRef{Name: "Kaga-Bandoro"} }, []string{"admin2.pcode"}},
		{"ErrActor", func(e *events.Event) { e.Actors[1] = events.ActorRef{Role: "victim"} }, []string{"actors[1].name", "actors[1].role"}},
		{"ErrNegative", func(e *events.Event) { e.Injuries.Low = -1 }, []string{"injuries"}},
		{"ErrBestAboveHigh", func(e *events.Event) { e.Fatalities = events.Count{Low: 1, Best: 5, High: 2} }, []string{"fatalities.high"}},
		{"OKBestAboveHighFlagged", func(e *events.Event) {
			e.Fatalities = events.Count{Low: 1, Best: 5, High: 2}
			e.AddFlag(events.FlagBestAboveHigh)
		}, nil},
		{"ErrLowAboveBest", func(e *events.Event) { e.Fatalities = events.Count{Low: 3, Best: 1, High: 4} }, []string{"fatalities.low"}},
		{"ErrCivilianCountUnordered", func(e *events.Event) {
			e.CivilianFatalities = events.Count{Low: 3, Best: 1, High: 4}
			e.AddFlag(events.FlagLowAboveBest) // covers fatalities only
		}, []string{"civilian_fatalities.low"}},
		{"ErrSource", func(e *events.Event) {
			e.Sources[0] = events.Source{Kind: "rumour", Reliability: "G", Credibility: 7}
		}, []string{"sources[0].name", "sources[0].kind", "sources[0].reliability", "sources[0].credibility"}},
		{"ErrVerifiedWithoutVerification", func(e *events.Event) { e.Verification = nil }, []string{"verification.by", "verification.at"}},
		{"ErrRejectedWithoutReason", func(e *events.Event) {
			e.Status = events.StatusRejected
			e.Verification.Reason = ""
		}, []string{"verification.reason"}},
		{"ErrStatus", func(e *events.Event) { e.Status = "closed" }, []string{"status"}},
		{"ErrClassification", func(e *events.Event) { e.Classification = 9 }, []string{"classification"}},
		{"ErrSourceIDWithoutSource", func(e *events.Event) { e.SourceID = "42" }, []string{"source"}},
		{"ErrFlag", func(e *events.Event) { e.Flags = append(e.Flags, " ") }, []string{"flags[1]"}},
		{"ErrEverythingAtOnce", func(e *events.Event) {
			e.Title, e.Type, e.Country, e.Start = "", "", "XXX", time.Time{}
		}, []string{"type", "title", "start", "country"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := validEvent()
			tt.change(&e)
			err := e.Validate()
			if got := errorFields(err); !slices.Equal(got, tt.fields) {
				t.Fatalf("Validate() fields = %v, want %v (%v)", got, tt.fields, err)
			}
			if err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Errorf("code = %s", peaceops.ErrorCode(err))
			}
		})
	}
}

func TestEventDefaults(t *testing.T) {
	e := validEvent()
	e.Status, e.Verification, e.Classification = "", nil, 0
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if e.Status != events.StatusReported || e.Classification != peaceops.Internal {
		t.Errorf("defaults: status %s classification %s", e.Status, e.Classification)
	}
}

// The JSON form is snake_case and round-trips.
func TestEventJSON(t *testing.T) {
	e := validEvent()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"date_precision":"exact"`, `"location":{"lon":19.1856,"lat":6.9896}`, `"location_precision":"near"`,
		`"source_admin1":"Nana-Grébizi prefecture"`, `"peacekeeper_fatalities":{"low":1,"best":1,"high":1}`,
		`"classification":"confidential"`, `"verification":{"by":"jmac.analyst"`, `"source_attrs":{"unit":"invented battalion"}`,
		`"admin1":{"pcode":"CF42","name":"Nana-Grébizi"}`, `"reliability":"B","credibility":2,"date":"2024-02-05"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s:\n%s", key, b)
		}
	}
	var back events.Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if jsonString(t, back) != string(b) {
		t.Errorf("round trip differs:\n%s\n%s", jsonString(t, back), b)
	}
	var imported events.Event // no bookkeeping yet: created_at/updated_at omitted
	imported.Classification = peaceops.Internal
	if s := jsonString(t, imported); strings.Contains(s, "created_at") || strings.Contains(s, "deleted_at") {
		t.Errorf("zero bookkeeping marshalled: %s", s)
	}
}

func TestFilterValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		f      events.Filter
		fields []string
	}{
		{"OK", events.Filter{}, nil},
		{"OKAll", events.Filter{
			BBox: &geo.BBox{MinLon: 14, MinLat: 2, MaxLon: 28, MaxLat: 11},
			From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC),
			Types: []events.Type{events.ArmedClash, "mission"}, Actor: "UPC", Status: []events.Status{events.StatusVerified},
			Admin: "CF61", MinFatalities: 1, Query: "convoy", Limit: 1000, Cursor: "abc",
		}, nil},
		{"ErrBBox", events.Filter{BBox: &geo.BBox{MinLon: 30, MaxLon: 20}}, []string{"bbox"}},
		{"ErrBBoxRange", events.Filter{BBox: &geo.BBox{MinLat: -100, MaxLat: 0}}, []string{"bbox"}},
		{"ErrToBeforeFrom", events.Filter{From: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, []string{"to"}},
		{"ErrType", events.Filter{Types: []events.Type{"battles.picnic"}}, []string{"types[0]"}},
		{"ErrStatus", events.Filter{Status: []events.Status{"open"}}, []string{"status[0]"}},
		{"ErrMinFatalities", events.Filter{MinFatalities: -1}, []string{"min_fatalities"}},
		{"ErrLimit", events.Filter{Limit: 1001}, []string{"limit"}},
		{"ErrQuery", events.Filter{Query: strings.Repeat("q", 201)}, []string{"query"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			if got := errorFields(f.Validate()); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
	var f events.Filter
	f.Validate()
	if f.Limit != events.DefaultLimit {
		t.Errorf("default limit %d", f.Limit)
	}
	box := geo.BBox{MinLon: 14, MinLat: 2, MaxLon: 28, MaxLat: 11}
	if !box.Contains(geo.Point{Lon: 18.55, Lat: 4.36}) || box.Contains(geo.Point{Lon: 30, Lat: 4}) {
		t.Error("BBox.Contains")
	}
}

func TestUpdateApply(t *testing.T) {
	e := validEvent()
	title := "Convoy ambushed (updated)"
	status := events.StatusDisputed
	start := time.Date(2024, 2, 5, 15, 30, 0, 0, time.FixedZone("WAT", 3600))
	actors := []events.ActorRef{{Name: "Unknown", Role: events.RolePerpetrator}}
	u := events.Update{
		Title:        &title,
		Status:       &status,
		Start:        &start,
		Actors:       &actors,
		Fatalities:   &events.Count{Low: 1, Best: 2, High: 2},
		Verification: &events.Verification{By: "joc.officer", At: start, Reason: "conflicting reports"},
	}
	got := u.Apply(e)
	if got.Title != title || got.Status != status || got.Fatalities.Best != 2 || got.Actors[0].Name != "Unknown" {
		t.Errorf("applied: %s", jsonString(t, got))
	}
	if got.Start.Location() != time.UTC || !got.Start.Equal(start) || got.Verification.At.Location() != time.UTC {
		t.Errorf("times not UTC: %v %v", got.Start, got.Verification.At)
	}
	if got.Narrative != e.Narrative || got.Country != e.Country || e.Title == title {
		t.Error("Apply changed fields it was not given, or the original")
	}
	actors[0].Name = "changed later"
	if got.Actors[0].Name != "Unknown" {
		t.Error("Apply kept a reference to the caller's slice")
	}
	if err := got.Validate(); err != nil {
		t.Errorf("updated event: %v", err)
	}
	var patch events.Update
	if err := json.Unmarshal([]byte(`{"title":"x","location":{"lon":18,"lat":4}}`), &patch); err != nil || *patch.Title != "x" || patch.Location.Lon != 18 || patch.Status != nil {
		t.Errorf("PATCH body: %+v %v", patch, err)
	}
}

func TestPrecisionsFromUCDP(t *testing.T) {
	wantDate := []events.DatePrecision{events.DateDay, events.DateDays, events.DateWeek, events.DateMonth, events.DateYear}
	for code, want := range wantDate {
		if got, ok := events.DatePrecisionFromUCDP(code + 1); !ok || got != want {
			t.Errorf("date_prec %d = %s", code+1, got)
		}
	}
	wantWhere := []events.LocationPrecision{events.LocationExact, events.LocationNear, events.LocationAdmin2,
		events.LocationAdmin1, events.LocationArea, events.LocationCountry, events.LocationInternational}
	for code, want := range wantWhere {
		if got, ok := events.LocationPrecisionFromUCDP(code + 1); !ok || got != want {
			t.Errorf("where_prec %d = %s", code+1, got)
		}
	}
	for _, bad := range []int{0, 6, -1} {
		if _, ok := events.DatePrecisionFromUCDP(bad); ok {
			t.Errorf("date_prec %d accepted", bad)
		}
	}
	if _, ok := events.LocationPrecisionFromUCDP(8); ok {
		t.Error("where_prec 8 accepted")
	}
}
