package geo_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/peaceops/peaceops/geo"
)

// squareWithHole is the square 0..10 with the hole 4..6 (the hole wound
// the other way, as RFC 7946 asks; orientation does not matter).
var squareWithHole = geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{
	{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
	{{4, 4}, {4, 6}, {6, 6}, {6, 4}, {4, 4}},
}}

// twoParts is a MultiPolygon: the square 0..2 and a triangle 5,0 7,0 6,2.
var twoParts = geo.Geometry{Type: geo.TypeMultiPolygon, MultiPolygon: [][][][2]float64{
	{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}},
	{{{5, 0}, {7, 0}, {6, 2}, {5, 0}}},
}}

// concave is a U shape: 0..6 wide, with a notch 2..4 from the top down to 2.
var concave = geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{
	{{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}, {0, 0}},
}}

type pipCase struct {
	name string
	p    geo.Point
	want bool
}

var pipCases = map[string]struct {
	g     geo.Geometry
	cases []pipCase
}{
	"SquareWithHole": {squareWithHole, []pipCase{
		{"Inside", geo.Point{Lon: 2, Lat: 2}, true},
		{"InHole", geo.Point{Lon: 5, Lat: 5}, false},
		{"Outside", geo.Point{Lon: 11, Lat: 5}, false},
		{"OutsideLeftInBand", geo.Point{Lon: -1, Lat: 5}, false},
		{"OnExteriorEdge", geo.Point{Lon: 10, Lat: 3}, true},
		{"OnExteriorBottomEdge", geo.Point{Lon: 3, Lat: 0}, true},
		{"OnExteriorVertex", geo.Point{Lon: 0, Lat: 0}, true},
		{"OnTopRightVertex", geo.Point{Lon: 10, Lat: 10}, true},
		{"OnHoleEdge", geo.Point{Lon: 4, Lat: 5}, true},
		{"OnHoleVertex", geo.Point{Lon: 6, Lat: 6}, true},
		{"BetweenHoleAndEdge", geo.Point{Lon: 8, Lat: 5}, true},
		{"LevelWithVertexInside", geo.Point{Lon: 2, Lat: 4}, true},
		{"LevelWithVertexOutside", geo.Point{Lon: -3, Lat: 10}, false},
		{"JustOutsideEdge", geo.Point{Lon: 10.000001, Lat: 5}, false},
	}},
	"MultiPolygon": {twoParts, []pipCase{
		{"InFirst", geo.Point{Lon: 1, Lat: 1}, true},
		{"InSecond", geo.Point{Lon: 6, Lat: 1}, true},
		{"Between", geo.Point{Lon: 3.5, Lat: 1}, false},
		{"OnSlantedEdge", geo.Point{Lon: 6.5, Lat: 1}, true},
		{"OnApex", geo.Point{Lon: 6, Lat: 2}, true},
		{"AboveApex", geo.Point{Lon: 6, Lat: 2.5}, false},
		{"BesideApexLevel", geo.Point{Lon: 4, Lat: 2}, false},
	}},
	"Concave": {concave, []pipCase{
		{"LeftArm", geo.Point{Lon: 1, Lat: 5}, true},
		{"Notch", geo.Point{Lon: 3, Lat: 4}, false},
		{"RightArm", geo.Point{Lon: 5, Lat: 5}, true},
		{"Base", geo.Point{Lon: 3, Lat: 1}, true},
		{"NotchFloor", geo.Point{Lon: 3, Lat: 2}, true},
		{"NotchWall", geo.Point{Lon: 4, Lat: 4}, true},
		{"LevelWithNotchFloorOutside", geo.Point{Lon: 7, Lat: 2}, false},
		{"LevelWithTopsBetween", geo.Point{Lon: 3, Lat: 6}, false},
	}},
}

func TestContains(t *testing.T) {
	for name, shape := range pipCases {
		for _, tt := range shape.cases {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				if got := shape.g.Contains(tt.p); got != tt.want {
					t.Errorf("Contains(%v) = %v, want %v", tt.p, got, tt.want)
				}
			})
		}
	}
}

func TestContainsOnlyPolygons(t *testing.T) {
	for _, g := range []*geo.Geometry{
		geo.Point{Lon: 1, Lat: 1}.Geometry(),
		{Type: geo.TypeLineString, LineString: [][2]float64{{0, 0}, {2, 2}}},
	} {
		if g.Contains(geo.Point{Lon: 1, Lat: 1}) {
			t.Errorf("a %s contains a point", g.Type)
		}
	}
}

// The index gives the same answers as the plain test, with its banded
// edges and its tree, on the table cases and on random points.
func TestIndexAgreesWithContains(t *testing.T) {
	var areas []geo.Area
	var shapes []geo.Geometry
	for name, shape := range pipCases {
		areas = append(areas, area(name, 1, "", shape.g))
		shapes = append(shapes, shape.g)
	}
	// A ring with many vertices, so that its edges spread over many bands.
	star := starPolygon(geo.Point{Lon: 20, Lat: 5}, 4, 1.5, 400)
	areas = append(areas, area("Star", 1, "", star))
	shapes = append(shapes, star)
	ix, err := geo.NewIndex(areas)
	if err != nil {
		t.Fatal(err)
	}
	check := func(p geo.Point) {
		t.Helper()
		var want []string
		for i, g := range shapes {
			if g.Contains(p) {
				want = append(want, areas[i].PCode)
			}
		}
		var got []string
		for _, r := range ix.Locate(p) {
			got = append(got, r.PCode)
		}
		slices.Sort(want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Locate(%v) = %v, Contains says %v", p, got, want)
		}
	}
	for _, shape := range pipCases {
		for _, tt := range shape.cases {
			check(tt.p)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		check(geo.Point{Lon: -1 + rng.Float64()*26, Lat: -1 + rng.Float64()*12})
	}
	// Points on the star's vertices and grid-aligned points hit boundaries.
	for _, pos := range star.Polygon[0] {
		check(geo.Point{Lon: pos[0], Lat: pos[1]})
	}
	for x := -1.0; x <= 11; x += 0.5 {
		for y := -1.0; y <= 11; y += 0.5 {
			check(geo.Point{Lon: x, Lat: y})
		}
	}
}

func TestIndexLevelsAndBorders(t *testing.T) {
	west := geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{0, 0}, {5, 0}, {5, 10}, {0, 10}, {0, 0}}}}
	east := geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{5, 0}, {10, 0}, {10, 10}, {5, 10}, {5, 0}}}}
	whole := geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}}}
	ix, err := geo.NewIndex([]geo.Area{
		area("XX2", 2, "XX1", east), area("XX1", 1, "", whole), area("XX3", 2, "XX1", west),
	})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 3 {
		t.Fatalf("Len = %d", ix.Len())
	}
	for _, tt := range []struct {
		name string
		p    geo.Point
		want []string
	}{
		{"West", geo.Point{Lon: 2, Lat: 5}, []string{"XX1", "XX3"}},
		{"East", geo.Point{Lon: 7, Lat: 5}, []string{"XX1", "XX2"}},
		{"SharedBorderInBoth", geo.Point{Lon: 5, Lat: 5}, []string{"XX1", "XX2", "XX3"}},
		{"Outside", geo.Point{Lon: 12, Lat: 5}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range ix.Locate(tt.p) {
				got = append(got, r.PCode)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Locate = %v, want %v", got, tt.want)
			}
		})
	}
	if r, ok := ix.LocateLevel(geo.Point{Lon: 5, Lat: 5}, 2); !ok || r.PCode != "XX2" || r.ParentPCode != "XX1" || r.Level != 2 {
		t.Errorf("LocateLevel on the border = %+v, %v; want XX2 (the lowest P-code)", r, ok)
	}
	if _, ok := ix.LocateLevel(geo.Point{Lon: 2, Lat: 5}, 3); ok {
		t.Error("LocateLevel found a level that was not indexed")
	}
}

func TestNewIndexErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		a    geo.Area
	}{
		{"ErrNoGeometry", geo.Area{PCode: "X1"}},
		{"ErrPoint", geo.Area{PCode: "X1", Geometry: geo.Point{Lon: 1, Lat: 1}.Geometry()}},
		{"ErrInvalid", geo.Area{PCode: "X1", Geometry: &geo.Geometry{Type: geo.TypePolygon}}},
	} {
		if _, err := geo.NewIndex([]geo.Area{tt.a}); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	ix, err := geo.NewIndex(nil)
	if err != nil || ix.Len() != 0 || len(ix.Locate(geo.Point{})) != 0 {
		t.Fatalf("empty index: %v %v", ix, err)
	}
}

func TestCentroid(t *testing.T) {
	for _, tt := range []struct {
		name string
		g    geo.Geometry
		want geo.Point
	}{
		{"Square", geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{0, 0}, {4, 0}, {4, 2}, {0, 2}, {0, 0}}}}, geo.Point{Lon: 2, Lat: 1}},
		{"Clockwise", geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{0, 0}, {0, 2}, {4, 2}, {4, 0}, {0, 0}}}}, geo.Point{Lon: 2, Lat: 1}},
		{"HoleShiftsIt", geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{
			{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{2, 0}, {4, 0}, {4, 4}, {2, 4}, {2, 0}}}}, geo.Point{Lon: 1, Lat: 2}},
		{"TwoSquares", geo.Geometry{Type: geo.TypeMultiPolygon, MultiPolygon: [][][][2]float64{
			{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}, {{{4, 0}, {6, 0}, {6, 2}, {4, 2}, {4, 0}}}}}, geo.Point{Lon: 3, Lat: 1}},
		{"Point", *geo.Point{Lon: 3, Lat: 4}.Geometry(), geo.Point{Lon: 3, Lat: 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.g.Centroid()
			if d := max(math.Abs(got.Lon-tt.want.Lon), math.Abs(got.Lat-tt.want.Lat)); d > 1e-12 {
				t.Fatalf("Centroid = %v, want %v", got, tt.want)
			}
		})
	}
}

func area(pcode string, level int, parent string, g geo.Geometry) geo.Area {
	return geo.Area{PCode: pcode, Name: "Area " + pcode, Country: "CAF", Level: level, ParentPCode: parent, Geometry: &g}
}

// starPolygon is a closed star-shaped ring of n vertices alternating
// between radii r and r/2.
func starPolygon(c geo.Point, r, aspect float64, n int) geo.Geometry {
	ring := make([][2]float64, 0, n+1)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range n {
		rad := r * (0.5 + 0.5*rng.Float64())
		a := 2 * math.Pi * float64(i) / float64(n)
		ring = append(ring, [2]float64{c.Lon + rad*math.Cos(a), c.Lat + rad*math.Sin(a)/aspect})
	}
	ring = append(ring, ring[0])
	return geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{ring}}
}
