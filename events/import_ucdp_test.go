package events_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/internal/shareddata"
)

// tally is what the fidelity tests compare: counted once from the raw file
// with encoding/csv or encoding/json, once from the reader's events.
type tally struct {
	n             int
	best          int
	byViolence    map[string]int
	byYear        map[int]int
	bestAboveHigh int
	lowAboveBest  int
	sumMismatch   int
}

func newTally() tally { return tally{byViolence: map[string]int{}, byYear: map[int]int{}} }

func (t *tally) add(tb testing.TB, violence string, year, low, best, high, deathSum int) {
	tb.Helper()
	t.n++
	t.best += best
	t.byViolence[violence]++
	t.byYear[year]++
	if best > high {
		t.bestAboveHigh++
	}
	if low > best {
		t.lowAboveBest++
	}
	if deathSum != best {
		t.sumMismatch++
	}
}

// rawCSVTally counts a UCDP CSV directly; skipRows skips rows after the
// header (HDX's hashtag row).
func rawCSVTally(tb testing.TB, path string, skipRows int) tally {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	num := func(row []string, name string) int {
		n, err := strconv.Atoi(row[col[name]])
		if err != nil {
			tb.Fatalf("raw %s = %q", name, row[col[name]])
		}
		return n
	}
	t := newTally()
	for _, row := range rows[1+skipRows:] {
		sum := num(row, "deaths_a") + num(row, "deaths_b") + num(row, "deaths_civilians") + num(row, "deaths_unknown")
		t.add(tb, row[col["type_of_violence"]], num(row, "year"), num(row, "low"), num(row, "best"), num(row, "high"), sum)
	}
	return t
}

func rawGeoJSONTally(tb testing.TB, path string) tally {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		tb.Fatal(err)
	}
	t := newTally()
	for _, f := range fc.Features {
		p := f.Properties
		num := func(name string) int { return int(p[name].(float64)) }
		sum := num("deaths_a") + num("deaths_b") + num("deaths_civilians") + num("deaths_unknown")
		t.add(tb, strconv.Itoa(num("type_of_violence")), num("year"), num("low"), num("best"), num("high"), sum)
	}
	return t
}

func eventTally(tb testing.TB, evs []events.Event) tally {
	tb.Helper()
	t := newTally()
	for _, e := range evs {
		t.n++
		t.best += e.Fatalities.Best
		t.byViolence[e.SourceAttrs["type_of_violence"]]++
		t.byYear[e.Start.Year()]++
		for flag, n := range map[string]*int{
			events.FlagBestAboveHigh:     &t.bestAboveHigh,
			events.FlagLowAboveBest:      &t.lowAboveBest,
			events.FlagDeathsSumMismatch: &t.sumMismatch,
		} {
			if e.HasFlag(flag) {
				*n++
			}
		}
	}
	return t
}

func compareTallies(tb testing.TB, got, want tally) {
	tb.Helper()
	if got.n != want.n {
		tb.Errorf("%d events, raw file has %d", got.n, want.n)
	}
	if got.best != want.best {
		tb.Errorf("sum of best = %d, raw file says %d", got.best, want.best)
	}
	if jsonString(tb, got.byViolence) != jsonString(tb, want.byViolence) {
		tb.Errorf("per type_of_violence %v, raw file %v", got.byViolence, want.byViolence)
	}
	if jsonString(tb, got.byYear) != jsonString(tb, want.byYear) {
		tb.Errorf("per year %v, raw file %v", got.byYear, want.byYear)
	}
	if got.bestAboveHigh != want.bestAboveHigh || got.lowAboveBest != want.lowAboveBest || got.sumMismatch != want.sumMismatch {
		tb.Errorf("flags best_above_high/low_above_best/deaths_sum_mismatch = %d/%d/%d, raw file %d/%d/%d",
			got.bestAboveHigh, got.lowAboveBest, got.sumMismatch, want.bestAboveHigh, want.lowAboveBest, want.sumMismatch)
	}
}

// typeCounts checks the taxonomy mapping: violence 1 and 2 are armed
// clashes, 3 attacks on civilians.
func typeCounts(tb testing.TB, evs []events.Event, raw tally) {
	tb.Helper()
	got := map[events.Type]int{}
	for _, e := range evs {
		got[e.Type]++
	}
	if want := raw.byViolence["1"] + raw.byViolence["2"]; got[events.ArmedClash] != want {
		tb.Errorf("%d armed clashes, want %d", got[events.ArmedClash], want)
	}
	if want := raw.byViolence["3"]; got[events.Attack] != want {
		tb.Errorf("%d attacks, want %d", got[events.Attack], want)
	}
}

func byID(evs []events.Event) map[string]events.Event {
	m := make(map[string]events.Event, len(evs))
	for _, e := range evs {
		m[e.SourceID] = e
	}
	return m
}

func TestUCDPFidelity(t *testing.T) {
	for _, tt := range []struct {
		name, dataset, file string
		rows                int // from the dataset's SOURCE.md
		raw                 func(testing.TB, string) tally
	}{
		{"CARGeoJSONv23", "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson", 1848, rawGeoJSONTally},
		{"MMRBGDCSVv19", "ucdp-ged-v19.1-mmr-bgd", "ged191_MMR_BGD.csv", 3194, func(tb testing.TB, p string) tally { return rawCSVTally(tb, p, 0) }},
		{"MexicoCSVv24", "ucdp-ged-v24.1-mexico", "GEDEvent_v24_1_MEX.csv", 18957, func(tb testing.TB, p string) tally { return rawCSVTally(tb, p, 0) }},
		{"HDXHXLBGD", "ucdp-ged-hdx-hxl-bgd", "conflict_data_BGD.csv", 601, func(tb testing.TB, p string) tally { return rawCSVTally(tb, p, 1) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := shareddata.Path(t, tt.dataset, tt.file)
			evs, rowErrs := readFile(t, events.FormatUCDP, path)
			noRowErrors(t, rowErrs)
			raw := tt.raw(t, path)
			if raw.n != tt.rows {
				t.Fatalf("raw file has %d rows, SOURCE.md says %d", raw.n, tt.rows)
			}
			compareTallies(t, eventTally(t, evs), raw)
			typeCounts(t, evs, raw)
			mustValidate(t, evs)
			for _, e := range evs {
				if e.Source != events.SourceUCDP || e.SourceID == "" || e.Location == nil || !e.End.Equal(e.End.UTC()) {
					t.Fatalf("event %s: source %q, location %v", e.SourceID, e.Source, e.Location)
				}
			}
		})
	}
}

// The CAR GeoJSON: coordinates come from the geometry, dates written
// "YYYY-MM-DDT00:00:00" are days, relid (cast to 0 by the converter) is
// dropped, " province" / " region" suffixes are kept verbatim.
func TestUCDPGeoJSONEdition(t *testing.T) {
	evs, _ := readFile(t, events.FormatUCDP, shareddata.Path(t, "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson"))
	ids := byID(evs)
	e, ok := ids["36210"]
	if !ok {
		t.Fatal("event 36210 missing")
	}
	if *e.Location != (geo.Point{Lon: 26.486881, Lat: 5.399784}) {
		t.Errorf("location = %v", *e.Location)
	}
	day := time.Date(2009, 2, 20, 0, 0, 0, 0, time.UTC)
	if !e.Start.Equal(day) || !e.End.Equal(day) || e.DatePrecision != events.DateDay {
		t.Errorf("when = %v..%v %s", e.Start, e.End, e.DatePrecision)
	}
	if e.LocationPrecision != events.LocationArea || e.Country != "CAF" || e.Type != events.ArmedClash {
		t.Errorf("precision %s, country %s, type %s", e.LocationPrecision, e.Country, e.Type)
	}
	if e.Fatalities != (events.Count{Low: 3, Best: 3, High: 3}) {
		t.Errorf("fatalities = %+v", e.Fatalities)
	}
	wantActors := `[{"name":"Government of Uganda","role":"side_a","source_id":"90"},{"name":"LRA","role":"side_b","source_id":"488"}]`
	if got := jsonString(t, e.Actors); got != wantActors {
		t.Errorf("actors = %s", got)
	}
	if _, ok := e.SourceAttrs["relid"]; ok {
		t.Error("relid 0 (converter damage) kept")
	}
	if e.SourceAttrs["gwnoa"] != "500" || e.SourceAttrs["deaths_b"] != "3" || e.SourceAttrs["where_description"] != "Central African Republic remote southeast" {
		t.Errorf("attrs = %v", e.SourceAttrs)
	}
	province := 0
	for _, e := range evs {
		if e.SourceAdmin1 == "Ouaka province" {
			province++
		}
	}
	if province != 302 {
		t.Errorf("%d events in %q, want 302 (suffix kept verbatim)", province, "Ouaka province")
	}
}

// The v19 CSV orders low, best, high; v20+ best, high, low: columns are
// found by name.
func TestUCDPColumnOrder(t *testing.T) {
	evs, _ := readFile(t, events.FormatUCDP, shareddata.Path(t, "ucdp-ged-v19.1-mmr-bgd", "ged191_MMR_BGD.csv"))
	e := byID(evs)["209980"]
	if e.Fatalities != (events.Count{Low: 1, Best: 1, High: 30}) {
		t.Errorf("fatalities = %+v, want low 1 best 1 high 30", e.Fatalities)
	}
	if e.LocationPrecision != events.LocationNear || e.DatePrecision != events.DateDays || e.Country != "MMR" {
		t.Errorf("precision %s/%s, country %s", e.LocationPrecision, e.DatePrecision, e.Country)
	}
	if e.SourceAdmin2 != "Laukkaing District" || e.PlaceName != "Laukkaing Town" {
		t.Errorf("admin2 %q place %q", e.SourceAdmin2, e.PlaceName)
	}
	// 71645: best 10 above high 4, kept and flagged.
	odd := byID(evs)["71645"]
	if odd.Fatalities != (events.Count{Low: 0, Best: 10, High: 4}) || !odd.HasFlag(events.FlagBestAboveHigh) {
		t.Errorf("71645 fatalities %+v flags %v", odd.Fatalities, odd.Flags)
	}
}

// The Mexico CSV (written by R): active_year TRUE/FALSE kept verbatim,
// relid a real string, quoted fields spanning lines.
func TestUCDPMexicoEdition(t *testing.T) {
	evs, _ := readFile(t, events.FormatUCDP, shareddata.Path(t, "ucdp-ged-v24.1-mexico", "GEDEvent_v24_1_MEX.csv"))
	e := byID(evs)["182047"]
	if e.SourceAttrs["active_year"] != "FALSE" || e.SourceAttrs["relid"] != "MEX-1989-3-70-24" {
		t.Errorf("attrs = %v", e.SourceAttrs)
	}
	if e.SourceAttrs["where_description"] != "Xoxocotla town, Morelos\n100 km southwest of Mexico City" {
		t.Errorf("where_description = %q", e.SourceAttrs["where_description"])
	}
	if e.Type != events.Attack || e.CivilianFatalities != events.Exactly(2) || e.Country != "MEX" {
		t.Errorf("type %s civilians %+v country %s", e.Type, e.CivilianFatalities, e.Country)
	}
	if e.SourceAdmin1 != "Morelos state" || e.SourceAdmin2 != "Puente de Ixtla municipality" {
		t.Errorf("admin %q / %q", e.SourceAdmin1, e.SourceAdmin2)
	}
}

// HDX's edition is the Bangladesh part of the v19 file plus iso3 and a
// hashtag row: the same events come out.
func TestUCDPHDXMatchesV19(t *testing.T) {
	hdx, _ := readFile(t, events.FormatUCDP, shareddata.Path(t, "ucdp-ged-hdx-hxl-bgd", "conflict_data_BGD.csv"))
	v19, _ := readFile(t, events.FormatUCDP, shareddata.Path(t, "ucdp-ged-v19.1-mmr-bgd", "ged191_MMR_BGD.csv"))
	orig := byID(v19)
	for _, e := range hdx {
		o, ok := orig[e.SourceID]
		if !ok {
			t.Fatalf("HDX event %s not in v19", e.SourceID)
		}
		if jsonString(t, e) != jsonString(t, o) {
			t.Fatalf("event %s differs:\nhdx %s\nv19 %s", e.SourceID, jsonString(t, e), jsonString(t, o))
		}
	}
}

// ucdpHeader is the v20+ CSV header (49 columns).
var ucdpHeader = strings.Split("id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,source_date,source_headline,source_original,where_prec,where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob", ",")

// ucdpRow returns one v20+ row (an invented event in Bangui) with changes.
func ucdpRow(changes map[string]string) []string {
	base := map[string]string{
		"id": "1", "relid": "CEN-2020-1-1", "year": "2020", "active_year": "1", "code_status": "Clear",
		"type_of_violence": "1", "conflict_name": "CAR: Government", "dyad_name": "Government of CAR - Rebels",
		"side_a_new_id": "101", "side_a": "Government of CAR", "side_b_new_id": "202", "side_b": "Rebels",
		"source_article": "Invented", "where_prec": "1", "where_coordinates": "Bangui town",
		"adm_1": "Bangui province", "adm_2": "Bangui region", "latitude": "4.3612", "longitude": "18.555",
		"geom_wkt": "POINT (18.555 4.3612)", "country": "Central African Republic", "country_id": "482",
		"region": "Africa", "event_clarity": "1", "date_prec": "1", "date_start": "2020-01-02",
		"date_end": "2020-01-02", "deaths_a": "1", "deaths_b": "1", "deaths_civilians": "0",
		"deaths_unknown": "0", "best": "2", "high": "3", "low": "2",
	}
	for k, v := range changes {
		base[k] = v
	}
	row := make([]string, len(ucdpHeader))
	for i, h := range ucdpHeader {
		row[i] = base[h]
	}
	return row
}

func csvText(tb testing.TB, rows ...[]string) string {
	tb.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

func TestUCDPRowErrors(t *testing.T) {
	rows := [][]string{
		ucdpHeader,
		ucdpRow(map[string]string{"id": "1"}), // line 2: good
		ucdpRow(map[string]string{"id": "2", "date_start": "2020-13-45"}),                            // 3
		ucdpRow(map[string]string{"id": "3", "source_original": "spans\ntwo lines"}),                 // 4-5: good
		ucdpRow(map[string]string{"id": "4", "latitude": "95.5"}),                                    // 6
		ucdpRow(map[string]string{"id": "5", "deaths_a": "-1"}),                                      // 7
		ucdpRow(map[string]string{"id": ""}),                                                         // 8
		ucdpRow(map[string]string{"id": "1"}),                                                        // 9: duplicate
		ucdpRow(map[string]string{"id": "10", "type_of_violence": "4"}),                              // 10
		{"11", "too", "short"},                                                                       // 11
		ucdpRow(map[string]string{"id": "12", "best": "abc"}),                                        // 12
		ucdpRow(map[string]string{"id": "13", "longitude": ""}),                                      // 13
		ucdpRow(map[string]string{"id": "14", "date_start": "2020-01-05", "date_end": "2020-01-03"}), // 14: good, flagged
		ucdpRow(map[string]string{"id": "15", "latitude": "", "longitude": "", "geom_wkt": ""}),      // 15: good, flagged
		ucdpRow(map[string]string{"id": "16", "low": "-3"}),                                          // 16
		ucdpRow(map[string]string{"id": "17", "date_end": "not a date"}),                             // 17
	}
	evs, rowErrs := readString(t, events.FormatUCDP, csvText(t, rows...))
	wantRowErrors(t, rowErrs, []events.RowError{
		{Line: 3, Field: "date_start"},
		{Line: 6, Field: "latitude", Message: "outside -90..90"},
		{Line: 7, Field: "deaths_a", Message: "negative"},
		{Line: 8, Field: "id", Message: "required"},
		{Line: 9, Field: "id", Message: "first on line 2"},
		{Line: 10, Field: "type_of_violence"},
		{Line: 11, Message: "3 fields"},
		{Line: 12, Field: "best"},
		{Line: 13, Field: "longitude"},
		{Line: 16, Field: "low", Message: "negative"},
		{Line: 17, Field: "date_end"},
	})
	if s := jsonString(t, rowErrs[0]); !strings.HasPrefix(s, `{"line":3,"field":"date_start","message":`) {
		t.Errorf("JSON = %s", s)
	}
	got := byID(evs)
	if len(evs) != 4 || got["1"].SourceID == "" || got["3"].SourceID == "" {
		t.Fatalf("events %v", jsonString(t, evs))
	}
	if e := got["14"]; !e.HasFlag(events.FlagDateEndBeforeStart) || !e.End.Before(e.Start) {
		t.Errorf("14: end %v start %v flags %v: want source dates kept and flagged", e.End, e.Start, e.Flags)
	}
	if e := got["15"]; e.Location != nil || !e.HasFlag(events.FlagMissingCoordinates) {
		t.Errorf("15: location %v flags %v", e.Location, e.Flags)
	}
	mustValidate(t, evs)
}

func TestUCDPFlags(t *testing.T) {
	for _, tt := range []struct {
		name    string
		changes map[string]string
		flags   []string
	}{
		{"OK", nil, nil},
		{"BestAboveHigh", map[string]string{"best": "5", "high": "4", "deaths_unknown": "3"}, []string{events.FlagBestAboveHigh}},
		{"LowAboveBest", map[string]string{"low": "3"}, []string{events.FlagLowAboveBest}},
		{"DeathsSumMismatch", map[string]string{"deaths_a": "7"}, []string{events.FlagDeathsSumMismatch}},
		{"MissingDeathsBreakdown", map[string]string{"deaths_b": ""}, []string{events.FlagMissingDeathsBreakdown}},
		{"GeometryMismatch", map[string]string{"geom_wkt": "POINT (18 4)"}, []string{events.FlagGeometryMismatch}},
		{"YearMismatch", map[string]string{"year": "2019"}, []string{events.FlagYearMismatch}},
		{"UnknownCountry", map[string]string{"country_id": "9999", "country": "Atlantis"}, []string{events.FlagUnknownCountry}},
		{"CountryMismatch", map[string]string{"country": "Chad"}, []string{events.FlagCountryMismatch}},
		{"UnknownDatePrecision", map[string]string{"date_prec": "9"}, []string{events.FlagUnknownDatePrecision}},
		{"UnknownLocationPrecision", map[string]string{"where_prec": ""}, []string{events.FlagUnknownLocationPrecision}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			evs, rowErrs := readString(t, events.FormatUCDP, csvText(t, ucdpHeader, ucdpRow(tt.changes)))
			noRowErrors(t, rowErrs)
			if len(evs) != 1 {
				t.Fatalf("%d events", len(evs))
			}
			if got := jsonString(t, evs[0].Flags); got != jsonString(t, tt.flags) {
				t.Errorf("flags = %s, want %s", got, jsonString(t, tt.flags))
			}
			mustValidate(t, evs)
		})
	}
}

func TestUCDPDecimalFormats(t *testing.T) {
	evs, rowErrs := readString(t, events.FormatUCDP, csvText(t, ucdpHeader,
		ucdpRow(map[string]string{"id": "1.0", "best": "2.0", "latitude": "4", "longitude": "18", "geom_wkt": "POINT (18.000000 4.000000)"}),
		ucdpRow(map[string]string{"id": "2", "best": "2.5"}),
	))
	wantRowErrors(t, rowErrs, []events.RowError{{Line: 3, Field: "best", Message: "whole number"}})
	if len(evs) != 1 || evs[0].SourceID != "1" || evs[0].Fatalities.Best != 2 || *evs[0].Location != (geo.Point{Lon: 18, Lat: 4}) || len(evs[0].Flags) != 0 {
		t.Errorf("events = %s", jsonString(t, evs))
	}
}

func TestUCDPGeoJSONRowErrors(t *testing.T) {
	props := func(changes map[string]any) map[string]any {
		p := map[string]any{
			"id": 1, "type_of_violence": 3, "where_prec": 1, "date_prec": 1, "country_id": 482,
			"country": "Central African Republic", "date_start": "2020-01-02T00:00:00", "date_end": "2020-01-02T00:00:00",
			"deaths_a": 0, "deaths_b": 0, "deaths_civilians": 2, "deaths_unknown": 0, "best": 2, "low": 2, "high": 2,
			"side_a": "Armed group (invented)", "side_b": "Civilians", "relid": 0,
		}
		for k, v := range changes {
			p[k] = v
		}
		return p
	}
	point := map[string]any{"type": "Point", "coordinates": []float64{18.55, 4.36}}
	features := []map[string]any{
		{"type": "Feature", "properties": props(nil), "geometry": point},
		{"type": "Feature", "properties": props(map[string]any{"id": 2, "date_start": "yesterday"}), "geometry": point},
		{"type": "Feature", "properties": props(map[string]any{"id": 3}), "geometry": map[string]any{"type": "LineString", "coordinates": [][]float64{{1, 2}, {3, 4}}}},
		{"type": "Thing", "properties": props(map[string]any{"id": 4}), "geometry": point},
		{"type": "Feature", "properties": props(map[string]any{"id": 5}), "geometry": map[string]any{"type": "Point", "coordinates": []float64{200, 4}}},
		{"type": "Feature", "properties": props(map[string]any{"id": 6, "best": -2}), "geometry": point},
		{"type": "Feature", "properties": props(map[string]any{"id": 7}), "geometry": nil},
		{"type": "Feature", "properties": props(map[string]any{"id": nil}), "geometry": point},
	}
	b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features, "name": "test"})
	evs, rowErrs := readBytes(t, events.FormatUCDP, b)
	wantRowErrors(t, rowErrs, []events.RowError{
		{Feature: 1, Field: "date_start"},
		{Feature: 2, Field: "geometry", Message: "LineString"},
		{Feature: 3, Field: "type"},
		{Feature: 4, Field: "geometry", Message: "outside -180..180"},
		{Feature: 5, Field: "best", Message: "negative"},
		{Feature: 7, Field: "id"},
	})
	if len(evs) != 2 || evs[0].Type != events.Attack || !evs[1].HasFlag(events.FlagMissingCoordinates) {
		t.Errorf("events = %s", jsonString(t, evs))
	}
	if rowErrs[0].Error() != "feature 1: date_start: \"yesterday\" is not a date (want YYYY-MM-DD)" {
		t.Errorf("Error() = %q", rowErrs[0].Error())
	}
	if s := jsonString(t, rowErrs[0]); !strings.HasPrefix(s, `{"feature":1,"field":"date_start","message":`) {
		t.Errorf("JSON = %s", s)
	}
}

func TestUCDPBrokenGeoJSON(t *testing.T) {
	good := `{"type":"Feature","properties":{"id":1,"type_of_violence":1,"date_start":"2020-01-02","date_end":"2020-01-02","best":1,"low":1,"high":1},"geometry":null}`
	r, err := events.NewReader(events.FormatUCDP, strings.NewReader(`{"type":"FeatureCollection","features":[`+good+`,{"type":"Feature","properties":{`))
	if err != nil {
		t.Fatal(err)
	}
	evs, _, err := events.ReadAll(r)
	if err == nil || len(evs) != 1 || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("broken JSON: %d events, error %v", len(evs), err)
	}
	if _, err := events.NewReader(events.FormatUCDP, strings.NewReader(`{"type":"FeatureCollection","features":[{"type":`)); err == nil {
		t.Fatal("NewReader accepted a collection whose first feature is broken")
	}
}

func TestNewReaderErrors(t *testing.T) {
	for _, tt := range []struct {
		name, format, input string
		opts                []events.ReadOption
		want                string
	}{
		{"ErrFormat", "xlsx", "a,b\n", nil, "unknown import format"},
		{"ErrEmpty", events.FormatUCDP, "", nil, "empty"},
		{"ErrUCDPColumns", events.FormatUCDP, "id,year\n1,2020\n", nil, "missing column(s) type_of_violence"},
		{"ErrNotFeatureCollection", events.FormatUCDP, `{"type":"Feature"}`, nil, "want \"FeatureCollection\""},
		{"ErrNoFeatures", events.FormatUCDP, `{"type":"FeatureCollection"}`, nil, "missing features"},
		{"ErrACLEDColumns", events.FormatACLED, "event_id_cnty,event_date\n", nil, "missing column(s) event_type"},
		{"ErrNoHashtags", events.FormatHXL, "a,b\n1,2\n", nil, "no row of hashtags"},
		{"ErrHXLNoType", events.FormatHXL, "#date,#loc+name\n2024-01-01,Bria\n", nil, "#event+type"},
		{"ErrHXLNoDate", events.FormatHXL, "#event+type,#loc+name\nCrime,Bria\n", nil, "#date"},
		{"ErrDefaultType", events.FormatHXL, "#date\n2024-01-01\n", []events.ReadOption{events.DefaultType("nope")}, "default type"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := events.NewReader(tt.format, strings.NewReader(tt.input), tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewReader error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// Dates of every accepted form parse to UTC midnight.
func TestUCDPDateForms(t *testing.T) {
	for _, s := range []string{"2020-01-02", "2020-01-02T00:00:00", "2020-01-02 00:00:00", "2020-01-02 00:00:00.000", "2020-01-02T00:00:00Z"} {
		evs, rowErrs := readString(t, events.FormatUCDP, csvText(t, ucdpHeader, ucdpRow(map[string]string{"date_start": s, "date_end": s})))
		noRowErrors(t, rowErrs)
		if len(evs) != 1 || !evs[0].Start.Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) || evs[0].Start.Location() != time.UTC {
			t.Errorf("%q: %s", s, jsonString(t, evs))
		}
	}
}
