package events

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// HXL reader: any CSV with a row of HXL hashtags (hxlstandard.org), with or
// without a text header above it. Columns are matched by hashtag and
// attributes, in any order, case-insensitively; the first matching column
// wins. What the reader understands:
//
//	#event+id                        peaceops ID (a ULID; anything else is taken as the source id)
//	#meta+id, #event+code            source id (required in every row without a peaceops ID when the column exists)
//	#meta+provenance                 provenance (Source), taken as is; without the column "hxl" or "hxl:<name>"
//	#meta+mission                    mission code
//	#event+type [+ #event+type+sub]  taxonomy code, ACLED event type + sub-event type, or a label (en/fr)
//	#description+title, #description title, narrative
//	#date+start (or #date+occurred, or #date), #date+end, #date+year, #date+precision
//	#geo+lat, #geo+lon, #geo+precision, #loc+name
//	#country+code (alpha-3 or ISO numeric), #country+name
//	#adm1+code, #adm1+name, #adm1+name+official (and adm2 alike)
//	#group+json, or #group+name[+first|+second|+perpetrator|+target|+involved|+assoc|+side_a|+side_b]
//	#affected+killed[+low|+high], #affected+killed+civilians…, #affected+killed+peacekeepers…, #affected+injured…
//	#status, #status+by, #status+date, #status+reason
//	#meta+classification, #meta+sources+json or #meta+source, #meta+attrs+json, #meta+flags
//	#date+created, #date+updated, #meta+version
//
// Every other non-empty cell, tagged or not, is kept in SourceAttrs under
// its header text (or its hashtag when there is no header). A file that
// has a #meta+flags column is a peaceops export: its flags are taken as
// they are and the reader adds none of its own.

// hxlMaxHeaderRows is how far down the reader looks for the hashtag row.
const hxlMaxHeaderRows = 25

type hxlReader struct {
	tab   *table
	tags  []hxlTag
	keys  []string // SourceAttrs key of each column
	used  []bool   // columns read into fields
	c     hxlCols
	cfg   readConfig
	seen  dedup
	trust bool // a peaceops export: take its flags, add none
}

// hxlCols are the column indexes of the fields (-1 when absent).
type hxlCols struct {
	id, sourceID, provenance, mission, typ, sub, title, narrative   int
	start, end, year, precision, lat, lon, geoPrecision, place      int
	countryCode, countryName, adm1Code, adm1Name, adm1Off           int
	adm2Code, adm2Name, adm2Off, actorsJSON                         int
	status, verBy, verAt, verReason, classification                 int
	sourcesJSON, sourceNames, attrsJSON, flags, created, updated, v int
	groups                                                          []int
	counts                                                          [4][3]int // fatalities, civilian, peacekeeper, injuries x low, best, high
}

func newHXLReader(br *bufio.Reader, cfg readConfig) (Reader, error) {
	tab := newTable(br)
	var prev []string
	for i := 0; ; i++ {
		rec, err := tab.r.Read()
		if errors.Is(err, io.EOF) || i >= hxlMaxHeaderRows {
			return nil, peaceops.Errorf(peaceops.EINVALID, "events: not an HXL file: no row of hashtags in the first %d rows", hxlMaxHeaderRows)
		}
		if err != nil {
			return nil, peaceops.Errorf(peaceops.EINVALID, "events: cannot read the HXL header: %v", err)
		}
		if isHashtagRow(rec) {
			tab.setHeader(rec)
			h := &hxlReader{tab: tab, cfg: cfg, seen: dedup{}}
			h.setColumns(rec, prev)
			tab.offset = tab.r.InputOffset()
			return h, h.checkColumns()
		}
		prev = append(prev[:0], rec...)
	}
}

func (h *hxlReader) setColumns(tags, header []string) {
	n := len(tags)
	h.tags = make([]hxlTag, n)
	h.keys = make([]string, n)
	h.used = make([]bool, n)
	for i, s := range tags {
		h.tags[i], _ = parseHashtag(s)
		if i < len(header) && strings.TrimSpace(header[i]) != "" {
			h.keys[i] = strings.ToLower(strings.TrimSpace(header[i]))
		} else {
			h.keys[i] = strings.TrimSpace(s)
		}
	}
	c := &h.c
	c.id = h.find("event", []string{"id"}, nil)
	c.sourceID = h.first(h.find("meta", []string{"id"}, nil), h.find("event", []string{"code"}, nil))
	c.provenance = h.find("meta", []string{"provenance"}, nil)
	c.mission = h.find("meta", []string{"mission"}, nil)
	c.typ = h.find("event", []string{"type"}, []string{"sub"})
	c.sub = h.find("event", []string{"type", "sub"}, nil)
	c.title = h.find("description", []string{"title"}, nil)
	c.narrative = h.find("description", nil, []string{"title"})
	notEventDate := []string{"end", "year", "precision", "created", "updated", "reported", "verified", "epoch"}
	c.start = h.first(h.find("date", []string{"start"}, nil), h.find("date", []string{"occurred"}, nil), h.find("date", nil, notEventDate))
	c.end = h.find("date", []string{"end"}, nil)
	c.year = -1
	if c.start < 0 {
		c.year = h.find("date", []string{"year"}, nil)
	}
	c.precision = h.find("date", []string{"precision"}, nil)
	c.lat = h.find("geo", []string{"lat"}, nil)
	c.lon = h.find("geo", []string{"lon"}, nil)
	c.geoPrecision = h.find("geo", []string{"precision"}, nil)
	c.place = h.find("loc", []string{"name"}, nil)
	c.countryCode = h.find("country", []string{"code"}, nil)
	c.countryName = h.find("country", []string{"name"}, nil)
	c.adm1Code = h.find("adm1", []string{"code"}, nil)
	c.adm1Off = h.find("adm1", []string{"name", "official"}, nil)
	c.adm1Name = h.find("adm1", []string{"name"}, []string{"official"})
	c.adm2Code = h.find("adm2", []string{"code"}, nil)
	c.adm2Off = h.find("adm2", []string{"name", "official"}, nil)
	c.adm2Name = h.find("adm2", []string{"name"}, []string{"official"})
	c.actorsJSON = h.find("group", []string{"json"}, nil)
	c.groups = nil
	if c.actorsJSON < 0 {
		for i, t := range h.tags {
			if t.tag == "group" && t.has("name") {
				c.groups = append(c.groups, i)
				h.used[i] = true
			}
		}
	}
	for k, sel := range []struct {
		tag, attr string
		not       []string
	}{
		{"affected", "killed", []string{"civilians", "peacekeepers"}},
		{"affected", "civilians", nil},
		{"affected", "peacekeepers", nil},
		{"affected", "injured", nil},
	} {
		with := []string{sel.attr}
		if k == 1 || k == 2 {
			with = []string{"killed", sel.attr}
		}
		c.counts[k][0] = h.find(sel.tag, append(with, "low"), sel.not)
		c.counts[k][1] = h.find(sel.tag, with, append([]string{"low", "high"}, sel.not...))
		c.counts[k][2] = h.find(sel.tag, append(with, "high"), sel.not)
	}
	c.status = h.find("status", nil, []string{"by", "date", "reason"})
	c.verBy = h.find("status", []string{"by"}, nil)
	c.verAt = h.find("status", []string{"date"}, nil)
	c.verReason = h.find("status", []string{"reason"}, nil)
	c.classification = h.find("meta", []string{"classification"}, nil)
	c.sourcesJSON = h.find("meta", []string{"sources", "json"}, nil)
	c.sourceNames = -1
	if c.sourcesJSON < 0 {
		c.sourceNames = h.find("meta", []string{"source"}, nil)
	}
	c.attrsJSON = h.find("meta", []string{"attrs", "json"}, nil)
	c.flags = h.find("meta", []string{"flags"}, nil)
	c.created = h.find("date", []string{"created"}, nil)
	c.updated = h.find("date", []string{"updated"}, nil)
	c.v = h.find("meta", []string{"version"}, nil)
	h.trust = c.flags >= 0
}

// find returns the first column tagged tag with every attribute of with
// and none of without, marking it used; -1 when there is none.
func (h *hxlReader) find(tag string, with, without []string) int {
	for i, t := range h.tags {
		if t.tag != tag {
			continue
		}
		ok := true
		for _, a := range with {
			ok = ok && t.has(a)
		}
		for _, a := range without {
			ok = ok && !t.has(a)
		}
		if ok {
			h.used[i] = true
			return i
		}
	}
	return -1
}

// first returns the first of cols that is not -1, releasing the others.
func (h *hxlReader) first(cols ...int) int {
	found := -1
	for _, c := range cols {
		switch {
		case c < 0:
		case found < 0:
			found = c
		case c != found:
			h.used[c] = false
		}
	}
	return found
}

func (h *hxlReader) checkColumns() error {
	var missing []string
	if h.c.start < 0 && h.c.year < 0 {
		missing = append(missing, "#date (or #date+start, #date+year)")
	}
	if h.c.typ < 0 && h.cfg.defaultType == "" {
		missing = append(missing, "#event+type (or give a default type)")
	}
	if len(missing) > 0 {
		return peaceops.Errorf(peaceops.EINVALID, "events: HXL file lacks %s", strings.Join(missing, " and "))
	}
	return nil
}

func (h *hxlReader) Next() (Event, error) {
	rec, err := h.tab.next()
	if err != nil {
		return Event{}, err
	}
	e, ferr := h.event(rec)
	if ferr != nil {
		return Event{}, h.tab.rowErr(ferr.field, "%s", ferr.msg)
	}
	if e.ID != "" {
		if first, dup := h.seen.check("id:"+e.ID, h.tab.line); dup {
			return Event{}, h.tab.rowErr(h.colName(h.c.id), "duplicate ID %s (first on line %d)", e.ID, first)
		}
	}
	if e.SourceID != "" {
		if first, dup := h.seen.check("source:"+e.SourceID, h.tab.line); dup {
			return Event{}, h.tab.rowErr(h.colName(h.c.sourceID), "duplicate id %s (first on line %d)", e.SourceID, first)
		}
	}
	return e, nil
}

// colName names column i in errors: its hashtag.
func (h *hxlReader) colName(i int) string {
	if i < 0 || i >= len(h.tags) {
		return ""
	}
	t := "#" + h.tags[i].tag
	for _, a := range h.tags[i].attrs {
		t += "+" + a
	}
	return t
}

func (h *hxlReader) event(rec []string) (Event, *fieldErr) {
	cell := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	e := Event{
		Status:         StatusReported,
		Classification: peaceops.Internal,
		SourceAttrs:    map[string]string{},
	}
	for _, f := range strings.Split(cell(h.c.flags), ";") {
		if f = strings.TrimSpace(f); f != "" {
			e.AddFlag(f)
		}
	}
	steps := []func(*Event, func(int) string) *fieldErr{
		h.identity, h.kind, h.when, h.where, h.who, h.harm, h.assessment, h.provenance,
	}
	for _, step := range steps {
		if err := step(&e, cell); err != nil {
			return e, err
		}
	}
	for i, v := range rec {
		if v = strings.TrimSpace(v); v != "" && !h.used[i] && h.keys[i] != "" {
			if _, dup := e.SourceAttrs[h.keys[i]]; !dup {
				e.SourceAttrs[h.keys[i]] = v
			}
		}
	}
	if e.Title == "" {
		e.Title = h.title(&e)
	}
	return e, checkImported(&e)
}

func (h *hxlReader) identity(e *Event, cell func(int) string) *fieldErr {
	id := cell(h.c.id)
	switch {
	case peaceops.ValidID(id):
		e.ID = id
	case id != "" && h.c.sourceID < 0:
		e.SourceID = id
	case id != "":
		e.SourceAttrs[h.keys[h.c.id]] = id
	}
	if h.c.sourceID >= 0 {
		// A peaceops event entered by hand has its ID and no source id.
		if e.SourceID = cell(h.c.sourceID); e.SourceID == "" && e.ID == "" {
			return badField(h.colName(h.c.sourceID), "is required")
		}
	}
	e.Mission = cell(h.c.mission)
	return nil
}

func (h *hxlReader) kind(e *Event, cell func(int) string) *fieldErr {
	v := cell(h.c.typ)
	switch t, ok := hxlType(v, cell(h.c.sub)); {
	case ok:
		e.Type = t
	case v == "" && h.cfg.defaultType != "":
		e.Type = h.cfg.defaultType
	case v == "":
		return badField(h.colName(h.c.typ), "is required")
	default:
		return badField(h.colName(h.c.typ), "%q is not a type of the event taxonomy, an ACLED event type or a type label", v)
	}
	e.Title = truncate(cell(h.c.title), MaxTitle)
	e.Narrative = truncate(cell(h.c.narrative), MaxNarrative)
	return nil
}

// hxlType resolves a type cell: a taxonomy code, an ACLED event type with
// its sub-event type, or an English or French label.
func hxlType(v, sub string) (Type, bool) {
	if t := Type(strings.TrimSpace(v)); t.Valid() {
		return t, true
	}
	if sub != "" {
		if t, ok := TypeFromACLED(v, sub); ok {
			return t, true
		}
	}
	if t, ok := TypeFromLabel(v); ok {
		return t, true
	}
	return TypeFromLabel(sub)
}

func (h *hxlReader) when(e *Event, cell func(int) string) *fieldErr {
	var implied DatePrecision
	switch {
	case cell(h.c.start) != "":
		start, p, err := parseDate(h.colName(h.c.start), cell(h.c.start))
		if err != nil {
			return err
		}
		e.Start, implied = start, p
	case cell(h.c.year) != "":
		y, ok := parseSmallInt(cell(h.c.year))
		if !ok || y < 1800 || y > 2200 {
			return badField(h.colName(h.c.year), "%q is not a year", cell(h.c.year))
		}
		e.Start, implied = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), DateYear
	default:
		return badField(h.colName(h.first(h.c.start, h.c.year)), "is required")
	}
	switch implied {
	case DateMonth:
		e.End = e.Start.AddDate(0, 1, -1)
	case DateYear:
		e.End = e.Start.AddDate(1, 0, -1)
	default:
		e.End = e.Start
	}
	if v := cell(h.c.end); v != "" {
		end, p, err := parseDate(h.colName(h.c.end), v)
		if err != nil {
			return err
		}
		switch p {
		case DateMonth:
			end = end.AddDate(0, 1, -1)
		case DateYear:
			end = end.AddDate(1, 0, -1)
		}
		e.End = end
		if implied == DateDay && !end.Equal(e.Start) {
			implied = precisionOfSpan(e.Start, end)
		}
	}
	if v := cell(h.c.precision); v != "" {
		if p := DatePrecision(strings.ToLower(v)); p.Valid() {
			implied = p
		} else {
			return badField(h.colName(h.c.precision), "%q is not one of exact, day, days, week, month, year", v)
		}
	}
	e.DatePrecision = implied
	if e.End.Before(e.Start) && !h.trust {
		e.AddFlag(FlagDateEndBeforeStart)
	}
	return nil
}

func (h *hxlReader) where(e *Event, cell func(int) string) *fieldErr {
	p, err := parsePoint(h.colName(h.c.lat), cell(h.c.lat), h.colName(h.c.lon), cell(h.c.lon))
	if err != nil {
		return err
	}
	if e.Location = p; p == nil && !h.trust {
		e.AddFlag(FlagMissingCoordinates)
	}
	if v := cell(h.c.geoPrecision); v != "" {
		if e.LocationPrecision = LocationPrecision(strings.ToLower(v)); !e.LocationPrecision.Valid() {
			return badField(h.colName(h.c.geoPrecision), "%q is not one of exact, near, admin2, admin1, area, country, international", v)
		}
	}
	e.PlaceName = truncate(cell(h.c.place), MaxName)
	e.Admin1 = AdminRef{PCode: cell(h.c.adm1Code), Name: cell(h.c.adm1Off)}
	e.Admin2 = AdminRef{PCode: cell(h.c.adm2Code), Name: cell(h.c.adm2Off)}
	e.SourceAdmin1 = truncate(cell(h.c.adm1Name), MaxName)
	e.SourceAdmin2 = truncate(cell(h.c.adm2Name), MaxName)

	code, name := strings.ToUpper(cell(h.c.countryCode)), cell(h.c.countryName)
	if code == "" && name == "" {
		return nil
	}
	iso, ok := "", false
	if _, known := geo.CountryName(code); known {
		iso, ok = code, true
	} else if code != "" {
		iso, ok = countryByISONumeric(code)
	}
	if code != "" && !ok {
		e.SourceAttrs[h.keys[h.c.countryCode]] = cell(h.c.countryCode)
	}
	if name != "" {
		e.SourceAttrs[h.keys[h.c.countryName]] = name
	}
	if h.trust {
		e.Country = iso
		return nil
	}
	resolveCountry(e, iso, ok, name)
	return nil
}

// groupRoles maps HXL #group attributes to actor roles.
var groupRoles = map[string]ActorRole{
	"first": RoleSideA, "side_a": RoleSideA, "second": RoleSideB, "side_b": RoleSideB,
	"perpetrator": RolePerpetrator, "target": RoleTarget, "involved": RoleInvolved,
}

func (h *hxlReader) who(e *Event, cell func(int) string) *fieldErr {
	if h.c.actorsJSON >= 0 {
		if v := cell(h.c.actorsJSON); v != "" {
			if err := json.Unmarshal([]byte(v), &e.Actors); err != nil {
				return badField(h.colName(h.c.actorsJSON), "is not a JSON list of actors: %v", err)
			}
		}
		return nil
	}
	for _, i := range h.c.groups {
		role := RoleInvolved
		if !h.tags[i].has("assoc") {
			for _, a := range h.tags[i].attrs {
				if r, ok := groupRoles[a]; ok {
					role = r
					break
				}
			}
		}
		for _, name := range splitList(cell(i)) {
			e.Actors = append(e.Actors, ActorRef{Name: truncate(name, MaxName), Role: role})
		}
	}
	return nil
}

func (h *hxlReader) harm(e *Event, cell func(int) string) *fieldErr {
	dst := []*Count{&e.Fatalities, &e.CivilianFatalities, &e.PeacekeeperFatalities, &e.Injuries}
	for k, cols := range h.c.counts {
		var v [3]int
		var given [3]bool
		for j, col := range cols {
			if s := cell(col); s != "" {
				n, err := parseCount(h.colName(col), s)
				if err != nil {
					return err
				}
				v[j], given[j] = n, true
			}
		}
		if !given[0] {
			v[0] = v[1]
		}
		if !given[2] {
			v[2] = v[1]
		}
		*dst[k] = Count{Low: v[0], Best: v[1], High: v[2]}
	}
	if !h.trust {
		checkCounts(e)
	}
	return nil
}

func (h *hxlReader) assessment(e *Event, cell func(int) string) *fieldErr {
	if v := cell(h.c.status); v != "" {
		if e.Status = Status(strings.ToLower(v)); !e.Status.Valid() {
			return badField(h.colName(h.c.status), "%q is not one of reported, verified, disputed, rejected", v)
		}
	}
	if by, at, why := cell(h.c.verBy), cell(h.c.verAt), cell(h.c.verReason); by != "" || at != "" || why != "" {
		e.Verification = &Verification{By: by, Reason: why}
		if at != "" {
			t, _, err := parseDate(h.colName(h.c.verAt), at)
			if err != nil {
				return err
			}
			e.Verification.At = t
		}
	}
	if v := cell(h.c.classification); v != "" {
		c, err := peaceops.ParseClassification(strings.ToLower(v))
		if err != nil {
			return badField(h.colName(h.c.classification), "%q is not public, internal, confidential or strictly-confidential", v)
		}
		e.Classification = c
	}
	if h.c.sourcesJSON >= 0 {
		if v := cell(h.c.sourcesJSON); v != "" {
			if err := json.Unmarshal([]byte(v), &e.Sources); err != nil {
				return badField(h.colName(h.c.sourcesJSON), "is not a JSON list of sources: %v", err)
			}
		}
	} else {
		for _, name := range splitList(cell(h.c.sourceNames)) {
			e.Sources = append(e.Sources, Source{Name: truncate(name, MaxName), Kind: KindOther})
		}
	}
	return nil
}

func (h *hxlReader) provenance(e *Event, cell func(int) string) *fieldErr {
	switch e.Source = cell(h.c.provenance); {
	case e.Source != "" || h.c.provenance >= 0:
	case h.cfg.name != "":
		e.Source = "hxl:" + h.cfg.name
	default:
		e.Source = "hxl"
	}
	if e.SourceID == "" && h.c.sourceID < 0 {
		e.SourceID = rowHash(cell, len(h.tags))
	}
	if v := cell(h.c.attrsJSON); v != "" {
		var attrs map[string]string
		if err := json.Unmarshal([]byte(v), &attrs); err != nil {
			return badField(h.colName(h.c.attrsJSON), "is not a JSON object of strings: %v", err)
		}
		for k, val := range attrs {
			e.SourceAttrs[k] = val
		}
	}
	for _, f := range []struct {
		col int
		dst *time.Time
	}{{h.c.created, &e.CreatedAt}, {h.c.updated, &e.UpdatedAt}} {
		if v := cell(f.col); v != "" {
			t, _, err := parseDate(h.colName(f.col), v)
			if err != nil {
				return err
			}
			*f.dst = t
		}
	}
	if v := cell(h.c.v); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return badField(h.colName(h.c.v), "%q is not a version number", v)
		}
		e.Version = n
	}
	return nil
}

// rowHash identifies a row of a file without an id column by its content,
// so re-importing the same file is idempotent.
func rowHash(cell func(int) string, n int) string {
	sum := sha256.New()
	for i := range n {
		sum.Write([]byte(cell(i)))
		sum.Write([]byte{0x1f})
	}
	return "row-" + hex.EncodeToString(sum.Sum(nil))[:20]
}

func (h *hxlReader) title(e *Event) string {
	label := string(e.Type)
	if info, ok := e.Type.Info(); ok {
		label = info.Label
	}
	if e.PlaceName != "" {
		label += ", " + e.PlaceName
	}
	return truncate(label, MaxTitle)
}
