package feedback_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/feedback"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// api is the real server with the feedback routes, users with a token and
// a session each: fiona (feedback-officer of MINUSCA), boss (its
// mission-admin), vera (viewer), root (global administrator), otto
// (feedback-officer of MONUSCO).
type api struct {
	*fixture
	h       http.Handler
	log     *syncBuffer
	tokens  map[string]string
	cookies map[string]*http.Cookie
	csrf    map[string]string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newAPI(t *testing.T, db *store.DB) *api {
	t.Helper()
	f := newFixture(t, db)
	a := &api{fixture: f, log: &syncBuffer{}, tokens: map[string]string{}, cookies: map[string]*http.Cookie{}, csrf: map[string]string{}}
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	logger := slog.New(feedback.PrivateLogHandler(slog.NewJSONHandler(a.log, nil)))
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: logger})
	f.svc.Routes(srv.Router())
	for _, u := range []struct {
		name, mission string
		role          peaceops.Role
	}{
		{"fiona", "MINUSCA", peaceops.RoleFeedbackOfficer},
		{"boss", "MINUSCA", peaceops.RoleMissionAdmin},
		{"vera", "MINUSCA", peaceops.RoleViewer},
		{"root", "", ""},
		{"otto", "MONUSCO", peaceops.RoleFeedbackOfficer},
	} {
		if _, err := acc.CreateUser(system, access.UserCreate{Username: u.name, Password: "correct horse battery", Admin: u.mission == ""}); err != nil {
			t.Fatal(err)
		}
		if u.mission != "" {
			if err := acc.AddMember(system, u.mission, u.name, u.role); err != nil {
				t.Fatal(err)
			}
		}
		token, _, err := acc.CreateToken(system, u.name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[u.name] = token
		session, _, err := acc.Login(context.Background(), u.name, "correct horse battery", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		actor, err := acc.ActorForSession(context.Background(), session)
		if err != nil {
			t.Fatal(err)
		}
		a.cookies[u.name] = &http.Cookie{Name: web.SessionCookie, Value: session}
		a.csrf[u.name] = web.CSRFToken(actor.SessionID)
	}
	a.h = srv.Handler()
	return a
}

// do sends a request: user "" is anonymous, "page:<user>" uses the user's
// session cookie (with the CSRF field on forms), else their bearer token.
// body is JSON unless form is set.
func (a *api) do(t *testing.T, user, method, target, body string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	switch {
	case form != nil:
		if name, ok := strings.CutPrefix(user, "page:"); ok {
			form.Set(web.CSRFField, a.csrf[name])
		}
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case body != "":
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	default:
		r = httptest.NewRequest(method, target, nil)
	}
	r.RemoteAddr = "192.0.2.77:41000"
	r.Header.Set("User-Agent", "Nokia105/agent-string")
	if name, ok := strings.CutPrefix(user, "page:"); ok {
		r.AddCookie(a.cookies[name])
	} else if user != "" {
		r.Header.Set("Authorization", "Bearer "+a.tokens[user])
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Cookie" {
			r.Header.Add("Cookie", header[i+1])
			continue
		}
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, r)
	return w
}

func want(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %.600s", w.Code, status, w.Body.String())
	}
}

var (
	csrfField    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	trackingCode = regexp.MustCompile(`id="tracking-code">([A-Z0-9-]+)<`)
)

// publicForm opens the public form anonymously and returns the
// double-submit cookie and the form's token.
func (a *api) publicForm(t *testing.T, path string) (cookie, token string) {
	t.Helper()
	w := a.do(t, "", "GET", path, "", nil)
	want(t, w, http.StatusOK)
	for _, c := range w.Result().Cookies() {
		if c.Name == "peaceops_csrf" {
			cookie = c.Name + "=" + c.Value
		}
	}
	m := csrfField.FindStringSubmatch(w.Body.String())
	if cookie == "" || m == nil {
		t.Fatalf("the form at %s has no double-submit cookie or token", path)
	}
	return cookie, m[1]
}

func TestPublicPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		cookie, token := a.publicForm(t, "/feedback/MINUSCA")
		form := func(v url.Values) url.Values { v.Set(web.CSRFField, token); return v }
		t.Run("ErrFormWithoutCookie", func(t *testing.T) {
			w := a.do(t, "", "POST", "/feedback/MINUSCA", "", form(url.Values{"category": {"tip"}, "description": {"x"}}))
			want(t, w, http.StatusForbidden)
		})
		t.Run("ErrInvalidShowsMessages", func(t *testing.T) {
			w := a.do(t, "", "POST", "/feedback/MINUSCA", "", form(url.Values{"category": {"rumour"}, "description": {""}, "place": {"Bria"}}), "Cookie", cookie)
			want(t, w, http.StatusBadRequest)
			body := w.Body.String()
			for _, s := range []string{"is required", "must be one of complaint", `value="Bria"`} {
				if !strings.Contains(body, s) {
					t.Errorf("the form does not show %q", s)
				}
			}
		})
		t.Run("ErrInvalidInFrench", func(t *testing.T) {
			w := a.do(t, "", "POST", "/feedback/MINUSCA?lang=fr", "", form(url.Values{"category": {"tip"}}), "Cookie", cookie)
			want(t, w, http.StatusBadRequest)
			if !strings.Contains(w.Body.String(), "est obligatoire") || !strings.Contains(w.Body.String(), "Votre message n&#39;a pas été envoyé") {
				t.Errorf("the French form does not explain the error: %.2000s", w.Body.String())
			}
		})
		var code string
		t.Run("OKSubmitAndTrack", func(t *testing.T) {
			w := a.do(t, "", "POST", "/feedback/MINUSCA", "", form(url.Values{"category": {"concern"}, "description": {"Shots heard at night near the school."},
				"place": {"Kaga-Bandoro"}}), "Cookie", cookie)
			want(t, w, http.StatusCreated)
			m := trackingCode.FindStringSubmatch(w.Body.String())
			if m == nil {
				t.Fatalf("no tracking code on the answer page: %.1500s", w.Body.String())
			}
			code = m[1]
			w = a.do(t, "", "POST", "/feedback/track", "", form(url.Values{"code": {strings.ToLower(code)}}), "Cookie", cookie)
			want(t, w, http.StatusOK)
			if !strings.Contains(w.Body.String(), `id="tracking-status">Received<`) {
				t.Fatalf("tracking page: %.1500s", w.Body.String())
			}
		})
		t.Run("ErrTrackTypo", func(t *testing.T) {
			bad := code[:len(code)-1] + string("23456789ABCDEFGHJKMNPQRSTUVWXYZ"[(strings.IndexByte("23456789ABCDEFGHJKMNPQRSTUVWXYZ", code[len(code)-1])+1)%31])
			w := a.do(t, "", "POST", "/feedback/track", "", form(url.Values{"code": {bad}}), "Cookie", cookie)
			want(t, w, http.StatusBadRequest)
			if !strings.Contains(w.Body.String(), "typing mistake") {
				t.Fatalf("no typo message: %.1500s", w.Body.String())
			}
		})
		t.Run("FrenchForm", func(t *testing.T) {
			w := a.do(t, "", "GET", "/feedback/MINUSCA?lang=fr", "", nil)
			want(t, w, http.StatusOK)
			if !strings.Contains(w.Body.String(), "Que s&#39;est-il passé ?") {
				t.Fatalf("not in French: %.1500s", w.Body.String())
			}
		})
		t.Run("ErrUnknownMission", func(t *testing.T) {
			want(t, a.do(t, "", "GET", "/feedback/NOPE", "", nil), http.StatusNotFound)
		})
	})
}

func TestAPIIntakeTriageTrack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		w := a.do(t, "", "POST", "/api/v1/missions/MINUSCA/feedback", `{"category":"complaint","description":"Checkpoint fees on the Bangui road","contact":"`+phone+`","reply_wanted":true}`, nil)
		want(t, w, http.StatusCreated)
		var rc feedback.Receipt
		json.Unmarshal(w.Body.Bytes(), &rc)
		want(t, a.do(t, "", "POST", "/api/v1/missions/MINUSCA/feedback", `{"category":"nope"}`, nil), http.StatusBadRequest)

		w = a.do(t, "fiona", "GET", "/api/v1/missions/MINUSCA/feedback", "", nil)
		want(t, w, http.StatusOK)
		var list web.List[feedback.Submission]
		json.Unmarshal(w.Body.Bytes(), &list)
		if len(list.Items) != 1 {
			t.Fatalf("list: %s", w.Body.String())
		}
		id := list.Items[0].ID
		want(t, a.do(t, "fiona", "PATCH", "/api/v1/missions/MINUSCA/feedback/"+id, `{"acknowledge":true}`, nil), http.StatusPreconditionRequired)
		want(t, a.do(t, "boss", "PATCH", "/api/v1/missions/MINUSCA/feedback/"+id, `{"acknowledge":true}`, nil, "If-Match", `"v1"`), http.StatusForbidden)
		want(t, a.do(t, "vera", "PATCH", "/api/v1/missions/MINUSCA/feedback/"+id, `{"acknowledge":true}`, nil, "If-Match", `"v1"`), http.StatusNotFound)
		w = a.do(t, "fiona", "PATCH", "/api/v1/missions/MINUSCA/feedback/"+id, `{"refer_to":"human-rights","public_response":"Passed to the human rights section."}`, nil, "If-Match", `"v1"`)
		want(t, w, http.StatusOK)
		if w.Header().Get("ETag") != `"v2"` {
			t.Fatalf("ETag %q", w.Header().Get("ETag"))
		}
		w = a.do(t, "", "POST", "/api/v1/feedback/track", `{"code":"`+rc.TrackingCode+`"}`, nil)
		want(t, w, http.StatusOK)
		var tr feedback.Tracking
		json.Unmarshal(w.Body.Bytes(), &tr)
		if tr.Status != feedback.StatusResponded || tr.PublicResponse != "Passed to the human rights section." {
			t.Fatalf("tracking %+v", tr)
		}
		if strings.Contains(w.Body.String(), "human-rights") || strings.Contains(w.Body.String(), "fiona") {
			t.Fatalf("tracking shows internal triage: %s", w.Body.String())
		}

		sms := `{"from":"` + phone + `","text":"R TIP armed group recruiting children in Ndele","time":"2025-03-04T05:00:00Z"}`
		want(t, a.do(t, "", "POST", "/api/v1/missions/MINUSCA/feedback/sms", sms, nil), http.StatusUnauthorized)
		want(t, a.do(t, "", "POST", "/api/v1/missions/MINUSCA/feedback/sms", sms, nil, feedback.SMSTokenHeader, "gateway-secret-tokeN"), http.StatusUnauthorized)
		w = a.do(t, "", "POST", "/api/v1/missions/MINUSCA/feedback/sms", sms, nil, feedback.SMSTokenHeader, "gateway-secret-token")
		want(t, w, http.StatusOK)
		var reply feedback.SMSReply
		json.Unmarshal(w.Body.Bytes(), &reply)
		if _, err := feedback.ParseTrackingCode(reply.TrackingCode); err != nil || !strings.Contains(reply.Reply, reply.TrackingCode) {
			t.Fatalf("SMS reply %s", w.Body.String())
		}
	})
}

// TestContactOnlyForFeedbackOfficers checks every channel: the API record,
// the list, the CSV export and the pages show the contact to feedback
// officers and to nobody else.
func TestContactOnlyForFeedbackOfficers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		_, id := a.submit(t, intake())
		digits := "72 45 19 03"
		for _, tc := range []struct {
			user   string
			target string
			status map[string]int // by user
		}{
			{target: "/api/v1/missions/MINUSCA/feedback/" + id},
			{target: "/api/v1/missions/MINUSCA/feedback"},
			{target: "/api/v1/missions/MINUSCA/feedback?format=csv", status: map[string]int{"boss": 403}},
			{target: "/missions/MINUSCA/feedback/" + id},
			{target: "/missions/MINUSCA/feedback"},
		} {
			for _, user := range []string{"fiona", "boss", "root", "vera", "otto"} {
				caller := user
				if strings.HasPrefix(tc.target, "/missions/") {
					caller = "page:" + user
				}
				w := a.do(t, caller, "GET", tc.target, "", nil)
				st := http.StatusOK
				switch {
				case tc.status[user] != 0:
					st = tc.status[user]
				case user == "vera" || user == "otto":
					st = http.StatusNotFound
				}
				if w.Code != st {
					t.Errorf("%s GET %s: %d, want %d", user, tc.target, w.Code, st)
					continue
				}
				shown := strings.Contains(w.Body.String(), digits)
				isDetail := tc.target != "/missions/MINUSCA/feedback" // the queue page shows no contact column
				if wantShown := user == "fiona" && isDetail; shown != wantShown {
					t.Errorf("%s GET %s: contact shown %v, want %v", user, tc.target, shown, wantShown)
				}
			}
		}
	})
}

// TestAccessLogWithoutClientAddress checks that the access log lines of the
// public routes carry no client address, and those of officers' routes do.
func TestAccessLogWithoutClientAddress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		cookie, token := a.publicForm(t, "/feedback/MINUSCA")
		a.do(t, "", "POST", "/feedback/MINUSCA", "", url.Values{web.CSRFField: {token}, "category": {"tip"}, "description": {"x"}}, "Cookie", cookie)
		a.do(t, "", "POST", "/api/v1/missions/MINUSCA/feedback", `{"category":"tip","description":"y"}`, nil)
		a.do(t, "", "POST", "/api/v1/feedback/track", `{"code":"AAAA-AAAA-AAAA"}`, nil)
		a.do(t, "", "GET", "/feedback/track", "", nil)
		public := a.log.String()
		if n := strings.Count(public, `"msg":"request"`); n != 5 {
			t.Fatalf("%d request lines, want 5:\n%s", n, public)
		}
		for _, s := range []string{"192.0.2.77", "Nokia105"} {
			if strings.Contains(public, s) {
				t.Errorf("the access log of the public routes holds %q:\n%s", s, public)
			}
		}
		a.do(t, "fiona", "GET", "/api/v1/missions/MINUSCA/feedback", "", nil)
		if !strings.Contains(strings.TrimPrefix(a.log.String(), public), "192.0.2.77") {
			t.Errorf("officers' requests lost their address too:\n%s", a.log.String())
		}
	})
}

func TestFrenchCatalogue(t *testing.T) {
	svc := feedback.NewService(storetest.Open(t, "sqlite"), feedback.Options{})
	if missing := svc.Pages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("texts without a French translation: %q", missing)
	}
}

func TestOfficerPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		rc, id := a.submit(t, intake())
		page := "/missions/MINUSCA/feedback/" + id
		w := a.do(t, "page:fiona", "POST", page, "", url.Values{"version": {"1"}, "category": {"misconduct"}, "assigned_to": {"fiona"},
			"refer_to": {"conduct"}, "public_response": {"Your report was passed to the conduct team."}, "note": {"victim afraid of reprisals"}})
		want(t, w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != page {
			t.Fatalf("redirect to %q", loc)
		}
		w = a.do(t, "page:fiona", "GET", page, "", nil)
		want(t, w, http.StatusOK)
		body := w.Body.String()
		for _, s := range []string{"ALLEGATION-1", "victim afraid of reprisals", "Your report was passed to the conduct team.", "Misconduct by UN personnel", "72 45 19 03"} {
			if !strings.Contains(body, s) {
				t.Errorf("the case page does not show %q", s)
			}
		}
		t.Run("ErrStaleVersion", func(t *testing.T) {
			w := a.do(t, "page:fiona", "POST", page, "", url.Values{"version": {"1"}, "note": {"again"}})
			want(t, w, http.StatusPreconditionFailed)
			if !strings.Contains(w.Body.String(), "Someone else changed this feedback") {
				t.Fatalf("no stale message: %.1500s", w.Body.String())
			}
		})
		t.Run("ErrMissionAdminCannotTriage", func(t *testing.T) {
			want(t, a.do(t, "page:boss", "POST", page, "", url.Values{"version": {"2"}, "note": {"x"}}), http.StatusForbidden)
			if strings.Contains(a.do(t, "page:boss", "GET", page, "", nil).Body.String(), `action="/missions/MINUSCA/feedback/`+id+`"`) {
				t.Error("the mission-admin is offered the triage form")
			}
		})
		t.Run("QueueFiltersOverdue", func(t *testing.T) {
			a.submit(t, intake(func(in *feedback.Intake) { in.Description = "An older, forgotten complaint about noise." }))
			a.clock.set(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
			w := a.do(t, "fiona", "GET", "/missions/MINUSCA/feedback?overdue=true&lang=fr", "", nil) // a token: the session idled out meanwhile
			want(t, w, http.StatusOK)
			if n := strings.Count(w.Body.String(), `href="/missions/MINUSCA/feedback/`); n != 1 || !strings.Contains(w.Body.String(), "En retard") {
				t.Fatalf("%d rows in the overdue queue, want 1 (the unacknowledged one): %.3000s", n, w.Body.String())
			}
		})
		// The submitter sees the response and status, nothing internal.
		w = a.do(t, "", "POST", "/api/v1/feedback/track", `{"code":"`+rc.TrackingCode+`"}`, nil)
		want(t, w, http.StatusOK)
		if b := w.Body.String(); strings.Contains(b, "reprisals") || strings.Contains(b, "ALLEGATION") || !strings.Contains(b, "conduct team") {
			t.Fatalf("tracking answer: %s", b)
		}
	})
}

// TestIdempotentRetry: a submission retried with the same Idempotency-Key
// (a flaky connection) is stored once and answers the same tracking code.
func TestIdempotentRetry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		body := `{"category":"tip","description":"Armed men crossing the river at dawn."}`
		first := a.do(t, "", "POST", "/api/v1/missions/MINUSCA/feedback", body, nil, "Idempotency-Key", "retry-0001")
		want(t, first, http.StatusCreated)
		again := a.do(t, "", "POST", "/api/v1/missions/MINUSCA/feedback", body, nil, "Idempotency-Key", "retry-0001")
		want(t, again, http.StatusCreated)
		if first.Body.String() != again.Body.String() {
			t.Fatalf("the retry answered %s, the first %s", again.Body.String(), first.Body.String())
		}
		list, _, err := a.svc.FindFeedback(officer, "MINUSCA", feedback.Filter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("%d submissions stored (%v), want 1", len(list), err)
		}
	})
}
