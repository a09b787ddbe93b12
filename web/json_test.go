package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

type decodeTarget struct {
	Name           string                  `json:"name"`
	Count          int                     `json:"count"`
	StartDate      peaceops.Date           `json:"start_date"`
	At             time.Time               `json:"at"`
	Classification peaceops.Classification `json:"classification"`
	Place          struct {
		Lon float64 `json:"lon"`
		Lat float64 `json:"lat"`
	} `json:"place"`
	Items []struct {
		Qty int `json:"qty"`
	} `json:"items"`
	Tags []string `json:"tags"`
}

func decodeFixture(t *testing.T) *fixture {
	return newFixture(t, nil, func(r *web.Router) {
		r.API("POST /api/v1/decode", web.Op{Request: decodeTarget{}, Response: decodeTarget{}}, func(w http.ResponseWriter, r *http.Request) error {
			var v decodeTarget
			if err := web.Decode(r, &v); err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, v)
		})
	}, func(c *web.Config) { c.MaxBodyBytes = 256 })
}

func TestDecode(t *testing.T) {
	f := decodeFixture(t)
	for _, tc := range []struct {
		name        string
		body        string
		contentType string
		status      int
		field       string // expected field of the first error, "" for none
		detail      string // substring of the detail
	}{
		{"OK", `{"name":"x","count":2,"start_date":"2024-05-01","classification":"internal","place":{"lon":1,"lat":2}}`, "", 200, "", ""},
		{"OKCharset", `{"name":"x","classification":"public"}`, "application/json; charset=utf-8", 200, "", ""},
		{"ErrUnknownField", `{"name":"x","colour":"red"}`, "", 400, "colour", "unknown field"},
		{"ErrUnknownNestedField", `{"place":{"lon":1,"alt":3}}`, "", 400, "place.alt", "unknown field"},
		{"ErrWrongType", `{"count":"two"}`, "", 400, "count", "must be an integer, not a string"},
		{"ErrWrongNestedType", `{"place":{"lon":"east"}}`, "", 400, "place.lon", "must be a number"},
		{"ErrFraction", `{"count":1.5}`, "", 400, "count", "not the number 1.5"},
		{"ErrWrongTypeInArray", `{"items":[{"qty":1},{"qty":"x"}]}`, "", 400, "items.qty", "must be an integer"},
		{"ErrBadDate", `{"name":"x","start_date":"01/05/2024"}`, "", 400, "start_date", "YYYY-MM-DD"},
		{"ErrBadTime", `{"at":"yesterday"}`, "", 400, "at", "RFC 3339"},
		{"ErrBadClassification", `{"classification":"secret"}`, "", 400, "classification", "unknown classification"},
		{"ErrMalformed", `{"name":`, "", 400, "", "malformed JSON"},
		{"ErrSyntax", `{"name" "x"}`, "", 400, "", "malformed JSON at byte"},
		{"ErrTrailingData", `{"name":"x"} {"name":"y"}`, "", 400, "", "unexpected data after"},
		{"ErrNotAnObject", `[1,2]`, "", 400, "", "must be an object, not an array"},
		{"ErrEmpty", ``, "application/json", 400, "", "empty"},
		{"ErrTooLarge", `{"name":"` + strings.Repeat("x", 300) + `"}`, "", 413, "", "larger than 256 bytes"},
		{"ErrContentType", `{"name":"x"}`, "text/plain", 415, "", "Content-Type must be application/json"},
		{"ErrFormContentType", `name=x`, "application/x-www-form-urlencoded", 415, "", "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req("POST", "/api/v1/decode", tc.body, asBob)
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			w := f.do(r)
			wantStatus(t, w, tc.status)
			if tc.status == 200 {
				return
			}
			p := problemOf(t, w)
			if !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail = %q, want it to contain %q", p.Detail, tc.detail)
			}
			switch {
			case tc.field == "" && len(p.Errors) != 0:
				t.Errorf("errors = %+v, want none", p.Errors)
			case tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field):
				t.Errorf("errors = %+v, want field %q", p.Errors, tc.field)
			case tc.field != "" && !strings.HasPrefix(p.Detail, tc.field+": "):
				t.Errorf("detail %q does not start with the field name", p.Detail)
			}
		})
	}
}

func TestDecodeOutsideRouter(t *testing.T) {
	// Decode also works on a bare request (unit tests of handlers), with the
	// default body limit.
	r := req("POST", "/", `{"name":"`+strings.Repeat("x", web.DefaultMaxBodyBytes)+`"}`)
	var v decodeTarget
	if got := web.Status(web.Decode(r, &v)); got != 413 {
		t.Errorf("status = %d, want 413", got)
	}
	var notPointer decodeTarget
	if err := web.Decode(req("POST", "/", `{}`), notPointer); peaceops.ErrorCode(err) != peaceops.EINTERNAL {
		t.Errorf("Decode(non-pointer) = %v, want an internal error", err)
	}
}

func TestJSON(t *testing.T) {
	f := newFixture(t, nil, func(r *web.Router) {
		r.API("GET /api/v1/list", web.Op{Public: true, Response: "", List: true}, func(w http.ResponseWriter, r *http.Request) error {
			return web.JSON(w, http.StatusOK, web.List[string]{})
		})
		r.API("GET /api/v1/unencodable", web.Op{Public: true}, func(w http.ResponseWriter, r *http.Request) error {
			return web.JSON(w, http.StatusOK, map[string]any{"f": func() {}})
		})
		r.API("DELETE /api/v1/thing", web.Op{Public: true, Status: 204}, func(w http.ResponseWriter, r *http.Request) error {
			return web.JSON(w, http.StatusNoContent, nil)
		})
	})
	w := f.do(req("GET", "/api/v1/list", ""))
	if got := strings.TrimSpace(w.Body.String()); got != `{"items":[],"next_cursor":""}` {
		t.Errorf("empty list = %s", got)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	w = f.do(req("GET", "/api/v1/unencodable", ""))
	wantStatus(t, w, 500)
	problemOf(t, w)
	w = f.do(req("DELETE", "/api/v1/thing", ""))
	wantStatus(t, w, 204)
	if w.Body.Len() != 0 {
		t.Errorf("204 body = %q", w.Body)
	}
	b, _ := json.Marshal(web.List[int]{Items: []int{1}, NextCursor: "x"})
	if string(b) != `{"items":[1],"next_cursor":"x"}` {
		t.Errorf("List = %s", b)
	}
}
