package mandates

import (
	"context"
	"slices"

	"github.com/peaceops/peaceops"
)

// Ref names a resolution in a diff or a warning.
type Ref struct {
	ID          string        `json:"id"`
	Symbol      string        `json:"symbol"`
	Adopted     peaceops.Date `json:"adopted"`
	PeriodStart peaceops.Date `json:"period_start"`
	PeriodEnd   peaceops.Date `json:"period_end"`
}

func refOf(r *Resolution) Ref {
	return Ref{ID: r.ID, Symbol: r.Symbol, Adopted: r.Adopted, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd}
}

// TaskRef is a task in a diff.
type TaskRef struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Category Category `json:"category"`
	Priority bool     `json:"priority"`
}

func taskRef(t Task) TaskRef {
	return TaskRef{ID: t.ID, Title: t.Title, Category: t.Category, Priority: t.Priority}
}

// TaskChange is a task the later resolution carries over changed: its
// title (reworded when the titles differ) and priority before and after.
type TaskChange struct {
	From     TaskRef `json:"from"`
	To       TaskRef `json:"to"`
	Reworded bool    `json:"reworded"`
}

// CeilingChange is the change of one personnel ceiling. From or To is nil
// when a resolution does not state the category.
type CeilingChange struct {
	Category string `json:"category"`
	From     *int   `json:"from"`
	To       *int   `json:"to"`
	// Change is To - From when both are stated.
	Change int `json:"change"`
	// Direction is "raised", "cut", "unchanged", "set" (stated only in the
	// later resolution) or "dropped" (only in the earlier).
	Direction string `json:"direction"`
}

// PeriodChange compares the mandate periods.
type PeriodChange struct {
	FromEnd peaceops.Date `json:"from_end"`
	ToEnd   peaceops.Date `json:"to_end"`
	// Days is how many days later (negative: earlier) the later mandate
	// ends.
	Days     int  `json:"days"`
	Extended bool `json:"extended"`
}

// Diff is what changed in a mission's mandate from one resolution to a
// later one, following task lineage through the resolutions in between.
type Diff struct {
	From Ref `json:"from"`
	To   Ref `json:"to"`
	// Between counts the resolutions adopted between From and To.
	Between   int          `json:"between"`
	Added     []TaskRef    `json:"added"`
	Changed   []TaskChange `json:"changed"`
	Continued []TaskRef    `json:"continued"`
	// Ended are tasks of From that To no longer mandates: ended
	// explicitly, or not taken up (when To records tasks at all).
	Ended []TaskRef `json:"ended"`
	// TasksRecorded is false when To has no tasks entered: then no task is
	// reported ended.
	TasksRecorded  bool            `json:"tasks_recorded"`
	Ceilings       []CeilingChange `json:"ceilings"`
	Period         PeriodChange    `json:"period"`
	ChapterVIIFrom bool            `json:"chapter_vii_from"`
	ChapterVIITo   bool            `json:"chapter_vii_to"`
}

// Compare returns the diff from chain[i] to chain[j] (i < j) of a chain in
// adoption order.
func Compare(chain []*Resolution, i, j int) *Diff {
	from, to := chain[i], chain[j]
	d := &Diff{From: refOf(from), To: refOf(to), Between: j - i - 1,
		Added: []TaskRef{}, Changed: []TaskChange{}, Continued: []TaskRef{}, Ended: []TaskRef{}, Ceilings: []CeilingChange{},
		ChapterVIIFrom: from.ChapterVII, ChapterVIITo: to.ChapterVII, TasksRecorded: len(to.Tasks) > 0}

	// Follow each task of To back through the chain to its origin.
	tasks := map[string]Task{}
	for _, r := range chain[i : j+1] {
		for _, t := range r.Tasks {
			tasks[t.ID] = t
		}
	}
	inFrom := map[string]bool{}
	for _, t := range from.Tasks {
		if t.InForce() {
			inFrom[t.ID] = true
		}
	}
	reached := map[string]bool{}
	for _, t := range to.Tasks {
		origin, changed, ok := t, t.Lineage == LineageChanges, true
		for !inFrom[origin.ID] {
			if origin.Lineage == LineageNew || origin.Previous == "" {
				ok = false
				break
			}
			p, known := tasks[origin.Previous]
			if !known {
				ok = false
				break
			}
			if p.Lineage == LineageEnds {
				ok = false // ended in between, then taken up again: new
				break
			}
			origin = p
			changed = changed || p.Lineage == LineageChanges && !inFrom[p.ID]
		}
		if origin.ID == t.ID && from != to {
			ok = false // a task of To itself: lineage new
		}
		switch {
		case !ok && t.InForce():
			d.Added = append(d.Added, taskRef(t))
		case !ok:
		case !t.InForce():
			reached[origin.ID] = true
			d.Ended = append(d.Ended, taskRef(origin))
		case changed || origin.Title != t.Title || origin.Priority != t.Priority:
			reached[origin.ID] = true
			d.Changed = append(d.Changed, TaskChange{From: taskRef(origin), To: taskRef(t), Reworded: origin.Title != t.Title})
		default:
			reached[origin.ID] = true
			d.Continued = append(d.Continued, taskRef(t))
		}
	}
	if d.TasksRecorded {
		for _, t := range from.Tasks {
			if t.InForce() && !reached[t.ID] {
				d.Ended = append(d.Ended, taskRef(t))
			}
		}
	}

	for _, cat := range CeilingCategories {
		a, okA := from.Ceilings[cat]
		b, okB := to.Ceilings[cat]
		c := CeilingChange{Category: cat}
		switch {
		case okA && okB:
			c.From, c.To, c.Change = &a, &b, b-a
			switch {
			case b > a:
				c.Direction = "raised"
			case b < a:
				c.Direction = "cut"
			default:
				c.Direction = "unchanged"
			}
		case okB:
			c.To, c.Direction = &b, "set"
		case okA:
			c.From, c.Direction = &a, "dropped"
		default:
			continue
		}
		d.Ceilings = append(d.Ceilings, c)
	}

	days := int(to.PeriodEnd.Time().Sub(from.PeriodEnd.Time()).Hours() / 24)
	d.Period = PeriodChange{FromEnd: from.PeriodEnd, ToEnd: to.PeriodEnd, Days: days, Extended: days > 0}
	return d
}

// Diff returns what changed in the mandate of mission from resolution
// fromID to resolution toID (in either order: the earlier is From). With
// fromID "" it compares toID with the resolution before it. Errors:
// ENOTFOUND when either is not a resolution of the mission the actor may
// see; EINVALID when toID has no previous resolution or both are the same.
func (s *Service) Diff(ctx context.Context, mission, fromID, toID string) (*Diff, error) {
	chain, err := s.FindResolutions(ctx, mission)
	if err != nil {
		return nil, err
	}
	index := func(id string) int {
		return slices.IndexFunc(chain, func(r *Resolution) bool { return r.ID == id })
	}
	j := index(toID)
	if j < 0 {
		return nil, notFound(toID)
	}
	i := j - 1
	if fromID != "" {
		if i = index(fromID); i < 0 {
			return nil, notFound(fromID)
		}
	}
	switch {
	case i == j:
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "from", Message: "must be another resolution than to"}})
	case i < 0:
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "from", Message: chain[j].Symbol + " is the first resolution of the mission: there is nothing before it to compare with"}})
	case i > j:
		i, j = j, i
	}
	return Compare(chain, i, j), nil
}

// Expiry warning thresholds, in days before a mandate ends.
var Thresholds = []int{90, 30, 7}

// Expiry is a warning that a mandate ends soon and no renewal is recorded.
type Expiry struct {
	Resolution Ref `json:"resolution"`
	// DaysLeft counts the days from the day asked about to the last day of
	// the mandate (0: it ends that day).
	DaysLeft int `json:"days_left"`
	// Threshold is the smallest of 90, 30 and 7 days that DaysLeft is
	// within: the warning level crossed.
	Threshold int `json:"threshold"`
}

// Expiring returns the mandates of mission that end within 90 days of
// asOf (the last day included) with no later resolution recorded that
// extends them, each with the threshold crossed (90, 30 or 7 days).
// Errors as FindResolutions.
func (s *Service) Expiring(ctx context.Context, mission string, asOf peaceops.Date) ([]Expiry, error) {
	chain, err := s.FindResolutions(ctx, mission)
	if err != nil {
		return nil, err
	}
	return expiring(chain, asOf), nil
}

func expiring(chain []*Resolution, asOf peaceops.Date) []Expiry {
	out := []Expiry{}
	for _, r := range chain {
		if r.PeriodEnd.Before(asOf) || r.PeriodStart.Time().After(asOf.Time().AddDate(0, 0, Thresholds[0])) {
			continue
		}
		renewed := slices.ContainsFunc(chain, func(o *Resolution) bool { return o != r && r.PeriodEnd.Before(o.PeriodEnd) })
		if renewed {
			continue
		}
		days := int(r.PeriodEnd.Time().Sub(asOf.Time()).Hours() / 24)
		level := 0
		for _, t := range Thresholds {
			if days <= t {
				level = t
			}
		}
		if level > 0 {
			out = append(out, Expiry{Resolution: refOf(r), DaysLeft: days, Threshold: level})
		}
	}
	return out
}
