package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// Browser sessions and login throttling.
//
// Login and the per-request lookups break the house rule of one
// transaction per public method, on purpose: Login verifies the password
// (tens of milliseconds of argon2) between two short write transactions so
// that the single SQLite writer is never held while hashing, and the
// per-request lookups read in a read-only transaction and write only when
// the last-seen time is due for a refresh.

// tokenBytes is the entropy of session cookies and API tokens: 256 bits.
const tokenBytes = 32

// randomToken returns tokenBytes of crypto/rand in unpadded base64url.
func randomToken() string {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic("access: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken returns the stored form of a session or API token: hex SHA-256.
// The tokens carry 256 random bits, so a fast hash is enough; a stolen
// database copy holds no usable credential.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports whether s looks like randomToken's output, so that
// garbage is refused without a query.
func wellFormed(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

var errBadLogin = peaceops.Errorf(peaceops.EUNAUTHORIZED, "invalid username or password")

// attempt is a login in progress: the user (nil if unknown) and the
// throttle rows recorded for it.
type attempt struct {
	username, ip       string
	user               *User
	userFail, ipFail   peaceops.ID
	throttled          bool
	failReason         string
	newHash, upgradeOf string
}

// Login checks username and password and starts a session. It returns the
// session token (the cookie value, 256 random bits in base64url; the
// database keeps only its SHA-256) and the session's absolute expiry.
//
// Errors: ETOOMANY when the username or the client address ip had too many
// failed logins within the throttle window (checked before the password,
// not audited, not counted); EUNAUTHORIZED "invalid username or password"
// for an unknown user, a wrong password or a disabled user alike, after
// the same amount of hashing work, so that responses do not reveal which
// usernames exist. A success clears the username's failures and is
// audited as "login"; a failure is audited as "login_failed" (entity user).
// Usernames are matched case-insensitively; ip may be "" (no per-address
// throttling).
func (s *Service) Login(ctx context.Context, username, password, ip string) (string, time.Time, error) {
	at := &attempt{username: normalizeUsername(username), ip: storable(ip, 64)}
	if err := s.db.Update(ctx, func(tx *store.Tx) error { return s.beginLogin(ctx, tx, at) }); err != nil {
		return "", time.Time{}, err
	}
	if at.throttled {
		return "", time.Time{}, peaceops.Errorf(peaceops.ETOOMANY, "too many failed logins; try again later")
	}
	hash := s.dummy()
	if at.user != nil {
		hash = at.user.passwordHash
	}
	ok, upgrade, err := s.verify(ctx, hash, password)
	if err != nil {
		return "", time.Time{}, err
	}
	switch {
	case at.user == nil:
		at.failReason = "unknown user"
	case !ok:
		at.failReason = "wrong password"
	case at.user.Disabled:
		at.failReason = "disabled"
	}
	if at.failReason == "" && upgrade {
		// The stored hash was made at an older cost: replace it now that
		// the password is at hand.
		if at.newHash, err = s.hash(ctx, password); err != nil {
			return "", time.Time{}, err
		}
		at.upgradeOf = hash
	}
	var token string
	var expires time.Time
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if at.failReason == "" {
			var err error
			if token, expires, err = s.finishLogin(ctx, tx, at); err != nil || at.failReason == "" {
				return err
			}
		}
		return tx.Audit(ctx, store.Change{EntityType: "user", EntityID: userID(at.user), Action: "login_failed",
			After: map[string]string{"username": at.username, "ip": at.ip, "reason": at.failReason}})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	if at.failReason != "" {
		return "", time.Time{}, errBadLogin
	}
	return token, expires, nil
}

func userID(u *User) peaceops.ID {
	if u == nil {
		return ""
	}
	return u.ID
}

// beginLogin prunes expired rows, applies the throttle and records the
// attempt as a failure until it proves otherwise, so that parallel guesses
// count even before their passwords are checked.
func (s *Service) beginLogin(ctx context.Context, tx *store.Tx, at *attempt) error {
	if err := s.maybePrune(ctx, tx); err != nil {
		return err
	}
	// Always the user's lock first, then the address's: no deadlock.
	if err := lockThrottle(ctx, tx, "user:"+at.username); err != nil {
		return err
	}
	if at.ip != "" {
		if err := lockThrottle(ctx, tx, "ip:"+at.ip); err != nil {
			return err
		}
	}
	since := tx.Now.Add(-s.opts.ThrottleWindow)
	n, err := countFailures(ctx, tx, "user:"+at.username, since)
	if err != nil {
		return err
	}
	if n >= s.opts.MaxFailuresUser {
		at.throttled = true
		return nil
	}
	if at.ip != "" {
		if n, err = countFailures(ctx, tx, "ip:"+at.ip, since); err != nil {
			return err
		}
		if n >= s.opts.MaxFailuresIP {
			at.throttled = true
			return nil
		}
		at.ipFail = peaceops.NewIDAt(tx.Now)
		if err := insertFailure(ctx, tx, at.ipFail, "ip:"+at.ip); err != nil {
			return err
		}
	}
	at.userFail = peaceops.NewIDAt(tx.Now)
	if err := insertFailure(ctx, tx, at.userFail, "user:"+at.username); err != nil {
		return err
	}
	if usernameProblem(at.username) != "" {
		return nil // cannot exist
	}
	at.user, err = findUserByUsername(ctx, tx, at.username)
	if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
		at.user, err = nil, nil
	}
	return err
}

// finishLogin starts the session of a verified attempt. If the user was
// disabled or their password changed since beginLogin, it sets
// at.failReason instead.
func (s *Service) finishLogin(ctx context.Context, tx *store.Tx, at *attempt) (string, time.Time, error) {
	u, err := findUserByID(ctx, tx, at.user.ID)
	if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
		at.failReason = "deleted during login"
		return "", time.Time{}, nil
	} else if err != nil {
		return "", time.Time{}, err
	}
	switch {
	case u.Disabled:
		at.failReason = "disabled"
	case u.passwordHash != at.user.passwordHash:
		at.failReason = "password changed during login"
	}
	if at.failReason != "" {
		return "", time.Time{}, nil
	}
	if err := deleteFailures(ctx, tx, "user:"+at.username); err != nil {
		return "", time.Time{}, err
	}
	if at.ipFail != "" {
		if err := deleteFailure(ctx, tx, at.ipFail); err != nil {
			return "", time.Time{}, err
		}
	}
	if at.newHash != "" {
		if err := setPasswordHash(ctx, tx, u.ID, at.upgradeOf, at.newHash); err != nil {
			return "", time.Time{}, err
		}
	}
	token := randomToken()
	row := sessionRow{id: hashToken(token), userID: u.ID, created: tx.Now, lastSeen: tx.Now,
		expires: tx.Now.Add(s.opts.SessionMax)}
	row.idleExpires = minTime(tx.Now.Add(s.opts.SessionIdle), row.expires)
	if err := insertSession(ctx, tx, row); err != nil {
		return "", time.Time{}, err
	}
	tx.Actor = peaceops.Actor{UserID: u.ID, Username: u.Username, Admin: u.Admin}
	err = tx.Audit(ctx, store.Change{EntityType: "user", EntityID: u.ID, Action: "login",
		After: map[string]string{"username": u.Username, "ip": at.ip}})
	return token, row.expires, err
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// maybePrune deletes expired login failures and sessions, at most once a
// minute per Service (and server): the tables stay small without a job.
func (s *Service) maybePrune(ctx context.Context, tx *store.Tx) error {
	last := s.lastPrune.Load()
	now := tx.NowMillis()
	if now-last < touchEvery.Milliseconds() && now >= last {
		return nil
	}
	if !s.lastPrune.CompareAndSwap(last, now) {
		return nil
	}
	return pruneExpired(ctx, tx, tx.Now.Add(-s.opts.ThrottleWindow))
}

// Logout ends the session of token. Ending an unknown or already ended
// session is not an error. Audited as "logout" (entity user).
func (s *Service) Logout(ctx context.Context, token string) error {
	if !wellFormed(token) {
		return nil
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		id, err := deleteSession(ctx, tx, hashToken(token))
		if err != nil || id == "" {
			return err
		}
		if tx.Actor.Anonymous() {
			// The web layer may log out without resolving the session
			// first: the entry names the session's user.
			u, err := findUserByID(ctx, tx, id)
			if err != nil {
				return err
			}
			tx.Actor = peaceops.Actor{UserID: u.ID, Username: u.Username, Admin: u.Admin}
		}
		return tx.Audit(ctx, store.Change{EntityType: "user", EntityID: id, Action: "logout"})
	})
}

var errBadSession = peaceops.Errorf(peaceops.EUNAUTHORIZED, "your session has ended; log in again")

// ActorForSession returns the identity behind a session token: user,
// administrator flag, roles by mission code, and SessionID (the stored
// session ID, from which the web layer derives the CSRF token). It returns
// EUNAUTHORIZED if the session is unknown, past its idle or absolute
// expiry, or its user is disabled.
//
// It runs on every request: one read-only transaction with two indexed
// queries, plus a small write at most once a minute per session to slide
// the idle expiry (so the idle limit is kept to within that minute).
func (s *Service) ActorForSession(ctx context.Context, token string) (peaceops.Actor, error) {
	if !wellFormed(token) {
		return peaceops.Actor{}, errBadSession
	}
	var a peaceops.Actor
	var sess *sessionRow
	var due bool
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		sess, err = findSession(ctx, tx, hashToken(token))
		if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
			return errBadSession
		} else if err != nil {
			return err
		}
		if !tx.Now.Before(sess.expires) || !tx.Now.Before(sess.idleExpires) || sess.disabled {
			return errBadSession
		}
		a = peaceops.Actor{UserID: sess.userID, Username: sess.username, Admin: sess.admin, SessionID: sess.id}
		if a.Roles, err = rolesOf(ctx, tx, sess.userID); err != nil {
			return err
		}
		due = tx.Now.Sub(sess.lastSeen) >= touchEvery
		return nil
	})
	if err != nil {
		return peaceops.Actor{}, err
	}
	if due {
		err = s.db.Update(ctx, func(tx *store.Tx) error {
			return touchSession(ctx, tx, sess.id, minTime(tx.Now.Add(s.opts.SessionIdle), sess.expires))
		})
		if err != nil {
			return peaceops.Actor{}, err
		}
	}
	return a, nil
}
