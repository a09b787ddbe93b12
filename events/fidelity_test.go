package events_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// importBytes imports data of format into MINUSCA as ctx's actor.
func importBytes(t *testing.T, ctx context.Context, f *fixture, format string, data []byte, opts events.ImportOptions) (events.ImportResult, error) {
	t.Helper()
	r, err := events.NewReader(format, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return f.events.Import(ctx, "MINUSCA", r, opts)
}

func mustImport(t *testing.T, ctx context.Context, f *fixture, format string, data []byte) events.ImportResult {
	t.Helper()
	res, err := importBytes(t, ctx, f, format, data, events.ImportOptions{})
	if err != nil {
		for i, re := range res.Errors {
			if i < 5 {
				t.Log(re)
			}
		}
		t.Fatalf("import: %v", err)
	}
	return res
}

// storedTally counts what the store holds, through Stats (rollup and
// events) and the export walk, in the terms of the raw file's tally.
func storedTally(t *testing.T, f *fixture) tally {
	t.Helper()
	got := newTally()
	rows, err := f.events.Stats(boss, "MINUSCA", events.StatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		got.n += r.Events
		got.best += r.Fatalities
	}
	for i, stats := range []func(context.Context, string, events.StatsRequest) ([]events.StatsRow, error){
		f.events.Stats,
		func(ctx context.Context, m string, q events.StatsRequest) ([]events.StatsRow, error) {
			return events.StatsFromEvents(f.events, ctx, m, q)
		},
	} {
		rows, err := stats(boss, "MINUSCA", events.StatsRequest{Interval: events.IntervalMonth})
		if err != nil {
			t.Fatal(err)
		}
		byYear := map[int]int{}
		for _, r := range rows {
			byYear[r.Period.Year] += r.Events
		}
		if i == 0 {
			got.byYear = byYear
		} else if jsonString(t, byYear) != jsonString(t, got.byYear) {
			t.Errorf("per year from the events %v, from the rollup %v", byYear, got.byYear)
		}
	}
	n, best := 0, 0
	err = f.events.EachEvent(boss, "MINUSCA", events.Filter{}, func(e *events.Event) error {
		n++
		best += e.Fatalities.Best
		got.byViolence[e.SourceAttrs["type_of_violence"]]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != got.n || best != got.best {
		t.Errorf("export walk has %d events and %d best, stats %d and %d", n, best, got.n, got.best)
	}
	return got
}

// After importing each shared UCDP file, the event count, the sum of best,
// and the counts per type_of_violence and per year read back from the
// store equal those computed independently from the raw file; importing
// the file again changes nothing.
func TestImportFidelity(t *testing.T) {
	for _, tt := range []struct {
		name, dataset, file string
		raw                 func(testing.TB, string) tally
		allEngines          bool
	}{
		{"CARGeoJSONv23", "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson", rawGeoJSONTally, true},
		{"MMRBGDCSVv19", "ucdp-ged-v19.1-mmr-bgd", "ged191_MMR_BGD.csv", func(tb testing.TB, p string) tally { return rawCSVTally(tb, p, 0) }, false},
		{"MexicoCSVv24", "ucdp-ged-v24.1-mexico", "GEDEvent_v24_1_MEX.csv", func(tb testing.TB, p string) tally { return rawCSVTally(tb, p, 0) }, false},
		{"HDXHXLBGD", "ucdp-ged-hdx-hxl-bgd", "conflict_data_BGD.csv", func(tb testing.TB, p string) tally { return rawCSVTally(tb, p, 1) }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := shareddata.Path(t, tt.dataset, tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			raw := tt.raw(t, path)
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				if db.Dialect() != store.SQLite && !tt.allEngines {
					t.Skip("the larger files run on SQLite only; the CAR file covers PostgreSQL")
				}
				f := newFixture(t, db)
				res := mustImport(t, ana, f, events.FormatUCDP, data)
				if res.Read != raw.n || res.Created != raw.n || res.Updated != 0 || res.Unchanged != 0 {
					t.Fatalf("first import %+v, raw file has %d rows", res, raw.n)
				}
				got := storedTally(t, f)
				if got.n != raw.n || got.best != raw.best {
					t.Errorf("store holds %d events with %d best, raw file %d and %d", got.n, got.best, raw.n, raw.best)
				}
				if jsonString(t, got.byYear) != jsonString(t, raw.byYear) {
					t.Errorf("per year %v, raw file %v", got.byYear, raw.byYear)
				}
				if jsonString(t, got.byViolence) != jsonString(t, raw.byViolence) {
					t.Errorf("per type_of_violence %v, raw file %v", got.byViolence, raw.byViolence)
				}
				rows, err := f.events.Stats(boss, "MINUSCA", events.StatsRequest{By: events.ByType})
				if err != nil {
					t.Fatal(err)
				}
				byType := map[string]int{}
				for _, r := range rows {
					byType[r.Key] = r.Events
				}
				if byType[string(events.ArmedClash)] != raw.byViolence["1"]+raw.byViolence["2"] || byType[string(events.Attack)] != raw.byViolence["3"] {
					t.Errorf("stats by type %v, raw types of violence %v", byType, raw.byViolence)
				}

				again := mustImport(t, ana, f, events.FormatUCDP, data)
				if again.Read != raw.n || again.Created != 0 || again.Updated != 0 || again.Unchanged != raw.n {
					t.Errorf("second import %+v: want everything unchanged", again)
				}
				if after := storedTally(t, f); jsonString(t, after.byYear) != jsonString(t, got.byYear) || after.n != got.n || after.best != got.best {
					t.Errorf("the second import changed the store: %d events, %d best", after.n, after.best)
				}
			})
		})
	}
}

// smallUCDP returns the header and the first n rows of the v19 file as
// CSV without line breaks inside fields (so row i is on line i+2), with
// edit applied to each row.
func smallUCDP(t *testing.T, n int, edit func(i int, col map[string]int, row []string)) []byte {
	t.Helper()
	file, err := os.Open(shareddata.Path(t, "ucdp-ged-v19.1-mmr-bgd", "ged191_MMR_BGD.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	cr := csv.NewReader(file)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	cw.Write(header)
	for i := 0; i < n; i++ {
		row, err := cr.Read()
		if err != nil {
			t.Fatal(err)
		}
		for j := range row {
			row[j] = strings.NewReplacer("\r", " ", "\n", " ").Replace(row[j])
		}
		if edit != nil {
			edit(i, col, row)
		}
		cw.Write(row)
	}
	cw.Flush()
	return buf.Bytes()
}

func countEvents(t *testing.T, f *fixture) int {
	t.Helper()
	n := 0
	if err := f.events.EachEvent(boss, "MINUSCA", events.Filter{}, func(*events.Event) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func countAudit(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	var n int
	err := db.View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE entity_type = 'event' AND action = $1`, action).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportAllOrNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		data := smallUCDP(t, 30, func(i int, col map[string]int, row []string) {
			switch i {
			case 8: // line 10
				row[col["best"]] = "many"
			case 20: // line 22
				row[col["date_start"]] = "2015-02-30"
			}
		})
		res, err := importBytes(t, ana, f, events.FormatUCDP, data, events.ImportOptions{})
		wantCode(t, err, peaceops.EINVALID)
		if res.Read != 30 || len(res.Errors) != 2 {
			t.Fatalf("result %+v", res)
		}
		wantRowErrors(t, res.Errors, []events.RowError{
			{Line: 10, Field: "best", Message: "not a whole number"},
			{Line: 22, Field: "date_start"},
		})
		if fields := peaceops.ErrorFields(err); len(fields) != 2 || fields[0].Field != "line 10.best" {
			t.Errorf("error fields %+v", fields)
		}
		if n := countEvents(t, f); n != 0 {
			t.Errorf("%d events written by a refused import", n)
		}
		if n := countAudit(t, db, "import"); n != 0 {
			t.Errorf("%d import audit entries for a refused import", n)
		}
	})
}

func TestImportDryRunAndUpdates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		data := smallUCDP(t, 25, nil)
		res, err := importBytes(t, ana, f, events.FormatUCDP, data, events.ImportOptions{DryRun: true})
		if err != nil || res.Created != 25 {
			t.Fatalf("dry run %+v %v", res, err)
		}
		if n := countEvents(t, f); n != 0 {
			t.Fatalf("dry run wrote %d events", n)
		}
		var progress []int
		res, err = importBytes(t, ana, f, events.FormatUCDP, data, events.ImportOptions{Progress: func(n int) { progress = append(progress, n) }})
		if err != nil || res.Created != 25 || len(progress) == 0 || progress[len(progress)-1] != 25 {
			t.Fatalf("import %+v %v, progress %v", res, err, progress)
		}
		if n := countAudit(t, db, "import"); n != 1 {
			t.Errorf("%d import audit entries, want 1", n)
		}

		// The source revises one event; the mission verified another and
		// deleted a third: a re-import updates the first only, keeping the
		// mission's verification.
		list, _, err := f.events.FindEvents(boss, "MINUSCA", events.Filter{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		verified, deleted := list[0], list[1]
		if _, err := f.events.VerifyEvent(ana, "MINUSCA", verified.ID, events.Verify{Status: events.StatusVerified}, 1); err != nil {
			t.Fatal(err)
		}
		if err := f.events.DeleteEvent(boss, "MINUSCA", deleted.ID, "not in our area", 1); err != nil {
			t.Fatal(err)
		}
		revised := smallUCDP(t, 25, func(i int, col map[string]int, row []string) {
			if id := row[col["id"]]; id == verified.SourceID || id == deleted.SourceID {
				row[col["best"]] = "999"
				row[col["high"]] = "999"
			}
		})
		res, err = importBytes(t, ana, f, events.FormatUCDP, revised, events.ImportOptions{DryRun: true})
		if err != nil || res.Created != 0 || res.Updated != 1 || res.Unchanged != 24 {
			t.Fatalf("dry run of the revision %+v %v", res, err)
		}
		res, err = importBytes(t, ana, f, events.FormatUCDP, revised, events.ImportOptions{})
		if err != nil || res.Created != 0 || res.Updated != 1 || res.Unchanged != 24 {
			t.Fatalf("revision %+v %v", res, err)
		}
		got, err := f.events.FindEventByID(boss, "MINUSCA", verified.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Fatalities.Best != 999 || got.Status != events.StatusVerified || got.Version != 3 {
			t.Errorf("revised event: best %d, status %s, version %d", got.Fatalities.Best, got.Status, got.Version)
		}
		if _, err := f.events.FindEventByID(boss, "MINUSCA", deleted.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("a re-import brought back a deleted event: %v", err)
		}
		rows, _ := f.events.Stats(boss, "MINUSCA", events.StatsRequest{})
		slow, _ := events.StatsFromEvents(f.events, boss, "MINUSCA", events.StatsRequest{})
		if jsonString(t, rows) != jsonString(t, slow) || rows[0].Events != 24 {
			t.Errorf("stats after the revision: rollup %+v, events %+v", rows, slow)
		}
	})
}

func TestImportAccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		data := smallUCDP(t, 3, nil)
		_, err := importBytes(t, vera, f, events.FormatUCDP, data, events.ImportOptions{})
		wantCode(t, err, peaceops.EFORBIDDEN)
		_, err = importBytes(t, rita, f, events.FormatUCDP, data, events.ImportOptions{})
		wantCode(t, err, peaceops.EFORBIDDEN)
		_, err = importBytes(t, otto, f, events.FormatUCDP, data, events.ImportOptions{})
		wantCode(t, err, peaceops.ENOTFOUND)
		_, err = importBytes(t, anon, f, events.FormatUCDP, data, events.ImportOptions{})
		wantCode(t, err, peaceops.EUNAUTHORIZED)
		r, _ := events.NewReader(events.FormatUCDP, bytes.NewReader(data))
		_, err = f.events.Import(admin, "UNMISS", r, events.ImportOptions{})
		wantCode(t, err, peaceops.ENOTFOUND)
		if res := mustImport(t, f.system, f, events.FormatUCDP, data); res.Created != 3 {
			t.Errorf("system import %+v", res)
		}
	})
}

// Importing CAR events before and after the CAR admin boundaries: the
// re-import after the areas fills admin 1 and 2 by point-in-polygon. The
// result agrees with the province UCDP names itself (adm_1).
func TestImportAssignsAdminAreas(t *testing.T) {
	path := shareddata.Path(t, "ucdp-ged-car-v23.1", "GEDEvent_v23_1_CAF.geojson")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first := mustImport(t, ana, f, events.FormatUCDP, data)
		importAreas(t, f)
		second := mustImport(t, ana, f, events.FormatUCDP, data)
		if second.Created != 0 || second.Updated == 0 || second.Updated+second.Unchanged != first.Created {
			t.Fatalf("re-import after the areas: %+v", second)
		}
		located, withAdmin1, agree, comparable := 0, 0, 0, 0
		fold := func(s string) string {
			s = store.Fold(s)
			for _, suffix := range []string{" prefecture", " province", " region", " commune"} {
				s = strings.TrimSuffix(s, suffix)
			}
			return strings.ReplaceAll(strings.TrimSpace(s), "-", " ")
		}
		err := f.events.EachEvent(boss, "MINUSCA", events.Filter{}, func(e *events.Event) error {
			if e.Location == nil || e.Country != "CAF" {
				return nil
			}
			located++
			if e.Admin1.IsZero() {
				return nil
			}
			withAdmin1++
			if !e.Admin2.IsZero() && !strings.HasPrefix(e.Admin2.PCode, e.Admin1.PCode) {
				t.Errorf("event %s: admin2 %s is not in admin1 %s", e.SourceID, e.Admin2.PCode, e.Admin1.PCode)
			}
			if e.SourceAdmin1 != "" {
				comparable++
				if fold(e.SourceAdmin1) == fold(e.Admin1.Name) {
					agree++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if withAdmin1 < located*98/100 {
			t.Errorf("%d of %d located CAR events got an admin1", withAdmin1, located)
		}
		if agree < comparable*85/100 {
			t.Errorf("admin1 agrees with UCDP's adm_1 for %d of %d events", agree, comparable)
		}
		t.Logf("%d located CAR events, %d with admin1; admin1 agrees with UCDP adm_1 for %d of %d", located, withAdmin1, agree, comparable)
		rows, err := f.events.Stats(boss, "MINUSCA", events.StatsRequest{By: events.ByAdmin1})
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, r := range rows {
			total += r.Events
			if r.Key != "" && r.Label == "" {
				t.Errorf("admin1 %s has no label", r.Key)
			}
		}
		if total != first.Created {
			t.Errorf("stats by admin1 count %d events, want %d", total, first.Created)
		}
		third := mustImport(t, ana, f, events.FormatUCDP, data)
		if third.Unchanged != first.Created {
			t.Errorf("third import %+v: want all unchanged", third)
		}
	})
}
