package feedback_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/feedback"
)

// FuzzParseSMS feeds the SMS webhook's parser whatever a gateway might
// relay: it never panics, and what it accepts is a well-formed submission
// or lookup.
func FuzzParseSMS(f *testing.F) {
	for _, s := range []struct{ from, text, time string }{
		{"+23672451903", "R complaint soldiers at the checkpoint", "2025-03-01T10:00:00Z"},
		{"72451903", "réponse AIDE nous avons besoin d'eau", ""},
		{"+1 (555) 010-9999", "TRACK abcd-efgh-jkmn", ""},
		{"", "", ""},
		{"+", "R", "2025-13-01T00:00:00Z"},
		{"00000", "\x00\xff tip", "not a time"},
		{"12345", "SUIVI 2345 6789 ABCD", ""},
	} {
		f.Add(s.from, s.text, s.time)
	}
	today := peaceops.Date{Year: 2025, Month: 3, Day: 4}
	f.Fuzz(func(t *testing.T, from, text, at string) {
		p, err := feedback.ParseSMS(feedback.SMS{From: from, Text: text, Time: at}, today)
		if err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID || len(peaceops.ErrorFields(err)) == 0 {
				t.Fatalf("error %v is not EINVALID with fields", err)
			}
			return
		}
		if p.Day.IsZero() {
			t.Fatal("accepted without a day")
		}
		phone := feedback.NormalizePhone(from)
		if phone == "" || strings.Trim(phone, "+0123456789") != "" {
			t.Fatalf("accepted the sender %q (normalised %q)", from, phone)
		}
		if p.Track != "" {
			if c, err := feedback.ParseTrackingCode(p.Track); err != nil || c != p.Track {
				t.Fatalf("track code %q does not parse back: %v", p.Track, err)
			}
			return
		}
		if !p.Category.Valid() {
			t.Fatalf("category %q", p.Category)
		}
		if p.Description == "" || !utf8.ValidString(p.Description) || utf8.RuneCountInString(p.Description) > feedback.MaxDescription {
			t.Fatalf("description %q", p.Description)
		}
		in := feedback.Intake{Category: p.Category, Description: p.Description}
		if err := in.Validate(); err != nil {
			t.Fatalf("an accepted message does not make a valid intake: %v", err)
		}
	})
}

// FuzzParseTrackingCode: whatever is typed, an accepted code is canonical
// and reads back as itself.
func FuzzParseTrackingCode(f *testing.F) {
	f.Add(feedback.NewTrackingCode())
	f.Add("abcd efgh jkmn")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := feedback.ParseTrackingCode(s)
		if err != nil {
			return
		}
		if len(c) != 14 {
			t.Fatalf("canonical %q", c)
		}
		if again, err := feedback.ParseTrackingCode(c); err != nil || again != c {
			t.Fatalf("%q -> %q -> %q, %v", s, c, again, err)
		}
	})
}
