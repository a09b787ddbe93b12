package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

func actorEcho(r *web.Router) {
	echo := func(w http.ResponseWriter, r *http.Request) error {
		a := peaceops.ActorFromContext(r.Context())
		return web.JSON(w, http.StatusOK, map[string]string{"actor": a.Name()})
	}
	r.API("GET /api/v1/whoami", web.Op{Public: true}, echo)
	r.API("POST /api/v1/things", web.Op{}, echo)
	r.API("GET /api/v1/private", web.Op{}, echo)
	r.Page("POST /things", func(w http.ResponseWriter, r *http.Request) error {
		return web.Redirect(w, r, "/things?saved="+url.QueryEscape(r.PostFormValue("name")))
	})
	r.Page("GET /things", func(w http.ResponseWriter, r *http.Request) error {
		_, err := w.Write([]byte("things"))
		return err
	})
	r.PublicPage("POST /feedback", func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusAccepted)
		return nil
	})
}

func form(values url.Values, opts ...func(*http.Request)) func(*http.Request) {
	return func(r *http.Request) {
		r.Body = http.NoBody
		*r = *httptest.NewRequest(r.Method, r.URL.String(), strings.NewReader(values.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, o := range opts {
			o(r)
		}
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t, nil, actorEcho)
	token := web.CSRFToken("sid-" + aliceCookie)
	for _, tc := range []struct {
		name   string
		r      *http.Request
		status int
	}{
		{"CookieWithHeader", req("POST", "/api/v1/things", `{}`, asAlice), 200},
		{"ErrCookieWithoutToken", req("POST", "/api/v1/things", `{}`, asAliceNoCSRF), 403},
		{"ErrCookieWrongToken", req("POST", "/api/v1/things", `{}`, asAliceNoCSRF, withHeader(web.CSRFHeader, web.CSRFToken("sid-other"))), 403},
		{"BearerExempt", req("POST", "/api/v1/things", `{}`, asBob), 200},
		{"SafeMethodExempt", req("GET", "/api/v1/private", "", asAliceNoCSRF), 200},
		{"FormField", req("POST", "/things", "", form(url.Values{"name": {"x"}, web.CSRFField: {token}}, asAliceNoCSRF)), 303},
		{"ErrFormWithoutField", req("POST", "/things", "", form(url.Values{"name": {"x"}}, asAliceNoCSRF)), 403},
		{"ErrMultipartWithoutField", func() *http.Request {
			r := httptest.NewRequest("POST", "/things", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n"))
			r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
			asAliceNoCSRF(r)
			return r
		}(), 403},
		{"AnonymousFormWithDoubleSubmit", req("POST", "/feedback", "", form(url.Values{web.CSRFField: {strings.Repeat("A", 43)}},
			withCookie("peaceops_csrf", strings.Repeat("A", 43)))), 202},
		{"ErrAnonymousFormWithoutCookie", req("POST", "/feedback", "", form(url.Values{web.CSRFField: {strings.Repeat("A", 43)}})), 403},
		{"ErrAnonymousFormMismatch", req("POST", "/feedback", "", form(url.Values{web.CSRFField: {strings.Repeat("B", 43)}},
			withCookie("peaceops_csrf", strings.Repeat("A", 43)))), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(tc.r)
			wantStatus(t, w, tc.status)
			if tc.status == 403 && strings.HasPrefix(tc.r.URL.Path, "/api/") {
				if p := problemOf(t, w); !strings.Contains(p.Detail, "CSRF") {
					t.Errorf("detail = %q", p.Detail)
				}
			}
		})
	}
}

func withCookie(name, value string) func(*http.Request) {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: name, Value: value}) }
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, nil, actorEcho)
	t.Run("Bearer", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/whoami", "", asBob))
		if !strings.Contains(w.Body.String(), `"bob"`) {
			t.Errorf("body = %s", w.Body)
		}
	})
	t.Run("Cookie", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/whoami", "", asAliceNoCSRF))
		if !strings.Contains(w.Body.String(), `"alice"`) {
			t.Errorf("body = %s", w.Body)
		}
	})
	t.Run("ErrInvalidBearer", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/whoami", "", withHeader("Authorization", "Bearer nope")))
		wantStatus(t, w, 401)
		problemOf(t, w)
	})
	t.Run("ErrNotBearer", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/whoami", "", withHeader("Authorization", "Basic YTpi")))
		wantStatus(t, w, 401)
	})
	t.Run("InvalidCookieIsAnonymousAndCleared", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/whoami", "", withCookie(web.SessionCookie, "expired")))
		wantStatus(t, w, 200)
		if !strings.Contains(w.Body.String(), `"anonymous"`) {
			t.Errorf("body = %s", w.Body)
		}
		if sc := w.Header().Get("Set-Cookie"); !strings.HasPrefix(sc, web.SessionCookie+"=;") || !strings.Contains(sc, "Max-Age=0") {
			t.Errorf("Set-Cookie = %q, want the session cookie cleared", sc)
		}
	})
	t.Run("ErrAnonymousAPI", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/private", ""))
		wantStatus(t, w, 401)
		problemOf(t, w)
	})
	t.Run("AnonymousPageRedirectsToLogin", func(t *testing.T) {
		w := f.do(req("GET", "/things?page=2", ""))
		wantStatus(t, w, 303)
		if loc := w.Header().Get("Location"); loc != "/login?next="+url.QueryEscape("/things?page=2") {
			t.Errorf("Location = %q", loc)
		}
	})
	t.Run("AnonymousHtmxGetsHXRedirect", func(t *testing.T) {
		w := f.do(req("GET", "/things", "", withHeader("HX-Request", "true")))
		if w.Header().Get("HX-Redirect") == "" {
			t.Errorf("headers = %v", w.Header())
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	for _, secure := range []bool{false, true} {
		f := newFixture(t, nil, actorEcho, func(c *web.Config) { c.SecureCookies = secure })
		for _, target := range []string{"/api/v1/whoami", "/login", "/api/v1/nope", "/healthz"} {
			w := f.do(req("GET", target, ""))
			h := w.Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP %q lacks %q", target, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
				t.Errorf("%s: CSP allows inline code or a remote origin: %q", target, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
				t.Errorf("%s: headers = %v", target, h)
			}
			if got := h.Get("Strict-Transport-Security") != ""; got != secure {
				t.Errorf("%s: HSTS present = %v with SecureCookies = %v", target, got, secure)
			}
		}
	}
}

func TestRequestID(t *testing.T) {
	f := newFixture(t, nil, actorEcho)
	w := f.do(req("GET", "/api/v1/whoami", "", withHeader("X-Request-Id", "lb-1234-abcd")))
	if got := w.Header().Get("X-Request-Id"); got != "lb-1234-abcd" {
		t.Errorf("X-Request-Id = %q, want the caller's", got)
	}
	w = f.do(req("GET", "/api/v1/whoami", "", withHeader("X-Request-Id", "bad id\n<script>")))
	generated := w.Header().Get("X-Request-Id")
	if !peaceops.ValidID(generated) {
		t.Errorf("X-Request-Id = %q, want a generated ULID", generated)
	}
	w = f.do(req("GET", "/api/v1/private", ""))
	if p := problemOf(t, w); p.RequestID == "" || p.RequestID != w.Header().Get("X-Request-Id") {
		t.Errorf("problem request_id %q, header %q", p.RequestID, w.Header().Get("X-Request-Id"))
	}
}

func TestAccessLog(t *testing.T) {
	f := newFixture(t, nil, actorEcho)
	f.do(req("GET", "/api/v1/whoami?access_token=secret-in-query", "", asBob, withHeader("X-Request-Id", "log-test-0001")))
	f.do(req("GET", "/api/v1/whoami", "", asAliceNoCSRF))
	logs := f.logs.String()
	for _, want := range []string{`"request_id":"log-test-0001"`, `"path":"/api/v1/whoami"`, `"route":"GET /api/v1/whoami"`, `"status":200`, `"actor":"bob"`, `"actor":"alice"`, `"duration"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("access log lacks %s:\n%s", want, logs)
		}
	}
	for _, secret := range []string{"secret-in-query", bobToken, aliceCookie} {
		if strings.Contains(logs, secret) {
			t.Errorf("access log holds a secret %q:\n%s", secret, logs)
		}
	}
}
