package results

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

type scanner interface{ Scan(dest ...any) error }

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // our own types always marshal
	}
	return string(b)
}

func notFound(what, id string) error {
	return peaceops.Errorf(peaceops.ENOTFOUND, "%s %s not found", what, id)
}

func conflictCode(err error, what, code string) error {
	if store.IsUniqueViolation(err) {
		return &peaceops.Error{Code: peaceops.ECONFLICT, Message: fmt.Sprintf("the mission already has a%s with code %s", what, code),
			Fields: []peaceops.FieldError{{Field: "code", Message: "is already taken in this mission"}}}
	}
	return err
}

// checkChanged turns an UPDATE that matched no row into EPRECONDITION.
func checkChanged(res sql.Result, err error, what, id string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "%s %s was changed by someone else: reload and try again", what, id)
	}
	return nil
}

// Objectives.

const objectiveColumns = `id, mission, code, title, description, task_ids, classification, created_at, updated_at, version`

func scanObjective(s scanner) (*Objective, error) {
	var o Objective
	var tasks string
	var created, updated int64
	if err := s.Scan(&o.ID, &o.Mission, &o.Code, &o.Title, &o.Description, &tasks, &o.Classification, &created, &updated, &o.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tasks), &o.TaskIDs); err != nil {
		return nil, fmt.Errorf("results: stored task ids: %w", err)
	}
	o.CreatedAt, o.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &o, nil
}

func insertObjective(ctx context.Context, tx *store.Tx, o *Objective) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO results_objectives (`+objectiveColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		o.ID, o.Mission, o.Code, o.Title, o.Description, jsonText(o.TaskIDs), int(o.Classification),
		store.Millis(o.CreatedAt), store.Millis(o.UpdatedAt), o.Version)
	return conflictCode(err, "n objective", o.Code)
}

func updateObjective(ctx context.Context, tx *store.Tx, o *Objective) error {
	res, err := tx.ExecContext(ctx, `UPDATE results_objectives SET code = $1, title = $2, description = $3, task_ids = $4,
		classification = $5, updated_at = $6, version = $7 WHERE id = $8 AND version = $9`,
		o.Code, o.Title, o.Description, jsonText(o.TaskIDs), int(o.Classification), store.Millis(o.UpdatedAt), o.Version, o.ID, o.Version-1)
	return checkChanged(res, conflictCode(err, "n objective", o.Code), "objective", o.ID)
}

func findObjective(ctx context.Context, tx *store.Tx, mission, id string) (*Objective, error) {
	o, err := scanObjective(tx.QueryRowContext(ctx, `SELECT `+objectiveColumns+` FROM results_objectives WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("objective", id)
	}
	return o, err
}

func findObjectives(ctx context.Context, tx *store.Tx, mission string, clear peaceops.Classification) ([]*Objective, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+objectiveColumns+` FROM results_objectives
		WHERE mission = $1 AND classification <= $2 ORDER BY code`, mission, int(clear))
	if err != nil {
		return nil, fmt.Errorf("results: objectives: %w", err)
	}
	defer rows.Close()
	out := []*Objective{}
	for rows.Next() {
		o, err := scanObjective(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Expected results.

const resultColumns = `id, mission, objective_id, code, level, title, classification, created_at, updated_at, version`

func scanResult(s scanner) (*Result, error) {
	var r Result
	var created, updated int64
	if err := s.Scan(&r.ID, &r.Mission, &r.ObjectiveID, &r.Code, &r.Level, &r.Title, &r.Classification, &created, &updated, &r.Version); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &r, nil
}

func insertResult(ctx context.Context, tx *store.Tx, r *Result) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO results_expected (`+resultColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.Mission, r.ObjectiveID, r.Code, string(r.Level), r.Title, int(r.Classification),
		store.Millis(r.CreatedAt), store.Millis(r.UpdatedAt), r.Version)
	return conflictCode(err, "n expected result", r.Code)
}

func updateResult(ctx context.Context, tx *store.Tx, r *Result) error {
	res, err := tx.ExecContext(ctx, `UPDATE results_expected SET objective_id = $1, code = $2, level = $3, title = $4,
		classification = $5, updated_at = $6, version = $7 WHERE id = $8 AND version = $9`,
		r.ObjectiveID, r.Code, string(r.Level), r.Title, int(r.Classification), store.Millis(r.UpdatedAt), r.Version, r.ID, r.Version-1)
	return checkChanged(res, conflictCode(err, "n expected result", r.Code), "expected result", r.ID)
}

func findResult(ctx context.Context, tx *store.Tx, mission, id string) (*Result, error) {
	r, err := scanResult(tx.QueryRowContext(ctx, `SELECT `+resultColumns+` FROM results_expected WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("expected result", id)
	}
	return r, err
}

func findResults(ctx context.Context, tx *store.Tx, mission string, clear peaceops.Classification) ([]*Result, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+resultColumns+` FROM results_expected
		WHERE mission = $1 AND classification <= $2 ORDER BY code`, mission, int(clear))
	if err != nil {
		return nil, fmt.Errorf("results: expected results: %w", err)
	}
	defer rows.Close()
	out := []*Result{}
	for rows.Next() {
		r, err := scanResult(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Indicators.

const indicatorColumns = `id, mission, result_id, code, name, definition, kind, unit, scale_min, scale_max, direction,
	baseline_value, baseline_date, targets, frequency, dimensions, computed, data_source, section, template,
	classification, created_at, updated_at, version`

func scanIndicator(s scanner) (*Indicator, error) {
	var in Indicator
	var smin, smax sql.NullFloat64
	var targets, dims, computed string
	var created, updated int64
	err := s.Scan(&in.ID, &in.Mission, &in.ResultID, &in.Code, &in.Name, &in.Definition, &in.Kind, &in.Unit, &smin, &smax,
		&in.Direction, &in.BaselineValue, &in.BaselineDate, &targets, &in.Frequency, &dims, &computed, &in.DataSource,
		&in.Section, &in.Template, &in.Classification, &created, &updated, &in.Version)
	if err != nil {
		return nil, err
	}
	if smin.Valid {
		in.ScaleMin = &smin.Float64
	}
	if smax.Valid {
		in.ScaleMax = &smax.Float64
	}
	if err := json.Unmarshal([]byte(targets), &in.Targets); err != nil {
		return nil, fmt.Errorf("results: stored targets: %w", err)
	}
	if err := json.Unmarshal([]byte(dims), &in.Dimensions); err != nil {
		return nil, fmt.Errorf("results: stored dimensions: %w", err)
	}
	if computed != "" {
		in.Computed = json.RawMessage(computed)
	}
	in.CreatedAt, in.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &in, nil
}

func indicatorArgs(in *Indicator) []any {
	var smin, smax sql.NullFloat64
	if in.ScaleMin != nil {
		smin = sql.NullFloat64{Float64: *in.ScaleMin, Valid: true}
	}
	if in.ScaleMax != nil {
		smax = sql.NullFloat64{Float64: *in.ScaleMax, Valid: true}
	}
	computed := ""
	if in.IsComputed() {
		computed = jsonText(in.Def())
	}
	if in.Targets == nil {
		in.Targets = []Target{}
	}
	if in.Dimensions == nil {
		in.Dimensions = []Dimension{}
	}
	return []any{in.ID, in.Mission, in.ResultID, in.Code, in.Name, in.Definition, string(in.Kind), string(in.Unit), smin, smax,
		string(in.Direction), in.BaselineValue, in.BaselineDate.String(), jsonText(in.Targets), string(in.Frequency),
		jsonText(in.Dimensions), computed, in.DataSource, in.Section, in.Template, int(in.Classification),
		store.Millis(in.CreatedAt), store.Millis(in.UpdatedAt), in.Version}
}

func insertIndicator(ctx context.Context, tx *store.Tx, in *Indicator) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO results_indicators (`+indicatorColumns+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		indicatorArgs(in)...)
	return conflictCode(err, "n indicator", in.Code)
}

func updateIndicator(ctx context.Context, tx *store.Tx, in *Indicator) error {
	args := indicatorArgs(in)
	res, err := tx.ExecContext(ctx, `UPDATE results_indicators SET result_id = $3, code = $4, name = $5, definition = $6,
		kind = $7, unit = $8, scale_min = $9, scale_max = $10, direction = $11, baseline_value = $12, baseline_date = $13,
		targets = $14, frequency = $15, dimensions = $16, computed = $17, data_source = $18, section = $19, template = $20,
		classification = $21, updated_at = $23, version = $24
		WHERE id = $1 AND mission = $2 AND version = $24 - 1 AND created_at = $22`, args...)
	return checkChanged(res, conflictCode(err, "n indicator", in.Code), "indicator", in.ID)
}

func findIndicator(ctx context.Context, tx *store.Tx, mission, id string) (*Indicator, error) {
	in, err := scanIndicator(tx.QueryRowContext(ctx, `SELECT `+indicatorColumns+` FROM results_indicators WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("indicator", id)
	}
	return in, err
}

func findIndicators(ctx context.Context, tx *store.Tx, mission string, clear peaceops.Classification) ([]*Indicator, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+indicatorColumns+` FROM results_indicators
		WHERE mission = $1 AND classification <= $2 ORDER BY code`, mission, int(clear))
	if err != nil {
		return nil, fmt.Errorf("results: indicators: %w", err)
	}
	defer rows.Close()
	out := []*Indicator{}
	for rows.Next() {
		in, err := scanIndicator(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

func countRows(ctx context.Context, tx *store.Tx, query string, args ...any) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

func deleteRow(ctx context.Context, tx *store.Tx, table, id string, version int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = $1 AND version = $2`, id, version)
	return checkChanged(res, err, "record", id)
}

// Section members.

func addSectionMember(ctx context.Context, tx *store.Tx, mission, section, username string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO results_section_members (mission, section, username, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (mission, section, username) DO NOTHING`, mission, section, username, tx.NowMillis())
	return err
}

func removeSectionMember(ctx context.Context, tx *store.Tx, mission, section, username string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM results_section_members WHERE mission = $1 AND section = $2 AND username = $3`,
		mission, section, username)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SectionMember is a user who enters the values of a section's indicators.
type SectionMember struct {
	Section  string `json:"section"`
	Username string `json:"username"`
}

func findSectionMembers(ctx context.Context, tx *store.Tx, mission string) ([]SectionMember, error) {
	rows, err := tx.QueryContext(ctx, `SELECT section, username FROM results_section_members WHERE mission = $1 ORDER BY section, username`, mission)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SectionMember{}
	for rows.Next() {
		var m SectionMember
		if err := rows.Scan(&m.Section, &m.Username); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func isSectionMember(ctx context.Context, tx *store.Tx, mission, section, username string) (bool, error) {
	n, err := countRows(ctx, tx, `SELECT COUNT(*) FROM results_section_members WHERE mission = $1 AND section = $2 AND username = $3`,
		mission, section, username)
	return n > 0, err
}

// Measurements.

const measurementColumns = `id, mission, indicator_id, period, period_start, period_end, cell, value, evidence_note,
	evidence_link, state, return_reason, entered_by, decided_by, created_at, updated_at, version`

func scanMeasurement(s scanner) (*Measurement, error) {
	var m Measurement
	var created, updated int64
	err := s.Scan(&m.ID, &m.Mission, &m.IndicatorID, &m.Period, &m.PeriodStart, &m.PeriodEnd, &m.Cell, &m.Value, &m.EvidenceNote,
		&m.EvidenceLink, &m.State, &m.ReturnReason, &m.EnteredBy, &m.DecidedBy, &created, &updated, &m.Version)
	if err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &m, nil
}

func measurementArgs(m *Measurement) []any {
	return []any{m.ID, m.Mission, m.IndicatorID, m.Period, m.PeriodStart.String(), m.PeriodEnd.String(), m.Cell, m.Value,
		m.EvidenceNote, m.EvidenceLink, string(m.State), m.ReturnReason, m.EnteredBy, m.DecidedBy,
		store.Millis(m.CreatedAt), store.Millis(m.UpdatedAt), m.Version}
}

func insertMeasurement(ctx context.Context, tx *store.Tx, m *Measurement) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO results_measurements (`+measurementColumns+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, measurementArgs(m)...)
	if store.IsUniqueViolation(err) {
		return peaceops.Errorf(peaceops.ECONFLICT, "a value for %s %s was entered at the same time: reload and try again", m.Period, m.Cell)
	}
	return err
}

func updateMeasurement(ctx context.Context, tx *store.Tx, m *Measurement) error {
	res, err := tx.ExecContext(ctx, `UPDATE results_measurements SET value = $8, evidence_note = $9, evidence_link = $10,
		state = $11, return_reason = $12, entered_by = $13, decided_by = $14, updated_at = $16, version = $17
		WHERE id = $1 AND mission = $2 AND indicator_id = $3 AND period = $4 AND period_start = $5 AND period_end = $6
		AND cell = $7 AND created_at = $15 AND version = $17 - 1`, measurementArgs(m)...)
	return checkChanged(res, err, "value", m.ID)
}

func findMeasurement(ctx context.Context, tx *store.Tx, mission, id string) (*Measurement, error) {
	m, err := scanMeasurement(tx.QueryRowContext(ctx, `SELECT `+measurementColumns+` FROM results_measurements WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("value", id)
	}
	return m, err
}

func findMeasurementAt(ctx context.Context, tx *store.Tx, indicatorID, period, cell string) (*Measurement, error) {
	m, err := scanMeasurement(tx.QueryRowContext(ctx, `SELECT `+measurementColumns+` FROM results_measurements
		WHERE indicator_id = $1 AND period = $2 AND cell = $3`, indicatorID, period, cell))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return m, err
}

// findMeasurements returns the values of the mission (of one indicator
// when indicatorID is not ""), by indicator, period and cell.
func findMeasurements(ctx context.Context, tx *store.Tx, mission, indicatorID string) ([]*Measurement, error) {
	q := `SELECT ` + measurementColumns + ` FROM results_measurements WHERE mission = $1`
	args := []any{mission}
	if indicatorID != "" {
		q += ` AND indicator_id = $2`
		args = append(args, indicatorID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY indicator_id, period_start, cell`, args...)
	if err != nil {
		return nil, fmt.Errorf("results: values: %w", err)
	}
	defer rows.Close()
	out := []*Measurement{}
	for rows.Next() {
		m, err := scanMeasurement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Locks.

// Lock says through which date the values of a mission are locked.
type Lock struct {
	LockedThrough peaceops.Date `json:"locked_through"`
	LockedBy      string        `json:"locked_by,omitempty"`
}

func findLock(ctx context.Context, tx *store.Tx, mission string) (Lock, error) {
	var l Lock
	err := tx.QueryRowContext(ctx, `SELECT locked_through, locked_by FROM results_locks WHERE mission = $1`, mission).Scan(&l.LockedThrough, &l.LockedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return Lock{}, nil
	}
	return l, err
}

func setLock(ctx context.Context, tx *store.Tx, mission string, l Lock) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO results_locks (mission, locked_through, locked_by, locked_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (mission) DO UPDATE SET locked_through = excluded.locked_through, locked_by = excluded.locked_by, locked_at = excluded.locked_at`,
		mission, l.LockedThrough.String(), l.LockedBy, tx.NowMillis())
	return err
}

// Narratives.

const narrativeColumns = `id, mission, objective_id, period, achievements, obstacles, recommendations, author, created_at, updated_at, version`

func scanNarrative(s scanner) (*Narrative, error) {
	var n Narrative
	var created, updated int64
	if err := s.Scan(&n.ID, &n.Mission, &n.ObjectiveID, &n.Period, &n.Achievements, &n.Obstacles, &n.Recommendations, &n.Author,
		&created, &updated, &n.Version); err != nil {
		return nil, err
	}
	n.CreatedAt, n.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &n, nil
}

func findNarrativeAt(ctx context.Context, tx *store.Tx, objectiveID, period string) (*Narrative, error) {
	n, err := scanNarrative(tx.QueryRowContext(ctx, `SELECT `+narrativeColumns+` FROM results_assessments WHERE objective_id = $1 AND period = $2`, objectiveID, period))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return n, err
}

func findNarratives(ctx context.Context, tx *store.Tx, mission, period string) ([]*Narrative, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+narrativeColumns+` FROM results_assessments WHERE mission = $1 AND period = $2`, mission, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Narrative{}
	for rows.Next() {
		n, err := scanNarrative(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func saveNarrative(ctx context.Context, tx *store.Tx, n *Narrative, insert bool) error {
	if insert {
		_, err := tx.ExecContext(ctx, `INSERT INTO results_assessments (`+narrativeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			n.ID, n.Mission, n.ObjectiveID, n.Period, n.Achievements, n.Obstacles, n.Recommendations, n.Author,
			store.Millis(n.CreatedAt), store.Millis(n.UpdatedAt), n.Version)
		if store.IsUniqueViolation(err) {
			return peaceops.Errorf(peaceops.ECONFLICT, "an assessment of this objective for %s was written at the same time: reload and try again", n.Period)
		}
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE results_assessments SET achievements = $1, obstacles = $2, recommendations = $3, author = $4,
		updated_at = $5, version = $6 WHERE id = $7 AND version = $8`,
		n.Achievements, n.Obstacles, n.Recommendations, n.Author, store.Millis(n.UpdatedAt), n.Version, n.ID, n.Version-1)
	return checkChanged(res, err, "assessment", n.ID)
}
