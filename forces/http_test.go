package forces_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// site is the real server (router, authentication, CSRF, problem+json)
// with the forces routes and users: boss (mission-admin of MINUSCA), pablo
// (personnel officer), vera (viewer) and otto (mission-admin of MONUSCO).
type site struct {
	*fixture
	h      http.Handler
	srv    *web.Server
	tokens map[string]string
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	f := newFixture(t, db)
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.svc.Routes(srv.Router())
	s := &site{fixture: f, srv: srv, h: srv.Handler(), tokens: map[string]string{}}
	for _, u := range []struct {
		name, mission string
		role          peaceops.Role
	}{
		{"boss", "MINUSCA", peaceops.RoleMissionAdmin},
		{"pablo", "MINUSCA", peaceops.RolePersonnelOfficer},
		{"vera", "MINUSCA", peaceops.RoleViewer},
		{"otto", "MONUSCO", peaceops.RoleMissionAdmin},
	} {
		if _, err := acc.CreateUser(f.sys, access.UserCreate{Username: u.name, Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		if err := acc.AddMember(f.sys, u.mission, u.name, u.role); err != nil {
			t.Fatal(err)
		}
		token, _, err := acc.CreateToken(f.sys, u.name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[u.name] = token
	}
	return s
}

// do sends an API request as user ("" anonymous) with a JSON body and
// header name, value pairs.
func (s *site) do(t *testing.T, user, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		r.Header.Set("Authorization", "Bearer "+s.tokens[user])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func want(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body:\n%s", w.Code, status, w.Body)
	}
}

func decode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
}

func problemFields(t *testing.T, w *httptest.ResponseRecorder) []string {
	t.Helper()
	var p web.Problem
	decode(t, w, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

const api = "/api/v1/missions/MINUSCA"

func TestHTTPUnits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		body := `{"name":"RWABATT-1","type":"infantry_battalion","country":"RWA","size":750,"base":{"name":"Bria","kind":"cob","location":{"lon":21.98,"lat":6.54}},"arrival":"2025-01-10","rotation_due":"2026-01-10"}`
		w := s.do(t, "pablo", "POST", api+"/units", body)
		want(t, w, http.StatusCreated)
		var u forces.Unit
		decode(t, w, &u)
		if w.Header().Get("ETag") != `"v1"` || u.Status != forces.StatusPledged {
			t.Errorf("created %+v etag %s", u, w.Header().Get("ETag"))
		}
		w = s.do(t, "pablo", "POST", api+"/units", `{"name":"","type":"tanks","country":"XX","size":0}`)
		want(t, w, http.StatusBadRequest)
		if got := problemFields(t, w); !slices.Equal(got, []string{"name", "type", "country", "size"}) {
			t.Errorf("fields %v", got)
		}
		want(t, s.do(t, "vera", "POST", api+"/units", body), http.StatusForbidden)
		want(t, s.do(t, "otto", "POST", api+"/units", body), http.StatusNotFound)
		want(t, s.do(t, "", "GET", api+"/units", ""), http.StatusUnauthorized)
		want(t, s.do(t, "otto", "GET", api+"/units/"+u.ID, ""), http.StatusNotFound)
		want(t, s.do(t, "vera", "GET", api+"/units/"+u.ID, ""), http.StatusOK)

		want(t, s.do(t, "pablo", "PATCH", api+"/units/"+u.ID, `{"status":"deploying"}`), http.StatusPreconditionRequired)
		want(t, s.do(t, "pablo", "PATCH", api+"/units/"+u.ID, `{"status":"deploying"}`, "If-Match", `"v1"`), http.StatusOK)
		want(t, s.do(t, "pablo", "PATCH", api+"/units/"+u.ID, `{"status":"deploying"}`, "If-Match", `"v1"`), http.StatusPreconditionFailed)
		w = s.do(t, "pablo", "PATCH", api+"/units/"+u.ID, `{"status":"deployed"}`, "If-Match", `"v2"`)
		want(t, w, http.StatusConflict)
		if got := problemFields(t, w); !slices.Equal(got, []string{"status"}) {
			t.Errorf("gate fields %v", got)
		}
		want(t, s.do(t, "pablo", "POST", api+"/units/"+u.ID+"/waivers", `{"reason":"training delivered on arrival","courses":["core_pre_deployment"]}`), http.StatusForbidden)
		w = s.do(t, "boss", "POST", api+"/units/"+u.ID+"/waivers", `{"reason":"training delivered on arrival by the mission","courses":["core_pre_deployment","psea","poc","human_rights","gender_protection","child_protection","first_aid_casevac"]}`)
		want(t, w, http.StatusCreated)
		want(t, s.do(t, "pablo", "PATCH", api+"/units/"+u.ID, `{"status":"deployed"}`, "If-Match", `"v2"`), http.StatusOK)

		var list web.List[forces.Unit]
		decode(t, s.do(t, "vera", "GET", api+"/units?status=deployed", ""), &list)
		if len(list.Items) != 1 {
			t.Errorf("deployed units %+v", list.Items)
		}
		var rots web.List[forces.Rotation]
		decode(t, s.do(t, "vera", "GET", api+"/rotations?on=2025-12-01&days=90", ""), &rots)
		if len(rots.Items) != 1 || rots.Items[0].State != "none" {
			t.Errorf("rotations %+v", rots.Items)
		}
		want(t, s.do(t, "vera", "GET", api+"/rotations?days=many", ""), http.StatusBadRequest)
	})
}

func TestHTTPStrengthAndNames(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		returns := `{"returns":[{"month":"2024-05","country":"RWA","category":"troops","sex":"male","personnel":1900},` +
			`{"month":"2024-05","country":"RWA","category":"troops","sex":"female","personnel":100}]}`
		want(t, s.do(t, "pablo", "POST", api+"/strength", returns), http.StatusCreated)
		want(t, s.do(t, "pablo", "POST", api+"/ceilings", `{"category":"military","effective":"2024-01-01","ceiling":14400}`), http.StatusCreated)
		w := s.do(t, "pablo", "POST", api+"/ceilings", `{"category":"navy","ceiling":-1}`)
		want(t, w, http.StatusBadRequest)
		if got := problemFields(t, w); !slices.Equal(got, []string{"category", "effective", "ceiling"}) {
			t.Errorf("ceiling fields %v", got)
		}
		var points web.List[forces.StrengthPoint]
		decode(t, s.do(t, "vera", "GET", api+"/strength?from=2024-01", ""), &points)
		if len(points.Items) != 1 || points.Items[0].Deployed["military"] != 2000 || points.Items[0].Ceilings["military"] != 14400 {
			t.Errorf("strength %+v", points.Items)
		}
		want(t, s.do(t, "vera", "GET", api+"/strength?from=May", ""), http.StatusBadRequest)
		want(t, s.do(t, "otto", "GET", api+"/strength", ""), http.StatusNotFound)
		var contrib struct {
			Month forces.Month          `json:"month"`
			Items []forces.Contribution `json:"items"`
		}
		decode(t, s.do(t, "vera", "GET", api+"/contributions", ""), &contrib)
		if contrib.Month != "2024-05" || len(contrib.Items) != 1 || contrib.Items[0].Women != 100 || contrib.Items[0].Name != "Rwanda" {
			t.Errorf("contributions %+v", contrib)
		}
		w = s.do(t, "vera", "GET", api+"/strength?format=csv", "")
		want(t, w, http.StatusOK)
		if got := w.Body.String(); !strings.HasPrefix(got, "month,total,women,troops,") || !strings.Contains(got, "\n2024-05,2000,100,2000,") || !strings.Contains(got, ",2000,14400,") {
			t.Errorf("strength CSV:\n%s", got)
		}
		w = s.do(t, "vera", "GET", api+"/contributions", "", "Accept", "text/csv")
		want(t, w, http.StatusOK)
		if got := w.Body.String(); !strings.Contains(got, "2024-05,RWA,Rwanda,2000,100,0,2000,") {
			t.Errorf("contributions CSV:\n%s", got)
		}
		want(t, s.do(t, "vera", "GET", api+"/contributions?format=xml", ""), http.StatusBadRequest)
		var parity web.List[forces.ParityPoint]
		decode(t, s.do(t, "vera", "GET", api+"/gender-parity", ""), &parity)
		if len(parity.Items) != 1 || parity.Items[0].ShareBP != 500 || parity.Items[0].TargetBP != 1100 {
			t.Errorf("parity %+v", parity.Items)
		}
		want(t, s.do(t, "pablo", "POST", api+"/gender-targets", `{"year":2024,"category":"military","target_bp":450}`), http.StatusCreated)
		var targets web.List[forces.GenderTarget]
		decode(t, s.do(t, "vera", "GET", api+"/gender-targets?year=2024", ""), &targets)
		if targets.Items[0].BP != 450 {
			t.Errorf("targets %+v", targets.Items)
		}

		var u forces.Unit
		decode(t, s.do(t, "pablo", "POST", api+"/units", `{"name":"ZAMBATT","type":"infantry_battalion","country":"ZMB","size":700}`), &u)
		named := `{"unit_id":"` + u.ID + `","course":"psea","person":"Lt. Grace Banda","completed":"2025-03-01","certificate":"C-9"}`
		want(t, s.do(t, "vera", "POST", api+"/training/completions", named), http.StatusForbidden)
		want(t, s.do(t, "pablo", "POST", api+"/training/completions", named), http.StatusCreated)
		for _, tt := range []struct {
			user  string
			names bool
		}{{"pablo", true}, {"boss", true}, {"vera", false}} {
			w := s.do(t, tt.user, "GET", api+"/training/completions?unit="+u.ID, "")
			want(t, w, http.StatusOK)
			if got := strings.Contains(w.Body.String(), "Grace Banda"); got != tt.names {
				t.Errorf("%s sees the name: %v, want %v", tt.user, got, tt.names)
			}
		}
		want(t, s.do(t, "otto", "GET", api+"/training/completions", ""), http.StatusNotFound)
		var reqs web.List[forces.Requirement]
		decode(t, s.do(t, "vera", "GET", api+"/training/requirements", ""), &reqs)
		if len(reqs.Items) == 0 || !reqs.Items[0].Default {
			t.Errorf("default requirements %+v", reqs.Items)
		}
		want(t, s.do(t, "pablo", "PUT", api+"/training/requirements", `{"requirements":[{"category":"troops","course":"psea","valid_days":365}]}`), http.StatusOK)
		w = s.do(t, "pablo", "PUT", api+"/training/requirements", `{"requirements":[{"category":"troops","course":"yoga"}]}`)
		want(t, w, http.StatusBadRequest)
		if got := problemFields(t, w); !slices.Equal(got, []string{"requirements[0].course"}) {
			t.Errorf("requirement fields %v", got)
		}
		var readiness web.List[forces.Readiness]
		decode(t, s.do(t, "vera", "GET", api+"/readiness?on=2025-04-01", ""), &readiness)
		if len(readiness.Items) != 1 || readiness.Items[0].Ready || readiness.Items[0].Courses[0].People != 1 || readiness.Items[0].Courses[0].State != "missing" {
			t.Errorf("readiness %+v", readiness.Items)
		}

		want(t, s.do(t, "pablo", "POST", api+"/fatalities", `{"incident_date":"2024-06-01","country":"EGY","personnel_type":"military","incident_type":"malicious_act"}`), http.StatusCreated)
		var counts web.List[forces.FatalityCount]
		decode(t, s.do(t, "vera", "GET", api+"/fatalities/stats", ""), &counts)
		if len(counts.Items) != 1 || counts.Items[0].Year != 2024 || counts.Items[0].Fatalities != 1 {
			t.Errorf("fatality counts %+v", counts.Items)
		}
		var fats web.List[forces.Fatality]
		decode(t, s.do(t, "vera", "GET", api+"/fatalities", ""), &fats)
		if len(fats.Items) != 1 {
			t.Errorf("fatalities %+v", fats.Items)
		}
	})
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	srv := web.NewServer(web.Config{DB: storetest.Open(t, store.SQLite)})
	forces.NewService(nil, nil).Routes(srv.Router())
	if missing := srv.Router().Undocumented(); len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document: %v", missing)
	}
}

// browser is a signed-in user agent with cookies and the CSRF token.
type browser struct {
	s       *site
	cookies []*http.Cookie
	csrf    string
}

func (s *site) login(t *testing.T, user string) *browser {
	t.Helper()
	w := s.do(t, "", "POST", "/api/v1/session", `{"username":"`+user+`","password":"correct horse battery"}`)
	want(t, w, http.StatusOK)
	var sess web.Session
	decode(t, w, &sess)
	return &browser{s: s, cookies: w.Result().Cookies(), csrf: sess.CSRFToken}
}

func (b *browser) do(method, target string, form url.Values) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		form.Set(web.CSRFField, b.csrf)
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.s.h.ServeHTTP(w, r)
	return w
}

func TestPages(t *testing.T) {
	s := newSite(t, storetest.Open(t, store.SQLite))
	if err := s.svc.RecordReturns(s.sys, "MINUSCA", []forces.Return{{Month: "2024-05", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexFemale, Personnel: 99}}); err != nil {
		t.Fatal(err)
	}
	pablo, vera, otto := s.login(t, "pablo"), s.login(t, "vera"), s.login(t, "otto")
	w := vera.do("GET", "/missions/MINUSCA/forces", nil)
	want(t, w, http.StatusOK)
	for _, text := range []string{"data-forces-strength", "/forces/static/forces-strength.js?v=", "Rwanda", "99"} {
		if !strings.Contains(w.Body.String(), text) {
			t.Errorf("overview lacks %q", text)
		}
	}
	want(t, otto.do("GET", "/missions/MINUSCA/forces", nil), http.StatusNotFound)
	want(t, vera.do("GET", "/forces/static/forces-strength.js", nil), http.StatusOK)
	want(t, vera.do("POST", "/missions/MINUSCA/forces/units", url.Values{"name": {"x"}}), http.StatusForbidden)
	w = pablo.do("POST", "/missions/MINUSCA/forces/units", url.Values{"name": {""}, "type": {"infantry_battalion"}, "country": {"RWA"}, "size": {"lots"}})
	want(t, w, http.StatusBadRequest)
	if !strings.Contains(w.Body.String(), "is required") || !strings.Contains(w.Body.String(), "must be a whole number") {
		t.Errorf("form errors not shown:\n%s", w.Body)
	}
	w = pablo.do("POST", "/missions/MINUSCA/forces/units", url.Values{"name": {"RWABATT"}, "type": {"infantry_battalion"}, "country": {"RWA"}, "size": {"750"}, "base_name": {"Bangui"}, "base_kind": {"hq"}, "lon": {"18,55"}, "lat": {"4.36"}})
	want(t, w, http.StatusSeeOther)
	units, _, err := s.svc.FindUnits(s.sys, "MINUSCA", forces.UnitFilter{})
	if err != nil || len(units) != 1 || units[0].Base.Location.Lon != 18.55 {
		t.Fatalf("units %+v %v", units, err)
	}
	w = pablo.do("POST", "/missions/MINUSCA/forces/units/"+units[0].ID+"/status", url.Values{"status": {"deploying"}, "version": {"1"}})
	want(t, w, http.StatusSeeOther)
	want(t, vera.do("GET", "/missions/MINUSCA/forces/units", nil), http.StatusOK)
	w = vera.do("GET", "/missions/MINUSCA/forces/readiness", nil)
	want(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "RWABATT") || strings.Contains(w.Body.String(), "/waivers") {
		t.Errorf("readiness lacks the unit, or offers a viewer the waiver form")
	}
	unit := "/missions/MINUSCA/forces/units/" + units[0].ID
	want(t, vera.do("POST", unit+"/completions", url.Values{"course": {"psea"}, "completed": {"2025-01-01"}}), http.StatusForbidden)
	want(t, otto.do("POST", unit+"/completions", url.Values{"course": {"psea"}, "completed": {"2025-01-01"}}), http.StatusNotFound)
	want(t, pablo.do("POST", unit+"/completions", url.Values{"course": {"psea"}, "completed": {"2025-01-01"}, "provider": {"RDF PKTC"}}), http.StatusSeeOther)
	want(t, pablo.do("POST", unit+"/completions", url.Values{"course": {"psea"}, "completed": {"first of May"}}), http.StatusSeeOther) // refused, said in the flash
	want(t, pablo.do("POST", unit+"/waivers", url.Values{"course": {"poc"}, "reason": {"delivered in mission on arrival"}}), http.StatusForbidden)
	boss := s.login(t, "boss")
	if w := boss.do("GET", "/missions/MINUSCA/forces/readiness", nil); !strings.Contains(w.Body.String(), unit+"/waivers") {
		t.Error("the mission-admin is not offered the waiver form")
	}
	want(t, boss.do("POST", unit+"/waivers", url.Values{"course": {"poc", "core_pre_deployment"}, "reason": {"delivered in mission on arrival"}}), http.StatusSeeOther)
	comps, err := s.svc.FindCompletions(s.sys, "MINUSCA", units[0].ID)
	if err != nil || len(comps) != 1 || comps[0].Provider != "RDF PKTC" {
		t.Errorf("completions %+v %v", comps, err)
	}
	r, err := s.svc.Readiness(s.sys, "MINUSCA", date("2025-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	waived := 0
	for _, c := range r[0].Courses {
		if c.State == "waived" {
			waived++
		}
	}
	if waived != 2 {
		t.Errorf("%d courses waived, want 2: %+v", waived, r[0].Courses)
	}
}

func TestPagesTranslated(t *testing.T) {
	if missing := forces.Pages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("templates/fr.json lacks %q", missing)
	}
}
