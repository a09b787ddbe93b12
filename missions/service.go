package missions

import (
	"context"
	"slices"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// resourceType is the policy's name for missions.
const resourceType = "mission"

// Service holds the mission operations. Every method takes the actor from
// ctx, checks it against the access policy, and runs in one transaction.
type Service struct {
	db     *store.DB
	access *access.Service
	pages  *web.Pages
}

// NewService returns a Service over db; memberships go through acc.
func NewService(db *store.DB, acc *access.Service) *Service {
	return &Service{db: db, access: acc, pages: newPages()}
}

func resource(m *Mission) access.Resource {
	return access.Resource{Type: resourceType, Mission: m.Code, Classification: m.Classification}
}

// CreateMission validates m, stores it as version 1 and audits the
// creation. Only administrators may create missions (EFORBIDDEN, or
// EUNAUTHORIZED when anonymous); a taken code is ECONFLICT.
func (s *Service) CreateMission(ctx context.Context, m *Mission) error {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionCreate, access.Resource{Type: resourceType}); err != nil {
		if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
			return peaceops.Errorf(peaceops.EFORBIDDEN, "only administrators may create missions")
		}
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		m.ID = peaceops.NewIDAt(tx.Now)
		m.CreatedAt, m.UpdatedAt, m.Version = tx.Now, tx.Now, 1
		if err := insertMission(ctx, tx, m); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: m.Code, EntityType: resourceType, EntityID: m.ID, Action: "create", After: m})
	})
}

// FindMissionByCode returns the mission with the given code. A mission the
// actor may not see is ENOTFOUND, exactly like one that does not exist.
func (s *Service) FindMissionByCode(ctx context.Context, code string) (*Mission, error) {
	actor := peaceops.ActorFromContext(ctx)
	if actor.Anonymous() {
		return nil, peaceops.Errorf(peaceops.EUNAUTHORIZED, "sign in to see missions")
	}
	var m *Mission
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		m, err = findMissionByCode(ctx, tx, code)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := access.Check(actor, access.ActionRead, resource(m)); err != nil {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", code)
	}
	return m, nil
}

// FindMissions returns the missions matching f that the actor may see, in
// code order, and the cursor of the next page ("" on the last page).
func (s *Service) FindMissions(ctx context.Context, f Filter) ([]*Mission, string, error) {
	actor := peaceops.ActorFromContext(ctx)
	if actor.Anonymous() {
		return nil, "", peaceops.Errorf(peaceops.EUNAUTHORIZED, "sign in to see missions")
	}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	var codes []string // nil: no restriction (administrators)
	if !actor.Admin && !actor.System {
		codes = actor.Missions()
		slices.Sort(codes)
	}
	var out []*Mission
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findMissions(ctx, tx, f, codes)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].Code
	}
	visible := out[:0]
	for _, m := range out {
		if access.Can(actor, access.ActionRead, resource(m)) {
			visible = append(visible, m)
		}
	}
	return visible, next, nil
}

// UpdateMission applies upd to the mission if its version is still version
// (EPRECONDITION otherwise) and returns the new state. Administrators and
// the mission's mission-admins may update; members who may only read get
// EFORBIDDEN, everyone else ENOTFOUND.
func (s *Service) UpdateMission(ctx context.Context, code string, upd Update, version int64) (*Mission, error) {
	actor := peaceops.ActorFromContext(ctx)
	var out *Mission
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findMissionByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := access.Check(actor, access.ActionUpdate, resource(before)); err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "mission %s is at version %d, not %d: reload and try again", code, before.Version, version)
		}
		after := upd.apply(*before)
		if err := peaceops.Invalid(after.validateFields()); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateMission(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: code, EntityType: resourceType, EntityID: after.ID, Action: "update", Before: before, After: after})
	})
	return out, err
}

// FindMembers returns the members of a mission and their roles.
func (s *Service) FindMembers(ctx context.Context, code string) ([]access.Member, error) {
	if _, err := s.FindMissionByCode(ctx, code); err != nil {
		return nil, err
	}
	return s.access.FindMembers(ctx, code)
}

// AddMember gives a user a role in a mission (administrators and the
// mission's mission-admins).
func (s *Service) AddMember(ctx context.Context, code, username string, role peaceops.Role) error {
	return s.access.AddMember(ctx, code, username, role)
}

// RemoveMember takes a role in a mission away from a user.
func (s *Service) RemoveMember(ctx context.Context, code, username string, role peaceops.Role) error {
	return s.access.RemoveMember(ctx, code, username, role)
}
