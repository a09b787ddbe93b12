package missions_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/web"
)

// decode runs body through the same decoder the API handlers use.
func decode(body string, v any) error {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return web.Decode(r, v)
}

// A request body either decodes and validates, or fails with an EINVALID
// error naming a field: never a panic, never an internal error.
func FuzzDecodeMission(f *testing.F) {
	f.Add(`{"code":"MINUSCA","name":"MINUSCA","host_country":"CAF","start_date":"2014-04-10","hq":{"name":"Bangui","location":{"lon":18.55,"lat":4.36}}}`)
	f.Add(`{"code":"X","start_date":"2014-13-40","classification":"secret"}`)
	f.Add(`{"code":1}`)
	f.Add(`{"hq":{"location":{"lon":"east"}}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		var m missions.Mission
		if err := decode(body, &m); err != nil {
			if c := peaceops.ErrorCode(err); c != peaceops.EINVALID && c != peaceops.EINTERNAL {
				t.Fatalf("decode error code %q: %v", c, err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID || len(peaceops.ErrorFields(err)) == 0 {
				t.Fatalf("Validate() = %v, want EINVALID with fields", err)
			}
		}
	})
}

func FuzzDecodeUpdate(f *testing.F) {
	f.Add(`{"name":"MINUSCA","end_date":null,"status":"drawdown"}`)
	f.Add(`{"hq":{},"classification":"public"}`)
	f.Add(`{"start_date":"2014-04-10","unknown":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		var u missions.Update
		if err := decode(body, &u); err != nil {
			if c := peaceops.ErrorCode(err); c != peaceops.EINVALID && c != peaceops.EINTERNAL {
				t.Fatalf("decode error code %q: %v", c, err)
			}
		}
	})
}
