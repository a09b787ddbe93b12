package alerts_test

import (
	"math"
	"testing"

	"github.com/peaceops/peaceops/alerts"
)

// Reference values computed with mpmath 1.3 at 50 digits:
// Poisson P(X >= k) = gammainc(k, 0, mu, regularized=True);
// negative binomial P(X >= k) = betainc(k, size, 0, mean/(size+mean), regularized=True).

func TestPoissonTail(t *testing.T) {
	for _, tt := range []struct {
		name string
		k    int
		mu   float64
		want float64
	}{
		{"Ouaka14vs3.1", 14, 3.1, 4.9109175665149233e-6},
		{"AtLeastOne", 1, 3.1, 0.9549507976064422},
		{"BelowMean", 3, 3.1, 0.59883685268536776},
		{"AboveMean", 5, 3.1, 0.20181053608553391},
		{"FarTail", 50, 3.1, 5.8330645599184721e-42},
		{"ExtremeTail", 200, 3.1, 1.0861429028319361e-278},
		{"TinyMean", 1, 1e-10, 9.9999999995e-11},
		{"AtMean100", 100, 100, 0.51329879827914866},
		{"NormalRegimeUpper", 10300, 10000, 0.001432365367466765},
		{"NormalRegimeLower", 9700, 10000, 0.99873013184354395},
		{"MillionOneSigma", 1000000, 999000, 0.15865521357430365},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertClose(t, alerts.PoissonTail(tt.k, tt.mu), tt.want, 1e-11)
		})
	}
}

func TestPoissonTailEdges(t *testing.T) {
	for _, tt := range []struct {
		name string
		k    int
		mu   float64
		want float64
	}{
		{"ZeroCountIsCertain", 0, 3.1, 1},
		{"NegativeCountIsCertain", -2, 3.1, 1},
		{"ZeroCountZeroMean", 0, 0, 1},
		{"ZeroMeanNeverReachesOne", 1, 0, 0},
		{"InfiniteMean", 5, math.Inf(1), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := alerts.PoissonTail(tt.k, tt.mu); got != tt.want {
				t.Errorf("PoissonTail(%d, %g) = %g, want %g", tt.k, tt.mu, got, tt.want)
			}
		})
	}
	if got := alerts.PoissonTail(3, -1); !math.IsNaN(got) {
		t.Errorf("PoissonTail(3, -1) = %g, want NaN", got)
	}
}

func TestNegBinomialTail(t *testing.T) {
	for _, tt := range []struct {
		name             string
		k                int
		mean, size, want float64
	}{
		{"Ouaka14vs3.1Bursty", 14, 3.1, 1.5, 0.010504735997792857},
		{"SmallMeanSmallSize", 3, 0.3, 0.5, 0.019508635641151915},
		{"FarTail", 100, 5, 2, 7.2122162093679763e-14},
		{"BelowMean", 10, 12.4, 3.6, 0.59463726730024773},
		{"VeryBursty", 1, 2, 0.01, 0.051651330087240602},
		{"LargeSize", 60, 10, 1000, 2.1616085795556781e-26},
		{"NearPoisson", 14, 3.1, 1e9, 4.910917837581338e-6},
		{"JeffreysNewActivity", 3, 0.5 * 4 / 52, 0.5, 0.00011707291460771389},
		{"HeavyTail", 500, 20, 0.7, 1.0990411967832252e-8},
		{"LargeCounts", 5000, 4000, 50, 0.046982697930144019},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertClose(t, alerts.NegBinomialTail(tt.k, tt.mean, tt.size), tt.want, 1e-11)
		})
	}
}

func TestNegBinomialTailEdges(t *testing.T) {
	if got := alerts.NegBinomialTail(0, 3, 2); got != 1 {
		t.Errorf("P(X >= 0) = %g, want 1", got)
	}
	if got := alerts.NegBinomialTail(1, 0, 2); got != 0 {
		t.Errorf("P(X >= 1 | mean 0) = %g, want 0", got)
	}
	if got, want := alerts.NegBinomialTail(7, 3, math.Inf(1)), alerts.PoissonTail(7, 3); got != want {
		t.Errorf("infinite size = %g, want the Poisson tail %g", got, want)
	}
	for _, bad := range [][2]float64{{-1, 2}, {3, 0}, {3, -1}, {math.NaN(), 2}, {3, math.NaN()}} {
		if got := alerts.NegBinomialTail(3, bad[0], bad[1]); !math.IsNaN(got) {
			t.Errorf("NegBinomialTail(3, %g, %g) = %g, want NaN", bad[0], bad[1], got)
		}
	}
}

// Direct summation of the probability mass, by the recurrences
// P(j+1) = P(j)·mu/(j+1) and P(j+1) = P(j)·q·(j+size)/(j+1), is exact enough
// at small parameters to check every k of a grid.
func TestTailsMatchDirectSummation(t *testing.T) {
	const terms = 400
	for _, mu := range []float64{0.05, 0.7, 3.1, 12} {
		pmf := make([]float64, terms)
		pmf[0] = math.Exp(-mu)
		for j := 1; j < terms; j++ {
			pmf[j] = pmf[j-1] * mu / float64(j)
		}
		for k := 0; k < 40; k++ {
			assertClose(t, alerts.PoissonTail(k, mu), tailSum(pmf, k), 1e-11)
		}
	}
	for _, mean := range []float64{0.2, 3.1, 9} {
		for _, size := range []float64{0.3, 1, 2.5, 40} {
			p, q := size/(size+mean), mean/(size+mean)
			pmf := make([]float64, 4*terms)
			pmf[0] = math.Pow(p, size)
			for j := 1; j < len(pmf); j++ {
				pmf[j] = pmf[j-1] * q * (float64(j-1) + size) / float64(j)
			}
			for k := 0; k < 40; k++ {
				if want := tailSum(pmf, k); want > 1e-200 {
					assertClose(t, alerts.NegBinomialTail(k, mean, size), want, 1e-10)
				}
			}
		}
	}
}

// tailSum returns Σ pmf[j] for j >= k, smallest terms first.
func tailSum(pmf []float64, k int) float64 {
	var s float64
	for j := len(pmf) - 1; j >= k; j-- {
		s += pmf[j]
	}
	return s
}

func TestNegBinomialTendsToPoisson(t *testing.T) {
	for _, tt := range []struct {
		k  int
		mu float64
	}{{14, 3.1}, {3, 3.1}, {40, 12}, {1, 0.01}} {
		poisson := alerts.PoissonTail(tt.k, tt.mu)
		prevErr := math.Inf(1)
		for _, size := range []float64{10, 1e2, 1e3, 1e4, 1e6, 1e9, 1e12} {
			nb := alerts.NegBinomialTail(tt.k, tt.mu, size)
			err := math.Abs(nb-poisson) / poisson
			if err > prevErr*(1+1e-6)+1e-12 {
				t.Errorf("k=%d mu=%g size=%g: relative gap %g grew from %g", tt.k, tt.mu, size, err, prevErr)
			}
			prevErr = err
		}
		if prevErr > 1e-9 {
			t.Errorf("k=%d mu=%g: size 1e12 still %g away from Poisson", tt.k, tt.mu, prevErr)
		}
	}
}

func TestTailsDecreaseWithCount(t *testing.T) {
	prevP, prevNB := 1.0, 1.0
	for k := 0; k <= 300; k++ {
		p, nb := alerts.PoissonTail(k, 7.5), alerts.NegBinomialTail(k, 7.5, 1.2)
		if p > prevP || nb > prevNB {
			t.Fatalf("k=%d: tails rose: Poisson %g -> %g, NB %g -> %g", k, prevP, p, prevNB, nb)
		}
		if p < 0 || nb < 0 {
			t.Fatalf("k=%d: negative tail", k)
		}
		prevP, prevNB = p, nb
	}
}

func TestAdjustBH(t *testing.T) {
	t.Run("MatchesReferenceExample", func(t *testing.T) {
		// The example of R's p.adjust(p, "BH").
		p := []float64{0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216}
		want := []float64{0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.10571428571428572, 0.216, 0.216, 0.216}
		for i, got := range alerts.AdjustBH(p) {
			assertClose(t, got, want[i], 1e-12)
		}
	})
	t.Run("KeepsInputOrder", func(t *testing.T) {
		got := alerts.AdjustBH([]float64{0.5, 0.01, 0.02})
		want := []float64{0.5, 0.03, 0.03}
		for i := range want {
			assertClose(t, got[i], want[i], 1e-12)
		}
	})
	t.Run("CapsAtOne", func(t *testing.T) {
		for _, got := range alerts.AdjustBH([]float64{0.9, 1, 0.95}) {
			if got > 1 {
				t.Errorf("adjusted p %g above 1", got)
			}
		}
	})
	t.Run("Empty", func(t *testing.T) {
		if got := alerts.AdjustBH(nil); len(got) != 0 {
			t.Errorf("AdjustBH(nil) = %v", got)
		}
	})
}

func assertClose(tb testing.TB, got, want, rel float64) {
	tb.Helper()
	if want == 0 {
		if got != 0 {
			tb.Errorf("got %.17g, want 0", got)
		}
		return
	}
	if math.IsNaN(got) || math.Abs(got-want)/math.Abs(want) > rel {
		tb.Errorf("got %.17g, want %.17g (relative error %.2g > %.2g)", got, want, math.Abs(got-want)/math.Abs(want), rel)
	}
}
