package results_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/results"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// site is the real server (router, authentication, CSRF, pages) with the
// results routes, the users of the fixture signed in through the API.
type site struct {
	*fixture
	h http.Handler
}

type client struct {
	t       testing.TB
	s       *site
	cookies map[string]string
	csrf    string
}

func newSite(t *testing.T, db *store.DB) *site { return newSiteTB(t, db) }

func newSiteTB(t testing.TB, db *store.DB) *site {
	t.Helper()
	f := newFixture(t, db)
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.results.Routes(srv.Router())
	return &site{fixture: f, h: srv.Handler()}
}

func (s *site) login(t *testing.T, username string) *client { return s.loginTB(t, username) }

func (s *site) loginTB(t testing.TB, username string) *client {
	t.Helper()
	c := &client{t: t, s: s, cookies: map[string]string{}}
	w := c.send("POST", "/api/v1/session", `{"username":"`+username+`","password":"correct horse battery staple"}`, nil)
	var sess web.Session
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &sess) != nil {
		t.Fatalf("login %s: %d %s", username, w.Code, w.Body)
	}
	c.csrf = sess.CSRFToken
	return c
}

func (c *client) send(method, target, body string, h http.Header) *httptest.ResponseRecorder {
	c.t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		r.Header[k] = v
	}
	if c.csrf != "" && method != "GET" {
		r.Header.Set(web.CSRFHeader, c.csrf)
	}
	for name, value := range c.cookies {
		r.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	w := httptest.NewRecorder()
	c.s.h.ServeHTTP(w, r)
	for _, ck := range w.Result().Cookies() {
		c.cookies[ck.Name] = ck.Value
	}
	return w
}

func (c *client) form(target string, v url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	v.Set(web.CSRFField, c.csrf)
	r := httptest.NewRequest("POST", target, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for name, value := range c.cookies {
		r.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	w := httptest.NewRecorder()
	c.s.h.ServeHTTP(w, r)
	return w
}

func want(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return v
}

const api = "/api/v1/missions/MINUSCA/results"

func TestAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		pat, sam, vera, otto := s.login(t, "pat"), s.login(t, "sam"), s.login(t, "vera"), s.login(t, "otto")

		w := pat.send("POST", api+"/objectives", `{"code":"OBJ-1","title":"Civilians are protected","task_ids":["T-POC"]}`, nil)
		want(t, w, http.StatusCreated)
		o := decode[results.Objective](t, w)
		if w.Header().Get("ETag") != `"v1"` {
			t.Fatalf("ETag %q", w.Header().Get("ETag"))
		}
		w = pat.send("POST", api+"/expected", fmt.Sprintf(`{"objective_id":%q,"code":"ER-1","level":"outcome","title":"Fewer attacks"}`, o.ID), nil)
		want(t, w, http.StatusCreated)
		r := decode[results.Result](t, w)

		// Bad input: every problem named, with the field.
		w = pat.send("POST", api+"/indicators", fmt.Sprintf(`{"result_id":%q,"code":"IND-1","name":"Documented","kind":"output","unit":"percentage",
			"baseline_value":20,"baseline_date":"2024-01-01","targets":[{"value":140,"date":"2023-12-31"}],"frequency":"quarterly","section":"HRD"}`, r.ID), nil)
		want(t, w, http.StatusBadRequest)
		p := decode[web.Problem](t, w)
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e.Field+": "+e.Message)
		}
		if len(fields) != 2 || !strings.Contains(fields[0]+fields[1], "140 is not a percentage") || !strings.Contains(fields[0]+fields[1], "is not after the baseline date") {
			t.Fatalf("problem fields %v", fields)
		}
		body := fmt.Sprintf(`{"result_id":%q,"code":"IND-1","name":"Documented","kind":"output","unit":"percentage",
			"baseline_value":20,"baseline_date":"2024-01-01","targets":[{"value":50,"date":"2024-12-31"}],"frequency":"quarterly",
			"dimensions":[{"name":"sex","values":["female","male"]}],"section":"HRD","data_source":"HRD database"}`, r.ID)
		want(t, vera.send("POST", api+"/indicators", body, nil), http.StatusForbidden)
		want(t, otto.send("POST", api+"/indicators", body, nil), http.StatusNotFound)
		w = pat.send("POST", api+"/indicators", body, nil)
		want(t, w, http.StatusCreated)
		in := decode[results.Indicator](t, w)

		want(t, pat.send("PATCH", api+"/indicators/"+in.ID, `{"name":"x"}`, nil), http.StatusPreconditionRequired)
		want(t, pat.send("PATCH", api+"/indicators/"+in.ID, `{"data_source":"HRD case database"}`, http.Header{"If-Match": {`"v1"`}}), http.StatusOK)
		want(t, otto.send("GET", api+"/indicators/"+in.ID, "", nil), http.StatusNotFound)

		// Values: the section enters, a viewer may not, a planner approves.
		want(t, vera.send("POST", api+"/indicators/"+in.ID+"/values", `{"period":"2024-Q2","value":30}`, nil), http.StatusForbidden)
		w = sam.send("POST", api+"/indicators/"+in.ID+"/values", `{"period":"2024-Q2","value":30}`, nil)
		want(t, w, http.StatusCreated)
		m := decode[results.Measurement](t, w)
		w = sam.send("POST", api+"/indicators/"+in.ID+"/values", `{"period":"2024-Q2","value":31,"cell":{"sex":"female"}}`, nil)
		want(t, w, http.StatusCreated)
		female := decode[results.Measurement](t, w)
		want(t, pat.send("POST", api+"/values/"+female.ID+"/decision", `{"state":"approved"}`, http.Header{"If-Match": {`"v1"`}}), http.StatusOK)
		want(t, sam.send("POST", api+"/indicators/"+in.ID+"/values", `{"period":"2024-Q2","value":31,"cell":{"sex":"unknown"}}`, nil), http.StatusBadRequest)
		want(t, sam.send("POST", api+"/values/"+m.ID+"/decision", `{"state":"approved"}`, http.Header{"If-Match": {`"v1"`}}), http.StatusForbidden)
		want(t, pat.send("POST", api+"/values/"+m.ID+"/decision", `{"state":"approved"}`, http.Header{"If-Match": {`"v1"`}}), http.StatusOK)

		w = vera.send("GET", api+"/indicators/"+in.ID+"/values", "", nil)
		want(t, w, http.StatusOK)
		vals := decode[struct {
			Series  []results.Point       `json:"series"`
			Entries []results.Measurement `json:"entries"`
		}](t, w)
		if len(vals.Series) != 1 || vals.Series[0].State != "approved" || len(vals.Entries) != 2 {
			t.Fatalf("values: %+v", vals)
		}
		w = vera.send("GET", api+"/assessment?period=2024-Q2", "", nil)
		want(t, w, http.StatusOK)
		a := decode[results.Assessment](t, w)
		if len(a.Objectives) != 1 || a.Objectives[0].Indicators[0].Status != results.AtRisk {
			// 10/30 progress at 50% of the time: at risk.
			t.Fatalf("assessment: %+v", a.Objectives)
		}
		want(t, vera.send("GET", "/api/v1/results/templates", "", nil), http.StatusOK)

		t.Run("Exports", func(t *testing.T) {
			w := vera.send("GET", api+"/export?format=csv", "", nil)
			want(t, w, http.StatusOK)
			rows, err := csv.NewReader(w.Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 3 || rows[0][6] != "indicator" || rows[1][6] != "IND-1" {
				t.Fatalf("csv rows: %v", rows)
			}
			w = vera.send("GET", api+"/export?format=xlsx", "", nil)
			want(t, w, http.StatusOK)
			book, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			sheet, _ := book.GetRows("Values")
			if len(sheet) != 3 || sheet[1][0] != "IND-1" {
				t.Fatalf("xlsx Values: %v", sheet)
			}
			w = vera.send("GET", api+"/export?format=iati", "", nil)
			want(t, w, http.StatusOK)
			var doc struct {
				Activity struct {
					Results []struct {
						Type       int `xml:"type,attr"`
						Indicators []struct {
							Measure  int `xml:"measure,attr"`
							Baseline struct {
								Value string `xml:"value,attr"`
							} `xml:"baseline"`
							Periods []struct {
								Start struct {
									Date string `xml:"iso-date,attr"`
								} `xml:"period-start"`
								Target struct {
									Value string `xml:"value,attr"`
								} `xml:"target"`
								Actual []struct {
									Value     string `xml:"value,attr"`
									Dimension []struct {
										Name  string `xml:"name,attr"`
										Value string `xml:"value,attr"`
									} `xml:"dimension"`
								} `xml:"actual"`
							} `xml:"period"`
						} `xml:"indicator"`
					} `xml:"result"`
				} `xml:"iati-activity"`
			}
			if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			res := doc.Activity.Results
			if len(res) != 1 || res[0].Type != 2 || res[0].Indicators[0].Measure != 2 || res[0].Indicators[0].Baseline.Value != "20" {
				t.Fatalf("iati: %s", w.Body)
			}
			per := res[0].Indicators[0].Periods
			if len(per) != 1 || per[0].Start.Date != "2024-04-01" || per[0].Target.Value != "50" || per[0].Actual[0].Value != "30" ||
				len(per[0].Actual) != 2 || per[0].Actual[1].Value != "31" || len(per[0].Actual[1].Dimension) != 1 || per[0].Actual[1].Dimension[0].Value != "female" {
				t.Fatalf("iati periods: %s", w.Body)
			}
			want(t, otto.send("GET", api+"/export?format=csv", "", nil), http.StatusNotFound)
			want(t, vera.send("GET", api+"/export?format=pdf", "", nil), http.StatusBadRequest)
		})

		t.Run("Pages", func(t *testing.T) {
			for _, lang := range []string{"en", "fr"} {
				for page, wants := range map[string][]string{
					"/missions/MINUSCA/results?period=2024-Q2":                   {"IND-1", "Protection of civilians", "badge-disputed"},
					"/missions/MINUSCA/results/indicators/" + in.ID:              {"<svg", "<polyline", "sex=female"},
					"/missions/MINUSCA/results/assessment?period=2024-Q2":        {"IND-1", "2024-04-01"},
					"/missions/MINUSCA/results/entry?section=HRD&period=2024-Q3": {"IND-1"},
				} {
					sep := "?"
					if strings.Contains(page, "?") {
						sep = "&"
					}
					w := pat.send("GET", page+sep+"lang="+lang, "", nil)
					want(t, w, http.StatusOK)
					for _, s := range wants {
						if !strings.Contains(w.Body.String(), s) {
							t.Errorf("%s (%s) lacks %q", page, lang, s)
						}
					}
					if lang == "fr" && page == "/missions/MINUSCA/results?period=2024-Q2" && !strings.Contains(w.Body.String(), "Cadre de résultats") {
						t.Errorf("framework page not in French")
					}
				}
			}
			w := otto.send("GET", "/missions/MINUSCA/results", "", nil)
			want(t, w, http.StatusNotFound)
			// Data entry: the section saves a value, a bad one comes back with why.
			w = sam.form("/missions/MINUSCA/results/entry", url.Values{"section": {"HRD"}, "period": {"2024-Q3"}, in.ID + "|": {"35"}, in.ID + "|sex=male": {"140"}})
			want(t, w, http.StatusBadRequest)
			if !strings.Contains(w.Body.String(), "140 is not a percentage") {
				t.Fatalf("entry form error not shown: %s", w.Body)
			}
			vals, err := s.results.FindValues(s.as("vera"), "MINUSCA", in.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(vals, func(m *results.Measurement) bool { return m.Period == "2024-Q3" && m.Cell == "" && m.Value == 35 }) {
				t.Fatalf("the valid cell was not saved")
			}
			// Approval from the indicator page.
			i := slices.IndexFunc(vals, func(m *results.Measurement) bool { return m.Period == "2024-Q3" && m.Cell == "" })
			page := pat.send("GET", "/missions/MINUSCA/results/indicators/"+in.ID, "", nil)
			if !strings.Contains(page.Body.String(), "/results/values/"+vals[i].ID+"/decision") {
				t.Fatalf("no approval form on the indicator page for a planner")
			}
			if strings.Contains(vera.send("GET", "/missions/MINUSCA/results/indicators/"+in.ID, "", nil).Body.String(), "/decision") {
				t.Fatalf("a viewer sees the approval form")
			}
			want(t, vera.form("/missions/MINUSCA/results/values/"+vals[i].ID+"/decision", url.Values{"version": {"1"}, "state": {"approved"}}), http.StatusForbidden)
			want(t, pat.form("/missions/MINUSCA/results/values/"+vals[i].ID+"/decision", url.Values{"version": {"1"}, "state": {"returned"}, "reason": {"add the source"}}), http.StatusSeeOther)
			after, _ := s.results.FindValues(s.as("vera"), "MINUSCA", in.ID)
			if j := slices.IndexFunc(after, func(m *results.Measurement) bool { return m.ID == vals[i].ID }); after[j].State != results.StateReturned || after[j].ReturnReason != "add the source" {
				t.Fatalf("after the form: %+v", after[j])
			}
			w = pat.form("/missions/MINUSCA/results/assessment", url.Values{"objective": {o.ID}, "period": {"2024-Q2"}, "achievements": {"Teams deployed"}})
			want(t, w, http.StatusSeeOther)
			w = vera.form("/missions/MINUSCA/results/assessment", url.Values{"objective": {o.ID}, "period": {"2024-Q3"}, "achievements": {"x"}})
			want(t, w, http.StatusForbidden)
		})
	})
}

func TestUntranslated(t *testing.T) {
	if missing := results.Pages().Untranslated("fr"); len(missing) > 0 {
		t.Errorf("texts without French: %q", missing)
	}
}

func TestRoutesDocumented(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv := web.NewServer(web.Config{DB: db})
	results.NewService(db, nil, results.Options{}).Routes(srv.Router())
	if missing := srv.Router().Undocumented(); len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document: %v", missing)
	}
}

func TestImportValues(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		_, r := s.chain(t)
		in := manual(r)
		if err := s.results.CreateIndicator(s.as("pat"), "MINUSCA", in); err != nil {
			t.Fatal(err)
		}
		pat, sam := s.login(t, "pat"), s.login(t, "sam")
		post := func(c *client, format, body string) *httptest.ResponseRecorder {
			return c.send("POST", api+"/import?format="+format, body, http.Header{"Content-Type": {"text/csv"}})
		}
		good := "indicator,period,cell,value,evidence_note\nIND-1,2024-Q1,,30,report\nIND-1,2024-Q1,sex=female,35,\n"
		want(t, post(sam, "csv", good), http.StatusForbidden)
		// One bad row: nothing imported, every bad row named.
		bad := good + "IND-1,2024-Q2,,140,\nIND-9,2024-Q2,,1,\nIND-1,2024-Q2,sex=other,1,\nIND-1,2024-Q1,,31,\n"
		w := post(pat, "csv", bad)
		want(t, w, http.StatusBadRequest)
		p := decode[web.Problem](t, w)
		got := map[string]string{}
		for _, e := range p.Errors {
			got[e.Field] = e.Message
		}
		for field, msg := range map[string]string{
			"row 4": "value: 140 is not a percentage (0 to 100)",
			"row 5": `indicator: "IND-9" is not an indicator code of MINUSCA`,
			"row 6": `cell.sex: "other" is not a value of sex (allowed: female, male)`,
			"row 7": "period: row 2 already gives IND-1 2024-Q1 (total)",
		} {
			if got[field] != msg {
				t.Errorf("%s: %q, want %q", field, got[field], msg)
			}
		}
		if vals, _ := s.results.FindValues(s.as("vera"), "MINUSCA", in.ID); len(vals) != 0 {
			t.Fatalf("a failed import left %d values", len(vals))
		}
		w = post(pat, "csv", good)
		want(t, w, http.StatusOK)
		if res := decode[results.ImportResult](t, w); res.Imported != 2 {
			t.Fatalf("imported %d", res.Imported)
		}
		// The XLSX export reads back.
		x := pat.send("GET", api+"/export?format=xlsx", "", nil)
		want(t, x, http.StatusOK)
		rows, err := results.ReadValues(bytes.NewReader(x.Body.Bytes()), "xlsx")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[1].Cell != "sex=female" || rows[1].Value != "35" {
			t.Fatalf("rows read back: %+v", rows)
		}
		w = pat.send("POST", api+"/import?format=xlsx", x.Body.String(), http.Header{"Content-Type": {"application/octet-stream"}})
		want(t, w, http.StatusOK)
		want(t, post(pat, "csv", "period,value\n2024-Q1,3\n"), http.StatusBadRequest)

		// The upload form of the entry page.
		upload := func(c *client, name, content string) *httptest.ResponseRecorder {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField(web.CSRFField, c.csrf)
			fw, _ := mw.CreateFormFile("file", name)
			io.WriteString(fw, content)
			mw.Close()
			r := httptest.NewRequest("POST", "/missions/MINUSCA/results/import", &buf)
			r.Header.Set("Content-Type", mw.FormDataContentType())
			for k, v := range c.cookies {
				r.AddCookie(&http.Cookie{Name: k, Value: v})
			}
			w := httptest.NewRecorder()
			s.h.ServeHTTP(w, r)
			return w
		}
		want(t, upload(sam, "values.csv", good), http.StatusForbidden)
		w = upload(pat, "values.csv", "indicator,period,value\nIND-1,2024-Q3,140\n")
		want(t, w, http.StatusBadRequest)
		if !strings.Contains(w.Body.String(), "row 2: value: 140 is not a percentage") {
			t.Fatalf("row error not on the page: %s", w.Body)
		}
		want(t, upload(pat, "values.csv", "indicator,period,value\nIND-1,2024-Q3,40\n"), http.StatusSeeOther)
	})
}
