package events_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// pageSite is the real server (router, sessions, CSRF) with the events
// API and pages and the geo routes, over a fixture, with the users ana
// (analyst of MINUSCA), boss (mission-admin of MINUSCA), vera (viewer of
// MINUSCA) and otto (mission-admin of MONUSCO).
type pageSite struct {
	*fixture
	access  *access.Service
	handler http.Handler
}

func newPageSite(t *testing.T, db *store.DB) *pageSite {
	t.Helper()
	f := newFixture(t, db)
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	r := srv.Router()
	f.events.Routes(r)
	f.events.PageRoutes(r)
	f.areas.Routes(r)
	s := &pageSite{fixture: f, access: acc, handler: srv.Handler()}
	for _, m := range []struct {
		user, mission string
		role          peaceops.Role
	}{
		{"ana", "MINUSCA", peaceops.RoleAnalyst}, {"boss", "MINUSCA", peaceops.RoleMissionAdmin},
		{"vera", "MINUSCA", peaceops.RoleViewer}, {"otto", "MONUSCO", peaceops.RoleMissionAdmin},
	} {
		if _, err := acc.CreateUser(f.system, access.UserCreate{Username: m.user, Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		if err := acc.AddMember(f.system, m.mission, m.user, m.role); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// pageUser is a signed-in browser: it keeps cookies and knows the
// session's CSRF token.
type pageUser struct {
	t       *testing.T
	s       *pageSite
	cookies map[string]string
	csrf    string
}

// login signs username in through the JSON API, as the e2e tests do.
func (s *pageSite) login(t *testing.T, username string) *pageUser {
	t.Helper()
	u := &pageUser{t: t, s: s, cookies: map[string]string{}}
	r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"username":"`+username+`","password":"correct horse battery"}`))
	r.Header.Set("Content-Type", "application/json")
	w := u.do(r)
	var sess web.Session
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &sess) != nil || sess.CSRFToken == "" {
		t.Fatalf("login %s: %d %s", username, w.Code, w.Body)
	}
	u.csrf = sess.CSRFToken
	return u
}

func (u *pageUser) do(r *http.Request) *httptest.ResponseRecorder {
	u.t.Helper()
	for name, value := range u.cookies {
		r.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	w := httptest.NewRecorder()
	u.s.handler.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(u.cookies, c.Name)
		} else {
			u.cookies[c.Name] = c.Value
		}
	}
	return w
}

func (u *pageUser) get(target string) *httptest.ResponseRecorder {
	u.t.Helper()
	return u.do(httptest.NewRequest("GET", target, nil))
}

// post submits a form with the session's CSRF token.
func (u *pageUser) post(target string, form url.Values) *httptest.ResponseRecorder {
	u.t.Helper()
	form.Set(web.CSRFField, u.csrf)
	r := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.do(r)
}

func pageStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body:\n%s", w.Code, status, w.Body)
	}
}

func pageHas(t *testing.T, w *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	body := html.UnescapeString(w.Body.String())
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func pageLacks(t *testing.T, w *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	body := html.UnescapeString(w.Body.String())
	for _, s := range texts {
		if strings.Contains(body, s) {
			t.Errorf("page has %q", s)
		}
	}
}

// seedPageEvents records three events of MINUSCA (a clash in Bambari with
// a data-quality flag, a protest in Bangui, a confidential attack) and one
// of MONUSCO, and returns the clash.
func (s *pageSite) seedPageEvents(t *testing.T) *events.Event {
	t.Helper()
	importAreas(t, s.fixture)
	c := create(t, boss, s.fixture, clash("Clash at the Bambari market", func(e *events.Event) {
		e.Fatalities = events.Count{Low: 3, Best: 5, High: 9}
		e.Flags = []string{events.FlagDeathsSumMismatch}
		e.Sources[0].Reliability, e.Sources[0].Credibility = "B", 2
	}))
	create(t, boss, s.fixture, clash("Demonstration in front of the town hall", func(e *events.Event) {
		e.Type, e.PlaceName, e.Actors = events.PeacefulProtest, "Bangui", nil
		e.Location.Lon, e.Location.Lat = 18.5582, 4.3612
		e.Start, e.End = day(2023, 6, 2), day(2023, 6, 2)
		e.Fatalities, e.CivilianFatalities = events.Count{}, events.Count{}
	}))
	create(t, boss, s.fixture, clash("Confidential attack", func(e *events.Event) {
		e.Classification = peaceops.Confidential
	}))
	create(t, otto, s.fixture, clash("MONUSCO event", func(e *events.Event) {
		e.Mission, e.PlaceName, e.Country = "MONUSCO", "Beni", "COD"
		e.Location.Lon, e.Location.Lat = 29.47, 0.49
	}))
	return c
}

func TestPagesTranslated(t *testing.T) {
	if missing := events.NewPages().Untranslated("fr"); len(missing) > 0 {
		t.Fatalf("events/templates/fr.json lacks %d texts:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

func TestMapAndListPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newPageSite(t, db)
		c := s.seedPageEvents(t)
		ana, vera, otto := s.login(t, "ana"), s.login(t, "vera"), s.login(t, "otto")

		t.Run("MapOK", func(t *testing.T) {
			w := ana.get("/missions/MINUSCA/map")
			pageStatus(t, w, 200)
			pageHas(t, w, "Map of events", `data-events-map`, `data-api="/api/v1/missions/MINUSCA"`, "vendor/leaflet/leaflet.js",
				"events-map.js", `id="event-filters"`, `action="/missions/MINUSCA/map"`, "Clash at the Bambari market",
				"Confidential attack", "Ouaka", "Armed clash", "Prefectures (admin 1)", `value="battles.armed_clash"`,
				"/api/v1/missions/MINUSCA/events?format=csv", "/missions/MINUSCA/events/new", `aria-current="page"`)
			pageLacks(t, w, "MONUSCO event", "style=")
		})
		t.Run("ViewerMayNotRecord", func(t *testing.T) {
			w := vera.get("/missions/MINUSCA/map")
			pageStatus(t, w, 200)
			pageHas(t, w, "Clash at the Bambari market")
			pageLacks(t, w, "Confidential attack", "/events/new")
		})
		t.Run("OtherMissionNotFound", func(t *testing.T) {
			for _, p := range []string{"/missions/MINUSCA/map", "/missions/MINUSCA/events", "/missions/MINUSCA/dashboard",
				"/missions/MINUSCA/events/new", "/missions/MINUSCA/events/" + string(c.ID)} {
				pageStatus(t, otto.get(p), 404)
			}
		})
		t.Run("ListFilters", func(t *testing.T) {
			w := ana.get("/missions/MINUSCA/events?type=protests&from=2023-06-01")
			pageStatus(t, w, 200)
			pageHas(t, w, "Demonstration in front of the town hall", `value="protests" checked`, `value="2023-06-01"`,
				"/api/v1/missions/MINUSCA/events?format=geojson&from=2023-06-01&type=protests",
				"/api/v1/missions/MINUSCA/events?format=hxl&from=2023-06-01&type=protests")
			pageLacks(t, w, "Clash at the Bambari market")

			w = ana.get("/missions/MINUSCA/events?min_fatalities=4")
			pageHas(t, w, "Clash at the Bambari market", "(3–9)", "⚑ 1")
			pageLacks(t, w, "Demonstration in front of the town hall")
		})
		t.Run("ListPages", func(t *testing.T) {
			seen := map[string]bool{}
			target := "/missions/MINUSCA/events?limit=1"
			for i := 0; target != "" && i < 5; i++ {
				w := ana.get(target)
				pageStatus(t, w, 200)
				for _, title := range []string{"Clash at the Bambari market", "Demonstration in front of the town hall", "Confidential attack"} {
					if strings.Contains(w.Body.String(), title) {
						seen[title] = true
					}
				}
				target = nextPage(w.Body.String())
			}
			if len(seen) != 3 {
				t.Fatalf("pages showed %v, want the 3 events one per page", seen)
			}
		})
		t.Run("ErrBadFilter", func(t *testing.T) {
			w := ana.get("/missions/MINUSCA/events?from=yesterday&type=nonsense")
			pageStatus(t, w, 400)
			pageHas(t, w, "must be an RFC 3339 date-time or a day YYYY-MM-DD", `value="yesterday"`, `aria-invalid="true"`)
		})
		t.Run("MapListFragment", func(t *testing.T) {
			r := httptest.NewRequest("GET", "/missions/MINUSCA/map?status=reported", nil)
			r.Header.Set("HX-Request", "true")
			w := ana.do(r)
			pageStatus(t, w, 200)
			pageHas(t, w, "Clash at the Bambari market")
			pageLacks(t, w, "<html", `id="event-filters"`)
		})
		t.Run("French", func(t *testing.T) {
			w := ana.get("/missions/MINUSCA/map?lang=fr")
			pageStatus(t, w, 200)
			pageHas(t, w, "Carte des événements", "Affrontement armé", "Batailles", "Préfectures (admin 1)", "Signalé", ">Carte<")
		})
	})
}

// nextPage returns the target of the page's rel="next" link, "" if none.
func nextPage(body string) string {
	m := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestEventDetailPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newPageSite(t, db)
		c := s.seedPageEvents(t)
		ana, vera, boss := s.login(t, "ana"), s.login(t, "vera"), s.login(t, "boss")
		page := "/missions/MINUSCA/events/" + string(c.ID)

		t.Run("AnalystOK", func(t *testing.T) {
			w := ana.get(page)
			pageStatus(t, w, 200)
			pageHas(t, w, "Clash at the Bambari market", "Armed clash", "Bambari", "Ouaka", "Unité pour la Paix en Centrafrique (UPC)",
				"Side A", "Patrol Alpha", "B2", "Deaths do not add up", "(3–9)", "data-mini-map", `data-lat="5.7618"`,
				page+"/edit", page+"/verify", page+"/merge", "Not assessed yet.")
			pageLacks(t, w, page+"/delete")
		})
		t.Run("MissionAdminMayDelete", func(t *testing.T) {
			pageHas(t, boss.get(page), page+"/delete")
		})
		t.Run("ViewerReadsOnly", func(t *testing.T) {
			w := vera.get(page)
			pageStatus(t, w, 200)
			pageLacks(t, w, page+"/edit", page+"/verify", page+"/merge", page+"/delete")
			pageStatus(t, vera.get(page+"/edit"), 403)
			for _, action := range []string{"/edit", "/verify", "/delete", "/merge"} {
				w := vera.post(page+action, url.Values{"version": {"1"}, "status": {"verified"}, "reason": {"x"}, "ids": {string(c.ID)}})
				if w.Code != 403 {
					t.Errorf("viewer POST %s: status %d, want 403", action, w.Code)
				}
			}
		})
		t.Run("Popup", func(t *testing.T) {
			w := ana.get(page + "?part=popup")
			pageStatus(t, w, 200)
			pageHas(t, w, "Clash at the Bambari market", `href="`+page+`"`)
			pageLacks(t, w, "<html")
		})
		t.Run("NotFound", func(t *testing.T) {
			pageStatus(t, ana.get("/missions/MINUSCA/events/"+string(peaceops.NewID())), 404)
		})
		t.Run("French", func(t *testing.T) {
			w := ana.get(page + "?lang=fr")
			pageHas(t, w, "Affrontement armé", "Partie A", "Rapport de patrouille", "Le total des morts ne concorde pas")
		})
	})
}

// recordForm is a filled record form.
func recordForm(key string) url.Values {
	return url.Values{
		"idempotency_key": {key}, "type": {"mission.attack_on_peacekeepers"}, "title": {""},
		"start": {"2024-03-05T06:30"}, "end": {""}, "date_precision": {"exact"},
		"lat": {"6,5423"}, "lon": {"21.9869"}, "location_precision": {"near"}, "place_name": {"Bria"},
		"actor_name": {"Armed group X", ""}, "actor_role": {"perpetrator", "target"},
		"fatalities_best": {"2"}, "fatalities_low": {""}, "fatalities_high": {"4"},
		"civilian_fatalities_best": {""}, "peacekeeper_fatalities_best": {"2"}, "injuries_best": {"3"},
		"source_name": {"TCC patrol", ""}, "source_kind": {"patrol_report", "other"}, "source_reliability": {"B", ""},
		"source_credibility": {"2", ""}, "source_date": {"2024-03-05", ""}, "source_reference": {"SITREP 12", ""},
		"narrative": {"Ambush on the Bria-Ippy axis."}, "classification": {"confidential"},
	}
}

func TestRecordEventForm(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newPageSite(t, db)
		ana, vera := s.login(t, "ana"), s.login(t, "vera")

		w := ana.get("/missions/MINUSCA/events/new")
		pageStatus(t, w, 200)
		pageHas(t, w, `name="idempotency_key"`, `<optgroup label="Mission incidents">`, "Attack on peacekeepers", `name="lat"`, "data-pick")
		key := regexp.MustCompile(`name="idempotency_key" value="([0-9a-f]{32})"`).FindStringSubmatch(w.Body.String())
		if key == nil {
			t.Fatal("no one-time key in the form")
		}

		t.Run("OK", func(t *testing.T) {
			w := ana.post("/missions/MINUSCA/events", recordForm(key[1]))
			pageStatus(t, w, http.StatusSeeOther)
			loc := w.Header().Get("Location")
			id := strings.TrimPrefix(loc, "/missions/MINUSCA/events/")
			e, err := s.events.FindEventByID(s.system, "MINUSCA", id)
			if err != nil {
				t.Fatalf("Location %s: %v", loc, err)
			}
			want := events.Count{Low: 2, Best: 2, High: 4}
			switch {
			case e.Title != "Attack on peacekeepers – Bria", e.Location == nil || e.Location.Lat != 6.5423,
				e.Fatalities != want, e.PeacekeeperFatalities != events.Exactly(2), len(e.Actors) != 1,
				len(e.Sources) != 1 || e.Sources[0].Reliability != "B" || e.Sources[0].Credibility != 2,
				e.Classification != peaceops.Confidential, e.Start.Format("2006-01-02 15:04") != "2024-03-05 06:30":
				t.Fatalf("recorded %+v", e)
			}
			pageHas(t, ana.get(loc), "Event recorded.", "Attack on peacekeepers – Bria")
		})
		t.Run("SecondSubmitRecordsNothing", func(t *testing.T) {
			w := ana.post("/missions/MINUSCA/events", recordForm(key[1]))
			pageStatus(t, w, http.StatusSeeOther)
			list, _, err := s.events.FindEvents(s.system, "MINUSCA", events.Filter{})
			if err != nil || len(list) != 1 {
				t.Fatalf("%d events (%v), want 1", len(list), err)
			}
			if want := "/missions/MINUSCA/events/" + string(list[0].ID); w.Header().Get("Location") != want {
				t.Fatalf("Location %q, want %q", w.Header().Get("Location"), want)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			form := recordForm(key[1])
			form.Set("type", "")
			form.Set("lat", "north")
			form.Set("fatalities_low", "7")
			w := ana.post("/missions/MINUSCA/events", form)
			pageStatus(t, w, 400)
			pageHas(t, w, "The event was not saved.", "must be a number", "must not be above best", `value="north"`, `value="Bria"`)
		})
		t.Run("ErrInvalidFrench", func(t *testing.T) {
			form := recordForm(newKey())
			form.Set("start", "")
			r := httptest.NewRequest("POST", "/missions/MINUSCA/events?lang=fr", strings.NewReader(url.Values(form).Encode()+"&"+web.CSRFField+"="+ana.csrf))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := ana.do(r)
			pageStatus(t, w, 400)
			pageHas(t, w, "doit être une date et une heure", "Enregistrer l'événement")
		})
		t.Run("ViewerForbidden", func(t *testing.T) {
			pageStatus(t, vera.get("/missions/MINUSCA/events/new"), 403)
			pageStatus(t, vera.post("/missions/MINUSCA/events", recordForm(newKey())), 403)
		})
	})
}

// newKey returns a fresh one-time key of a record form.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func TestEditAndActionForms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newPageSite(t, db)
		c := s.seedPageEvents(t)
		ana, boss := s.login(t, "ana"), s.login(t, "boss")
		page := "/missions/MINUSCA/events/" + string(c.ID)
		current := func() *events.Event {
			t.Helper()
			e, err := s.events.FindEventByID(s.system, "MINUSCA", string(c.ID))
			if err != nil {
				t.Fatal(err)
			}
			return e
		}

		t.Run("Edit", func(t *testing.T) {
			w := ana.get(page + "/edit")
			pageStatus(t, w, 200)
			pageHas(t, w, `name="version" value="1"`, `value="Clash at the Bambari market"`, `<option value="battles.armed_clash" selected>`,
				`value="Anti-balaka"`, `value="Patrol Alpha"`, `name="fatalities_high" type="number" min="0" step="1" inputmode="numeric" value="9"`)
			form := url.Values{"version": {"1"}, "type": {"battles.armed_clash"}, "title": {"Clash at the Bambari market (revised)"},
				"start": {"2023-05-01T00:00"}, "date_precision": {"day"}, "lat": {"5.7618"}, "lon": {"20.6753"},
				"location_precision": {"exact"}, "place_name": {"Bambari"}, "actor_name": {"UPC"}, "actor_role": {"side_a"},
				"fatalities_best": {"6"}, "fatalities_low": {"3"}, "fatalities_high": {"9"},
				"source_name": {"Patrol Alpha"}, "source_kind": {"patrol_report"}, "classification": {"internal"}}
			pageStatus(t, ana.post(page+"/edit", form), http.StatusSeeOther)
			if e := current(); e.Title != "Clash at the Bambari market (revised)" || e.Fatalities.Best != 6 || e.Version != 2 || len(e.Actors) != 1 {
				t.Fatalf("saved %+v", e)
			}
			w = ana.post(page+"/edit", form) // version 1 again: stale
			pageStatus(t, w, http.StatusPreconditionFailed)
			pageHas(t, w, "Someone else changed this event")
		})
		t.Run("Verify", func(t *testing.T) {
			v := strconv.FormatInt(current().Version, 10)
			w := ana.post(page+"/verify", url.Values{"version": {v}, "status": {"rejected"}, "reason": {""}})
			pageStatus(t, w, 400)
			pageHas(t, w, "is required")
			pageStatus(t, ana.post(page+"/verify", url.Values{"version": {v}, "status": {"verified"}, "reason": {"Confirmed by the TCC"}}), http.StatusSeeOther)
			if e := current(); e.Status != events.StatusVerified || e.Verification == nil || e.Verification.By != "ana" {
				t.Fatalf("verified %+v", e)
			}
			pageHas(t, ana.get(page), "Status set to Verified.", "Confirmed by the TCC")
		})
		t.Run("Merge", func(t *testing.T) {
			dup := create(t, s.system, s.fixture, clash("Same clash, from the media"))
			w := ana.post(page+"/merge", url.Values{"ids": {"not-an-id"}})
			pageStatus(t, w, 400)
			pageHas(t, w, "no event of this mission has this ID")
			pageStatus(t, ana.post(page+"/merge", url.Values{"ids": {"https://peaceops.example/missions/MINUSCA/events/" + string(dup.ID)}}), http.StatusSeeOther)
			pageStatus(t, ana.get("/missions/MINUSCA/events/"+string(dup.ID)), 404)
		})
		t.Run("Delete", func(t *testing.T) {
			v := strconv.FormatInt(current().Version, 10)
			pageStatus(t, ana.post(page+"/delete", url.Values{"version": {v}, "reason": {"duplicate"}}), 403)
			w := boss.post(page+"/delete", url.Values{"version": {v}, "reason": {""}})
			pageStatus(t, w, 400)
			pageStatus(t, boss.post(page+"/delete", url.Values{"version": {v}, "reason": {"Entered twice"}}), http.StatusSeeOther)
			pageStatus(t, boss.get(page), 404)
		})
	})
}

func TestDashboardPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newPageSite(t, db)
		s.seedPageEvents(t)
		ana, vera := s.login(t, "ana"), s.login(t, "vera")

		w := ana.get("/missions/MINUSCA/dashboard?interval=month")
		pageStatus(t, w, 200)
		pageHas(t, w, "By prefecture (admin 1)", "Ouaka", "Bangui", "Battles", "Peaceful protest", "Anti-balaka",
			"2023-05-01", `data-dashboard-chart`, "/api/v1/missions/MINUSCA/events/stats?by=admin1&format=csv",
			"/api/v1/missions/MINUSCA/events/stats?format=csv&interval=month", `<option value="month" selected>`, `<rect width="100"`)
		pageLacks(t, w, "style=")

		w = vera.get("/missions/MINUSCA/dashboard?type=battles&lang=fr")
		pageStatus(t, w, 200)
		pageHas(t, w, "Tableau de bord", "Par préfecture (admin 1)", "Affrontement armé", "by=type&format=csv&type=battles",
			"<dt>Événements</dt><dd>1</dd>") // the clash: not the protest, nor the confidential attack

		pageStatus(t, ana.get("/missions/MINUSCA/dashboard?interval=day"), 400)
	})
}

func TestMapLayers(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := newPageSite(t, db)
	importAreas(t, s.fixture)
	ana := s.login(t, "ana")

	w := ana.get("/api/v1/areas?country=CAF&level=1&simplify=0.01")
	pageStatus(t, w, 200)
	var fc struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &fc); err != nil || len(fc.Features) != 17 {
		t.Fatalf("admin 1 of CAF: %d features (%v)", len(fc.Features), err)
	}
	if f := fc.Features[0]; f.Properties["name"] == "" || f.Properties["centroid"] == nil || f.ID == "" {
		t.Fatalf("feature %+v", f)
	}
	pageStatus(t, ana.get("/api/v1/areas?level=9"), 400)
	anon := &pageUser{t: t, s: s, cookies: map[string]string{}}
	pageStatus(t, anon.get("/api/v1/areas?country=CAF"), 401)

	w = anon.get("/api/v1/basemap.geojson")
	pageStatus(t, w, 200)
	if ct := w.Header().Get("Content-Type"); ct != "application/geo+json" || !strings.Contains(w.Body.String(), `"iso_a3":"CAF"`) {
		t.Fatalf("base map: %s, %d bytes", ct, w.Body.Len())
	}
	r := httptest.NewRequest("GET", "/api/v1/basemap.geojson", nil)
	r.Header.Set("If-None-Match", w.Header().Get("ETag"))
	pageStatus(t, anon.do(r), http.StatusNotModified)
}
