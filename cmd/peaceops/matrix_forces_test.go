package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/forces"
)

// Rows of the authorization matrix for personnel (forces): every member
// reads units and counts; personnel officers and mission-admins record
// and change them; only mission-admins record deployment-gate waivers.

func init() { moduleRules = append(moduleRules, forcesRules) }

var forcesEditors = roles(peaceops.RolePersonnelOfficer, peaceops.RoleMissionAdmin)

// newUnit records a fresh pledged unit in MINUSCA and returns it.
func (f *matrixFixture) newUnit() *forces.Unit {
	f.seq++
	u := &forces.Unit{Name: fmt.Sprintf("RWABATT-%d", f.seq), Type: forces.TypeInfantry, Country: "RWA", Size: 750}
	if err := forces.NewService(f.db, nil).CreateUnit(f.sys, "MINUSCA", u); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// onUnit fills {id} with a fresh unit (and its version in If-Match, or in
// the body's %d).
func onUnit(p, body string, form, ifMatch bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		u := f.newUnit()
		var h http.Header
		if ifMatch {
			h = http.Header{"If-Match": {fmt.Sprintf(`"v%d"`, u.Version)}}
		}
		b := strings.ReplaceAll(body, "%d", fmt.Sprint(u.Version))
		b = strings.ReplaceAll(b, "%v", u.ID)
		return strings.ReplaceAll(p, "{id}", u.ID), b, form, h
	}
}

func forcesRules() map[string]rule {
	q := "/api/v1/missions/MINUSCA"
	see := othersThan(forcesEditors)
	readers := members()
	return map[string]rule{
		"GET /api/v1/missions/{code}/units": {allow: readers},
		"POST /api/v1/missions/{code}/units": {allow: forcesEditors, see: see,
			request: jsonBody(q+"/units", `{"name":"BANBATT","type":"infantry_battalion","country":"BGD","size":800}`)},
		"GET /api/v1/missions/{code}/units/{id}":   {allow: readers, request: onUnit(q+"/units/{id}", "", false, false)},
		"PATCH /api/v1/missions/{code}/units/{id}": {allow: forcesEditors, see: see, request: onUnit(q+"/units/{id}", `{"size":760}`, false, true)},
		"POST /api/v1/missions/{code}/units/{id}/waivers": {allow: roles(peaceops.RoleMissionAdmin), see: othersThan(roles(peaceops.RoleMissionAdmin)),
			request: onUnit(q+"/units/{id}/waivers", `{"reason":"trained in mission on arrival","courses":["poc"]}`, false, false)},
		"GET /api/v1/missions/{code}/readiness": {allow: readers},
		"GET /api/v1/missions/{code}/rotations": {allow: readers},
		"GET /api/v1/missions/{code}/strength":  {allow: readers},
		"POST /api/v1/missions/{code}/strength": {allow: forcesEditors, see: see,
			request: jsonBody(q+"/strength", `{"returns":[{"month":"2024-05","country":"RWA","category":"troops","sex":"female","personnel":10}]}`)},
		"GET /api/v1/missions/{code}/contributions": {allow: readers},
		"GET /api/v1/missions/{code}/ceilings":      {allow: readers},
		"POST /api/v1/missions/{code}/ceilings": {allow: forcesEditors, see: see,
			request: jsonBody(q+"/ceilings", `{"category":"military","effective":"2024-01-01","ceiling":14400}`)},
		"GET /api/v1/missions/{code}/gender-parity":  {allow: readers},
		"GET /api/v1/missions/{code}/gender-targets": {allow: readers},
		"POST /api/v1/missions/{code}/gender-targets": {allow: forcesEditors, see: see,
			request: jsonBody(q+"/gender-targets", `{"year":2025,"category":"military","target_bp":1200}`)},
		"GET /api/v1/missions/{code}/fatalities": {allow: readers},
		"POST /api/v1/missions/{code}/fatalities": {allow: forcesEditors, see: see,
			request: jsonBody(q+"/fatalities", `{"incident_date":"2024-06-01","country":"EGY","personnel_type":"military","incident_type":"accident"}`)},
		"GET /api/v1/missions/{code}/fatalities/stats":      {allow: readers},
		"GET /api/v1/missions/{code}/training/requirements": {allow: readers},
		"PUT /api/v1/missions/{code}/training/requirements": {allow: forcesEditors, see: see,
			request: jsonBody(q+"/training/requirements", `{"requirements":[{"category":"troops","course":"psea","valid_days":0}]}`)},
		"GET /api/v1/missions/{code}/training/completions": {allow: readers},
		"POST /api/v1/missions/{code}/training/completions": {allow: forcesEditors, see: see,
			request: onUnit(q+"/training/completions", `{"unit_id":"%v","course":"psea","completed":"2025-01-10"}`, false, false)},

		"GET /missions/{code}/forces":           {allow: readers},
		"GET /missions/{code}/forces/units":     {allow: readers},
		"GET /missions/{code}/forces/readiness": {allow: readers},
		"POST /missions/{code}/forces/units": {allow: forcesEditors, see: see,
			request: formBody("/missions/MINUSCA/forces/units", url.Values{"name": {"EGYBATT"}, "type": {"infantry_battalion"}, "country": {"EGY"}, "size": {"700"}})},
		"POST /missions/{code}/forces/units/{id}/status": {allow: forcesEditors, see: see,
			request: onUnit("/missions/MINUSCA/forces/units/{id}/status", "status=deploying&version=%d", true, false)},
		"POST /missions/{code}/forces/units/{id}/completions": {allow: forcesEditors, see: see,
			request: onUnit("/missions/MINUSCA/forces/units/{id}/completions", "course=psea&completed=2025-01-10", true, false)},
		"POST /missions/{code}/forces/units/{id}/waivers": {allow: roles(peaceops.RoleMissionAdmin), see: othersThan(roles(peaceops.RoleMissionAdmin)),
			request: onUnit("/missions/MINUSCA/forces/units/{id}/waivers", "course=poc&reason=trained+in+mission+on+arrival", true, false)},
		"GET /forces/static/": {public: true, request: path("/forces/static/forces-strength.js")},
	}
}
