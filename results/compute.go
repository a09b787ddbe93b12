package results

import (
	"context"
	"sync"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
)

// Computation rule (docs/INDICATORS.md): the values of a computed
// indicator are statistics of the mission, computed over every live event
// of the mission through events.Service with the system actor, once the
// service has checked that the caller may read the indicator. Everyone who
// may read the indicator thus sees the same value. The drill-down, which
// lists events, runs as the caller: it lists only the events the caller
// may read, and says how many others the value counts.
//
// Values are recomputed on every read (no stored copy), so they follow
// every creation, verification, edit and deletion of an event at once;
// events.Service answers from its daily rollup, which keeps this fast.

// Point is the value of an indicator for one period. State is "computed"
// for computed indicators, else the state of the entered value.
type Point struct {
	Period string        `json:"period"`
	Start  peaceops.Date `json:"start"`
	End    peaceops.Date `json:"end"`
	Value  float64       `json:"value"`
	State  string        `json:"state"`
	Cell   string        `json:"cell,omitempty"`
	ID     string        `json:"id,omitempty"` // the measurement, for entered values
}

// maxPeriods bounds a series (10 years of months).
const maxPeriods = 120

// monthly sums of one events filter: month (first day) -> sums.
type sums struct{ events, fatalities, civilian int }

type monthly map[peaceops.Date]sums

// computer computes indicators, sharing the queries of identical filters.
type computer struct {
	s       *Service
	ctx     context.Context // the system actor
	mission string
	from    peaceops.Date
	to      peaceops.Date
	memo    map[string]map[string]monthly
}

func (s *Service) newComputer(ctx context.Context, mission string, from, to peaceops.Date) *computer {
	sys := peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	return &computer{s: s, ctx: sys, mission: mission, from: from, to: to, memo: map[string]map[string]monthly{}}
}

func dayEnd(d peaceops.Date) time.Time { return d.Time().AddDate(0, 0, 1).Add(-time.Millisecond) }

// months returns the monthly sums of the events matching f. Filters that
// differ only in their admin areas share one query grouped by admin area
// (events.Service.Stats with By admin1 or admin2), so the indicators of
// the prefectures of a mission cost one query, not one each.
func (c *computer) months(f *EventFilter) (monthly, error) {
	by, key, rest := groupOf(f)
	byArea, ok := c.memo[key]
	if !ok {
		var err error
		if byArea, err = c.query(&rest, by); err != nil {
			return nil, err
		}
		c.memo[key] = byArea
	}
	codes := f.Admin1
	if by == events.ByAdmin2 {
		codes = f.Admin2
	}
	out := monthly{}
	add := func(m monthly) {
		for d, v := range m {
			w := out[d]
			w.events += v.events
			w.fatalities += v.fatalities
			w.civilian += v.civilian
			out[d] = w
		}
	}
	if len(codes) == 0 {
		for _, m := range byArea {
			add(m) // every area, and the events without one
		}
	}
	for _, code := range codes {
		add(byArea[code])
	}
	return out, nil
}

// groupOf returns how the query serving f groups (admin1 unless f names
// admin2 areas), the memo key of that query and f without its areas.
func groupOf(f *EventFilter) (by, key string, rest EventFilter) {
	by = events.ByAdmin1
	if len(f.Admin2) > 0 {
		by = events.ByAdmin2
	}
	rest = *f
	rest.Admin1, rest.Admin2 = nil, nil
	return by, by + "|" + rest.key(), rest
}

// prefetch runs the distinct queries of list at the same time, a few at a
// time: each is one read transaction of its own.
func (c *computer) prefetch(list []*Indicator) error {
	type job struct {
		key, by string
		f       EventFilter
	}
	var jobs []job
	seen := map[string]bool{}
	for _, in := range list {
		d := in.Def()
		if d == nil {
			continue
		}
		for _, f := range []*EventFilter{&d.Filter, d.ShareOf} {
			if f == nil {
				continue
			}
			by, key, rest := groupOf(f)
			if !seen[key] {
				seen[key] = true
				jobs = append(jobs, job{key, by, rest})
			}
		}
	}
	results := make([]map[string]monthly, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, prefetchWorkers)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i], errs[i] = c.query(&j.f, j.by)
		}()
	}
	wg.Wait()
	for i, j := range jobs {
		if errs[i] != nil {
			return errs[i]
		}
		c.memo[j.key] = results[i]
	}
	return nil
}

// prefetchWorkers is how many statistics queries RecomputeAll runs at once.
const prefetchWorkers = 2

// query asks events.Service for the monthly sums of f by area (by "": one
// group, key "").
func (c *computer) query(f *EventFilter, by string) (map[string]monthly, error) {
	ef := f.eventFilters()[0]
	ef.From, ef.To = c.from.Time(), dayEnd(c.to)
	rows, err := c.s.events.Stats(c.ctx, c.mission, events.StatsRequest{Filter: ef, Interval: events.IntervalMonth, By: by})
	if err != nil {
		return nil, err
	}
	first := peaceops.Date{Year: c.from.Year, Month: c.from.Month, Day: 1}
	out := map[string]monthly{}
	for _, r := range rows {
		if r.Period.Before(first) {
			continue // started before the range, counted in an earlier period
		}
		m := out[r.Key]
		if m == nil {
			m = monthly{}
			out[r.Key] = m
		}
		v := m[r.Period]
		v.events += r.Events
		v.fatalities += r.Fatalities
		v.civilian += r.CivilianFatalities
		m[r.Period] = v
	}
	return out, nil
}

func (m monthly) over(p Period) sums {
	var out sums
	for d := (peaceops.Date{Year: p.Start.Year, Month: p.Start.Month, Day: 1}); !p.End.Before(d); d = peaceops.DateOf(d.Time().AddDate(0, 1, 0)) {
		v := m[d]
		out.events += v.events
		out.fatalities += v.fatalities
		out.civilian += v.civilian
	}
	return out
}

func measure(name string, v sums) float64 {
	switch name {
	case MeasureFatalities:
		return float64(v.fatalities)
	case MeasureCivilianFatalities:
		return float64(v.civilian)
	}
	return float64(v.events)
}

// series computes in for every period of its frequency from the one of
// its baseline date to the one containing c.to. A share over no events has
// no value for that period.
func (c *computer) series(in *Indicator) ([]Point, error) {
	d := in.Def()
	if d == nil {
		return nil, peaceops.Errorf(peaceops.EINVALID, "indicator %s is not computed", in.Code)
	}
	num, err := c.months(&d.Filter)
	if err != nil {
		return nil, err
	}
	var den monthly
	if d.Measure == MeasureShare {
		if den, err = c.months(d.ShareOf); err != nil {
			return nil, err
		}
	}
	out := []Point{}
	for _, p := range PeriodsBetween(in.Frequency, in.BaselineDate, c.to, maxPeriods) {
		pt := Point{Period: p.Key, Start: p.Start, End: p.End, State: "computed"}
		if d.Measure == MeasureShare {
			n, all := num.over(p).events, den.over(p).events
			if all == 0 {
				continue
			}
			pt.Value = 100 * float64(n) / float64(all)
		} else {
			pt.Value = measure(d.Measure, num.over(p))
		}
		out = append(out, pt)
	}
	return out, nil
}

// today is the date computations run up to.
func (s *Service) today() peaceops.Date { return peaceops.DateOf(s.db.Now()) }

// Series returns the values of indicator id: computed from events up to
// today for a computed indicator, else the entered values of the total
// cell with their state. Errors: ENOTFOUND.
func (s *Service) Series(ctx context.Context, mission, id string) ([]Point, error) {
	in, err := s.FindIndicatorByID(ctx, mission, id)
	if err != nil {
		return nil, err
	}
	return s.series(ctx, in, s.today())
}

func (s *Service) series(ctx context.Context, in *Indicator, to peaceops.Date) ([]Point, error) {
	if in.IsComputed() {
		from := PeriodOf(in.Frequency, in.BaselineDate).Start
		return s.newComputer(ctx, in.Mission, from, to).series(in)
	}
	vals, err := s.FindValues(ctx, in.Mission, in.ID)
	if err != nil {
		return nil, err
	}
	return entered(vals, ""), nil
}

// entered turns the values of one cell into points.
func entered(vals []*Measurement, cell string) []Point {
	out := []Point{}
	for _, m := range vals {
		if m.Cell == cell {
			out = append(out, Point{Period: m.Period, Start: m.PeriodStart, End: m.PeriodEnd, Value: m.Value, State: string(m.State), Cell: m.Cell, ID: m.ID})
		}
	}
	return out
}

// RecomputeAll computes every computed indicator of mission the actor may
// read, for every period from its baseline up to asOf, sharing one events
// query among indicators with the same filter. It returns the points by
// indicator id.
func (s *Service) RecomputeAll(ctx context.Context, mission string, asOf peaceops.Date) (map[string][]Point, error) {
	f, err := s.FindFramework(ctx, mission)
	if err != nil {
		return nil, err
	}
	return s.recompute(ctx, mission, f.Indicators, asOf)
}

func (s *Service) recompute(ctx context.Context, mission string, list []*Indicator, asOf peaceops.Date) (map[string][]Point, error) {
	out := map[string][]Point{}
	var from peaceops.Date
	for _, in := range list {
		if in.IsComputed() {
			if st := PeriodOf(in.Frequency, in.BaselineDate).Start; from.IsZero() || st.Before(from) {
				from = st
			}
		}
	}
	if from.IsZero() {
		return out, nil
	}
	c := s.newComputer(ctx, mission, from, asOf)
	if err := c.prefetch(list); err != nil {
		return nil, err
	}
	for _, in := range list {
		if !in.IsComputed() {
			continue
		}
		pts, err := c.series(in)
		if err != nil {
			return nil, err
		}
		out[in.ID] = pts
	}
	return out, nil
}

// DrillDown is what produced the value of a computed indicator for a
// period: the events counted, as far as the caller may see them.
type DrillDown struct {
	Indicator string        `json:"indicator"`
	Period    Period        `json:"period"`
	Value     *float64      `json:"value"`
	Counted   int           `json:"counted"`   // events the value counts (the numerator of a share)
	Of        int           `json:"of"`        // for a share: the events it is a share of
	EventIDs  []peaceops.ID `json:"event_ids"` // of the counted events, those the caller may read
	Hidden    int           `json:"hidden"`    // counted events the caller may not read
}

// DrillDownOf lists the events behind the value of computed indicator id
// for period (a key of its frequency). Errors: EINVALID (not computed, bad
// period), ENOTFOUND.
func (s *Service) DrillDownOf(ctx context.Context, mission, id, period string) (*DrillDown, error) {
	in, err := s.FindIndicatorByID(ctx, mission, id)
	if err != nil {
		return nil, err
	}
	d := in.Def()
	if d == nil {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "indicator", Message: "indicator " + in.Code + " is entered, not computed: its values have no events behind them"}})
	}
	p, err := ParsePeriod(in.Frequency, period)
	if err != nil {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "period", Message: peaceops.ErrorMessage(err)}})
	}
	c := s.newComputer(ctx, mission, p.Start, p.End)
	num, err := c.months(&d.Filter)
	if err != nil {
		return nil, err
	}
	out := &DrillDown{Indicator: in.Code, Period: p, Counted: num.over(p).events, EventIDs: []peaceops.ID{}}
	if d.Measure == MeasureShare {
		den, err := c.months(d.ShareOf)
		if err != nil {
			return nil, err
		}
		out.Of = den.over(p).events
		if out.Of > 0 {
			v := 100 * float64(out.Counted) / float64(out.Of)
			out.Value = &v
		}
	} else {
		v := measure(d.Measure, num.over(p))
		out.Value = &v
	}
	start, end := p.Start.Time(), dayEnd(p.End)
	for _, ef := range d.Filter.eventFilters() {
		ef.From, ef.To = start, end
		err := s.events.EachEvent(ctx, mission, ef, func(e *events.Event) error {
			if !e.Start.Before(start) && !e.Start.After(end) {
				out.EventIDs = append(out.EventIDs, e.ID)
			}
			return nil
		})
		if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
			break // the caller may read no event of the mission
		} else if err != nil {
			return nil, err
		}
	}
	out.Hidden = max(0, out.Counted-len(out.EventIDs))
	return out, nil
}

// canReadValues checks the actor may read the values of the mission.
func canReadValues(a peaceops.Actor, mission string) bool {
	return access.Can(a, access.ActionRead, ms(mission, peaceops.Internal))
}
