package geo_test

import (
	"encoding/json"
	"github.com/peaceops/peaceops/internal/shareddata"
	"os"
	"testing"

	"github.com/peaceops/peaceops/geo"
)

func TestCountryName(t *testing.T) {
	for _, tt := range []struct {
		code, name string
		ok         bool
	}{
		{"CAF", "Central African Republic", true},
		{"COD", "Democratic Republic of the Congo", true},
		{"SSD", "South Sudan", true},
		{"caf", "", false},
		{"XKX", "", false},
		{"", "", false},
	} {
		name, ok := geo.CountryName(tt.code)
		if name != tt.name || ok != tt.ok {
			t.Errorf("CountryName(%q) = %q, %v; want %q, %v", tt.code, name, ok, tt.name, tt.ok)
		}
	}
	if n := len(geo.CountryCodes()); n != 249 {
		t.Errorf("%d codes, want 249", n)
	}
}

// Every country of the Natural Earth base map (by its ISO_A3_EH code, which
// fills in the "-99" of ISO_A3) is a known ISO code, except the territories
// that have none.
func TestCountriesCoverNaturalEarth(t *testing.T) {
	path := shareddata.Path(t, "natural-earth-110m", "ne_110m_admin_0_countries.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				ISO  string `json:"ISO_A3_EH"`
				Name string `json:"NAME"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	noCode := map[string]bool{"N. Cyprus": true, "Kosovo": true, "Somaliland": true, "France": true, "Norway": true}
	for _, f := range fc.Features {
		if _, ok := geo.CountryName(f.Properties.ISO); !ok && !noCode[f.Properties.Name] {
			t.Errorf("%s (%s) is not a known ISO code", f.Properties.Name, f.Properties.ISO)
		}
	}
}

func TestPointValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    geo.Point
		ok   bool
	}{
		{"OK", geo.Point{Lon: 18.55, Lat: 4.36}, true},
		{"ErrLon", geo.Point{Lon: 181, Lat: 0}, false},
		{"ErrLat", geo.Point{Lon: 0, Lat: -91}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
}
