// Package missions is the first capability: peace operations (the tenancy
// boundary of peaceops) and their members. It is written in the shape every
// capability copies: mission.go (types, Filter, Update, Validate), service.go
// (operations through the access policy, one transaction each), store.go
// (SQL), http.go (JSON API), pages.go with templates/ (HTML pages).
//
// Memberships themselves (who holds which role) are kept by access/, which
// builds actors from them; this package exposes them per mission.
package missions

import (
	"regexp"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// Status is the lifecycle stage of a mission.
type Status string

const (
	StatusPlanned  Status = "planned"
	StatusActive   Status = "active"
	StatusDrawdown Status = "drawdown"
	StatusClosed   Status = "closed"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusPlanned, StatusActive, StatusDrawdown, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Mission is one peace operation, known by its code (MINUSCA, UNMISS...).
// The code is the mission's key in URLs and memberships and never changes.
type Mission struct {
	ID             string                  `json:"id"`
	Code           string                  `json:"code"`
	Name           string                  `json:"name"`
	HostCountry    string                  `json:"host_country"`
	StartDate      peaceops.Date           `json:"start_date"`
	EndDate        peaceops.Date           `json:"end_date"`
	HQ             *HQ                     `json:"hq"`
	Status         Status                  `json:"status"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Version        int64                   `json:"version"`
}

// HQ is the mission headquarters: a place name and, when known, its
// position.
type HQ struct {
	Name     string     `json:"name"`
	Location *geo.Point `json:"location"`
}

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,31}$`)

// Validate returns every field problem of m as an EINVALID error, or nil.
// It fills in defaults first: status active, classification internal.
func (m *Mission) Validate() error {
	m.Code = strings.TrimSpace(m.Code)
	m.Name = strings.TrimSpace(m.Name)
	if m.Status == "" {
		m.Status = StatusActive
	}
	if m.Classification == 0 {
		m.Classification = peaceops.Internal
	}
	var errs []peaceops.FieldError
	if !codePattern.MatchString(m.Code) {
		errs = append(errs, peaceops.FieldError{Field: "code", Message: "must be 2-32 capital letters, digits or hyphens, starting with a letter (e.g. MINUSCA)"})
	}
	return peaceops.Invalid(append(errs, m.validateFields()...))
}

// validateFields checks everything but the (immutable) code.
func (m *Mission) validateFields() []peaceops.FieldError {
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	switch n := len([]rune(m.Name)); {
	case n == 0:
		add("name", "is required")
	case n > 200:
		add("name", "must be at most 200 characters")
	}
	if _, ok := geo.CountryName(m.HostCountry); !ok {
		add("host_country", "must be an ISO 3166-1 alpha-3 country code in capitals (e.g. CAF)")
	}
	if m.StartDate.IsZero() {
		add("start_date", "is required")
	}
	if !m.EndDate.IsZero() && !m.StartDate.IsZero() && m.EndDate.Before(m.StartDate) {
		add("end_date", "must not be before start_date")
	}
	if m.HQ != nil {
		if len([]rune(m.HQ.Name)) > 200 {
			add("hq.name", "must be at most 200 characters")
		}
		if m.HQ.Location != nil {
			if err := m.HQ.Location.Validate(); err != nil {
				add("hq.location", err.Error())
			}
		}
	}
	if !m.Status.Valid() {
		add("status", "must be one of planned, active, drawdown, closed")
	}
	if !m.Classification.Valid() {
		add("classification", "must be public, internal, confidential or strictly-confidential")
	}
	return errs
}

// Filter selects missions. Missions the actor is not a member of are never
// returned, whatever the filter (admins see all).
type Filter struct {
	Status      Status // "" = any
	HostCountry string
	Query       string // matches code or name, case-insensitive
	Limit       int    // 1..1000, default 50
	After       string // cursor: the code of the last mission of the previous page
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
	if f.Status != "" && !f.Status.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "status", Message: "must be one of planned, active, drawdown, closed"})
	}
	return peaceops.Invalid(errs)
}

// Update holds the fields a PATCH may change; nil leaves a field as it is.
// EndDate set to the zero date clears it; HQ set to an empty HQ clears it.
type Update struct {
	Name           *string                  `json:"name"`
	HostCountry    *string                  `json:"host_country"`
	StartDate      *peaceops.Date           `json:"start_date"`
	EndDate        *peaceops.Date           `json:"end_date"`
	HQ             *HQ                      `json:"hq"`
	Status         *Status                  `json:"status"`
	Classification *peaceops.Classification `json:"classification"`
}

// apply returns a copy of m with upd applied.
func (upd Update) apply(m Mission) Mission {
	if upd.Name != nil {
		m.Name = strings.TrimSpace(*upd.Name)
	}
	if upd.HostCountry != nil {
		m.HostCountry = *upd.HostCountry
	}
	if upd.StartDate != nil {
		m.StartDate = *upd.StartDate
	}
	if upd.EndDate != nil {
		m.EndDate = *upd.EndDate
	}
	if upd.HQ != nil {
		m.HQ = upd.HQ
		if m.HQ.Name == "" && m.HQ.Location == nil {
			m.HQ = nil
		}
	}
	if upd.Status != nil {
		m.Status = *upd.Status
	}
	if upd.Classification != nil {
		m.Classification = *upd.Classification
	}
	return m
}
