package geo_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/internal/shareddata"
)

// bangui is a point in the centre of Bangui.
var bangui = geo.Point{Lon: 18.5582, Lat: 4.3612}

// readCOD reads one level of the real CAR COD-AB from the shared data
// folder (the test is skipped when it is absent).
func readCOD(tb testing.TB, level int) []geo.Area {
	tb.Helper()
	path := shareddata.Path(tb, "ocha-cod-ab-caf", "caf_admin"+strconv.Itoa(level)+".geojson")
	return readAreasFile(tb, path, geo.ImportOptions{Country: "CAF", Level: level, Source: "OCHA COD-AB CAF"})
}

func readAreasFile(tb testing.TB, path string, opts geo.ImportOptions) []geo.Area {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	areas, err := geo.ReadAreas(f, opts)
	if err != nil {
		tb.Fatalf("ReadAreas(%s): %v", path, err)
	}
	return areas
}

func TestReadAreasCOD(t *testing.T) {
	for _, tt := range []struct {
		level int
		n     int
	}{{0, 1}, {1, 17}, {2, 72}, {3, 175}} {
		areas := readCOD(t, tt.level)
		if len(areas) != tt.n {
			t.Errorf("admin%d: %d areas, want %d", tt.level, len(areas), tt.n)
		}
		for _, a := range areas {
			if a.Country != "CAF" || a.Level != tt.level || a.ValidOn.String() != "2015-06-15" || a.Source != "OCHA COD-AB CAF" {
				t.Fatalf("admin%d area %+v", tt.level, a)
			}
			if (tt.level == 0) != (a.ParentPCode == "") || !strings.HasPrefix(a.PCode, "CF") || !strings.HasPrefix(a.PCode, a.ParentPCode) {
				t.Fatalf("admin%d area %s has parent %q", tt.level, a.PCode, a.ParentPCode)
			}
		}
	}
	byPCode := map[string]geo.Area{}
	for _, a := range readCOD(t, 1) {
		byPCode[a.PCode] = a
	}
	b := byPCode["CF71"]
	if b.Name != "Bangui" || b.ParentPCode != "CF" || b.Centroid != (geo.Point{Lon: 18.55357255, Lat: 4.37837202}) {
		t.Errorf("CF71 = %s, parent %s, centroid %v", b.Name, b.ParentPCode, b.Centroid)
	}
	if k := byPCode["CF41"]; k.Name != "Kémo" {
		t.Errorf("CF41 is %q, want Kémo", k.Name)
	}
}

// Bangui lies in the prefecture of Bangui (CF71) and, in the real admin 2
// boundaries, in the sub-prefecture of Bangui (CF711).
func TestLocateBangui(t *testing.T) {
	t.Run("Testdata", func(t *testing.T) {
		ix := mustIndex(t, readAreasFile(t, "testdata/caf_admin1_bangui.geojson", geo.ImportOptions{Country: "CAF", Level: 1}))
		got := ix.Locate(bangui)
		if len(got) != 1 || got[0].PCode != "CF71" || got[0].Name != "Bangui" || got[0].ParentPCode != "CF" {
			t.Fatalf("Locate(Bangui) = %+v, want CF71", got)
		}
		if got := ix.Locate(geo.Point{Lon: 18.0, Lat: 4.9}); len(got) != 1 || got[0].PCode != "CF11" {
			t.Fatalf("Locate in Ombella M'Poko = %+v", got)
		}
	})
	t.Run("SharedData", func(t *testing.T) {
		ix := mustIndex(t, append(readCOD(t, 1), readCOD(t, 2)...))
		got := ix.Locate(bangui)
		if len(got) != 2 || got[0].PCode != "CF71" || got[1].PCode != "CF711" {
			t.Fatalf("Locate(Bangui) = %+v, want CF71 then CF711", got)
		}
	})
}

// The representative point of every admin 2 area of CAR (center_lat and
// center_lon) is located in that area and its parent admin 1 area. A
// centroid may fall outside a concave area; that must stay rare.
func TestLocateCentroidsCAR(t *testing.T) {
	admin1, admin2 := readCOD(t, 1), readCOD(t, 2)
	if len(admin1) != 17 || len(admin2) != 72 {
		t.Fatalf("%d admin1 and %d admin2 areas, want 17 and 72", len(admin1), len(admin2))
	}
	ix := mustIndex(t, append(append([]geo.Area{}, admin1...), admin2...))
	hits := 0
	for _, a := range admin2 {
		got := ix.Locate(a.Centroid)
		if len(got) == 2 && got[0].PCode == a.ParentPCode && got[0].Level == 1 && got[1].PCode == a.PCode && got[1].Level == 2 {
			hits++
			continue
		}
		t.Logf("centroid of %s %s (%v) located in %+v", a.PCode, a.Name, a.Centroid, got)
	}
	t.Logf("%d of %d admin 2 centroids located in their area and parent", hits, len(admin2))
	if hits*100 < 95*len(admin2) {
		t.Fatalf("only %d of %d centroids located correctly, want >= 95%%", hits, len(admin2))
	}
}

func mustIndex(tb testing.TB, areas []geo.Area) *geo.Index {
	tb.Helper()
	ix, err := geo.NewIndex(areas)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// codFeature is an admin 2 feature of the COD-AB shape with props merged
// over valid defaults; a nil value deletes a property.
func codFeature(props map[string]any, geometry string) string {
	p := map[string]any{"adm2_pcode": "CF711", "adm2_name": "Bangui", "adm1_pcode": "CF71", "valid_on": "2015-06-15",
		"center_lon": 18.55, "center_lat": 4.36, "iso3": "CAF"}
	for k, v := range props {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	if geometry == "" {
		geometry = `{"type":"Polygon","coordinates":[[[18.4,4.3],[18.7,4.3],[18.7,4.5],[18.4,4.5],[18.4,4.3]]]}`
	}
	b, _ := json.Marshal(p)
	return `{"type":"Feature","properties":` + string(b) + `,"geometry":` + geometry + `}`
}

func TestReadAreasErrors(t *testing.T) {
	opts := geo.ImportOptions{Country: "CAF", Level: 2}
	for _, tt := range []struct {
		name   string
		input  string
		opts   geo.ImportOptions
		msg    string   // the error message (exact)
		fields []string // "field: message" of every problem
	}{
		{"ErrMissingPCode", fc(codFeature(nil, ""), codFeature(map[string]any{"adm2_pcode": nil}, "")), opts,
			"feature 1: properties.adm2_pcode: missing",
			[]string{"features[1].properties.adm2_pcode: missing"}},
		{"ErrEmptyName", fc(codFeature(map[string]any{"adm2_name": " "}, "")), opts,
			"feature 0: properties.adm2_name: missing",
			[]string{"features[0].properties.adm2_name: missing"}},
		{"ErrNameNotString", fc(codFeature(map[string]any{"adm2_name": true}, "")), opts,
			"feature 0: properties.adm2_name: must be a string, not true",
			[]string{"features[0].properties.adm2_name: must be a string, not true"}},
		{"ErrBadPCode", fc(codFeature(map[string]any{"adm2_pcode": "CF 711"}, "")), opts,
			`feature 0: properties.adm2_pcode: "CF 711" has a character other than letters, digits, '-', '_' and '.'`,
			[]string{`features[0].properties.adm2_pcode: "CF 711" has a character other than letters, digits, '-', '_' and '.'`}},
		{"ErrGeometry", fc(codFeature(nil, ""), codFeature(map[string]any{"adm2_pcode": "CF712"}, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`)), opts,
			"feature 1: geometry: polygon ring 0 has 3 positions, need at least 4",
			[]string{"features[1].geometry: polygon ring 0 has 3 positions, need at least 4"}},
		{"ErrGeometryNotPolygon", fc(codFeature(nil, `{"type":"LineString","coordinates":[[0,0],[1,1]]}`)), opts,
			"feature 0: geometry: is a LineString, want Polygon or MultiPolygon",
			[]string{"features[0].geometry: is a LineString, want Polygon or MultiPolygon"}},
		{"ErrGeometryNull", fc(codFeature(nil, `null`)), opts,
			"feature 0: geometry: required",
			[]string{"features[0].geometry: required"}},
		{"ErrRepeatedPCode", fc(codFeature(nil, ""), codFeature(nil, "")), opts,
			"feature 1: properties.adm2_pcode: P-code CF711 repeats feature 0",
			[]string{"features[1].properties.adm2_pcode: P-code CF711 repeats feature 0"}},
		{"ErrOtherCountry", fc(codFeature(map[string]any{"iso3": "BFA"}, "")), opts,
			"feature 0: properties.iso3: is BFA, but the areas are being read for CAF",
			[]string{"features[0].properties.iso3: is BFA, but the areas are being read for CAF"}},
		{"ErrValidOn", fc(codFeature(map[string]any{"valid_on": "15/06/2015"}, "")), opts,
			`feature 0: properties.valid_on: "15/06/2015" is not a date of the form YYYY-MM-DD`,
			[]string{`features[0].properties.valid_on: "15/06/2015" is not a date of the form YYYY-MM-DD`}},
		{"ErrCentroid", fc(codFeature(map[string]any{"center_lon": "east"}, "")), opts,
			`feature 0: properties.center_lon: "east" is not a number`,
			[]string{`features[0].properties.center_lon: "east" is not a number`}},
		{"ErrCentroidRange", fc(codFeature(map[string]any{"center_lat": 123}, "")), opts,
			"feature 0: properties.center_lat: latitude 123 is outside -90..90",
			[]string{"features[0].properties.center_lat: latitude 123 is outside -90..90"}},
		{"ErrEveryProblem", fc(codFeature(map[string]any{"adm2_pcode": nil, "adm2_name": nil}, ""), codFeature(map[string]any{"adm2_pcode": "CF712"}, ""),
			codFeature(map[string]any{"adm2_pcode": "CF713"}, `{"type":"Point","coordinates":[1,2]}`)), opts,
			"2 problems in the features; the first: feature 0: properties.adm2_pcode: missing",
			[]string{"features[0].properties.adm2_pcode: missing", "features[0].properties.adm2_name: missing",
				"features[2].geometry: is a Point, want Polygon or MultiPolygon"}},
		{"ErrBadFeatureAmongGood", fc(codFeature(nil, ""), `{"type":"Feature","geometry":null}`), opts,
			"feature 1: properties.adm2_pcode: missing",
			[]string{"features[1].properties.adm2_pcode: missing", "features[1].properties.adm2_name: missing"}},
		{"ErrNoFeatures", fc(), opts, "the FeatureCollection has no features", nil},
		{"ErrSyntax", fc(codFeature(nil, ""))[:100], opts, "feature 0: unexpected end of input: the GeoJSON is truncated", nil},
		{"ErrCountry", fc(codFeature(nil, "")), geo.ImportOptions{Country: "CF", Level: 2},
			`country: "CF" is not an ISO 3166-1 alpha-3 code (e.g. CAF)`,
			[]string{`country: "CF" is not an ISO 3166-1 alpha-3 code (e.g. CAF)`}},
		{"ErrLevel", fc(codFeature(nil, "")), geo.ImportOptions{Country: "CAF", Level: 5},
			"level: 5 is outside 0..4", []string{"level: 5 is outside 0..4"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			areas, err := geo.ReadAreas(strings.NewReader(tt.input), tt.opts)
			if areas != nil {
				t.Errorf("%d areas returned with an error", len(areas))
			}
			if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
				t.Fatalf("code %q (%v), want invalid", code, err)
			}
			if msg := peaceops.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message %q\nwant    %q", msg, tt.msg)
			}
			var fields []string
			for _, f := range peaceops.ErrorFields(err) {
				fields = append(fields, f.Field+": "+f.Message)
			}
			if strings.Join(fields, "\n") != strings.Join(tt.fields, "\n") {
				t.Errorf("fields\n%s\nwant\n%s", strings.Join(fields, "\n"), strings.Join(tt.fields, "\n"))
			}
		})
	}
}

// Generic GeoJSON: other property names, numeric codes, no parent and no
// centroid (computed), a MultiPolygon.
func TestReadAreasGeneric(t *testing.T) {
	in := fc(`{"type":"Feature","properties":{"GID_1":140101,"NAME_1":"Zone A"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],[[[4,0],[6,0],[6,2],[4,2],[4,0]]]]}}`,
		`{"type":"Feature","properties":{"GID_1":"SSD-2","NAME_1":"Zone B","shapeDate":"2020-01-31T00:00:00Z"},"geometry":{"type":"Polygon","coordinates":[[[10,0],[12,0],[12,2],[10,2],[10,0]]]}}`)
	areas, err := geo.ReadAreas(strings.NewReader(in), geo.ImportOptions{Country: "SSD", Level: 1, Source: "test",
		PCodeProperty: "GID_1", NameProperty: "NAME_1", ParentProperty: "GID_0", ValidOnProperty: "shapeDate"})
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 2 {
		t.Fatalf("%d areas", len(areas))
	}
	a, b := areas[0], areas[1]
	if a.PCode != "140101" || a.Name != "Zone A" || a.ParentPCode != "" || a.Centroid != (geo.Point{Lon: 3, Lat: 1}) || !a.ValidOn.IsZero() {
		t.Errorf("first area %+v", a)
	}
	if b.PCode != "SSD-2" || b.ValidOn.String() != "2020-01-31" || b.Country != "SSD" || b.Source != "test" {
		t.Errorf("second area %+v", b)
	}
}

// BenchmarkLocate places random points of the CAR bounding box in the
// real admin 1 and admin 2 boundaries (89 areas, some 65 000 vertices).
func BenchmarkLocate(b *testing.B) {
	areas := append(readCOD(b, 1), readCOD(b, 2)...)
	ix := mustIndex(b, areas)
	box := areas[0].Geometry.BBox()
	for _, a := range areas {
		box = box.Union(a.Geometry.BBox())
	}
	rng := rand.New(rand.NewPCG(7, 11))
	points := make([]geo.Point, 4096)
	for i := range points {
		points[i] = geo.Point{Lon: box.MinLon + rng.Float64()*(box.MaxLon-box.MinLon), Lat: box.MinLat + rng.Float64()*(box.MaxLat-box.MinLat)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	found := 0
	for i := 0; b.Loop(); i++ {
		found += len(ix.Locate(points[i%len(points)]))
	}
	b.ReportMetric(float64(found)/float64(b.N), "areas/op")
}

// BenchmarkNewIndex builds the index of the real CAR admin 1 and admin 2
// boundaries, as Service.Locator does after an import.
func BenchmarkNewIndex(b *testing.B) {
	areas := append(readCOD(b, 1), readCOD(b, 2)...)
	for b.Loop() {
		mustIndex(b, areas)
	}
}

func BenchmarkReadAreas(b *testing.B) {
	path := shareddata.Path(b, "ocha-cod-ab-caf", "caf_admin2.geojson")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := geo.ReadAreas(strings.NewReader(string(data)), geo.ImportOptions{Country: "CAF", Level: 2}); err != nil {
			b.Fatal(err)
		}
	}
}
