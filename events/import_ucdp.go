package events

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// UCDP GED reader. One reader takes every edition the shared data holds:
//
//   - the CSV of release 19.1 (42 columns: no relid, code_status, *_dset_id
//     or where_description; low, best, high in that order);
//   - the CSV of releases 20.1 onwards (49 columns; best, high, low order);
//   - the GeoJSON edition (46 properties, point geometry; dates written
//     "YYYY-MM-DDT00:00:00"; relid cast to 0 by the converter);
//   - HDX's republication: the 19.1 columns plus iso3, with an HXL hashtag
//     row under the header.
//
// Columns are found by name, so column order does not matter. Readers keep
// source values and flag what is inconsistent (see the Flag constants).

// SourceUCDP is the provenance of UCDP GED events.
const SourceUCDP = "ucdp-ged"

// ucdpMapped are the columns that become Event fields; every other
// non-empty column is kept in SourceAttrs.
var ucdpMapped = map[string]bool{
	"id": true, "date_start": true, "date_end": true, "date_prec": true,
	"where_prec": true, "latitude": true, "longitude": true, "geom_wkt": true,
	"adm_1": true, "adm_2": true, "low": true, "best": true, "high": true,
	"deaths_civilians": true, "side_a": true, "side_b": true,
	"side_a_new_id": true, "side_b_new_id": true, "where_coordinates": true,
	"source_article": true, "iso3": true,
}

// ucdpRequired are the columns without which a file is not UCDP GED.
var ucdpRequired = []string{"id", "type_of_violence", "date_start", "date_end", "best", "low", "high"}

type ucdpReader struct {
	// CSV editions
	tab      *table
	pending  []string // first data row, read while looking for an HXL row
	pendLine int
	pendErr  error
	// GeoJSON edition
	fs *featureStream

	seen dedup
}

func newUCDPReader(br *bufio.Reader) (Reader, error) {
	if first, err := firstByte(br); err == nil && first == '{' {
		fs, err := newFeatureStream(br)
		if err != nil {
			return nil, err
		}
		return &ucdpReader{fs: fs, seen: dedup{}}, nil
	}
	tab := newTable(br)
	if err := tab.readHeader(); err != nil {
		return nil, err
	}
	if err := tab.require("UCDP GED", ucdpRequired...); err != nil {
		return nil, err
	}
	if tab.col("latitude") < 0 || tab.col("longitude") < 0 {
		return nil, peaceops.Errorf(peaceops.EINVALID, "events: not a UCDP GED file: missing column(s) latitude, longitude")
	}
	u := &ucdpReader{tab: tab, seen: dedup{}}
	// HDX's edition has an HXL hashtag row under the header: skip it.
	rec, err := tab.next()
	switch {
	case err == nil && isHashtagRow(rec):
	case err == nil:
		u.pending, u.pendLine = append([]string(nil), rec...), tab.line
	default:
		u.pendErr = err // io.EOF or a bad first row, reported by the first Next
	}
	return u, nil
}

// firstByte returns the first byte that is not white space, unread.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, br.UnreadByte()
		}
	}
}

func (u *ucdpReader) Next() (Event, error) {
	if u.fs != nil {
		return u.nextFeature()
	}
	var rec []string
	switch {
	case u.pending != nil:
		rec, u.pending = u.pending, nil
		u.tab.line = u.pendLine
	case u.pendErr != nil:
		err := u.pendErr
		u.pendErr = nil
		return Event{}, err
	default:
		var err error
		if rec, err = u.tab.next(); err != nil {
			return Event{}, err
		}
	}
	get := func(name string) string {
		if i := u.tab.col(name); i >= 0 && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	attrs := map[string]string{}
	for i, k := range u.tab.keys {
		if v := strings.TrimSpace(rec[i]); v != "" && k != "" && !ucdpMapped[k] {
			attrs[k] = v
		}
	}
	e, ferr := ucdpEvent(get, nil, false, attrs)
	if ferr != nil {
		return Event{}, u.tab.rowErr(ferr.field, "%s", ferr.msg)
	}
	if first, dup := u.seen.check(e.SourceID, u.tab.line); dup {
		return Event{}, u.tab.rowErr("id", "duplicate id %s (first on line %d)", e.SourceID, first)
	}
	if p := wktPoint(get("geom_wkt")); p != nil && e.Location != nil && !samePoint(*p, *e.Location) {
		e.AddFlag(FlagGeometryMismatch)
	} else if p == nil && strings.TrimSpace(get("geom_wkt")) != "" {
		e.SourceAttrs["geom_wkt"] = get("geom_wkt")
	}
	return e, nil
}

func (u *ucdpReader) nextFeature() (Event, error) {
	f, idx, err := u.fs.next()
	if err != nil {
		return Event{}, err
	}
	rowErr := func(field, format string, args ...any) *RowError {
		return &RowError{Feature: idx, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	props, perr := stringProperties(f)
	if perr != nil {
		return Event{}, rowErr("properties", "%v", perr)
	}
	get := func(name string) string { return props[name] }
	attrs := map[string]string{}
	for k, v := range props {
		if v != "" && !ucdpMapped[k] {
			attrs[k] = v
		}
	}
	// The GeoJSON converter cast relid to an integer: every value is 0 and
	// carries nothing.
	if attrs["relid"] == "0" {
		delete(attrs, "relid")
	}
	var geom *geo.Point
	hasGeom := false
	if f.Geometry != nil {
		p, ferr := featurePoint(f.Geometry)
		if ferr != nil {
			return Event{}, rowErr(ferr.field, "%s", ferr.msg)
		}
		geom, hasGeom = p, true
	}
	e, ferr := ucdpEvent(get, geom, hasGeom, attrs)
	if ferr != nil {
		return Event{}, rowErr(ferr.field, "%s", ferr.msg)
	}
	if first, dup := u.seen.check(e.SourceID, idx); dup {
		return Event{}, rowErr("id", "duplicate id %s (first in feature %d)", e.SourceID, first)
	}
	return e, nil
}

// ucdpEvent builds an event from one UCDP row. get returns a column's text
// ("" when absent); geom, when hasGeom, is the GeoJSON geometry, which wins
// over latitude/longitude columns.
func ucdpEvent(get func(string) string, geom *geo.Point, hasGeom bool, attrs map[string]string) (Event, *fieldErr) {
	e := Event{
		Source:         SourceUCDP,
		Status:         StatusReported,
		Classification: peaceops.Internal,
		SourceAttrs:    attrs,
	}
	id := strings.TrimSpace(get("id"))
	if id == "" {
		return e, badField("id", "is required")
	}
	if f, err := strconv.ParseFloat(id, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 && strings.ContainsAny(id, ".eE") {
		id = strconv.FormatInt(int64(f), 10) // "36210.0" from a float cast
	}
	e.SourceID = id

	v, ok := parseSmallInt(get("type_of_violence"))
	if !ok {
		return e, badField("type_of_violence", "%q is not 1, 2 or 3", get("type_of_violence"))
	}
	t, ok := TypeFromUCDP(UCDPViolence(v))
	if !ok {
		return e, badField("type_of_violence", "%d is not 1 (state-based), 2 (non-state) or 3 (one-sided)", v)
	}
	e.Type = t

	if err := ucdpWhen(&e, get); err != nil {
		return e, err
	}
	if err := ucdpWhere(&e, get, geom, hasGeom); err != nil {
		return e, err
	}
	if err := ucdpHarm(&e, get); err != nil {
		return e, err
	}
	for _, side := range []struct {
		name, id string
		role     ActorRole
	}{{"side_a", "side_a_new_id", RoleSideA}, {"side_b", "side_b_new_id", RoleSideB}} {
		if n := strings.TrimSpace(get(side.name)); n != "" {
			e.Actors = append(e.Actors, ActorRef{Name: truncate(n, MaxName), Role: side.role, SourceID: strings.TrimSpace(get(side.id))})
		}
	}
	e.Title = ucdpTitle(get, id)
	e.Sources = []Source{{Name: "UCDP GED", Kind: KindDataset, Reference: strings.TrimSpace(get("source_article"))}}
	return e, checkImported(&e)
}

func ucdpWhen(e *Event, get func(string) string) *fieldErr {
	start, _, err := parseDate("date_start", get("date_start"))
	if err != nil {
		return err
	}
	end, _, err := parseDate("date_end", get("date_end"))
	if err != nil {
		return err
	}
	e.Start, e.End = start, end
	if end.Before(start) {
		e.AddFlag(FlagDateEndBeforeStart)
	}
	if code, ok := parseSmallInt(get("date_prec")); ok {
		e.DatePrecision, ok = DatePrecisionFromUCDP(code)
		if !ok {
			e.AddFlag(FlagUnknownDatePrecision)
		}
	} else {
		e.AddFlag(FlagUnknownDatePrecision)
	}
	if e.DatePrecision == "" {
		e.DatePrecision = precisionOfSpan(start, end)
	}
	if y, ok := parseSmallInt(get("year")); ok && y != start.Year() && y != end.Year() {
		e.AddFlag(FlagYearMismatch)
	}
	return nil
}

func ucdpWhere(e *Event, get func(string) string, geom *geo.Point, hasGeom bool) *fieldErr {
	if hasGeom {
		e.Location = geom
	} else {
		p, err := parsePoint("latitude", get("latitude"), "longitude", get("longitude"))
		if err != nil {
			return err
		}
		e.Location = p
	}
	if e.Location == nil {
		e.AddFlag(FlagMissingCoordinates)
	}
	if code, ok := parseSmallInt(get("where_prec")); ok {
		if e.LocationPrecision, ok = LocationPrecisionFromUCDP(code); !ok {
			e.AddFlag(FlagUnknownLocationPrecision)
		}
	} else {
		e.AddFlag(FlagUnknownLocationPrecision)
	}
	e.PlaceName = truncate(strings.TrimSpace(get("where_coordinates")), MaxName)
	e.SourceAdmin1 = truncate(strings.TrimSpace(get("adm_1")), MaxName)
	e.SourceAdmin2 = truncate(strings.TrimSpace(get("adm_2")), MaxName)

	code, ok := countryByGW(get("country_id"))
	if iso := strings.TrimSpace(get("iso3")); iso != "" {
		if _, known := geo.CountryName(iso); !known {
			e.SourceAttrs["iso3"] = iso // not resolved: keep what the file said
		} else {
			if ok && iso != code {
				e.AddFlag(FlagCountryMismatch)
			}
			if !ok {
				code, ok = iso, true
			}
		}
	}
	resolveCountry(e, code, ok, strings.TrimSpace(get("country")))
	return nil
}

func ucdpHarm(e *Event, get func(string) string) *fieldErr {
	var c [3]int
	for i, name := range []string{"low", "best", "high"} {
		n, err := parseCount(name, get(name))
		if err != nil {
			return err
		}
		c[i] = n
	}
	e.Fatalities = Count{Low: c[0], Best: c[1], High: c[2]}
	checkCounts(e)

	sum, complete := 0, true
	for _, name := range []string{"deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"} {
		if strings.TrimSpace(get(name)) == "" {
			complete = false
			continue
		}
		n, err := parseCount(name, get(name))
		if err != nil {
			return err
		}
		sum += n
		if name == "deaths_civilians" {
			e.CivilianFatalities = Exactly(n)
		}
	}
	switch {
	case !complete:
		e.AddFlag(FlagMissingDeathsBreakdown)
	case sum != e.Fatalities.Best:
		e.AddFlag(FlagDeathsSumMismatch)
	}
	return nil
}

func ucdpTitle(get func(string) string, id string) string {
	title := strings.TrimSpace(get("dyad_name"))
	if title == "" {
		title = strings.TrimSpace(get("conflict_name"))
	}
	if title == "" {
		title = "UCDP GED event " + id
	}
	if place := strings.TrimSpace(get("where_coordinates")); place != "" {
		title += ", " + place
	}
	return truncate(title, MaxTitle)
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// wktPoint parses "POINT (lon lat)"; it returns nil for anything else.
func wktPoint(s string) *geo.Point {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(strings.ToUpper(s), "POINT")
	if !ok {
		return nil
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return nil
	}
	xy := strings.Fields(rest[1 : len(rest)-1])
	if len(xy) != 2 {
		return nil
	}
	x, err1 := strconv.ParseFloat(xy[0], 64)
	y, err2 := strconv.ParseFloat(xy[1], 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	return &geo.Point{Lon: x, Lat: y}
}

func samePoint(a, b geo.Point) bool {
	return math.Abs(a.Lon-b.Lon) < 1e-6 && math.Abs(a.Lat-b.Lat) < 1e-6
}

// featureStream reads the features of the GeoJSON edition through geo's
// streaming reader, numbering them and telling a bad feature (reported, the
// reader goes on) from a broken stream (the end).
type featureStream struct {
	r       *geo.FeatureReader
	index   int // index of the next feature
	pending *geo.Feature
	pendErr error
}

// newFeatureStream reads the first feature, so that input that is not a
// FeatureCollection at all fails at once.
func newFeatureStream(r io.Reader) (*featureStream, error) {
	fs := &featureStream{r: geo.NewFeatureReader(r)}
	f, err := fs.r.Next()
	switch {
	case err == nil:
		fs.pending = &f
	case errors.Is(err, io.EOF) || isFeatureError(err):
		fs.pendErr = err
	case peaceops.ErrorCode(err) == peaceops.EINVALID:
		return nil, peaceops.Errorf(peaceops.EINVALID, "events: GeoJSON: %s", peaceops.ErrorMessage(err))
	default:
		return nil, err
	}
	return fs, nil
}

// isFeatureError reports whether err concerns one feature (geo gives such
// errors the field "features[N]..."); any other error ends the stream.
func isFeatureError(err error) bool {
	fields := peaceops.ErrorFields(err)
	return len(fields) > 0 && strings.HasPrefix(fields[0].Field, "features[")
}

// next returns the next feature and its index; a bad feature is a
// *RowError naming its member ("geometry", "type", ...).
func (fs *featureStream) next() (*geo.Feature, int, error) {
	var f geo.Feature
	var err error
	switch {
	case fs.pending != nil:
		f, fs.pending = *fs.pending, nil
	case fs.pendErr != nil:
		err, fs.pendErr = fs.pendErr, nil
	default:
		f, err = fs.r.Next()
	}
	idx := fs.index
	switch {
	case err == nil:
		fs.index++
		return &f, idx, nil
	case isFeatureError(err):
		fs.index++
		fe := peaceops.ErrorFields(err)[0]
		field := ""
		if _, member, ok := strings.Cut(fe.Field, "]."); ok {
			field = member
		}
		return nil, idx, &RowError{Feature: idx, Field: field, Message: fe.Message}
	case errors.Is(err, io.EOF):
		return nil, idx, io.EOF
	}
	return nil, idx, fmt.Errorf("events: GeoJSON: %w", err)
}

// stringProperties returns the properties of f as text: strings as they
// are, numbers as written, booleans as true/false, null as "", anything
// else as JSON.
func stringProperties(f *geo.Feature) (map[string]string, error) {
	out := make(map[string]string, len(f.Properties))
	for k, v := range f.Properties {
		switch v := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = v
		case json.Number:
			out[k] = v.String()
		case bool:
			out[k] = strconv.FormatBool(v)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", k, err)
			}
			out[k] = string(b)
		}
	}
	return out, nil
}

// featurePoint returns the position of a Point geometry (geo has checked
// its range).
func featurePoint(g *geo.Geometry) (*geo.Point, *fieldErr) {
	if g.Type != geo.TypePoint {
		return nil, badField("geometry", "%s geometry: only Point is supported", g.Type)
	}
	return &geo.Point{Lon: g.Point[0], Lat: g.Point[1]}, nil
}
