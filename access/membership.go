package access

import (
	"context"
	"fmt"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// membershipChange is the audit record of a role granted or withdrawn.
type membershipChange struct {
	Mission  string        `json:"mission"`
	Username string        `json:"username"`
	Role     peaceops.Role `json:"role"`
}

func validRole(role peaceops.Role) error {
	if role.Valid() {
		return nil
	}
	return peaceops.Invalid([]peaceops.FieldError{{Field: "role", Message: fmt.Sprintf("unknown role %q", role)}})
}

// checkMission applies the policy to act on the memberships of the mission
// with code and returns the mission's ID. A mission the caller may not see
// does not exist for them: ENOTFOUND "mission not found", as for an
// unknown code.
func checkMission(ctx context.Context, tx *store.Tx, code string, act Action) (peaceops.ID, error) {
	err := Check(tx.Actor, act, Resource{Type: "membership", Mission: code})
	if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
		return "", peaceops.Errorf(peaceops.ENOTFOUND, "mission not found")
	} else if err != nil {
		return "", err
	}
	return findMissionID(ctx, tx, code)
}

// AddMember grants role in the mission with code missionCode to the user
// named username. The administrator and the mission's mission-admins may.
// Errors: EINVALID (unknown role, field "role"), ENOTFOUND (unknown or
// invisible mission, unknown user), EFORBIDDEN (a member who may not
// manage). Granting a role already held does nothing; a new grant is
// audited as membership create in the mission.
func (s *Service) AddMember(ctx context.Context, missionCode, username string, role peaceops.Role) error {
	if err := validRole(role); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		missionID, err := checkMission(ctx, tx, missionCode, ActionManage)
		if err != nil {
			return err
		}
		u, err := findUserByUsername(ctx, tx, username)
		if err != nil {
			return err
		}
		added, err := insertMembership(ctx, tx, missionID, u.ID, role)
		if err != nil || !added {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: missionCode, EntityType: "membership", EntityID: u.ID, Action: "create",
			After: membershipChange{missionCode, u.Username, role}})
	})
}

// RemoveMember withdraws role in the mission with code missionCode from
// the user named username, under the same rules as AddMember. Withdrawing
// a role not held does nothing; a withdrawal is audited as membership
// delete in the mission.
func (s *Service) RemoveMember(ctx context.Context, missionCode, username string, role peaceops.Role) error {
	if err := validRole(role); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		missionID, err := checkMission(ctx, tx, missionCode, ActionManage)
		if err != nil {
			return err
		}
		u, err := findUserByUsername(ctx, tx, username)
		if err != nil {
			return err
		}
		removed, err := deleteMembership(ctx, tx, missionID, u.ID, role)
		if err != nil || !removed {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: missionCode, EntityType: "membership", EntityID: u.ID, Action: "delete",
			Before: membershipChange{missionCode, u.Username, role}})
	})
}

// FindMembers lists the members of the mission with code missionCode and
// their roles, by username. Members of the mission and the administrator
// may; for anyone else the mission does not exist (ENOTFOUND).
func (s *Service) FindMembers(ctx context.Context, missionCode string) ([]Member, error) {
	var members []Member
	err := s.db.View(ctx, func(tx *store.Tx) error {
		missionID, err := checkMission(ctx, tx, missionCode, ActionRead)
		if err != nil {
			return err
		}
		members, err = findMembers(ctx, tx, missionID)
		return err
	})
	return members, err
}
