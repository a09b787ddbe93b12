package mandates_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"

	"github.com/peaceops/peaceops/mandates"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestSeedMINUSCA(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if err := mandates.SeedMINUSCA(f.system, f.svc); err != nil {
			t.Fatal(err)
		}
		if err := mandates.SeedMINUSCA(f.system, f.svc); err != nil {
			t.Fatalf("second seed: %v", err)
		}
		chain, err := f.svc.FindResolutions(vera, "MINUSCA")
		if err != nil {
			t.Fatal(err)
		}
		var symbols []string
		bySymbol := map[string]*mandates.Resolution{}
		for _, r := range chain {
			symbols = append(symbols, r.Symbol)
			bySymbol[r.Symbol] = r
			if !r.ChapterVII || !strings.HasPrefix(r.DocumentURL, "https://undocs.org/S/RES/") || r.SourceNote == "" {
				t.Errorf("%s: chapter VII %v, document %q, note %q", r.Symbol, r.ChapterVII, r.DocumentURL, r.SourceNote)
			}
		}
		want := []string{"S/RES/2149 (2014)", "S/RES/2217 (2015)", "S/RES/2301 (2016)", "S/RES/2387 (2017)", "S/RES/2448 (2018)",
			"S/RES/2499 (2019)", "S/RES/2552 (2020)", "S/RES/2566 (2021)", "S/RES/2605 (2021)", "S/RES/2659 (2022)",
			"S/RES/2709 (2023)", "S/RES/2759 (2024)"}
		if !slices.Equal(symbols, want) {
			t.Fatalf("chain %q, want %q (seeding twice must not duplicate)", symbols, want)
		}

		first := bySymbol["S/RES/2149 (2014)"]
		if first.Adopted != date("2014-04-10") || first.PeriodEnd != date("2015-04-30") || first.DocumentURL != "https://undocs.org/S/RES/2149(2014)" {
			t.Errorf("2149: %+v", first)
		}
		for k, v := range map[string]int{"military_total": 10000, "military": 9560, "military_observers": 440, "police_total": 1800, "police_fpu": 1400, "police_ipo": 400} {
			if first.Ceilings[k] != v {
				t.Errorf("2149 ceiling %s = %d, want %d", k, first.Ceilings[k], v)
			}
		}
		if len(first.Tasks) != 7 || first.Tasks[0].Title != "Protection of civilians" || !first.Tasks[0].Priority {
			t.Errorf("2149 tasks %+v", first.Tasks)
		}

		// What the contract answers on days of the chain.
		for _, tc := range []struct {
			on   string
			want map[string]int
		}{
			{"2014-09-15", map[string]int{"military": 9560, "military_observers": 440, "police_fpu": 1400, "police_ipo": 400}},
			{"2018-01-01", map[string]int{"military": 11170, "military_observers": 480, "police_fpu": 1680, "police_ipo": 400}},
			{"2016-06-01", map[string]int{}}, // the unentered technical rollover
			{"2024-06-01", map[string]int{}}, // 2709 states only the totals
		} {
			got, err := f.svc.CeilingsOn(vera, "MINUSCA", date(tc.on))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("CeilingsOn(%s) = %v, want %v", tc.on, got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("CeilingsOn(%s)[%s] = %d, want %d", tc.on, k, got[k], v)
				}
			}
		}

		t.Run("Diff2149To2217", func(t *testing.T) {
			d, err := f.svc.Diff(vera, "MINUSCA", "", bySymbol["S/RES/2217 (2015)"].ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][3]any{
				"military_total":     {10000, 10750, "raised"},
				"military":           {9560, 10270, "raised"},
				"military_observers": {440, 480, "raised"},
				"police_total":       {1800, 2080, "raised"},
				"police_fpu":         {1400, 1680, "raised"},
				"police_ipo":         {400, 400, "unchanged"},
			}
			if len(d.Ceilings) != len(want) {
				t.Fatalf("ceilings %+v", d.Ceilings)
			}
			for _, c := range d.Ceilings {
				w := want[c.Category]
				if c.From == nil || c.To == nil || *c.From != w[0] || *c.To != w[1] || c.Direction != w[2] || c.Change != w[1].(int)-w[0].(int) {
					t.Errorf("%s: %v -> %v %s, want %v", c.Category, c.From, c.To, c.Direction, w)
				}
			}
			if !d.Period.Extended || d.Period.Days != 366 {
				t.Errorf("period %+v", d.Period)
			}
			if d.TasksRecorded || len(d.Ended) != 0 {
				t.Errorf("2217 has no tasks entered: recorded %v, ended %v", d.TasksRecorded, d.Ended)
			}
		})
		t.Run("Diff2301To2387", func(t *testing.T) {
			d, err := f.svc.Diff(vera, "MINUSCA", bySymbol["S/RES/2301 (2016)"].ID, bySymbol["S/RES/2387 (2017)"].ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range d.Ceilings {
				switch c.Category {
				case "military_total", "military":
					if c.Direction != "raised" || c.Change != 900 {
						t.Errorf("%s %+v, want raised by 900", c.Category, c)
					}
				default:
					if c.Direction != "unchanged" {
						t.Errorf("%s %+v, want unchanged", c.Category, c)
					}
				}
			}
		})
		t.Run("Diff2709To2759", func(t *testing.T) {
			d, err := f.svc.Diff(vera, "MINUSCA", "", bySymbol["S/RES/2759 (2024)"].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Continued) != 9 || len(d.Added)+len(d.Changed)+len(d.Ended) != 0 {
				t.Errorf("tasks: continued %d added %d changed %d ended %d", len(d.Continued), len(d.Added), len(d.Changed), len(d.Ended))
			}
			priority := 0
			for _, task := range d.Continued {
				if task.Priority {
					priority++
				}
			}
			if priority != 4 {
				t.Errorf("%d priority tasks, want 4", priority)
			}
			if !d.Period.Extended || d.Period.Days != 365 || d.Period.ToEnd != date("2025-11-15") {
				t.Errorf("period %+v", d.Period)
			}
			for _, c := range d.Ceilings {
				if c.Direction != "unchanged" {
					t.Errorf("ceiling %+v", c)
				}
			}
		})
		t.Run("Diff2659To2759AcrossTheChain", func(t *testing.T) {
			d, err := f.svc.Diff(vera, "MINUSCA", bySymbol["S/RES/2659 (2022)"].ID, bySymbol["S/RES/2759 (2024)"].ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Between != 1 || len(d.Continued) != 9 {
				t.Errorf("between %d, continued %d", d.Between, len(d.Continued))
			}
		})
		t.Run("Expiring", func(t *testing.T) {
			got, err := f.svc.Expiring(vera, "MINUSCA", date("2025-10-20"))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Resolution.Symbol != "S/RES/2759 (2024)" || got[0].DaysLeft != 26 || got[0].Threshold != 30 {
				t.Errorf("Expiring = %+v", got)
			}
		})
	})
}

// BenchmarkHistory reads MINUSCA's seeded chain and compares every
// resolution with the one before it: the history page's work.
func BenchmarkHistory(b *testing.B) {
	db := storetest.Open(b, "sqlite")
	f := &fixture{db: db, svc: mandates.NewService(db), system: newFixtureB(b, db)}
	if err := mandates.SeedMINUSCA(f.system, f.svc); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		chain, err := f.svc.FindResolutions(vera, "MINUSCA")
		if err != nil {
			b.Fatal(err)
		}
		for i := 1; i < len(chain); i++ {
			mandates.Compare(chain, i-1, i)
		}
	}
}

// CeilingsOnDays answers, in one read, what CeilingsOn answers day by day.
func TestCeilingsOnDays(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if err := mandates.SeedMINUSCA(f.system, f.svc); err != nil {
			t.Fatal(err)
		}
		var days []peaceops.Date
		for y := 2013; y <= 2025; y++ {
			for m := time.January; m <= time.December; m++ {
				days = append(days, peaceops.Date{Year: y, Month: m, Day: 15})
			}
		}
		all, err := f.svc.CeilingsOnDays(vera, "MINUSCA", days)
		if err != nil || len(all) != len(days) {
			t.Fatalf("%d answers, %v", len(all), err)
		}
		some := 0
		for i, day := range days {
			one, err := f.svc.CeilingsOn(vera, "MINUSCA", day)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(one, all[i]) {
				t.Errorf("%s: CeilingsOnDays %v, CeilingsOn %v", day, all[i], one)
			}
			if len(one) > 0 {
				some++
			}
		}
		if some == 0 {
			t.Error("no day has ceilings: the comparison proves nothing")
		}
	})
}
