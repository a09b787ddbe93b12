package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/peaceops/peaceops"
)

// AreaRef names an admin area found by Index.Locate.
type AreaRef struct {
	PCode       string `json:"pcode"`
	Name        string `json:"name"`
	Country     string `json:"country"`
	Level       int    `json:"level"`
	ParentPCode string `json:"parent_pcode,omitempty"`
}

// Index answers "which admin areas contain this point?" for a fixed set of
// areas. It is immutable once built and safe for concurrent use.
//
// Each polygon part of each area is a leaf of a packed R-tree (Sort-Tile-
// Recursive) over bounding boxes, so a query visits only the parts whose
// box holds the point. Each ring of a part keeps its edges bucketed in
// horizontal bands of latitude, so the crossing test reads only the edges
// of the point's band rather than the whole boundary. A point in the real
// CAR admin 1 + 2 boundaries (89 areas, 65 000 vertices) is located in
// well under a microsecond.
type Index struct {
	refs  []AreaRef
	parts []part   // the R-tree leaves
	tree  [][]node // tree[0] over parts, the last level holds the root
}

// part is one polygon of an area, prepared for repeated tests.
type part struct {
	area  int // index into refs
	box   BBox
	rings []preparedRing // exterior first
}

// node is an R-tree node: the box of children[first : first+count] of the
// level below (parts for level 0).
type node struct {
	box          BBox
	first, count int32
}

// nodeSize is the R-tree fan-out.
const nodeSize = 16

// NewIndex builds an index over areas. Every area needs a valid Polygon or
// MultiPolygon geometry (EINVALID otherwise, naming the P-code); the other
// fields are copied into the AreaRefs that Locate returns.
func NewIndex(areas []Area) (*Index, error) {
	ix := &Index{refs: make([]AreaRef, len(areas))}
	for i := range areas {
		a := &areas[i]
		ix.refs[i] = AreaRef{PCode: a.PCode, Name: a.Name, Country: a.Country, Level: a.Level, ParentPCode: a.ParentPCode}
		if a.Geometry == nil {
			return nil, peaceops.Errorf(peaceops.EINVALID, "area %s has no geometry", a.PCode)
		}
		if err := a.Geometry.Validate(); err != nil {
			return nil, peaceops.Errorf(peaceops.EINVALID, "area %s: %s", a.PCode, peaceops.ErrorMessage(err))
		}
		polys := a.Geometry.polygons()
		if polys == nil {
			return nil, peaceops.Errorf(peaceops.EINVALID, "area %s: geometry is a %s, want Polygon or MultiPolygon", a.PCode, a.Geometry.Type)
		}
		for _, poly := range polys {
			p := part{area: i, box: emptyBBox, rings: make([]preparedRing, len(poly))}
			for j, ring := range poly {
				p.rings[j] = prepareRing(ring)
			}
			for _, pos := range poly[0] {
				p.box.extend(pos)
			}
			ix.parts = append(ix.parts, p)
		}
	}
	ix.buildTree()
	return ix, nil
}

// Len returns the number of areas in the index.
func (ix *Index) Len() int { return len(ix.refs) }

// Locate returns the areas containing p, ordered by level and then P-code:
// typically one per level that was indexed (say admin 1 then admin 2). A
// point on a border shared by two areas of one level gets both (boundaries
// belong to the polygon: see polygon.go); a point in no area gets an empty
// slice.
func (ix *Index) Locate(p Point) []AreaRef {
	var hits []int
	ix.search(p.Lon, p.Lat, func(pt *part) {
		if !slices.Contains(hits, pt.area) && pt.contains(p.Lon, p.Lat) {
			hits = append(hits, pt.area)
		}
	})
	out := make([]AreaRef, len(hits))
	for i, h := range hits {
		out[i] = ix.refs[h]
	}
	slices.SortFunc(out, func(a, b AreaRef) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), cmp.Compare(a.PCode, b.PCode))
	})
	return out
}

// LocateLevel returns the area of the given level containing p (the one
// with the lowest P-code when p lies on a shared border) and whether there
// is one.
func (ix *Index) LocateLevel(p Point, level int) (AreaRef, bool) {
	var best AreaRef
	found := false
	ix.search(p.Lon, p.Lat, func(pt *part) {
		ref := &ix.refs[pt.area]
		if ref.Level != level || (found && ref.PCode >= best.PCode) {
			return
		}
		if pt.contains(p.Lon, p.Lat) {
			best, found = *ref, true
		}
	})
	return best, found
}

// search calls fn for every part whose box holds (x, y).
func (ix *Index) search(x, y float64, fn func(*part)) {
	if len(ix.tree) == 0 || math.IsNaN(x) || math.IsNaN(y) {
		return
	}
	var walk func(level int, n *node)
	walk = func(level int, n *node) {
		for i := n.first; i < n.first+n.count; i++ {
			if level == 0 {
				if pt := &ix.parts[i]; boxHolds(pt.box, x, y) {
					fn(pt)
				}
				continue
			}
			if child := &ix.tree[level-1][i]; boxHolds(child.box, x, y) {
				walk(level-1, child)
			}
		}
	}
	top := len(ix.tree) - 1
	for i := range ix.tree[top] {
		if root := &ix.tree[top][i]; boxHolds(root.box, x, y) {
			walk(top, root)
		}
	}
}

func boxHolds(b BBox, x, y float64) bool {
	return x >= b.MinLon && x <= b.MaxLon && y >= b.MinLat && y <= b.MaxLat
}

// buildTree packs the parts bottom-up with Sort-Tile-Recursive: sort by
// box centre longitude, cut into vertical slices, sort each slice by
// latitude and group runs of nodeSize. Leaves are reordered in place.
func (ix *Index) buildTree() {
	if len(ix.parts) == 0 {
		return
	}
	centre := func(b BBox) (float64, float64) { return (b.MinLon + b.MaxLon) / 2, (b.MinLat + b.MaxLat) / 2 }
	strSort(ix.parts, func(p part) (float64, float64) { return centre(p.box) })
	level := group(len(ix.parts), func(i int) BBox { return ix.parts[i].box })
	ix.tree = append(ix.tree, level)
	for len(level) > nodeSize {
		strSort(level, func(n node) (float64, float64) { return centre(n.box) })
		below := level
		level = group(len(below), func(i int) BBox { return below[i].box })
		ix.tree[len(ix.tree)-1] = below
		ix.tree = append(ix.tree, level)
	}
}

// strSort orders items so that consecutive runs of nodeSize are spatially
// compact tiles.
func strSort[T any](items []T, centre func(T) (float64, float64)) {
	slices.SortStableFunc(items, func(a, b T) int {
		ax, _ := centre(a)
		bx, _ := centre(b)
		return cmp.Compare(ax, bx)
	})
	leaves := (len(items) + nodeSize - 1) / nodeSize
	tiles := int(math.Ceil(math.Sqrt(float64(leaves))))
	per := tiles * nodeSize
	for lo := 0; lo < len(items); lo += per {
		s := items[lo:min(lo+per, len(items))]
		sortByY(s, centre)
	}
}

func sortByY[T any](items []T, centre func(T) (float64, float64)) {
	slices.SortStableFunc(items, func(a, b T) int {
		_, ay := centre(a)
		_, by := centre(b)
		return cmp.Compare(ay, by)
	})
}

// group makes one node per run of nodeSize consecutive children.
func group(n int, box func(int) BBox) []node {
	out := make([]node, 0, (n+nodeSize-1)/nodeSize)
	for lo := 0; lo < n; lo += nodeSize {
		hi := min(lo+nodeSize, n)
		b := emptyBBox
		for i := lo; i < hi; i++ {
			b = b.Union(box(i))
		}
		out = append(out, node{box: b, first: int32(lo), count: int32(hi - lo)})
	}
	return out
}

func (p *part) contains(x, y float64) bool {
	switch p.rings[0].locate(x, y) {
	case outside:
		return false
	case boundary:
		return true
	}
	for i := 1; i < len(p.rings); i++ {
		switch p.rings[i].locate(x, y) {
		case inside:
			return false
		case boundary:
			return true
		}
	}
	return true
}

// preparedRing is a closed ring whose edges are bucketed by latitude band:
// edge i (from pts[i] to pts[i+1]) is listed in every band its latitude
// range overlaps, so every edge that can touch or cross the horizontal
// line through a point is in that point's band.
type preparedRing struct {
	pts        [][2]float64
	minY, maxY float64
	scale      float64 // bands per degree of latitude
	start      []int32 // band k lists edges[start[k]:start[k+1]]
	edges      []int32
}

func prepareRing(pts [][2]float64) preparedRing {
	r := preparedRing{pts: pts, minY: math.Inf(1), maxY: math.Inf(-1)}
	for _, p := range pts {
		r.minY = min(r.minY, p[1])
		r.maxY = max(r.maxY, p[1])
	}
	nEdges := len(pts) - 1
	bands := max(1, min(nEdges/2, 1<<16))
	if r.maxY > r.minY {
		r.scale = float64(bands) / (r.maxY - r.minY)
	}
	if math.IsInf(r.scale, 0) { // a ring of subnormal height: one band
		bands, r.scale = 1, 0
	}
	edgeBands := func(i int) (int, int) {
		return r.band(min(pts[i][1], pts[i+1][1])), r.band(max(pts[i][1], pts[i+1][1]))
	}
	r.start = make([]int32, bands+1)
	for i := 0; i < nEdges; i++ {
		lo, hi := edgeBands(i)
		for k := lo; k <= hi; k++ {
			r.start[k+1]++
		}
	}
	for k := 1; k <= bands; k++ {
		r.start[k] += r.start[k-1]
	}
	r.edges = make([]int32, r.start[bands])
	fill := slices.Clone(r.start[:bands])
	for i := 0; i < nEdges; i++ {
		lo, hi := edgeBands(i)
		for k := lo; k <= hi; k++ {
			r.edges[fill[k]] = int32(i)
			fill[k]++
		}
	}
	return r
}

// band returns the band of latitude y, clamped to the ring's bands. It is
// monotonic in y, which is what makes the bucketing exact.
func (r *preparedRing) band(y float64) int {
	k := int((y - r.minY) * r.scale)
	return max(0, min(k, len(r.start)-2))
}

func (r *preparedRing) locate(x, y float64) location {
	if y < r.minY || y > r.maxY {
		return outside
	}
	k := r.band(y)
	in := false
	for _, e := range r.edges[r.start[k]:r.start[k+1]] {
		a, b := r.pts[e], r.pts[e+1]
		on, cr := edgeTest(a[0], a[1], b[0], b[1], x, y)
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

// String describes the index for logs.
func (ix *Index) String() string {
	return fmt.Sprintf("geo.Index{areas: %d, parts: %d, levels: %d}", len(ix.refs), len(ix.parts), len(ix.tree))
}
