package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/jobs"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

const password = "correct horse battery"

// site is the real server (router, authentication, CSRF) with the jobs
// routes, users alice (analyst of MINUSCA), boss (its mission-admin) and
// bob (no mission), and a runner with a job kind that waits for its
// release.
type site struct {
	db      *store.DB
	access  *access.Service
	runner  *jobs.Runner
	handler http.Handler
	release chan struct{}
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	system := peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	mis := missions.NewService(db, acc)
	for _, u := range []string{"alice", "boss", "bob"} {
		if _, err := acc.CreateUser(system, access.UserCreate{Username: u, Password: password}); err != nil {
			t.Fatal(err)
		}
	}
	m := &missions.Mission{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}}
	if err := mis.CreateMission(system, m); err != nil {
		t.Fatal(err)
	}
	for u, role := range map[string]peaceops.Role{"alice": peaceops.RoleAnalyst, "boss": peaceops.RoleMissionAdmin} {
		if err := acc.AddMember(system, "MINUSCA", u, role); err != nil {
			t.Fatal(err)
		}
	}
	s := &site{db: db, access: acc, runner: newRunner(db, 1), release: make(chan struct{})}
	s.runner.Register("test.import", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
		p.Set(2, 4, "Reading rows")
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if j.Mission == "" {
			line := 3
			return nil, &jobs.Failure{Code: peaceops.EINVALID, Message: "1 row is bad: nothing was imported", Errors: []jobs.Issue{{Line: line, Field: "date_start", Message: "is required"}}}
		}
		return map[string]any{"read": 4, "created": 4, "dry_run": false}, nil
	})
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: quietLogger()})
	s.runner.Routes(srv.Router())
	s.handler = srv.Handler()
	start(t, s.runner)
	return s
}

// submit queues a test.import job as username.
func (s *site) submit(t *testing.T, username, mission string) *jobs.Job {
	t.Helper()
	token, _, err := s.access.Login(context.Background(), username, password, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.access.ActorForSession(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	j, err := s.runner.Submit(peaceops.NewContextWithActor(context.Background(), a), "test.import", mission, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// browser is a signed-in user agent keeping its cookies and CSRF token.
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
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &sess) != nil {
		t.Fatalf("login %s: %d %s", username, w.Code, w.Body)
	}
	b.csrf = sess.CSRFToken
	return b
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

func (b *browser) post(target string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	form.Set(web.CSRFField, b.csrf)
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

func wantBody(t *testing.T, w *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("response lacks %q", s)
		}
	}
}

func wantNoBody(t *testing.T, w *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(w.Body.String(), s) {
			t.Errorf("response has %q", s)
		}
	}
}

// apiJob is the API's view of a job.
type apiJob struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Mission  string          `json:"mission"`
	Actor    string          `json:"actor"`
	Status   string          `json:"status"`
	Progress int             `json:"progress"`
	Total    *int            `json:"total"`
	Message  string          `json:"message"`
	Result   json.RawMessage `json:"result"`
	Error    *jobs.Failure   `json:"error"`
}

func decodeJob(t *testing.T, w *httptest.ResponseRecorder) apiJob {
	t.Helper()
	var j apiJob
	if err := json.Unmarshal(w.Body.Bytes(), &j); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return j
}

func TestJobAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		j := s.submit(t, "alice", "MINUSCA")
		alice := s.login(t, "alice")

		var running apiJob
		eventually(t, "the job to report progress", func() bool {
			w := alice.get("/api/v1/jobs/" + j.ID)
			wantStatus(t, w, http.StatusOK)
			running = decodeJob(t, w)
			return running.Progress == 2
		})
		if running.Status != "running" || running.Total == nil || *running.Total != 4 || running.Message != "Reading rows" ||
			string(running.Result) != "null" || running.Error != nil || running.Kind != "test.import" || running.Actor != "alice" {
			t.Fatalf("running job: %+v", running)
		}

		t.Run("ErrOtherUser", func(t *testing.T) {
			w := s.login(t, "bob").get("/api/v1/jobs/" + j.ID)
			wantStatus(t, w, http.StatusNotFound)
		})
		t.Run("ErrAnonymous", func(t *testing.T) {
			w := httptest.NewRecorder()
			s.handler.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/jobs/"+j.ID, nil))
			wantStatus(t, w, http.StatusUnauthorized)
		})
		t.Run("List", func(t *testing.T) {
			for user, n := range map[string]int{"alice": 1, "boss": 1, "bob": 0} {
				w := s.login(t, user).get("/api/v1/jobs?mission=MINUSCA")
				wantStatus(t, w, http.StatusOK)
				var list struct {
					Items []apiJob `json:"items"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Items) != n {
					t.Errorf("%s lists %d jobs (%v), want %d", user, len(list.Items), err, n)
				}
			}
			wantStatus(t, alice.get("/api/v1/jobs?status=stuck"), http.StatusBadRequest)
		})

		close(s.release)
		var done apiJob
		eventually(t, "the job to finish", func() bool {
			done = decodeJob(t, alice.get("/api/v1/jobs/"+j.ID))
			return done.Status == "succeeded"
		})
		if string(done.Result) != `{"created":4,"dry_run":false,"read":4}` {
			t.Errorf("result = %s", done.Result)
		}
	})
}

func TestJobPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		ok := s.submit(t, "alice", "MINUSCA")
		bad := s.submit(t, "alice", "")
		alice := s.login(t, "alice")

		eventually(t, "the job to report progress", func() bool {
			j, err := s.runner.FindJobByID(as(peaceops.SystemActor()), ok.ID)
			return err == nil && j.Progress == 2
		})
		w := alice.get("/jobs/" + ok.ID)
		wantStatus(t, w, http.StatusOK)
		wantBody(t, w, `<meta http-equiv="refresh" content="2">`, `<progress max="100" value="50"`, "2 of 4 done",
			`hx-get="/jobs/`+ok.ID+`"`, `hx-trigger="every 2s"`, `action="/jobs/`+ok.ID+`/cancel"`, "Reading rows")

		t.Run("Fragment", func(t *testing.T) {
			r := httptest.NewRequest("GET", "/jobs/"+ok.ID, nil)
			r.Header.Set("HX-Request", "true")
			w := alice.do(r)
			wantStatus(t, w, http.StatusOK)
			wantBody(t, w, `id="job-status"`, "2 of 4 done")
			wantNoBody(t, w, "<html", "<meta http-equiv")
		})
		t.Run("French", func(t *testing.T) {
			w := alice.get("/jobs/" + ok.ID + "?lang=fr")
			wantBody(t, w, "2 sur 4 traités", "Annuler la tâche", "En cours")
		})
		t.Run("ErrOtherUser", func(t *testing.T) {
			wantStatus(t, s.login(t, "bob").get("/jobs/"+ok.ID), http.StatusNotFound)
		})
		t.Run("MissionAdmin", func(t *testing.T) {
			wantStatus(t, s.login(t, "boss").get("/jobs/"+ok.ID), http.StatusOK)
		})

		close(s.release)
		for _, id := range []string{ok.ID, bad.ID} {
			if _, err := s.runner.Wait(as(peaceops.SystemActor()), id, 0); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("Succeeded", func(t *testing.T) {
			w := alice.get("/jobs/" + ok.ID)
			wantStatus(t, w, http.StatusOK)
			wantBody(t, w, "Succeeded", "<dt>Created</dt>", "<dd>4</dd>", "<dt>Dry run</dt>", "<dd>no</dd>")
			wantNoBody(t, w, "http-equiv", "hx-trigger", "/cancel")
		})
		t.Run("Failed", func(t *testing.T) {
			w := alice.get("/jobs/" + bad.ID)
			wantStatus(t, w, http.StatusOK)
			wantBody(t, w, "Failed", "1 row is bad: nothing was imported", "line 3", "<code>date_start</code>", "is required")
			wantNoBody(t, w, "http-equiv")
		})
		t.Run("List", func(t *testing.T) {
			w := alice.get("/jobs")
			wantStatus(t, w, http.StatusOK)
			wantBody(t, w, `href="/jobs/`+ok.ID+`"`, `href="/jobs/`+bad.ID+`"`)
		})
	})
}

func TestCancelPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		j := s.submit(t, "alice", "MINUSCA")
		alice := s.login(t, "alice")

		t.Run("ErrNoCSRF", func(t *testing.T) {
			r := httptest.NewRequest("POST", "/jobs/"+j.ID+"/cancel", strings.NewReader(""))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			wantStatus(t, alice.do(r), http.StatusForbidden)
		})
		t.Run("ErrOtherUser", func(t *testing.T) {
			wantStatus(t, s.login(t, "bob").post("/jobs/"+j.ID+"/cancel", url.Values{}), http.StatusNotFound)
		})
		w := alice.post("/jobs/"+j.ID+"/cancel", url.Values{})
		wantStatus(t, w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != "/jobs/"+j.ID {
			t.Fatalf("Location = %q", loc)
		}
		got, err := s.runner.Wait(as(peaceops.SystemActor()), j.ID, 0)
		if err != nil || got.Status != jobs.StatusCancelled {
			t.Fatalf("after cancel: %v %+v", err, got)
		}
		w = alice.get("/jobs/" + j.ID)
		wantBody(t, w, "The job is being cancelled.", "Cancelled")
	})
}

func TestPagesTranslated(t *testing.T) {
	if missing := jobs.Pages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("no French for %q", missing)
	}
}
