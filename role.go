package peaceops

// Role is a mission role (DESIGN.md §5). The global administrator is not a
// mission role: it is Actor.Admin.
type Role string

const (
	RoleMissionAdmin     Role = "mission-admin"
	RoleAnalyst          Role = "analyst"
	RoleReporter         Role = "reporter"
	RoleViewer           Role = "viewer"
	RolePlanner          Role = "planner"
	RolePersonnelOfficer Role = "personnel-officer"
	RoleDDROfficer       Role = "ddr-officer"
	RoleConductOfficer   Role = "conduct-officer"
	RoleFinanceOfficer   Role = "finance-officer"
	RoleLogisticsOfficer Role = "logistics-officer"
	// RoleChildProtection handles children associated with armed forces
	// and groups (CAAFAG) handed over by the DDR programme.
	RoleChildProtection Role = "child-protection"
	// RoleDDRChief heads the DDR section: every DDR record, CAAFAG
	// included.
	RoleDDRChief Role = "ddr-chief"
	// RoleFeedbackOfficer triages the community feedback channel.
	RoleFeedbackOfficer Role = "feedback-officer"
	// RoleVictimRights is the victims' rights focal point: the one role
	// that reads the identity of victims of misconduct.
	RoleVictimRights Role = "victim-rights"
)

// Roles lists every mission role.
var Roles = []Role{
	RoleMissionAdmin, RoleAnalyst, RoleReporter, RoleViewer, RolePlanner,
	RolePersonnelOfficer, RoleDDROfficer, RoleConductOfficer,
	RoleFinanceOfficer, RoleLogisticsOfficer, RoleChildProtection,
	RoleDDRChief, RoleFeedbackOfficer, RoleVictimRights,
}

// Valid reports whether r is a known mission role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}
