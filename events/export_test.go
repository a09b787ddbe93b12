package events_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/internal/shareddata"
)

// roundTrip writes evs as HXL and reads them back with the hxl reader.
func roundTrip(tb testing.TB, evs []events.Event) []events.Event {
	tb.Helper()
	var buf bytes.Buffer
	if err := events.WriteHXL(&buf, events.All(evs)); err != nil {
		tb.Fatal(err)
	}
	back, rowErrs := readBytes(tb, events.FormatHXL, buf.Bytes())
	noRowErrors(tb, rowErrs)
	return back
}

func sameEvents(tb testing.TB, got, want []events.Event) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%d events back, %d written", len(got), len(want))
	}
	for i := range want {
		if g, w := jsonString(tb, got[i]), jsonString(tb, want[i]); g != w {
			tb.Fatalf("event %d differs after the round trip:\ngot  %s\nwant %s", i, g, w)
		}
	}
}

func TestExportRoundTripFullEvent(t *testing.T) {
	full := validEvent()
	bare := events.Event{
		Mission: "UNMISS", Type: events.Displacement, Title: "Families arrive at the PoC site",
		Start: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC),
		DatePrecision: events.DateMonth, Status: events.StatusReported, Classification: peaceops.Public,
		Source: "hxl", SourceID: "row-1", SourceAttrs: map[string]string{},
		Flags: []string{events.FlagMissingCoordinates},
	}
	odd := validEvent()
	odd.Fatalities = events.Count{Low: 3, Best: 2, High: 1}
	odd.Flags = []string{events.FlagBestAboveHigh, events.FlagLowAboveBest}
	odd.Narrative = "quotes \" and, commas;\nand a second line"
	odd.Status, odd.Verification = events.StatusRejected, &events.Verification{By: "a", At: odd.Start, Reason: "duplicate"}
	in := []events.Event{full, bare, odd}
	sameEvents(t, roundTrip(t, in), in)
}

// Every UCDP event of the CAR file survives export and re-import.
func TestExportRoundTripUCDP(t *testing.T) {
	evs, _ := readFile(t, events.FormatUCDP, shareddata.Path(t, "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson"))
	for i := range evs {
		evs[i].Mission = "MINUSCA"
		evs[i].ID = peaceops.NewID()
		evs[i].CreatedAt = time.Date(2024, 1, 2, 3, 4, 5, 6000000, time.UTC)
		evs[i].UpdatedAt = evs[i].CreatedAt
		evs[i].Version = 1
	}
	back := roundTrip(t, evs)
	sameEvents(t, back, evs)
	mustValidate(t, back)
}

func TestExportCSV(t *testing.T) {
	var buf bytes.Buffer
	in := []events.Event{validEvent(), validEvent()}
	if err := events.Write(events.ExportCSV, &buf, events.All(in)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want header + 2", len(rows))
	}
	cols := events.Columns()
	for i, c := range cols {
		if rows[0][i] != c.Name {
			t.Errorf("column %d = %q, want %q", i, rows[0][i], c.Name)
		}
	}
	want := map[string]string{
		"type": "mission.attack_on_peacekeepers", "start": "2024-02-05T14:30:00Z", "latitude": "6.9896",
		"fatalities_high": "2", "peacekeeper_fatalities_best": "1", "classification": "confidential",
		"status": "verified", "verified_by": "jmac.analyst", "flags": "late_report", "version": "2",
		"source_attrs": `{"unit":"invented battalion"}`,
	}
	for i, c := range cols {
		if w, ok := want[c.Name]; ok && rows[1][i] != w {
			t.Errorf("%s = %q, want %q", c.Name, rows[1][i], w)
		}
	}
	if cols[0] != (events.Column{Name: "id", Tag: "#event+id"}) || len(cols) != 45 {
		t.Errorf("columns: %d, first %+v", len(cols), cols[0])
	}
}

func TestExportHXLTagRow(t *testing.T) {
	var buf bytes.Buffer
	if err := events.Write(events.ExportHXL, &buf, events.All(nil)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "#event+id,#meta+mission,#event+type,") {
		t.Fatalf("HXL export of nothing:\n%s", buf.String())
	}
}

func TestExportGeoJSON(t *testing.T) {
	located := validEvent()
	unlocated := validEvent()
	unlocated.Location = nil
	var buf bytes.Buffer
	if err := events.Write(events.ExportGeoJSON, &buf, events.All([]events.Event{located, unlocated})); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			ID       string `json:"id"`
			Geometry *struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 2 {
		t.Fatalf("%s with %d features", fc.Type, len(fc.Features))
	}
	f := fc.Features[0]
	if f.Type != "Feature" || f.ID != located.ID || f.Geometry.Type != "Point" || f.Geometry.Coordinates[0] != 19.1856 || f.Geometry.Coordinates[1] != 6.9896 {
		t.Errorf("feature 0: %+v", f)
	}
	if _, ok := f.Properties["location"]; ok || f.Properties["type"] != string(events.AttackOnPeacekeepers) || f.Properties["title"] != located.Title {
		t.Errorf("properties: %v", f.Properties)
	}
	if fc.Features[1].Geometry != nil {
		t.Error("an event without location has a geometry")
	}
}

// GeoJSON export of the shared CAR events is a FeatureCollection with as
// many features and the same fatalities.
func TestExportGeoJSONUCDP(t *testing.T) {
	evs, _ := readFile(t, events.FormatUCDP, shareddata.Path(t, "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson"))
	var buf bytes.Buffer
	if err := events.WriteGeoJSON(&buf, events.All(evs)); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Fatalities events.Count `json:"fatalities"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	best, want := 0, 0
	for i, f := range fc.Features {
		best += f.Properties.Fatalities.Best
		want += evs[i].Fatalities.Best
	}
	if len(fc.Features) != len(evs) || best != want {
		t.Errorf("%d features, best %d; want %d, %d", len(fc.Features), best, len(evs), want)
	}
}

func TestExportErrors(t *testing.T) {
	if err := events.Write("xlsx", &bytes.Buffer{}, events.All(nil)); peaceops.ErrorCode(err) != peaceops.EINVALID {
		t.Errorf("unknown format: %v", err)
	}
	boom := errors.New("store failed")
	failing := iter.Seq2[events.Event, error](func(yield func(events.Event, error) bool) {
		if yield(validEvent(), nil) {
			yield(events.Event{}, boom)
		}
	})
	for _, format := range []string{events.ExportCSV, events.ExportHXL, events.ExportGeoJSON} {
		if err := events.Write(format, &bytes.Buffer{}, failing); !errors.Is(err, boom) {
			t.Errorf("%s: error %v, want the sequence's", format, err)
		}
	}
}

// Events streams a reader: events, row errors, and the end.
func TestEventsSeq(t *testing.T) {
	text := csvText(t, ucdpHeader, ucdpRow(map[string]string{"id": "1"}), ucdpRow(map[string]string{"id": ""}), ucdpRow(map[string]string{"id": "3"}))
	r, err := events.NewReader(events.FormatUCDP, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	rowErrs := 0
	for e, err := range events.Events(r) {
		var re *events.RowError
		switch {
		case errors.As(err, &re):
			rowErrs++
		case err != nil:
			t.Fatal(err)
		default:
			ids = append(ids, e.SourceID)
		}
	}
	if strings.Join(ids, ",") != "1,3" || rowErrs != 1 {
		t.Errorf("ids %v, %d row errors", ids, rowErrs)
	}
}
