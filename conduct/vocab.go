package conduct

import "strings"

// term is one entry of a typed vocabulary: its code and English label.
type term struct{ Code, Label string }

func codes(terms []term) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.Code
	}
	return out
}

func known(terms []term, code string) bool {
	for _, t := range terms {
		if t.Code == code {
			return true
		}
	}
	return false
}

func labelOf(terms []term, code string) string {
	for _, t := range terms {
		if t.Code == code {
			return t.Label
		}
	}
	return code
}

func oneOf(terms []term) string { return "must be one of " + strings.Join(codes(terms), ", ") }

// ReceivedVia: how an allegation reached the mission.
var ReceivedVia = []term{
	{"hotline", "Hotline"},
	{"complaint-box", "Complaint box"},
	{"community-mechanism", "Community-based complaint mechanism"},
	{"in-person", "In person"},
	{"email", "Email"},
	{"referral", "Referral"},
}

// ViaCommunity is how a referral from the feedback channel is received.
const ViaCommunity = "community-mechanism"

// Category is a misconduct category of the UN's public categorisation:
// Category 1 are the serious matters (investigated by OIOS or the
// contributing country), Category 2 the others (handled by the mission).
type Category struct {
	Code  string
	Level int // 1 or 2
	Label string
}

// Categories lists the misconduct categories.
var Categories = []Category{
	{"sexual-exploitation", 1, "Sexual exploitation"},
	{"sexual-abuse", 1, "Sexual abuse"},
	{"fraud", 1, "Significant fraud or financial misconduct"},
	{"serious-assault", 1, "Serious assault"},
	{"serious-crime", 1, "Serious criminal act (e.g. murder)"},
	{"risk-to-life", 1, "Action risking loss of life"},
	{"abuse-of-authority", 1, "Abuse of authority or harassment (serious)"},
	{"trafficking", 1, "Trafficking in persons or prohibited goods"},
	{"procurement", 1, "Procurement violation"},
	{"conflict-of-interest", 1, "Conflict of interest"},
	{"disclosure", 1, "Unauthorised disclosure of confidential information"},
	{"waste-of-resources", 1, "Mismanagement or waste of substantial resources"},
	{"minor-theft", 2, "Minor theft"},
	{"misuse-of-assets", 2, "Misuse of equipment or vehicles"},
	{"traffic-violation", 2, "Traffic violation"},
	{"harassment", 2, "Harassment or abuse of authority (less serious)"},
	{"conduct-unbecoming", 2, "Conduct unbecoming"},
	{"regulation-breach", 2, "Breach of rules and regulations"},
}

func categoryOf(code string) (Category, bool) {
	for _, c := range Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

func categoryTerms() []term {
	out := make([]term, len(Categories))
	for i, c := range Categories {
		out[i] = term{c.Code, c.Label}
	}
	return out
}

// IsSEA reports whether a category is sexual exploitation or abuse (the
// cases with a 90-day investigation target).
func IsSEA(code string) bool { return code == "sexual-exploitation" || code == "sexual-abuse" }

// PersonnelCategories of the alleged perpetrators.
var PersonnelCategories = []term{
	{"military", "Military"},
	{"police", "Police"},
	{"civilian", "Civilian"},
	{"un-volunteer", "UN Volunteer"},
	{"contractor", "Contractor"},
}

// uniformed reports whether personnel of category p belong to a
// contributing country (so their nationality is recorded).
func uniformed(p string) bool { return p == "military" || p == "police" }

// Precisions of the incident date.
var Precisions = []term{{"day", "Day"}, {"month", "Month"}, {"year", "Year"}, {"unknown", "Unknown"}}

// InterimMeasures taken while a case is investigated.
var InterimMeasures = []term{
	{"payment-suspension", "Suspension of payment"},
	{"repatriation", "Repatriation"},
	{"administrative-leave", "Administrative leave"},
}

// Entities that investigate.
var Entities = []term{
	{"oios", "OIOS"},
	{"nio", "National investigation officer"},
	{"siu", "Mission special investigation unit"},
	{"military-police", "Military police"},
	{"unpol", "UNPOL"},
}

// Statuses of an investigation.
var Statuses = []term{
	{"pending", "Pending"},
	{"under-investigation", "Under investigation"},
	{"substantiated", "Substantiated"},
	{"unsubstantiated", "Unsubstantiated"},
	{"closed", "Closed"},
}

// ActionTypes are the actions taken on a case.
var ActionTypes = []term{
	{"repatriation", "Repatriation"},
	{"ban", "Ban from future service"},
	{"dismissal", "Dismissal"},
	{"jail", "National jail sentence"},
	{"criminal-referral", "Referral for criminal accountability"},
	{"other", "Other disciplinary measure"},
	{"none", "None"},
}

// Sexes and AgeGroups of victims.
var (
	Sexes     = []term{{"female", "Female"}, {"male", "Male"}, {"unknown", "Unknown"}}
	AgeGroups = []term{{"adult", "Adult"}, {"child", "Child"}, {"unknown", "Unknown"}}
)

// ForceTypes, LegalBases and Findings of use-of-force reports.
var (
	ForceTypes = []term{
		{"warning-shot", "Warning shot"},
		{"non-lethal", "Non-lethal force"},
		{"lethal", "Lethal force"},
		{"weapon-systems", "Use of weapon systems"},
	}
	LegalBases = []term{
		{"self-defence", "Self-defence"},
		{"defence-of-civilians", "Defence of civilians under imminent threat"},
		{"defence-of-mandate", "Defence of the mandate"},
		{"other", "Other"},
	}
	Findings = []term{
		{"within-roe", "Within ROE"},
		{"not-within-roe", "Not within ROE"},
		{"referred", "Referred"},
	}
)
