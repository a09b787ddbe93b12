package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

const alertColumns = `id, mission, area, area_name, area_level, type, metric, observed, expected, baseline, history_weeks,
	p_value, adjusted_p, model, level, peak_level, explanation, window_from, window_to, state, state_reason, owner, notes,
	classification, active, quiet_runs, created_at, updated_at, version, last_seen_at`

type scanner interface{ Scan(dest ...any) error }

func scanAlert(s scanner) (*Alert, error) {
	var a Alert
	var notes string
	var class int
	var created, updated, seen int64
	err := s.Scan(&a.ID, &a.Mission, &a.Area, &a.AreaName, &a.AreaLevel, &a.Type, &a.Metric, &a.Observed, &a.Expected,
		&a.Baseline, &a.HistoryWeeks, &a.PValue, &a.AdjustedP, &a.Model, &a.Level, &a.PeakLevel, &a.Explanation,
		&a.Window.From, &a.Window.To, &a.State, &a.StateReason, &a.Owner, &notes,
		&class, &a.active, &a.quietRuns, &created, &updated, &a.Version, &seen)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(notes), &a.Notes); err != nil {
		return nil, fmt.Errorf("alerts: stored notes of %s: %w", a.ID, err)
	}
	if a.Notes == nil {
		a.Notes = []Note{}
	}
	a.Classification = peaceops.Classification(class)
	a.CreatedAt, a.UpdatedAt, a.LastSeenAt = store.FromMillis(created), store.FromMillis(updated), store.FromMillis(seen)
	return &a, nil
}

func alertArgs(a *Alert) ([]any, error) {
	notes := a.Notes
	if notes == nil {
		notes = []Note{}
	}
	b, err := json.Marshal(notes)
	if err != nil {
		return nil, fmt.Errorf("alerts: encode notes: %w", err)
	}
	return []any{a.ID, a.Mission, a.Area, a.AreaName, a.AreaLevel, a.Type, string(a.Metric), a.Observed, a.Expected,
		a.Baseline, a.HistoryWeeks, a.PValue, a.AdjustedP, string(a.Model), string(a.Level), string(a.PeakLevel), a.Explanation,
		a.Window.From, a.Window.To, string(a.State), a.StateReason, a.Owner, string(b),
		int(a.Classification), a.active, a.quietRuns, store.Millis(a.CreatedAt), store.Millis(a.UpdatedAt), a.Version,
		store.Millis(a.LastSeenAt)}, nil
}

func placeholders(from, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(ph, ", ")
}

func insertAlert(ctx context.Context, tx *store.Tx, a *Alert) error {
	args, err := alertArgs(a)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO alerts (`+alertColumns+`) VALUES (`+placeholders(1, len(args))+`)`, args...); err != nil {
		return fmt.Errorf("alerts: insert %s: %w", a.ID, err)
	}
	return nil
}

// updateAlert writes every mutable column of a if its stored version is
// still version: exactly one of two concurrent updates with the same
// If-Match matches the row.
func updateAlert(ctx context.Context, tx *store.Tx, a *Alert, version int64) error {
	args, err := alertArgs(a)
	if err != nil {
		return err
	}
	cols := strings.Split(alertColumns, ",")
	var set []string
	var vals []any
	for i, c := range cols {
		c = strings.TrimSpace(c)
		if c == "id" || c == "mission" || c == "created_at" {
			continue
		}
		vals = append(vals, args[i])
		set = append(set, fmt.Sprintf("%s = $%d", c, len(vals)))
	}
	vals = append(vals, a.ID, version)
	res, err := tx.ExecContext(ctx, `UPDATE alerts SET `+strings.Join(set, ", ")+
		fmt.Sprintf(` WHERE id = $%d AND version = $%d`, len(vals)-1, len(vals)), vals...)
	if err != nil {
		return fmt.Errorf("alerts: update %s: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("alerts: update %s: %w", a.ID, err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "alert %s was changed by someone else: reload and try again", a.ID)
	}
	return nil
}

// endEpisode marks alert id as no longer the current episode of its key.
func endEpisode(ctx context.Context, tx *store.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE alerts SET active = FALSE WHERE id = $1`, id); err != nil {
		return fmt.Errorf("alerts: end episode of %s: %w", id, err)
	}
	return nil
}

func findAlert(ctx context.Context, tx *store.Tx, mission, id string) (*Alert, error) {
	if !peaceops.ValidID(id) {
		return nil, alertNotFound(id)
	}
	a, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1 AND mission = $2`, id, mission))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, alertNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("alerts: find %s: %w", id, err)
	}
	return a, nil
}

// findAlerts returns up to f.Limit+1 alerts of mission matching f and
// classified at most clearance, newest first.
func findAlerts(ctx context.Context, tx *store.Tx, mission string, clearance peaceops.Classification, f Filter) ([]*Alert, error) {
	args := []any{mission, int(clearance)}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := []string{"mission = $1", "classification <= $2"}
	if f.State != "" {
		where = append(where, "state = "+arg(string(f.State)))
	}
	if f.Level != "" {
		where = append(where, "level = "+arg(string(f.Level)))
	}
	if f.Area != "" {
		where = append(where, "area LIKE "+arg(f.Area+"%")) // Validate refuses % and _
	}
	if f.Cursor != "" {
		where = append(where, "id < "+arg(f.Cursor))
	}
	q := `SELECT ` + alertColumns + ` FROM alerts WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id DESC LIMIT ` + arg(f.Limit+1)
	return queryAlerts(ctx, tx, q, args...)
}

func queryAlerts(ctx context.Context, tx *store.Tx, q string, args ...any) ([]*Alert, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("alerts: find: %w", err)
	}
	defer rows.Close()
	out := []*Alert{}
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("alerts: scan: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// findActiveAlerts returns the current episode of every key of mission for
// metric.
func findActiveAlerts(ctx context.Context, tx *store.Tx, mission string, metric Metric) (map[key]*Alert, error) {
	list, err := queryAlerts(ctx, tx, `SELECT `+alertColumns+` FROM alerts WHERE mission = $1 AND metric = $2 AND active`, mission, string(metric))
	if err != nil {
		return nil, err
	}
	out := make(map[key]*Alert, len(list))
	for _, a := range list {
		out[key{a.Area, a.Type}] = a
	}
	return out, nil
}

// touchRun records that a run of mission is under way, creating its row.
func touchRun(ctx context.Context, tx *store.Tx, mission string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO alert_runs (mission, last_run_at) VALUES ($1, $2)
		ON CONFLICT (mission) DO UPDATE SET last_run_at = excluded.last_run_at`, mission, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("alerts: record the run of %s: %w", mission, err)
	}
	return nil
}

// saveRun keeps the summary of the run (without its alerts).
func saveRun(ctx context.Context, tx *store.Tx, mission string, r RunResult) error {
	r.Alerts = nil
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("alerts: encode the run of %s: %w", mission, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alert_runs SET last_result = $1 WHERE mission = $2`, string(b), mission); err != nil {
		return fmt.Errorf("alerts: record the run of %s: %w", mission, err)
	}
	return nil
}

func findLastRun(ctx context.Context, tx *store.Tx, mission string) (string, error) {
	var text string
	err := tx.QueryRowContext(ctx, `SELECT last_result FROM alert_runs WHERE mission = $1`, mission).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("alerts: last run of %s: %w", mission, err)
	}
	return text, nil
}

// claimRun takes the scheduled run of mission until till unless another
// server's claim runs past now. On PostgreSQL a concurrent claim waits for
// this one's commit, then finds the row taken.
func claimRun(ctx context.Context, tx *store.Tx, mission string, now, till time.Time) (bool, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO alert_runs (mission) VALUES ($1) ON CONFLICT (mission) DO NOTHING`, mission); err != nil {
		return false, fmt.Errorf("alerts: claim the run of %s: %w", mission, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE alert_runs SET claimed_till = $1 WHERE mission = $2 AND claimed_till <= $3`,
		store.Millis(till), mission, store.Millis(now))
	if err != nil {
		return false, fmt.Errorf("alerts: claim the run of %s: %w", mission, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Subscriptions.

const subscriptionColumns = `id, mission, area, category, min_level, email, created_at`

func scanSubscription(s scanner, extra ...any) (*Subscription, error) {
	var sub Subscription
	var created int64
	dest := append([]any{&sub.ID, &sub.Mission, &sub.Area, &sub.Category, &sub.MinLevel, &sub.Email, &created}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	sub.CreatedAt = store.FromMillis(created)
	return &sub, nil
}

// upsertSubscription stores sub, or updates the level and address of the
// user's subscription with the same area and category (sub then takes its
// ID and creation time).
func upsertSubscription(ctx context.Context, tx *store.Tx, userID string, sub *Subscription) error {
	var created int64
	err := tx.QueryRowContext(ctx, `INSERT INTO alert_subscriptions (id, mission, user_id, area, category, min_level, email, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (mission, user_id, area, category) DO UPDATE SET min_level = excluded.min_level, email = excluded.email
		RETURNING id, created_at`,
		sub.ID, sub.Mission, userID, sub.Area, sub.Category, string(sub.MinLevel), sub.Email, store.Millis(sub.CreatedAt)).Scan(&sub.ID, &created)
	if err != nil {
		return fmt.Errorf("alerts: subscribe: %w", err)
	}
	sub.CreatedAt = store.FromMillis(created)
	return nil
}

func deleteSubscription(ctx context.Context, tx *store.Tx, mission, userID, id string) (*Subscription, error) {
	sub, err := scanSubscription(tx.QueryRowContext(ctx, `DELETE FROM alert_subscriptions WHERE id = $1 AND mission = $2 AND user_id = $3
		RETURNING `+subscriptionColumns, id, mission, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "subscription %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("alerts: unsubscribe: %w", err)
	}
	return sub, nil
}

func findSubscriptions(ctx context.Context, tx *store.Tx, mission, userID string) ([]*Subscription, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM alert_subscriptions
		WHERE mission = $1 AND user_id = $2 ORDER BY area, category`, mission, userID)
	if err != nil {
		return nil, fmt.Errorf("alerts: find subscriptions: %w", err)
	}
	defer rows.Close()
	out := []*Subscription{}
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("alerts: find subscriptions: %w", err)
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// subscriber is a subscription with its user. Global administrators read
// every mission's alerts without being members.
type subscriber struct {
	*Subscription
	userID string
	admin  bool
}

func findMissionSubscriptions(ctx context.Context, tx *store.Tx, mission string) ([]subscriber, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.id, s.mission, s.area, s.category, s.min_level, s.email, s.created_at, s.user_id, u.username, u.admin
		FROM alert_subscriptions s JOIN users u ON u.id = s.user_id
		WHERE s.mission = $1 AND NOT u.disabled ORDER BY s.id`, mission)
	if err != nil {
		return nil, fmt.Errorf("alerts: find subscriptions: %w", err)
	}
	defer rows.Close()
	var out []subscriber
	for rows.Next() {
		var userID, username string
		var admin bool
		sub, err := scanSubscription(rows, &userID, &username, &admin)
		if err != nil {
			return nil, fmt.Errorf("alerts: find subscriptions: %w", err)
		}
		sub.Username = username
		out = append(out, subscriber{sub, userID, admin})
	}
	return out, rows.Err()
}

// Notifications.

// insertNotification writes a notification unless the user already has
// one for the alert at this level, and reports whether it did.
func insertNotification(ctx context.Context, tx *store.Tx, userID, mission, alertID string, level Level, email string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO alert_notifications (id, user_id, mission, alert_id, level, created_at, email)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, alert_id, level) DO NOTHING`,
		peaceops.NewIDAt(tx.Now), userID, mission, alertID, string(level), tx.NowMillis(), email)
	if err != nil {
		return false, fmt.Errorf("alerts: notify: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func findNotifications(ctx context.Context, tx *store.Tx, userID string, limit int) ([]*Notification, error) {
	rows, err := tx.QueryContext(ctx, `SELECT n.id, n.mission, n.alert_id, n.level, a.area_name, a.explanation, n.created_at, n.read_at
		FROM alert_notifications n JOIN alerts a ON a.id = n.alert_id
		WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("alerts: find notifications: %w", err)
	}
	defer rows.Close()
	out := []*Notification{}
	for rows.Next() {
		var n Notification
		var created int64
		var read sql.NullInt64
		if err := rows.Scan(&n.ID, &n.Mission, &n.AlertID, &n.Level, &n.AreaName, &n.Explanation, &created, &read); err != nil {
			return nil, fmt.Errorf("alerts: find notifications: %w", err)
		}
		n.CreatedAt = store.FromMillis(created)
		if read.Valid {
			t := store.FromMillis(read.Int64)
			n.ReadAt = &t
		}
		out = append(out, &n)
	}
	return out, rows.Err()
}

// markRead sets the read time of the user's notification id if unset. It
// returns the notification's mission and whether it changed; ENOTFOUND
// when the user has no such notification.
func markRead(ctx context.Context, tx *store.Tx, userID, id string) (string, bool, error) {
	var mission string
	var read sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT mission, read_at FROM alert_notifications WHERE id = $1 AND user_id = $2`, id, userID).Scan(&mission, &read)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, peaceops.Errorf(peaceops.ENOTFOUND, "notification %s not found", id)
	} else if err != nil {
		return "", false, fmt.Errorf("alerts: read notification: %w", err)
	}
	if read.Valid {
		return mission, false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alert_notifications SET read_at = $1 WHERE id = $2`, tx.NowMillis(), id); err != nil {
		return "", false, fmt.Errorf("alerts: read notification: %w", err)
	}
	return mission, true, nil
}

// pendingMail is a notification waiting to be mailed, with what the mail
// says.
type pendingMail struct {
	id, email, mission string
	alert              Alert
}

// findPendingMail returns up to limit notifications with an address that
// have not been mailed and have failed fewer than maxAttempts times.
func findPendingMail(ctx context.Context, tx *store.Tx, maxAttempts, limit int) ([]pendingMail, error) {
	rows, err := tx.QueryContext(ctx, `SELECT n.id, n.email, n.mission, a.id, a.area, a.area_name, a.type, n.level, a.explanation, a.window_from, a.window_to
		FROM alert_notifications n JOIN alerts a ON a.id = n.alert_id
		WHERE n.email <> '' AND n.emailed_at IS NULL AND n.email_attempts < $1 ORDER BY n.id LIMIT $2`, maxAttempts, limit)
	if err != nil {
		return nil, fmt.Errorf("alerts: pending mail: %w", err)
	}
	defer rows.Close()
	var out []pendingMail
	for rows.Next() {
		var m pendingMail
		a := &m.alert
		if err := rows.Scan(&m.id, &m.email, &m.mission, &a.ID, &a.Area, &a.AreaName, &a.Type, &a.Level, &a.Explanation, &a.Window.From, &a.Window.To); err != nil {
			return nil, fmt.Errorf("alerts: pending mail: %w", err)
		}
		a.Mission = m.mission
		out = append(out, m)
	}
	return out, rows.Err()
}

// markMailed records the outcome of one send.
func markMailed(ctx context.Context, tx *store.Tx, id string, ok bool) error {
	q := `UPDATE alert_notifications SET email_attempts = email_attempts + 1 WHERE id = $1`
	args := []any{id}
	if ok {
		q = `UPDATE alert_notifications SET emailed_at = $2, email_attempts = email_attempts + 1 WHERE id = $1`
		args = append(args, tx.NowMillis())
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("alerts: record mail: %w", err)
	}
	return nil
}
