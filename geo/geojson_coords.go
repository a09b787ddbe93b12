package geo

import (
	"math"
	"strconv"
	"strings"
)

// coordParser reads the "coordinates" member of a geometry straight into
// typed slices. It is stricter than encoding/json (which would read null
// as 0 and ignore a missing latitude) and several times faster on large
// boundaries, which are mostly numbers.
type coordParser struct {
	b     []byte
	i     int
	label string   // "polygon", "multipolygon"...
	names []string // what each nesting level holds, outermost first
	idx   []int    // the index currently read at each level
}

// coordLevels names the nesting of each geometry type's coordinates.
var coordLevels = map[GeometryType][]string{
	TypePoint:           nil,
	TypeMultiPoint:      {"position"},
	TypeLineString:      {"position"},
	TypeMultiLineString: {"line", "position"},
	TypePolygon:         {"ring", "position"},
	TypeMultiPolygon:    {"polygon", "ring", "position"},
}

// parseCoordinates fills the coordinate field of g (whose Type is set and
// known) from raw, returning what is wrong with it, or "".
func parseCoordinates(g *Geometry, raw []byte) string {
	names := coordLevels[g.Type]
	p := &coordParser{b: raw, label: strings.ToLower(string(g.Type)), names: names, idx: make([]int, len(names))}
	var msg string
	switch g.Type {
	case TypePoint:
		g.Point, msg = p.position(0)
	case TypeMultiPoint:
		g.MultiPoint, msg = p.positions(0)
	case TypeLineString:
		g.LineString, msg = p.positions(0)
	case TypeMultiLineString:
		g.MultiLineString, msg = p.rings(0)
	case TypePolygon:
		g.Polygon, msg = p.rings(0)
	case TypeMultiPolygon:
		g.MultiPolygon, msg = p.polygons(0)
	}
	if msg != "" {
		return msg
	}
	if p.ws(); p.i != len(p.b) {
		return p.label + " coordinates: unexpected data after the array"
	}
	return ""
}

// where names the element being read at depth, e.g. "polygon ring 2
// position 7"; depth 0 is the coordinates array itself.
func (p *coordParser) where(depth int) string {
	var sb strings.Builder
	sb.WriteString(p.label)
	if depth == 0 && len(p.names) > 0 {
		sb.WriteString(" coordinates")
	}
	for k := 0; k < depth; k++ {
		sb.WriteString(" " + p.names[k] + " " + strconv.Itoa(p.idx[k]))
	}
	return sb.String()
}

func (p *coordParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// found describes the JSON value starting at the cursor.
func (p *coordParser) found() string {
	if p.i >= len(p.b) {
		return "the end of the input"
	}
	switch c := p.b[p.i]; {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 'n':
		return "null"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return "an unexpected character"
}

// array walks one JSON array at depth, calling elem for each element with
// its index recorded; want describes the expected array for errors.
func (p *coordParser) array(depth int, want string, elem func(k int) string) string {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return p.where(depth) + ": want " + want + ", found " + p.found()
	}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return ""
	}
	for k := 0; ; k++ {
		if depth < len(p.idx) {
			p.idx[depth] = k
		}
		if msg := elem(k); msg != "" {
			return msg
		}
		p.ws()
		if p.i >= len(p.b) {
			return p.where(depth) + ": unterminated array"
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return ""
		default:
			return p.where(depth) + ": want ',' or ']', found " + p.found()
		}
	}
}

func (p *coordParser) position(depth int) ([2]float64, string) {
	var pos [2]float64
	n := 0
	msg := p.array(depth, "an array of numbers [lon, lat]", func(k int) string {
		p.ws()
		start := p.i
		for p.i < len(p.b) && strings.IndexByte("+-.0123456789eE", p.b[p.i]) >= 0 {
			p.i++
		}
		if start == p.i {
			return p.where(depth) + ": want numbers, found " + p.found()
		}
		f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
		if err != nil && !math.IsInf(f, 0) {
			return p.where(depth) + ": " + strconv.Quote(string(p.b[start:p.i])) + " is not a number"
		}
		if math.IsInf(f, 0) {
			return p.where(depth) + ": " + string(p.b[start:p.i]) + " is not a finite number"
		}
		if k < 2 {
			pos[k] = f
		}
		n++
		return ""
	})
	if msg != "" {
		return pos, msg
	}
	if n < 2 || n > 3 {
		return pos, p.where(depth) + " has " + plural(n, "number") + ", need 2 (lon, lat) or 3 (lon, lat, altitude)"
	}
	return pos, ""
}

func (p *coordParser) positions(depth int) ([][2]float64, string) {
	out := make([][2]float64, 0, 8)
	msg := p.array(depth, "an array of positions", func(int) string {
		pos, msg := p.position(depth + 1)
		out = append(out, pos)
		return msg
	})
	return out, msg
}

func (p *coordParser) rings(depth int) ([][][2]float64, string) {
	var out [][][2]float64
	msg := p.array(depth, "an array of "+p.names[depth]+"s", func(int) string {
		r, msg := p.positions(depth + 1)
		out = append(out, r)
		return msg
	})
	return out, msg
}

func (p *coordParser) polygons(depth int) ([][][][2]float64, string) {
	var out [][][][2]float64
	msg := p.array(depth, "an array of polygons", func(int) string {
		r, msg := p.rings(depth + 1)
		out = append(out, r)
		return msg
	})
	return out, msg
}
