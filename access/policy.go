package access

import (
	"fmt"
	"slices"

	"github.com/peaceops/peaceops"
)

// Action is something an actor does to a resource.
type Action string

// The actions of the policy. Each is granted on its own: "manage" does not
// imply "update", nor "update" "read".
const (
	ActionRead    Action = "read"
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionDelete  Action = "delete"
	ActionManage  Action = "manage" // administer: memberships, users, settings
	ActionVerify  Action = "verify"
	ActionApprove Action = "approve"
	ActionExport  Action = "export"
	ActionImport  Action = "import"
)

// Actions lists every action.
var Actions = []Action{
	ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionManage,
	ActionVerify, ActionApprove, ActionExport, ActionImport,
}

// Resource is what an action is about.
type Resource struct {
	// Type is the kind of record: "mission", "membership", "user", "audit",
	// "token", "event", ...
	Type string
	// Mission is the code of the mission the record belongs to ("" for
	// global records). A mission's own Resource has Mission = its code; a
	// mission that does not exist yet (create) has Mission "".
	Mission string
	// Classification is the record's level. Zero means the type carries no
	// classification (users, memberships, tokens): only whether a grant
	// exists counts. Classified records must always set it.
	Classification peaceops.Classification
	// Owner is the ID of the user a personal record belongs to (their user
	// record, their API tokens). The owner holds the ownerGrants on it.
	Owner peaceops.ID
}

// Pseudo-roles of the grants table besides the mission roles.
const (
	// AnyMember stands for every role: a row with it applies to anyone who
	// holds at least one role in the resource's mission.
	AnyMember peaceops.Role = "*"
	// Anyone stands for every caller, anonymous included: rows with it make
	// a resource public (the public portal, the community feedback intake).
	Anyone peaceops.Role = "anyone"
)

// grant is one row of the policy: Role may do Actions on records of Type
// in the missions where it holds the role, up to classification Max.
type grant struct {
	Role    peaceops.Role
	Type    string
	Actions []Action
	Max     peaceops.Classification
}

var (
	readOnly   = []Action{ActionRead}
	allActions = Actions
)

// grants is THE policy table (DESIGN.md §5). Default deny: what no row
// grants is refused. A module adding resource types adds its rows in a
// grants_<module>.go file of this package, lists it here, and adds its
// expectations to TestPolicyMatrix. The global administrator and the system
// actor are not in the table (see Can).
var grants = slices.Concat(coreGrants, mandateGrants, forcesGrants, conductGrants, feedbackGrants, ddrGrants)

// coreGrants cover the kernel and situational awareness.
var coreGrants = []grant{
	// Missions: every member reads its mission; its mission-admins edit it.
	// Creating a mission is for the global administrator only.
	{AnyMember, "mission", readOnly, peaceops.Internal},
	{peaceops.RoleMissionAdmin, "mission", []Action{ActionRead, ActionUpdate}, peaceops.Confidential},

	// Memberships: members see who else is in their mission; mission-admins
	// add and remove members (manage).
	{AnyMember, "membership", readOnly, peaceops.Internal},
	{peaceops.RoleMissionAdmin, "membership", []Action{ActionRead, ActionManage}, peaceops.Internal},

	// Audit: a mission-admin reads the log of their own mission.
	{peaceops.RoleMissionAdmin, "audit", readOnly, peaceops.Confidential},

	// Events (incidents) and alerts.
	{peaceops.RoleMissionAdmin, "event", allActions, peaceops.Confidential},
	{peaceops.RoleAnalyst, "event", []Action{ActionRead, ActionCreate, ActionUpdate, ActionVerify, ActionImport}, peaceops.Confidential},
	{peaceops.RoleReporter, "event", []Action{ActionRead, ActionCreate}, peaceops.Internal},
	{peaceops.RoleViewer, "event", readOnly, peaceops.Internal},
	{peaceops.RoleMissionAdmin, "alert", allActions, peaceops.Confidential},
	{peaceops.RoleAnalyst, "alert", []Action{ActionRead, ActionCreate, ActionUpdate, ActionVerify}, peaceops.Confidential},
	{peaceops.RoleReporter, "alert", []Action{ActionRead, ActionCreate}, peaceops.Internal},
	{peaceops.RoleViewer, "alert", readOnly, peaceops.Internal},
}

// ownerGrants are what a user may do to their own personal records
// (Resource.Owner == their ID): read and edit their profile, keep their
// API tokens. Which fields of the profile they may change is the service's
// business (admin and disabled need "manage").
var ownerGrants = map[string][]Action{
	"user":  {ActionRead, ActionUpdate},
	"token": {ActionRead, ActionCreate, ActionDelete},
}

// needToKnow lists the resource types that only their officer roles see,
// whatever anyone else's clearance: not the global administrator, not a
// mission-admin, not an AnyMember row. The value names the roles whose rows
// count for the type; a module introducing the type fills it in (an empty
// list: no one but the system actor).
var needToKnow = map[string][]peaceops.Role{
	"allegation":       {peaceops.RoleConductOfficer, peaceops.RoleVictimRights},
	"victim":           {peaceops.RoleVictimRights},
	"caafag":           {peaceops.RoleChildProtection, peaceops.RoleDDRChief},
	"feedback_contact": {peaceops.RoleFeedbackOfficer},
	"informant":        {},
}

// NeedToKnowTypes lists the need-to-know resource types, sorted.
func NeedToKnowTypes() []string {
	out := make([]string, 0, len(needToKnow))
	for t := range needToKnow {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// NeedToKnow reports whether records of resourceType are visible only to
// their officer roles.
func NeedToKnow(resourceType string) bool {
	_, ok := needToKnow[resourceType]
	return ok
}

// grantIndex is grants keyed by type, then role, for lookups on the hot
// path of every request. A malformed row is a programming error that any
// test of any package importing access reveals at once.
var grantIndex = func() map[string]map[peaceops.Role][]grant {
	idx := map[string]map[peaceops.Role][]grant{}
	for _, g := range grants {
		if (!g.Role.Valid() && g.Role != AnyMember && g.Role != Anyone) || g.Type == "" || !g.Max.Valid() {
			panic(fmt.Sprintf("access: bad grant row %+v", g))
		}
		for _, act := range g.Actions {
			if !act.Valid() {
				panic(fmt.Sprintf("access: grant row %+v has unknown action %q", g, act))
			}
		}
		if idx[g.Type] == nil {
			idx[g.Type] = map[peaceops.Role][]grant{}
		}
		idx[g.Type][g.Role] = append(idx[g.Type][g.Role], g)
	}
	return idx
}()

// applicable calls fn for every grant row that applies to a on records of
// resourceType in mission. Anonymous actors get only Anyone rows.
func applicable(a peaceops.Actor, resourceType, mission string, fn func(grant)) {
	byRole := grantIndex[resourceType]
	if byRole == nil {
		return
	}
	officers, restricted := needToKnow[resourceType]
	counts := func(role peaceops.Role) bool {
		if !restricted {
			return true
		}
		for _, r := range officers {
			if r == role {
				return true
			}
		}
		return false
	}
	use := func(role peaceops.Role) {
		if !counts(role) {
			return
		}
		for _, g := range byRole[role] {
			fn(g)
		}
	}
	use(Anyone)
	if a.Anonymous() || mission == "" {
		return
	}
	roles := a.Roles[mission]
	if len(roles) > 0 {
		use(AnyMember)
	}
	for _, r := range roles {
		use(r)
	}
}

// superuser reports whether a may do anything to records of resourceType
// without consulting the table: the system actor always, the global
// administrator except on need-to-know types.
func superuser(a peaceops.Actor, resourceType string) bool {
	if a.System {
		return true
	}
	return a.Admin && a.UserID != "" && !NeedToKnow(resourceType)
}

// Can reports whether a may perform act on r. Default deny: unknown types,
// unknown actions and invalid classifications are refused.
func Can(a peaceops.Actor, act Action, r Resource) bool {
	if r.Classification < 0 || r.Classification > peaceops.StrictlyConfidential {
		return false
	}
	if superuser(a, r.Type) {
		return true
	}
	if !a.Anonymous() && r.Owner != "" && r.Owner == a.UserID && !NeedToKnow(r.Type) {
		for _, x := range ownerGrants[r.Type] {
			if x == act {
				return true
			}
		}
	}
	allowed := false
	applicable(a, r.Type, r.Mission, func(g grant) {
		if allowed || r.Classification > g.Max {
			return
		}
		for _, x := range g.Actions {
			if x == act {
				allowed = true
				return
			}
		}
	})
	return allowed
}

// Check returns nil if a may perform act on r, and otherwise the error the
// caller should see:
//   - EUNAUTHORIZED if a is anonymous and r is not public-readable (log in
//     first);
//   - ENOTFOUND if a may not even read r, so that records of a mission the
//     caller cannot see do not exist for them. For create, where there is
//     no record yet, what must stay hidden is the mission: ENOTFOUND when a
//     may not read the mission, EFORBIDDEN when a may (or r is global);
//   - EFORBIDDEN if a may read r but not perform act.
func Check(a peaceops.Actor, act Action, r Resource) error {
	if Can(a, act, r) {
		return nil
	}
	visible := act != ActionRead && Can(a, ActionRead, r)
	if act == ActionCreate && !a.Anonymous() {
		visible = r.Mission == "" || Can(a, ActionRead, Resource{Type: "mission", Mission: r.Mission})
	}
	switch {
	case a.Anonymous() && !visible:
		return peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	case !visible:
		return peaceops.Errorf(peaceops.ENOTFOUND, "%s not found", label(r.Type))
	}
	return peaceops.Errorf(peaceops.EFORBIDDEN, "you may not %s this %s", act, label(r.Type))
}

// label names a resource type for messages.
func label(resourceType string) string {
	if resourceType == "" {
		return "record"
	}
	return resourceType
}

// Clearance returns the highest classification a may read of records of
// resourceType in mission, or 0 when a may read none. List queries filter
// with it: `classification <= clearance`.
func Clearance(a peaceops.Actor, resourceType, mission string) peaceops.Classification {
	if superuser(a, resourceType) {
		return peaceops.StrictlyConfidential
	}
	var max peaceops.Classification
	applicable(a, resourceType, mission, func(g grant) {
		for _, x := range g.Actions {
			if x == ActionRead && g.Max > max {
				max = g.Max
			}
		}
	})
	return max
}

// String returns the action's name.
func (a Action) String() string { return string(a) }

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	for _, x := range Actions {
		if x == a {
			return true
		}
	}
	return false
}

// String formats r for logs and test messages.
func (r Resource) String() string {
	return fmt.Sprintf("%s(mission=%q class=%d owner=%q)", r.Type, r.Mission, r.Classification, r.Owner)
}
