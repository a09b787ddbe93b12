package access

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// Options tune a Service. Zero fields take the defaults.
type Options struct {
	SessionIdle     time.Duration // a session unused this long ends: default 30m
	SessionMax      time.Duration // a session ends this long after login whatever: default 12h
	ThrottleWindow  time.Duration // failed logins count for this long: default 15m
	MaxFailuresUser int           // failed logins per username per window: default 5
	MaxFailuresIP   int           // failed logins per client address per window: default 20
	Argon2          *Argon2Params // password hashing cost: nil = DefaultArgon2Params
}

func (o Options) withDefaults() Options {
	if o.SessionIdle <= 0 {
		o.SessionIdle = 30 * time.Minute
	}
	if o.SessionMax <= 0 {
		o.SessionMax = 12 * time.Hour
	}
	if o.ThrottleWindow <= 0 {
		o.ThrottleWindow = 15 * time.Minute
	}
	if o.MaxFailuresUser <= 0 {
		o.MaxFailuresUser = 5
	}
	if o.MaxFailuresIP <= 0 {
		o.MaxFailuresIP = 20
	}
	return o
}

// touchEvery is how stale sessions.last_seen_at and api_tokens.last_used_at
// may get: refreshing them at most this often keeps the per-request path
// free of writes.
const touchEvery = time.Minute

// Service manages users, sessions, API tokens and mission memberships. It
// is safe for concurrent use. Every method takes the acting identity from
// ctx and checks it against the policy.
type Service struct {
	db     *store.DB
	opts   Options
	params Argon2Params

	// hashing bounds concurrent argon2 computations: each holds
	// params.Memory KiB, so a login flood cannot exhaust memory.
	hashing chan struct{}

	dummyOnce sync.Once
	dummyHash string // verified against for unknown users, to spend the same time

	lastPrune atomic.Int64 // unix ms of the last prune of expired rows
}

// NewService returns a Service on db. It panics if opts.Argon2 holds
// parameters outside the accepted bounds, a programming error.
func NewService(db *store.DB, opts Options) *Service {
	opts = opts.withDefaults()
	params := DefaultArgon2Params()
	if opts.Argon2 != nil {
		params = *opts.Argon2
	}
	if err := params.validate(); err != nil {
		panic("access: Options.Argon2: " + err.Error())
	}
	return &Service{
		db: db, opts: opts, params: params,
		hashing: make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
	}
}

// hash hashes password at the service's cost, waiting for a hashing slot.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return HashPassword(password, s.params)
}

// verify checks password against encoded, waiting for a hashing slot. An
// unparsable hash verifies nothing.
func (s *Service) verify(ctx context.Context, encoded, password string) (ok bool, upgrade bool, err error) {
	h, err := ParsePasswordHash(encoded)
	if err != nil {
		return false, false, nil
	}
	if err := s.acquire(ctx); err != nil {
		return false, false, err
	}
	defer s.release()
	ok = h.Verify(password)
	return ok, ok && !h.sameCost(s.params), nil
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) release() { <-s.hashing }

// dummy returns a hash of a random password at the service's cost.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		h, err := HashPassword(randomToken(), s.params)
		if err != nil {
			panic("access: " + err.Error()) // params were validated in NewService
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

// CreateUser creates a user. Only the administrator and the system actor
// may. It returns EINVALID (every field problem), ECONFLICT when the
// username is taken, and records an audit entry (user create).
func (s *Service) CreateUser(ctx context.Context, c UserCreate) (*User, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := Check(actor, ActionCreate, Resource{Type: "user"}); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, c.Password) // before the transaction: hashing is slow
	if err != nil {
		return nil, err
	}
	var u *User
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		u = &User{
			ID: peaceops.NewIDAt(tx.Now), Username: c.Username, DisplayName: c.DisplayName, Admin: c.Admin,
			CreatedAt: tx.Now, UpdatedAt: tx.Now, Version: 1, passwordHash: hash,
		}
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{EntityType: "user", EntityID: u.ID, Action: "create", After: u.audit()})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// FindUserByUsername returns the user. Administrators see everyone, users
// themselves; for anyone else the user does not exist (ENOTFOUND).
func (s *Service) FindUserByUsername(ctx context.Context, username string) (*User, error) {
	var u *User
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		u, err = findVisibleUser(ctx, tx, username)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// findVisibleUser returns the user named username if tx.Actor may read
// it: ENOTFOUND (or EUNAUTHORIZED for anonymous callers) otherwise,
// whether or not the user exists.
func findVisibleUser(ctx context.Context, tx *store.Tx, username string) (*User, error) {
	u, err := findUserByUsername(ctx, tx, username)
	if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
		if err := Check(tx.Actor, ActionRead, Resource{Type: "user"}); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	if err := Check(tx.Actor, ActionRead, userResource(u)); err != nil {
		return nil, err
	}
	return u, nil
}

func userResource(u *User) Resource { return Resource{Type: "user", Owner: u.ID} }

// FindUsers lists users in username order. Only administrators may:
// EFORBIDDEN for other users, EUNAUTHORIZED for anonymous callers.
func (s *Service) FindUsers(ctx context.Context, f UserFilter) ([]*User, error) {
	actor := peaceops.ActorFromContext(ctx)
	err := Check(actor, ActionManage, Resource{Type: "user"})
	if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
		// The list exists for everyone; its content is for administrators.
		return nil, peaceops.Errorf(peaceops.EFORBIDDEN, "only administrators may list users")
	} else if err != nil {
		return nil, err
	}
	switch {
	case f.Limit <= 0:
		f.Limit = 50
	case f.Limit > 1000:
		f.Limit = 1000
	}
	var users []*User
	err = s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		users, err = findUsers(ctx, tx, f)
		return err
	})
	return users, err
}

// UpdateUser applies upd to the user if its version is still version
// (EPRECONDITION otherwise). Administrators may change everything; users
// may change their own display name, language and password (the latter
// only with CurrentPassword). Disabling a user ends all their sessions; a
// new password ends all their sessions but the caller's own. Audited as
// user update, the password hash shown only as changed.
func (s *Service) UpdateUser(ctx context.Context, username string, upd UserUpdate, version int64) (*User, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkCurrentPassword(ctx, username, upd); err != nil {
		return nil, err
	}
	var newHash string
	if upd.Password != nil {
		// Hashed before the transaction, which must not wait on it; the
		// work is wasted if the update is then refused.
		var err error
		if newHash, err = s.hash(ctx, *upd.Password); err != nil {
			return nil, err
		}
	}
	var u *User
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findVisibleUser(ctx, tx, username)
		if err != nil {
			return err
		}
		act := ActionUpdate
		if upd.Admin != nil || upd.Disabled != nil {
			act = ActionManage
		}
		if err := Check(tx.Actor, act, userResource(before)); err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "user %s is at version %d, not %d; reload it", username, before.Version, version)
		}
		after := *before
		applyUserUpdate(&after, upd, newHash)
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateUser(ctx, tx, &after); err != nil {
			return err
		}
		switch {
		case after.Disabled && !before.Disabled:
			err = deleteUserSessions(ctx, tx, after.ID, "")
		case newHash != "":
			err = deleteUserSessions(ctx, tx, after.ID, tx.Actor.SessionID)
		}
		if err != nil {
			return err
		}
		u = &after
		return tx.Audit(ctx, store.Change{EntityType: "user", EntityID: u.ID, Action: "update",
			Before: before.audit(), After: u.audit()})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func applyUserUpdate(u *User, upd UserUpdate, newHash string) {
	if upd.DisplayName != nil {
		u.DisplayName = *upd.DisplayName
	}
	if upd.Admin != nil {
		u.Admin = *upd.Admin
	}
	if upd.Disabled != nil {
		u.Disabled = *upd.Disabled
	}
	if upd.Language != nil {
		u.Language = *upd.Language
	}
	if newHash != "" {
		u.passwordHash = newHash
	}
}

// checkCurrentPassword requires users who change their own password,
// without being administrators, to give the current one. It reads in its
// own short transaction so the slow verification holds no write lock.
func (s *Service) checkCurrentPassword(ctx context.Context, username string, upd UserUpdate) error {
	actor := peaceops.ActorFromContext(ctx)
	if upd.Password == nil || actor.System || actor.Admin || actor.Username != username {
		return nil
	}
	if upd.CurrentPassword == nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "current_password", Message: "is required to change your password"}})
	}
	var hash string
	err := s.db.View(ctx, func(tx *store.Tx) error {
		u, err := findVisibleUser(ctx, tx, username)
		if err != nil {
			return err
		}
		hash = u.passwordHash
		return nil
	})
	if err != nil {
		return err
	}
	ok, _, err := s.verify(ctx, hash, *upd.CurrentPassword)
	if err != nil {
		return err
	}
	if !ok {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "current_password", Message: "is not your current password"}})
	}
	return nil
}

// normalizeUsername is what Login and the throttle use: names are stored
// lowercase, and people type them as they like.
func normalizeUsername(s string) string {
	return storable(strings.ToLower(strings.TrimSpace(s)), maxUsername)
}

// storable cuts s to at most n bytes and makes it text that both engines
// store: valid UTF-8 without NUL (PostgreSQL refuses either).
func storable(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
