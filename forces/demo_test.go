package forces_test

import (
	"path/filepath"
	"testing"

	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestSeedDemo(t *testing.T) {
	dir := filepath.Dir(shareddata.Path(t, "ipi-peacekeeping-contributions", "ppp_contributions_20140531.csv"))
	fatalities := shareddata.Path(t, "un-pk-fatalities", "DPPADPOSS-FATALITIES.csv")
	f := newFixture(t, storetest.Open(t, store.SQLite))
	if err := forces.SeedDemo(f.sys, f.svc, dir, fatalities); err != nil {
		t.Fatal(err)
	}
	points, err := f.svc.Strength(vera, "MINUSCA", "", "")
	if err != nil {
		t.Fatal(err)
	}
	var months []forces.Month
	for _, p := range points {
		months = append(months, p.Month)
	}
	if len(points) != 3 || points[0].Month != "2014-05" || points[2].Month != "2014-07" || points[2].Total == 0 {
		t.Errorf("MINUSCA months %v", months)
	}
	counts, err := f.svc.FatalityCounts(vera, "MINUSCA")
	if err != nil || len(counts) == 0 {
		t.Errorf("MINUSCA fatalities %v %v", counts, err)
	}
	if err := forces.SeedDemo(f.sys, f.svc, dir, fatalities); err != nil {
		t.Fatalf("seeding twice: %v", err)
	}
	again, _ := f.svc.Strength(vera, "MINUSCA", "", "")
	if len(again) != 3 || again[2].Total != points[2].Total {
		t.Errorf("second seed changed the strength: %+v", again)
	}
}
