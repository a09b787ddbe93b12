package alerts_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/web"
)

func decodeBody(body string, v any) error {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return web.Decode(r, v)
}

// The bodies of PATCH alerts/{id} and POST alerts/subscriptions decode and
// validate, or are refused as invalid input: never a panic.
func FuzzDecodeAlertUpdate(f *testing.F) {
	f.Add(`{"state":"acknowledged","owner":"joc.analyst","note":"patrol sent"}`)
	f.Add(`{"state":7}`)
	f.Fuzz(func(t *testing.T, body string) {
		var u alerts.Update
		if c := peaceops.ErrorCode(decodeBody(body, &u)); c != "" && c != peaceops.EINVALID && c != peaceops.EINTERNAL {
			t.Fatalf("decode error code %q", c)
		}
	})
}

func FuzzDecodeSubscription(f *testing.F) {
	f.Add(`{"area":"CF62","category":"battles","min_level":"alert","email":"jmac@example.org"}`)
	f.Add(`{"min_level":"loud"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var s alerts.Subscription
		err := decodeBody(body, &s)
		if c := peaceops.ErrorCode(err); c != "" && c != peaceops.EINVALID && c != peaceops.EINTERNAL {
			t.Fatalf("decode error code %q", c)
		}
		if err == nil {
			if err := s.Validate(); err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("Validate() = %v", err)
			}
		}
	})
}
