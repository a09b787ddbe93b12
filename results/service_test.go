package results_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/results"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func fieldMessages(err error) map[string]string {
	out := map[string]string{}
	for _, f := range peaceops.ErrorFields(err) {
		out[f.Field] = f.Message
	}
	return out
}

func TestIndicatorValidate(t *testing.T) {
	base := func() *results.Indicator { return manual(&results.Result{ID: "01HX"}) }
	for _, tt := range []struct {
		name   string
		change func(in *results.Indicator)
		field  string
		want   string // in the message
	}{
		{"TargetBeforeBaseline", func(in *results.Indicator) { in.Targets[0].Date = date("2023-06-30") }, "targets[0].date", "2023-06-30 is not after the baseline date 2024-01-01"},
		{"TargetsOutOfOrder", func(in *results.Indicator) { in.Targets[1].Date = date("2024-06-30") }, "targets[1].date", "not after the previous target's date"},
		{"PercentageOf140", func(in *results.Indicator) { in.Targets[1].Value = 140 }, "targets[1].value", "140 is not a percentage (0 to 100)"},
		{"BaselinePercentageNegative", func(in *results.Indicator) { in.BaselineValue = -3 }, "baseline_value", "-3 is not a percentage"},
		{"YesNo", func(in *results.Indicator) {
			in.Unit = results.UnitYesNo
			in.BaselineValue = 0
			in.Targets = in.Targets[:1]
			in.Targets[0].Value = 2
		}, "targets[0].value", "2 is not yes (1) or no (0)"},
		{"ScaleWithoutBounds", func(in *results.Indicator) { in.Unit = results.UnitScale }, "scale_max", "scale_min and scale_max are required"},
		{"UnknownKind", func(in *results.Indicator) { in.Kind = "activity" }, "kind", "must be input, output, outcome or impact"},
		{"UnknownFrequency", func(in *results.Indicator) { in.Frequency = "weekly" }, "frequency", "monthly, quarterly, yearly or budget_year"},
		{"DimensionTwice", func(in *results.Indicator) { in.Dimensions[1].Name = "sex" }, "dimensions[1].name", `"sex" is listed twice`},
		{"DimensionWithoutValues", func(in *results.Indicator) { in.Dimensions[0].Values = nil }, "dimensions[0].values", "list the values"},
		{"NoTarget", func(in *results.Indicator) { in.Targets = nil }, "targets", "at least one target"},
		{"SectionRequired", func(in *results.Indicator) { in.Section = "" }, "section", "is required"},
		{"UnknownComputedField", func(in *results.Indicator) {
			in.Dimensions, in.Unit = nil, results.UnitNumber
			in.Computed = json.RawMessage(`{"source":"events","measure":"count","filter":{"types":["battles"],"province":"Ouaka"}}`)
		}, "computed.filter.province", "is not a field of an event filter (known: types, status, admin1, admin2, actor, text, min_fatalities)"},
		{"UnknownComputedMeasure", func(in *results.Indicator) {
			in.Dimensions, in.Unit = nil, results.UnitNumber
			in.Computed = json.RawMessage(`{"source":"events","measure":"injuries","filter":{}}`)
		}, "computed.measure", "must be one of count, fatalities_best, civilian_fatalities_best, share"},
		{"UnknownEventType", func(in *results.Indicator) {
			in.Dimensions, in.Unit = nil, results.UnitNumber
			in.Computed = json.RawMessage(`{"source":"events","measure":"count","filter":{"types":["battles","massacre"]}}`)
		}, "computed.filter.types[1]", `"massacre" is not a type or category of the event taxonomy`},
		{"UnknownTopField", func(in *results.Indicator) {
			in.Dimensions, in.Unit = nil, results.UnitNumber
			in.Computed = json.RawMessage(`{"source":"events","measure":"count","filter":{},"group_by":"admin1"}`)
		}, "computed.group_by", "is not a field of a definition"},
		{"ShareWithoutShareOf", func(in *results.Indicator) {
			in.Dimensions = nil
			in.Computed = json.RawMessage(`{"source":"events","measure":"share","filter":{"types":["violence_against_civilians"]}}`)
		}, "computed.share_of", "is required with the measure share"},
		{"ShareNeedsPercentage", func(in *results.Indicator) {
			in.Dimensions, in.Unit = nil, results.UnitNumber
			in.Computed = json.RawMessage(`{"source":"events","measure":"share","filter":{"types":["violence_against_civilians"]},"share_of":{}}`)
		}, "unit", "must be percentage for the measure share"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.change(in)
			err := in.Validate()
			wantCode(t, err, peaceops.EINVALID)
			msgs := fieldMessages(err)
			if !strings.Contains(msgs[tt.field], tt.want) {
				t.Fatalf("%s: got %q, want it to contain %q (all: %v)", tt.field, msgs[tt.field], tt.want, msgs)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		if err := base().Validate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("EveryProblemAtOnce", func(t *testing.T) {
		in := base()
		in.Targets[0].Date, in.Targets[1].Value, in.Kind = date("2023-01-01"), 140, ""
		if n := len(peaceops.ErrorFields(in.Validate())); n != 3 {
			t.Fatalf("%d problems, want 3: %v", n, in.Validate())
		}
	})
}

func TestPeriods(t *testing.T) {
	for _, tt := range []struct {
		freq       results.Frequency
		key        string
		start, end string
	}{
		{results.Monthly, "2024-02", "2024-02-01", "2024-02-29"},
		{results.Quarterly, "2024-Q3", "2024-07-01", "2024-09-30"},
		{results.Yearly, "2023", "2023-01-01", "2023-12-31"},
		{results.BudgetYear, "FY2024-25", "2024-07-01", "2025-06-30"},
	} {
		p, err := results.ParsePeriod(tt.freq, tt.key)
		if err != nil {
			t.Fatal(err)
		}
		if p.Start.String() != tt.start || p.End.String() != tt.end {
			t.Errorf("%s: %s..%s, want %s..%s", tt.key, p.Start, p.End, tt.start, tt.end)
		}
		if got := results.PeriodOf(tt.freq, p.End); got.Key != tt.key {
			t.Errorf("PeriodOf(%s) = %s, want %s", p.End, got.Key, tt.key)
		}
	}
	for _, bad := range []struct {
		freq results.Frequency
		key  string
	}{{results.Monthly, "2024-13"}, {results.Quarterly, "2024-Q5"}, {results.BudgetYear, "FY2024-26"}, {results.Yearly, "24"}} {
		if _, err := results.ParsePeriod(bad.freq, bad.key); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Errorf("%s %s: %v, want EINVALID", bad.freq, bad.key, err)
		}
	}
}

func TestFrameworkAccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		t.Run("TaskMustBeMandated", func(t *testing.T) {
			err := f.results.CreateObjective(f.as("pat"), "MINUSCA", &results.Objective{Code: "OBJ-9", Title: "x", TaskIDs: []string{"T-POC", "T-ELECTIONS"}})
			wantCode(t, err, peaceops.EINVALID)
			if msg := fieldMessages(err)["task_ids[1]"]; msg != "T-ELECTIONS is not a mandated task of MINUSCA" {
				t.Fatalf("message %q", msg)
			}
		})
		o, r := f.chain(t)
		in := manual(r)
		for _, tt := range []struct {
			user string
			code string
		}{{"vera", peaceops.EFORBIDDEN}, {"ana", peaceops.EFORBIDDEN}, {"otto", peaceops.ENOTFOUND}} {
			c := *in
			wantCode(t, f.results.CreateIndicator(f.as(tt.user), "MINUSCA", &c), tt.code)
		}
		if err := f.results.CreateIndicator(f.as("pat"), "MINUSCA", in); err != nil {
			t.Fatal(err)
		}
		dup := manual(r)
		wantCode(t, f.results.CreateIndicator(f.as("mina"), "MINUSCA", dup), peaceops.ECONFLICT)

		fwk, err := f.results.FindFramework(f.as("vera"), "MINUSCA")
		if err != nil {
			t.Fatal(err)
		}
		if len(fwk.Objectives) != 1 || len(fwk.Results) != 1 || len(fwk.Indicators) != 1 || fwk.Indicators[0].Code != "IND-1" {
			t.Fatalf("framework as vera: %+v", fwk)
		}
		_, err = f.results.FindFramework(f.as("otto"), "MINUSCA")
		wantCode(t, err, peaceops.ENOTFOUND)
		_, err = f.results.FindIndicatorByID(f.as("otto"), "MINUSCA", in.ID)
		wantCode(t, err, peaceops.ENOTFOUND)

		// Update through a JSON patch, with the version.
		up, err := f.results.UpdateIndicator(f.as("pat"), "MINUSCA", in.ID, json.RawMessage(`{"name":"Documented violations (%)"}`), in.Version)
		if err != nil {
			t.Fatal(err)
		}
		if up.Name != "Documented violations (%)" || up.Version != 2 || len(up.Targets) != 2 || up.Section != "HRD" {
			t.Fatalf("after update: %+v", up)
		}
		_, err = f.results.UpdateIndicator(f.as("pat"), "MINUSCA", in.ID, json.RawMessage(`{"name":"x"}`), 1)
		wantCode(t, err, peaceops.EPRECONDITION)
		_, err = f.results.UpdateIndicator(f.as("vera"), "MINUSCA", in.ID, json.RawMessage(`{"name":"x"}`), 2)
		wantCode(t, err, peaceops.EFORBIDDEN)
		_, err = f.results.UpdateIndicator(f.as("pat"), "MINUSCA", in.ID, json.RawMessage(`{"targets":[{"value":140,"date":"2023-01-01"}]}`), 2)
		wantCode(t, err, peaceops.EINVALID)
		if len(peaceops.ErrorFields(err)) != 2 {
			t.Fatalf("want the value and the date refused: %v", err)
		}
		_, err = f.results.UpdateObjective(f.as("pat"), "MINUSCA", o.ID, json.RawMessage(`{"task_ids":["T-POC","T-DDR"]}`), 1)
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestValues(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		_, r := f.chain(t)
		in := manual(r)
		if err := f.results.CreateIndicator(f.as("pat"), "MINUSCA", in); err != nil {
			t.Fatal(err)
		}
		entry := results.Entry{Period: "2024-Q1", Value: 30, EvidenceNote: "HRD monthly report", Cell: results.Cell{}}
		t.Run("OnlyTheSection", func(t *testing.T) {
			_, err := f.results.EnterValue(f.as("vera"), "MINUSCA", in.ID, entry)
			wantCode(t, err, peaceops.EFORBIDDEN)
			_, err = f.results.EnterValue(f.as("otto"), "MINUSCA", in.ID, entry)
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("BadEntry", func(t *testing.T) {
			bad := results.Entry{Period: "2024-03", Value: 140, Cell: results.Cell{"sex": "other", "region": "north"}}
			_, err := f.results.EnterValue(f.as("sam"), "MINUSCA", in.ID, bad)
			wantCode(t, err, peaceops.EINVALID)
			msgs := fieldMessages(err)
			for field, want := range map[string]string{
				"period":      `"2024-03" is not a quarterly period: write YYYY-Qn`,
				"value":       "140 is not a percentage (0 to 100)",
				"cell.sex":    `"other" is not a value of sex (allowed: female, male)`,
				"cell.region": `indicator IND-1 has no dimension "region" (dimensions: sex, admin1)`,
			} {
				if !strings.Contains(msgs[field], want) {
					t.Errorf("%s: %q, want %q", field, msgs[field], want)
				}
			}
		})
		m, err := f.results.EnterValue(f.as("sam"), "MINUSCA", in.ID, entry)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != results.StateEntered || m.EnteredBy != "sam" || m.Period != "2024-Q1" || m.PeriodEnd.String() != "2024-03-31" {
			t.Fatalf("entered: %+v", m)
		}
		cell := results.Entry{Period: "2024-Q1", Value: 35, Cell: results.Cell{"sex": "female", "admin1": "CF43"}}
		mc, err := f.results.EnterValue(f.as("sam"), "MINUSCA", in.ID, cell)
		if err != nil {
			t.Fatal(err)
		}
		if mc.Cell != "admin1=CF43;sex=female" {
			t.Fatalf("cell %q", mc.Cell)
		}
		t.Run("Decisions", func(t *testing.T) {
			_, err := f.results.DecideValue(f.as("sam"), "MINUSCA", m.ID, results.Decision{State: results.StateApproved}, m.Version)
			wantCode(t, err, peaceops.EFORBIDDEN)
			_, err = f.results.DecideValue(f.as("pat"), "MINUSCA", m.ID, results.Decision{State: results.StateReturned}, m.Version)
			wantCode(t, err, peaceops.EINVALID)
			ret, err := f.results.DecideValue(f.as("pat"), "MINUSCA", m.ID, results.Decision{State: results.StateReturned, Reason: "attach the report"}, m.Version)
			if err != nil {
				t.Fatal(err)
			}
			if ret.State != results.StateReturned || ret.ReturnReason != "attach the report" || ret.DecidedBy != "pat" {
				t.Fatalf("returned: %+v", ret)
			}
			again, err := f.results.EnterValue(f.as("sam"), "MINUSCA", in.ID, results.Entry{Period: "2024-Q1", Value: 31, EvidenceLink: "https://example.org/report.pdf"})
			if err != nil {
				t.Fatal(err)
			}
			if again.ID != m.ID || again.State != results.StateEntered || again.ReturnReason != "" {
				t.Fatalf("re-entered: %+v", again)
			}
			ok, err := f.results.DecideValue(f.as("mina"), "MINUSCA", m.ID, results.Decision{State: results.StateApproved}, again.Version)
			if err != nil {
				t.Fatal(err)
			}
			m = ok
		})
		t.Run("Lock", func(t *testing.T) {
			_, err := f.results.LockThrough(f.as("sam"), "MINUSCA", date("2024-03-31"))
			wantCode(t, err, peaceops.EFORBIDDEN)
			if _, err := f.results.LockThrough(f.as("pat"), "MINUSCA", date("2024-03-31")); err != nil {
				t.Fatal(err)
			}
			_, err = f.results.EnterValue(f.as("sam"), "MINUSCA", in.ID, entry)
			wantCode(t, err, peaceops.ECONFLICT)
			_, err = f.results.DecideValue(f.as("pat"), "MINUSCA", mc.ID, results.Decision{State: results.StateApproved}, mc.Version)
			wantCode(t, err, peaceops.ECONFLICT)
			if _, err := f.results.EnterValue(f.as("sam"), "MINUSCA", in.ID, results.Entry{Period: "2024-Q2", Value: 40}); err != nil {
				t.Fatalf("the next quarter is open: %v", err)
			}
			_, err = f.results.LockThrough(f.as("pat"), "MINUSCA", date("2023-12-31"))
			wantCode(t, err, peaceops.EFORBIDDEN)
			if _, err := f.results.LockThrough(f.as("mina"), "MINUSCA", date("2023-12-31")); err != nil {
				t.Fatalf("mission-admins unlock: %v", err)
			}
		})
		vals, err := f.results.FindValues(f.as("vera"), "MINUSCA", in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vals) != 3 {
			t.Fatalf("%d values, want 3", len(vals))
		}
	})
}

func TestAssess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		o, r := f.chain(t)
		// Baseline 20 on 2024-01-01, target 50 on 2024-12-31: at the end of
		// Q2 about half the time has elapsed (expected progress ~0.5).
		in := manual(r)
		if err := f.results.CreateIndicator(f.as("pat"), "MINUSCA", in); err != nil {
			t.Fatal(err)
		}
		lower := manual(r)
		lower.Code, lower.Direction, lower.Dimensions = "IND-2", results.Lower, nil
		lower.BaselineValue, lower.Targets = 60, []results.Target{{Value: 40, Date: date("2024-12-31")}}
		if err := f.results.CreateIndicator(f.as("pat"), "MINUSCA", lower); err != nil {
			t.Fatal(err)
		}
		enter := func(ind *results.Indicator, period string, v float64, approve bool) {
			m, err := f.results.EnterValue(f.as("sam"), "MINUSCA", ind.ID, results.Entry{Period: period, Value: v})
			if err != nil {
				t.Fatal(err)
			}
			if approve {
				if _, err := f.results.DecideValue(f.as("pat"), "MINUSCA", m.ID, results.Decision{State: results.StateApproved}, m.Version); err != nil {
					t.Fatal(err)
				}
			}
		}
		status := func(period string) (results.Status, map[string]results.Status) {
			a, err := f.results.Assess(f.as("vera"), "MINUSCA", period)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]results.Status{}
			for _, is := range a.Objectives[0].Indicators {
				got[is.Indicator.Code] = is.Status
			}
			return a.Objectives[0].Status, got
		}
		if obj, got := status("2024-Q2"); obj != results.NoData || got["IND-1"] != results.NoData {
			t.Fatalf("no values: %s %v", obj, got)
		}
		enter(in, "2024-Q2", 34, true)    // progress 14/30 = 0.47 vs elapsed 0.50: on track
		enter(lower, "2024-Q2", 57, true) // progress 3/20 = 0.15 vs 0.50: off track
		obj, got := status("2024-Q2")
		if got["IND-1"] != results.OnTrack || got["IND-2"] != results.OffTrack || obj != results.OffTrack {
			t.Fatalf("Q2: objective %s, indicators %v", obj, got)
		}
		enter(lower, "2024-Q3", 51, false) // not approved: does not count
		if _, got := status("2024-Q3"); got["IND-2"] != results.OffTrack {
			t.Fatalf("Q3 with an unapproved value: %v", got)
		}
		enter(in, "2024-Q3", 36, true) // 16/30 = 0.53 vs elapsed 0.75: at risk
		if _, got := status("2024-Q3"); got["IND-1"] != results.AtRisk {
			t.Fatalf("Q3: %v", got)
		}
		n, err := f.results.SaveNarrative(f.as("pat"), "MINUSCA", o.ID, results.Narrative{Period: "2024-Q3", Achievements: "Documentation teams deployed to Bambari."}, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.results.SaveNarrative(f.as("pat"), "MINUSCA", o.ID, results.Narrative{Period: "2024-Q3", Obstacles: "Access"}, 0)
		wantCode(t, err, peaceops.ECONFLICT)
		_, err = f.results.SaveNarrative(f.as("vera"), "MINUSCA", o.ID, results.Narrative{Period: "2024-Q3", Obstacles: "Access"}, n.Version)
		wantCode(t, err, peaceops.EFORBIDDEN)
		a, err := f.results.Assess(f.as("vera"), "MINUSCA", "2024-Q3")
		if err != nil {
			t.Fatal(err)
		}
		if a.Objectives[0].Narrative == nil || a.Objectives[0].Narrative.Achievements != n.Achievements {
			t.Fatalf("narrative not in the assessment: %+v", a.Objectives[0].Narrative)
		}
		_, err = f.results.Assess(f.as("vera"), "MINUSCA", "Q3-2024")
		wantCode(t, err, peaceops.EINVALID)
	})
}

func TestAdopt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		_, r := f.chain(t)
		_, err := f.results.Adopt(f.as("vera"), "MINUSCA", results.Adoption{ResultID: r.ID, Themes: []string{"justice"}, Section: "JCS"})
		wantCode(t, err, peaceops.EFORBIDDEN)
		_, err = f.results.Adopt(f.as("pat"), "MINUSCA", results.Adoption{ResultID: r.ID, Themes: []string{"justice", "astrology"}, Section: "JCS"})
		wantCode(t, err, peaceops.EINVALID)
		list, err := f.results.Adopt(f.as("pat"), "MINUSCA", results.Adoption{ResultID: r.ID, Themes: results.Themes, Section: "JCS", BaselineDate: date("2024-07-01")})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(results.Templates) {
			t.Fatalf("adopted %d, want %d", len(list), len(results.Templates))
		}
		// All or nothing: adopting again conflicts and adds nothing.
		_, err = f.results.Adopt(f.as("pat"), "MINUSCA", results.Adoption{ResultID: r.ID, Codes: []string{"PB-JUS-1"}, Section: "JCS"})
		wantCode(t, err, peaceops.ECONFLICT)
		fwk, _ := f.results.FindFramework(f.as("vera"), "MINUSCA")
		if len(fwk.Indicators) != len(results.Templates) || !slices.ContainsFunc(fwk.Indicators, func(in *results.Indicator) bool { return in.Template == "PB-POL-2" && in.Unit == results.UnitScale }) {
			t.Fatalf("framework after adoption: %d indicators", len(fwk.Indicators))
		}
	})
}
