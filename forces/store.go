package forces

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

const unitColumns = `id, mission, name, unit_type, category, country, size, base_name, base_kind, base_lon, base_lat,
	arrival, rotation_due, status, replacement_id, classification, created_at, updated_at, version`

type scanner interface{ Scan(dest ...any) error }

func scanUnit(s scanner) (*Unit, error) {
	var u Unit
	var class, baseName, baseKind string
	var lon, lat sql.NullFloat64
	var created, updated int64
	err := s.Scan(&u.ID, &u.Mission, &u.Name, &u.Type, &u.Category, &u.Country, &u.Size, &baseName, &baseKind, &lon, &lat,
		&u.Arrival, &u.RotationDue, &u.Status, &u.ReplacementID, &class, &created, &updated, &u.Version)
	if err != nil {
		return nil, err
	}
	if u.Classification, err = peaceops.ParseClassification(class); err != nil {
		return nil, fmt.Errorf("forces: stored classification: %w", err)
	}
	if baseName != "" || baseKind != "" || lon.Valid {
		u.Base = &Base{Name: baseName, Kind: SiteKind(baseKind)}
		if lon.Valid && lat.Valid {
			u.Base.Location = &geo.Point{Lon: lon.Float64, Lat: lat.Float64}
		}
	}
	u.CreatedAt, u.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &u, nil
}

func baseColumns(b *Base) (name, kind string, lon, lat sql.NullFloat64) {
	if b == nil {
		return "", "", lon, lat
	}
	if b.Location != nil {
		lon = sql.NullFloat64{Float64: b.Location.Lon, Valid: true}
		lat = sql.NullFloat64{Float64: b.Location.Lat, Valid: true}
	}
	return b.Name, string(b.Kind), lon, lat
}

func insertUnit(ctx context.Context, tx *store.Tx, u *Unit) error {
	name, kind, lon, lat := baseColumns(u.Base)
	_, err := tx.ExecContext(ctx, `INSERT INTO forces_units (`+unitColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		u.ID, u.Mission, u.Name, string(u.Type), string(u.Category), u.Country, u.Size, name, kind, lon, lat,
		u.Arrival, u.RotationDue, string(u.Status), u.ReplacementID, u.Classification.String(),
		store.Millis(u.CreatedAt), store.Millis(u.UpdatedAt), u.Version)
	if err != nil {
		return fmt.Errorf("forces: insert unit: %w", err)
	}
	return nil
}

func updateUnit(ctx context.Context, tx *store.Tx, u *Unit) error {
	name, kind, lon, lat := baseColumns(u.Base)
	res, err := tx.ExecContext(ctx, `UPDATE forces_units SET name = $1, unit_type = $2, category = $3, country = $4, size = $5,
		base_name = $6, base_kind = $7, base_lon = $8, base_lat = $9, arrival = $10, rotation_due = $11, status = $12,
		replacement_id = $13, classification = $14, updated_at = $15, version = $16
		WHERE id = $17 AND version = $18`,
		u.Name, string(u.Type), string(u.Category), u.Country, u.Size, name, kind, lon, lat, u.Arrival, u.RotationDue,
		string(u.Status), u.ReplacementID, u.Classification.String(), store.Millis(u.UpdatedAt), u.Version, u.ID, u.Version-1)
	if err != nil {
		return fmt.Errorf("forces: update unit: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("forces: update unit: %w", err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "unit %s was changed by someone else: reload and try again", u.ID)
	}
	return nil
}

func findUnit(ctx context.Context, tx *store.Tx, mission, id string) (*Unit, error) {
	u, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM forces_units WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "unit %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("forces: find unit %s: %w", id, err)
	}
	return u, nil
}

// findUnits returns the units of a mission matching f up to classification
// max, in id (creation) order, one more than f.Limit when there are more.
func findUnits(ctx context.Context, tx *store.Tx, mission string, f UnitFilter, classes []string) ([]*Unit, error) {
	args := []any{mission}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := []string{"mission = $1"}
	ph := make([]string, len(classes))
	for i, c := range classes {
		ph[i] = arg(c)
	}
	if len(ph) == 0 {
		return []*Unit{}, nil
	}
	where = append(where, "classification IN ("+strings.Join(ph, ", ")+")")
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.Country != "" {
		where = append(where, "country = "+arg(f.Country))
	}
	if f.Type != "" {
		where = append(where, "unit_type = "+arg(string(f.Type)))
	}
	if f.After != "" {
		where = append(where, "id > "+arg(f.After))
	}
	q := `SELECT ` + unitColumns + ` FROM forces_units WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id`
	if f.Limit > 0 {
		q += ` LIMIT ` + arg(f.Limit+1)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("forces: find units: %w", err)
	}
	defer rows.Close()
	out := []*Unit{}
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("forces: scan unit: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// strengthUpsert is the one statement writing strength returns: a return
// for the same mission, month, country, category and sex replaces the
// earlier one (imports are idempotent).
const strengthUpsert = `INSERT INTO forces_strength (mission, month, country, category, sex, personnel, source, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
	ON CONFLICT (mission, month, country, category, sex) DO UPDATE SET personnel = excluded.personnel,
	source = excluded.source, updated_at = excluded.updated_at`

// strengthInsert writes returns of months cleared first (imports).
const strengthInsert = `INSERT INTO forces_strength (mission, month, country, category, sex, personnel, source, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

// writeStrength writes rs with query (strengthUpsert or strengthInsert),
// prepared once.
func writeStrength(ctx context.Context, tx *store.Tx, query, mission string, rs []Return) error {
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("forces: prepare strength: %w", err)
	}
	defer stmt.Close()
	now := tx.NowMillis()
	for _, r := range rs {
		if _, err := stmt.ExecContext(ctx, mission, string(r.Month), r.Country, string(r.Category), string(r.Sex), r.Personnel, r.Source, now); err != nil {
			return fmt.Errorf("forces: write strength %s %s %s: %w", r.Month, r.Country, r.Category, err)
		}
	}
	return nil
}

// refreshTotals recomputes the sums of forces_strength_totals for the given
// months of a mission from forces_strength.
func refreshTotals(ctx context.Context, tx *store.Tx, mission string, months []Month) error {
	for _, m := range months {
		if _, err := tx.ExecContext(ctx, `DELETE FROM forces_strength_totals WHERE mission = $1 AND month = $2`, mission, string(m)); err != nil {
			return fmt.Errorf("forces: strength totals %s: %w", m, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO forces_strength_totals (mission, month, category, sex, personnel)
			SELECT mission, month, category, sex, SUM(personnel) FROM forces_strength WHERE mission = $1 AND month = $2
			GROUP BY mission, month, category, sex`, mission, string(m)); err != nil {
			return fmt.Errorf("forces: strength totals %s: %w", m, err)
		}
	}
	return nil
}

// strengthCell is a sum of strength returns.
type strengthCell struct {
	Month     Month
	Country   string
	Category  Category
	Sex       Sex
	Personnel int
}

// strengthByMonth returns a mission's returns summed by month, category and sex,
// months from..to inclusive ("" for no bound).
func strengthByMonth(ctx context.Context, tx *store.Tx, mission string, from, to Month) ([]strengthCell, error) {
	args := []any{mission}
	q := `SELECT month, category, sex, personnel FROM forces_strength_totals WHERE mission = $1`
	if from != "" {
		args = append(args, string(from))
		q += fmt.Sprintf(" AND month >= $%d", len(args))
	}
	if to != "" {
		args = append(args, string(to))
		q += fmt.Sprintf(" AND month <= $%d", len(args))
	}
	q += ` ORDER BY month`
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("forces: strength: %w", err)
	}
	defer rows.Close()
	var out []strengthCell
	for rows.Next() {
		var c strengthCell
		if err := rows.Scan(&c.Month, &c.Category, &c.Sex, &c.Personnel); err != nil {
			return nil, fmt.Errorf("forces: strength: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// strengthOfMonth returns a mission's returns of one month by country.
func strengthOfMonth(ctx context.Context, tx *store.Tx, mission string, month Month) ([]strengthCell, error) {
	rows, err := tx.QueryContext(ctx, `SELECT country, category, sex, personnel FROM forces_strength
		WHERE mission = $1 AND month = $2 ORDER BY country, category, sex`, mission, string(month))
	if err != nil {
		return nil, fmt.Errorf("forces: contributions: %w", err)
	}
	defer rows.Close()
	var out []strengthCell
	for rows.Next() {
		c := strengthCell{Month: month}
		if err := rows.Scan(&c.Country, &c.Category, &c.Sex, &c.Personnel); err != nil {
			return nil, fmt.Errorf("forces: contributions: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func latestMonth(ctx context.Context, tx *store.Tx, mission string) (Month, error) {
	var m sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT MAX(month) FROM forces_strength WHERE mission = $1`, mission).Scan(&m); err != nil {
		return "", fmt.Errorf("forces: latest month: %w", err)
	}
	return Month(m.String), nil
}

func unitsByCountry(ctx context.Context, tx *store.Tx, mission string) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT country, COUNT(*) FROM forces_units WHERE mission = $1 AND status <> $2 GROUP BY country`,
		mission, string(StatusRepatriated))
	if err != nil {
		return nil, fmt.Errorf("forces: units by country: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

func upsertCeiling(ctx context.Context, tx *store.Tx, mission string, c Ceiling) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO forces_ceilings (mission, category, effective, ceiling, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mission, category, effective) DO UPDATE SET ceiling = excluded.ceiling,
		updated_at = excluded.updated_at`, mission, string(c.Category), c.Effective, c.Ceiling, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("forces: write ceiling: %w", err)
	}
	return nil
}

func findCeilings(ctx context.Context, tx *store.Tx, mission string) ([]Ceiling, error) {
	rows, err := tx.QueryContext(ctx, `SELECT category, effective, ceiling FROM forces_ceilings WHERE mission = $1
		ORDER BY effective, category`, mission)
	if err != nil {
		return nil, fmt.Errorf("forces: ceilings: %w", err)
	}
	defer rows.Close()
	out := []Ceiling{}
	for rows.Next() {
		var c Ceiling
		if err := rows.Scan(&c.Category, &c.Effective, &c.Ceiling); err != nil {
			return nil, fmt.Errorf("forces: ceilings: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func upsertGenderTarget(ctx context.Context, tx *store.Tx, mission string, t GenderTarget) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO forces_gender_targets (mission, year, category, target_bp, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mission, year, category) DO UPDATE SET target_bp = excluded.target_bp,
		updated_at = excluded.updated_at`, mission, t.Year, string(t.Category), t.BP, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("forces: write gender target: %w", err)
	}
	return nil
}

// findGenderTargets returns the targets entered for a mission, by year.
func findGenderTargets(ctx context.Context, tx *store.Tx, mission string) (map[int]map[CeilingCategory]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT year, category, target_bp FROM forces_gender_targets WHERE mission = $1`, mission)
	if err != nil {
		return nil, fmt.Errorf("forces: gender targets: %w", err)
	}
	defer rows.Close()
	out := map[int]map[CeilingCategory]int{}
	for rows.Next() {
		var y, bp int
		var c CeilingCategory
		if err := rows.Scan(&y, &c, &bp); err != nil {
			return nil, fmt.Errorf("forces: gender targets: %w", err)
		}
		if out[y] == nil {
			out[y] = map[CeilingCategory]int{}
		}
		out[y][c] = bp
	}
	return out, rows.Err()
}

const fatalityColumns = `id, mission, incident_date, country, personnel_type, incident_type, sex, event_id, source, source_id,
	created_at, updated_at, version`

func scanFatality(s scanner) (*Fatality, error) {
	var f Fatality
	var created, updated int64
	err := s.Scan(&f.ID, &f.Mission, &f.IncidentDate, &f.Country, &f.PersonnelType, &f.IncidentType, &f.Sex, &f.EventID,
		&f.Source, &f.SourceID, &created, &updated, &f.Version)
	if err != nil {
		return nil, err
	}
	f.CreatedAt, f.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &f, nil
}

// fatalityInsert is the statement writing a fatality; a row with the same
// provenance as a stored one is skipped (re-imports are idempotent).
const fatalityInsert = `INSERT INTO forces_fatalities (` + fatalityColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`

func insertFatality(ctx context.Context, tx *store.Tx, f *Fatality) error {
	_, err := tx.ExecContext(ctx, fatalityInsert, f.ID, f.Mission, f.IncidentDate, f.Country, string(f.PersonnelType),
		string(f.IncidentType), string(f.Sex), f.EventID, f.Source, f.SourceID, store.Millis(f.CreatedAt), store.Millis(f.UpdatedAt), f.Version)
	if store.IsUniqueViolation(err) {
		return peaceops.Errorf(peaceops.ECONFLICT, "a fatality from %s with id %s is already recorded", f.Source, f.SourceID)
	} else if err != nil {
		return fmt.Errorf("forces: insert fatality: %w", err)
	}
	return nil
}

func fatalitySourceIDs(ctx context.Context, tx *store.Tx, source string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT source_id FROM forces_fatalities WHERE source = $1 AND source_id <> ''`, source)
	if err != nil {
		return nil, fmt.Errorf("forces: fatality ids: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func findFatalities(ctx context.Context, tx *store.Tx, mission string, limit int, after string) ([]*Fatality, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+fatalityColumns+` FROM forces_fatalities WHERE mission = $1 AND id > $2
		ORDER BY id LIMIT $3`, mission, after, limit+1)
	if err != nil {
		return nil, fmt.Errorf("forces: fatalities: %w", err)
	}
	defer rows.Close()
	out := []*Fatality{}
	for rows.Next() {
		f, err := scanFatality(rows)
		if err != nil {
			return nil, fmt.Errorf("forces: fatalities: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func fatalityCounts(ctx context.Context, tx *store.Tx, mission string) ([]FatalityCount, error) {
	rows, err := tx.QueryContext(ctx, `SELECT SUBSTR(incident_date, 1, 4), incident_type, COUNT(*) FROM forces_fatalities
		WHERE mission = $1 GROUP BY SUBSTR(incident_date, 1, 4), incident_type ORDER BY 1, 2`, mission)
	if err != nil {
		return nil, fmt.Errorf("forces: fatality counts: %w", err)
	}
	defer rows.Close()
	out := []FatalityCount{}
	for rows.Next() {
		var c FatalityCount
		var year string
		if err := rows.Scan(&year, &c.IncidentType, &c.Fatalities); err != nil {
			return nil, fmt.Errorf("forces: fatality counts: %w", err)
		}
		if _, err := fmt.Sscan(year, &c.Year); err != nil {
			return nil, fmt.Errorf("forces: fatality year %q: %w", year, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func replaceRequirements(ctx context.Context, tx *store.Tx, mission string, reqs []Requirement) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM forces_requirements WHERE mission = $1`, mission); err != nil {
		return fmt.Errorf("forces: requirements: %w", err)
	}
	for _, q := range reqs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forces_requirements (mission, category, course, valid_days, updated_at)
			VALUES ($1, $2, $3, $4, $5)`, mission, string(q.Category), string(q.Course), q.ValidDays, tx.NowMillis()); err != nil {
			if store.IsUniqueViolation(err) {
				return peaceops.Invalid([]peaceops.FieldError{{Field: "requirements", Message: fmt.Sprintf("%s for %s is listed twice", q.Course, q.Category)}})
			}
			return fmt.Errorf("forces: requirements: %w", err)
		}
	}
	return nil
}

func findRequirements(ctx context.Context, tx *store.Tx, mission string) ([]Requirement, error) {
	rows, err := tx.QueryContext(ctx, `SELECT category, course, valid_days FROM forces_requirements WHERE mission = $1
		ORDER BY category, course`, mission)
	if err != nil {
		return nil, fmt.Errorf("forces: requirements: %w", err)
	}
	defer rows.Close()
	var out []Requirement
	for rows.Next() {
		var q Requirement
		if err := rows.Scan(&q.Category, &q.Course, &q.ValidDays); err != nil {
			return nil, fmt.Errorf("forces: requirements: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

const completionColumns = `id, mission, unit_id, course, person, completed, expires, provider, certificate, created_at`

func insertCompletion(ctx context.Context, tx *store.Tx, c *Completion) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO forces_completions (`+completionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, c.ID, c.Mission, c.UnitID, string(c.Course), c.Person,
		c.Completed, c.Expires, c.Provider, c.Certificate, store.Millis(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("forces: insert completion: %w", err)
	}
	return nil
}

// findCompletions returns the completions of a mission, of one unit when
// unitID is not "".
func findCompletions(ctx context.Context, tx *store.Tx, mission, unitID string) ([]*Completion, error) {
	q := `SELECT ` + completionColumns + ` FROM forces_completions WHERE mission = $1`
	args := []any{mission}
	if unitID != "" {
		q += ` AND unit_id = $2`
		args = append(args, unitID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY unit_id, course, completed`, args...)
	if err != nil {
		return nil, fmt.Errorf("forces: completions: %w", err)
	}
	defer rows.Close()
	out := []*Completion{}
	for rows.Next() {
		var c Completion
		var created int64
		if err := rows.Scan(&c.ID, &c.Mission, &c.UnitID, &c.Course, &c.Person, &c.Completed, &c.Expires, &c.Provider,
			&c.Certificate, &created); err != nil {
			return nil, fmt.Errorf("forces: completions: %w", err)
		}
		c.Named = c.Person != ""
		c.CreatedAt = store.FromMillis(created)
		out = append(out, &c)
	}
	return out, rows.Err()
}

func insertWaiver(ctx context.Context, tx *store.Tx, w *Waiver) error {
	courses := make([]string, len(w.Courses))
	for i, c := range w.Courses {
		courses[i] = string(c)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO forces_waivers (id, mission, unit_id, reason, courses, granted_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, w.ID, w.Mission, w.UnitID, w.Reason, strings.Join(courses, ","), w.GrantedBy,
		store.Millis(w.CreatedAt))
	if err != nil {
		return fmt.Errorf("forces: insert waiver: %w", err)
	}
	return nil
}

func findWaivers(ctx context.Context, tx *store.Tx, mission, unitID string) ([]*Waiver, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, mission, unit_id, reason, courses, granted_by, created_at FROM forces_waivers
		WHERE mission = $1 AND unit_id = $2 ORDER BY id`, mission, unitID)
	if err != nil {
		return nil, fmt.Errorf("forces: waivers: %w", err)
	}
	defer rows.Close()
	out := []*Waiver{}
	for rows.Next() {
		var w Waiver
		var courses string
		var created int64
		if err := rows.Scan(&w.ID, &w.Mission, &w.UnitID, &w.Reason, &courses, &w.GrantedBy, &created); err != nil {
			return nil, fmt.Errorf("forces: waivers: %w", err)
		}
		for _, c := range strings.Split(courses, ",") {
			w.Courses = append(w.Courses, Course(c))
		}
		w.CreatedAt = store.FromMillis(created)
		out = append(out, &w)
	}
	return out, rows.Err()
}

// missionExists reports whether a mission with code exists (reference data
// the service may read whatever the caller's memberships).
func missionExists(ctx context.Context, tx *store.Tx, code string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM missions WHERE code = $1`, code).Scan(&n); err != nil {
		return false, fmt.Errorf("forces: mission %s: %w", code, err)
	}
	return n == 1, nil
}
