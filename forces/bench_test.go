package forces_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// benchEngines runs fn as a sub-benchmark per engine.
func benchEngines(b *testing.B, fn func(b *testing.B, engine store.Dialect)) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) { fn(b, e) })
	}
}

// ipiFile returns the IPI gender file (29 114 contributor-mission-months,
// about 57 000 non-zero returns) and its missions.
func ipiFile(b *testing.B) ([]byte, []string) {
	raw, err := os.ReadFile(shareddata.Path(b, "ipi-peacekeeping-contributions", "tcc_Gender.Full.csv"))
	if err != nil {
		b.Fatal(err)
	}
	rows, _, err := forces.ReadContributions(bytes.NewReader(raw), "bench")
	if err != nil {
		b.Fatal(err)
	}
	seen := map[string]bool{}
	var codes []string
	for _, r := range rows {
		if !seen[r.Mission] {
			seen[r.Mission] = true
			codes = append(codes, r.Mission)
		}
	}
	return raw, codes
}

// BenchmarkImportIPI imports the whole IPI gender file through the service
// (read, validate, replace per mission-month, audit) into a fresh database
// and reports returns written per second.
func BenchmarkImportIPI(b *testing.B) {
	raw, codes := ipiFile(b)
	benchEngines(b, func(b *testing.B, engine store.Dialect) {
		var rows int
		for b.Loop() {
			b.StopTimer()
			f := newFixture(b, storetest.Open(b, engine))
			f.createMissions(b, codes)
			b.StartTimer()
			res, err := f.svc.ImportContributions(f.sys, bytes.NewReader(raw), forces.ImportOptions{Source: "tcc_Gender.Full.csv"})
			if err != nil {
				b.Fatal(err)
			}
			rows = res.Imported
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkImportFloor is the engine's floor on the same returns: one
// prepared INSERT executed per row in one transaction, nothing else.
func BenchmarkImportFloor(b *testing.B) {
	raw, codes := ipiFile(b)
	rows, _, err := forces.ReadContributions(bytes.NewReader(raw), "bench")
	if err != nil {
		b.Fatal(err)
	}
	benchEngines(b, func(b *testing.B, engine store.Dialect) {
		for b.Loop() {
			b.StopTimer()
			f := newFixture(b, storetest.Open(b, engine))
			f.createMissions(b, codes)
			b.StartTimer()
			err := f.db.Update(f.sys, func(tx *store.Tx) error {
				stmt, err := tx.PrepareContext(context.Background(), `INSERT INTO forces_strength
					(mission, month, country, category, sex, personnel, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`)
				if err != nil {
					return err
				}
				defer stmt.Close()
				for _, r := range rows {
					if _, err := stmt.Exec(r.Mission, string(r.Month), r.Country, string(r.Category), string(r.Sex), r.Personnel, r.Source, int64(0)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkStrengthOverTime times the strength-over-time query behind the
// chart for a mission with 15 years of monthly returns from 60
// contributors (troops, staff officers, experts, FPU and IPO by sex:
// 172 800 returns) and ceilings entered on the mission. Goal: <= 100 ms.
func BenchmarkStrengthOverTime(b *testing.B) {
	countries := []string{"RWA", "BGD", "PAK", "EGY", "ZMB", "NPL", "SEN", "MAR", "CMR", "BDI", "MRT", "IDN", "PER", "TZA", "GHA",
		"NGA", "IND", "CHN", "FRA", "PRT", "SRB", "BRA", "URY", "GTM", "JOR", "TUN", "NER", "TGO", "BEN", "GIN",
		"KEN", "ETH", "MWI", "ZAF", "LKA", "VNM", "KHM", "MNG", "FJI", "NZL", "AUS", "CAN", "USA", "GBR", "DEU",
		"ITA", "ESP", "NLD", "SWE", "NOR", "FIN", "DNK", "POL", "ROU", "BGR", "UKR", "MDA", "ARG", "CHL", "COL"}
	cats := []forces.Category{forces.CatTroops, forces.CatStaffOfficers, forces.CatMilitaryExperts, forces.CatFPU, forces.CatIPO}
	benchEngines(b, func(b *testing.B, engine store.Dialect) {
		f := newFixture(b, storetest.Open(b, engine))
		var rs []forces.Return
		for y := 2010; y < 2025; y++ {
			for m := 1; m <= 12; m++ {
				month := forces.Month(fmt.Sprintf("%04d-%02d", y, m))
				for i, c := range countries {
					for j, cat := range cats {
						rs = append(rs, forces.Return{Month: month, Country: c, Category: cat, Sex: forces.SexMale, Personnel: 100 + i + j},
							forces.Return{Month: month, Country: c, Category: cat, Sex: forces.SexFemale, Personnel: 5 + j})
					}
				}
			}
		}
		for i := 0; i < len(rs); i += 20000 {
			if err := f.svc.RecordReturns(f.sys, "MINUSCA", rs[i:min(i+20000, len(rs))]); err != nil {
				b.Fatal(err)
			}
		}
		for y := 2010; y < 2025; y += 2 {
			for _, c := range forces.CeilingCategories {
				if err := f.svc.SetCeiling(f.sys, "MINUSCA", forces.Ceiling{Category: c, Effective: date(fmt.Sprintf("%d-06-30", y)), Ceiling: 10000 + y}); err != nil {
					b.Fatal(err)
				}
			}
		}
		var worst time.Duration
		for b.Loop() {
			start := time.Now()
			points, err := f.svc.Strength(vera, "MINUSCA", "", "")
			if err != nil {
				b.Fatal(err)
			}
			if len(points) != 180 {
				b.Fatalf("%d months", len(points))
			}
			worst = max(worst, time.Since(start))
		}
		b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
	})
}
