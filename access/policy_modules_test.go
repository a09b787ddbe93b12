package access_test

import (
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
)

// Expectations for the resource types of the capability modules, stated
// independently of their grants_<module>.go rows.

const everything = "read create update delete manage verify approve export import"

func init() {
	type exp = struct {
		actions string
		max     peaceops.Classification
	}
	// members gives every mission role the same expectation, then applies
	// the overrides.
	members := func(all exp, over map[peaceops.Role]exp) map[peaceops.Role]exp {
		out := map[peaceops.Role]exp{}
		for _, r := range peaceops.Roles {
			out[r] = all
		}
		for r, e := range over {
			out[r] = e
		}
		return out
	}
	c, sc, in := peaceops.Confidential, peaceops.StrictlyConfidential, peaceops.Internal

	allowed["mandate"] = members(exp{"read", in}, map[peaceops.Role]exp{
		peaceops.RolePlanner:      {"read create update delete import export", c},
		peaceops.RoleMissionAdmin: {everything, c},
	})
	allowed["framework"] = members(exp{"read export", in}, map[peaceops.Role]exp{
		peaceops.RolePlanner:      {"read create update delete approve import export", c},
		peaceops.RoleMissionAdmin: {everything, c},
	})
	allowed["measurement"] = members(exp{"read create update export", in}, map[peaceops.Role]exp{
		peaceops.RolePlanner:      {"read create update approve import export", c},
		peaceops.RoleMissionAdmin: {everything, c},
	})

	allowed["unit"] = members(exp{"read export", in}, map[peaceops.Role]exp{
		peaceops.RolePersonnelOfficer: {"read create update delete import export", c},
		peaceops.RoleMissionAdmin:     {everything, c},
	})
	allowed["personnel"] = map[peaceops.Role]exp{
		peaceops.RolePersonnelOfficer: {"read create update delete import export", c},
		peaceops.RoleMissionAdmin:     {everything, c},
	}
	allowed["waiver"] = map[peaceops.Role]exp{
		peaceops.RolePersonnelOfficer: {"read", c},
		peaceops.RoleMissionAdmin:     {everything, c},
	}

	// Need-to-know: not even a mission-admin.
	allowed["allegation"] = map[peaceops.Role]exp{
		peaceops.RoleConductOfficer: {"read create update delete import export", sc},
		peaceops.RoleVictimRights:   {"read", sc},
	}
	allowed["victim"] = map[peaceops.Role]exp{
		peaceops.RoleVictimRights: {"read create update", sc},
	}
	allowed["use_of_force"] = map[peaceops.Role]exp{
		peaceops.RoleMissionAdmin:   {everything, c},
		peaceops.RoleAnalyst:        {"read create update", c},
		peaceops.RoleReporter:       {"read create", c},
		peaceops.RoleConductOfficer: {"read approve export", c},
	}

	allowed["feedback_contact"] = map[peaceops.Role]exp{
		peaceops.RoleFeedbackOfficer: {"read", sc},
	}

	allowed["ddr_programme"] = members(exp{"read", in}, map[peaceops.Role]exp{
		peaceops.RoleDDROfficer:   {"read create update export", c},
		peaceops.RoleDDRChief:     {everything, c},
		peaceops.RoleMissionAdmin: {everything, c},
	})
	allowed["registrant"] = map[peaceops.Role]exp{
		peaceops.RoleDDROfficer: {"read create update import export", c},
		peaceops.RoleDDRChief:   {everything, c},
	}
	allowed["weapon"] = map[peaceops.Role]exp{
		peaceops.RoleDDROfficer:       {"read create update import export", c},
		peaceops.RoleDDRChief:         {everything, c},
		peaceops.RoleLogisticsOfficer: {"read", c},
	}
	allowed["caafag"] = map[peaceops.Role]exp{
		peaceops.RoleChildProtection: {"read update export", sc},
		peaceops.RoleDDRChief:        {"read update export", sc},
	}
}

// The public types (rows with Anyone) are outside the per-mission model of
// TestPolicyMatrix: they are checked here.
func TestPolicyPublicTypes(t *testing.T) {
	anon := peaceops.Actor{}
	member := func(r peaceops.Role) peaceops.Actor {
		return peaceops.Actor{UserID: "U1", Username: "u1", Roles: map[string][]peaceops.Role{"MINUSCA": {r}}}
	}
	for _, tt := range []struct {
		name  string
		a     peaceops.Actor
		act   access.Action
		r     access.Resource
		allow bool
	}{
		{"anyone reads conduct statistics", anon, access.ActionRead, access.Resource{Type: "conduct_stats", Mission: "MINUSCA", Classification: peaceops.Public}, true},
		{"statistics are only public", anon, access.ActionRead, access.Resource{Type: "conduct_stats", Mission: "MINUSCA", Classification: peaceops.Internal}, false},
		{"no one edits statistics", member(peaceops.RoleConductOfficer), access.ActionUpdate, access.Resource{Type: "conduct_stats", Mission: "MINUSCA", Classification: peaceops.Public}, false},
		{"feedback officer reads submissions", member(peaceops.RoleFeedbackOfficer), access.ActionRead, access.Resource{Type: "feedback", Mission: "MINUSCA", Classification: peaceops.Confidential}, true},
		{"feedback officer triages", member(peaceops.RoleFeedbackOfficer), access.ActionManage, access.Resource{Type: "feedback", Mission: "MINUSCA", Classification: peaceops.Confidential}, true},
		{"not in another mission", member(peaceops.RoleFeedbackOfficer), access.ActionRead, access.Resource{Type: "feedback", Mission: "MONUSCO", Classification: peaceops.Public}, false},
		{"mission-admin reads submissions", member(peaceops.RoleMissionAdmin), access.ActionRead, access.Resource{Type: "feedback", Mission: "MINUSCA", Classification: peaceops.Confidential}, true},
		{"mission-admin does not triage", member(peaceops.RoleMissionAdmin), access.ActionManage, access.Resource{Type: "feedback", Mission: "MINUSCA", Classification: peaceops.Confidential}, false},
		{"viewer does not read submissions", member(peaceops.RoleViewer), access.ActionRead, access.Resource{Type: "feedback", Mission: "MINUSCA", Classification: peaceops.Public}, false},
		{"conduct officer does not read submissions", member(peaceops.RoleConductOfficer), access.ActionRead, access.Resource{Type: "feedback", Mission: "MINUSCA", Classification: peaceops.Public}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := access.Can(tt.a, tt.act, tt.r); got != tt.allow {
				t.Errorf("Can = %v, want %v", got, tt.allow)
			}
		})
	}
}
