package forces_test

import (
	"context"
	"slices"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestUnits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		t.Run("CreateFindUpdate", func(t *testing.T) {
			u := battalion("RWABATT-1")
			if err := f.svc.CreateUnit(pablo, "MINUSCA", u); err != nil {
				t.Fatal(err)
			}
			got, err := f.svc.FindUnit(vera, "MINUSCA", u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "RWABATT-1" || got.Base.Name != "Bangui M'Poko" || got.Version != 1 || got.Category != forces.CatTroops {
				t.Errorf("got %+v", got)
			}
			size := 800
			upd, err := f.svc.UpdateUnit(pablo, "MINUSCA", u.ID, forces.UnitUpdate{Size: &size}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if upd.Size != 800 || upd.Version != 2 {
				t.Errorf("updated %+v", upd)
			}
			if _, err := f.svc.UpdateUnit(pablo, "MINUSCA", u.ID, forces.UnitUpdate{Size: &size}, 1); peaceops.ErrorCode(err) != peaceops.EPRECONDITION {
				t.Errorf("stale version: %v", err)
			}
			if n := auditCount(t, db, "unit", "create"); n != 1 {
				t.Errorf("%d create audit entries", n)
			}
			if n := auditCount(t, db, "unit", "update"); n != 1 {
				t.Errorf("%d update audit entries", n)
			}
		})
		t.Run("Access", func(t *testing.T) {
			u := battalion("BANBATT-2", func(u *forces.Unit) { u.Country = "BGD" })
			if err := f.svc.CreateUnit(boss, "MINUSCA", u); err != nil {
				t.Fatal(err)
			}
			secret := battalion("SF team", func(u *forces.Unit) { u.Type, u.Classification = forces.TypeSpecialForces, peaceops.Confidential })
			if err := f.svc.CreateUnit(pablo, "MINUSCA", secret); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name string
				ctx  context.Context
				code string
			}{
				{"ViewerCannotCreate", vera, peaceops.EFORBIDDEN},
				{"OtherMissionSeesNothing", otto, peaceops.ENOTFOUND},
				{"Anonymous", anon, peaceops.EUNAUTHORIZED},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if err := f.svc.CreateUnit(tt.ctx, "MINUSCA", battalion("x")); peaceops.ErrorCode(err) != tt.code {
						t.Errorf("create: %v, want %s", err, tt.code)
					}
				})
			}
			if _, err := f.svc.FindUnit(otto, "MINUSCA", u.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Errorf("outsider find: %v", err)
			}
			if _, err := f.svc.FindUnit(vera, "MINUSCA", secret.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Errorf("viewer sees a confidential unit: %v", err)
			}
			if _, err := f.svc.FindUnit(pablo, "MINUSCA", secret.ID); err != nil {
				t.Fatal(err)
			}
			if n := auditCount(t, db, "unit", "read"); n != 1 {
				t.Errorf("%d audited readings of the confidential unit, want 1", n)
			}
			list, _, err := f.svc.FindUnits(vera, "MINUSCA", forces.UnitFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range list {
				if x.ID == secret.ID {
					t.Error("viewer lists a confidential unit")
				}
			}
			list, _, err = f.svc.FindUnits(pablo, "MINUSCA", forces.UnitFilter{Country: "RWA"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(list, func(x *forces.Unit) bool { return x.ID == secret.ID }) {
				t.Error("personnel officer does not list the confidential unit")
			}
		})
		t.Run("Pagination", func(t *testing.T) {
			all, _, err := f.svc.FindUnits(pablo, "MINUSCA", forces.UnitFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var seen []string
			after := ""
			for {
				page, next, err := f.svc.FindUnits(pablo, "MINUSCA", forces.UnitFilter{Limit: 1, After: after})
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range page {
					seen = append(seen, u.ID)
				}
				if next == "" {
					break
				}
				after = next
			}
			if len(seen) != len(all) || len(all) < 3 {
				t.Errorf("paged %d units, listed %d", len(seen), len(all))
			}
		})
	})
}

func TestDeploymentGate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		move := func(ctx context.Context, u *forces.Unit, st forces.Status) (*forces.Unit, error) {
			cur, err := f.svc.FindUnit(pablo, "MINUSCA", u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return f.svc.UpdateUnit(ctx, "MINUSCA", u.ID, forces.UnitUpdate{Status: &st}, cur.Version)
		}
		u := battalion("NEPBATT", func(u *forces.Unit) { u.Country = "NPL" })
		if err := f.svc.CreateUnit(pablo, "MINUSCA", u); err != nil {
			t.Fatal(err)
		}
		if _, err := move(pablo, u, forces.StatusDeployed); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Fatalf("pledged -> deployed skips deploying: %v", err)
		}
		if _, err := move(pablo, u, forces.StatusDeploying); err != nil {
			t.Fatal(err)
		}
		_, err := move(pablo, u, forces.StatusDeployed)
		if peaceops.ErrorCode(err) != peaceops.ECONFLICT {
			t.Fatalf("deploy without training: %v, want conflict", err)
		}
		// Every default pre-deployment course of troops but PoC, one of them
		// expired.
		for _, c := range []forces.Course{forces.CourseCorePreDeployment, forces.CoursePSEA, forces.CourseHumanRights, forces.CourseGenderProtection, forces.CourseChildProtection, forces.CourseFirstAid} {
			comp := &forces.Completion{UnitID: u.ID, Course: c, Completed: date("2025-06-01"), Provider: "Nepal PKTC"}
			if c == forces.CourseFirstAid {
				comp.Completed = date("2019-01-01") // valid 730 days: expired
			}
			if err := f.svc.RecordCompletion(pablo, "MINUSCA", comp); err != nil {
				t.Fatal(err)
			}
		}
		r, err := f.svc.Readiness(vera, "MINUSCA", date("2025-07-01"))
		if err != nil {
			t.Fatal(err)
		}
		states := map[forces.Course]string{}
		for _, c := range r[0].Courses {
			states[c.Course] = c.State
		}
		want := map[forces.Course]string{forces.CoursePoC: "missing", forces.CourseFirstAid: "expired", forces.CoursePSEA: "ok", forces.CourseInduction: "missing"}
		for c, s := range want {
			if states[c] != s {
				t.Errorf("%s: %s, want %s", c, states[c], s)
			}
		}
		if r[0].Ready {
			t.Error("unit reported ready")
		}
		if _, err := move(pablo, u, forces.StatusDeployed); peaceops.ErrorCode(err) != peaceops.ECONFLICT {
			t.Fatalf("deploy with PoC missing: %v", err)
		}
		waiver := &forces.Waiver{UnitID: u.ID, Reason: "PoC and first aid delivered in mission within 30 days of arrival", Courses: []forces.Course{forces.CoursePoC, forces.CourseFirstAid}}
		if err := f.svc.RecordWaiver(pablo, "MINUSCA", waiver); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Fatalf("personnel officer records a waiver: %v", err)
		}
		if err := f.svc.RecordWaiver(boss, "MINUSCA", &forces.Waiver{UnitID: u.ID, Reason: "short", Courses: []forces.Course{forces.CourseDriving}}); !slices.Equal(fieldsOf(err), []string{"reason", "courses"}) {
			t.Errorf("bad waiver: %v", err)
		}
		if err := f.svc.RecordWaiver(boss, "MINUSCA", waiver); err != nil {
			t.Fatal(err)
		}
		if waiver.GrantedBy != "boss" {
			t.Errorf("granted by %q", waiver.GrantedBy)
		}
		got, err := move(pablo, u, forces.StatusDeployed)
		if err != nil {
			t.Fatalf("deploy with waiver: %v", err)
		}
		if got.Status != forces.StatusDeployed {
			t.Errorf("status %s", got.Status)
		}
		if n := auditCount(t, db, "waiver", "create"); n != 1 {
			t.Errorf("%d waiver audit entries", n)
		}
	})
}

func TestPersonnelNames(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u := battalion("ZAMBATT")
		if err := f.svc.CreateUnit(pablo, "MINUSCA", u); err != nil {
			t.Fatal(err)
		}
		named := &forces.Completion{UnitID: u.ID, Course: forces.CoursePSEA, Person: "Capt. Jane Mwale", Completed: date("2025-02-01"), Certificate: "PSEA-2025-0042"}
		if err := f.svc.RecordCompletion(vera, "MINUSCA", named); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Errorf("viewer records a named completion: %v", err)
		}
		if err := f.svc.RecordCompletion(pablo, "MINUSCA", named); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			ctx      context.Context
			seeNames bool
			code     string
		}{
			{"PersonnelOfficer", pablo, true, ""},
			{"MissionAdmin", boss, true, ""},
			{"Viewer", vera, false, ""},
			{"Analyst", ana, false, ""},
			{"GlobalAdmin", global, true, ""},
			{"OtherMission", otto, false, peaceops.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, err := f.svc.FindCompletions(tt.ctx, "MINUSCA", "")
				if peaceops.ErrorCode(err) != tt.code {
					t.Fatalf("err %v, want %q", err, tt.code)
				}
				if tt.code != "" {
					return
				}
				if len(list) != 1 || !list[0].Named {
					t.Fatalf("list %+v", list)
				}
				if got := list[0].Person != ""; got != tt.seeNames {
					t.Errorf("sees name: %v, want %v", got, tt.seeNames)
				}
			})
		}
		if n := auditCount(t, db, "personnel", "create"); n != 1 {
			t.Errorf("%d personnel audit entries", n)
		}
		// pablo, boss and the global admin read names: three audited reads.
		if n := auditCount(t, db, "personnel", "read"); n != 3 {
			t.Errorf("%d audited readings of names, want 3", n)
		}
	})
}

func TestStrengthAgainstCeilings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		rs := []forces.Return{
			{Month: "2024-01", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexMale, Personnel: 2000},
			{Month: "2024-01", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexFemale, Personnel: 150},
			{Month: "2024-01", Country: "RWA", Category: forces.CatStaffOfficers, Sex: forces.SexFemale, Personnel: 12},
			{Month: "2024-01", Country: "BGD", Category: forces.CatMilitaryExperts, Sex: forces.SexMale, Personnel: 30},
			{Month: "2024-01", Country: "SEN", Category: forces.CatFPU, Sex: forces.SexMale, Personnel: 140},
			{Month: "2024-01", Country: "SEN", Category: forces.CatCivilianNational, Sex: forces.SexMale, Personnel: 7},
			{Month: "2024-02", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexMale, Personnel: 2100},
			{Month: "2024-02", Country: "EGY", Category: forces.CatIPO, Sex: forces.SexFemale, Personnel: 9},
		}
		if err := f.svc.RecordReturns(vera, "MINUSCA", rs); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Errorf("viewer records returns: %v", err)
		}
		bad := append(slices.Clone(rs), forces.Return{Month: "2024", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexMale})
		if err := f.svc.RecordReturns(pablo, "MINUSCA", bad); !slices.Equal(fieldsOf(err), []string{"returns[8].month"}) {
			t.Errorf("bad return: %v", err)
		}
		if err := f.svc.RecordReturns(pablo, "MINUSCA", rs); err != nil {
			t.Fatal(err)
		}
		for _, c := range []forces.Ceiling{
			{Category: forces.CeilMilitary, Effective: date("2023-11-15"), Ceiling: 14400},
			{Category: forces.CeilMilitary, Effective: date("2024-02-10"), Ceiling: 14000},
			{Category: forces.CeilPoliceFPU, Effective: date("2023-11-15"), Ceiling: 3020},
			{Category: forces.CeilMilitaryObservers, Effective: date("2024-03-01"), Ceiling: 600},
		} {
			if err := f.svc.SetCeiling(pablo, "MINUSCA", c); err != nil {
				t.Fatal(err)
			}
		}
		points, err := f.svc.Strength(vera, "MINUSCA", "", "")
		if err != nil {
			t.Fatal(err)
		}
		// Independent computation from the returns above.
		type want struct {
			total, women int
			deployed     map[forces.CeilingCategory]int
			ceilings     map[forces.CeilingCategory]int
		}
		wants := map[forces.Month]want{
			"2024-01": {2339, 162, map[forces.CeilingCategory]int{"military": 2150, "military_observers": 42, "police_fpu": 140}, map[forces.CeilingCategory]int{"military": 14400, "police_fpu": 3020}},
			"2024-02": {2109, 9, map[forces.CeilingCategory]int{"military": 2100, "police_ipo": 9}, map[forces.CeilingCategory]int{"military": 14000, "police_fpu": 3020}},
		}
		if len(points) != 2 {
			t.Fatalf("%d points", len(points))
		}
		for _, p := range points {
			w := wants[p.Month]
			if p.Total != w.total || p.Women != w.women || !mapsEqual(p.Deployed, w.deployed) || !mapsEqual(p.Ceilings, w.ceilings) {
				t.Errorf("%s: %+v, want %+v", p.Month, p, w)
			}
		}
		contrib, month, err := f.svc.Contributions(vera, "MINUSCA", "")
		if err != nil {
			t.Fatal(err)
		}
		if month != "2024-02" || len(contrib) != 2 || contrib[0].Country != "RWA" || contrib[0].Total != 2100 {
			t.Errorf("contributions %s %+v", month, contrib)
		}
		if _, err := f.svc.Strength(otto, "MINUSCA", "", ""); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("outsider reads strength: %v", err)
		}
		// Gender parity against the default 2024 targets, then an entered one.
		parity, err := f.svc.Parity(vera, "MINUSCA", "2024-01", "2024-01")
		if err != nil {
			t.Fatal(err)
		}
		got := map[forces.CeilingCategory]forces.ParityPoint{}
		for _, p := range parity {
			got[p.Category] = p
		}
		if p := got[forces.CeilMilitary]; p.Women != 150 || p.Known != 2150 || p.ShareBP != 697 || p.TargetBP != 1100 || p.Met {
			t.Errorf("military parity %+v", p)
		}
		if p := got[forces.CeilMilitaryObservers]; p.Women != 12 || p.Known != 42 || p.ShareBP != 2857 || !p.Met {
			t.Errorf("observers parity %+v", p)
		}
		if err := f.svc.SetGenderTarget(pablo, "MINUSCA", forces.GenderTarget{Year: 2024, Category: forces.CeilMilitary, BP: 600}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetGenderTarget(pablo, "MINUSCA", forces.GenderTarget{Year: 1990, Category: "navy", BP: 20000}); !slices.Equal(fieldsOf(err), []string{"year", "category", "target_bp"}) {
			t.Errorf("bad target: %v", err)
		}
		parity, err = f.svc.Parity(vera, "MINUSCA", "2024-01", "2024-01")
		if err != nil {
			t.Fatal(err)
		}
		if parity[0].Category != forces.CeilMilitary || parity[0].TargetBP != 600 || !parity[0].Met {
			t.Errorf("parity with entered target %+v", parity[0])
		}
		targets, err := f.svc.GenderTargets(vera, "MINUSCA", 2024)
		if err != nil {
			t.Fatal(err)
		}
		if targets[0].BP != 600 || targets[0].Default || targets[1].BP != 2100 || !targets[1].Default {
			t.Errorf("targets %+v", targets)
		}
	})
}

// ceilingSource is a mandate stand-in answering from a table: it is the
// contract (CeilingsOn) the real mandates service implements.
type ceilingSource map[string]map[string]int

func (c ceilingSource) CeilingsOn(_ context.Context, mission string, on peaceops.Date) (map[string]int, error) {
	if on.Before(date("2024-02-01")) {
		return map[string]int{}, nil
	}
	return c[mission], nil
}

func TestCeilingSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		svc := forces.NewService(db, ceilingSource{"MINUSCA": {"military": 14400, "police_ipo": 600, "unknown_key": 1}})
		rs := []forces.Return{
			{Month: "2024-01", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexMale, Personnel: 10},
			{Month: "2024-02", Country: "RWA", Category: forces.CatTroops, Sex: forces.SexMale, Personnel: 11},
		}
		if err := svc.RecordReturns(f.sys, "MINUSCA", rs); err != nil {
			t.Fatal(err)
		}
		// Entered on the mission: used only where no resolution is in force.
		if err := svc.SetCeiling(pablo, "MINUSCA", forces.Ceiling{Category: forces.CeilPoliceFPU, Effective: date("2023-01-01"), Ceiling: 1000}); err != nil {
			t.Fatal(err)
		}
		points, err := svc.Strength(vera, "MINUSCA", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if !mapsEqual(points[0].Ceilings, map[forces.CeilingCategory]int{"police_fpu": 1000}) || !mapsEqual(points[1].Ceilings, map[forces.CeilingCategory]int{"military": 14400, "police_ipo": 600}) {
			t.Errorf("ceilings %v / %v", points[0].Ceilings, points[1].Ceilings)
		}
	})
}

func TestRotations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		next := battalion("PAKBATT-2", func(u *forces.Unit) {
			u.Country = "PAK"
			u.Arrival, u.RotationDue = date("2025-09-01"), date("2026-09-01")
		})
		if err := f.svc.CreateUnit(pablo, "MINUSCA", next); err != nil {
			t.Fatal(err)
		}
		due := battalion("PAKBATT-1", func(u *forces.Unit) {
			u.Country, u.Status, u.RotationDue, u.ReplacementID = "PAK", forces.StatusDeploying, date("2025-08-20"), next.ID
		})
		later := battalion("EGYBATT", func(u *forces.Unit) {
			u.Country, u.Status, u.RotationDue = "EGY", forces.StatusDeploying, date("2026-03-01")
		})
		for _, u := range []*forces.Unit{due, later} {
			if err := f.svc.CreateUnit(pablo, "MINUSCA", u); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.CreateUnit(pablo, "MINUSCA", battalion("x", func(u *forces.Unit) { u.ReplacementID = peaceops.NewID() })); !slices.Equal(fieldsOf(err), []string{"replacement_id"}) {
			t.Errorf("unknown replacement: %v", err)
		}
		rots, err := f.svc.Rotations(vera, "MINUSCA", date("2025-07-01"), 90)
		if err != nil {
			t.Fatal(err)
		}
		if len(rots) != 1 || rots[0].Unit.ID != due.ID || rots[0].DaysLeft != 50 || rots[0].State != "pledged" || rots[0].Replacement.ID != next.ID {
			t.Errorf("rotations %+v", rots)
		}
	})
}

func mapsEqual[K comparable](a, b map[K]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
