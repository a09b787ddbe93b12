package audit_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/audit"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// site is the real server with the access and audit routes, and a bearer
// token per user:
//
//	root  administrator
//	mina  mission-admin of MINUSCA
//	otto  mission-admin of MONUSCO
//	vic   viewer in MINUSCA
//
// Its log holds seedLog's six entries of 1 March 2024 and the entries of
// the setup itself (users, memberships, tokens: today).
type site struct {
	url    string
	tokens map[string]string
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	seedLog(t, db)
	ctx := systemContext()
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	for _, code := range []string{"MINUSCA", "MONUSCO"} {
		mustExec(t, db, `INSERT INTO missions (id, code, name, host_country, start_date, status, classification, created_at, updated_at, version)
			VALUES ($1, $2, $3, 'CAF', '2014-04-10', 'active', 'internal', 0, 0, 1)`, peaceops.NewID(), code, "Mission "+code)
	}
	s := &site{tokens: map[string]string{}}
	for _, u := range []struct {
		name    string
		admin   bool
		mission string
		role    peaceops.Role
	}{
		{"root", true, "", ""},
		{"mina", false, "MINUSCA", peaceops.RoleMissionAdmin},
		{"otto", false, "MONUSCO", peaceops.RoleMissionAdmin},
		{"vic", false, "MINUSCA", peaceops.RoleViewer},
	} {
		if _, err := acc.CreateUser(ctx, access.UserCreate{Username: u.name, Password: "correct horse battery staple", Admin: u.admin}); err != nil {
			t.Fatal(err)
		}
		if u.mission != "" {
			if err := acc.AddMember(ctx, u.mission, u.name, u.role); err != nil {
				t.Fatal(err)
			}
		}
		text, _, err := acc.CreateToken(ctx, u.name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[u.name] = text
	}
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: logger,
		Missions: func(_ context.Context, a peaceops.Actor) ([]web.MissionRef, error) {
			var refs []web.MissionRef
			for _, code := range []string{"MINUSCA", "MONUSCO"} {
				if a.Admin || len(a.Roles[code]) > 0 {
					refs = append(refs, web.MissionRef{Code: code, Name: "Mission " + code})
				}
			}
			return refs, nil
		}})
	acc.Routes(srv.Router())
	audit.NewService(db).Routes(srv.Router())
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

// testLog writes the server's error log lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type response struct {
	status int
	body   []byte
}

// get calls path as username.
func (s *site) get(t *testing.T, username, path string) response {
	t.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.tokens[username])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, body}
}

func (s *site) list(t *testing.T, username, path string) web.List[audit.Entry] {
	t.Helper()
	res := s.get(t, username, path)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s as %s: status %d: %s", path, username, res.status, res.body)
	}
	var list web.List[audit.Entry]
	if err := json.Unmarshal(res.body, &list); err != nil {
		t.Fatal(err)
	}
	return list
}

func entrySeqs(entries []audit.Entry) []int64 {
	out := []int64{}
	for _, e := range entries {
		out = append(out, e.Seq)
	}
	return out
}

func TestListAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		tests := []struct {
			name, user, query string
			want              []int64 // seqs, newest first; nil: check with the func
			check             func(t *testing.T, items []audit.Entry)
		}{
			{name: "ByDay", user: "root", query: "from=2024-03-01&to=2024-03-01", want: []int64{6, 5, 4, 3, 2, 1}},
			{name: "ByInstants", user: "root", query: "from=2024-03-01T09:00:00Z&to=2024-03-01T11:00:00Z", want: []int64{3, 2}},
			{name: "ByEntity", user: "root", query: "entity_type=event&entity_id=E1", want: []int64{5, 2}},
			{name: "ByActorAndAction", user: "root", query: "actor=ana&action=read", want: []int64{6}},
			{name: "ByMission", user: "root", query: "mission=MONUSCO&to=2024-03-02", want: []int64{6, 3}},
			{name: "AdminSeesGlobal", user: "root", query: "entity_type=user&action=create", check: func(t *testing.T, items []audit.Entry) {
				if len(items) != 4 {
					t.Errorf("%d user creations, want 4", len(items))
				}
			}},
			{name: "MissionAdminSeesOwnMission", user: "mina", check: func(t *testing.T, items []audit.Entry) {
				// seedLog's 3 in MINUSCA and the memberships of mina and vic.
				if len(items) != 5 {
					t.Errorf("%d entries, want 5", len(items))
				}
				for _, e := range items {
					if e.Mission != "MINUSCA" {
						t.Errorf("entry %d of mission %q", e.Seq, e.Mission)
					}
				}
			}},
			{name: "EntryContent", user: "root", query: "limit=1&to=2024-03-02", check: func(t *testing.T, items []audit.Entry) {
				e := items[0]
				if e.Seq != 6 || e.Actor != "ana" || e.Mission != "MONUSCO" || e.EntityID != "E2" ||
					!e.At.Equal(t0.Add(5*time.Hour)) || string(e.Before) != "null" || len(e.Hash) != 64 {
					t.Errorf("entry = %+v", e)
				}
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list := s.list(t, tt.user, "/api/v1/audit?"+tt.query)
				if tt.check != nil {
					tt.check(t, list.Items)
					return
				}
				if got := entrySeqs(list.Items); !slices.Equal(got, tt.want) {
					t.Errorf("seqs = %v, want %v", got, tt.want)
				}
			})
		}

		t.Run("Pages", func(t *testing.T) {
			var got []int64
			path := "/api/v1/audit?to=2024-03-02&limit=4"
			for range 5 {
				list := s.list(t, "root", path)
				got = append(got, entrySeqs(list.Items)...)
				if list.NextCursor == "" {
					break
				}
				path = "/api/v1/audit?to=2024-03-02&limit=4&cursor=" + url.QueryEscape(list.NextCursor)
			}
			if !slices.Equal(got, []int64{6, 5, 4, 3, 2, 1}) {
				t.Errorf("pages gave %v", got)
			}
		})
	})
}

func TestListAPIErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		tests := []struct {
			name, user, query string
			status            int
			fields            []string
		}{
			{"ErrOtherMissionNotFound", "mina", "mission=MONUSCO", http.StatusNotFound, nil},
			{"ErrViewerForbidden", "vic", "", http.StatusForbidden, nil},
			{"ErrViewerOwnMissionForbidden", "vic", "mission=MINUSCA", http.StatusForbidden, nil},
			{"ErrBadDates", "root", "from=yesterday&to=2024-13-01", http.StatusBadRequest, []string{"from", "to"}},
			{"ErrFromAfterTo", "root", "from=2024-03-03&to=2024-03-01", http.StatusBadRequest, []string{"from"}},
			{"ErrLimit", "root", "limit=0", http.StatusBadRequest, []string{"limit"}},
			{"ErrCursor", "root", "cursor=abc", http.StatusBadRequest, []string{"cursor"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := s.get(t, tt.user, "/api/v1/audit?"+tt.query)
				if res.status != tt.status {
					t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
				var p web.Problem
				if err := json.Unmarshal(res.body, &p); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range p.Errors {
					got = append(got, f.Field)
				}
				if !slices.Equal(got, tt.fields) {
					t.Errorf("fields = %v, want %v", got, tt.fields)
				}
			})
		}
	})
}

func TestVerifyAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		res := s.get(t, "root", "/api/v1/audit/verify")
		if res.status != http.StatusOK {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		var rep audit.Report
		if err := json.Unmarshal(res.body, &rep); err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.Entries < 6 || len(rep.LastHash) != 64 {
			t.Errorf("report = %+v", rep)
		}

		head := mustEntry(t, db, 3)
		res = s.get(t, "root", "/api/v1/audit/verify?seq=3&hash="+head.Hash)
		if err := json.Unmarshal(res.body, &rep); err != nil || res.status != http.StatusOK || !rep.OK() {
			t.Errorf("against a head: status %d, report %+v", res.status, rep)
		}
		if res := s.get(t, "root", "/api/v1/audit/verify?seq=x&hash=nothex"); res.status != http.StatusBadRequest {
			t.Errorf("bad head: status %d", res.status)
		}
		if res := s.get(t, "mina", "/api/v1/audit/verify"); res.status != http.StatusForbidden {
			t.Errorf("mission-admin: status %d", res.status)
		}
	})
}

func TestPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		tests := []struct {
			name, user, path string
			status           int
			want, notWant    []string
		}{
			{"AdminLog", "root", "/audit", http.StatusOK, []string{"Audit log", "E1", "MONUSCO", "login"}, nil},
			{"AdminFiltered", "root", "/audit?entity_type=event&entity_id=E1", http.StatusOK, []string{"E1"}, []string{"E2"}},
			{"AdminFrench", "root", "/audit?lang=fr", http.StatusOK, []string{"Journal d&#39;audit"}, nil},
			{"BadDate", "root", "/audit?from=soon", http.StatusBadRequest, []string{"must be a date", `aria-invalid="true"`}, nil},
			{"MissionAdminMission", "mina", "/missions/MINUSCA/audit", http.StatusOK, []string{"E1"}, []string{"E2"}},
			{"MissionAdminOwnMissions", "mina", "/audit", http.StatusOK, []string{"E1", "All my missions"}, []string{"E2", "MONUSCO"}},
			{"ErrMissionAdminOtherMission", "mina", "/missions/MONUSCO/audit", http.StatusNotFound, nil, []string{"E2"}},
			{"ErrViewer", "vic", "/missions/MINUSCA/audit", http.StatusForbidden, nil, []string{"E1"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := s.get(t, tt.user, tt.path)
				if res.status != tt.status {
					t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
				for _, w := range tt.want {
					if !strings.Contains(string(res.body), w) {
						t.Errorf("page lacks %q", w)
					}
				}
				for _, w := range tt.notWant {
					if strings.Contains(string(res.body), w) {
						t.Errorf("page shows %q", w)
					}
				}
			})
		}
	})
}

func TestRoutesDocumented(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv := web.NewServer(web.Config{DB: db})
	audit.NewService(db).Routes(srv.Router())
	if missing := srv.Router().Undocumented(); len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document: %v", missing)
	}
}

func TestPagesTranslated(t *testing.T) {
	if missing := audit.NewPages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("French catalogue lacks %q", missing)
	}
}
