package events

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
)

// Statistics and map cells: the aggregates of events, filtered like lists
// and through the same clearance, so a confidential event counts nowhere
// its reader could not see it. Stats reads the events_daily rollup when
// the filter allows (no box, actor, text or fatality threshold; dates on
// day boundaries); otherwise it aggregates the events themselves. Both
// give the same numbers (a test holds them to it).

// Stats intervals and groupings.
const (
	IntervalWeek  = "week"
	IntervalMonth = "month"

	ByAdmin1   = "admin1"
	ByAdmin2   = "admin2"
	ByType     = "type"
	ByCategory = "category"
	ByActor    = "actor"
)

// StatsRequest selects and groups events for Stats. Interval "" gives one
// period (Period zero); By "" one group (Key "").
type StatsRequest struct {
	Filter   Filter
	Interval string // "week", "month" or ""
	By       string // "admin1", "admin2", "type", "category", "actor" or ""
}

// Validate checks q and its filter (whose limit and cursor are ignored).
func (q *StatsRequest) Validate() error {
	q.Filter.Limit, q.Filter.Cursor = 0, ""
	var p problems
	if err := q.Filter.Validate(); err != nil {
		p = append(p, peaceops.ErrorFields(err)...)
	}
	switch q.Interval {
	case "", IntervalWeek, IntervalMonth:
	default:
		p.add("interval", "must be week or month (or empty for the whole period)")
	}
	switch q.By {
	case "", ByAdmin1, ByAdmin2, ByType, ByCategory, ByActor:
	default:
		p.add("by", "must be admin1, admin2, type, category or actor (or empty for totals)")
	}
	return peaceops.Invalid(p)
}

// StatsRow is one group of Stats: the events starting in Period (the
// Monday of the week or the first of the month; zero without interval)
// with Key (P-code, type or category code, actor name; "" for events
// without one), their count and the sums of best fatalities and best
// civilian fatalities. An event with several actors counts once for each.
type StatsRow struct {
	Period             peaceops.Date `json:"period"`
	Key                string        `json:"key"`
	Label              string        `json:"label"`
	Events             int           `json:"events"`
	Fatalities         int           `json:"fatalities"`
	CivilianFatalities int           `json:"civilian_fatalities"`
}

// Stats returns the events of mission matching q.Filter that the actor may
// see, counted by period and key, ordered by period then key. Errors:
// ENOTFOUND when the actor may not read the mission's events (EUNAUTHORIZED
// when anonymous), EINVALID for a bad request.
func (s *Service) Stats(ctx context.Context, mission string, q StatsRequest) ([]StatsRow, error) {
	return s.stats(ctx, mission, q, true)
}

func (s *Service) stats(ctx context.Context, mission string, q StatsRequest, rollupAllowed bool) ([]StatsRow, error) {
	clear, err := clearance(peaceops.ActorFromContext(ctx), mission)
	if err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var out []StatsRow
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if rollupAllowed && rollupServes(&q) {
			out, err = statsFromRollup(ctx, tx, mission, clear, &q)
		} else {
			out, err = statsFromEvents(ctx, tx, mission, clear, &q)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		r := &out[i]
		switch q.By {
		case ByType:
			if info, ok := Type(r.Key).Info(); ok {
				r.Label = info.Label
			}
		case ByCategory:
			for _, c := range categories {
				if string(c.Category) == r.Key {
					r.Label = c.Label
				}
			}
		case ByActor:
			r.Label = r.Key
		}
	}
	slices.SortFunc(out, func(a, b StatsRow) int {
		return cmp.Or(a.Period.Time().Compare(b.Period.Time()), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

const dayMillis = 24 * 60 * 60 * 1000

// rollupServes reports whether the events_daily rollup answers q exactly:
// it knows days, admin areas, types, statuses and classifications only.
func rollupServes(q *StatsRequest) bool {
	f := &q.Filter
	return q.By != ByActor && f.BBox == nil && strings.TrimSpace(f.Actor) == "" && f.MinFatalities == 0 &&
		len(store.SearchWords(f.Query)) == 0 &&
		(f.From.IsZero() || store.Millis(f.From)%dayMillis == 0) &&
		(f.To.IsZero() || (store.Millis(f.To)+1)%dayMillis == 0)
}

var rollupKeyColumn = map[string][2]string{
	"":         {"''", "''"},
	ByAdmin1:   {"admin1_pcode", "MAX(admin1_name)"},
	ByAdmin2:   {"admin2_pcode", "MAX(admin2_name)"},
	ByType:     {"type", "''"},
	ByCategory: {"category", "''"},
}

// monthlyServes reports whether events_monthly answers q (which the daily
// rollup serves): no weeks, and dates on month boundaries.
func monthlyServes(q *StatsRequest) bool {
	f := &q.Filter
	firstOfMonth := func(t time.Time) bool {
		t = t.UTC()
		return t.Day() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	}
	return q.Interval != IntervalWeek &&
		(f.From.IsZero() || firstOfMonth(f.From)) &&
		(f.To.IsZero() || firstOfMonth(f.To.Add(time.Millisecond)))
}

func statsFromRollup(ctx context.Context, tx *store.Tx, mission string, clear peaceops.Classification, q *StatsRequest) ([]StatsRow, error) {
	f := &q.Filter
	a := &sqlArgs{}
	w := []string{"mission = " + a.add(mission), "classification <= " + a.add(int(clear))}
	table := "events_daily"
	if monthlyServes(q) {
		table = "events_monthly"
		if !f.From.IsZero() {
			w = append(w, "end_month >= "+a.add(monthOf(epochDay(f.From))))
		}
		if !f.To.IsZero() {
			w = append(w, "month <= "+a.add(monthOf(epochDay(f.To))))
		}
	} else {
		if !f.From.IsZero() {
			w = append(w, "end_day >= "+a.add(epochDay(f.From)))
		}
		if !f.To.IsZero() {
			w = append(w, "day <= "+a.add(epochDay(f.To)))
		}
	}
	if types := expandTypes(f.Types); len(types) > 0 {
		w = append(w, "type IN ("+a.list(types)+")")
	}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, s := range f.Status {
			st[i] = string(s)
		}
		w = append(w, "status IN ("+a.list(st)+")")
	}
	if f.Admin != "" {
		p := a.add(f.Admin)
		w = append(w, "(admin1_pcode = "+p+" OR admin2_pcode = "+p+")")
	}
	period := "0"
	var group []string
	switch q.Interval {
	case IntervalWeek:
		period = "week"
	case IntervalMonth:
		period = "month"
	}
	if period != "0" {
		group = append(group, period)
	}
	key := rollupKeyColumn[q.By]
	if q.By != "" {
		group = append(group, key[0])
	}
	query := `SELECT ` + period + `, ` + key[0] + `, ` + key[1] + `, SUM(events), SUM(fatalities), SUM(civilian)
		FROM ` + table + ` WHERE ` + strings.Join(w, " AND ")
	if len(group) > 0 {
		query += ` GROUP BY ` + strings.Join(group, ", ")
	}
	query += ` HAVING SUM(events) <> 0`
	rows, err := tx.QueryContext(ctx, query, a.args...)
	if err != nil {
		return nil, fmt.Errorf("events: stats: %w", err)
	}
	defer rows.Close()
	out := []StatsRow{}
	for rows.Next() {
		var p int64
		var r StatsRow
		var label sql.NullString
		var n, fat, civ int64
		if err := rows.Scan(&p, &r.Key, &label, &n, &fat, &civ); err != nil {
			return nil, fmt.Errorf("events: stats: %w", err)
		}
		switch q.Interval {
		case IntervalWeek:
			r.Period = dateOfDay(p)
		case IntervalMonth:
			r.Period = peaceops.Date{Year: int(p / 100), Month: time.Month(p % 100), Day: 1}
		}
		r.Label, r.Events, r.Fatalities, r.CivilianFatalities = label.String, int(n), int(fat), int(civ)
		out = append(out, r)
	}
	return out, rows.Err()
}

// dayExpr is the UTC day number of start_at, floored for instants before
// 1970 (integer arithmetic, the same on both engines).
const dayExpr = `(e.start_at - ((e.start_at % 86400000) + 86400000) % 86400000) / 86400000`

func statsFromEvents(ctx context.Context, tx *store.Tx, mission string, clear peaceops.Classification, q *StatsRequest) ([]StatsRow, error) {
	a := &sqlArgs{}
	w := conditions(tx.Dialect(), a, mission, clear, &q.Filter)
	key, label, from := "''", "''", "events e"
	switch q.By {
	case ByAdmin1:
		key, label = "e.admin1_pcode", "MAX(e.admin1_name)"
	case ByAdmin2:
		key, label = "e.admin2_pcode", "MAX(e.admin2_name)"
	case ByType:
		key = "e.type"
	case ByCategory:
		key = "e.category"
	case ByActor:
		key, from = "x.name", "events e JOIN (SELECT DISTINCT event_id, name FROM event_actors) x ON x.event_id = e.id"
	}
	day := "0"
	var group []string
	if q.Interval != "" {
		day = dayExpr
		group = append(group, "1")
	}
	if q.By != "" {
		group = append(group, "2")
	}
	query := `SELECT ` + day + `, ` + key + `, ` + label + `, COUNT(*), SUM(e.fatalities_best), SUM(e.civilian_best)
		FROM ` + from + ` WHERE ` + strings.Join(w, " AND ")
	if len(group) > 0 {
		query += ` GROUP BY ` + strings.Join(group, ", ")
	}
	query += ` HAVING COUNT(*) > 0`
	rows, err := tx.QueryContext(ctx, query, a.args...)
	if err != nil {
		return nil, fmt.Errorf("events: stats: %w", err)
	}
	defer rows.Close()
	type groupKey struct {
		period peaceops.Date
		key    string
	}
	sums := map[groupKey]*StatsRow{}
	for rows.Next() {
		var d int64
		var r StatsRow
		var label sql.NullString
		var n, fat, civ int64
		if err := rows.Scan(&d, &r.Key, &label, &n, &fat, &civ); err != nil {
			return nil, fmt.Errorf("events: stats: %w", err)
		}
		switch q.Interval {
		case IntervalWeek:
			r.Period = dateOfDay(weekOf(d))
		case IntervalMonth:
			t := dateOfDay(d)
			r.Period = peaceops.Date{Year: t.Year, Month: t.Month, Day: 1}
		}
		g := groupKey{r.Period, r.Key}
		if sums[g] == nil {
			sums[g] = &StatsRow{Period: r.Period, Key: r.Key}
		}
		sum := sums[g]
		if label.String > sum.Label {
			sum.Label = label.String
		}
		sum.Events += int(n)
		sum.Fatalities += int(fat)
		sum.CivilianFatalities += int(civ)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: stats: %w", err)
	}
	out := make([]StatsRow, 0, len(sums))
	for _, r := range sums {
		out = append(out, *r)
	}
	return out, nil
}

// epochDay returns the UTC day number of t (days since 1970-01-01).
func epochDay(t time.Time) int64 {
	ms := store.Millis(t)
	d := ms / dayMillis
	if ms%dayMillis < 0 {
		d--
	}
	return d
}

// weekOf returns the day number of the Monday of day's week (1970-01-01
// was a Thursday).
func weekOf(day int64) int64 { return day - ((day+3)%7+7)%7 }

// monthOf returns YYYYMM of a day number.
func monthOf(day int64) int64 {
	t := store.FromMillis(day * dayMillis)
	return int64(t.Year()*100 + int(t.Month()))
}

func dateOfDay(day int64) peaceops.Date { return peaceops.DateOf(store.FromMillis(day * dayMillis)) }

// rollupKey is one row of events_daily.
type rollupKey struct {
	mission        string
	day, endDay    int64
	admin1, admin2 string
	typ            Type
	status         Status
	class          peaceops.Classification
}

type rollupSums struct {
	admin1Name, admin2Name    string
	events, fatalities, civil int
}

// rollup gathers the changes a transaction makes to events_daily.
type rollup map[rollupKey]*rollupSums

// add counts e once more (sign 1) or once less (sign -1). Deleted events
// and nil count nothing.
func (r rollup) add(e *Event, sign int) {
	if e == nil || e.DeletedAt != nil {
		return
	}
	k := rollupKey{e.Mission, epochDay(e.Start), epochDay(e.End), e.Admin1.PCode, e.Admin2.PCode, e.Type, e.Status, e.Classification}
	v := r[k]
	if v == nil {
		v = &rollupSums{}
		r[k] = v
	}
	if sign > 0 || v.admin1Name == "" {
		v.admin1Name, v.admin2Name = e.Admin1.Name, e.Admin2.Name
	}
	v.events += sign
	v.fatalities += sign * e.Fatalities.Best
	v.civil += sign * e.CivilianFatalities.Best
}

const rollupUpsert = `INSERT INTO events_daily (mission, day, end_day, week, month, admin1_pcode, admin2_pcode, type,
	category, status, classification, admin1_name, admin2_name, events, fatalities, civilian) VALUES `

const rollupConflict = ` ON CONFLICT (mission, day, end_day, admin1_pcode, admin2_pcode, type, status, classification)
	DO UPDATE SET events = events_daily.events + excluded.events,
		fatalities = events_daily.fatalities + excluded.fatalities,
		civilian = events_daily.civilian + excluded.civilian,
		admin1_name = CASE WHEN excluded.events > 0 THEN excluded.admin1_name ELSE events_daily.admin1_name END,
		admin2_name = CASE WHEN excluded.events > 0 THEN excluded.admin2_name ELSE events_daily.admin2_name END`

// apply writes the changes, in key order so that concurrent transactions
// lock rollup rows in the same order (no deadlocks on PostgreSQL).
func (r rollup) apply(ctx context.Context, tx *store.Tx) error {
	keys := make([]rollupKey, 0, len(r))
	for k, v := range r {
		if v.events != 0 || v.fatalities != 0 || v.civil != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.mission, b.mission), cmp.Compare(a.day, b.day), cmp.Compare(a.endDay, b.endDay),
			cmp.Compare(a.admin1, b.admin1), cmp.Compare(a.admin2, b.admin2), cmp.Compare(a.typ, b.typ),
			cmp.Compare(a.status, b.status), cmp.Compare(a.class, b.class))
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		v := r[k]
		rows[i] = []any{k.mission, k.day, k.endDay, weekOf(k.day), monthOf(k.day), k.admin1, k.admin2, string(k.typ),
			string(k.typ.Category()), string(k.status), int(k.class), v.admin1Name, v.admin2Name, v.events, v.fatalities, v.civil}
	}
	if err := batchExec(ctx, tx, rollupUpsert, 16, rollupConflict, rows, 200); err != nil {
		return fmt.Errorf("events: rollup: %w", err)
	}
	return r.applyMonthly(ctx, tx, keys)
}

// monthKey is one row of events_monthly.
type monthKey struct {
	mission         string
	month, endMonth int64
	admin1, admin2  string
	typ             Type
	status          Status
	class           peaceops.Classification
}

const monthlyUpsert = `INSERT INTO events_monthly (mission, month, end_month, admin1_pcode, admin2_pcode, type,
	category, status, classification, admin1_name, admin2_name, events, fatalities, civilian) VALUES `

const monthlyConflict = ` ON CONFLICT (mission, month, end_month, admin1_pcode, admin2_pcode, type, status, classification)
	DO UPDATE SET events = events_monthly.events + excluded.events,
		fatalities = events_monthly.fatalities + excluded.fatalities,
		civilian = events_monthly.civilian + excluded.civilian,
		admin1_name = CASE WHEN excluded.events > 0 THEN excluded.admin1_name ELSE events_monthly.admin1_name END,
		admin2_name = CASE WHEN excluded.events > 0 THEN excluded.admin2_name ELSE events_monthly.admin2_name END`

// applyMonthly folds the daily changes of keys (in key order) into
// events_monthly, again in key order.
func (r rollup) applyMonthly(ctx context.Context, tx *store.Tx, keys []rollupKey) error {
	sums := map[monthKey]*rollupSums{}
	var order []monthKey
	for _, k := range keys {
		v := r[k]
		mk := monthKey{k.mission, monthOf(k.day), monthOf(k.endDay), k.admin1, k.admin2, k.typ, k.status, k.class}
		m := sums[mk]
		if m == nil {
			m = &rollupSums{}
			sums[mk] = m
			order = append(order, mk)
		}
		if v.events > 0 || m.admin1Name == "" {
			m.admin1Name, m.admin2Name = v.admin1Name, v.admin2Name
		}
		m.events += v.events
		m.fatalities += v.fatalities
		m.civil += v.civil
	}
	slices.SortFunc(order, func(a, b monthKey) int {
		return cmp.Or(cmp.Compare(a.mission, b.mission), cmp.Compare(a.month, b.month), cmp.Compare(a.endMonth, b.endMonth),
			cmp.Compare(a.admin1, b.admin1), cmp.Compare(a.admin2, b.admin2), cmp.Compare(a.typ, b.typ),
			cmp.Compare(a.status, b.status), cmp.Compare(a.class, b.class))
	})
	rows := make([][]any, 0, len(order))
	for _, k := range order {
		v := sums[k]
		if v.events == 0 && v.fatalities == 0 && v.civil == 0 {
			continue
		}
		rows = append(rows, []any{k.mission, k.month, k.endMonth, k.admin1, k.admin2, string(k.typ),
			string(k.typ.Category()), string(k.status), int(k.class), v.admin1Name, v.admin2Name, v.events, v.fatalities, v.civil})
	}
	if err := batchExec(ctx, tx, monthlyUpsert, 14, monthlyConflict, rows, 200); err != nil {
		return fmt.Errorf("events: monthly rollup: %w", err)
	}
	return nil
}

// Cell is one square of the map grid: the events located in it, their
// best fatalities, the mean of their positions (Center) and, when there is
// exactly one, its ID.
type Cell struct {
	Center     geo.Point `json:"center"`
	BBox       geo.BBox  `json:"bbox"`
	Count      int       `json:"count"`
	Fatalities int       `json:"fatalities"`
	EventID    string    `json:"event_id,omitempty"`
}

// MaxZoom is the deepest zoom of Grid.
const MaxZoom = 22

// CellSize returns the side in degrees of the grid cells at zoom: the
// cells of 64 pixels of 256-pixel map tiles, 2^(zoom+2) cells per 360°.
func CellSize(zoom int) float64 { return 360 / math.Exp2(float64(zoom+2)) }

// Grid aggregates the located events of mission matching f (f.BBox is
// required) that the actor may see into square cells of CellSize(zoom)
// degrees aligned on (-180, -90), ordered south to north, west to east.
// Errors: ENOTFOUND when the actor may not read the mission's events
// (EUNAUTHORIZED when anonymous), EINVALID for a bad filter, a missing box
// or a zoom outside 0..MaxZoom.
func (s *Service) Grid(ctx context.Context, mission string, f Filter, zoom int) ([]Cell, error) {
	clear, err := clearance(peaceops.ActorFromContext(ctx), mission)
	if err != nil {
		return nil, err
	}
	f.Limit, f.Cursor = 0, ""
	var p problems
	if err := f.Validate(); err != nil {
		p = append(p, peaceops.ErrorFields(err)...)
	}
	if f.BBox == nil {
		p.add("bbox", "is required: the map's box minLon,minLat,maxLon,maxLat")
	}
	if zoom < 0 || zoom > MaxZoom {
		p.add("zoom", fmt.Sprintf("must be from 0 to %d", MaxZoom))
	}
	if err := peaceops.Invalid(p); err != nil {
		return nil, err
	}
	size := CellSize(zoom)
	var out []Cell
	err = s.db.View(ctx, func(tx *store.Tx) error {
		a := &sqlArgs{}
		w := conditions(tx.Dialect(), a, mission, clear, &f)
		sz := a.add(size)
		cx := "CAST(floor((e.lon + 180) / " + sz + ") AS BIGINT)"
		cy := "CAST(floor((e.lat + 90) / " + sz + ") AS BIGINT)"
		rows, err := tx.QueryContext(ctx, `SELECT `+cx+`, `+cy+`, COUNT(*), SUM(e.fatalities_best), AVG(e.lon), AVG(e.lat), MIN(e.id)
			FROM events e WHERE `+strings.Join(w, " AND ")+` GROUP BY 1, 2`, a.args...)
		if err != nil {
			return fmt.Errorf("events: grid: %w", err)
		}
		defer rows.Close()
		out = []Cell{}
		for rows.Next() {
			var x, y, n, fat int64
			var c Cell
			var first string
			if err := rows.Scan(&x, &y, &n, &fat, &c.Center.Lon, &c.Center.Lat, &first); err != nil {
				return fmt.Errorf("events: grid: %w", err)
			}
			c.Count, c.Fatalities = int(n), int(fat)
			if n == 1 {
				c.EventID = first
			}
			c.BBox = geo.BBox{
				MinLon: float64(x)*size - 180, MinLat: float64(y)*size - 90,
				MaxLon: min(float64(x+1)*size-180, 180), MaxLat: min(float64(y+1)*size-90, 90),
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Cell) int {
		return cmp.Or(cmp.Compare(a.BBox.MinLat, b.BBox.MinLat), cmp.Compare(a.BBox.MinLon, b.BBox.MinLon))
	})
	return out, nil
}
