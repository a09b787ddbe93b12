// Package ddr is disarmament, demobilisation and reintegration: sites and
// cantonment areas, the registration of ex-combatants and associated
// persons with duplicate detection (ddr/dedup), children associated with
// armed forces and groups (CAAFAG) handed to child protection, and the
// weapons and ammunition registry with its chain of custody.
//
// A registrant who is under 18 at registration, or whose uncertain age
// could be under 18, is a CAAFAG record: every access check names it
// resource type "caafag" (child protection and the DDR chief only), so it
// is absent for everyone else from lists, reads, duplicate candidates,
// exports and counts, and adult counts never include it.
package ddr

import (
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/ddr/dedup"
)

// Resource types of the access policy (access/grants_ddr.go).
const (
	typeProgramme  = "ddr_programme"
	typeRegistrant = "registrant"
	typeWeapon     = "weapon"
	typeCAAFAG     = "caafag"
)

// AdultAge is the age from which a registrant may be processed as an adult
// combatant.
const AdultAge = 18

// BirthPrecision says how well a birth date is known.
type BirthPrecision string

const (
	BirthDay    BirthPrecision = "day"    // full date of birth (documents)
	BirthYear   BirthPrecision = "year"   // year stated
	BirthApprox BirthPrecision = "approx" // an estimated age range (age_low..age_high)
)

// Sex of a registrant as recorded.
type Sex string

const (
	Male   Sex = "M"
	Female Sex = "F"
)

// Eligibility is the programme's decision on a registrant.
type Eligibility string

const (
	EligibilityPending    Eligibility = "pending"
	EligibilityEligible   Eligibility = "eligible"
	EligibilityIneligible Eligibility = "ineligible"
)

// Status is where a registrant is in the programme.
type Status string

const (
	StatusRegistered   Status = "registered"
	StatusDemobilised  Status = "demobilised"
	StatusReintegrated Status = "reintegrated"
	StatusMerged       Status = "merged"      // a duplicate folded into another record
	StatusHandedOver   Status = "handed-over" // CAAFAG: handed to child protection
)

var statuses = []Status{StatusRegistered, StatusDemobilised, StatusReintegrated, StatusMerged, StatusHandedOver}

// Registrant is an ex-combatant or associated person registered by the
// programme.
type Registrant struct {
	ID        string `json:"id"`
	Mission   string `json:"mission"`
	DDRNumber string `json:"ddr_number"`
	Name      string `json:"name"`
	// NameVariants are other spellings of the name (transliterations).
	NameVariants   []string       `json:"name_variants"`
	MotherName     string         `json:"mother_name"`
	Sex            Sex            `json:"sex"`
	BirthPrecision BirthPrecision `json:"birth_precision"`
	BirthDate      peaceops.Date  `json:"birth_date"` // with precision day
	BirthYear      int            `json:"birth_year"` // with precision year (filled from the date otherwise)
	AgeLow         int            `json:"age_low"`    // with precision approx: assessed age range at registration
	AgeHigh        int            `json:"age_high"`
	OriginPCode    string         `json:"origin_pcode"`
	ArmedGroup     string         `json:"armed_group"`
	Rank           string         `json:"rank"`
	RegisteredOn   peaceops.Date  `json:"registered_on"`
	SiteID         string         `json:"site_id"`
	Dependants     int            `json:"dependants"`
	// BiometricHash is the opaque reference of a biometric template held
	// elsewhere (hex SHA-256); the template itself never enters peaceops.
	BiometricHash  string                  `json:"biometric_hash" audit:"secret"`
	Eligibility    Eligibility             `json:"eligibility"`
	Status         Status                  `json:"status"`
	CAAFAG         bool                    `json:"caafag"`
	MergedInto     string                  `json:"merged_into,omitempty"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Version        int64                   `json:"version"`
}

// MayBeChild reports whether the registrant is, or could be, under 18 on
// the registration date: exact dates compare the day, a year alone counts
// as the youngest reading (born on 31 December), an age range counts its
// low bound.
func (r *Registrant) MayBeChild() bool {
	on := r.RegisteredOn
	switch r.BirthPrecision {
	case BirthDay:
		adult := peaceops.Date{Year: r.BirthDate.Year + AdultAge, Month: r.BirthDate.Month, Day: r.BirthDate.Day}
		return on.Before(adult)
	case BirthYear:
		return on.Year-r.BirthYear < AdultAge+1 && !(on.Year-r.BirthYear >= AdultAge && on.Month == time.December && on.Day == 31)
	case BirthApprox:
		return r.AgeLow < AdultAge
	}
	return true // no age at all: treated as possibly a child until assessed
}

// Age is the registrant's best known age at registration (the low bound of
// a range).
func (r *Registrant) Age() int {
	switch r.BirthPrecision {
	case BirthDay:
		a := r.RegisteredOn.Year - r.BirthDate.Year
		if r.RegisteredOn.Month < r.BirthDate.Month || (r.RegisteredOn.Month == r.BirthDate.Month && r.RegisteredOn.Day < r.BirthDate.Day) {
			a--
		}
		return a
	case BirthYear:
		return r.RegisteredOn.Year - r.BirthYear - 1
	}
	return r.AgeLow
}

// Validate returns every field problem of r as an EINVALID error, filling
// defaults (eligibility pending, status registered, classification
// confidential) and deriving birth_year.
func (r *Registrant) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	r.ArmedGroup = strings.TrimSpace(r.ArmedGroup)
	if r.Eligibility == "" {
		r.Eligibility = EligibilityPending
	}
	if r.Status == "" {
		r.Status = StatusRegistered
	}
	if r.Classification == 0 {
		r.Classification = peaceops.Confidential
	}
	var errs []peaceops.FieldError
	add := func(f, m string) { errs = append(errs, peaceops.FieldError{Field: f, Message: m}) }
	if n := len([]rune(r.Name)); n == 0 || n > 200 {
		add("name", "is required, at most 200 characters")
	}
	for i, v := range r.NameVariants {
		if strings.TrimSpace(v) == "" || strings.Contains(v, "|") || len(v) > 200 {
			add("name_variants["+itoa(i)+"]", "must be a non-empty name of at most 200 characters without '|'")
		}
	}
	if strings.Contains(r.Name, "|") {
		add("name", "must not contain '|'")
	}
	if r.Sex != Male && r.Sex != Female {
		add("sex", "must be M or F")
	}
	switch r.BirthPrecision {
	case BirthDay:
		if r.BirthDate.IsZero() {
			add("birth_date", "is required when birth_precision is day")
		} else {
			r.BirthYear = r.BirthDate.Year
		}
	case BirthYear:
		r.BirthDate = peaceops.Date{}
		if r.BirthYear < 1900 || r.BirthYear > 2100 {
			add("birth_year", "must be a year between 1900 and 2100 when birth_precision is year")
		}
	case BirthApprox:
		r.BirthDate = peaceops.Date{}
		if r.AgeLow < 5 || r.AgeHigh < r.AgeLow || r.AgeHigh > 100 {
			add("age_low", "age_low and age_high must give a range within 5..100 when birth_precision is approx")
		} else if !r.RegisteredOn.IsZero() {
			r.BirthYear = r.RegisteredOn.Year - (r.AgeLow+r.AgeHigh)/2
		}
	default:
		add("birth_precision", "must be day, year or approx")
	}
	if r.RegisteredOn.IsZero() {
		add("registered_on", "is required")
	}
	if r.BirthPrecision == BirthDay && !r.BirthDate.IsZero() && !r.RegisteredOn.IsZero() && r.RegisteredOn.Before(r.BirthDate) {
		add("birth_date", "must be before registered_on")
	}
	if r.SiteID == "" {
		add("site_id", "is required")
	}
	if r.Dependants < 0 || r.Dependants > 100 {
		add("dependants", "must be between 0 and 100")
	}
	if r.BiometricHash != "" && !isHex64(r.BiometricHash) {
		add("biometric_hash", "must be an opaque SHA-256 reference (64 hexadecimal characters), never a raw template")
	}
	if len(r.OriginPCode) > 20 {
		add("origin_pcode", "must be a P-code of at most 20 characters")
	}
	if len(r.ArmedGroup) > 100 || len(r.Rank) > 100 || len(r.MotherName) > 200 {
		add("armed_group", "armed_group and rank must be at most 100 characters, mother_name at most 200")
	}
	switch r.Eligibility {
	case EligibilityPending, EligibilityEligible, EligibilityIneligible:
	default:
		add("eligibility", "must be pending, eligible or ineligible")
	}
	valid := false
	for _, s := range statuses {
		valid = valid || s == r.Status
	}
	if !valid {
		add("status", "must be registered, demobilised, reintegrated, merged or handed-over")
	}
	if !r.Classification.Valid() {
		add("classification", "must be public, internal, confidential or strictly-confidential")
	}
	return peaceops.Invalid(errs)
}

// record is what the matcher sees of r.
func (r *Registrant) record() dedup.Record {
	name := r.Name
	for _, v := range r.NameVariants {
		name += "|" + v
	}
	rec := dedup.Record{ID: r.ID, Name: name, BirthYear: r.BirthYear, Group: strings.ToUpper(r.ArmedGroup), Origin: r.OriginPCode, Mother: r.MotherName}
	if r.Sex != "" {
		rec.Sex = r.Sex[0]
	}
	switch r.BirthPrecision {
	case BirthDay:
		rec.Precision = dedup.PrecisionDay
		rec.BirthDay = r.BirthDate.String()[5:]
	case BirthYear:
		rec.Precision = dedup.PrecisionYear
	case BirthApprox:
		rec.Precision = dedup.PrecisionApprox
	}
	return rec
}

// Update holds what a PATCH may change on a registrant; nil leaves a
// field as it is.
type Update struct {
	Eligibility *Eligibility `json:"eligibility"`
	Status      *Status      `json:"status"`
	Rank        *string      `json:"rank"`
	Dependants  *int         `json:"dependants"`
	SiteID      *string      `json:"site_id"`
}

func (u Update) apply(r Registrant) Registrant {
	if u.Eligibility != nil {
		r.Eligibility = *u.Eligibility
	}
	if u.Status != nil {
		r.Status = *u.Status
	}
	if u.Rank != nil {
		r.Rank = *u.Rank
	}
	if u.Dependants != nil {
		r.Dependants = *u.Dependants
	}
	if u.SiteID != nil {
		r.SiteID = *u.SiteID
	}
	return r
}

// Filter selects registrants.
type Filter struct {
	ArmedGroup string
	Status     Status
	Limit      int
	After      string // cursor: last id
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}
