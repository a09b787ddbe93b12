package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"time"

	"github.com/peaceops/peaceops"
)

// CSRF protection. A state-changing request authenticated by the session
// cookie must carry the session's token in the X-CSRF-Token header or the
// csrf_token form field. The token is derived from the session, so nothing
// is stored and every server behind a load balancer agrees. Bearer-token
// requests are exempt (a browser never adds the header by itself). Before
// there is a session (the login form, public forms) a double-submit token
// is used: a random value in the peaceops_csrf cookie that the form repeats.
// Anonymous API requests need no token: their bodies are JSON, which a
// cross-site form cannot send.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf_token"
	// preSessionCookie holds the anonymous double-submit token.
	preSessionCookie = "peaceops_csrf"
)

// CSRFToken returns the CSRF token of a session: base64url(SHA-256(
// "peaceops-csrf\x00" + sessionID)). It is "" for "" (no session).
func CSRFToken(sessionID string) string {
	if sessionID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("peaceops-csrf\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CSRF returns the token forms and scripts must send back on this request's
// page: the session's, or for an anonymous caller the double-submit token,
// issuing its cookie on w when the caller has none yet.
func CSRF(w http.ResponseWriter, r *http.Request) string {
	info := infoFrom(r.Context())
	a := peaceops.ActorFromContext(r.Context())
	if a.SessionID != "" {
		return CSRFToken(a.SessionID)
	}
	if info == nil {
		return ""
	}
	if info.via == viaBearer {
		return ""
	}
	if info.preCSRF != "" {
		return info.preCSRF
	}
	if c, err := r.Cookie(preSessionCookie); err == nil && validPreToken(c.Value) {
		info.preCSRF = c.Value
		return c.Value
	}
	b := make([]byte, 32)
	rand.Read(b)
	info.preCSRF = base64.RawURLEncoding.EncodeToString(b)
	info.srv.setCookie(w, preSessionCookie, info.preCSRF, time.Time{})
	return info.preCSRF
}

func validPreToken(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

var errCSRF = peaceops.Errorf(peaceops.EFORBIDDEN, "missing or invalid CSRF token: reload the page and try again")

// checkCSRF enforces the rules above for the route ro.
func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request, ro *route) error {
	if safeMethod(r.Method) {
		return nil
	}
	info := infoFrom(r.Context())
	var want string
	switch {
	case info.via == viaBearer:
		return nil
	case info.via == viaCookie:
		want = CSRFToken(info.actor.SessionID)
	case ro.kind != kindPage || ro.anonCSRFExempt:
		return nil
	default:
		c, err := r.Cookie(preSessionCookie)
		if err != nil || !validPreToken(c.Value) {
			return errCSRF
		}
		want = c.Value
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		v, err := formToken(r)
		if err != nil {
			return err
		}
		got = v
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// formToken reads the csrf_token field of a form body, parsing the form (so
// the handler finds it parsed: r.PostFormValue, r.MultipartForm).
func formToken(r *http.Request) (string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch mt {
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		err = r.ParseMultipartForm(8 << 20)
	default:
		return "", nil
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return "", statusError(http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", mb.Limit)
	}
	if err != nil {
		return "", peaceops.Errorf(peaceops.EINVALID, "malformed form data")
	}
	return r.PostFormValue(CSRFField), nil
}
