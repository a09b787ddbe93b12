package web

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
)

// requestInfo is what the middleware learns about a request, shared by
// pointer through the context so inner layers can fill it in for the outer
// ones (the route for metrics, the actor for the access log). A request is
// served by one goroutine, so it needs no lock.
type requestInfo struct {
	srv     *Server
	id      string
	route   string // pattern of the matched route; "" when none matched
	api     bool   // the matched route is an API route
	limited bool   // the body is already wrapped in the route's size limit
	actor   peaceops.Actor
	via     credential
	// session is the session cookie's value, needed to log out. It is a
	// credential: never log it.
	session string
	// preCSRF is the anonymous double-submit token (cookie value) issued or
	// read during this request.
	preCSRF string
	lang    string // negotiated page language, once computed
}

type credential int

const (
	viaNone credential = iota
	viaCookie
	viaBearer
)

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// RequestID returns the id of the request ctx belongs to ("" outside a
// request). Jobs started by a request can log it to tie their lines to it.
func RequestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// observe is the outermost layer: it assigns the request id, and once the
// request is done writes the access log line and the metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{srv: s, id: requestID(r.Header.Get("X-Request-Id"))}
		w.Header().Set("X-Request-Id", info.id)
		rec := &recorder{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		done := false
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			route := info.route
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			s.metrics.observe(route, r.Method, status, elapsed)
			attrs := []slog.Attr{
				slog.String("request_id", info.id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path), // never the query: it may carry tokens
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", elapsed),
				slog.String("actor", info.actor.Name()),
				slog.String("ip", ClientIP(r)),
			}
			if !done {
				attrs = append(attrs, slog.Bool("aborted", true))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
		done = true
	})
}

// requestID keeps a caller's X-Request-Id when it is a sane token (so a
// proxy's id links its logs to ours) and makes a new one otherwise.
func requestID(given string) string {
	if len(given) >= 8 && len(given) <= 128 && strings.Trim(given, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:") == "" {
		return given
	}
	return peaceops.NewID()
}

// recover turns a panic into a 500 (logged with its stack) instead of a
// dropped connection, unless the response had already started.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "panic",
				slog.String("request_id", RequestID(r.Context())),
				slog.String("panic", fmt.Sprint(p)),
				slog.String("stack", string(debug.Stack())))
			if started(w) {
				panic(http.ErrAbortHandler)
			}
			api := wantsAPI(r)
			if info := infoFrom(r.Context()); info != nil && info.route != "" {
				api = info.api
			}
			s.fail(w, r, fmt.Errorf("panic: %v", p), api)
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only this origin: no inline script or style,
// no remote origin (the UI works offline), no framing.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// secure sets the security headers of every response.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), payment=(), usb=()")
		// Records may be confidential: no cache keeps them unless a handler
		// says otherwise (static assets do).
		h.Set("Cache-Control", "no-store")
		if s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate finds the actor: a bearer token (invalid: 401) or the session
// cookie (invalid: anonymous, and the cookie is cleared). The actor goes
// into the context for peaceops.ActorFromContext.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if s.cfg.Auth == nil || anonymousPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			token = strings.TrimSpace(token)
			if !strings.EqualFold(scheme, "Bearer") || token == "" {
				s.fail(w, r, peaceops.Errorf(peaceops.EUNAUTHORIZED, `the Authorization header must be "Bearer <token>"`), true)
				return
			}
			a, err := s.cfg.Auth.ActorForToken(ctx, token)
			if peaceops.ErrorCode(err) == peaceops.EUNAUTHORIZED {
				err = peaceops.Errorf(peaceops.EUNAUTHORIZED, "invalid or expired bearer token")
			}
			if err != nil {
				s.fail(w, r, err, true)
				return
			}
			info.actor, info.via = a, viaBearer
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			a, err := s.cfg.Auth.ActorForSession(ctx, c.Value)
			switch {
			case peaceops.ErrorCode(err) == peaceops.EUNAUTHORIZED:
				s.clearCookie(w, SessionCookie)
			case err != nil:
				s.fail(w, r, err, wantsAPI(r))
				return
			default:
				info.actor, info.via, info.session = a, viaCookie, c.Value
			}
		}
		next.ServeHTTP(w, r.WithContext(peaceops.NewContextWithActor(ctx, info.actor)))
	})
}

// anonymousPath reports paths that never need an identity, so serving them
// costs no session lookup.
func anonymousPath(p string) bool {
	return strings.HasPrefix(p, "/static/") || p == "/healthz" || p == "/readyz" || p == "/metrics"
}

// ClientIP returns the caller's IP address: the peer address, or, when the
// server is configured to trust a reverse proxy (Config.TrustProxy), the
// last address the proxy appended to X-Forwarded-For.
func ClientIP(r *http.Request) string {
	if info := infoFrom(r.Context()); info != nil && info.srv.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// recorder notes the status and size of a response for the access log and
// metrics, and whether it has started.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *recorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
func (w *recorder) started() bool               { return w.status != 0 }

// started reports whether the response's status line has been sent.
func started(w http.ResponseWriter) bool {
	for {
		switch v := w.(type) {
		case interface{ started() bool }:
			return v.started()
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return false
		}
	}
}
