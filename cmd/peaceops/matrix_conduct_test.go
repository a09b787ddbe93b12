package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/conduct"
)

// Rows of the authorization matrix for conduct and discipline: cases are
// need-to-know (conduct officers and the victims' rights focal point of
// the mission, not administrators), the statistics are public, and
// use-of-force reports follow the confidential grants.

func init() { moduleRules = append(moduleRules, conductRules) }

var (
	caseReaders    = []string{string(peaceops.RoleConductOfficer), string(peaceops.RoleVictimRights)}
	caseWriters    = []string{string(peaceops.RoleConductOfficer)}
	forceReaders   = roles(peaceops.RoleMissionAdmin, peaceops.RoleAnalyst, peaceops.RoleReporter, peaceops.RoleConductOfficer)
	forceCreators  = roles(peaceops.RoleMissionAdmin, peaceops.RoleAnalyst, peaceops.RoleReporter)
	forceReviewers = roles(peaceops.RoleMissionAdmin, peaceops.RoleConductOfficer)
)

// exceptOf lists admin and the MINUSCA roles not in allowed: for a create,
// everyone who sees the mission is refused with 403.
func exceptOf(allowed []string) []string {
	var out []string
	for _, r := range members() {
		if !slices.Contains(allowed, r) {
			out = append(out, r)
		}
	}
	return out
}

// newCase records a fresh case of MINUSCA (with one victim, no identity).
func (f *matrixFixture) newCase() (caseID, victimID string) {
	svc := conduct.NewService(f.db, nil)
	a := &conduct.Allegation{Mission: "MINUSCA", Reported: peaceops.Date{Year: 2024, Month: 3, Day: 4}, ReceivedVia: "hotline",
		Categories: []string{"sexual-abuse"}, PersonnelCategory: "military", Nationality: "ZAF", VictimCount: 1}
	if err := svc.CreateAllegation(f.sys, a); err != nil {
		f.t.Fatal(err)
	}
	v, err := svc.AddVictim(f.sys, "MINUSCA", a.ID, conduct.NewVictim{Sex: "female", AgeGroup: "adult"})
	if err != nil {
		f.t.Fatal(err)
	}
	return a.ID, v.ID
}

func onCase(p, body string, form, ifMatch bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		id, victim := f.newCase()
		var h http.Header
		if ifMatch {
			h = http.Header{"If-Match": {`"v1"`}}
		}
		return strings.NewReplacer("{id}", id, "{victim}", victim).Replace(p), body, form, h
	}
}

func onForce(p, body string) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		r := &conduct.ForceReport{Mission: "MINUSCA", Unit: "BANBATT", OccurredAt: time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC),
			ForceType: "warning-shot", LegalBasis: "self-defence"}
		if err := conduct.NewService(f.db, nil).CreateForceReport(f.sys, r); err != nil {
			f.t.Fatal(err)
		}
		return strings.ReplaceAll(p, "{id}", r.ID), body, false, http.Header{"If-Match": {`"v1"`}}
	}
}

func conductRules() map[string]rule {
	api := "/api/v1/missions/MINUSCA/conduct"
	caseJSON := `{"reported":"2024-03-04","received_via":"hotline","categories":["sexual-abuse"],"personnel_category":"military"}`
	caseForm := func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		v := url.Values{"reported": {"2024-03-04"}, "received_via": {"hotline"}, "categories": {"sexual-abuse"},
			"personnel_category": {"civilian"}, "perpetrators": {"1"}, "victim_count": {"1"}}
		return "/missions/MINUSCA/conduct", v.Encode(), true, nil
	}
	return map[string]rule{
		"GET /api/v1/conduct/stats": {public: true},
		"GET /conduct/stats":        {public: true},

		"GET /api/v1/missions/{code}/conduct/allegations":      {allow: caseReaders},
		"POST /api/v1/missions/{code}/conduct/allegations":     {allow: caseWriters, see: exceptOf(caseWriters), request: jsonBody(api+"/allegations", caseJSON)},
		"GET /api/v1/missions/{code}/conduct/allegations/{id}": {allow: caseReaders, request: onCase(api+"/allegations/{id}", "", false, false)},
		"PATCH /api/v1/missions/{code}/conduct/allegations/{id}": {allow: caseWriters, see: []string{string(peaceops.RoleVictimRights)},
			request: onCase(api+"/allegations/{id}", `{"summary":"changed"}`, false, true)},
		"POST /api/v1/missions/{code}/conduct/allegations/{id}/victims": {allow: caseReaders,
			request: onCase(api+"/allegations/{id}/victims", `{"sex":"female","age_group":"child"}`, false, false)},
		// Without a data key (this server has none) the focal point's
		// write is refused on business grounds: no identity is stored.
		"PUT /api/v1/missions/{code}/conduct/allegations/{id}/victims/{victim}/identity": {allow: []string{string(peaceops.RoleVictimRights)},
			see: caseWriters, request: onCase(api+"/allegations/{id}/victims/{victim}/identity", `{"name":"Matrix Name"}`, false, false)},
		"POST /api/v1/missions/{code}/conduct/allegations/{id}/actions": {allow: caseWriters, see: []string{string(peaceops.RoleVictimRights)},
			request: onCase(api+"/allegations/{id}/actions", `{"action":"repatriation","taken_on":"2024-04-01"}`, false, false)},

		"GET /api/v1/missions/{code}/conduct/use-of-force": {allow: forceReaders},
		"POST /api/v1/missions/{code}/conduct/use-of-force": {allow: forceCreators, see: exceptOf(forceCreators),
			request: jsonBody(api+"/use-of-force", `{"unit":"BANBATT","occurred_at":"2024-01-02T10:00:00Z","force_type":"warning-shot","legal_basis":"self-defence"}`)},
		"GET /api/v1/missions/{code}/conduct/use-of-force/summary": {allow: forceReaders},
		"GET /api/v1/missions/{code}/conduct/use-of-force/{id}":    {allow: forceReaders, request: onForce(api+"/use-of-force/{id}", "")},
		"POST /api/v1/missions/{code}/conduct/use-of-force/{id}/review": {allow: forceReviewers,
			see:     []string{string(peaceops.RoleAnalyst), string(peaceops.RoleReporter)},
			request: onForce(api+"/use-of-force/{id}/review", `{"by":"Force Commander","finding":"within-roe"}`)},

		"GET /missions/{code}/conduct":      {allow: caseReaders},
		"GET /missions/{code}/conduct/new":  {allow: caseWriters, see: exceptOf(caseWriters)},
		"POST /missions/{code}/conduct":     {allow: caseWriters, see: exceptOf(caseWriters), request: caseForm},
		"GET /missions/{code}/conduct/{id}": {allow: caseReaders, request: onCase("/missions/MINUSCA/conduct/{id}", "", false, false)},
		"GET /missions/{code}/use-of-force": {allow: forceReaders},
		"POST /missions/{code}/conduct/{id}/actions": {allow: caseWriters, see: []string{string(peaceops.RoleVictimRights)},
			request: onCase("/missions/MINUSCA/conduct/{id}/actions", url.Values{"action": {"ban"}, "taken_on": {"2024-05-02"}}.Encode(), true, false)},
		"POST /missions/{code}/conduct/{id}/investigation": {allow: caseWriters, see: []string{string(peaceops.RoleVictimRights)},
			request: onCase("/missions/MINUSCA/conduct/{id}/investigation", url.Values{"version": {"1"}, "status": {"closed"}}.Encode(), true, false)},
		"POST /missions/{code}/conduct/{id}/victims": {allow: caseReaders,
			request: onCase("/missions/MINUSCA/conduct/{id}/victims", url.Values{"sex": {"female"}, "age_group": {"adult"}}.Encode(), true, false)},
	}
}
