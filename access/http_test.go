package access_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// site is the real server with the access routes, over HTTP.
type site struct {
	*env
	srv *web.Server
	url string
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	e := newEnv(t, db, access.Options{})
	// Cookies expire by the server's clock: it must be near the client's.
	e.clock.t = time.Now().UTC().Truncate(time.Millisecond)
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	srv := web.NewServer(web.Config{DB: db, Auth: e.svc, Logger: logger})
	e.svc.Routes(srv.Router())
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &site{env: e, srv: srv, url: ts.URL}
}

// testLog writes the server's error log lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// client calls the site as one caller: with a bearer token, or with the
// cookies and CSRF token of a signed-in browser.
type client struct {
	site  *site
	hc    *http.Client
	token string
	csrf  string
}

func (s *site) anonymous(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{site: s, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// bearer returns a client using a new API token of username.
func (s *site) bearer(t *testing.T, username string) *client {
	t.Helper()
	text, _, err := s.svc.CreateToken(system(), username, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	c := s.anonymous(t)
	c.token = text
	return c
}

// browser returns a client signed in as username through POST
// /api/v1/session.
func (s *site) browser(t *testing.T, username string) *client {
	t.Helper()
	c := s.anonymous(t)
	res := c.do(t, "POST", "/api/v1/session", web.Credentials{Username: username, Password: password})
	res.want(http.StatusOK)
	var sess web.Session
	res.decode(&sess)
	c.csrf = sess.CSRFToken
	return c
}

type response struct {
	t *testing.T
	*http.Response
	body []byte
}

// do sends body as JSON, or as a form (with the CSRF token) when it is
// url.Values. header holds name, value pairs.
func (c *client) do(t *testing.T, method, path string, body any, header ...string) *response {
	t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		if c.csrf != "" && b.Get(web.CSRFField) == "" {
			b.Set(web.CSRFField, c.csrf)
		}
		r, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r, ctype = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, c.site.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.csrf != "" && ctype == "application/json" {
		req.Header.Set(web.CSRFHeader, c.csrf)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{t: t, Response: res, body: data}
}

func (r *response) want(status int) *response {
	r.t.Helper()
	if r.StatusCode != status {
		r.t.Fatalf("%s %s: status %d, want %d: %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
	return r
}

func (r *response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r *response) fields() []string {
	r.t.Helper()
	var p web.Problem
	r.decode(&p)
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

func (r *response) contains(texts ...string) {
	r.t.Helper()
	for _, s := range texts {
		if !strings.Contains(string(r.body), s) {
			r.t.Errorf("%s %s: body lacks %q", r.Request.Method, r.Request.URL.Path, s)
		}
	}
}

func usernames(users []access.User) []string {
	out := []string{}
	for _, u := range users {
		out = append(out, u.Username)
	}
	return out
}

func TestUsersAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.mustUser(t, "root", true)
		s.mustUser(t, "ana", false)
		root, ana := s.bearer(t, "root"), s.bearer(t, "ana")

		t.Run("CreateOK", func(t *testing.T) {
			res := root.do(t, "POST", "/api/v1/users", access.UserCreate{Username: "bea", Password: password, DisplayName: "Bea"}).
				want(http.StatusCreated)
			if loc, etag := res.Header.Get("Location"), res.Header.Get("ETag"); loc != "/api/v1/users/bea" || etag != `"v1"` {
				t.Errorf("Location %q, ETag %q", loc, etag)
			}
			var u access.User
			res.decode(&u)
			if u.Username != "bea" || u.DisplayName != "Bea" || u.Admin || u.Version != 1 {
				t.Errorf("user = %+v", u)
			}
			if strings.Contains(string(res.body), "password") {
				t.Errorf("the answer mentions the password: %s", res.body)
			}
		})
		t.Run("CreateErrConflict", func(t *testing.T) {
			root.do(t, "POST", "/api/v1/users", access.UserCreate{Username: "bea", Password: password}).want(http.StatusConflict)
		})
		t.Run("CreateErrInvalid", func(t *testing.T) {
			res := root.do(t, "POST", "/api/v1/users", access.UserCreate{Username: "B!", Password: "short"}).want(http.StatusBadRequest)
			if got := res.fields(); !slices.Equal(got, []string{"password", "username"}) {
				t.Errorf("fields = %v", got)
			}
		})
		t.Run("CreateErrNotAdmin", func(t *testing.T) {
			ana.do(t, "POST", "/api/v1/users", access.UserCreate{Username: "carl", Password: password}).want(http.StatusForbidden)
		})
		t.Run("ListOK", func(t *testing.T) {
			var list web.List[access.User]
			root.do(t, "GET", "/api/v1/users", nil).want(http.StatusOK).decode(&list)
			if got := usernames(list.Items); !slices.Equal(got, []string{"ana", "bea", "root"}) || list.NextCursor != "" {
				t.Errorf("users = %v, next %q", got, list.NextCursor)
			}
			root.do(t, "GET", "/api/v1/users?q=BE", nil).want(http.StatusOK).decode(&list)
			if got := usernames(list.Items); !slices.Equal(got, []string{"bea"}) {
				t.Errorf("q=BE: users = %v", got)
			}
		})
		t.Run("ListPages", func(t *testing.T) {
			var got []string
			path := "/api/v1/users?limit=2"
			for range 5 {
				var list web.List[access.User]
				root.do(t, "GET", path, nil).want(http.StatusOK).decode(&list)
				got = append(got, usernames(list.Items)...)
				if list.NextCursor == "" {
					break
				}
				path = "/api/v1/users?limit=2&cursor=" + url.QueryEscape(list.NextCursor)
			}
			if !slices.Equal(got, []string{"ana", "bea", "root"}) {
				t.Errorf("pages gave %v", got)
			}
		})
		t.Run("ListErrBadCursor", func(t *testing.T) {
			res := root.do(t, "GET", "/api/v1/users?cursor=nonsense", nil).want(http.StatusBadRequest)
			if got := res.fields(); !slices.Equal(got, []string{"cursor"}) {
				t.Errorf("fields = %v", got)
			}
		})
		t.Run("ListErrNotAdmin", func(t *testing.T) {
			ana.do(t, "GET", "/api/v1/users", nil).want(http.StatusForbidden)
		})
		t.Run("ListErrAnonymous", func(t *testing.T) {
			s.anonymous(t).do(t, "GET", "/api/v1/users", nil).want(http.StatusUnauthorized)
		})
		t.Run("GetSelf", func(t *testing.T) {
			res := ana.do(t, "GET", "/api/v1/users/ana", nil).want(http.StatusOK)
			if etag := res.Header.Get("ETag"); etag != `"v1"` {
				t.Errorf("ETag = %q", etag)
			}
		})
		t.Run("GetByAdmin", func(t *testing.T) {
			root.do(t, "GET", "/api/v1/users/ana", nil).want(http.StatusOK)
		})
		t.Run("GetErrOtherUserNotFound", func(t *testing.T) {
			ana.do(t, "GET", "/api/v1/users/root", nil).want(http.StatusNotFound)
		})
		t.Run("GetErrUnknown", func(t *testing.T) {
			root.do(t, "GET", "/api/v1/users/nobody", nil).want(http.StatusNotFound)
		})
	})
}

func TestPatchUserAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.mustUser(t, "root", true)
		s.mustUser(t, "ana", false)
		root, ana := s.bearer(t, "root"), s.bearer(t, "ana")
		version := func() string {
			t.Helper()
			return root.do(t, "GET", "/api/v1/users/ana", nil).want(http.StatusOK).Header.Get("ETag")
		}

		t.Run("SelfOK", func(t *testing.T) {
			res := ana.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"display_name": "Ana Lopes", "language": "fr"},
				"If-Match", `"v1"`).want(http.StatusOK)
			var u access.User
			res.decode(&u)
			if u.DisplayName != "Ana Lopes" || u.Language != "fr" || u.Version != 2 || res.Header.Get("ETag") != `"v2"` {
				t.Errorf("user = %+v, ETag %q", u, res.Header.Get("ETag"))
			}
		})
		t.Run("ErrNoIfMatch", func(t *testing.T) {
			ana.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"display_name": "X"}).want(http.StatusPreconditionRequired)
		})
		t.Run("ErrStale", func(t *testing.T) {
			ana.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"display_name": "X"}, "If-Match", `"v1"`).
				want(http.StatusPreconditionFailed)
		})
		t.Run("ErrSelfAdmin", func(t *testing.T) {
			ana.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"admin": true}, "If-Match", version()).want(http.StatusForbidden)
		})
		t.Run("ErrOtherUser", func(t *testing.T) {
			ana.do(t, "PATCH", "/api/v1/users/root", map[string]any{"display_name": "X"}, "If-Match", `"v1"`).
				want(http.StatusNotFound)
		})
		t.Run("ErrUnknownField", func(t *testing.T) {
			res := ana.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"colour": "red"}, "If-Match", version()).
				want(http.StatusBadRequest)
			if got := res.fields(); !slices.Equal(got, []string{"colour"}) {
				t.Errorf("fields = %v", got)
			}
		})
		t.Run("PasswordErrNoCurrent", func(t *testing.T) {
			res := ana.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"password": "a brand new passphrase"}, "If-Match", version()).
				want(http.StatusBadRequest)
			if got := res.fields(); !slices.Equal(got, []string{"current_password"}) {
				t.Errorf("fields = %v", got)
			}
		})
		t.Run("PasswordErrWrongCurrent", func(t *testing.T) {
			ana.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"password": "a brand new passphrase", "current_password": "wrong"},
				"If-Match", version()).want(http.StatusBadRequest)
		})
		t.Run("PasswordOK", func(t *testing.T) {
			ana.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"password": "a brand new passphrase", "current_password": password},
				"If-Match", version()).want(http.StatusOK)
			if _, _, err := s.svc.Login(system(), "ana", "a brand new passphrase", ""); err != nil {
				t.Errorf("login with the new password: %v", err)
			}
		})
		t.Run("AdminDisables", func(t *testing.T) {
			var u access.User
			root.do(t, "PATCH", "/api/v1/users/ana", map[string]any{"disabled": true}, "If-Match", version()).
				want(http.StatusOK).decode(&u)
			if !u.Disabled {
				t.Errorf("user = %+v", u)
			}
			ana.do(t, "GET", "/api/v1/users/ana", nil).want(http.StatusUnauthorized)
		})
	})
}

func TestTokensAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.mustUser(t, "root", true)
		s.mustUser(t, "ana", false)
		root, ana := s.bearer(t, "root"), s.bearer(t, "ana")
		rootTokens, err := s.svc.FindTokens(system(), "root")
		if err != nil {
			t.Fatal(err)
		}

		var created access.NewToken
		t.Run("CreateOK", func(t *testing.T) {
			s.clock.Advance(time.Second) // after the setup's token, in ID order
			res := ana.do(t, "POST", "/api/v1/tokens", access.TokenRequest{Name: "ci", TTLHours: 24}).want(http.StatusCreated)
			res.decode(&created)
			want := s.clock.Now().Add(24 * time.Hour)
			if !strings.HasPrefix(created.Text, access.TokenPrefix) || created.Name != "ci" || created.Username != "ana" ||
				created.ExpiresAt == nil || !created.ExpiresAt.Equal(want) {
				t.Errorf("token = %+v", created)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q", cc)
			}
			c := s.anonymous(t)
			c.token = created.Text
			var id web.Identity
			c.do(t, "GET", "/api/v1/session", nil).want(http.StatusOK).decode(&id)
			if id.Username != "ana" {
				t.Errorf("the new token is %q's", id.Username)
			}
		})
		t.Run("CreateErrIdempotencyKey", func(t *testing.T) {
			res := ana.do(t, "POST", "/api/v1/tokens", access.TokenRequest{Name: "retry"}, web.IdempotencyKeyHeader, "k-123456789").
				want(http.StatusBadRequest)
			if got := res.fields(); !slices.Equal(got, []string{web.IdempotencyKeyHeader}) {
				t.Errorf("fields = %v", got)
			}
			var n int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM idempotency_keys`).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d stored answers (%v), want none", n, err)
			}
		})
		t.Run("CreateErrInvalid", func(t *testing.T) {
			res := ana.do(t, "POST", "/api/v1/tokens", access.TokenRequest{Name: "x", TTLHours: -1}).want(http.StatusBadRequest)
			if got := res.fields(); !slices.Equal(got, []string{"ttl_hours"}) {
				t.Errorf("fields = %v", got)
			}
		})
		t.Run("ListOwn", func(t *testing.T) {
			var list web.List[access.Token]
			res := ana.do(t, "GET", "/api/v1/tokens", nil).want(http.StatusOK)
			res.decode(&list)
			if len(list.Items) != 2 || list.Items[1].ID != created.ID || list.NextCursor != "" {
				t.Errorf("tokens = %+v", list)
			}
			if strings.Contains(string(res.body), created.Text) {
				t.Error("the list shows a token's text")
			}
		})
		t.Run("ListPages", func(t *testing.T) {
			var first, second web.List[access.Token]
			ana.do(t, "GET", "/api/v1/tokens?limit=1", nil).want(http.StatusOK).decode(&first)
			if len(first.Items) != 1 || first.NextCursor == "" {
				t.Fatalf("first page = %+v", first)
			}
			ana.do(t, "GET", "/api/v1/tokens?limit=1&cursor="+url.QueryEscape(first.NextCursor), nil).want(http.StatusOK).decode(&second)
			if len(second.Items) != 1 || second.Items[0].ID != created.ID || second.NextCursor != "" {
				t.Errorf("second page = %+v", second)
			}
		})
		t.Run("ListOtherByAdmin", func(t *testing.T) {
			var list web.List[access.Token]
			root.do(t, "GET", "/api/v1/tokens?username=ana", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 2 {
				t.Errorf("tokens = %+v", list)
			}
		})
		t.Run("ListErrOtherByUser", func(t *testing.T) {
			ana.do(t, "GET", "/api/v1/tokens?username=root", nil).want(http.StatusNotFound)
		})
		t.Run("RevokeErrOthersToken", func(t *testing.T) {
			ana.do(t, "DELETE", "/api/v1/tokens/"+string(rootTokens[0].ID), nil).want(http.StatusNotFound)
			root.do(t, "GET", "/api/v1/session", nil).want(http.StatusOK)
		})
		t.Run("RevokeOK", func(t *testing.T) {
			ana.do(t, "DELETE", "/api/v1/tokens/"+string(created.ID), nil).want(http.StatusNoContent)
			c := s.anonymous(t)
			c.token = created.Text
			c.do(t, "GET", "/api/v1/session", nil).want(http.StatusUnauthorized)
			ana.do(t, "DELETE", "/api/v1/tokens/"+string(created.ID), nil).want(http.StatusNoContent)
		})
		t.Run("RevokeErrUnknown", func(t *testing.T) {
			ana.do(t, "DELETE", "/api/v1/tokens/"+string(peaceops.NewID()), nil).want(http.StatusNotFound)
		})
	})
}

// tokenInPage finds the token a page shows.
var tokenInPage = regexp.MustCompile(access.TokenPrefix + `[A-Za-z0-9_-]{43}`)

func TestAccountPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.mustUser(t, "ana", false)
		ana := s.browser(t, "ana")
		version := func() string {
			t.Helper()
			u, err := s.svc.FindUserByUsername(system(), "ana")
			if err != nil {
				t.Fatal(err)
			}
			return itoa(u.Version)
		}

		t.Run("Show", func(t *testing.T) {
			res := ana.do(t, "GET", "/account", nil).want(http.StatusOK)
			res.contains("Your account", "User ana", "API tokens", `action="/account/password"`)
			if strings.Contains(string(res.body), `href="/users"`) {
				t.Error("a user who is not an administrator is offered the users page")
			}
		})
		t.Run("ShowFrench", func(t *testing.T) {
			ana.do(t, "GET", "/account?lang=fr", nil).want(http.StatusOK).contains("Votre compte", "Jetons d&#39;API")
		})
		t.Run("ProfileOK", func(t *testing.T) {
			res := ana.do(t, "POST", "/account", url.Values{"display_name": {"Ana Lopes"}, "language": {""}, "version": {version()}}).
				want(http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/account" {
				t.Errorf("Location = %q", loc)
			}
			ana.do(t, "GET", "/account", nil).want(http.StatusOK).contains("Your profile was saved.", `value="Ana Lopes"`)
		})
		t.Run("ProfileLanguageSwitches", func(t *testing.T) {
			res := ana.do(t, "POST", "/account", url.Values{"display_name": {"Ana Lopes"}, "language": {"fr"}, "version": {version()}}).
				want(http.StatusSeeOther)
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/lang?") {
				t.Errorf("Location = %q", loc)
			}
			u, _ := s.svc.FindUserByUsername(system(), "ana")
			if u.Language != "fr" {
				t.Errorf("language = %q", u.Language)
			}
			reset := ""
			if _, err := s.svc.UpdateUser(system(), "ana", access.UserUpdate{Language: &reset}, u.Version); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ProfileErrInvalid", func(t *testing.T) {
			res := ana.do(t, "POST", "/account?lang=en", url.Values{"display_name": {"two\nlines"}, "version": {version()}}).
				want(http.StatusBadRequest)
			res.contains("must be plain text on one line", `aria-invalid="true"`)
		})
		t.Run("ProfileStale", func(t *testing.T) {
			res := ana.do(t, "POST", "/account", url.Values{"display_name": {"X"}, "version": {"1"}}).want(http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/account" {
				t.Errorf("Location = %q", loc)
			}
		})
		t.Run("ErrNoCSRF", func(t *testing.T) {
			res := ana.do(t, "POST", "/account", url.Values{"display_name": {"X"}, "version": {version()}, web.CSRFField: {"forged"}})
			res.want(http.StatusForbidden)
		})
		t.Run("PasswordErrWrongCurrent", func(t *testing.T) {
			ana.do(t, "POST", "/account/password?lang=en", url.Values{"current_password": {"not it"}, "password": {"a brand new passphrase"},
				"confirm_password": {"a brand new passphrase"}, "version": {version()}}).
				want(http.StatusBadRequest).contains("is not your current password")
		})
		t.Run("PasswordErrMismatch", func(t *testing.T) {
			ana.do(t, "POST", "/account/password?lang=en", url.Values{"current_password": {password}, "password": {"a brand new passphrase"},
				"confirm_password": {"another passphrase"}, "version": {version()}}).
				want(http.StatusBadRequest).contains("does not match the new password")
		})
		t.Run("PasswordErrShort", func(t *testing.T) {
			ana.do(t, "POST", "/account/password?lang=en", url.Values{"current_password": {password}, "password": {"short"},
				"confirm_password": {"short"}, "version": {version()}}).
				want(http.StatusBadRequest).contains("must be at least 12 characters")
		})
		t.Run("PasswordOK", func(t *testing.T) {
			ana.do(t, "POST", "/account/password", url.Values{"current_password": {password}, "password": {"a brand new passphrase"},
				"confirm_password": {"a brand new passphrase"}, "version": {version()}}).want(http.StatusSeeOther)
			if _, _, err := s.svc.Login(system(), "ana", "a brand new passphrase", ""); err != nil {
				t.Errorf("login with the new password: %v", err)
			}
			ana.do(t, "GET", "/account", nil).want(http.StatusOK) // this session survives
		})
		t.Run("Tokens", func(t *testing.T) {
			res := ana.do(t, "POST", "/account/tokens", url.Values{"name": {"laptop"}, "ttl_hours": {"720"}}).want(http.StatusCreated)
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q", cc)
			}
			text := tokenInPage.FindString(string(res.body))
			if text == "" {
				t.Fatalf("the page shows no token: %s", res.body)
			}
			api := s.anonymous(t)
			api.token = text
			api.do(t, "GET", "/api/v1/session", nil).want(http.StatusOK)

			page := ana.do(t, "GET", "/account", nil).want(http.StatusOK)
			page.contains("laptop")
			if strings.Contains(string(page.body), text) {
				t.Error("the account page shows the token again")
			}
			tokens, _ := s.svc.FindTokens(system(), "ana")
			ana.do(t, "POST", "/account/tokens/"+string(tokens[0].ID)+"/revoke", url.Values{}).want(http.StatusSeeOther)
			api.do(t, "GET", "/api/v1/session", nil).want(http.StatusUnauthorized)
			ana.do(t, "GET", "/account", nil).want(http.StatusOK).contains("Token revoked.", "Revoked")
		})
		t.Run("TokenErrInvalid", func(t *testing.T) {
			ana.do(t, "POST", "/account/tokens", url.Values{"name": {"x"}, "ttl_hours": {"forever"}}).want(http.StatusBadRequest)
		})
		t.Run("UsersErrNotAdmin", func(t *testing.T) {
			ana.do(t, "GET", "/users", nil).want(http.StatusForbidden)
		})
		t.Run("ErrAnonymousRedirected", func(t *testing.T) {
			res := s.anonymous(t).do(t, "GET", "/account", nil).want(http.StatusSeeOther)
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
				t.Errorf("Location = %q", loc)
			}
		})
	})
}

func TestUsersPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.mustUser(t, "root", true)
		s.mustUser(t, "ana", false)
		root := s.browser(t, "root")
		user := func(name string) *access.User {
			t.Helper()
			u, err := s.svc.FindUserByUsername(system(), name)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}

		t.Run("List", func(t *testing.T) {
			root.do(t, "GET", "/users", nil).want(http.StatusOK).contains("User ana", `action="/users/ana"`, "Create a user")
			root.do(t, "GET", "/users?q=zzz", nil).want(http.StatusOK).contains("No user matches.")
		})
		t.Run("AccountLinksAdministration", func(t *testing.T) {
			root.do(t, "GET", "/account", nil).want(http.StatusOK).contains(`href="/users"`, `href="/audit"`)
		})
		t.Run("CreateErrInvalid", func(t *testing.T) {
			res := root.do(t, "POST", "/users", url.Values{"username": {"a"}, "display_name": {"Al"}, "password": {"short"}}).
				want(http.StatusBadRequest)
			res.contains("must be 3 to 64 characters", "must be at least 12 characters", `value="Al"`)
			if strings.Contains(string(res.body), `value="short"`) {
				t.Error("the password is sent back")
			}
		})
		t.Run("CreateErrTaken", func(t *testing.T) {
			root.do(t, "POST", "/users", url.Values{"username": {"ana"}, "password": {password}}).
				want(http.StatusBadRequest).contains("is already taken")
		})
		t.Run("CreateOK", func(t *testing.T) {
			res := root.do(t, "POST", "/users", url.Values{"username": {" Carl "}, "display_name": {"Carl"}, "password": {password}, "admin": {"on"}}).
				want(http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/users" {
				t.Errorf("Location = %q", loc)
			}
			if u := user("carl"); !u.Admin || u.DisplayName != "Carl" {
				t.Errorf("user = %+v", u)
			}
			root.do(t, "GET", "/users", nil).want(http.StatusOK).contains("User carl created.")
		})
		t.Run("DisableAndEnable", func(t *testing.T) {
			root.do(t, "POST", "/users/ana", url.Values{"action": {"disable"}, "version": {itoa(user("ana").Version)}}).want(http.StatusSeeOther)
			if !user("ana").Disabled {
				t.Fatal("ana is not disabled")
			}
			root.do(t, "POST", "/users/ana", url.Values{"action": {"enable"}, "version": {itoa(user("ana").Version)}}).want(http.StatusSeeOther)
			if user("ana").Disabled {
				t.Fatal("ana is still disabled")
			}
		})
		t.Run("GrantAdmin", func(t *testing.T) {
			root.do(t, "POST", "/users/ana", url.Values{"action": {"grant-admin"}, "version": {itoa(user("ana").Version)}}).want(http.StatusSeeOther)
			if !user("ana").Admin {
				t.Fatal("ana is not an administrator")
			}
		})
		t.Run("Stale", func(t *testing.T) {
			root.do(t, "POST", "/users/ana", url.Values{"action": {"disable"}, "version": {"1"}}).want(http.StatusSeeOther)
			if user("ana").Disabled {
				t.Error("a stale form disabled ana")
			}
			root.do(t, "GET", "/users", nil).want(http.StatusOK).contains("was changed by someone else meanwhile")
		})
		t.Run("ErrSelf", func(t *testing.T) {
			root.do(t, "POST", "/users/root", url.Values{"action": {"revoke-admin"}, "version": {itoa(user("root").Version)}}).
				want(http.StatusForbidden)
		})
		t.Run("ErrUnknownAction", func(t *testing.T) {
			root.do(t, "POST", "/users/ana", url.Values{"action": {"delete"}, "version": {"1"}}).want(http.StatusBadRequest)
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRoutesDocumented(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	srv := web.NewServer(web.Config{DB: db, Auth: acc})
	acc.Routes(srv.Router())
	if missing := srv.Router().Undocumented(); len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document: %v", missing)
	}
}

func TestPagesTranslated(t *testing.T) {
	if missing := access.NewPages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("French catalogue lacks %q", missing)
	}
}
