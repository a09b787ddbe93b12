package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
)

// layoutFS holds the shared layout and its catalogues; ownFS web's own
// pages (login, home, error).
//
//go:embed layout
var layoutFS embed.FS

//go:embed templates
var ownFS embed.FS

// Pages is a module's set of HTML pages, each parsed together with the
// shared layout, ready in every interface language. It is safe for
// concurrent use.
//
// A page file defines the blocks "title" and "content" (and may define
// "head" for extra <head> elements); the layout does the rest. Templates
// get the funcs
//
//	t      translate: {{t "Missions"}}, {{t "%d events" .Data.Count}}; the key
//	       is the English text, the catalogue gives other languages
//	csrf   the hidden CSRF input every POST form needs: <form method="post">{{csrf}}...
//	static the cache-busting URL of an asset under web/static: {{static "app.css"}}
//
// and a *View: the page's data as .Data, and .Actor, .Lang, .CSRF, .Path,
// .Mission, .Missions, .Nav, .Flash.
type Pages struct {
	byLang   map[string]map[string]*template.Template // lang -> page name -> set
	messages Messages
	marker   []byte // stands for the CSRF field until the token is known
}

// NewPages parses a module's templates. Each file matched by patterns is a
// page named by its file name without extension ("list.html" is "list"),
// except that files whose name starts with "_" are partials parsed into
// every page (for blocks shared by pages and htmx fragments), and files
// named <lang>.json ("fr.json") are the module's translation catalogues: a
// flat JSON object of English text -> translation, merged over the
// layout's. NewPages panics on any error: it runs at startup on embedded
// files, so an error is a bug caught by the first test.
func NewPages(fsys fs.FS, patterns ...string) *Pages {
	var pages, partials, catalogues []string
	for _, pat := range patterns {
		matches, err := fs.Glob(fsys, pat)
		if err != nil || len(matches) == 0 {
			panic(fmt.Sprintf("web: template pattern %q matches no file (%v)", pat, err))
		}
		for _, m := range matches {
			switch base := path.Base(m); {
			case strings.HasSuffix(base, ".json"):
				catalogues = append(catalogues, m)
			case strings.HasPrefix(base, "_"):
				partials = append(partials, m)
			default:
				pages = append(pages, m)
			}
		}
	}
	p := &Pages{byLang: map[string]map[string]*template.Template{}, messages: Messages{}}
	marker := make([]byte, 12)
	rand.Read(marker)
	p.marker = []byte("peaceops-csrf-field-" + hex.EncodeToString(marker))
	layoutCatalogues, _ := fs.Glob(layoutFS, "layout/*.json")
	loadMessages(layoutFS, layoutCatalogues, p.messages)
	loadMessages(fsys, catalogues, p.messages)
	for _, lang := range languages {
		p.byLang[lang] = map[string]*template.Template{}
	}
	for _, file := range pages {
		name := strings.TrimSuffix(path.Base(file), path.Ext(file))
		if _, dup := p.byLang["en"][name]; dup {
			panic(fmt.Sprintf("web: two page templates named %q", name))
		}
		base := template.New(name).Funcs(p.funcs())
		template.Must(base.ParseFS(layoutFS, "layout/*.html"))
		if len(partials) > 0 {
			template.Must(base.ParseFS(fsys, partials...))
		}
		template.Must(base.ParseFS(fsys, file))
		for _, lang := range languages {
			t := template.Must(base.Clone())
			t.Funcs(template.FuncMap{"t": translator(p.messages, lang)})
			p.byLang[lang][name] = t
		}
	}
	return p
}

func (p *Pages) funcs() template.FuncMap {
	field := template.HTML(p.marker)
	return template.FuncMap{
		"t":      translator(nil, "en"), // replaced per language
		"csrf":   func() template.HTML { return field },
		"static": staticAssets().url,
	}
}

// View is what templates execute on.
type View struct {
	Data    any
	Actor   peaceops.Actor
	Lang    string
	CSRF    string // token for forms ({{csrf}}) and scripts (X-CSRF-Token)
	Path    string
	Mission MissionRef // the current mission; zero Code when none
	// Missions are the missions the actor may switch to.
	Missions  []MissionRef
	Nav       []NavLink
	Flash     *Flash
	Languages []LanguageLink
	Version   string
	RequestID string
	Status    int
}

// NavLink is a navigation entry as shown on one page, its label
// translated.
type NavLink struct {
	Label, Href string
	Active      bool
}

// LanguageLink is an entry of the language switcher.
type LanguageLink struct {
	Code, Name, Href string
	Active           bool
}

// Flash is a one-time message shown on the next page (after a redirect).
type Flash struct {
	Kind string // "success", "info", "warning" or "error"
	Text string // translated
}

// Render writes the page name in the layout with the given status. The
// page is executed into a buffer first, so a template error becomes a
// clean 500 (returned, for the router to render) rather than half a page.
func (p *Pages) Render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	return p.execute(w, r, status, name, "layout", data)
}

// Fragment writes only the block named block of page name, without the
// layout: the answer to an htmx request that swaps part of a page. The data
// is wrapped in a *View as for Render.
func (p *Pages) Fragment(w http.ResponseWriter, r *http.Request, status int, name, block string, data any) error {
	return p.execute(w, r, status, name, block, data)
}

// T translates text (an English key) into the request's language with this
// set's catalogue, formatting args as fmt.Sprintf does.
func (p *Pages) T(r *http.Request, text string, args ...any) string {
	return translator(p.messages, Lang(r))(text, args...)
}

func (p *Pages) execute(w http.ResponseWriter, r *http.Request, status int, name, block string, data any) error {
	lang := Lang(r)
	t := p.byLang[lang][name]
	if t == nil {
		return fmt.Errorf("web: no page template %q", name)
	}
	v := p.view(w, r, lang, status, data)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		return fmt.Errorf("web: render %s/%s: %w", name, block, err)
	}
	out := buf.Bytes()
	if bytes.Contains(out, p.marker) {
		field := ""
		if v.CSRF != "" {
			field = `<input type="hidden" name="` + CSRFField + `" value="` + template.HTMLEscapeString(v.CSRF) + `">`
		}
		out = bytes.ReplaceAll(out, p.marker, []byte(field))
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	w.WriteHeader(status)
	_, err := w.Write(out)
	return err
}

func (p *Pages) view(w http.ResponseWriter, r *http.Request, lang string, status int, data any) *View {
	ctx := r.Context()
	a := peaceops.ActorFromContext(ctx)
	v := &View{
		Data: data, Actor: a, Lang: lang, CSRF: CSRF(w, r), Path: r.URL.Path,
		RequestID: RequestID(ctx), Status: status,
		Languages: languageLinks(r, lang),
	}
	info := infoFrom(ctx)
	if info == nil {
		return v
	}
	s := info.srv
	t := s.router.translator(p.messages, lang)
	v.Version = s.cfg.Version
	v.Flash = takeFlash(w, r, t)
	if !a.Anonymous() {
		v.Missions = s.missions(ctx, a)
		v.Mission = s.currentMission(w, r, v.Missions)
		v.Nav = navLinks(s.router.navItems(), a, v.Path, v.Mission.Code, t)
	}
	return v
}

func (s *Server) missions(ctx context.Context, a peaceops.Actor) []MissionRef {
	if s.cfg.Missions == nil {
		return nil
	}
	list, err := s.cfg.Missions(ctx, a)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "list missions for the layout",
			slog.String("request_id", RequestID(ctx)), slog.String("error", err.Error()))
		return nil
	}
	return list
}

// missionCookie remembers the mission last worked in, so mission-scoped
// navigation stays in it on pages outside /missions/{code}.
const missionCookie = "peaceops_mission"

// currentMission is the mission of the page (/missions/{code}/...), else the
// one last worked in if the actor still has it.
func (s *Server) currentMission(w http.ResponseWriter, r *http.Request, list []MissionRef) MissionRef {
	find := func(code string) (MissionRef, bool) {
		for _, m := range list {
			if m.Code == code {
				return m, true
			}
		}
		return MissionRef{Code: code}, false
	}
	_, pattern := splitPattern(r.Pattern)
	if strings.HasPrefix(pattern, "/missions/{code}") {
		code := r.PathValue("code")
		m, _ := find(code)
		if c, err := r.Cookie(missionCookie); err != nil || c.Value != code {
			s.setCookie(w, missionCookie, code, time.Now().AddDate(0, 1, 0))
		}
		return m
	}
	if c, err := r.Cookie(missionCookie); err == nil {
		if m, ok := find(c.Value); ok {
			return m
		}
	}
	return MissionRef{}
}

func navLinks(items []NavItem, a peaceops.Actor, current, mission string, t func(string, ...any) string) []NavLink {
	out := make([]NavLink, 0, len(items))
	best, bestLen := -1, 0
	for _, it := range items {
		if it.Show != nil && !it.Show(a, mission) {
			continue
		}
		href := it.Href
		if strings.Contains(href, "{mission}") {
			if mission == "" {
				continue
			}
			href = strings.ReplaceAll(href, "{mission}", url.PathEscape(mission))
		}
		// The active entry is the one whose href is the longest prefix of
		// the path: on /missions/X/events that is Events, not Missions.
		if n := len(href); n > bestLen && (current == href || (href != "/" && strings.HasPrefix(current, strings.TrimSuffix(href, "/")+"/"))) {
			best, bestLen = len(out), n
		}
		out = append(out, NavLink{Label: t(it.Label), Href: href})
	}
	if best >= 0 {
		out[best].Active = true
	}
	return out
}

func languageLinks(r *http.Request, current string) []LanguageLink {
	q := r.URL.Query()
	q.Del("lang")
	back := r.URL.Path
	if len(q) > 0 {
		back += "?" + q.Encode()
	}
	if r.Method != http.MethodGet {
		back = "/"
	}
	out := make([]LanguageLink, len(languages))
	for i, l := range languages {
		out[i] = LanguageLink{Code: l, Name: languageNames[l], Active: l == current,
			Href: "/lang?" + url.Values{"to": {l}, "next": {back}}.Encode()}
	}
	return out
}

// flashCookie carries a Flash across one redirect.
const flashCookie = "peaceops_flash"

type flashValue struct {
	Kind string   `json:"k"`
	Text string   `json:"t"`
	Args []string `json:"a,omitempty"`
}

// SetFlash shows a one-time message on the next page rendered for this
// browser, typically after a redirect. kind is "success", "info", "warning"
// or "error"; format (English, translated when shown) and args as for
// fmt.Sprintf.
func SetFlash(w http.ResponseWriter, r *http.Request, kind, format string, args ...any) {
	fv := flashValue{Kind: kind, Text: format}
	for _, a := range args {
		fv.Args = append(fv.Args, fmt.Sprint(a))
	}
	b, _ := json.Marshal(fv)
	secure := false
	if info := infoFrom(r.Context()); info != nil {
		secure = info.srv.cfg.SecureCookies
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(b),
		Path: "/", MaxAge: 300, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

func takeFlash(w http.ResponseWriter, r *http.Request, t func(string, ...any) string) *Flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	info := infoFrom(r.Context())
	info.srv.clearCookie(w, flashCookie)
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	var fv flashValue
	if err != nil || json.Unmarshal(b, &fv) != nil || fv.Text == "" {
		return nil
	}
	switch fv.Kind {
	case "success", "info", "warning", "error":
	default:
		fv.Kind = "info"
	}
	args := make([]any, len(fv.Args))
	for i, a := range fv.Args {
		args[i] = a
	}
	return &Flash{Kind: fv.Kind, Text: t(fv.Text, args...)}
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Title   string
	Message string
	Fields  []peaceops.FieldError
}

func newOwnPages() *Pages {
	return NewPages(ownFS, "templates/*.html", "templates/*.json")
}

func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	msg := peaceops.ErrorMessage(err)
	if status >= 500 {
		msg = "internal error"
	}
	data := errorPage{Status: status, Title: http.StatusText(status), Message: msg, Fields: peaceops.ErrorFields(err)}
	if rerr := s.pages.Render(w, r, status, "error", data); rerr != nil {
		s.log.Error("render error page", "request_id", RequestID(r.Context()), "error", rerr.Error())
		http.Error(w, http.StatusText(status), status)
	}
}
