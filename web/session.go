package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
)

// Credentials is the body of POST /api/v1/session.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Validate reports every missing field.
func (c Credentials) Validate() error {
	var errs []peaceops.FieldError
	if strings.TrimSpace(c.Username) == "" {
		errs = append(errs, peaceops.FieldError{Field: "username", Message: "is required"})
	}
	if c.Password == "" {
		errs = append(errs, peaceops.FieldError{Field: "password", Message: "is required"})
	}
	return peaceops.Invalid(errs)
}

// Session is the answer to a login: the cookie is set, and state-changing
// requests made with it must send CSRFToken in the X-CSRF-Token header.
type Session struct {
	Username  string    `json:"username"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Identity describes the caller (GET /api/v1/session).
type Identity struct {
	UserID   string                     `json:"user_id"`
	Username string                     `json:"username"`
	Admin    bool                       `json:"admin"`
	Roles    map[string][]peaceops.Role `json:"roles"`
	// CSRFToken is set for a cookie session, empty for a bearer token.
	CSRFToken string `json:"csrf_token"`
}

func (s *Server) sessionRoutes() {
	rt := s.router
	tags := []string{"session"}
	// Login is not idempotent-keyed: a replay would hand out a session
	// cookie from the stored response.
	rt.add(&route{kind: kindAPI, public: true, op: Op{
		Summary: "Sign in: set the session cookie", Tags: tags, Public: true,
		Request: Credentials{}, Response: Session{},
	}}, "POST /api/v1/session", s.handleLogin)
	rt.API("GET /api/v1/session", Op{Summary: "Who is calling", Tags: tags, Response: Identity{}}, s.handleSession)
	rt.API("DELETE /api/v1/session", Op{Summary: "Sign out: end the cookie session", Tags: tags, Public: true, Status: http.StatusNoContent}, s.handleLogout)

	rt.PublicPage("GET /login", s.handleLoginPage)
	rt.PublicPage("POST /login", s.handleLoginForm)
	rt.add(&route{kind: kindPage, public: true, anonCSRFExempt: true}, "POST /logout", s.handleLogoutForm)
}

// login opens a session for c and sets its cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request, c Credentials) (Session, error) {
	if s.cfg.Auth == nil {
		return Session{}, peaceops.Errorf(peaceops.EINTERNAL, "no authenticator configured")
	}
	token, expires, err := s.cfg.Auth.Login(r.Context(), strings.TrimSpace(c.Username), c.Password, ClientIP(r))
	if err != nil {
		return Session{}, err
	}
	a, err := s.cfg.Auth.ActorForSession(r.Context(), token)
	if err != nil {
		return Session{}, err
	}
	s.setCookie(w, SessionCookie, token, expires)
	return Session{Username: a.Username, CSRFToken: CSRFToken(a.SessionID), ExpiresAt: expires.UTC()}, nil
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var c Credentials
	if err := Decode(r, &c); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	sess, err := s.login(w, r, c)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, sess)
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) error {
	a := peaceops.ActorFromContext(r.Context())
	roles := a.Roles
	if roles == nil {
		roles = map[string][]peaceops.Role{}
	}
	return JSON(w, http.StatusOK, Identity{
		UserID: a.UserID, Username: a.Username, Admin: a.Admin, Roles: roles,
		CSRFToken: CSRFToken(a.SessionID),
	})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	info := infoFrom(r.Context())
	if info.via == viaBearer {
		return peaceops.Errorf(peaceops.EINVALID, "a bearer token is not a session: revoke the token instead")
	}
	if err := s.logout(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	info := infoFrom(r.Context())
	if info.session != "" && s.cfg.Auth != nil {
		if err := s.cfg.Auth.Logout(r.Context(), info.session); err != nil {
			return err
		}
	}
	s.clearCookie(w, SessionCookie)
	return nil
}

// loginPage is the data of the login page.
type loginPage struct {
	Next     string
	Username string
	Error    string
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if !peaceops.ActorFromContext(r.Context()).Anonymous() {
		return Redirect(w, r, next)
	}
	return s.pages.Render(w, r, http.StatusOK, "login", loginPage{Next: next})
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) error {
	c := Credentials{Username: r.PostFormValue("username"), Password: r.PostFormValue("password")}
	next := localPath(r.PostFormValue("next"))
	page := loginPage{Next: next, Username: c.Username}
	if err := c.Validate(); err != nil {
		page.Error = "Enter your username and password."
		return s.pages.Render(w, r, http.StatusBadRequest, "login", page)
	}
	_, err := s.login(w, r, c)
	switch peaceops.ErrorCode(err) {
	case "":
		return Redirect(w, r, next)
	case peaceops.EUNAUTHORIZED:
		page.Error = "Wrong username or password."
		return s.pages.Render(w, r, http.StatusUnauthorized, "login", page)
	case peaceops.ETOOMANY:
		page.Error = "Too many failed attempts. Wait a few minutes and try again."
		return s.pages.Render(w, r, http.StatusTooManyRequests, "login", page)
	}
	return err
}

func (s *Server) handleLogoutForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.logout(w, r); err != nil {
		return err
	}
	SetFlash(w, r, "info", "You have signed out.")
	return Redirect(w, r, "/login")
}

// redirectToLogin sends an anonymous user to the login page, coming back
// here afterwards when this was a page to look at.
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	Redirect(w, r, target)
}

// Redirect answers a form post or page request with 303 See Other to
// target; an htmx request gets HX-Redirect instead (htmx would otherwise
// swap the target page into a fragment). It returns nil, so handlers can
// end with `return web.Redirect(w, r, "/missions")`.
func Redirect(w http.ResponseWriter, r *http.Request, target string) error {
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusOK)
		return nil
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// home is the data of the default home page.
type home struct{}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	return s.pages.Render(w, r, http.StatusOK, "home", home{})
}
