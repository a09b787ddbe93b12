package access_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/web"
)

// decodeBody runs body through the decoder the API handlers use.
func decodeBody(body string, v any) error {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return web.Decode(r, v)
}

// checkDecoded fails unless err is nil or an invalid-input error: a body
// from the network must never panic or surface as an internal error.
func checkDecoded(t *testing.T, err error) {
	t.Helper()
	if c := peaceops.ErrorCode(err); c != "" && c != peaceops.EINVALID && c != peaceops.EINTERNAL {
		t.Fatalf("decode error code %q: %v", c, err)
	}
}

func FuzzDecodeUserCreate(f *testing.F) {
	f.Add(`{"username":"joc.analyst","password":"correct horse battery","display_name":"JOC","admin":false}`)
	f.Add(`{"username":"A B","password":"short"}`)
	f.Add(`{"username":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		var c access.UserCreate
		err := decodeBody(body, &c)
		checkDecoded(t, err)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil && (peaceops.ErrorCode(err) != peaceops.EINVALID || len(peaceops.ErrorFields(err)) == 0) {
			t.Fatalf("Validate() = %v, want EINVALID with fields", err)
		}
	})
}

func FuzzDecodeUserUpdate(f *testing.F) {
	f.Add(`{"display_name":"x","disabled":true,"language":"fr"}`)
	f.Add(`{"password":"new password here","current_password":"old"}`)
	f.Add(`{"admin":"yes"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var u access.UserUpdate
		checkDecoded(t, decodeBody(body, &u))
	})
}

func FuzzDecodeTokenRequest(f *testing.F) {
	f.Add(`{"name":"ops","ttl_hours":720}`)
	f.Add(`{"ttl_hours":-1}`)
	f.Add(`{"ttl_hours":1e99}`)
	f.Fuzz(func(t *testing.T, body string) {
		var req access.TokenRequest
		err := decodeBody(body, &req)
		checkDecoded(t, err)
		if err == nil {
			if err := req.Validate(); err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("Validate() = %v", err)
			}
		}
	})
}
