package geo

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the Natural Earth base map
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// naturalEarth is the Natural Earth 1:110m admin-0 countries, unchanged
// (basemap/SOURCE.md): the world base map of every map page, since
// peaceops uses no tile server and must work with no internet at all.
//
//go:embed basemap/ne_110m_admin_0_countries.json
var naturalEarth []byte

// Routes registers the reference-data routes of geo: the admin boundary
// layers and the world base map of the map pages.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"geo"}
	r.API("GET /api/v1/areas", web.Op{
		Summary: "Admin areas as a GeoJSON FeatureCollection",
		Description: "The admin areas (P-coded boundaries) matching the filters, each a feature whose id is its P-code " +
			"and whose properties are pcode, name, country, level, parent_pcode and centroid ([lon, lat], for labels). Any signed-in user may read them. " +
			"simplify drops boundary vertices closer than that many degrees to the previous one kept (for map layers).",
		Tags: tags, Response: map[string]any{}, Formats: []string{"application/geo+json"},
		Query: []web.Param{
			{Name: "country", Description: "ISO 3166-1 alpha-3, e.g. CAF"},
			{Name: "level", Type: "integer", Description: "admin level, 0 to 4"},
			{Name: "parent", Description: "P-code of the parent: its direct children"},
			{Name: "simplify", Type: "number", Description: "tolerance in degrees, 0 (default) to 1"},
		},
	}, s.handleAreas)
	r.API("GET /api/v1/basemap.geojson", web.Op{
		Summary:     "The world base map (Natural Earth 1:110m countries)",
		Description: "Country polygons with the properties name and iso_a3. Public domain data, embedded in the binary; cacheable.",
		Tags:        tags, Response: map[string]any{}, Formats: []string{"application/geo+json"}, Public: true,
	}, handleBasemap)
}

func (s *Service) handleAreas(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := AreaFilter{Country: q.Get("country"), Parent: q.Get("parent"), WithGeometry: true}
	var bad []peaceops.FieldError
	if v := q.Get("level"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			bad = append(bad, peaceops.FieldError{Field: "level", Message: "must be a whole number from 0 to 4"})
		}
		f.Level = &n
	}
	tol := 0.0
	if v := q.Get("simplify"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || x < 0 || x > 1 {
			bad = append(bad, peaceops.FieldError{Field: "simplify", Message: "must be a number of degrees from 0 to 1"})
		}
		tol = x
	}
	if len(bad) > 0 {
		return peaceops.Invalid(bad)
	}
	areas, err := s.FindAreas(r.Context(), f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	fw := NewFeatureWriter(&buf)
	for _, a := range areas {
		g := a.Geometry
		if g != nil && tol > 0 {
			g = thin(g, tol)
		}
		props := map[string]any{"pcode": a.PCode, "name": a.Name, "country": a.Country, "level": a.Level,
			"centroid": [2]float64{a.Centroid.Lon, a.Centroid.Lat}}
		if a.ParentPCode != "" {
			props["parent_pcode"] = a.ParentPCode
		}
		if err := fw.Write(Feature{ID: a.PCode, Geometry: g, Properties: props}); err != nil {
			return fmt.Errorf("geo: write area %s: %w", a.PCode, err)
		}
	}
	if err := fw.Close(); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/geo+json")
	h.Set("Cache-Control", "private, max-age=300")
	_, err = w.Write(buf.Bytes())
	return err
}

// basemap is the served form of naturalEarth: two properties per country
// instead of 71, positions rounded to 3 decimals (about 100 m, finer than
// the 1:110m source), built once.
var basemap = sync.OnceValues(func() ([]byte, error) {
	var fc FeatureCollection
	if err := fc.UnmarshalJSON(naturalEarth); err != nil {
		return nil, fmt.Errorf("geo: embedded base map: %w", err)
	}
	var buf bytes.Buffer
	fw := NewFeatureWriter(&buf)
	for _, f := range fc.Features {
		props := f.Properties
		iso, _ := props["ISO_A3_EH"].(string) // ISO_A3 is "-99" for France, Norway...
		if iso == "" || iso == "-99" {
			iso, _ = props["ADM0_A3"].(string)
		}
		name, _ := props["NAME"].(string)
		g := f.Geometry
		if g != nil {
			g = thin(g, 0.001)
		}
		if err := fw.Write(Feature{Geometry: g, Properties: map[string]any{"name": name, "iso_a3": iso}}); err != nil {
			return nil, fmt.Errorf("geo: embedded base map: %w", err)
		}
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
})

var basemapETag = sync.OnceValue(func() string {
	sum := sha256.Sum256(naturalEarth)
	return `"ne110m-` + hex.EncodeToString(sum[:8]) + `"`
})

func handleBasemap(w http.ResponseWriter, r *http.Request) error {
	b, err := basemap()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/geo+json")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", basemapETag())
	if r.Header.Get("If-None-Match") == basemapETag() {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	_, err = w.Write(b)
	return err
}

// thin returns a copy of a Polygon or MultiPolygon with positions rounded
// to a step of about tol/10 and every vertex closer than tol degrees (on
// either axis) to the previous one kept dropped: a light boundary for a map
// layer. A ring that would fall under the 4 positions GeoJSON requires is
// kept whole. Other geometries are returned as they are.
func thin(g *Geometry, tol float64) *Geometry {
	scale := math.Pow(10, math.Ceil(-math.Log10(tol))+1)
	switch g.Type {
	case TypePolygon:
		return &Geometry{Type: TypePolygon, Polygon: thinRings(g.Polygon, tol, scale)}
	case TypeMultiPolygon:
		out := &Geometry{Type: TypeMultiPolygon, MultiPolygon: make([][][][2]float64, len(g.MultiPolygon))}
		for i, p := range g.MultiPolygon {
			out.MultiPolygon[i] = thinRings(p, tol, scale)
		}
		return out
	}
	return g
}

func thinRings(rings [][][2]float64, tol, scale float64) [][][2]float64 {
	out := make([][][2]float64, len(rings))
	round := func(p [2]float64) [2]float64 {
		return [2]float64{math.Round(p[0]*scale) / scale, math.Round(p[1]*scale) / scale}
	}
	for i, ring := range rings {
		kept := make([][2]float64, 0, len(ring)/2+2)
		for j, p := range ring {
			p = round(p)
			last := j == len(ring)-1
			if j > 0 && !last {
				prev := kept[len(kept)-1]
				if math.Abs(p[0]-prev[0]) < tol && math.Abs(p[1]-prev[1]) < tol {
					continue
				}
			}
			if last && len(kept) > 0 && kept[len(kept)-1] == p && len(kept) > 1 {
				kept = kept[:len(kept)-1] // the closing position replaces a duplicate
			}
			kept = append(kept, p)
		}
		if len(kept) < 4 || kept[0] != kept[len(kept)-1] {
			kept = ring
		}
		out[i] = kept
	}
	return out
}
