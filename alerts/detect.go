package alerts

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
)

// Limits and fixed choices of the method; doc.go explains them.
const (
	// MinHistoryWeeks is the shortest history compared against; an area with
	// less gets a result with Model none and no level.
	MinHistoryWeeks = 8

	maxRecentWeeks  = 13  // a quarter
	maxHistoryWeeks = 520 // ten years
	dispersionAlpha = 0.05
	seasonHalfWidth = 2  // weeks either side of the same calendar weeks
	seasonMaxYears  = 5  // earlier years searched for the same season
	seasonMinYears  = 2  // earlier years needed for a seasonal baseline
	seasonPseudo    = 2  // events added to both sides of the seasonal index
	yearWeeks       = 52 // weeks in the level used with a seasonal index
	// newActivityShape is the Jeffreys prior shape for the weekly rate of an
	// area with no events in its history.
	newActivityShape = 0.5
)

// Metric names what a series counts.
type Metric string

const (
	MetricEvents     Metric = "events"
	MetricFatalities Metric = "fatalities"
)

// Valid reports whether m is a known metric.
func (m Metric) Valid() bool { return m == MetricEvents || m == MetricFatalities }

// noun returns the English word for n units of m.
func (m Metric) noun(n float64) string {
	switch {
	case m == MetricFatalities && n == 1:
		return "fatality"
	case m == MetricFatalities:
		return "fatalities"
	case n == 1:
		return "event"
	}
	return "events"
}

// Model names the count distribution a result was tested against.
type Model string

const (
	ModelNone             Model = "none" // too little history: nothing tested
	ModelPoisson          Model = "poisson"
	ModelNegativeBinomial Model = "negative-binomial"
)

// Level grades a result. With the default Alpha of 0.01 the thresholds are
// p < 0.05 watch, p < 0.01 warning, p < 0.001 alert; in general they are
// 5×Alpha, Alpha and Alpha/10. Any level above none also needs the observed
// count to reach Params.MinEvents.
type Level string

const (
	LevelNone    Level = "none"
	LevelWatch   Level = "watch"
	LevelWarning Level = "warning"
	LevelAlert   Level = "alert"
)

// rank orders levels from none (0) to alert (3).
func (l Level) rank() int {
	return slices.Index([]Level{LevelNone, LevelWatch, LevelWarning, LevelAlert}, l)
}

// Series is the activity of one admin area (and optionally one event type) as
// counts per ISO week (Monday to Sunday), oldest first. The last element is
// the most recent complete week: the caller drops the current, unfinished
// week, which would otherwise read as a drop in activity.
//
// Weeks with no events must be present as zeros; a week with no reporting at
// all has no separate representation and counts as zero (see doc.go on
// reporting gaps).
type Series struct {
	Area     string    `json:"area"`                // admin area P-code, e.g. CF43
	AreaName string    `json:"area_name,omitempty"` // e.g. Ouaka; Area is shown when empty
	Type     string    `json:"type,omitempty"`      // event type, or "" for all types
	Weekly   []float64 `json:"weekly"`              // counts per week, oldest first
	// WeekStart is the Monday of Weekly[0]. Only its calendar date matters.
	WeekStart time.Time `json:"week_start"`
}

// Validate returns every field problem of s as an EINVALID error, or nil: an
// area is required, WeekStart must be a Monday and every count a finite
// number >= 0.
func (s Series) Validate() error { return peaceops.Invalid(s.problems("", 1)) }

// problems lists the field problems of s, with field names prefixed by
// prefix, when recent weeks will be tested.
func (s Series) problems(prefix string, recent int) []peaceops.FieldError {
	var errs []peaceops.FieldError
	add := func(field, msg string) {
		errs = append(errs, peaceops.FieldError{Field: prefix + field, Message: msg})
	}
	if strings.TrimSpace(s.Area) == "" {
		add("area", "is required")
	}
	switch {
	case s.WeekStart.IsZero():
		add("week_start", "is required")
	case s.WeekStart.Weekday() != time.Monday:
		add("week_start", fmt.Sprintf("must be a Monday; %s is a %s", s.WeekStart.Format(time.DateOnly), s.WeekStart.Weekday()))
	}
	if len(s.Weekly) < recent {
		add("weekly", fmt.Sprintf("has %d weeks; at least the %d recent weeks are needed", len(s.Weekly), recent))
	}
	for i, v := range s.Weekly {
		if !(v >= 0) || math.IsInf(v, 1) {
			add(fmt.Sprintf("weekly[%d]", i), "must be a finite count of at least 0")
		}
	}
	return errs
}

// Params tunes detection. The zero value of each field means its default.
type Params struct {
	// RecentWeeks is the window tested, in weeks ending with the last week
	// of the series: 1 to 13, usually 2 or 4. Default 4.
	RecentWeeks int `json:"recent_weeks"`
	// HistoryWeeks is the baseline: the weeks immediately before the window,
	// 8 to 520. Default 52. A shorter series uses what it has.
	HistoryWeeks int `json:"history_weeks"`
	// Alpha is the significance for a warning, in (0, 0.1]. Default 0.01.
	Alpha float64 `json:"alpha"`
	// MinEvents is the smallest observed count that may raise any level.
	// Default 3.
	MinEvents int `json:"min_events"`
	// Seasonal compares with the same calendar weeks (±2) of up to five
	// earlier years when the series holds at least two, instead of the flat
	// baseline. Series too short for it fall back to the flat baseline.
	Seasonal bool `json:"seasonal"`
	// Metric says what the series count, for explanations. Default events.
	Metric Metric `json:"metric"`
}

// Validate fills in the defaults of zero fields, then returns every field
// problem as an EINVALID error, or nil.
func (p *Params) Validate() error {
	if p.RecentWeeks == 0 {
		p.RecentWeeks = 4
	}
	if p.HistoryWeeks == 0 {
		p.HistoryWeeks = 52
	}
	if p.Alpha == 0 {
		p.Alpha = 0.01
	}
	if p.MinEvents == 0 {
		p.MinEvents = 3
	}
	if p.Metric == "" {
		p.Metric = MetricEvents
	}
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if p.RecentWeeks < 1 || p.RecentWeeks > maxRecentWeeks {
		add("recent_weeks", fmt.Sprintf("must be between 1 and %d weeks (2 or 4 is usual)", maxRecentWeeks))
	}
	if p.HistoryWeeks < MinHistoryWeeks || p.HistoryWeeks > maxHistoryWeeks {
		add("history_weeks", fmt.Sprintf("must be between %d and %d weeks", MinHistoryWeeks, maxHistoryWeeks))
	}
	if !(p.Alpha > 0 && p.Alpha <= 0.1) {
		add("alpha", "must be greater than 0 and at most 0.1")
	}
	if p.MinEvents < 0 {
		add("min_events", "must not be negative")
	}
	if !p.Metric.Valid() {
		add("metric", `must be "events" or "fatalities"`)
	}
	return peaceops.Invalid(errs)
}

// level grades an observed count with p-value pv under p.
func (p Params) level(observed, pv float64) Level {
	switch {
	case observed < float64(p.MinEvents):
		return LevelNone
	case pv < p.Alpha/10:
		return LevelAlert
	case pv < p.Alpha:
		return LevelWarning
	case pv < 5*p.Alpha:
		return LevelWatch
	}
	return LevelNone
}

// Window is the tested period, first and last day inclusive.
type Window struct {
	From peaceops.Date `json:"from"` // a Monday
	To   peaceops.Date `json:"to"`   // a Sunday
}

// Result is the outcome of testing one series.
type Result struct {
	Area     string `json:"area"`
	AreaName string `json:"area_name,omitempty"`
	Type     string `json:"type,omitempty"`
	Metric   Metric `json:"metric"`
	Window   Window `json:"window"`
	// HistoryWeeks is the number of baseline weeks actually used (fewer than
	// Params.HistoryWeeks when the series is short).
	HistoryWeeks int `json:"history_weeks"`

	Observed float64 `json:"observed"` // count in the window
	// HistoryTotal is the count over the HistoryWeeks of history.
	HistoryTotal float64 `json:"history_total"`
	Expected     float64 `json:"expected"` // Baseline × RecentWeeks
	Baseline     float64 `json:"baseline"` // expected count per week
	// Dispersion is the variance-to-mean ratio of the weekly history: about
	// 1 for Poisson-like activity, larger when it comes in bursts; 0 when the
	// history has no events.
	Dispersion float64 `json:"dispersion"`
	// Size is the negative binomial size of the window count (smaller is
	// burstier); 0 with the Poisson model.
	Size  float64 `json:"size,omitempty"`
	Model Model   `json:"model"`
	// Seasonal reports whether the expectation came from the same season of
	// SeasonalYears earlier years.
	Seasonal      bool `json:"seasonal,omitempty"`
	SeasonalYears int  `json:"seasonal_years,omitempty"`
	// NewActivity marks an area with no events in its history and at least
	// MinEvents in the window.
	NewActivity bool `json:"new_activity,omitempty"`

	// PValue is P(X >= Observed) under the model: the chance of a count this
	// high if nothing had changed. 1 with Model none.
	PValue float64 `json:"p_value"`
	// AdjustedP is the Benjamini-Hochberg adjusted p-value across the
	// series tested together by DetectAll; Detect sets it to PValue.
	AdjustedP float64 `json:"adjusted_p"`
	// Level grades AdjustedP (see Level); Alert is Level warning or alert,
	// i.e. significant at Params.Alpha. New activity is at least a warning.
	Level       Level  `json:"level"`
	Alert       bool   `json:"alert"`
	Explanation string `json:"explanation"`
}

// Detect tests whether the last p.RecentWeeks of s are higher than the
// history of s leads one to expect. See doc.go for the method.
//
// Detect returns EINVALID with every field problem when p or s is invalid
// (see Params.Validate and Series.Validate; s must also hold at least the
// recent weeks). A series with less than MinHistoryWeeks of history is not an
// error: its result has Model none, PValue 1 and says so.
func Detect(s Series, p Params) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if err := peaceops.Invalid(s.problems("", p.RecentWeeks)); err != nil {
		return Result{}, err
	}
	r := detect(s, p)
	grade(&r, p, 1)
	return r, nil
}

// DetectAll tests every series with the same parameters, adjusts the
// p-values for testing many areas at once (Benjamini-Hochberg, see
// AdjustBH), grades each result by its adjusted p-value, and returns the
// results sorted by p-value, then area, then type.
//
// DetectAll returns EINVALID listing every problem (fields named like
// "series[3].weekly[17]") when p or any series is invalid, or when two series
// share an area and type; it then returns no results.
func DetectAll(series []Series, p Params) ([]Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var errs []peaceops.FieldError
	seen := make(map[[2]string]int, len(series))
	for i, s := range series {
		prefix := fmt.Sprintf("series[%d].", i)
		errs = append(errs, s.problems(prefix, p.RecentWeeks)...)
		key := [2]string{s.Area, s.Type}
		if j, dup := seen[key]; dup {
			errs = append(errs, peaceops.FieldError{Field: prefix + "area", Message: fmt.Sprintf("repeats the area and type of series[%d]", j)})
		}
		seen[key] = i
	}
	if err := peaceops.Invalid(errs); err != nil {
		return nil, err
	}

	results := make([]Result, len(series))
	var tested []int
	for i, s := range series {
		results[i] = detect(s, p)
		if results[i].Model != ModelNone {
			tested = append(tested, i)
		}
	}
	pvalues := make([]float64, len(tested))
	for j, i := range tested {
		pvalues[j] = results[i].PValue
	}
	for j, adj := range AdjustBH(pvalues) {
		results[tested[j]].AdjustedP = adj
	}
	for i := range results {
		grade(&results[i], p, len(tested))
	}
	slices.SortFunc(results, func(a, b Result) int {
		return cmp.Or(cmp.Compare(a.PValue, b.PValue), strings.Compare(a.Area, b.Area), strings.Compare(a.Type, b.Type))
	})
	return results, nil
}

// detect computes everything but the grading; AdjustedP is set to PValue.
func detect(s Series, p Params) Result {
	w := p.RecentWeeks
	t0 := len(s.Weekly) - w // index of the first recent week
	hist := s.Weekly[max(0, t0-p.HistoryWeeks):t0]
	r := Result{
		Area:         s.Area,
		AreaName:     s.AreaName,
		Type:         s.Type,
		Metric:       p.Metric,
		Window:       window(s.WeekStart, t0, w),
		HistoryWeeks: len(hist),
		Observed:     sum(s.Weekly[t0:]),
		HistoryTotal: sum(hist),
		Model:        ModelNone,
		PValue:       1,
	}
	if len(hist) < MinHistoryWeeks {
		r.AdjustedP = 1
		return r
	}
	// A fractional observed count (e.g. averaged fatality estimates) is
	// tested as the next whole count: P(X >= 2.5) = P(X >= 3).
	k := int(math.Min(math.Ceil(r.Observed), math.MaxInt32))
	mean, variance := meanVariance(hist)

	if r.HistoryTotal == 0 {
		// No events at all: a plug-in rate of 0 would make any event
		// infinitely surprising. Use the predictive distribution of the
		// window count under a Jeffreys prior on the rate after n empty
		// weeks: rate ~ Gamma(1/2, n), count ~ negative binomial with
		// size 1/2 and mean (1/2)·w/n.
		r.Baseline = newActivityShape / float64(len(hist))
		r.Expected = r.Baseline * float64(w)
		r.Model = ModelNegativeBinomial
		r.Size = newActivityShape
		r.NewActivity = r.Observed >= float64(p.MinEvents)
		r.PValue = NegBinomialTail(k, r.Expected, r.Size)
		r.AdjustedP = r.PValue
		return r
	}

	r.Dispersion = variance / mean
	r.Baseline = mean
	if p.Seasonal {
		if index, years, ok := seasonalIndex(s.Weekly, s.WeekStart, t0, w); ok {
			if level := sum(s.Weekly[max(0, t0-yearWeeks):t0]) / float64(min(t0, yearWeeks)); level > 0 {
				r.Baseline = level * index
				r.Seasonal, r.SeasonalYears = true, years
			}
		}
	}
	r.Expected = r.Baseline * float64(w)

	// Index-of-dispersion test: under Poisson, (n-1)·s²/mean ~ chi²(n-1).
	n := float64(len(hist))
	if variance > mean && chiSquareTail((n-1)*variance/mean, n-1) < dispersionAlpha {
		// Method of moments: weekly variance = mean + mean²/size. A sum of
		// w independent weeks has size w·size.
		r.Model = ModelNegativeBinomial
		r.Size = float64(w) * mean * mean / (variance - mean)
		r.PValue = NegBinomialTail(k, r.Expected, r.Size)
	} else {
		r.Model = ModelPoisson
		r.PValue = PoissonTail(k, r.Expected)
	}
	r.AdjustedP = r.PValue
	return r
}

// seasonalIndex returns the ratio of the counts in the same calendar weeks
// (±seasonHalfWidth) of earlier years to what each of those years' own
// average level predicts for them, and how many years it used. ok is false
// with fewer than seasonMinYears years. Both sides get seasonPseudo extra
// events so that a season with few events in total stays close to 1.
func seasonalIndex(weekly []float64, weekStart time.Time, t0, w int) (index float64, years int, ok bool) {
	start := peaceops.DateOf(weekStart).Time()
	recentStart := start.AddDate(0, 0, 7*t0)
	var observed, expected float64
	for y := 1; y <= seasonMaxYears; y++ {
		// The same calendar date y years back, rounded to its week; years
		// of 53 ISO weeks make this differ from a fixed 52-week shift.
		then := recentStart.AddDate(-y, 0, 0)
		i := int(math.Round(then.Sub(start).Hours() / (24 * 7)))
		lo, hi := i-seasonHalfWidth, i+w+seasonHalfWidth
		if lo < 0 {
			break
		}
		// That year's level: the mean of the year centred on the season,
		// cut off where the series starts or the recent window begins.
		centre := i + w/2
		ylo, yhi := max(0, centre-yearWeeks/2), min(t0, centre+yearWeeks/2)
		level := sum(weekly[ylo:yhi]) / float64(yhi-ylo)
		observed += sum(weekly[lo:hi])
		expected += level * float64(hi-lo)
		years++
	}
	if years < seasonMinYears {
		return 0, years, false
	}
	return (observed + seasonPseudo) / (expected + seasonPseudo), years, true
}

// grade sets Level, Alert and Explanation from AdjustedP; tests is the
// number of series tested together.
func grade(r *Result, p Params, tests int) {
	r.Level = LevelNone
	if r.Model != ModelNone {
		r.Level = p.level(r.Observed, r.AdjustedP)
	}
	if r.NewActivity && r.Level.rank() < LevelWarning.rank() {
		r.Level = LevelWarning
	}
	r.Alert = r.Level.rank() >= LevelWarning.rank()
	r.Explanation = explain(*r, p, tests)
}

// explain writes the one-line English explanation of r, e.g.
// "Ouaka: 14 events in the last 28 days vs 3.1 expected (negative binomial, p < 0.001)".
func explain(r Result, p Params, tests int) string {
	var b strings.Builder
	name := r.AreaName
	if name == "" {
		name = r.Area
	}
	b.WriteString(name)
	if r.Type != "" {
		fmt.Fprintf(&b, " (%s)", r.Type)
	}
	fmt.Fprintf(&b, ": %s %s in the last %d days", formatCount(r.Observed), r.Metric.noun(r.Observed), 7*p.RecentWeeks)

	var notes []string
	switch {
	case r.Model == ModelNone:
		fmt.Fprintf(&b, "; only %d weeks of history, too few to compare (%d needed)", r.HistoryWeeks, MinHistoryWeeks)
		return b.String()
	case r.HistoryTotal == 0:
		fmt.Fprintf(&b, " after none in the previous %d weeks", r.HistoryWeeks)
		if r.NewActivity {
			notes = append(notes, "new activity")
		}
	default:
		fmt.Fprintf(&b, " vs %s expected", formatExpected(r.Expected))
		if r.Seasonal {
			notes = append(notes, fmt.Sprintf("same season of %d earlier years", r.SeasonalYears))
		}
		notes = append(notes, map[Model]string{ModelPoisson: "Poisson", ModelNegativeBinomial: "negative binomial"}[r.Model])
	}
	notes = append(notes, formatP(r.PValue))
	b.WriteString(" (" + strings.Join(notes, ", "))
	if tests > 1 {
		fmt.Fprintf(&b, "; adjusted for %d areas %s", tests, formatP(r.AdjustedP))
	}
	b.WriteString(")")
	if r.Observed < float64(p.MinEvents) && p.level(math.Inf(1), r.AdjustedP) != LevelNone {
		fmt.Fprintf(&b, "; below the minimum of %d %s for a warning", p.MinEvents, r.Metric.noun(float64(p.MinEvents)))
	}
	return b.String()
}

func formatCount(v float64) string {
	if v == math.Trunc(v) && v < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func formatExpected(v float64) string {
	if v >= 0.1 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

func formatP(p float64) string {
	if p < 0.001 {
		return "p < 0.001"
	}
	return "p = " + strconv.FormatFloat(p, 'g', 2, 64)
}

// window returns the dates of the w weeks starting at week index t0.
func window(weekStart time.Time, t0, w int) Window {
	from := peaceops.DateOf(weekStart).Time().AddDate(0, 0, 7*t0)
	return Window{From: peaceops.DateOf(from), To: peaceops.DateOf(from.AddDate(0, 0, 7*w-1))}
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// meanVariance returns the mean and the sample variance (n-1 denominator)
// of xs, which holds at least two values.
func meanVariance(xs []float64) (mean, variance float64) {
	mean = sum(xs) / float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs)-1)
}
