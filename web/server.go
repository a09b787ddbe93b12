package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// Authenticator turns credentials into actors. access.Service implements it.
type Authenticator interface {
	// ActorForSession returns the actor of a session cookie value, with
	// Actor.SessionID set; EUNAUTHORIZED if invalid or expired.
	ActorForSession(ctx context.Context, token string) (peaceops.Actor, error)
	// ActorForToken returns the actor of an API token; EUNAUTHORIZED if
	// invalid, expired or revoked.
	ActorForToken(ctx context.Context, token string) (peaceops.Actor, error)
	// Login checks a password and opens a session: EUNAUTHORIZED for bad
	// credentials, ETOOMANY when throttled.
	Login(ctx context.Context, username, password, ip string) (token string, expires time.Time, err error)
	// Logout ends the session of token.
	Logout(ctx context.Context, token string) error
}

// MissionRef names a mission in the layout's mission switcher.
type MissionRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// MissionLister lists the missions an actor may switch to.
type MissionLister func(ctx context.Context, a peaceops.Actor) ([]MissionRef, error)

// Config holds the server's dependencies and settings; cmd/peaceops fills it.
type Config struct {
	DB     *store.DB
	Auth   Authenticator
	Logger *slog.Logger // nil: slog.Default()
	// SecureCookies sets the Secure flag on cookies and sends HSTS: true
	// when served over TLS or behind a TLS-terminating proxy.
	SecureCookies bool
	// TrustProxy makes ClientIP believe the last X-Forwarded-For address:
	// set it only behind a reverse proxy that appends it.
	TrustProxy bool
	// MaxBodyBytes limits request bodies (default 1 MiB); a route may set
	// its own (Op.MaxBodyBytes, PageOpts.MaxBodyBytes).
	MaxBodyBytes int64
	Version      string
	// Missions fills the layout's mission switcher; nil shows none.
	Missions MissionLister
	// UserLanguage returns a signed-in user's stored language ("en", "fr"
	// or "" for none); nil: only ?lang=, the lang cookie and
	// Accept-Language decide.
	UserLanguage func(ctx context.Context, a peaceops.Actor) string
}

// DefaultMaxBodyBytes is the request body limit when Config has none.
const DefaultMaxBodyBytes = 1 << 20

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "peaceops_session"

// Server is the peaceops HTTP server. Register routes on Router() before
// calling Handler or ListenAndServe.
type Server struct {
	cfg     Config
	log     *slog.Logger
	router  *Router
	metrics *metrics
	pages   *Pages // web's own pages: login, home, errors
	static  *staticFiles

	handlerOnce sync.Once
	handler     http.Handler
	lastPurge   atomic.Int64 // unix ms of the last expired Idempotency-Key purge
}

// NewServer returns a server with the kernel's own routes registered:
// sessions (API and login/logout pages), the OpenAPI document, /healthz,
// /readyz, /metrics, the language switch and /static/.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: newMetrics(), static: newStaticFiles()}
	s.router = &Router{s: s, mux: http.NewServeMux()}
	s.pages = newOwnPages()
	s.routes()
	return s
}

// Router returns the router modules register their routes on.
func (s *Server) Router() *Router { return s.router }

// Handler returns the full middleware stack around the router. The first
// call completes the route table (the default home page, the not-found
// handler), so register every route before it.
func (s *Server) Handler() http.Handler {
	s.handlerOnce.Do(func() {
		rt := s.router
		if !rt.has(http.MethodGet, "/{$}") && !rt.has(http.MethodGet, "/") {
			rt.Page("GET /{$}", s.handleHome)
		}
		if !rt.has("", "/") && !rt.has(http.MethodGet, "/") {
			rt.mux.HandleFunc("/", s.handleNotFound)
		}
		s.handler = s.observe(s.recover(s.secure(s.authenticate(rt.mux))))
	})
	return s.handler
}

// ListenAndServe serves on addr until ctx is cancelled, then stops
// accepting, lets requests in flight finish for up to 10 seconds and
// returns. ready, when not nil, is called with the bound address once the
// socket listens (addr may be "127.0.0.1:0").
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads over field links are slow
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}

func (s *Server) routes() {
	rt := s.router
	s.sessionRoutes()
	rt.API("GET /api/v1/openapi.json", Op{
		Summary: "The OpenAPI 3.1 description of this API", Tags: []string{"meta"},
		Response: map[string]any{}, Public: true,
	}, s.handleOpenAPI)
	rt.Handle("GET /healthz", http.HandlerFunc(s.handleHealthz))
	rt.Handle("GET /readyz", http.HandlerFunc(s.handleReadyz))
	rt.Handle("GET /metrics", s.metrics.handler())
	rt.Handle("GET /static/", s.static)
	rt.PublicPage("GET /lang", s.handleLanguage)
}

// handleHealthz answers while the process is alive.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// Readiness is the body of /readyz.
type Readiness struct {
	Ready         bool   `json:"ready"`
	Reason        string `json:"reason,omitempty"`
	SchemaVersion int64  `json:"schema_version"`
	Version       string `json:"version,omitempty"`
}

// handleReadyz answers 200 when the database answers and its schema is the
// one this binary expects, 503 with the reason otherwise: a load balancer
// sends no traffic to a server whose migrations have not run.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	out := Readiness{Version: s.cfg.Version}
	current, latest, err := int64(0), int64(0), error(nil)
	switch {
	case s.cfg.DB == nil:
		out.Reason = "no database configured"
	case s.cfg.DB.Ping(ctx) != nil:
		out.Reason = "database unreachable"
	default:
		current, latest, err = s.cfg.DB.SchemaVersion(ctx)
		out.SchemaVersion = current
		switch {
		case err != nil && current == 0 && latest > 0:
			out.Reason = fmt.Sprintf("schema behind: version 0 of %d", latest)
		case err != nil:
			out.Reason = "cannot read the schema version"
		case current < latest:
			out.Reason = fmt.Sprintf("schema behind: version %d of %d", current, latest)
		case current > latest:
			out.Reason = fmt.Sprintf("schema ahead: version %d of %d (this binary is older than the database)", current, latest)
		default:
			out.Ready = true
		}
	}
	status := http.StatusOK
	if !out.Ready {
		status = http.StatusServiceUnavailable
		if err != nil {
			s.log.Warn("readiness check", "error", err.Error())
		}
	}
	writeJSON(w, status, "application/json", out)
}

// handleNotFound answers paths no route matched: 405 with Allow when the
// path exists for another method, 404 otherwise.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := *r
		probe.Method = m
		if _, p := s.router.mux.Handler(&probe); p != "" && p != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.fail(w, r, statusError(http.StatusMethodNotAllowed, "", "method %s is not allowed here (allowed: %s)", r.Method, strings.Join(allow, ", ")), wantsAPI(r))
		return
	}
	what := "page"
	if wantsAPI(r) {
		what = "API route"
	}
	s.fail(w, r, peaceops.Errorf(peaceops.ENOTFOUND, "no such %s: %s", what, r.URL.Path), wantsAPI(r))
}

// setCookie sets an HttpOnly, SameSite=Lax cookie on the whole site;
// maxAge 0 makes a browser-session cookie.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}
