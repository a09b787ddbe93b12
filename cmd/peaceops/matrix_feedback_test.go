package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/feedback"
)

// Rows of the authorization matrix for the community feedback channel:
// anyone submits and follows a submission with its tracking code; feedback
// officers triage; mission-admins read; no one else sees anything.

func init() { moduleRules = append(moduleRules, feedbackRules) }

var (
	feedbackReaders  = roles(peaceops.RoleFeedbackOfficer, peaceops.RoleMissionAdmin)
	feedbackTriagers = roles(peaceops.RoleFeedbackOfficer)
	feedbackSeeOnly  = []string{string(peaceops.RoleMissionAdmin)}
)

// newFeedback records a fresh anonymous submission to MINUSCA and returns
// its id and tracking code.
func (f *matrixFixture) newFeedback() (id, code string) {
	svc := feedback.NewService(f.db, feedback.Options{PerWindow: -1})
	rc, err := svc.Submit(context.Background(), "MINUSCA", feedback.Intake{Category: feedback.CategoryConcern, Description: "Matrix submission"}, feedback.ChannelAPI, "matrix")
	if err != nil {
		f.t.Fatal(err)
	}
	list, _, err := svc.FindFeedback(f.sys, "MINUSCA", feedback.Filter{Limit: 1})
	if err != nil || len(list) == 0 {
		f.t.Fatalf("find the new submission: %v", err)
	}
	return list[0].ID, rc.TrackingCode
}

// onFeedback fills {id} with a fresh submission; ifMatch sends its version.
func onFeedback(p, body string, form, ifMatch bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		id, _ := f.newFeedback()
		var h http.Header
		if ifMatch {
			h = http.Header{"If-Match": {`"v1"`}}
		}
		return strings.ReplaceAll(p, "{id}", id), body, form, h
	}
}

// trackFeedback asks for the status of a fresh submission's code.
func trackFeedback(form bool) func(*matrixFixture, string) (string, string, bool, http.Header) {
	return func(f *matrixFixture, caller string) (string, string, bool, http.Header) {
		_, code := f.newFeedback()
		if form {
			return "/feedback/track", url.Values{"code": {code}}.Encode(), true, nil
		}
		return "/api/v1/feedback/track", `{"code":"` + code + `"}`, false, nil
	}
}

func feedbackRules() map[string]rule {
	base := "/api/v1/missions/MINUSCA/feedback"
	intake := url.Values{"category": {"tip"}, "description": {"Matrix form submission"}}
	return map[string]rule{
		// The public intake and tracking. Anonymous form posts need the
		// double-submit cookie of the page, which this caller lacks (403);
		// the browser flow is tested in e2e.
		"POST /api/v1/missions/{code}/feedback": {public: true, request: jsonBody(base, `{"category":"tip","description":"Matrix API submission"}`)},
		// The matrix server has no SMS gateway token: the webhook is off.
		"POST /api/v1/missions/{code}/feedback/sms": {public: true, expect: []string{"404"},
			request: jsonBody(base+"/sms", `{"from":"+23672000000","text":"TIP matrix"}`)},
		"POST /api/v1/feedback/track": {public: true, request: trackFeedback(false)},
		"GET /feedback/track":         {public: true},
		"POST /feedback/track":        {public: true, expect: []string{"ok", "403"}, request: trackFeedback(true)},
		"GET /feedback/{code}":        {public: true, request: path("/feedback/MINUSCA")},
		"POST /feedback/{code}":       {public: true, expect: []string{"ok", "403"}, request: formBody("/feedback/MINUSCA", intake)},

		// The officers' side.
		"GET /api/v1/missions/{code}/feedback":        {allow: feedbackReaders},
		"GET /api/v1/missions/{code}/feedback/{id}":   {allow: feedbackReaders, request: onFeedback(base+"/{id}", "", false, false)},
		"PATCH /api/v1/missions/{code}/feedback/{id}": {allow: feedbackTriagers, see: feedbackSeeOnly, request: onFeedback(base+"/{id}", `{"acknowledge":true}`, false, true)},
		"GET /missions/{code}/feedback":               {allow: feedbackReaders},
		"GET /missions/{code}/feedback/{id}":          {allow: feedbackReaders, request: onFeedback("/missions/MINUSCA/feedback/{id}", "", false, false)},
		"POST /missions/{code}/feedback/{id}": {allow: feedbackTriagers, see: feedbackSeeOnly,
			request: onFeedback("/missions/MINUSCA/feedback/{id}", url.Values{"version": {"1"}, "acknowledge": {"1"}}.Encode(), true, false)},
	}
}
