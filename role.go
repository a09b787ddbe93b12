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
)

// Roles lists every mission role.
var Roles = []Role{
	RoleMissionAdmin, RoleAnalyst, RoleReporter, RoleViewer, RolePlanner,
	RolePersonnelOfficer, RoleDDROfficer, RoleConductOfficer,
	RoleFinanceOfficer, RoleLogisticsOfficer,
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
