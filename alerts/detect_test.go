package alerts_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/alerts"
)

// monday is the Monday of the first week of every test series.
var monday = time.Date(2022, time.January, 3, 0, 0, 0, 0, time.UTC)

// steady is a 52-week history of 40 events with no week above 1: less
// variable than Poisson, so tested against Poisson with mean 40/52 a week,
// 3.1 expected in 4 weeks.
var steady = repeat([]float64{1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1}, 4)

// bursty is a 52-week history of 40 events arriving in a few bad weeks.
var bursty = repeat([]float64{0, 0, 5, 0, 0, 0, 1, 0, 0, 4, 0, 0, 0}, 4)

// series returns the series of Ouaka (CF43) with the given weekly counts.
func series(weekly ...[]float64) alerts.Series {
	return alerts.Series{Area: "CF43", AreaName: "Ouaka", Weekly: slices.Concat(weekly...), WeekStart: monday}
}

func repeat(pattern []float64, n int) []float64 {
	var out []float64
	for range n {
		out = append(out, pattern...)
	}
	return out
}

func TestParamsValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		params alerts.Params
		fields []string
	}{
		{"OK", alerts.Params{RecentWeeks: 2, HistoryWeeks: 104, Alpha: 0.05, MinEvents: 1, Seasonal: true, Metric: alerts.MetricFatalities}, nil},
		{"OKZeroMeansDefaults", alerts.Params{}, nil},
		{"ErrRecentWeeksNegative", alerts.Params{RecentWeeks: -1}, []string{"recent_weeks"}},
		{"ErrRecentWeeksTooLong", alerts.Params{RecentWeeks: 14}, []string{"recent_weeks"}},
		{"ErrHistoryWeeksTooShort", alerts.Params{HistoryWeeks: 7}, []string{"history_weeks"}},
		{"ErrHistoryWeeksTooLong", alerts.Params{HistoryWeeks: 521}, []string{"history_weeks"}},
		{"ErrAlphaNegative", alerts.Params{Alpha: -0.01}, []string{"alpha"}},
		{"ErrAlphaTooLarge", alerts.Params{Alpha: 0.5}, []string{"alpha"}},
		{"ErrAlphaNaN", alerts.Params{Alpha: math.NaN()}, []string{"alpha"}},
		{"ErrMinEventsNegative", alerts.Params{MinEvents: -3}, []string{"min_events"}},
		{"ErrMetricUnknown", alerts.Params{Metric: "incidents"}, []string{"metric"}},
		{"ErrEveryProblemAtOnce", alerts.Params{RecentWeeks: 20, HistoryWeeks: 3, Alpha: 2, MinEvents: -1, Metric: "x"},
			[]string{"recent_weeks", "history_weeks", "alpha", "min_events", "metric"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.params.Validate()
			assertFields(t, err, tt.fields)
		})
	}
}

func TestParamsValidateFillsDefaults(t *testing.T) {
	var p alerts.Params
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	want := alerts.Params{RecentWeeks: 4, HistoryWeeks: 52, Alpha: 0.01, MinEvents: 3, Metric: alerts.MetricEvents}
	if p != want {
		t.Errorf("defaults = %+v, want %+v", p, want)
	}
}

func TestDetectRejectsInvalidSeries(t *testing.T) {
	for _, tt := range []struct {
		name   string
		edit   func(*alerts.Series)
		fields []string
	}{
		{"ErrAreaRequired", func(s *alerts.Series) { s.Area = " " }, []string{"area"}},
		{"ErrWeekStartRequired", func(s *alerts.Series) { s.WeekStart = time.Time{} }, []string{"week_start"}},
		{"ErrWeekStartNotMonday", func(s *alerts.Series) { s.WeekStart = monday.AddDate(0, 0, 2) }, []string{"week_start"}},
		{"ErrNegativeCount", func(s *alerts.Series) { s.Weekly[3] = -1 }, []string{"weekly[3]"}},
		{"ErrNaNCount", func(s *alerts.Series) { s.Weekly[7] = math.NaN() }, []string{"weekly[7]"}},
		{"ErrInfiniteCount", func(s *alerts.Series) { s.Weekly[0] = math.Inf(1) }, []string{"weekly[0]"}},
		{"ErrShorterThanWindow", func(s *alerts.Series) { s.Weekly = s.Weekly[:3] }, []string{"weekly"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := series(steady, []float64{1, 1, 1, 1})
			tt.edit(&s)
			_, err := alerts.Detect(s, alerts.Params{})
			assertFields(t, err, tt.fields)
		})
	}
	t.Run("ErrInvalidParams", func(t *testing.T) {
		_, err := alerts.Detect(series(steady, []float64{1, 1, 1, 1}), alerts.Params{RecentWeeks: 30})
		assertFields(t, err, []string{"recent_weeks"})
	})
}

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		name        string
		series      alerts.Series
		params      alerts.Params
		model       alerts.Model
		level       alerts.Level
		newActivity bool
		explanation string // the whole explanation, when given
		mentions    string // a part of the explanation, when given
	}{
		{
			name:        "AlertOnSurgeAfterSteadyHistory",
			series:      series(steady, []float64{3, 4, 3, 4}),
			model:       alerts.ModelPoisson,
			level:       alerts.LevelAlert,
			explanation: "Ouaka: 14 events in the last 28 days vs 3.1 expected (Poisson, p < 0.001)",
		},
		{
			name:        "NoneForUsualActivity",
			series:      series(steady, []float64{1, 0, 1, 1}),
			model:       alerts.ModelPoisson,
			level:       alerts.LevelNone,
			explanation: "Ouaka: 3 events in the last 28 days vs 3.1 expected (Poisson, p = 0.59)",
		},
		{
			name:   "WatchOnModestRise",
			series: series(steady, []float64{2, 2, 2, 1}),
			model:  alerts.ModelPoisson,
			level:  alerts.LevelWatch,
		},
		{
			name:   "WarningOnClearRise",
			series: series(steady, []float64{3, 2, 2, 2}),
			model:  alerts.ModelPoisson,
			level:  alerts.LevelWarning,
		},
		{
			name:        "NegativeBinomialTempersBurstyHistory",
			series:      series(bursty, []float64{3, 4, 3, 4}),
			model:       alerts.ModelNegativeBinomial,
			level:       alerts.LevelWatch,
			explanation: "Ouaka: 14 events in the last 28 days vs 3.1 expected (negative binomial, p = 0.014)",
		},
		{
			name:     "NoneBelowMinEvents",
			series:   series(make([]float64, 51), []float64{1}, []float64{0, 1, 1, 0}),
			model:    alerts.ModelPoisson,
			level:    alerts.LevelNone,
			mentions: "; below the minimum of 3 events for a warning",
		},
		{
			name:        "NewActivityAfterEmptyHistory",
			series:      series(make([]float64, 52), []float64{0, 2, 1, 2}),
			model:       alerts.ModelNegativeBinomial,
			level:       alerts.LevelAlert,
			newActivity: true,
			explanation: "Ouaka: 5 events in the last 28 days after none in the previous 52 weeks (new activity, p < 0.001)",
		},
		{
			name:        "NewActivityIsAtLeastAWarning",
			series:      series(make([]float64, 8), []float64{1}),
			params:      alerts.Params{RecentWeeks: 1, MinEvents: 1},
			model:       alerts.ModelNegativeBinomial,
			level:       alerts.LevelWarning,
			newActivity: true,
			explanation: "Ouaka: 1 event in the last 7 days after none in the previous 8 weeks (new activity, p = 0.057)",
		},
		{
			name:     "NoNewActivityBelowMinEvents",
			series:   series(make([]float64, 52), []float64{0, 0, 1, 0}),
			model:    alerts.ModelNegativeBinomial,
			level:    alerts.LevelNone,
			mentions: "Ouaka: 1 event in the last 28 days after none in the previous 52 weeks (p = ",
		},
		{
			name:        "NoneWithTooLittleHistory",
			series:      series([]float64{0, 0, 1, 0, 0}, []float64{5, 5, 5, 5}),
			model:       alerts.ModelNone,
			level:       alerts.LevelNone,
			explanation: "Ouaka: 20 events in the last 28 days; only 5 weeks of history, too few to compare (8 needed)",
		},
		{
			name:     "FatalitiesAndTypeInExplanation",
			series:   alerts.Series{Area: "CF43", AreaName: "Ouaka", Type: "battles", Weekly: slices.Concat(steady, []float64{0, 1, 0, 0}), WeekStart: monday},
			params:   alerts.Params{Metric: alerts.MetricFatalities},
			model:    alerts.ModelPoisson,
			level:    alerts.LevelNone,
			mentions: "Ouaka (battles): 1 fatality in the last 28 days vs 3.1 expected",
		},
		{
			name:     "AreaCodeWhenNoName",
			series:   alerts.Series{Area: "CF43", Weekly: slices.Concat(steady, []float64{3, 4, 3, 4}), WeekStart: monday},
			model:    alerts.ModelPoisson,
			level:    alerts.LevelAlert,
			mentions: "CF43: 14 events",
		},
		{
			name:     "TwoWeekWindow",
			series:   series(steady, []float64{4, 5}),
			params:   alerts.Params{RecentWeeks: 2},
			model:    alerts.ModelPoisson,
			level:    alerts.LevelAlert,
			mentions: "Ouaka: 9 events in the last 14 days vs 1.5 expected",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := alerts.Detect(tt.series, tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if r.Model != tt.model || r.Level != tt.level || r.NewActivity != tt.newActivity {
				t.Errorf("model %s, level %s, new activity %v; want %s, %s, %v (%s)", r.Model, r.Level, r.NewActivity, tt.model, tt.level, tt.newActivity, r.Explanation)
			}
			if want := r.Level == alerts.LevelWarning || r.Level == alerts.LevelAlert; r.Alert != want {
				t.Errorf("Alert = %v with level %s", r.Alert, r.Level)
			}
			if r.AdjustedP != r.PValue {
				t.Errorf("AdjustedP %g differs from PValue %g for a single test", r.AdjustedP, r.PValue)
			}
			if tt.explanation != "" && r.Explanation != tt.explanation {
				t.Errorf("explanation\n got %q\nwant %q", r.Explanation, tt.explanation)
			}
			if !strings.Contains(r.Explanation, tt.mentions) {
				t.Errorf("explanation %q does not mention %q", r.Explanation, tt.mentions)
			}
		})
	}
}

func TestDetectNumbers(t *testing.T) {
	r, err := alerts.Detect(series(steady, []float64{3, 4, 3, 4}), alerts.Params{})
	if err != nil {
		t.Fatal(err)
	}
	mean := 40.0 / 52
	assertClose(t, r.Observed, 14, 0)
	assertClose(t, r.HistoryTotal, 40, 0)
	assertClose(t, r.Baseline, mean, 1e-15)
	assertClose(t, r.Expected, 4*mean, 1e-15)
	assertClose(t, r.PValue, alerts.PoissonTail(14, 4*mean), 1e-15)
	if r.HistoryWeeks != 52 || r.Size != 0 || r.Seasonal {
		t.Errorf("history %d weeks, size %g, seasonal %v", r.HistoryWeeks, r.Size, r.Seasonal)
	}
	want := alerts.Window{From: peaceops.Date{Year: 2023, Month: time.January, Day: 2}, To: peaceops.Date{Year: 2023, Month: time.January, Day: 29}}
	if r.Window != want {
		t.Errorf("window %v to %v, want %v to %v", r.Window.From, r.Window.To, want.From, want.To)
	}

	nb, err := alerts.Detect(series(bursty, []float64{3, 4, 3, 4}), alerts.Params{})
	if err != nil {
		t.Fatal(err)
	}
	variance := (4*(25+1+16) - 52*mean*mean) / 51 // (Σx² - n·mean²) / (n-1)
	assertClose(t, nb.Dispersion, variance/mean, 1e-12)
	assertClose(t, nb.Size, 4*mean*mean/(variance-mean), 1e-12)
	assertClose(t, nb.PValue, alerts.NegBinomialTail(14, 4*mean, nb.Size), 1e-15)
	if nb.PValue <= r.PValue {
		t.Errorf("bursty history p %g not above steady history p %g", nb.PValue, r.PValue)
	}
}

func TestDetectUsesHistoryJustBeforeWindow(t *testing.T) {
	// Two years ago the area was very violent; with HistoryWeeks 52 only
	// the quiet last year counts.
	old := repeat([]float64{9}, 52)
	r, err := alerts.Detect(series(old, steady, []float64{3, 4, 3, 4}), alerts.Params{})
	if err != nil {
		t.Fatal(err)
	}
	if r.HistoryWeeks != 52 || r.HistoryTotal != 40 || r.Level != alerts.LevelAlert {
		t.Errorf("history %d weeks / %g events, level %s; want 52 / 40, alert", r.HistoryWeeks, r.HistoryTotal, r.Level)
	}
	short, err := alerts.Detect(series(steady[:20], []float64{3, 4, 3, 4}), alerts.Params{})
	if err != nil {
		t.Fatal(err)
	}
	if short.HistoryWeeks != 20 {
		t.Errorf("short series used %d history weeks, want all 20", short.HistoryWeeks)
	}
}

// seasonal returns a weekly series starting on monday over the given
// number of weeks, with high events a week in January to March (the dry
// season, when armed groups move) and low otherwise.
func seasonal(weeks int, low, high func(week int) float64) alerts.Series {
	s := alerts.Series{Area: "CF43", AreaName: "Ouaka", WeekStart: monday, Weekly: make([]float64, weeks)}
	for i := range s.Weekly {
		if m := monday.AddDate(0, 0, 7*i).Month(); m <= time.March {
			s.Weekly[i] = high(i)
		} else {
			s.Weekly[i] = low(i)
		}
	}
	return s
}

func constant(v float64) func(int) float64 { return func(int) float64 { return v } }

func TestDetectSeasonal(t *testing.T) {
	// 2022-01-03 + 112 weeks = 2024-02-26: the window is the four weeks of
	// February 2024, at the dry-season level of earlier years.
	s := seasonal(112, constant(1), constant(6))

	flat, err := alerts.Detect(s, alerts.Params{})
	if err != nil {
		t.Fatal(err)
	}
	if flat.Seasonal || flat.Level == alerts.LevelNone {
		t.Errorf("flat baseline: seasonal %v, level %s; want an alert against the yearly average (%s)", flat.Seasonal, flat.Level, flat.Explanation)
	}

	r, err := alerts.Detect(s, alerts.Params{Seasonal: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Seasonal || r.SeasonalYears != 2 || r.Level != alerts.LevelNone {
		t.Errorf("seasonal %v from %d years, level %s; want seasonal from 2 years, none (%s)", r.Seasonal, r.SeasonalYears, r.Level, r.Explanation)
	}
	if r.Expected < 18 || r.Expected > 30 {
		t.Errorf("seasonal expectation %.1f, want near 24", r.Expected)
	}
	if !strings.Contains(r.Explanation, "same season of 2 earlier years") {
		t.Errorf("explanation %q does not name the seasonal baseline", r.Explanation)
	}

	t.Run("ScalesWithTrend", func(t *testing.T) {
		// The last year runs at twice the earlier level, season included:
		// 12 a week in February is what the trend predicts.
		doubled := func(v float64) func(int) float64 {
			return func(i int) float64 {
				if i >= 112-52-4 {
					return 2 * v
				}
				return v
			}
		}
		r, err := alerts.Detect(seasonal(112, doubled(1), doubled(6)), alerts.Params{Seasonal: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.Level != alerts.LevelNone || r.Expected < 36 || r.Expected > 60 {
			t.Errorf("expected %.1f, level %s; want near 48, none (%s)", r.Expected, r.Level, r.Explanation)
		}
	})
	t.Run("AlertsAboveSeason", func(t *testing.T) {
		s := seasonal(112, constant(1), constant(6))
		copy(s.Weekly[108:], []float64{15, 16, 14, 17})
		r, err := alerts.Detect(s, alerts.Params{Seasonal: true})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Seasonal || r.Level != alerts.LevelAlert {
			t.Errorf("seasonal %v, level %s; want a seasonal alert (%s)", r.Seasonal, r.Level, r.Explanation)
		}
	})
	t.Run("FallsBackWithOneYear", func(t *testing.T) {
		r, err := alerts.Detect(seasonal(80, constant(1), constant(6)), alerts.Params{Seasonal: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.Seasonal || r.SeasonalYears != 0 {
			t.Errorf("seasonal %v from %d years with 80 weeks of data", r.Seasonal, r.SeasonalYears)
		}
	})
}

func TestPValueFallsAsObservedRises(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	histories := map[string][]float64{"steady": steady, "bursty": bursty, "empty": make([]float64, 52)}
	for range 20 {
		h := make([]float64, 30+rng.IntN(100))
		for i := range h {
			h[i] = float64(rng.IntN(3) * rng.IntN(4))
		}
		histories[fmt.Sprintf("random%d", len(histories))] = h
	}
	for name, h := range histories {
		for _, p := range []alerts.Params{{}, {RecentWeeks: 2}, {Seasonal: true}} {
			prev := alerts.Result{PValue: 1, Level: alerts.LevelNone}
			for last := 0; last <= 80; last++ {
				r, err := alerts.Detect(series(h, []float64{1, 0, 2, float64(last)}), p)
				if err != nil {
					t.Fatal(err)
				}
				if r.PValue > prev.PValue || r.PValue < 0 || math.IsNaN(r.PValue) {
					t.Fatalf("%s %+v: p rose from %g to %g when the last week went to %d", name, p, prev.PValue, r.PValue, last)
				}
				if rank(r.Level) < rank(prev.Level) {
					t.Fatalf("%s %+v: level fell from %s to %s when the last week went to %d", name, p, prev.Level, r.Level, last)
				}
				prev = r
			}
		}
	}
}

// With a Poisson history the p-value depends only on the rate, so any count
// qualifies. With a negative binomial one, more weeks of the same pattern
// shrink the sample variance a little; that lowers p in the upper tail, where
// alerts live, but may nudge it up for counts near the expectation, which
// are left out.
func TestMoreHistoryDoesNotRaisePValue(t *testing.T) {
	for _, tt := range []struct {
		name    string
		pattern []float64
		recents [][]float64
	}{
		{"steady", steady[:13], [][]float64{{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 3, 2, 2}, {3, 4, 3, 4}, {0, 9, 8, 12}}},
		{"bursty", bursty[:13], [][]float64{{3, 4, 3, 4}, {5, 5, 5, 5}, {0, 9, 8, 12}}},
	} {
		name, pattern := tt.name, tt.pattern
		for _, recent := range tt.recents {
			prev := 1.0
			for _, years := range []int{1, 2, 4, 8, 16} {
				n := 13 * years
				r, err := alerts.Detect(series(repeat(pattern, years), recent), alerts.Params{HistoryWeeks: n})
				if err != nil {
					t.Fatal(err)
				}
				if r.PValue > prev*(1+1e-12) {
					t.Errorf("%s, recent %v: p rose from %g to %g with %d weeks of history", name, recent, prev, r.PValue, n)
				}
				prev = r.PValue
			}
		}
	}
}

func TestDetectAll(t *testing.T) {
	quiet := func(area string) alerts.Series {
		return alerts.Series{Area: area, Weekly: slices.Concat(steady, []float64{1, 0, 1, 1}), WeekStart: monday}
	}
	hot := func(area string, recent ...float64) alerts.Series {
		return alerts.Series{Area: area, Weekly: slices.Concat(steady, recent), WeekStart: monday}
	}

	t.Run("SortedByPValueThenArea", func(t *testing.T) {
		results, err := alerts.DetectAll([]alerts.Series{
			quiet("CF52"), hot("CF43", 3, 4, 3, 4), quiet("CF11"), hot("CF32", 2, 2, 3, 2), hot("CF21", 3, 4, 3, 4),
			{Area: "CF71", Weekly: []float64{1, 1, 9, 9, 9, 9}, WeekStart: monday},
		}, alerts.Params{})
		if err != nil {
			t.Fatal(err)
		}
		var areas []string
		for _, r := range results {
			areas = append(areas, r.Area)
		}
		if want := []string{"CF21", "CF43", "CF32", "CF11", "CF52", "CF71"}; !slices.Equal(areas, want) {
			t.Errorf("order %v, want %v", areas, want)
		}
	})

	t.Run("AdjustsForManyAreas", func(t *testing.T) {
		// One warning-level area among 70: after the Benjamini-Hochberg
		// adjustment it is no longer significant.
		series := []alerts.Series{hot("CF43", 3, 2, 2, 2)}
		for i := range 69 {
			series = append(series, quiet(fmt.Sprintf("XX%02d", i)))
		}
		results, err := alerts.DetectAll(series, alerts.Params{})
		if err != nil {
			t.Fatal(err)
		}
		top := results[0]
		if top.Area != "CF43" || top.PValue >= 0.01 || top.AdjustedP <= top.PValue || top.Alert {
			t.Errorf("top %s p %g adjusted %g alert %v; want CF43 with p < 0.01 adjusted upwards, no alert", top.Area, top.PValue, top.AdjustedP, top.Alert)
		}
		if !strings.Contains(top.Explanation, "; adjusted for 70 areas p = ") {
			t.Errorf("explanation %q does not report the adjustment", top.Explanation)
		}
		raw := make([]float64, len(results))
		for i, r := range results {
			raw[i] = r.PValue
		}
		for i, want := range alerts.AdjustBH(raw) {
			assertClose(t, results[i].AdjustedP, want, 1e-15)
		}
	})

	t.Run("StrongSignalSurvivesAdjustment", func(t *testing.T) {
		series := []alerts.Series{hot("CF43", 3, 4, 3, 4)}
		for i := range 69 {
			series = append(series, quiet(fmt.Sprintf("XX%02d", i)))
		}
		results, err := alerts.DetectAll(series, alerts.Params{})
		if err != nil {
			t.Fatal(err)
		}
		if results[0].Area != "CF43" || !results[0].Alert {
			t.Errorf("top %s alert %v (%s)", results[0].Area, results[0].Alert, results[0].Explanation)
		}
	})

	t.Run("UntestedAreasDoNotCount", func(t *testing.T) {
		results, err := alerts.DetectAll([]alerts.Series{
			hot("CF43", 3, 4, 3, 4),
			{Area: "CF71", Weekly: []float64{1, 1, 9, 9, 9, 9}, WeekStart: monday},
		}, alerts.Params{})
		if err != nil {
			t.Fatal(err)
		}
		if results[0].AdjustedP != results[0].PValue || results[1].Model != alerts.ModelNone || results[1].AdjustedP != 1 {
			t.Errorf("results %+v", results)
		}
	})

	t.Run("ErrInvalidSeriesNamedByIndex", func(t *testing.T) {
		bad := quiet("CF21")
		bad.Weekly = slices.Clone(bad.Weekly)
		bad.Weekly[2] = -4
		_, err := alerts.DetectAll([]alerts.Series{quiet("CF11"), bad, {Weekly: []float64{1, 2, 3, 4}, WeekStart: monday}}, alerts.Params{})
		assertFields(t, err, []string{"series[1].weekly[2]", "series[2].area"})
	})

	t.Run("ErrDuplicateAreaAndType", func(t *testing.T) {
		_, err := alerts.DetectAll([]alerts.Series{quiet("CF11"), quiet("CF21"), quiet("CF11")}, alerts.Params{})
		assertFields(t, err, []string{"series[2].area"})
	})

	t.Run("ErrInvalidParams", func(t *testing.T) {
		_, err := alerts.DetectAll([]alerts.Series{quiet("CF11")}, alerts.Params{Metric: "x"})
		assertFields(t, err, []string{"metric"})
	})

	t.Run("Empty", func(t *testing.T) {
		results, err := alerts.DetectAll(nil, alerts.Params{})
		if err != nil || len(results) != 0 {
			t.Errorf("DetectAll(nil) = %v, %v", results, err)
		}
	})
}

func BenchmarkDetectAll(b *testing.B) {
	// 200 areas x 156 weeks (three years), seasonal, as a mission-wide run.
	rng := rand.New(rand.NewPCG(7, 11))
	series := make([]alerts.Series, 200)
	for i := range series {
		w := make([]float64, 156)
		for j := range w {
			w[j] = float64(rng.IntN(2 + i%7))
		}
		series[i] = alerts.Series{Area: fmt.Sprintf("CF%03d", i), Weekly: w, WeekStart: monday}
	}
	for b.Loop() {
		if _, err := alerts.DetectAll(series, alerts.Params{Seasonal: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func rank(l alerts.Level) int {
	return slices.Index([]alerts.Level{alerts.LevelNone, alerts.LevelWatch, alerts.LevelWarning, alerts.LevelAlert}, l)
}

// assertFields checks that err is EINVALID naming exactly fields, or nil
// when fields is empty.
func assertFields(tb testing.TB, err error, fields []string) {
	tb.Helper()
	if len(fields) == 0 {
		if err != nil {
			tb.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
		tb.Fatalf("error code %q (%v), want %q", code, err, peaceops.EINVALID)
	}
	var got []string
	for _, f := range peaceops.ErrorFields(err) {
		got = append(got, f.Field)
		if f.Message == "" {
			tb.Errorf("field %s has no message", f.Field)
		}
	}
	if !slices.Equal(got, fields) {
		tb.Errorf("fields %v, want %v (%v)", got, fields, err)
	}
}

// FuzzDetect checks that any series of counts gives a well-formed result:
// probabilities in [0, 1], finite expectations, an explanation.
func FuzzDetect(f *testing.F) {
	f.Add([]byte{1, 0, 1, 1, 0, 2, 0, 0, 1, 0, 9, 9, 9}, uint8(3), false)
	f.Add(make([]byte, 120), uint8(1), true)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255}, uint8(3), false)
	f.Fuzz(func(t *testing.T, counts []byte, recent uint8, seasonal bool) {
		weekly := make([]float64, len(counts))
		for i, c := range counts {
			weekly[i] = float64(c)
		}
		p := alerts.Params{RecentWeeks: 1 + int(recent)%13, Seasonal: seasonal}
		r, err := alerts.Detect(alerts.Series{Area: "CF43", Weekly: weekly, WeekStart: monday}, p)
		if len(weekly) < p.RecentWeeks {
			assertFields(t, err, []string{"weekly"})
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !(r.PValue >= 0 && r.PValue <= 1) || r.AdjustedP != r.PValue {
			t.Errorf("p %g, adjusted %g", r.PValue, r.AdjustedP)
		}
		if !(r.Expected >= 0) || math.IsInf(r.Expected, 0) || !(r.Size >= 0) || math.IsInf(r.Size, 0) || !(r.Dispersion >= 0) {
			t.Errorf("expected %g, size %g, dispersion %g", r.Expected, r.Size, r.Dispersion)
		}
		if r.Explanation == "" || rank(r.Level) < 0 {
			t.Errorf("level %q, explanation %q", r.Level, r.Explanation)
		}
	})
}
