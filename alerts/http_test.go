package alerts_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// site is the real server with the alerts routes over a fixture, and a
// bearer token per user.
type site struct {
	*fixture
	url    string
	tokens map[string]string
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	f := newFixture(t, db, alerts.Options{})
	s := &site{fixture: f, tokens: map[string]string{}}
	for _, u := range users {
		token, _, err := f.access.CreateToken(f.system, u.name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[u.name] = token
	}
	srv := web.NewServer(web.Config{DB: db, Auth: f.access, Logger: newTextLogger(f.logs)})
	f.alerts.Routes(srv.Router())
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request as username (no token when ""); body, when not "",
// is JSON, or a form when it starts with "form:".
func (s *site) do(t *testing.T, username, method, path, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(strings.TrimPrefix(body, "form:"))
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case strings.HasPrefix(body, "form:"):
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if username != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[username])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, string(b)}
}

func (s *site) want(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r.body, err)
	}
	return v
}

const api = "/api/v1/missions/MINUSCA/alerts"

// TestHTTP drives the API and the pages through the real router with real
// tokens: run, list, get, patch with If-Match, subscriptions and
// notifications, and who may do what.
func TestHTTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.importCAR(t)

		sub := decode[alerts.Subscription](t, s.do(t, "vera", "POST", api+"/subscriptions", `{"area":"CF71","min_level":"warning"}`))
		if sub.ID == "" || sub.Area != "CF71" {
			t.Fatalf("subscription %+v", sub)
		}
		s.want(t, s.do(t, "vera", "POST", api+"/subscriptions", `{"area":"CF71","min_level":"watch"}`), http.StatusBadRequest)
		s.want(t, s.do(t, "otto", "POST", api+"/subscriptions", `{"area":"CF71"}`), http.StatusNotFound)

		s.want(t, s.do(t, "", "POST", api+"/run?at=2014-01-01", ""), http.StatusUnauthorized)
		s.want(t, s.do(t, "vera", "POST", api+"/run?at=2014-01-01", ""), http.StatusForbidden)
		s.want(t, s.do(t, "rita", "POST", api+"/run?at=2014-01-01", ""), http.StatusForbidden)
		s.want(t, s.do(t, "otto", "POST", api+"/run?at=2014-01-01", ""), http.StatusNotFound)
		s.want(t, s.do(t, "ana", "POST", api+"/run?at=January", ""), http.StatusBadRequest)
		r := s.do(t, "ana", "POST", api+"/run?at=2014-01-01", "")
		s.want(t, r, http.StatusOK)
		run := decode[alerts.RunResult](t, r)
		a := find(run.Alerts, bangui, "")
		if a == nil || run.Window.To.String() != "2013-12-29" {
			t.Fatalf("run: window %+v, Bangui %+v", run.Window, a)
		}

		t.Run("List", func(t *testing.T) {
			r := s.do(t, "vera", "GET", api+"?limit=2", "")
			s.want(t, r, http.StatusOK)
			page := decode[web.List[alerts.Alert]](t, r)
			if len(page.Items) != 2 || page.NextCursor == "" {
				t.Fatalf("first page: %d items, cursor %q", len(page.Items), page.NextCursor)
			}
			next := decode[web.List[alerts.Alert]](t, s.do(t, "vera", "GET", api+"?limit=2&cursor="+url.QueryEscape(page.NextCursor), ""))
			if len(next.Items) == 0 || next.Items[0].ID >= page.Items[1].ID {
				t.Errorf("second page %+v does not follow the first", next.Items)
			}
			warnings := decode[web.List[alerts.Alert]](t, s.do(t, "vera", "GET", api+"?level=warning&state=open&area=CF71", ""))
			if len(warnings.Items) == 0 {
				t.Error("no open warning in Bangui")
			}
			for _, w := range warnings.Items {
				if w.Level != alerts.LevelWarning || w.State != alerts.StateOpen || !strings.HasPrefix(w.Area, "CF71") {
					t.Errorf("filtered list holds %+v", w)
				}
			}
			s.want(t, s.do(t, "vera", "GET", api+"?level=red", ""), http.StatusBadRequest)
			s.want(t, s.do(t, "otto", "GET", api, ""), http.StatusNotFound)
			s.want(t, s.do(t, "", "GET", api, ""), http.StatusUnauthorized)
		})

		t.Run("GetAndPatch", func(t *testing.T) {
			one := api + "/" + a.ID
			r := s.do(t, "vera", "GET", one, "")
			s.want(t, r, http.StatusOK)
			if etag := r.header.Get("ETag"); etag != `"v1"` {
				t.Errorf("ETag %q, want \"v1\"", etag)
			}
			s.want(t, s.do(t, "otto", "GET", one, ""), http.StatusNotFound)
			s.want(t, s.do(t, "vera", "GET", api+"/01HZZZZZZZZZZZZZZZZZZZZZZZ", ""), http.StatusNotFound)

			ack := `{"state":"acknowledged","owner":"ana"}`
			s.want(t, s.do(t, "ana", "PATCH", one, ack), http.StatusPreconditionRequired)
			s.want(t, s.do(t, "vera", "PATCH", one, ack, "If-Match", `"v1"`), http.StatusForbidden)
			s.want(t, s.do(t, "otto", "PATCH", one, ack, "If-Match", `"v1"`), http.StatusNotFound)
			s.want(t, s.do(t, "ana", "PATCH", one, `{"owner":"otto"}`, "If-Match", `"v1"`), http.StatusBadRequest)
			s.want(t, s.do(t, "ana", "PATCH", one, `{"colour":"red"}`, "If-Match", `"v1"`), http.StatusBadRequest)
			r = s.do(t, "ana", "PATCH", one, ack, "If-Match", `"v1"`)
			s.want(t, r, http.StatusOK)
			if got := decode[alerts.Alert](t, r); got.State != alerts.StateAcknowledged || got.Owner != "ana" || r.header.Get("ETag") != `"v2"` {
				t.Errorf("patched: %+v, ETag %s", got, r.header.Get("ETag"))
			}
			s.want(t, s.do(t, "ana", "PATCH", one, `{"state":"resolved"}`, "If-Match", `"v1"`), http.StatusPreconditionFailed)
		})

		t.Run("Notifications", func(t *testing.T) {
			r := s.do(t, "vera", "GET", "/api/v1/notifications", "")
			s.want(t, r, http.StatusOK)
			list := decode[web.List[alerts.Notification]](t, r)
			if len(list.Items) == 0 {
				t.Fatal("vera, subscribed to Bangui, has no notification")
			}
			n := list.Items[0]
			s.want(t, s.do(t, "otto", "POST", "/api/v1/notifications/"+n.ID+"/read", ""), http.StatusNotFound)
			s.want(t, s.do(t, "vera", "POST", "/api/v1/notifications/"+n.ID+"/read", ""), http.StatusNoContent)
			if again := decode[web.List[alerts.Notification]](t, s.do(t, "vera", "GET", "/api/v1/notifications", "")); again.Items[0].ReadAt == nil {
				t.Error("notification still unread")
			}
		})

		t.Run("Subscriptions", func(t *testing.T) {
			list := decode[web.List[alerts.Subscription]](t, s.do(t, "vera", "GET", api+"/subscriptions", ""))
			if len(list.Items) != 1 || list.Items[0].ID != sub.ID {
				t.Fatalf("vera's subscriptions %+v", list.Items)
			}
			s.want(t, s.do(t, "ana", "DELETE", api+"/subscriptions/"+sub.ID, ""), http.StatusNotFound)
			s.want(t, s.do(t, "vera", "DELETE", api+"/subscriptions/"+sub.ID, ""), http.StatusNoContent)
			s.want(t, s.do(t, "vera", "DELETE", api+"/subscriptions/"+sub.ID, ""), http.StatusNotFound)
		})

		t.Run("OpenAPI", func(t *testing.T) {
			doc := decode[struct {
				Paths map[string]map[string]any `json:"paths"`
			}](t, s.do(t, "vera", "GET", "/api/v1/openapi.json", ""))
			const base = "/api/v1/missions/{code}/alerts"
			for path, methods := range map[string][]string{
				base: {"get"}, base + "/{id}": {"get", "patch"}, base + "/run": {"post"},
				base + "/subscriptions": {"get", "post"}, base + "/subscriptions/{id}": {"delete"},
				"/api/v1/notifications": {"get"}, "/api/v1/notifications/{id}/read": {"post"},
			} {
				for _, m := range methods {
					if doc.Paths[path][m] == nil {
						t.Errorf("OpenAPI document lacks %s %s", m, path)
					}
				}
			}
		})

		t.Run("Pages", func(t *testing.T) {
			list := s.do(t, "vera", "GET", "/missions/MINUSCA/alerts", "")
			s.want(t, list, http.StatusOK)
			if !contains(list.body, "Bangui", "/missions/MINUSCA/alerts/"+a.ID) || strings.Contains(list.body, "Run now") {
				t.Errorf("vera's alert list lacks Bangui or offers Run now")
			}
			if body := s.do(t, "ana", "GET", "/missions/MINUSCA/alerts?state=acknowledged", "").body; !contains(body, "Run now", a.ID) {
				t.Errorf("ana's filtered list lacks Run now or the acknowledged alert")
			}
			if body := s.do(t, "vera", "GET", "/missions/MINUSCA/alerts?lang=fr", "").body; !contains(body, "Alertes précoces", "Avertissement") {
				t.Errorf("French list not in French")
			}
			page := s.do(t, "ana", "GET", "/missions/MINUSCA/alerts/"+a.ID, "")
			s.want(t, page, http.StatusOK)
			if !contains(page.body, "<svg", "<rect", "Bangui: ", "Acknowledged", `name="owner"`) {
				t.Errorf("alert page lacks its chart, explanation, state or actions:\n%s", page.body)
			}
			if strings.Contains(page.body, "style=") {
				t.Error("alert page uses inline styles, which the CSP refuses")
			}
			if body := s.do(t, "vera", "GET", "/missions/MINUSCA/alerts/"+a.ID, "").body; strings.Contains(body, `name="owner"`) {
				t.Error("vera is offered the handling forms")
			}
			s.want(t, s.do(t, "otto", "GET", "/missions/MINUSCA/alerts/"+a.ID, ""), http.StatusNotFound)
			s.want(t, s.do(t, "vera", "GET", "/missions/MINUSCA/alerts/subscriptions", ""), http.StatusOK)
			s.want(t, s.do(t, "vera", "GET", "/notifications", ""), http.StatusOK)

			note := url.Values{"action": {"note"}, "version": {"2"}, "note": {"Patrol sent to PK5."}}
			r := s.do(t, "ana", "POST", "/missions/MINUSCA/alerts/"+a.ID, "form:"+note.Encode())
			s.want(t, r, http.StatusSeeOther)
			got, err := s.alerts.FindAlertByID(s.as("ana"), "MINUSCA", a.ID)
			if err != nil || len(got.Notes) != 1 || got.Notes[0].Text != "Patrol sent to PK5." {
				t.Fatalf("after the note form: %+v, %v", got, err)
			}
			s.want(t, s.do(t, "vera", "POST", "/missions/MINUSCA/alerts/"+a.ID, "form:"+note.Encode()), http.StatusForbidden)
			s.want(t, s.do(t, "vera", "POST", "/missions/MINUSCA/alerts/run", "form:"), http.StatusForbidden)
			form := url.Values{"area": {"CF71"}, "min_level": {"alert"}, "email": {"vera@minusca.test"}}
			s.want(t, s.do(t, "vera", "POST", "/missions/MINUSCA/alerts/subscriptions", "form:"+form.Encode()), http.StatusSeeOther)
			form.Set("email", "not an address")
			bad := s.do(t, "vera", "POST", "/missions/MINUSCA/alerts/subscriptions", "form:"+form.Encode())
			s.want(t, bad, http.StatusBadRequest)
			if !strings.Contains(bad.body, "plain e-mail address") {
				t.Error("the subscription form does not say what is wrong")
			}
		})
	})
}
