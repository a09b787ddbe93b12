package geo

import "math"

// Point-in-polygon.
//
// A polygon is the region inside its exterior ring and outside each of its
// holes; a multipolygon contains a point when any of its polygons does
// (overlapping parts do not cancel). Each ring is tested by the even-odd
// (crossing number) rule, so ring orientation does not matter and a
// self-intersecting ring is read the even-odd way.
//
// Boundaries belong to the polygon: a point on an edge or a vertex of the
// exterior ring, or of a hole, is inside (the polygon is a closed set). So
// a point on the border shared by two admin areas lies in both, and Index
// returns both. Points on a boundary are recognised exactly in float64
// arithmetic: a point within rounding error of an edge that is not
// axis-aligned may fall either way.
//
// Coordinates are planar lon/lat degrees. A ring that crosses the
// antimeridian (179 -> -179) is read as going the long way round the
// globe; peaceops does not split such polygons.

// location is where a point lies relative to a ring.
type location int8

const (
	outside location = iota
	inside
	boundary
)

// edgeTest tests the point (x, y) against the edge a-b: onEdge when the
// point lies on it, crosses when a ray from the point towards +x crosses
// it. The half-open rule on y ((ay > y) != (by > y)) counts a vertex the
// ray passes through exactly once.
func edgeTest(ax, ay, bx, by, x, y float64) (onEdge, crosses bool) {
	if (y < ay && y < by) || (y > ay && y > by) {
		return false, false
	}
	c := (bx-ax)*(y-ay) - (by-ay)*(x-ax)
	if c == 0 {
		return x >= min(ax, bx) && x <= max(ax, bx), false
	}
	// Left of an upward edge, or right of a downward one, means the edge
	// crosses the ray to the east of the point.
	return false, (ay > y) != (by > y) && (c > 0) == (by > ay)
}

// ringLocation tests p against a closed ring edge by edge.
func ringLocation(ring [][2]float64, x, y float64) location {
	in := false
	for i := 0; i+1 < len(ring); i++ {
		on, cr := edgeTest(ring[i][0], ring[i][1], ring[i+1][0], ring[i+1][1], x, y)
		if on {
			return boundary
		}
		if cr {
			in = !in
		}
	}
	if in {
		return inside
	}
	return outside
}

func polygonContains(rings [][][2]float64, x, y float64) bool {
	if len(rings) == 0 {
		return false
	}
	switch ringLocation(rings[0], x, y) {
	case outside:
		return false
	case boundary:
		return true
	}
	for _, hole := range rings[1:] {
		switch ringLocation(hole, x, y) {
		case inside:
			return false
		case boundary:
			return true
		}
	}
	return true
}

// Contains reports whether p lies in g, boundary included (see the rules
// at the top of polygon.go: even-odd per ring, holes excluded, edges and
// vertices inside). Only a Polygon or MultiPolygon contains points; it is
// false for every other type. It tests every edge: to test many points
// against many areas, build an Index.
func (g Geometry) Contains(p Point) bool {
	for _, poly := range g.polygons() {
		if polygonContains(poly, p.Lon, p.Lat) {
			return true
		}
	}
	return false
}

// Centroid returns the area-weighted centroid of a Polygon or MultiPolygon
// (holes subtracted), computed in planar lon/lat, and the mean of the
// positions for other types. The centroid of a concave polygon may lie
// outside it; a polygon of zero area falls back to the mean of its
// positions.
func (g Geometry) Centroid() Point {
	var sumA, sumX, sumY float64
	origin, first := [2]float64{}, true
	for _, poly := range g.polygons() {
		for i, ring := range poly {
			if first && len(ring) > 0 {
				origin, first = ring[0], false
			}
			a, cx, cy := ringMoments(ring, origin)
			// Exteriors add, holes subtract, whatever their winding.
			if (i == 0) != (a > 0) {
				a, cx, cy = -a, -cx, -cy
			}
			sumA += a
			sumX += cx
			sumY += cy
		}
	}
	if sumA != 0 && !math.IsNaN(sumA) {
		return Point{Lon: origin[0] + sumX/(3*sumA), Lat: origin[1] + sumY/(3*sumA)}
	}
	var n int
	var mx, my float64
	g.eachPosition(func(p [2]float64) {
		n++
		mx += p[0]
		my += p[1]
	})
	if n == 0 {
		return Point{}
	}
	return Point{Lon: mx / float64(n), Lat: my / float64(n)}
}

// ringMoments returns twice the signed area of ring and the first moments
// (times 6, over 2) relative to origin; shifting to a nearby origin keeps
// the products small and precise.
func ringMoments(ring [][2]float64, origin [2]float64) (a2, mx, my float64) {
	for i := 0; i+1 < len(ring); i++ {
		x0, y0 := ring[i][0]-origin[0], ring[i][1]-origin[1]
		x1, y1 := ring[i+1][0]-origin[0], ring[i+1][1]-origin[1]
		c := x0*y1 - x1*y0
		a2 += c
		mx += (x0 + x1) * c
		my += (y0 + y1) * c
	}
	return a2 / 2, mx / 2, my / 2
}
