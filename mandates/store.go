package mandates

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

const resolutionColumns = `id, mission, symbol, adopted, period_start, period_end, chapter_vii, document_url,
	source_note, classification, created_at, updated_at, version`

type scanner interface{ Scan(dest ...any) error }

func scanResolution(s scanner) (*Resolution, error) {
	var r Resolution
	var class int
	var created, updated int64
	err := s.Scan(&r.ID, &r.Mission, &r.Symbol, &r.Adopted, &r.PeriodStart, &r.PeriodEnd, &r.ChapterVII,
		&r.DocumentURL, &r.SourceNote, &class, &created, &updated, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Classification = peaceops.Classification(class)
	r.CreatedAt, r.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	r.Ceilings, r.Tasks = map[string]int{}, []Task{}
	return &r, nil
}

func notFound(id string) error {
	return peaceops.Errorf(peaceops.ENOTFOUND, "resolution %s not found", id)
}

// findResolution returns the resolution id of mission with its ceilings
// and tasks.
func findResolution(ctx context.Context, tx *store.Tx, mission, id string) (*Resolution, error) {
	r, err := scanResolution(tx.QueryRowContext(ctx, `SELECT `+resolutionColumns+` FROM mandate_resolutions
		WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("mandates: find %s: %w", id, err)
	}
	if err := loadDetails(ctx, tx, []*Resolution{r}); err != nil {
		return nil, err
	}
	return r, nil
}

// findChain returns every resolution of mission up to clearance with
// ceilings and tasks, in adoption order (then symbol number, then id).
func findChain(ctx context.Context, tx *store.Tx, mission string, clearance peaceops.Classification) ([]*Resolution, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+resolutionColumns+` FROM mandate_resolutions
		WHERE mission = $1 AND classification <= $2 ORDER BY adopted, id`, mission, int(clearance))
	if err != nil {
		return nil, fmt.Errorf("mandates: find %s: %w", mission, err)
	}
	defer rows.Close()
	out := []*Resolution{}
	for rows.Next() {
		r, err := scanResolution(rows)
		if err != nil {
			return nil, fmt.Errorf("mandates: scan: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	sortChain(out)
	return out, loadDetails(ctx, tx, out)
}

// sortChain orders resolutions by adoption date, then by resolution
// number (two adopted the same day), then id.
func sortChain(rs []*Resolution) {
	slices.SortStableFunc(rs, func(a, b *Resolution) int {
		if c := a.Adopted.Time().Compare(b.Adopted.Time()); c != 0 {
			return c
		}
		if c := symbolNumber(a.Symbol) - symbolNumber(b.Symbol); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

func symbolNumber(symbol string) int {
	m := symbolPattern.FindStringSubmatch(symbol)
	if m == nil {
		return 0
	}
	n := 0
	fmt.Sscanf(m[1], "%d", &n)
	return n
}

// loadDetails fills in the ceilings and tasks of rs.
func loadDetails(ctx context.Context, tx *store.Tx, rs []*Resolution) error {
	if len(rs) == 0 {
		return nil
	}
	byID := map[string]*Resolution{}
	var args []any
	ph := make([]string, len(rs))
	for i, r := range rs {
		byID[r.ID] = r
		args = append(args, r.ID)
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	rows, err := tx.QueryContext(ctx, `SELECT resolution_id, category, personnel FROM mandate_ceilings WHERE resolution_id IN `+in, args...)
	if err != nil {
		return fmt.Errorf("mandates: ceilings: %w", err)
	}
	for rows.Next() {
		var id, cat string
		var n int
		if err := rows.Scan(&id, &cat, &n); err != nil {
			rows.Close()
			return fmt.Errorf("mandates: ceilings: %w", err)
		}
		byID[id].Ceilings[cat] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT resolution_id, id, title, paragraph, priority, category, lineage, previous_task_id
		FROM mandate_tasks WHERE resolution_id IN `+in+` ORDER BY resolution_id, position`, args...)
	if err != nil {
		return fmt.Errorf("mandates: tasks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid string
		var t Task
		if err := rows.Scan(&rid, &t.ID, &t.Title, &t.Paragraph, &t.Priority, &t.Category, &t.Lineage, &t.Previous); err != nil {
			return fmt.Errorf("mandates: tasks: %w", err)
		}
		byID[rid].Tasks = append(byID[rid].Tasks, t)
	}
	return rows.Err()
}

func insertResolution(ctx context.Context, tx *store.Tx, r *Resolution) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mandate_resolutions (`+resolutionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.ID, r.Mission, r.Symbol, r.Adopted, r.PeriodStart, r.PeriodEnd, r.ChapterVII, r.DocumentURL,
		r.SourceNote, int(r.Classification), store.Millis(r.CreatedAt), store.Millis(r.UpdatedAt), r.Version)
	switch {
	case store.IsUniqueViolation(err):
		return symbolTaken(r)
	case store.IsForeignKeyViolation(err):
		return peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", r.Mission)
	case err != nil:
		return fmt.Errorf("mandates: insert %s: %w", r.Symbol, err)
	}
	return writeDetails(ctx, tx, r)
}

func symbolTaken(r *Resolution) error {
	return &peaceops.Error{Code: peaceops.ECONFLICT, Message: r.Mission + " already has resolution " + r.Symbol,
		Fields: []peaceops.FieldError{{Field: "symbol", Message: "is already recorded for this mission"}}}
}

// updateResolution writes r if its stored version is still r.Version-1,
// and replaces its ceilings and tasks.
func updateResolution(ctx context.Context, tx *store.Tx, r *Resolution) error {
	res, err := tx.ExecContext(ctx, `UPDATE mandate_resolutions SET symbol = $1, adopted = $2, period_start = $3,
		period_end = $4, chapter_vii = $5, document_url = $6, source_note = $7, classification = $8, updated_at = $9,
		version = $10 WHERE id = $11 AND version = $12`,
		r.Symbol, r.Adopted, r.PeriodStart, r.PeriodEnd, r.ChapterVII, r.DocumentURL, r.SourceNote,
		int(r.Classification), store.Millis(r.UpdatedAt), r.Version, r.ID, r.Version-1)
	if store.IsUniqueViolation(err) {
		return symbolTaken(r)
	} else if err != nil {
		return fmt.Errorf("mandates: update %s: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mandates: update %s: %w", r.ID, err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "resolution %s was changed by someone else: reload and try again", r.Symbol)
	}
	if err := deleteDetails(ctx, tx, r.ID); err != nil {
		return err
	}
	return writeDetails(ctx, tx, r)
}

func deleteDetails(ctx context.Context, tx *store.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mandate_ceilings WHERE resolution_id = $1`, id); err != nil {
		return fmt.Errorf("mandates: delete ceilings: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM mandate_tasks WHERE resolution_id = $1`, id); err != nil {
		return fmt.Errorf("mandates: delete tasks: %w", err)
	}
	return nil
}

func writeDetails(ctx context.Context, tx *store.Tx, r *Resolution) error {
	for _, cat := range CeilingCategories {
		n, ok := r.Ceilings[cat]
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mandate_ceilings (resolution_id, category, personnel) VALUES ($1, $2, $3)`,
			r.ID, cat, n); err != nil {
			return fmt.Errorf("mandates: insert ceiling: %w", err)
		}
	}
	for i, t := range r.Tasks {
		_, err := tx.ExecContext(ctx, `INSERT INTO mandate_tasks (id, resolution_id, mission, position, title, paragraph,
			priority, category, lineage, previous_task_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			t.ID, r.ID, r.Mission, i, t.Title, t.Paragraph, t.Priority, string(t.Category), string(t.Lineage), t.Previous)
		if store.IsUniqueViolation(err) {
			return peaceops.Invalid([]peaceops.FieldError{{Field: fmt.Sprintf("tasks[%d].id", i), Message: "is the id of a task of another resolution"}})
		} else if err != nil {
			return fmt.Errorf("mandates: insert task: %w", err)
		}
	}
	return nil
}

func deleteResolution(ctx context.Context, tx *store.Tx, r *Resolution) error {
	if err := deleteDetails(ctx, tx, r.ID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM mandate_resolutions WHERE id = $1 AND version = $2`, r.ID, r.Version)
	if err != nil {
		return fmt.Errorf("mandates: delete %s: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mandates: delete %s: %w", r.ID, err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "resolution %s was changed by someone else: reload and try again", r.Symbol)
	}
	return nil
}

// findTask returns the resolution holding task id of mission.
func findTaskResolution(ctx context.Context, tx *store.Tx, mission, id string) (string, error) {
	var rid string
	err := tx.QueryRowContext(ctx, `SELECT resolution_id FROM mandate_tasks WHERE mission = $1 AND id = $2`, mission, id).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", peaceops.Errorf(peaceops.ENOTFOUND, "mandated task %s not found", id)
	} else if err != nil {
		return "", fmt.Errorf("mandates: find task %s: %w", id, err)
	}
	return rid, nil
}

// missionExists reports whether mission is a mission.
func missionExists(ctx context.Context, tx *store.Tx, mission string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM missions WHERE code = $1`, mission).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("mandates: mission %s: %w", mission, err)
	}
	return n > 0, nil
}
