package events_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
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
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

// api is the real server (router, authentication, problem+json) with the
// events routes, and an API token for each of the users boss
// (mission-admin of MINUSCA), ana (analyst), vera (viewer) and otto
// (mission-admin of MONUSCO).
type api struct {
	*fixture
	srv    *web.Server
	h      http.Handler
	tokens map[string]string
}

func newAPI(t *testing.T, db *store.DB) *api {
	t.Helper()
	f := newFixture(t, db)
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.events.Routes(srv.Router())
	a := &api{fixture: f, srv: srv, tokens: map[string]string{}}
	for _, u := range []struct {
		name, mission string
		role          peaceops.Role
	}{
		{"boss", "MINUSCA", peaceops.RoleMissionAdmin},
		{"ana", "MINUSCA", peaceops.RoleAnalyst},
		{"vera", "MINUSCA", peaceops.RoleViewer},
		{"otto", "MONUSCO", peaceops.RoleMissionAdmin},
	} {
		if _, err := acc.CreateUser(f.system, access.UserCreate{Username: u.name, Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		if err := acc.AddMember(f.system, u.mission, u.name, u.role); err != nil {
			t.Fatal(err)
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

type response struct {
	*httptest.ResponseRecorder
	t *testing.T
}

// do sends a request as user ("" for anonymous) with a JSON body when body
// is not "", and headers as name, value pairs.
func (a *api) do(t *testing.T, user, method, target, body string, headers ...string) response {
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

// problem returns the field names of a problem+json response.
func (r response) problem() []string {
	r.t.Helper()
	if ct := r.Header().Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("Content-Type %q, want a problem", ct)
	}
	var p web.Problem
	r.decode(&p)
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
	}
	return fields
}

const base = "/api/v1/missions/MINUSCA/events"

// eventBody is the JSON of e as a client sends it (the zero
// classification has no text form: the service's default is internal).
func eventBody(t *testing.T, e *events.Event) string {
	t.Helper()
	if e.Classification == 0 {
		e.Classification = peaceops.Internal
	}
	return jsonString(t, e)
}

func (a *api) post(t *testing.T, user string, e *events.Event) *events.Event {
	t.Helper()
	var got events.Event
	a.do(t, user, "POST", base, eventBody(t, e)).want(http.StatusCreated).decode(&got)
	return &got
}

func TestEventsAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db)
		var first events.Event
		t.Run("Create", func(t *testing.T) {
			res := a.do(t, "ana", "POST", base, eventBody(t, clash("Clash in Bambari")), "Idempotency-Key", "k-1").want(http.StatusCreated).decode(&first)
			if res.Header().Get("ETag") != `"v1"` || res.Header().Get("Location") != base+"/"+first.ID || first.Mission != "MINUSCA" {
				t.Fatalf("headers %v, event %+v", res.Header(), first)
			}
			var again events.Event
			a.do(t, "ana", "POST", base, eventBody(t, clash("Clash in Bambari")), "Idempotency-Key", "k-1").want(http.StatusCreated).decode(&again)
			if again.ID != first.ID {
				t.Errorf("a retried POST created %s besides %s", again.ID, first.ID)
			}
		})
		t.Run("CreateFieldErrors", func(t *testing.T) {
			body := `{"type":"battles.none","title":"","start":"2023-05-02T00:00:00Z","end":"2023-05-01T00:00:00Z","date_precision":"day","fatalities":{"low":1,"best":0,"high":0}}`
			fields := a.do(t, "ana", "POST", base, body).want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"type", "title", "end", "fatalities.low"}) {
				t.Errorf("fields %v", fields)
			}
			fields = a.do(t, "ana", "POST", base, `{"title":"x","start":"yesterday"}`).want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"start"}) {
				t.Errorf("fields %v", fields)
			}
			fields = a.do(t, "ana", "POST", base, `{"title":"x","colour":"red"}`).want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"colour"}) {
				t.Errorf("fields %v", fields)
			}
		})
		t.Run("CreateForbidden", func(t *testing.T) {
			a.do(t, "vera", "POST", base, eventBody(t, clash("Viewer"))).want(http.StatusForbidden)
			a.do(t, "otto", "POST", base, eventBody(t, clash("Other"))).want(http.StatusNotFound)
			a.do(t, "", "POST", base, eventBody(t, clash("Anonymous"))).want(http.StatusUnauthorized)
		})
		second := a.post(t, "ana", clash("Attack on Ndélé market", func(e *events.Event) {
			e.Type = events.Attack
			e.Start, e.End = day(2023, 6, 10), day(2023, 6, 10)
			e.Location = &geo.Point{Lon: 20.6467, Lat: 8.4092}
			e.Fatalities = events.Exactly(7)
		}))
		secret := a.post(t, "boss", clash("Secret", func(e *events.Event) { e.Classification = peaceops.Confidential }))
		t.Run("Get", func(t *testing.T) {
			var got events.Event
			res := a.do(t, "vera", "GET", base+"/"+first.ID, "").want(http.StatusOK).decode(&got)
			if res.Header().Get("ETag") != `"v1"` || got.Title != "Clash in Bambari" {
				t.Errorf("got %+v, ETag %q", got, res.Header().Get("ETag"))
			}
			a.do(t, "vera", "GET", base+"/"+secret.ID, "").want(http.StatusNotFound)
			a.do(t, "otto", "GET", base+"/"+first.ID, "").want(http.StatusNotFound)
			a.do(t, "vera", "GET", base+"/nonsense", "").want(http.StatusNotFound)
		})
		t.Run("List", func(t *testing.T) {
			var page web.List[events.Event]
			a.do(t, "vera", "GET", base+"?limit=1", "").want(http.StatusOK).decode(&page)
			if len(page.Items) != 1 || page.Items[0].ID != second.ID || page.NextCursor == "" {
				t.Fatalf("first page %+v", page)
			}
			var next web.List[events.Event]
			a.do(t, "vera", "GET", base+"?limit=1&cursor="+url.QueryEscape(page.NextCursor), "").want(http.StatusOK).decode(&next)
			if len(next.Items) != 1 || next.Items[0].ID != first.ID || next.NextCursor != "" {
				t.Fatalf("second page %+v", next)
			}
			var all web.List[events.Event]
			a.do(t, "boss", "GET", base, "").want(http.StatusOK).decode(&all)
			if len(all.Items) != 3 {
				t.Errorf("mission-admin sees %d events", len(all.Items))
			}
			var filtered web.List[events.Event]
			q := url.Values{"bbox": {"20,8,21,9"}, "from": {"2023-06-10"}, "to": {"2023-06-10"}, "type": {"violence_against_civilians,battles"},
				"q": {"ndele"}, "min_fatalities": {"5"}, "actor": {"upc"}, "status": {"reported"}}
			a.do(t, "vera", "GET", base+"?"+q.Encode(), "").want(http.StatusOK).decode(&filtered)
			if len(filtered.Items) != 1 || filtered.Items[0].ID != second.ID {
				t.Errorf("filtered %+v", filtered.Items)
			}
			a.do(t, "otto", "GET", base, "").want(http.StatusNotFound)
			a.do(t, "", "GET", base, "").want(http.StatusUnauthorized)
		})
		t.Run("ListFieldErrors", func(t *testing.T) {
			fields := a.do(t, "vera", "GET", base+"?bbox=1,2,3&from=soon&type=nope&min_fatalities=x", "").want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"bbox", "from", "min_fatalities"}) {
				t.Errorf("fields %v", fields)
			}
			fields = a.do(t, "vera", "GET", base+"?type=nope&limit=5000", "").want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"limit"}) {
				t.Errorf("fields %v", fields)
			}
			fields = a.do(t, "vera", "GET", base+"?type=nope", "").want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"type"}) {
				t.Errorf("fields %v", fields)
			}
			fields = a.do(t, "vera", "GET", base+"?format=xlsx", "").want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"format"}) {
				t.Errorf("fields %v", fields)
			}
		})
		t.Run("ExportCSV", func(t *testing.T) {
			res := a.do(t, "vera", "GET", base, "", "Accept", "text/csv").want(http.StatusOK)
			if ct := res.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
				t.Fatalf("Content-Type %q", ct)
			}
			rows, err := csv.NewReader(res.Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 3 || rows[0][0] != "id" || rows[1][0] != second.ID || rows[2][0] != first.ID {
				t.Errorf("CSV rows %v", rows)
			}
		})
		t.Run("ExportHXL", func(t *testing.T) {
			res := a.do(t, "boss", "GET", base+"?format=hxl&type=battles", "").want(http.StatusOK)
			r, err := events.NewReader(events.FormatHXL, res.Body)
			if err != nil {
				t.Fatal(err)
			}
			evs, rowErrs, err := events.ReadAll(r)
			if err != nil || len(rowErrs) != 0 || len(evs) != 2 {
				t.Fatalf("read back %d events, %v, %v", len(evs), rowErrs, err)
			}
		})
		t.Run("ExportGeoJSON", func(t *testing.T) {
			res := a.do(t, "vera", "GET", base+"?format=geojson", "").want(http.StatusOK)
			if ct := res.Header().Get("Content-Type"); ct != web.MediaGeoJSON {
				t.Fatalf("Content-Type %q", ct)
			}
			var fc geo.FeatureCollection
			res.decode(&fc)
			if len(fc.Features) != 2 || fc.Features[0].Geometry == nil {
				t.Errorf("features %+v", fc.Features)
			}
			a.do(t, "otto", "GET", base, "", "Accept", "application/geo+json").want(http.StatusNotFound).problem()
		})
		t.Run("Patch", func(t *testing.T) {
			path := base + "/" + first.ID
			a.do(t, "ana", "PATCH", path, `{"title":"Clash at the bridge"}`).want(http.StatusPreconditionRequired)
			a.do(t, "ana", "PATCH", path, `{"title":"Clash at the bridge"}`, "If-Match", `"v9"`).want(http.StatusPreconditionFailed)
			a.do(t, "vera", "PATCH", path, `{"title":"Clash at the bridge"}`, "If-Match", `"v1"`).want(http.StatusForbidden)
			fields := a.do(t, "ana", "PATCH", path, `{"title":""}`, "If-Match", `"v1"`).want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"title"}) {
				t.Errorf("fields %v", fields)
			}
			var got events.Event
			res := a.do(t, "ana", "PATCH", path, `{"title":"Clash at the bridge"}`, "If-Match", `"v1"`).want(http.StatusOK).decode(&got)
			if got.Title != "Clash at the bridge" || res.Header().Get("ETag") != `"v2"` {
				t.Errorf("patched %+v", got)
			}
		})
		t.Run("Verify", func(t *testing.T) {
			path := base + "/" + first.ID + "/verify"
			a.do(t, "ana", "POST", path, `{"status":"verified"}`).want(http.StatusPreconditionRequired)
			fields := a.do(t, "ana", "POST", path, `{"status":"rejected"}`, "If-Match", `"v2"`).want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"reason"}) {
				t.Errorf("fields %v", fields)
			}
			a.do(t, "vera", "POST", path, `{"status":"verified"}`, "If-Match", `"v2"`).want(http.StatusForbidden)
			var got events.Event
			res := a.do(t, "ana", "POST", path, `{"status":"verified","reason":"two patrols"}`, "If-Match", `"v2"`).want(http.StatusOK).decode(&got)
			if got.Status != events.StatusVerified || got.Verification == nil || got.Verification.By != "ana" || res.Header().Get("ETag") != `"v3"` {
				t.Errorf("verified %+v", got)
			}
		})
		t.Run("Links", func(t *testing.T) {
			path := base + "/" + second.ID + "/links"
			var l events.Link
			a.do(t, "ana", "POST", path, `{"other":"`+first.ID+`","relation":"follow_up"}`).want(http.StatusCreated).decode(&l)
			if l.Event != second.ID || l.Other != first.ID || l.CreatedBy != "ana" {
				t.Errorf("link %+v", l)
			}
			a.do(t, "ana", "POST", path, `{"other":"`+first.ID+`","relation":"follow_up"}`).want(http.StatusConflict)
			fields := a.do(t, "ana", "POST", path, `{"other":"`+first.ID+`","relation":"cousin"}`).want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"relation"}) {
				t.Errorf("fields %v", fields)
			}
			var links web.List[events.Link]
			a.do(t, "vera", "GET", base+"/"+first.ID+"/links", "").want(http.StatusOK).decode(&links)
			if len(links.Items) != 1 {
				t.Errorf("links %+v", links)
			}
		})
		t.Run("Stats", func(t *testing.T) {
			var s struct {
				Items []events.StatsRow `json:"items"`
			}
			a.do(t, "vera", "GET", base+"/stats?by=type&interval=month", "").want(http.StatusOK).decode(&s)
			if len(s.Items) != 2 || s.Items[0].Key != string(events.ArmedClash) || s.Items[0].Period.String() != "2023-05-01" ||
				s.Items[1].Fatalities != 7 || s.Items[1].Label != "Attack" {
				t.Errorf("stats %+v", s.Items)
			}
			a.do(t, "boss", "GET", base+"/stats", "").want(http.StatusOK).decode(&s)
			if len(s.Items) != 1 || s.Items[0].Events != 3 {
				t.Errorf("mission-admin totals %+v", s.Items)
			}
			res := a.do(t, "vera", "GET", base+"/stats?by=type", "", "Accept", "text/csv").want(http.StatusOK)
			rows, err := csv.NewReader(res.Body).ReadAll()
			if err != nil || len(rows) != 3 || rows[0][3] != "events" {
				t.Errorf("CSV %v %v", rows, err)
			}
			fields := a.do(t, "vera", "GET", base+"/stats?by=colour&interval=day", "").want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"interval", "by"}) {
				t.Errorf("fields %v", fields)
			}
			a.do(t, "otto", "GET", base+"/stats", "").want(http.StatusNotFound)
		})
		t.Run("Grid", func(t *testing.T) {
			var g struct {
				Zoom  int           `json:"zoom"`
				Cells []events.Cell `json:"cells"`
			}
			a.do(t, "vera", "GET", base+"/grid?bbox=14,2,28,11&zoom=7", "").want(http.StatusOK).decode(&g)
			if g.Zoom != 7 || len(g.Cells) != 2 {
				t.Errorf("grid %+v", g)
			}
			a.do(t, "boss", "GET", base+"/grid?bbox=14,2,28,11&zoom=0", "").want(http.StatusOK).decode(&g)
			if len(g.Cells) != 1 || g.Cells[0].Count != 3 {
				t.Errorf("mission-admin grid %+v", g)
			}
			fields := a.do(t, "vera", "GET", base+"/grid", "").want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"zoom"}) {
				t.Errorf("fields %v", fields)
			}
			fields = a.do(t, "vera", "GET", base+"/grid?zoom=3", "").want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"bbox"}) {
				t.Errorf("fields %v", fields)
			}
		})
		t.Run("Merge", func(t *testing.T) {
			dup := a.post(t, "ana", clash("Duplicate", func(e *events.Event) {
				e.Sources = []events.Source{{Name: "Radio", Kind: events.KindMedia}}
			}))
			var got events.Event
			a.do(t, "ana", "POST", base+"/merge", `{"keep":"`+first.ID+`","merge":["`+dup.ID+`"]}`).want(http.StatusOK).decode(&got)
			if len(got.Sources) != 2 {
				t.Errorf("kept %+v", got.Sources)
			}
			a.do(t, "ana", "GET", base+"/"+dup.ID, "").want(http.StatusNotFound)
			fields := a.do(t, "ana", "POST", base+"/merge", `{"keep":"`+first.ID+`","merge":[]}`).want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"merge"}) {
				t.Errorf("fields %v", fields)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			path := base + "/" + second.ID
			a.do(t, "boss", "DELETE", path, "").want(http.StatusPreconditionRequired)
			fields := a.do(t, "boss", "DELETE", path, "", "If-Match", `"v1"`).want(http.StatusBadRequest).problem()
			if !slices.Equal(fields, []string{"reason"}) {
				t.Errorf("fields %v", fields)
			}
			a.do(t, "ana", "DELETE", path+"?reason=dup", "", "If-Match", `"v1"`).want(http.StatusForbidden)
			a.do(t, "boss", "DELETE", path, `{"reason":"entered twice"}`, "If-Match", `"v1"`).want(http.StatusNoContent)
			a.do(t, "boss", "GET", path, "").want(http.StatusNotFound)
			a.do(t, "boss", "DELETE", base+"/"+secret.ID+"?reason=test", "", "If-Match", `"v1"`).want(http.StatusNoContent)
		})
	})
}

func TestRoutesDocumented(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv := web.NewServer(web.Config{DB: db})
	events.NewService(db, nil).Routes(srv.Router())
	if missing := srv.Router().Undocumented(); len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document: %v", missing)
	}
	doc := srv.Router().OpenAPI()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"/api/v1/missions/{code}/events/{id}/verify"`, `"min_fatalities"`, `"text/csv"`, `"If-Match"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("OpenAPI document lacks %s", want)
		}
	}
}

// A request body either decodes and validates, or fails with an EINVALID
// error naming a field: never a panic, never an internal error.
func FuzzDecodeEventBody(f *testing.F) {
	f.Add(`{"type":"battles.armed_clash","title":"Clash","start":"2023-05-01T00:00:00Z","end":"2023-05-01T00:00:00Z","date_precision":"day","location":{"lon":20.6,"lat":5.7},"actors":[{"name":"UPC","role":"side_a"}],"fatalities":{"low":1,"best":2,"high":3},"sources":[{"name":"Patrol","kind":"patrol_report","date":"2023-05-01"}],"classification":"confidential"}`)
	f.Add(`{"title":"x","start":"yesterday","location":{"lon":"east"}}`)
	f.Add(`{"fatalities":{"best":-1},"status":"rejected","verification":{"by":"","at":"2023-01-01T00:00:00Z"}}`)
	f.Add(`{"actors":[{"name":"","role":"villain"}],"flags":[""],"source_attrs":{"":"x"}}`)
	f.Add(`{"classification":"secret","admin1":{"pcode":"CF 1"}}`)
	f.Add(`[]`)
	f.Add(`{"location":{"lon":1e999,"lat":0}}`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var e events.Event
		if err := web.Decode(r, &e); err != nil {
			if c := peaceops.ErrorCode(err); c != peaceops.EINVALID && c != peaceops.EINTERNAL {
				t.Fatalf("decode error code %q: %v", c, err)
			}
			return
		}
		e.Mission = "FUZZ"
		if err := e.Validate(); err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID || len(peaceops.ErrorFields(err)) == 0 {
				t.Fatalf("Validate() = %v, want EINVALID with fields", err)
			}
		}
	})
}
