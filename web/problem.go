package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/peaceops/peaceops"
)

// statusByCode is the one table mapping peaceops error codes to HTTP status.
var statusByCode = map[string]int{
	peaceops.EINVALID:      http.StatusBadRequest,
	peaceops.EUNAUTHORIZED: http.StatusUnauthorized,
	peaceops.EFORBIDDEN:    http.StatusForbidden,
	peaceops.ENOTFOUND:     http.StatusNotFound,
	peaceops.ECONFLICT:     http.StatusConflict,
	peaceops.EPRECONDITION: http.StatusPreconditionFailed,
	peaceops.EPRECONDREQ:   http.StatusPreconditionRequired,
	peaceops.ETOOMANY:      http.StatusTooManyRequests,
	peaceops.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status for err: the status of its peaceops code,
// 413 for a body over the size limit, the transport status web itself chose
// (415, 405), and 500 for anything else.
func Status(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.status
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge
	}
	if s, ok := statusByCode[peaceops.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// httpError is an EINVALID error whose status is a transport detail that has
// no peaceops code (413, 415, 405). Services never see it.
type httpError struct {
	status int
	err    *peaceops.Error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

func statusError(status int, field, format string, args ...any) error {
	e := peaceops.Errorf(peaceops.EINVALID, format, args...)
	if field != "" {
		e.Fields = []peaceops.FieldError{{Field: field, Message: e.Message}}
		e.Message = field + ": " + e.Message
	}
	return &httpError{status: status, err: e}
}

// Problem is an RFC 9457 problem details body (application/problem+json),
// the shape of every API error.
type Problem struct {
	// Type identifies the kind of problem: "urn:peaceops:problem:" + Code.
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	// Detail is safe to show to the caller; for internal errors it is only
	// "internal error" and the cause is in the server log under RequestID.
	Detail string `json:"detail"`
	// Code is the peaceops error code (invalid, not_found, ...).
	Code string `json:"code"`
	// Errors lists field problems; it is empty, never null, when there are
	// none.
	Errors    []peaceops.FieldError `json:"errors"`
	Instance  string                `json:"instance,omitempty"`
	RequestID string                `json:"request_id"`
}

// ProblemType is the prefix of Problem.Type.
const ProblemType = "urn:peaceops:problem:"

func newProblem(r *http.Request, err error) Problem {
	status := Status(err)
	code := peaceops.ErrorCode(err)
	if status >= 500 {
		code = peaceops.EINTERNAL
	}
	fields := peaceops.ErrorFields(err)
	if fields == nil || status >= 500 {
		fields = []peaceops.FieldError{}
	}
	detail := peaceops.ErrorMessage(err)
	if status >= 500 {
		detail = "internal error"
	}
	return Problem{
		Type:      ProblemType + code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Code:      code,
		Errors:    fields,
		Instance:  r.URL.Path,
		RequestID: RequestID(r.Context()),
	}
}

// writeProblem writes err as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := newProblem(r, err)
	h := w.Header()
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="peaceops"`)
	}
	// Headers a handler set for success must not survive on an error.
	h.Del("ETag")
	h.Del("Location")
	h.Del("Content-Disposition")
	h.Del("Content-Length")
	writeJSON(w, p.Status, "application/problem+json", p)
}

// fail renders err for the client and logs it when it is the server's fault.
// api selects problem+json over an HTML error page. When the response has
// already started (a streamed CSV export failing half-way) nothing can be
// rendered: the connection is aborted so the client sees a truncated
// response rather than a complete-looking one.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, api bool) {
	status := Status(err)
	if status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("request_id", RequestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("error", err.Error()))
	}
	if started(w) {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "response aborted after it started",
			slog.String("request_id", RequestID(r.Context())), slog.String("error", err.Error()))
		panic(http.ErrAbortHandler)
	}
	if api {
		writeProblem(w, r, err)
		return
	}
	if status == http.StatusUnauthorized {
		redirectToLogin(w, r)
		return
	}
	s.renderErrorPage(w, r, status, err)
}

// wantsAPI reports whether a request outside any route (not found, a
// middleware failure) should get problem+json rather than an HTML page.
func wantsAPI(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") || r.Header.Get("Authorization") != "" {
		return true
	}
	accept := r.Header.Get("Accept")
	return !strings.Contains(accept, "text/html") &&
		(strings.Contains(accept, "json") || r.Header.Get("Content-Type") == "application/json")
}
