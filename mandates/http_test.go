package mandates_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
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
	"github.com/peaceops/peaceops/mandates"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// site is the real server (router, authentication, sessions, CSRF,
// problem+json) with the mandates API and pages, and the users boss
// (mission-admin of MINUSCA), paula (planner), vera (viewer), ana
// (analyst) and otto (mission-admin of MONUSCO), each with an API token.
type site struct {
	*fixture
	acc    *access.Service
	h      http.Handler
	tokens map[string]string
}

const password = "correct horse battery"

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	f := newFixture(t, db)
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.svc.Routes(srv.Router())
	f.svc.PageRoutes(srv.Router())
	s := &site{fixture: f, acc: acc, h: srv.Handler(), tokens: map[string]string{}}
	for _, u := range []struct {
		name, mission string
		role          peaceops.Role
	}{
		{"boss", "MINUSCA", peaceops.RoleMissionAdmin},
		{"paula", "MINUSCA", peaceops.RolePlanner},
		{"vera", "MINUSCA", peaceops.RoleViewer},
		{"ana", "MINUSCA", peaceops.RoleAnalyst},
		{"otto", "MONUSCO", peaceops.RoleMissionAdmin},
	} {
		if _, err := acc.CreateUser(f.system, access.UserCreate{Username: u.name, Password: password}); err != nil {
			t.Fatal(err)
		}
		if err := acc.AddMember(f.system, u.mission, u.name, u.role); err != nil {
			t.Fatal(err)
		}
		token, _, err := acc.CreateToken(f.system, u.name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[u.name] = token
	}
	return s
}

type response struct {
	*httptest.ResponseRecorder
	t *testing.T
}

// api sends a request as user ("" for anonymous) with a JSON body when
// body is not "", and headers as name, value pairs.
func (s *site) api(t *testing.T, user, method, target, body string, headers ...string) response {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if user != "" {
		r.Header.Set("Authorization", "Bearer "+s.tokens[user])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return response{w, t}
}

func (r response) want(status int) response {
	r.t.Helper()
	if r.Code != status {
		r.t.Fatalf("status %d, want %d; body:\n%s", r.Code, status, r.Body)
	}
	return r
}

func (r response) decode(v any) response {
	r.t.Helper()
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
	return r
}

func (r response) problemFields() []string {
	r.t.Helper()
	var p web.Problem
	r.decode(&p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

const base = "/api/v1/missions/MINUSCA/resolutions"

const createBody = `{"symbol":"S/RES/2149 (2014)","adopted":"2014-04-10","period_start":"2014-04-10","period_end":"2015-04-30",
	"chapter_vii":true,"document_url":"https://undocs.org/S/RES/2149(2014)",
	"ceilings":{"military_total":10000,"military":9560,"military_observers":440,"police_fpu":1400,"police_ipo":400},
	"tasks":[{"title":"Protection of civilians","category":"poc","priority":true},{"title":"Support to the transition","category":"political_process"}]}`

func TestAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		var r mandates.Resolution
		w := s.api(t, "paula", "POST", base, createBody, "Idempotency-Key", "k1").want(http.StatusCreated).decode(&r)
		if w.Header().Get("ETag") != `"v1"` || w.Header().Get("Location") != base+"/"+r.ID || len(r.Tasks) != 2 {
			t.Fatalf("created %+v, headers %v", r, w.Header())
		}

		t.Run("IdempotentCreate", func(t *testing.T) {
			var again mandates.Resolution
			w := s.api(t, "paula", "POST", base, createBody, "Idempotency-Key", "k1").want(http.StatusCreated).decode(&again)
			if again.ID != r.ID || w.Header().Get("Idempotent-Replayed") != "true" {
				t.Errorf("retry created %s (first %s), replayed %q", again.ID, r.ID, w.Header().Get("Idempotent-Replayed"))
			}
		})
		t.Run("CreateInvalidListsEveryField", func(t *testing.T) {
			body := `{"symbol":"2149","adopted":"2014-04-10","period_start":"2014-05-01","period_end":"2014-04-01",
				"ceilings":{"military":-1,"navy":2},"tasks":[{"title":"x","category":"peace"},{"title":"y","category":"poc","lineage":"continues","previous":"` + peaceops.NewID() + `"}]}`
			got := s.api(t, "boss", "POST", base, body).want(http.StatusBadRequest).problemFields()
			want := []string{"ceilings.military", "ceilings.navy", "period_end", "symbol", "tasks[0].category"}
			if !slices.Equal(got, want) {
				t.Errorf("fields %q, want %q", got, want)
			}
		})
		t.Run("CreateContinuesUnknownTask", func(t *testing.T) {
			body := fmt.Sprintf(`{"symbol":"S/RES/2217 (2015)","adopted":"2015-04-28","period_start":"2015-05-01","period_end":"2016-04-30",
				"tasks":[{"title":"y","category":"poc","lineage":"continues","previous":%q}]}`, peaceops.NewID())
			got := s.api(t, "boss", "POST", base, body).want(http.StatusBadRequest).problemFields()
			if !slices.Equal(got, []string{"tasks[0].previous"}) {
				t.Errorf("fields %q", got)
			}
		})
		t.Run("Access", func(t *testing.T) {
			s.api(t, "", "GET", base, "").want(http.StatusUnauthorized)
			s.api(t, "otto", "GET", base, "").want(http.StatusNotFound)
			s.api(t, "otto", "GET", base+"/"+r.ID, "").want(http.StatusNotFound)
			s.api(t, "vera", "POST", base, createBody).want(http.StatusForbidden)
			s.api(t, "ana", "PATCH", base+"/"+r.ID, `{"source_note":"x"}`, "If-Match", `"v1"`).want(http.StatusForbidden)
			s.api(t, "otto", "PATCH", base+"/"+r.ID, `{"source_note":"x"}`, "If-Match", `"v1"`).want(http.StatusNotFound)
			s.api(t, "vera", "GET", base+"/export", "").want(http.StatusForbidden)
			var list web.List[mandates.Resolution]
			s.api(t, "vera", "GET", base, "").want(http.StatusOK).decode(&list)
			if len(list.Items) != 1 || list.Items[0].ID != r.ID {
				t.Errorf("viewer list %+v", list)
			}
		})
		t.Run("GetPatch", func(t *testing.T) {
			w := s.api(t, "vera", "GET", base+"/"+r.ID, "").want(http.StatusOK)
			if w.Header().Get("ETag") != `"v1"` {
				t.Errorf("ETag %q", w.Header().Get("ETag"))
			}
			s.api(t, "paula", "PATCH", base+"/"+r.ID, `{"source_note":"x"}`).want(http.StatusPreconditionRequired)
			s.api(t, "paula", "PATCH", base+"/"+r.ID, `{"source_note":"x"}`, "If-Match", `"v7"`).want(http.StatusPreconditionFailed)
			var got mandates.Resolution
			w = s.api(t, "paula", "PATCH", base+"/"+r.ID, `{"source_note":"From the text of the resolution.","ceilings":{"military":9560}}`, "If-Match", `"v1"`).
				want(http.StatusOK).decode(&got)
			if got.Version != 2 || got.SourceNote != "From the text of the resolution." || len(got.Ceilings) != 1 || len(got.Tasks) != 2 || w.Header().Get("ETag") != `"v2"` {
				t.Errorf("patched %+v", got)
			}
			r = got
		})
		t.Run("TasksCeilings", func(t *testing.T) {
			var tasks web.List[mandates.Task]
			s.api(t, "vera", "GET", base+"/"+r.ID+"/tasks", "").want(http.StatusOK).decode(&tasks)
			if len(tasks.Items) != 2 || tasks.Items[0].Title != "Protection of civilians" {
				t.Errorf("tasks %+v", tasks)
			}
			var c struct {
				Ceilings map[string]int `json:"ceilings"`
			}
			s.api(t, "vera", "GET", base+"/"+r.ID+"/ceilings", "").want(http.StatusOK).decode(&c)
			if len(c.Ceilings) != 1 || c.Ceilings["military"] != 9560 {
				t.Errorf("ceilings %+v", c)
			}
			s.api(t, "vera", "GET", base+"/ceilings?on=2014-12-01", "").want(http.StatusOK).decode(&c)
			if c.Ceilings["military"] != 9560 {
				t.Errorf("ceilings on %+v", c)
			}
			got := s.api(t, "vera", "GET", base+"/ceilings?on=December", "").want(http.StatusBadRequest).problemFields()
			if !slices.Equal(got, []string{"on"}) {
				t.Errorf("fields %q", got)
			}
		})

		// A renewal to compare with.
		renewal := fmt.Sprintf(`{"symbol":"S/RES/2217 (2015)","adopted":"2015-04-28","period_start":"2015-05-01","period_end":"2016-04-30","chapter_vii":true,
			"ceilings":{"military":10270},
			"tasks":[{"title":"Protection of civilians","category":"poc","priority":true,"lineage":"continues","previous":%q},
			{"category":"political_process","lineage":"ends","previous":%q},
			{"title":"Support to the elections","category":"elections"}]}`, r.Tasks[0].ID, r.Tasks[1].ID)
		var second mandates.Resolution
		s.api(t, "boss", "POST", base, renewal).want(http.StatusCreated).decode(&second)

		t.Run("DiffHistoryExpiring", func(t *testing.T) {
			var d mandates.Diff
			s.api(t, "vera", "GET", base+"/"+second.ID+"/diff", "").want(http.StatusOK).decode(&d)
			if len(d.Added) != 1 || len(d.Ended) != 1 || d.Ended[0].Title != "Support to the transition" || len(d.Ceilings) != 1 || d.Ceilings[0].Change != 710 || !d.Period.Extended {
				t.Errorf("diff %+v", d)
			}
			s.api(t, "vera", "GET", base+"/diff?from="+second.ID+"&to="+r.ID, "").want(http.StatusOK).decode(&d)
			if d.From.ID != r.ID {
				t.Errorf("diff from %+v", d.From)
			}
			got := s.api(t, "vera", "GET", base+"/diff", "").want(http.StatusBadRequest).problemFields()
			if !slices.Equal(got, []string{"from", "to"}) {
				t.Errorf("fields %q", got)
			}
			var h struct {
				Items []struct {
					Resolution mandates.Resolution `json:"resolution"`
					Diff       *mandates.Diff      `json:"diff"`
				} `json:"items"`
			}
			s.api(t, "vera", "GET", base+"/history", "").want(http.StatusOK).decode(&h)
			if len(h.Items) != 2 || h.Items[0].Diff != nil || h.Items[1].Diff == nil || h.Items[1].Diff.To.ID != second.ID {
				t.Errorf("history %+v", h)
			}
			var e web.List[mandates.Expiry]
			s.api(t, "vera", "GET", base+"/expiring?as_of=2016-04-01", "").want(http.StatusOK).decode(&e)
			if len(e.Items) != 1 || e.Items[0].Threshold != 30 || e.Items[0].DaysLeft != 29 {
				t.Errorf("expiring %+v", e)
			}
		})
		t.Run("ExportCSV", func(t *testing.T) {
			w := s.api(t, "paula", "GET", base+"/export", "").want(http.StatusOK)
			rows, err := csv.NewReader(w.Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 3 || rows[0][1] != "symbol" || rows[1][1] != "S/RES/2149 (2014)" || rows[2][1] != "S/RES/2217 (2015)" {
				t.Fatalf("csv %q", rows)
			}
			col := slices.Index(rows[0], "ceiling_military")
			if col < 0 || rows[2][col] != "10270" {
				t.Errorf("ceiling_military column %d in %q", col, rows)
			}
			w = s.api(t, "boss", "GET", base+"/export?what=tasks", "").want(http.StatusOK)
			rows, _ = csv.NewReader(w.Body).ReadAll()
			if len(rows) != 1+2+3 || rows[5][3] != "Support to the elections" {
				t.Errorf("tasks csv %q", rows)
			}
			s.api(t, "boss", "GET", base+"/export?what=ceilings", "").want(http.StatusBadRequest)
		})
		t.Run("Delete", func(t *testing.T) {
			s.api(t, "boss", "DELETE", base+"/"+r.ID, "", "If-Match", `"v2"`).want(http.StatusConflict)
			s.api(t, "paula", "DELETE", base+"/"+second.ID, "").want(http.StatusPreconditionRequired)
			s.api(t, "vera", "DELETE", base+"/"+second.ID, "", "If-Match", `"v1"`).want(http.StatusForbidden)
			s.api(t, "paula", "DELETE", base+"/"+second.ID, "", "If-Match", `"v1"`).want(http.StatusNoContent)
			s.api(t, "vera", "GET", base+"/"+second.ID, "").want(http.StatusNotFound)
		})
	})
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	srv := web.NewServer(web.Config{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	svc := mandates.NewService(db)
	svc.Routes(srv.Router())
	if missing := srv.Router().Undocumented(); len(missing) > 0 {
		t.Errorf("routes without a description: %q", missing)
	}
}

// browser is a signed-in user of the pages: cookies and the CSRF token.
type browser struct {
	t       *testing.T
	s       *site
	cookies map[string]string
	csrf    string
}

func (s *site) login(t *testing.T, username string) *browser {
	t.Helper()
	b := &browser{t: t, s: s, cookies: map[string]string{}}
	r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"username":"`+username+`","password":"`+password+`"}`))
	r.Header.Set("Content-Type", "application/json")
	w := b.do(r)
	var sess web.Session
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &sess) != nil || sess.CSRFToken == "" {
		t.Fatalf("login %s: %d %s", username, w.Code, w.Body)
	}
	b.csrf = sess.CSRFToken
	return b
}

func (b *browser) do(r *http.Request) *httptest.ResponseRecorder {
	for name, value := range b.cookies {
		r.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	w := httptest.NewRecorder()
	b.s.h.ServeHTTP(w, r)
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
	return b.do(httptest.NewRequest("GET", target, nil))
}

func (b *browser) post(target string, form url.Values) *httptest.ResponseRecorder {
	form.Set(web.CSRFField, b.csrf)
	r := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r)
}

func status(t *testing.T, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body:\n%s", w.Code, want, w.Body)
	}
}

func has(t *testing.T, w *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	body := html.UnescapeString(w.Body.String())
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func resolutionForm(symbol, adopted, start, end string) url.Values {
	return url.Values{"symbol": {symbol}, "adopted": {adopted}, "period_start": {start}, "period_end": {end},
		"chapter_vii": {"yes"}, "classification": {"public"}, "ceiling_military": {"9,560"}, "ceiling_police_fpu": {"1400"},
		"task_id": {"", ""}, "task_title": {"Protection of civilians", ""}, "task_paragraph": {"", ""},
		"task_priority": {"true", "false"}, "task_category": {"poc", "other"}, "task_lineage": {"new", "new"}, "task_previous": {"", ""}}
}

func TestPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		if err := mandates.SeedMINUSCA(s.system, s.svc); err != nil {
			t.Fatal(err)
		}
		chain, _ := s.svc.FindResolutions(s.system, "MINUSCA")
		last := chain[len(chain)-1]
		paula, vera, otto := s.login(t, "paula"), s.login(t, "vera"), s.login(t, "otto")

		w := vera.get("/missions/MINUSCA/mandate")
		status(t, w, http.StatusOK)
		has(t, w, "S/RES/2149 (2014)", "S/RES/2759 (2024)", "Mandate history")
		if strings.Contains(w.Body.String(), "/mandate/new") {
			t.Error("a viewer is offered the create form")
		}
		status(t, otto.get("/missions/MINUSCA/mandate"), http.StatusNotFound)
		status(t, vera.get("/missions/MINUSCA/mandate/new"), http.StatusForbidden)

		w = vera.get("/missions/MINUSCA/mandate/" + last.ID)
		status(t, w, http.StatusOK)
		has(t, w, "S/RES/2759 (2024)", "Protection of civilians", "https://undocs.org/S/RES/2759(2024)", "Changes from S/RES/2709 (2023)")

		w = vera.get("/missions/MINUSCA/mandate/diff?from=" + chain[0].ID + "&to=" + chain[1].ID)
		status(t, w, http.StatusOK)
		has(t, w, "From S/RES/2149 (2014) to S/RES/2217 (2015)", "10000", "10750", "+750", "raised", "Extended by 366 days")

		w = vera.get("/missions/MINUSCA/mandate/history")
		status(t, w, http.StatusOK)
		has(t, w, "The first resolution of the mission.", "Changes from S/RES/2709 (2023):")

		fr := httptest.NewRequest("GET", "/missions/MINUSCA/mandate/diff?from="+chain[0].ID+"&to="+chain[1].ID, nil)
		fr.Header.Set("Accept-Language", "fr")
		w = vera.do(fr)
		status(t, w, http.StatusOK)
		has(t, w, "Effectifs autorisés", "relevé")

		t.Run("CreateForm", func(t *testing.T) {
			status(t, paula.get("/missions/MINUSCA/mandate/new"), http.StatusOK)
			bad := resolutionForm("S/RES/2800 (2025)", "2025-11-13", "2025-11-16", "2025-11-01")
			bad.Set("ceiling_police_fpu", "many")
			w := paula.post("/missions/MINUSCA/mandate", bad)
			status(t, w, http.StatusBadRequest)
			has(t, w, "must be a whole number", "must not be before period_start (2025-11-16)")

			w = paula.post("/missions/MINUSCA/mandate", resolutionForm("S/RES/2800 (2025)", "2025-11-13", "2025-11-16", "2026-11-15"))
			status(t, w, http.StatusSeeOther)
			chain, _ := s.svc.FindResolutions(s.system, "MINUSCA")
			got := chain[len(chain)-1]
			if got.Symbol != "S/RES/2800 (2025)" || got.Ceilings["military"] != 9560 || len(got.Tasks) != 1 || !got.Tasks[0].Priority {
				t.Fatalf("created %+v", got)
			}
			status(t, vera.post("/missions/MINUSCA/mandate", resolutionForm("S/RES/2801 (2025)", "2025-11-14", "2025-11-16", "2026-11-15")), http.StatusForbidden)

			t.Run("EditAndDelete", func(t *testing.T) {
				status(t, paula.get("/missions/MINUSCA/mandate/"+got.ID+"/edit"), http.StatusOK)
				form := resolutionForm("S/RES/2800 (2025)", "2025-11-13", "2025-11-16", "2026-11-15")
				form["task_id"] = []string{got.Tasks[0].ID, ""}
				form["task_title"] = []string{"Protection of civilians, reworded", ""}
				form.Set("version", "1")
				status(t, paula.post("/missions/MINUSCA/mandate/"+got.ID+"/edit", form), http.StatusSeeOther)
				after, _ := s.svc.FindResolutionByID(s.system, "MINUSCA", got.ID)
				if after.Version != 2 || after.Tasks[0].ID != got.Tasks[0].ID || after.Tasks[0].Title != "Protection of civilians, reworded" {
					t.Errorf("edited %+v", after)
				}
				status(t, paula.post("/missions/MINUSCA/mandate/"+got.ID+"/edit", form), http.StatusPreconditionFailed)
				status(t, vera.post("/missions/MINUSCA/mandate/"+got.ID+"/delete", url.Values{"version": {"2"}}), http.StatusForbidden)
				status(t, paula.post("/missions/MINUSCA/mandate/"+got.ID+"/delete", url.Values{"version": {"2"}}), http.StatusSeeOther)
				if _, err := s.svc.FindResolutionByID(s.system, "MINUSCA", got.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
					t.Errorf("after delete: %v", err)
				}
			})
		})
	})
}

func TestListPageWarnsBeforeExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		today := peaceops.DateOf(db.Now().UTC())
		end := peaceops.DateOf(today.Time().AddDate(0, 0, 20))
		r := mustCreate(t, boss, s.svc, resolution(2999, today.String(), func(r *mandates.Resolution) {
			r.Adopted = peaceops.Date{Year: r.Adopted.Year, Month: 1, Day: 1}
			r.PeriodStart, r.PeriodEnd = r.Adopted, end
		}))
		w := s.login(t, "vera").get("/missions/MINUSCA/mandate")
		status(t, w, http.StatusOK)
		has(t, w, fmt.Sprintf("The mandate set by %s ends on %s, in 20 days (within 30 days), and no renewal is recorded.", r.Symbol, end))
		var e web.List[mandates.Expiry]
		s.api(t, "vera", "GET", base+"/expiring", "").want(http.StatusOK).decode(&e)
		if len(e.Items) != 1 || e.Items[0].DaysLeft != 20 || e.Items[0].Threshold != 30 {
			t.Errorf("expiring today %+v", e)
		}
	})
}

func TestFrenchCatalogueIsComplete(t *testing.T) {
	if missing := mandates.Pages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("%d texts lack a French translation in mandates/templates/fr.json:\n%q", len(missing), missing)
	}
}
