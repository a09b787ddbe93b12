package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
)

// Rows of the authorization matrix for situational awareness: events,
// early-warning alerts, reference areas and background jobs.

func roles(rs ...peaceops.Role) []string {
	out := []string{admin}
	for _, r := range rs {
		out = append(out, string(r))
	}
	return out
}

var (
	eventReaders  = roles(peaceops.RoleMissionAdmin, peaceops.RoleAnalyst, peaceops.RoleReporter, peaceops.RoleViewer)
	eventCreators = roles(peaceops.RoleMissionAdmin, peaceops.RoleAnalyst, peaceops.RoleReporter)
	eventEditors  = roles(peaceops.RoleMissionAdmin, peaceops.RoleAnalyst)
	eventDeleters = roles(peaceops.RoleMissionAdmin)
	// Readers who may not act see a 403; members without any event grant
	// do not see events at all (404).
	seeNotCreate = []string{string(peaceops.RoleViewer)}
	seeNotEdit   = []string{string(peaceops.RoleReporter), string(peaceops.RoleViewer)}
	seeNotDelete = []string{string(peaceops.RoleAnalyst), string(peaceops.RoleReporter), string(peaceops.RoleViewer)}
)

const eventJSON = `{"type":"battles.armed_clash","title":"Clash near Bambari","start":"2024-03-01T06:00:00Z","end":"2024-03-01T06:00:00Z",` +
	`"date_precision":"day","location":{"lon":20.67,"lat":5.76},"location_precision":"exact","fatalities":{"low":1,"best":2,"high":3}}`

// newEvent records a fresh internal event in MINUSCA and returns it.
func (f *matrixFixture) newEvent() *events.Event {
	e := &events.Event{Mission: "MINUSCA", Type: "battles.armed_clash", Title: "Clash near Bambari",
		Start: time.Date(2024, 3, 1, 6, 0, 0, 0, time.UTC), End: time.Date(2024, 3, 1, 6, 0, 0, 0, time.UTC),
		DatePrecision: events.DateDay, Location: &geo.Point{Lon: 20.67, Lat: 5.76}, LocationPrecision: events.LocationExact,
		Fatalities: events.Count{Low: 1, Best: 2, High: 3}}
	if err := f.events.CreateEvent(f.sys, e); err != nil {
		f.t.Fatal(err)
	}
	return e
}

// onEvent fills {id} with a fresh event; with ifMatch its version goes in
// If-Match; body may use %v for another fresh event's id.
func onEvent(p, body string, form, ifMatch bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		e := f.newEvent()
		var h http.Header
		if ifMatch {
			h = http.Header{"If-Match": {fmt.Sprintf(`"v%d"`, e.Version)}}
		}
		if strings.Contains(body, "%v") {
			body = fmt.Sprintf(body, f.newEvent().ID)
		}
		if strings.Contains(body, "%d") {
			body = fmt.Sprintf(body, e.Version)
		}
		return strings.ReplaceAll(p, "{id}", e.ID), body, form, h
	}
}

// absent fills {id} with an id nothing has: every signed-in caller gets
// 404, whoever they are.
func absent(p string, form bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(*matrixFixture, string) (string, string, bool, http.Header) {
		return strings.ReplaceAll(p, "{id}", peaceops.NewID()), "", form, nil
	}
}

// analystJob fills {id} with a job an analyst of MINUSCA submitted.
func analystJob(p string, form bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		actor, err := f.access.ActorForSession(f.sys, f.cookies[string(peaceops.RoleAnalyst)].Value)
		if err != nil {
			f.t.Fatal(err)
		}
		j, err := f.runner.Submit(peaceops.NewContextWithActor(f.sys, actor), "events.import", "MINUSCA", []byte(`{"format":"ucdp"}`+"\n"))
		if err != nil {
			f.t.Fatal(err)
		}
		return strings.ReplaceAll(p, "{id}", j.ID), "", form, nil
	}
}

// othersThan lists the MINUSCA roles not in allowed.
func othersThan(allowed []string) []string {
	var out []string
	for _, r := range nonAdminMembers() {
		if !slices.Contains(allowed, r) {
			out = append(out, r)
		}
	}
	return out
}

func eventFormValues() url.Values {
	return url.Values{"type": {"battles.armed_clash"}, "title": {"Clash"}, "start": {"2024-03-01T06:00"}, "end": {"2024-03-01T06:00"},
		"date_precision": {"day"}, "lon": {"20.67"}, "lat": {"5.76"}, "location_precision": {"exact"},
		"fatalities_low": {"1"}, "fatalities_best": {"2"}, "fatalities_high": {"3"}, "classification": {"internal"},
		"idempotency_key": {peaceops.NewID()}}
}

func situationalRules() map[string]rule {
	q := "/api/v1/missions/MINUSCA/events"
	alertRunners := roles(peaceops.RoleMissionAdmin, peaceops.RoleAnalyst)
	var notRunners []string
	for _, r := range nonAdminMembers() {
		if r != string(peaceops.RoleAnalyst) {
			notRunners = append(notRunners, r)
		}
	}
	return map[string]rule{
		"GET /api/v1/missions/{code}/events": {allow: eventReaders},
		// Creating checks the mission, not the record: every member who
		// may not create is refused (403), only outsiders find nothing.
		"POST /api/v1/missions/{code}/events":      {allow: eventCreators, see: othersThan(eventCreators), request: jsonBody(q, eventJSON)},
		"GET /api/v1/missions/{code}/events/stats": {allow: eventReaders, request: path(q + "/stats?by=admin1&interval=month")},
		"GET /api/v1/missions/{code}/events/grid":  {allow: eventReaders, request: path(q + "/grid?bbox=14,2,28,11&zoom=6")},
		"POST /api/v1/missions/{code}/events/merge": {allow: eventEditors, see: seeNotEdit,
			request: func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
				return q + "/merge", fmt.Sprintf(`{"keep":%q,"merge":[%q]}`, f.newEvent().ID, f.newEvent().ID), false, nil
			}},
		"GET /api/v1/missions/{code}/events/{id}":    {allow: eventReaders, request: onEvent(q+"/{id}", "", false, false)},
		"PATCH /api/v1/missions/{code}/events/{id}":  {allow: eventEditors, see: seeNotEdit, request: onEvent(q+"/{id}", `{"title":"Renamed"}`, false, true)},
		"DELETE /api/v1/missions/{code}/events/{id}": {allow: eventDeleters, see: seeNotDelete, request: onEvent(q+"/{id}?reason=duplicate", "", false, true)},
		"POST /api/v1/missions/{code}/events/{id}/verify": {allow: eventEditors, see: seeNotEdit,
			request: onEvent(q+"/{id}/verify", `{"status":"verified","reason":"patrol confirmed"}`, false, true)},
		"GET /api/v1/missions/{code}/events/{id}/links": {allow: eventReaders, request: onEvent(q+"/{id}/links", "", false, false)},
		"POST /api/v1/missions/{code}/events/{id}/links": {allow: eventEditors, see: seeNotEdit,
			request: onEvent(q+"/{id}/links", `{"other":"%v","relation":"related"}`, false, false)},
		"POST /api/v1/missions/{code}/events/import": {allow: eventEditors, see: seeNotEdit,
			request: func(*matrixFixture, string) (string, string, bool, http.Header) {
				return q + "/import?format=hxl&dry_run=true", "", false, http.Header{"Content-Type": {"text/csv"}}
			}},

		"GET /missions/{code}/map":        {allow: eventReaders},
		"GET /missions/{code}/events":     {allow: eventReaders},
		"GET /missions/{code}/dashboard":  {allow: eventReaders},
		"GET /missions/{code}/events/new": {allow: eventCreators, see: seeNotCreate},
		"POST /missions/{code}/events": {allow: eventCreators, see: seeNotCreate,
			request: func(*matrixFixture, string) (string, string, bool, http.Header) {
				return "/missions/MINUSCA/events", eventFormValues().Encode(), true, nil
			}},
		"GET /missions/{code}/events/{id}":       {allow: eventReaders, request: onEvent("/missions/MINUSCA/events/{id}", "", false, false)},
		"GET /missions/{code}/events/{id}/edit":  {allow: eventEditors, see: seeNotEdit, request: onEvent("/missions/MINUSCA/events/{id}/edit", "", false, false)},
		"POST /missions/{code}/events/{id}/edit": {allow: eventEditors, see: seeNotEdit, request: onEvent("/missions/MINUSCA/events/{id}/edit", "version=%d&title=Renamed", true, false)},
		"POST /missions/{code}/events/{id}/verify": {allow: eventEditors, see: seeNotEdit,
			request: onEvent("/missions/MINUSCA/events/{id}/verify", "version=%d&status=verified&reason=confirmed", true, false)},
		"POST /missions/{code}/events/{id}/delete": {allow: eventDeleters, see: seeNotDelete,
			request: onEvent("/missions/MINUSCA/events/{id}/delete", "version=%d&reason=duplicate", true, false)},
		"POST /missions/{code}/events/{id}/merge": {allow: eventEditors, see: seeNotEdit,
			request: onEvent("/missions/MINUSCA/events/{id}/merge", "other=%v", true, false)},
		"GET /missions/{code}/events/import":  {allow: eventEditors, see: seeNotEdit},
		"POST /missions/{code}/events/import": {allow: eventEditors, see: seeNotEdit, request: formBody("/missions/MINUSCA/events/import", url.Values{"format": {"hxl"}})},

		// Early warning.
		"GET /api/v1/missions/{code}/alerts":      {allow: eventReaders},
		"GET /api/v1/missions/{code}/alerts/{id}": {request: absent("/api/v1/missions/MINUSCA/alerts/{id}", false)},
		"PATCH /api/v1/missions/{code}/alerts/{id}": {request: func(f *matrixFixture, c string) (string, string, bool, http.Header) {
			p, _, _, _ := absent("/api/v1/missions/MINUSCA/alerts/{id}", false)(f, c)
			return p, `{"note":"seen"}`, false, http.Header{"If-Match": {`"v1"`}}
		}},
		"POST /api/v1/missions/{code}/alerts/run":          {allow: alertRunners, see: notRunners},
		"GET /api/v1/missions/{code}/alerts/subscriptions": {allow: eventReaders},
		"POST /api/v1/missions/{code}/alerts/subscriptions": {allow: eventReaders,
			request: jsonBody("/api/v1/missions/MINUSCA/alerts/subscriptions", `{"area":"","category":"","min_level":"warning"}`)},
		"DELETE /api/v1/missions/{code}/alerts/subscriptions/{id}": {request: absent("/api/v1/missions/MINUSCA/alerts/subscriptions/{id}", false)},
		"GET /api/v1/notifications":                                {authenticated: true},
		"POST /api/v1/notifications/{id}/read":                     {request: absent("/api/v1/notifications/{id}/read", false)},
		"GET /missions/{code}/alerts":                              {allow: eventReaders},
		"POST /missions/{code}/alerts/run":                         {allow: alertRunners, see: notRunners, request: formBody("/missions/MINUSCA/alerts/run", nil)},
		"GET /missions/{code}/alerts/subscriptions":                {allow: eventReaders},
		"POST /missions/{code}/alerts/subscriptions": {allow: eventReaders,
			request: formBody("/missions/MINUSCA/alerts/subscriptions", url.Values{"min_level": {"warning"}})},
		"POST /missions/{code}/alerts/subscriptions/{id}/delete": {request: absent("/missions/MINUSCA/alerts/subscriptions/{id}/delete", true)},
		"GET /missions/{code}/alerts/{id}":                       {request: absent("/missions/MINUSCA/alerts/{id}", false)},
		"POST /missions/{code}/alerts/{id}": {request: func(f *matrixFixture, c string) (string, string, bool, http.Header) {
			p, _, _, _ := absent("/missions/MINUSCA/alerts/{id}", true)(f, c)
			return p, "version=1&action=note&note=seen", true, nil
		}},
		"GET /notifications":            {authenticated: true},
		"POST /notifications/{id}/read": {request: absent("/notifications/{id}/read", true)},

		// Reference data and jobs.
		"GET /api/v1/areas":             {authenticated: true, request: path("/api/v1/areas?country=CAF&level=1")},
		"GET /api/v1/basemap.geojson":   {public: true},
		"GET /api/v1/jobs":              {authenticated: true},
		"GET /api/v1/jobs/{id}":         {allow: eventEditors, request: analystJob("/api/v1/jobs/{id}", false)},
		"POST /api/v1/jobs/{id}/cancel": {allow: eventEditors, request: analystJob("/api/v1/jobs/{id}/cancel", false)},
		"GET /jobs":                     {authenticated: true},
		"GET /jobs/{id}":                {allow: eventEditors, request: analystJob("/jobs/{id}", false)},
		"POST /jobs/{id}/cancel":        {allow: eventEditors, request: analystJob("/jobs/{id}/cancel", true)},
	}
}
