package results

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// Policy names of the resources of this package.
const (
	frameworkType   = "framework"
	measurementType = "measurement"
)

// TaskLookup finds mandated tasks: the mandates capability. TaskTitle
// returns the title of a mandated task of the mission, or ENOTFOUND.
type TaskLookup interface {
	TaskTitle(ctx context.Context, mission, id string) (string, error)
}

// Options configure a Service.
type Options struct {
	// Tasks resolves the mandated task ids objectives serve; nil: task ids
	// are not validated (and shown without titles).
	Tasks TaskLookup
	// Missions is the missions service of the same database; nil builds one.
	Missions *missions.Service
}

// Service is the results framework of the missions. Every method takes the
// actor from ctx and checks it against the access policy: planners and
// mission-admins edit the framework; members of an indicator's section
// enter its values; planners and mission-admins approve them and lock
// periods; every member reads; other missions get ENOTFOUND. It is safe
// for concurrent use.
type Service struct {
	db       *store.DB
	events   *events.Service
	tasks    TaskLookup
	missions *missions.Service
	pages    *web.Pages
}

// NewService returns a Service over db computing indicators from ev.
func NewService(db *store.DB, ev *events.Service, opts Options) *Service {
	if opts.Missions == nil {
		opts.Missions = missions.NewService(db, access.NewService(db, access.Options{}))
	}
	return &Service{db: db, events: ev, tasks: opts.Tasks, missions: opts.Missions, pages: newPages()}
}

func fw(mission string, c peaceops.Classification) access.Resource {
	return access.Resource{Type: frameworkType, Mission: mission, Classification: c}
}

func ms(mission string, c peaceops.Classification) access.Resource {
	return access.Resource{Type: measurementType, Mission: mission, Classification: c}
}

// readable checks that the mission exists and the actor may read its
// framework, returning their clearance: ENOTFOUND for a mission they do
// not belong to, EUNAUTHORIZED when anonymous.
func (s *Service) readable(ctx context.Context, mission string) (peaceops.Classification, error) {
	a := peaceops.ActorFromContext(ctx)
	if a.Anonymous() {
		return 0, peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	}
	c := access.Clearance(a, frameworkType, mission)
	if c == 0 {
		return 0, peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", mission)
	}
	if _, err := s.missions.FindMissionByCode(ctx, mission); err != nil {
		return 0, err
	}
	return c, nil
}

// can checks act on a framework record of classification c of mission,
// after checking the mission is visible.
func (s *Service) can(ctx context.Context, mission string, act access.Action, r access.Resource) error {
	if _, err := s.readable(ctx, mission); err != nil {
		return err
	}
	return access.Check(peaceops.ActorFromContext(ctx), act, r)
}

// checkTasks resolves task ids through the TaskLookup.
func (s *Service) checkTasks(ctx context.Context, mission string, ids []string) error {
	if s.tasks == nil {
		return nil
	}
	var p problems
	for i, id := range ids {
		if _, err := s.tasks.TaskTitle(ctx, mission, id); err != nil {
			if peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				return err
			}
			p.add(fmt.Sprintf("task_ids[%d]", i), fmt.Sprintf("%s is not a mandated task of %s", id, mission))
		}
	}
	return peaceops.Invalid(p)
}

// TaskTitles returns the titles of the task ids known to the TaskLookup
// (none without one).
func (s *Service) TaskTitles(ctx context.Context, mission string, ids []string) map[string]string {
	out := map[string]string{}
	if s.tasks == nil {
		return out
	}
	for _, id := range ids {
		if t, err := s.tasks.TaskTitle(ctx, mission, id); err == nil {
			out[id] = t
		}
	}
	return out
}

// merge applies a JSON patch (the fields present in patch) to a copy of
// *v and returns it; fields of the record that are not editable are put
// back by the caller.
func merge[T any](v *T, patch json.RawMessage) (T, error) {
	out := *v
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	var fresh T
	if err := json.Unmarshal(b, &fresh); err != nil {
		return out, err
	}
	if err := json.Unmarshal(patch, &fresh); err != nil {
		return out, peaceops.Errorf(peaceops.EINVALID, "the body is not a valid change: %v", err)
	}
	return fresh, nil
}

// CreateObjective validates o, checks its task ids against the mandate
// and stores it. Errors: EINVALID (every field), ECONFLICT (code taken),
// EFORBIDDEN (not a planner), ENOTFOUND (mission not visible).
func (s *Service) CreateObjective(ctx context.Context, mission string, o *Objective) error {
	o.Mission = mission
	if err := o.Validate(); err != nil {
		return err
	}
	if err := s.can(ctx, mission, access.ActionCreate, fw(mission, o.Classification)); err != nil {
		return err
	}
	if err := s.checkTasks(ctx, mission, o.TaskIDs); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		o.ID = string(peaceops.NewIDAt(tx.Now))
		o.CreatedAt, o.UpdatedAt, o.Version = tx.Now, tx.Now, 1
		if o.TaskIDs == nil {
			o.TaskIDs = []string{}
		}
		if err := insertObjective(ctx, tx, o); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_objective", EntityID: o.ID, Action: "create", After: o})
	})
}

// UpdateObjective applies the JSON fields of patch to objective id if its
// version is still version. Errors as CreateObjective, and EPRECONDITION.
func (s *Service) UpdateObjective(ctx context.Context, mission, id string, patch json.RawMessage, version int64) (*Objective, error) {
	var out *Objective
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := s.visibleObjective(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if err := access.Check(peaceops.ActorFromContext(ctx), access.ActionUpdate, fw(mission, before.Classification)); err != nil {
			return err
		}
		if before.Version != version {
			return stale("objective", id, before.Version, version)
		}
		after, err := merge(before, patch)
		if err != nil {
			return err
		}
		after.ID, after.Mission, after.CreatedAt = before.ID, mission, before.CreatedAt
		if err := after.Validate(); err != nil {
			return err
		}
		if err := access.Check(peaceops.ActorFromContext(ctx), access.ActionUpdate, fw(mission, after.Classification)); err != nil {
			return err
		}
		if err := s.checkTasks(ctx, mission, after.TaskIDs); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateObjective(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_objective", EntityID: id, Action: "update", Before: before, After: after})
	})
	return out, err
}

func stale(what, id string, have, want int64) error {
	return peaceops.Errorf(peaceops.EPRECONDITION, "%s %s is at version %d, not %d: reload and try again", what, id, have, want)
}

// visible finds a record of the mission with find and returns it if the
// actor's clearance covers its classification; otherwise, like a record
// that does not exist, ENOTFOUND naming what.
func visible[T any](ctx context.Context, s *Service, tx *store.Tx, mission, id, what string,
	find func(context.Context, *store.Tx, string, string) (*T, error), class func(*T) peaceops.Classification) (*T, error) {
	clear, err := s.readable(ctx, mission)
	if err != nil {
		return nil, err
	}
	rec, err := find(ctx, tx, mission, id)
	if err != nil {
		return nil, err
	}
	if class(rec) > clear {
		return nil, notFound(what, id)
	}
	return rec, nil
}

func (s *Service) visibleObjective(ctx context.Context, tx *store.Tx, mission, id string) (*Objective, error) {
	return visible(ctx, s, tx, mission, id, "objective", findObjective, func(o *Objective) peaceops.Classification { return o.Classification })
}

func (s *Service) visibleResult(ctx context.Context, tx *store.Tx, mission, id string) (*Result, error) {
	return visible(ctx, s, tx, mission, id, "expected result", findResult, func(r *Result) peaceops.Classification { return r.Classification })
}

func (s *Service) visibleIndicator(ctx context.Context, tx *store.Tx, mission, id string) (*Indicator, error) {
	return visible(ctx, s, tx, mission, id, "indicator", findIndicator, func(in *Indicator) peaceops.Classification { return in.Classification })
}

// CreateResult validates r (its objective must exist in the mission) and
// stores it. Errors as CreateObjective.
func (s *Service) CreateResult(ctx context.Context, mission string, r *Result) error {
	r.Mission = mission
	if err := r.Validate(); err != nil {
		return err
	}
	if err := s.can(ctx, mission, access.ActionCreate, fw(mission, r.Classification)); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := s.visibleObjective(ctx, tx, mission, r.ObjectiveID); err != nil {
			return fieldNotFound("objective_id", err)
		}
		r.ID = string(peaceops.NewIDAt(tx.Now))
		r.CreatedAt, r.UpdatedAt, r.Version = tx.Now, tx.Now, 1
		if err := insertResult(ctx, tx, r); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_result", EntityID: r.ID, Action: "create", After: r})
	})
}

// fieldNotFound turns the ENOTFOUND of a referenced record into an
// EINVALID naming the field.
func fieldNotFound(field string, err error) error {
	if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
		return peaceops.Invalid([]peaceops.FieldError{{Field: field, Message: peaceops.ErrorMessage(err) + " in this mission"}})
	}
	return err
}

// UpdateResult applies the JSON fields of patch to result id.
func (s *Service) UpdateResult(ctx context.Context, mission, id string, patch json.RawMessage, version int64) (*Result, error) {
	var out *Result
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := s.visibleResult(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		a := peaceops.ActorFromContext(ctx)
		if err := access.Check(a, access.ActionUpdate, fw(mission, before.Classification)); err != nil {
			return err
		}
		if before.Version != version {
			return stale("expected result", id, before.Version, version)
		}
		after, err := merge(before, patch)
		if err != nil {
			return err
		}
		after.ID, after.Mission, after.CreatedAt = before.ID, mission, before.CreatedAt
		if err := after.Validate(); err != nil {
			return err
		}
		if _, err := s.visibleObjective(ctx, tx, mission, after.ObjectiveID); err != nil {
			return fieldNotFound("objective_id", err)
		}
		if err := access.Check(a, access.ActionUpdate, fw(mission, after.Classification)); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateResult(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_result", EntityID: id, Action: "update", Before: before, After: after})
	})
	return out, err
}

// CreateIndicator validates in (its expected result must exist) and
// stores it. Errors as CreateObjective.
func (s *Service) CreateIndicator(ctx context.Context, mission string, in *Indicator) error {
	in.Mission = mission
	if err := in.Validate(); err != nil {
		return err
	}
	if err := s.can(ctx, mission, access.ActionCreate, fw(mission, in.Classification)); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		return s.insertIndicator(ctx, tx, mission, in)
	})
}

func (s *Service) insertIndicator(ctx context.Context, tx *store.Tx, mission string, in *Indicator) error {
	if _, err := s.visibleResult(ctx, tx, mission, in.ResultID); err != nil {
		return fieldNotFound("result_id", err)
	}
	in.ID = string(peaceops.NewIDAt(tx.Now))
	in.CreatedAt, in.UpdatedAt, in.Version = tx.Now, tx.Now, 1
	if err := insertIndicator(ctx, tx, in); err != nil {
		return err
	}
	return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_indicator", EntityID: in.ID, Action: "create", After: in})
}

// UpdateIndicator applies the JSON fields of patch to indicator id.
func (s *Service) UpdateIndicator(ctx context.Context, mission, id string, patch json.RawMessage, version int64) (*Indicator, error) {
	var out *Indicator
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := s.visibleIndicator(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		a := peaceops.ActorFromContext(ctx)
		if err := access.Check(a, access.ActionUpdate, fw(mission, before.Classification)); err != nil {
			return err
		}
		if before.Version != version {
			return stale("indicator", id, before.Version, version)
		}
		after, err := merge(before, patch)
		if err != nil {
			return err
		}
		after.ID, after.Mission, after.CreatedAt, after.Template = before.ID, mission, before.CreatedAt, before.Template
		if err := after.Validate(); err != nil {
			return err
		}
		if _, err := s.visibleResult(ctx, tx, mission, after.ResultID); err != nil {
			return fieldNotFound("result_id", err)
		}
		if err := access.Check(a, access.ActionUpdate, fw(mission, after.Classification)); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateIndicator(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_indicator", EntityID: id, Action: "update", Before: before, After: after})
	})
	return out, err
}

// DeleteIndicator deletes indicator id and its values if its version is
// still version. Values of locked periods keep it from being deleted
// (ECONFLICT).
func (s *Service) DeleteIndicator(ctx context.Context, mission, id string, version int64) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := s.visibleIndicator(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if err := access.Check(peaceops.ActorFromContext(ctx), access.ActionDelete, fw(mission, before.Classification)); err != nil {
			return err
		}
		if before.Version != version {
			return stale("indicator", id, before.Version, version)
		}
		lock, err := findLock(ctx, tx, mission)
		if err != nil {
			return err
		}
		if !lock.LockedThrough.IsZero() {
			n, err := countRows(ctx, tx, `SELECT COUNT(*) FROM results_measurements WHERE indicator_id = $1 AND period_end <= $2`, id, lock.LockedThrough.String())
			if err != nil {
				return err
			}
			if n > 0 {
				return peaceops.Errorf(peaceops.ECONFLICT, "indicator %s has %d values in periods locked through %s: it cannot be deleted", before.Code, n, lock.LockedThrough)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM results_measurements WHERE indicator_id = $1`, id); err != nil {
			return err
		}
		if err := deleteRow(ctx, tx, "results_indicators", id, version); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_indicator", EntityID: id, Action: "delete", Before: before})
	})
}

// Framework is the whole results chain of a mission as the actor may see
// it.
type Framework struct {
	Objectives []*Objective `json:"objectives"`
	Results    []*Result    `json:"results"`
	Indicators []*Indicator `json:"indicators"`
}

// FindFramework returns the objectives, expected results and indicators
// of mission up to the actor's clearance, each in code order.
func (s *Service) FindFramework(ctx context.Context, mission string) (*Framework, error) {
	clear, err := s.readable(ctx, mission)
	if err != nil {
		return nil, err
	}
	f := &Framework{}
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		if f.Objectives, err = findObjectives(ctx, tx, mission, clear); err != nil {
			return err
		}
		if f.Results, err = findResults(ctx, tx, mission, clear); err != nil {
			return err
		}
		f.Indicators, err = findIndicators(ctx, tx, mission, clear)
		return err
	})
	return f, err
}

// FindIndicatorByID returns indicator id of mission (ENOTFOUND when it is
// absent or above the actor's clearance).
func (s *Service) FindIndicatorByID(ctx context.Context, mission, id string) (*Indicator, error) {
	var in *Indicator
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		in, err = s.visibleIndicator(ctx, tx, mission, id)
		return err
	})
	return in, err
}

// FindObjectiveByID returns objective id of mission.
func (s *Service) FindObjectiveByID(ctx context.Context, mission, id string) (*Objective, error) {
	var o *Objective
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		o, err = s.visibleObjective(ctx, tx, mission, id)
		return err
	})
	return o, err
}

// Sections.

// AddSectionMember lets username enter the values of the indicators of
// section (planners and mission-admins).
func (s *Service) AddSectionMember(ctx context.Context, mission string, m SectionMember) error {
	var p problems
	p.text("section", m.Section, 100, true)
	p.text("username", m.Username, 100, true)
	if err := peaceops.Invalid(p); err != nil {
		return err
	}
	if err := s.can(ctx, mission, access.ActionUpdate, fw(mission, peaceops.Internal)); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := addSectionMember(ctx, tx, mission, m.Section, m.Username); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_section_member", EntityID: m.Section + "/" + m.Username, Action: "create", After: m})
	})
}

// RemoveSectionMember takes a section away from username (ENOTFOUND when
// they were not in it).
func (s *Service) RemoveSectionMember(ctx context.Context, mission string, m SectionMember) error {
	if err := s.can(ctx, mission, access.ActionUpdate, fw(mission, peaceops.Internal)); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		ok, err := removeSectionMember(ctx, tx, mission, m.Section, m.Username)
		if err != nil {
			return err
		}
		if !ok {
			return peaceops.Errorf(peaceops.ENOTFOUND, "%s is not a member of section %s", m.Username, m.Section)
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_section_member", EntityID: m.Section + "/" + m.Username, Action: "delete", Before: m})
	})
}

// FindSectionMembers lists who enters the values of which section.
func (s *Service) FindSectionMembers(ctx context.Context, mission string) ([]SectionMember, error) {
	if _, err := s.readable(ctx, mission); err != nil {
		return nil, err
	}
	var out []SectionMember
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findSectionMembers(ctx, tx, mission)
		return err
	})
	return out, err
}
