package geo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// The admin_areas table (migration 00003_areas) keeps the geometry as
// GeoJSON text with its box in plain columns, on both engines: the index
// that places points is built in memory (Index), so no spatial SQL is
// needed here.

const areaColumns = `pcode, country, level, name, parent_pcode, min_lon, min_lat, max_lon, max_lat,
	centroid_lon, centroid_lat, source, valid_on, created_at, updated_at, version`

type scanner interface{ Scan(dest ...any) error }

// scanArea reads areaColumns, followed by geometry when withGeometry.
func scanArea(s scanner, withGeometry bool) (*Area, error) {
	var a Area
	var created, updated int64
	var geom string
	dest := []any{&a.PCode, &a.Country, &a.Level, &a.Name, &a.ParentPCode,
		&a.BBox.MinLon, &a.BBox.MinLat, &a.BBox.MaxLon, &a.BBox.MaxLat,
		&a.Centroid.Lon, &a.Centroid.Lat, &a.Source, &a.ValidOn, &created, &updated, &a.Version}
	if withGeometry {
		dest = append(dest, &geom)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	if withGeometry {
		g, msg := decodeGeometry([]byte(geom))
		if msg != "" {
			return nil, fmt.Errorf("geo: stored geometry of %s: %s", a.PCode, msg)
		}
		a.Geometry = &g
	}
	return &a, nil
}

func findAreaByPCode(ctx context.Context, tx *store.Tx, pcode string) (*Area, error) {
	a, err := scanArea(tx.QueryRowContext(ctx, `SELECT `+areaColumns+`, geometry FROM admin_areas WHERE pcode = $1`, pcode), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "admin area %s not found", pcode)
	} else if err != nil {
		return nil, fmt.Errorf("geo: find area %s: %w", pcode, err)
	}
	return a, nil
}

// findAreas returns the areas matching f in P-code order. The name query
// is applied here rather than in SQL, to fold accents the same way on
// both engines; a country has at most some thousands of areas.
func findAreas(ctx context.Context, tx *store.Tx, f AreaFilter) ([]Area, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Country != "" {
		where = append(where, "country = "+arg(f.Country))
	}
	if f.Level != nil {
		where = append(where, "level = "+arg(*f.Level))
	}
	if f.Parent != "" {
		where = append(where, "parent_pcode = "+arg(f.Parent))
	}
	if f.After != "" {
		where = append(where, "pcode > "+arg(f.After))
	}
	query := `SELECT ` + areaColumns
	if f.WithGeometry {
		query += `, geometry`
	}
	query += ` FROM admin_areas`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY pcode`
	q := fold(strings.TrimSpace(f.Query))
	if q == "" && f.Limit > 0 {
		query += ` LIMIT ` + arg(f.Limit)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("geo: find areas: %w", err)
	}
	defer rows.Close()
	out := []Area{}
	for rows.Next() {
		a, err := scanArea(rows, f.WithGeometry)
		if err != nil {
			return nil, fmt.Errorf("geo: scan area: %w", err)
		}
		if q != "" && !strings.Contains(fold(a.Name), q) && !strings.Contains(fold(a.PCode), q) {
			continue
		}
		out = append(out, *a)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, rows.Err()
}

// storedArea is what an import compares a new area with.
type storedArea struct {
	country  string
	level    int
	name     string
	parent   string
	geometry string
	centroid Point
	source   string
	validOn  peaceops.Date
	version  int64
}

// findStoredAreas returns the stored areas of a country and level, by
// P-code.
func findStoredAreas(ctx context.Context, tx *store.Tx, country string, level int) (map[string]storedArea, error) {
	rows, err := tx.QueryContext(ctx, `SELECT pcode, country, level, name, parent_pcode, geometry, centroid_lon, centroid_lat, source, valid_on, version
		FROM admin_areas WHERE country = $1 AND level = $2`, country, level)
	if err != nil {
		return nil, fmt.Errorf("geo: read stored areas: %w", err)
	}
	defer rows.Close()
	out := map[string]storedArea{}
	for rows.Next() {
		var pcode string
		var s storedArea
		if err := rows.Scan(&pcode, &s.country, &s.level, &s.name, &s.parent, &s.geometry,
			&s.centroid.Lon, &s.centroid.Lat, &s.source, &s.validOn, &s.version); err != nil {
			return nil, fmt.Errorf("geo: scan stored area: %w", err)
		}
		out[pcode] = s
	}
	return out, rows.Err()
}

// same reports whether storing a (with its encoded geometry) would change
// nothing.
func (s storedArea) same(a *Area, geometry string) bool {
	return s.name == a.Name && s.parent == a.ParentPCode && s.geometry == geometry &&
		s.centroid == a.Centroid && s.source == a.Source && s.validOn == a.ValidOn
}

// insertArea inserts a as version 1. It returns false, without failing the
// transaction, when the P-code is already taken.
func insertArea(ctx context.Context, tx *store.Tx, a *Area, geometry string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO admin_areas (`+areaColumns+`, geometry)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (pcode) DO NOTHING`,
		a.PCode, a.Country, a.Level, a.Name, a.ParentPCode,
		a.BBox.MinLon, a.BBox.MinLat, a.BBox.MaxLon, a.BBox.MaxLat,
		a.Centroid.Lon, a.Centroid.Lat, a.Source, a.ValidOn,
		tx.NowMillis(), tx.NowMillis(), int64(1), geometry)
	if err != nil {
		return false, fmt.Errorf("geo: insert area %s: %w", a.PCode, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("geo: insert area %s: %w", a.PCode, err)
	}
	return n == 1, nil
}

// updateArea stores a over the area with its P-code and bumps its version.
func updateArea(ctx context.Context, tx *store.Tx, a *Area, geometry string) error {
	_, err := tx.ExecContext(ctx, `UPDATE admin_areas SET name = $2, parent_pcode = $3,
		min_lon = $4, min_lat = $5, max_lon = $6, max_lat = $7, centroid_lon = $8, centroid_lat = $9,
		source = $10, valid_on = $11, geometry = $12, updated_at = $13, version = version + 1
		WHERE pcode = $1`,
		a.PCode, a.Name, a.ParentPCode,
		a.BBox.MinLon, a.BBox.MinLat, a.BBox.MaxLon, a.BBox.MaxLat,
		a.Centroid.Lon, a.Centroid.Lat, a.Source, a.ValidOn, geometry, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("geo: update area %s: %w", a.PCode, err)
	}
	return nil
}

// areaOwner returns the country and level of a stored P-code.
func areaOwner(ctx context.Context, tx *store.Tx, pcode string) (country string, level int, err error) {
	err = tx.QueryRowContext(ctx, `SELECT country, level FROM admin_areas WHERE pcode = $1`, pcode).Scan(&country, &level)
	if err != nil {
		return "", 0, fmt.Errorf("geo: read area %s: %w", pcode, err)
	}
	return country, level, nil
}

// indexStamp identifies the state of a country's areas: an insert raises
// the count and an update raises a version, so an index built at one
// stamp is current exactly while the stamp is unchanged (areas are never
// deleted).
type indexStamp struct{ count, versions int64 }

func findIndexStamp(ctx context.Context, tx *store.Tx, country string) (indexStamp, error) {
	var s indexStamp
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(version), 0) AS BIGINT)
		FROM admin_areas WHERE country = $1`, country).Scan(&s.count, &s.versions)
	if err != nil {
		return s, fmt.Errorf("geo: read areas of %s: %w", country, err)
	}
	return s, nil
}

// findIndexAreas returns every area of a country with what NewIndex needs.
func findIndexAreas(ctx context.Context, tx *store.Tx, country string) ([]Area, error) {
	rows, err := tx.QueryContext(ctx, `SELECT pcode, name, country, level, parent_pcode, geometry
		FROM admin_areas WHERE country = $1 ORDER BY pcode`, country)
	if err != nil {
		return nil, fmt.Errorf("geo: read areas of %s: %w", country, err)
	}
	defer rows.Close()
	var out []Area
	for rows.Next() {
		var a Area
		var geom string
		if err := rows.Scan(&a.PCode, &a.Name, &a.Country, &a.Level, &a.ParentPCode, &geom); err != nil {
			return nil, fmt.Errorf("geo: scan area: %w", err)
		}
		g, msg := decodeGeometry([]byte(geom))
		if msg != "" {
			return nil, fmt.Errorf("geo: stored geometry of %s: %s", a.PCode, msg)
		}
		a.Geometry = &g
		out = append(out, a)
	}
	return out, rows.Err()
}
