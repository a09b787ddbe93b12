package ddr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
)

// SiteKind is the kind of a DDR site.
type SiteKind string

const (
	SiteDemobilisation SiteKind = "demobilisation-site"
	SiteCantonment     SiteKind = "cantonment-area"
)

// Site is a demobilisation site or cantonment area. Occupancy is computed:
// the adult registrants at the site not yet reintegrated.
type Site struct {
	ID             string                  `json:"id"`
	Mission        string                  `json:"mission"`
	Name           string                  `json:"name"`
	Kind           SiteKind                `json:"kind"`
	Capacity       int                     `json:"capacity"`
	Occupancy      int                     `json:"occupancy"`
	PCode          string                  `json:"pcode"`
	Location       *geo.Point              `json:"location"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Version        int64                   `json:"version"`
}

// Validate returns every field problem of s.
func (s *Site) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Classification == 0 {
		s.Classification = peaceops.Internal
	}
	var errs []peaceops.FieldError
	add := func(f, m string) { errs = append(errs, peaceops.FieldError{Field: f, Message: m}) }
	if n := len([]rune(s.Name)); n == 0 || n > 200 {
		add("name", "is required, at most 200 characters")
	}
	if s.Kind != SiteDemobilisation && s.Kind != SiteCantonment {
		add("kind", "must be demobilisation-site or cantonment-area")
	}
	if s.Capacity < 0 || s.Capacity > 1000000 {
		add("capacity", "must be between 0 and 1000000")
	}
	if s.Location != nil {
		if err := s.Location.Validate(); err != nil {
			add("location", err.Error())
		}
	}
	if !s.Classification.Valid() {
		add("classification", "must be public, internal, confidential or strictly-confidential")
	}
	return peaceops.Invalid(errs)
}

const siteColumns = `s.id, s.mission, s.name, s.kind, s.capacity, s.pcode, s.lon, s.lat, s.classification, s.created_at, s.updated_at, s.version,
	(SELECT COUNT(*) FROM ddr_registrants r WHERE r.site_id = s.id AND r.caafag = 0 AND r.status IN ('registered', 'demobilised'))`

func scanSite(sc scanner) (*Site, error) {
	var s Site
	var lon, lat sql.NullFloat64
	var class string
	var created, updated int64
	if err := sc.Scan(&s.ID, &s.Mission, &s.Name, &s.Kind, &s.Capacity, &s.PCode, &lon, &lat, &class, &created, &updated, &s.Version, &s.Occupancy); err != nil {
		return nil, err
	}
	if lon.Valid && lat.Valid {
		s.Location = &geo.Point{Lon: lon.Float64, Lat: lat.Float64}
	}
	var err error
	if s.Classification, err = peaceops.ParseClassification(class); err != nil {
		return nil, fmt.Errorf("ddr: stored classification: %w", err)
	}
	s.CreatedAt, s.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &s, nil
}

func insertSite(ctx context.Context, tx *store.Tx, s *Site) error {
	var lon, lat sql.NullFloat64
	if s.Location != nil {
		lon = sql.NullFloat64{Float64: s.Location.Lon, Valid: true}
		lat = sql.NullFloat64{Float64: s.Location.Lat, Valid: true}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ddr_sites (id, mission, name, kind, capacity, pcode, lon, lat, classification, created_at, updated_at, version)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		s.ID, s.Mission, s.Name, s.Kind, s.Capacity, s.PCode, lon, lat, s.Classification.String(), store.Millis(s.CreatedAt), store.Millis(s.UpdatedAt), s.Version)
	if err != nil {
		return fmt.Errorf("ddr: insert site: %w", err)
	}
	return nil
}

func findSite(ctx context.Context, tx *store.Tx, mission, id string) (*Site, error) {
	s, err := scanSite(tx.QueryRowContext(ctx, `SELECT `+siteColumns+` FROM ddr_sites s WHERE s.mission = $1 AND s.id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "site %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("ddr: find site: %w", err)
	}
	return s, nil
}

func findSites(ctx context.Context, tx *store.Tx, mission string) ([]*Site, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+siteColumns+` FROM ddr_sites s WHERE s.mission = $1 ORDER BY s.name, s.id`, mission)
	if err != nil {
		return nil, fmt.Errorf("ddr: find sites: %w", err)
	}
	defer rows.Close()
	var out []*Site
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
