package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// fakeAuth stands in for access.Service: fixed users, sessions and tokens.
type fakeAuth struct {
	mu       sync.Mutex
	sessions map[string]peaceops.Actor // cookie value -> actor
	tokens   map[string]peaceops.Actor // bearer token -> actor
	users    map[string]string         // username -> password
	n        int
}

var (
	alice = peaceops.Actor{UserID: "01HZALICE0000000000000000A", Username: "alice",
		Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleAnalyst}}}
	bob = peaceops.Actor{UserID: "01HZBOB000000000000000000B", Username: "bob", Admin: true}
)

const (
	aliceCookie = "session-alice"
	bobToken    = "token-bob"
)

func newFakeAuth() *fakeAuth {
	a := alice
	a.SessionID = "sid-" + aliceCookie
	return &fakeAuth{
		sessions: map[string]peaceops.Actor{aliceCookie: a},
		tokens:   map[string]peaceops.Actor{bobToken: bob},
		users:    map[string]string{"alice": "correct horse"},
	}
}

func (f *fakeAuth) ActorForSession(ctx context.Context, token string) (peaceops.Actor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.sessions[token]
	if !ok {
		return peaceops.Actor{}, peaceops.Errorf(peaceops.EUNAUTHORIZED, "invalid session")
	}
	return a, nil
}

func (f *fakeAuth) ActorForToken(ctx context.Context, token string) (peaceops.Actor, error) {
	a, ok := f.tokens[token]
	if !ok {
		return peaceops.Actor{}, peaceops.Errorf(peaceops.EUNAUTHORIZED, "invalid token")
	}
	return a, nil
}

func (f *fakeAuth) Login(ctx context.Context, username, password, ip string) (string, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if username == "throttled" {
		return "", time.Time{}, peaceops.Errorf(peaceops.ETOOMANY, "too many attempts")
	}
	if pw, ok := f.users[username]; !ok || pw != password {
		return "", time.Time{}, peaceops.Errorf(peaceops.EUNAUTHORIZED, "wrong username or password")
	}
	f.n++
	token := fmt.Sprintf("session-%s-%d", username, f.n)
	a := alice
	a.SessionID = "sid-" + token
	f.sessions[token] = a
	return token, time.Now().Add(12 * time.Hour), nil
}

func (f *fakeAuth) Logout(ctx context.Context, token string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, token)
	return nil
}

// fixture is a server with test routes, driven through its full handler.
type fixture struct {
	t    testing.TB
	srv  *web.Server
	h    http.Handler
	auth *fakeAuth
	db   *store.DB
	logs *bytes.Buffer
}

func newFixture(t testing.TB, db *store.DB, register func(r *web.Router), configure ...func(*web.Config)) *fixture {
	t.Helper()
	logs := &bytes.Buffer{}
	auth := newFakeAuth()
	cfg := web.Config{
		DB: db, Auth: auth, Version: "test",
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Missions: func(ctx context.Context, a peaceops.Actor) ([]web.MissionRef, error) {
			return []web.MissionRef{{Code: "MINUSCA", Name: "Central African Republic"}, {Code: "MONUSCO", Name: "DR Congo"}}, nil
		},
	}
	for _, c := range configure {
		c(&cfg)
	}
	srv := web.NewServer(cfg)
	if register != nil {
		register(srv.Router())
	}
	return &fixture{t: t, srv: srv, h: srv.Handler(), auth: auth, db: db, logs: logs}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// req builds a request; opts adjust it.
func req(method, target, body string, opts ...func(*http.Request)) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

func withHeader(k, v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

func asBob(r *http.Request) { r.Header.Set("Authorization", "Bearer "+bobToken) }

// asAlice authenticates by session cookie and sends her CSRF token.
func asAlice(r *http.Request) {
	r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: aliceCookie})
	r.Header.Set(web.CSRFHeader, web.CSRFToken("sid-"+aliceCookie))
}

// asAliceNoCSRF authenticates by session cookie only.
func asAliceNoCSRF(r *http.Request) {
	r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: aliceCookie})
}

func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	f.t.Helper()
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func problemOf(t testing.TB, w *httptest.ResponseRecorder) web.Problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json (status %d, body %s)", ct, w.Code, w.Body)
	}
	var p web.Problem
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	return p
}

func wantStatus(t testing.TB, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body: %s", w.Code, status, w.Body)
	}
}

func decodeBody(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
