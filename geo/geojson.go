package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/peaceops/peaceops"
)

// GeometryType names a GeoJSON geometry type.
type GeometryType string

// The geometry types peaceops reads and writes. GeometryCollection (RFC
// 7946 §3.1.8, which itself discourages it) is refused with a clear error.
const (
	TypePoint           GeometryType = "Point"
	TypeMultiPoint      GeometryType = "MultiPoint"
	TypeLineString      GeometryType = "LineString"
	TypeMultiLineString GeometryType = "MultiLineString"
	TypePolygon         GeometryType = "Polygon"
	TypeMultiPolygon    GeometryType = "MultiPolygon"
)

// Geometry is a GeoJSON geometry. Type says which one coordinate field is
// in use; the others are nil. A position is [lon, lat] in WGS84 degrees; a
// ring is closed (its last position repeats its first) and has at least 4
// positions; the first ring of a polygon is its exterior, the others are
// holes. Ring orientation is not checked (RFC 7946 §3.1.6 asks parsers not
// to reject by winding): the point-in-polygon test does not depend on it.
type Geometry struct {
	Type            GeometryType
	Point           [2]float64
	MultiPoint      [][2]float64
	LineString      [][2]float64
	MultiLineString [][][2]float64
	Polygon         [][][2]float64
	MultiPolygon    [][][][2]float64
}

// Geometry returns p as a GeoJSON Point.
func (p Point) Geometry() *Geometry {
	return &Geometry{Type: TypePoint, Point: [2]float64{p.Lon, p.Lat}}
}

// Validate returns nil when g is well formed, else an EINVALID error with
// the field "geometry" and a message naming the part at fault, e.g.
// "polygon ring 0 has 3 positions, need at least 4".
func (g Geometry) Validate() error {
	if msg := g.problem(); msg != "" {
		return geometryError(msg)
	}
	return nil
}

func geometryError(msg string) error {
	return &peaceops.Error{Code: peaceops.EINVALID, Message: "geometry: " + msg,
		Fields: []peaceops.FieldError{{Field: "geometry", Message: msg}}}
}

// problem returns what is wrong with g, or "".
func (g Geometry) problem() string {
	switch g.Type {
	case TypePoint:
		return positionProblem("point", g.Point)
	case TypeMultiPoint:
		if len(g.MultiPoint) == 0 {
			return "multipoint has no positions"
		}
		return positionsProblem("multipoint", g.MultiPoint)
	case TypeLineString:
		return lineProblem("linestring", g.LineString)
	case TypeMultiLineString:
		if len(g.MultiLineString) == 0 {
			return "multilinestring has no lines"
		}
		for i, l := range g.MultiLineString {
			if msg := lineProblem(fmt.Sprintf("multilinestring line %d", i), l); msg != "" {
				return msg
			}
		}
		return ""
	case TypePolygon:
		return polygonProblem("polygon", g.Polygon)
	case TypeMultiPolygon:
		if len(g.MultiPolygon) == 0 {
			return "multipolygon has no polygons"
		}
		for i, p := range g.MultiPolygon {
			if msg := polygonProblem(fmt.Sprintf("multipolygon polygon %d", i), p); msg != "" {
				return msg
			}
		}
		return ""
	case "":
		return "missing type"
	case "GeometryCollection":
		return "type GeometryCollection is not supported: use a Multi* geometry or one feature per geometry"
	}
	return fmt.Sprintf("unknown type %q (want Point, MultiPoint, LineString, MultiLineString, Polygon or MultiPolygon)", string(g.Type))
}

func positionProblem(where string, p [2]float64) string {
	switch {
	case math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0):
		return where + ": coordinates must be finite numbers"
	case p[0] < -180 || p[0] > 180:
		return fmt.Sprintf("%s: longitude %g is outside -180..180", where, p[0])
	case p[1] < -90 || p[1] > 90:
		return fmt.Sprintf("%s: latitude %g is outside -90..90", where, p[1])
	}
	return ""
}

func positionsProblem(where string, ps [][2]float64) string {
	for i, p := range ps {
		if msg := positionProblem(where+" position "+strconv.Itoa(i), p); msg != "" {
			return msg
		}
	}
	return ""
}

func lineProblem(where string, l [][2]float64) string {
	if len(l) < 2 {
		return fmt.Sprintf("%s has %s, need at least 2", where, plural(len(l), "position"))
	}
	return positionsProblem(where, l)
}

func polygonProblem(where string, rings [][][2]float64) string {
	if len(rings) == 0 {
		return where + " has no rings"
	}
	for i, r := range rings {
		rw := fmt.Sprintf("%s ring %d", where, i)
		if len(r) < 4 {
			return fmt.Sprintf("%s has %s, need at least 4", rw, plural(len(r), "position"))
		}
		if msg := positionsProblem(rw, r); msg != "" {
			return msg
		}
		if first, last := r[0], r[len(r)-1]; first != last {
			return fmt.Sprintf("%s is not closed: first position %s differs from last %s", rw, formatPosition(first), formatPosition(last))
		}
	}
	return ""
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func formatPosition(p [2]float64) string {
	return string(appendPosition(nil, p))
}

// BBox returns the smallest box holding every position of g, or the zero
// BBox when g has none.
func (g Geometry) BBox() BBox {
	b := emptyBBox
	g.eachPosition(b.extend)
	if b.MinLon > b.MaxLon {
		return BBox{}
	}
	return b
}

func (g Geometry) eachPosition(fn func([2]float64)) {
	each := func(ps [][2]float64) {
		for _, p := range ps {
			fn(p)
		}
	}
	switch g.Type {
	case TypePoint:
		fn(g.Point)
	case TypeMultiPoint:
		each(g.MultiPoint)
	case TypeLineString:
		each(g.LineString)
	case TypeMultiLineString:
		for _, l := range g.MultiLineString {
			each(l)
		}
	case TypePolygon:
		for _, r := range g.Polygon {
			each(r)
		}
	case TypeMultiPolygon:
		for _, p := range g.MultiPolygon {
			for _, r := range p {
				each(r)
			}
		}
	}
}

// polygons returns the polygons of a Polygon or MultiPolygon, nil for any
// other type.
func (g Geometry) polygons() [][][][2]float64 {
	switch g.Type {
	case TypePolygon:
		return [][][][2]float64{g.Polygon}
	case TypeMultiPolygon:
		return g.MultiPolygon
	}
	return nil
}

// MarshalJSON writes g as a GeoJSON geometry object. Numbers are written in
// the shortest form that reads back to the same float64, so encoding is
// deterministic and lossless. It fails on a geometry that does not
// validate.
func (g Geometry) MarshalJSON() ([]byte, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return appendGeometry(make([]byte, 0, 64), g), nil
}

func appendGeometry(b []byte, g Geometry) []byte {
	b = append(b, `{"type":"`...)
	b = append(b, g.Type...)
	b = append(b, `","coordinates":`...)
	switch g.Type {
	case TypePoint:
		b = appendPosition(b, g.Point)
	case TypeMultiPoint:
		b = appendPositions(b, g.MultiPoint)
	case TypeLineString:
		b = appendPositions(b, g.LineString)
	case TypeMultiLineString:
		b = appendRings(b, g.MultiLineString)
	case TypePolygon:
		b = appendRings(b, g.Polygon)
	case TypeMultiPolygon:
		b = append(b, '[')
		for i, p := range g.MultiPolygon {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRings(b, p)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendPosition(b []byte, p [2]float64) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, p[0], 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, p[1], 'f', -1, 64)
	return append(b, ']')
}

func appendPositions(b []byte, ps [][2]float64) []byte {
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPosition(b, p)
	}
	return append(b, ']')
}

func appendRings(b []byte, rs [][][2]float64) []byte {
	b = append(b, '[')
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPositions(b, r)
	}
	return append(b, ']')
}

// UnmarshalJSON reads a GeoJSON geometry object and validates it (see
// Validate). Positions may carry a third number (altitude), which is
// dropped; members other than "type" and "coordinates" (such as "bbox")
// are ignored. Errors are EINVALID with the field "geometry".
func (g *Geometry) UnmarshalJSON(data []byte) error {
	out, msg := decodeGeometry(data)
	if msg != "" {
		return geometryError(msg)
	}
	*g = out
	return nil
}

// decodeGeometry parses and validates one geometry object, returning what
// is wrong with it as a message.
func decodeGeometry(data []byte) (Geometry, string) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return Geometry{}, "want a JSON object with type and coordinates"
	}
	rawType, ok := members["type"]
	if !ok {
		return Geometry{}, "missing type"
	}
	var typ string
	if err := json.Unmarshal(rawType, &typ); err != nil {
		return Geometry{}, "type must be a string"
	}
	g := Geometry{Type: GeometryType(typ)}
	switch g.Type {
	case TypePoint, TypeMultiPoint, TypeLineString, TypeMultiLineString, TypePolygon, TypeMultiPolygon:
	default:
		return Geometry{}, g.problem()
	}
	coords, ok := members["coordinates"]
	if !ok {
		return Geometry{}, "missing coordinates"
	}
	if msg := parseCoordinates(&g, coords); msg != "" {
		return Geometry{}, msg
	}
	return g, g.problem()
}

// Feature is a GeoJSON feature. ID is nil, a string or a number (decoded
// as json.Number); Geometry is nil for an unlocated feature; Properties
// may be nil. Decoded numbers in Properties are json.Number, so integers
// such as P-codes keep every digit.
type Feature struct {
	ID         any
	Geometry   *Geometry
	Properties map[string]any
}

// MarshalJSON writes f as a GeoJSON Feature; a nil Geometry or Properties
// is written as null. It fails on an invalid geometry or an ID that is not
// a string or number.
func (f Feature) MarshalJSON() ([]byte, error) {
	return appendFeature(make([]byte, 0, 256), &f)
}

func appendFeature(b []byte, f *Feature) ([]byte, error) {
	b = append(b, `{"type":"Feature"`...)
	if f.ID != nil {
		id, err := marshalID(f.ID)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"id":`...)
		b = append(b, id...)
	}
	b = append(b, `,"geometry":`...)
	if f.Geometry == nil {
		b = append(b, "null"...)
	} else {
		if err := f.Geometry.Validate(); err != nil {
			return nil, err
		}
		b = appendGeometry(b, *f.Geometry)
	}
	b = append(b, `,"properties":`...)
	if f.Properties == nil {
		b = append(b, "null"...)
	} else {
		p, err := json.Marshal(f.Properties)
		if err != nil {
			return nil, fmt.Errorf("geo: feature properties: %w", err)
		}
		b = append(b, p...)
	}
	return append(b, '}'), nil
}

func marshalID(id any) ([]byte, error) {
	switch v := id.(type) {
	case string, json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, peaceops.Errorf(peaceops.EINVALID, "feature id: %v", err)
		}
		return b, nil
	}
	return nil, peaceops.Errorf(peaceops.EINVALID, "feature id must be a string or a number, not %T", id)
}

// UnmarshalJSON reads and validates one GeoJSON Feature. Errors are
// EINVALID with a field such as "geometry" or "properties".
func (f *Feature) UnmarshalJSON(data []byte) error {
	out, fe := decodeFeature(data)
	if fe != nil {
		return &peaceops.Error{Code: peaceops.EINVALID, Message: fe.Field + ": " + fe.Message, Fields: []peaceops.FieldError{*fe}}
	}
	*f = out
	return nil
}

// decodeFeature parses one feature object. A problem is returned as the
// member at fault ("feature" for the object itself) and its reason.
func decodeFeature(data []byte) (Feature, *peaceops.FieldError) {
	bad := func(field, format string, args ...any) (Feature, *peaceops.FieldError) {
		return Feature{}, &peaceops.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return bad("feature", "want a JSON object")
	}
	var typ string
	if raw, ok := members["type"]; !ok {
		return bad("type", "missing (want \"Feature\")")
	} else if err := json.Unmarshal(raw, &typ); err != nil || typ != "Feature" {
		return bad("type", "is %s, want \"Feature\"", raw)
	}
	var f Feature
	if raw, ok := members["id"]; ok && !isNull(raw) {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&f.ID); err != nil {
			return bad("id", "%v", err)
		}
		switch f.ID.(type) {
		case string, json.Number:
		default:
			return bad("id", "must be a string or a number")
		}
	}
	raw, ok := members["geometry"]
	if !ok {
		return bad("geometry", "missing (use null for a feature without a location)")
	}
	if !isNull(raw) {
		g, msg := decodeGeometry(raw)
		if msg != "" {
			return bad("geometry", "%s", msg)
		}
		f.Geometry = &g
	}
	if raw, ok := members["properties"]; ok && !isNull(raw) {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&f.Properties); err != nil {
			return bad("properties", "must be an object or null")
		}
	}
	return f, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// FeatureCollection is a whole GeoJSON FeatureCollection held in memory.
// For large collections use FeatureReader and FeatureWriter instead.
type FeatureCollection struct {
	Features []Feature
}

// MarshalJSON writes c as a GeoJSON FeatureCollection.
func (c FeatureCollection) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	w := NewFeatureWriter(&buf)
	for i := range c.Features {
		if err := w.Write(c.Features[i]); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalJSON reads and validates a GeoJSON FeatureCollection; the first
// bad feature fails it with an error such as "feature 12: geometry:
// polygon ring 0 has 3 positions, need at least 4".
func (c *FeatureCollection) UnmarshalJSON(data []byte) error {
	r := NewFeatureReader(bytes.NewReader(data))
	features := []Feature{}
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		features = append(features, f)
	}
	c.Features = features
	return nil
}
