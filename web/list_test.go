package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

func TestListParams(t *testing.T) {
	f := newFixture(t, nil, func(r *web.Router) {
		r.API("GET /api/v1/items", web.Op{Public: true, Response: "", List: true}, func(w http.ResponseWriter, r *http.Request) error {
			limit, cursor, err := web.ListParams(r)
			if err != nil {
				return err
			}
			parts, err := web.DecodeCursor(cursor, 2)
			if err != nil {
				return err
			}
			return web.JSON(w, 200, web.List[string]{Items: append([]string{strconv.Itoa(limit)}, parts...)})
		})
	})
	for _, tc := range []struct {
		name, query string
		status      int
		field       string
		items       []string
	}{
		{"Default", "", 200, "", []string{"50"}},
		{"Limit", "?limit=1000", 200, "", []string{"1000"}},
		{"Cursor", "?limit=5&cursor=" + web.EncodeCursor("2024-05-01", "01HZ"), 200, "", []string{"5", "2024-05-01", "01HZ"}},
		{"ErrLimitZero", "?limit=0", 400, "limit", nil},
		{"ErrLimitTooBig", "?limit=1001", 400, "limit", nil},
		{"ErrLimitNotANumber", "?limit=ten", 400, "limit", nil},
		{"ErrCursorGarbage", "?cursor=%%%", 400, "cursor", nil},
		{"ErrCursorNotBase64", "?cursor=" + url.QueryEscape("a b"), 400, "cursor", nil},
		{"ErrCursorWrongParts", "?cursor=" + web.EncodeCursor("only-one"), 400, "cursor", nil},
		{"ErrCursorTooLong", "?cursor=" + strings.Repeat("A", 3000), 400, "cursor", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(req("GET", "/api/v1/items"+strings.ReplaceAll(tc.query, "%%%", "%25%25"), ""))
			wantStatus(t, w, tc.status)
			if tc.status != 200 {
				p := problemOf(t, w)
				if len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
					t.Errorf("errors = %+v, want field %q", p.Errors, tc.field)
				}
				return
			}
			var got web.List[string]
			decodeBody(t, w.Body.Bytes(), &got)
			if !slices.Equal(got.Items, tc.items) {
				t.Errorf("items = %v, want %v", got.Items, tc.items)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, parts := range [][]string{{}, {""}, {"a"}, {"2024-05-01T00:00:00Z", "01HZX", "with,comma \"quoted\" ünïcode"}} {
		got, err := web.DecodeCursor(web.EncodeCursor(parts...), len(parts))
		if err != nil || !slices.Equal(got, parts) || (len(parts) > 0 && got == nil) {
			t.Errorf("round trip of %q = %q, %v", parts, got, err)
		}
	}
	if parts, err := web.DecodeCursor("", 2); parts != nil || err != nil {
		t.Errorf(`DecodeCursor("") = %v, %v; want the first page`, parts, err)
	}
	if c := web.EncodeCursor("x"); strings.ContainsAny(c, "+/=") {
		t.Errorf("cursor %q is not URL-safe", c)
	}
}

func TestIfMatch(t *testing.T) {
	const current = 3
	f := newFixture(t, nil, func(r *web.Router) {
		r.API("GET /api/v1/doc", web.Op{Public: true}, func(w http.ResponseWriter, r *http.Request) error {
			web.SetETag(w, current)
			return web.JSON(w, 200, map[string]int{"version": current})
		})
		r.API("PATCH /api/v1/doc", web.Op{Public: true, IfMatch: true}, func(w http.ResponseWriter, r *http.Request) error {
			v, err := web.IfMatch(r)
			if err != nil {
				return err
			}
			if v != current {
				return peaceops.Errorf(peaceops.EPRECONDITION, "the record changed since version %d", v)
			}
			web.SetETag(w, current+1)
			return web.JSON(w, 200, map[string]int{"version": current + 1})
		})
	})
	w := f.do(req("GET", "/api/v1/doc", ""))
	etag := w.Header().Get("ETag")
	if etag != `"v3"` {
		t.Fatalf("ETag = %q", etag)
	}
	for _, tc := range []struct {
		name, ifMatch string
		status        int
	}{
		{"OK", etag, 200},
		{"ErrMissing", "", 428},
		{"ErrStale", `"v2"`, 412},
		{"ErrWeak", `W/"v3"`, 400},
		{"ErrStar", `*`, 400},
		{"ErrList", `"v3", "v4"`, 400},
		{"ErrUnquoted", `v3`, 400},
		{"ErrNegative", `"v-1"`, 400},
		{"ErrLeadingZero", `"v03"`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req("PATCH", "/api/v1/doc", "")
			if tc.ifMatch != "" {
				r.Header.Set("If-Match", tc.ifMatch)
			}
			w := f.do(r)
			wantStatus(t, w, tc.status)
			if tc.status != 200 {
				problemOf(t, w)
				if w.Header().Get("ETag") != "" {
					t.Error("an error response carries an ETag")
				}
			} else if w.Header().Get("ETag") != `"v4"` {
				t.Errorf("ETag = %q", w.Header().Get("ETag"))
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	offers := []string{web.MediaJSON, web.MediaCSV, web.MediaGeoJSON}
	for _, tc := range []struct{ query, accept, want string }{
		{"", "", web.MediaJSON},
		{"", "*/*", web.MediaJSON},
		{"", "text/csv", web.MediaCSV},
		{"", "text/*", web.MediaCSV},
		{"", "application/geo+json, application/json;q=0.5", web.MediaGeoJSON},
		{"", "application/json;q=0.2, text/csv;q=0.9", web.MediaCSV},
		{"", "application/xml", web.MediaJSON},
		{"", "text/csv;q=0", web.MediaJSON},
		{"?format=csv", "application/json", web.MediaCSV},
		{"?format=geojson", "", web.MediaGeoJSON},
		{"?format=JSON", "text/csv", web.MediaJSON},
		{"?format=xlsx", "", ""},
	} {
		r := req("GET", "/x"+tc.query, "", withHeader("Accept", tc.accept))
		if got := web.Negotiate(r, offers...); got != tc.want {
			t.Errorf("Negotiate(%q, Accept %q) = %q, want %q", tc.query, tc.accept, got, tc.want)
		}
	}
	if got := web.Negotiate(req("GET", "/x?format=geojson", ""), web.MediaJSON, web.MediaCSV); got != "" {
		t.Errorf("geojson not offered: got %q", got)
	}
	err := web.UnsupportedFormat(web.MediaJSON, web.MediaCSV)
	if fe := peaceops.ErrorFields(err); len(fe) != 1 || fe[0].Field != "format" || !strings.Contains(fe[0].Message, "csv, json") {
		t.Errorf("UnsupportedFormat = %v", err)
	}
}

func TestWriteCSV(t *testing.T) {
	f := newFixture(t, nil, func(r *web.Router) {
		r.API("GET /api/v1/export", web.Op{Public: true, Response: "", Formats: []string{web.MediaCSV}}, func(w http.ResponseWriter, r *http.Request) error {
			return web.WriteCSV(w, "events 2024/05.csv", []string{"id", "note", "count"}, func(yield func([]string) error) error {
				for _, row := range [][]string{
					{"1", "plain", "3"},
					{"2", "=HYPERLINK(\"http://evil\")", "-4"},
					{"3", "+cmd", "-1.5"},
					{"4", "@sum, \"quoted\"\nline", "0"},
				} {
					if err := yield(row); err != nil {
						return err
					}
				}
				return nil
			})
		})
	})
	w := f.do(req("GET", "/api/v1/export", ""))
	wantStatus(t, w, 200)
	if ct := w.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename=events_2024_05.csv` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	rows, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"id", "note", "count"},
		{"1", "plain", "3"},
		{"2", "'=HYPERLINK(\"http://evil\")", "-4"},
		{"3", "'+cmd", "-1.5"},
		{"4", "'@sum, \"quoted\"\nline", "0"},
	}
	if !slices.EqualFunc(rows, want, slices.Equal[[]string]) {
		t.Errorf("rows = %q\nwant %q", rows, want)
	}
}
