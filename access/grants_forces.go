package access

import "github.com/peaceops/peaceops"

// forcesGrants cover uniformed and civilian personnel.
//
//   - unit: contributors, units, deployments, strength returns, rotations,
//     the course catalogue and unit training: counts everyone in the
//     mission may read.
//   - personnel: named people (individual training records, fatalities by
//     name): personnel officers and mission-admins only.
//   - waiver: a deployment-gate waiver, recorded by an authorised officer.
var forcesGrants = []grant{
	{AnyMember, "unit", []Action{ActionRead, ActionExport}, peaceops.Internal},
	{peaceops.RolePersonnelOfficer, "unit", []Action{ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionImport, ActionExport}, peaceops.Confidential},
	{peaceops.RoleMissionAdmin, "unit", allActions, peaceops.Confidential},

	{peaceops.RolePersonnelOfficer, "personnel", []Action{ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionImport, ActionExport}, peaceops.Confidential},
	{peaceops.RoleMissionAdmin, "personnel", allActions, peaceops.Confidential},

	{peaceops.RoleMissionAdmin, "waiver", allActions, peaceops.Confidential},
	{peaceops.RolePersonnelOfficer, "waiver", readOnly, peaceops.Confidential},
}
