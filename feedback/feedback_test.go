package feedback_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/feedback"
)

func TestTrackingCode(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := feedback.NewTrackingCode()
		if len(c) != 14 || c[4] != '-' || c[9] != '-' {
			t.Fatalf("code %q is not of the form XXXX-XXXX-XXXX", c)
		}
		if strings.ContainsAny(c, "01ILO") {
			t.Fatalf("code %q holds a look-alike character", c)
		}
		got, err := feedback.ParseTrackingCode(c)
		if err != nil || got != c {
			t.Fatalf("ParseTrackingCode(%q) = %q, %v", c, got, err)
		}
		if seen[c] {
			t.Fatalf("code %q came twice", c)
		}
		seen[c] = true
	}
	code := feedback.NewTrackingCode()
	plain := strings.ReplaceAll(code, "-", "")
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"OK", code, true},
		{"LowerCaseAndSpaces", " " + strings.ToLower(plain[:6]) + " " + strings.ToLower(plain[6:]) + " ", true},
		{"ErrTooShort", plain[:11], false},
		{"ErrTooLong", plain + "A", false},
		{"ErrLookAlike", "O" + plain[1:], false},
		{"ErrEmpty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := feedback.ParseTrackingCode(tc.in)
			if tc.ok && (err != nil || got != code) {
				t.Fatalf("ParseTrackingCode(%q) = %q, %v; want %q", tc.in, got, err, code)
			}
			if !tc.ok && peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("ParseTrackingCode(%q) = %q, %v; want EINVALID", tc.in, got, err)
			}
		})
	}
	// The check character catches every single substitution and every
	// swap of distinct neighbours.
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	for i := range plain {
		for _, r := range alphabet {
			if byte(r) == plain[i] {
				continue
			}
			typo := plain[:i] + string(r) + plain[i+1:]
			if _, err := feedback.ParseTrackingCode(typo); err == nil {
				t.Fatalf("the typo %q of %q passes the check", typo, plain)
			}
		}
		if i+1 < len(plain) && plain[i] != plain[i+1] {
			swap := plain[:i] + string(plain[i+1]) + string(plain[i]) + plain[i+2:]
			if _, err := feedback.ParseTrackingCode(swap); err == nil {
				t.Fatalf("the swap %q of %q passes the check", swap, plain)
			}
		}
	}
}

func TestIntakeValidate(t *testing.T) {
	ok := func() feedback.Intake {
		return feedback.Intake{Category: "complaint", Description: "Soldiers took goats from the market.", Place: "Bambari", PlaceCode: "CF71"}
	}
	for _, tc := range []struct {
		name   string
		mut    func(*feedback.Intake)
		fields []string
	}{
		{"OK", func(*feedback.Intake) {}, nil},
		{"OKTrimsAndCases", func(in *feedback.Intake) { in.Category = " Tip "; in.PlaceCode = "cf71" }, nil},
		{"ErrCategory", func(in *feedback.Intake) { in.Category = "rumour" }, []string{"category"}},
		{"ErrDescriptionRequired", func(in *feedback.Intake) { in.Description = "   " }, []string{"description"}},
		{"ErrDescriptionTooLong", func(in *feedback.Intake) { in.Description = strings.Repeat("é", 4001) }, []string{"description"}},
		{"ErrPlaceCode", func(in *feedback.Intake) { in.PlaceCode = "Bambari town" }, []string{"place_code"}},
		{"ErrReplyWithoutContact", func(in *feedback.Intake) { in.ReplyWanted = true }, []string{"contact"}},
		{"ErrLanguage", func(in *feedback.Intake) { in.Language = "sg" }, []string{"language"}},
		{"ErrEverything", func(in *feedback.Intake) { *in = feedback.Intake{PlaceCode: "?", Place: strings.Repeat("x", 201)} },
			[]string{"category", "place_code", "place", "description"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok()
			tc.mut(&in)
			err := in.Validate()
			var got []string
			for _, f := range peaceops.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tc.fields) {
				t.Fatalf("fields = %v (%v), want %v", got, err, tc.fields)
			}
		})
	}
}

func TestParseSMS(t *testing.T) {
	today := peaceops.Date{Year: 2025, Month: 3, Day: 4}
	code := feedback.NewTrackingCode()
	for _, tc := range []struct {
		name  string
		in    feedback.SMS
		want  feedback.ParsedSMS
		field string // error field, "" for success
	}{
		{"PlainText", feedback.SMS{From: "+236 72 00 00 01", Text: "the water point is broken"},
			feedback.ParsedSMS{Category: "other", Description: "the water point is broken", Day: today}, ""},
		{"ReplyAndCategory", feedback.SMS{From: "+23672000001", Text: "R complaint soldiers at the checkpoint ask for money", Time: "2025-03-01T23:59:59+01:00"},
			feedback.ParsedSMS{ReplyWanted: true, Category: "complaint", Description: "soldiers at the checkpoint ask for money", Day: peaceops.Date{Year: 2025, Month: 3, Day: 1}}, ""},
		{"FrenchKeywords", feedback.SMS{From: "72000001", Text: "réponse AIDE nous avons besoin d'eau"},
			feedback.ParsedSMS{ReplyWanted: true, Category: "assistance", Description: "nous avons besoin d'eau", Day: today, Lang: "fr"}, ""},
		{"ReplyWordLaterIsText", feedback.SMS{From: "72000001", Text: "tip please reply soon"},
			feedback.ParsedSMS{Category: "tip", Description: "please reply soon", Day: today}, ""},
		{"Track", feedback.SMS{From: "72000001", Text: "TRACK " + strings.ToLower(code)},
			feedback.ParsedSMS{Track: code, Day: today}, ""},
		{"ErrOnlyKeywords", feedback.SMS{From: "72000001", Text: "REPLY TIP"}, feedback.ParsedSMS{}, "text"},
		{"ErrNoNumber", feedback.SMS{From: "gateway", Text: "hello"}, feedback.ParsedSMS{}, "from"},
		{"ErrTime", feedback.SMS{From: "72000001", Text: "hello", Time: "yesterday"}, feedback.ParsedSMS{}, "time"},
		{"ErrTrackCode", feedback.SMS{From: "72000001", Text: "TRACK 1234"}, feedback.ParsedSMS{}, "code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := feedback.ParseSMS(tc.in, today)
			if tc.field != "" {
				f := peaceops.ErrorFields(err)
				if len(f) == 0 || f[0].Field != tc.field {
					t.Fatalf("error %v, want one on %s", err, tc.field)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	l := feedback.NewLimiter(2, 10*time.Minute, func() time.Time { return now })
	want := []bool{true, true, false}
	for i, w := range want {
		if got := l.Allow("198.51.100.7"); got != w {
			t.Fatalf("call %d: %v, want %v", i+1, got, w)
		}
	}
	if !l.Allow("198.51.100.8") {
		t.Fatal("another sender is limited by the first")
	}
	if l.Buckets() != 2 {
		t.Fatalf("%d buckets, want 2", l.Buckets())
	}
	now = now.Add(10 * time.Minute)
	if !l.Allow("198.51.100.7") {
		t.Fatal("the limit outlives its window")
	}
	if l.Buckets() != 1 {
		t.Fatalf("%d buckets after the window turned, want 1 (the old ones are forgotten)", l.Buckets())
	}
}
