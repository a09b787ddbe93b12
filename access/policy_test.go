package access_test

import (
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
)

// allowed states DESIGN.md §5 independently of the grants table: for each
// resource type and mission role, the actions the role may take in its own
// mission and the highest classification it may take them on. Roles not
// listed for a type get nothing. A module that adds grant rows adds its
// expectations here.
var allowed = map[string]map[peaceops.Role]struct {
	actions string
	max     peaceops.Classification
}{
	"mission": {
		peaceops.RoleMissionAdmin:     {"read update", peaceops.Confidential},
		peaceops.RoleAnalyst:          {"read", peaceops.Internal},
		peaceops.RoleReporter:         {"read", peaceops.Internal},
		peaceops.RoleViewer:           {"read", peaceops.Internal},
		peaceops.RolePlanner:          {"read", peaceops.Internal},
		peaceops.RolePersonnelOfficer: {"read", peaceops.Internal},
		peaceops.RoleDDROfficer:       {"read", peaceops.Internal},
		peaceops.RoleConductOfficer:   {"read", peaceops.Internal},
		peaceops.RoleFinanceOfficer:   {"read", peaceops.Internal},
		peaceops.RoleLogisticsOfficer: {"read", peaceops.Internal},
		peaceops.RoleChildProtection:  {"read", peaceops.Internal},
		peaceops.RoleDDRChief:         {"read", peaceops.Internal},
		peaceops.RoleFeedbackOfficer:  {"read", peaceops.Internal},
		peaceops.RoleVictimRights:     {"read", peaceops.Internal},
	},
	"membership": {
		peaceops.RoleMissionAdmin:     {"read manage", peaceops.Internal},
		peaceops.RoleAnalyst:          {"read", peaceops.Internal},
		peaceops.RoleReporter:         {"read", peaceops.Internal},
		peaceops.RoleViewer:           {"read", peaceops.Internal},
		peaceops.RolePlanner:          {"read", peaceops.Internal},
		peaceops.RolePersonnelOfficer: {"read", peaceops.Internal},
		peaceops.RoleDDROfficer:       {"read", peaceops.Internal},
		peaceops.RoleConductOfficer:   {"read", peaceops.Internal},
		peaceops.RoleFinanceOfficer:   {"read", peaceops.Internal},
		peaceops.RoleLogisticsOfficer: {"read", peaceops.Internal},
		peaceops.RoleChildProtection:  {"read", peaceops.Internal},
		peaceops.RoleDDRChief:         {"read", peaceops.Internal},
		peaceops.RoleFeedbackOfficer:  {"read", peaceops.Internal},
		peaceops.RoleVictimRights:     {"read", peaceops.Internal},
	},
	"audit": {
		peaceops.RoleMissionAdmin: {"read", peaceops.Confidential},
	},
	"user":  {},
	"token": {},
	"event": {
		peaceops.RoleMissionAdmin: {"read create update delete manage verify approve export import", peaceops.Confidential},
		peaceops.RoleAnalyst:      {"read create update verify import", peaceops.Confidential},
		peaceops.RoleReporter:     {"read create", peaceops.Internal},
		peaceops.RoleViewer:       {"read", peaceops.Internal},
	},
	"alert": {
		peaceops.RoleMissionAdmin: {"read create update delete manage verify approve export import", peaceops.Confidential},
		peaceops.RoleAnalyst:      {"read create update verify", peaceops.Confidential},
		peaceops.RoleReporter:     {"read create", peaceops.Internal},
		peaceops.RoleViewer:       {"read", peaceops.Internal},
	},
	// Need-to-know types without officer rows: no one.
	"informant": {},
	// A type nobody declared is denied to all (default deny).
	"no-such-type": {},
}

// levels are the classifications tried: 0 (unclassified) and every level.
var levels = append([]peaceops.Classification{0}, peaceops.Classifications...)

func mayDo(role peaceops.Role, typ string, act access.Action, c peaceops.Classification) bool {
	g, ok := allowed[typ][role]
	return ok && c <= g.max && strings.Contains(" "+g.actions+" ", " "+string(act)+" ")
}

// wantFor returns the error code Check must give a holder of role in
// MINUSCA acting on a record of typ in mission.
func wantFor(role peaceops.Role, typ, mission string, act access.Action, c peaceops.Classification) string {
	if mission != "MINUSCA" {
		return peaceops.ENOTFOUND // another mission's records do not exist for them
	}
	switch {
	case mayDo(role, typ, act, c):
		return ""
	case act == access.ActionCreate:
		return peaceops.EFORBIDDEN // nothing to hide: they see their mission
	case mayDo(role, typ, access.ActionRead, c):
		return peaceops.EFORBIDDEN
	}
	return peaceops.ENOTFOUND
}

func TestPolicyMatrix(t *testing.T) {
	for typ := range allowed {
		for _, role := range peaceops.Roles {
			a := peaceops.Actor{UserID: "U1", Username: "u1", Roles: map[string][]peaceops.Role{"MINUSCA": {role}}}
			for _, mission := range []string{"MINUSCA", "MONUSCO"} {
				for _, act := range access.Actions {
					for _, c := range levels {
						r := access.Resource{Type: typ, Mission: mission, Classification: c}
						want := wantFor(role, typ, mission, act, c)
						err := access.Check(a, act, r)
						if got := peaceops.ErrorCode(err); got != want {
							t.Errorf("%s in MINUSCA: %s %v: code %q (%v), want %q", role, act, r, got, err, want)
						}
						if got := access.Can(a, act, r); got != (want == "") {
							t.Errorf("%s in MINUSCA: Can %s %v = %v, want %v", role, act, r, got, want == "")
						}
					}
				}
			}
		}
	}
}

func TestPolicyClearance(t *testing.T) {
	for typ := range allowed {
		for _, role := range peaceops.Roles {
			a := peaceops.Actor{UserID: "U1", Username: "u1", Roles: map[string][]peaceops.Role{"MINUSCA": {role}}}
			var want peaceops.Classification
			if g, ok := allowed[typ][role]; ok && strings.Contains(g.actions, "read") {
				want = g.max
			}
			if got := access.Clearance(a, typ, "MINUSCA"); got != want {
				t.Errorf("Clearance(%s, %s, own) = %v, want %v", role, typ, got, want)
			}
			if got := access.Clearance(a, typ, "MONUSCO"); got != 0 {
				t.Errorf("Clearance(%s, %s, other) = %v, want none", role, typ, got)
			}
		}
	}
}

func TestPolicyRolesAdd(t *testing.T) {
	// Several roles grant the union of their rows.
	a := peaceops.Actor{UserID: "U1", Username: "u1", Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleViewer, peaceops.RoleAnalyst}}}
	if !access.Can(a, access.ActionVerify, access.Resource{Type: "event", Mission: "MINUSCA", Classification: peaceops.Confidential}) {
		t.Fatal("viewer+analyst may not verify a confidential event")
	}
	if got := access.Clearance(a, "event", "MINUSCA"); got != peaceops.Confidential {
		t.Fatalf("clearance = %v, want confidential", got)
	}
}

func TestPolicyAdmin(t *testing.T) {
	admin := peaceops.Actor{UserID: "A1", Username: "admin", Admin: true}
	for typ := range allowed {
		for _, mission := range []string{"", "MINUSCA"} {
			for _, act := range access.Actions {
				for _, c := range levels {
					r := access.Resource{Type: typ, Mission: mission, Classification: c}
					want := ""
					if access.NeedToKnow(typ) {
						want = peaceops.ENOTFOUND
						if act == access.ActionCreate {
							want = peaceops.EFORBIDDEN
						}
					}
					if got := peaceops.ErrorCode(access.Check(admin, act, r)); got != want {
						t.Errorf("admin %s %v: code %q, want %q", act, r, got, want)
					}
				}
			}
		}
	}
	if got := access.Clearance(admin, "event", "MINUSCA"); got != peaceops.StrictlyConfidential {
		t.Errorf("admin event clearance = %v", got)
	}
	if got := access.Clearance(admin, "victim", "MINUSCA"); got != 0 {
		t.Errorf("admin victim clearance = %v, want none (need to know)", got)
	}
	// Admin without a user ID is not an identity at all.
	if access.Can(peaceops.Actor{Admin: true}, access.ActionRead, access.Resource{Type: "mission", Mission: "MINUSCA"}) {
		t.Error("an anonymous actor with Admin set was let in")
	}
}

func TestPolicySystem(t *testing.T) {
	sys := peaceops.SystemActor()
	for typ := range allowed {
		for _, act := range access.Actions {
			for _, c := range levels {
				r := access.Resource{Type: typ, Mission: "MINUSCA", Classification: c}
				if err := access.Check(sys, act, r); err != nil {
					t.Errorf("system %s %v: %v", act, r, err)
				}
			}
		}
	}
	if got := access.Clearance(sys, "victim", "MINUSCA"); got != peaceops.StrictlyConfidential {
		t.Errorf("system victim clearance = %v", got)
	}
}

func TestPolicyAnonymous(t *testing.T) {
	var anon peaceops.Actor
	for typ := range allowed {
		for _, mission := range []string{"", "MINUSCA"} {
			for _, act := range access.Actions {
				for _, c := range levels {
					r := access.Resource{Type: typ, Mission: mission, Classification: c}
					wantCode(t, access.Check(anon, act, r), peaceops.EUNAUTHORIZED)
				}
			}
		}
		if got := access.Clearance(anon, typ, "MINUSCA"); got != 0 {
			t.Errorf("anonymous clearance on %s = %v", typ, got)
		}
	}
	t.Run("FeedbackIntake", func(t *testing.T) {
		r := access.Resource{Type: "feedback", Mission: "MINUSCA", Classification: peaceops.Public}
		wantCode(t, access.Check(anon, access.ActionCreate, r), "")
		wantCode(t, access.Check(anon, access.ActionRead, r), peaceops.EUNAUTHORIZED)
		r.Classification = peaceops.Internal
		wantCode(t, access.Check(anon, access.ActionCreate, r), peaceops.EUNAUTHORIZED)
		// Signed-in users too, in any mission.
		v := peaceops.Actor{UserID: "U1", Username: "u1", Roles: map[string][]peaceops.Role{"MONUSCO": {peaceops.RoleViewer}}}
		r.Classification = peaceops.Public
		wantCode(t, access.Check(v, access.ActionCreate, r), "")
		wantCode(t, access.Check(v, access.ActionRead, r), peaceops.ENOTFOUND)
	})
}

func TestPolicyNoRoles(t *testing.T) {
	// An authenticated user with no membership sees no mission and may not
	// create global records.
	a := peaceops.Actor{UserID: "U1", Username: "u1"}
	wantCode(t, access.Check(a, access.ActionRead, access.Resource{Type: "mission", Mission: "MINUSCA"}), peaceops.ENOTFOUND)
	wantCode(t, access.Check(a, access.ActionCreate, access.Resource{Type: "mission"}), peaceops.EFORBIDDEN)
	wantCode(t, access.Check(a, access.ActionCreate, access.Resource{Type: "user"}), peaceops.EFORBIDDEN)
	wantCode(t, access.Check(a, access.ActionRead, access.Resource{Type: "audit"}), peaceops.ENOTFOUND)
	// Only the global administrator creates missions, mission-admins included.
	ma := peaceops.Actor{UserID: "U2", Username: "u2", Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleMissionAdmin}}}
	wantCode(t, access.Check(ma, access.ActionCreate, access.Resource{Type: "mission"}), peaceops.EFORBIDDEN)
	wantCode(t, access.Check(ma, access.ActionRead, access.Resource{Type: "audit"}), peaceops.ENOTFOUND)
	// Creating in a mission: 404 if the mission is invisible, 403 if not.
	wantCode(t, access.Check(ma, access.ActionCreate, access.Resource{Type: "allegation", Mission: "MINUSCA"}), peaceops.EFORBIDDEN)
	wantCode(t, access.Check(ma, access.ActionCreate, access.Resource{Type: "event", Mission: "MONUSCO"}), peaceops.ENOTFOUND)
	wantCode(t, access.Check(a, access.ActionCreate, access.Resource{Type: "event", Mission: "MINUSCA"}), peaceops.ENOTFOUND)
}

func TestPolicyOwner(t *testing.T) {
	a := peaceops.Actor{UserID: "U1", Username: "u1"}
	tests := []struct {
		name string
		act  access.Action
		r    access.Resource
		want string
	}{
		{"OwnProfileRead", access.ActionRead, access.Resource{Type: "user", Owner: "U1"}, ""},
		{"OwnProfileUpdate", access.ActionUpdate, access.Resource{Type: "user", Owner: "U1"}, ""},
		{"ErrOwnProfileManage", access.ActionManage, access.Resource{Type: "user", Owner: "U1"}, peaceops.EFORBIDDEN},
		{"ErrOwnProfileDelete", access.ActionDelete, access.Resource{Type: "user", Owner: "U1"}, peaceops.EFORBIDDEN},
		{"ErrOtherProfile", access.ActionRead, access.Resource{Type: "user", Owner: "U2"}, peaceops.ENOTFOUND},
		{"OwnTokenCreate", access.ActionCreate, access.Resource{Type: "token", Owner: "U1"}, ""},
		{"OwnTokenRead", access.ActionRead, access.Resource{Type: "token", Owner: "U1"}, ""},
		{"OwnTokenDelete", access.ActionDelete, access.Resource{Type: "token", Owner: "U1"}, ""},
		{"ErrOwnTokenUpdate", access.ActionUpdate, access.Resource{Type: "token", Owner: "U1"}, peaceops.EFORBIDDEN},
		{"ErrOtherToken", access.ActionDelete, access.Resource{Type: "token", Owner: "U2"}, peaceops.ENOTFOUND},
		{"ErrOwnedNeedToKnow", access.ActionRead, access.Resource{Type: "victim", Owner: "U1"}, peaceops.ENOTFOUND},
		{"ErrOwnedEvent", access.ActionRead, access.Resource{Type: "event", Owner: "U1", Mission: "MINUSCA"}, peaceops.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, access.Check(a, tt.act, tt.r), tt.want)
		})
	}
	var anon peaceops.Actor
	if access.Can(anon, access.ActionRead, access.Resource{Type: "user"}) {
		t.Error("anonymous owns the ownerless user")
	}
}

func TestPolicyDefaultDeny(t *testing.T) {
	ma := peaceops.Actor{UserID: "U1", Username: "u1", Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleMissionAdmin}}}
	tests := []struct {
		name string
		act  access.Action
		r    access.Resource
	}{
		{"UnknownAction", "destroy", access.Resource{Type: "event", Mission: "MINUSCA"}},
		{"UnknownType", access.ActionRead, access.Resource{Type: "nuclear-codes", Mission: "MINUSCA"}},
		{"AboveClearance", access.ActionRead, access.Resource{Type: "event", Mission: "MINUSCA", Classification: peaceops.StrictlyConfidential}},
		{"InvalidClassification", access.ActionRead, access.Resource{Type: "event", Mission: "MINUSCA", Classification: 99}},
		{"NegativeClassification", access.ActionRead, access.Resource{Type: "event", Mission: "MINUSCA", Classification: -1}},
		{"GlobalRecord", access.ActionRead, access.Resource{Type: "event"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if access.Can(ma, tt.act, tt.r) {
				t.Fatalf("mission-admin may %s %v", tt.act, tt.r)
			}
		})
	}
}

func TestPolicyMessages(t *testing.T) {
	v := peaceops.Actor{UserID: "U1", Username: "u1", Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleViewer}}}
	err := access.Check(v, access.ActionUpdate, access.Resource{Type: "mission", Mission: "MINUSCA"})
	if got := peaceops.ErrorMessage(err); got != "you may not update this mission" {
		t.Errorf("message = %q", got)
	}
	err = access.Check(v, access.ActionRead, access.Resource{Type: "mission", Mission: "MONUSCO"})
	if got := peaceops.ErrorMessage(err); got != "mission not found" {
		t.Errorf("message = %q", got)
	}
	for _, act := range access.Actions {
		if !act.Valid() || act.String() == "" {
			t.Errorf("action %q invalid", act)
		}
	}
	if access.Action("destroy").Valid() {
		t.Error("unknown action valid")
	}
}
