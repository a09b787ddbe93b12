package geo_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

func TestParseBBox(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     geo.BBox
		msg      string // the field message when invalid
	}{
		{"OK", "14.4,2.2,27.5,11.0", geo.BBox{MinLon: 14.4, MinLat: 2.2, MaxLon: 27.5, MaxLat: 11}, ""},
		{"OKSpaces", " -180 , -90 , 180 , 90 ", geo.BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}, ""},
		{"OKPoint", "18.5,4.3,18.5,4.3", geo.BBox{MinLon: 18.5, MinLat: 4.3, MaxLon: 18.5, MaxLat: 4.3}, ""},
		{"ErrEmpty", "", geo.BBox{}, "want 4 comma-separated numbers minLon,minLat,maxLon,maxLat, got 1"},
		{"ErrThree", "1,2,3", geo.BBox{}, "want 4 comma-separated numbers minLon,minLat,maxLon,maxLat, got 3"},
		{"ErrFive", "1,2,3,4,5", geo.BBox{}, "want 4 comma-separated numbers minLon,minLat,maxLon,maxLat, got 5"},
		{"ErrEmptyPart", "1,,3,4", geo.BBox{}, "minLat is empty"},
		{"ErrNotNumber", "1,2,east,4", geo.BBox{}, `maxLon "east" is not a number`},
		{"ErrHex", "0x1p3,2,3,4", geo.BBox{}, `minLon "0x1p3" is not a number`},
		{"ErrNaN", "1,2,3,NaN", geo.BBox{}, `maxLat "NaN" is not a finite number`},
		{"ErrInf", "-Inf,2,3,4", geo.BBox{}, `minLon "-Inf" is not a finite number`},
		{"ErrLonRange", "-181,2,3,4", geo.BBox{}, "minLon -181 is outside -180..180"},
		{"ErrLatRange", "1,2,3,90.5", geo.BBox{}, "maxLat 90.5 is outside -90..90"},
		{"ErrLatOrder", "1,5,3,4", geo.BBox{}, "minLat 5 is greater than maxLat 4"},
		{"ErrAntimeridian", "170,-10,-170,10", geo.BBox{}, "minLon 170 is greater than maxLon -170: boxes crossing the antimeridian are not supported"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := geo.ParseBBox(tt.in)
			if tt.msg == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseBBox(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
				}
				return
			}
			if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
				t.Fatalf("code %q (%v), want invalid", code, err)
			}
			f := peaceops.ErrorFields(err)
			if len(f) != 1 || f[0].Field != "bbox" || f[0].Message != tt.msg {
				t.Fatalf("fields %+v\nwant bbox: %s", f, tt.msg)
			}
		})
	}
}

func TestBBoxContainsIntersects(t *testing.T) {
	b := geo.BBox{MinLon: 0, MinLat: 0, MaxLon: 10, MaxLat: 5}
	for _, tt := range []struct {
		name string
		p    geo.Point
		want bool
	}{
		{"Inside", geo.Point{Lon: 5, Lat: 2}, true},
		{"Corner", geo.Point{Lon: 10, Lat: 5}, true},
		{"Edge", geo.Point{Lon: 0, Lat: 3}, true},
		{"East", geo.Point{Lon: 10.0001, Lat: 3}, false},
		{"South", geo.Point{Lon: 5, Lat: -1}, false},
	} {
		if got := b.Contains(tt.p); got != tt.want {
			t.Errorf("%s: Contains(%v) = %v", tt.name, tt.p, got)
		}
	}
	for _, tt := range []struct {
		name string
		o    geo.BBox
		want bool
	}{
		{"Overlap", geo.BBox{MinLon: 5, MinLat: 2, MaxLon: 15, MaxLat: 8}, true},
		{"Inside", geo.BBox{MinLon: 1, MinLat: 1, MaxLon: 2, MaxLat: 2}, true},
		{"Around", geo.BBox{MinLon: -1, MinLat: -1, MaxLon: 11, MaxLat: 6}, true},
		{"TouchingEdge", geo.BBox{MinLon: 10, MinLat: 0, MaxLon: 12, MaxLat: 5}, true},
		{"Apart", geo.BBox{MinLon: 11, MinLat: 0, MaxLon: 12, MaxLat: 5}, false},
		{"AboveOnly", geo.BBox{MinLon: 2, MinLat: 6, MaxLon: 3, MaxLat: 7}, false},
	} {
		if got := b.Intersects(tt.o); got != tt.want {
			t.Errorf("%s: Intersects(%+v) = %v", tt.name, tt.o, got)
		}
		if got := tt.o.Intersects(b); got != tt.want {
			t.Errorf("%s: Intersects is not symmetric", tt.name)
		}
	}
}

func TestBBoxJSON(t *testing.T) {
	b := geo.BBox{MinLon: 14.4, MinLat: 2.2, MaxLon: 27.5, MaxLat: 11}
	out, err := json.Marshal(b)
	if err != nil || string(out) != "[14.4,2.2,27.5,11]" {
		t.Fatalf("Marshal = %s, %v", out, err)
	}
	var back geo.BBox
	if err := json.Unmarshal(out, &back); err != nil || back != b {
		t.Fatalf("Unmarshal = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte("[1,2,3]"), &back); peaceops.ErrorCode(err) != peaceops.EINVALID {
		t.Fatalf("3 numbers: %v", err)
	}
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"14.4,2.2,27.5,11.0", "-180,-90,180,90", "1,2,3", "a,b,c,d", "1e3,0,0,0",
		"NaN,0,1,1", " 1 ,2,3,4", "170,0,-170,1", "0x10,0,1,1", "1_0,0,20,1", "+1,-0,2,.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := geo.ParseBBox(s)
		if err != nil {
			f := peaceops.ErrorFields(err)
			if peaceops.ErrorCode(err) != peaceops.EINVALID || len(f) != 1 || f[0].Field != "bbox" || f[0].Message == "" {
				t.Fatalf("ParseBBox(%q): error %v without the bbox field", s, err)
			}
			return
		}
		for _, v := range []float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("ParseBBox(%q) = %+v: not finite", s, b)
			}
		}
		if b.MinLon > b.MaxLon || b.MinLat > b.MaxLat || b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90 {
			t.Fatalf("ParseBBox(%q) = %+v: out of range", s, b)
		}
		back, err := geo.ParseBBox(b.String())
		if err != nil || back != b {
			t.Fatalf("String round trip of %+v: %+v, %v", b, back, err)
		}
		if !b.Contains(b.Center()) || !b.Intersects(b) {
			t.Fatalf("%+v does not contain its centre", b)
		}
	})
}
