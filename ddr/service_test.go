package ddr_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/ddr"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

func as(username, mission string, role peaceops.Role) context.Context {
	a := peaceops.Actor{UserID: peaceops.NewID(), Username: username, Roles: map[string][]peaceops.Role{mission: {role}}}
	return peaceops.NewContextWithActor(context.Background(), a)
}

var (
	system  = peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
	officer = as("olga", "MINUSCA", peaceops.RoleDDROfficer)
	chief   = as("carl", "MINUSCA", peaceops.RoleDDRChief)
	cp      = as("cora", "MINUSCA", peaceops.RoleChildProtection)
	admin   = peaceops.NewContextWithActor(context.Background(), peaceops.Actor{UserID: peaceops.NewID(), Username: "root", Admin: true})
	madmin  = as("mark", "MINUSCA", peaceops.RoleMissionAdmin)
	viewer  = as("vera", "MINUSCA", peaceops.RoleViewer)
	other   = as("otto", "MONUSCO", peaceops.RoleDDRChief)
)

func setup(t *testing.T, db *store.DB) (*ddr.Service, string) {
	t.Helper()
	mis := missions.NewService(db, nil)
	for _, m := range []*missions.Mission{
		{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}},
		{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}},
	} {
		if err := mis.CreateMission(system, m); err != nil {
			t.Fatal(err)
		}
	}
	s := ddr.NewService(db)
	site := &ddr.Site{Name: "Bria DDR site", Kind: ddr.SiteDemobilisation, Capacity: 300, PCode: "CF431"}
	if err := s.CreateSite(officer, "MINUSCA", site); err != nil {
		t.Fatal(err)
	}
	return s, site.ID
}

func adult(site, name string) *ddr.Registrant {
	return &ddr.Registrant{Name: name, MotherName: "Fatimé Abakar", Sex: ddr.Male, BirthPrecision: ddr.BirthYear, BirthYear: 1990,
		OriginPCode: "CF431", ArmedGroup: "FPRC", RegisteredOn: peaceops.Date{Year: 2024, Month: 3, Day: 12}, SiteID: site}
}

func child(site string) *ddr.Registrant {
	r := adult(site, "Issa Moussa Abdoulaye")
	r.BirthPrecision, r.BirthYear, r.AgeLow, r.AgeHigh = ddr.BirthApprox, 0, 15, 19 // could be under 18
	return r
}

func TestMayBeChild(t *testing.T) {
	on := peaceops.Date{Year: 2024, Month: 6, Day: 1}
	tests := []struct {
		name string
		r    ddr.Registrant
		want bool
	}{
		{"DayAdult", ddr.Registrant{BirthPrecision: ddr.BirthDay, BirthDate: peaceops.Date{Year: 2006, Month: 5, Day: 31}, RegisteredOn: on}, false},
		{"DayChildByOneDay", ddr.Registrant{BirthPrecision: ddr.BirthDay, BirthDate: peaceops.Date{Year: 2006, Month: 6, Day: 2}, RegisteredOn: on}, true},
		{"YearCouldBeChild", ddr.Registrant{BirthPrecision: ddr.BirthYear, BirthYear: 2006, RegisteredOn: on}, true},
		{"YearAdult", ddr.Registrant{BirthPrecision: ddr.BirthYear, BirthYear: 2005, RegisteredOn: on}, false},
		{"RangeStraddles18", ddr.Registrant{BirthPrecision: ddr.BirthApprox, AgeLow: 16, AgeHigh: 20, RegisteredOn: on}, true},
		{"RangeAdult", ddr.Registrant{BirthPrecision: ddr.BirthApprox, AgeLow: 18, AgeHigh: 22, RegisteredOn: on}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.MayBeChild(); got != tc.want {
				t.Errorf("MayBeChild = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRegistration(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, site := setup(t, db)
		first, err := s.Register(officer, "MINUSCA", adult(site, "Mahamat Abakar Adoum"))
		if err != nil {
			t.Fatal(err)
		}
		if first.DDRNumber != "MINUSCA-000001" || first.Registrant == nil || len(first.Candidates) != 0 {
			t.Fatalf("first registration = %+v", first)
		}
		// the same man at another site, another clerk, another spelling
		again := adult(site, "ADOUM Mohamed Abbakar")
		again.BirthYear = 1991
		second, err := s.Register(officer, "MINUSCA", again)
		if err != nil {
			t.Fatal(err)
		}
		if len(second.Candidates) != 1 || second.Candidates[0].OtherID != first.ID {
			t.Fatalf("candidates = %+v, want the first registration", second.Candidates)
		}
		if !strings.Contains(strings.Join(second.Candidates[0].Reasons, ";"), "transliteration") {
			t.Errorf("reasons %v do not mention the transliteration", second.Candidates[0].Reasons)
		}
		// someone else entirely is not a candidate
		third, err := s.Register(officer, "MINUSCA", adult(site, "Jean-Claude Ngaïkossé"))
		if err != nil || len(third.Candidates) != 0 {
			t.Fatalf("unrelated registrant: %+v, %v", third, err)
		}
		dups, err := s.FindDuplicates(officer, "MINUSCA", ddr.DuplicateOpen)
		if err != nil || len(dups) != 1 {
			t.Fatalf("FindDuplicates = %v, %v", dups, err)
		}
		if _, err := s.Resolve(officer, "MINUSCA", dups[0].ID, ddr.DuplicateMerged, 1); err != nil {
			t.Fatal(err)
		}
		merged, err := s.FindRegistrantByID(officer, "MINUSCA", second.ID)
		if err != nil || merged.Status != ddr.StatusMerged || merged.MergedInto != first.ID {
			t.Fatalf("merged record = %+v, %v", merged, err)
		}
		if _, err := s.Resolve(officer, "MINUSCA", dups[0].ID, ddr.DuplicateDistinct, 2); peaceops.ErrorCode(err) != peaceops.ECONFLICT {
			t.Errorf("resolving twice: %v, want conflict", err)
		}
		// batch run finds nothing new: the pair is already recorded
		n, err := s.RunDedup(chief, "MINUSCA")
		if err != nil || n != 0 {
			t.Errorf("RunDedup = %d, %v; want 0 new pairs", n, err)
		}
		d, err := s.FindDashboard(viewer, "MINUSCA")
		if err != nil {
			t.Fatal(err)
		}
		if d.Registered != 2 || d.DuplicatesFound != 1 || d.DuplicatesResolved != 1 {
			t.Errorf("dashboard = %+v; want 2 registered (one merged away), 1 duplicate found and resolved", d)
		}
	})
}

func TestRegistrationInvalid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		r := &ddr.Registrant{Name: "", Sex: "X", BirthPrecision: "maybe", BiometricHash: "raw-template-bytes"}
		_, err := s.Register(officer, "MINUSCA", r)
		got := map[string]bool{}
		for _, f := range peaceops.ErrorFields(err) {
			got[f.Field] = true
		}
		for _, f := range []string{"name", "sex", "birth_precision", "registered_on", "site_id", "biometric_hash"} {
			if !got[f] {
				t.Errorf("no error on %s (got %v)", f, got)
			}
		}
		if _, err := s.Register(viewer, "MINUSCA", adult("x", "Ali Oumar")); peaceops.ErrorCode(err) == "" {
			t.Error("a viewer registered someone")
		}
	})
}

// TestCAAFAGInvisible: a child's record is seen by child protection and
// the DDR chief only, on every channel, and never counted as an adult.
func TestCAAFAGInvisible(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, site := setup(t, db)
		grown := adult(site, "Issa Moussa Abdoulaye")
		grown.BirthYear = 2005 // 18 or 19: an adult, who may be the same person as the child
		if _, err := s.Register(officer, "MINUSCA", grown); err != nil {
			t.Fatal(err)
		}
		reg, err := s.Register(officer, "MINUSCA", child(site))
		if err != nil {
			t.Fatal(err)
		}
		if !reg.CAAFAG || reg.Registrant != nil || reg.RoutedTo != "child-protection" || len(reg.Candidates) != 0 {
			t.Fatalf("child registration as seen by the officer = %+v", reg)
		}
		seers := map[string]context.Context{"child-protection": cp, "ddr-chief": chief}
		blind := map[string]context.Context{"ddr-officer": officer, "admin": admin, "mission-admin": madmin, "viewer": viewer, "other mission": other}
		for name, ctx := range seers {
			r, err := s.FindRegistrantByID(ctx, "MINUSCA", reg.ID)
			if err != nil || !r.CAAFAG || r.Status != ddr.StatusHandedOver {
				t.Errorf("%s: get = %+v, %v", name, r, err)
			}
			list, _, err := s.FindRegistrants(ctx, "MINUSCA", ddr.Filter{})
			if err != nil || !hasID(list, reg.ID) {
				t.Errorf("%s: list lacks the child (%v)", name, err)
			}
			dups, err := s.FindDuplicates(ctx, "MINUSCA", "")
			if err != nil {
				t.Errorf("%s: duplicates: %v", name, err)
			}
			if name == "ddr-chief" && len(dups) != 1 {
				t.Errorf("ddr-chief sees %d duplicate candidates, want 1", len(dups))
			}
		}
		for name, ctx := range blind {
			if _, err := s.FindRegistrantByID(ctx, "MINUSCA", reg.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Errorf("%s: get child = %v, want not found", name, err)
			}
			if list, _, _ := s.FindRegistrants(ctx, "MINUSCA", ddr.Filter{}); hasID(list, reg.ID) {
				t.Errorf("%s: list shows the child", name)
			}
			if dups, _ := s.FindDuplicates(ctx, "MINUSCA", ""); len(dups) != 0 {
				t.Errorf("%s: sees %d duplicate candidates involving the child", name, len(dups))
			}
			if d, err := s.FindDashboard(ctx, "MINUSCA"); err == nil && (d.CAAFAG != nil || d.DuplicatesFound != 0) {
				t.Errorf("%s: dashboard shows CAAFAG figures: %+v", name, d)
			}
		}
		for name, ctx := range map[string]context.Context{"child-protection": cp, "ddr-chief": chief, "viewer": viewer} {
			d, err := s.FindDashboard(ctx, "MINUSCA")
			if err != nil {
				if name == "child-protection" && peaceops.ErrorCode(err) != "" {
					continue // not a programme reader
				}
				t.Fatalf("%s: %v", name, err)
			}
			if d.Registered != 1 {
				t.Errorf("%s: adult count %d, want 1 (the child is not an adult)", name, d.Registered)
			}
		}
		d, _ := s.FindDashboard(chief, "MINUSCA")
		if d.CAAFAG == nil || *d.CAAFAG != 1 {
			t.Errorf("chief's dashboard CAAFAG = %v, want 1", d.CAAFAG)
		}
		// never processed as an adult
		dem := ddr.StatusDemobilised
		if _, err := s.UpdateRegistrant(chief, "MINUSCA", reg.ID, ddr.Update{Status: &dem}, 1); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Errorf("demobilising a child: %v, want invalid", err)
		}
	})
}

func hasID(list []*ddr.Registrant, id string) bool {
	for _, r := range list {
		if r.ID == id {
			return true
		}
	}
	return false
}

func TestWeapons(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, site := setup(t, db)
		on := peaceops.Date{Year: 2024, Month: 3, Day: 12}
		w := &ddr.Weapon{Kind: "rifle", MakeModel: "AKM", Serial: "KA-17 2233", Calibre: "7.62x39", Quantity: 1, CollectedOn: on, SiteID: site, ArmedGroup: "FPRC"}
		if err := s.CreateWeapon(officer, "MINUSCA", w); err != nil {
			t.Fatal(err)
		}
		if !w.ChainIncomplete || len(w.Custody) != 1 || w.Custody[0].Officer != "olga" {
			t.Fatalf("new weapon = %+v", w)
		}
		dup := &ddr.Weapon{Kind: "rifle", Serial: "ka17-2233", Quantity: 1, CollectedOn: on}
		if err := s.CreateWeapon(officer, "MINUSCA", dup); peaceops.ErrorCode(err) != peaceops.ECONFLICT {
			t.Errorf("same serial again: %v, want conflict", err)
		}
		if _, err := s.AddCustodyStep(officer, "MINUSCA", w.ID, ddr.Step{Step: ddr.StepDestroyed, On: on, Method: "cutting", Witnesses: []string{"A"}}); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Errorf("destroyed before stored: %v, want invalid", err)
		}
		got, err := s.AddCustodyStep(officer, "MINUSCA", w.ID, ddr.Step{Step: ddr.StepStored, On: on, Place: "Bria armoury"})
		if err != nil || got.ChainIncomplete {
			t.Fatalf("after storage: %+v, %v", got, err)
		}
		if _, err := s.AddCustodyStep(officer, "MINUSCA", w.ID, ddr.Step{Step: ddr.StepDestroyed, On: on}); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Errorf("destruction without method and witnesses: %v, want invalid", err)
		}
		got, err = s.AddCustodyStep(chief, "MINUSCA", w.ID, ddr.Step{Step: ddr.StepDestroyed, On: on, Method: "cutting", Witnesses: []string{"Cpt. Diallo", "Mayor of Bria"}})
		if err != nil || got.CustodyState != ddr.StepDestroyed || got.Custody[2].Officer != "carl" {
			t.Fatalf("destruction: %+v, %v", got, err)
		}
		if _, err := s.Register(officer, "MINUSCA", adult(site, "Abakar Adoum")); err != nil {
			t.Fatal(err)
		}
		d, err := s.FindDashboard(officer, "MINUSCA")
		if err != nil || len(d.Ratios) != 1 || d.Ratios[0].Ratio != 1 || d.WeaponsByKind[0].Key != "rifle" {
			t.Errorf("dashboard = %+v, %v", d, err)
		}
	})
}

// TestIdempotentRegistration: a registration retried over a flaky link
// with the same Idempotency-Key creates one record.
func TestIdempotentRegistration(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, site := setup(t, db)
		acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
		srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		s.Routes(srv.Router())
		if _, err := acc.CreateUser(system, access.UserCreate{Username: "olga", Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		if err := acc.AddMember(system, "MINUSCA", "olga", peaceops.RoleDDROfficer); err != nil {
			t.Fatal(err)
		}
		token, _, err := acc.CreateToken(system, "olga", "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Handler()
		body := `{"name":"Hassan Idriss Saleh","sex":"M","birth_precision":"year","birth_year":1985,"armed_group":"UPC","registered_on":"2024-04-02","site_id":"` + site + `","classification":"confidential"}`
		var first string
		for i := 0; i < 3; i++ {
			r := httptest.NewRequest("POST", "/api/v1/missions/MINUSCA/ddr/registrants", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Idempotency-Key", "reg-7f3a9c21")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				t.Fatalf("try %d: status %d: %s", i, w.Code, w.Body)
			}
			if i == 0 {
				first = w.Body.String()
			} else if w.Body.String() != first {
				t.Errorf("retry %d answered differently", i)
			}
		}
		list, _, err := s.FindRegistrants(officer, "MINUSCA", ddr.Filter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("%d records after three tries, want 1 (%v)", len(list), err)
		}
		// a bad body is a problem naming the fields
		r := httptest.NewRequest("POST", "/api/v1/missions/MINUSCA/ddr/registrants", strings.NewReader(`{"name":"","sex":"M","classification":"confidential"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "birth_precision") {
			t.Errorf("bad registration: %d %s", w.Code, w.Body)
		}
	})
}

func TestPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, site := setup(t, db)
		if missing := s.Untranslated(); len(missing) != 0 {
			t.Errorf("French catalogue lacks %q", missing)
		}
		reg, err := s.Register(officer, "MINUSCA", adult(site, "Ramadan Hamdan Nassour"))
		if err != nil {
			t.Fatal(err)
		}
		child, err := s.Register(officer, "MINUSCA", child(site))
		if err != nil {
			t.Fatal(err)
		}
		acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
		srv := web.NewServer(web.Config{DB: db, Auth: acc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		s.Routes(srv.Router())
		s.PageRoutes(srv.Router())
		tokens := map[string]string{}
		for _, u := range []struct {
			name string
			role peaceops.Role
		}{{"olga", peaceops.RoleDDROfficer}, {"cora", peaceops.RoleChildProtection}} {
			if _, err := acc.CreateUser(system, access.UserCreate{Username: u.name, Password: "correct horse battery"}); err != nil {
				t.Fatal(err)
			}
			if err := acc.AddMember(system, "MINUSCA", u.name, u.role); err != nil {
				t.Fatal(err)
			}
			tok, _, err := acc.CreateToken(system, u.name, "t", 0)
			if err != nil {
				t.Fatal(err)
			}
			tokens[u.name] = tok
		}
		h := srv.Handler()
		get := func(user, target, lang string) *httptest.ResponseRecorder {
			r := httptest.NewRequest("GET", target, nil)
			r.Header.Set("Authorization", "Bearer "+tokens[user])
			if lang != "" {
				r.Header.Set("Accept-Language", lang)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}
		card := get("olga", "/missions/MINUSCA/ddr/registrants/"+reg.ID+"/card", "fr")
		if card.Code != 200 || !strings.Contains(card.Body.String(), reg.DDRNumber) || !strings.Contains(card.Body.String(), "Carte d&#39;enregistrement") {
			t.Errorf("card page: %d %.300s", card.Code, card.Body)
		}
		if w := get("olga", "/missions/MINUSCA/ddr/registrants/"+child.ID+"/card", ""); w.Code != 404 {
			t.Errorf("officer opens a child's card: %d, want 404", w.Code)
		}
		if w := get("cora", "/missions/MINUSCA/ddr/registrants/"+child.ID+"/card", ""); w.Code != 200 {
			t.Errorf("child protection opens the child's card: %d, want 200", w.Code)
		}
		dash := get("olga", "/missions/MINUSCA/ddr", "")
		if dash.Code != 200 || !strings.Contains(dash.Body.String(), "Registered") {
			t.Errorf("dashboard page: %d", dash.Code)
		}
		if strings.Contains(dash.Body.String(), "Children handed to child protection") {
			t.Error("the officer's dashboard shows the CAAFAG count")
		}
		// API channel: the child is absent from the officer's list
		list := get("olga", "/api/v1/missions/MINUSCA/ddr/registrants", "")
		if list.Code != 200 || strings.Contains(list.Body.String(), child.ID) || !strings.Contains(list.Body.String(), reg.ID) {
			t.Errorf("officer's API list: %d %.200s", list.Code, list.Body)
		}
		if w := get("cora", "/api/v1/missions/MINUSCA/ddr/registrants", ""); !strings.Contains(w.Body.String(), child.ID) || strings.Contains(w.Body.String(), reg.ID) {
			t.Errorf("child protection's API list: %.300s", w.Body)
		}
		// export channel
		if w := get("olga", "/api/v1/missions/MINUSCA/ddr/registrants?format=csv", ""); w.Code != 200 || strings.Contains(w.Body.String(), child.DDRNumber) || !strings.Contains(w.Body.String(), reg.DDRNumber) {
			t.Errorf("officer's CSV export: %d %.300s", w.Code, w.Body)
		}
		if w := get("cora", "/api/v1/missions/MINUSCA/ddr/registrants?format=csv", ""); w.Code != 200 || !strings.Contains(w.Body.String(), child.DDRNumber) || strings.Contains(w.Body.String(), reg.DDRNumber) {
			t.Errorf("child protection's CSV export: %d %.300s", w.Code, w.Body)
		}
	})
}
