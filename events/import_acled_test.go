package events_test

import (
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
)

func TestACLEDReader(t *testing.T) {
	evs, rowErrs := readFile(t, events.FormatACLED, "testdata/acled_invented.csv")
	noRowErrors(t, rowErrs)
	if len(evs) != 7 {
		t.Fatalf("%d events, want 7", len(evs))
	}
	mustValidate(t, evs)
	got := byID(evs)

	clash := got["CAF90001"]
	if clash.Type != events.ArmedClash || clash.Source != events.SourceACLED || clash.Country != "CAF" {
		t.Errorf("CAF90001 type %s source %s country %s", clash.Type, clash.Source, clash.Country)
	}
	day := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	if !clash.Start.Equal(day) || !clash.End.Equal(day) || clash.DatePrecision != events.DateDay {
		t.Errorf("CAF90001 when %v..%v %s", clash.Start, clash.End, clash.DatePrecision)
	}
	if *clash.Location != (geo.Point{Lon: 15.6167, Lat: 6.5833}) || clash.LocationPrecision != events.LocationExact || clash.PlaceName != "Koui" {
		t.Errorf("CAF90001 where %v %s %q", clash.Location, clash.LocationPrecision, clash.PlaceName)
	}
	if clash.SourceAdmin1 != "Ouham-Pende" || clash.SourceAdmin2 != "Bocaranga" || clash.Fatalities != events.Exactly(4) {
		t.Errorf("CAF90001 admin %q/%q fatalities %+v", clash.SourceAdmin1, clash.SourceAdmin2, clash.Fatalities)
	}
	wantActors := `[{"name":"Military Forces of the Central African Republic (2016-)","role":"side_a"},{"name":"Wagner Group","role":"involved"},{"name":"3R: Return Reclamation Rehabilitation","role":"side_b"}]`
	if s := jsonString(t, clash.Actors); s != wantActors {
		t.Errorf("CAF90001 actors %s", s)
	}
	if s := jsonString(t, clash.Sources); s != `[{"name":"Invented Radio","kind":"other","date":null},{"name":"Invented Local Partner","kind":"other","date":null}]` {
		t.Errorf("CAF90001 sources %s", s)
	}
	if clash.SourceAttrs["inter1"] != "State forces" || clash.SourceAttrs["interaction"] != "State forces-Rebel group" ||
		clash.SourceAttrs["timestamp"] != "1710000000" || clash.SourceAttrs["source_scale"] != "Local partner-National" ||
		clash.SourceAttrs["country"] != "Central African Republic" || clash.SourceAttrs["iso"] != "" {
		t.Errorf("CAF90001 attrs %v", clash.SourceAttrs)
	}
	if clash.Title != "Armed clash, Koui (Ouham-Pende)" || clash.Narrative != "INVENTED TEST ROW: clash near Koui." {
		t.Errorf("CAF90001 title %q narrative %q", clash.Title, clash.Narrative)
	}

	abduction := got["CAF90002"]
	if abduction.Type != events.Abduction || abduction.DatePrecision != events.DateWeek ||
		!abduction.Start.Equal(time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)) || abduction.LocationPrecision != events.LocationNear {
		t.Errorf("CAF90002 %s %s %v %s", abduction.Type, abduction.DatePrecision, abduction.Start, abduction.LocationPrecision)
	}
	if abduction.SourceAttrs["civilian_targeting"] != "Civilians targeted" || abduction.SourceAttrs["tags"] != "women targeted: girls" || len(abduction.Actors) != 4 {
		t.Errorf("CAF90002 attrs %v actors %v", abduction.SourceAttrs, abduction.Actors)
	}

	if p := got["CAF90003"]; p.Type != events.PeacefulProtest || p.DatePrecision != events.DateMonth || len(p.Actors) != 2 {
		t.Errorf("CAF90003 %s %s actors %v", p.Type, p.DatePrecision, p.Actors)
	}
	if e := got["COD90004"]; e.Type != events.RemoteExplosiveIED || e.Country != "COD" || e.SourceAttrs["admin3"] != "Beni-Mbau" {
		t.Errorf("COD90004 %s %s %v", e.Type, e.Country, e.SourceAttrs)
	}
	if e := got["SSD90005"]; e.Type != events.Agreement || e.Country != "SSD" {
		t.Errorf("SSD90005 %s %s", e.Type, e.Country)
	}
	if e := got["MLI90006"]; e.Type != events.MobViolence || e.Country != "MLI" || !strings.Contains(e.Narrative, `a "quote"`) {
		t.Errorf("MLI90006 %s %s %q", e.Type, e.Country, e.Narrative)
	}
	if e := got["CAF90007"]; e.Type != events.AirDroneStrike || e.LocationPrecision != events.LocationArea || !strings.Contains(e.Narrative, "\non a rebel") {
		t.Errorf("CAF90007 %s %s %q", e.Type, e.LocationPrecision, e.Narrative)
	}
}

var acledHeader = strings.Split("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp", ",")

// acledRow returns an invented ACLED row with changes.
func acledRow(changes map[string]string) []string {
	base := map[string]string{
		"event_id_cnty": "CAF99999", "event_date": "2024-01-02", "year": "2024", "time_precision": "1",
		"disorder_type": "Political violence", "event_type": "Battles", "sub_event_type": "Armed clash",
		"actor1": "Group A (invented)", "actor2": "Group B (invented)", "iso": "140",
		"country": "Central African Republic", "admin1": "Ouaka", "location": "Bambari",
		"latitude": "5.7626", "longitude": "20.6672", "geo_precision": "1", "source": "Invented",
		"notes": "INVENTED TEST ROW", "fatalities": "1", "timestamp": "1700000000",
	}
	for k, v := range changes {
		base[k] = v
	}
	row := make([]string, len(acledHeader))
	for i, h := range acledHeader {
		row[i] = base[h]
	}
	return row
}

func TestACLEDRowErrors(t *testing.T) {
	text := csvText(t,
		acledHeader,
		acledRow(map[string]string{"event_id_cnty": "CAF1"}),                                        // 2: good
		acledRow(map[string]string{"event_id_cnty": "CAF2", "event_date": "31/12/2024"}),            // 3
		acledRow(map[string]string{"event_id_cnty": "CAF3", "sub_event_type": "Skirmish"}),          // 4
		acledRow(map[string]string{"event_id_cnty": "CAF4", "event_type": "Remote violence"}),       // 5
		acledRow(map[string]string{"event_id_cnty": "CAF5", "fatalities": "-2"}),                    // 6
		acledRow(map[string]string{"event_id_cnty": ""}),                                            // 7
		acledRow(map[string]string{"event_id_cnty": "CAF7", "latitude": "-95"}),                     // 8
		acledRow(map[string]string{"event_id_cnty": "CAF8", "notes": "two\nlines"}),                 // 9-10: good
		acledRow(map[string]string{"event_id_cnty": "CAF1"}),                                        // 11: duplicate
		acledRow(map[string]string{"event_id_cnty": "CAF9", "fatalities": "several"}),               // 12
		acledRow(map[string]string{"event_id_cnty": "CAF10", "iso": "", "country": "Atlantis"}),     // 13: good, flagged
		acledRow(map[string]string{"event_id_cnty": "CAF11", "time_precision": "", "year": "2023"}), // 14: good, flagged
	)
	text += "CAF12,2024-01-02\n" // 15: short row
	evs, rowErrs := readString(t, events.FormatACLED, text)
	wantRowErrors(t, rowErrs, []events.RowError{
		{Line: 3, Field: "event_date"},
		{Line: 4, Field: "sub_event_type", Message: `"Skirmish" is not an ACLED sub-event type of "Battles"`},
		{Line: 5, Field: "event_type"},
		{Line: 6, Field: "fatalities", Message: "negative"},
		{Line: 7, Field: "event_id_cnty", Message: "required"},
		{Line: 8, Field: "latitude"},
		{Line: 11, Field: "event_id_cnty", Message: "first on line 2"},
		{Line: 12, Field: "fatalities"},
		{Line: 15, Message: "2 fields"},
	})
	got := byID(evs)
	if len(evs) != 4 {
		t.Fatalf("%d events: %s", len(evs), jsonString(t, evs))
	}
	if e := got["CAF10"]; e.Country != "" || !e.HasFlag(events.FlagUnknownCountry) {
		t.Errorf("CAF10 country %q flags %v", e.Country, e.Flags)
	}
	if e := got["CAF11"]; !e.HasFlag(events.FlagUnknownDatePrecision) || !e.HasFlag(events.FlagYearMismatch) {
		t.Errorf("CAF11 flags %v", e.Flags)
	}
}
