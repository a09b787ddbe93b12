// Package events is the incident and event capability of peaceops: what
// happened, when, where, to whom, with what harm, according to which sources
// and how far the mission has verified it. It is the SAGE / Unite Aware core
// of the system.
//
// event.go holds the Event type, its vocabularies, Filter and Update;
// taxonomy.go the typed event-type taxonomy (ACLED, UCDP and mission
// categories); import_*.go the streaming readers of outside formats (UCDP GED
// in its CSV and GeoJSON editions, ACLED, any HXL-tagged CSV) and export.go
// the writers (CSV, HXL-tagged CSV, GeoJSON). Readers never fix the data
// they are given: they keep the source values and mark inconsistencies in
// Event.Flags.
//
// service.go holds the operations, every one through the access policy;
// merge.go merging and linking; service_import.go the all-or-nothing
// import; store.go the SQL; stats.go the statistics, the map grid and the
// events_daily rollup that keeps statistics fast; http.go the JSON API.
// Spatial and full-text search go through the dialect seam of store/.
package events

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// DatePrecision says how well the date of an event is known. Start and End
// always hold the range; the precision says what the source could tell.
type DatePrecision string

const (
	DateExact DatePrecision = "exact" // the time of day is known
	DateDay   DatePrecision = "day"   // the day is known (UCDP date_prec 1, ACLED time_precision 1)
	DateDays  DatePrecision = "days"  // a range of 2-6 days (UCDP 2)
	DateWeek  DatePrecision = "week"  // only the week (UCDP 3, ACLED 2)
	DateMonth DatePrecision = "month" // only the month, or 8-30 days (UCDP 4, ACLED 3)
	DateYear  DatePrecision = "year"  // only the year, or 31-365 days (UCDP 5)
)

// DatePrecisions lists every date precision, most precise first.
var DatePrecisions = []DatePrecision{DateExact, DateDay, DateDays, DateWeek, DateMonth, DateYear}

// Valid reports whether p is a known precision.
func (p DatePrecision) Valid() bool { return slices.Contains(DatePrecisions, p) }

// DatePrecisionFromUCDP maps UCDP GED date_prec (1..5) to a precision.
func DatePrecisionFromUCDP(code int) (DatePrecision, bool) {
	if code < 1 || code > 5 {
		return "", false
	}
	return DatePrecisions[code], true
}

// LocationPrecision says how well the place of an event is known: the
// point is exact, or stands for a larger area.
type LocationPrecision string

const (
	LocationExact         LocationPrecision = "exact"         // the exact place (UCDP where_prec 1, ACLED geo_precision 1)
	LocationNear          LocationPrecision = "near"          // within about 25 km of the point (UCDP 2, ACLED 2)
	LocationAdmin2        LocationPrecision = "admin2"        // somewhere in the second-level admin area (UCDP 3)
	LocationAdmin1        LocationPrecision = "admin1"        // somewhere in the first-level admin area (UCDP 4)
	LocationArea          LocationPrecision = "area"          // a linear feature or larger region (UCDP 5, ACLED 3)
	LocationCountry       LocationPrecision = "country"       // only the country (UCDP 6)
	LocationInternational LocationPrecision = "international" // international waters or airspace, or wider (UCDP 7)
)

// LocationPrecisions lists every location precision, most precise first.
var LocationPrecisions = []LocationPrecision{
	LocationExact, LocationNear, LocationAdmin2, LocationAdmin1,
	LocationArea, LocationCountry, LocationInternational,
}

// Valid reports whether p is a known precision.
func (p LocationPrecision) Valid() bool { return slices.Contains(LocationPrecisions, p) }

// LocationPrecisionFromUCDP maps UCDP GED where_prec (1..7) to a precision.
func LocationPrecisionFromUCDP(code int) (LocationPrecision, bool) {
	if code < 1 || code > 7 {
		return "", false
	}
	return LocationPrecisions[code-1], true
}

// ActorRole is the part an actor played in an event. UCDP's two sides and
// ACLED's actor1/actor2 (which ACLED says imply no direction) are side_a and
// side_b; mission reports name perpetrators and targets.
type ActorRole string

const (
	RolePerpetrator ActorRole = "perpetrator"
	RoleTarget      ActorRole = "target"
	RoleInvolved    ActorRole = "involved"
	RoleSideA       ActorRole = "side_a"
	RoleSideB       ActorRole = "side_b"
)

// ActorRoles lists every actor role.
var ActorRoles = []ActorRole{RolePerpetrator, RoleTarget, RoleInvolved, RoleSideA, RoleSideB}

// Valid reports whether r is a known role.
func (r ActorRole) Valid() bool { return slices.Contains(ActorRoles, r) }

// ActorRef names an actor of an event. SourceID is the actor's identifier in
// the source dataset (UCDP side_a_new_id, ...), empty when it has none.
type ActorRef struct {
	Name     string    `json:"name"`
	Role     ActorRole `json:"role"`
	SourceID string    `json:"source_id,omitempty"`
}

// Count is a number of people with its uncertainty: Low <= Best <= High.
// A source that gives one number sets all three to it.
type Count struct {
	Low  int `json:"low"`
	Best int `json:"best"`
	High int `json:"high"`
}

// Exactly returns the Count whose low, best and high are all n.
func Exactly(n int) Count { return Count{Low: n, Best: n, High: n} }

// SourceKind is the kind of a source of information.
type SourceKind string

const (
	KindPatrolReport   SourceKind = "patrol_report"
	KindLocalAuthority SourceKind = "local_authority"
	KindMedia          SourceKind = "media"
	KindNGO            SourceKind = "ngo"
	KindHotline        SourceKind = "hotline"
	KindUNAgency       SourceKind = "un_agency"
	KindSocialMedia    SourceKind = "social_media"
	KindDataset        SourceKind = "dataset"
	KindOther          SourceKind = "other"
)

// SourceKinds lists every source kind.
var SourceKinds = []SourceKind{
	KindPatrolReport, KindLocalAuthority, KindMedia, KindNGO, KindHotline,
	KindUNAgency, KindSocialMedia, KindDataset, KindOther,
}

// Valid reports whether k is a known kind.
func (k SourceKind) Valid() bool { return slices.Contains(SourceKinds, k) }

// Source is one source of information about an event, graded on the
// Admiralty (NATO) scale: Reliability of the source A (completely reliable)
// to F (cannot be judged), Credibility of the information 1 (confirmed) to 6
// (cannot be judged). Empty Reliability and zero Credibility mean "not
// graded", which is what every importer gives.
type Source struct {
	Name        string        `json:"name"`
	Kind        SourceKind    `json:"kind"`
	Reliability string        `json:"reliability,omitempty"`
	Credibility int           `json:"credibility,omitempty"`
	Date        peaceops.Date `json:"date"`
	Reference   string        `json:"reference,omitempty"`
	Note        string        `json:"note,omitempty"`
}

// Status is how far the mission has verified an event.
type Status string

const (
	StatusReported Status = "reported" // received, not yet assessed (the default)
	StatusVerified Status = "verified"
	StatusDisputed Status = "disputed"
	StatusRejected Status = "rejected"
)

// Statuses lists every status.
var Statuses = []Status{StatusReported, StatusVerified, StatusDisputed, StatusRejected}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Verification records who moved an event to its current status, when and
// why.
type Verification struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// AdminRef is an administrative area by P-code and name, as the geo
// capability knows it (filled by point-in-polygon, not by the source).
type AdminRef struct {
	PCode string `json:"pcode"`
	Name  string `json:"name"`
}

// IsZero reports whether a is empty.
func (a AdminRef) IsZero() bool { return a == AdminRef{} }

// Data-quality flags set by the readers. A reader keeps the values the
// source gave and names what is odd about them; it never fixes them.
const (
	FlagBestAboveHigh            = "best_above_high"            // fatalities best > high
	FlagLowAboveBest             = "low_above_best"             // fatalities low > best
	FlagDeathsSumMismatch        = "deaths_sum_mismatch"        // UCDP deaths_a+deaths_b+deaths_civilians+deaths_unknown != best
	FlagMissingDeathsBreakdown   = "missing_deaths_breakdown"   // UCDP deaths_* columns empty
	FlagMissingCoordinates       = "missing_coordinates"        // no point given
	FlagGeometryMismatch         = "geometry_mismatch"          // UCDP geom_wkt differs from latitude/longitude
	FlagDateEndBeforeStart       = "date_end_before_start"      // end < start
	FlagYearMismatch             = "year_mismatch"              // the year column disagrees with the date
	FlagUnknownCountry           = "unknown_country"            // no ISO 3166 code could be found
	FlagCountryMismatch          = "country_mismatch"           // the country code and the country name disagree
	FlagUnknownDatePrecision     = "unknown_date_precision"     // precision code absent or out of range; inferred from the range
	FlagUnknownLocationPrecision = "unknown_location_precision" // precision code absent or out of range; left empty
)

// Event is one incident or event: something that happened at a place and
// time. Start and End are UTC instants with End >= Start; for day-or-coarser
// precision both are midnight UTC of the first and last day (End inclusive).
//
// Provenance: Source names where an imported event came from ("ucdp-ged",
// "acled", "hxl:<file>"), SourceID its identifier there; together they make
// imports idempotent. SourceAttrs keeps everything the source said that has
// no field here, verbatim.
type Event struct {
	ID        peaceops.ID `json:"id"`
	Mission   string      `json:"mission"`
	Type      Type        `json:"type"`
	Title     string      `json:"title"`
	Narrative string      `json:"narrative"`

	Start         time.Time     `json:"start"`
	End           time.Time     `json:"end"`
	DatePrecision DatePrecision `json:"date_precision"`

	Location          *geo.Point        `json:"location"`
	LocationPrecision LocationPrecision `json:"location_precision"`
	PlaceName         string            `json:"place_name"`
	Country           string            `json:"country"` // ISO 3166-1 alpha-3
	Admin1            AdminRef          `json:"admin1"`
	Admin2            AdminRef          `json:"admin2"`
	SourceAdmin1      string            `json:"source_admin1"` // verbatim, e.g. "Ouaka province"
	SourceAdmin2      string            `json:"source_admin2"`

	Actors []ActorRef `json:"actors"`

	Fatalities            Count `json:"fatalities"`
	CivilianFatalities    Count `json:"civilian_fatalities"`
	PeacekeeperFatalities Count `json:"peacekeeper_fatalities"`
	Injuries              Count `json:"injuries"`

	Sources []Source `json:"sources"`

	Status         Status                  `json:"status"`
	Verification   *Verification           `json:"verification"`
	Classification peaceops.Classification `json:"classification"`

	Source      string            `json:"source"`
	SourceID    string            `json:"source_id"`
	SourceAttrs map[string]string `json:"source_attrs"`
	Flags       []string          `json:"flags"`

	CreatedAt    time.Time  `json:"created_at,omitzero"`
	UpdatedAt    time.Time  `json:"updated_at,omitzero"`
	Version      int64      `json:"version"`
	DeletedAt    *time.Time `json:"deleted_at,omitempty"`
	DeleteReason string     `json:"delete_reason,omitempty"`
}

// HasFlag reports whether e carries flag.
func (e *Event) HasFlag(flag string) bool { return slices.Contains(e.Flags, flag) }

// AddFlag adds flag to e unless it is already there.
func (e *Event) AddFlag(flag string) {
	if !e.HasFlag(flag) {
		e.Flags = append(e.Flags, flag)
	}
}

// Limits on text fields, in characters.
const (
	MaxTitle     = 500
	MaxNarrative = 20000
	MaxName      = 500 // place, actor and source names, admin names
)

// Validate returns every field problem of e as an EINVALID error, or nil.
// It fills in defaults first: status reported, classification internal.
//
// Inconsistencies a reader found and flagged are accepted: fatalities with
// best above high pass when e carries FlagBestAboveHigh, low above best
// with FlagLowAboveBest, and End before Start with FlagDateEndBeforeStart.
// Unflagged, they are errors.
func (e *Event) Validate() error {
	if e.Status == "" {
		e.Status = StatusReported
	}
	if e.Classification == 0 {
		e.Classification = peaceops.Internal
	}
	var p problems
	if e.ID != "" && !peaceops.ValidID(e.ID) {
		p.add("id", "must be a ULID")
	}
	if strings.TrimSpace(e.Mission) == "" {
		p.add("mission", "is required")
	}
	if !e.Type.Valid() {
		p.add("type", "must be a code of the event taxonomy (e.g. battles.armed_clash)")
	}
	p.text("title", e.Title, MaxTitle, true)
	p.text("narrative", e.Narrative, MaxNarrative, false)
	p.when(e.Start, e.End, e.HasFlag(FlagDateEndBeforeStart))
	if !e.DatePrecision.Valid() {
		p.add("date_precision", "must be one of exact, day, days, week, month, year")
	}
	p.where(e)
	for i, a := range e.Actors {
		p.actor(fmt.Sprintf("actors[%d]", i), a)
	}
	p.count("fatalities", e.Fatalities, e.HasFlag(FlagLowAboveBest), e.HasFlag(FlagBestAboveHigh))
	p.count("civilian_fatalities", e.CivilianFatalities, false, false)
	p.count("peacekeeper_fatalities", e.PeacekeeperFatalities, false, false)
	p.count("injuries", e.Injuries, false, false)
	for i, s := range e.Sources {
		p.source(fmt.Sprintf("sources[%d]", i), s)
	}
	p.status(e.Status, e.Verification)
	if !e.Classification.Valid() {
		p.add("classification", "must be public, internal, confidential or strictly-confidential")
	}
	if e.SourceID != "" && e.Source == "" {
		p.add("source", "is required when source_id is set")
	}
	for k := range e.SourceAttrs {
		if k == "" {
			p.add("source_attrs", "keys must not be empty")
			break
		}
	}
	for i, f := range e.Flags {
		if f == "" || strings.TrimSpace(f) != f {
			p.add(fmt.Sprintf("flags[%d]", i), "must be a non-empty word")
		}
	}
	if e.Version < 0 {
		p.add("version", "must not be negative")
	}
	return peaceops.Invalid(p)
}

// problems collects field errors.
type problems []peaceops.FieldError

func (p *problems) add(field, msg string) {
	*p = append(*p, peaceops.FieldError{Field: field, Message: msg})
}

func (p *problems) text(field, s string, max int, required bool) {
	switch n := utf8.RuneCountInString(s); {
	case required && strings.TrimSpace(s) == "":
		p.add(field, "is required")
	case n > max:
		p.add(field, fmt.Sprintf("must be at most %d characters", max))
	case !utf8.ValidString(s):
		p.add(field, "must be valid UTF-8 text")
	}
}

func (p *problems) when(start, end time.Time, endBeforeStartFlagged bool) {
	if start.IsZero() {
		p.add("start", "is required")
	}
	if end.IsZero() {
		p.add("end", "is required")
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) && !endBeforeStartFlagged {
		p.add("end", "must not be before start")
	}
}

func (p *problems) where(e *Event) {
	if e.Location != nil {
		if err := e.Location.Validate(); err != nil {
			p.add("location", err.Error())
		}
	}
	if e.LocationPrecision != "" && !e.LocationPrecision.Valid() {
		p.add("location_precision", "must be one of exact, near, admin2, admin1, area, country, international")
	}
	p.text("place_name", e.PlaceName, MaxName, false)
	if e.Country != "" {
		if _, ok := geo.CountryName(e.Country); !ok {
			p.add("country", "must be an ISO 3166-1 alpha-3 country code in capitals (e.g. CAF)")
		}
	}
	p.admin("admin1", e.Admin1)
	p.admin("admin2", e.Admin2)
	p.text("source_admin1", e.SourceAdmin1, MaxName, false)
	p.text("source_admin2", e.SourceAdmin2, MaxName, false)
}

func (p *problems) admin(field string, a AdminRef) {
	if a.IsZero() {
		return
	}
	if a.PCode == "" || len(a.PCode) > 32 || strings.ContainsAny(a.PCode, " \t\r\n") {
		p.add(field+".pcode", "must be a P-code of at most 32 characters without spaces")
	}
	p.text(field+".name", a.Name, MaxName, false)
}

func (p *problems) actor(field string, a ActorRef) {
	p.text(field+".name", a.Name, MaxName, true)
	if !a.Role.Valid() {
		p.add(field+".role", "must be one of perpetrator, target, involved, side_a, side_b")
	}
}

func (p *problems) count(field string, c Count, lowAboveBestOK, bestAboveHighOK bool) {
	if c.Low < 0 || c.Best < 0 || c.High < 0 {
		p.add(field, "must not be negative")
		return
	}
	if c.Low > c.Best && !lowAboveBestOK {
		p.add(field+".low", "must not be above best")
	}
	if c.Best > c.High && !bestAboveHighOK {
		p.add(field+".high", "must not be below best")
	}
}

func (p *problems) source(field string, s Source) {
	p.text(field+".name", s.Name, MaxName, true)
	if !s.Kind.Valid() {
		p.add(field+".kind", "must be one of "+joinKinds())
	}
	if s.Reliability != "" && (len(s.Reliability) != 1 || s.Reliability[0] < 'A' || s.Reliability[0] > 'F') {
		p.add(field+".reliability", "must be an Admiralty grade A to F")
	}
	if s.Credibility < 0 || s.Credibility > 6 {
		p.add(field+".credibility", "must be an Admiralty grade 1 to 6 (0 = not graded)")
	}
}

func joinKinds() string {
	s := make([]string, len(SourceKinds))
	for i, k := range SourceKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func (p *problems) status(s Status, v *Verification) {
	if !s.Valid() {
		p.add("status", "must be one of reported, verified, disputed, rejected")
		return
	}
	if s == StatusReported {
		return
	}
	if v == nil || strings.TrimSpace(v.By) == "" {
		p.add("verification.by", "is required when the status is "+string(s))
	}
	if v == nil || v.At.IsZero() {
		p.add("verification.at", "is required when the status is "+string(s))
	}
	if s == StatusRejected && (v == nil || strings.TrimSpace(v.Reason) == "") {
		p.add("verification.reason", "is required when an event is rejected")
	}
}

// Filter selects events. Zero fields do not filter. Deleted events are
// never selected.
type Filter struct {
	BBox          *geo.BBox `json:"bbox"`           // location inside the box
	From          time.Time `json:"from"`           // events ending at or after From
	To            time.Time `json:"to"`             // events starting at or before To
	Types         []Type    `json:"types"`          // any of these types; a category code matches all its types
	Actor         string    `json:"actor"`          // an actor name contains this, case-insensitive
	Status        []Status  `json:"status"`         // any of these statuses
	Admin         string    `json:"admin"`          // admin1 or admin2 P-code
	MinFatalities int       `json:"min_fatalities"` // best fatalities at least this
	Query         string    `json:"query"`          // full-text search of title, narrative, place
	Limit         int       `json:"limit"`          // 1..1000, default 50
	Cursor        string    `json:"cursor"`         // opaque, from the previous page
}

// Filter limits.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
	maxQuery     = 200
)

// Validate checks f and fills in the default limit.
func (f *Filter) Validate() error {
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	var p problems
	if f.BBox != nil {
		if err := f.BBox.Validate(); err != nil {
			msg := peaceops.ErrorMessage(err)
			if fields := peaceops.ErrorFields(err); len(fields) > 0 {
				msg = fields[0].Message
			}
			p.add("bbox", msg)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		p.add("to", "must not be before from")
	}
	for i, t := range f.Types {
		if !t.Valid() && !Category(t).Valid() {
			p.add(fmt.Sprintf("types[%d]", i), fmt.Sprintf("%q is not a type or category of the event taxonomy", string(t)))
		}
	}
	for i, s := range f.Status {
		if !s.Valid() {
			p.add(fmt.Sprintf("status[%d]", i), "must be one of reported, verified, disputed, rejected")
		}
	}
	if len(f.Actor) > MaxName {
		p.add("actor", fmt.Sprintf("must be at most %d characters", MaxName))
	}
	if len(f.Admin) > 32 {
		p.add("admin", "must be a P-code of at most 32 characters")
	}
	if f.MinFatalities < 0 {
		p.add("min_fatalities", "must not be negative")
	}
	if utf8.RuneCountInString(f.Query) > maxQuery {
		p.add("query", fmt.Sprintf("must be at most %d characters", maxQuery))
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		p.add("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit))
	}
	return peaceops.Invalid(p)
}

// Update holds the fields a PATCH may change; nil leaves a field as it is.
// Provenance (source, source_id, source_attrs), flags and bookkeeping are
// not editable. A Location cannot be cleared through Update: set the
// location precision to "country" instead.
type Update struct {
	Type                  *Type                    `json:"type"`
	Title                 *string                  `json:"title"`
	Narrative             *string                  `json:"narrative"`
	Start                 *time.Time               `json:"start"`
	End                   *time.Time               `json:"end"`
	DatePrecision         *DatePrecision           `json:"date_precision"`
	Location              *geo.Point               `json:"location"`
	LocationPrecision     *LocationPrecision       `json:"location_precision"`
	PlaceName             *string                  `json:"place_name"`
	Country               *string                  `json:"country"`
	Admin1                *AdminRef                `json:"admin1"`
	Admin2                *AdminRef                `json:"admin2"`
	Actors                *[]ActorRef              `json:"actors"`
	Fatalities            *Count                   `json:"fatalities"`
	CivilianFatalities    *Count                   `json:"civilian_fatalities"`
	PeacekeeperFatalities *Count                   `json:"peacekeeper_fatalities"`
	Injuries              *Count                   `json:"injuries"`
	Sources               *[]Source                `json:"sources"`
	Status                *Status                  `json:"status"`
	Verification          *Verification            `json:"verification"`
	Classification        *peaceops.Classification `json:"classification"`
}

// Apply returns a copy of e with u applied. Times are converted to UTC. The
// caller validates the result.
func (u Update) Apply(e Event) Event {
	set(&e.Type, u.Type)
	set(&e.Title, u.Title)
	set(&e.Narrative, u.Narrative)
	if u.Start != nil {
		e.Start = u.Start.UTC()
	}
	if u.End != nil {
		e.End = u.End.UTC()
	}
	set(&e.DatePrecision, u.DatePrecision)
	if u.Location != nil {
		p := *u.Location
		e.Location = &p
	}
	set(&e.LocationPrecision, u.LocationPrecision)
	set(&e.PlaceName, u.PlaceName)
	set(&e.Country, u.Country)
	set(&e.Admin1, u.Admin1)
	set(&e.Admin2, u.Admin2)
	if u.Actors != nil {
		e.Actors = slices.Clone(*u.Actors)
	}
	set(&e.Fatalities, u.Fatalities)
	set(&e.CivilianFatalities, u.CivilianFatalities)
	set(&e.PeacekeeperFatalities, u.PeacekeeperFatalities)
	set(&e.Injuries, u.Injuries)
	if u.Sources != nil {
		e.Sources = slices.Clone(*u.Sources)
	}
	set(&e.Status, u.Status)
	if u.Verification != nil {
		v := *u.Verification
		v.At = v.At.UTC()
		e.Verification = &v
	}
	set(&e.Classification, u.Classification)
	return e
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
