package web_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

func TestLoginPage(t *testing.T) {
	f := newFixture(t, nil, nil)
	for _, tc := range []struct {
		name  string
		r     *http.Request
		lang  string
		texts []string
	}{
		{"English", req("GET", "/login", ""), "en", []string{"Sign in", "Username", "Password", `lang="en"`}},
		{"FrenchByAcceptLanguage", req("GET", "/login", "", withHeader("Accept-Language", "fr-CA,fr;q=0.9,en;q=0.5")), "fr",
			[]string{"Se connecter", "Nom d&#39;utilisateur", "Mot de passe", `lang="fr"`}},
		{"FrenchByQuery", req("GET", "/login?lang=fr", "", withHeader("Accept-Language", "en")), "fr", []string{"Se connecter"}},
		{"FrenchByCookie", req("GET", "/login", "", withCookie("lang", "fr")), "fr", []string{"Se connecter"}},
		{"QueryBeatsCookie", req("GET", "/login?lang=en", "", withCookie("lang", "fr")), "en", []string{"Sign in"}},
		{"UnknownFallsBackToEnglish", req("GET", "/login", "", withHeader("Accept-Language", "de-DE")), "en", []string{"Sign in"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(tc.r)
			wantStatus(t, w, 200)
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if got := w.Header().Get("Content-Language"); got != tc.lang {
				t.Errorf("Content-Language = %q, want %q", got, tc.lang)
			}
			body := w.Body.String()
			for _, want := range tc.texts {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if !strings.Contains(body, `name="csrf_token" value="`) {
				t.Error("login form lacks its CSRF field")
			}
		})
	}
}

// loginForm fetches the login page and returns its double-submit token and
// cookie, as a browser would hold them.
func loginForm(t *testing.T, f *fixture) (string, *http.Cookie) {
	t.Helper()
	w := f.do(req("GET", "/login", ""))
	var cookie *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "peaceops_csrf" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("login page set no CSRF cookie")
	}
	body := w.Body.String()
	i := strings.Index(body, `name="csrf_token" value="`)
	token := body[i+len(`name="csrf_token" value="`):]
	token = token[:strings.IndexByte(token, '"')]
	if token != cookie.Value {
		t.Fatalf("form token %q differs from cookie %q", token, cookie.Value)
	}
	return token, cookie
}

func TestLoginForm(t *testing.T) {
	f := newFixture(t, nil, actorEcho)
	token, cookie := loginForm(t, f)
	post := func(vals url.Values, withCSRF bool) *http.Request {
		if withCSRF {
			vals.Set(web.CSRFField, token)
		}
		return req("POST", "/login", "", form(vals, func(r *http.Request) { r.AddCookie(cookie) }))
	}
	t.Run("OKRedirectsToNext", func(t *testing.T) {
		w := f.do(post(url.Values{"username": {"alice"}, "password": {"correct horse"}, "next": {"/things?page=2"}}, true))
		wantStatus(t, w, 303)
		if loc := w.Header().Get("Location"); loc != "/things?page=2" {
			t.Errorf("Location = %q", loc)
		}
		if c := w.Result().Cookies(); len(c) == 0 || c[0].Name != web.SessionCookie {
			t.Errorf("cookies = %v", c)
		}
	})
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		t.Run("ErrForeignNext", func(t *testing.T) {
			w := f.do(post(url.Values{"username": {"alice"}, "password": {"correct horse"}, "next": {next}}, true))
			wantStatus(t, w, 303)
			if loc := w.Header().Get("Location"); loc != "/" {
				t.Errorf("next %q: Location = %q, want /", next, loc)
			}
		})
	}
	t.Run("ErrWrongPassword", func(t *testing.T) {
		w := f.do(post(url.Values{"username": {"alice"}, "password": {"nope"}}, true))
		wantStatus(t, w, 401)
		if !strings.Contains(w.Body.String(), "Wrong username or password.") || !strings.Contains(w.Body.String(), `value="alice"`) {
			t.Errorf("body lacks the error or the username: %s", w.Body)
		}
	})
	t.Run("ErrWrongPasswordFrench", func(t *testing.T) {
		r := post(url.Values{"username": {"alice"}, "password": {"nope"}}, true)
		r.Header.Set("Accept-Language", "fr")
		w := f.do(r)
		if !strings.Contains(w.Body.String(), "Nom d&#39;utilisateur ou mot de passe incorrect.") {
			t.Errorf("error not translated: %s", w.Body)
		}
	})
	t.Run("ErrThrottled", func(t *testing.T) {
		w := f.do(post(url.Values{"username": {"throttled"}, "password": {"x"}}, true))
		wantStatus(t, w, 429)
	})
	t.Run("ErrNoCSRF", func(t *testing.T) {
		w := f.do(post(url.Values{"username": {"alice"}, "password": {"correct horse"}}, false))
		wantStatus(t, w, 403)
	})
}

func TestLogoutAndFlash(t *testing.T) {
	f := newFixture(t, nil, nil)
	w := f.do(req("POST", "/logout", "", form(url.Values{web.CSRFField: {web.CSRFToken("sid-" + aliceCookie)}}, asAliceNoCSRF)))
	wantStatus(t, w, 303)
	if w.Header().Get("Location") != "/login" {
		t.Errorf("Location = %q", w.Header().Get("Location"))
	}
	var flash *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "peaceops_flash" {
			flash = c
		}
	}
	if flash == nil {
		t.Fatal("no flash cookie")
	}
	if _, err := f.auth.ActorForSession(t.Context(), aliceCookie); err == nil {
		t.Error("session still valid after logout")
	}
	w = f.do(req("GET", "/login", "", withCookie(flash.Name, flash.Value), withHeader("Accept-Language", "fr")))
	if !strings.Contains(w.Body.String(), "Vous êtes déconnecté.") {
		t.Errorf("flash not shown in French: %s", w.Body)
	}
	if sc := strings.Join(w.Header().Values("Set-Cookie"), "\n"); !strings.Contains(sc, "peaceops_flash=;") {
		t.Errorf("flash cookie not cleared: %s", sc)
	}
	// An anonymous logout (expired session) just goes to the login page.
	w = f.do(req("POST", "/logout", "", form(url.Values{})))
	wantStatus(t, w, 303)
}

func TestLanguageSwitch(t *testing.T) {
	f := newFixture(t, nil, nil)
	w := f.do(req("GET", "/lang?to=fr&next="+url.QueryEscape("/login?x=1"), ""))
	wantStatus(t, w, 303)
	if w.Header().Get("Location") != "/login?x=1" {
		t.Errorf("Location = %q", w.Header().Get("Location"))
	}
	if c := w.Result().Cookies(); len(c) != 1 || c[0].Name != "lang" || c[0].Value != "fr" {
		t.Errorf("cookies = %v", c)
	}
	w = f.do(req("GET", "/lang?to=fr&next=//evil.example", ""))
	if w.Header().Get("Location") != "/" {
		t.Errorf("Location = %q", w.Header().Get("Location"))
	}
	w = f.do(req("GET", "/lang?to=de", ""))
	wantStatus(t, w, 400)
}

func TestLayout(t *testing.T) {
	pages := web.NewPages(os.DirFS("testdata/pages"), "*.html", "*.json")
	f := newFixture(t, nil, func(r *web.Router) {
		r.NavItem("Missions", "/missions")
		r.NavItem("Events", "/missions/{mission}/events")
		r.NavItem("Widgets", "/widgets")
		r.NavItemFor("Secrets", "/missions/{mission}/secrets", func(a peaceops.Actor, mission string) bool { return mission == "MONUSCO" })
		r.Messages(web.Messages{"fr": {"Widgets": "Gadgets"}})
		list := func(w http.ResponseWriter, r *http.Request) error {
			web.SetFlash(w, r, "success", "Saved.")
			return pages.Render(w, r, http.StatusOK, "list", struct{ Items []string }{[]string{"MINUSCA", "<b>x</b>"}})
		}
		r.Page("GET /missions", list)
		r.Page("GET /missions/{code}", list)
		r.Page("GET /missions/{code}/events", list)
		r.Page("GET /missions/{code}/rows", func(w http.ResponseWriter, r *http.Request) error {
			return pages.Fragment(w, r, http.StatusOK, "list", "rows", struct{ Items []string }{[]string{"fragment-row"}})
		})
	})

	t.Run("SignedIn", func(t *testing.T) {
		w := f.do(req("GET", "/missions", "", asAliceNoCSRF))
		wantStatus(t, w, 200)
		body := w.Body.String()
		for _, want := range []string{
			`<a href="/missions" aria-current="page">Missions</a>`,
			`/widgets`, "alice", `action="/logout"`,
			`<meta name="csrf-token" content="` + web.CSRFToken("sid-"+aliceCookie) + `">`,
			`name="csrf_token" value="` + web.CSRFToken("sid-"+aliceCookie) + `"`,
			"MONUSCO", "DR Congo", // mission switcher
			"&lt;b&gt;x&lt;/b&gt;", // escaped data
			"<td>Edit</td>",        // partial
			"2 missions",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, "/events") {
			t.Error("mission-scoped nav shown without a current mission")
		}
	})
	t.Run("MissionScopedNav", func(t *testing.T) {
		w := f.do(req("GET", "/missions/MINUSCA?lang=fr", "", asAliceNoCSRF))
		body := w.Body.String()
		for _, want := range []string{`href="/missions/MINUSCA/events"`, "Événements", "Gadgets", "2 missions au total", `<p class="current">MINUSCA</p>`, "Modifier"} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		var remembered *http.Cookie
		for _, c := range w.Result().Cookies() {
			if c.Name == "peaceops_mission" {
				remembered = c
			}
		}
		if remembered == nil || remembered.Value != "MINUSCA" {
			t.Fatalf("current mission not remembered: %v", w.Result().Cookies())
		}
		if strings.Contains(body, "/secrets") {
			t.Error("an entry whose Show refuses this mission is listed")
		}
		if w := f.do(req("GET", "/missions/MONUSCO", "", asAliceNoCSRF)); !strings.Contains(w.Body.String(), `href="/missions/MONUSCO/secrets"`) {
			t.Error("an entry whose Show accepts this mission is missing")
		}
		// Outside /missions/{code} the remembered mission stays current.
		w = f.do(req("GET", "/missions", "", asAliceNoCSRF, withCookie(remembered.Name, remembered.Value)))
		if !strings.Contains(w.Body.String(), `href="/missions/MINUSCA/events"`) {
			t.Error("remembered mission not used for the nav")
		}
	})
	t.Run("OneActiveNavItem", func(t *testing.T) {
		body := f.do(req("GET", "/missions/MINUSCA/events", "", asAliceNoCSRF)).Body.String()
		if n := strings.Count(body, `aria-current="page"`); n != 1 || !strings.Contains(body, `<a href="/missions/MINUSCA/events" aria-current="page">Events</a>`) {
			t.Errorf("%d active nav items; Events should be the one", n)
		}
	})
	t.Run("Fragment", func(t *testing.T) {
		w := f.do(req("GET", "/missions/MINUSCA/rows", "", asAliceNoCSRF))
		if got := strings.TrimSpace(w.Body.String()); got != "<tr><td>fragment-row</td><td>Edit</td></tr>" {
			t.Errorf("fragment = %q", got)
		}
	})
	t.Run("Untranslated", func(t *testing.T) {
		if got := pages.Untranslated("fr"); len(got) != 0 {
			t.Errorf("Untranslated = %q, want none", got)
		}
		other := web.NewPages(os.DirFS("testdata/untranslated"), "*.html")
		if got := other.Untranslated("fr"); strings.Join(got, "|") != "Nested key|Not in any catalogue" {
			t.Errorf("Untranslated = %q", got)
		}
	})
}

func TestOwnPagesAreTranslated(t *testing.T) {
	own := web.OwnPagesForTest()
	if missing := own.Untranslated("fr"); len(missing) != 0 {
		t.Errorf("web's own templates lack French for %q", missing)
	}
	// Texts set from Go code.
	for _, key := range []string{"Wrong username or password.", "Enter your username and password.",
		"Too many failed attempts. Wait a few minutes and try again.", "You have signed out.", "Not Found", "Forbidden", "internal error"} {
		if own.T(req("GET", "/?lang=fr", ""), key) == key {
			t.Errorf("no French for %q", key)
		}
	}
}

func TestHomePage(t *testing.T) {
	f := newFixture(t, nil, func(r *web.Router) { r.NavItem("Missions", "/missions") })
	w := f.do(req("GET", "/", "", asAliceNoCSRF))
	wantStatus(t, w, 200)
	for _, want := range []string{"Welcome, alice", "MINUSCA", "Central African Republic", `href="/missions"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("home lacks %q", want)
		}
	}
	w = f.do(req("GET", "/", ""))
	wantStatus(t, w, 303)
	if w.Header().Get("Location") != "/login" {
		t.Errorf("anonymous home: Location = %q", w.Header().Get("Location"))
	}
}

func TestNewPagesPanics(t *testing.T) {
	for name, fn := range map[string]func(){
		"NoMatch":        func() { web.NewPages(os.DirFS("testdata/pages"), "*.tmpl") },
		"BadCatalogue":   func() { web.NewPages(os.DirFS("testdata"), "pages/*.html", "bad/de.json") },
		"TemplateSyntax": func() { web.NewPages(os.DirFS("testdata"), "bad/*.html") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			fn()
		})
	}
}
