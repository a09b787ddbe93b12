package forces

import (
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// PersonnelType is the kind of person a fatality was, as the UN fatality
// records class them.
type PersonnelType string

// The personnel types of fatalities.
const (
	PersonMilitary         PersonnelType = "military"
	PersonMilitaryObserver PersonnelType = "military_observer"
	PersonPolice           PersonnelType = "police"
	PersonCivilianIntl     PersonnelType = "international_civilian"
	PersonCivilianLocal    PersonnelType = "local_civilian"
	PersonOther            PersonnelType = "other"
)

// PersonnelTypes lists every personnel type.
var PersonnelTypes = []PersonnelType{PersonMilitary, PersonMilitaryObserver, PersonPolice, PersonCivilianIntl, PersonCivilianLocal, PersonOther}

// Valid reports whether p is known.
func (p PersonnelType) Valid() bool { return slices.Contains(PersonnelTypes, p) }

// IncidentType is the cause of a fatality.
type IncidentType string

// The incident types. The UN records keep self-inflicted deaths and cases
// still under inquiry apart from "other"; so does peaceops, so that its
// totals match the publisher's.
const (
	IncidentMalicious      IncidentType = "malicious_act"
	IncidentAccident       IncidentType = "accident"
	IncidentIllness        IncidentType = "illness"
	IncidentSelfInflicted  IncidentType = "self_inflicted"
	IncidentToBeDetermined IncidentType = "to_be_determined"
	IncidentOther          IncidentType = "other"
)

// IncidentTypes lists every incident type.
var IncidentTypes = []IncidentType{IncidentMalicious, IncidentAccident, IncidentIllness, IncidentSelfInflicted, IncidentToBeDetermined, IncidentOther}

// Valid reports whether t is known.
func (t IncidentType) Valid() bool { return slices.Contains(IncidentTypes, t) }

// Fatality is the death of one member of a mission's personnel. It names no
// one: the UN records carry a casualty number, kept as the source id.
type Fatality struct {
	ID            string        `json:"id"`
	Mission       string        `json:"mission"`
	IncidentDate  peaceops.Date `json:"incident_date"`
	Country       string        `json:"country"` // nationality, ISO alpha-3; "" undetermined
	PersonnelType PersonnelType `json:"personnel_type"`
	IncidentType  IncidentType  `json:"incident_type"`
	Sex           Sex           `json:"sex"`
	EventID       string        `json:"event_id"` // the incident in events/, when known
	Source        string        `json:"source"`
	SourceID      string        `json:"source_id"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Version       int64         `json:"version"`
}

// Validate fills in the unknown sex and returns every field problem.
func (f *Fatality) Validate() error {
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	if f.Sex == "" {
		f.Sex = SexUnknown
	}
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if f.IncidentDate.IsZero() {
		add("incident_date", "is required")
	}
	if f.Country != "" {
		if _, ok := CountryName(f.Country); !ok {
			add("country", "must be an ISO 3166-1 alpha-3 country code (or a former one such as YUG), or empty when undetermined")
		}
	}
	if !f.PersonnelType.Valid() {
		add("personnel_type", "must be one of "+joinValues(PersonnelTypes))
	}
	if !f.IncidentType.Valid() {
		add("incident_type", "must be one of "+joinValues(IncidentTypes))
	}
	if !f.Sex.Valid() {
		add("sex", "must be female, male or unknown")
	}
	if f.EventID != "" && !peaceops.ValidID(f.EventID) {
		add("event_id", "must be the id of an event")
	}
	if len(f.Source) > 200 || len(f.SourceID) > 200 {
		add("source", "must be at most 200 characters")
	}
	return peaceops.Invalid(errs)
}

// FatalityCount is a number of fatalities of a mission in a year by
// incident type.
type FatalityCount struct {
	Year         int          `json:"year"`
	IncidentType IncidentType `json:"incident_type"`
	Fatalities   int          `json:"fatalities"`
}

// formerCountries are the ISO 3166-3 codes of countries that no longer
// exist, which historical records (fatalities since 1948) carry as
// nationality.
var formerCountries = map[string]string{
	"YUG": "Yugoslavia",
	"SCG": "Serbia and Montenegro",
	"SUN": "Union of Soviet Socialist Republics",
	"CSK": "Czechoslovakia",
	"DDR": "German Democratic Republic",
	"ZAR": "Zaire",
	"BUR": "Burma",
	"TMP": "East Timor",
	"ANT": "Netherlands Antilles",
}

// CountryName returns the name of a current ISO 3166-1 alpha-3 code or of a
// former one (ISO 3166-3: YUG, SCG, SUN...), and whether it is known.
func CountryName(code string) (string, bool) {
	if name, ok := geo.CountryName(code); ok {
		return name, true
	}
	name, ok := formerCountries[code]
	return name, ok
}
