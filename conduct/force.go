package conduct

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// ForceReport is a report of force used by a unit of the mission, with
// the legal basis claimed under the mission's rules of engagement (ROE) or
// directives on the use of force, and its review.
type ForceReport struct {
	ID             string                  `json:"id"`
	Mission        string                  `json:"mission"`
	Unit           string                  `json:"unit"`
	OccurredAt     time.Time               `json:"occurred_at"`
	Place          string                  `json:"place"`
	EventID        string                  `json:"event_id"`
	ForceType      string                  `json:"force_type"`
	LegalBasis     string                  `json:"legal_basis"` // "" when none was claimed
	Killed         int                     `json:"killed"`
	Injured        int                     `json:"injured"`
	Narrative      string                  `json:"narrative"`
	Review         Review                  `json:"review"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Version        int64                   `json:"version"`
	// Flags are computed when the report is read: "no-legal-basis",
	// "review-overdue" (casualties and no review after the review period).
	Flags []string `json:"flags"`
}

// Review is the finding on a use of force.
type Review struct {
	By       string        `json:"by"`
	Finding  string        `json:"finding"` // "" not reviewed yet
	Reviewed peaceops.Date `json:"reviewed"`
	Note     string        `json:"note"`
}

// Validate fills in the default classification (confidential) and returns
// every field problem.
func (r *ForceReport) Validate() error {
	r.Unit, r.Place, r.Narrative = strings.TrimSpace(r.Unit), strings.TrimSpace(r.Place), strings.TrimSpace(r.Narrative)
	if r.Classification == 0 {
		r.Classification = peaceops.Confidential
	}
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if r.Unit == "" || len([]rune(r.Unit)) > 200 {
		add("unit", "is required, at most 200 characters")
	}
	if r.OccurredAt.IsZero() {
		add("occurred_at", "is required")
	}
	if len([]rune(r.Place)) > 200 {
		add("place", "must be at most 200 characters")
	}
	if r.EventID != "" && !peaceops.ValidID(r.EventID) {
		add("event_id", "must be the id of an event (a ULID)")
	}
	if !known(ForceTypes, r.ForceType) {
		add("force_type", oneOf(ForceTypes))
	}
	if r.LegalBasis != "" && !known(LegalBases, r.LegalBasis) {
		add("legal_basis", oneOf(LegalBases)+", or empty when none was claimed")
	}
	if r.Killed < 0 || r.Injured < 0 || r.Killed > 100000 || r.Injured > 100000 {
		add("casualties", "killed and injured must be between 0 and 100000")
	}
	if len([]rune(r.Narrative)) > 10000 {
		add("narrative", "must be at most 10000 characters")
	}
	if !r.Classification.Valid() {
		add("classification", "must be public, internal, confidential or strictly-confidential")
	}
	return peaceops.Invalid(errs)
}

func (r *ForceReport) flag(today peaceops.Date, reviewDays int) {
	r.Flags = []string{}
	if r.LegalBasis == "" {
		r.Flags = append(r.Flags, "no-legal-basis")
	}
	due := peaceops.DateOf(r.OccurredAt.AddDate(0, 0, reviewDays))
	if r.Killed+r.Injured > 0 && r.Review.Finding == "" && due.Before(today) {
		r.Flags = append(r.Flags, "review-overdue")
	}
}

// ForceFilter selects use-of-force reports.
type ForceFilter struct {
	Unit    string
	Flagged bool // only reports with a flag
	Limit   int  // 1..1000, default 50
	After   string
}

func forceResource(mission string, c peaceops.Classification) access.Resource {
	return access.Resource{Type: typeForce, Mission: mission, Classification: c}
}

// CreateForceReport validates and stores a use-of-force report.
func (s *Service) CreateForceReport(ctx context.Context, r *ForceReport) error {
	actor := peaceops.ActorFromContext(ctx)
	if err := r.Validate(); err != nil {
		return err
	}
	if err := access.Check(actor, access.ActionCreate, forceResource(r.Mission, r.Classification)); err != nil {
		return err
	}
	r.Review = Review{}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		r.ID = peaceops.NewIDAt(tx.Now)
		r.CreatedAt, r.UpdatedAt, r.Version = tx.Now, tx.Now, 1
		if err := writeForce(ctx, tx, r, true); err != nil {
			return err
		}
		r.flag(peaceops.DateOf(tx.Now), s.opts.ReviewDays)
		return tx.Audit(ctx, store.Change{Mission: r.Mission, EntityType: typeForce, EntityID: r.ID, Action: "create", After: r})
	})
}

// FindForceReport returns a report the actor may read (ENOTFOUND else).
func (s *Service) FindForceReport(ctx context.Context, mission, id string) (*ForceReport, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, forceResource(mission, peaceops.Public)); err != nil {
		return nil, err
	}
	var r *ForceReport
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		r, err = findForce(ctx, tx, mission, id)
		if err == nil {
			r.flag(peaceops.DateOf(tx.Now), s.opts.ReviewDays)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := access.Check(actor, access.ActionRead, forceResource(mission, r.Classification)); err != nil {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "use_of_force not found")
	}
	return r, nil
}

// FindForceReports returns a page of the mission's reports the actor is
// cleared for, newest first, and the next cursor.
func (s *Service) FindForceReports(ctx context.Context, mission string, f ForceFilter) ([]*ForceReport, string, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, forceResource(mission, peaceops.Public)); err != nil {
		return nil, "", err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 1000 {
		return nil, "", peaceops.Invalid([]peaceops.FieldError{{Field: "limit", Message: "must be between 1 and 1000"}})
	}
	clearance := access.Clearance(actor, typeForce, mission)
	var out []*ForceReport
	err := s.db.View(ctx, func(tx *store.Tx) error {
		after := f.After
		today := peaceops.DateOf(tx.Now)
		for len(out) <= f.Limit {
			page, err := findForces(ctx, tx, mission, f.Unit, clearance, after, f.Limit+1)
			if err != nil {
				return err
			}
			for _, r := range page {
				r.flag(today, s.opts.ReviewDays)
				if !f.Flagged || len(r.Flags) > 0 {
					out = append(out, r)
				}
			}
			if len(page) <= f.Limit {
				break
			}
			after = forceCursor(page[len(page)-1])
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = forceCursor(out[len(out)-1])
	}
	return out, next, nil
}

func forceCursor(r *ForceReport) string {
	return fmt.Sprintf("%d|%s", r.OccurredAt.UnixMilli(), r.ID)
}

// ReviewForceReport records the review of a report (conduct officers and
// mission-admins: the approve permission).
func (s *Service) ReviewForceReport(ctx context.Context, mission, id string, rev Review, version int64) (*ForceReport, error) {
	actor := peaceops.ActorFromContext(ctx)
	rev.By, rev.Note = strings.TrimSpace(rev.By), strings.TrimSpace(rev.Note)
	var errs []peaceops.FieldError
	if !known(Findings, rev.Finding) {
		errs = append(errs, peaceops.FieldError{Field: "finding", Message: oneOf(Findings)})
	}
	if rev.By == "" || len([]rune(rev.By)) > 200 {
		errs = append(errs, peaceops.FieldError{Field: "by", Message: "is required: who reviewed (at most 200 characters)"})
	}
	if len([]rune(rev.Note)) > 5000 {
		errs = append(errs, peaceops.FieldError{Field: "note", Message: "must be at most 5000 characters"})
	}
	var out *ForceReport
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findForce(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if err := access.Check(actor, access.ActionApprove, forceResource(mission, before.Classification)); err != nil {
			return err
		}
		if err := peaceops.Invalid(errs); err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "report %s is at version %d, not %d: reload and try again", id, before.Version, version)
		}
		after := *before
		if rev.Reviewed.IsZero() {
			rev.Reviewed = peaceops.DateOf(tx.Now)
		}
		after.Review, after.UpdatedAt, after.Version = rev, tx.Now, before.Version+1
		if err := writeForce(ctx, tx, &after, false); err != nil {
			return err
		}
		after.flag(peaceops.DateOf(tx.Now), s.opts.ReviewDays)
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeForce, EntityID: id, Action: "review", Before: before, After: after})
	})
	return out, err
}

// ForceSummaryRow counts the reports of one month and unit.
type ForceSummaryRow struct {
	Month        string `json:"month"` // YYYY-MM
	Unit         string `json:"unit"`
	Reports      int    `json:"reports"`
	Lethal       int    `json:"lethal"` // lethal force or weapon systems
	Killed       int    `json:"killed"`
	Injured      int    `json:"injured"`
	NoLegalBasis int    `json:"no_legal_basis"`
	Unreviewed   int    `json:"unreviewed"`
	NotWithinROE int    `json:"not_within_roe"`
}

// ForceSummary counts the mission's reports the actor is cleared for by
// month and unit, oldest month first.
func (s *Service) ForceSummary(ctx context.Context, mission string) ([]ForceSummaryRow, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, forceResource(mission, peaceops.Public)); err != nil {
		return nil, err
	}
	clearance := access.Clearance(actor, typeForce, mission)
	var all []*ForceReport
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		all, err = findForces(ctx, tx, mission, "", clearance, "", 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	idx := map[[2]string]*ForceSummaryRow{}
	var out []*ForceSummaryRow
	for _, r := range all {
		k := [2]string{r.OccurredAt.Format("2006-01"), r.Unit}
		row := idx[k]
		if row == nil {
			row = &ForceSummaryRow{Month: k[0], Unit: k[1]}
			idx[k] = row
			out = append(out, row)
		}
		row.Reports++
		if r.ForceType == "lethal" || r.ForceType == "weapon-systems" {
			row.Lethal++
		}
		row.Killed += r.Killed
		row.Injured += r.Injured
		if r.LegalBasis == "" {
			row.NoLegalBasis++
		}
		if r.Review.Finding == "" {
			row.Unreviewed++
		}
		if r.Review.Finding == "not-within-roe" {
			row.NotWithinROE++
		}
	}
	slices.SortFunc(out, func(a, b *ForceSummaryRow) int {
		if c := strings.Compare(a.Month, b.Month); c != 0 {
			return c
		}
		return strings.Compare(a.Unit, b.Unit)
	})
	rows := make([]ForceSummaryRow, len(out))
	for i, r := range out {
		rows[i] = *r
	}
	return rows, nil
}

const forceColumns = `id, mission, unit, occurred_at, place, event_id, force_type, legal_basis, killed, injured,
	narrative, review_by, review_finding, reviewed_on, review_note, classification, created_at, updated_at, version`

func scanForce(s scanner) (*ForceReport, error) {
	var r ForceReport
	var at, created, updated int64
	err := s.Scan(&r.ID, &r.Mission, &r.Unit, &at, &r.Place, &r.EventID, &r.ForceType, &r.LegalBasis, &r.Killed,
		&r.Injured, &r.Narrative, &r.Review.By, &r.Review.Finding, &r.Review.Reviewed, &r.Review.Note,
		&r.Classification, &created, &updated, &r.Version)
	if err != nil {
		return nil, err
	}
	r.OccurredAt, r.CreatedAt, r.UpdatedAt = store.FromMillis(at), store.FromMillis(created), store.FromMillis(updated)
	return &r, nil
}

func writeForce(ctx context.Context, tx *store.Tx, r *ForceReport, insert bool) error {
	args := []any{r.ID, r.Mission, r.Unit, store.Millis(r.OccurredAt), r.Place, r.EventID, r.ForceType, r.LegalBasis,
		r.Killed, r.Injured, r.Narrative, r.Review.By, r.Review.Finding, r.Review.Reviewed, r.Review.Note,
		int(r.Classification), store.Millis(r.CreatedAt), store.Millis(r.UpdatedAt), r.Version}
	if insert {
		_, err := tx.ExecContext(ctx, `INSERT INTO conduct_use_of_force (`+forceColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`, args...)
		if store.IsForeignKeyViolation(err) {
			return peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", r.Mission)
		} else if err != nil {
			return fmt.Errorf("conduct: insert use of force: %w", err)
		}
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE conduct_use_of_force SET review_by = $1, review_finding = $2,
		reviewed_on = $3, review_note = $4, updated_at = $5, version = $6 WHERE id = $7 AND version = $8`,
		r.Review.By, r.Review.Finding, r.Review.Reviewed, r.Review.Note, store.Millis(r.UpdatedAt), r.Version, r.ID, r.Version-1)
	if err != nil {
		return fmt.Errorf("conduct: update use of force: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "report %s was changed by someone else: reload and try again", r.ID)
	}
	return nil
}

func findForce(ctx context.Context, tx *store.Tx, mission, id string) (*ForceReport, error) {
	r, err := scanForce(tx.QueryRowContext(ctx, `SELECT `+forceColumns+` FROM conduct_use_of_force
		WHERE id = $1 AND mission = $2`, id, mission))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "use_of_force not found")
	} else if err != nil {
		return nil, fmt.Errorf("conduct: find use of force: %w", err)
	}
	return r, nil
}

// findForces returns reports of mission up to clearance, newest first;
// limit 0 returns all.
func findForces(ctx context.Context, tx *store.Tx, mission, unit string, clearance peaceops.Classification, after string, limit int) ([]*ForceReport, error) {
	where := []string{"mission = $1", "classification <= $2"}
	args := []any{mission, int(clearance)}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if unit != "" {
		where = append(where, "unit = "+arg(unit))
	}
	if after != "" {
		ms, id, _ := strings.Cut(after, "|")
		var at int64
		if _, err := fmt.Sscan(ms, &at); err != nil {
			return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "cursor", Message: "is not a cursor of this list"}})
		}
		p1, p2 := arg(at), arg(id)
		where = append(where, "(occurred_at < "+p1+" OR (occurred_at = "+p1+" AND id < "+p2+"))")
	}
	q := `SELECT ` + forceColumns + ` FROM conduct_use_of_force WHERE ` + strings.Join(where, " AND ") + ` ORDER BY occurred_at DESC, id DESC`
	if limit > 0 {
		q += ` LIMIT ` + arg(limit)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("conduct: find use of force: %w", err)
	}
	defer rows.Close()
	out := []*ForceReport{}
	for rows.Next() {
		r, err := scanForce(rows)
		if err != nil {
			return nil, fmt.Errorf("conduct: scan use of force: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
