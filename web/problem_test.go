package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

func TestProblemForEveryCode(t *testing.T) {
	f := newFixture(t, nil, func(r *web.Router) {
		r.API("GET /api/v1/fail/{code}", web.Op{Summary: "fails", Public: true}, func(w http.ResponseWriter, r *http.Request) error {
			code := r.PathValue("code")
			if code == "plain" {
				return fmt.Errorf("db: connection refused at 10.0.0.1")
			}
			if code == "fields" {
				return peaceops.Invalid([]peaceops.FieldError{{Field: "name", Message: "is required"}, {Field: "code", Message: "is too long"}})
			}
			return peaceops.Errorf(code, "the %s message", code)
		})
	})
	for _, tc := range []struct {
		code   string
		status int
	}{
		{peaceops.EINVALID, 400}, {peaceops.EUNAUTHORIZED, 401}, {peaceops.EFORBIDDEN, 403},
		{peaceops.ENOTFOUND, 404}, {peaceops.ECONFLICT, 409}, {peaceops.EPRECONDITION, 412},
		{peaceops.EPRECONDREQ, 428}, {peaceops.ETOOMANY, 429}, {peaceops.EINTERNAL, 500},
	} {
		t.Run(tc.code, func(t *testing.T) {
			w := f.do(req("GET", "/api/v1/fail/"+tc.code, "", withHeader("X-Request-Id", "req-"+tc.code+"-0001")))
			wantStatus(t, w, tc.status)
			p := problemOf(t, w)
			if p.Status != tc.status || p.Code != tc.code || p.Type != web.ProblemType+tc.code || p.Title != http.StatusText(tc.status) {
				t.Errorf("problem = %+v", p)
			}
			wantDetail := "the " + tc.code + " message"
			if tc.status == 500 {
				wantDetail = "internal error"
			}
			if p.Detail != wantDetail {
				t.Errorf("detail = %q, want %q", p.Detail, wantDetail)
			}
			if p.RequestID != "req-"+tc.code+"-0001" || p.Instance != "/api/v1/fail/"+tc.code {
				t.Errorf("request_id = %q, instance = %q", p.RequestID, p.Instance)
			}
			if p.Errors == nil {
				t.Error("errors is null, want []")
			}
		})
	}
	t.Run("UnauthorizedAsksForBearer", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/fail/unauthorized", ""))
		if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate = %q", w.Header().Get("WWW-Authenticate"))
		}
	})
	t.Run("PlainErrorIsInternalAndLogged", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/fail/plain", ""))
		wantStatus(t, w, 500)
		p := problemOf(t, w)
		if p.Detail != "internal error" || p.Code != peaceops.EINTERNAL || strings.Contains(w.Body.String(), "10.0.0.1") {
			t.Errorf("internal detail leaked: %s", w.Body)
		}
		if !strings.Contains(f.logs.String(), "connection refused") || !strings.Contains(f.logs.String(), p.RequestID) {
			t.Errorf("log lacks the cause and request id: %s", f.logs)
		}
	})
	t.Run("FieldErrors", func(t *testing.T) {
		w := f.do(req("GET", "/api/v1/fail/fields", ""))
		p := problemOf(t, w)
		if len(p.Errors) != 2 || p.Errors[0].Field != "name" || p.Errors[1].Message != "is too long" {
			t.Errorf("errors = %+v", p.Errors)
		}
	})
}

func TestStatus(t *testing.T) {
	wrapped := fmt.Errorf("missions: create: %w", peaceops.Errorf(peaceops.ECONFLICT, "exists"))
	if got := web.Status(wrapped); got != 409 {
		t.Errorf("Status(wrapped conflict) = %d", got)
	}
	if got := web.Status(errors.New("boom")); got != 500 {
		t.Errorf("Status(plain) = %d", got)
	}
	if got := web.Status(&http.MaxBytesError{Limit: 10}); got != 413 {
		t.Errorf("Status(MaxBytesError) = %d", got)
	}
}

func TestPanicIsProblem(t *testing.T) {
	f := newFixture(t, nil, func(r *web.Router) {
		r.API("GET /api/v1/panic", web.Op{Public: true}, func(w http.ResponseWriter, r *http.Request) error {
			panic("nil map somewhere")
		})
		r.PublicPage("GET /panic", func(w http.ResponseWriter, r *http.Request) error {
			panic("page bug")
		})
	})
	w := f.do(req("GET", "/api/v1/panic", ""))
	wantStatus(t, w, 500)
	if p := problemOf(t, w); p.Detail != "internal error" {
		t.Errorf("detail = %q", p.Detail)
	}
	if !strings.Contains(f.logs.String(), "nil map somewhere") {
		t.Error("panic not logged")
	}
	w = f.do(req("GET", "/panic", ""))
	wantStatus(t, w, 500)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("page panic Content-Type = %q", ct)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	f := newFixture(t, nil, func(r *web.Router) {
		r.API("GET /api/v1/things", web.Op{Public: true, Response: []string{}}, func(w http.ResponseWriter, r *http.Request) error {
			return web.JSON(w, 200, []string{})
		})
	})
	w := f.do(req("GET", "/api/v1/nothing", ""))
	wantStatus(t, w, 404)
	problemOf(t, w)

	w = f.do(req("DELETE", "/api/v1/things", "", asBob))
	wantStatus(t, w, 405)
	if w.Header().Get("Allow") != "GET" {
		t.Errorf("Allow = %q", w.Header().Get("Allow"))
	}
	problemOf(t, w)

	w = f.do(req("GET", "/no/such/page", "", withHeader("Accept", "text/html")))
	wantStatus(t, w, 404)
	if !strings.Contains(w.Body.String(), "<html") {
		t.Errorf("page 404 is not HTML: %s", w.Body)
	}
}
