package geo

import (
	"fmt"
	"math"
	"slices"
)

// CountryName returns the English short name of an ISO 3166-1 alpha-3 code
// and whether the code is known.
func CountryName(code string) (string, bool) {
	name, ok := countries[code]
	return name, ok
}

// CountryCodes returns every known alpha-3 code, sorted.
func CountryCodes() []string {
	codes := make([]string, 0, len(countries))
	for c := range countries {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// Point is a WGS84 position.
type Point struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// Validate reports what is wrong with p, or nil.
func (p Point) Validate() error {
	switch {
	case math.IsNaN(p.Lon) || math.IsNaN(p.Lat) || math.IsInf(p.Lon, 0) || math.IsInf(p.Lat, 0):
		return fmt.Errorf("coordinates must be finite numbers")
	case p.Lon < -180 || p.Lon > 180:
		return fmt.Errorf("longitude %g is outside -180..180", p.Lon)
	case p.Lat < -90 || p.Lat > 90:
		return fmt.Errorf("latitude %g is outside -90..90", p.Lat)
	}
	return nil
}
