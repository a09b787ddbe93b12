package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/peaceops/peaceops"
)

// HandlerFunc is an API or page handler. It returns an error instead of
// writing one: the router renders it (problem+json for API routes, an HTML
// error page for pages) with the status of its peaceops code. An error
// returned after the response has started (a failed streamed export) aborts
// the connection, since a status can no longer be sent.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Op describes an API route for the OpenAPI document and sets its rules.
type Op struct {
	Summary     string
	Description string
	Tags        []string
	// Request is the zero value of the JSON body type (nil: no body). The
	// schema is derived by reflection from its json tags.
	Request any
	// Response is the zero value of the response type (nil: no content).
	Response any
	// List marks a response of {"items":[Response...],"next_cursor":""};
	// limit and cursor query parameters are documented automatically.
	List bool
	// Status is the success status: 200 when zero (201 create, 204 delete).
	Status int
	Query  []Param
	// Public lets anonymous callers in; otherwise an anonymous request gets
	// a 401 problem before the handler runs.
	Public bool
	// IfMatch documents that the route needs If-Match (see IfMatch).
	IfMatch bool
	// Idempotent marks a route honouring Idempotency-Key. Every POST route
	// does (DESIGN.md §4) whether or not it is set; set it on a PUT to get
	// the same.
	Idempotent bool
	// Formats lists response media types besides JSON, e.g. "text/csv",
	// "application/geo+json".
	Formats []string
	// MaxBodyBytes raises (or lowers) the request body limit of this route
	// from Config.MaxBodyBytes, e.g. for uploads.
	MaxBodyBytes int64
}

// Param is a documented query parameter.
type Param struct {
	Name        string
	Description string
	Type        string // "string", "integer", "number" or "boolean"; "" is string
	Required    bool
}

// PageOpts are the settings of an HTML route registered with PageWith.
type PageOpts struct {
	// Public opens the page to anonymous users; otherwise they are
	// redirected to /login?next=...
	Public bool
	// MaxBodyBytes overrides Config.MaxBodyBytes for this route (uploads).
	MaxBodyBytes int64
}

type routeKind int

const (
	kindRaw routeKind = iota
	kindAPI
	kindPage
)

// route is one registered pattern and how it is guarded.
type route struct {
	pattern      string
	method, path string
	kind         routeKind
	op           Op // API routes
	public       bool
	maxBody      int64
	idempotent   bool
	// anonCSRFExempt skips the double-submit check for anonymous callers of
	// a page form (logout of an expired session is harmless).
	anonCSRFExempt bool
}

// Router registers routes on an http.ServeMux (method patterns such as
// "GET /api/v1/missions/{code}") and records each for the OpenAPI document,
// the completeness check and the metrics labels. Register every route
// before the server starts; a clash of patterns panics, as ServeMux does.
type Router struct {
	s   *Server
	mux *http.ServeMux

	mu       sync.Mutex // guards routes, nav and messages
	routes   []*route
	nav      []NavItem
	messages Messages
}

// NavItem is an entry of the layout's main navigation.
type NavItem struct {
	// Label is the English text, translated when rendered.
	Label string
	// Href is the link. "{mission}" in it is replaced by the current
	// mission's code; such an item is shown only when there is one.
	Href string
	// Show, when set, says whether the actor sees the entry for the
	// current mission ("" when there is none): a module hides the pages
	// a role may not open, so the menu does not offer dead ends.
	Show func(a peaceops.Actor, mission string) bool
}

// NavItem adds an entry to the layout's main navigation, shown in the order
// added (register it next to the module's pages).
func (rt *Router) NavItem(label, href string) {
	rt.NavItemFor(label, href, nil)
}

// NavItemFor adds an entry shown only to the actors for whom show is true.
func (rt *Router) NavItemFor(label, href string, show func(a peaceops.Actor, mission string) bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.nav = append(rt.nav, NavItem{Label: label, Href: href, Show: show})
}

func (rt *Router) navItems() []NavItem {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return slices.Clone(rt.nav)
}

// Messages adds translations used on every page of the server: for the
// labels of nav items and for flash messages, which a page of another
// module shows with its own catalogue lacking them. Call it at startup.
func (rt *Router) Messages(m Messages) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.messages == nil {
		rt.messages = Messages{}
	}
	for lang, cat := range m {
		if rt.messages[lang] == nil {
			rt.messages[lang] = map[string]string{}
		}
		for k, v := range cat {
			rt.messages[lang][k] = v
		}
	}
}

// translator returns the t of lang over the server-wide catalogue after
// the page set's own.
func (rt *Router) translator(own Messages, lang string) func(string, ...any) string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	shared := Messages{lang: rt.messages[lang]} // a map read after startup: no copy needed
	return translator(own, lang, shared)
}

// API registers a JSON API route. pattern must name a method and a path
// under /api/ (e.g. "GET /api/v1/missions/{code}"). Anonymous callers get a
// 401 problem unless op.Public; errors h returns become problem+json.
func (rt *Router) API(pattern string, op Op, h HandlerFunc) {
	method, path := splitPattern(pattern)
	if method == "" || !strings.HasPrefix(path, "/api/") {
		panic(fmt.Sprintf("web: API route %q needs a method and a path under /api/", pattern))
	}
	idem := op.Idempotent || method == http.MethodPost
	rt.add(&route{kind: kindAPI, op: op, public: op.Public, maxBody: op.MaxBodyBytes, idempotent: idem}, pattern, h)
}

// Page registers an HTML page for signed-in users; anonymous users are
// redirected to /login?next=<this page>.
func (rt *Router) Page(pattern string, h HandlerFunc) { rt.PageWith(pattern, PageOpts{}, h) }

// PublicPage registers an HTML page open to anonymous users.
func (rt *Router) PublicPage(pattern string, h HandlerFunc) {
	rt.PageWith(pattern, PageOpts{Public: true}, h)
}

// PageWith registers an HTML page with options.
func (rt *Router) PageWith(pattern string, o PageOpts, h HandlerFunc) {
	rt.add(&route{kind: kindPage, public: o.Public, maxBody: o.MaxBodyBytes}, pattern, h)
}

// Handle registers a raw handler (files, streams, third-party handlers).
// CSRF protection and the body limit still apply; authentication is not
// required (check peaceops.ActorFromContext if it should be).
func (rt *Router) Handle(pattern string, h http.Handler) {
	rt.add(&route{kind: kindRaw, public: true}, pattern, func(w http.ResponseWriter, r *http.Request) error {
		h.ServeHTTP(w, r)
		return nil
	})
}

func (rt *Router) add(ro *route, pattern string, h HandlerFunc) {
	ro.pattern = pattern
	ro.method, ro.path = splitPattern(pattern)
	rt.mux.Handle(pattern, rt.s.guard(ro, h))
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.routes = append(rt.routes, ro)
}

// Patterns returns every pattern registered on the router's mux, in order.
func (rt *Router) Patterns() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make([]string, len(rt.routes))
	for i, ro := range rt.routes {
		out[i] = ro.pattern
	}
	return out
}

func (rt *Router) snapshot() []*route {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return slices.Clone(rt.routes)
}

func (rt *Router) has(method, path string) bool {
	for _, ro := range rt.snapshot() {
		if ro.path == path && (ro.method == method || ro.method == "") {
			return true
		}
	}
	return false
}

// splitPattern splits "GET /x" into "GET" and "/x"; a pattern without a
// method gives "". Host patterns are not used by peaceops.
func splitPattern(p string) (method, path string) {
	p = strings.TrimSpace(p)
	if m, rest, ok := strings.Cut(p, " "); ok && !strings.HasPrefix(m, "/") {
		return m, strings.TrimSpace(rest)
	}
	return "", p
}

// guard wraps a handler with what every route needs, in order: the route
// label for logs and metrics, the body limit, the identity requirement,
// CSRF, Idempotency-Key, then the handler and the rendering of its error.
func (s *Server) guard(ro *route, h HandlerFunc) http.Handler {
	api := ro.kind == kindAPI
	limit := ro.maxBody
	if limit == 0 {
		limit = s.cfg.MaxBodyBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		info.route, info.api = ro.pattern, api
		// net/http removes multipart temp files of the request it made, not
		// of the copies the middleware passes on: do it here.
		defer func() {
			if r.MultipartForm != nil {
				r.MultipartForm.RemoveAll()
			}
		}()
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			info.limited = true
		}
		actor := info.actor
		if !ro.public && actor.Anonymous() {
			if ro.kind == kindPage {
				redirectToLogin(w, r)
				return
			}
			s.fail(w, r, peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required: sign in or send a bearer token"), true)
			return
		}
		if err := s.checkCSRF(w, r, ro); err != nil {
			s.fail(w, r, err, api)
			return
		}
		if ro.idempotent && r.Header.Get(IdempotencyKeyHeader) != "" {
			s.idempotent(w, r, h)
			return
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err, api)
		}
	})
}
