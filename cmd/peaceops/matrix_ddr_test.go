package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/ddr"
)

// Rows of the authorization matrix for DDR: programme figures and sites for
// every member, registrants for DDR officers and the chief (CAAFAG records
// for child protection too), weapons for DDR and logistics officers.

func init() { moduleRules = append(moduleRules, ddrRules) }

var (
	ddrProgrammeWriters = roles(peaceops.RoleMissionAdmin, peaceops.RoleDDROfficer, peaceops.RoleDDRChief)
	ddrRegistrars       = roles(peaceops.RoleDDROfficer, peaceops.RoleDDRChief)
	ddrListReaders      = roles(peaceops.RoleDDROfficer, peaceops.RoleDDRChief, peaceops.RoleChildProtection)
	ddrWeaponReaders    = roles(peaceops.RoleDDROfficer, peaceops.RoleDDRChief, peaceops.RoleLogisticsOfficer)
)

// ddrSite creates a fresh site of MINUSCA.
func (f *matrixFixture) ddrSite() string {
	s := &ddr.Site{Name: "Matrix site", Kind: ddr.SiteCantonment, Capacity: 100}
	if err := ddr.NewService(f.db).CreateSite(f.sys, "MINUSCA", s); err != nil {
		f.t.Fatal(err)
	}
	return s.ID
}

func ddrRegistrantJSON(site, name string) string {
	return fmt.Sprintf(`{"name":%q,"sex":"M","birth_precision":"year","birth_year":1988,"armed_group":"UPC","origin_pcode":"CF331",`+
		`"registered_on":"2024-05-02","site_id":%q,"classification":"confidential"}`, name, site)
}

// ddrRegister registers a fresh adult in MINUSCA.
func (f *matrixFixture) ddrRegister(name string) *ddr.Registration {
	f.seq++
	r := &ddr.Registrant{Name: name, Sex: ddr.Male, BirthPrecision: ddr.BirthYear, BirthYear: 1970 + f.seq%30, ArmedGroup: "UPC",
		OriginPCode: "CF331", RegisteredOn: peaceops.Date{Year: 2024, Month: 5, Day: 2}, SiteID: f.ddrSite()}
	reg, err := ddr.NewService(f.db).Register(f.sys, "MINUSCA", r)
	if err != nil {
		f.t.Fatal(err)
	}
	return reg
}

// ddrEligible registers a fresh adult and declares them eligible.
func (f *matrixFixture) ddrEligible(name string) string {
	reg := f.ddrRegister(name)
	el := ddr.EligibilityEligible
	if _, err := ddr.NewService(f.db).UpdateRegistrant(f.sys, "MINUSCA", reg.ID, ddr.Update{Eligibility: &el}, 1); err != nil {
		f.t.Fatal(err)
	}
	return reg.ID
}

func onRegistrant(p, body string, ifMatch bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		reg := f.ddrRegister("Moussa Haroun Brahim " + caller)
		var h http.Header
		if ifMatch {
			h = http.Header{"If-Match": {`"v1"`}}
		}
		return strings.ReplaceAll(p, "{id}", reg.ID), body, false, h
	}
}

// onDuplicate registers one person twice under two spellings and fills
// {id} with the candidate pair.
func onDuplicate(p, body string) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		f.seq++
		name := fmt.Sprintf("Youssouf Abakar Hisseine%c", 'a'+rune(f.seq%26))
		svc := ddr.NewService(f.db)
		site := f.ddrSite()
		first := &ddr.Registrant{Name: name, Sex: ddr.Male, BirthPrecision: ddr.BirthYear, BirthYear: 1960 + f.seq%40, ArmedGroup: "MPC" + caller,
			OriginPCode: "CF411", RegisteredOn: peaceops.Date{Year: 2024, Month: 5, Day: 2}, SiteID: site}
		if _, err := svc.Register(f.sys, "MINUSCA", first); err != nil {
			f.t.Fatal(err)
		}
		second := *first
		second.Name = strings.Replace(name, "Youssouf", "Yusuf", 1)
		reg, err := svc.Register(f.sys, "MINUSCA", &second)
		if err != nil || len(reg.Candidates) == 0 {
			f.t.Fatalf("no duplicate candidate for %s: %v", name, err)
		}
		return strings.ReplaceAll(p, "{id}", reg.Candidates[0].DuplicateID), body, false, http.Header{"If-Match": {`"v1"`}}
	}
}

func onWeapon(p, body string) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		w := &ddr.Weapon{Kind: "pistol", Quantity: 1, CollectedOn: peaceops.Date{Year: 2024, Month: 5, Day: 2}}
		if err := ddr.NewService(f.db).CreateWeapon(f.sys, "MINUSCA", w); err != nil {
			f.t.Fatal(err)
		}
		return strings.ReplaceAll(p, "{id}", w.ID), body, false, nil
	}
}

func ddrRules() map[string]rule {
	q := "/api/v1/missions/MINUSCA/ddr"
	return map[string]rule{
		"GET /api/v1/missions/{code}/ddr/sites":       {allow: members()},
		"POST /api/v1/missions/{code}/ddr/sites":      {allow: ddrProgrammeWriters, see: othersThan(ddrProgrammeWriters), request: jsonBody(q+"/sites", `{"name":"Kaga-Bandoro site","kind":"demobilisation-site","capacity":250}`)},
		"GET /api/v1/missions/{code}/ddr/registrants": {allow: ddrListReaders},
		"POST /api/v1/missions/{code}/ddr/registrants": {allow: ddrRegistrars, see: append(othersThan(ddrRegistrars), string(peaceops.RoleMissionAdmin)),
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				return q + "/registrants", ddrRegistrantJSON(f.ddrSite(), "Abdoulaye Oumar "+caller), false, nil
			}},
		"POST /api/v1/missions/{code}/ddr/registrants/import": {allow: ddrRegistrars,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				csv := "name,sex,birth_precision,birth_year,registered_on,site_id\nIdriss Bichara " + caller + ",M,year,1982,2024-05-02," + f.ddrSite() + "\n"
				return q + "/registrants/import?format=csv", csv, false, http.Header{"Content-Type": {"text/csv"}}
			}},
		"GET /api/v1/missions/{code}/ddr/registrants/{id}":   {allow: ddrRegistrars, request: onRegistrant(q+"/registrants/{id}", "", false)},
		"PATCH /api/v1/missions/{code}/ddr/registrants/{id}": {allow: ddrRegistrars, request: onRegistrant(q+"/registrants/{id}", `{"eligibility":"eligible"}`, true)},
		"GET /api/v1/missions/{code}/ddr/duplicates":         {allow: ddrListReaders},
		"POST /api/v1/missions/{code}/ddr/duplicates/{id}/resolve": {allow: ddrRegistrars,
			request: onDuplicate(q+"/duplicates/{id}/resolve", `{"decision":"distinct"}`)},
		"POST /api/v1/missions/{code}/ddr/dedup-runs": {allow: ddrRegistrars},
		"GET /api/v1/missions/{code}/ddr/weapons":     {allow: ddrWeaponReaders},
		"POST /api/v1/missions/{code}/ddr/weapons": {allow: ddrRegistrars, see: append(othersThan(ddrRegistrars), string(peaceops.RoleMissionAdmin)),
			request: jsonBody(q+"/weapons", `{"kind":"ammunition","calibre":"7.62x39","quantity":120,"collected_on":"2024-05-02","classification":"confidential"}`)},
		"POST /api/v1/missions/{code}/ddr/weapons/{id}/custody": {allow: ddrRegistrars, see: []string{string(peaceops.RoleLogisticsOfficer)},
			request: onWeapon(q+"/weapons/{id}/custody", `{"step":"stored","on":"2024-05-03","place":"Bria armoury"}`)},
		"POST /api/v1/missions/{code}/ddr/reintegrations": {allow: ddrRegistrars,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				reg := f.ddrEligible("Haroun Zakaria Nour " + caller)
				return q + "/reintegrations", `{"registrant_id":"` + reg + `","package":"kit","option":"agriculture","started_on":"2024-06-01"}`, false, nil
			}},
		"POST /api/v1/missions/{code}/ddr/reintegrations/{id}/visits": {allow: ddrRegistrars,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				ri := &ddr.Reintegration{RegistrantID: f.ddrEligible("Souleymane Daoud Tahir " + caller), Package: "cash", Option: "small-business", StartedOn: peaceops.Date{Year: 2024, Month: 6, Day: 1}}
				if err := ddr.NewService(f.db).StartReintegration(f.sys, "MINUSCA", ri); err != nil {
					f.t.Fatal(err)
				}
				return q + "/reintegrations/" + ri.ID + "/visits", `{"on":"2024-09-01","status":"active","note":"shop open"}`, false, nil
			}},
		"GET /api/v1/missions/{code}/ddr/cvr-projects": {allow: members()},
		"POST /api/v1/missions/{code}/ddr/cvr-projects": {allow: ddrProgrammeWriters, see: othersThan(ddrProgrammeWriters),
			request: jsonBody(q+"/cvr-projects", `{"name":"Bangui PK5 labour-intensive works","start_on":"2024-02-01","participants":300,"women":120,"youth":200,"ex_combatants":40}`)},
		"GET /missions/{code}/ddr": {allow: members()},
		"GET /missions/{code}/ddr/registrants/{id}/card": {allow: ddrRegistrars,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				return "/missions/MINUSCA/ddr/registrants/" + f.ddrRegister("Ousmane Gamar "+caller).ID + "/card", "", false, nil
			}},
		"GET /api/v1/missions/{code}/ddr/dashboard": {allow: members()},
	}
}
