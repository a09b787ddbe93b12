package forces

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// Category is a personnel category of the monthly strength returns.
type Category string

// The personnel categories.
const (
	CatTroops                Category = "troops"
	CatStaffOfficers         Category = "staff_officers"
	CatMilitaryExperts       Category = "military_experts" // experts on mission: military observers, liaison officers
	CatFPU                   Category = "fpu"              // formed police units
	CatIPO                   Category = "ipo"              // individual police officers
	CatCivilianInternational Category = "civilian_international"
	CatCivilianNational      Category = "civilian_national"
	CatUNVolunteers          Category = "un_volunteers"
)

// Categories lists every personnel category.
var Categories = []Category{CatTroops, CatStaffOfficers, CatMilitaryExperts, CatFPU, CatIPO,
	CatCivilianInternational, CatCivilianNational, CatUNVolunteers}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Uniformed reports whether c counts uniformed personnel.
func (c Category) Uniformed() bool {
	switch c {
	case CatTroops, CatStaffOfficers, CatMilitaryExperts, CatFPU, CatIPO:
		return true
	}
	return false
}

// CeilingCategory is a category of authorised strength as Security Council
// resolutions set it (the keys of CeilingsOn).
type CeilingCategory string

// The ceiling categories.
const (
	CeilMilitary          CeilingCategory = "military"           // contingent troops
	CeilMilitaryObservers CeilingCategory = "military_observers" // military observers and staff officers
	CeilPoliceFPU         CeilingCategory = "police_fpu"
	CeilPoliceIPO         CeilingCategory = "police_ipo"
)

// CeilingCategories lists every ceiling category.
var CeilingCategories = []CeilingCategory{CeilMilitary, CeilMilitaryObservers, CeilPoliceFPU, CeilPoliceIPO}

// Valid reports whether c is a known ceiling category.
func (c CeilingCategory) Valid() bool { return slices.Contains(CeilingCategories, c) }

// Ceiling is the ceiling category a personnel category counts against, and
// false for civilians, who have no ceiling.
func (c Category) Ceiling() (CeilingCategory, bool) {
	switch c {
	case CatTroops:
		return CeilMilitary, true
	case CatStaffOfficers, CatMilitaryExperts:
		return CeilMilitaryObservers, true
	case CatFPU:
		return CeilPoliceFPU, true
	case CatIPO:
		return CeilPoliceIPO, true
	}
	return "", false
}

// Sex is the sex of the personnel counted. Sources without the split (the
// 2014 IPI monthly files) count under SexUnknown.
type Sex string

// The sexes of a strength return.
const (
	SexFemale  Sex = "female"
	SexMale    Sex = "male"
	SexUnknown Sex = "unknown"
)

// Sexes lists every sex value.
var Sexes = []Sex{SexFemale, SexMale, SexUnknown}

// Valid reports whether s is known.
func (s Sex) Valid() bool { return slices.Contains(Sexes, s) }

// Month is a calendar month, written YYYY-MM.
type Month string

var monthPattern = regexp.MustCompile(`^(19|20)\d\d-(0[1-9]|1[0-2])$`)

// Valid reports whether m is of the form YYYY-MM.
func (m Month) Valid() bool { return monthPattern.MatchString(string(m)) }

// MonthOf returns the month of a date.
func MonthOf(d peaceops.Date) Month { return Month(fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))) }

// LastDay is the last day of the month (the day the UN counts are as of).
func (m Month) LastDay() peaceops.Date {
	y, _ := strconv.Atoi(string(m[:4]))
	mo, _ := strconv.Atoi(string(m[5:7]))
	return peaceops.DateOf(time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC))
}

// Return is one count of a monthly strength return: the personnel of one
// contributor in one category and of one sex deployed to a mission at the
// end of a month.
type Return struct {
	Month     Month    `json:"month"`
	Country   string   `json:"country"`
	Category  Category `json:"category"`
	Sex       Sex      `json:"sex"`
	Personnel int      `json:"personnel"`
	Source    string   `json:"source,omitempty"`
}

// MaxPersonnel bounds one count: no contributor has ever deployed 30 000 to
// one mission in one category.
const MaxPersonnel = 30000

// Validate returns every field problem of r.
func (r *Return) Validate() error {
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if !r.Month.Valid() {
		add("month", "must be a month of the form YYYY-MM")
	}
	if _, ok := geo.CountryName(r.Country); !ok {
		add("country", "must be an ISO 3166-1 alpha-3 country code (e.g. RWA)")
	}
	if !r.Category.Valid() {
		add("category", "must be one of "+joinValues(Categories))
	}
	if !r.Sex.Valid() {
		add("sex", "must be female, male or unknown")
	}
	if r.Personnel < 0 || r.Personnel > MaxPersonnel {
		add("personnel", fmt.Sprintf("must be between 0 and %d", MaxPersonnel))
	}
	return peaceops.Invalid(errs)
}

// StrengthPoint is a mission's strength in one month: per personnel
// category and per ceiling category, with the ceiling in force on the
// month's last day (absent when none).
type StrengthPoint struct {
	Month      Month                   `json:"month"`
	Total      int                     `json:"total"`
	Women      int                     `json:"women"`
	ByCategory map[Category]int        `json:"by_category"`
	Deployed   map[CeilingCategory]int `json:"deployed"`
	Ceilings   map[CeilingCategory]int `json:"ceilings"`
}

// Contribution is what one country contributes to a mission in a month.
type Contribution struct {
	Country    string           `json:"country"`
	Name       string           `json:"name"`
	Total      int              `json:"total"`
	Women      int              `json:"women"`
	ByCategory map[Category]int `json:"by_category"`
	Units      int              `json:"units"`
}

// Ceiling is an authorised strength entered on the mission, in force from
// Effective until the next entry of the same category.
type Ceiling struct {
	Category  CeilingCategory `json:"category"`
	Effective peaceops.Date   `json:"effective"`
	Ceiling   int             `json:"ceiling"`
}

// Validate returns every field problem of c.
func (c *Ceiling) Validate() error {
	var errs []peaceops.FieldError
	if !c.Category.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "category", Message: "must be one of " + joinValues(CeilingCategories)})
	}
	if c.Effective.IsZero() {
		errs = append(errs, peaceops.FieldError{Field: "effective", Message: "is required"})
	}
	if c.Ceiling < 0 || c.Ceiling > 100000 {
		errs = append(errs, peaceops.FieldError{Field: "ceiling", Message: "must be between 0 and 100000"})
	}
	return peaceops.Invalid(errs)
}

// Count is the contribution's personnel of category cat (for templates).
func (c Contribution) Count(cat string) int { return c.ByCategory[Category(cat)] }
