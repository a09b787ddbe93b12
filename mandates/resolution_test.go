package mandates_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/mandates"
)

func TestResolutionValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mut  func(*mandates.Resolution)
		want []string // field names, sorted; nil: valid
	}{
		{"OK", func(*mandates.Resolution) {}, nil},
		{"OKSymbolSpacingNormalized", func(r *mandates.Resolution) { r.Symbol = " s/res/2149(2014) " }, nil},
		{"OKEndsWithoutTitle", func(r *mandates.Resolution) {
			r.Tasks = []mandates.Task{{Category: mandates.CategoryPoC, Lineage: mandates.LineageEnds, Previous: peaceops.NewID()}}
		}, nil},
		{"ErrSymbolRequired", func(r *mandates.Resolution) { r.Symbol = "" }, []string{"symbol"}},
		{"ErrSymbolMalformed", func(r *mandates.Resolution) { r.Symbol = "Resolution 2149" }, []string{"symbol"}},
		{"ErrSymbolYearNotAdoptionYear", func(r *mandates.Resolution) { r.Symbol = "S/RES/2149 (2015)" }, []string{"symbol"}},
		{"ErrDatesRequired", func(r *mandates.Resolution) {
			r.Adopted, r.PeriodStart, r.PeriodEnd = peaceops.Date{}, peaceops.Date{}, peaceops.Date{}
		}, []string{"adopted", "period_end", "period_start"}},
		{"ErrPeriodEndBeforeStart", func(r *mandates.Resolution) {
			r.PeriodStart, r.PeriodEnd = date("2014-05-01"), date("2014-04-30")
		}, []string{"period_end"}},
		{"ErrCeilingNegativeAndUnknown", func(r *mandates.Resolution) {
			r.Ceilings = map[string]int{"military": -1, "navy": 3}
		}, []string{"ceilings.military", "ceilings.navy"}},
		{"ErrCeilingTotalBelowParts", func(r *mandates.Resolution) {
			r.Ceilings = map[string]int{"police_total": 1000, "police_fpu": 900, "police_ipo": 400}
		}, []string{"ceilings.police_total"}},
		{"ErrDocumentURL", func(r *mandates.Resolution) { r.DocumentURL = "javascript:alert(1)" }, []string{"document_url"}},
		{"ErrClassification", func(r *mandates.Resolution) { r.Classification = 9 }, []string{"classification"}},
		{"ErrTaskFields", func(r *mandates.Resolution) {
			r.Tasks = []mandates.Task{
				{Title: "", Category: "peacebuilding"},
				{Title: "x", Category: mandates.CategoryDDR, Lineage: "renews"},
				{Title: "y", Category: mandates.CategoryDDR, Lineage: mandates.LineageContinues},
				{Title: "z", Category: mandates.CategoryDDR, Lineage: mandates.LineageNew, Previous: peaceops.NewID()},
			}
		}, []string{"tasks[0].category", "tasks[0].title", "tasks[1].lineage", "tasks[2].previous", "tasks[3].previous"}},
		{"ErrTwoTasksTakeUpOne", func(r *mandates.Resolution) {
			id := peaceops.NewID()
			r.Tasks = []mandates.Task{
				{Title: "a", Category: mandates.CategoryPoC, Lineage: mandates.LineageContinues, Previous: id},
				{Title: "b", Category: mandates.CategoryPoC, Lineage: mandates.LineageChanges, Previous: id},
			}
		}, []string{"tasks[1].previous"}},
		{"ErrEverythingAtOnce", func(r *mandates.Resolution) {
			r.Symbol, r.PeriodEnd = "2149", date("2000-01-01")
			r.Ceilings["military"] = -5
			r.Tasks[0].Category = ""
		}, []string{"ceilings.military", "period_end", "symbol", "tasks[0].category"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := resolution(2149, "2014-04-10", tc.mut)
			err := r.Validate()
			got := fields(err)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Validate() fields = %q, want %q (%v)", got, tc.want, err)
			}
			if tc.want != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("code %q, want invalid", peaceops.ErrorCode(err))
			}
			if tc.want == nil && r.Symbol != "S/RES/2149 (2014)" {
				t.Errorf("symbol %q not normalized", r.Symbol)
			}
		})
	}
}

func TestValidateMessagesArePrecise(t *testing.T) {
	r := resolution(2149, "2014-04-10", func(r *mandates.Resolution) {
		r.PeriodStart, r.PeriodEnd = date("2014-05-01"), date("2014-04-30")
		r.Ceilings = map[string]int{"police_total": 1000, "police_fpu": 900, "police_ipo": 400}
	})
	msgs := map[string]string{}
	for _, f := range peaceops.ErrorFields(r.Validate()) {
		msgs[f.Field] = f.Message
	}
	if m := msgs["period_end"]; !strings.Contains(m, "2014-05-01") {
		t.Errorf("period_end message %q does not name the start", m)
	}
	if m := msgs["ceilings.police_total"]; !strings.Contains(m, "1300") {
		t.Errorf("police_total message %q does not give the sum of the parts", m)
	}
}

func TestNormalizeSymbol(t *testing.T) {
	for in, want := range map[string]string{
		"S/RES/2709 (2023)":     "S/RES/2709 (2023)",
		"s/res/2709(2023)":      "S/RES/2709 (2023)",
		" S/RES/2709  (2023)":   "S/RES/2709 (2023)",
		"S / RES / 2709 (2023)": "S/RES/2709 (2023)",
	} {
		if got := mandates.NormalizeSymbol(in); got != want {
			t.Errorf("NormalizeSymbol(%q) = %q, want %q", in, got, want)
		}
	}
}
