package conduct_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/audit"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/sealed"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestAllegationValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mut    func(*conduct.Allegation)
		fields []string
	}{
		{"OK", func(*conduct.Allegation) {}, nil},
		{"ErrReportedRequired", func(a *conduct.Allegation) { a.Reported = peaceops.Date{} }, []string{"reported"}},
		{"ErrIncidentAfterReport", func(a *conduct.Allegation) { a.IncidentDate = date("2024-05-01") }, []string{"incident_date"}},
		{"ErrUnknownVia", func(a *conduct.Allegation) { a.ReceivedVia = "pigeon" }, []string{"received_via"}},
		{"ErrNoCategory", func(a *conduct.Allegation) { a.Categories = nil }, []string{"categories"}},
		{"ErrUnknownCategory", func(a *conduct.Allegation) { a.Categories = []string{"jaywalking"} }, []string{"categories[0]"}},
		{"ErrNationalityOfCivilian", func(a *conduct.Allegation) { a.PersonnelCategory = "civilian" }, []string{"nationality"}},
		{"ErrBadNationality", func(a *conduct.Allegation) { a.Nationality = "XXX" }, []string{"nationality"}},
		{"ErrEverything", func(a *conduct.Allegation) {
			a.PersonnelCategory, a.Perpetrators, a.VictimCount = "", -1, -2
			a.InterimMeasures = []string{"praise"}
			a.Investigation = conduct.Investigation{Status: "lost", Closed: date("2024-01-01")}
		}, []string{"personnel_category", "perpetrators", "nationality", "victim_count", "interim_measures[0]", "investigation.status", "investigation.closed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := seaCase(tt.mut)
			err := a.Validate()
			var got []string
			for _, f := range peaceops.ErrorFields(err) {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			want := slices.Clone(tt.fields)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("fields = %q, want %q (%v)", got, want, err)
			}
		})
	}
}

func TestAllegations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a := seaCase()
		if err := f.conduct.CreateAllegation(officer, a); err != nil {
			t.Fatal(err)
		}
		if a.CategoryLevel != 1 || a.Version != 1 || a.Investigation.Status != "pending" {
			t.Errorf("created %+v", a)
		}
		t.Run("ErrNotEntitled", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				ctx  context.Context
				code string
			}{{"admin", admin, peaceops.ENOTFOUND}, {"mission-admin", boss, peaceops.ENOTFOUND}, {"analyst", ana, peaceops.ENOTFOUND},
				{"other mission", otherCO, peaceops.ENOTFOUND}, {"anonymous", anon, peaceops.EUNAUTHORIZED}} {
				ctx := tc.ctx
				if _, err := f.conduct.FindAllegation(ctx, "MINUSCA", a.ID); peaceops.ErrorCode(err) != tc.code {
					t.Errorf("%s: FindAllegation = %v, want %s", tc.name, err, tc.code)
				}
				if _, _, err := f.conduct.FindAllegations(ctx, "MINUSCA", conduct.Filter{}); peaceops.ErrorCode(err) != tc.code {
					t.Errorf("%s: FindAllegations = %v, want %s", tc.name, err, tc.code)
				}
				if err := f.conduct.CreateAllegation(ctx, seaCase()); peaceops.ErrorCode(err) == "" {
					t.Errorf("%s: CreateAllegation succeeded", tc.name)
				}
			}
			if err := f.conduct.CreateAllegation(rights, seaCase()); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
				t.Errorf("victim-rights creates a case: %v", err)
			}
		})
		t.Run("Update", func(t *testing.T) {
			status, entity := "under-investigation", "oios"
			inv := conduct.Investigation{Entity: entity, Status: status, Opened: date("2024-03-10")}
			measures := []string{"payment-suspension"}
			got, err := f.conduct.UpdateAllegation(officer, "MINUSCA", a.ID, conduct.Update{Investigation: &inv, InterimMeasures: &measures}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 2 || got.Indicators.TargetDays != 90 || !got.Indicators.Overdue || got.Indicators.DaysInStatus != 0 {
				t.Errorf("updated %+v indicators %+v", got, got.Indicators)
			}
			if _, err := f.conduct.UpdateAllegation(officer, "MINUSCA", a.ID, conduct.Update{}, 1); peaceops.ErrorCode(err) != peaceops.EPRECONDITION {
				t.Errorf("stale update: %v", err)
			}
			if _, err := f.conduct.UpdateAllegation(rights, "MINUSCA", a.ID, conduct.Update{}, 2); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
				t.Errorf("victim-rights updates: %v", err)
			}
			if _, err := f.conduct.AddAction(officer, "MINUSCA", a.ID, conduct.Action{Action: "repatriation", TakenOn: date("2024-04-01")}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.conduct.AddAction(officer, "MINUSCA", a.ID, conduct.Action{Action: "medal"}); peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Errorf("bad action: %v", err)
			}
		})
		t.Run("Victims", func(t *testing.T) {
			if _, err := f.conduct.AddVictim(officer, "MINUSCA", a.ID, conduct.NewVictim{Sex: "female", AgeGroup: "child",
				Identity: &conduct.Identity{Name: "X"}}); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
				t.Errorf("conduct officer records an identity: %v", err)
			}
			v1, err := f.conduct.AddVictim(officer, "MINUSCA", a.ID, conduct.NewVictim{Sex: "female", AgeGroup: "child"})
			if err != nil {
				t.Fatal(err)
			}
			v2, err := f.conduct.AddVictim(rights, "MINUSCA", a.ID, conduct.NewVictim{Sex: "female", AgeGroup: "adult",
				Identity: &conduct.Identity{Name: "Amina Yakubu", Contact: "+236 70 11 22 33", Location: "Bambari"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.conduct.SetVictimIdentity(rights, "MINUSCA", a.ID, v2.ID, conduct.Identity{Name: "Amina Yakubu", Contact: "+236 70 99 88 77"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.conduct.SetVictimIdentity(officer, "MINUSCA", a.ID, v1.ID, conduct.Identity{Name: "Y"}); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
				t.Errorf("conduct officer sets an identity: %v", err)
			}
			for _, tc := range []struct {
				name     string
				ctx      context.Context
				identity bool
			}{{"conduct officer", officer, false}, {"victim rights", rights, true}, {"both", both, true}} {
				got, err := f.conduct.FindAllegation(tc.ctx, "MINUSCA", a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Victims) != 2 || got.VictimCount != 2 {
					t.Fatalf("%s: %d victims, count %d", tc.name, len(got.Victims), got.VictimCount)
				}
				v := got.Victims[1]
				if tc.identity {
					if v.Identity == nil || v.Identity.Contact != "+236 70 99 88 77" || v.Identity.Location != "" || v.Withheld {
						t.Errorf("%s: identity %+v", tc.name, v.Identity)
					}
				} else if v.Identity != nil || !v.Withheld {
					t.Errorf("%s sees identity %+v", tc.name, v.Identity)
				}
				if got.Victims[0].Withheld || got.Victims[0].Identity != nil {
					t.Errorf("%s: victim without identity shows %+v", tc.name, got.Victims[0])
				}
				kinds := []string{}
				for _, e := range got.Timeline {
					kinds = append(kinds, e.Kind)
				}
				for _, k := range []string{"incident", "reported", "investigation-opened", "status", "action", "victim-added", "victim-identity"} {
					if !slices.Contains(kinds, k) {
						t.Errorf("timeline %q lacks %s", kinds, k)
					}
				}
			}
		})
		t.Run("Audit", func(t *testing.T) {
			entries, _, err := audit.NewService(db).FindEntries(f.system, audit.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			reads := 0
			for _, e := range entries {
				if e.EntityType == "allegation" && e.Action == "read" && e.EntityID == a.ID {
					reads++
				}
				raw := string(e.Before) + string(e.After)
				if strings.Contains(raw, "Amina") || strings.Contains(raw, "236 70") || strings.Contains(raw, "Bambari") || strings.Contains(raw, "v1.t.") {
					t.Errorf("audit entry %d %s %s holds identity: %s", e.Seq, e.EntityType, e.Action, raw)
				}
				if e.EntityType == "victim" && e.Action == "update" {
					var after map[string]string
					json.Unmarshal(e.After, &after)
					if after["contact"] != "[redacted: changed]" || after["name"] != "[redacted]" || after["location"] != "[redacted: changed]" {
						t.Errorf("victim update audit after = %v", after)
					}
				}
			}
			if reads != 3 {
				t.Errorf("%d audited reads of the case, want 3", reads)
			}
		})
		t.Run("ReferralAndList", func(t *testing.T) {
			id, err := f.conduct.CreateFromReferral(officer, "MINUSCA", conduct.Referral{Received: date("2024-06-01"), Channel: "sms", Summary: "A soldier", FeedbackID: "FB1"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.conduct.FindAllegation(officer, "MINUSCA", id)
			if err != nil || got.ReceivedVia != "community-mechanism" || got.FeedbackID != "FB1" {
				t.Fatalf("referral case %+v, %v", got, err)
			}
			list, next, err := f.conduct.FindAllegations(officer, "MINUSCA", conduct.Filter{Limit: 1})
			if err != nil || len(list) != 1 || list[0].ID != id || next == "" {
				t.Fatalf("page 1 = %v %q %v", list, next, err)
			}
			list, next, err = f.conduct.FindAllegations(officer, "MINUSCA", conduct.Filter{Limit: 1, After: next})
			if err != nil || len(list) != 1 || list[0].ID != a.ID || next != "" {
				t.Fatalf("page 2 = %v %q %v", list, next, err)
			}
			if list, _, _ := f.conduct.FindAllegations(otherCO, "MONUSCO", conduct.Filter{}); len(list) != 0 {
				t.Errorf("MONUSCO lists MINUSCA's cases")
			}
		})
		t.Run("NoKey", func(t *testing.T) {
			s := conduct.NewService(db, nil)
			_, err := s.AddVictim(rights, "MINUSCA", a.ID, conduct.NewVictim{Identity: &conduct.Identity{Name: "Z"}})
			if peaceops.ErrorCode(err) != peaceops.EINVALID || !strings.Contains(peaceops.ErrorMessage(err), "data key") {
				t.Errorf("identity without key: %v", err)
			}
		})
	})
}

func TestResealVictims(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a := seaCase()
		if err := f.conduct.CreateAllegation(officer, a); err != nil {
			t.Fatal(err)
		}
		if _, err := f.conduct.AddVictim(rights, "MINUSCA", a.ID, conduct.NewVictim{Identity: &conduct.Identity{Name: "Old Key Name"}}); err != nil {
			t.Fatal(err)
		}
		oldText := sealedKeyText(t, f)
		newKey := sealed.NewKey("k2")
		both, err := sealed.ParseKeys(newKey + "," + oldText)
		if err != nil {
			t.Fatal(err)
		}
		rotated := conduct.NewService(db, both)
		if _, err := rotated.ResealVictims(rights); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Errorf("a user re-seals: %v", err)
		}
		for want := range []int{1, 0} {
			n, err := rotated.ResealVictims(f.system)
			if err != nil || n != 1-want {
				t.Fatalf("reseal pass %d = %d, %v", want, n, err)
			}
		}
		onlyNew, _ := sealed.ParseKeys(newKey)
		got, err := conduct.NewService(db, onlyNew).FindAllegation(rights, "MINUSCA", a.ID)
		if err != nil || got.Victims[0].Identity == nil || got.Victims[0].Identity.Name != "Old Key Name" {
			t.Fatalf("after rotation: %+v, %v", got, err)
		}
	})
}
