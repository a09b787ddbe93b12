package feedback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

const submissionColumns = `id, mission, channel, category, place_pcode, place_text, description, language,
	contact_sealed, reply_wanted, received, status, assigned_to, referred_to, allegation_id, public_response,
	ack_due, resolve_due, acknowledged_on, referred_on, responded_on, closed_on, version`

type scanner interface{ Scan(dest ...any) error }

// stored is a submission as read, with its sealed contact.
type stored struct {
	sub     *Submission
	contact string
}

func scanSubmission(sc scanner) (*Submission, string, error) {
	var s Submission
	var contact string
	var reply int
	err := sc.Scan(&s.ID, &s.Mission, &s.Channel, &s.Category, &s.PlaceCode, &s.Place, &s.Description, &s.Language,
		&contact, &reply, &s.Received, &s.Status, &s.AssignedTo, &s.ReferredTo, &s.AllegationID, &s.PublicResponse,
		&s.AckDue, &s.ResolveDue, &s.AcknowledgedOn, &s.ReferredOn, &s.RespondedOn, &s.ClosedOn, &s.Version)
	if err != nil {
		return nil, "", err
	}
	s.ReplyWanted = reply != 0
	s.HasContact = contact != ""
	return &s, contact, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// missionExists is ENOTFOUND unless mission is a mission's code. The
// public intake cannot ask the missions service (it answers only members);
// this reads the same key the foreign key of feedback.mission refers to.
func missionExists(ctx context.Context, tx *store.Tx, mission string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM missions WHERE code = $1`, mission).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", mission)
	}
	if err != nil {
		return fmt.Errorf("feedback: find mission %s: %w", mission, err)
	}
	return nil
}

func insertSubmission(ctx context.Context, tx *store.Tx, s *Submission, tracking, sealedContact string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO feedback (`+submissionColumns+`, tracking_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		s.ID, s.Mission, string(s.Channel), string(s.Category), s.PlaceCode, s.Place, s.Description, s.Language,
		sealedContact, boolInt(s.ReplyWanted), s.Received, string(s.Status), s.AssignedTo, string(s.ReferredTo), s.AllegationID, s.PublicResponse,
		s.AckDue, s.ResolveDue, s.AcknowledgedOn, s.ReferredOn, s.RespondedOn, s.ClosedOn, s.Version, tracking)
	if err != nil {
		return fmt.Errorf("feedback: insert: %w", err)
	}
	return nil
}

// updateSubmission writes the triage state of s if its stored version is
// still version (EPRECONDITION otherwise).
func updateSubmission(ctx context.Context, tx *store.Tx, s *Submission, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE feedback SET category = $1, status = $2, assigned_to = $3, referred_to = $4,
		allegation_id = $5, public_response = $6, acknowledged_on = $7, referred_on = $8, responded_on = $9, closed_on = $10,
		version = $11 WHERE id = $12 AND version = $13`,
		string(s.Category), string(s.Status), s.AssignedTo, string(s.ReferredTo), s.AllegationID, s.PublicResponse,
		s.AcknowledgedOn, s.ReferredOn, s.RespondedOn, s.ClosedOn, s.Version, s.ID, version)
	if err != nil {
		return fmt.Errorf("feedback: update %s: %w", s.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("feedback: update %s: %w", s.ID, err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "feedback %s was changed by someone else: reload and try again", s.ID)
	}
	return nil
}

func findSubmission(ctx context.Context, tx *store.Tx, mission, id string) (*Submission, string, error) {
	s, contact, err := scanSubmission(tx.QueryRowContext(ctx, `SELECT `+submissionColumns+` FROM feedback WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", notFound(id)
	} else if err != nil {
		return nil, "", fmt.Errorf("feedback: find %s: %w", id, err)
	}
	return s, contact, nil
}

func findByTracking(ctx context.Context, tx *store.Tx, hash string) (*Submission, string, error) {
	s, contact, err := scanSubmission(tx.QueryRowContext(ctx, `SELECT `+submissionColumns+` FROM feedback WHERE tracking_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", peaceops.Errorf(peaceops.ENOTFOUND, "no submission has this tracking code: check it and try again")
	} else if err != nil {
		return nil, "", fmt.Errorf("feedback: find by tracking code: %w", err)
	}
	return s, contact, nil
}

// findSubmissions returns up to limit submissions of mission matching f,
// newest first (received, then id, descending), after the cursor position
// after (received, id) when given.
func findSubmissions(ctx context.Context, tx *store.Tx, mission string, f Filter, after []string, today peaceops.Date, limit int) ([]stored, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := []string{"mission = " + arg(mission)}
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.Category != "" {
		where = append(where, "category = "+arg(string(f.Category)))
	}
	if f.AssignedTo != "" {
		where = append(where, "assigned_to = "+arg(f.AssignedTo))
	}
	if f.Open {
		where = append(where, "status <> 'closed'")
	}
	if f.Overdue {
		t := arg(today)
		where = append(where, "((acknowledged_on IS NULL AND ack_due < "+t+") OR (responded_on IS NULL AND closed_on IS NULL AND resolve_due < "+t+"))")
	}
	if after != nil {
		d, id := arg(after[0]), arg(after[1])
		where = append(where, "(received < "+d+" OR (received = "+d+" AND id < "+id+"))")
	}
	q := `SELECT ` + submissionColumns + ` FROM feedback WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY received DESC, id DESC LIMIT ` + arg(limit)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("feedback: find: %w", err)
	}
	defer rows.Close()
	var out []stored
	for rows.Next() {
		s, contact, err := scanSubmission(rows)
		if err != nil {
			return nil, fmt.Errorf("feedback: scan: %w", err)
		}
		out = append(out, stored{s, contact})
	}
	return out, rows.Err()
}

func insertEntry(ctx context.Context, tx *store.Tx, s *Submission, actor, action, detail string, public bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO feedback_log (id, feedback_id, mission, at, actor, action, detail, public)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		peaceops.NewIDAt(tx.Now), s.ID, s.Mission, tx.NowMillis(), actor, action, detail, boolInt(public))
	if err != nil {
		return fmt.Errorf("feedback: log %s of %s: %w", action, s.ID, err)
	}
	return nil
}

func findEntries(ctx context.Context, tx *store.Tx, id string) ([]Entry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT at, actor, action, detail, public FROM feedback_log WHERE feedback_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("feedback: timeline of %s: %w", id, err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var at int64
		var public int
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Detail, &public); err != nil {
			return nil, err
		}
		t := store.FromMillis(at)
		if e.Action == "received" {
			e.At = t.Format("2006-01-02")
		} else {
			e.At = t.Format("2006-01-02T15:04:05Z07:00")
		}
		e.Public = public != 0
		out = append(out, e)
	}
	return out, rows.Err()
}
