package events_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/events"
)

// readFile reads path with the reader of format and returns its events and
// row errors; any other error fails the test.
func readFile(tb testing.TB, format, path string, opts ...events.ReadOption) ([]events.Event, []*events.RowError) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return readBytes(tb, format, b, opts...)
}

func readBytes(tb testing.TB, format string, b []byte, opts ...events.ReadOption) ([]events.Event, []*events.RowError) {
	tb.Helper()
	r, err := events.NewReader(format, bytes.NewReader(b), opts...)
	if err != nil {
		tb.Fatalf("NewReader(%q): %v", format, err)
	}
	evs, rowErrs, err := events.ReadAll(r)
	if err != nil {
		tb.Fatalf("ReadAll: %v", err)
	}
	return evs, rowErrs
}

func readString(tb testing.TB, format, s string, opts ...events.ReadOption) ([]events.Event, []*events.RowError) {
	tb.Helper()
	return readBytes(tb, format, []byte(s), opts...)
}

// mustValidate fails the test for each event that does not pass Validate
// once given a mission.
func mustValidate(tb testing.TB, evs []events.Event) {
	tb.Helper()
	bad := 0
	for _, e := range evs {
		e.Mission = "MINUSCA"
		if err := e.Validate(); err != nil {
			if bad++; bad <= 5 {
				tb.Errorf("event %s does not validate: %v", e.SourceID, err)
			}
		}
	}
}

// noRowErrors fails the test listing the first row errors.
func noRowErrors(tb testing.TB, rowErrs []*events.RowError) {
	tb.Helper()
	for i, re := range rowErrs {
		if i == 5 {
			tb.Errorf("... %d row errors in all", len(rowErrs))
			break
		}
		tb.Errorf("row error: %v", re)
	}
}

// wantRowErrors compares row errors by line (or feature) and field.
func wantRowErrors(tb testing.TB, got []*events.RowError, want []events.RowError) {
	tb.Helper()
	if len(got) != len(want) {
		for _, g := range got {
			tb.Logf("got %v", g)
		}
		tb.Fatalf("%d row errors, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.Line || g.Feature != w.Feature || g.Field != w.Field {
			tb.Errorf("row error %d = line %d feature %d field %q (%s); want line %d feature %d field %q",
				i, g.Line, g.Feature, g.Field, g.Message, w.Line, w.Feature, w.Field)
		}
		if w.Message != "" && !strings.Contains(g.Message, w.Message) {
			tb.Errorf("row error %d message %q does not contain %q", i, g.Message, w.Message)
		}
	}
}

func jsonString(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// errorFields returns the field names of a Validate error.
func errorFields(err error) []string {
	var out []string
	for _, f := range peaceops.ErrorFields(err) {
		out = append(out, f.Field)
	}
	return out
}
