package mandates_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/mandates"
	"github.com/peaceops/peaceops/web"
)

// decode runs body through the same decoder the API handlers use.
func decode(body string, v any) error {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return web.Decode(r, v)
}

// A create body either decodes and validates, or fails with an EINVALID
// error naming a field: never a panic, never another error; and a
// resolution that validates keeps its invariants.
func FuzzCreateBody(f *testing.F) {
	f.Add(createBody)
	f.Add(`{"symbol":"S/RES/2709 (2023)","adopted":"2023-11-13","period_start":"2023-11-16","period_end":"2024-11-15","ceilings":{"police_total":3020}}`)
	f.Add(`{"symbol":"s/res/1(1990)","adopted":"1990-13-01","ceilings":{"military":-1,"":5},"tasks":[{"lineage":"ends","previous":"x"}]}`)
	f.Add(`{"tasks":[{"title":"a","category":"poc","lineage":"continues","previous":"01HZZZZZZZZZZZZZZZZZZZZZZZ"},{"title":"b","category":"poc","lineage":"changes","previous":"01HZZZZZZZZZZZZZZZZZZZZZZZ"}]}`)
	f.Add(`{"ceilings":{"military":1e99}}`)
	f.Add(`{"classification":"secret","chapter_vii":"yes"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		var r mandates.Resolution
		if err := decode(body, &r); err != nil {
			if c := peaceops.ErrorCode(err); c != peaceops.EINVALID {
				t.Fatalf("decode error code %q: %v", c, err)
			}
			return
		}
		r.Mission = "MINUSCA"
		err := r.Validate()
		if err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID || len(peaceops.ErrorFields(err)) == 0 {
				t.Fatalf("Validate() = %v, want EINVALID with fields", err)
			}
			return
		}
		if r.PeriodEnd.Before(r.PeriodStart) || mandates.NormalizeSymbol(r.Symbol) != r.Symbol {
			t.Fatalf("valid resolution breaks an invariant: %+v", r)
		}
		for k, v := range r.Ceilings {
			if v < 0 || v > mandates.MaxCeiling {
				t.Fatalf("valid ceiling %s = %d", k, v)
			}
		}
		for _, task := range r.Tasks {
			if !task.Category.Valid() || !task.Lineage.Valid() || (task.Lineage == mandates.LineageNew) != (task.Previous == "") {
				t.Fatalf("valid task %+v", task)
			}
		}
	})
}
