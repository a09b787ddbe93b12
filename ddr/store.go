package ddr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

const registrantColumns = `id, mission, ddr_number, name, name_variants, mother_name, sex, birth_year, birth_date,
	birth_precision, age_low, age_high, origin_pcode, armed_group, rank, registered_on, site_id, dependants,
	biometric_hash, eligibility, status, caafag, merged_into, classification, created_at, updated_at, version`

type scanner interface{ Scan(dest ...any) error }

func scanRegistrant(s scanner) (*Registrant, error) {
	var r Registrant
	var variants, birthDate, class string
	var caafag, created, updated int64
	err := s.Scan(&r.ID, &r.Mission, &r.DDRNumber, &r.Name, &variants, &r.MotherName, &r.Sex, &r.BirthYear, &birthDate,
		&r.BirthPrecision, &r.AgeLow, &r.AgeHigh, &r.OriginPCode, &r.ArmedGroup, &r.Rank, &r.RegisteredOn, &r.SiteID, &r.Dependants,
		&r.BiometricHash, &r.Eligibility, &r.Status, &caafag, &r.MergedInto, &class, &created, &updated, &r.Version)
	if err != nil {
		return nil, err
	}
	if variants != "" {
		r.NameVariants = strings.Split(variants, "|")
	}
	if birthDate != "" {
		if r.BirthDate, err = peaceops.ParseDate(birthDate); err != nil {
			return nil, fmt.Errorf("ddr: stored birth date: %w", err)
		}
	}
	r.CAAFAG = caafag != 0
	if r.Classification, err = peaceops.ParseClassification(class); err != nil {
		return nil, fmt.Errorf("ddr: stored classification: %w", err)
	}
	r.CreatedAt, r.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &r, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func dateText(d peaceops.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func insertRegistrant(ctx context.Context, tx *store.Tx, r *Registrant) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ddr_registrants (`+registrantColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27)`,
		r.ID, r.Mission, r.DDRNumber, r.Name, strings.Join(r.NameVariants, "|"), r.MotherName, r.Sex, r.BirthYear, dateText(r.BirthDate),
		r.BirthPrecision, r.AgeLow, r.AgeHigh, r.OriginPCode, r.ArmedGroup, r.Rank, r.RegisteredOn.String(), r.SiteID, r.Dependants,
		r.BiometricHash, r.Eligibility, r.Status, boolInt(r.CAAFAG), r.MergedInto, r.Classification.String(),
		store.Millis(r.CreatedAt), store.Millis(r.UpdatedAt), r.Version)
	if store.IsForeignKeyViolation(err) {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "site_id", Message: "is not a site of this mission"}})
	}
	if store.IsUniqueViolation(err) {
		return peaceops.Errorf(peaceops.ECONFLICT, "DDR number %s was just given to another registration: send the registration again", r.DDRNumber)
	}
	if err != nil {
		return fmt.Errorf("ddr: insert registrant: %w", err)
	}
	return nil
}

func updateRegistrant(ctx context.Context, tx *store.Tx, r *Registrant) error {
	_, err := tx.ExecContext(ctx, `UPDATE ddr_registrants SET eligibility = $1, status = $2, rank = $3, dependants = $4,
		site_id = $5, merged_into = $6, updated_at = $7, version = $8 WHERE id = $9`,
		r.Eligibility, r.Status, r.Rank, r.Dependants, r.SiteID, r.MergedInto, store.Millis(r.UpdatedAt), r.Version, r.ID)
	if store.IsForeignKeyViolation(err) {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "site_id", Message: "is not a site of this mission"}})
	}
	if err != nil {
		return fmt.Errorf("ddr: update registrant %s: %w", r.ID, err)
	}
	return nil
}

func findRegistrant(ctx context.Context, tx *store.Tx, mission, id string) (*Registrant, error) {
	r, err := scanRegistrant(tx.QueryRowContext(ctx, `SELECT `+registrantColumns+` FROM ddr_registrants WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "registrant %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("ddr: find registrant %s: %w", id, err)
	}
	return r, nil
}

// findRegistrants returns registrants of the mission in id order after
// f.After; caafag false leaves CAAFAG records out in the query itself.
func findRegistrants(ctx context.Context, tx *store.Tx, mission string, f Filter, withCAAFAG bool) ([]*Registrant, error) {
	q := `SELECT ` + registrantColumns + ` FROM ddr_registrants WHERE mission = $1 AND id > $2`
	args := []any{mission, f.After}
	if !withCAAFAG {
		q += ` AND caafag = 0`
	}
	if f.ArmedGroup != "" {
		args = append(args, f.ArmedGroup)
		q += fmt.Sprintf(` AND armed_group = $%d`, len(args))
	}
	if f.Status != "" {
		args = append(args, string(f.Status))
		q += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit+1)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("ddr: find registrants: %w", err)
	}
	defer rows.Close()
	var out []*Registrant
	for rows.Next() {
		r, err := scanRegistrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// nextNumber returns the next DDR number of the mission: the mission code
// and a six-digit sequence (MINUSCA-000042).
func nextNumber(ctx context.Context, tx *store.Tx, mission string) (string, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ddr_registrants WHERE mission = $1`, mission).Scan(&n); err != nil {
		return "", fmt.Errorf("ddr: number: %w", err)
	}
	return fmt.Sprintf("%s-%06d", mission, n+1), nil
}

func insertKeys(ctx context.Context, tx *store.Tx, mission, id string, keys []string) error {
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ddr_registrant_keys (mission, block_key, registrant_id) VALUES ($1, $2, $3)`, mission, k, id); err != nil {
			return fmt.Errorf("ddr: insert key: %w", err)
		}
	}
	return nil
}

// candidatesByKeys returns the live registrants of the mission sharing a
// blocking key with keys, except id.
func candidatesByKeys(ctx context.Context, tx *store.Tx, mission, id string, keys []string) ([]*Registrant, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := []any{mission, id}
	ph := make([]string, len(keys))
	for i, k := range keys {
		args = append(args, k)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	q := `SELECT ` + registrantColumns + ` FROM ddr_registrants WHERE id IN (
		SELECT DISTINCT registrant_id FROM ddr_registrant_keys WHERE mission = $1 AND registrant_id <> $2 AND block_key IN (` + strings.Join(ph, ",") + `))
		AND status <> 'merged' ORDER BY id`
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("ddr: candidates: %w", err)
	}
	defer rows.Close()
	var out []*Registrant
	for rows.Next() {
		r, err := scanRegistrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const duplicateColumns = `id, mission, a_id, b_id, score, reasons, status, resolved_by, created_at, updated_at, version`

func scanDuplicate(s scanner) (*Duplicate, error) {
	var d Duplicate
	var reasons string
	var created, updated int64
	if err := s.Scan(&d.ID, &d.Mission, &d.A, &d.B, &d.Score, &reasons, &d.Status, &d.ResolvedBy, &created, &updated, &d.Version); err != nil {
		return nil, err
	}
	if reasons != "" {
		d.Reasons = strings.Split(reasons, "\n")
	}
	d.CreatedAt, d.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &d, nil
}

// upsertDuplicate records a candidate pair once (a before b by id); an
// existing pair keeps its status.
func upsertDuplicate(ctx context.Context, tx *store.Tx, d *Duplicate) (bool, error) {
	if d.A > d.B {
		d.A, d.B = d.B, d.A
	}
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ddr_duplicates WHERE mission = $1 AND a_id = $2 AND b_id = $3`, d.Mission, d.A, d.B).Scan(&n); err != nil {
		return false, fmt.Errorf("ddr: duplicate: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ddr_duplicates (`+duplicateColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		d.ID, d.Mission, d.A, d.B, d.Score, strings.Join(d.Reasons, "\n"), d.Status, d.ResolvedBy, store.Millis(d.CreatedAt), store.Millis(d.UpdatedAt), d.Version)
	if err != nil {
		return false, fmt.Errorf("ddr: insert duplicate: %w", err)
	}
	return true, nil
}

func findDuplicate(ctx context.Context, tx *store.Tx, mission, id string) (*Duplicate, error) {
	d, err := scanDuplicate(tx.QueryRowContext(ctx, `SELECT `+duplicateColumns+` FROM ddr_duplicates WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "duplicate candidate %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("ddr: find duplicate: %w", err)
	}
	return d, nil
}

func findDuplicates(ctx context.Context, tx *store.Tx, mission string, status DuplicateStatus) ([]*Duplicate, error) {
	q := `SELECT ` + duplicateColumns + ` FROM ddr_duplicates WHERE mission = $1`
	args := []any{mission}
	if status != "" {
		q += ` AND status = $2`
		args = append(args, string(status))
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY score DESC, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("ddr: find duplicates: %w", err)
	}
	defer rows.Close()
	var out []*Duplicate
	for rows.Next() {
		d, err := scanDuplicate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func updateDuplicate(ctx context.Context, tx *store.Tx, d *Duplicate) error {
	_, err := tx.ExecContext(ctx, `UPDATE ddr_duplicates SET status = $1, resolved_by = $2, updated_at = $3, version = $4 WHERE id = $5`,
		d.Status, d.ResolvedBy, store.Millis(d.UpdatedAt), d.Version, d.ID)
	if err != nil {
		return fmt.Errorf("ddr: update duplicate: %w", err)
	}
	return nil
}
