package access

import "github.com/peaceops/peaceops"

// ddrGrants cover disarmament, demobilisation and reintegration.
//
//   - ddr_programme: programmes, sites and cantonment areas, dashboards
//     (counts only).
//   - registrant: ex-combatants and associated persons (personal data).
//   - weapon: weapons, ammunition and their chain of custody.
//   - caafag: registrants who are or may be children (need-to-know: child
//     protection and the DDR chief only).
var ddrGrants = []grant{
	{AnyMember, "ddr_programme", readOnly, peaceops.Internal},
	{peaceops.RoleDDROfficer, "ddr_programme", []Action{ActionRead, ActionCreate, ActionUpdate, ActionExport}, peaceops.Confidential},
	{peaceops.RoleDDRChief, "ddr_programme", allActions, peaceops.Confidential},
	{peaceops.RoleMissionAdmin, "ddr_programme", allActions, peaceops.Confidential},

	{peaceops.RoleDDROfficer, "registrant", []Action{ActionRead, ActionCreate, ActionUpdate, ActionImport, ActionExport}, peaceops.Confidential},
	{peaceops.RoleDDRChief, "registrant", allActions, peaceops.Confidential},

	{peaceops.RoleDDROfficer, "weapon", []Action{ActionRead, ActionCreate, ActionUpdate, ActionImport, ActionExport}, peaceops.Confidential},
	{peaceops.RoleDDRChief, "weapon", allActions, peaceops.Confidential},
	{peaceops.RoleLogisticsOfficer, "weapon", readOnly, peaceops.Confidential},

	{peaceops.RoleChildProtection, "caafag", []Action{ActionRead, ActionUpdate, ActionExport}, peaceops.StrictlyConfidential},
	{peaceops.RoleDDRChief, "caafag", []Action{ActionRead, ActionUpdate, ActionExport}, peaceops.StrictlyConfidential},
}
