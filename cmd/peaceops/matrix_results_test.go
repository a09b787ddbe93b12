package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/results"
)

// Rows of the authorization matrix for the results framework: members
// read it; planners and mission-admins edit it, approve values and lock
// periods; members of an indicator's section enter its values (no caller
// of the matrix is in a section, so only approvers may enter).

func init() { moduleRules = append(moduleRules, resultsRules) }

var (
	resultsPlanners = roles(peaceops.RolePlanner, peaceops.RoleMissionAdmin)
	resultsReaders  = members()
	resultsOthers   = func() []string {
		var out []string
		for _, r := range peaceops.Roles {
			if r != peaceops.RolePlanner && r != peaceops.RoleMissionAdmin {
				out = append(out, string(r))
			}
		}
		return out
	}()
)

// resultsChain creates a fresh objective, expected result and entered
// indicator (and a computed one) in MINUSCA.
func (f *matrixFixture) resultsChain() (*results.Objective, *results.Result, *results.Indicator, *results.Indicator) {
	svc := results.NewService(f.db, f.events, results.Options{Missions: f.missions})
	f.seq++
	n := f.seq
	o := &results.Objective{Code: fmt.Sprintf("O%d", n), Title: "Civilians are protected"}
	if err := svc.CreateObjective(f.sys, "MINUSCA", o); err != nil {
		f.t.Fatal(err)
	}
	r := &results.Result{ObjectiveID: o.ID, Code: fmt.Sprintf("R%d", n), Level: results.LevelOutcome, Title: "Fewer attacks"}
	if err := svc.CreateResult(f.sys, "MINUSCA", r); err != nil {
		f.t.Fatal(err)
	}
	mk := func(code string, unit results.Unit, computed string) *results.Indicator {
		in := &results.Indicator{ResultID: r.ID, Code: code, Name: "Indicator " + code, Kind: results.KindOutcome, Unit: unit,
			BaselineValue: 10, BaselineDate: peaceops.Date{Year: 2024, Month: 1, Day: 1},
			Targets: []results.Target{{Value: 50, Date: peaceops.Date{Year: 2025, Month: 12, Day: 31}}}, Frequency: results.Quarterly,
			Section: "HRD"}
		if computed != "" {
			in.Computed = json.RawMessage(computed)
		}
		if err := svc.CreateIndicator(f.sys, "MINUSCA", in); err != nil {
			f.t.Fatal(err)
		}
		return in
	}
	return o, r, mk(fmt.Sprintf("I%d", n), results.UnitPercentage, ""),
		mk(fmt.Sprintf("C%d", n), results.UnitNumber, `{"source":"events","measure":"count","filter":{"types":["battles"]}}`)
}

type resultsRequest func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header)

// onResults builds a request over a fresh chain; form sends body as a form.
func onResults(form bool, build resultsRequest) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		o, r, in, comp := f.resultsChain()
		p, body, h := build(f, o, r, in, comp)
		return p, body, form, h
	}
}

func ifMatch(v int64) http.Header { return http.Header{"If-Match": {fmt.Sprintf(`"v%d"`, v)}} }

const rbase = "/api/v1/missions/MINUSCA/results"

func resultsRules() map[string]rule {
	b := "/api/v1/missions/{code}/results"
	planners := func(req func(*matrixFixture, string) (string, string, bool, http.Header)) rule {
		return rule{allow: resultsPlanners, see: resultsOthers, request: req}
	}
	readers := func(req func(*matrixFixture, string) (string, string, bool, http.Header)) rule {
		return rule{allow: resultsReaders, request: req}
	}
	return map[string]rule{
		"GET " + b + "/framework": readers(nil),
		"POST " + b + "/objectives": planners(func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
			f.seq++
			return rbase + "/objectives", fmt.Sprintf(`{"code":"N%d","title":"Objective"}`, f.seq), false, nil
		}),
		"PATCH " + b + "/objectives/{id}": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/objectives/" + o.ID, `{"title":"Renamed"}`, ifMatch(o.Version)
		})),
		"POST " + b + "/expected": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/expected", fmt.Sprintf(`{"objective_id":%q,"code":"E%d","level":"output","title":"Output"}`, o.ID, f.seq), nil
		})),
		"PATCH " + b + "/expected/{id}": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/expected/" + r.ID, `{"title":"Renamed"}`, ifMatch(r.Version)
		})),
		"POST " + b + "/indicators": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/indicators", fmt.Sprintf(`{"result_id":%q,"code":"X%d","name":"New","kind":"output","unit":"number","baseline_value":0,
				"baseline_date":"2024-01-01","targets":[{"value":5,"date":"2024-12-31"}],"frequency":"monthly","section":"HRD"}`, r.ID, f.seq), nil
		})),
		"GET " + b + "/indicators/{id}": readers(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/indicators/" + in.ID, "", nil
		})),
		"PATCH " + b + "/indicators/{id}": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/indicators/" + in.ID, `{"name":"Renamed"}`, ifMatch(in.Version)
		})),
		"DELETE " + b + "/indicators/{id}": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/indicators/" + in.ID, "", ifMatch(in.Version)
		})),
		"GET " + b + "/indicators/{id}/values": readers(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/indicators/" + in.ID + "/values", "", nil
		})),
		"POST " + b + "/indicators/{id}/values": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/indicators/" + in.ID + "/values", `{"period":"2024-Q2","value":20}`, nil
		})),
		"POST " + b + "/values/{id}/decision": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			svc := results.NewService(f.db, f.events, results.Options{Missions: f.missions})
			m, err := svc.EnterValue(f.sys, "MINUSCA", in.ID, results.Entry{Period: "2024-Q2", Value: 20})
			if err != nil {
				f.t.Fatal(err)
			}
			return rbase + "/values/" + m.ID + "/decision", `{"state":"approved"}`, ifMatch(m.Version)
		})),
		"GET " + b + "/indicators/{id}/drilldown": readers(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/indicators/" + comp.ID + "/drilldown?period=2024-Q1", "", nil
		})),
		"GET " + b + "/computed":   readers(path(rbase + "/computed?as_of=2024-12-31")),
		"GET " + b + "/assessment": readers(path(rbase + "/assessment?period=2024-Q2")),
		"POST " + b + "/objectives/{id}/narrative": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/objectives/" + o.ID + "/narrative", `{"period":"2024-Q2","achievements":"Patrols in Bambari"}`, nil
		})),
		"GET " + b + "/sections":  readers(nil),
		"POST " + b + "/sections": planners(jsonBody(rbase+"/sections", `{"section":"HRD","username":"target"}`)),
		"DELETE " + b + "/sections/{section}/{username}": planners(func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
			svc := results.NewService(f.db, f.events, results.Options{Missions: f.missions})
			if err := svc.AddSectionMember(f.sys, "MINUSCA", results.SectionMember{Section: "JCS", Username: "target"}); err != nil {
				f.t.Fatal(err)
			}
			return rbase + "/sections/JCS/target", "", false, nil
		}),
		"GET " + b + "/lock": readers(nil),
		"PUT " + b + "/lock": planners(func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
			f.seq++
			d := peaceops.Date{Year: 2000, Month: 1, Day: 1}.Time().AddDate(0, 0, f.seq)
			return rbase + "/lock", `{"locked_through":"` + d.Format("2006-01-02") + `"}`, false, nil
		}),
		"GET /api/v1/results/templates": {authenticated: true},
		"POST " + b + "/adopt": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/adopt", fmt.Sprintf(`{"result_id":%q,"codes":["PB-JUS-1"],"section":"JCS","prefix":"A%d-"}`, r.ID, f.seq), nil
		})),
		"GET " + b + "/export": readers(path(rbase + "/export?format=csv")),
		"POST " + b + "/import": planners(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return rbase + "/import?format=csv", "indicator,period,value\n" + in.Code + ",2024-Q2,20\n", nil
		})),

		"GET /missions/{code}/results": readers(nil),
		"GET /missions/{code}/results/indicators/{id}": readers(onResults(false, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return "/missions/MINUSCA/results/indicators/" + in.ID, "", nil
		})),
		"GET /missions/{code}/results/entry":  readers(path("/missions/MINUSCA/results/entry?section=HRD&period=2024-Q2")),
		"POST /missions/{code}/results/entry": readers(formBody("/missions/MINUSCA/results/entry", url.Values{"section": {"HRD"}, "period": {"2024-Q2"}})),
		"POST /missions/{code}/results/values/{id}/decision": planners(onResults(true, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			svc := results.NewService(f.db, f.events, results.Options{Missions: f.missions})
			m, err := svc.EnterValue(f.sys, "MINUSCA", in.ID, results.Entry{Period: "2024-Q2", Value: 20})
			if err != nil {
				f.t.Fatal(err)
			}
			return "/missions/MINUSCA/results/values/" + m.ID + "/decision", url.Values{"version": {fmt.Sprint(m.Version)}, "state": {"approved"}}.Encode(), nil
		})),
		"POST /missions/{code}/results/import":    planners(formBody("/missions/MINUSCA/results/import", url.Values{})),
		"GET /missions/{code}/results/assessment": readers(path("/missions/MINUSCA/results/assessment?period=2024-Q2")),
		"POST /missions/{code}/results/assessment": planners(onResults(true, func(f *matrixFixture, o *results.Objective, r *results.Result, in, comp *results.Indicator) (string, string, http.Header) {
			return "/missions/MINUSCA/results/assessment", url.Values{"objective": {o.ID}, "period": {"2024-Q2"}, "achievements": {"Patrols"}}.Encode(), nil
		})),
	}
}
