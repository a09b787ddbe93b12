package conduct

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// SEATargetDays is the UN's target for investigating sexual exploitation
// and abuse: 90 days from opening to closing.
const SEATargetDays = 90

// Allegation is one misconduct case of a mission.
type Allegation struct {
	ID                string        `json:"id"`
	Mission           string        `json:"mission"`
	Reported          peaceops.Date `json:"reported"`
	IncidentDate      peaceops.Date `json:"incident_date"`
	IncidentPrecision string        `json:"incident_precision"`
	ReceivedVia       string        `json:"received_via"`
	Categories        []string      `json:"categories"`
	// CategoryLevel is 1 when any category is a Category 1 matter, else 2.
	CategoryLevel     int    `json:"category_level"`
	PersonnelCategory string `json:"personnel_category"`
	Perpetrators      int    `json:"perpetrators"`
	// Nationality is the ISO 3166-1 alpha-3 code of uniformed personnel's
	// country ("" for civilians, volunteers and contractors).
	Nationality     string   `json:"nationality"`
	VictimCount     int      `json:"victim_count"`
	PaternityClaims int      `json:"paternity_claims"`
	InterimMeasures []string `json:"interim_measures"`
	// AssistanceReferred is the day the victims were referred for
	// assistance (zero: not referred).
	AssistanceReferred peaceops.Date `json:"assistance_referred"`
	Summary            string        `json:"summary"`
	FeedbackID         string        `json:"feedback_id"`
	Investigation      Investigation `json:"investigation"`
	// StatusSince is the day the investigation status last changed.
	StatusSince peaceops.Date `json:"status_since"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Version     int64         `json:"version"`

	// Filled in by FindAllegation, not stored with the case row.
	Indicators *Indicators `json:"indicators,omitempty"`
	Victims    []Victim    `json:"victims,omitempty"`
	Actions    []Action    `json:"actions,omitempty"`
	Timeline   []Entry     `json:"timeline,omitempty"`
}

// Investigation is who investigates a case and how far they are.
type Investigation struct {
	Entity   string        `json:"entity"`
	Opened   peaceops.Date `json:"opened"`
	Closed   peaceops.Date `json:"closed"`
	Status   string        `json:"status"`
	Findings string        `json:"findings"`
}

// Indicators are the time-in-status measures of a case on a given day.
type Indicators struct {
	// InvestigationDays runs from opening to closing (or to today while
	// open); -1 before the investigation is opened.
	InvestigationDays int `json:"investigation_days"`
	// TargetDays is SEATargetDays for sexual exploitation and abuse, else 0
	// (no target).
	TargetDays int  `json:"target_days"`
	Overdue    bool `json:"overdue"`
	// DaysInStatus counts the days since the status last changed.
	DaysInStatus int    `json:"days_in_status"`
	Status       string `json:"status"`
}

// Action is an action taken on a case, with its day.
type Action struct {
	ID      string        `json:"id"`
	Action  string        `json:"action"`
	TakenOn peaceops.Date `json:"taken_on"`
	Note    string        `json:"note"`
}

// Entry is one line of a case's timeline.
type Entry struct {
	On     peaceops.Date `json:"on"`
	At     time.Time     `json:"at"`
	Kind   string        `json:"kind"`
	Detail string        `json:"detail"`
}

// Validate fills in defaults (precision unknown, status pending, one
// perpetrator) and returns every field problem as an EINVALID error.
func (a *Allegation) Validate() error {
	a.Nationality = strings.ToUpper(strings.TrimSpace(a.Nationality))
	a.Summary = strings.TrimSpace(a.Summary)
	if a.IncidentPrecision == "" {
		a.IncidentPrecision = "unknown"
		if !a.IncidentDate.IsZero() {
			a.IncidentPrecision = "day"
		}
	}
	if a.Investigation.Status == "" {
		a.Investigation.Status = "pending"
	}
	if a.Perpetrators == 0 {
		a.Perpetrators = 1
	}
	slices.Sort(a.Categories)
	a.Categories = slices.Compact(a.Categories)
	slices.Sort(a.InterimMeasures)
	a.InterimMeasures = slices.Compact(a.InterimMeasures)
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if a.Reported.IsZero() {
		add("reported", "is required")
	}
	if !a.IncidentDate.IsZero() && !a.Reported.IsZero() && a.Reported.Before(a.IncidentDate) {
		add("incident_date", "must not be after the day reported")
	}
	if !known(Precisions, a.IncidentPrecision) {
		add("incident_precision", oneOf(Precisions))
	}
	if a.IncidentDate.IsZero() && a.IncidentPrecision != "unknown" {
		add("incident_precision", "must be unknown when there is no incident date")
	}
	if !known(ReceivedVia, a.ReceivedVia) {
		add("received_via", oneOf(ReceivedVia))
	}
	if len(a.Categories) == 0 {
		add("categories", "give at least one category")
	}
	a.CategoryLevel = 2
	for i, c := range a.Categories {
		cat, ok := categoryOf(c)
		if !ok {
			add(fmt.Sprintf("categories[%d]", i), oneOf(categoryTerms()))
		} else if cat.Level == 1 {
			a.CategoryLevel = 1
		}
	}
	if !known(PersonnelCategories, a.PersonnelCategory) {
		add("personnel_category", oneOf(PersonnelCategories))
	}
	if a.Perpetrators < 1 || a.Perpetrators > 1000 {
		add("perpetrators", "must be between 1 and 1000")
	}
	switch {
	case a.Nationality == "":
	case !uniformed(a.PersonnelCategory):
		add("nationality", "is recorded only for uniformed personnel (military, police)")
	default:
		if _, ok := geo.CountryName(a.Nationality); !ok {
			add("nationality", "must be an ISO 3166-1 alpha-3 country code (e.g. ZAF)")
		}
	}
	if a.VictimCount < 0 || a.VictimCount > 10000 {
		add("victim_count", "must be between 0 and 10000")
	}
	if a.PaternityClaims < 0 || a.PaternityClaims > 1000 {
		add("paternity_claims", "must be between 0 and 1000")
	}
	for i, m := range a.InterimMeasures {
		if !known(InterimMeasures, m) {
			add(fmt.Sprintf("interim_measures[%d]", i), oneOf(InterimMeasures))
		}
	}
	if n := len([]rune(a.Summary)); n > 10000 {
		add("summary", "must be at most 10000 characters")
	}
	if len(a.FeedbackID) > 64 {
		add("feedback_id", "must be at most 64 characters")
	}
	errs = append(errs, a.Investigation.validate()...)
	return peaceops.Invalid(errs)
}

func (inv *Investigation) validate() []peaceops.FieldError {
	var errs []peaceops.FieldError
	add := func(field, msg string) {
		errs = append(errs, peaceops.FieldError{Field: "investigation." + field, Message: msg})
	}
	inv.Findings = strings.TrimSpace(inv.Findings)
	if inv.Entity != "" && !known(Entities, inv.Entity) {
		add("entity", oneOf(Entities))
	}
	if !known(Statuses, inv.Status) {
		add("status", oneOf(Statuses))
	}
	if !inv.Closed.IsZero() && inv.Opened.IsZero() {
		add("closed", "needs the day the investigation opened")
	}
	if !inv.Closed.IsZero() && !inv.Opened.IsZero() && inv.Closed.Before(inv.Opened) {
		add("closed", "must not be before opened")
	}
	if inv.Status == "under-investigation" && inv.Entity == "" {
		add("entity", "is required once the case is under investigation")
	}
	if len([]rune(inv.Findings)) > 10000 {
		add("findings", "must be at most 10000 characters")
	}
	return errs
}

// IsSEA reports whether the case concerns sexual exploitation or abuse.
func (a *Allegation) IsSEA() bool { return slices.ContainsFunc(a.Categories, IsSEA) }

// indicatorsOn computes the time-in-status indicators on day today.
func (a *Allegation) indicatorsOn(today peaceops.Date) *Indicators {
	days := func(from, to peaceops.Date) int { return int(to.Time().Sub(from.Time()).Hours() / 24) }
	in := &Indicators{InvestigationDays: -1, Status: a.Investigation.Status}
	if !a.StatusSince.IsZero() {
		in.DaysInStatus = days(a.StatusSince, today)
	}
	if a.IsSEA() {
		in.TargetDays = SEATargetDays
	}
	if inv := a.Investigation; !inv.Opened.IsZero() {
		end := today
		if !inv.Closed.IsZero() {
			end = inv.Closed
		}
		in.InvestigationDays = days(inv.Opened, end)
		in.Overdue = in.TargetDays > 0 && in.InvestigationDays > in.TargetDays
	}
	return in
}

// Update holds the fields a PATCH may change; nil leaves a field as it is.
type Update struct {
	Reported           *peaceops.Date `json:"reported"`
	IncidentDate       *peaceops.Date `json:"incident_date"`
	IncidentPrecision  *string        `json:"incident_precision"`
	ReceivedVia        *string        `json:"received_via"`
	Categories         *[]string      `json:"categories"`
	PersonnelCategory  *string        `json:"personnel_category"`
	Perpetrators       *int           `json:"perpetrators"`
	Nationality        *string        `json:"nationality"`
	VictimCount        *int           `json:"victim_count"`
	PaternityClaims    *int           `json:"paternity_claims"`
	InterimMeasures    *[]string      `json:"interim_measures"`
	AssistanceReferred *peaceops.Date `json:"assistance_referred"`
	Summary            *string        `json:"summary"`
	Investigation      *Investigation `json:"investigation"`
}

func (u Update) apply(a Allegation) Allegation {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if u.Reported != nil {
		a.Reported = *u.Reported
	}
	if u.IncidentDate != nil {
		a.IncidentDate = *u.IncidentDate
	}
	set(&a.IncidentPrecision, u.IncidentPrecision)
	set(&a.ReceivedVia, u.ReceivedVia)
	if u.Categories != nil {
		a.Categories = slices.Clone(*u.Categories)
	}
	set(&a.PersonnelCategory, u.PersonnelCategory)
	if u.Perpetrators != nil {
		a.Perpetrators = *u.Perpetrators
	}
	set(&a.Nationality, u.Nationality)
	if u.VictimCount != nil {
		a.VictimCount = *u.VictimCount
	}
	if u.PaternityClaims != nil {
		a.PaternityClaims = *u.PaternityClaims
	}
	if u.InterimMeasures != nil {
		a.InterimMeasures = slices.Clone(*u.InterimMeasures)
	}
	if u.AssistanceReferred != nil {
		a.AssistanceReferred = *u.AssistanceReferred
	}
	set(&a.Summary, u.Summary)
	if u.Investigation != nil {
		a.Investigation = *u.Investigation
	}
	return a
}

// Filter selects the allegations of a mission.
type Filter struct {
	Status            string // investigation status, "" any
	Category          string // has this category, "" any
	PersonnelCategory string
	From, To          peaceops.Date // reported between, inclusive
	Limit             int           // 1..1000, default 50
	After             string        // cursor: "reported|id" of the last row
}

// Validate checks f and fills in the default limit.
func (f *Filter) Validate() error {
	var errs []peaceops.FieldError
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 1000 {
		errs = append(errs, peaceops.FieldError{Field: "limit", Message: "must be between 1 and 1000"})
	}
	if f.Status != "" && !known(Statuses, f.Status) {
		errs = append(errs, peaceops.FieldError{Field: "status", Message: oneOf(Statuses)})
	}
	if f.Category != "" && !known(categoryTerms(), f.Category) {
		errs = append(errs, peaceops.FieldError{Field: "category", Message: oneOf(categoryTerms())})
	}
	if f.PersonnelCategory != "" && !known(PersonnelCategories, f.PersonnelCategory) {
		errs = append(errs, peaceops.FieldError{Field: "personnel_category", Message: oneOf(PersonnelCategories)})
	}
	return peaceops.Invalid(errs)
}

// Referral is a misconduct report the community feedback channel passes
// on: it becomes an allegation received via the community mechanism.
type Referral struct {
	Received   peaceops.Date
	Channel    string
	Summary    string
	FeedbackID string
}
