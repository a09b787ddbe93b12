package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// TestTwoServersShareSessions runs two servers on one PostgreSQL database,
// as behind a load balancer: a session opened on one is good on the other,
// and ended on either it is ended on both.
func TestTwoServersShareSessions(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres) // skips unless PostgreSQL is configured
	addAdmin(t, dsn)
	a, b := startServer(t, dsn), startServer(t, dsn)
	for _, s := range []*server{a, b} {
		if s.Engine != string(store.Postgres) {
			t.Fatalf("server at %s reports a %s database", s.URL, s.Engine)
		}
	}

	login := newClient(t, a.URL).expect(http.StatusOK, "POST", "/api/v1/session",
		map[string]string{"username": "admin", "password": adminPassword})
	var sess struct {
		Username  string `json:"username"`
		CSRFToken string `json:"csrf_token"`
	}
	login.decode(t, &sess)
	cookie := sessionCookie(t, login)
	if sess.CSRFToken == "" {
		t.Fatalf("login answered no CSRF token: %s", login)
	}
	onA := newClient(t, a.URL, "Cookie", cookie)
	onB := newClient(t, b.URL, "Cookie", cookie)

	var who struct {
		Username  string `json:"username"`
		Admin     bool   `json:"admin"`
		CSRFToken string `json:"csrf_token"`
	}
	onB.expect(http.StatusOK, "GET", "/api/v1/session", nil).decode(t, &who)
	if who.Username != "admin" || !who.Admin || who.CSRFToken != sess.CSRFToken {
		t.Errorf("server B sees %+v, want admin with the CSRF token server A gave (%s)", who, sess.CSRFToken)
	}

	body := newMission("UNFICYP", "United Nations Peacekeeping Force in Cyprus", "CYP", "1964-03-27")
	// A cookie without its CSRF token writes nothing, on any server.
	onB.expect(http.StatusForbidden, "POST", "/api/v1/missions", body)
	onB.expect(http.StatusCreated, "POST", "/api/v1/missions", body, "X-CSRF-Token", sess.CSRFToken)
	onA.expect(http.StatusOK, "GET", "/api/v1/missions/UNFICYP", nil)

	// A retry of one submission sent to either server creates one record.
	retry := newMission("UNTSO", "United Nations Truce Supervision Organization", "ISR", "1948-05-29")
	var first, second mission
	onA.expect(http.StatusCreated, "POST", "/api/v1/missions", retry, "X-CSRF-Token", sess.CSRFToken, "Idempotency-Key", "e2e-untso").decode(t, &first)
	onB.expect(http.StatusCreated, "POST", "/api/v1/missions", retry, "X-CSRF-Token", sess.CSRFToken, "Idempotency-Key", "e2e-untso").decode(t, &second)
	if first.ID == "" || first.ID != second.ID {
		t.Errorf("the same Idempotency-Key on two servers made two missions: %q and %q", first.ID, second.ID)
	}

	onB.expect(http.StatusNoContent, "DELETE", "/api/v1/session", nil, "X-CSRF-Token", sess.CSRFToken)
	onA.expect(http.StatusUnauthorized, "GET", "/api/v1/session", nil)
	onA.expect(http.StatusUnauthorized, "GET", "/api/v1/missions", nil)
	onB.expect(http.StatusUnauthorized, "GET", "/api/v1/session", nil)

	// Failed logins count on every server: guessing a password cannot be
	// spread over the servers of a load balancer. The limit is 5 per user
	// (access.Options.MaxFailuresUser's default).
	mustRun(t, adminPassword+"\n", "user", "add", "--db", dsn, "--username", "bob", "--password-stdin")
	wrong := map[string]string{"username": "bob", "password": "not-bobs-password"}
	for _, s := range []*server{a, b, a, b, a} {
		newClient(t, s.URL).expect(http.StatusUnauthorized, "POST", "/api/v1/session", wrong)
	}
	right := map[string]string{"username": "bob", "password": adminPassword}
	newClient(t, b.URL).expect(http.StatusTooManyRequests, "POST", "/api/v1/session", right)
	newClient(t, a.URL).expect(http.StatusOK, "POST", "/api/v1/session",
		map[string]string{"username": "admin", "password": adminPassword})
}

// sessionCookie returns the "name=value" of the session cookie a login
// response set.
func sessionCookie(t *testing.T, r *response) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == web.SessionCookie && c.Value != "" {
			if !c.HttpOnly {
				t.Errorf("the session cookie must be HttpOnly")
			}
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("login set no session cookie; Set-Cookie: %s", strings.Join(r.Header.Values("Set-Cookie"), " | "))
	return ""
}
