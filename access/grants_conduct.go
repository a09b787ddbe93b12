package access

import "github.com/peaceops/peaceops"

// conductGrants cover conduct and discipline and the use of force.
//
//   - allegation: misconduct cases and their investigations (need-to-know:
//     conduct officers and the victims' rights focal point only).
//   - victim: the identity of victims (need-to-know: the victims' rights
//     focal point only; a conduct officer who also holds that role sees
//     them).
//   - conduct_stats: the published statistics, with small cells
//     suppressed: anyone.
//   - use_of_force: use-of-force reports; conduct officers review them.
var conductGrants = []grant{
	{peaceops.RoleConductOfficer, "allegation", []Action{ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionImport, ActionExport}, peaceops.StrictlyConfidential},
	{peaceops.RoleVictimRights, "allegation", readOnly, peaceops.StrictlyConfidential},
	{peaceops.RoleVictimRights, "victim", []Action{ActionRead, ActionCreate, ActionUpdate}, peaceops.StrictlyConfidential},

	{Anyone, "conduct_stats", readOnly, peaceops.Public},

	{peaceops.RoleMissionAdmin, "use_of_force", allActions, peaceops.Confidential},
	{peaceops.RoleAnalyst, "use_of_force", []Action{ActionRead, ActionCreate, ActionUpdate}, peaceops.Confidential},
	{peaceops.RoleReporter, "use_of_force", []Action{ActionRead, ActionCreate}, peaceops.Confidential},
	{peaceops.RoleConductOfficer, "use_of_force", []Action{ActionRead, ActionApprove, ActionExport}, peaceops.Confidential},
}
