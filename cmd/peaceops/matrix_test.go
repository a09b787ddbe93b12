package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/jobs"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// The authorization matrix: every route of the assembled server, called by
// no one, by a global administrator, by a holder of each mission role in
// MINUSCA and by a mission-admin of another mission (MONUSCO). A caller
// who may act succeeds (or fails only on business grounds), one who may
// see but not act gets 403, one who may not see gets 404, and no one gets
// in anonymously but through the public routes. A route without a row here
// fails the test, so a new route cannot ship unexamined.

const (
	anonymous = "anonymous"
	admin     = "admin"
	outsider  = "outsider" // mission-admin of MONUSCO, member of nothing else
)

// callers lists every kind of caller: anonymous, admin, each mission role
// (held in MINUSCA) and the outsider.
func callers() []string {
	out := []string{anonymous, admin}
	for _, r := range peaceops.Roles {
		out = append(out, string(r))
	}
	return append(out, outsider)
}

// rule says what a route allows.
type rule struct {
	// public: anonymous callers are let in (everyone succeeds, or gets
	// expect when set: e.g. a login with the wrong password is a 401).
	public bool
	expect []string
	// logsOut: the call ends the caller's session, so it gets a session of
	// its own.
	logsOut bool
	// allow: callers that may act; authenticated: every signed-in caller.
	allow         []string
	authenticated bool
	// see: callers that are refused with 403 (they may see the resource);
	// every other signed-in caller gets 404.
	see []string
	// seeAll: every signed-in caller not allowed gets 403.
	seeAll bool
	// request builds the call; nil: the pattern's method and path with
	// {code} = MINUSCA.
	request func(f *matrixFixture, caller string) (path, body string, form bool, header http.Header)
}

var missionAdmins = []string{admin, string(peaceops.RoleMissionAdmin)}

func members() []string {
	out := []string{admin}
	for _, r := range peaceops.Roles {
		out = append(out, string(r))
	}
	return out
}

func nonAdminMembers() []string {
	var out []string
	for _, r := range peaceops.Roles {
		if r != peaceops.RoleMissionAdmin {
			out = append(out, string(r))
		}
	}
	return out
}

func path(p string) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(*matrixFixture, string) (string, string, bool, http.Header) { return p, "", false, nil }
}

func jsonBody(p, body string) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(*matrixFixture, string) (string, string, bool, http.Header) { return p, body, false, nil }
}

func formBody(p string, values url.Values) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(*matrixFixture, string) (string, string, bool, http.Header) { return p, values.Encode(), true, nil }
}

// missionVersion sends the current version of MINUSCA as If-Match.
func patchMission(f *matrixFixture, caller string) (string, string, bool, http.Header) {
	m, err := f.missions.FindMissionByCode(f.sys, "MINUSCA")
	if err != nil {
		f.t.Fatal(err)
	}
	h := http.Header{"If-Match": {fmt.Sprintf(`"v%d"`, m.Version)}}
	return "/api/v1/missions/MINUSCA", `{"name":"MINUSCA renamed by ` + caller + `"}`, false, h
}

func editMissionForm(f *matrixFixture, caller string) (string, string, bool, http.Header) {
	m, _ := f.missions.FindMissionByCode(f.sys, "MINUSCA")
	v := url.Values{"version": {fmt.Sprint(m.Version)}, "name": {"MINUSCA " + caller}, "host_country": {"CAF"},
		"start_date": {"2014-04-10"}, "status": {"active"}, "classification": {"internal"}}
	return "/missions/MINUSCA/edit", v.Encode(), true, nil
}

func patchUser(f *matrixFixture, caller string) (string, string, bool, http.Header) {
	u, err := f.access.FindUserByUsername(f.sys, "target")
	if err != nil {
		f.t.Fatal(err)
	}
	return "/api/v1/users/target", `{"display_name":"Target ` + caller + `"}`, false, http.Header{"If-Match": {fmt.Sprintf(`"v%d"`, u.Version)}}
}

// targetToken creates a token of the user "target" and names its id.
func targetToken(suffix string) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		_, tok, err := f.access.CreateToken(f.sys, "target", "t-"+caller, 0)
		if err != nil {
			f.t.Fatalf("token of target: %v", err)
		}
		return strings.ReplaceAll(suffix, "{id}", tok.ID), "", false, nil
	}
}

// ownToken creates a token of the caller and names its id.
func ownToken(suffix string) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		if caller == anonymous {
			return strings.ReplaceAll(suffix, "{id}", peaceops.NewID()), "", true, nil
		}
		_, tok, err := f.access.CreateToken(f.sys, f.username(caller), "own", 0)
		if err != nil {
			f.t.Fatalf("token of %s: %v", caller, err)
		}
		return strings.ReplaceAll(suffix, "{id}", tok.ID), "", true, nil
	}
}

// moduleRules are the rows of the capability modules, each in its own
// matrix_<module>_test.go, which appends its function here in an init.
var moduleRules []func() map[string]rule

func matrixRules() map[string]rule {
	newCode := func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		f.seq++
		return "/api/v1/missions", fmt.Sprintf(`{"code":"M%d","name":"Mission %d","host_country":"MLI","start_date":"2013-07-01"}`, f.seq, f.seq), false, nil
	}
	newMissionForm := func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		f.seq++
		v := url.Values{"code": {fmt.Sprintf("F%d", f.seq)}, "name": {"Form mission"}, "host_country": {"MLI"}, "start_date": {"2013-07-01"}, "status": {"active"}, "classification": {"internal"}}
		return "/missions", v.Encode(), true, nil
	}
	newUser := func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		f.seq++
		return "/api/v1/users", fmt.Sprintf(`{"username":"new%d","password":"a long enough password"}`, f.seq), false, nil
	}
	newUserForm := func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		f.seq++
		v := url.Values{"username": {fmt.Sprintf("form%d", f.seq)}, "password": {"a long enough password"}, "display_name": {"Form user"}}
		return "/users", v.Encode(), true, nil
	}
	removeMember := func(api bool) func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
			if err := f.access.AddMember(f.sys, "MINUSCA", "target", peaceops.RoleViewer); err != nil {
				f.t.Fatal(err)
			}
			if api {
				return "/api/v1/missions/MINUSCA/members/target/roles/viewer", "", false, nil
			}
			return "/missions/MINUSCA/members/remove", url.Values{"username": {"target"}, "role": {"viewer"}}.Encode(), true, nil
		}
	}
	return map[string]rule{
		// Public and session routes.
		"POST /api/v1/session":   {public: true, expect: []string{"401"}, request: jsonBody("/api/v1/session", `{"username":"nobody","password":"wrong password here"}`)},
		"GET /api/v1/session":    {authenticated: true},
		"DELETE /api/v1/session": {public: true, logsOut: true},
		"GET /login":             {public: true},
		// The login form needs its double-submit cookie, which this caller
		// lacks (the browser flow is tested in e2e).
		"POST /login":                         {public: true, expect: []string{"403", "401"}, request: formBody("/login", url.Values{"username": {"x"}, "password": {"y"}})},
		"POST /logout":                        {public: true, logsOut: true, expect: []string{"ok", "login"}, request: formBody("/logout", nil)},
		"GET /api/v1/openapi.json":            {public: true},
		"GET /healthz":                        {public: true},
		"GET /readyz":                         {public: true},
		"GET /metrics":                        {public: true},
		"GET /static/":                        {public: true, request: path("/static/app.css")},
		"GET /lang":                           {public: true, request: path("/lang?to=fr&next=/")},
		"GET /{$}":                            {authenticated: true, request: path("/")},
		"GET /api/v1/missions":                {authenticated: true},
		"POST /api/v1/missions":               {allow: []string{admin}, seeAll: true, request: newCode},
		"GET /api/v1/missions/{code}":         {allow: members()},
		"PATCH /api/v1/missions/{code}":       {allow: missionAdmins, see: nonAdminMembers(), request: patchMission},
		"GET /api/v1/missions/{code}/members": {allow: members()},
		"POST /api/v1/missions/{code}/members": {allow: missionAdmins, see: nonAdminMembers(),
			request: jsonBody("/api/v1/missions/MINUSCA/members", `{"username":"target","role":"viewer"}`)},
		"DELETE /api/v1/missions/{code}/members/{username}/roles/{role}": {allow: missionAdmins, see: nonAdminMembers(), request: removeMember(true)},
		"GET /api/v1/missions/{code}/deployments":                        {allow: members()},
		"PUT /api/v1/missions/{code}/deployments/{source}": {allow: missionAdmins, see: nonAdminMembers(),
			request: jsonBody("/api/v1/missions/MINUSCA/deployments/mission", `{"sites":[{"year":2024,"name":"Bria","location":{"lon":21.98,"lat":6.54},"troops":800}]}`)},

		"GET /missions":                {authenticated: true},
		"GET /missions/new":            {allow: []string{admin}, seeAll: true},
		"POST /missions":               {allow: []string{admin}, seeAll: true, request: newMissionForm},
		"GET /missions/{code}":         {allow: members()},
		"GET /missions/{code}/edit":    {allow: missionAdmins, see: nonAdminMembers()},
		"POST /missions/{code}/edit":   {allow: missionAdmins, see: nonAdminMembers(), request: editMissionForm},
		"GET /missions/{code}/members": {allow: members()},
		"POST /missions/{code}/members": {allow: missionAdmins, see: nonAdminMembers(),
			request: formBody("/missions/MINUSCA/members", url.Values{"username": {"target"}, "role": {"viewer"}})},
		"POST /missions/{code}/members/remove": {allow: missionAdmins, see: nonAdminMembers(), request: removeMember(false)},

		// The audit log: administrators all of it, mission-admins their
		// mission's part.
		"GET /api/v1/audit":          {allow: []string{admin, string(peaceops.RoleMissionAdmin), outsider}, seeAll: true},
		"GET /api/v1/audit/verify":   {allow: []string{admin}, seeAll: true},
		"GET /audit":                 {allow: []string{admin, string(peaceops.RoleMissionAdmin), outsider}, seeAll: true},
		"GET /missions/{code}/audit": {allow: missionAdmins, see: nonAdminMembers()},

		// Users are the administrators' business; tokens and the account
		// page are everyone's own.
		"GET /api/v1/users":              {allow: []string{admin}, seeAll: true},
		"POST /api/v1/users":             {allow: []string{admin}, seeAll: true, request: newUser},
		"GET /api/v1/users/{username}":   {allow: []string{admin}, request: path("/api/v1/users/target")},
		"PATCH /api/v1/users/{username}": {allow: []string{admin}, request: patchUser},
		"GET /api/v1/tokens":             {authenticated: true},
		"POST /api/v1/tokens":            {authenticated: true, request: jsonBody("/api/v1/tokens", `{"name":"matrix"}`)},
		"DELETE /api/v1/tokens/{id}":     {allow: []string{admin}, request: targetToken("/api/v1/tokens/{id}")},
		"GET /users":                     {allow: []string{admin}, seeAll: true},
		"POST /users":                    {allow: []string{admin}, seeAll: true, request: newUserForm},
		"POST /users/{username}": {allow: []string{admin}, request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
			f.seq++
			name := fmt.Sprintf("victim%d", f.seq)
			u, err := f.access.CreateUser(f.sys, access.UserCreate{Username: name, Password: matrixPassword})
			if err != nil {
				f.t.Fatal(err)
			}
			return "/users/" + name, url.Values{"action": {"disable"}, "version": {fmt.Sprint(u.Version)}}.Encode(), true, nil
		}},
		"GET /account":  {authenticated: true},
		"POST /account": {authenticated: true, request: formBody("/account", url.Values{"display_name": {"Me"}, "language": {"fr"}})},
		"POST /account/password": {authenticated: true, request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
			v := url.Values{"current_password": {matrixPassword}, "password": {matrixPassword}, "confirm": {matrixPassword}}
			return "/account/password", v.Encode(), true, nil
		}},
		"POST /account/tokens":             {authenticated: true, request: formBody("/account/tokens", url.Values{"name": {"matrix"}})},
		"POST /account/tokens/{id}/revoke": {authenticated: true, request: ownToken("/account/tokens/{id}/revoke")},
	}
}

const matrixPassword = "matrix password 1234"

type matrixFixture struct {
	t        *testing.T
	db       *store.DB
	access   *access.Service
	missions *missions.Service
	sys      context.Context
	handler  http.Handler
	events   *events.Service
	runner   *jobs.Runner
	cookies  map[string]*http.Cookie // by caller
	csrf     map[string]string
	seq      int
}

func (f *matrixFixture) username(caller string) string {
	switch caller {
	case admin, outsider:
		return caller
	}
	return "r-" + caller
}

func newMatrixFixture(t *testing.T, db *store.DB) *matrixFixture {
	t.Helper()
	srv := newServer(db, serverOptions{Logger: newQuietLogger(), Access: access.Options{Argon2: access.FastArgon2Params(), MaxFailuresUser: 1000, MaxFailuresIP: 100000}})
	f := &matrixFixture{t: t, db: db, sys: peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor()),
		cookies: map[string]*http.Cookie{}, csrf: map[string]string{}}
	f.access = access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	f.missions = missions.NewService(db, f.access)
	f.handler = srv.Handler()
	f.events = events.NewService(db, geo.NewService(db))
	f.runner = jobs.NewRunner(db, newQuietLogger(), 1)
	events.RegisterImportJob(f.runner, f.events)
	for _, m := range []*missions.Mission{
		{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}},
		{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}},
	} {
		if err := f.missions.CreateMission(f.sys, m); err != nil {
			t.Fatal(err)
		}
	}
	mustUser := func(name string, isAdmin bool) {
		if _, err := f.access.CreateUser(f.sys, access.UserCreate{Username: name, Password: matrixPassword, Admin: isAdmin}); err != nil {
			t.Fatal(err)
		}
	}
	mustUser("target", false)
	for _, c := range callers() {
		if c == anonymous {
			continue
		}
		mustUser(f.username(c), c == admin)
		switch {
		case c == outsider:
			f.access.AddMember(f.sys, "MONUSCO", c, peaceops.RoleMissionAdmin)
		case c != admin:
			if err := f.access.AddMember(f.sys, "MINUSCA", f.username(c), peaceops.Role(c)); err != nil {
				t.Fatal(err)
			}
		}
		f.login(c)
	}
	return f
}

// login gives caller a new session.
func (f *matrixFixture) login(caller string) {
	token, _, err := f.access.Login(context.Background(), f.username(caller), matrixPassword, "127.0.0.1")
	if err != nil {
		f.t.Fatal(err)
	}
	a, err := f.access.ActorForSession(context.Background(), token)
	if err != nil {
		f.t.Fatal(err)
	}
	f.cookies[caller] = &http.Cookie{Name: web.SessionCookie, Value: token}
	f.csrf[caller] = web.CSRFToken(a.SessionID)
}

// call makes the request of rule ru for pattern as caller.
func (f *matrixFixture) call(pattern string, ru rule, caller, mission string) *http.Response {
	method, p, _ := strings.Cut(pattern, " ")
	var body string
	var form bool
	var header http.Header
	if ru.request != nil {
		p, body, form, header = ru.request(f, caller)
	}
	p = strings.ReplaceAll(p, "{code}", "MINUSCA")
	if mission != "MINUSCA" {
		p = strings.ReplaceAll(p, "/MINUSCA", "/"+mission)
	}
	if caller != anonymous && ru.logsOut {
		f.login(caller)
		defer f.login(caller)
	}
	if form && caller != anonymous {
		v, _ := url.ParseQuery(body)
		v.Set(web.CSRFField, f.csrf[caller])
		body = v.Encode()
	}
	req := httptest.NewRequest(method, p, strings.NewReader(body))
	for k, vs := range header {
		req.Header[k] = vs
	}
	switch {
	case form:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if caller != anonymous {
		req.AddCookie(f.cookies[caller])
		if !form && method != http.MethodGet {
			req.Header.Set(web.CSRFHeader, f.csrf[caller])
		}
	}
	if method == http.MethodPost {
		f.seq++
		req.Header.Set("Idempotency-Key", fmt.Sprintf("matrix-%d-%d", time.Now().UnixNano(), f.seq))
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec.Result()
}

// outcome classifies a response: "ok" (allowed: success, or a business
// refusal after access passed), "401", "403", "404", or "login" (a page
// redirecting an anonymous caller to sign in).
func outcome(resp *http.Response) string {
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return "401"
	case http.StatusForbidden:
		return "403"
	case http.StatusNotFound:
		return "404"
	}
	if resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		if strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			return "login"
		}
	}
	if resp.StatusCode >= 500 {
		return fmt.Sprintf("%d", resp.StatusCode)
	}
	return "ok"
}

func (ru rule) want(pattern, caller string) []string {
	isAPI := strings.Contains(pattern, " /api/")
	switch {
	case ru.public && ru.expect != nil:
		return ru.expect
	case ru.public:
		return []string{"ok"}
	case caller == anonymous && isAPI:
		return []string{"401"}
	case caller == anonymous:
		return []string{"login", "403"} // a page sends anonymous callers to sign in; a form POST may fail CSRF first
	case ru.authenticated || slices.Contains(ru.allow, caller):
		return []string{"ok"}
	case ru.seeAll || slices.Contains(ru.see, caller):
		return []string{"403"}
	}
	return []string{"404"}
}

func TestAuthorizationMatrix(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newMatrixFixture(t, db)
		rules := matrixRules()
		for _, more := range append([]func() map[string]rule{situationalRules}, moduleRules...) {
			for k, v := range more() {
				if _, dup := rules[k]; dup {
					t.Fatalf("route %q has two rows in the authorization matrix", k)
				}
				rules[k] = v
			}
		}
		srv := newServer(db, serverOptions{Logger: newQuietLogger()})
		srv.Handler()
		for _, pattern := range srv.Router().Patterns() {
			ru, ok := rules[pattern]
			if !ok {
				t.Errorf("route %q has no row in the authorization matrix", pattern)
				continue
			}
			t.Run(pattern, func(t *testing.T) {
				for _, caller := range callers() {
					resp := f.call(pattern, ru, caller, "MINUSCA")
					got := outcome(resp)
					if want := ru.want(pattern, caller); !slices.Contains(want, got) {
						b, _ := io.ReadAll(resp.Body)
						t.Errorf("%s: got %s (status %d), want %v: %.120s", caller, got, resp.StatusCode, want, b)
					}
					resp.Body.Close()
				}
				// A member of MINUSCA reaching for MONUSCO finds nothing.
				if strings.Contains(pattern, "{code}") && !ru.public {
					resp := f.call(pattern, ru, string(peaceops.RoleMissionAdmin), "MONUSCO")
					if got := outcome(resp); got != "404" {
						t.Errorf("mission-admin of MINUSCA on MONUSCO: got %s (status %d), want 404", got, resp.StatusCode)
					}
					resp.Body.Close()
				}
			})
		}
	})
}
