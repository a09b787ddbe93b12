package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// SQL of the access tables: users, memberships, sessions, api_tokens,
// login_failures. Memberships name missions by code, so this file also
// reads missions.id/code: access sits below missions/ in the dependency
// order and cannot call its Service.

const userColumns = `id, username, display_name, password_hash, admin, disabled, language, created_at, updated_at, version`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var created, updated int64
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.passwordHash, &u.Admin, &u.Disabled,
		&u.Language, &created, &updated, &u.Version); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &u, nil
}

// findUserByUsername returns the user or ENOTFOUND.
func findUserByUsername(ctx context.Context, tx *store.Tx, username string) (*User, error) {
	if usernameProblem(username) != "" {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "user not found") // no such name can exist
	}
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "user not found")
	} else if err != nil {
		return nil, fmt.Errorf("access: find user: %w", err)
	}
	return u, nil
}

// findUserByID returns the user or ENOTFOUND.
func findUserByID(ctx context.Context, tx *store.Tx, id peaceops.ID) (*User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "user not found")
	} else if err != nil {
		return nil, fmt.Errorf("access: find user: %w", err)
	}
	return u, nil
}

func findUsers(ctx context.Context, tx *store.Tx, f UserFilter) ([]*User, error) {
	q := `SELECT ` + userColumns + ` FROM users WHERE username > $1`
	args := []any{storable(f.After, maxUsername)}
	if f.Query != "" {
		pattern := "%" + escapeLike(strings.ToLower(storable(f.Query, 200))) + "%"
		q += ` AND (LOWER(username) LIKE $2 ESCAPE '\' OR LOWER(display_name) LIKE $2 ESCAPE '\')`
		args = append(args, pattern)
	}
	q += fmt.Sprintf(` ORDER BY username LIMIT %d`, f.Limit)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("access: find users: %w", err)
	}
	defer rows.Close()
	users := []*User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("access: find users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("access: find users: %w", err)
	}
	return users, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func insertUser(ctx context.Context, tx *store.Tx, u *User) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		u.ID, u.Username, u.DisplayName, u.passwordHash, u.Admin, u.Disabled, u.Language,
		store.Millis(u.CreatedAt), store.Millis(u.UpdatedAt), u.Version)
	if store.IsUniqueViolation(err) {
		return peaceops.Errorf(peaceops.ECONFLICT, "username %q is already taken", u.Username)
	} else if err != nil {
		return fmt.Errorf("access: insert user: %w", err)
	}
	return nil
}

// updateUser writes u over the row whose version is u.Version-1.
func updateUser(ctx context.Context, tx *store.Tx, u *User) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET display_name = $1, password_hash = $2, admin = $3,
		disabled = $4, language = $5, updated_at = $6, version = $7 WHERE id = $8 AND version = $9`,
		u.DisplayName, u.passwordHash, u.Admin, u.Disabled, u.Language, store.Millis(u.UpdatedAt),
		u.Version, u.ID, u.Version-1)
	if err != nil {
		return fmt.Errorf("access: update user: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("access: update user: %w", err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "user %s was changed by someone else; reload it", u.Username)
	}
	return nil
}

// setPasswordHash replaces a hash with the same password hashed at the
// current cost. It is not a change of the user record: no version bump.
func setPasswordHash(ctx context.Context, tx *store.Tx, userID peaceops.ID, old, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3`, hash, userID, old)
	if err != nil {
		return fmt.Errorf("access: upgrade password hash: %w", err)
	}
	return nil
}

// rolesOf returns the roles userID holds, by mission code.
func rolesOf(ctx context.Context, tx *store.Tx, userID peaceops.ID) (map[string][]peaceops.Role, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.code, ms.role FROM memberships ms
		JOIN missions m ON m.id = ms.mission_id WHERE ms.user_id = $1 ORDER BY m.code, ms.role`, userID)
	if err != nil {
		return nil, fmt.Errorf("access: roles: %w", err)
	}
	defer rows.Close()
	var roles map[string][]peaceops.Role
	for rows.Next() {
		var code string
		var role peaceops.Role
		if err := rows.Scan(&code, &role); err != nil {
			return nil, fmt.Errorf("access: roles: %w", err)
		}
		if roles == nil {
			roles = map[string][]peaceops.Role{}
		}
		roles[code] = append(roles[code], role)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("access: roles: %w", err)
	}
	return roles, nil
}

// Login throttling.

// lockThrottle serializes concurrent login attempts on key until the
// transaction ends, so that counting and recording an attempt is atomic on
// PostgreSQL too (SQLite has one writer anyway). The lock is an upserted
// row "lock:"+key, which counting ignores and pruning removes.
func lockThrottle(ctx context.Context, tx *store.Tx, key string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO login_failures (id, key, at) VALUES ($1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at`, "lock:"+key, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("access: lock login throttle: %w", err)
	}
	return nil
}

func countFailures(ctx context.Context, tx *store.Tx, key string, since time.Time) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2`,
		key, store.Millis(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("access: count login failures: %w", err)
	}
	return n, nil
}

func insertFailure(ctx context.Context, tx *store.Tx, id peaceops.ID, key string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO login_failures (id, key, at) VALUES ($1, $2, $3)`, id, key, tx.NowMillis())
	if err != nil {
		return fmt.Errorf("access: record login failure: %w", err)
	}
	return nil
}

func deleteFailure(ctx context.Context, tx *store.Tx, id peaceops.ID) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE id = $1`, id); err != nil {
		return fmt.Errorf("access: clear login failure: %w", err)
	}
	return nil
}

func deleteFailures(ctx context.Context, tx *store.Tx, key string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("access: clear login failures: %w", err)
	}
	return nil
}

// pruneExpired deletes failures older than the throttle window and
// sessions past either expiry.
func pruneExpired(ctx context.Context, tx *store.Tx, failuresBefore time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, store.Millis(failuresBefore)); err != nil {
		return fmt.Errorf("access: prune login failures: %w", err)
	}
	now := tx.NowMillis()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR idle_expires_at <= $2`, now, now); err != nil {
		return fmt.Errorf("access: prune sessions: %w", err)
	}
	return nil
}

// Sessions.

type sessionRow struct {
	id                   string
	userID               peaceops.ID
	username             string
	admin, disabled      bool
	lastSeen, expires    time.Time
	idleExpires, created time.Time
}

func insertSession(ctx context.Context, tx *store.Tx, s sessionRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, idle_expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, s.id, s.userID, store.Millis(s.created), store.Millis(s.lastSeen),
		store.Millis(s.expires), store.Millis(s.idleExpires))
	if err != nil {
		return fmt.Errorf("access: insert session: %w", err)
	}
	return nil
}

// findSession returns the session with its user, or ENOTFOUND.
func findSession(ctx context.Context, tx *store.Tx, id string) (*sessionRow, error) {
	var s sessionRow
	var created, lastSeen, expires, idle int64
	err := tx.QueryRowContext(ctx, `SELECT s.id, s.user_id, u.username, u.admin, u.disabled,
		s.created_at, s.last_seen_at, s.expires_at, s.idle_expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`, id).
		Scan(&s.id, &s.userID, &s.username, &s.admin, &s.disabled, &created, &lastSeen, &expires, &idle)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "session not found")
	} else if err != nil {
		return nil, fmt.Errorf("access: find session: %w", err)
	}
	s.created, s.lastSeen = store.FromMillis(created), store.FromMillis(lastSeen)
	s.expires, s.idleExpires = store.FromMillis(expires), store.FromMillis(idle)
	return &s, nil
}

func touchSession(ctx context.Context, tx *store.Tx, id string, idleExpires time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE id = $3`,
		tx.NowMillis(), store.Millis(idleExpires), id)
	if err != nil {
		return fmt.Errorf("access: touch session: %w", err)
	}
	return nil
}

// deleteSession deletes a session and returns its user, or "" if there was
// no such session.
func deleteSession(ctx context.Context, tx *store.Tx, id string) (peaceops.ID, error) {
	var userID peaceops.ID
	err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE id = $1 RETURNING user_id`, id).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("access: delete session: %w", err)
	}
	return userID, nil
}

// deleteUserSessions ends every session of userID except keep.
func deleteUserSessions(ctx context.Context, tx *store.Tx, userID peaceops.ID, keep string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keep)
	if err != nil {
		return fmt.Errorf("access: end sessions: %w", err)
	}
	return nil
}

// API tokens.

const tokenColumns = `t.id, t.user_id, u.username, t.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }, extra ...any) (*Token, error) {
	var t Token
	var created int64
	var expires, lastUsed, revoked sql.NullInt64
	dest := append([]any{&t.ID, &t.UserID, &t.Username, &t.Name, &created, &expires, &lastUsed, &revoked}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	t.CreatedAt = store.FromMillis(created)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = optTime(expires), optTime(lastUsed), optTime(revoked)
	return &t, nil
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMillis(v.Int64)
	return &t
}

func optMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.Millis(*t)
}

func insertToken(ctx context.Context, tx *store.Tx, t *Token, hash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, t.ID, t.UserID, t.Name, hash, store.Millis(t.CreatedAt), optMillis(t.ExpiresAt))
	if err != nil {
		return fmt.Errorf("access: insert token: %w", err)
	}
	return nil
}

func findTokenByID(ctx context.Context, tx *store.Tx, id peaceops.ID) (*Token, error) {
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "token not found")
	} else if err != nil {
		return nil, fmt.Errorf("access: find token: %w", err)
	}
	return t, nil
}

// findTokenByHash returns the token and whether its user is disabled and
// an administrator, or ENOTFOUND.
func findTokenByHash(ctx context.Context, tx *store.Tx, hash string) (t *Token, admin, disabled bool, err error) {
	t, err = scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+`, u.admin, u.disabled
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`, hash), &admin, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, false, peaceops.Errorf(peaceops.ENOTFOUND, "token not found")
	} else if err != nil {
		return nil, false, false, fmt.Errorf("access: find token: %w", err)
	}
	return t, admin, disabled, nil
}

func findTokensOf(ctx context.Context, tx *store.Tx, userID peaceops.ID) ([]*Token, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = $1 ORDER BY t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("access: find tokens: %w", err)
	}
	defer rows.Close()
	tokens := []*Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("access: find tokens: %w", err)
		}
		tokens = append(tokens, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("access: find tokens: %w", err)
	}
	return tokens, nil
}

func revokeToken(ctx context.Context, tx *store.Tx, id peaceops.ID) error {
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, tx.NowMillis(), id); err != nil {
		return fmt.Errorf("access: revoke token: %w", err)
	}
	return nil
}

func touchToken(ctx context.Context, tx *store.Tx, id peaceops.ID) error {
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, tx.NowMillis(), id); err != nil {
		return fmt.Errorf("access: touch token: %w", err)
	}
	return nil
}

// Memberships.

// findMissionID returns the ID of the mission with code, or ENOTFOUND.
func findMissionID(ctx context.Context, tx *store.Tx, code string) (peaceops.ID, error) {
	if code == "" || len(code) > 64 || storable(code, 64) != code {
		return "", peaceops.Errorf(peaceops.ENOTFOUND, "mission not found")
	}
	var id peaceops.ID
	err := tx.QueryRowContext(ctx, `SELECT id FROM missions WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", peaceops.Errorf(peaceops.ENOTFOUND, "mission not found")
	} else if err != nil {
		return "", fmt.Errorf("access: find mission: %w", err)
	}
	return id, nil
}

// insertMembership grants role and reports whether it was new.
func insertMembership(ctx context.Context, tx *store.Tx, missionID, userID peaceops.ID, role peaceops.Role) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO memberships (mission_id, user_id, role, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (mission_id, user_id, role) DO NOTHING`,
		missionID, userID, string(role), tx.NowMillis())
	if err != nil {
		return false, fmt.Errorf("access: add member: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("access: add member: %w", err)
	}
	return n == 1, nil
}

// deleteMembership withdraws role and reports whether it was held.
func deleteMembership(ctx context.Context, tx *store.Tx, missionID, userID peaceops.ID, role peaceops.Role) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE mission_id = $1 AND user_id = $2 AND role = $3`,
		missionID, userID, string(role))
	if err != nil {
		return false, fmt.Errorf("access: remove member: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("access: remove member: %w", err)
	}
	return n == 1, nil
}

func findMembers(ctx context.Context, tx *store.Tx, missionID peaceops.ID) ([]Member, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.username, u.display_name, ms.role FROM memberships ms
		JOIN users u ON u.id = ms.user_id WHERE ms.mission_id = $1 ORDER BY u.username, ms.role`, missionID)
	if err != nil {
		return nil, fmt.Errorf("access: find members: %w", err)
	}
	defer rows.Close()
	members := []Member{}
	for rows.Next() {
		var username, display string
		var role peaceops.Role
		if err := rows.Scan(&username, &display, &role); err != nil {
			return nil, fmt.Errorf("access: find members: %w", err)
		}
		if n := len(members); n > 0 && members[n-1].Username == username {
			members[n-1].Roles = append(members[n-1].Roles, role)
			continue
		}
		members = append(members, Member{Username: username, DisplayName: display, Roles: []peaceops.Role{role}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("access: find members: %w", err)
	}
	return members, nil
}
