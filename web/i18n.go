package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Languages of the user interface, the default first. Text keys are the
// English strings; other languages have catalogues.
var languages = []string{"en", "fr"}

// languageNames are shown by the switcher, each in its own language.
var languageNames = map[string]string{"en": "English", "fr": "Français"}

// Languages returns the codes of the interface languages, default first.
func Languages() []string { return slices.Clone(languages) }

// Messages is a translation catalogue: language code -> English text ->
// translation. A missing entry falls back to the English text.
type Messages map[string]map[string]string

func supported(lang string) bool { return slices.Contains(languages, lang) }

// langCookie remembers the language picked with the switcher.
const langCookie = "lang"

// Lang returns the interface language of the request: ?lang=, else the lang
// cookie set by the switcher, else the signed-in user's stored choice, else
// Accept-Language, else English.
func Lang(r *http.Request) string {
	info := infoFrom(r.Context())
	if info != nil && info.lang != "" {
		return info.lang
	}
	lang := negotiateLang(r, info)
	if info != nil {
		info.lang = lang
	}
	return lang
}

func negotiateLang(r *http.Request, info *requestInfo) string {
	if l := r.URL.Query().Get("lang"); supported(l) {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && supported(c.Value) {
		return c.Value
	}
	if info != nil && info.srv.cfg.UserLanguage != nil && !info.actor.Anonymous() {
		if l := info.srv.cfg.UserLanguage(r.Context(), info.actor); supported(l) {
			return l
		}
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage picks the supported language the header prefers.
func acceptLanguage(h string) string {
	best, bestQ := languages[0], 0.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if supported(primary) && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

// translator returns the t function of lang over catalogues, the first
// having a key winning: t looks the English text up and, with arguments,
// formats the result as fmt.Sprintf.
func translator(m Messages, lang string, more ...Messages) func(string, ...any) string {
	cats := []map[string]string{m[lang]}
	for _, c := range more {
		cats = append(cats, c[lang])
	}
	return func(key string, args ...any) string {
		s := key
		for _, cat := range cats {
			if v, ok := cat[key]; ok && v != "" {
				s = v
				break
			}
		}
		if len(args) > 0 {
			return fmt.Sprintf(s, args...)
		}
		return s
	}
}

// loadMessages reads catalogue files named <lang>.json (a flat JSON object
// of English text -> translation) from fsys.
func loadMessages(fsys fs.FS, files []string, into Messages) {
	for _, f := range files {
		lang := strings.TrimSuffix(path.Base(f), ".json")
		if !supported(lang) {
			panic(fmt.Sprintf("web: catalogue %s: %q is not an interface language (%v)", f, lang, languages))
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			panic(fmt.Sprintf("web: catalogue %s: %v", f, err))
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("web: catalogue %s: %v", f, err))
		}
		if into[lang] == nil {
			into[lang] = map[string]string{}
		}
		for k, v := range m {
			into[lang][k] = v
		}
	}
}

// handleLanguage is the language switcher: GET /lang?to=fr&next=/path sets
// the lang cookie and goes back.
func (s *Server) handleLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("to")
	if !supported(lang) {
		return fieldError("to", "must be one of "+strings.Join(languages, ", "))
	}
	s.setCookie(w, langCookie, lang, time.Now().AddDate(1, 0, 0))
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

// localPath returns p when it is a path on this site, "/" otherwise, so a
// ?next= cannot send the user to another site.
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n\t") {
		return "/"
	}
	return p
}

// PickMessages returns the translations of keys found in the <lang>.json
// catalogues of dir in fsys: a module's texts that appear outside its own
// pages (nav labels, flash messages, errors shown on the shared error
// page), to be given to Router.Messages. A language without a catalogue
// is left out (its English text is shown); a malformed catalogue panics,
// as NewPages does, since it is a programming error caught at startup.
func PickMessages(fsys fs.FS, dir string, keys []string) Messages {
	out := Messages{}
	for _, lang := range Languages() {
		b, err := fs.ReadFile(fsys, path.Join(dir, lang+".json"))
		if err != nil {
			continue
		}
		var cat map[string]string
		if err := json.Unmarshal(b, &cat); err != nil {
			panic(fmt.Sprintf("web: catalogue %s/%s.json: %v", dir, lang, err))
		}
		out[lang] = map[string]string{}
		for _, k := range keys {
			if v, ok := cat[k]; ok {
				out[lang][k] = v
			}
		}
	}
	return out
}
