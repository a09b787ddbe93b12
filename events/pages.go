package events

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// The HTML pages of events: the map (base map, admin boundaries, events in
// grid cells, time histogram), the list with its exports, the record and
// edit forms, the detail page with its verify, delete and merge actions,
// and the dashboard. Every page works without script: the map page then
// shows the list of the same filters, the charts their tables.

// pageTemplates holds the page templates and their catalogues (fr.json).
//
//go:embed templates/*
var pageTemplates embed.FS

// pageSharedKeys are the texts of this module shown on pages rendered with
// another catalogue: nav labels, flash messages (on whatever page comes
// next) and error messages (on web's error page).
var pageSharedKeys = []string{
	"Map", "Events", "Dashboard",
	"Event recorded.", "This form was already submitted: here is the event it recorded.",
	"Event saved.", "Event deleted.", "Status set to %s.", "%d events merged into this one.",
	"your role does not allow recording events in this mission", // on web's error page
	"your role does not allow editing this event",
	"your role does not allow verifying this event",
	"your role does not allow deleting this event",
}

// eventPages serves the pages over a Service.
type eventPages struct {
	svc *Service
	tpl *web.Pages
}

// NewPages parses the templates of the event pages; PageRoutes uses it,
// tests call it to check the French catalogue (Untranslated).
func NewPages() *web.Pages {
	return web.NewPages(pageTemplates, "templates/*.html", "templates/*.json")
}

// PageRoutes registers the HTML pages of events and their nav entries.
func (s *Service) PageRoutes(r *web.Router) {
	p := &eventPages{svc: s, tpl: NewPages()}
	r.Page("GET /missions/{code}/map", p.handleMap)
	r.Page("GET /missions/{code}/events", p.handleList)
	r.Page("GET /missions/{code}/events/new", p.handleNew)
	r.Page("POST /missions/{code}/events", p.handleCreate)
	r.Page("GET /missions/{code}/events/{id}", p.handleDetail)
	r.Page("GET /missions/{code}/events/{id}/edit", p.handleEdit)
	r.Page("POST /missions/{code}/events/{id}/edit", p.handleUpdate)
	r.Page("POST /missions/{code}/events/{id}/verify", p.handleVerify)
	r.Page("POST /missions/{code}/events/{id}/delete", p.handleDelete)
	r.Page("POST /missions/{code}/events/{id}/merge", p.handleMerge)
	r.Page("GET /missions/{code}/dashboard", p.handleDashboard)
	// Only roles that read the mission's events see their pages listed.
	readsEvents := func(a peaceops.Actor, mission string) bool { return access.Clearance(a, resourceType, mission) > 0 }
	r.NavItemFor("Map", "/missions/{mission}/map", readsEvents)
	r.NavItemFor("Events", "/missions/{mission}/events", readsEvents)
	r.NavItemFor("Dashboard", "/missions/{mission}/dashboard", readsEvents)
	r.Messages(web.PickMessages(pageTemplates, "templates", pageSharedKeys))
}

// ---- labels ---------------------------------------------------------------

func typeLabel(lang string, t Type) string {
	info, ok := t.Info()
	switch {
	case !ok:
		return string(t)
	case lang == "fr" && info.LabelFR != "":
		return info.LabelFR
	}
	return info.Label
}

func categoryLabel(lang string, c Category) string {
	for _, ci := range categories {
		if ci.Category == c {
			if lang == "fr" && ci.LabelFR != "" {
				return ci.LabelFR
			}
			return ci.Label
		}
	}
	return string(c)
}

// dateText formats the date of e as its precision allows, and names the
// precision when it is coarser than a day (the template labels it).
func dateText(e *Event) (text, coarse string) {
	s, end := e.Start.UTC(), e.End.UTC()
	sameDay := s.Format(time.DateOnly) == end.Format(time.DateOnly)
	switch e.DatePrecision {
	case DateExact:
		text = s.Format("2006-01-02 15:04")
		if !end.Equal(s) {
			if sameDay {
				text += "–" + end.Format("15:04")
			} else {
				text += " – " + end.Format("2006-01-02 15:04")
			}
		}
		return text + " UTC", ""
	case DateDay, "":
		if sameDay {
			return s.Format(time.DateOnly), ""
		}
		return s.Format(time.DateOnly) + " – " + end.Format(time.DateOnly), ""
	case DateMonth:
		if s.Format("2006-01") == end.Format("2006-01") {
			return s.Format("2006-01"), string(DateMonth)
		}
	case DateYear:
		if s.Year() == end.Year() {
			return s.Format("2006"), string(DateYear)
		}
	}
	if sameDay {
		return s.Format(time.DateOnly), string(e.DatePrecision)
	}
	return s.Format(time.DateOnly) + " – " + end.Format(time.DateOnly), string(e.DatePrecision)
}

// ---- access -----------------------------------------------------------------

func pageResource(mission string, c peaceops.Classification) access.Resource {
	return access.Resource{Type: "event", Mission: mission, Classification: c}
}

func canDo(r *http.Request, act access.Action, mission string, c peaceops.Classification) bool {
	return access.Can(peaceops.ActorFromContext(r.Context()), act, pageResource(mission, c))
}

// member returns the mission of the request if the actor may read its
// events: ENOTFOUND otherwise, as the API answers (a mission one may not
// see does not exist for them).
func (p *eventPages) member(r *http.Request) (string, error) {
	code := r.PathValue("code")
	if _, err := clearance(peaceops.ActorFromContext(r.Context()), code); err != nil {
		return "", err
	}
	return code, nil
}

// recorded returns the event a record form with key has created, when the
// actor may see it: the answer to a second submit of the same form.
func (p *eventPages) recorded(r *http.Request, mission, key string) (string, bool) {
	var found map[string]existing
	err := p.svc.db.View(r.Context(), func(tx *store.Tx) (err error) {
		found, err = findByProvenance(r.Context(), tx, mission, formSource, []string{key})
		return err
	})
	x, ok := found[key]
	if err != nil || !ok || x.deleted {
		return "", false
	}
	if _, err := p.svc.FindEventByID(r.Context(), mission, x.id); err != nil {
		return "", false
	}
	return x.id, true
}

// ---- filters -----------------------------------------------------------------

// filterView is the filter form of the map, list and dashboard pages as
// entered, with the choices it offers.
type filterView struct {
	Action                                string
	From, To, Actor, Admin, MinFatalities string
	Q, BBox, Interval                     string
	Dashboard                             bool // offers the interval
	Groups                                []typeGroup
	Statuses                              []checkOption
	Admin1, Admin2                        []adminOption
	TypesChecked                          int
	Active                                bool // a filter is set
	Errors                                map[string]string
	selectedTypes, selectedStatus         []string
}

type typeGroup struct {
	Code, Label string
	Checked     bool
	Types       []checkOption
}

type checkOption struct {
	Value, Label string
	Checked      bool
}

type adminOption struct {
	PCode, Name string
	Selected    bool
}

// readPageFilter reads the filters of q as the API does (FilterFromQuery:
// the pages and the API take the same parameters, so a page's query string
// is also its export's) and keeps the form as entered. Bad values are an
// EINVALID error whose messages the form shows next to their fields.
func readPageFilter(q url.Values, lang string) (Filter, *filterView, error) {
	v := &filterView{
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Actor: strings.TrimSpace(q.Get("actor")), Admin: strings.TrimSpace(q.Get("admin")),
		MinFatalities: strings.TrimSpace(q.Get("min_fatalities")), Q: strings.TrimSpace(q.Get("q")),
		BBox: strings.TrimSpace(q.Get("bbox")), Interval: q.Get("interval"),
		selectedTypes: splitValues(q["type"]), selectedStatus: splitValues(q["status"]),
		Errors: map[string]string{},
	}
	f, err := FilterFromQuery(q)
	if err == nil {
		check := f
		err = queryErrors(check.Validate())
	}
	fields := peaceops.ErrorFields(err)
	if v.Interval != "" && v.Interval != IntervalWeek && v.Interval != IntervalMonth {
		fields = append(fields, peaceops.FieldError{Field: "interval", Message: "must be week or month"})
	}
	for _, fe := range fields {
		if _, ok := v.Errors[fe.Field]; !ok {
			v.Errors[fe.Field] = fe.Message
		}
	}
	v.Active = v.From != "" || v.To != "" || len(v.selectedTypes) > 0 || len(v.selectedStatus) > 0 ||
		v.Actor != "" || v.Admin != "" || v.MinFatalities != "" || v.Q != "" || v.BBox != ""
	v.build(lang)
	if len(fields) > 0 {
		return Filter{}, v, peaceops.Invalid(fields)
	}
	return f, v, nil
}

// encode returns the filters as query parameters, plus extra.
func (v *filterView) encode(extra url.Values) url.Values {
	q := url.Values{}
	set := func(k, s string) {
		if s != "" {
			q.Set(k, s)
		}
	}
	set("from", v.From)
	set("to", v.To)
	for _, t := range v.selectedTypes {
		q.Add("type", t)
	}
	for _, s := range v.selectedStatus {
		q.Add("status", s)
	}
	set("actor", v.Actor)
	set("admin", v.Admin)
	set("min_fatalities", v.MinFatalities)
	set("q", v.Q)
	set("bbox", v.BBox)
	for k, vs := range extra {
		q[k] = vs
	}
	return q
}

// link returns base with the filters and extra as its query.
func (v *filterView) link(base string, extra url.Values) string {
	q := v.encode(extra).Encode()
	if q == "" {
		return base
	}
	return base + "?" + q
}

// build fills the choices of the form in lang.
func (v *filterView) build(lang string) {
	v.Groups = nil
	v.TypesChecked = 0
	for _, c := range categories {
		g := typeGroup{Code: string(c.Category), Label: categoryLabel(lang, c.Category), Checked: slices.Contains(v.selectedTypes, string(c.Category))}
		if g.Checked {
			v.TypesChecked++
		}
		for _, t := range taxonomy {
			if t.Category != c.Category {
				continue
			}
			o := checkOption{Value: string(t.Type), Label: typeLabel(lang, t.Type), Checked: slices.Contains(v.selectedTypes, string(t.Type))}
			if o.Checked {
				v.TypesChecked++
			}
			g.Types = append(g.Types, o)
		}
		v.Groups = append(v.Groups, g)
	}
	v.Statuses = nil
	for _, s := range Statuses {
		v.Statuses = append(v.Statuses, checkOption{Value: string(s), Checked: slices.Contains(v.selectedStatus, string(s))})
	}
}

// loadAdmins fills the admin area choices with the areas the mission's
// events fall in (from the statistics: no query of the geo tables).
func (p *eventPages) loadAdmins(r *http.Request, mission string, v *filterView) error {
	for _, by := range []string{"admin1", "admin2"} {
		rows, err := p.svc.Stats(r.Context(), mission, StatsRequest{By: by})
		if err != nil {
			return err
		}
		var opts []adminOption
		for _, row := range rows {
			if row.Key == "" {
				continue
			}
			name := row.Label
			if name == "" {
				name = row.Key
			}
			opts = append(opts, adminOption{PCode: row.Key, Name: name, Selected: row.Key == v.Admin})
		}
		slices.SortFunc(opts, func(a, b adminOption) int { return strings.Compare(a.Name, b.Name) })
		if by == "admin1" {
			v.Admin1 = opts
		} else {
			v.Admin2 = opts
		}
	}
	return nil
}

// ---- rows -----------------------------------------------------------------

// listRow is an event as lists show it.
type listRow struct {
	ID, Title, Type, TypeLabel, CategoryLabel string
	Date, DateCoarse                          string
	Place, Admin1, Admin2                     string
	Fatalities                                Count
	Status                                    string
	Flags                                     []string
}

// Uncertain reports whether the fatality count is a range.
func (r listRow) Uncertain() bool {
	return r.Fatalities.Low != r.Fatalities.Best || r.Fatalities.High != r.Fatalities.Best
}

func pageRow(e *Event, lang string) listRow {
	date, coarse := dateText(e)
	return listRow{
		ID: string(e.ID), Title: e.Title, Type: string(e.Type),
		TypeLabel: typeLabel(lang, e.Type), CategoryLabel: categoryLabel(lang, e.Type.Category()),
		Date: date, DateCoarse: coarse, Place: e.PlaceName,
		Admin1: e.Admin1.Name, Admin2: e.Admin2.Name,
		Fatalities: e.Fatalities, Status: string(e.Status), Flags: e.Flags,
	}
}

// ---- map and list pages ---------------------------------------------------

// listPage is the data of the list page, and of the list under the map.
type listPage struct {
	Mission   string
	F         *filterView
	Events    []listRow
	Next      string // link to the next page, "" on the last
	First     string // link to the first page, "" on it
	More      string // map page: link to the full list when there are more
	MapLink   string // the map, the list and the dashboard of the same filters
	ListLink  string
	DashLink  string
	CSV       string
	GeoJSON   string
	HXL       string
	CanCreate bool
}

func (p *eventPages) findPage(r *http.Request, mission, base string, limit int) (*listPage, error) {
	lang := web.Lang(r)
	q := r.URL.Query()
	f, fv, ferr := readPageFilter(q, lang)
	fv.Action = base
	page := &listPage{Mission: mission, F: fv, CanCreate: canDo(r, access.ActionCreate, mission, peaceops.Internal)}
	api := "/api/v1/missions/" + url.PathEscape(mission) + "/events"
	page.CSV = fv.link(api, url.Values{"format": {"csv"}})
	page.GeoJSON = fv.link(api, url.Values{"format": {"geojson"}})
	page.HXL = fv.link(api, url.Values{"format": {"hxl"}})
	pages := "/missions/" + url.PathEscape(mission)
	page.MapLink, page.ListLink = fv.link(pages+"/map", nil), fv.link(pages+"/events", nil)
	page.DashLink = fv.link(pages+"/dashboard", nil)
	if err := p.loadAdmins(r, mission, fv); err != nil {
		return nil, err
	}
	if ferr != nil {
		return page, ferr
	}
	f.Limit = limit
	f.Cursor = q.Get("cursor")
	list, next, err := p.svc.FindEvents(r.Context(), mission, f)
	if err != nil {
		return page, err
	}
	for _, e := range list {
		page.Events = append(page.Events, pageRow(e, lang))
	}
	if next != "" {
		page.Next = fv.link(base, url.Values{"cursor": {next}})
	}
	if f.Cursor != "" {
		page.First = fv.link(base, nil)
	}
	return page, nil
}

// renderFiltered renders a page whose filters may be wrong: a filter error
// shows the page with the form's messages (400); other errors go up.
func (p *eventPages) renderFiltered(w http.ResponseWriter, r *http.Request, name string, page any, err error) error {
	if err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
		return err
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadRequest
	}
	if r.Header.Get("HX-Request") == "true" && name == "map" {
		return p.tpl.Fragment(w, r, status, name, "event-list", page)
	}
	return p.tpl.Render(w, r, status, name, page)
}

// mapListSize is how many events the map page lists under the map.
const mapListSize = 25

func (p *eventPages) handleMap(w http.ResponseWriter, r *http.Request) error {
	mission, err := p.member(r)
	if err != nil {
		return err
	}
	page, err := p.findPage(r, mission, "/missions/"+url.PathEscape(mission)+"/map", mapListSize)
	if page != nil && page.Next != "" {
		page.More = page.F.link("/missions/"+url.PathEscape(mission)+"/events", nil)
		page.Next = ""
	}
	if page == nil {
		return err
	}
	return p.renderFiltered(w, r, "map", page, err)
}

func (p *eventPages) handleList(w http.ResponseWriter, r *http.Request) error {
	mission, err := p.member(r)
	if err != nil {
		return err
	}
	limit, _, err := web.ListParams(r)
	if err != nil {
		return err
	}
	page, err := p.findPage(r, mission, "/missions/"+url.PathEscape(mission)+"/events", limit)
	if page == nil {
		return err
	}
	return p.renderFiltered(w, r, "list", page, err)
}

// ---- dashboard --------------------------------------------------------------

// dashPage is the data of the dashboard.
type dashPage struct {
	Mission                      string
	F                            *filterView
	Interval                     string
	TotalEvents, TotalFatalities string
	TotalCivilians               string
	AreasAffected                int // admin 1 areas with events
	Time                         statTable
	Tables                       []statTable // by admin1, admin2, category, type, actor
	MapLink, ListLink, DashLink  string
}

// statTable is a table of the dashboard: By names its grouping ("" for
// the time series), CSV links to the same numbers from the API.
type statTable struct {
	By   string
	Rows []statRow
	CSV  string
	More int // rows left out (actors beyond the first 30)
}

// statRow is a row of a dashboard table, with its share of the largest
// row for the bars.
type statRow struct {
	StatsRow
	Label                                    string
	EventsText, FatalitiesText, CivilianText string // the numbers as the language writes them
	EventsPct, FatalitiesPct                 string // widths of the bars, 0-100
}

// formatCount writes n with the thousands separator of lang: 14,948 in
// English, 14 948 (a narrow no-break space) in French.
func formatCount(lang string, n int) string {
	sep := ","
	if lang == "fr" {
		sep = "\u202f"
	}
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// dashboardActors is how many actors the dashboard lists.
const dashboardActors = 30

func (p *eventPages) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	mission, err := p.member(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	f, fv, ferr := readPageFilter(r.URL.Query(), lang)
	base := "/missions/" + url.PathEscape(mission)
	fv.Action, fv.Dashboard = base+"/dashboard", true
	if fv.Interval == "" || fv.Errors["interval"] != "" {
		fv.Interval = IntervalWeek
	}
	page := &dashPage{Mission: mission, F: fv, Interval: fv.Interval,
		MapLink: fv.link(base+"/map", nil), ListLink: fv.link(base+"/events", nil), DashLink: fv.link(base+"/dashboard", nil)}
	if err := p.loadAdmins(r, mission, fv); err != nil {
		return err
	}
	if ferr != nil {
		return p.renderFiltered(w, r, "dashboard", page, ferr)
	}
	api := "/api/v1/missions/" + url.PathEscape(mission) + "/events/stats"
	for _, by := range []string{"", ByAdmin1, ByAdmin2, ByCategory, ByType, ByActor} {
		q := StatsRequest{Filter: f, By: by}
		extra := url.Values{"format": {"csv"}}
		if by == "" {
			q.Interval = fv.Interval
			extra.Set("interval", fv.Interval)
		} else {
			extra.Set("by", by)
		}
		rows, err := p.svc.Stats(r.Context(), mission, q)
		if err != nil {
			return err
		}
		table := statTable{By: by, Rows: statRows(rows, lang, by), CSV: fv.link(api, extra)}
		switch by {
		case "":
			page.Time = table
			var sum StatsRow
			for _, row := range rows {
				sum.Events += row.Events
				sum.Fatalities += row.Fatalities
				sum.CivilianFatalities += row.CivilianFatalities
			}
			page.TotalEvents, page.TotalFatalities = formatCount(lang, sum.Events), formatCount(lang, sum.Fatalities)
			page.TotalCivilians = formatCount(lang, sum.CivilianFatalities)
			continue
		case ByAdmin1:
			for _, row := range rows {
				if row.Key != "" {
					page.AreasAffected++
				}
			}
		case ByActor:
			if n := len(table.Rows); n > dashboardActors {
				table.Rows, table.More = table.Rows[:dashboardActors], n-dashboardActors
			}
		}
		page.Tables = append(page.Tables, table)
	}
	return p.tpl.Render(w, r, http.StatusOK, "dashboard", page)
}

// statRows labels rows (types and categories in lang) and sorts the tables
// by events, largest first; the time series stays in time order.
func statRows(rows []StatsRow, lang, by string) []statRow {
	out := make([]statRow, 0, len(rows))
	maxEvents, maxDead := 1, 1
	for _, r := range rows {
		maxEvents, maxDead = max(maxEvents, r.Events), max(maxDead, r.Fatalities)
	}
	pct := func(n, of int) string {
		return strconv.FormatFloat(math.Round(1000*float64(n)/float64(of))/10, 'f', -1, 64)
	}
	for _, r := range rows {
		label := r.Label
		switch by {
		case ByType:
			label = typeLabel(lang, Type(r.Key))
		case ByCategory:
			label = categoryLabel(lang, Category(r.Key))
		case "":
			label = r.Period.String()
		}
		out = append(out, statRow{StatsRow: r, Label: label,
			EventsText: formatCount(lang, r.Events), FatalitiesText: formatCount(lang, r.Fatalities),
			CivilianText: formatCount(lang, r.CivilianFatalities),
			EventsPct:    pct(r.Events, maxEvents), FatalitiesPct: pct(r.Fatalities, maxDead)})
	}
	if by != "" {
		slices.SortStableFunc(out, func(a, b statRow) int { return b.Events - a.Events })
	}
	return out
}

// ---- detail -------------------------------------------------------------------

// detailPage is the data of an event's page (and of its map popup).
type detailPage struct {
	Mission                                 string
	E                                       *Event
	Row                                     listRow
	Lat                                     string // the point for the mini map, "" when none
	Lon                                     string
	Country                                 string // the country's name
	MapLink                                 string // the map page, centred on the event
	Flags                                   []string
	CanEdit, CanVerify, CanDelete, CanMerge bool
	// The action forms as entered, and what is wrong with them.
	Action      string // "verify", "delete" or "merge": the form to show open
	Status      string // verify: the status chosen
	Reason      string
	MergeIDs    string
	Errors      map[string]string
	Stale       bool
	NextStatus  []string // the statuses the verify form offers
	SourceDates []string // the dates of the sources, as text
}

func (p *eventPages) detail(r *http.Request, e *Event) *detailPage {
	c := e.Classification
	d := &detailPage{Mission: e.Mission, E: e, Row: pageRow(e, web.Lang(r)), Flags: e.Flags, Errors: map[string]string{},
		CanEdit:   canDo(r, access.ActionUpdate, e.Mission, c),
		CanVerify: canDo(r, access.ActionVerify, e.Mission, c),
		CanDelete: canDo(r, access.ActionDelete, e.Mission, c),
		CanMerge:  canDo(r, access.ActionUpdate, e.Mission, c)}
	d.MapLink = "/missions/" + url.PathEscape(e.Mission) + "/map"
	if e.Location != nil {
		d.Lat = strconv.FormatFloat(e.Location.Lat, 'f', -1, 64)
		d.Lon = strconv.FormatFloat(e.Location.Lon, 'f', -1, 64)
		d.MapLink += fmt.Sprintf("#10/%.4f/%.4f", e.Location.Lat, e.Location.Lon)
	}
	if name, ok := geo.CountryName(e.Country); ok {
		d.Country = name
	}
	for _, s := range Statuses {
		if s != e.Status {
			d.NextStatus = append(d.NextStatus, string(s))
		}
	}
	d.Status = string(StatusVerified)
	if e.Status == StatusVerified {
		d.Status = string(StatusDisputed)
	}
	return d
}

func (p *eventPages) find(r *http.Request) (*Event, error) {
	return p.svc.FindEventByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
}

func (p *eventPages) handleDetail(w http.ResponseWriter, r *http.Request) error {
	e, err := p.find(r)
	if err != nil {
		return err
	}
	d := p.detail(r, e)
	if r.URL.Query().Get("part") == "popup" {
		return p.tpl.Fragment(w, r, http.StatusOK, "detail", "popup", d)
	}
	return p.tpl.Render(w, r, http.StatusOK, "detail", d)
}

// pageFormStatus is the status of a page answering a form with err.
func pageFormStatus(err error) int {
	switch peaceops.ErrorCode(err) {
	case peaceops.ECONFLICT:
		return http.StatusConflict
	case peaceops.EPRECONDITION:
		return http.StatusPreconditionFailed
	}
	return http.StatusBadRequest
}

// pageFormVersion reads the version a form was loaded with.
func pageFormVersion(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || v < 0 {
		return 0, peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "must be the version the form was loaded with"}})
	}
	return v, nil
}

func eventURL(mission, id string) string {
	return "/missions/" + url.PathEscape(mission) + "/events/" + url.PathEscape(id)
}

// actionFailed re-renders the detail page after a failed action form:
// the form open with its values and message, 400/409/412.
func (p *eventPages) actionFailed(w http.ResponseWriter, r *http.Request, d *detailPage, field string, err error) error {
	switch peaceops.ErrorCode(err) {
	case peaceops.EINVALID:
		for _, fe := range peaceops.ErrorFields(err) {
			if _, ok := d.Errors[fe.Field]; !ok {
				d.Errors[fe.Field] = fe.Message
			}
		}
		if len(d.Errors) == 0 {
			d.Errors[field] = peaceops.ErrorMessage(err)
		}
	case peaceops.EPRECONDITION:
		d.Stale = true
	case peaceops.ECONFLICT:
		d.Errors[field] = peaceops.ErrorMessage(err)
	default:
		return err
	}
	return p.tpl.Render(w, r, pageFormStatus(err), "detail", d)
}

func (p *eventPages) handleVerify(w http.ResponseWriter, r *http.Request) error {
	e, err := p.find(r)
	if err != nil {
		return err
	}
	d := p.detail(r, e)
	if !d.CanVerify {
		return peaceops.Errorf(peaceops.EFORBIDDEN, "your role does not allow verifying this event")
	}
	d.Action, d.Status, d.Reason = "verify", r.PostFormValue("status"), strings.TrimSpace(r.PostFormValue("reason"))
	version, err := pageFormVersion(r)
	if err != nil {
		return err
	}
	out, err := p.svc.VerifyEvent(r.Context(), e.Mission, string(e.ID), Verify{Status: Status(d.Status), Reason: d.Reason}, version)
	if err != nil {
		return p.actionFailed(w, r, d, "reason", err)
	}
	web.SetFlash(w, r, "success", "Status set to %s.", p.tpl.T(r, statusName(out.Status)))
	return web.Redirect(w, r, eventURL(e.Mission, string(e.ID)))
}

// statusName is the English name of a status, the key of its translation.
func statusName(s Status) string {
	switch s {
	case StatusReported:
		return "Reported"
	case StatusVerified:
		return "Verified"
	case StatusDisputed:
		return "Disputed"
	case StatusRejected:
		return "Rejected"
	}
	return string(s)
}

func (p *eventPages) handleDelete(w http.ResponseWriter, r *http.Request) error {
	e, err := p.find(r)
	if err != nil {
		return err
	}
	d := p.detail(r, e)
	if !d.CanDelete {
		return peaceops.Errorf(peaceops.EFORBIDDEN, "your role does not allow deleting this event")
	}
	d.Action, d.Reason = "delete", strings.TrimSpace(r.PostFormValue("reason"))
	version, err := pageFormVersion(r)
	if err != nil {
		return err
	}
	if err := p.svc.DeleteEvent(r.Context(), e.Mission, string(e.ID), d.Reason, version); err != nil {
		return p.actionFailed(w, r, d, "reason", err)
	}
	web.SetFlash(w, r, "success", "Event deleted.")
	return web.Redirect(w, r, "/missions/"+url.PathEscape(e.Mission)+"/events")
}

func (p *eventPages) handleMerge(w http.ResponseWriter, r *http.Request) error {
	e, err := p.find(r)
	if err != nil {
		return err
	}
	d := p.detail(r, e)
	if !d.CanMerge {
		return peaceops.Errorf(peaceops.EFORBIDDEN, "your role does not allow editing this event")
	}
	d.Action, d.MergeIDs = "merge", strings.TrimSpace(r.PostFormValue("ids"))
	ids := strings.FieldsFunc(d.MergeIDs, func(c rune) bool { return c == ',' || c == ';' || c == ' ' || c == '\n' || c == '\r' || c == '\t' })
	for i, id := range ids {
		// Accept a pasted link to the event as well as its ID.
		ids[i] = id[strings.LastIndexByte(id, '/')+1:]
	}
	if len(ids) == 0 {
		return p.actionFailed(w, r, d, "ids", peaceops.Invalid([]peaceops.FieldError{{Field: "ids", Message: "give the ID of at least one other event"}}))
	}
	if _, err := p.svc.MergeEvents(r.Context(), e.Mission, string(e.ID), ids); err != nil {
		switch peaceops.ErrorCode(err) {
		case peaceops.ENOTFOUND:
			err = peaceops.Invalid([]peaceops.FieldError{{Field: "ids", Message: "no event of this mission has this ID"}})
		case peaceops.EINVALID:
			msg := peaceops.ErrorMessage(err)
			if fields := peaceops.ErrorFields(err); len(fields) > 0 {
				msg = fields[0].Message
			}
			err = peaceops.Invalid([]peaceops.FieldError{{Field: "ids", Message: msg}})
		}
		return p.actionFailed(w, r, d, "ids", err)
	}
	web.SetFlash(w, r, "success", "%d events merged into this one.", len(ids))
	return web.Redirect(w, r, eventURL(e.Mission, string(e.ID)))
}

// ---- record and edit forms ----------------------------------------------------

// eventForm holds the record or edit form as entered, so a form that fails
// validation comes back with the user's values. Start and End are
// datetime-local values in UTC.
type eventForm struct {
	Key, Version                           string // Key: the one-time token of a record form
	Type, Title, Narrative, Classification string
	Start, End, DatePrecision              string
	Lat, Lon, LocationPrecision, PlaceName string
	Actors                                 []actorRow
	Counts                                 []countRow
	Sources                                []sourceRow
}

type actorRow struct{ Name, Role string }

// countRow is one count of people; Key is its field (fatalities,
// civilian_fatalities, peacekeeper_fatalities, injuries).
type countRow struct{ Key, Low, Best, High string }

type sourceRow struct{ Name, Kind, Reliability, Credibility, Date, Reference string }

var countKeys = []string{"fatalities", "civilian_fatalities", "peacekeeper_fatalities", "injuries"}

const datetimeLocal = "2006-01-02T15:04"

// formSource is the provenance of events recorded with the record form;
// their source_id is the form's one-time key.
const formSource = "form"

// newFormKey returns the one-time token of a record form: the event it
// records gets it as its provenance (source "form"), which the database
// keeps unique per mission, so submitting the form twice records one
// event.
func newFormKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func blankEventForm(now time.Time) eventForm {
	f := eventForm{Key: newFormKey(), DatePrecision: string(DateExact), LocationPrecision: string(LocationExact),
		Classification: peaceops.Internal.String(), Start: now.UTC().Truncate(time.Minute).Format(datetimeLocal)}
	f.Sources = []sourceRow{{Kind: string(KindPatrolReport), Date: now.UTC().Format(time.DateOnly)}}
	f.pad()
	return f
}

// pad completes the repeated rows: every count, and a blank actor and
// source row to fill in (script adds more).
func (f *eventForm) pad() {
	if len(f.Counts) == 0 {
		for _, k := range countKeys {
			f.Counts = append(f.Counts, countRow{Key: k})
		}
	}
	for len(f.Actors) < 2 || f.Actors[len(f.Actors)-1].Name != "" {
		f.Actors = append(f.Actors, actorRow{Role: string(RolePerpetrator)})
		if len(f.Actors) == 2 {
			f.Actors[1].Role = string(RoleTarget)
		}
	}
	if len(f.Sources) == 0 || f.Sources[len(f.Sources)-1].Name != "" {
		f.Sources = append(f.Sources, sourceRow{Kind: string(KindOther)})
	}
}

func formOfEvent(e *Event) eventForm {
	f := eventForm{Version: strconv.FormatInt(e.Version, 10), Type: string(e.Type), Title: e.Title,
		Narrative: e.Narrative, Classification: e.Classification.String(),
		Start: e.Start.UTC().Format(datetimeLocal), End: e.End.UTC().Format(datetimeLocal),
		DatePrecision: string(e.DatePrecision), LocationPrecision: string(e.LocationPrecision), PlaceName: e.PlaceName}
	if e.Location != nil {
		f.Lat = strconv.FormatFloat(e.Location.Lat, 'f', -1, 64)
		f.Lon = strconv.FormatFloat(e.Location.Lon, 'f', -1, 64)
	}
	for _, a := range e.Actors {
		f.Actors = append(f.Actors, actorRow{Name: a.Name, Role: string(a.Role)})
	}
	for i, c := range []Count{e.Fatalities, e.CivilianFatalities, e.PeacekeeperFatalities, e.Injuries} {
		f.Counts = append(f.Counts, countRow{Key: countKeys[i], Low: strconv.Itoa(c.Low), Best: strconv.Itoa(c.Best), High: strconv.Itoa(c.High)})
	}
	for _, s := range e.Sources {
		row := sourceRow{Name: s.Name, Kind: string(s.Kind), Reliability: s.Reliability, Date: s.Date.String(), Reference: s.Reference}
		if s.Credibility > 0 {
			row.Credibility = strconv.Itoa(s.Credibility)
		}
		f.Sources = append(f.Sources, row)
	}
	f.pad()
	return f
}

func readEventForm(r *http.Request) eventForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	at := func(name string, i int) string {
		if vs := r.PostForm[name]; i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	f := eventForm{Key: v("idempotency_key"), Version: v("version"), Type: v("type"), Title: v("title"),
		Narrative: strings.TrimSpace(r.PostFormValue("narrative")), Classification: v("classification"),
		Start: v("start"), End: v("end"), DatePrecision: v("date_precision"),
		Lat: v("lat"), Lon: v("lon"), LocationPrecision: v("location_precision"), PlaceName: v("place_name")}
	for i := range r.PostForm["actor_name"] {
		if a := (actorRow{Name: at("actor_name", i), Role: at("actor_role", i)}); a.Name != "" {
			f.Actors = append(f.Actors, a)
		}
	}
	for _, k := range countKeys {
		f.Counts = append(f.Counts, countRow{Key: k, Low: v(k + "_low"), Best: v(k + "_best"), High: v(k + "_high")})
	}
	for i := range r.PostForm["source_name"] {
		s := sourceRow{Name: at("source_name", i), Kind: at("source_kind", i), Reliability: strings.ToUpper(at("source_reliability", i)),
			Credibility: at("source_credibility", i), Date: at("source_date", i), Reference: at("source_reference", i)}
		if s.Name != "" || s.Reference != "" {
			f.Sources = append(f.Sources, s)
		}
	}
	return f
}

// formErrors maps form field names to messages (English, translated by
// the template). The service's dotted names become the form's:
// fatalities.low is fatalities_low, sources[0].name sources[0]_name.
type formErrors map[string]string

func (fe formErrors) add(field, msg string) {
	field = strings.ReplaceAll(field, ".", "_")
	if field == "location" {
		field = "lat"
	}
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

func (fe formErrors) addAll(err error) {
	for _, e := range peaceops.ErrorFields(err) {
		if e.Field == "title" && fe["type"] != "" {
			continue // the title comes from the type when left empty
		}
		fe.add(e.Field, e.Message)
	}
}

// parseTime reads a datetime-local value, or a bare date.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{datetimeLocal, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// span completes the dates of an event from its precision: the range a
// coarse date stands for, and midnight UTC for day-or-coarser precision
// (the convention of Event). An empty end is the end of the period.
func span(p DatePrecision, start time.Time, end time.Time, endGiven bool) (time.Time, time.Time) {
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	switch p {
	case DateExact:
		if !endGiven {
			end = start
		}
		return start, end
	case DateMonth:
		start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		if !endGiven {
			end = start.AddDate(0, 1, -1)
		}
	case DateYear:
		start = time.Date(start.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		if !endGiven {
			end = start.AddDate(1, 0, -1)
		}
	case DateWeek:
		if !endGiven {
			end = start.AddDate(0, 0, 6)
		}
	default:
		if !endGiven {
			end = start
		}
	}
	return day(start), day(end)
}

// parse converts the entered text into an Event, recording in fe what
// cannot be read (dates, numbers); what reads but is wrong is left to
// Validate. An empty title becomes the type and the place.
func (f eventForm) parse(fe formErrors, lang string) Event {
	e := Event{Type: Type(f.Type), Title: f.Title, Narrative: f.Narrative,
		DatePrecision: DatePrecision(f.DatePrecision), LocationPrecision: LocationPrecision(f.LocationPrecision), PlaceName: f.PlaceName}
	if f.Type == "" {
		fe.add("type", "choose a type")
	}
	if e.Title == "" && e.Type.Valid() {
		e.Title = typeLabel(lang, e.Type)
		if f.PlaceName != "" {
			e.Title += " – " + f.PlaceName
		}
	}
	if c, err := peaceops.ParseClassification(f.Classification); err == nil {
		e.Classification = c
	} else {
		e.Classification = -1 // refused by Validate with its message
	}
	start, okStart := parseTime(f.Start)
	if !okStart {
		fe.add("start", "must be a date and time")
	}
	end, okEnd := parseTime(f.End)
	if f.End != "" && !okEnd {
		fe.add("end", "must be a date and time")
	}
	if okStart {
		e.Start, e.End = span(e.DatePrecision, start, end, okEnd)
	}
	coord := func(field, s string, limit float64) (float64, bool) {
		if !strings.Contains(s, ".") {
			s = strings.Replace(s, ",", ".", 1) // a decimal comma, as typed in French
		}
		x, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil || math.IsNaN(x) || math.IsInf(x, 0):
			fe.add(field, "must be a number")
		case x < -limit || x > limit:
			fe.add(field, fmt.Sprintf("must be between -%g and %g", limit, limit))
		default:
			return x, true
		}
		return 0, false
	}
	switch {
	case f.Lat == "" && f.Lon == "":
	case f.Lat == "" || f.Lon == "":
		fe.add("lat", "give both latitude and longitude, or neither")
	default:
		lat, okLat := coord("lat", f.Lat, 90)
		lon, okLon := coord("lon", f.Lon, 180)
		if okLat && okLon {
			e.Location = &geo.Point{Lon: lon, Lat: lat}
		}
	}
	for _, a := range f.Actors {
		e.Actors = append(e.Actors, ActorRef{Name: a.Name, Role: ActorRole(a.Role)})
	}
	counts := []*Count{&e.Fatalities, &e.CivilianFatalities, &e.PeacekeeperFatalities, &e.Injuries}
	for i, c := range f.Counts {
		num := func(suffix, s string) (int, bool) {
			if s == "" {
				return 0, false
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				fe.add(c.Key+"_"+suffix, "must be a whole number, 0 or more")
				return 0, false
			}
			return n, true
		}
		best, _ := num("best", c.Best)
		low, okLow := num("low", c.Low)
		high, okHigh := num("high", c.High)
		if !okLow {
			low = best
		}
		if !okHigh {
			high = best
		}
		*counts[i] = Count{Low: low, Best: best, High: high}
	}
	for i, s := range f.Sources {
		src := Source{Name: s.Name, Kind: SourceKind(s.Kind), Reliability: s.Reliability, Reference: s.Reference}
		if s.Credibility != "" {
			n, err := strconv.Atoi(s.Credibility)
			if err != nil {
				fe.add(fmt.Sprintf("sources[%d].credibility", i), "must be an Admiralty grade 1 to 6 (0 = not graded)")
			}
			src.Credibility = n
		}
		if s.Date != "" {
			d, err := peaceops.ParseDate(s.Date)
			if err != nil {
				fe.add(fmt.Sprintf("sources[%d].date", i), "must be a date of the form YYYY-MM-DD")
			}
			src.Date = d
		}
		e.Sources = append(e.Sources, src)
	}
	return e
}

// formPage is the data of the record and edit forms.
type formPage struct {
	Mission            string
	New                bool
	ID                 string // the event edited
	F                  eventForm
	Errors             formErrors
	Stale              bool // someone else saved first
	Groups             []typeGroup
	DatePrecisions     []DatePrecision
	LocationPrecisions []LocationPrecision
	Roles              []ActorRole
	Kinds              []SourceKind
	Classifications    []string
	Grades             []string
	Credibilities      []string
}

func (p *eventPages) renderForm(w http.ResponseWriter, r *http.Request, status int, page formPage) error {
	lang := web.Lang(r)
	for _, c := range categories {
		g := typeGroup{Code: string(c.Category), Label: categoryLabel(lang, c.Category)}
		for _, t := range taxonomy {
			if t.Category == c.Category {
				g.Types = append(g.Types, checkOption{Value: string(t.Type), Label: typeLabel(lang, t.Type), Checked: string(t.Type) == page.F.Type})
			}
		}
		page.Groups = append(page.Groups, g)
	}
	page.DatePrecisions, page.LocationPrecisions = DatePrecisions, LocationPrecisions
	page.Roles, page.Kinds = ActorRoles, SourceKinds
	for _, c := range peaceops.Classifications {
		page.Classifications = append(page.Classifications, c.String())
	}
	page.Grades = []string{"A", "B", "C", "D", "E", "F"}
	page.Credibilities = []string{"1", "2", "3", "4", "5", "6"}
	page.F.pad()
	name := "edit"
	if page.New {
		name = "new"
	}
	return p.tpl.Render(w, r, status, name, page)
}

// creatable returns the mission of the request if the actor may record
// events in it: ENOTFOUND for a mission they cannot see, EFORBIDDEN for
// one they only read.
func (p *eventPages) creatable(r *http.Request) (string, error) {
	mission, err := p.member(r)
	if err != nil {
		return "", err
	}
	if !canDo(r, access.ActionCreate, mission, peaceops.Public) {
		return "", peaceops.Errorf(peaceops.EFORBIDDEN, "your role does not allow recording events in this mission")
	}
	return mission, nil
}

func (p *eventPages) handleNew(w http.ResponseWriter, r *http.Request) error {
	mission, err := p.creatable(r)
	if err != nil {
		return err
	}
	return p.renderForm(w, r, http.StatusOK, formPage{Mission: mission, New: true, F: blankEventForm(time.Now())})
}

func (p *eventPages) handleCreate(w http.ResponseWriter, r *http.Request) error {
	mission, err := p.creatable(r)
	if err != nil {
		return err
	}
	f := readEventForm(r)
	if len(f.Key) != 32 || strings.Trim(f.Key, "0123456789abcdef") != "" {
		f.Key = newFormKey() // a form from elsewhere: no protection against a second submit
	}
	page := formPage{Mission: mission, New: true, F: f, Errors: formErrors{}}
	e := f.parse(page.Errors, web.Lang(r))
	e.Mission, e.Source, e.SourceID = mission, formSource, f.Key
	if len(page.Errors) > 0 {
		check := e
		page.Errors.addAll(check.Validate()) // report every problem at once
		return p.renderForm(w, r, http.StatusBadRequest, page)
	}
	err = p.svc.CreateEvent(r.Context(), &e)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Event recorded.")
		return web.Redirect(w, r, eventURL(mission, string(e.ID)))
	case peaceops.EINVALID:
		page.Errors.addAll(err)
		return p.renderForm(w, r, http.StatusBadRequest, page)
	case peaceops.ECONFLICT:
		if id, ok := p.recorded(r, mission, f.Key); ok {
			web.SetFlash(w, r, "info", "This form was already submitted: here is the event it recorded.")
			return web.Redirect(w, r, eventURL(mission, id))
		}
	}
	return err
}

func (p *eventPages) editable(r *http.Request) (*Event, error) {
	e, err := p.find(r)
	if err != nil {
		return nil, err
	}
	if !canDo(r, access.ActionUpdate, e.Mission, e.Classification) {
		return nil, peaceops.Errorf(peaceops.EFORBIDDEN, "your role does not allow editing this event")
	}
	return e, nil
}

func (p *eventPages) handleEdit(w http.ResponseWriter, r *http.Request) error {
	e, err := p.editable(r)
	if err != nil {
		return err
	}
	return p.renderForm(w, r, http.StatusOK, formPage{Mission: e.Mission, ID: string(e.ID), F: formOfEvent(e)})
}

func (p *eventPages) handleUpdate(w http.ResponseWriter, r *http.Request) error {
	e, err := p.editable(r)
	if err != nil {
		return err
	}
	version, err := pageFormVersion(r)
	if err != nil {
		return err
	}
	f := readEventForm(r)
	page := formPage{Mission: e.Mission, ID: string(e.ID), F: f, Errors: formErrors{}}
	in := f.parse(page.Errors, web.Lang(r))
	if in.Location == nil && e.Location != nil && page.Errors["lat"] == "" {
		page.Errors.add("lat", "a place cannot be removed: set the location precision to country instead")
	}
	if len(page.Errors) > 0 {
		check := in
		check.Mission = e.Mission
		page.Errors.addAll(check.Validate())
		return p.renderForm(w, r, http.StatusBadRequest, page)
	}
	upd := Update{Type: &in.Type, Title: &in.Title, Narrative: &in.Narrative, Start: &in.Start, End: &in.End,
		DatePrecision: &in.DatePrecision, Location: in.Location, LocationPrecision: &in.LocationPrecision,
		PlaceName: &in.PlaceName, Actors: &in.Actors, Fatalities: &in.Fatalities,
		CivilianFatalities: &in.CivilianFatalities, PeacekeeperFatalities: &in.PeacekeeperFatalities,
		Injuries: &in.Injuries, Sources: &in.Sources, Classification: &in.Classification}
	_, err = p.svc.UpdateEvent(r.Context(), e.Mission, string(e.ID), upd, version)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Event saved.")
		return web.Redirect(w, r, eventURL(e.Mission, string(e.ID)))
	case peaceops.EINVALID:
		page.Errors.addAll(err)
		return p.renderForm(w, r, http.StatusBadRequest, page)
	case peaceops.EPRECONDITION:
		page.Stale = true
		return p.renderForm(w, r, http.StatusPreconditionFailed, page)
	}
	return err
}
