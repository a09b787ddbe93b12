package conduct_test

import (
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func force(unit string, at time.Time, mut ...func(*conduct.ForceReport)) *conduct.ForceReport {
	r := &conduct.ForceReport{Mission: "MINUSCA", Unit: unit, OccurredAt: at, Place: "Kaga-Bandoro", ForceType: "warning-shot",
		LegalBasis: "self-defence"}
	for _, m := range mut {
		m(r)
	}
	return r
}

func TestForceReports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		old := time.Now().UTC().AddDate(0, 0, -30)
		recent := time.Now().UTC().AddDate(0, 0, -2)
		reports := []*conduct.ForceReport{
			force("BANBATT-1", old, func(r *conduct.ForceReport) { r.ForceType, r.Killed = "lethal", 1 }),
			force("BANBATT-1", old.Add(time.Hour), func(r *conduct.ForceReport) { r.LegalBasis = "" }),
			force("PAKBATT-2", recent, func(r *conduct.ForceReport) { r.Injured = 2 }),
		}
		for _, r := range reports {
			if err := f.conduct.CreateForceReport(rita, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.conduct.CreateForceReport(rita, force("X", old, func(r *conduct.ForceReport) { r.ForceType = "harsh-words" })); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Errorf("bad force type: %v", err)
		}
		flags := map[string]string{}
		list, _, err := f.conduct.FindForceReports(officer, "MINUSCA", conduct.ForceFilter{})
		if err != nil || len(list) != 3 {
			t.Fatalf("list %d, %v", len(list), err)
		}
		for _, r := range list {
			flags[r.ID] = ""
			for _, fl := range r.Flags {
				flags[r.ID] += fl + ";"
			}
		}
		want := []string{"review-overdue;", "no-legal-basis;", ""}
		for i, r := range reports {
			if flags[r.ID] != want[i] {
				t.Errorf("report %d flags %q, want %q", i, flags[r.ID], want[i])
			}
		}
		flagged, _, _ := f.conduct.FindForceReports(officer, "MINUSCA", conduct.ForceFilter{Flagged: true})
		if len(flagged) != 2 {
			t.Errorf("%d flagged", len(flagged))
		}
		if _, err := f.conduct.ReviewForceReport(rita, "MINUSCA", reports[0].ID, conduct.Review{By: "FC", Finding: "within-roe"}, 1); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Errorf("reporter reviews: %v", err)
		}
		got, err := f.conduct.ReviewForceReport(officer, "MINUSCA", reports[0].ID, conduct.Review{By: "Force Commander", Finding: "within-roe"}, 1)
		if err != nil || len(got.Flags) != 0 || got.Version != 2 {
			t.Fatalf("review = %+v, %v", got, err)
		}
		if _, err := f.conduct.FindForceReport(rights, "MINUSCA", reports[0].ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("victim-rights reads use of force: %v", err)
		}
		sum, err := f.conduct.ForceSummary(ana, "MINUSCA")
		if err != nil || len(sum) != 2 && len(sum) != 3 {
			t.Fatalf("summary %+v, %v", sum, err)
		}
		var b1 conduct.ForceSummaryRow
		for _, r := range sum {
			if r.Unit == "BANBATT-1" {
				b1 = r
			}
		}
		if b1.Reports != 2 || b1.Lethal != 1 || b1.Killed != 1 || b1.NoLegalBasis != 1 || b1.Unreviewed != 1 {
			t.Errorf("BANBATT-1 summary %+v", b1)
		}
	})
}
