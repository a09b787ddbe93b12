package conduct_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/audit"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// api is the real server with the conduct and audit routes, a token for a
// holder of every mission role in MINUSCA (named by the role), "both"
// (conduct officer and victims' rights), "admin" (global administrator)
// and "outsider" (conduct officer of MONUSCO). The server's log goes to
// logs.
type api struct {
	*fixture
	h      http.Handler
	tokens map[string]string
	logs   *bytes.Buffer
}

func newAPI(t *testing.T, db *store.DB) *api {
	t.Helper()
	f := newFixture(t, db)
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	logs := &bytes.Buffer{}
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	f.conduct.Routes(srv.Router())
	audit.NewService(db).Routes(srv.Router())
	a := &api{fixture: f, tokens: map[string]string{}, logs: logs}
	type user struct {
		name, mission string
		roles         []peaceops.Role
		admin         bool
	}
	users := []user{{"both", "MINUSCA", []peaceops.Role{peaceops.RoleConductOfficer, peaceops.RoleVictimRights}, false},
		{"admin", "", nil, true}, {"outsider", "MONUSCO", []peaceops.Role{peaceops.RoleConductOfficer}, false}}
	for _, r := range peaceops.Roles {
		users = append(users, user{string(r), "MINUSCA", []peaceops.Role{r}, false})
	}
	for _, u := range users {
		if _, err := acc.CreateUser(f.system, access.UserCreate{Username: u.name, Password: "correct horse battery", Admin: u.admin}); err != nil {
			t.Fatal(err)
		}
		for _, r := range u.roles {
			if err := acc.AddMember(f.system, u.mission, u.name, r); err != nil {
				t.Fatal(err)
			}
		}
		token, _, err := acc.CreateToken(f.system, u.name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[u.name] = token
	}
	a.h = srv.Handler()
	return a
}

// do sends a request as user ("" anonymous) and returns status and body.
func (a *api) do(t *testing.T, user, method, target, body string, headers ...string) (int, string) {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if user != "" {
		r.Header.Set("Authorization", "Bearer "+a.tokens[user])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func (a *api) must(t *testing.T, want int, user, method, target, body string, out any, headers ...string) {
	t.Helper()
	code, got := a.do(t, user, method, target, body, headers...)
	if code != want {
		t.Fatalf("%s %s as %s: %d, want %d: %s", method, target, user, code, want, got)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			t.Fatalf("decode %s: %v", got, err)
		}
	}
}

// Distinctive values of the victim and case written in the tests below.
const (
	victimName  = "Zawadi Nkemelu-Okonkwo"
	victimPhone = "+236 75 42 19 08"
	victimPlace = "Quartier Gbakondji"
	caseSummary = "Summary-Marker-7731 of the case"
)

var victimPhoneDigits = strings.NewReplacer(" ", "", "+", "").Replace(victimPhone)

// seed records a case through the API as the conduct officer and its
// victim with an identity as the victims' rights focal point.
func (a *api) seed(t *testing.T) (caseID, victimID string) {
	t.Helper()
	var c conduct.Allegation
	a.must(t, 201, "conduct-officer", "POST", "/api/v1/missions/MINUSCA/conduct/allegations",
		`{"reported":"2024-03-04","received_via":"hotline","categories":["sexual-abuse"],"personnel_category":"military","perpetrators":1,"nationality":"ZAF","victim_count":1,"summary":"`+caseSummary+`"}`, &c)
	var v conduct.Victim
	a.must(t, 201, "victim-rights", "POST", "/api/v1/missions/MINUSCA/conduct/allegations/"+c.ID+"/victims",
		fmt.Sprintf(`{"sex":"female","age_group":"child","identity":{"name":%q,"contact":%q,"location":%q}}`, victimName, victimPhone, victimPlace), &v,
		"Idempotency-Key", peaceops.NewID())
	if v.Identity != nil || !v.IdentityRecorded {
		t.Fatalf("the write returns %+v", v)
	}
	return c.ID, v.ID
}

// TestNeedToKnow calls every channel that shows cases as every kind of
// caller: only conduct officers and the victims' rights focal point of the
// mission see the case, only the latter the victim's identity, and the
// audit log shows neither to anyone.
func TestNeedToKnow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		id, victim := a.seed(t)
		caseReaders := []string{"conduct-officer", "victim-rights", "both"}
		identityReaders := []string{"victim-rights", "both"}
		callers := []string{"", "admin", "outsider", "both"}
		for _, r := range peaceops.Roles {
			callers = append(callers, string(r))
		}
		base := "/api/v1/missions/MINUSCA/conduct/allegations"
		channels := []struct {
			name, target string
			allowed      []string // callers that get 200
			identity     bool     // the identity may show to identityReaders
		}{
			{"API case", base + "/" + id, caseReaders, true},
			{"API search", base + "?status=pending", caseReaders, false},
			{"CSV export", base + "?format=csv", []string{"conduct-officer", "both"}, false},
			{"case page", "/missions/MINUSCA/conduct/" + id, caseReaders, true},
			{"list page", "/missions/MINUSCA/conduct", caseReaders, false},
			{"audit API", "/api/v1/audit?limit=1000", []string{"admin", "mission-admin"}, false},
			{"audit API of the mission", "/api/v1/audit?mission=MINUSCA&limit=1000", []string{"admin", "mission-admin"}, false},
			{"audit API of the case", "/api/v1/audit?entity_type=victim&limit=1000", []string{"admin", "mission-admin"}, false},
			{"public statistics", "/api/v1/conduct/stats", callers, false},
			{"public statistics CSV", "/api/v1/conduct/stats?format=csv", callers, false},
			{"statistics page", "/conduct/stats", callers, false},
		}
		for _, ch := range channels {
			for _, caller := range callers {
				code, body := a.do(t, caller, "GET", ch.target, "")
				allowed := slices.Contains(ch.allowed, caller)
				if allowed && code != 200 {
					t.Errorf("%s as %q: %d, want 200: %.300s", ch.name, caller, code, body)
				}
				if !allowed && code == 200 {
					t.Errorf("%s as %q: 200, want refused", ch.name, caller)
				}
				showsCase := strings.Contains(body, caseSummary) || (code == 200 && strings.Contains(body, id))
				if showsCase && !slices.Contains(caseReaders, caller) {
					if !(strings.HasPrefix(ch.name, "audit") && !strings.Contains(body, caseSummary)) {
						t.Errorf("%s as %q shows the case", ch.name, caller)
					}
				}
				showsIdentity := strings.Contains(body, victimName) || strings.Contains(body, victimPhone) || strings.Contains(body, victimPlace)
				if showsIdentity && !(ch.identity && slices.Contains(identityReaders, caller)) {
					t.Errorf("%s as %q shows the victim's identity", ch.name, caller)
				}
				if ch.identity && code == 200 && slices.Contains(identityReaders, caller) && !strings.Contains(body, victimName) {
					t.Errorf("%s as %q lacks the identity it may see", ch.name, caller)
				}
				if ch.identity && code == 200 && !slices.Contains(identityReaders, caller) && !strings.Contains(body, "ithheld") {
					t.Errorf("%s as %q does not say the identity is withheld", ch.name, caller)
				}
			}
		}
		// Writing an identity is the victims' rights focal point's alone.
		for _, caller := range callers {
			code, _ := a.do(t, caller, "PUT", base+"/"+id+"/victims/"+victim+"/identity", `{"name":"Other Name"}`)
			if want := slices.Contains(identityReaders, caller); want != (code == 200) {
				t.Errorf("identity PUT as %q: %d", caller, code)
			}
		}
	})
}

// TestNoPlaintextAtRest writes a victim with a distinctive name and phone
// number and looks for them in the SQLite database file and its WAL, in a
// backup made with store Backup, and in the server's log: none may hold
// them in clear.
func TestNoPlaintextAtRest(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, db)
	id, victim := a.seed(t)
	// Read it back (as the focal point: the identity is opened) and change
	// it, so that every path that handles the identity has run.
	var c conduct.Allegation
	a.must(t, 200, "victim-rights", "GET", "/api/v1/missions/MINUSCA/conduct/allegations/"+id, "", &c)
	if len(c.Victims) != 1 || c.Victims[0].Identity == nil || c.Victims[0].Identity.Name != victimName {
		t.Fatalf("the focal point reads %+v", c.Victims)
	}
	a.must(t, 200, "victim-rights", "PUT", "/api/v1/missions/MINUSCA/conduct/allegations/"+id+"/victims/"+victim+"/identity",
		fmt.Sprintf(`{"name":%q,"contact":%q,"location":%q}`, victimName, victimPhone, victimPlace+" Nord"), nil, "Idempotency-Key", peaceops.NewID())
	a.do(t, "victim-rights", "GET", "/missions/MINUSCA/conduct/"+id, "")
	a.do(t, "victim-rights", "PUT", "/api/v1/missions/MINUSCA/conduct/allegations/"+id+"/victims/"+victim+"/identity",
		fmt.Sprintf(`{"name":%q,"contact":"%s"}`, victimName, strings.Repeat("x", 600)))

	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"server log": a.logs.Bytes()}
	for _, name := range []string{dsn, dsn + "-wal", backup} {
		b, err := os.ReadFile(name)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		files[filepath.Base(name)] = b
	}
	if len(files[filepath.Base(dsn)])+len(files[filepath.Base(dsn)+"-wal"]) == 0 || len(files["backup.db"]) == 0 {
		t.Fatal("nothing to search: the database files are empty")
	}
	if !bytes.Contains(files["backup.db"], []byte("hotline")) && !bytes.Contains(files[filepath.Base(dsn)+"-wal"], []byte("hotline")) {
		t.Fatal("the search finds nothing in clear at all: it would not see a leak either")
	}
	for name, b := range files {
		for _, secret := range []string{victimName, "Nkemelu", victimPhone, victimPhoneDigits, victimPlace} {
			if bytes.Contains(b, []byte(secret)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(secret))) {
				t.Errorf("%s holds %q in clear", name, secret)
			}
		}
	}
	if len(a.logs.Bytes()) == 0 {
		t.Error("the server logged nothing: the log search proves nothing")
	}
}

func TestStatsAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		for i := 0; i < 4; i++ {
			a.seed(t)
		}
		// One case of another year: a cell of 1 that must not show.
		a.must(t, 201, "conduct-officer", "POST", "/api/v1/missions/MINUSCA/conduct/allegations",
			`{"reported":"2023-01-04","received_via":"email","categories":["fraud"],"personnel_category":"civilian"}`, nil)
		var st conduct.Statistics
		a.must(t, 200, "", "GET", "/api/v1/conduct/stats", "", &st)
		if st.Threshold != 3 || strings.Join(st.Years, ",") != "2023,2024" {
			t.Fatalf("stats %+v", st)
		}
		for _, p := range st.Tables {
			checkPublished(t, p, 3)
			if p.Key == conduct.TableMission {
				if len(p.Rows) != 1 || p.Rows[0].Cells[0].Text != "<3" || p.Rows[0].Cells[1].Suppressed != true || p.Grand.Text != "5" {
					t.Errorf("mission table %+v", p)
				}
			}
		}
		code, body := a.do(t, "", "GET", "/api/v1/conduct/stats?format=csv", "")
		if code != 200 || !strings.HasPrefix(body, "table,row,year,value\n") || !strings.Contains(body, "mission,MINUSCA,2023,<3") {
			t.Errorf("CSV %d:\n%s", code, body)
		}
		code, body = a.do(t, "", "GET", "/conduct/stats", "", "Accept-Language", "fr")
		if code != 200 || !strings.Contains(body, "Statistiques de conduite") || !strings.Contains(body, "&lt;3") {
			t.Errorf("French page %d", code)
		}
		if code, _ := a.do(t, "", "GET", "/api/v1/conduct/stats?from=x", ""); code != 400 {
			t.Errorf("bad year: %d", code)
		}
	})
}

func TestCaseAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		id, _ := a.seed(t)
		base := "/api/v1/missions/MINUSCA/conduct/allegations/" + id
		code, body := a.do(t, "conduct-officer", "POST", "/api/v1/missions/MINUSCA/conduct/allegations", `{"reported":"2024-03-04","categories":["theft"]}`)
		if code != 400 || !strings.Contains(body, "received_via") || !strings.Contains(body, "categories[0]") || !strings.Contains(body, "personnel_category") {
			t.Errorf("invalid create: %d %s", code, body)
		}
		if code, _ := a.do(t, "conduct-officer", "PATCH", base, `{"summary":"x"}`); code != 428 {
			t.Errorf("PATCH without If-Match: %d", code)
		}
		var c conduct.Allegation
		a.must(t, 200, "conduct-officer", "PATCH", base, `{"investigation":{"entity":"oios","status":"under-investigation","opened":"2024-03-05"}}`, &c, "If-Match", `"v1"`)
		if c.Version != 2 || c.Indicators == nil || c.Indicators.TargetDays != 90 {
			t.Errorf("patched %+v", c)
		}
		a.must(t, 201, "conduct-officer", "POST", base+"/actions", `{"action":"repatriation","taken_on":"2024-04-01"}`, nil)
		a.must(t, 201, "conduct-officer", "POST", base+"/victims", `{"sex":"male","age_group":"adult"}`, nil)
		if code, _ := a.do(t, "conduct-officer", "POST", base+"/victims", `{"identity":{"name":"N"}}`); code != 403 {
			t.Errorf("conduct officer writes an identity: %d", code)
		}
		code, body = a.do(t, "conduct-officer", "GET", "/missions/MINUSCA/conduct/"+id, "")
		if code != 200 || !strings.Contains(body, "Withheld") || !strings.Contains(body, "Repatriation") || !strings.Contains(body, "Timeline") {
			t.Errorf("case page %d", code)
		}
		code, body = a.do(t, "conduct-officer", "GET", "/api/v1/missions/MINUSCA/conduct/allegations?format=csv", "")
		if code != 200 || !strings.Contains(body, id) || !strings.Contains(body, "under-investigation") {
			t.Errorf("CSV %d %s", code, body)
		}
		// Use of force through the API.
		var fr conduct.ForceReport
		a.must(t, 201, "reporter", "POST", "/api/v1/missions/MINUSCA/conduct/use-of-force",
			`{"unit":"BANBATT","occurred_at":"2024-01-02T10:00:00Z","force_type":"lethal","killed":1}`, &fr)
		if !slices.Contains(fr.Flags, "no-legal-basis") || !slices.Contains(fr.Flags, "review-overdue") {
			t.Errorf("flags %v", fr.Flags)
		}
		a.must(t, 200, "conduct-officer", "POST", "/api/v1/missions/MINUSCA/conduct/use-of-force/"+fr.ID+"/review",
			`{"by":"Force Commander","finding":"not-within-roe"}`, &fr, "If-Match", `"v1"`)
		code, body = a.do(t, "analyst", "GET", "/api/v1/missions/MINUSCA/conduct/use-of-force/summary?format=csv", "")
		if code != 200 || !strings.Contains(body, "2024-01,BANBATT,1,1,1,0,1,0,1") {
			t.Errorf("summary CSV %d %s", code, body)
		}
		if code, body := a.do(t, "analyst", "GET", "/missions/MINUSCA/use-of-force", ""); code != 200 || !strings.Contains(body, "BANBATT") {
			t.Errorf("use-of-force page %d", code)
		}
		// The form.
		v := url.Values{"reported": {"2024-05-01"}, "received_via": {"hotline"}, "categories": {"fraud"}, "personnel_category": {"civilian"}, "perpetrators": {"x"}}
		r := httptest.NewRequest("POST", "/missions/MINUSCA/conduct", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", "Bearer "+a.tokens["conduct-officer"])
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, r)
		if w.Code != 422 || !strings.Contains(w.Body.String(), "must be a whole number") {
			t.Errorf("bad form: %d", w.Code)
		}
		_ = io.Discard
	})
}

func TestStatsThreshold(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		for i := 0; i < 4; i++ {
			a.seed(t)
		}
		for _, tt := range []struct {
			query, grand string
		}{{"", "4"}, {"?threshold=2", "4"}, {"?threshold=5", "<5"}} {
			var st conduct.Statistics
			a.must(t, 200, "", "GET", "/api/v1/conduct/stats"+tt.query, "", &st)
			if st.Tables[0].Grand.Text != tt.grand {
				t.Errorf("%s: grand total %q, want %q", tt.query, st.Tables[0].Grand.Text, tt.grand)
			}
		}
		if code, _ := a.do(t, "", "GET", "/api/v1/conduct/stats?threshold=0", ""); code != 400 {
			t.Errorf("threshold 0: %d", code)
		}
	})
}

// TestCaseForms drives the forms of the case page as a browser would
// (without JavaScript): record an action, move the investigation on, add
// a victim with an identity.
func TestCaseForms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		id, _ := a.seed(t)
		post := func(user, path string, v url.Values) (int, string) {
			r := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", "Bearer "+a.tokens[user])
			w := httptest.NewRecorder()
			a.h.ServeHTTP(w, r)
			return w.Code, w.Header().Get("Location")
		}
		page := "/missions/MINUSCA/conduct/" + id
		for _, tt := range []struct {
			name, user, path string
			form             url.Values
			status           int
		}{
			{"Action", "conduct-officer", page + "/actions", url.Values{"action": {"ban"}, "taken_on": {"2024-05-02"}}, 303},
			{"Investigation", "conduct-officer", page + "/investigation", url.Values{"version": {"1"}, "entity": {"siu"}, "status": {"under-investigation"}, "opened": {"2024-03-06"}}, 303},
			{"Victim", "victim-rights", page + "/victims", url.Values{"sex": {"male"}, "age_group": {"adult"}, "name": {"Form Person"}}, 303},
			{"Refused identity", "conduct-officer", page + "/victims", url.Values{"name": {"X"}}, 403},
			{"Not a reader", "mission-admin", page + "/actions", url.Values{"action": {"ban"}, "taken_on": {"2024-05-02"}}, 404},
		} {
			code, loc := post(tt.user, tt.path, tt.form)
			if code != tt.status || (code == 303 && loc != page) {
				t.Errorf("%s: %d %q, want %d", tt.name, code, loc, tt.status)
			}
		}
		var c conduct.Allegation
		a.must(t, 200, "victim-rights", "GET", "/api/v1/missions/MINUSCA/conduct/allegations/"+id, "", &c)
		if len(c.Actions) != 1 || c.Investigation.Entity != "siu" || len(c.Victims) != 2 || c.Victims[1].Identity == nil || c.Victims[1].Identity.Name != "Form Person" {
			t.Errorf("after the forms: %+v", c)
		}
	})
}
