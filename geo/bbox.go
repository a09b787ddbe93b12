package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
)

// BBox is a longitude/latitude box, edges included. MinLon <= MaxLon: boxes
// crossing the antimeridian (RFC 7946 §5.2) are not supported. In JSON a
// BBox is the RFC 7946 array [minLon, minLat, maxLon, maxLat].
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// ParseBBox parses "minLon,minLat,maxLon,maxLat" (the ?bbox= query
// parameter; spaces around the numbers are allowed). Every problem is an
// EINVALID error carrying the field "bbox" and a message naming the
// offending value.
func ParseBBox(s string) (BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return BBox{}, bboxError("want 4 comma-separated numbers minLon,minLat,maxLon,maxLat, got %d", len(parts))
	}
	names := [4]string{"minLon", "minLat", "maxLon", "maxLat"}
	var v [4]float64
	for i, p := range parts {
		p = strings.TrimSpace(p)
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || strings.ContainsAny(p, "_xXpP") {
			if p == "" {
				return BBox{}, bboxError("%s is empty", names[i])
			}
			return BBox{}, bboxError("%s %q is not a number", names[i], p)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return BBox{}, bboxError("%s %q is not a finite number", names[i], p)
		}
		v[i] = f
	}
	b := BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
	if msg := b.problem(); msg != "" {
		return BBox{}, bboxError("%s", msg)
	}
	return b, nil
}

func bboxError(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &peaceops.Error{Code: peaceops.EINVALID, Message: "bbox: " + msg,
		Fields: []peaceops.FieldError{{Field: "bbox", Message: msg}}}
}

// problem returns what is wrong with b, or "".
func (b BBox) problem() string {
	for _, c := range []struct {
		name  string
		v     float64
		limit float64
	}{{"minLon", b.MinLon, 180}, {"minLat", b.MinLat, 90}, {"maxLon", b.MaxLon, 180}, {"maxLat", b.MaxLat, 90}} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) {
			return c.name + " is not a finite number"
		}
		if c.v < -c.limit || c.v > c.limit {
			return fmt.Sprintf("%s %g is outside %g..%g", c.name, c.v, -c.limit, c.limit)
		}
	}
	if b.MinLat > b.MaxLat {
		return fmt.Sprintf("minLat %g is greater than maxLat %g", b.MinLat, b.MaxLat)
	}
	if b.MinLon > b.MaxLon {
		return fmt.Sprintf("minLon %g is greater than maxLon %g: boxes crossing the antimeridian are not supported", b.MinLon, b.MaxLon)
	}
	return ""
}

// Validate returns an EINVALID error (field "bbox") when b has non-finite
// or out-of-range edges or a minimum above its maximum, or nil.
func (b BBox) Validate() error {
	if msg := b.problem(); msg != "" {
		return bboxError("%s", msg)
	}
	return nil
}

// String returns b in the form ParseBBox reads.
func (b BBox) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return f(b.MinLon) + "," + f(b.MinLat) + "," + f(b.MaxLon) + "," + f(b.MaxLat)
}

// Contains reports whether p lies in b, edges included.
func (b BBox) Contains(p Point) bool {
	return p.Lon >= b.MinLon && p.Lon <= b.MaxLon && p.Lat >= b.MinLat && p.Lat <= b.MaxLat
}

// Intersects reports whether b and o share at least one point (boxes that
// only touch intersect).
func (b BBox) Intersects(o BBox) bool {
	return b.MinLon <= o.MaxLon && o.MinLon <= b.MaxLon && b.MinLat <= o.MaxLat && o.MinLat <= b.MaxLat
}

// Union returns the smallest box holding b and o.
func (b BBox) Union(o BBox) BBox {
	return BBox{
		MinLon: min(b.MinLon, o.MinLon), MinLat: min(b.MinLat, o.MinLat),
		MaxLon: max(b.MaxLon, o.MaxLon), MaxLat: max(b.MaxLat, o.MaxLat),
	}
}

// Center returns the middle of b.
func (b BBox) Center() Point {
	return Point{Lon: (b.MinLon + b.MaxLon) / 2, Lat: (b.MinLat + b.MaxLat) / 2}
}

// emptyBBox is the identity of Union and extend: it contains nothing.
var emptyBBox = BBox{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}

func (b *BBox) extend(pos [2]float64) {
	b.MinLon = min(b.MinLon, pos[0])
	b.MaxLon = max(b.MaxLon, pos[0])
	b.MinLat = min(b.MinLat, pos[1])
	b.MaxLat = max(b.MaxLat, pos[1])
}

// MarshalJSON writes b as [minLon, minLat, maxLon, maxLat].
func (b BBox) MarshalJSON() ([]byte, error) {
	return json.Marshal([4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat})
}

// UnmarshalJSON reads [minLon, minLat, maxLon, maxLat] and validates it.
func (b *BBox) UnmarshalJSON(data []byte) error {
	var v []float64
	if err := json.Unmarshal(data, &v); err != nil || len(v) != 4 {
		return bboxError("want an array of 4 numbers [minLon, minLat, maxLon, maxLat]")
	}
	out := BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
	if err := out.Validate(); err != nil {
		return err
	}
	*b = out
	return nil
}
