package access

import "github.com/peaceops/peaceops"

// mandateGrants cover mandates (resolutions, mandated tasks, ceilings) and
// the results framework.
//
//   - mandate: the resolutions, tasks and ceilings of a mission.
//   - framework: objectives, expected results, indicators and assessments.
//   - measurement: indicator values; members of an indicator's responsible
//     section enter them (the results service checks the section),
//     planners approve them.
var mandateGrants = []grant{
	{AnyMember, "mandate", readOnly, peaceops.Internal},
	{peaceops.RolePlanner, "mandate", []Action{ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionImport, ActionExport}, peaceops.Confidential},
	{peaceops.RoleMissionAdmin, "mandate", allActions, peaceops.Confidential},

	{AnyMember, "framework", []Action{ActionRead, ActionExport}, peaceops.Internal},
	{peaceops.RolePlanner, "framework", []Action{ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionApprove, ActionImport, ActionExport}, peaceops.Confidential},
	{peaceops.RoleMissionAdmin, "framework", allActions, peaceops.Confidential},

	{AnyMember, "measurement", []Action{ActionRead, ActionCreate, ActionUpdate, ActionExport}, peaceops.Internal},
	{peaceops.RolePlanner, "measurement", []Action{ActionRead, ActionCreate, ActionUpdate, ActionApprove, ActionImport, ActionExport}, peaceops.Confidential},
	{peaceops.RoleMissionAdmin, "measurement", allActions, peaceops.Confidential},
}
