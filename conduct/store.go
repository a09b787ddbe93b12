package conduct

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

const allegationColumns = `id, mission, reported, incident_date, incident_precision, received_via, categories,
	personnel_category, perpetrators, nationality, victim_count, paternity_claims, interim_measures,
	assistance_referred, summary, feedback_id, inv_entity, inv_opened, inv_closed, inv_status, status_since,
	findings, created_at, updated_at, version`

type scanner interface{ Scan(dest ...any) error }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func scanAllegation(s scanner) (*Allegation, error) {
	var a Allegation
	var cats, measures string
	var created, updated int64
	err := s.Scan(&a.ID, &a.Mission, &a.Reported, &a.IncidentDate, &a.IncidentPrecision, &a.ReceivedVia, &cats,
		&a.PersonnelCategory, &a.Perpetrators, &a.Nationality, &a.VictimCount, &a.PaternityClaims, &measures,
		&a.AssistanceReferred, &a.Summary, &a.FeedbackID, &a.Investigation.Entity, &a.Investigation.Opened,
		&a.Investigation.Closed, &a.Investigation.Status, &a.StatusSince, &a.Investigation.Findings,
		&created, &updated, &a.Version)
	if err != nil {
		return nil, err
	}
	a.Categories, a.InterimMeasures = splitList(cats), splitList(measures)
	a.CategoryLevel = 2
	for _, c := range a.Categories {
		if cat, ok := categoryOf(c); ok && cat.Level == 1 {
			a.CategoryLevel = 1
		}
	}
	a.CreatedAt, a.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &a, nil
}

func allegationArgs(a *Allegation) []any {
	return []any{a.ID, a.Mission, a.Reported, a.IncidentDate, a.IncidentPrecision, a.ReceivedVia,
		strings.Join(a.Categories, ","), a.PersonnelCategory, a.Perpetrators, a.Nationality, a.VictimCount,
		a.PaternityClaims, strings.Join(a.InterimMeasures, ","), a.AssistanceReferred, a.Summary, a.FeedbackID,
		a.Investigation.Entity, a.Investigation.Opened, a.Investigation.Closed, a.Investigation.Status,
		a.StatusSince, a.Investigation.Findings, store.Millis(a.CreatedAt), store.Millis(a.UpdatedAt), a.Version}
}

func insertAllegation(ctx context.Context, tx *store.Tx, a *Allegation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO conduct_allegations (`+allegationColumns+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`,
		allegationArgs(a)...)
	if store.IsForeignKeyViolation(err) {
		return peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", a.Mission)
	} else if err != nil {
		return fmt.Errorf("conduct: insert allegation: %w", err)
	}
	return nil
}

// updateAllegation writes a if its stored version is still a.Version-1.
func updateAllegation(ctx context.Context, tx *store.Tx, a *Allegation) error {
	args := allegationArgs(a)
	res, err := tx.ExecContext(ctx, `UPDATE conduct_allegations SET reported = $3, incident_date = $4,
		incident_precision = $5, received_via = $6, categories = $7, personnel_category = $8, perpetrators = $9,
		nationality = $10, victim_count = $11, paternity_claims = $12, interim_measures = $13,
		assistance_referred = $14, summary = $15, feedback_id = $16, inv_entity = $17, inv_opened = $18,
		inv_closed = $19, inv_status = $20, status_since = $21, findings = $22, updated_at = $24, version = $25
		WHERE id = $1 AND mission = $2 AND version = $26 AND created_at = $23`,
		append(args, a.Version-1)...)
	if err != nil {
		return fmt.Errorf("conduct: update allegation %s: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("conduct: update allegation %s: %w", a.ID, err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "allegation %s was changed by someone else: reload and try again", a.ID)
	}
	return nil
}

func findAllegation(ctx context.Context, tx *store.Tx, mission, id string) (*Allegation, error) {
	a, err := scanAllegation(tx.QueryRowContext(ctx, `SELECT `+allegationColumns+`
		FROM conduct_allegations WHERE id = $1 AND mission = $2`, id, mission))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "allegation not found")
	} else if err != nil {
		return nil, fmt.Errorf("conduct: find allegation: %w", err)
	}
	return a, nil
}

// findAllegations returns the allegations of mission matching f, newest
// report first, one more than f.Limit to tell whether a next page exists.
func findAllegations(ctx context.Context, tx *store.Tx, mission string, f Filter) ([]*Allegation, error) {
	where := []string{"mission = $1"}
	args := []any{mission}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Status != "" {
		where = append(where, "inv_status = "+arg(f.Status))
	}
	if f.Category != "" {
		where = append(where, "(','||categories||',') LIKE "+arg("%,"+f.Category+",%"))
	}
	if f.PersonnelCategory != "" {
		where = append(where, "personnel_category = "+arg(f.PersonnelCategory))
	}
	if !f.From.IsZero() {
		where = append(where, "reported >= "+arg(f.From.String()))
	}
	if !f.To.IsZero() {
		where = append(where, "reported <= "+arg(f.To.String()))
	}
	if f.After != "" {
		day, id, _ := strings.Cut(f.After, "|")
		p1, p2 := arg(day), arg(id)
		where = append(where, "(reported < "+p1+" OR (reported = "+p1+" AND id < "+p2+"))")
	}
	query := `SELECT ` + allegationColumns + ` FROM conduct_allegations WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY reported DESC, id DESC LIMIT ` + arg(f.Limit+1)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("conduct: find allegations: %w", err)
	}
	defer rows.Close()
	out := []*Allegation{}
	for rows.Next() {
		a, err := scanAllegation(rows)
		if err != nil {
			return nil, fmt.Errorf("conduct: scan allegation: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// storedVictim is a victim row: identity still sealed.
type storedVictim struct {
	Victim
	sealed sealedIdentity
}

func insertVictim(ctx context.Context, tx *store.Tx, mission, allegation string, v *storedVictim) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO conduct_victims (id, allegation_id, mission, sex, age_group,
		name_sealed, contact_sealed, location_sealed, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		v.ID, allegation, mission, v.Sex, v.AgeGroup, v.sealed.Name, v.sealed.Contact, v.sealed.Location,
		store.Millis(v.CreatedAt), store.Millis(v.UpdatedAt))
	if err != nil {
		return fmt.Errorf("conduct: insert victim: %w", err)
	}
	return nil
}

func updateVictim(ctx context.Context, tx *store.Tx, allegation string, v *storedVictim) error {
	_, err := tx.ExecContext(ctx, `UPDATE conduct_victims SET sex = $1, age_group = $2, name_sealed = $3,
		contact_sealed = $4, location_sealed = $5, updated_at = $6 WHERE id = $7 AND allegation_id = $8`,
		v.Sex, v.AgeGroup, v.sealed.Name, v.sealed.Contact, v.sealed.Location, store.Millis(v.UpdatedAt), v.ID, allegation)
	if err != nil {
		return fmt.Errorf("conduct: update victim: %w", err)
	}
	return nil
}

func findVictims(ctx context.Context, tx *store.Tx, allegation string) ([]*storedVictim, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, sex, age_group, name_sealed, contact_sealed, location_sealed,
		created_at, updated_at FROM conduct_victims WHERE allegation_id = $1 ORDER BY id`, allegation)
	if err != nil {
		return nil, fmt.Errorf("conduct: find victims: %w", err)
	}
	defer rows.Close()
	var out []*storedVictim
	for rows.Next() {
		var v storedVictim
		var created, updated int64
		if err := rows.Scan(&v.ID, &v.Sex, &v.AgeGroup, &v.sealed.Name, &v.sealed.Contact, &v.sealed.Location, &created, &updated); err != nil {
			return nil, fmt.Errorf("conduct: scan victim: %w", err)
		}
		v.CreatedAt, v.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
		out = append(out, &v)
	}
	return out, rows.Err()
}

// findSealedVictims returns every victim of every mission (key rotation).
func findSealedVictims(ctx context.Context, tx *store.Tx) ([]*storedVictim, map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, allegation_id, sex, age_group, name_sealed, contact_sealed,
		location_sealed, created_at, updated_at FROM conduct_victims ORDER BY id`)
	if err != nil {
		return nil, nil, fmt.Errorf("conduct: find victims: %w", err)
	}
	defer rows.Close()
	var out []*storedVictim
	owner := map[string]string{}
	for rows.Next() {
		var v storedVictim
		var allegation string
		var created, updated int64
		if err := rows.Scan(&v.ID, &allegation, &v.Sex, &v.AgeGroup, &v.sealed.Name, &v.sealed.Contact, &v.sealed.Location, &created, &updated); err != nil {
			return nil, nil, fmt.Errorf("conduct: scan victim: %w", err)
		}
		v.CreatedAt, v.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
		owner[v.ID] = allegation
		out = append(out, &v)
	}
	return out, owner, rows.Err()
}

func insertAction(ctx context.Context, tx *store.Tx, mission, allegation string, act *Action) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO conduct_actions (id, allegation_id, mission, action, taken_on, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, act.ID, allegation, mission, act.Action, act.TakenOn, act.Note, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("conduct: insert action: %w", err)
	}
	return nil
}

func findActions(ctx context.Context, tx *store.Tx, allegation string) ([]Action, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, action, taken_on, note FROM conduct_actions
		WHERE allegation_id = $1 ORDER BY taken_on, id`, allegation)
	if err != nil {
		return nil, fmt.Errorf("conduct: find actions: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		var a Action
		if err := rows.Scan(&a.ID, &a.Action, &a.TakenOn, &a.Note); err != nil {
			return nil, fmt.Errorf("conduct: scan action: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func logEntry(ctx context.Context, tx *store.Tx, allegation string, on peaceops.Date, kind, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO conduct_case_log (id, allegation_id, on_date, at, kind, detail)
		VALUES ($1, $2, $3, $4, $5, $6)`, peaceops.NewIDAt(tx.Now), allegation, on, tx.NowMillis(), kind, detail)
	if err != nil {
		return fmt.Errorf("conduct: log case entry: %w", err)
	}
	return nil
}

func findTimeline(ctx context.Context, tx *store.Tx, allegation string) ([]Entry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT on_date, at, kind, detail FROM conduct_case_log
		WHERE allegation_id = $1 ORDER BY on_date, at, id`, allegation)
	if err != nil {
		return nil, fmt.Errorf("conduct: find timeline: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.On, &at, &e.Kind, &e.Detail); err != nil {
			return nil, fmt.Errorf("conduct: scan timeline: %w", err)
		}
		e.At = store.FromMillis(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
