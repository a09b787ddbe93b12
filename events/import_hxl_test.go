package events_test

import (
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/internal/shareddata"
)

func TestHXLReader(t *testing.T) {
	evs, rowErrs := readFile(t, events.FormatHXL, "testdata/hxl_mission_incidents.csv", events.SourceName("hxl_mission_incidents.csv"))
	noRowErrors(t, rowErrs)
	if len(evs) != 5 {
		t.Fatalf("%d events, want 5", len(evs))
	}
	mustValidate(t, evs)
	got := byID(evs)

	e := got["JOC-2024-0001"]
	if e.Type != events.CeasefireViolation || e.Source != "hxl:hxl_mission_incidents.csv" || e.Country != "CAF" {
		t.Errorf("0001 type %s source %s country %s", e.Type, e.Source, e.Country)
	}
	day := time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC)
	if !e.Start.Equal(day) || !e.End.Equal(day) || e.DatePrecision != events.DateDay {
		t.Errorf("0001 when %v..%v %s", e.Start, e.End, e.DatePrecision)
	}
	if *e.Location != (geo.Point{Lon: 20.6473, Lat: 8.4109}) || e.PlaceName != "Ndele" || e.LocationPrecision != "" {
		t.Errorf("0001 where %v %q %q", e.Location, e.PlaceName, e.LocationPrecision)
	}
	if e.SourceAdmin1 != "Bamingui-Bangoran" || e.SourceAdmin2 != "Ndélé" || e.Admin1 != (events.AdminRef{PCode: "CF52"}) {
		t.Errorf("0001 admin %q %q %+v", e.SourceAdmin1, e.SourceAdmin2, e.Admin1)
	}
	if e.Fatalities != events.Exactly(2) || e.CivilianFatalities != events.Exactly(0) || e.Injuries != events.Exactly(3) {
		t.Errorf("0001 harm %+v %+v %+v", e.Fatalities, e.CivilianFatalities, e.Injuries)
	}
	if s := jsonString(t, e.Actors); s != `[{"name":"Armed group A (invented)","role":"perpetrator"}]` {
		t.Errorf("0001 actors %s", s)
	}
	if e.Narrative != "INVENTED: exchange of fire in breach of the local ceasefire." || e.Title != "Ceasefire violation, Ndele" {
		t.Errorf("0001 narrative %q title %q", e.Narrative, e.Title)
	}
	if s := jsonString(t, e.SourceAttrs); s != `{"comments":"checked by JOC"}` {
		t.Errorf("0001 attrs %s", s)
	}

	e = got["JOC-2024-0002"]
	if e.Type != events.AttackOnPeacekeepers || e.DatePrecision != events.DateDays || !e.End.Equal(time.Date(2024, 2, 7, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("0002 (French label) type %s precision %s end %v", e.Type, e.DatePrecision, e.End)
	}
	if len(e.Actors) != 2 || e.Actors[1] != (events.ActorRef{Name: "MINUSCA", Role: events.RoleTarget}) || len(e.Sources) != 2 {
		t.Errorf("0002 actors %v sources %v", e.Actors, e.Sources)
	}

	e = got["JOC-2024-0003"]
	if e.Type != events.Displacement || e.DatePrecision != events.DateMonth ||
		!e.Start.Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) || !e.End.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("0003 %s %s %v..%v", e.Type, e.DatePrecision, e.Start, e.End)
	}

	e = got["JOC-2024-0004"]
	if e.Type != events.HumanitarianAccessIncident || e.Location != nil || !e.HasFlag(events.FlagMissingCoordinates) {
		t.Errorf("0004 %s %v %v", e.Type, e.Location, e.Flags)
	}
	if e := got["JOC-2024-0005"]; e.Type != events.MissionSexualViolence {
		t.Errorf("0005 type %s, want the mission type for a shared label", e.Type)
	}
}

// HDX's UCDP edition read as plain HXL, with a default type: same count and
// fatalities as the raw file.
func TestHXLReaderOnHDXUCDP(t *testing.T) {
	path := shareddata.Path(t, "ucdp-ged-hdx-hxl-bgd", "conflict_data_BGD.csv")
	evs, rowErrs := readFile(t, events.FormatHXL, path, events.DefaultType(events.ArmedClash))
	noRowErrors(t, rowErrs)
	raw := rawCSVTally(t, path, 1)
	got := eventTally(t, evs)
	if got.n != raw.n || got.best != raw.best {
		t.Errorf("%d events, best %d; raw file %d, %d", got.n, got.best, raw.n, raw.best)
	}
	if jsonString(t, got.byYear) != jsonString(t, raw.byYear) {
		t.Errorf("per year %v, raw %v", got.byYear, raw.byYear)
	}
	mustValidate(t, evs)
	// Untagged columns are kept under their header; #group+name+first/second are the two sides.
	e := evs[0]
	if e.SourceAttrs["id"] != "71663" || e.SourceAttrs["type_of_violence"] != "2" || e.Country != "BGD" || len(e.Actors) != 2 || e.Actors[0].Role != events.RoleSideA {
		t.Errorf("first event %s", jsonString(t, e))
	}
	if !strings.HasPrefix(e.SourceID, "row-") {
		t.Errorf("source id %q: a file without an id column gets a content hash", e.SourceID)
	}
}

func TestHXLRowErrors(t *testing.T) {
	text := strings.Join([]string{
		"ID,Date,Type,Lat,Lon,Killed,Note",                               // 1
		"#meta+id,#date,#event+type,#geo+lat,#geo+lon,#affected+killed,", // 2
		"A1,2024-01-02,Crime,4.1,18.5,0,ok",                              // 3: good
		"A2,02/01/2024,Crime,4.1,18.5,0,",                                // 4
		"A3,2024-01-02,Picnic,4.1,18.5,0,",                               // 5
		",2024-01-02,Crime,4.1,18.5,0,",                                  // 6
		"A5,2024-01-02,Crime,91,18.5,0,",                                 // 7
		"A6,2024-01-02,Crime,4.1,18.5,-1,",                               // 8
		`A7,2024-01-02,Crime,4.1,18.5,1,"two`,                            // 9
		`lines"`,                                                         // 10
		"A1,2024-01-02,Crime,4.1,18.5,0,",                                // 11: duplicate
		"A9,2024-01-02,Crime,4.1,18.5,0",                                 // 12: short
		"A10,,Crime,4.1,18.5,0,",                                         // 13
	}, "\n") + "\n"
	evs, rowErrs := readString(t, events.FormatHXL, text)
	wantRowErrors(t, rowErrs, []events.RowError{
		{Line: 4, Field: "#date"},
		{Line: 5, Field: "#event+type", Message: "Picnic"},
		{Line: 6, Field: "#meta+id", Message: "required"},
		{Line: 7, Field: "#geo+lat"},
		{Line: 8, Field: "#affected+killed", Message: "negative"},
		{Line: 11, Field: "#meta+id", Message: "first on line 3"},
		{Line: 12, Message: "6 fields"},
		{Line: 13, Field: "#date", Message: "required"},
	})
	if len(evs) != 2 || evs[0].Type != events.Crime || evs[0].SourceAttrs["note"] != "ok" || evs[1].SourceID != "A7" {
		t.Errorf("events %s", jsonString(t, evs))
	}
}

// A hashtag row without a text header is enough; hashtags are matched
// without regard to case, spaces or attribute order.
func TestHXLTagsOnly(t *testing.T) {
	evs, rowErrs := readString(t, events.FormatHXL, "#Date +Start,#event +TYPE,#affected+high+killed,#affected+killed,#status\n2024-05-01,battles.armed_clash,9,4,reported\n")
	noRowErrors(t, rowErrs)
	if len(evs) != 1 || evs[0].Type != events.ArmedClash || evs[0].Fatalities != (events.Count{Low: 4, Best: 4, High: 9}) || evs[0].Source != "hxl" {
		t.Fatalf("events %s", jsonString(t, evs))
	}
	if !strings.HasPrefix(evs[0].SourceID, "row-") {
		t.Errorf("source id %q", evs[0].SourceID)
	}
}
