package web_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// FuzzDecode: any body gives a value or an EINVALID error with a 400, 413
// or 415 status, never a panic or an internal error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"x","count":2,"start_date":"2024-05-01","classification":"internal","place":{"lon":1,"lat":2}}`,
		`{"items":[{"qty":1},{"qty":"x"}],"tags":["a",null]}`,
		`{"at":"2024-05-01T10:00:00Z","place":null}`,
		`{"NAME":"case","Count":1e3}`, `{"count":1e400}`, `{"start_date":""}`, `{"start_date":"2024-02-30"}`,
		`[`, `{"a":1}`, `null`, `"str"`, "{\"name\":\"\xff\"}", `{"place":{"lon":[]}}`, `{} []`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var v decodeTarget
		err := web.Decode(r, &v)
		if err == nil {
			return
		}
		if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
			t.Fatalf("Decode(%q) = %v (code %s), want invalid", body, err, code)
		}
		if s := web.Status(err); s != 400 && s != 413 {
			t.Fatalf("Decode(%q) status %d", body, s)
		}
		if peaceops.ErrorMessage(err) == "" {
			t.Fatalf("Decode(%q): empty message", body)
		}
	})
}

// FuzzDecodeCursor: any string gives parts or an EINVALID error naming
// "cursor"; decoded parts re-encode to a cursor decoding to the same parts.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{web.EncodeCursor("a", "b"), web.EncodeCursor(), "", "%%", "WyJhIl0", "bnVsbA", "W10"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, c string, n int) {
		parts, err := web.DecodeCursor(c, n)
		if err != nil {
			if fe := peaceops.ErrorFields(err); len(fe) != 1 || fe[0].Field != "cursor" || peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("DecodeCursor(%q, %d) = %v", c, n, err)
			}
			return
		}
		if c == "" {
			return
		}
		if len(parts) != n {
			t.Fatalf("DecodeCursor(%q, %d) gave %d parts", c, n, len(parts))
		}
		again, err := web.DecodeCursor(web.EncodeCursor(parts...), n)
		if err != nil || !slices.Equal(again, parts) {
			t.Fatalf("round trip of %q: %q, %v", parts, again, err)
		}
	})
}

// FuzzIfMatch: any header gives a version or an invalid/428 error.
func FuzzIfMatch(f *testing.F) {
	for _, s := range []string{`"v1"`, `W/"v1"`, `*`, `"v"`, `"v99999999999999999999"`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("PATCH", "/", nil)
		r.Header.Set("If-Match", h)
		v, err := web.IfMatch(r)
		switch code := peaceops.ErrorCode(err); code {
		case "":
			if v < 0 {
				t.Fatalf("IfMatch(%q) = %d", h, v)
			}
		case peaceops.EINVALID, peaceops.EPRECONDREQ:
		default:
			t.Fatalf("IfMatch(%q) = %v", h, err)
		}
	})
}
