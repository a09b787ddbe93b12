package geo

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
)

// MaxLevel is the deepest admin level stored: OCHA COD-AB go from 0
// (country) to 4 (localities, in a few countries).
const MaxLevel = 4

// Area is an administrative area known by its OCHA P-code: a country
// (level 0), a province or prefecture (1), a district or sub-prefecture
// (2) and so on. Areas are global reference data, not mission records.
//
// Country is the ISO 3166-1 alpha-3 code peaceops uses everywhere, not the
// 2-letter prefix of the P-codes (CAF, not CF). BBox is derived from
// Geometry when the area is stored. Geometry is nil in light lists
// (AreaFilter.WithGeometry false).
type Area struct {
	PCode       string        `json:"pcode"`
	Name        string        `json:"name"`
	Country     string        `json:"country"`
	Level       int           `json:"level"`
	ParentPCode string        `json:"parent_pcode,omitempty"`
	Geometry    *Geometry     `json:"geometry,omitempty"`
	BBox        BBox          `json:"bbox"`
	Centroid    Point         `json:"centroid"`
	Source      string        `json:"source"`
	ValidOn     peaceops.Date `json:"valid_on"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Version     int64         `json:"version"`
}

// Validate trims the text fields of a, computes the centroid when it is
// the zero Point, and returns every field problem as an EINVALID error, or
// nil. The geometry must be a valid Polygon or MultiPolygon.
func (a *Area) Validate() error {
	return peaceops.Invalid(a.validateFields())
}

func (a *Area) validateFields() []peaceops.FieldError {
	a.PCode = strings.TrimSpace(a.PCode)
	a.Name = strings.TrimSpace(a.Name)
	a.Country = strings.TrimSpace(a.Country)
	a.ParentPCode = strings.TrimSpace(a.ParentPCode)
	var errs []peaceops.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, peaceops.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if msg := pcodeProblem(a.PCode); msg != "" {
		add("pcode", "%s", msg)
	}
	switch {
	case a.Name == "":
		add("name", "required")
	case utf8.RuneCountInString(a.Name) > 200:
		add("name", "longer than 200 characters")
	}
	if _, ok := CountryName(a.Country); !ok {
		add("country", "%q is not an ISO 3166-1 alpha-3 code (e.g. CAF)", a.Country)
	}
	if a.Level < 0 || a.Level > MaxLevel {
		add("level", "%d is outside 0..%d", a.Level, MaxLevel)
	}
	switch {
	case a.Level == 0 && a.ParentPCode != "":
		add("parent_pcode", "a level 0 area (a country) has no parent")
	case a.ParentPCode == "":
	case a.ParentPCode == a.PCode:
		add("parent_pcode", "an area cannot be its own parent")
	default:
		if msg := pcodeProblem(a.ParentPCode); msg != "" {
			add("parent_pcode", "%s", msg)
		}
	}
	switch {
	case a.Geometry == nil:
		add("geometry", "required")
	case a.Geometry.Type != TypePolygon && a.Geometry.Type != TypeMultiPolygon:
		add("geometry", "is a %s, want Polygon or MultiPolygon", a.Geometry.Type)
	default:
		if msg := a.Geometry.problem(); msg != "" {
			add("geometry", "%s", msg)
		} else if a.Centroid == (Point{}) {
			a.Centroid = a.Geometry.Centroid()
		}
	}
	if err := a.Centroid.Validate(); err != nil {
		add("centroid", "%v", err)
	}
	if utf8.RuneCountInString(a.Source) > 500 {
		add("source", "longer than 500 characters")
	}
	return errs
}

// pcodeProblem says what is wrong with a P-code, or "". P-codes are
// letters and digits (CF, CF62, CF6111); '-', '_' and '.' are allowed for
// codes from other gazetteers.
func pcodeProblem(s string) string {
	if s == "" {
		return "required"
	}
	if len(s) > 32 {
		return "longer than 32 characters"
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Sprintf("%q has a character other than letters, digits, '-', '_' and '.'", s)
		}
	}
	return ""
}

// AreaFilter selects admin areas for FindAreas. Zero fields do not filter.
type AreaFilter struct {
	Country string // ISO alpha-3
	Level   *int
	Parent  string // P-code of the parent: its direct children
	// Query matches a substring of the name or the P-code, ignoring case
	// and accents ("kemo" finds Kémo).
	Query string
	// WithGeometry loads the boundaries; lists leave them out by default.
	WithGeometry bool
	After        string // P-code cursor: areas after it in P-code order
	Limit        int    // at most this many; 0 means no limit
}

// Validate returns every field problem of f as an EINVALID error, or nil.
func (f *AreaFilter) Validate() error {
	var errs []peaceops.FieldError
	if f.Country != "" {
		if _, ok := CountryName(f.Country); !ok {
			errs = append(errs, peaceops.FieldError{Field: "country", Message: fmt.Sprintf("%q is not an ISO 3166-1 alpha-3 code (e.g. CAF)", f.Country)})
		}
	}
	if f.Level != nil && (*f.Level < 0 || *f.Level > MaxLevel) {
		errs = append(errs, peaceops.FieldError{Field: "level", Message: fmt.Sprintf("%d is outside 0..%d", *f.Level, MaxLevel)})
	}
	if f.Limit < 0 {
		errs = append(errs, peaceops.FieldError{Field: "limit", Message: "must not be negative"})
	}
	return peaceops.Invalid(errs)
}

// ImportResult counts what an import did, by P-code.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// fold lowers s and strips the diacritics of Latin letters, for searches
// that ignore case and accents (French and Portuguese place names).
func fold(s string) string {
	s = strings.ToLower(s)
	var sb strings.Builder
	sb.Grow(len(s))
	for _, c := range s {
		if r, ok := foldTable[c]; ok {
			sb.WriteString(r)
		} else {
			sb.WriteRune(c)
		}
	}
	return sb.String()
}

var foldTable = func() map[rune]string {
	m := map[rune]string{'æ': "ae", 'œ': "oe", 'ß': "ss", '’': "'", 'ʼ': "'", '`': "'"}
	for base, accented := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥħ",
		"i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ", "l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő",
		"r": "ŕŗř", "s": "śŝşšș", "t": "ţťŧț", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ", "z": "źżž",
	} {
		for _, c := range accented {
			m[c] = base
		}
	}
	return m
}()
