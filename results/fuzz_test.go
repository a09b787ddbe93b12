package results_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/results"
)

// FuzzParseDefinition: any bytes either parse into a definition that
// validates, or fail with EINVALID naming fields under "computed": never
// a panic, never another error.
func FuzzParseDefinition(f *testing.F) {
	for _, s := range []string{
		`{"source":"events","measure":"count","filter":{"types":["battles"],"admin1":["CF43"]}}`,
		`{"source":"events","measure":"share","filter":{"types":["violence_against_civilians"]},"share_of":{}}`,
		`{"source":"events","measure":"fatalities_best","filter":{"status":["verified"],"text":"Bambari","min_fatalities":3}}`,
		`{"filter":{"province":1}}`, `[]`, `null`, `{"source":1}`, `{"share_of":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := results.ParseDefinition(b)
		if err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			for _, fe := range peaceops.ErrorFields(err) {
				if !strings.HasPrefix(fe.Field, "computed") {
					t.Fatalf("field %q outside computed", fe.Field)
				}
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("parsed definition does not validate: %v", err)
		}
	})
}

// FuzzReadValues: any CSV either reads into rows or fails with EINVALID.
func FuzzReadValues(f *testing.F) {
	f.Add([]byte("indicator,period,cell,value\nIND-1,2024-Q1,sex=female,3\n"))
	f.Add([]byte("\ufeffIndicator;Period;Value\n"))
	f.Add([]byte("indicator,period,value\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := results.ReadValues(bytes.NewReader(b), "csv")
		if err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row line %d", r.Line)
			}
			if _, err := results.ParseCell(r.Cell); err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatal(err)
			}
		}
	})
}
