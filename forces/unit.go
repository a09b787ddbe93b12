package forces

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// UnitType is the kind of a deployed unit.
type UnitType string

// The unit types of the force generation vocabulary.
const (
	TypeInfantry         UnitType = "infantry_battalion"
	TypeFPU              UnitType = "fpu"
	TypeEngineering      UnitType = "engineering"
	TypeMedicalI         UnitType = "medical_level_1"
	TypeMedicalII        UnitType = "medical_level_2"
	TypeMedicalIII       UnitType = "medical_level_3"
	TypeAviation         UnitType = "aviation"
	TypeSignals          UnitType = "signals"
	TypeLogistics        UnitType = "logistics"
	TypeRiverine         UnitType = "riverine"
	TypeSpecialForces    UnitType = "special_forces"
	TypeObserverTeam     UnitType = "military_observer_team"
	TypeStaff            UnitType = "staff"
	TypeIndividualPolice UnitType = "individual_police"
)

// UnitTypes lists every unit type.
var UnitTypes = []UnitType{TypeInfantry, TypeFPU, TypeEngineering, TypeMedicalI, TypeMedicalII, TypeMedicalIII,
	TypeAviation, TypeSignals, TypeLogistics, TypeRiverine, TypeSpecialForces, TypeObserverTeam, TypeStaff, TypeIndividualPolice}

// Valid reports whether t is a known unit type.
func (t UnitType) Valid() bool { return slices.Contains(UnitTypes, t) }

// Category is the personnel category a unit of type t counts under.
func (t UnitType) Category() Category {
	switch t {
	case TypeFPU:
		return CatFPU
	case TypeIndividualPolice:
		return CatIPO
	case TypeObserverTeam:
		return CatMilitaryExperts
	case TypeStaff:
		return CatStaffOfficers
	}
	return CatTroops
}

// SiteKind is the kind of a base.
type SiteKind string

// The kinds of base a unit is located at.
const (
	SiteHQ       SiteKind = "hq"
	SiteCOB      SiteKind = "cob" // company operating base
	SiteTOB      SiteKind = "tob" // temporary operating base
	SiteTeamSite SiteKind = "team_site"
)

// SiteKinds lists every site kind.
var SiteKinds = []SiteKind{SiteHQ, SiteCOB, SiteTOB, SiteTeamSite}

// Valid reports whether k is a known site kind.
func (k SiteKind) Valid() bool { return slices.Contains(SiteKinds, k) }

// Status is where a unit is in its deployment.
type Status string

// The deployment statuses in lifecycle order.
const (
	StatusPledged     Status = "pledged"
	StatusDeploying   Status = "deploying"
	StatusDeployed    Status = "deployed"
	StatusRotating    Status = "rotating"
	StatusRepatriated Status = "repatriated"
)

// Statuses lists every status.
var Statuses = []Status{StatusPledged, StatusDeploying, StatusDeployed, StatusRotating, StatusRepatriated}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// transitions lists the statuses each status may move to. A pledge may be
// withdrawn (repatriated: the unit never arrives); a rotating unit is
// either relieved (repatriated) or stays (deployed).
var transitions = map[Status][]Status{
	StatusPledged:     {StatusDeploying, StatusRepatriated},
	StatusDeploying:   {StatusPledged, StatusDeployed, StatusRepatriated},
	StatusDeployed:    {StatusRotating, StatusRepatriated},
	StatusRotating:    {StatusDeployed, StatusRepatriated},
	StatusRepatriated: {},
}

// CanMove reports whether a unit may go from status s to next. Staying in
// the same status is always allowed.
func (s Status) CanMove(next Status) bool {
	return s == next || slices.Contains(transitions[s], next)
}

// Base is where a unit is located.
type Base struct {
	Name     string     `json:"name"`
	Kind     SiteKind   `json:"kind"`
	Location *geo.Point `json:"location"`
}

// Unit is a contingent or team a contributing country deploys to a
// mission. Its personnel category follows from its type.
type Unit struct {
	ID             string                  `json:"id"`
	Mission        string                  `json:"mission"`
	Name           string                  `json:"name"`
	Type           UnitType                `json:"type"`
	Category       Category                `json:"category"`
	Country        string                  `json:"country"`
	Size           int                     `json:"size"`
	Base           *Base                   `json:"base"`
	Arrival        peaceops.Date           `json:"arrival"`
	RotationDue    peaceops.Date           `json:"rotation_due"`
	Status         Status                  `json:"status"`
	ReplacementID  string                  `json:"replacement_id"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Version        int64                   `json:"version"`
}

// MaxUnitSize bounds a unit's strength: the largest battalions are about
// 850, an aviation or engineering company less; 5000 catches typing errors.
const MaxUnitSize = 5000

// Validate fills in defaults (status pledged, classification internal, the
// category of the type) and returns every field problem as an EINVALID
// error, or nil.
func (u *Unit) Validate() error {
	u.Name = strings.TrimSpace(u.Name)
	u.Country = strings.ToUpper(strings.TrimSpace(u.Country))
	if u.Status == "" {
		u.Status = StatusPledged
	}
	if u.Classification == 0 {
		u.Classification = peaceops.Internal
	}
	u.Category = u.Type.Category()
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	switch n := len([]rune(u.Name)); {
	case n == 0:
		add("name", "is required")
	case n > 200:
		add("name", "must be at most 200 characters")
	}
	if !u.Type.Valid() {
		add("type", "must be one of "+joinValues(UnitTypes))
	}
	if _, ok := geo.CountryName(u.Country); !ok {
		add("country", "must be an ISO 3166-1 alpha-3 country code (e.g. RWA)")
	}
	if u.Size < 1 || u.Size > MaxUnitSize {
		add("size", fmt.Sprintf("must be between 1 and %d", MaxUnitSize))
	}
	if b := u.Base; b != nil {
		if len([]rune(b.Name)) > 200 {
			add("base.name", "must be at most 200 characters")
		}
		if b.Kind != "" && !b.Kind.Valid() {
			add("base.kind", "must be one of "+joinValues(SiteKinds))
		}
		if b.Location != nil {
			if err := b.Location.Validate(); err != nil {
				add("base.location", err.Error())
			}
		}
		if b.Name == "" && b.Location != nil {
			add("base.name", "is required when the base has a location")
		}
	}
	if !u.RotationDue.IsZero() && !u.Arrival.IsZero() && u.RotationDue.Before(u.Arrival) {
		add("rotation_due", "must not be before arrival")
	}
	if (u.Status == StatusDeployed || u.Status == StatusRotating) && u.Arrival.IsZero() {
		add("arrival", "is required once the unit is deployed")
	}
	if !u.Status.Valid() {
		add("status", "must be one of "+joinValues(Statuses))
	}
	if u.ReplacementID != "" && !peaceops.ValidID(u.ReplacementID) {
		add("replacement_id", "must be the id of a unit")
	}
	if u.ReplacementID != "" && u.ReplacementID == u.ID {
		add("replacement_id", "a unit cannot replace itself")
	}
	if !u.Classification.Valid() || u.Classification > peaceops.Confidential {
		add("classification", "must be public, internal or confidential")
	}
	return peaceops.Invalid(errs)
}

// UnitUpdate holds the fields to change on a unit; nil fields stay.
type UnitUpdate struct {
	Name           *string                  `json:"name,omitempty"`
	Type           *UnitType                `json:"type,omitempty"`
	Country        *string                  `json:"country,omitempty"`
	Size           *int                     `json:"size,omitempty"`
	Base           *Base                    `json:"base,omitempty"`
	Arrival        *peaceops.Date           `json:"arrival,omitempty"`
	RotationDue    *peaceops.Date           `json:"rotation_due,omitempty"`
	Status         *Status                  `json:"status,omitempty"`
	ReplacementID  *string                  `json:"replacement_id,omitempty"`
	Classification *peaceops.Classification `json:"classification,omitempty"`
}

func (upd UnitUpdate) apply(u Unit) Unit {
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if upd.Type != nil {
		u.Type = *upd.Type
	}
	if upd.Country != nil {
		u.Country = *upd.Country
	}
	if upd.Size != nil {
		u.Size = *upd.Size
	}
	if upd.Base != nil {
		u.Base = upd.Base
		if upd.Base.Name == "" && upd.Base.Location == nil && upd.Base.Kind == "" {
			u.Base = nil
		}
	}
	if upd.Arrival != nil {
		u.Arrival = *upd.Arrival
	}
	if upd.RotationDue != nil {
		u.RotationDue = *upd.RotationDue
	}
	if upd.Status != nil {
		u.Status = *upd.Status
	}
	if upd.ReplacementID != nil {
		u.ReplacementID = *upd.ReplacementID
	}
	if upd.Classification != nil {
		u.Classification = *upd.Classification
	}
	return u
}

// UnitFilter selects units of a mission.
type UnitFilter struct {
	Status  Status
	Country string
	Type    UnitType
	Limit   int
	After   string // id of the last unit of the previous page (units list in creation order)
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
