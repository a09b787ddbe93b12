package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

func TestHealthz(t *testing.T) {
	f := newFixture(t, nil, nil)
	w := f.do(req("GET", "/healthz", ""))
	wantStatus(t, w, 200)
	if w.Body.String() != "ok\n" {
		t.Errorf("body = %q", w.Body)
	}
}

func TestReadyz(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			f := newFixture(t, db, nil)
			_, latest, _ := db.SchemaVersion(ctx)

			w := f.do(req("GET", "/readyz", ""))
			wantStatus(t, w, 503)
			var rd web.Readiness
			decodeBody(t, w.Body.Bytes(), &rd)
			if want := fmt.Sprintf("schema behind: version 0 of %d", latest); rd.Ready || rd.Reason != want {
				t.Errorf("readiness = %+v, want reason %q", rd, want)
			}

			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			w = f.do(req("GET", "/readyz", ""))
			wantStatus(t, w, 200)
			rd = web.Readiness{}
			decodeBody(t, w.Body.Bytes(), &rd)
			if !rd.Ready || rd.SchemaVersion != latest || rd.Reason != "" {
				t.Errorf("readiness = %+v", rd)
			}

			db.Close()
			w = f.do(req("GET", "/readyz", ""))
			wantStatus(t, w, 503)
		})
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, nil, actorEcho)
	f.do(req("GET", "/api/v1/whoami", ""))
	f.do(req("GET", "/api/v1/whoami", ""))
	f.do(req("GET", "/api/v1/private", ""))
	f.do(req("GET", "/no/such/thing/42", ""))
	w := f.do(req("GET", "/metrics", ""))
	wantStatus(t, w, 200)
	body := w.Body.String()
	for _, want := range []string{
		`peaceops_http_requests_total{method="GET",route="/api/v1/whoami",status="200"} 2`,
		`peaceops_http_requests_total{method="GET",route="/api/v1/private",status="401"} 1`,
		`peaceops_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`peaceops_http_request_duration_seconds_bucket{method="GET",route="/api/v1/whoami",le="+Inf"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/no/such/thing") {
		t.Error("raw paths leak into metric labels")
	}
	// A second server has its own registry: no duplicate registration panic.
	newFixture(t, nil, nil)
}

func TestStaticAssets(t *testing.T) {
	f := newFixture(t, nil, nil)
	page := f.do(req("GET", "/login", ""))
	body := page.Body.String()
	for _, asset := range []string{"app.css", "app.js", "vendor/htmx.min.js"} {
		i := strings.Index(body, "/static/"+asset+"?v=")
		if i < 0 {
			t.Errorf("login page does not link %s with a version", asset)
			continue
		}
		url := body[i : i+strings.IndexByte(body[i:], '"')]
		w := f.do(req("GET", url, ""))
		wantStatus(t, w, 200)
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s Cache-Control = %q", url, cc)
		}
		if w.Body.Len() == 0 {
			t.Errorf("%s is empty", url)
		}
		etag := w.Header().Get("ETag")
		w = f.do(req("GET", url, "", withHeader("If-None-Match", etag)))
		wantStatus(t, w, 304)
	}
	w := f.do(req("GET", "/static/app.css", ""))
	if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unversioned Cache-Control = %q", cc)
	}
	for _, target := range []string{"/static/", "/static/nope.js", "/static/../server.go", "/static/vendor/"} {
		if w := f.do(req("GET", target, "")); w.Code == 200 {
			t.Errorf("%s served: %s", target, w.Body.String()[:min(80, w.Body.Len())])
		}
	}
	for _, inline := range []string{"<script>", "style=", " onclick=", " onload="} {
		if strings.Contains(body, inline) {
			t.Errorf("login page has inline code %q", inline)
		}
	}
}

func TestListenAndServe(t *testing.T) {
	f := newFixture(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() { errc <- f.srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a }) }()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-errc:
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr.String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok\n" {
		t.Errorf("healthz = %q", b)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("ListenAndServe = %v, want nil after cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}
	if _, err := http.Get("http://" + addr.String() + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestSessionAPI(t *testing.T) {
	f := newFixture(t, nil, nil)
	t.Run("ErrWrongPassword", func(t *testing.T) {
		w := f.do(req("POST", "/api/v1/session", `{"username":"alice","password":"nope"}`))
		wantStatus(t, w, 401)
		problemOf(t, w)
		if w.Header().Get("Set-Cookie") != "" {
			t.Error("cookie set on failure")
		}
	})
	t.Run("ErrMissingFields", func(t *testing.T) {
		w := f.do(req("POST", "/api/v1/session", `{}`))
		wantStatus(t, w, 400)
		if p := problemOf(t, w); len(p.Errors) != 2 {
			t.Errorf("errors = %+v", p.Errors)
		}
	})
	t.Run("ErrThrottled", func(t *testing.T) {
		w := f.do(req("POST", "/api/v1/session", `{"username":"throttled","password":"x"}`))
		wantStatus(t, w, 429)
	})

	w := f.do(req("POST", "/api/v1/session", `{"username":"alice","password":"correct horse"}`))
	wantStatus(t, w, 200)
	var sess web.Session
	decodeBody(t, w.Body.Bytes(), &sess)
	cookie := w.Result().Cookies()[0]
	if cookie.Name != web.SessionCookie || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Expires.IsZero() {
		t.Errorf("cookie = %+v", cookie)
	}
	if sess.Username != "alice" || sess.CSRFToken != web.CSRFToken("sid-"+cookie.Value) || sess.ExpiresAt.IsZero() {
		t.Errorf("session = %+v", sess)
	}
	withSession := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie.Value}) }

	w = f.do(req("GET", "/api/v1/session", "", withSession))
	wantStatus(t, w, 200)
	var id web.Identity
	decodeBody(t, w.Body.Bytes(), &id)
	if id.Username != "alice" || id.CSRFToken != sess.CSRFToken || len(id.Roles["MINUSCA"]) != 1 {
		t.Errorf("identity = %+v", id)
	}
	w = f.do(req("GET", "/api/v1/session", "", asBob))
	decodeBody(t, w.Body.Bytes(), &id)
	if id.Username != "bob" || !id.Admin || id.CSRFToken != "" {
		t.Errorf("bearer identity = %+v", id)
	}

	w = f.do(req("DELETE", "/api/v1/session", "", withSession))
	wantStatus(t, w, 403) // no CSRF token
	w = f.do(req("DELETE", "/api/v1/session", "", withSession, withHeader(web.CSRFHeader, sess.CSRFToken)))
	wantStatus(t, w, 204)
	if sc := w.Header().Get("Set-Cookie"); !strings.Contains(sc, "Max-Age=0") {
		t.Errorf("Set-Cookie = %q", sc)
	}
	w = f.do(req("GET", "/api/v1/session", "", withSession))
	wantStatus(t, w, 401)
}

func TestSecureCookies(t *testing.T) {
	f := newFixture(t, nil, nil, func(c *web.Config) { c.SecureCookies = true })
	w := f.do(req("POST", "/api/v1/session", `{"username":"alice","password":"correct horse"}`))
	wantStatus(t, w, 200)
	if c := w.Result().Cookies()[0]; !c.Secure {
		t.Error("session cookie lacks Secure")
	}
}

func TestOpenAPI(t *testing.T) {
	type place struct {
		Lon float64 `json:"lon"`
		Lat float64 `json:"lat"`
	}
	type record struct {
		ID             string                  `json:"id"`
		Start          peaceops.Date           `json:"start_date"`
		CreatedAt      time.Time               `json:"created_at"`
		Classification peaceops.Classification `json:"classification"`
		Roles          []peaceops.Role         `json:"roles,omitempty"`
		Place          *place                  `json:"place"`
		Money          peaceops.Money          `json:"budget"`
		Secret         string                  `json:"-"`
	}
	register := func(r *web.Router) {
		ok := func(w http.ResponseWriter, r *http.Request) error { return nil }
		r.API("GET /api/v1/records", web.Op{Summary: "List", Tags: []string{"records"}, Response: record{}, List: true,
			Query: []web.Param{{Name: "q", Description: "text"}, {Name: "limit", Type: "integer"}}, Formats: []string{web.MediaCSV}}, ok)
		r.API("POST /api/v1/records", web.Op{Summary: "Create", Request: record{}, Response: record{}, Status: 201}, ok)
		r.API("PATCH /api/v1/records/{id}", web.Op{Summary: "Change", Request: record{}, Response: record{}, IfMatch: true}, ok)
		r.API("DELETE /api/v1/records/{id}", web.Op{Summary: "Delete", Status: 204, IfMatch: true}, ok)
		r.API("GET /api/v1/files/{path...}", web.Op{Summary: "File"}, ok)
		r.Page("GET /records", ok)
	}
	f := newFixture(t, nil, register)

	t.Run("Complete", func(t *testing.T) {
		if missing := f.srv.Router().Undocumented(); len(missing) != 0 {
			t.Errorf("routes missing from the OpenAPI document: %v", missing)
		}
		// Walk every registered pattern: each API one is in the served document.
		w := f.do(req("GET", "/api/v1/openapi.json", ""))
		wantStatus(t, w, 200)
		var doc struct {
			OpenAPI string                                `json:"openapi"`
			Paths   map[string]map[string]json.RawMessage `json:"paths"`
		}
		decodeBody(t, w.Body.Bytes(), &doc)
		if doc.OpenAPI != "3.1.0" {
			t.Errorf("openapi = %q", doc.OpenAPI)
		}
		n := 0
		for _, p := range f.srv.Router().Patterns() {
			method, path, _ := strings.Cut(p, " ")
			if !strings.HasPrefix(path, "/api/") {
				continue
			}
			n++
			path = strings.ReplaceAll(path, "{path...}", "{path}")
			if doc.Paths[path][strings.ToLower(method)] == nil {
				t.Errorf("%s is registered but not documented", p)
			}
		}
		if n < 9 {
			t.Errorf("walked only %d API patterns", n)
		}
	})
	t.Run("ErrRawRouteIsReported", func(t *testing.T) {
		g := newFixture(t, nil, func(r *web.Router) {
			register(r)
			r.Handle("GET /api/v1/sneaky", http.NotFoundHandler())
		})
		if missing := g.srv.Router().Undocumented(); len(missing) != 1 || missing[0] != "GET /api/v1/sneaky" {
			t.Errorf("Undocumented = %v", missing)
		}
	})
	t.Run("Schemas", func(t *testing.T) {
		doc := f.srv.Router().OpenAPI()
		b, _ := json.Marshal(doc)
		var d struct {
			Paths      map[string]map[string]map[string]any `json:"paths"`
			Components struct {
				Schemas         map[string]map[string]any `json:"schemas"`
				SecuritySchemes map[string]any            `json:"securitySchemes"`
			} `json:"components"`
		}
		decodeBody(t, b, &d)
		rec := d.Components.Schemas["record"]
		props, _ := rec["properties"].(map[string]any)
		check := func(field, want string) {
			t.Helper()
			got, _ := json.Marshal(props[field])
			if string(got) != want {
				t.Errorf("%s schema = %s, want %s", field, got, want)
			}
		}
		check("start_date", `{"format":"date","type":["string","null"]}`)
		check("created_at", `{"format":"date-time","type":"string"}`)
		check("classification", `{"enum":["public","internal","confidential","strictly-confidential"],"type":"string"}`)
		check("place", `{"anyOf":[{"$ref":"#/components/schemas/place"},{"type":"null"}]}`)
		check("budget", `{"$ref":"#/components/schemas/Money"}`)
		if _, ok := props["Secret"]; ok {
			t.Error(`json:"-" field documented`)
		}
		if req, _ := json.Marshal(rec["required"]); !strings.Contains(string(req), `"id"`) || strings.Contains(string(req), `"roles"`) {
			t.Errorf("required = %s", req)
		}
		if in := d.Components.Schemas["recordInput"]; in == nil || in["required"] != nil || in["additionalProperties"] != false {
			t.Errorf("input schema = %v", in)
		}
		for _, s := range []string{"sessionCookie", "bearerToken"} {
			if d.Components.SecuritySchemes[s] == nil {
				t.Errorf("security scheme %s missing", s)
			}
		}
		if d.Components.Schemas["Problem"] == nil {
			t.Error("Problem schema missing")
		}
		list := d.Paths["/api/v1/records"]["get"]
		params, _ := json.Marshal(list["parameters"])
		if strings.Count(string(params), `"name":"limit"`) != 1 || !strings.Contains(string(params), `"name":"cursor"`) {
			t.Errorf("list parameters = %s", params)
		}
		resp, _ := json.Marshal(list["responses"])
		for _, want := range []string{`"items"`, `"next_cursor"`, `"text/csv"`, `"401"`, `#/components/responses/Internal`} {
			if !strings.Contains(string(resp), want) {
				t.Errorf("list responses lack %s: %s", want, resp)
			}
		}
		patch, _ := json.Marshal(d.Paths["/api/v1/records/{id}"]["patch"])
		for _, want := range []string{`"If-Match"`, `"412"`, `"428"`, `#/components/schemas/recordInput`} {
			if !strings.Contains(string(patch), want) {
				t.Errorf("patch lacks %s", want)
			}
		}
		post, _ := json.Marshal(d.Paths["/api/v1/records"]["post"])
		if !strings.Contains(string(post), `"Idempotency-Key"`) || !strings.Contains(string(post), `"201"`) {
			t.Errorf("post = %s", post)
		}
		login, _ := json.Marshal(d.Paths["/api/v1/session"]["post"])
		if strings.Contains(string(login), `"Idempotency-Key"`) {
			t.Error("login documents Idempotency-Key")
		}
	})
}
