package access

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// API tokens for scripts and the command line: "po_" + 256 random bits in
// base64url, sent as "Authorization: Bearer <token>". Only the SHA-256 is
// stored; the text is shown once, by CreateToken.

// TokenPrefix starts every API token, so leaked tokens are easy to spot
// (secret scanners) and never mistaken for a session cookie.
const TokenPrefix = "po_"

// defaultTokenName names tokens created without a name.
const defaultTokenName = "default"

// CreateToken creates an API token for the user named username and
// returns its text (shown only now) and its record. ttl 0 means no expiry.
// The administrator, the system actor and the user themself may. Errors:
// EINVALID (negative ttl, bad name), ENOTFOUND (no such user, or not
// visible to the caller), ECONFLICT (user disabled). Audited as token
// create, without the text.
func (s *Service) CreateToken(ctx context.Context, username, name string, ttl time.Duration) (string, *Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = defaultTokenName
	}
	var errs []peaceops.FieldError
	if len(name) > maxTokenName || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		errs = append(errs, peaceops.FieldError{Field: "name", Message: "must be at most 100 characters of plain text"})
	}
	if ttl < 0 {
		errs = append(errs, peaceops.FieldError{Field: "ttl", Message: "must not be negative (0 means no expiry)"})
	}
	if err := peaceops.Invalid(errs); err != nil {
		return "", nil, err
	}
	text := TokenPrefix + randomToken()
	var t *Token
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := findVisibleUser(ctx, tx, username)
		if err != nil {
			return err
		}
		if err := Check(tx.Actor, ActionCreate, Resource{Type: "token", Owner: u.ID}); err != nil {
			return err
		}
		if u.Disabled {
			return peaceops.Errorf(peaceops.ECONFLICT, "user %s is disabled", u.Username)
		}
		t = &Token{ID: peaceops.NewIDAt(tx.Now), UserID: u.ID, Username: u.Username, Name: name, CreatedAt: tx.Now}
		if ttl > 0 {
			exp := tx.Now.Add(ttl)
			t.ExpiresAt = &exp
		}
		if err := insertToken(ctx, tx, t, hashToken(text)); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{EntityType: "token", EntityID: t.ID, Action: "create", After: t})
	})
	if err != nil {
		return "", nil, err
	}
	return text, t, nil
}

// FindTokens lists the API tokens of the user named username, revoked and
// expired ones included, oldest first. The administrator and the user
// themself may; for anyone else the user does not exist (ENOTFOUND).
func (s *Service) FindTokens(ctx context.Context, username string) ([]*Token, error) {
	var tokens []*Token
	err := s.db.View(ctx, func(tx *store.Tx) error {
		u, err := findVisibleUser(ctx, tx, username)
		if err != nil {
			return err
		}
		if err := Check(tx.Actor, ActionRead, Resource{Type: "token", Owner: u.ID}); err != nil {
			return err
		}
		tokens, err = findTokensOf(ctx, tx, u.ID)
		return err
	})
	return tokens, err
}

// RevokeToken revokes the API token with ID id at once. The administrator
// and the token's owner may; ENOTFOUND for anyone else or an unknown id.
// Revoking a revoked token does nothing. Audited as token revoke.
func (s *Service) RevokeToken(ctx context.Context, id string) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		t, err := findTokenByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := Check(tx.Actor, ActionDelete, Resource{Type: "token", Owner: t.UserID}); err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return nil
		}
		if err := revokeToken(ctx, tx, t.ID); err != nil {
			return err
		}
		after := *t
		now := tx.Now
		after.RevokedAt = &now
		return tx.Audit(ctx, store.Change{EntityType: "token", EntityID: t.ID, Action: "revoke", Before: t, After: after})
	})
}

var errBadToken = peaceops.Errorf(peaceops.EUNAUTHORIZED, "invalid, expired or revoked API token")

// ActorForToken returns the identity behind an API token (user,
// administrator flag, roles by mission code). It returns EUNAUTHORIZED if
// the token is unknown, revoked or expired, or its user is disabled. Like
// ActorForSession it reads only, except that last_used_at is refreshed at
// most once a minute.
func (s *Service) ActorForToken(ctx context.Context, token string) (peaceops.Actor, error) {
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok || !wellFormed(rest) {
		return peaceops.Actor{}, errBadToken
	}
	var a peaceops.Actor
	var t *Token
	var due bool
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var admin, disabled bool
		var err error
		t, admin, disabled, err = findTokenByHash(ctx, tx, hashToken(token))
		if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
			return errBadToken
		} else if err != nil {
			return err
		}
		if t.RevokedAt != nil || (t.ExpiresAt != nil && !tx.Now.Before(*t.ExpiresAt)) || disabled {
			return errBadToken
		}
		a = peaceops.Actor{UserID: t.UserID, Username: t.Username, Admin: admin}
		if a.Roles, err = rolesOf(ctx, tx, t.UserID); err != nil {
			return err
		}
		due = t.LastUsedAt == nil || tx.Now.Sub(*t.LastUsedAt) >= touchEvery
		return nil
	})
	if err != nil {
		return peaceops.Actor{}, err
	}
	if due {
		if err := s.db.Update(ctx, func(tx *store.Tx) error { return touchToken(ctx, tx, t.ID) }); err != nil {
			return peaceops.Actor{}, err
		}
	}
	return a, nil
}
