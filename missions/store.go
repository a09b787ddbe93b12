package missions

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
)

const missionColumns = `id, code, name, host_country, start_date, end_date, hq_name, hq_lon, hq_lat,
	status, classification, created_at, updated_at, version`

type scanner interface{ Scan(dest ...any) error }

func scanMission(s scanner) (*Mission, error) {
	var m Mission
	var class string
	var lon, lat sql.NullFloat64
	var hqName string
	var created, updated int64
	err := s.Scan(&m.ID, &m.Code, &m.Name, &m.HostCountry, &m.StartDate, &m.EndDate, &hqName, &lon, &lat,
		&m.Status, &class, &created, &updated, &m.Version)
	if err != nil {
		return nil, err
	}
	if m.Classification, err = peaceops.ParseClassification(class); err != nil {
		return nil, fmt.Errorf("missions: stored classification: %w", err)
	}
	if hqName != "" || lon.Valid {
		m.HQ = &HQ{Name: hqName}
		if lon.Valid && lat.Valid {
			m.HQ.Location = &geo.Point{Lon: lon.Float64, Lat: lat.Float64}
		}
	}
	m.CreatedAt, m.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &m, nil
}

func hqColumns(hq *HQ) (name string, lon, lat sql.NullFloat64) {
	if hq == nil {
		return "", lon, lat
	}
	if hq.Location != nil {
		lon = sql.NullFloat64{Float64: hq.Location.Lon, Valid: true}
		lat = sql.NullFloat64{Float64: hq.Location.Lat, Valid: true}
	}
	return hq.Name, lon, lat
}

func findMissionByCode(ctx context.Context, tx *store.Tx, code string) (*Mission, error) {
	m, err := scanMission(tx.QueryRowContext(ctx, `SELECT `+missionColumns+` FROM missions WHERE code = $1`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", code)
	} else if err != nil {
		return nil, fmt.Errorf("missions: find %s: %w", code, err)
	}
	return m, nil
}

// findMissions returns the missions matching f, in code order. codes, when
// not nil, restricts the result to those codes (the actor's memberships).
func findMissions(ctx context.Context, tx *store.Tx, f Filter, codes []string) ([]*Mission, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if codes != nil {
		if len(codes) == 0 {
			return []*Mission{}, nil
		}
		ph := make([]string, len(codes))
		for i, c := range codes {
			ph[i] = arg(c)
		}
		where = append(where, "code IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.HostCountry != "" {
		where = append(where, "host_country = "+arg(f.HostCountry))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg("%" + strings.ToLower(q) + "%")
		where = append(where, "(LOWER(code) LIKE "+p+" OR LOWER(name) LIKE "+p+")")
	}
	if f.After != "" {
		where = append(where, "code > "+arg(f.After))
	}
	query := `SELECT ` + missionColumns + ` FROM missions`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY code LIMIT ` + arg(f.Limit+1)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("missions: find: %w", err)
	}
	defer rows.Close()
	out := []*Mission{}
	for rows.Next() {
		m, err := scanMission(rows)
		if err != nil {
			return nil, fmt.Errorf("missions: scan: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func insertMission(ctx context.Context, tx *store.Tx, m *Mission) error {
	name, lon, lat := hqColumns(m.HQ)
	_, err := tx.ExecContext(ctx, `INSERT INTO missions (`+missionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		m.ID, m.Code, m.Name, m.HostCountry, m.StartDate, m.EndDate, name, lon, lat,
		string(m.Status), m.Classification.String(), store.Millis(m.CreatedAt), store.Millis(m.UpdatedAt), m.Version)
	if store.IsUniqueViolation(err) {
		return &peaceops.Error{Code: peaceops.ECONFLICT, Message: "a mission with code " + m.Code + " already exists",
			Fields: []peaceops.FieldError{{Field: "code", Message: "is already taken"}}}
	} else if err != nil {
		return fmt.Errorf("missions: insert %s: %w", m.Code, err)
	}
	return nil
}

// updateMission writes m if its stored version is still m.Version-1. The
// version check in the WHERE clause makes concurrent updates with the same
// If-Match safe on both engines: exactly one matches the row.
func updateMission(ctx context.Context, tx *store.Tx, m *Mission) error {
	name, lon, lat := hqColumns(m.HQ)
	res, err := tx.ExecContext(ctx, `UPDATE missions SET name = $1, host_country = $2, start_date = $3, end_date = $4,
		hq_name = $5, hq_lon = $6, hq_lat = $7, status = $8, classification = $9, updated_at = $10, version = $11
		WHERE id = $12 AND version = $13`,
		m.Name, m.HostCountry, m.StartDate, m.EndDate, name, lon, lat, string(m.Status), m.Classification.String(),
		store.Millis(m.UpdatedAt), m.Version, m.ID, m.Version-1)
	if err != nil {
		return fmt.Errorf("missions: update %s: %w", m.Code, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("missions: update %s: %w", m.Code, err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "mission %s was changed by someone else: reload and try again", m.Code)
	}
	return nil
}

func deleteSites(ctx context.Context, tx *store.Tx, mission, source string) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM deployment_sites WHERE mission = $1 AND source = $2`, mission, source)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func insertSite(ctx context.Context, tx *store.Tx, s *Site) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO deployment_sites
		(mission, source, year, name, lon, lat, troops, hq, units, contributors, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.Mission, s.Source, s.Year, s.Name, s.Location.Lon, s.Location.Lat, s.Troops, s.HQ,
		strings.Join(s.Units, ","), s.Contributors, tx.NowMillis())
	if store.IsUniqueViolation(err) {
		return peaceops.Errorf(peaceops.EINVALID, "site %q appears twice in %d", s.Name, s.Year)
	}
	return err
}

func siteYears(ctx context.Context, tx *store.Tx, mission string) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT year FROM deployment_sites WHERE mission = $1 ORDER BY year`, mission)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	years := []int{}
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		years = append(years, y)
	}
	return years, rows.Err()
}

func findSites(ctx context.Context, tx *store.Tx, mission string, year int) ([]Site, error) {
	rows, err := tx.QueryContext(ctx, `SELECT source, name, lon, lat, troops, hq, units, contributors
		FROM deployment_sites WHERE mission = $1 AND year = $2 ORDER BY troops DESC, name`, mission, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sites := []Site{}
	for rows.Next() {
		s := Site{Mission: mission, Year: year}
		var units string
		if err := rows.Scan(&s.Source, &s.Name, &s.Location.Lon, &s.Location.Lat, &s.Troops, &s.HQ, &units, &s.Contributors); err != nil {
			return nil, err
		}
		if units != "" {
			s.Units = strings.Split(units, ",")
		}
		sites = append(sites, s)
	}
	return sites, rows.Err()
}
