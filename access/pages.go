package access

import (
	"embed"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// The pages of users and accounts: /users for administrators, /account for
// everyone's own profile, password and API tokens. Forms post back and
// redirect (303) with a flash message on success; a form with invalid
// input is shown again with each problem next to its field.

//go:embed templates/*.html templates/*.json
var templatesFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templatesFS, "templates/*.html", "templates/*.json")
}

// ui serves the pages of the access module.
type ui struct {
	s     *Service
	pages *web.Pages
}

func newUI(s *Service) *ui { return &ui{s: s, pages: newPages()} }

func (u *ui) routes(r *web.Router) {
	r.Page("GET /users", u.handleUsers)
	r.Page("POST /users", u.handleCreateUser)
	r.Page("POST /users/{username}", u.handleChangeUser)
	r.Page("GET /account", u.handleAccount)
	r.Page("POST /account", u.handleSaveProfile)
	r.Page("POST /account/password", u.handleChangePassword)
	r.Page("POST /account/tokens", u.handleCreateToken)
	r.Page("POST /account/tokens/{id}/revoke", u.handleRevokeToken)
	// The navigation cannot be shown per role, so Users is not in it:
	// administrators reach it from the account page.
	r.NavItem("Account", "/account")
	r.Messages(web.Messages{"fr": {
		"Account": "Compte",
	}})
}

// formErrors returns the problems of an EINVALID error by field name (""
// for a problem of no field), and whether err was one: other errors are
// the router's to render.
func formErrors(err error) (map[string]string, bool) {
	if peaceops.ErrorCode(err) != peaceops.EINVALID {
		return nil, false
	}
	out := map[string]string{}
	for _, f := range peaceops.ErrorFields(err) {
		if _, ok := out[f.Field]; !ok {
			out[f.Field] = f.Message
		}
	}
	if len(out) == 0 {
		out[""] = peaceops.ErrorMessage(err)
	}
	return out, true
}

// formVersion reads the hidden version field of a form that changes a
// record, the page's equivalent of If-Match.
func formVersion(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || v < 1 {
		return 0, peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "is missing: reload the page and try again"}})
	}
	return v, nil
}

// usersPage is the data of the users page.
type usersPage struct {
	Query  string
	Users  []*User
	Next   string // link to the next page, "" on the last
	First  bool   // this is the first page
	Form   UserCreate
	Errors map[string]string
}

func (u *ui) handleUsers(w http.ResponseWriter, r *http.Request) error {
	return u.renderUsers(w, r, http.StatusOK, usersPage{})
}

// renderUsers shows the page of users selected by the request's query
// (q, cursor) with the create form as given in data.
func (u *ui) renderUsers(w http.ResponseWriter, r *http.Request, status int, data usersPage) error {
	q := r.URL.Query()
	f := UserFilter{Query: strings.TrimSpace(q.Get("q"))}
	cursor := q.Get("cursor")
	if parts, err := web.DecodeCursor(cursor, 1); err == nil && parts != nil {
		f.After = parts[0]
	}
	users, next, err := u.s.findUsersPage(r, f, web.DefaultLimit)
	if err != nil {
		return err
	}
	data.Query, data.Users, data.First = f.Query, users, f.After == ""
	if next != "" {
		v := url.Values{"cursor": {web.EncodeCursor(next)}}
		if f.Query != "" {
			v.Set("q", f.Query)
		}
		data.Next = "/users?" + v.Encode()
	}
	return u.pages.Render(w, r, status, "users", data)
}

func (u *ui) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	c := UserCreate{
		Username:    strings.ToLower(strings.TrimSpace(r.PostFormValue("username"))),
		DisplayName: strings.TrimSpace(r.PostFormValue("display_name")),
		Password:    r.PostFormValue("password"),
		Admin:       r.PostFormValue("admin") != "",
	}
	created, err := u.s.CreateUser(r.Context(), c)
	errs, invalid := formErrors(err)
	if peaceops.ErrorCode(err) == peaceops.ECONFLICT {
		errs, invalid = map[string]string{"username": "is already taken"}, true
	}
	switch {
	case invalid:
		c.Password = "" // never sent back to the browser
		return u.renderUsers(w, r, http.StatusBadRequest, usersPage{Form: c, Errors: errs})
	case err != nil:
		return err
	}
	web.SetFlash(w, r, "success", "User %s created.", created.Username)
	return web.Redirect(w, r, "/users")
}

// userActions are the buttons of a row of the users page: the change each
// makes and the message shown after it.
var userActions = map[string]struct {
	update func() UserUpdate
	done   string
}{
	"disable":      {func() UserUpdate { return UserUpdate{Disabled: ptr(true)} }, "%s is disabled and signed out."},
	"enable":       {func() UserUpdate { return UserUpdate{Disabled: ptr(false)} }, "%s is enabled again."},
	"grant-admin":  {func() UserUpdate { return UserUpdate{Admin: ptr(true)} }, "%s is now an administrator."},
	"revoke-admin": {func() UserUpdate { return UserUpdate{Admin: ptr(false)} }, "%s is no longer an administrator."},
}

func ptr[T any](v T) *T { return &v }

func (u *ui) handleChangeUser(w http.ResponseWriter, r *http.Request) error {
	act, ok := userActions[r.PostFormValue("action")]
	if !ok {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "action", Message: "must be disable, enable, grant-admin or revoke-admin"}})
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	username := r.PathValue("username")
	if username == peaceops.ActorFromContext(r.Context()).Username {
		// The page offers no button for this: administrators must not lock
		// themselves out by a slip of the mouse.
		return peaceops.Errorf(peaceops.EFORBIDDEN, "you may not disable yourself or drop your own administrator role here")
	}
	changed, err := u.s.UpdateUser(r.Context(), username, act.update(), version)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", act.done, changed.Username)
	case peaceops.EPRECONDITION:
		web.SetFlash(w, r, "warning", "%s was changed by someone else meanwhile. Check the list and try again.", username)
	default:
		return err
	}
	return web.Redirect(w, r, "/users")
}

// accountPage is the data of the account page.
type accountPage struct {
	User    *User
	Profile struct{ DisplayName, Language string }
	Tokens  []tokenRow
	// TokenForm holds the create-token form's values.
	TokenForm struct{ Name, TTLHours string }
	Errors    map[string]string
	// AuditOf lists the missions whose audit log the actor may read.
	AuditOf []string
}

// tokenRow is an API token as the account page lists it.
type tokenRow struct {
	*Token
	Status string // "active", "expired" or "revoked"
}

// tokenLifetimes are the choices of the create-token form, in hours.
var tokenLifetimes = []string{"720", "2160", "8784", "0"}

func (u *ui) handleAccount(w http.ResponseWriter, r *http.Request) error {
	return u.renderAccount(w, r, http.StatusOK, nil, nil)
}

// renderAccount shows the account page; fill, when not nil, sets the form
// values to show again with errs.
func (u *ui) renderAccount(w http.ResponseWriter, r *http.Request, status int, errs map[string]string, fill func(*accountPage)) error {
	ctx := r.Context()
	actor := peaceops.ActorFromContext(ctx)
	user, err := u.s.FindUserByUsername(ctx, actor.Username)
	if err != nil {
		return err
	}
	tokens, err := u.s.FindTokens(ctx, actor.Username)
	if err != nil {
		return err
	}
	now := u.s.db.Now()
	data := accountPage{User: user, Errors: errs}
	data.Profile.DisplayName, data.Profile.Language = user.DisplayName, user.Language
	data.TokenForm.TTLHours = tokenLifetimes[1]
	for i := len(tokens) - 1; i >= 0; i-- { // newest first
		t := tokens[i]
		row := tokenRow{Token: t, Status: "active"}
		switch {
		case t.RevokedAt != nil:
			row.Status = "revoked"
		case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
			row.Status = "expired"
		}
		data.Tokens = append(data.Tokens, row)
	}
	for code := range actor.Roles {
		if Can(actor, ActionRead, Resource{Type: "audit", Mission: code, Classification: peaceops.Confidential}) {
			data.AuditOf = append(data.AuditOf, code)
		}
	}
	slices.Sort(data.AuditOf)
	if fill != nil {
		fill(&data)
	}
	return u.pages.Render(w, r, status, "account", data)
}

func (u *ui) handleSaveProfile(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("display_name"))
	lang := r.PostFormValue("language")
	if lang != "" && !slices.Contains(web.Languages(), lang) {
		return u.renderAccount(w, r, http.StatusBadRequest, map[string]string{"language": "is not a language of the interface"}, nil)
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	username := peaceops.ActorFromContext(r.Context()).Username
	_, err = u.s.UpdateUser(r.Context(), username, UserUpdate{DisplayName: &name, Language: &lang}, version)
	if errs, ok := formErrors(err); ok {
		return u.renderAccount(w, r, http.StatusBadRequest, errs, func(p *accountPage) {
			p.Profile.DisplayName, p.Profile.Language = name, lang
		})
	}
	switch peaceops.ErrorCode(err) {
	case "":
	case peaceops.EPRECONDITION:
		web.SetFlash(w, r, "warning", "Your profile was changed elsewhere meanwhile. Check it and save again.")
		return web.Redirect(w, r, "/account")
	default:
		return err
	}
	web.SetFlash(w, r, "success", "Your profile was saved.")
	if lang != "" && lang != web.Lang(r) {
		// The language switcher's cookie outranks the stored choice: set
		// it too, so the new language shows at once.
		return web.Redirect(w, r, "/lang?"+url.Values{"to": {lang}, "next": {"/account"}}.Encode())
	}
	return web.Redirect(w, r, "/account")
}

func (u *ui) handleChangePassword(w http.ResponseWriter, r *http.Request) error {
	current, next := r.PostFormValue("current_password"), r.PostFormValue("password")
	errs := map[string]string{}
	if current == "" {
		errs["current_password"] = "is required to change your password"
	}
	if next != r.PostFormValue("confirm_password") {
		errs["confirm_password"] = "does not match the new password"
	}
	if len(errs) > 0 {
		return u.renderAccount(w, r, http.StatusBadRequest, errs, nil)
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	username := peaceops.ActorFromContext(r.Context()).Username
	_, err = u.s.UpdateUser(r.Context(), username, UserUpdate{Password: &next, CurrentPassword: &current}, version)
	if errs, ok := formErrors(err); ok {
		return u.renderAccount(w, r, http.StatusBadRequest, errs, nil)
	}
	switch peaceops.ErrorCode(err) {
	case "":
	case peaceops.EPRECONDITION:
		web.SetFlash(w, r, "warning", "Your profile was changed elsewhere meanwhile. Check it and save again.")
		return web.Redirect(w, r, "/account")
	default:
		return err
	}
	web.SetFlash(w, r, "success", "Your password was changed. Your other sessions were signed out.")
	return web.Redirect(w, r, "/account")
}

// tokenCreatedPage is the data of the page showing a new token.
type tokenCreatedPage struct {
	Text  string
	Token *Token
}

func (u *ui) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	ttlText := r.PostFormValue("ttl_hours")
	req := TokenRequest{Name: name}
	var err error
	if req.TTLHours, err = strconv.Atoi(ttlText); err != nil {
		req.TTLHours = -1 // reported by Validate
	}
	err = req.Validate()
	var text string
	var t *Token
	if err == nil {
		text, t, err = u.s.CreateToken(r.Context(), peaceops.ActorFromContext(r.Context()).Username, req.Name, req.ttl())
	}
	if errs, ok := formErrors(err); ok {
		return u.renderAccount(w, r, http.StatusBadRequest, errs, func(p *accountPage) {
			p.TokenForm.Name, p.TokenForm.TTLHours = name, ttlText
		})
	} else if err != nil {
		return err
	}
	// The one page that ever shows the token: keep it out of caches (and
	// out of the history: reloading it posts again, for another token).
	w.Header().Set("Cache-Control", "no-store")
	return u.pages.Render(w, r, http.StatusCreated, "token_created", tokenCreatedPage{Text: text, Token: t})
}

func (u *ui) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := u.s.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	web.SetFlash(w, r, "success", "Token revoked.")
	return web.Redirect(w, r, "/account")
}
