package audit

import (
	"bytes"
	"embed"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/web"
)

// The audit log pages: /audit for administrators (every entry) and
// mission-admins (their missions' entries), /missions/{code}/audit for the
// log of one mission. Both show a filter form and a page of entries, each
// with its record before and after the change.

//go:embed templates/*.html templates/*.json
var templatesFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templatesFS, "templates/*.html", "templates/*.json")
}

// ui serves the audit pages.
type ui struct {
	s     *Service
	pages *web.Pages
}

func newUI(s *Service) *ui { return &ui{s: s, pages: newPages()} }

func (u *ui) routes(r *web.Router) {
	r.Page("GET /audit", u.handleLog)
	r.Page("GET /missions/{code}/audit", u.handleMissionLog)
}

// logPage is the data of the audit log page.
type logPage struct {
	// Mission is the mission of /missions/{code}/audit, "" on /audit.
	Mission string
	// Choices are the missions a mission-admin may pick on /audit
	// (administrators pick among all missions).
	Choices []string
	Form    filterForm
	Entries []entryRow
	Next    string // link to the next (older) page, "" on the last
	// FirstLink leads back to the newest page; "" on it.
	FirstLink string
	Errors    map[string]string
}

// filterForm holds the filter form's values as typed.
type filterForm struct {
	Mission, EntityType, EntityID, Actor, Action, From, To string
}

// entryRow is an entry as the page shows it.
type entryRow struct {
	Entry
	Before, After string   // indented JSON, "" when null
	Changed       []string // top-level fields whose value changed
	EntityLink    string   // this log filtered to the entry's record
	ActorLink     string   // this log filtered to the entry's actor
}

func (u *ui) handleLog(w http.ResponseWriter, r *http.Request) error {
	return u.render(w, r, "")
}

func (u *ui) handleMissionLog(w http.ResponseWriter, r *http.Request) error {
	return u.render(w, r, r.PathValue("code"))
}

// render shows the log at r's path filtered by its query, restricted to
// mission when it is not "".
func (u *ui) render(w http.ResponseWriter, r *http.Request, mission string) error {
	q := r.URL.Query()
	if mission != "" {
		q.Set("mission", mission)
	}
	actor := peaceops.ActorFromContext(r.Context())
	data := logPage{Mission: mission, Form: formOf(q)}
	if !actor.Admin {
		for code := range actor.Roles {
			if access.Can(actor, access.ActionRead, access.Resource{Type: "audit", Mission: code, Classification: peaceops.Confidential}) {
				data.Choices = append(data.Choices, code)
			}
		}
		slices.Sort(data.Choices)
	}
	f, err := filterOf(q)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			return err
		}
		data.Errors = errs
		return u.pages.Render(w, r, http.StatusBadRequest, "log", data)
	}
	entries, next, err := u.s.FindEntries(r.Context(), f)
	if err != nil {
		return err
	}
	for _, e := range entries {
		data.Entries = append(data.Entries, u.row(r, q, entryOf(e)))
	}
	base := pageQuery(q, mission != "")
	if next != "" {
		v := maps.Clone(base)
		v.Set("cursor", web.EncodeCursor(next))
		data.Next = r.URL.Path + "?" + v.Encode()
	}
	if q.Get("cursor") != "" {
		data.FirstLink = r.URL.Path
		if len(base) > 0 {
			data.FirstLink += "?" + base.Encode()
		}
	}
	return u.pages.Render(w, r, http.StatusOK, "log", data)
}

func formOf(q url.Values) filterForm {
	return filterForm{
		Mission: q.Get("mission"), EntityType: q.Get("entity_type"), EntityID: q.Get("entity_id"),
		Actor: q.Get("actor"), Action: q.Get("action"), From: q.Get("from"), To: q.Get("to"),
	}
}

// pageQuery is the filter of q without the cursor, and without the
// mission when the path fixes it, for links to other pages of this log.
func pageQuery(q url.Values, fixedMission bool) url.Values {
	v := url.Values{}
	for k, vals := range q {
		if k == "cursor" || (k == "mission" && fixedMission) || len(vals) == 0 || vals[0] == "" {
			continue
		}
		v.Set(k, vals[0])
	}
	return v
}

func (u *ui) row(r *http.Request, q url.Values, e Entry) entryRow {
	row := entryRow{Entry: e, Before: indent(e.Before), After: indent(e.After), Changed: changed(e.Before, e.After)}
	link := func(set map[string]string) string {
		v := url.Values{}
		if m := q.Get("mission"); m != "" && r.PathValue("code") == "" {
			v.Set("mission", m)
		}
		for k, val := range set {
			v.Set(k, val)
		}
		return r.URL.Path + "?" + v.Encode()
	}
	if e.EntityID != "" {
		row.EntityLink = link(map[string]string{"entity_type": e.EntityType, "entity_id": e.EntityID})
	}
	row.ActorLink = link(map[string]string{"actor": e.Actor})
	return row
}

// indent returns raw JSON indented for reading, "" for null.
func indent(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// changed lists the top-level fields that differ between two JSON
// objects, sorted; nil unless both are objects.
func changed(before, after json.RawMessage) []string {
	var b, a map[string]json.RawMessage
	if json.Unmarshal(before, &b) != nil || json.Unmarshal(after, &a) != nil || b == nil || a == nil {
		return nil
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if old, ok := b[k]; !ok || !bytes.Equal(compact(old), compact(a[k])) {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// formErrors returns the problems of an EINVALID error by field name, and
// whether err was one.
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
