package alerts

import (
	"cmp"
	"math"
	"slices"
)

// The distribution functions below work in log space around the regularised
// incomplete gamma and beta functions (continued fractions and series after
// Numerical Recipes §6.2 and §6.4, with the modified Lentz method), so that
// tail probabilities far below 1e-16 keep their relative accuracy and large
// counts never overflow a factorial.

const (
	epsilon = 1e-15   // relative convergence of series and continued fractions
	tiny    = 1e-300  // guard against division by zero in Lentz's method
	maxIter = 1000000 // iterations grow like sqrt(max parameter); this is never reached in practice
)

// PoissonTail returns P(X >= k) for X ~ Poisson(mu): 1 when k <= 0, 0 when
// mu is 0 and k >= 1. It returns NaN when mu is negative or NaN.
func PoissonTail(k int, mu float64) float64 {
	switch {
	case !(mu >= 0):
		return math.NaN()
	case k <= 0:
		return 1
	case mu == 0:
		return 0
	case math.IsInf(mu, 1):
		return 1
	}
	// P(X >= k) = P(k, mu), the regularised lower incomplete gamma function.
	p, _ := gammaPQ(float64(k), mu)
	return p
}

// NegBinomialTail returns P(X >= k) for X negative binomial with the given
// mean and size (also called r or the dispersion parameter; the variance is
// mean + mean²/size). Size +Inf gives the Poisson tail. It returns 1 when
// k <= 0, 0 when mean is 0 and k >= 1, and NaN when mean is negative or size
// is not positive.
func NegBinomialTail(k int, mean, size float64) float64 {
	switch {
	case !(mean >= 0) || !(size > 0):
		return math.NaN()
	case k <= 0:
		return 1
	case mean == 0:
		return 0
	case math.IsInf(size, 1):
		return PoissonTail(k, mean)
	case math.IsInf(mean, 1):
		return 1
	}
	// With success probability p = size/(size+mean) and q = 1-p,
	// P(X <= k-1) = I_p(size, k), so P(X >= k) = I_q(k, size). Both p and q
	// are formed directly, never as 1 minus the other, to keep the small one
	// exact.
	q := mean / (size + mean)
	p := size / (size + mean)
	return betaInc(float64(k), size, q, p)
}

// chiSquareTail returns P(X >= x) for X ~ chi-square with df degrees of
// freedom.
func chiSquareTail(x, df float64) float64 {
	if x <= 0 {
		return 1
	}
	_, q := gammaPQ(df/2, x/2)
	return q
}

// gammaPQ returns the regularised lower and upper incomplete gamma functions
// P(a, x) and Q(a, x) = 1 - P(a, x) for a > 0, x > 0. The smaller of the two
// is computed directly (series for P when x < a+1, continued fraction for Q
// otherwise), the larger as its complement.
func gammaPQ(a, x float64) (p, q float64) {
	logPrefix := gammaLogPrefix(a, x)
	if x < a+1 {
		p = math.Exp(logPrefix) * gammaSeries(a, x)
		return p, 1 - p
	}
	q = math.Exp(logPrefix) * gammaFraction(a, x)
	return 1 - q, q
}

// gammaLogPrefix returns log(x^a e^-x / Γ(a)). For large a the direct sum
// of terms of size a·log a loses digits; Stirling's series rewrites it as
// a·(log1p(t) - t) + log(a)/2 - log(2π)/2 - ω(a) with t = (x-a)/a, whose
// terms are only as large as x - a.
func gammaLogPrefix(a, x float64) float64 {
	if a < 10 {
		lg, _ := math.Lgamma(a)
		return a*math.Log(x) - x - lg
	}
	t := (x - a) / a
	return a*(math.Log1p(t)-t) + 0.5*math.Log(a/(2*math.Pi)) - stirlingRemainder(a)
}

// gammaSeries returns Σ x^n / (a (a+1) ... (a+n)), so that
// P(a, x) = x^a e^-x / Γ(a) × gammaSeries(a, x).
func gammaSeries(a, x float64) float64 {
	ap, term := a, 1/a
	sum := term
	for range maxIter {
		ap++
		term *= x / ap
		sum += term
		if math.Abs(term) < math.Abs(sum)*epsilon {
			break
		}
	}
	return sum
}

// gammaFraction evaluates the continued fraction for Q(a, x) without its
// prefix x^a e^-x / Γ(a).
func gammaFraction(a, x float64) float64 {
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i <= maxIter; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = guard(an*d + b)
		c = guard(b + an/c)
		d = 1 / d
		delta := d * c
		h *= delta
		if math.Abs(delta-1) < epsilon {
			break
		}
	}
	return h
}

// betaInc returns the regularised incomplete beta function I_x(a, b) for
// a, b > 0 and 0 <= x <= 1, with y = 1 - x supplied by the caller so that
// whichever of x and y is small carries full precision.
func betaInc(a, b, x, y float64) float64 {
	switch {
	case x <= 0:
		return 0
	case y <= 0:
		return 1
	}
	logPrefix := a*logOf(x, y) + b*logOf(y, x) - logBeta(a, b) // log(x^a y^b / B(a,b))
	if x < (a+1)/(a+b+2) {
		return math.Exp(logPrefix) * betaFraction(a, b, x) / a
	}
	return 1 - math.Exp(logPrefix)*betaFraction(b, a, y)/b
}

// logOf returns log(u) where v = 1-u, using log1p(-v) when u is close to 1.
func logOf(u, v float64) float64 {
	if v < 0.5 {
		return math.Log1p(-v)
	}
	return math.Log(u)
}

// betaFraction evaluates the continued fraction for I_x(a, b) without its
// prefix x^a (1-x)^b / (a B(a, b)). It converges fast for x < (a+1)/(a+b+2).
func betaFraction(a, b, x float64) float64 {
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 / guard(1-qab*x/qap)
	h := d
	for m := 1; m <= maxIter; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 / guard(1+aa*d)
		c = guard(1 + aa/c)
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 / guard(1+aa*d)
		c = guard(1 + aa/c)
		delta := d * c
		h *= delta
		if math.Abs(delta-1) < epsilon {
			break
		}
	}
	return h
}

func guard(v float64) float64 {
	if math.Abs(v) < tiny {
		return tiny
	}
	return v
}

// logBeta returns log B(a, b). When one argument is large it avoids the
// cancellation in lgamma(b) - lgamma(a+b) by Stirling's series for the
// difference, which keeps the negative binomial accurate as size grows
// towards the Poisson limit.
func logBeta(a, b float64) float64 {
	small, big := min(a, b), max(a, b)
	lgSmall, _ := math.Lgamma(small)
	if big < 10 {
		lgBig, _ := math.Lgamma(big)
		lgSum, _ := math.Lgamma(a + b)
		return lgSmall + lgBig - lgSum
	}
	return lgSmall - logGammaRatio(small, big)
}

// logGammaRatio returns lgamma(b+a) - lgamma(b) for b >= 10, a > 0:
// a log b + (b+a-1/2) log1p(a/b) - a + ω(b+a) - ω(b), where ω is the
// remainder of Stirling's series.
func logGammaRatio(a, b float64) float64 {
	return a*math.Log(b) + (b+a-0.5)*math.Log1p(a/b) - a + stirlingRemainder(b+a) - stirlingRemainder(b)
}

// stirlingRemainder returns lgamma(z) - ((z-1/2) log z - z + log(2π)/2) for
// z >= 10, accurate to about 1e-12.
func stirlingRemainder(z float64) float64 {
	z2 := z * z
	return (1.0/12 - (1.0/360-(1.0/1260-1.0/(1680*z2))/z2)/z2) / z
}

// AdjustBH returns the Benjamini-Hochberg adjusted p-values of p, in the same
// order: adj[i] = min over j with p[j] >= p[i] of p[j]·m/rank(j), capped at 1,
// where m = len(p). Declaring significant every test with adj < q keeps the
// expected share of false alarms among the declared ones at most q when the
// tests are independent or positively dependent, which neighbouring areas
// usually are. p values must lie in [0, 1].
func AdjustBH(p []float64) []float64 {
	m := len(p)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(p[i], p[j]) })
	adj := make([]float64, m)
	running := 1.0
	for rank := m; rank >= 1; rank-- {
		i := order[rank-1]
		running = min(running, p[i]*float64(m)/float64(rank))
		adj[i] = running
	}
	return adj
}
