package mandates_test

import (
	"context"
	"slices"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/mandates"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestCreateAndFind(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		t.Run("OK", func(t *testing.T) {
			r := mustCreate(t, paula, f.svc, resolution(2149, "2014-04-10"))
			if r.ID == "" || r.Version != 1 || r.Classification != peaceops.Public {
				t.Fatalf("created %+v", r)
			}
			for _, task := range r.Tasks {
				if !peaceops.ValidID(task.ID) || task.Lineage != mandates.LineageNew {
					t.Errorf("task %+v: want an id and lineage new", task)
				}
			}
			got, err := f.svc.FindResolutionByID(vera, "MINUSCA", r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Symbol != r.Symbol || got.Adopted != r.Adopted || got.PeriodEnd != r.PeriodEnd || !got.ChapterVII ||
				got.Ceilings["military"] != 9000 || got.Ceilings["police_ipo"] != 400 || len(got.Ceilings) != 4 ||
				len(got.Tasks) != 2 || got.Tasks[0].Title != "Protection of civilians" || !got.Tasks[0].Priority || got.Tasks[1].Priority {
				t.Errorf("found %+v", got)
			}
			if a := auditActions(t, db, r.ID); !slices.Equal(a, []string{"create"}) {
				t.Errorf("audit %v", a)
			}
		})
		t.Run("ErrSymbolTaken", func(t *testing.T) {
			err := f.svc.CreateResolution(boss, resolution(2149, "2014-04-10"))
			if peaceops.ErrorCode(err) != peaceops.ECONFLICT || !slices.Equal(fields(err), []string{"symbol"}) {
				t.Fatalf("err = %v, want conflict on symbol", err)
			}
		})
		t.Run("ErrInvalidWritesNothing", func(t *testing.T) {
			err := f.svc.CreateResolution(boss, resolution(2150, "2014-04-11", func(r *mandates.Resolution) { r.Ceilings["military"] = -1 }))
			if peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("err = %v", err)
			}
			list, _ := f.svc.FindResolutions(boss, "MINUSCA")
			if len(list) != 1 {
				t.Fatalf("%d resolutions after a refused create", len(list))
			}
		})
		t.Run("Access", func(t *testing.T) {
			if err := f.svc.CreateResolution(vera, resolution(2200, "2015-01-01")); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
				t.Errorf("viewer create: %v", err)
			}
			if err := f.svc.CreateResolution(otto, resolution(2201, "2015-01-01")); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Errorf("outsider create: %v", err)
			}
			if _, err := f.svc.FindResolutions(otto, "MINUSCA"); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Errorf("outsider list: %v", err)
			}
			if _, err := f.svc.FindResolutions(anon, "MINUSCA"); peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
				t.Errorf("anonymous list: %v", err)
			}
			list, err := f.svc.FindResolutions(ana, "MINUSCA")
			if err != nil || len(list) != 1 {
				t.Errorf("analyst list: %d, %v", len(list), err)
			}
		})
		t.Run("ConfidentialHiddenFromMembers", func(t *testing.T) {
			r := mustCreate(t, boss, f.svc, resolution(2151, "2014-06-01", func(r *mandates.Resolution) {
				r.Classification = peaceops.Confidential
				r.Tasks = nil
			}))
			if _, err := f.svc.FindResolutionByID(vera, "MINUSCA", r.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Errorf("viewer reads confidential: %v", err)
			}
			if _, err := f.svc.FindResolutionByID(paula, "MINUSCA", r.ID); err != nil {
				t.Errorf("planner reads confidential: %v", err)
			}
			list, _ := f.svc.FindResolutions(vera, "MINUSCA")
			if len(list) != 1 {
				t.Errorf("viewer lists %d, want 1", len(list))
			}
		})
	})
}

func TestLineage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first := mustCreate(t, boss, f.svc, resolution(2149, "2014-04-10"))
		other := mustCreate(t, f.system, f.svc, resolution(2150, "2014-04-10", func(r *mandates.Resolution) { r.Mission = "MONUSCO" }))

		t.Run("ErrFirstResolutionCannotContinue", func(t *testing.T) {
			err := f.svc.CreateResolution(boss, resolution(2100, "2013-01-01", func(r *mandates.Resolution) {
				r.Tasks = continuing(first)
			}))
			if peaceops.ErrorCode(err) != peaceops.EINVALID || !slices.Equal(fields(err), []string{"tasks[0].previous", "tasks[1].previous"}) {
				t.Fatalf("err = %v", err)
			}
		})
		t.Run("ErrContinuesTaskOfAnotherMission", func(t *testing.T) {
			err := f.svc.CreateResolution(boss, resolution(2217, "2015-04-28", func(r *mandates.Resolution) {
				r.Tasks = []mandates.Task{{Title: "x", Category: mandates.CategoryPoC, Lineage: mandates.LineageContinues, Previous: other.Tasks[0].ID}}
			}))
			if peaceops.ErrorCode(err) != peaceops.EINVALID || !slices.Equal(fields(err), []string{"tasks[0].previous"}) {
				t.Fatalf("err = %v", err)
			}
		})

		second := mustCreate(t, boss, f.svc, resolution(2217, "2015-04-28", func(r *mandates.Resolution) {
			r.Tasks = []mandates.Task{
				{Title: "Protection of civilians", Category: mandates.CategoryPoC, Priority: true, Lineage: mandates.LineageContinues, Previous: first.Tasks[0].ID},
				{Category: mandates.CategoryPoliticalProcess, Lineage: mandates.LineageEnds, Previous: first.Tasks[1].ID},
				{Title: "Support to the elections", Category: mandates.CategoryElections, Lineage: mandates.LineageNew},
			}
		}))
		if second.Tasks[1].Title != "Support to the peace process" {
			t.Errorf("ended task title %q, want the title of the task it ends", second.Tasks[1].Title)
		}

		t.Run("ErrContinuesTaskOfOlderResolution", func(t *testing.T) {
			err := f.svc.CreateResolution(boss, resolution(2301, "2016-07-26", func(r *mandates.Resolution) {
				r.Tasks = []mandates.Task{{Title: "x", Category: mandates.CategoryPoC, Lineage: mandates.LineageContinues, Previous: first.Tasks[0].ID}}
			}))
			if peaceops.ErrorCode(err) != peaceops.EINVALID || !slices.Equal(fields(err), []string{"tasks[0].previous"}) {
				t.Fatalf("err = %v", err)
			}
		})
		t.Run("ErrContinuesEndedTask", func(t *testing.T) {
			err := f.svc.CreateResolution(boss, resolution(2301, "2016-07-26", func(r *mandates.Resolution) {
				r.Tasks = []mandates.Task{{Title: "x", Category: mandates.CategoryPoC, Lineage: mandates.LineageContinues, Previous: second.Tasks[1].ID}}
			}))
			if peaceops.ErrorCode(err) != peaceops.EINVALID || !slices.Equal(fields(err), []string{"tasks[0].previous"}) {
				t.Fatalf("err = %v", err)
			}
		})
		t.Run("ErrInsertingBetweenBreaksNext", func(t *testing.T) {
			// Adopted between the two: the second would then follow it,
			// and its tasks name tasks of the first.
			err := f.svc.CreateResolution(boss, resolution(2181, "2014-10-28", func(r *mandates.Resolution) { r.Tasks = nil }))
			if peaceops.ErrorCode(err) != peaceops.ECONFLICT {
				t.Fatalf("err = %v, want conflict", err)
			}
		})
		t.Run("ErrDeleteFirstWhileTakenUp", func(t *testing.T) {
			err := f.svc.DeleteResolution(boss, "MINUSCA", first.ID, first.Version)
			if peaceops.ErrorCode(err) != peaceops.ECONFLICT {
				t.Fatalf("err = %v, want conflict", err)
			}
		})
		t.Run("ErrRemoveTaskTakenUp", func(t *testing.T) {
			tasks := first.Tasks[1:]
			_, err := f.svc.UpdateResolution(boss, "MINUSCA", first.ID, mandates.Update{Tasks: &tasks}, first.Version)
			if peaceops.ErrorCode(err) != peaceops.ECONFLICT {
				t.Fatalf("err = %v, want conflict", err)
			}
		})
		t.Run("DeleteLastThenFirst", func(t *testing.T) {
			if err := f.svc.DeleteResolution(boss, "MINUSCA", second.ID, second.Version); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.DeleteResolution(boss, "MINUSCA", first.ID, first.Version); err != nil {
				t.Fatal(err)
			}
			if a := auditActions(t, db, second.ID); !slices.Equal(a, []string{"create", "delete"}) {
				t.Errorf("audit %v", a)
			}
		})
	})
}

func TestUpdate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		r := mustCreate(t, boss, f.svc, resolution(2149, "2014-04-10"))
		kept := r.Tasks[0].ID

		t.Run("OK", func(t *testing.T) {
			end := date("2015-04-30")
			ceilings := map[string]int{"military": 9560, "military_observers": 440, "military_total": 10000}
			tasks := []mandates.Task{r.Tasks[0], {Title: "Protection of the United Nations", Category: mandates.CategoryProtectionUN, Priority: true}}
			tasks[0].Title = "Protection of civilians under threat of physical violence"
			got, err := f.svc.UpdateResolution(paula, "MINUSCA", r.ID, mandates.Update{PeriodEnd: &end, Ceilings: &ceilings, Tasks: &tasks}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 2 || got.PeriodEnd != end || len(got.Ceilings) != 3 || got.Tasks[0].ID != kept ||
				got.Tasks[0].Title != tasks[0].Title || !peaceops.ValidID(got.Tasks[1].ID) || got.Tasks[1].ID == r.Tasks[1].ID {
				t.Errorf("updated %+v", got)
			}
			again, _ := f.svc.FindResolutionByID(vera, "MINUSCA", r.ID)
			if again.Version != 2 || len(again.Tasks) != 2 || again.Tasks[1].Title != "Protection of the United Nations" {
				t.Errorf("stored %+v", again)
			}
		})
		t.Run("ErrStaleVersion", func(t *testing.T) {
			note := "x"
			if _, err := f.svc.UpdateResolution(boss, "MINUSCA", r.ID, mandates.Update{SourceNote: &note}, 1); peaceops.ErrorCode(err) != peaceops.EPRECONDITION {
				t.Fatalf("err = %v", err)
			}
		})
		t.Run("ErrForeignTaskID", func(t *testing.T) {
			tasks := []mandates.Task{{ID: peaceops.NewID(), Title: "x", Category: mandates.CategoryPoC}}
			_, err := f.svc.UpdateResolution(boss, "MINUSCA", r.ID, mandates.Update{Tasks: &tasks}, 2)
			if peaceops.ErrorCode(err) != peaceops.EINVALID || !slices.Equal(fields(err), []string{"tasks[0].id"}) {
				t.Fatalf("err = %v", err)
			}
		})
		t.Run("ErrViewerForbidden", func(t *testing.T) {
			note := "x"
			if _, err := f.svc.UpdateResolution(vera, "MINUSCA", r.ID, mandates.Update{SourceNote: &note}, 2); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
				t.Fatalf("err = %v", err)
			}
			if _, err := f.svc.UpdateResolution(otto, "MINUSCA", r.ID, mandates.Update{SourceNote: &note}, 2); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Fatalf("outsider err = %v", err)
			}
		})
		t.Run("ErrInvalidPeriod", func(t *testing.T) {
			end := date("2014-01-01")
			_, err := f.svc.UpdateResolution(boss, "MINUSCA", r.ID, mandates.Update{PeriodEnd: &end}, 2)
			if peaceops.ErrorCode(err) != peaceops.EINVALID || !slices.Equal(fields(err), []string{"period_end"}) {
				t.Fatalf("err = %v", err)
			}
		})
		if a := auditActions(t, db, r.ID); !slices.Equal(a, []string{"create", "update"}) {
			t.Errorf("audit %v", a)
		}
	})
}

func TestTaskTitleAndCeilingsOn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first := mustCreate(t, boss, f.svc, resolution(2149, "2014-04-10", func(r *mandates.Resolution) {
			r.PeriodEnd = date("2015-04-30")
			r.Ceilings = map[string]int{"military_total": 10000, "military": 9560, "military_observers": 440, "police_fpu": 1400, "corrections": 20}
		}))
		second := mustCreate(t, boss, f.svc, resolution(2217, "2015-04-28", func(r *mandates.Resolution) {
			r.PeriodStart, r.PeriodEnd = date("2015-05-01"), date("2016-04-30")
			r.Tasks = continuing(first)
			r.Ceilings = map[string]int{"military": 10270, "police_ipo": 400}
		}))

		t.Run("TaskTitle", func(t *testing.T) {
			for _, tc := range []struct {
				name, id, want, code string
				ctx                  context.Context
			}{
				{"OK", first.Tasks[1].ID, "Support to the peace process", "", vera},
				{"OKLater", second.Tasks[0].ID, "Protection of civilians", "", paula},
				{"ErrUnknown", peaceops.NewID(), "", peaceops.ENOTFOUND, vera},
				{"ErrNotAnID", "poc", "", peaceops.ENOTFOUND, vera},
				{"ErrOtherMission", first.Tasks[0].ID, "", peaceops.ENOTFOUND, otto},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got, err := f.svc.TaskTitle(tc.ctx, "MINUSCA", tc.id)
					if peaceops.ErrorCode(err) != tc.code || got != tc.want {
						t.Fatalf("TaskTitle = %q, %v; want %q, %q", got, err, tc.want, tc.code)
					}
				})
			}
			if _, err := f.svc.TaskTitle(f.system, "MONUSCO", first.Tasks[0].ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Errorf("task of MINUSCA asked for as MONUSCO: %v", err)
			}
		})
		t.Run("CeilingsOn", func(t *testing.T) {
			for _, tc := range []struct {
				on   string
				want map[string]int
			}{
				{"2014-04-09", map[string]int{}},
				{"2014-04-10", map[string]int{"military": 9560, "military_observers": 440, "police_fpu": 1400}},
				{"2015-04-30", map[string]int{"military": 9560, "military_observers": 440, "police_fpu": 1400}},
				{"2015-05-01", map[string]int{"military": 10270, "police_ipo": 400}},
				{"2016-04-30", map[string]int{"military": 10270, "police_ipo": 400}},
				{"2016-05-01", map[string]int{}},
			} {
				got, err := f.svc.CeilingsOn(vera, "MINUSCA", date(tc.on))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tc.want) {
					t.Errorf("CeilingsOn(%s) = %v, want %v", tc.on, got, tc.want)
					continue
				}
				for k, v := range tc.want {
					if got[k] != v {
						t.Errorf("CeilingsOn(%s) = %v, want %v", tc.on, got, tc.want)
					}
				}
			}
			if _, err := f.svc.CeilingsOn(otto, "MINUSCA", date("2015-01-01")); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Errorf("outsider: %v", err)
			}
		})
	})
}

func TestExpiring(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first := mustCreate(t, boss, f.svc, resolution(2149, "2014-04-10", func(r *mandates.Resolution) { r.PeriodEnd = date("2015-04-30") }))
		for _, tc := range []struct {
			asOf            string
			days, threshold int // threshold 0: no warning
		}{
			{"2015-01-29", 91, 0},
			{"2015-01-30", 90, 90},
			{"2015-03-31", 30, 30},
			{"2015-04-01", 29, 30},
			{"2015-04-23", 7, 7},
			{"2015-04-30", 0, 7},
			{"2015-05-01", 0, 0},
		} {
			got, err := f.svc.Expiring(vera, "MINUSCA", date(tc.asOf))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.threshold == 0 && len(got) != 0:
				t.Errorf("Expiring(%s) = %+v, want none", tc.asOf, got)
			case tc.threshold != 0 && (len(got) != 1 || got[0].DaysLeft != tc.days || got[0].Threshold != tc.threshold || got[0].Resolution.ID != first.ID):
				t.Errorf("Expiring(%s) = %+v, want %d days, threshold %d", tc.asOf, got, tc.days, tc.threshold)
			}
		}
		mustCreate(t, boss, f.svc, resolution(2217, "2015-04-28", func(r *mandates.Resolution) {
			r.PeriodStart, r.PeriodEnd, r.Tasks = date("2015-05-01"), date("2016-04-30"), nil
		}))
		if got, _ := f.svc.Expiring(vera, "MINUSCA", date("2015-04-29")); len(got) != 0 {
			t.Errorf("renewed mandate still warned: %+v", got)
		}
	})
}

func TestDiff(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a := mustCreate(t, boss, f.svc, resolution(2149, "2014-04-10", func(r *mandates.Resolution) {
			r.PeriodEnd = date("2015-04-30")
			r.Tasks = append(r.Tasks, mandates.Task{Title: "Support to DDR", Category: mandates.CategoryDDR})
			r.Ceilings = map[string]int{"military": 9560, "police_fpu": 1400, "corrections": 20}
		}))
		b := mustCreate(t, boss, f.svc, resolution(2217, "2015-04-28", func(r *mandates.Resolution) {
			r.PeriodStart, r.PeriodEnd = date("2015-05-01"), date("2016-04-30")
			r.Ceilings = map[string]int{"military": 10270, "police_fpu": 1400, "police_ipo": 400}
			r.Tasks = []mandates.Task{
				{Title: "Protection of civilians", Category: mandates.CategoryPoC, Priority: true, Lineage: mandates.LineageContinues, Previous: a.Tasks[0].ID},
				{Title: "Good offices and support to the peace process", Category: mandates.CategoryPoliticalProcess, Priority: true, Lineage: mandates.LineageChanges, Previous: a.Tasks[1].ID},
				{Category: mandates.CategoryDDR, Lineage: mandates.LineageEnds, Previous: a.Tasks[2].ID},
				{Title: "Support to the elections", Category: mandates.CategoryElections},
			}
		}))
		c := mustCreate(t, boss, f.svc, resolution(2301, "2016-07-26", func(r *mandates.Resolution) {
			r.PeriodStart, r.PeriodEnd = date("2016-08-01"), date("2017-11-15")
			r.Ceilings = map[string]int{"military": 10270, "police_fpu": 1680, "police_ipo": 400}
			r.Tasks = continuing(b)
			r.Tasks = r.Tasks[:2] // elections not carried over
		}))

		d, err := f.svc.Diff(vera, "MINUSCA", "", b.ID)
		if err != nil {
			t.Fatal(err)
		}
		titles := func(ts []mandates.TaskRef) []string {
			var out []string
			for _, t := range ts {
				out = append(out, t.Title)
			}
			return out
		}
		if d.From.ID != a.ID || d.To.ID != b.ID || d.Between != 0 {
			t.Errorf("refs %+v -> %+v", d.From, d.To)
		}
		if got := titles(d.Added); !slices.Equal(got, []string{"Support to the elections"}) {
			t.Errorf("added %q", got)
		}
		if got := titles(d.Ended); !slices.Equal(got, []string{"Support to DDR"}) {
			t.Errorf("ended %q", got)
		}
		if got := titles(d.Continued); !slices.Equal(got, []string{"Protection of civilians"}) {
			t.Errorf("continued %q", got)
		}
		if len(d.Changed) != 1 || !d.Changed[0].Reworded || d.Changed[0].From.Title != "Support to the peace process" ||
			d.Changed[0].To.Title != "Good offices and support to the peace process" || d.Changed[0].From.Priority || !d.Changed[0].To.Priority {
			t.Errorf("changed %+v", d.Changed)
		}
		wantCeilings := []struct {
			cat, dir string
			change   int
		}{{"military", "raised", 710}, {"police_fpu", "unchanged", 0}, {"police_ipo", "set", 0}, {"corrections", "dropped", 0}}
		if len(d.Ceilings) != len(wantCeilings) {
			t.Fatalf("ceilings %+v", d.Ceilings)
		}
		for i, w := range wantCeilings {
			if g := d.Ceilings[i]; g.Category != w.cat || g.Direction != w.dir || g.Change != w.change {
				t.Errorf("ceiling %d = %+v, want %+v", i, g, w)
			}
		}
		if !d.Period.Extended || d.Period.Days != 366 {
			t.Errorf("period %+v, want extended by 366 days", d.Period)
		}

		// Across the chain: the peace process task is still changed from a,
		// the elections task came and went, DDR ended in between.
		d, err = f.svc.Diff(vera, "MINUSCA", c.ID, a.ID) // either order
		if err != nil {
			t.Fatal(err)
		}
		if d.From.ID != a.ID || d.To.ID != c.ID || d.Between != 1 {
			t.Errorf("refs %+v -> %+v, between %d", d.From, d.To, d.Between)
		}
		if len(d.Added) != 0 || len(d.Changed) != 1 || !slices.Equal(titles(d.Continued), []string{"Protection of civilians"}) ||
			!slices.Equal(titles(d.Ended), []string{"Support to DDR"}) {
			t.Errorf("diff a..c: added %v changed %v continued %v ended %v", d.Added, d.Changed, titles(d.Continued), titles(d.Ended))
		}
		if fpu := d.Ceilings[1]; fpu.Category != "police_fpu" || fpu.Direction != "raised" || fpu.Change != 280 {
			t.Errorf("fpu %+v", fpu)
		}

		d, err = f.svc.Diff(vera, "MINUSCA", "", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(titles(d.Ended), []string{"Support to the elections"}) || len(d.Continued) != 2 {
			t.Errorf("diff b..c: ended %v continued %v", titles(d.Ended), titles(d.Continued))
		}

		for name, tc := range map[string]struct{ from, to, code string }{
			"ErrFirstHasNoPrevious": {"", a.ID, peaceops.EINVALID},
			"ErrSame":               {b.ID, b.ID, peaceops.EINVALID},
			"ErrUnknown":            {"", peaceops.NewID(), peaceops.ENOTFOUND},
		} {
			if _, err := f.svc.Diff(vera, "MINUSCA", tc.from, tc.to); peaceops.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", name, err, tc.code)
			}
		}
		if _, err := f.svc.Diff(otto, "MINUSCA", "", b.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("outsider: %v", err)
		}
	})
}
