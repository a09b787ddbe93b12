package access

import (
	"net/http"
	"slices"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// maxTokenHours is the longest lifetime an API token may be given: ten
// years. It also keeps ttl_hours far from overflowing a time.Duration.
const maxTokenHours = 10 * 366 * 24

// TokenRequest is the body of POST /api/v1/tokens.
type TokenRequest struct {
	Name string `json:"name"`
	// TTLHours is the token's lifetime in hours; 0 means no expiry.
	TTLHours int `json:"ttl_hours"`
}

// Validate returns every problem of t at once as an EINVALID error.
func (t TokenRequest) Validate() error {
	var errs []peaceops.FieldError
	if t.TTLHours < 0 || t.TTLHours > maxTokenHours {
		errs = append(errs, peaceops.FieldError{Field: "ttl_hours", Message: "must be from 0 (no expiry) to 87840 (ten years)"})
	}
	return peaceops.Invalid(errs)
}

func (t TokenRequest) ttl() time.Duration { return time.Duration(t.TTLHours) * time.Hour }

// NewToken is the answer to POST /api/v1/tokens: the token's record and,
// this once, its text.
type NewToken struct {
	// Text is the bearer token. It is not stored and cannot be shown again.
	Text string `json:"token"`
	Token
}

// Routes registers the API of users and API tokens and the pages /users
// and /account.
func (s *Service) Routes(r *web.Router) {
	s.apiRoutes(r)
	newUI(s).routes(r)
}

func (s *Service) apiRoutes(r *web.Router) {
	users := []string{"users"}
	r.API("GET /api/v1/users", web.Op{Summary: "List users (administrators)", Tags: users,
		Description: "Users in username order. Only administrators may list users.",
		Response:    User{}, List: true,
		Query: []web.Param{{Name: "q", Description: "text in the username or display name, ignoring case"}},
	}, s.handleListUsers)
	r.API("POST /api/v1/users", web.Op{Summary: "Create a user (administrators)", Tags: users,
		Request: UserCreate{}, Response: User{}, Status: http.StatusCreated, Idempotent: true,
	}, s.handleCreateUser)
	r.API("GET /api/v1/users/{username}", web.Op{Summary: "Get a user (administrators, or the user themself)", Tags: users,
		Description: "The ETag header names the version to send in If-Match when changing the user.",
		Response:    User{},
	}, s.handleGetUser)
	r.API("PATCH /api/v1/users/{username}", web.Op{Summary: "Change a user", Tags: users,
		Description: "Administrators may change every field. Users may change their own display_name, language " +
			"and password; a new password needs current_password. Disabling a user ends their sessions; a new " +
			"password ends every session of the user but the caller's.",
		Request: UserUpdate{}, Response: User{}, IfMatch: true,
	}, s.handlePatchUser)

	tokens := []string{"tokens"}
	r.API("GET /api/v1/tokens", web.Op{Summary: "List API tokens", Tags: tokens,
		Description: "The caller's own tokens, oldest first, revoked and expired ones included. " +
			"Administrators may name another user. The token text is never listed.",
		Response: Token{}, List: true,
		Query: []web.Param{{Name: "username", Description: "whose tokens (administrators); default the caller"}},
	}, s.handleListTokens)
	r.API("POST /api/v1/tokens", web.Op{Summary: "Create an API token for the caller", Tags: tokens,
		Description: "The answer holds the token text in \"token\": it is shown only this once. " +
			"Send it as \"Authorization: Bearer <token>\". This POST refuses Idempotency-Key (400): " +
			"a replayable answer would keep the token's text in the database.",
		Request: TokenRequest{}, Response: NewToken{}, Status: http.StatusCreated, Idempotent: true,
	}, s.handleCreateToken)
	r.API("DELETE /api/v1/tokens/{id}", web.Op{Summary: "Revoke an API token", Tags: tokens,
		Description: "The token's owner and administrators may. Revoking a revoked token does nothing.",
		Status:      http.StatusNoContent,
	}, s.handleRevokeToken)
}

func (s *Service) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	f := UserFilter{Query: r.URL.Query().Get("q")}
	if cursor != "" {
		parts, err := web.DecodeCursor(cursor, 1)
		if err != nil {
			return err
		}
		f.After = parts[0]
	}
	users, next, err := s.findUsersPage(r, f, limit)
	if err != nil {
		return err
	}
	out := web.List[*User]{Items: users}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

// findUsersPage returns up to limit users matching f and the username to
// continue after ("" on the last page). It asks for one user more than
// the page to know whether there is a next one; at the largest page size
// it cannot, and a full page then always has a next (maybe empty) one.
func (s *Service) findUsersPage(r *http.Request, f UserFilter, limit int) ([]*User, string, error) {
	f.Limit = min(limit+1, web.MaxLimit)
	users, err := s.FindUsers(r.Context(), f)
	if err != nil {
		return nil, "", err
	}
	if len(users) > limit || (len(users) == limit && f.Limit == limit) {
		users = users[:limit]
		return users, users[limit-1].Username, nil
	}
	return users, "", nil
}

func (s *Service) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	var c UserCreate
	if err := web.Decode(r, &c); err != nil {
		return err
	}
	u, err := s.CreateUser(r.Context(), c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.Username)
	web.SetETag(w, u.Version)
	return web.JSON(w, http.StatusCreated, u)
}

func (s *Service) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.FindUserByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	web.SetETag(w, u.Version)
	return web.JSON(w, http.StatusOK, u)
}

func (s *Service) handlePatchUser(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var upd UserUpdate
	if err := web.Decode(r, &upd); err != nil {
		return err
	}
	u, err := s.UpdateUser(r.Context(), r.PathValue("username"), upd, version)
	if err != nil {
		return err
	}
	web.SetETag(w, u.Version)
	return web.JSON(w, http.StatusOK, u)
}

func (s *Service) handleListTokens(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	after := ""
	if cursor != "" {
		parts, err := web.DecodeCursor(cursor, 1)
		if err != nil {
			return err
		}
		after = parts[0]
	}
	username := r.URL.Query().Get("username")
	if username == "" {
		username = peaceops.ActorFromContext(r.Context()).Username
	}
	tokens, err := s.FindTokens(r.Context(), username)
	if err != nil {
		return err
	}
	// A user holds a handful of tokens: page them in memory. FindTokens
	// returns them in ID order (ULIDs: creation order), so the cursor is
	// the last ID shown.
	start, _ := slices.BinarySearchFunc(tokens, after, func(t *Token, id string) int {
		if string(t.ID) <= id {
			return -1
		}
		return 1
	})
	tokens = tokens[start:]
	out := web.List[*Token]{Items: tokens}
	if len(tokens) > limit {
		out.Items = tokens[:limit]
		out.NextCursor = web.EncodeCursor(string(tokens[limit-1].ID))
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	// The router stores the answer of a keyed POST for replay: here that
	// would be the token's text, which peaceops never stores. Refusing
	// (an error keeps nothing) is safe: a retry without the key at worst
	// makes a second token, which the user sees in the list and revokes.
	if r.Header.Get(web.IdempotencyKeyHeader) != "" {
		return peaceops.Invalid([]peaceops.FieldError{{Field: web.IdempotencyKeyHeader,
			Message: "is not accepted when creating a token: its answer holds a secret that must not be stored"}})
	}
	var req TokenRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(r.Context())
	if actor.Username == "" {
		return peaceops.Errorf(peaceops.EINVALID, "only a user may own API tokens")
	}
	text, t, err := s.CreateToken(r.Context(), actor.Username, req.Name, req.ttl())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return web.JSON(w, http.StatusCreated, NewToken{Text: text, Token: *t})
}

func (s *Service) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
