package access

import "github.com/peaceops/peaceops"

// feedbackGrants cover the community feedback channel.
//
//   - feedback: submissions. Anyone submits (no account); feedback officers
//     triage them; mission-admins read them.
//   - feedback_contact: a submitter's contact details (need-to-know:
//     feedback officers only).
var feedbackGrants = []grant{
	{Anyone, "feedback", []Action{ActionCreate}, peaceops.Public},
	{peaceops.RoleFeedbackOfficer, "feedback", []Action{ActionRead, ActionUpdate, ActionManage, ActionExport}, peaceops.Confidential},
	{peaceops.RoleMissionAdmin, "feedback", readOnly, peaceops.Confidential},
	{peaceops.RoleFeedbackOfficer, "feedback_contact", readOnly, peaceops.StrictlyConfidential},
}
