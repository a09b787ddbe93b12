package events

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// Import formats understood by NewReader.
const (
	FormatUCDP  = "ucdp"  // UCDP GED: v19 CSV (42 columns), v20+ CSV (49), GeoJSON, HDX HXL-tagged CSV
	FormatACLED = "acled" // ACLED's CSV export layout
	FormatHXL   = "hxl"   // any CSV with an HXL hashtag row
)

// Reader streams the events of one input. Next returns the next event; a
// *RowError when one row is bad (the reader then goes on to the next row:
// call Next again); io.EOF at the end; any other error when the input as a
// whole cannot be read further.
//
// Imports are all-or-nothing: the caller collects every row error (ReadAll
// does), shows them all, and stores nothing if there is any.
type Reader interface {
	Next() (Event, error)
}

// RowError is one bad row of an import. For CSV input Line is the physical
// line on which the row starts (the header is line 1; quoted fields may
// span lines); for GeoJSON input Line is 0 and Feature is the index of the
// feature in the "features" array, counted from 0. Field names the column
// (or GeoJSON property) at fault, empty when the row as a whole is bad.
type RowError struct {
	Line    int
	Feature int
	Field   string
	Message string
}

// MarshalJSON writes {"line": n, ...} for CSV rows and {"feature": n, ...}
// for GeoJSON features.
func (e *RowError) MarshalJSON() ([]byte, error) {
	type csvRow struct {
		Line    int    `json:"line"`
		Field   string `json:"field,omitempty"`
		Message string `json:"message"`
	}
	type feature struct {
		Feature int    `json:"feature"`
		Field   string `json:"field,omitempty"`
		Message string `json:"message"`
	}
	if e.Line == 0 {
		return json.Marshal(feature{e.Feature, e.Field, e.Message})
	}
	return json.Marshal(csvRow{e.Line, e.Field, e.Message})
}

func (e *RowError) Error() string {
	where := fmt.Sprintf("line %d", e.Line)
	if e.Line == 0 {
		where = fmt.Sprintf("feature %d", e.Feature)
	}
	if e.Field == "" {
		return where + ": " + e.Message
	}
	return where + ": " + e.Field + ": " + e.Message
}

// ReadOption adjusts a Reader.
type ReadOption func(*readConfig)

type readConfig struct {
	name        string
	defaultType Type
}

// SourceName names the input (typically its file name). HXL events whose
// file has no provenance column get Source "hxl:<name>" instead of "hxl".
func SourceName(name string) ReadOption {
	return func(c *readConfig) { c.name = name }
}

// DefaultType is the type given to HXL rows when the file has no
// #event+type column or the cell is empty. Without it such a file is
// refused.
func DefaultType(t Type) ReadOption {
	return func(c *readConfig) { c.defaultType = t }
}

// NewReader returns a Reader of format (FormatUCDP, FormatACLED or
// FormatHXL) over r. It reads the header (for UCDP, enough to tell the
// edition) and fails with an EINVALID error when the input is not in the
// format or lacks a required column.
func NewReader(format string, r io.Reader, opts ...ReadOption) (Reader, error) {
	var cfg readConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.defaultType != "" && !cfg.defaultType.Valid() {
		return nil, peaceops.Errorf(peaceops.EINVALID, "events: default type %q is not in the taxonomy", string(cfg.defaultType))
	}
	br := bufio.NewReaderSize(r, 64<<10)
	skipBOM(br)
	switch format {
	case FormatUCDP:
		return newUCDPReader(br)
	case FormatACLED:
		return newACLEDReader(br)
	case FormatHXL:
		return newHXLReader(br, cfg)
	}
	return nil, peaceops.Errorf(peaceops.EINVALID, "events: unknown import format %q (want ucdp, acled or hxl)", format)
}

// ReadAll reads r to the end. It returns the good events and every row
// error; err is set only when the input could not be read to the end.
func ReadAll(r Reader) (events []Event, rowErrs []*RowError, err error) {
	for {
		e, err := r.Next()
		var re *RowError
		switch {
		case err == nil:
			events = append(events, e)
		case errors.Is(err, io.EOF):
			return events, rowErrs, nil
		case errors.As(err, &re):
			rowErrs = append(rowErrs, re)
		default:
			return events, rowErrs, err
		}
	}
}

func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
}

// table is a CSV input read record by record with the line each record
// starts on.
type table struct {
	r       *csv.Reader
	header  []string
	keys    []string       // lower-cased, trimmed header of each column
	index   map[string]int // key -> first column
	line    int            // line of the current record
	offset  int64          // input offset after the previous record
	stalled int            // consecutive reads that made no progress
}

func newTable(r io.Reader) *table {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &table{r: cr}
}

// readHeader reads the first record as the header.
func (t *table) readHeader() error {
	rec, err := t.r.Read()
	if errors.Is(err, io.EOF) {
		return peaceops.Errorf(peaceops.EINVALID, "events: the file is empty")
	}
	if err != nil {
		return peaceops.Errorf(peaceops.EINVALID, "events: cannot read the header: %v", err)
	}
	t.setHeader(rec)
	t.offset = t.r.InputOffset()
	return nil
}

func (t *table) setHeader(rec []string) {
	t.header = append([]string(nil), rec...)
	t.keys = make([]string, len(rec))
	t.index = make(map[string]int, len(rec))
	for i, h := range rec {
		k := strings.ToLower(strings.TrimSpace(h))
		t.keys[i] = k
		if _, dup := t.index[k]; !dup && k != "" {
			t.index[k] = i
		}
	}
}

// col returns the column of name, or -1.
func (t *table) col(name string) int {
	if i, ok := t.index[name]; ok {
		return i
	}
	return -1
}

// require returns an EINVALID error naming the columns of names absent
// from the header.
func (t *table) require(format string, names ...string) error {
	var missing []string
	for _, n := range names {
		if t.col(n) < 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return peaceops.Errorf(peaceops.EINVALID, "events: not a %s file: missing column(s) %s", format, strings.Join(missing, ", "))
	}
	return nil
}

// next returns the next record. A malformed record is a *RowError; a
// record whose field count differs from the header's is one too.
func (t *table) next() ([]string, error) {
	rec, err := t.r.Read()
	off := t.r.InputOffset()
	if off == t.offset && err != nil && !errors.Is(err, io.EOF) {
		if t.stalled++; t.stalled > 2 {
			return nil, fmt.Errorf("events: the CSV reader is stuck at byte %d: %w", off, err)
		}
	} else {
		t.stalled = 0
	}
	t.offset = off
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			t.line = pe.StartLine
			return nil, &RowError{Line: pe.StartLine, Message: "malformed CSV: " + pe.Err.Error()}
		}
		return nil, err // io.EOF or a read error
	}
	t.line, _ = t.r.FieldPos(0)
	if len(rec) != len(t.header) {
		return nil, &RowError{Line: t.line, Message: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(t.header))}
	}
	for i, v := range rec {
		if !utf8.ValidString(v) {
			return nil, &RowError{Line: t.line, Field: strings.TrimSpace(t.header[i]), Message: "is not valid UTF-8 text (save the file as UTF-8)"}
		}
	}
	return rec, nil
}

// rowErr returns a *RowError for the current record.
func (t *table) rowErr(field, format string, args ...any) *RowError {
	return &RowError{Line: t.line, Field: field, Message: fmt.Sprintf(format, args...)}
}

// fieldErr is a problem with one field, placed on a line or feature by the
// reader that found it.
type fieldErr struct {
	field, msg string
}

func (e *fieldErr) Error() string { return e.field + ": " + e.msg }

func badField(field, format string, args ...any) *fieldErr {
	return &fieldErr{field: field, msg: fmt.Sprintf(format, args...)}
}

// parseCount parses a non-negative whole number. It accepts integers and
// decimals with a zero fraction ("3", "3.0", "3e0"), which converters that
// store numbers as floats write.
func parseCount(field, s string) (int, *fieldErr) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, badField(field, "is required")
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
			return 0, badField(field, "%q is not a whole number", s)
		}
		n = int(f)
	}
	if n < 0 {
		return 0, badField(field, "%d is negative", n)
	}
	if n > 1e9 {
		return 0, badField(field, "%d is implausibly large", n)
	}
	return n, nil
}

// parseSmallInt parses an optional code such as a precision; ok is false
// when s is empty or not an integer.
func parseSmallInt(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1e6 {
			return 0, false
		}
		return int(f), true
	}
	return n, true
}

// parsePoint parses a latitude and longitude. Both empty gives nil (the
// caller flags missing coordinates); one empty, unparseable or out of range
// is an error.
func parsePoint(latField, lat, lonField, lon string) (*geo.Point, *fieldErr) {
	lat, lon = strings.TrimSpace(lat), strings.TrimSpace(lon)
	if lat == "" && lon == "" {
		return nil, nil
	}
	if lat == "" {
		return nil, badField(latField, "is empty while %s is given", lonField)
	}
	if lon == "" {
		return nil, badField(lonField, "is empty while %s is given", latField)
	}
	y, err := parseCoord(lat)
	if err != nil {
		return nil, badField(latField, "%q is not a number", lat)
	}
	x, err := parseCoord(lon)
	if err != nil {
		return nil, badField(lonField, "%q is not a number", lon)
	}
	return checkPoint(latField, lonField, x, y)
}

func checkPoint(latField, lonField string, lon, lat float64) (*geo.Point, *fieldErr) {
	switch {
	case math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90:
		return nil, badField(latField, "%g is outside -90..90", lat)
	case math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180:
		return nil, badField(lonField, "%g is outside -180..180", lon)
	}
	return &geo.Point{Lon: lon, Lat: lat}, nil
}

// parseCoord parses a decimal degree. A decimal comma ("4,3667", as some
// spreadsheets export) is accepted when there is no point.
func parseCoord(s string) (float64, error) {
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	return strconv.ParseFloat(s, 64)
}

// dateLayouts are the date forms the readers accept, with the precision
// each implies on its own.
var dateLayouts = []struct {
	layout string
	prec   DatePrecision
}{
	{time.DateOnly, DateDay},
	{"2006-01-02T15:04:05Z07:00", DateExact},
	{"2006-01-02T15:04:05.999999999Z07:00", DateExact},
	{"2006-01-02T15:04:05", DateExact},
	{"2006-01-02T15:04:05.999999999", DateExact},
	{"2006-01-02 15:04:05", DateExact},
	{"2006-01-02 15:04:05.999999999", DateExact},
	{"2006-01-02T15:04Z07:00", DateExact},
	{"2 January 2006", DateDay},
	{"2-January-2006", DateDay},
	{"2 Jan 2006", DateDay},
	{"2-Jan-2006", DateDay},
	{"2006-01", DateMonth},
	{"2006", DateYear},
}

// parseDate parses s in one of the accepted forms. The result is UTC; a
// time given with an offset is converted. A time of exactly midnight is
// taken as a date (precision day): UCDP and GeoJSON converters write dates
// as "2009-02-20T00:00:00".
func parseDate(field, s string) (time.Time, DatePrecision, *fieldErr) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "", badField(field, "is required")
	}
	for _, l := range dateLayouts {
		t, err := time.Parse(l.layout, s)
		if err != nil {
			continue
		}
		if t.Year() < 1800 || t.Year() > 2200 {
			return time.Time{}, "", badField(field, "%q is out of range", s)
		}
		t = t.UTC()
		p := l.prec
		if p == DateExact && t.Equal(t.Truncate(24*time.Hour)) {
			p = DateDay
		}
		return t, p, nil
	}
	return time.Time{}, "", badField(field, "%q is not a date (want YYYY-MM-DD)", s)
}

// precisionOfSpan returns the precision a start..end range implies, for
// sources that give a range without a precision code.
func precisionOfSpan(start, end time.Time) DatePrecision {
	days := int(end.Sub(start).Hours() / 24)
	switch {
	case days <= 0:
		return DateDay
	case days <= 6:
		return DateDays
	case days == 7:
		return DateWeek
	case days <= 31:
		return DateMonth
	default:
		return DateYear
	}
}

// checkCounts flags fatalities that are not ordered low <= best <= high.
func checkCounts(e *Event) {
	if e.Fatalities.Low > e.Fatalities.Best {
		e.AddFlag(FlagLowAboveBest)
	}
	if e.Fatalities.Best > e.Fatalities.High {
		e.AddFlag(FlagBestAboveHigh)
	}
}

// splitList splits a ";"-separated list, trimming space and the quotes UCDP
// puts around each item, and drops empty items.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		part = strings.TrimSpace(strings.Trim(part, `"`))
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// checkImported holds readers to their contract: every event they return
// passes Validate once its mission is set. It returns the first problem.
func checkImported(e *Event) *fieldErr {
	c := *e
	if c.Mission == "" {
		c.Mission = "IMPORT"
	}
	if fields := peaceops.ErrorFields(c.Validate()); len(fields) > 0 {
		return &fieldErr{field: fields[0].Field, msg: fields[0].Message}
	}
	return nil
}

// dedup remembers the first line (or feature) of each source id.
type dedup map[string]int

func (d dedup) check(id string, at int) (first int, dup bool) {
	if f, ok := d[id]; ok {
		return f, true
	}
	d[id] = at
	return 0, false
}

// hxlTag is a parsed hashtag spec: "#adm1 +name" -> {adm1, [name]}.
type hxlTag struct {
	tag   string
	attrs []string
}

func (h hxlTag) has(attr string) bool { return slices.Contains(h.attrs, attr) }

// parseHashtag parses an HXL hashtag spec.
func parseHashtag(s string) (hxlTag, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "#") {
		return hxlTag{}, false
	}
	parts := strings.Split(strings.ReplaceAll(strings.ToLower(s[1:]), " ", ""), "+")
	for _, p := range parts {
		if !hxlWord(p) {
			return hxlTag{}, false
		}
	}
	return hxlTag{tag: parts[0], attrs: parts[1:]}, true
}

func hxlWord(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isHashtagRow reports whether every non-empty cell of rec is a hashtag
// spec and there is at least one.
func isHashtagRow(rec []string) bool {
	n := 0
	for _, c := range rec {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if _, ok := parseHashtag(c); !ok {
			return false
		}
		n++
	}
	return n > 0
}
