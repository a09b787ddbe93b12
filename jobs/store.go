package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// chunkSize is the most bytes of input one job_inputs row holds.
const chunkSize = 1 << 20

// actorContext is the stored form of the actor a job runs as. It is not
// peaceops.Actor's JSON, which leaves out System.
type actorContext struct {
	UserID   string                     `json:"user_id,omitempty"`
	Username string                     `json:"username,omitempty"`
	Admin    bool                       `json:"admin,omitempty"`
	System   bool                       `json:"system,omitempty"`
	Roles    map[string][]peaceops.Role `json:"roles,omitempty"`
}

func encodeActor(a peaceops.Actor) string {
	b, _ := json.Marshal(actorContext{UserID: a.UserID, Username: a.Username, Admin: a.Admin, System: a.System, Roles: a.Roles})
	return string(b)
}

func decodeActor(s string) (peaceops.Actor, error) {
	var c actorContext
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return peaceops.Actor{}, fmt.Errorf("jobs: stored actor: %w", err)
	}
	return peaceops.Actor{UserID: c.UserID, Username: c.Username, Admin: c.Admin, System: c.System, Roles: c.Roles}, nil
}

const jobColumns = `id, kind, mission, actor_id, actor, actor_context, status, progress, total, message,
	result, error, input_size, created_at, started_at, finished_at, updated_at, version`

func scanJob(row interface{ Scan(...any) error }) (*Job, error) {
	var (
		j                        Job
		actor                    string
		total, started, finished sql.NullInt64
		result, failure          sql.NullString
		progress                 int64
		created, updated         int64
	)
	err := row.Scan(&j.ID, &j.Kind, &j.Mission, &j.ActorID, &j.Actor, &actor, &j.Status, &progress, &total, &j.Message,
		&result, &failure, &j.InputSize, &created, &started, &finished, &updated, &j.Version)
	if err != nil {
		return nil, err
	}
	j.Progress = int(progress)
	if total.Valid {
		t := int(total.Int64)
		j.Total = &t
	}
	if result.Valid {
		j.Result = json.RawMessage(result.String)
	}
	if failure.Valid {
		j.Error = &Failure{}
		if err := json.Unmarshal([]byte(failure.String), j.Error); err != nil {
			return nil, fmt.Errorf("jobs: stored error of %s: %w", j.ID, err)
		}
	}
	j.CreatedAt, j.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	j.StartedAt, j.FinishedAt = optTime(started), optTime(finished)
	if j.runAs, err = decodeActor(actor); err != nil {
		return nil, err
	}
	return &j, nil
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMillis(v.Int64)
	return &t
}

func optInt(v *int) any {
	if v == nil {
		return nil
	}
	return int64(*v)
}

func optJSON(v json.RawMessage) any {
	if v == nil {
		return nil
	}
	return string(v)
}

func failureJSON(f *Failure) any {
	if f == nil {
		return nil
	}
	b, _ := json.Marshal(f)
	return string(b)
}

func insertJob(ctx context.Context, tx *store.Tx, j *Job) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO jobs
		(id, kind, mission, actor_id, actor, actor_context, status, progress, message, input_size, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 0, '', $8, $9, $9, 1)`,
		j.ID, j.Kind, j.Mission, j.ActorID, j.Actor, encodeActor(j.runAs), j.Status, j.InputSize, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("jobs: insert job: %w", err)
	}
	return nil
}

// insertInput stores r as the input of job id in chunks and returns its
// size.
func insertInput(ctx context.Context, tx *store.Tx, id string, r io.Reader) (int64, error) {
	buf := make([]byte, chunkSize)
	var size int64
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO job_inputs (job_id, seq, data) VALUES ($1, $2, $3)`, id, seq, buf[:n]); err != nil {
				return 0, fmt.Errorf("jobs: store input: %w", err)
			}
			size += int64(n)
		}
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return size, nil
		case err != nil:
			return 0, fmt.Errorf("jobs: read input: %w", err)
		}
	}
}

func setInputSize(ctx context.Context, tx *store.Tx, id string, size int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET input_size = $1 WHERE id = $2`, size, id)
	return err
}

// readInputChunk returns chunk seq of job id's input, io.EOF past the end.
func readInputChunk(ctx context.Context, tx *store.Tx, id string, seq int) ([]byte, error) {
	var b []byte
	err := tx.QueryRowContext(ctx, `SELECT data FROM job_inputs WHERE job_id = $1 AND seq = $2`, id, seq).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, io.EOF
	}
	return b, err
}

func findJobByID(ctx context.Context, tx *store.Tx, id string) (*Job, error) {
	j, err := scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "job not found")
	}
	return j, err
}

// scope restricts a listing to what an actor may see: all, or the jobs
// they submitted and those of the missions listed.
type scope struct {
	all      bool
	actorID  string
	missions []string
}

func findJobs(ctx context.Context, tx *store.Tx, f Filter, sc scope) ([]*Job, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !sc.all {
		cond := "actor_id = " + arg(sc.actorID)
		if len(sc.missions) > 0 {
			ph := make([]string, len(sc.missions))
			for i, m := range sc.missions {
				ph[i] = arg(m)
			}
			cond = "(" + cond + " OR mission IN (" + strings.Join(ph, ", ") + "))"
		}
		where = append(where, cond)
	}
	if f.Mission != "" {
		where = append(where, "mission = "+arg(f.Mission))
	}
	if f.Kind != "" {
		where = append(where, "kind = "+arg(f.Kind))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.Before != "" {
		where = append(where, "id < "+arg(f.Before))
	}
	q := `SELECT ` + jobColumns + ` FROM jobs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + arg(f.Limit)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	defer rows.Close()
	out := []*Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// skipLocked is the locking clause of the claim's inner select. On
// PostgreSQL it lets several servers claim from one queue at once, each
// passing over the rows another is claiming. SQLite has one writer, which
// makes the plain conditional update safe by itself.
func skipLocked(d store.Dialect) string {
	if d == store.Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// claimJob moves the oldest queued job of one of kinds to running on
// behalf of runner and returns it; ok is false when there is none.
func claimJob(ctx context.Context, tx *store.Tx, kinds []string, runner string) (j *Job, ok bool, err error) {
	args := []any{tx.NowMillis(), runner}
	ph := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	var id string
	err = tx.QueryRowContext(ctx, `UPDATE jobs SET status = 'running', runner = $2, started_at = $1, heartbeat_at = $1,
		updated_at = $1, version = version + 1
		WHERE status = 'queued' AND id = (SELECT id FROM jobs WHERE status = 'queued' AND kind IN (`+strings.Join(ph, ", ")+`)
			ORDER BY id LIMIT 1`+skipLocked(tx.Dialect())+`)
		RETURNING id`, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("jobs: claim: %w", err)
	}
	j, err = findJobByID(ctx, tx, id)
	return j, err == nil, err
}

// beat records the progress of a running job held by runner and that the
// runner is alive. It reports whether the job should stop: cancellation
// was asked for, or the job is no longer the runner's (another server
// judged it interrupted).
func beat(ctx context.Context, tx *store.Tx, id, runner string, p *snapshot) (stop bool, err error) {
	var cancel bool
	var q string
	args := []any{id, runner, tx.NowMillis()}
	if p != nil {
		q = `UPDATE jobs SET heartbeat_at = $3, updated_at = $3, progress = $4, total = $5, message = $6
			WHERE id = $1 AND runner = $2 AND status = 'running' RETURNING cancel_requested`
		args = append(args, p.done, optInt(p.total), p.message)
	} else {
		q = `UPDATE jobs SET heartbeat_at = $3 WHERE id = $1 AND runner = $2 AND status = 'running' RETURNING cancel_requested`
	}
	err = tx.QueryRowContext(ctx, q, args...).Scan(&cancel)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("jobs: heartbeat: %w", err)
	}
	return cancel, nil
}

// finishJob records the end of a running job held by runner and drops its
// input. It returns false when the job was no longer the runner's.
func finishJob(ctx context.Context, tx *store.Tx, j *Job, runner string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = $3, progress = $4, total = $5, message = $6, result = $7,
		error = $8, finished_at = $9, updated_at = $9, version = version + 1
		WHERE id = $1 AND runner = $2 AND status = 'running'`,
		j.ID, runner, j.Status, j.Progress, optInt(j.Total), j.Message, optJSON(j.Result), failureJSON(j.Error), tx.NowMillis())
	if err != nil {
		return false, fmt.Errorf("jobs: finish: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, dropInput(ctx, tx, j.ID)
}

func dropInput(ctx context.Context, tx *store.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM job_inputs WHERE job_id = $1`, id); err != nil {
		return fmt.Errorf("jobs: drop input: %w", err)
	}
	return nil
}

// failStale fails the running jobs of other runners whose heartbeat is
// older than before (their server died) and drops their inputs. It
// returns their ids.
func failStale(ctx context.Context, tx *store.Tx, runner string, before time.Time, f *Failure) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE jobs SET status = 'failed', error = $1, finished_at = $2, updated_at = $2,
		version = version + 1
		WHERE status = 'running' AND runner <> $3 AND (heartbeat_at IS NULL OR heartbeat_at < $4)
		RETURNING id`, failureJSON(f), tx.NowMillis(), runner, store.Millis(before))
	if err != nil {
		return nil, fmt.Errorf("jobs: fail stale jobs: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := dropInput(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// cancelQueued cancels job id if it is still queued, reporting whether it
// was.
func cancelQueued(ctx context.Context, tx *store.Tx, id string, f *Failure) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'cancelled', error = $2, finished_at = $3, updated_at = $3,
		version = version + 1 WHERE id = $1 AND status = 'queued'`, id, failureJSON(f), tx.NowMillis())
	if err != nil {
		return false, fmt.Errorf("jobs: cancel: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, dropInput(ctx, tx, id)
}

// requestCancel asks the runner of running job id to stop it.
func requestCancel(ctx context.Context, tx *store.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET cancel_requested = TRUE, updated_at = $2, version = version + 1
		WHERE id = $1 AND status = 'running'`, id, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("jobs: cancel: %w", err)
	}
	return nil
}
