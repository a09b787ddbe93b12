package geo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
)

// ImportOptions tells ReadAreas what the features of a boundaries file
// are. The property names default to those of the OCHA COD-AB GeoJSON
// (HDX standardized edition): adm{L}_pcode, adm{L}_name, adm{L-1}_pcode,
// valid_on, center_lon, center_lat, iso3. Set them to read any other
// GeoJSON of admin boundaries.
type ImportOptions struct {
	// Country is the ISO 3166-1 alpha-3 code of every area (CAF). COD-AB
	// P-codes start with a 2-letter code (CF) that is not used for this.
	Country string
	// Level is the admin level of every feature, 0..MaxLevel.
	Level int
	// Source is the provenance stored with every area, e.g. "OCHA COD-AB
	// caf_admin2.geojson".
	Source string

	PCodeProperty  string // default "adm{Level}_pcode"
	NameProperty   string // default "adm{Level}_name"
	ParentProperty string // default "adm{Level-1}_pcode"; none at level 0
	// ValidOnProperty names a date (YYYY-MM-DD, or a timestamp starting
	// with one); default "valid_on".
	ValidOnProperty string
	// CentroidLonProperty and CentroidLatProperty name a representative
	// point; default "center_lon" and "center_lat". When absent the
	// centroid is computed from the geometry.
	CentroidLonProperty, CentroidLatProperty string
	// CountryProperty names a property holding the alpha-3 code, checked
	// against Country when present; default "iso3".
	CountryProperty string
}

func (o *ImportOptions) defaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.PCodeProperty, fmt.Sprintf("adm%d_pcode", o.Level))
	def(&o.NameProperty, fmt.Sprintf("adm%d_name", o.Level))
	if o.Level > 0 {
		def(&o.ParentProperty, fmt.Sprintf("adm%d_pcode", o.Level-1))
	}
	def(&o.ValidOnProperty, "valid_on")
	def(&o.CentroidLonProperty, "center_lon")
	def(&o.CentroidLatProperty, "center_lat")
	def(&o.CountryProperty, "iso3")
}

// maxReported caps the field problems one import reports.
const maxReported = 100

// ReadAreas reads the admin areas of one level from a GeoJSON
// FeatureCollection, streaming it feature by feature. It is all or
// nothing: when any feature is bad it returns no areas and an EINVALID
// error listing up to 100 problems, each with its feature index and
// property (field "features[12].properties.adm2_pcode", message
// "missing"), and a message quoting the first. P-codes that repeat within
// the file are errors. A missing parent P-code is allowed (generic files
// often have none); a missing centroid is computed.
func ReadAreas(r io.Reader, opts ImportOptions) ([]Area, error) {
	var errs []peaceops.FieldError
	if _, ok := CountryName(opts.Country); !ok {
		errs = append(errs, peaceops.FieldError{Field: "country", Message: fmt.Sprintf("%q is not an ISO 3166-1 alpha-3 code (e.g. CAF)", opts.Country)})
	}
	if opts.Level < 0 || opts.Level > MaxLevel {
		errs = append(errs, peaceops.FieldError{Field: "level", Message: fmt.Sprintf("%d is outside 0..%d", opts.Level, MaxLevel)})
	}
	if err := peaceops.Invalid(errs); err != nil {
		return nil, err
	}
	opts.defaults()
	var (
		areas   []Area
		first   string // the message of the first problem
		problem int    // how many problems in all
		seen    = map[string]int{}
	)
	report := func(err error) {
		problem++
		for _, fe := range peaceops.ErrorFields(err) {
			if len(errs) < maxReported {
				errs = append(errs, fe)
			}
		}
		if first == "" {
			first = peaceops.ErrorMessage(err)
		}
	}
	fr := NewFeatureReader(r)
	for n := 0; ; n++ {
		f, err := fr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && peaceops.ErrorFields(err) == nil {
			return nil, err // malformed JSON or a read error: nothing more to read
		}
		if err != nil {
			report(err)
			continue
		}
		a, err := areaFromFeature(n, f, &opts)
		if err != nil {
			report(err)
			continue
		}
		if prev, dup := seen[a.PCode]; dup {
			report(featureError(n, "properties."+opts.PCodeProperty, fmt.Sprintf("P-code %s repeats feature %d", a.PCode, prev)))
			continue
		}
		seen[a.PCode] = n
		areas = append(areas, a)
	}
	if problem > 0 {
		msg := first
		if problem > 1 {
			msg = fmt.Sprintf("%d problems in the features; the first: %s", problem, first)
		}
		return nil, &peaceops.Error{Code: peaceops.EINVALID, Message: msg, Fields: errs}
	}
	if len(areas) == 0 {
		return nil, peaceops.Errorf(peaceops.EINVALID, "the FeatureCollection has no features")
	}
	return areas, nil
}

// areaFromFeature maps feature n to an Area, reporting every problem of
// the feature at once.
func areaFromFeature(n int, f Feature, o *ImportOptions) (Area, error) {
	a := Area{Country: o.Country, Level: o.Level, Source: o.Source, Geometry: f.Geometry}
	var errs []peaceops.FieldError
	add := func(field, msg string) {
		path := fmt.Sprintf("features[%d].%s", n, field)
		errs = append(errs, peaceops.FieldError{Field: path, Message: msg})
	}
	prop := func(name string, required bool) string {
		s, msg := stringProperty(f.Properties, name)
		if msg == "" && required && s == "" {
			msg = "missing"
		}
		if msg != "" {
			add("properties."+name, msg)
		}
		return s
	}
	a.PCode = prop(o.PCodeProperty, true)
	a.Name = prop(o.NameProperty, true)
	if o.ParentProperty != "" {
		a.ParentPCode = prop(o.ParentProperty, false)
	}
	if iso, msg := stringProperty(f.Properties, o.CountryProperty); msg == "" && iso != "" && !strings.EqualFold(iso, o.Country) {
		add("properties."+o.CountryProperty, fmt.Sprintf("is %s, but the areas are being read for %s", iso, o.Country))
	}
	if s := prop(o.ValidOnProperty, false); s != "" {
		if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
			s = s[:10]
		}
		d, err := peaceops.ParseDate(s)
		if err != nil {
			add("properties."+o.ValidOnProperty, peaceops.ErrorMessage(err))
		}
		a.ValidOn = d
	}
	lon, lonMsg := numberProperty(f.Properties, o.CentroidLonProperty)
	lat, latMsg := numberProperty(f.Properties, o.CentroidLatProperty)
	switch {
	case lonMsg != "":
		add("properties."+o.CentroidLonProperty, lonMsg)
	case latMsg != "":
		add("properties."+o.CentroidLatProperty, latMsg)
	case lon != nil && lat != nil:
		a.Centroid = Point{Lon: *lon, Lat: *lat}
		if err := (Point{Lon: *lon}).Validate(); err != nil {
			add("properties."+o.CentroidLonProperty, err.Error())
		} else if err := (Point{Lat: *lat}).Validate(); err != nil {
			add("properties."+o.CentroidLatProperty, err.Error())
		}
	}
	if len(errs) == 0 {
		// Field names of Area map onto the feature: the properties were
		// checked above, so what remains is geometry or centroid.
		for _, fe := range a.validateFields() {
			field := fe.Field
			switch field {
			case "pcode":
				field = "properties." + o.PCodeProperty
			case "name":
				field = "properties." + o.NameProperty
			case "parent_pcode":
				field = "properties." + o.ParentProperty
			}
			add(field, fe.Message)
		}
	}
	if len(errs) == 0 {
		return a, nil
	}
	label := strings.TrimPrefix(errs[0].Field, fmt.Sprintf("features[%d].", n))
	return Area{}, &peaceops.Error{Code: peaceops.EINVALID,
		Message: fmt.Sprintf("feature %d: %s: %s", n, label, errs[0].Message), Fields: errs}
}

// stringProperty returns a text property (a number is taken as its
// digits), "" when absent or null, or what is wrong with it.
func stringProperty(props map[string]any, name string) (string, string) {
	switch v := props[name].(type) {
	case nil:
		return "", ""
	case string:
		return strings.TrimSpace(v), ""
	case json.Number:
		return v.String(), ""
	default:
		return "", fmt.Sprintf("must be a string, not %s", describeValue(v))
	}
}

// numberProperty returns a numeric property (a numeric string is
// accepted), nil when absent or null, or what is wrong with it.
func numberProperty(props map[string]any, name string) (*float64, string) {
	var s string
	switch v := props[name].(type) {
	case nil:
		return nil, ""
	case json.Number:
		s = v.String()
	case string:
		if s = strings.TrimSpace(v); s == "" {
			return nil, ""
		}
	default:
		return nil, fmt.Sprintf("must be a number, not %s", describeValue(v))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Sprintf("%q is not a number", s)
	}
	return &f, ""
}
