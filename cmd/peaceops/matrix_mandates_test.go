package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/mandates"
)

// Rows of the authorization matrix for mandates: every member reads a
// mission's resolutions; planners and mission-admins record, change,
// delete and export them.

func init() { moduleRules = append(moduleRules, mandateRules) }

var (
	mandateReaders = members()
	mandateEditors = roles(peaceops.RolePlanner, peaceops.RoleMissionAdmin)
)

// newResolution records a fresh resolution of MINUSCA, adopted later than
// any before it, with one task, and returns it.
func (f *matrixFixture) newResolution() *mandates.Resolution {
	f.seq++
	year := 2030 + f.seq/300
	adopted := peaceops.Date{Year: year, Month: 1, Day: 1 + f.seq%28}
	r := &mandates.Resolution{Mission: "MINUSCA", Symbol: fmt.Sprintf("S/RES/%d (%d)", 3000+f.seq, year), Adopted: adopted,
		PeriodStart: adopted, PeriodEnd: peaceops.Date{Year: year + 1, Month: 1, Day: 1},
		Ceilings: map[string]int{"military": 100},
		Tasks:    []mandates.Task{{Title: "Protection of civilians", Category: mandates.CategoryPoC, Priority: true}}}
	if err := mandates.NewService(f.db).CreateResolution(f.sys, r); err != nil {
		f.t.Fatal(err)
	}
	return r
}

// onResolution fills {id} with a fresh resolution; with ifMatch its
// version goes in If-Match; %d in body is its version, %v its task's id.
func onResolution(p, body string, form, ifMatch bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		r := f.newResolution()
		var h http.Header
		if ifMatch {
			h = http.Header{"If-Match": {fmt.Sprintf(`"v%d"`, r.Version)}}
		}
		b := strings.ReplaceAll(body, "%d", fmt.Sprint(r.Version))
		b = strings.ReplaceAll(b, "%v", r.Tasks[0].ID)
		return strings.ReplaceAll(p, "{id}", r.ID), b, form, h
	}
}

func resolutionJSON(f *matrixFixture) string {
	f.seq++
	return fmt.Sprintf(`{"symbol":"S/RES/%d (2029)","adopted":"2029-06-01","period_start":"2029-06-01","period_end":"2030-05-31","chapter_vii":true,`+
		`"ceilings":{"military":100},"tasks":[{"title":"Protection of civilians","category":"poc","priority":true}]}`, 5000+f.seq)
}

func resolutionFormValues(f *matrixFixture) url.Values {
	f.seq++
	return url.Values{"symbol": {fmt.Sprintf("S/RES/%d (2028)", 7000+f.seq)}, "adopted": {"2028-06-01"}, "period_start": {"2028-06-01"},
		"period_end": {"2029-05-31"}, "chapter_vii": {"yes"}, "classification": {"public"}, "ceiling_military": {"100"},
		"task_id": {""}, "task_title": {"Protection of civilians"}, "task_paragraph": {""}, "task_priority": {"true"},
		"task_category": {"poc"}, "task_lineage": {"new"}, "task_previous": {""}}
}

func mandateRules() map[string]rule {
	q := "/api/v1/missions/MINUSCA/resolutions"
	p := "/missions/MINUSCA/mandate"
	see := othersThan(mandateEditors)
	twoResolutions := func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		a, b := f.newResolution(), f.newResolution()
		return q + "/diff?from=" + a.ID + "&to=" + b.ID, "", false, nil
	}
	return map[string]rule{
		"GET /api/v1/missions/{code}/resolutions": {allow: mandateReaders},
		"POST /api/v1/missions/{code}/resolutions": {allow: mandateEditors, see: see,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				return q, resolutionJSON(f), false, nil
			}},
		"GET /api/v1/missions/{code}/resolutions/history":  {allow: mandateReaders},
		"GET /api/v1/missions/{code}/resolutions/diff":     {allow: mandateReaders, request: twoResolutions},
		"GET /api/v1/missions/{code}/resolutions/expiring": {allow: mandateReaders, request: path(q + "/expiring?as_of=2030-11-01")},
		"GET /api/v1/missions/{code}/resolutions/ceilings": {allow: mandateReaders, request: path(q + "/ceilings?on=2030-06-01")},
		"GET /api/v1/missions/{code}/resolutions/export":   {allow: mandateEditors, see: see},
		"GET /api/v1/missions/{code}/resolutions/{id}":     {allow: mandateReaders, request: onResolution(q+"/{id}", "", false, false)},
		"PATCH /api/v1/missions/{code}/resolutions/{id}": {allow: mandateEditors, see: see,
			request: onResolution(q+"/{id}", `{"source_note":"checked against the text"}`, false, true)},
		"DELETE /api/v1/missions/{code}/resolutions/{id}":       {allow: mandateEditors, see: see, request: onResolution(q+"/{id}", "", false, true)},
		"GET /api/v1/missions/{code}/resolutions/{id}/tasks":    {allow: mandateReaders, request: onResolution(q+"/{id}/tasks", "", false, false)},
		"GET /api/v1/missions/{code}/resolutions/{id}/ceilings": {allow: mandateReaders, request: onResolution(q+"/{id}/ceilings", "", false, false)},
		"GET /api/v1/missions/{code}/resolutions/{id}/diff":     {allow: mandateReaders, request: onResolution(q+"/{id}/diff", "", false, false)},

		"GET /missions/{code}/mandate":     {allow: mandateReaders},
		"GET /missions/{code}/mandate/new": {allow: mandateEditors, see: see},
		"POST /missions/{code}/mandate": {allow: mandateEditors, see: see,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				return p, resolutionFormValues(f).Encode(), true, nil
			}},
		"GET /missions/{code}/mandate/history": {allow: mandateReaders},
		"GET /missions/{code}/mandate/diff": {allow: mandateReaders,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				a, b := f.newResolution(), f.newResolution()
				return p + "/diff?from=" + a.ID + "&to=" + b.ID, "", false, nil
			}},
		"GET /missions/{code}/mandate/{id}":      {allow: mandateReaders, request: onResolution(p+"/{id}", "", false, false)},
		"GET /missions/{code}/mandate/{id}/edit": {allow: mandateEditors, see: see, request: onResolution(p+"/{id}/edit", "", false, false)},
		"POST /missions/{code}/mandate/{id}/edit": {allow: mandateEditors, see: see,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				r := f.newResolution()
				v := url.Values{"version": {fmt.Sprint(r.Version)}, "symbol": {r.Symbol}, "adopted": {r.Adopted.String()},
					"period_start": {r.PeriodStart.String()}, "period_end": {r.PeriodEnd.String()}, "classification": {"public"},
					"task_id": {r.Tasks[0].ID}, "task_title": {"Protection of civilians, reworded"}, "task_paragraph": {""},
					"task_priority": {"true"}, "task_category": {"poc"}, "task_lineage": {"new"}, "task_previous": {""}}
				return p + "/" + r.ID + "/edit", v.Encode(), true, nil
			}},
		"POST /missions/{code}/mandate/{id}/delete": {allow: mandateEditors, see: see, request: onResolution(p+"/{id}/delete", "version=%d", true, false)},
	}
}
