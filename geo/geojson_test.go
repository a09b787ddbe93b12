package geo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

func TestGeometryRoundTrip(t *testing.T) {
	square := [][2]float64{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	hole := [][2]float64{{4, 4}, {4, 6}, {6, 6}, {6, 4}, {4, 4}}
	for _, tt := range []struct {
		name string
		g    geo.Geometry
		json string
	}{
		{"Point", geo.Geometry{Type: geo.TypePoint, Point: [2]float64{18.5582, 4.3612}},
			`{"type":"Point","coordinates":[18.5582,4.3612]}`},
		{"MultiPoint", geo.Geometry{Type: geo.TypeMultiPoint, MultiPoint: [][2]float64{{1, 2}, {-3.25, -4}}},
			`{"type":"MultiPoint","coordinates":[[1,2],[-3.25,-4]]}`},
		{"LineString", geo.Geometry{Type: geo.TypeLineString, LineString: [][2]float64{{0, 0}, {180, 90}}},
			`{"type":"LineString","coordinates":[[0,0],[180,90]]}`},
		{"MultiLineString", geo.Geometry{Type: geo.TypeMultiLineString, MultiLineString: [][][2]float64{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}, {4, 4}}}},
			`{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3],[4,4]]]}`},
		{"PolygonWithHole", geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{square, hole}},
			`{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[4,6],[6,6],[6,4],[4,4]]]}`},
		{"MultiPolygon", geo.Geometry{Type: geo.TypeMultiPolygon, MultiPolygon: [][][][2]float64{{square}, {hole}}},
			`{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10],[0,0]]],[[[4,4],[4,6],[6,6],[6,4],[4,4]]]]}`},
		{"SmallAndPreciseNumbers", geo.Geometry{Type: geo.TypePoint, Point: [2]float64{0.000000123, 24.596944000000121}},
			`{"type":"Point","coordinates":[0.000000123,24.59694400000012]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.g)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.json {
				t.Errorf("Marshal = %s\nwant      %s", b, tt.json)
			}
			var back geo.Geometry
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tt.g) {
				t.Errorf("round trip = %+v, want %+v", back, tt.g)
			}
		})
	}
}

// Every validation error names the part at fault precisely.
func TestGeometryDecodeErrors(t *testing.T) {
	for _, tt := range []struct {
		name, json, msg string
	}{
		{"ErrNotObject", `[1,2]`, "want a JSON object with type and coordinates"},
		{"ErrMissingType", `{"coordinates":[1,2]}`, "missing type"},
		{"ErrTypeNotString", `{"type":7,"coordinates":[1,2]}`, "type must be a string"},
		{"ErrUnknownType", `{"type":"Circle","coordinates":[1,2]}`, `unknown type "Circle" (want Point, MultiPoint, LineString, MultiLineString, Polygon or MultiPolygon)`},
		{"ErrLowercaseType", `{"type":"point","coordinates":[1,2]}`, `unknown type "point"`},
		{"ErrGeometryCollection", `{"type":"GeometryCollection","geometries":[]}`, "type GeometryCollection is not supported"},
		{"ErrMissingCoordinates", `{"type":"Point"}`, "missing coordinates"},
		{"ErrNullCoordinates", `{"type":"Point","coordinates":null}`, "point: want an array of numbers [lon, lat], found null"},
		{"ErrPointOneNumber", `{"type":"Point","coordinates":[1]}`, "point has 1 number, need 2 (lon, lat) or 3 (lon, lat, altitude)"},
		{"ErrPointFourNumbers", `{"type":"Point","coordinates":[1,2,3,4]}`, "point has 4 numbers, need 2"},
		{"ErrPointNullLatitude", `{"type":"Point","coordinates":[1,null]}`, "point: want numbers, found null"},
		{"ErrPointString", `{"type":"Point","coordinates":["1","2"]}`, "point: want numbers, found a string"},
		{"ErrLongitude", `{"type":"Point","coordinates":[200,2]}`, "point: longitude 200 is outside -180..180"},
		{"ErrLatitude", `{"type":"Point","coordinates":[2,-90.5]}`, "point: latitude -90.5 is outside -90..90"},
		{"ErrNotFinite", `{"type":"Point","coordinates":[1e400,2]}`, "point: 1e400 is not a finite number"},
		{"ErrMultiPointEmpty", `{"type":"MultiPoint","coordinates":[]}`, "multipoint has no positions"},
		{"ErrMultiPointPosition", `{"type":"MultiPoint","coordinates":[[1,2],[3,95]]}`, "multipoint position 1: latitude 95 is outside -90..90"},
		{"ErrLineStringShort", `{"type":"LineString","coordinates":[[1,2]]}`, "linestring has 1 position, need at least 2"},
		{"ErrLineStringNotArray", `{"type":"LineString","coordinates":[1,2]}`, "linestring position 0: want an array of numbers [lon, lat], found a number"},
		{"ErrMultiLineStringLine", `{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2]]]}`, "multilinestring line 1 has 1 position, need at least 2"},
		{"ErrPolygonNoRings", `{"type":"Polygon","coordinates":[]}`, "polygon has no rings"},
		{"ErrPolygonRingShort", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "polygon ring 0 has 3 positions, need at least 4"},
		{"ErrPolygonRingOpen", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "polygon ring 0 is not closed: first position [0,0] differs from last [0,1]"},
		{"ErrPolygonHoleOpen", `{"type":"Polygon","coordinates":[[[0,0],[9,0],[9,9],[0,0]],[[1,1],[2,1],[2,2],[1,2]]]}`, "polygon ring 1 is not closed"},
		{"ErrPolygonPosition", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],[[0,0],[1,0],[1,1],[181,1],[0,0]]]}`, "polygon ring 1 position 3: longitude 181 is outside -180..180"},
		{"ErrPolygonRingNotArray", `{"type":"Polygon","coordinates":[{"a":1}]}`, "polygon ring 0: want an array of positions, found an object"},
		{"ErrPolygonFlat", `{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}`, "polygon ring 0 position 0: want an array of numbers [lon, lat], found a number"},
		{"ErrMultiPolygonEmpty", `{"type":"MultiPolygon","coordinates":[]}`, "multipolygon has no polygons"},
		{"ErrMultiPolygonRing", `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[0,0]]]]}`, "multipolygon polygon 1 ring 0 has 3 positions, need at least 4"},
		{"ErrMultiPolygonNoRings", `{"type":"MultiPolygon","coordinates":[[]]}`, "multipolygon polygon 0 has no rings"},
		{"ErrMultiPolygonDepth", `{"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, "multipolygon polygon 0 ring 0 position 0: want an array of numbers [lon, lat], found a number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var g geo.Geometry
			err := json.Unmarshal([]byte(tt.json), &g)
			if err == nil {
				t.Fatalf("no error, want %q", tt.msg)
			}
			if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
				t.Fatalf("code %q (%v), want invalid", code, err)
			}
			fields := peaceops.ErrorFields(err)
			if len(fields) != 1 || fields[0].Field != "geometry" || !strings.HasPrefix(fields[0].Message, tt.msg) {
				t.Fatalf("fields = %+v\nwant geometry: %s...", fields, tt.msg)
			}
			if want := "geometry: " + fields[0].Message; peaceops.ErrorMessage(err) != want {
				t.Errorf("message %q, want %q", peaceops.ErrorMessage(err), want)
			}
		})
	}
}

func TestGeometryDecodeLenient(t *testing.T) {
	for _, tt := range []struct{ name, json string }{
		{"AltitudeDropped", `{"type":"Point","coordinates":[1,2,300]}`},
		{"ForeignMembers", `{"type":"Point","bbox":[1,2,1,2],"coordinates":[1,2],"crs":null}`},
		{"Whitespace", "{\"type\":\"Point\",\"coordinates\":[ 1 ,\n\t2 ]}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var g geo.Geometry
			if err := json.Unmarshal([]byte(tt.json), &g); err != nil {
				t.Fatal(err)
			}
			if g.Point != [2]float64{1, 2} {
				t.Fatalf("point = %v", g.Point)
			}
		})
	}
}

func TestGeometryMarshalInvalid(t *testing.T) {
	g := geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{0, 0}, {1, 1}, {0, 0}}}}
	if _, err := json.Marshal(g); err == nil {
		t.Fatal("marshalled an invalid polygon")
	}
	if err := g.Validate(); peaceops.ErrorCode(err) != peaceops.EINVALID {
		t.Fatalf("Validate = %v", err)
	}
}

func TestGeometryBBox(t *testing.T) {
	var g geo.Geometry
	if err := json.Unmarshal([]byte(`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,-3],[6,-3],[6,2],[5,-3]]]]}`), &g); err != nil {
		t.Fatal(err)
	}
	if got, want := g.BBox(), (geo.BBox{MinLon: 0, MinLat: -3, MaxLon: 6, MaxLat: 2}); got != want {
		t.Fatalf("BBox = %+v, want %+v", got, want)
	}
	if got := (geo.Geometry{}).BBox(); got != (geo.BBox{}) {
		t.Fatalf("empty BBox = %+v", got)
	}
}

func TestFeatureRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    geo.Feature
		json string
	}{
		{"OK", geo.Feature{ID: "ged-1", Geometry: geo.Point{Lon: 18.5582, Lat: 4.3612}.Geometry(), Properties: map[string]any{"deaths": json.Number("3"), "name": "Bangui"}},
			`{"type":"Feature","id":"ged-1","geometry":{"type":"Point","coordinates":[18.5582,4.3612]},"properties":{"deaths":3,"name":"Bangui"}}`},
		{"NumericID", geo.Feature{ID: json.Number("12"), Geometry: geo.Point{Lon: 1, Lat: 2}.Geometry(), Properties: map[string]any{}},
			`{"type":"Feature","id":12,"geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}`},
		{"NullGeometryAndProperties", geo.Feature{},
			`{"type":"Feature","geometry":null,"properties":null}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.json {
				t.Errorf("Marshal = %s\nwant      %s", b, tt.json)
			}
			var back geo.Feature
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tt.f) {
				t.Errorf("round trip = %#v\nwant %#v", back, tt.f)
			}
		})
	}
}

func TestFeatureMarshalErrors(t *testing.T) {
	if _, err := json.Marshal(geo.Feature{ID: []int{1}}); err == nil {
		t.Error("marshalled an array id")
	}
	if _, err := json.Marshal(geo.Feature{Geometry: &geo.Geometry{Type: "Circle"}}); err == nil {
		t.Error("marshalled an unknown geometry type")
	}
}

// fc wraps features in a FeatureCollection.
func fc(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

const okFeature = `{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[1,2]}}`

func TestFeatureReaderErrors(t *testing.T) {
	for _, tt := range []struct {
		name, input string
		field, msg  string // the error of the first bad feature, after any good ones
	}{
		{"ErrFeatureType", fc(okFeature, `{"type":"Feat","geometry":null,"properties":null}`),
			"features[1].type", `feature 1: type: is "Feat", want "Feature"`},
		{"ErrFeatureMissingType", fc(`{"geometry":null,"properties":null}`),
			"features[0].type", `feature 0: type: missing (want "Feature")`},
		{"ErrFeatureNotObject", fc(okFeature, okFeature, `[1]`),
			"features[2]", "feature 2: want a JSON object"},
		{"ErrFeatureMissingGeometry", fc(`{"type":"Feature","properties":null}`),
			"features[0].geometry", "feature 0: geometry: missing (use null for a feature without a location)"},
		{"ErrFeatureGeometry", fc(okFeature, okFeature, okFeature, okFeature, okFeature, okFeature, okFeature, okFeature, okFeature, okFeature, okFeature, okFeature,
			`{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}`),
			"features[12].geometry", "feature 12: geometry: polygon ring 0 has 3 positions, need at least 4"},
		{"ErrFeatureProperties", fc(`{"type":"Feature","properties":[1],"geometry":null}`),
			"features[0].properties", "feature 0: properties: must be an object or null"},
		{"ErrFeatureID", fc(`{"type":"Feature","id":{"a":1},"properties":null,"geometry":null}`),
			"features[0].id", "feature 0: id: must be a string or a number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := geo.NewFeatureReader(strings.NewReader(tt.input))
			var err error
			for err == nil {
				_, err = r.Next()
			}
			if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
				t.Fatalf("code %q (%v), want invalid", code, err)
			}
			if msg := peaceops.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message %q\nwant    %q", msg, tt.msg)
			}
			if f := peaceops.ErrorFields(err); len(f) != 1 || f[0].Field != tt.field {
				t.Errorf("fields %+v, want %s", f, tt.field)
			}
			// A bad feature does not stop the reader.
			if _, err := r.Next(); !errors.Is(err, io.EOF) {
				t.Errorf("after the bad feature: %v, want EOF", err)
			}
		})
	}
}

func TestFeatureReaderCollectionErrors(t *testing.T) {
	for _, tt := range []struct{ name, input, msg string }{
		{"ErrEmptyInput", ``, "the input is empty"},
		{"ErrBlankInput", " \n", "the input is empty"},
		{"ErrNotObject", `[]`, `want a GeoJSON FeatureCollection object, found "["`},
		{"ErrWrongType", `{"type":"Feature","features":[]}`, `type is "Feature", want "FeatureCollection"`},
		{"ErrWrongTypeAfterFeatures", `{"features":[],"type":"Topology"}`, `type is "Topology", want "FeatureCollection"`},
		{"ErrMissingType", `{"features":[]}`, `missing type (want "FeatureCollection")`},
		{"ErrMissingFeatures", `{"type":"FeatureCollection"}`, "missing features"},
		{"ErrFeaturesNotArray", `{"type":"FeatureCollection","features":{}}`, `features must be an array, found "{"`},
		{"ErrFeaturesTwice", `{"type":"FeatureCollection","features":[],"features":[]}`, "the features member appears twice"},
		{"ErrSyntax", `{"type":"FeatureCollection","features":[{"type":"Feature",]}`, "feature 0: invalid JSON at byte"},
		{"ErrTruncated", fc(okFeature)[:60], "unexpected end of input"},
		{"ErrTrailing", fc() + `{}`, "unexpected \"{\" after the FeatureCollection"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := geo.NewFeatureReader(strings.NewReader(tt.input))
			var err error
			for err == nil {
				_, err = r.Next()
			}
			if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
				t.Fatalf("code %q (%v), want invalid", code, err)
			}
			if msg := peaceops.ErrorMessage(err); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q, want it to contain %q", msg, tt.msg)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("the error is not sticky: %v", again)
			}
		})
	}
}

func TestFeatureReaderSkipsForeignMembers(t *testing.T) {
	in := `{"name":"x","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"bbox":[0,0,1,1],` +
		`"features":[` + okFeature + `,` + okFeature + `],"type":"FeatureCollection","extra":[1,{"a":[]}]}` + "\n"
	r := geo.NewFeatureReader(strings.NewReader(in))
	n := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d features, want 2", n)
	}
}

func TestFeatureWriter(t *testing.T) {
	var buf bytes.Buffer
	w := geo.NewFeatureWriter(&buf)
	want := []geo.Feature{
		{ID: "a", Geometry: geo.Point{Lon: 18.5582, Lat: 4.3612}.Geometry(), Properties: map[string]any{"k": "v"}},
		{ID: json.Number("2"), Properties: map[string]any{"unlocated": true}},
	}
	if err := w.Write(want[0]); err != nil {
		t.Fatal(err)
	}
	// A bad feature is refused without breaking the collection.
	if err := w.Write(geo.Feature{Geometry: &geo.Geometry{Type: geo.TypeLineString}}); peaceops.ErrorCode(err) != peaceops.EINVALID {
		t.Fatalf("bad feature: %v", err)
	}
	if err := w.Write(want[1]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if w.Count() != 2 {
		t.Errorf("Count = %d", w.Count())
	}
	var got geo.FeatureCollection
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	if !reflect.DeepEqual(got.Features, want) {
		t.Fatalf("read back %#v\nwant %#v", got.Features, want)
	}
}

func TestFeatureWriterEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := geo.NewFeatureWriter(&buf).Close(); err != nil {
		t.Fatal(err)
	}
	var got geo.FeatureCollection
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || len(got.Features) != 0 || got.Features == nil {
		t.Fatalf("%v %#v from %s", err, got, buf.Bytes())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFeatureWriterWriteError(t *testing.T) {
	w := geo.NewFeatureWriter(failingWriter{})
	big := map[string]any{"s": strings.Repeat("x", 100<<10)}
	err := w.Write(geo.Feature{Properties: big})
	if err == nil {
		err = w.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want disk full", err)
	}
	if again := w.Write(geo.Feature{}); again == nil {
		t.Fatal("write after a failure succeeded")
	}
}

// A FeatureCollection survives a round trip through the reader and the
// writer, with every feature and property.
func TestFeatureCollectionRoundTrip(t *testing.T) {
	in := geo.FeatureCollection{Features: []geo.Feature{
		{ID: "CF71", Geometry: &geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{18.5, 4.3}, {18.6, 4.3}, {18.6, 4.4}, {18.5, 4.3}}}},
			Properties: map[string]any{"adm1_pcode": "CF71", "center_lat": json.Number("4.3612"), "nested": map[string]any{"a": []any{json.Number("1"), nil}}}},
	}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out geo.FeatureCollection
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip\n got %#v\nwant %#v", out, in)
	}
}

func FuzzDecodeGeometry(f *testing.F) {
	for _, seed := range []string{
		`{"type":"Point","coordinates":[18.5582,4.3612]}`,
		`{"type":"Point","coordinates":[1,2,3]}`,
		`{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}`,
		`{"type":"LineString","coordinates":[[0,0],[1,1]]}`,
		`{"type":"MultiLineString","coordinates":[[[0,0],[1,1]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[4,6],[6,6],[6,4],[4,4]]]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`,
		`{"type":"Point","coordinates":[1e400,-0]}`,
		`{"type":"GeometryCollection","geometries":[]}`,
		`{"type":"Point","coordinates":[1,null]}`,
		`null`, `[]`, `{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var g geo.Geometry
		if err := json.Unmarshal(data, &g); err != nil {
			if code := peaceops.ErrorCode(err); code != peaceops.EINVALID && json.Valid(data) {
				t.Fatalf("valid JSON refused with code %q: %v", code, err)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("decoded geometry does not validate: %v", err)
		}
		b, err := json.Marshal(g)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var back geo.Geometry
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("decode of own output %s: %v", b, err)
		}
		if !reflect.DeepEqual(back, g) {
			t.Fatalf("round trip changed %+v into %+v", g, back)
		}
		if b2, _ := json.Marshal(back); !bytes.Equal(b, b2) {
			t.Fatalf("encoding is not stable: %s then %s", b, b2)
		}
		box := g.BBox()
		g.Contains(box.Center())
		g.Centroid()
	})
}
