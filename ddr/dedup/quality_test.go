package dedup_test

import (
	"testing"

	"github.com/peaceops/peaceops/ddr/dedup"
)

// quality measures pairwise recall and precision of matches against the
// labels of a generated set.
func quality(g *dedup.Generated, ms []dedup.Match) (recall, precision float64, tp int) {
	idx := map[string]int{}
	for i, r := range g.Records {
		idx[r.ID] = i
	}
	for _, m := range ms {
		if g.Person[idx[m.A]] == g.Person[idx[m.B]] {
			tp++
		}
	}
	truth := g.TruePairs()
	recall = float64(tp) / float64(truth)
	precision = 1
	if len(ms) > 0 {
		precision = float64(tp) / float64(len(ms))
	}
	return recall, precision, tp
}

func TestQuality(t *testing.T) {
	tests := []struct {
		name string
		cfg  dedup.GenConfig
	}{
		{"20k_10pct", dedup.GenConfig{Seed: 1, N: 20000, DupRate: 0.10}},
		{"20k_25pct", dedup.GenConfig{Seed: 2, N: 20000, DupRate: 0.25}},
		{"50k_10pct", dedup.GenConfig{Seed: 3, N: 50000, DupRate: 0.10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.cfg.N > 20000 {
				t.Skip("short")
			}
			g := dedup.Generate(tc.cfg)
			ix := dedup.NewIndex(g.Records)
			ms, st := ix.Pairs(dedup.Threshold)
			recall, precision, tp := quality(g, ms)
			t.Logf("%s: records %d, true pairs %d, found %d (tp %d), recall %.4f precision %.4f, comparisons %d, skipped blocks %d",
				tc.name, len(g.Records), g.TruePairs(), len(ms), tp, recall, precision, st.Comparisons, st.SkippedBlocks)
			if recall < 0.95 || precision < 0.90 {
				t.Errorf("recall %.4f precision %.4f: want recall >= 0.95 at precision >= 0.90", recall, precision)
			}
		})
	}
}
