package events

import (
	"bufio"
	"strings"

	"github.com/peaceops/peaceops"
)

// ACLED reader: ACLED's CSV export (codebook column layout, 31 columns:
// event_id_cnty, event_date, year, time_precision, disorder_type,
// event_type, sub_event_type, actor1, assoc_actor_1, inter1, actor2,
// assoc_actor_2, inter2, interaction, civilian_targeting, iso, region,
// country, admin1, admin2, admin3, location, latitude, longitude,
// geo_precision, source, source_scale, notes, fatalities, tags, timestamp).
//
// Mapping: event_date is both Start and End (ACLED records one event per
// day; with time_precision 2 or 3 the date is the middle of the week or
// month, kept as given with precision week or month). actor1/actor2 become
// side_a/side_b (ACLED says they imply no direction), associated actors
// "involved". fatalities is ACLED's most conservative reported figure and
// becomes low = best = high. iso (ISO 3166 numeric) gives the country.
// ACLED's licence forbids redistributing its data: no real ACLED rows are
// shipped with peaceops.

// SourceACLED is the provenance of ACLED events.
const SourceACLED = "acled"

var acledMapped = map[string]bool{
	"event_id_cnty": true, "event_date": true, "time_precision": true,
	"event_type": true, "sub_event_type": true, "actor1": true,
	"assoc_actor_1": true, "actor2": true, "assoc_actor_2": true, "iso": true,
	"admin1": true, "admin2": true, "location": true, "latitude": true,
	"longitude": true, "geo_precision": true, "source": true, "notes": true,
	"fatalities": true,
}

var acledRequired = []string{
	"event_id_cnty", "event_date", "event_type", "sub_event_type",
	"country", "latitude", "longitude", "fatalities",
}

type acledReader struct {
	tab  *table
	seen dedup
}

func newACLEDReader(br *bufio.Reader) (Reader, error) {
	tab := newTable(br)
	if err := tab.readHeader(); err != nil {
		return nil, err
	}
	if err := tab.require("ACLED", acledRequired...); err != nil {
		return nil, err
	}
	return &acledReader{tab: tab, seen: dedup{}}, nil
}

func (a *acledReader) Next() (Event, error) {
	rec, err := a.tab.next()
	if err != nil {
		return Event{}, err
	}
	get := func(name string) string {
		if i := a.tab.col(name); i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	attrs := map[string]string{}
	for i, k := range a.tab.keys {
		if v := strings.TrimSpace(rec[i]); v != "" && k != "" && !acledMapped[k] {
			attrs[k] = v
		}
	}
	e, ferr := acledEvent(get, attrs)
	if ferr != nil {
		return Event{}, a.tab.rowErr(ferr.field, "%s", ferr.msg)
	}
	if first, dup := a.seen.check(e.SourceID, a.tab.line); dup {
		return Event{}, a.tab.rowErr("event_id_cnty", "duplicate id %s (first on line %d)", e.SourceID, first)
	}
	return e, nil
}

func acledEvent(get func(string) string, attrs map[string]string) (Event, *fieldErr) {
	e := Event{
		Source:         SourceACLED,
		Status:         StatusReported,
		Classification: peaceops.Internal,
		SourceAttrs:    attrs,
	}
	if e.SourceID = get("event_id_cnty"); e.SourceID == "" {
		return e, badField("event_id_cnty", "is required")
	}
	t, ok := TypeFromACLED(get("event_type"), get("sub_event_type"))
	if !ok {
		if !knownACLEDEventType(get("event_type")) {
			return e, badField("event_type", "%q is not an ACLED event type", get("event_type"))
		}
		return e, badField("sub_event_type", "%q is not an ACLED sub-event type of %q", get("sub_event_type"), get("event_type"))
	}
	e.Type = t

	day, _, ferr := parseDate("event_date", get("event_date"))
	if ferr != nil {
		return e, ferr
	}
	e.Start, e.End = day, day
	switch get("time_precision") {
	case "1":
		e.DatePrecision = DateDay
	case "2":
		e.DatePrecision = DateWeek
	case "3":
		e.DatePrecision = DateMonth
	default:
		e.DatePrecision = DateDay
		e.AddFlag(FlagUnknownDatePrecision)
	}
	if y, ok := parseSmallInt(get("year")); ok && y != day.Year() {
		e.AddFlag(FlagYearMismatch)
	}

	p, ferr := parsePoint("latitude", get("latitude"), "longitude", get("longitude"))
	if ferr != nil {
		return e, ferr
	}
	if e.Location = p; p == nil {
		e.AddFlag(FlagMissingCoordinates)
	}
	switch get("geo_precision") {
	case "1":
		e.LocationPrecision = LocationExact
	case "2":
		e.LocationPrecision = LocationNear
	case "3":
		e.LocationPrecision = LocationArea
	default:
		e.AddFlag(FlagUnknownLocationPrecision)
	}
	e.PlaceName = truncate(get("location"), MaxName)
	e.SourceAdmin1 = truncate(get("admin1"), MaxName)
	e.SourceAdmin2 = truncate(get("admin2"), MaxName)
	code, ok := countryByISONumeric(get("iso"))
	if !ok && get("iso") != "" {
		attrs["iso"] = get("iso") // not resolved: keep what ACLED said
	}
	resolveCountry(&e, code, ok, get("country"))

	n, ferr := parseCount("fatalities", get("fatalities"))
	if ferr != nil {
		return e, ferr
	}
	e.Fatalities = Exactly(n)

	for _, side := range []struct {
		actor, assoc string
		role         ActorRole
	}{{"actor1", "assoc_actor_1", RoleSideA}, {"actor2", "assoc_actor_2", RoleSideB}} {
		if name := get(side.actor); name != "" {
			e.Actors = append(e.Actors, ActorRef{Name: truncate(name, MaxName), Role: side.role})
		}
		for _, name := range splitList(get(side.assoc)) {
			e.Actors = append(e.Actors, ActorRef{Name: truncate(name, MaxName), Role: RoleInvolved})
		}
	}
	for _, name := range splitList(get("source")) {
		e.Sources = append(e.Sources, Source{Name: truncate(name, MaxName), Kind: KindOther})
	}
	e.Narrative = truncate(get("notes"), MaxNarrative)
	e.Title = acledTitle(get)
	return e, checkImported(&e)
}

func acledTitle(get func(string) string) string {
	title := get("sub_event_type")
	if place := get("location"); place != "" {
		title += ", " + place
	}
	if adm := get("admin1"); adm != "" && adm != get("location") {
		title += " (" + adm + ")"
	}
	return truncate(title, MaxTitle)
}
