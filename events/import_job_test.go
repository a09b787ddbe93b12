package events_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/jobs"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// importSite is the real server with the import pages and API, the job
// routes and a running job runner, over a fixture with the users boss
// (mission-admin of MINUSCA), ana (analyst of MINUSCA), rita (reporter of
// MINUSCA) and otto (mission-admin of MONUSCO).
type importSite struct {
	*fixture
	runner  *jobs.Runner
	handler http.Handler
}

func newImportSite(t *testing.T, db *store.DB) *importSite {
	t.Helper()
	f := newFixture(t, db)
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	for _, m := range []struct {
		user, mission string
		role          peaceops.Role
	}{
		{"boss", "MINUSCA", peaceops.RoleMissionAdmin}, {"ana", "MINUSCA", peaceops.RoleAnalyst},
		{"rita", "MINUSCA", peaceops.RoleReporter}, {"otto", "MONUSCO", peaceops.RoleMissionAdmin},
	} {
		if _, err := acc.CreateUser(f.system, access.UserCreate{Username: m.user, Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		if err := acc.AddMember(f.system, m.mission, m.user, m.role); err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	runner := jobs.NewRunner(db, logger, 1)
	runner.PollEvery = 20 * time.Millisecond
	events.RegisterImportJob(runner, f.events)
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: logger})
	runner.Routes(srv.Router())
	events.ImportRoutes(srv.Router(), runner, f.events)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runner.Start(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &importSite{fixture: f, runner: runner, handler: srv.Handler()}
}

// importUser is a signed-in browser.
type importUser struct {
	*pageUser
}

func (s *importSite) login(t *testing.T, username string) importUser {
	t.Helper()
	// pageUser drives any handler; it needs only the site's handler.
	ps := &pageSite{fixture: s.fixture, handler: s.handler}
	return importUser{ps.login(t, username)}
}

// upload posts the import form as a browser does: multipart, with the
// session's CSRF token, the file and the other fields.
func (u importUser) upload(target, filename string, file []byte, fields map[string]string) *httptest.ResponseRecorder {
	u.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField(web.CSRFField, u.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			u.t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	r := httptest.NewRequest("POST", target, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return u.do(r)
}

// postFile sends file to the import API with the session and its CSRF
// header.
func (u importUser) postFile(target, contentType string, file []byte) *httptest.ResponseRecorder {
	u.t.Helper()
	r := httptest.NewRequest("POST", target, bytes.NewReader(file))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set(web.CSRFHeader, u.csrf)
	return u.do(r)
}

// importJob is the API's view of an import job.
type importJob struct {
	ID       string                  `json:"id"`
	Kind     string                  `json:"kind"`
	Mission  string                  `json:"mission"`
	Status   string                  `json:"status"`
	Progress int                     `json:"progress"`
	Result   *events.ImportJobResult `json:"result"`
	Error    *jobs.Failure           `json:"error"`
}

// follow polls the job at the API location until it has finished.
func (u importUser) follow(location string) importJob {
	u.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		w := u.get(location)
		pageStatus(u.t, w, http.StatusOK)
		var j importJob
		if err := json.Unmarshal(w.Body.Bytes(), &j); err != nil {
			u.t.Fatalf("job %s: %v", w.Body, err)
		}
		if j.Status == "succeeded" || j.Status == "failed" || j.Status == "cancelled" {
			return j
		}
		if time.Now().After(deadline) {
			u.t.Fatalf("job %s still %s after the deadline", j.ID, j.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantRedirectToJob checks w redirects to a job page and returns the
// job's API location.
func wantRedirectToJob(t *testing.T, w *httptest.ResponseRecorder) (page, api string) {
	t.Helper()
	pageStatus(t, w, http.StatusSeeOther)
	page = w.Header().Get("Location")
	id, ok := strings.CutPrefix(page, "/jobs/")
	if !ok || !peaceops.ValidID(id) {
		t.Fatalf("Location = %q, want /jobs/{id}", page)
	}
	return page, "/api/v1/jobs/" + id
}

// TestImportPageUCDP uploads the UCDP GED v23.1 events of the Central
// African Republic (GeoJSON, 1,848 events) through the page, follows the
// job to its end, then imports the same file again as a dry run.
func TestImportPageUCDP(t *testing.T) {
	file, err := os.ReadFile(filepath.Join("..", "demo", "data", "GEDEvent_v23_1_CAF.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newImportSite(t, db)
		boss := s.login(t, "boss")

		w := boss.get("/missions/MINUSCA/events/import")
		pageStatus(t, w, http.StatusOK)
		pageHas(t, w, `enctype="multipart/form-data"`, `name="`+web.CSRFField+`"`, `type="file"`, `<option value="ucdp" selected>`, `name="dry_run"`)

		w = boss.upload("/missions/MINUSCA/events/import", "GEDEvent_v23_1_CAF.geojson", file, map[string]string{"format": "ucdp"})
		page, api := wantRedirectToJob(t, w)
		w = boss.get(page)
		pageStatus(t, w, http.StatusOK)
		pageHas(t, w, "Import started: this page shows how it goes.", "Import of events")

		j := boss.follow(api)
		if j.Status != "succeeded" || j.Error != nil || j.Kind != events.ImportJobKind || j.Mission != "MINUSCA" {
			t.Fatalf("job %s %+v", j.Status, j.Error)
		}
		want := events.ImportJobResult{Format: "ucdp", File: "GEDEvent_v23_1_CAF.geojson", Read: 1848, Created: 1848}
		if j.Result == nil || *j.Result != want {
			t.Fatalf("result %+v, want %+v", j.Result, want)
		}
		if n := countEvents(t, s.fixture); n != 1848 {
			t.Fatalf("%d events stored, want 1848", n)
		}
		w = boss.get(page)
		pageHas(t, w, "Succeeded", "<dt>Created</dt>", "<dd>1848</dd>")
		pageLacks(t, w, "http-equiv")

		t.Run("DryRunAgain", func(t *testing.T) {
			w := boss.upload("/missions/MINUSCA/events/import", "GEDEvent_v23_1_CAF.geojson", file, map[string]string{"format": "ucdp", "dry_run": "true"})
			_, api := wantRedirectToJob(t, w)
			j := boss.follow(api)
			want := events.ImportJobResult{Format: "ucdp", File: "GEDEvent_v23_1_CAF.geojson", DryRun: true, Read: 1848, Unchanged: 1848}
			if j.Status != "succeeded" || j.Result == nil || *j.Result != want {
				t.Fatalf("dry run: %s %+v %+v", j.Status, j.Result, j.Error)
			}
		})
	})
}

// TestImportBrokenFile: a file with bad rows fails with every bad row and
// its line, and writes nothing.
func TestImportBrokenFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newImportSite(t, db)
		boss := s.login(t, "boss")
		file := csvText(t,
			ucdpHeader,
			ucdpRow(map[string]string{"id": "1"}), // line 2: good
			ucdpRow(map[string]string{"id": "2", "date_start": ""}),    // 3
			ucdpRow(map[string]string{"id": "3"}),                      // 4: good
			ucdpRow(map[string]string{"id": "4", "latitude": "95.5"}),  // 5
			ucdpRow(map[string]string{"id": "5", "best": "many"}),      // 6
			ucdpRow(map[string]string{"id": "6", "longitude": "east"}), // 7
		)

		w := boss.postFile("/api/v1/missions/MINUSCA/events/import?format=ucdp&name=broken.csv", "text/csv", []byte(file))
		pageStatus(t, w, http.StatusAccepted)
		loc := w.Header().Get("Location")
		if !strings.HasPrefix(loc, "/api/v1/jobs/") {
			t.Fatalf("Location = %q", loc)
		}
		j := boss.follow(loc)
		if j.Status != "failed" || j.Error == nil || j.Error.Code != peaceops.EINVALID {
			t.Fatalf("job %s %+v, want failed as invalid", j.Status, j.Error)
		}
		var lines []int
		for _, p := range j.Error.Errors {
			if p.Message == "" {
				t.Errorf("problem without a reason: %+v", p)
			}
			lines = append(lines, p.Line)
		}
		if got := jsonString(t, lines); got != "[3,5,6,7]" {
			t.Errorf("bad lines %s, want [3,5,6,7]; problems %+v", got, j.Error.Errors)
		}
		if !strings.Contains(j.Error.Message, "nothing was imported") {
			t.Errorf("message %q", j.Error.Message)
		}
		if n := countEvents(t, s.fixture); n != 0 {
			t.Errorf("%d events stored, want none", n)
		}
		if n := countAudit(t, db, "import"); n != 0 {
			t.Errorf("%d import audit entries, want none", n)
		}

		w = boss.get("/jobs/" + j.ID)
		pageStatus(t, w, http.StatusOK)
		pageHas(t, w, "Failed", "4 of 6 rows are bad: nothing was imported", "line 3", "line 5", "line 6", "line 7", "<code>date_start</code>")

		t.Run("NotAFile", func(t *testing.T) {
			w := boss.upload("/missions/MINUSCA/events/import", "notes.csv", []byte("just,some\ncolumns,here\n"), map[string]string{"format": "ucdp"})
			_, api := wantRedirectToJob(t, w)
			j := boss.follow(api)
			if j.Status != "failed" || j.Error == nil || j.Error.Code != peaceops.EINVALID || !strings.Contains(j.Error.Message, "missing column") {
				t.Fatalf("job %s %+v", j.Status, j.Error)
			}
		})
	})
}

func TestImportAccessAndInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newImportSite(t, db)
		boss, ana, rita, otto := s.login(t, "boss"), s.login(t, "ana"), s.login(t, "rita"), s.login(t, "otto")
		csv := []byte(csvText(t, ucdpHeader, ucdpRow(nil)))
		const form, api = "/missions/MINUSCA/events/import", "/api/v1/missions/MINUSCA/events/import?format=ucdp"

		for _, tt := range []struct {
			name   string
			w      *httptest.ResponseRecorder
			status int
			text   string
		}{
			{"ErrFormReporter", rita.get(form), http.StatusForbidden, "your role does not allow importing events into this mission"},
			{"ErrFormOtherMission", otto.get(form), http.StatusNotFound, ""},
			{"ErrFormUnknownMission", boss.get("/missions/NOPE/events/import"), http.StatusNotFound, ""},
			{"ErrUploadReporter", rita.upload(form, "a.csv", csv, map[string]string{"format": "ucdp"}), http.StatusForbidden, ""},
			{"ErrUploadOtherMission", otto.upload(form, "a.csv", csv, map[string]string{"format": "ucdp"}), http.StatusNotFound, ""},
			{"ErrUploadNoFile", boss.upload(form, "", nil, map[string]string{"format": "ucdp"}), http.StatusBadRequest, "Choose a file to import."},
			{"ErrUploadEmptyFile", boss.upload(form, "a.csv", nil, map[string]string{"format": "ucdp"}), http.StatusBadRequest, "The file is empty."},
			{"ErrUploadFormat", boss.upload(form, "a.csv", csv, map[string]string{"format": "xlsx"}), http.StatusBadRequest, "Choose the format of the file."},
			{"ErrAPIReporter", rita.postFile(api, "text/csv", csv), http.StatusForbidden, ""},
			{"ErrAPIOtherMission", otto.postFile(api, "text/csv", csv), http.StatusNotFound, ""},
			{"ErrAPIFormat", boss.postFile("/api/v1/missions/MINUSCA/events/import?format=xlsx", "text/csv", csv), http.StatusBadRequest, `"field":"format"`},
			{"ErrAPIContentType", boss.postFile(api, "multipart/form-data; boundary=x", csv), http.StatusBadRequest, `"field":"Content-Type"`},
			{"ErrAPIEmpty", boss.postFile(api, "text/csv", nil), http.StatusBadRequest, `"field":"body"`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				pageStatus(t, tt.w, tt.status)
				if tt.text != "" {
					pageHas(t, tt.w, tt.text)
				}
			})
		}
		t.Run("ErrAnonymous", func(t *testing.T) {
			w := httptest.NewRecorder()
			s.handler.ServeHTTP(w, httptest.NewRequest("GET", form, nil))
			pageStatus(t, w, http.StatusSeeOther)
		})
		t.Run("ErrOtherUserSeesNoJob", func(t *testing.T) {
			w := boss.postFile(api+"&dry_run=true", "text/csv", csv)
			pageStatus(t, w, http.StatusAccepted)
			j := boss.follow(w.Header().Get("Location"))
			if j.Status != "succeeded" || j.Result == nil || !j.Result.DryRun || j.Result.Created != 1 {
				t.Fatalf("dry run %s %+v %+v", j.Status, j.Result, j.Error)
			}
			pageStatus(t, ana.get("/api/v1/jobs/"+j.ID), http.StatusNotFound)
			pageStatus(t, rita.get("/jobs/"+j.ID), http.StatusNotFound)
			pageStatus(t, otto.get("/jobs/"+j.ID), http.StatusNotFound)
		})
		if n := countEvents(t, s.fixture); n != 0 {
			t.Errorf("%d events stored, want none", n)
		}
	})
}

func TestImportPagesTranslated(t *testing.T) {
	if missing := events.NewImportPages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("no French for %q", missing)
	}
}
