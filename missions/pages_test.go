package missions_test

import (
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// site is the real server (router, authentication, CSRF) with the
// missions routes, over a fixture's services.
type site struct {
	*fixture
	handler http.Handler
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	f := newFixture(t, db)
	srv := web.NewServer(web.Config{DB: db, Auth: f.access, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.missions.Routes(srv.Router())
	return &site{fixture: f, handler: srv.Handler()}
}

// browser is a signed-in user agent: it keeps cookies and knows the
// session's CSRF token.
type browser struct {
	t       *testing.T
	s       *site
	cookies map[string]string
	csrf    string
}

// login signs username in through the JSON API, as the e2e tests do.
func (s *site) login(t *testing.T, username string) *browser {
	t.Helper()
	b := &browser{t: t, s: s, cookies: map[string]string{}}
	body := `{"username":"` + username + `","password":"correct horse battery"}`
	r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := b.do(r)
	if w.Code != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, w.Code, w.Body)
	}
	var sess web.Session
	if err := json.Unmarshal(w.Body.Bytes(), &sess); err != nil || sess.CSRFToken == "" {
		t.Fatalf("login %s: %v %s", username, err, w.Body)
	}
	b.csrf = sess.CSRFToken
	return b
}

// anonymous is a browser that has not signed in.
func (s *site) anonymous(t *testing.T) *browser {
	return &browser{t: t, s: s, cookies: map[string]string{}}
}

func (b *browser) do(r *http.Request) *httptest.ResponseRecorder {
	b.t.Helper()
	for name, value := range b.cookies {
		r.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	w := httptest.NewRecorder()
	b.s.handler.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return w
}

func (b *browser) get(target string) *httptest.ResponseRecorder {
	b.t.Helper()
	return b.do(httptest.NewRequest("GET", target, nil))
}

// post submits a form with the session's CSRF token.
func (b *browser) post(target string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	form.Set(web.CSRFField, b.csrf)
	return b.postRaw(target, form)
}

// postRaw submits form as it is.
func (b *browser) postRaw(target string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	r := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r)
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body:\n%s", w.Code, status, w.Body)
	}
}

func wantRedirect(t *testing.T, w *httptest.ResponseRecorder, location string) {
	t.Helper()
	wantStatus(t, w, http.StatusSeeOther)
	if got := w.Header().Get("Location"); got != location {
		t.Fatalf("Location = %q, want %q", got, location)
	}
}

func wantBody(t *testing.T, w *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	body := w.Body.String()
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func wantNoBody(t *testing.T, w *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	body := w.Body.String()
	for _, s := range texts {
		if strings.Contains(body, s) {
			t.Errorf("page has %q", s)
		}
	}
}

// seed creates the users admin (global administrator), boss (mission-admin
// of MINUSCA), vera (viewer of MINUSCA), carol (no mission) and newbie (no
// mission), and the missions MINUSCA, MONUSCO and UNMISS.
func (s *site) seed(t *testing.T) {
	t.Helper()
	s.user(t, "admin", true)
	for _, u := range []string{"boss", "vera", "carol", "newbie"} {
		s.user(t, u, false)
	}
	admin := s.as(t, "admin")
	for _, m := range []*missions.Mission{
		minusca(),
		{Code: "MONUSCO", Name: "United Nations Organization Stabilization Mission in the Democratic Republic of the Congo",
			HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}},
		{Code: "UNMISS", Name: "United Nations Mission in the Republic of South Sudan",
			HostCountry: "SSD", StartDate: peaceops.Date{Year: 2011, Month: 7, Day: 9}},
	} {
		if err := s.missions.CreateMission(admin, m); err != nil {
			t.Fatal(err)
		}
	}
	s.member(t, "boss", peaceops.RoleMissionAdmin)
	s.member(t, "vera", peaceops.RoleViewer)
}

func (s *site) member(t *testing.T, username string, role peaceops.Role) {
	t.Helper()
	if err := s.access.AddMember(s.system, "MINUSCA", username, role); err != nil {
		t.Fatal(err)
	}
}

func (s *site) hasRole(t *testing.T, username string, role peaceops.Role) bool {
	t.Helper()
	members, err := s.access.FindMembers(s.system, "MINUSCA")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.Username == username {
			return slices.Contains(m.Roles, role)
		}
	}
	return false
}

// nextLink returns the target of the page's rel="next" link, "" if none.
func nextLink(body string) string {
	m := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestMissionListPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed(t)
		admin, vera := s.login(t, "admin"), s.login(t, "vera")

		t.Run("OnlyVisibleMissions", func(t *testing.T) {
			w := vera.get("/missions")
			wantStatus(t, w, 200)
			wantBody(t, w, `href="/missions/MINUSCA"`, "Central African Republic", "2014-04-10", "Active")
			wantNoBody(t, w, "UNMISS", "MONUSCO", `href="/missions/new"`)
		})
		t.Run("AdminSeesAllAndMayCreate", func(t *testing.T) {
			w := admin.get("/missions")
			wantStatus(t, w, 200)
			wantBody(t, w, "MINUSCA", "MONUSCO", "UNMISS", "South Sudan", `href="/missions/new"`)
		})
		t.Run("Search", func(t *testing.T) {
			w := admin.get("/missions?q=south+sudan")
			wantStatus(t, w, 200)
			wantBody(t, w, "UNMISS", `value="south sudan"`)
			wantNoBody(t, w, `href="/missions/MINUSCA"`)
		})
		t.Run("StatusFilter", func(t *testing.T) {
			w := admin.get("/missions?status=closed")
			wantStatus(t, w, 200)
			wantBody(t, w, "No mission matches this search.", `<option value="closed" selected>`)
		})
		t.Run("ErrBadStatus", func(t *testing.T) {
			wantStatus(t, admin.get("/missions?status=sleeping"), 400)
		})
		t.Run("Pagination", func(t *testing.T) {
			var seen []string
			target := "/missions?limit=1&q=n"
			for target != "" && len(seen) < 5 {
				w := admin.get(target)
				wantStatus(t, w, 200)
				for _, code := range []string{"MINUSCA", "MONUSCO", "UNMISS"} {
					if strings.Contains(w.Body.String(), `href="/missions/`+code+`"`) {
						seen = append(seen, code)
					}
				}
				target = nextLink(w.Body.String())
			}
			if want := []string{"MINUSCA", "MONUSCO", "UNMISS"}; !slices.Equal(seen, want) {
				t.Fatalf("pages showed %v, want %v one per page", seen, want)
			}
		})
		t.Run("AnonymousGoesToLogin", func(t *testing.T) {
			w := s.anonymous(t).get("/missions")
			wantRedirect(t, w, "/login?next=%2Fmissions")
		})
	})
}

func TestMissionOverviewPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed(t)
		boss, vera, carol := s.login(t, "boss"), s.login(t, "vera"), s.login(t, "carol")

		t.Run("OK", func(t *testing.T) {
			w := vera.get("/missions/MINUSCA")
			wantStatus(t, w, 200)
			wantBody(t, w, "Central African Republic", "Bangui", "4.3612", "18.5582", "2014-04-10",
				`href="/missions/MINUSCA/members">2</a>`, "badge-internal")
			wantNoBody(t, w, `href="/missions/MINUSCA/edit"`)
		})
		t.Run("MissionAdminMayEdit", func(t *testing.T) {
			wantBody(t, boss.get("/missions/MINUSCA"), `href="/missions/MINUSCA/edit"`)
		})
		t.Run("ErrNotVisible", func(t *testing.T) {
			wantStatus(t, carol.get("/missions/MINUSCA"), 404)
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			wantStatus(t, boss.get("/missions/NOPE"), 404)
		})
	})
}

// missionForm is a complete, valid create form for UNAMA.
func missionForm() url.Values {
	return url.Values{
		"code": {"UNAMA"}, "name": {"United Nations Assistance Mission in Afghanistan"},
		"host_country": {"AFG"}, "start_date": {"2002-03-28"}, "end_date": {""},
		"hq_name": {"Kabul"}, "hq_lon": {"69.1723"}, "hq_lat": {"34.5281"},
		"status": {"active"}, "classification": {"confidential"},
	}
}

func TestMissionCreatePage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed(t)
		admin, boss := s.login(t, "admin"), s.login(t, "boss")

		t.Run("Form", func(t *testing.T) {
			w := admin.get("/missions/new")
			wantStatus(t, w, 200)
			wantBody(t, w, `name="csrf_token" value="`+admin.csrf+`"`, `<option value="CAF">Central African Republic</option>`,
				`<option value="active" selected>`, `<option value="internal" selected>`)
		})
		t.Run("OK", func(t *testing.T) {
			w := admin.post("/missions", missionForm())
			wantRedirect(t, w, "/missions/UNAMA")
			m, err := s.missions.FindMissionByCode(s.as(t, "admin"), "UNAMA")
			if err != nil {
				t.Fatal(err)
			}
			if m.HostCountry != "AFG" || m.StartDate.String() != "2002-03-28" || m.Classification != peaceops.Confidential ||
				m.HQ == nil || m.HQ.Name != "Kabul" || m.HQ.Location == nil || m.HQ.Location.Lat != 34.5281 {
				t.Fatalf("created %+v (hq %+v)", m, m.HQ)
			}
			w = admin.get("/missions/UNAMA")
			wantStatus(t, w, 200)
			wantBody(t, w, "Mission UNAMA created.", "Afghanistan", "Kabul")
		})
		t.Run("ErrNoCSRFToken", func(t *testing.T) {
			form := missionForm()
			form.Set("code", "UNFICYP")
			wantStatus(t, admin.postRaw("/missions", form), 403)
			if _, err := s.missions.FindMissionByCode(s.as(t, "admin"), "UNFICYP"); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Fatalf("mission created without a CSRF token: %v", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			form := missionForm()
			form.Set("code", "UNFICYP")
			form.Set("name", " ")
			form.Set("start_date", "2014-13-40")
			form.Set("hq_lat", "95")
			form.Set("hq_lon", "33,3823")
			w := admin.post("/missions", form)
			wantStatus(t, w, 400)
			wantBody(t, w, `<p class="error" id="name-error">is required</p>`,
				`<p class="error" id="start_date-error">must be a date of the form YYYY-MM-DD</p>`,
				`<p class="error" id="hq_lat-error">must be between -90 and 90</p>`,
				`value="UNFICYP"`, `value="2014-13-40"`, `value="33,3823"`, `<option value="AFG" selected>`)
			wantNoBody(t, w, "hq_lon-error")
		})
		t.Run("ErrEndBeforeStart", func(t *testing.T) {
			form := missionForm()
			form.Set("code", "UNFICYP")
			form.Set("end_date", "2001-01-01")
			w := admin.post("/missions", form)
			wantStatus(t, w, 400)
			wantBody(t, w, `id="end_date-error">must not be before start_date</p>`)
		})
		t.Run("ErrCodeTaken", func(t *testing.T) {
			form := missionForm()
			form.Set("code", "MINUSCA")
			w := admin.post("/missions", form)
			wantStatus(t, w, 409)
			wantBody(t, w, `id="code-error">is already taken</p>`)
		})
		t.Run("ErrNotAdmin", func(t *testing.T) {
			wantStatus(t, boss.get("/missions/new"), 403)
			form := missionForm()
			form.Set("code", "UNMIK")
			wantStatus(t, boss.post("/missions", form), 403)
		})
	})
}

// editForm is MINUSCA's edit form as loaded at version.
func editForm(version string) url.Values {
	return url.Values{
		"version": {version}, "name": {"MINUSCA, renamed"},
		"host_country": {"CAF"}, "start_date": {"2014-04-10"}, "end_date": {""},
		"hq_name": {"Bangui"}, "hq_lon": {"18.5582"}, "hq_lat": {"4.3612"},
		"status": {"drawdown"}, "classification": {"internal"},
	}
}

func TestMissionEditPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed(t)
		boss, vera, carol := s.login(t, "boss"), s.login(t, "vera"), s.login(t, "carol")

		t.Run("Form", func(t *testing.T) {
			w := boss.get("/missions/MINUSCA/edit")
			wantStatus(t, w, 200)
			wantBody(t, w, `name="version" value="1"`, `value="Bangui"`, `value="4.3612"`, `<option value="CAF" selected>`)
		})
		t.Run("OK", func(t *testing.T) {
			w := boss.post("/missions/MINUSCA/edit", editForm("1"))
			wantRedirect(t, w, "/missions/MINUSCA")
			m, err := s.missions.FindMissionByCode(s.system, "MINUSCA")
			if err != nil {
				t.Fatal(err)
			}
			if m.Version != 2 || m.Name != "MINUSCA, renamed" || m.Status != missions.StatusDrawdown {
				t.Fatalf("after edit: %+v", m)
			}
			wantBody(t, boss.get("/missions/MINUSCA"), "Mission MINUSCA saved.", "Drawdown")
		})
		t.Run("ErrStaleVersion", func(t *testing.T) {
			form := editForm("1")
			form.Set("name", "My lost edit")
			w := boss.post("/missions/MINUSCA/edit", form)
			wantStatus(t, w, 412)
			wantBody(t, w, "Someone else changed this mission", `value="My lost edit"`, `href="/missions/MINUSCA/edit"`)
			if m, _ := s.missions.FindMissionByCode(s.system, "MINUSCA"); m.Name == "My lost edit" {
				t.Fatal("a stale form overwrote the mission")
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			form := editForm("2")
			form.Set("host_country", "XYZ")
			form.Set("hq_lat", "")
			w := boss.post("/missions/MINUSCA/edit", form)
			wantStatus(t, w, 400)
			wantBody(t, w, `id="host_country-error">must be an ISO 3166-1 alpha-3 country code`,
				`id="hq_location-error">give both longitude and latitude, or neither</p>`)
		})
		t.Run("ClearHeadquarters", func(t *testing.T) {
			form := editForm("2")
			form.Set("hq_name", "")
			form.Set("hq_lon", "")
			form.Set("hq_lat", "")
			wantRedirect(t, boss.post("/missions/MINUSCA/edit", form), "/missions/MINUSCA")
			if m, _ := s.missions.FindMissionByCode(s.system, "MINUSCA"); m.HQ != nil {
				t.Fatalf("HQ = %+v, want none", m.HQ)
			}
		})
		t.Run("ErrViewer", func(t *testing.T) {
			wantStatus(t, vera.get("/missions/MINUSCA/edit"), 403)
			wantStatus(t, vera.post("/missions/MINUSCA/edit", editForm("3")), 403)
		})
		t.Run("ErrNotMember", func(t *testing.T) {
			wantStatus(t, carol.get("/missions/MINUSCA/edit"), 404)
			wantStatus(t, carol.post("/missions/MINUSCA/edit", editForm("3")), 404)
		})
	})
}

func TestMembersPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed(t)
		boss, vera, carol := s.login(t, "boss"), s.login(t, "vera"), s.login(t, "carol")
		addForm := `action="/missions/MINUSCA/members"`
		removeForm := `action="/missions/MINUSCA/members/remove"`

		t.Run("MissionAdminSeesForms", func(t *testing.T) {
			w := boss.get("/missions/MINUSCA/members")
			wantStatus(t, w, 200)
			wantBody(t, w, "boss", "vera", "Mission administrator", "Viewer", addForm, removeForm,
				`<option value="logistics-officer">Logistics officer</option>`)
		})
		t.Run("Add", func(t *testing.T) {
			w := boss.post("/missions/MINUSCA/members", url.Values{"username": {"newbie"}, "role": {"analyst"}})
			wantRedirect(t, w, "/missions/MINUSCA/members")
			if !s.hasRole(t, "newbie", peaceops.RoleAnalyst) {
				t.Fatal("newbie is not an analyst of MINUSCA")
			}
			wantBody(t, boss.get("/missions/MINUSCA/members"), "newbie added as analyst.", "newbie")
		})
		t.Run("ErrUnknownUser", func(t *testing.T) {
			w := boss.post("/missions/MINUSCA/members", url.Values{"username": {"ghost"}, "role": {"analyst"}})
			wantStatus(t, w, 400)
			wantBody(t, w, `id="username-error">no user has this username</p>`, `value="ghost"`, `<option value="analyst" selected>`)
		})
		t.Run("ErrBadRole", func(t *testing.T) {
			w := boss.post("/missions/MINUSCA/members", url.Values{"username": {""}, "role": {"king"}})
			wantStatus(t, w, 400)
			wantBody(t, w, `id="username-error">is required</p>`, `id="role-error">must be a mission role`)
		})
		t.Run("Remove", func(t *testing.T) {
			w := boss.post("/missions/MINUSCA/members/remove", url.Values{"username": {"newbie"}, "role": {"analyst"}})
			wantRedirect(t, w, "/missions/MINUSCA/members")
			if s.hasRole(t, "newbie", peaceops.RoleAnalyst) {
				t.Fatal("newbie is still an analyst of MINUSCA")
			}
			wantBody(t, boss.get("/missions/MINUSCA/members"), "newbie no longer holds the role analyst.")
		})
		t.Run("ErrNoCSRFToken", func(t *testing.T) {
			w := boss.postRaw("/missions/MINUSCA/members", url.Values{"username": {"newbie"}, "role": {"analyst"}})
			wantStatus(t, w, 403)
			if s.hasRole(t, "newbie", peaceops.RoleAnalyst) {
				t.Fatal("member added without a CSRF token")
			}
		})
		t.Run("ViewerSeesNoForms", func(t *testing.T) {
			w := vera.get("/missions/MINUSCA/members")
			wantStatus(t, w, 200)
			wantBody(t, w, "boss", "Mission administrator")
			wantNoBody(t, w, addForm, removeForm)
		})
		t.Run("ErrViewerPosts", func(t *testing.T) {
			wantStatus(t, vera.post("/missions/MINUSCA/members", url.Values{"username": {"newbie"}, "role": {"analyst"}}), 403)
			wantStatus(t, vera.post("/missions/MINUSCA/members/remove", url.Values{"username": {"boss"}, "role": {"mission-admin"}}), 403)
			if !s.hasRole(t, "boss", peaceops.RoleMissionAdmin) || s.hasRole(t, "newbie", peaceops.RoleAnalyst) {
				t.Fatal("a viewer changed the members")
			}
		})
		t.Run("ErrNotMember", func(t *testing.T) {
			wantStatus(t, carol.get("/missions/MINUSCA/members"), 404)
			wantStatus(t, carol.post("/missions/MINUSCA/members", url.Values{"username": {"carol"}, "role": {"mission-admin"}}), 404)
		})
	})
}

func TestMissionPagesFrench(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed(t)
		admin := s.login(t, "admin")
		for _, tc := range []struct {
			target string
			texts  []string
		}{
			{"/missions?lang=fr", []string{`lang="fr"`, "Pays hôte", "Date de début", "Nouvelle mission", "Active"}},
			{"/missions/new?lang=fr", []string{"Créer la mission", "Choisissez un pays", "Quartier général", "Confidentiel"}},
			{"/missions/MINUSCA?lang=fr", []string{"Vue d&#39;ensemble", "Position du quartier général", "Modifier"}},
			{"/missions/MINUSCA/members?lang=fr", []string{"Membres de MINUSCA", "Administrateur de mission", "Ajouter un membre"}},
		} {
			w := admin.get(tc.target)
			wantStatus(t, w, 200)
			wantBody(t, w, tc.texts...)
		}
		w := admin.post("/missions?lang=fr", url.Values{"code": {"x"}})
		wantStatus(t, w, 400)
		wantBody(t, w, "champ obligatoire", "La mission n&#39;a pas été enregistrée.")
	})
}

func TestPagesTranslated(t *testing.T) {
	if missing := missions.Pages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("templates/fr.json lacks %q", missing)
	}
}
