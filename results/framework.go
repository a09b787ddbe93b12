package results

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
)

// Objective is a mission objective, serving one or more mandated tasks
// (their ids in the mandates capability).
type Objective struct {
	ID             string                  `json:"id"`
	Mission        string                  `json:"mission"`
	Code           string                  `json:"code"`
	Title          string                  `json:"title"`
	Description    string                  `json:"description"`
	TaskIDs        []string                `json:"task_ids"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at,omitzero"`
	UpdatedAt      time.Time               `json:"updated_at,omitzero"`
	Version        int64                   `json:"version"`
}

// Level is the level of an expected result in the results chain.
type Level string

const (
	LevelOutput  Level = "output"
	LevelOutcome Level = "outcome"
	LevelImpact  Level = "impact"
)

// Levels lists every level.
var Levels = []Level{LevelOutput, LevelOutcome, LevelImpact}

// Result is an expected result of an objective.
type Result struct {
	ID             string                  `json:"id"`
	Mission        string                  `json:"mission"`
	ObjectiveID    string                  `json:"objective_id"`
	Code           string                  `json:"code"`
	Level          Level                   `json:"level"`
	Title          string                  `json:"title"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at,omitzero"`
	UpdatedAt      time.Time               `json:"updated_at,omitzero"`
	Version        int64                   `json:"version"`
}

// Kind is the place of an indicator in the results chain.
type Kind string

// Unit is what an indicator's values count.
type Unit string

// Direction says which way is better.
type Direction string

const (
	KindInput   Kind = "input"
	KindOutput  Kind = "output"
	KindOutcome Kind = "outcome"
	KindImpact  Kind = "impact"

	UnitNumber     Unit = "number"
	UnitPercentage Unit = "percentage" // 0 to 100
	UnitRatio      Unit = "ratio"      // not negative
	UnitYesNo      Unit = "yes_no"     // 0 (no) or 1 (yes)
	UnitScale      Unit = "scale"      // from scale_min to scale_max

	Higher Direction = "higher"
	Lower  Direction = "lower"
)

// Kinds, Units and Directions list the vocabularies.
var (
	Kinds      = []Kind{KindInput, KindOutput, KindOutcome, KindImpact}
	Units      = []Unit{UnitNumber, UnitPercentage, UnitRatio, UnitYesNo, UnitScale}
	Directions = []Direction{Higher, Lower}
)

// Target is a milestone: the value to reach by a date.
type Target struct {
	Value float64       `json:"value"`
	Date  peaceops.Date `json:"date"`
}

// Dimension is a disaggregation of an indicator's values, with the values a
// cell may take: sex (female, male), age_group, admin1 (P-codes),
// personnel_category, ...
type Dimension struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Cell is one disaggregation cell: a value for some or all of an
// indicator's dimensions. The empty cell is the total.
type Cell map[string]string

// String is the canonical text of c: "admin1=CF43;sex=female", "" for the
// total.
func (c Cell) String() string {
	parts := make([]string, 0, len(c))
	for _, k := range sortedKeys(c) {
		parts = append(parts, k+"="+c[k])
	}
	return strings.Join(parts, ";")
}

// ParseCell reads the canonical text of a cell.
func ParseCell(s string) (Cell, error) {
	c := Cell{}
	if s == "" {
		return c, nil
	}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || k == "" || v == "" {
			return nil, peaceops.Errorf(peaceops.EINVALID, "%q is not a cell: write dimension=value;dimension=value", s)
		}
		c[k] = v
	}
	return c, nil
}

// Indicator is a measurable value of an expected result. A computed
// indicator (Computed set) takes its values from the mission's events; the
// others are entered by the members of the responsible section.
type Indicator struct {
	ID             string                  `json:"id"`
	Mission        string                  `json:"mission"`
	ResultID       string                  `json:"result_id"`
	Code           string                  `json:"code"`
	Name           string                  `json:"name"`
	Definition     string                  `json:"definition"`
	Kind           Kind                    `json:"kind"`
	Unit           Unit                    `json:"unit"`
	ScaleMin       *float64                `json:"scale_min,omitempty"`
	ScaleMax       *float64                `json:"scale_max,omitempty"`
	Direction      Direction               `json:"direction"`
	BaselineValue  float64                 `json:"baseline_value"`
	BaselineDate   peaceops.Date           `json:"baseline_date"`
	Targets        []Target                `json:"targets"`
	Frequency      Frequency               `json:"frequency"`
	Dimensions     []Dimension             `json:"dimensions"`
	Computed       json.RawMessage         `json:"computed,omitempty"`
	DataSource     string                  `json:"data_source"`
	Section        string                  `json:"section"`
	Template       string                  `json:"template,omitempty"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at,omitzero"`
	UpdatedAt      time.Time               `json:"updated_at,omitzero"`
	Version        int64                   `json:"version"`

	def *Definition // parsed Computed
}

// IsComputed reports whether in takes its values from events.
func (in *Indicator) IsComputed() bool { return len(in.Computed) > 0 && string(in.Computed) != "null" }

// Def returns the parsed definition of a computed indicator, nil for the
// others.
func (in *Indicator) Def() *Definition {
	if in.def == nil && in.IsComputed() {
		in.def, _ = ParseDefinition(in.Computed)
	}
	return in.def
}

// problems collects field errors.
type problems []peaceops.FieldError

func (p *problems) add(field, msg string) {
	*p = append(*p, peaceops.FieldError{Field: field, Message: msg})
}

func (p *problems) text(field, s string, max int, required bool) {
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s):
		p.add(field, "must be valid UTF-8 text")
	case required && strings.TrimSpace(s) == "":
		p.add(field, "is required")
	case n > max:
		p.add(field, fmt.Sprintf("must be at most %d characters", max))
	}
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

func (p *problems) code(field, s string) {
	if !codePattern.MatchString(s) {
		p.add(field, "must be 1-32 letters, digits, dots, hyphens or underscores (e.g. IND-1.2)")
	}
}

func (p *problems) class(c peaceops.Classification) {
	if !c.Valid() {
		p.add("classification", "must be public, internal, confidential or strictly-confidential")
	}
}

func defaults(c *peaceops.Classification) {
	if *c == 0 {
		*c = peaceops.Internal
	}
}

// Validate returns every field problem of o as an EINVALID error, or nil.
func (o *Objective) Validate() error {
	defaults(&o.Classification)
	o.Code, o.Title = strings.TrimSpace(o.Code), strings.TrimSpace(o.Title)
	var p problems
	p.code("code", o.Code)
	p.text("title", o.Title, 500, true)
	p.text("description", o.Description, 5000, false)
	seen := map[string]bool{}
	for i, id := range o.TaskIDs {
		switch {
		case strings.TrimSpace(id) == "" || len(id) > 64:
			p.add(fmt.Sprintf("task_ids[%d]", i), "must be the id of a mandated task")
		case seen[id]:
			p.add(fmt.Sprintf("task_ids[%d]", i), "is listed twice")
		}
		seen[id] = true
	}
	p.class(o.Classification)
	return peaceops.Invalid(p)
}

// Validate returns every field problem of r as an EINVALID error, or nil.
func (r *Result) Validate() error {
	defaults(&r.Classification)
	r.Code, r.Title = strings.TrimSpace(r.Code), strings.TrimSpace(r.Title)
	var p problems
	if r.ObjectiveID == "" {
		p.add("objective_id", "is required")
	}
	p.code("code", r.Code)
	if !slices.Contains(Levels, r.Level) {
		p.add("level", "must be output, outcome or impact")
	}
	p.text("title", r.Title, 500, true)
	p.class(r.Classification)
	return peaceops.Invalid(p)
}

// Validate returns every field problem of in as an EINVALID error, or nil:
// the vocabularies, targets dated after the baseline, values possible for
// the unit (a percentage from 0 to 100...), dimensions with distinct
// allowed values, a computed definition that parses against the
// documented fields and a unit that fits its measure. It fills in defaults
// first: classification internal, direction higher, frequency quarterly.
func (in *Indicator) Validate() error {
	defaults(&in.Classification)
	if in.Direction == "" {
		in.Direction = Higher
	}
	if in.Frequency == "" {
		in.Frequency = Quarterly
	}
	in.Code, in.Name, in.Section = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Section)
	var p problems
	if in.ResultID == "" {
		p.add("result_id", "is required")
	}
	p.code("code", in.Code)
	p.text("name", in.Name, 500, true)
	p.text("definition", in.Definition, 5000, false)
	p.text("data_source", in.DataSource, 500, false)
	p.text("section", in.Section, 100, !in.IsComputed())
	if !slices.Contains(Kinds, in.Kind) {
		p.add("kind", "must be input, output, outcome or impact")
	}
	unitOK := slices.Contains(Units, in.Unit)
	if !unitOK {
		p.add("unit", "must be number, percentage, ratio, yes_no or scale")
	}
	if !slices.Contains(Directions, in.Direction) {
		p.add("direction", "must be higher or lower (which way is better)")
	}
	if !in.Frequency.Valid() {
		p.add("frequency", "must be monthly, quarterly, yearly or budget_year")
	}
	if in.Unit == UnitScale {
		switch {
		case in.ScaleMin == nil || in.ScaleMax == nil:
			p.add("scale_max", "scale_min and scale_max are required for a scale")
		case *in.ScaleMax <= *in.ScaleMin:
			p.add("scale_max", "must be above scale_min")
		}
	} else if in.ScaleMin != nil || in.ScaleMax != nil {
		p.add("scale_min", "is only for the unit scale")
	}
	if unitOK {
		if msg := in.valueProblem(in.BaselineValue); msg != "" {
			p.add("baseline_value", msg)
		}
	}
	if in.BaselineDate.IsZero() {
		p.add("baseline_date", "is required")
	}
	if len(in.Targets) == 0 {
		p.add("targets", "give at least one target (value and date)")
	}
	for i, t := range in.Targets {
		f := fmt.Sprintf("targets[%d]", i)
		if unitOK {
			if msg := in.valueProblem(t.Value); msg != "" {
				p.add(f+".value", msg)
			}
		}
		switch {
		case t.Date.IsZero():
			p.add(f+".date", "is required")
		case !in.BaselineDate.IsZero() && !in.BaselineDate.Before(t.Date):
			p.add(f+".date", fmt.Sprintf("%s is not after the baseline date %s", t.Date, in.BaselineDate))
		case i > 0 && !in.Targets[i-1].Date.IsZero() && !in.Targets[i-1].Date.Before(t.Date):
			p.add(f+".date", fmt.Sprintf("%s is not after the previous target's date %s: list targets in date order", t.Date, in.Targets[i-1].Date))
		}
	}
	names := map[string]bool{}
	for i, d := range in.Dimensions {
		f := fmt.Sprintf("dimensions[%d]", i)
		if !dimensionName.MatchString(d.Name) {
			p.add(f+".name", "must be a lower-case word such as sex, age_group, admin1 or personnel_category")
		} else if names[d.Name] {
			p.add(f+".name", fmt.Sprintf("%q is listed twice", d.Name))
		}
		names[d.Name] = true
		if len(d.Values) == 0 {
			p.add(f+".values", "list the values a cell may take (e.g. female, male)")
		}
		seen := map[string]bool{}
		for j, v := range d.Values {
			switch {
			case v == "" || len(v) > 64 || strings.ContainsAny(v, "=; \t\r\n"):
				p.add(fmt.Sprintf("%s.values[%d]", f, j), "must be 1-64 characters without spaces, = or ;")
			case seen[v]:
				p.add(fmt.Sprintf("%s.values[%d]", f, j), fmt.Sprintf("%q is listed twice", v))
			}
			seen[v] = true
		}
	}
	if in.IsComputed() {
		in.def = nil
		d, err := ParseDefinition(in.Computed)
		if err != nil {
			p = append(p, peaceops.ErrorFields(err)...)
		} else {
			in.def = d
			if d.Measure == MeasureShare && in.Unit != UnitPercentage {
				p.add("unit", "must be percentage for the measure share")
			}
			if d.Measure != MeasureShare && in.Unit != UnitNumber {
				p.add("unit", fmt.Sprintf("must be number for the measure %s", d.Measure))
			}
			if len(in.Dimensions) > 0 {
				p.add("dimensions", "a computed indicator has no disaggregation (its filter says what it counts)")
			}
		}
	}
	p.class(in.Classification)
	return peaceops.Invalid(p)
}

var dimensionName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// valueProblem says why v cannot be a value of in, or "".
func (in *Indicator) valueProblem(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "must be a number"
	}
	switch in.Unit {
	case UnitPercentage:
		if v < 0 || v > 100 {
			return fmt.Sprintf("%g is not a percentage (0 to 100)", v)
		}
	case UnitRatio:
		if v < 0 {
			return fmt.Sprintf("%g is not a ratio (must not be negative)", v)
		}
	case UnitYesNo:
		if v != 0 && v != 1 {
			return fmt.Sprintf("%g is not yes (1) or no (0)", v)
		}
	case UnitScale:
		if in.ScaleMin != nil && in.ScaleMax != nil && (v < *in.ScaleMin || v > *in.ScaleMax) {
			return fmt.Sprintf("%g is outside the scale %g to %g", v, *in.ScaleMin, *in.ScaleMax)
		}
	}
	return ""
}

// cellProblems checks c against the dimensions of in.
func (in *Indicator) cellProblems(c Cell) problems {
	var p problems
	for _, k := range sortedKeys(c) {
		i := slices.IndexFunc(in.Dimensions, func(d Dimension) bool { return d.Name == k })
		if i < 0 {
			known := make([]string, len(in.Dimensions))
			for j, d := range in.Dimensions {
				known[j] = d.Name
			}
			msg := fmt.Sprintf("indicator %s has no dimension %q", in.Code, k)
			if len(known) > 0 {
				msg += " (dimensions: " + strings.Join(known, ", ") + ")"
			}
			p.add("cell."+k, msg)
			continue
		}
		if !slices.Contains(in.Dimensions[i].Values, c[k]) {
			p.add("cell."+k, fmt.Sprintf("%q is not a value of %s (allowed: %s)", c[k], k, strings.Join(in.Dimensions[i].Values, ", ")))
		}
	}
	return p
}
