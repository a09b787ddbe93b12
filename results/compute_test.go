package results_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/demo"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/results"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// ucdpRow is what the independent computation reads of a UCDP GED feature.
type ucdpRow struct {
	violence  int
	year      int
	best      int
	civilians int
	admin1    string // by point-in-polygon over the OCHA admin 1 areas
}

// readUCDPRows reads the UCDP GED v23.1 CAR file directly (not through the
// events reader) and places each event in its OCHA prefecture.
func readUCDPRows(t *testing.T) []ucdpRow {
	t.Helper()
	b, err := os.ReadFile(shareddata.Path(t, "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Features []struct {
			Properties struct {
				Violence  int    `json:"type_of_violence"`
				DateStart string `json:"date_start"`
				Best      int    `json:"best"`
				Civilians int    `json:"deaths_civilians"`
			} `json:"properties"`
			Geometry struct {
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	file, err := demo.Data.Open("data/caf_admin1.geojson")
	if err != nil {
		t.Fatal(err)
	}
	areas, err := geo.ReadAreas(file, geo.ImportOptions{Country: "CAF", Level: 1, Source: "caf_admin1.geojson"})
	file.Close()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(areas)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]ucdpRow, len(doc.Features))
	for i, ft := range doc.Features {
		p := ft.Properties
		y, _ := strconv.Atoi(p.DateStart[:4])
		out[i] = ucdpRow{violence: p.Violence, year: y, best: p.Best, civilians: p.Civilians}
		if a, ok := ix.LocateLevel(geo.Point{Lon: ft.Geometry.Coordinates[0], Lat: ft.Geometry.Coordinates[1]}, 1); ok {
			out[i].admin1 = a.PCode
		}
	}
	return out
}

const ouaka = "CF43"

func yearly(pts []results.Point) map[string]float64 {
	out := map[string]float64{}
	for _, p := range pts {
		out[p.Period] = p.Value
	}
	return out
}

func TestComputedOnUCDPCentralAfricanRepublic(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rows := readUCDPRows(t)
		f := newFixture(t, db)
		f.importCAR(t)
		_, r := f.chain(t)
		mk := func(code, unit, def string) *results.Indicator {
			in := &results.Indicator{ResultID: r.ID, Code: code, Name: code, Kind: results.KindImpact, Unit: results.Unit(unit),
				Direction: results.Lower, BaselineValue: 0, BaselineDate: date("1989-01-01"),
				Targets: []results.Target{{Value: 0, Date: date("2030-12-31")}}, Frequency: results.Yearly, Computed: json.RawMessage(def)}
			if err := f.results.CreateIndicator(f.as("pat"), "MINUSCA", in); err != nil {
				t.Fatal(err)
			}
			return in
		}
		civOuaka := mk("CIV-OUAKA", "number", `{"source":"events","measure":"civilian_fatalities_best","filter":{"admin1":["`+ouaka+`"]}}`)
		vacCount := mk("VAC", "number", `{"source":"events","measure":"count","filter":{"types":["violence_against_civilians"]}}`)
		fatal := mk("FAT", "number", `{"source":"events","measure":"fatalities_best","filter":{}}`)
		share := mk("VAC-SHARE", "percentage", `{"source":"events","measure":"share","filter":{"types":["violence_against_civilians"]},"share_of":{}}`)
		verified := mk("VERIFIED-OUAKA", "number", `{"source":"events","measure":"count","filter":{"status":["verified"],"admin1":["`+ouaka+`"]}}`)

		// The independent computation over the same rows.
		type agg struct{ civOuaka, vac, all, fatal int }
		want := map[string]*agg{}
		for _, row := range rows {
			k := strconv.Itoa(row.year)
			if want[k] == nil {
				want[k] = &agg{}
			}
			a := want[k]
			a.all++
			a.fatal += row.best
			if row.violence == 3 {
				a.vac++
			}
			if row.admin1 == ouaka {
				a.civOuaka += row.civilians
			}
		}
		all, err := f.results.RecomputeAll(f.as("vera"), "MINUSCA", date("2022-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]map[string]float64{}
		for _, in := range []*results.Indicator{civOuaka, vacCount, fatal, share, verified} {
			got[in.Code] = yearly(all[in.ID])
		}
		checked := 0
		for year, a := range want {
			for code, w := range map[string]float64{"CIV-OUAKA": float64(a.civOuaka), "VAC": float64(a.vac), "FAT": float64(a.fatal),
				"VAC-SHARE": 100 * float64(a.vac) / float64(a.all), "VERIFIED-OUAKA": 0} {
				if g := got[code][year]; fmt.Sprintf("%.6f", g) != fmt.Sprintf("%.6f", w) {
					t.Errorf("%s %s: computed %g, independent %g", code, year, g, w)
				}
				checked++
			}
		}
		if want["2014"] == nil || want["2014"].civOuaka == 0 || checked < 100 {
			t.Fatalf("the data do not exercise the test: %d checks, 2014 %+v", checked, want["2014"])
		}
		t.Logf("2014: %d civilian deaths in Ouaka, %d attacks on civilians of %d events", want["2014"].civOuaka, want["2014"].vac, want["2014"].all)

		// Series through the service as a viewer equals RecomputeAll.
		pts, err := f.results.Series(f.as("vera"), "MINUSCA", civOuaka.ID)
		if err != nil {
			t.Fatal(err)
		}
		if yearly(pts)["2014"] != float64(want["2014"].civOuaka) {
			t.Fatalf("Series 2014 = %g", yearly(pts)["2014"])
		}

		// One event of Ouaka in 2014 that killed civilians.
		list, _, err := f.events.FindEvents(f.system, "MINUSCA", events.Filter{Admin: ouaka, From: date("2014-01-01").Time(), To: date("2014-12-31").Time(), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(list, func(e *events.Event) bool {
			return e.CivilianFatalities.Best > 0 && e.Start.Year() == 2014 && e.Admin1.PCode == ouaka
		})
		if i < 0 {
			t.Fatal("no event of Ouaka in 2014 with civilian deaths")
		}
		e := list[i]
		value := func(in *results.Indicator) float64 {
			t.Helper()
			pts, err := f.results.Series(f.as("vera"), "MINUSCA", in.ID)
			if err != nil {
				t.Fatal(err)
			}
			return yearly(pts)["2014"]
		}
		base := value(civOuaka)

		// Verified: the verified count of Ouaka moves from 0 to 1.
		e, err = f.events.VerifyEvent(f.system, "MINUSCA", e.ID, events.Verify{Status: events.StatusVerified}, e.Version)
		if err != nil {
			t.Fatal(err)
		}
		if v := value(verified); v != 1 {
			t.Fatalf("verified in Ouaka 2014 after verifying one event: %g, want 1", v)
		}
		// Edited: five more civilian deaths.
		c := e.CivilianFatalities
		c.Best, c.High = c.Best+5, max(c.High, c.Best+5)
		fat := e.Fatalities
		fat.Best, fat.High = max(fat.Best, c.Best), max(fat.High, c.Best, fat.Best)
		e, err = f.events.UpdateEvent(f.system, "MINUSCA", e.ID, events.Update{CivilianFatalities: &c, Fatalities: &fat}, e.Version)
		if err != nil {
			t.Fatal(err)
		}
		if v := value(civOuaka); v != base+5 {
			t.Fatalf("after the edit: %g, want %g", v, base+5)
		}
		// Drill-down: the event is among those behind the value; an analyst
		// sees every id, a planner (no event access) sees none of them.
		dd, err := f.results.DrillDownOf(f.as("ana"), "MINUSCA", civOuaka.ID, "2014")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(dd.EventIDs, e.ID) || dd.Hidden != 0 || len(dd.EventIDs) != dd.Counted || *dd.Value != base+5 {
			t.Fatalf("drill-down as analyst: %d ids (has event: %v), hidden %d, counted %d, value %v",
				len(dd.EventIDs), slices.Contains(dd.EventIDs, e.ID), dd.Hidden, dd.Counted, *dd.Value)
		}
		dd, err = f.results.DrillDownOf(f.as("pat"), "MINUSCA", civOuaka.ID, "2014")
		if err != nil {
			t.Fatal(err)
		}
		if len(dd.EventIDs) != 0 || dd.Hidden != dd.Counted {
			t.Fatalf("drill-down as planner: %d ids, %d hidden of %d", len(dd.EventIDs), dd.Hidden, dd.Counted)
		}
		// Deleted: its civilian deaths leave the value.
		if err := f.events.DeleteEvent(f.system, "MINUSCA", e.ID, "duplicate of a mission report", e.Version); err != nil {
			t.Fatal(err)
		}
		if v := value(civOuaka); v != base+5-float64(c.Best) {
			t.Fatalf("after the deletion: %g, want %g", v, base+5-float64(c.Best))
		}
		if v := value(verified); v != 0 {
			t.Fatalf("verified after the deletion: %g", v)
		}
		_, err = f.results.Series(f.as("otto"), "MINUSCA", civOuaka.ID)
		wantCode(t, err, peaceops.ENOTFOUND)
		_, err = f.results.EnterValue(f.as("pat"), "MINUSCA", civOuaka.ID, results.Entry{Period: "2014", Value: 3})
		wantCode(t, err, peaceops.EINVALID)
	})
}

func TestSeedDemo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.importCAR(t)
		if err := f.results.SeedDemo(f.system, "MINUSCA", []string{"T-POC"}, 2013); err != nil {
			t.Fatal(err)
		}
		fwk, err := f.results.FindFramework(f.as("vera"), "MINUSCA")
		if err != nil {
			t.Fatal(err)
		}
		if len(fwk.Objectives) != 2 || len(fwk.Indicators) != 4+len(results.Templates) {
			t.Fatalf("seeded %d objectives, %d indicators", len(fwk.Objectives), len(fwk.Indicators))
		}
		i := slices.IndexFunc(fwk.Indicators, func(in *results.Indicator) bool { return in.Code == "IND-1.1.2" })
		rows := readUCDPRows(t)
		want := 0
		for _, r := range rows {
			if r.year == 2013 && r.admin1 == ouaka {
				want += r.civilians
			}
		}
		if want == 0 {
			t.Fatal("no civilian deaths in Ouaka in 2013 in the data: the check would prove nothing")
		}
		if in := fwk.Indicators[i]; in.BaselineValue != float64(want) || in.Targets[0].Value != float64(want)/2 {
			t.Fatalf("Ouaka baseline %g target %g, want %d and half", in.BaselineValue, in.Targets[0].Value, want)
		}
		a, err := f.results.Assess(f.as("vera"), "MINUSCA", "2016")
		if err != nil {
			t.Fatal(err)
		}
		if a.Objectives[0].Status == results.NoData {
			t.Fatalf("the seeded PoC objective has no status in 2016")
		}
		t.Logf("PoC objective in 2016: %s", a.Objectives[0].Status)
	})
}
