package results

import (
	"context"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// IndicatorStatus is one indicator in an assessment.
type IndicatorStatus struct {
	Indicator *Indicator `json:"indicator"`
	Progress
}

// ObjectiveStatus is one objective in an assessment: its indicators (those
// of its expected results), the roll-up and the narrative.
type ObjectiveStatus struct {
	Objective  *Objective        `json:"objective"`
	Status     Status            `json:"status"`
	Indicators []IndicatorStatus `json:"indicators"`
	Narrative  *Narrative        `json:"narrative"`
}

// Assessment is the performance of a mission's framework in a period.
type Assessment struct {
	Period     Period            `json:"period"`
	Objectives []ObjectiveStatus `json:"objectives"`
}

// Assess rates every indicator and objective of mission as of the end of
// period (a key of any frequency: 2024-03, 2024-Q1, 2024, FY2024-25) by the
// rule of assess, using for each indicator its latest value of a period
// ending on or before the end of period: computed, or for an entered
// indicator the approved value of its total cell. Objectives roll up as
// the worst status of their indicators with data.
func (s *Service) Assess(ctx context.Context, mission, period string) (*Assessment, error) {
	per, _, err := periodAnyFrequency(strings.TrimSpace(period))
	if err != nil {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "period", Message: peaceops.ErrorMessage(err)}})
	}
	f, err := s.FindFramework(ctx, mission)
	if err != nil {
		return nil, err
	}
	computed, err := s.recompute(ctx, mission, f.Indicators, per.End)
	if err != nil {
		return nil, err
	}
	values := map[string][]*Measurement{}
	if canReadValues(peaceops.ActorFromContext(ctx), mission) {
		if values, err = s.allValues(ctx, mission, f.Indicators); err != nil {
			return nil, err
		}
	}
	var narratives []*Narrative
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		narratives, err = findNarratives(ctx, tx, mission, per.Key)
		return err
	})
	if err != nil {
		return nil, err
	}
	resultObjective := map[string]string{}
	for _, r := range f.Results {
		resultObjective[r.ID] = r.ObjectiveID
	}
	out := &Assessment{Period: per, Objectives: []ObjectiveStatus{}}
	index := map[string]int{}
	for _, o := range f.Objectives {
		index[o.ID] = len(out.Objectives)
		os := ObjectiveStatus{Objective: o, Status: NoData, Indicators: []IndicatorStatus{}}
		for _, n := range narratives {
			if n.ObjectiveID == o.ID {
				os.Narrative = n
			}
		}
		out.Objectives = append(out.Objectives, os)
	}
	for _, in := range f.Indicators {
		i, ok := index[resultObjective[in.ResultID]]
		if !ok {
			continue
		}
		var pts []Point
		if in.IsComputed() {
			pts = computed[in.ID]
		} else {
			for _, p := range entered(values[in.ID], "") {
				if p.State == string(StateApproved) {
					pts = append(pts, p)
				}
			}
		}
		v, key := latest(pts, per.End)
		os := &out.Objectives[i]
		os.Indicators = append(os.Indicators, IndicatorStatus{Indicator: in, Progress: assess(in, v, key, per.End)})
	}
	for i := range out.Objectives {
		os := &out.Objectives[i]
		st := make([]Status, len(os.Indicators))
		for j, is := range os.Indicators {
			st[j] = is.Status
		}
		os.Status = rollUp(st)
	}
	return out, nil
}

// latest returns the value of the last point ending on or before end.
func latest(pts []Point, end peaceops.Date) (*float64, string) {
	var v *float64
	key := ""
	var at peaceops.Date
	for _, p := range pts {
		if end.Before(p.End) || (v != nil && p.End.Before(at)) {
			continue
		}
		x := p.Value
		v, key, at = &x, p.Period, p.End
	}
	return v, key
}

// SaveNarrative writes the assessment narrative of objective objectiveID
// for n.Period: a new one when version is 0, else the one at version
// (EPRECONDITION when stale, ECONFLICT when one exists and version is 0).
// Planners and mission-admins write narratives ("update" on the framework).
func (s *Service) SaveNarrative(ctx context.Context, mission, objectiveID string, n Narrative, version int64) (*Narrative, error) {
	n.Period = strings.TrimSpace(n.Period)
	if err := n.validate(); err != nil {
		return nil, err
	}
	var out *Narrative
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		o, err := s.visibleObjective(ctx, tx, mission, objectiveID)
		if err != nil {
			return err
		}
		a := peaceops.ActorFromContext(ctx)
		if err := access.Check(a, access.ActionUpdate, fw(mission, o.Classification)); err != nil {
			return err
		}
		before, err := findNarrativeAt(ctx, tx, o.ID, n.Period)
		if err != nil {
			return err
		}
		n.Mission, n.ObjectiveID, n.Author, n.UpdatedAt = mission, o.ID, a.Name(), tx.Now
		switch {
		case before == nil && version != 0:
			return peaceops.Errorf(peaceops.EPRECONDITION, "there is no assessment of %s for %s yet: write a new one", o.Code, n.Period)
		case before == nil:
			n.ID, n.CreatedAt, n.Version = string(peaceops.NewIDAt(tx.Now)), tx.Now, 1
		case version == 0:
			return peaceops.Errorf(peaceops.ECONFLICT, "the assessment of %s for %s already exists (version %d): edit it", o.Code, n.Period, before.Version)
		case before.Version != version:
			return stale("assessment", before.ID, before.Version, version)
		default:
			n.ID, n.CreatedAt, n.Version = before.ID, before.CreatedAt, before.Version+1
		}
		if err := saveNarrative(ctx, tx, &n, before == nil); err != nil {
			return err
		}
		out = &n
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_assessment", EntityID: n.ID, Action: "save", Before: before, After: n})
	})
	return out, err
}
