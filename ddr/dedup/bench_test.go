package dedup_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops/ddr/dedup"
)

var (
	genMu    sync.Mutex
	genCache = map[int]*dedup.Generated{}
)

// generated returns the labelled set of n records (seed 42, 10%
// re-registrations), built once per size.
func generated(n int) *dedup.Generated {
	genMu.Lock()
	defer genMu.Unlock()
	if g, ok := genCache[n]; ok {
		return g
	}
	g := dedup.Generate(dedup.GenConfig{Seed: 42, N: n, DupRate: 0.10})
	genCache[n] = g
	return g
}

// BenchmarkBatch deduplicates a whole set: index build plus blocked
// scoring. It reports recall and precision of the run alongside the time.
//
// The -cap variants lower Index.MaxBlock: keys gathering more records
// than that are skipped (other keys still pair most of their duplicates).
func BenchmarkBatch(b *testing.B) {
	for _, c := range []struct{ n, cap int }{{100_000, 0}, {1_000_000, 0}, {1_000_000, 300}} {
		name := itoa(c.n)
		if c.cap > 0 {
			name += "-cap" + strconv.Itoa(c.cap)
		}
		b.Run(name, func(b *testing.B) {
			g := generated(c.n)
			b.ResetTimer()
			var ms []dedup.Match
			var st dedup.Stats
			for i := 0; i < b.N; i++ {
				ix := dedup.NewIndex(g.Records)
				if c.cap > 0 {
					ix.MaxBlock = c.cap
				}
				ms, st = ix.Pairs(dedup.Threshold)
			}
			b.StopTimer()
			recall, precision, _ := quality(g, ms)
			b.ReportMetric(recall, "recall")
			b.ReportMetric(precision, "precision")
			b.ReportMetric(float64(st.Comparisons), "comparisons")
			b.ReportMetric(float64(st.SkippedBlocks), "skipped-blocks")
		})
	}
}

// BenchmarkAllPairs is the quadratic baseline on 20,000 records; multiply
// by (N/20,000)^2 to extrapolate.
func BenchmarkAllPairs(b *testing.B) {
	g := generated(20_000)
	b.ResetTimer()
	var ms []dedup.Match
	for i := 0; i < b.N; i++ {
		ms, _ = dedup.AllPairs(g.Records, dedup.Threshold)
	}
	b.StopTimer()
	recall, precision, _ := quality(g, ms)
	b.ReportMetric(recall, "recall")
	b.ReportMetric(precision, "precision")
}

// BenchmarkCandidates checks new registrations one by one against an
// index of the other 999,000 of a 1,000,000 set; one op is 1,000 checks.
// It reports the median and 99th percentile latency of a check.
func BenchmarkCandidates(b *testing.B) {
	g := generated(1_000_000)
	ix := dedup.NewIndex(g.Records[:len(g.Records)-1000])
	probes := g.Records[len(g.Records)-1000:]
	b.ResetTimer()
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		for k := range probes {
			t := time.Now()
			ix.Candidates(&probes[k], dedup.Threshold)
			lat = append(lat, time.Since(t))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func itoa(n int) string {
	if n >= 1_000_000 {
		return strconv.Itoa(n/1_000_000) + "M"
	}
	return strconv.Itoa(n/1000) + "k"
}
