package mandates

import (
	"context"
	"fmt"
	"slices"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// resourceType is the policy's name for resolutions, their ceilings and
// tasks; entityType the audit log's.
const (
	resourceType = "mandate"
	entityType   = "resolution"
)

// Service holds the mandate operations. Every method takes the actor from
// ctx, checks it against the access policy (resource "mandate" with the
// resolution's mission and classification) and runs in one transaction.
// Members of a mission read its mandate; planners and mission-admins
// write it; a caller who may not read a mission's mandate gets ENOTFOUND.
//
// A Service is safe for concurrent use.
type Service struct {
	db    *store.DB
	pages *web.Pages
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, pages: newPages()}
}

func resource(r *Resolution) access.Resource {
	return access.Resource{Type: resourceType, Mission: r.Mission, Classification: r.Classification}
}

// clearance returns the highest classification a may read of the mandate
// of mission: ENOTFOUND when a may read none (EUNAUTHORIZED when
// anonymous).
func clearance(a peaceops.Actor, mission string) (peaceops.Classification, error) {
	if c := access.Clearance(a, resourceType, mission); c > 0 {
		return c, nil
	}
	if a.Anonymous() {
		return 0, peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	}
	return 0, peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", mission)
}

// findVisible returns the resolution id of mission if a may read it, and
// ENOTFOUND (EUNAUTHORIZED when anonymous) otherwise.
func findVisible(ctx context.Context, tx *store.Tx, a peaceops.Actor, mission, id string) (*Resolution, error) {
	if _, err := clearance(a, mission); err != nil {
		return nil, err
	}
	if !peaceops.ValidID(id) {
		return nil, notFound(id)
	}
	r, err := findResolution(ctx, tx, mission, id)
	if err != nil {
		return nil, err
	}
	if !access.Can(a, access.ActionRead, resource(r)) {
		return nil, notFound(id)
	}
	return r, nil
}

// CreateResolution validates r (r.Mission set by the caller), gives it and
// each of its tasks an id, stores it as version 1 and audits the creation.
// Errors: EINVALID listing every field problem, including tasks that
// continue, change or end a task that is not one of the previous
// resolution of the mission (by adoption date); ENOTFOUND when the actor
// may not see the mission; EFORBIDDEN when they may read but not write its
// mandate; ECONFLICT when the mission already has the symbol, or when the
// next resolution's tasks would no longer follow from their previous one.
func (s *Service) CreateResolution(ctx context.Context, r *Resolution) error {
	actor := peaceops.ActorFromContext(ctx)
	r.normalize()
	if err := access.Check(actor, access.ActionCreate, resource(r)); err != nil {
		return err
	}
	for i := range r.Tasks {
		r.Tasks[i].ID = "" // ids are given here, never taken from the caller
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if ok, err := missionExists(ctx, tx, r.Mission); err != nil {
			return err
		} else if !ok {
			return peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", r.Mission)
		}
		r.ID = peaceops.NewIDAt(tx.Now)
		for i := range r.Tasks {
			r.Tasks[i].ID = peaceops.NewIDAt(tx.Now)
		}
		chain, err := findChain(ctx, tx, r.Mission, peaceops.StrictlyConfidential)
		if err != nil {
			return err
		}
		if err := checkChain(append(chain, r), r); err != nil {
			return err
		}
		r.CreatedAt, r.UpdatedAt, r.Version = tx.Now, tx.Now, 1
		if err := insertResolution(ctx, tx, r); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: r.Mission, EntityType: entityType, EntityID: r.ID, Action: "create", After: r})
	})
}

// checkChain sorts chain (which holds changed) and checks the lineage of
// every resolution against the one before it. The problems of changed
// are EINVALID with its task fields; those of another resolution (whose
// predecessor changed) are ECONFLICT naming it. It also fills in the
// titles of changed's "ends" tasks.
func checkChain(chain []*Resolution, changed *Resolution) error {
	sortChain(chain)
	for i, r := range chain {
		var prev *Resolution
		if i > 0 {
			prev = chain[i-1]
		}
		errs := checkLineage(r.Tasks, prev)
		if r == changed {
			fillEnded(r.Tasks, prev)
			if err := peaceops.Invalid(errs); err != nil {
				return err
			}
			continue
		}
		if len(errs) > 0 {
			after := "the mission's first resolution"
			if prev != nil {
				after = "after " + prev.Symbol
			}
			return &peaceops.Error{Code: peaceops.ECONFLICT,
				Message: fmt.Sprintf("%s would come %s, but its tasks continue, change or end tasks of another resolution: change them first (%s)", r.Symbol, after, errs[0].Message),
				Fields:  []peaceops.FieldError{{Field: "tasks", Message: "are taken up by " + r.Symbol}}}
		}
	}
	return nil
}

// FindResolutionByID returns the resolution id of mission with its
// ceilings and tasks. Errors: ENOTFOUND when it does not exist or the actor
// may not see it; EUNAUTHORIZED when anonymous.
func (s *Service) FindResolutionByID(ctx context.Context, mission, id string) (*Resolution, error) {
	actor := peaceops.ActorFromContext(ctx)
	var out *Resolution
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findVisible(ctx, tx, actor, mission, id)
		return err
	})
	return out, err
}

// FindResolutions returns the resolutions of mission the actor may see,
// with their ceilings and tasks, in adoption order: the mandate history.
// Errors: ENOTFOUND when the actor may not read the mission's mandate
// (EUNAUTHORIZED when anonymous).
func (s *Service) FindResolutions(ctx context.Context, mission string) ([]*Resolution, error) {
	clear, err := clearance(peaceops.ActorFromContext(ctx), mission)
	if err != nil {
		return nil, err
	}
	var out []*Resolution
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findChain(ctx, tx, mission, clear)
		return err
	})
	return out, err
}

// UpdateResolution applies upd to the resolution id of mission if its
// version is still version, and returns the new state. Tasks sent with an
// id keep it (results link to them); tasks sent without get a new one.
// Errors: ENOTFOUND as FindResolutionByID; EFORBIDDEN when the actor may
// read but not update it (or not at its new classification);
// EPRECONDITION when version is stale; EINVALID listing every field
// problem; ECONFLICT as CreateResolution, or when a removed task is taken
// up by the next resolution.
func (s *Service) UpdateResolution(ctx context.Context, mission, id string, upd Update, version int64) (*Resolution, error) {
	actor := peaceops.ActorFromContext(ctx)
	var out *Resolution
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findVisible(ctx, tx, actor, mission, id)
		if err != nil {
			return err
		}
		if err := access.Check(actor, access.ActionUpdate, resource(before)); err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "resolution %s is at version %d, not %d: reload and try again", before.Symbol, before.Version, version)
		}
		after := upd.apply(*before)
		if after.Classification != before.Classification && !access.Can(actor, access.ActionUpdate, resource(&after)) {
			return peaceops.Errorf(peaceops.EFORBIDDEN, "you may not classify mandates %s", after.Classification)
		}
		if err := after.Validate(); err != nil {
			return err
		}
		var bad []peaceops.FieldError
		for i := range after.Tasks {
			t := &after.Tasks[i]
			switch {
			case t.ID == "":
				t.ID = peaceops.NewIDAt(tx.Now)
			case before.task(t.ID) == nil:
				bad = append(bad, peaceops.FieldError{Field: fmt.Sprintf("tasks[%d].id", i), Message: "is not a task of this resolution: leave it empty for a new task"})
			}
		}
		if err := peaceops.Invalid(bad); err != nil {
			return err
		}
		chain, err := findChain(ctx, tx, mission, peaceops.StrictlyConfidential)
		if err != nil {
			return err
		}
		chain = slices.DeleteFunc(chain, func(r *Resolution) bool { return r.ID == id })
		if err := checkChain(append(chain, &after), &after); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateResolution(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: entityType, EntityID: id, Action: "update", Before: before, After: after})
	})
	return out, err
}

// DeleteResolution deletes the resolution id of mission, its ceilings and
// tasks, if its version is still version. Errors: ENOTFOUND as
// FindResolutionByID; EFORBIDDEN when the actor may read but not delete
// it; EPRECONDITION when version is stale; ECONFLICT when the next
// resolution's tasks continue, change or end its tasks.
func (s *Service) DeleteResolution(ctx context.Context, mission, id string, version int64) error {
	actor := peaceops.ActorFromContext(ctx)
	return s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findVisible(ctx, tx, actor, mission, id)
		if err != nil {
			return err
		}
		if err := access.Check(actor, access.ActionDelete, resource(before)); err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "resolution %s is at version %d, not %d: reload and try again", before.Symbol, before.Version, version)
		}
		chain, err := findChain(ctx, tx, mission, peaceops.StrictlyConfidential)
		if err != nil {
			return err
		}
		chain = slices.DeleteFunc(chain, func(r *Resolution) bool { return r.ID == id })
		if err := checkChain(chain, nil); err != nil {
			return err
		}
		if err := deleteResolution(ctx, tx, before); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: entityType, EntityID: id, Action: "delete", Before: before})
	})
}

// TaskTitle returns the title of the mandated task id of mission.
// Errors: ENOTFOUND when there is no such task or the actor may not see
// its resolution; EUNAUTHORIZED when anonymous.
func (s *Service) TaskTitle(ctx context.Context, mission string, id string) (string, error) {
	actor := peaceops.ActorFromContext(ctx)
	title := ""
	err := s.db.View(ctx, func(tx *store.Tx) error {
		if _, err := clearance(actor, mission); err != nil {
			return err
		}
		if !peaceops.ValidID(id) {
			return peaceops.Errorf(peaceops.ENOTFOUND, "mandated task %s not found", id)
		}
		rid, err := findTaskResolution(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		r, err := findVisible(ctx, tx, actor, mission, rid)
		if err != nil {
			return peaceops.Errorf(peaceops.ENOTFOUND, "mandated task %s not found", id)
		}
		title = r.task(id).Title
		return nil
	})
	return title, err
}

// CeilingsOn returns the authorised ceilings of the resolution of mission
// in force on day (the latest adopted of those whose mandate period holds
// it), keyed by personnel category: "military" (contingent troops),
// "military_observers" (military observers and staff officers),
// "police_fpu" and "police_ipo". A category the resolution does not state
// is absent; with no resolution in force the map is empty. Errors:
// ENOTFOUND when the actor may not read the mission's mandate
// (EUNAUTHORIZED when anonymous).
func (s *Service) CeilingsOn(ctx context.Context, mission string, on peaceops.Date) (map[string]int, error) {
	chain, err := s.FindResolutions(ctx, mission)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	if r := inForce(chain, on); r != nil {
		for _, k := range contractCeilings {
			if v, ok := r.Ceilings[k]; ok {
				out[k] = v
			}
		}
	}
	return out, nil
}

// CeilingsOnDays is CeilingsOn for many days at once, reading the chain
// of resolutions once: out[i] holds the ceilings in force on days[i].
func (s *Service) CeilingsOnDays(ctx context.Context, mission string, days []peaceops.Date) ([]map[string]int, error) {
	chain, err := s.FindResolutions(ctx, mission)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]int, len(days))
	for i, day := range days {
		out[i] = map[string]int{}
		if r := inForce(chain, day); r != nil {
			for _, k := range contractCeilings {
				if v, ok := r.Ceilings[k]; ok {
					out[i][k] = v
				}
			}
		}
	}
	return out, nil
}

// inForce returns the latest adopted resolution of chain (in adoption
// order) whose mandate period holds day, or nil.
func inForce(chain []*Resolution, day peaceops.Date) *Resolution {
	for i := len(chain) - 1; i >= 0; i-- {
		if chain[i].InForceOn(day) {
			return chain[i]
		}
	}
	return nil
}
