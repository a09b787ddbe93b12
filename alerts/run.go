package alerts

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
)

// seasonWeeks is the extra history a seasonal baseline reads: two earlier
// years, the least it needs (see doc.go).
const seasonWeeks = 2 * 53

// MinCategoryEvents is how many events of a category the whole mission must
// have over the history for the category to get series of its own per
// admin1 area: below it, category series would be mostly zeros and only
// add tests (and false alarms) to the adjustment.
const MinCategoryEvents = 100

// group is a set of series tested together: one DetectAll, one adjustment.
type group struct {
	level  int // admin level of the areas
	series []Series
}

// Run computes the alerts of mission as of at: weekly series per admin1
// area, per admin2 area and, for event categories with enough data
// (MinCategoryEvents), per admin1 area and category, ending with the last
// complete ISO week before at. Each kind of series is tested together
// (DetectAll) and every result at watch level or above is recorded:
// the alert of its area, type and metric is updated while its episode
// lasts, a new one raised otherwise. An alert whose area shows no level in
// QuietRuns consecutive runs is resolved (ReasonBackToExpected).
// Subscribers are notified of alerts raised or escalated to warning or
// above; mail, when configured, is sent after the commit, and a failure to
// send is logged and retried by the next run, never an error of Run.
//
// The run needs "create" and "update" on the mission's alerts (analysts,
// mission-admins, the system actor of the scheduler) and is audited: one
// "run" entry with the summary, and one entry per alert raised (create),
// escalated (escalate) and resolved (resolve). Errors: ENOTFOUND (mission
// unknown or not visible), EFORBIDDEN, EUNAUTHORIZED, and those of
// events.Service.Stats.
func (s *Service) Run(ctx context.Context, mission string, at time.Time) (RunResult, error) {
	if _, err := s.missions.FindMissionByCode(ctx, mission); err != nil {
		return RunResult{}, err
	}
	if err := canRun(peaceops.ActorFromContext(ctx), mission); err != nil {
		return RunResult{}, err
	}
	p := s.params
	last := lastCompleteWeek(at)
	weeks := p.RecentWeeks + p.HistoryWeeks
	if p.Seasonal {
		weeks += seasonWeeks
	}
	start := last.AddDate(0, 0, -7*(weeks-1))
	groups, categories, err := s.series(ctx, mission, start, weeks)
	if err != nil {
		return RunResult{}, err
	}
	res := RunResult{Mission: mission, At: at.UTC(), Categories: categories,
		Window: window(start, weeks-p.RecentWeeks, p.RecentWeeks)}
	var all []found
	for _, g := range groups {
		results, err := DetectAll(g.series, p)
		if err != nil {
			return RunResult{}, fmt.Errorf("alerts: run %s: %w", mission, err)
		}
		res.Series += len(results)
		for _, r := range results {
			if r.Type != "" {
				// The explanation names the category by its code; people
				// read its label.
				name := cmp.Or(r.AreaName, r.Area)
				r.Explanation = strings.Replace(r.Explanation, name+" ("+r.Type+")", name+" ("+categoryLabel(r.Type, "en")+")", 1)
			}
			all = append(all, found{r, g.level})
		}
	}
	// Who may be told: members whose roles let them read the alerts.
	members, err := s.access.FindMembers(ctx, mission)
	if err != nil {
		return RunResult{}, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		res.Raised, res.Updated, res.Escalated, res.Resolved, res.Notified, res.Alerts = 0, 0, 0, 0, 0, nil
		return s.record(ctx, tx, mission, all, members, &res)
	})
	if err != nil {
		return RunResult{}, err
	}
	res.Emailed, res.MailFailed = s.deliverMail(ctx)
	s.log.InfoContext(ctx, "alerts run", "mission", mission, "window_from", res.Window.From.String(),
		"series", res.Series, "raised", res.Raised, "updated", res.Updated, "escalated", res.Escalated,
		"resolved", res.Resolved, "notified", res.Notified, "emailed", res.Emailed, "mail_failed", res.MailFailed)
	return res, nil
}

// found is one result of a run with the admin level of its area.
type found struct {
	Result
	areaLevel int
}

// lastCompleteWeek returns the Monday (midnight UTC) of the last ISO week
// that ended before at: at in the week of Monday 30 December 2013 gives 23
// December 2013.
func lastCompleteWeek(at time.Time) time.Time {
	d := peaceops.DateOf(at.UTC()).Time()
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	return d.AddDate(0, 0, -back-7)
}

// series builds the groups of series of mission over weeks weeks from the
// Monday start, through events.Service.Stats with the caller's identity.
func (s *Service) series(ctx context.Context, mission string, start time.Time, weeks int) ([]group, []string, error) {
	end := start.AddDate(0, 0, 7*weeks).Add(-time.Millisecond)
	f := events.Filter{From: start, To: end}
	stats := func(by string, f events.Filter) ([]events.StatsRow, error) {
		rows, err := s.events.Stats(ctx, mission, events.StatsRequest{Filter: f, Interval: "week", By: by})
		if err != nil {
			return nil, fmt.Errorf("alerts: weekly events by %s: %w", by, err)
		}
		return rows, nil
	}
	var groups []group
	for level, by := range map[int]string{1: "admin1", 2: "admin2"} {
		rows, err := stats(by, f)
		if err != nil {
			return nil, nil, err
		}
		groups = append(groups, group{level, weekly(rows, start, weeks, s.params.Metric, "")})
	}
	slices.SortFunc(groups, func(a, b group) int { return cmp.Compare(a.level, b.level) })

	totals, err := s.events.Stats(ctx, mission, events.StatsRequest{Filter: f, By: "category"})
	if err != nil {
		return nil, nil, fmt.Errorf("alerts: events by category: %w", err)
	}
	byCategory := map[string]int{}
	for _, r := range totals {
		if r.Key != "" {
			byCategory[r.Key] += r.Events
		}
	}
	var categories []string
	if len(byCategory) > 1 { // one category only: its series are the all-events ones
		for c, n := range byCategory {
			if n >= MinCategoryEvents {
				categories = append(categories, c)
			}
		}
	}
	slices.Sort(categories)
	for _, c := range categories {
		cf := f
		cf.Types = []events.Type{events.Type(c)}
		rows, err := stats("admin1", cf)
		if err != nil {
			return nil, nil, err
		}
		groups = append(groups, group{1, weekly(rows, start, weeks, s.params.Metric, c)})
	}
	return groups, categories, nil
}

// weekly turns statistics rows into one zero-filled series per area (rows
// without an area are left out), in P-code order.
func weekly(rows []events.StatsRow, start time.Time, weeks int, metric Metric, typ string) []Series {
	byArea := map[string]*Series{}
	for _, r := range rows {
		if r.Key == "" || r.Period.IsZero() {
			continue
		}
		i := int(r.Period.Time().Sub(start).Hours()) / (24 * 7)
		if r.Period.Time().Before(start) || i >= weeks {
			continue
		}
		se := byArea[r.Key]
		if se == nil {
			se = &Series{Area: r.Key, AreaName: r.Label, Type: typ, Weekly: make([]float64, weeks), WeekStart: start}
			byArea[r.Key] = se
		}
		v := r.Events
		if metric == MetricFatalities {
			v = r.Fatalities
		}
		se.Weekly[i] += float64(v)
	}
	out := make([]Series, 0, len(byArea))
	for _, se := range byArea {
		out = append(out, *se)
	}
	slices.SortFunc(out, func(a, b Series) int { return strings.Compare(a.Area, b.Area) })
	return out
}

// key identifies the episode an alert belongs to.
type key struct{ area, typ string }

// runSummary is the audit entry of a run.
type runSummary struct {
	Window     Window   `json:"window"`
	Params     Params   `json:"params"`
	Series     int      `json:"series"`
	Categories []string `json:"categories"`
	Raised     []string `json:"raised"`
	Updated    []string `json:"updated"`
	Escalated  []string `json:"escalated"`
	Resolved   []string `json:"resolved"`
	Notified   int      `json:"notified"`
}

// record applies the results of a run to the stored alerts within tx.
func (s *Service) record(ctx context.Context, tx *store.Tx, mission string, results []found, members []access.Member, res *RunResult) error {
	// Taking the mission's run row first serialises concurrent runs of one
	// mission on PostgreSQL (SQLite has one writer anyway).
	if err := touchRun(ctx, tx, mission); err != nil {
		return err
	}
	active, err := findActiveAlerts(ctx, tx, mission, s.params.Metric)
	if err != nil {
		return err
	}
	subs, err := findMissionSubscriptions(ctx, tx, mission)
	if err != nil {
		return err
	}
	n := notifier{tx: tx, mission: mission, subs: subs, readers: readers(mission, members)}
	// Lists show the newest first, and IDs made in one transaction grow:
	// recording the most significant results last puts them on top.
	slices.SortStableFunc(results, func(a, b found) int {
		return cmp.Or(a.Level.rank()-b.Level.rank(), cmp.Compare(b.AdjustedP, a.AdjustedP))
	})
	sum := runSummary{Window: res.Window, Params: s.params, Series: res.Series, Categories: res.Categories}
	seen := map[key]bool{}
	for _, r := range results {
		if r.Level.rank() < LevelWatch.rank() {
			continue
		}
		k := key{r.Area, r.Type}
		seen[k] = true
		a, news, err := s.recordResult(ctx, tx, mission, r.Result, r.areaLevel, active[k], &sum)
		if err != nil {
			return err
		}
		res.Alerts = append(res.Alerts, a)
		if news {
			if err := n.notify(ctx, a); err != nil {
				return err
			}
		}
	}
	for k, a := range active {
		if seen[k] {
			continue
		}
		if err := s.recordQuiet(ctx, tx, a, &sum); err != nil {
			return err
		}
	}
	res.Raised, res.Updated, res.Escalated, res.Resolved = len(sum.Raised), len(sum.Updated), len(sum.Escalated), len(sum.Resolved)
	res.Notified, sum.Notified = n.count, n.count
	slices.SortStableFunc(res.Alerts, func(a, b *Alert) int {
		return cmp.Or(b.Level.rank()-a.Level.rank(), cmp.Compare(a.AdjustedP, b.AdjustedP))
	})
	if err := saveRun(ctx, tx, mission, *res); err != nil {
		return err
	}
	return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "alert_run", EntityID: mission, Action: "run", After: sum})
}

// recordResult raises or refreshes the alert of one result. cur is the
// active alert of its key, or nil. news reports whether the alert is new or
// escalated while open or acknowledged: what subscribers are told.
func (s *Service) recordResult(ctx context.Context, tx *store.Tx, mission string, r Result, areaLevel int, cur *Alert, sum *runSummary) (a *Alert, news bool, err error) {
	if cur != nil && cur.State.closed() && r.Level.rank() > cur.PeakLevel.rank() {
		// Someone closed the alert and the episode has since grown worse:
		// that is news, so it ends and a new alert is raised.
		if err := endEpisode(ctx, tx, cur.ID); err != nil {
			return nil, false, err
		}
		cur = nil
	}
	if cur == nil {
		a = &Alert{
			ID: peaceops.NewIDAt(tx.Now), Mission: mission, AreaLevel: areaLevel,
			State: StateOpen, Classification: peaceops.Internal, Notes: []Note{},
			CreatedAt: tx.Now, UpdatedAt: tx.Now, Version: 1, LastSeenAt: tx.Now, active: true,
		}
		a.apply(r)
		a.PeakLevel = r.Level
		if err := insertAlert(ctx, tx, a); err != nil {
			return nil, false, err
		}
		sum.Raised = append(sum.Raised, a.ID)
		return a, true, tx.Audit(ctx, store.Change{Mission: mission, EntityType: resourceType, EntityID: a.ID, Action: "create", After: a})
	}
	before := *cur
	a = cur
	a.apply(r)
	a.quietRuns, a.LastSeenAt = 0, tx.Now
	escalated := r.Level.rank() > a.PeakLevel.rank()
	if escalated {
		a.PeakLevel = r.Level
	}
	changed := a.differs(&before)
	if changed {
		a.UpdatedAt, a.Version = tx.Now, before.Version+1
	}
	if err := updateAlert(ctx, tx, a, before.Version); err != nil {
		return nil, false, err
	}
	sum.Updated = append(sum.Updated, a.ID)
	if escalated {
		sum.Escalated = append(sum.Escalated, a.ID)
		return a, !a.State.closed(), tx.Audit(ctx, store.Change{Mission: mission, EntityType: resourceType, EntityID: a.ID, Action: "escalate", Before: before, After: a})
	}
	return a, false, nil
}

// recordQuiet counts a run in which the area of a showed no level, and ends
// the episode after QuietRuns of them, resolving the alert if it was still
// open or acknowledged.
func (s *Service) recordQuiet(ctx context.Context, tx *store.Tx, a *Alert, sum *runSummary) error {
	before := *a
	a.quietRuns++
	if a.quietRuns < QuietRuns {
		return updateAlert(ctx, tx, a, a.Version)
	}
	a.active = false
	if a.State.closed() {
		return updateAlert(ctx, tx, a, a.Version)
	}
	a.State, a.StateReason = StateResolved, ReasonBackToExpected
	a.UpdatedAt, a.Version = tx.Now, before.Version+1
	if err := updateAlert(ctx, tx, a, before.Version); err != nil {
		return err
	}
	sum.Resolved = append(sum.Resolved, a.ID)
	return tx.Audit(ctx, store.Change{Mission: a.Mission, EntityType: resourceType, EntityID: a.ID, Action: "resolve", Before: before, After: a})
}

// apply copies what a run found into a.
func (a *Alert) apply(r Result) {
	a.Area, a.AreaName, a.Type, a.Metric = r.Area, r.AreaName, r.Type, r.Metric
	if a.AreaName == "" {
		a.AreaName = r.Area
	}
	a.Observed, a.Expected, a.Baseline, a.HistoryWeeks = r.Observed, r.Expected, r.Baseline, r.HistoryWeeks
	a.PValue, a.AdjustedP, a.Model, a.Level = r.PValue, r.AdjustedP, r.Model, r.Level
	a.Explanation, a.Window = r.Explanation, r.Window
}

// differs reports whether a run changed what people see of an alert.
func (a *Alert) differs(b *Alert) bool {
	return a.Level != b.Level || a.PeakLevel != b.PeakLevel || a.Observed != b.Observed || a.Expected != b.Expected ||
		a.PValue != b.PValue || a.AdjustedP != b.AdjustedP || a.Window != b.Window || a.Explanation != b.Explanation ||
		a.AreaName != b.AreaName
}

// readers returns the usernames among members who may read the mission's
// alerts.
func readers(mission string, members []access.Member) map[string]bool {
	out := map[string]bool{}
	for _, m := range members {
		a := peaceops.Actor{UserID: "member", Username: m.Username, Roles: map[string][]peaceops.Role{mission: m.Roles}}
		if access.Can(a, access.ActionRead, resource(mission, peaceops.Internal)) {
			out[m.Username] = true
		}
	}
	return out
}

// Schedule runs detection for every active mission (and those in
// drawdown) every interval, as the system actor, until ctx ends. Several
// servers may run it on one database: before each mission's run a server
// claims it in the alert_runs table, so a mission runs at most about once
// per interval whichever server claims it. Errors are logged, never fatal:
// the next tick tries again.
func (s *Service) Schedule(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 24 * time.Hour
	}
	sys := peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.runScheduled(sys, every)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runScheduled is one tick of Schedule.
func (s *Service) runScheduled(ctx context.Context, every time.Duration) {
	var codes []string
	for _, st := range []missions.Status{missions.StatusActive, missions.StatusDrawdown} {
		list, _, err := s.missions.FindMissions(ctx, missions.Filter{Status: st, Limit: 1000})
		if err != nil {
			s.log.ErrorContext(ctx, "alerts: list missions for the scheduled run", "error", err.Error())
			return
		}
		for _, m := range list {
			codes = append(codes, m.Code)
		}
	}
	for _, code := range codes {
		if ctx.Err() != nil {
			return
		}
		now := s.db.Now().UTC()
		// Claim a little less than the interval, so the claiming server's
		// next tick finds it free despite timer jitter.
		ok, err := s.claim(ctx, code, now, now.Add(every-every/10))
		if err != nil {
			s.log.ErrorContext(ctx, "alerts: claim the scheduled run", "mission", code, "error", err.Error())
			continue
		}
		if !ok {
			continue
		}
		if _, err := s.Run(ctx, code, now); err != nil {
			s.log.ErrorContext(ctx, "alerts: scheduled run", "mission", code, "error", err.Error())
		}
	}
}

// claim takes the scheduled run of mission until till if nobody holds it
// at now, and reports whether it did.
func (s *Service) claim(ctx context.Context, mission string, now, till time.Time) (bool, error) {
	var ok bool
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		ok, err = claimRun(ctx, tx, mission, now, till)
		return err
	})
	return ok, err
}

// LastRun returns the result of the last run of mission (without its
// alerts) and false when there has been none. It needs read access to the
// mission's alerts.
func (s *Service) LastRun(ctx context.Context, mission string) (RunResult, bool, error) {
	if err := s.mission(ctx, mission, access.ActionRead, peaceops.Public); err != nil {
		return RunResult{}, false, err
	}
	var text string
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		text, err = findLastRun(ctx, tx, mission)
		return err
	})
	if err != nil || text == "" {
		return RunResult{}, false, err
	}
	var r RunResult
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return RunResult{}, false, fmt.Errorf("alerts: last run of %s: %w", mission, err)
	}
	return r, true, nil
}

// WeekCount is one week of an area's history as the alert page charts it.
type WeekCount struct {
	Week  peaceops.Date `json:"week"` // Monday
	Count float64       `json:"count"`
}

// History returns the weekly counts of the alert's area, type and metric
// over its window and the weeks of history before it, as the actor's own
// access to events lets them see (so they may differ from the run's).
func (s *Service) History(ctx context.Context, a *Alert) ([]WeekCount, error) {
	if err := access.Check(peaceops.ActorFromContext(ctx), access.ActionRead, resource(a.Mission, a.Classification)); err != nil {
		return nil, err
	}
	weeks := a.HistoryWeeks + int(a.Window.To.Time().Sub(a.Window.From.Time()).Hours()/24+1)/7
	if weeks <= 0 {
		return nil, nil
	}
	start := a.Window.To.Time().AddDate(0, 0, 1-7*weeks)
	f := events.Filter{From: start, To: a.Window.To.Time().AddDate(0, 0, 1).Add(-time.Millisecond), Admin: a.Area}
	if a.Type != "" {
		f.Types = []events.Type{events.Type(a.Type)}
	}
	rows, err := s.events.Stats(ctx, a.Mission, events.StatsRequest{Filter: f, Interval: "week"})
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Key = a.Area // one series: By "" gives no key
	}
	out := make([]WeekCount, weeks)
	for i := range out {
		out[i].Week = peaceops.DateOf(start.AddDate(0, 0, 7*i))
	}
	for _, se := range weekly(rows, start, weeks, a.Metric, a.Type) {
		for i, v := range se.Weekly {
			out[i].Count += v
		}
	}
	return out, nil
}
