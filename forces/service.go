package forces

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// The policy's resource types of this module (access/grants_forces.go).
const (
	unitType      = "unit"      // units, strength, ceilings, targets, fatalities, unit training: counts
	personnelType = "personnel" // named people
	waiverType    = "waiver"    // deployment-gate waivers
)

// CeilingSource gives the authorised ceilings of the mandate in force on a
// date, keyed by ceiling category (mandates.Service has it). With none,
// the service uses the ceilings entered on the mission.
type CeilingSource interface {
	CeilingsOn(ctx context.Context, mission string, on peaceops.Date) (map[string]int, error)
}

// Service holds the personnel operations. Every method takes the actor from
// ctx, checks it against the access policy and runs in one transaction.
type Service struct {
	db       *store.DB
	ceilings CeilingSource
	pages    *web.Pages
}

// NewService returns a Service over db. ceilings may be nil: then the
// ceilings entered on the mission (SetCeiling) apply, as they do for the
// months when the source has no resolution in force.
func NewService(db *store.DB, ceilings CeilingSource) *Service {
	return &Service{db: db, ceilings: ceilings, pages: newPages()}
}

func unitRes(mission string, c peaceops.Classification) access.Resource {
	return access.Resource{Type: unitType, Mission: mission, Classification: c}
}

func personnelRes(mission string) access.Resource {
	return access.Resource{Type: personnelType, Mission: mission, Classification: peaceops.Confidential}
}

// countsRes is the resource of a mission's aggregate figures (strength,
// ceilings, targets, fatality counts): internal.
func countsRes(mission string) access.Resource { return unitRes(mission, peaceops.Internal) }

// canSeeNames reports whether the actor sees named people of the mission.
func canSeeNames(ctx context.Context, mission string) bool {
	return access.Can(peaceops.ActorFromContext(ctx), access.ActionRead, personnelRes(mission))
}

// readableClasses lists the classifications of units the actor may read
// in mission.
func readableClasses(a peaceops.Actor, mission string) []string {
	var out []string
	for _, c := range peaceops.Classifications {
		if access.Can(a, access.ActionRead, unitRes(mission, c)) {
			out = append(out, c.String())
		}
	}
	return out
}

// check is access.Check for the actor of ctx.
func check(ctx context.Context, act access.Action, r access.Resource) error {
	return access.Check(peaceops.ActorFromContext(ctx), act, r)
}

// CreateUnit validates u, stores it in mission and audits it. A unit
// created as deployed passes the deployment gate like one moved there.
func (s *Service) CreateUnit(ctx context.Context, mission string, u *Unit) error {
	u.Mission = mission
	if err := check(ctx, access.ActionCreate, unitRes(mission, max(u.Classification, peaceops.Internal))); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := check(ctx, access.ActionCreate, unitRes(mission, u.Classification)); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		u.ID = peaceops.NewIDAt(tx.Now)
		u.CreatedAt, u.UpdatedAt, u.Version = tx.Now, tx.Now, 1
		if err := s.checkReplacement(ctx, tx, u); err != nil {
			return err
		}
		if u.Status == StatusDeployed {
			if err := s.gate(ctx, tx, u, peaceops.DateOf(tx.Now)); err != nil {
				return err
			}
		}
		if err := insertUnit(ctx, tx, u); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: unitType, EntityID: u.ID, Action: "create", After: u})
	})
}

func (s *Service) checkReplacement(ctx context.Context, tx *store.Tx, u *Unit) error {
	if u.ReplacementID == "" {
		return nil
	}
	if _, err := findUnit(ctx, tx, u.Mission, u.ReplacementID); err != nil {
		if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "replacement_id", Message: "no unit of this mission has this id"}})
		}
		return err
	}
	return nil
}

// FindUnit returns a unit of mission; one the actor may not see is
// ENOTFOUND. Reading a confidential unit is audited (action "read").
func (s *Service) FindUnit(ctx context.Context, mission, id string) (*Unit, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, err
	}
	var u *Unit
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		u, err = findUnit(ctx, tx, mission, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := check(ctx, access.ActionRead, unitRes(mission, u.Classification)); err != nil {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "unit %s not found", id)
	}
	if u.Classification >= peaceops.Confidential {
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.Change{Mission: mission, EntityType: unitType, EntityID: id, Action: "read"})
		})
		if err != nil {
			return nil, err
		}
	}
	return u, nil
}

// FindUnits returns the units of mission matching f that the actor may
// see, in creation order, and the cursor of the next page.
func (s *Service) FindUnits(ctx context.Context, mission string, f UnitFilter) ([]*Unit, string, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, "", err
	}
	classes := readableClasses(peaceops.ActorFromContext(ctx), mission)
	var out []*Unit
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findUnits(ctx, tx, mission, f, classes)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// UpdateUnit applies upd if the unit is still at version (EPRECONDITION
// otherwise). A status change must follow the lifecycle (EINVALID), and a
// move to deployed passes the deployment gate (ECONFLICT while required
// pre-deployment training is missing and not waived).
func (s *Service) UpdateUnit(ctx context.Context, mission, id string, upd UnitUpdate, version int64) (*Unit, error) {
	var out *Unit
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findUnit(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if err := check(ctx, access.ActionUpdate, unitRes(mission, before.Classification)); err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "unit %s is at version %d, not %d: reload and try again", id, before.Version, version)
		}
		after := upd.apply(*before)
		errs := peaceops.ErrorFields(after.Validate())
		if !before.Status.CanMove(after.Status) {
			errs = append(errs, peaceops.FieldError{Field: "status", Message: fmt.Sprintf("a %s unit cannot become %s (it may become %s)",
				before.Status, after.Status, joinValues(transitions[before.Status]))})
		}
		if err := peaceops.Invalid(errs); err != nil {
			return err
		}
		if err := check(ctx, access.ActionUpdate, unitRes(mission, after.Classification)); err != nil {
			return err
		}
		if err := s.checkReplacement(ctx, tx, &after); err != nil {
			return err
		}
		if after.Status == StatusDeployed && before.Status != StatusDeployed && before.Status != StatusRotating {
			if err := s.gate(ctx, tx, &after, peaceops.DateOf(tx.Now)); err != nil {
				return err
			}
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateUnit(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: unitType, EntityID: id, Action: "update", Before: before, After: after})
	})
	return out, err
}

// gate refuses (ECONFLICT) to deploy u while a required pre-deployment
// course has no valid unit-level completion and no waiver.
func (s *Service) gate(ctx context.Context, tx *store.Tx, u *Unit, on peaceops.Date) error {
	r, err := readiness(ctx, tx, u, on)
	if err != nil {
		return err
	}
	if r.Ready {
		return nil
	}
	var missing []string
	for _, c := range r.Courses {
		if c.PreDeploy && (c.State == "missing" || c.State == "expired") {
			missing = append(missing, string(c.Course)+" ("+c.State+")")
		}
	}
	return &peaceops.Error{Code: peaceops.ECONFLICT,
		Message: "the unit cannot be deployed: required pre-deployment training is missing; record the completions or a waiver",
		Fields:  []peaceops.FieldError{{Field: "status", Message: "missing pre-deployment training: " + strings.Join(missing, ", ")}}}
}

// requirementsOf returns the mission's requirements, or the defaults when
// it entered none.
func requirementsOf(ctx context.Context, tx *store.Tx, mission string) ([]Requirement, error) {
	reqs, err := findRequirements(ctx, tx, mission)
	if err != nil {
		return nil, err
	}
	if len(reqs) == 0 {
		return DefaultRequirements(), nil
	}
	return reqs, nil
}

// readiness computes u's standing on every course its category requires.
func readiness(ctx context.Context, tx *store.Tx, u *Unit, on peaceops.Date) (*Readiness, error) {
	reqs, err := requirementsOf(ctx, tx, u.Mission)
	if err != nil {
		return nil, err
	}
	comps, err := findCompletions(ctx, tx, u.Mission, u.ID)
	if err != nil {
		return nil, err
	}
	waivers, err := findWaivers(ctx, tx, u.Mission, u.ID)
	if err != nil {
		return nil, err
	}
	return readinessOf(u, reqs, comps, waivers, on), nil
}

func readinessOf(u *Unit, reqs []Requirement, comps []*Completion, waivers []*Waiver, on peaceops.Date) *Readiness {
	r := &Readiness{Unit: u, Ready: true, Courses: []CourseState{}}
	for _, q := range reqs {
		if q.Category != u.Category {
			continue
		}
		st := CourseState{Course: q.Course, State: "missing", PreDeploy: q.Course.PreDeployment()}
		for _, c := range comps {
			if c.Course != q.Course {
				continue
			}
			exp := expiry(c, q)
			valid := exp.IsZero() || !exp.Before(on)
			if c.Person != "" {
				if valid {
					st.People++
				}
				continue
			}
			switch {
			case valid && (st.State != "ok" || lasts(exp, st.Expires)):
				st.State, st.Expires = "ok", exp
			case !valid && st.State == "missing":
				st.State, st.Expires = "expired", exp
			}
		}
		if st.State != "ok" {
			for _, w := range waivers {
				if slices.Contains(w.Courses, q.Course) {
					st.State = "waived"
				}
			}
		}
		if st.PreDeploy && (st.State == "missing" || st.State == "expired") {
			r.Ready = false
		}
		r.Courses = append(r.Courses, st)
	}
	return r
}

// lasts reports whether expiry a is later than b (zero: never expires).
func lasts(a, b peaceops.Date) bool {
	switch {
	case b.IsZero():
		return false
	case a.IsZero():
		return true
	}
	return b.Before(a)
}

// expiry is when a completion lapses: its own expiry date, else its date
// plus the requirement's validity (zero: never).
func expiry(c *Completion, q Requirement) peaceops.Date {
	if !c.Expires.IsZero() {
		return c.Expires
	}
	if q.ValidDays > 0 {
		return peaceops.DateOf(c.Completed.Time().AddDate(0, 0, q.ValidDays))
	}
	return peaceops.Date{}
}

// Readiness returns the training standing of every unit of the mission the
// actor sees that is not repatriated, on date on.
func (s *Service) Readiness(ctx context.Context, mission string, on peaceops.Date) ([]*Readiness, error) {
	units, _, err := s.FindUnits(ctx, mission, UnitFilter{})
	if err != nil {
		return nil, err
	}
	out := []*Readiness{}
	err = s.db.View(ctx, func(tx *store.Tx) error {
		reqs, err := requirementsOf(ctx, tx, mission)
		if err != nil {
			return err
		}
		comps, err := findCompletions(ctx, tx, mission, "")
		if err != nil {
			return err
		}
		byUnit := map[string][]*Completion{}
		for _, c := range comps {
			byUnit[c.UnitID] = append(byUnit[c.UnitID], c)
		}
		for _, u := range units {
			if u.Status == StatusRepatriated {
				continue
			}
			ws, err := findWaivers(ctx, tx, mission, u.ID)
			if err != nil {
				return err
			}
			out = append(out, readinessOf(u, reqs, byUnit[u.ID], ws, on))
		}
		return nil
	})
	return out, err
}

// Requirements returns the training requirements of the mission (the
// defaults when it entered none).
func (s *Service) Requirements(ctx context.Context, mission string) ([]Requirement, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, err
	}
	var out []Requirement
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = requirementsOf(ctx, tx, mission)
		return err
	})
	return out, err
}

// SetRequirements replaces the mission's training requirements.
func (s *Service) SetRequirements(ctx context.Context, mission string, reqs []Requirement) error {
	if err := check(ctx, access.ActionUpdate, countsRes(mission)); err != nil {
		return err
	}
	var errs []peaceops.FieldError
	for i := range reqs {
		reqs[i].Default = false
		for _, fe := range peaceops.ErrorFields(reqs[i].Validate()) {
			errs = append(errs, peaceops.FieldError{Field: fmt.Sprintf("requirements[%d].%s", i, fe.Field), Message: fe.Message})
		}
	}
	if err := peaceops.Invalid(errs); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findRequirements(ctx, tx, mission)
		if err != nil {
			return err
		}
		if err := replaceRequirements(ctx, tx, mission, reqs); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "training_requirements", EntityID: mission, Action: "update", Before: before, After: reqs})
	})
}

// RecordCompletion records a course completion of a unit, or of a named
// member of it (which needs the personnel grant).
func (s *Service) RecordCompletion(ctx context.Context, mission string, c *Completion) error {
	c.Mission = mission
	res := countsRes(mission)
	if strings.TrimSpace(c.Person) != "" {
		res = personnelRes(mission)
	}
	if err := check(ctx, access.ActionCreate, res); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := findUnit(ctx, tx, mission, c.UnitID)
		if err != nil {
			if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
				return peaceops.Invalid([]peaceops.FieldError{{Field: "unit_id", Message: "no unit of this mission has this id"}})
			}
			return err
		}
		if err := check(ctx, access.ActionRead, unitRes(mission, u.Classification)); err != nil {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "unit_id", Message: "no unit of this mission has this id"}})
		}
		c.ID, c.CreatedAt, c.Named = peaceops.NewIDAt(tx.Now), tx.Now, c.Person != ""
		if err := insertCompletion(ctx, tx, c); err != nil {
			return err
		}
		entity := "training_completion"
		if c.Named {
			entity = personnelType
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: entity, EntityID: c.ID, Action: "create", After: c})
	})
}

// FindCompletions returns the completions of the mission (of one unit when
// unitID is set). Names of people are blanked for callers without the
// personnel grant, who still see that a record is person-level; a reading
// that shows names is audited (action "read").
func (s *Service) FindCompletions(ctx context.Context, mission, unitID string) ([]*Completion, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, err
	}
	if unitID != "" {
		if _, err := s.FindUnit(ctx, mission, unitID); err != nil {
			return nil, err
		}
	}
	var out []*Completion
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findCompletions(ctx, tx, mission, unitID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !canSeeNames(ctx, mission) {
		for _, c := range out {
			c.Person, c.Certificate = "", ""
		}
		return out, nil
	}
	var named []string
	for _, c := range out {
		if c.Named {
			named = append(named, c.ID)
		}
	}
	if len(named) > 0 { // names of people are confidential: their reading is audited
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.Change{Mission: mission, EntityType: personnelType, EntityID: unitID, Action: "read", After: map[string]any{"completions": named}})
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecordWaiver records a deployment-gate waiver for a unit (mission-admins)
// and audits it.
func (s *Service) RecordWaiver(ctx context.Context, mission string, w *Waiver) error {
	w.Mission = mission
	if err := check(ctx, access.ActionCreate, access.Resource{Type: waiverType, Mission: mission, Classification: peaceops.Confidential}); err != nil {
		return err
	}
	if err := w.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := findUnit(ctx, tx, mission, w.UnitID); err != nil {
			if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
				return peaceops.Invalid([]peaceops.FieldError{{Field: "unit_id", Message: "no unit of this mission has this id"}})
			}
			return err
		}
		w.ID, w.CreatedAt, w.GrantedBy = peaceops.NewIDAt(tx.Now), tx.Now, tx.Actor.Name()
		if err := insertWaiver(ctx, tx, w); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: waiverType, EntityID: w.ID, Action: "create", After: w})
	})
}

// Rotations returns the units of the mission due to rotate within days of
// on (overdue ones included), soonest first, with their replacement.
func (s *Service) Rotations(ctx context.Context, mission string, on peaceops.Date, days int) ([]Rotation, error) {
	units, _, err := s.FindUnits(ctx, mission, UnitFilter{})
	if err != nil {
		return nil, err
	}
	byID := map[string]*Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	out := []Rotation{}
	limit := on.Time().AddDate(0, 0, days)
	for _, u := range units {
		if u.RotationDue.IsZero() || u.Status == StatusRepatriated || u.Status == StatusPledged || u.RotationDue.Time().After(limit) {
			continue
		}
		rot := Rotation{Unit: u, DaysLeft: int(u.RotationDue.Time().Sub(on.Time()).Hours() / 24), State: "none"}
		if rep, ok := byID[u.ReplacementID]; ok {
			rot.Replacement, rot.State = rep, string(rep.Status)
		}
		out = append(out, rot)
	}
	slices.SortFunc(out, func(a, b Rotation) int { return a.DaysLeft - b.DaysLeft })
	return out, nil
}
