package results

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// Template is a long-term peacebuilding indicator a mission may adopt. The
// indicators follow the SDG 16 global indicators and the United Nations
// Rule of Law Indicators where one fits; their source is named in Source.
type Template struct {
	Code       string      `json:"code"`
	Theme      string      `json:"theme"`
	Name       string      `json:"name"`
	Definition string      `json:"definition"`
	Kind       Kind        `json:"kind"`
	Unit       Unit        `json:"unit"`
	Direction  Direction   `json:"direction"`
	Frequency  Frequency   `json:"frequency"`
	Dimensions []Dimension `json:"dimensions"`
	DataSource string      `json:"data_source"`
	Source     string      `json:"source"`
}

// Themes of the templates.
var Themes = []string{"institutions", "justice", "police_legitimacy", "governance", "social_cohesion", "education_for_peace"}

var sexAge = []Dimension{{Name: "sex", Values: []string{"female", "male"}}, {Name: "age_group", Values: []string{"15-24", "25-44", "45-64", "65+"}}}
var sexOnly = []Dimension{{Name: "sex", Values: []string{"female", "male"}}}

// Templates is the catalogue.
var Templates = []Template{
	{"PB-INS-1", "institutions", "Share of the population satisfied with their last experience of public services",
		"Respondents satisfied with their last experience of health, education and civil registration services, out of all respondents who used them in the last 12 months.",
		KindOutcome, UnitPercentage, Higher, Yearly, sexAge, "Household perception survey", "SDG 16.6.2"},
	{"PB-INS-2", "institutions", "Share of the planned state administration posts filled in the prefectures",
		"Prefects, sub-prefects and state technical staff present at their post, out of the posts planned, at the end of the period.",
		KindOutput, UnitPercentage, Higher, Quarterly, nil, "Ministry of territorial administration; mission civil affairs", "UN Rule of Law Indicators"},
	{"PB-JUS-1", "justice", "Unsentenced detainees as a share of the prison population",
		"Detainees held without a final sentence, out of all detainees, on the last day of the period.",
		KindOutcome, UnitPercentage, Lower, Quarterly, sexOnly, "Prison registers; mission corrections unit", "SDG 16.3.2"},
	{"PB-JUS-2", "justice", "Courts of first instance functioning",
		"Courts of first instance that held at least one hearing in the period, out of those established by law.",
		KindOutput, UnitPercentage, Higher, Quarterly, nil, "Ministry of justice; mission justice section", "UN Rule of Law Indicators"},
	{"PB-POL-1", "police_legitimacy", "Share of victims of violence who reported it to the police",
		"Victims of violence in the last 12 months who reported their most recent victimisation to the police or other competent authorities.",
		KindOutcome, UnitPercentage, Higher, Yearly, sexAge, "Victimisation survey", "SDG 16.3.1"},
	{"PB-POL-2", "police_legitimacy", "Trust in the national police",
		"Mean answer to 'How much do you trust the police?' on a scale from 1 (not at all) to 5 (completely).",
		KindOutcome, UnitScale, Higher, Yearly, sexAge, "Household perception survey", "UN Rule of Law Indicators"},
	{"PB-GOV-1", "governance", "Share of women in local decision-making bodies",
		"Seats held by women in municipal and prefectural councils and special delegations, out of all seats.",
		KindOutcome, UnitPercentage, Higher, Yearly, nil, "Ministry of territorial administration", "SDG 5.5.1 / 16.7.1"},
	{"PB-GOV-2", "governance", "Local peace and reconciliation committees functioning",
		"Committees that met at least once in the period with minutes, among those established.",
		KindOutput, UnitNumber, Higher, Quarterly, nil, "Mission civil affairs", "Mission practice"},
	{"PB-COH-1", "social_cohesion", "Share of people who feel safe walking alone in their area after dark",
		"Respondents who feel safe or very safe walking alone in their neighbourhood after dark.",
		KindImpact, UnitPercentage, Higher, Yearly, sexAge, "Household perception survey", "SDG 16.1.4"},
	{"PB-COH-2", "social_cohesion", "Intercommunal incidents",
		"Incidents of violence between communities recorded in the period.",
		KindImpact, UnitNumber, Lower, Quarterly, nil, "Mission events (JOC/JMAC)", "Mission practice"},
	{"PB-EDU-1", "education_for_peace", "Schools teaching a peace and civic education curriculum",
		"Primary and secondary schools that taught the national peace and civic education curriculum in the school year.",
		KindOutput, UnitNumber, Higher, BudgetYear, nil, "Ministry of education; UNICEF", "Mission practice"},
	{"PB-EDU-2", "education_for_peace", "Share of schools open and functioning in conflict-affected prefectures",
		"Schools open with teachers present, out of all schools, in the prefectures affected by conflict.",
		KindOutcome, UnitPercentage, Higher, BudgetYear, nil, "Education cluster", "Mission practice"},
}

// Adoption is a request to adopt templates: every template of Themes (or
// the Codes listed) becomes an indicator of expected result ResultID,
// with a baseline of 0 at BaselineDate and one target at TargetDate, both
// to be set to the mission's figures afterwards. Section is the section
// responsible for the new indicators.
type Adoption struct {
	ResultID     string        `json:"result_id"`
	Themes       []string      `json:"themes"`
	Codes        []string      `json:"codes"`
	Section      string        `json:"section"`
	Prefix       string        `json:"prefix"` // put before the template codes, to adopt a template under several results
	BaselineDate peaceops.Date `json:"baseline_date"`
	TargetDate   peaceops.Date `json:"target_date"`
}

// Adopt creates the indicators of a.Themes / a.Codes in one transaction
// (all or none) and returns them. A template already adopted in the
// mission (same code) is ECONFLICT. Planners and mission-admins.
func (s *Service) Adopt(ctx context.Context, mission string, a Adoption) ([]*Indicator, error) {
	var p problems
	var chosen []Template
	for i, th := range a.Themes {
		if !slices.Contains(Themes, th) {
			p.add(fmt.Sprintf("themes[%d]", i), fmt.Sprintf("%q is not a theme (%s)", th, strings.Join(Themes, ", ")))
		}
	}
	for i, c := range a.Codes {
		if !slices.ContainsFunc(Templates, func(t Template) bool { return t.Code == c }) {
			p.add(fmt.Sprintf("codes[%d]", i), fmt.Sprintf("%q is not a template code", c))
		}
	}
	for _, t := range Templates {
		if slices.Contains(a.Themes, t.Theme) || slices.Contains(a.Codes, t.Code) {
			chosen = append(chosen, t)
		}
	}
	if len(a.Themes) == 0 && len(a.Codes) == 0 {
		p.add("themes", "choose at least one theme or template code")
	}
	if a.BaselineDate.IsZero() {
		a.BaselineDate = s.today()
	}
	if a.TargetDate.IsZero() {
		a.TargetDate = peaceops.DateOf(a.BaselineDate.Time().AddDate(1, 0, 0))
	}
	if err := peaceops.Invalid(p); err != nil {
		return nil, err
	}
	if err := s.can(ctx, mission, access.ActionCreate, fw(mission, peaceops.Internal)); err != nil {
		return nil, err
	}
	var out []*Indicator
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		for _, t := range chosen {
			in := t.indicator(a)
			in.Mission = mission
			if err := in.Validate(); err != nil {
				return peaceops.Invalid(prefixed("template "+t.Code+": ", peaceops.ErrorFields(err)))
			}
			if err := s.insertIndicator(ctx, tx, mission, in); err != nil {
				return err
			}
			out = append(out, in)
		}
		return nil
	})
	return out, err
}

func prefixed(prefix string, fields []peaceops.FieldError) []peaceops.FieldError {
	for i := range fields {
		fields[i].Message = prefix + fields[i].Message
	}
	return fields
}

func (t Template) indicator(a Adoption) *Indicator {
	in := &Indicator{ResultID: a.ResultID, Code: a.Prefix + t.Code, Name: t.Name, Definition: t.Definition, Kind: t.Kind, Unit: t.Unit,
		Direction: t.Direction, Frequency: t.Frequency, Dimensions: slices.Clone(t.Dimensions), DataSource: t.DataSource,
		Section: a.Section, Template: t.Code, BaselineDate: a.BaselineDate}
	target := 0.0
	if t.Unit == UnitScale {
		lo, hi := 1.0, 5.0
		in.ScaleMin, in.ScaleMax, in.BaselineValue, target = &lo, &hi, 1, 1
	}
	in.Targets = []Target{{Value: target, Date: a.TargetDate}}
	return in
}
