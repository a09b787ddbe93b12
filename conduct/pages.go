package conduct

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and their French catalogue.
//
//go:embed templates/*
var templateFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// NewPages returns the module's page set (tests check its French
// catalogue).
func NewPages() *web.Pages { return newPages() }

// sharedKeys are texts shown on pages rendered with another catalogue.
var sharedKeys = []string{"Conduct statistics", "Allegation recorded.", "Saved.", "Not saved: %s: %s"}

func (s *Service) pageRoutes(r *web.Router) {
	r.PublicPage("GET /conduct/stats", s.handleStatsPage)
	r.Page("GET /missions/{code}/conduct", s.handleListPage)
	r.Page("GET /missions/{code}/conduct/new", s.handleNewPage)
	r.Page("POST /missions/{code}/conduct", s.handleCreateForm)
	r.Page("GET /missions/{code}/conduct/{id}", s.handleCasePage)
	r.Page("POST /missions/{code}/conduct/{id}/actions", s.handleActionForm)
	r.Page("POST /missions/{code}/conduct/{id}/investigation", s.handleInvestigationForm)
	r.Page("POST /missions/{code}/conduct/{id}/victims", s.handleVictimForm)
	r.Page("GET /missions/{code}/use-of-force", s.handleForcePage)
	r.NavItem("Conduct statistics", "/conduct/stats")
	r.Messages(web.PickMessages(templateFS, "templates", sharedKeys))
}

// tableView is a published table with its texts translated.
type tableView struct {
	Published
	Title string
}

type statsPage struct {
	Threshold int
	Years     []string
	Tables    []tableView
	Mission   string
	CSV       string
}

func (s *Service) handleStatsPage(w http.ResponseWriter, r *http.Request) error {
	q, err := statsQuery(r)
	if err != nil {
		return err
	}
	st, err := s.Stats(r.Context(), q)
	if err != nil {
		return err
	}
	v := url.Values{"format": {"csv"}}
	if q.Mission != "" {
		v.Set("mission", q.Mission)
	}
	page := statsPage{Threshold: st.Threshold, Years: st.Years, Mission: q.Mission, CSV: "/api/v1/conduct/stats?" + v.Encode()}
	for _, p := range st.Tables {
		tv := tableView{Published: p, Title: s.pages.T(r, p.Title)}
		for i := range tv.Rows {
			tv.Rows[i].Label = s.pages.T(r, tv.Rows[i].Label)
		}
		page.Tables = append(page.Tables, tv)
	}
	return s.pages.Render(w, r, http.StatusOK, "stats", page)
}

// caseRow is a case as lists and the case page show it.
type caseRow struct {
	*Allegation
	Categories  string
	Personnel   string
	Status      string
	ReceivedVia string
	Entity      string
	Measures    string
	Nationality string
}

func (s *Service) rowOf(r *http.Request, a *Allegation) caseRow {
	tr := func(terms []term, code string) string { return s.pages.T(r, labelOf(terms, code)) }
	var cats, measures []string
	for _, c := range a.Categories {
		cats = append(cats, tr(categoryTerms(), c))
	}
	for _, m := range a.InterimMeasures {
		measures = append(measures, tr(InterimMeasures, m))
	}
	return caseRow{Allegation: a, Categories: strings.Join(cats, ", "), Personnel: tr(PersonnelCategories, a.PersonnelCategory),
		Status: tr(Statuses, a.Investigation.Status), ReceivedVia: tr(ReceivedVia, a.ReceivedVia),
		Entity: tr(Entities, a.Investigation.Entity), Measures: strings.Join(measures, ", "), Nationality: a.Nationality}
}

type listPage struct {
	Mission   string
	Cases     []caseRow
	Next      string
	CanCreate bool
	CanExport bool
	CSV       string
}

func (s *Service) handleListPage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	f := Filter{Limit: limit}
	if cursor != "" {
		parts, err := web.DecodeCursor(cursor, 1)
		if err != nil {
			return err
		}
		f.After = parts[0]
	}
	list, next, err := s.FindAllegations(r.Context(), mission, f)
	if err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(r.Context())
	page := listPage{Mission: mission, CanCreate: access.Can(actor, access.ActionCreate, caseResource(mission)),
		CanExport: access.Can(actor, access.ActionExport, caseResource(mission)),
		CSV:       "/api/v1/missions/" + url.PathEscape(mission) + "/conduct/allegations?format=csv"}
	for _, a := range list {
		page.Cases = append(page.Cases, s.rowOf(r, a))
	}
	if next != "" {
		page.Next = "/missions/" + url.PathEscape(mission) + "/conduct?cursor=" + url.QueryEscape(web.EncodeCursor(next))
	}
	return s.pages.Render(w, r, http.StatusOK, "list", page)
}

// victimRow is a victim as the case page shows it.
type victimRow struct {
	Victim
	SexLabel, AgeLabel string
}

type entryRow struct {
	Entry
	KindLabel string
}

type casePage struct {
	Mission     string
	C           caseRow
	Victims     []victimRow
	Actions     []Action
	Labels      map[string]string
	Timeline    []entryRow
	CanUpdate   bool // the case: actions, investigation
	CanVictim   bool // add a victim
	CanIdentity bool // record an identity with it
	ActionTypes []option
	Entities    []option
	Statuses    []option
	Sexes       []option
	AgeGroups   []option
}

func (s *Service) handleCasePage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	a, err := s.FindAllegation(r.Context(), mission, r.PathValue("id"))
	if err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(r.Context())
	page := casePage{Mission: mission, C: s.rowOf(r, a), Labels: map[string]string{},
		CanUpdate:   access.Can(actor, access.ActionUpdate, caseResource(mission)),
		CanIdentity: access.Can(actor, access.ActionCreate, victimResource(mission)),
		ActionTypes: s.options(r, ActionTypes), Entities: s.options(r, Entities, a.Investigation.Entity),
		Statuses: s.options(r, Statuses, a.Investigation.Status), Sexes: s.options(r, Sexes), AgeGroups: s.options(r, AgeGroups)}
	page.CanVictim = page.CanUpdate || page.CanIdentity
	for _, v := range a.Victims {
		page.Victims = append(page.Victims, victimRow{Victim: v, SexLabel: s.pages.T(r, labelOf(Sexes, v.Sex)), AgeLabel: s.pages.T(r, labelOf(AgeGroups, v.AgeGroup))})
	}
	for _, act := range a.Actions {
		act.Action = s.pages.T(r, labelOf(ActionTypes, act.Action))
		page.Actions = append(page.Actions, act)
	}
	for _, e := range a.Timeline {
		e.Detail = s.detailLabel(r, e.Kind, e.Detail)
		page.Timeline = append(page.Timeline, entryRow{Entry: e, KindLabel: s.pages.T(r, kindLabels[e.Kind])})
	}
	return s.pages.Render(w, r, http.StatusOK, "case", page)
}

// kindLabels name the kinds of timeline entries.
var kindLabels = map[string]string{
	"incident": "Incident", "reported": "Reported", "investigation-opened": "Investigation opened",
	"investigation-closed": "Investigation closed", "status": "Status changed", "action": "Action taken",
	"victim-added": "Victim recorded", "victim-identity": "Victim identity updated",
	"assistance-referral": "Referred for victim assistance", "interim-measures": "Interim measures",
}

// detailLabel translates the codes a timeline entry's detail holds.
func (s *Service) detailLabel(r *http.Request, kind, detail string) string {
	tr := func(terms []term, code string) string { return s.pages.T(r, labelOf(terms, code)) }
	list := func(terms []term, sep string) string {
		parts := strings.Split(detail, sep)
		for i, p := range parts {
			parts[i] = tr(terms, strings.TrimSpace(p))
		}
		return strings.Join(parts, sep)
	}
	switch kind {
	case "reported":
		return tr(ReceivedVia, detail)
	case "incident":
		return tr(Precisions, detail)
	case "status":
		return list(Statuses, " → ")
	case "action":
		return tr(ActionTypes, detail)
	case "interim-measures":
		return list(InterimMeasures, ", ")
	case "investigation-opened", "investigation-closed":
		return tr(Entities, detail)
	case "victim-added":
		sex, age, _ := strings.Cut(detail, ", ")
		return tr(Sexes, sex) + ", " + strings.ToLower(tr(AgeGroups, age))
	case "victim-identity":
		return ""
	}
	return detail
}

// option is an entry of a <select> or a checkbox.
type option struct {
	Value, Label string
	Selected     bool
}

func (s *Service) options(r *http.Request, terms []term, selected ...string) []option {
	out := make([]option, len(terms))
	for i, t := range terms {
		out[i] = option{Value: t.Code, Label: s.pages.T(r, t.Label)}
		for _, x := range selected {
			if x == t.Code {
				out[i].Selected = true
			}
		}
	}
	return out
}

type formPage struct {
	Mission     string
	F           map[string]string
	Errors      map[string]string
	Via         []option
	Categories  []option
	Personnel   []option
	Precisions  []option
	HasProblems bool
}

func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, mission string, f map[string]string, cats []string, errs map[string]string) error {
	page := formPage{Mission: mission, F: f, Errors: errs, HasProblems: len(errs) > 0,
		Via: s.options(r, ReceivedVia, f["received_via"]), Categories: s.options(r, categoryTerms(), cats...),
		Personnel: s.options(r, PersonnelCategories, f["personnel_category"]), Precisions: s.options(r, Precisions, f["incident_precision"])}
	return s.pages.Render(w, r, status, "new", page)
}

func (s *Service) handleNewPage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := access.Check(peaceops.ActorFromContext(r.Context()), access.ActionCreate, caseResource(mission)); err != nil {
		return err
	}
	return s.renderForm(w, r, http.StatusOK, mission, map[string]string{"perpetrators": "1", "victim_count": "1"}, nil, nil)
}

func (s *Service) handleCreateForm(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := r.ParseForm(); err != nil {
		return peaceops.Errorf(peaceops.EINVALID, "unreadable form")
	}
	f := map[string]string{}
	for _, k := range []string{"reported", "incident_date", "incident_precision", "received_via", "personnel_category",
		"perpetrators", "nationality", "victim_count", "summary"} {
		f[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	cats := r.PostForm["categories"]
	errs := map[string]string{}
	a := Allegation{Mission: mission, IncidentPrecision: f["incident_precision"], ReceivedVia: f["received_via"],
		Categories: cats, PersonnelCategory: f["personnel_category"], Nationality: f["nationality"], Summary: f["summary"]}
	date := func(field string) peaceops.Date {
		if f[field] == "" {
			return peaceops.Date{}
		}
		d, err := peaceops.ParseDate(f[field])
		if err != nil {
			errs[field] = "must be a date of the form YYYY-MM-DD"
		}
		return d
	}
	a.Reported, a.IncidentDate = date("reported"), date("incident_date")
	num := func(field string) int {
		n, err := strconv.Atoi(f[field])
		if err != nil && f[field] != "" {
			errs[field] = "must be a whole number"
		}
		return n
	}
	a.Perpetrators, a.VictimCount = num("perpetrators"), num("victim_count")
	if len(errs) == 0 {
		if err := s.CreateAllegation(r.Context(), &a); err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID {
				return err
			}
			for _, fe := range peaceops.ErrorFields(err) {
				name, _, _ := strings.Cut(fe.Field, "[")
				if _, ok := errs[name]; !ok {
					errs[name] = fe.Message
				}
			}
		} else {
			web.SetFlash(w, r, "success", "Allegation recorded.")
			http.Redirect(w, r, "/missions/"+url.PathEscape(mission)+"/conduct/"+a.ID, http.StatusSeeOther)
			return nil
		}
	}
	return s.renderForm(w, r, http.StatusUnprocessableEntity, mission, f, cats, errs)
}

type forcePage struct {
	Mission string
	Reports []forceRow
	Summary []ForceSummaryRow
	CSV     string
}

type forceRow struct {
	*ForceReport
	TypeLabel, BasisLabel, FindingLabel string
	FlagLabels                          []string
}

var flagLabels = map[string]string{"no-legal-basis": "No legal basis", "review-overdue": "Review overdue"}

func (s *Service) handleForcePage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	list, _, err := s.FindForceReports(r.Context(), mission, ForceFilter{Limit: 200})
	if err != nil {
		return err
	}
	sum, err := s.ForceSummary(r.Context(), mission)
	if err != nil {
		return err
	}
	page := forcePage{Mission: mission, Summary: sum, CSV: "/api/v1/missions/" + url.PathEscape(mission) + "/conduct/use-of-force/summary?format=csv"}
	for _, fr := range list {
		row := forceRow{ForceReport: fr, TypeLabel: s.pages.T(r, labelOf(ForceTypes, fr.ForceType))}
		if fr.LegalBasis != "" {
			row.BasisLabel = s.pages.T(r, labelOf(LegalBases, fr.LegalBasis))
		}
		if fr.Review.Finding != "" {
			row.FindingLabel = s.pages.T(r, labelOf(Findings, fr.Review.Finding))
		}
		for _, f := range fr.Flags {
			row.FlagLabels = append(row.FlagLabels, s.pages.T(r, flagLabels[f]))
		}
		page.Reports = append(page.Reports, row)
	}
	return s.pages.Render(w, r, http.StatusOK, "force", page)
}

// afterForm redirects to the case page with a flash saying how the form
// went: saved, or the first problem (validation messages never hold the
// values entered, so no identity reaches the flash cookie).
func (s *Service) afterForm(w http.ResponseWriter, r *http.Request, err error) error {
	if err != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
		return err
	}
	if fields := peaceops.ErrorFields(err); len(fields) > 0 {
		web.SetFlash(w, r, "error", "Not saved: %s: %s", fields[0].Field, fields[0].Message)
	} else if err != nil {
		web.SetFlash(w, r, "error", "Not saved: %s: %s", "form", peaceops.ErrorMessage(err))
	} else {
		web.SetFlash(w, r, "success", "Saved.")
	}
	http.Redirect(w, r, "/missions/"+url.PathEscape(r.PathValue("code"))+"/conduct/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
	return nil
}

func formDate(r *http.Request, field string) (peaceops.Date, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return peaceops.Date{}, nil
	}
	d, err := peaceops.ParseDate(v)
	if err != nil {
		return d, peaceops.Invalid([]peaceops.FieldError{{Field: field, Message: "must be a date of the form YYYY-MM-DD"}})
	}
	return d, nil
}

func (s *Service) handleActionForm(w http.ResponseWriter, r *http.Request) error {
	on, err := formDate(r, "taken_on")
	if err == nil {
		_, err = s.AddAction(r.Context(), r.PathValue("code"), r.PathValue("id"),
			Action{Action: r.PostFormValue("action"), TakenOn: on, Note: r.PostFormValue("note")})
	}
	return s.afterForm(w, r, err)
}

func (s *Service) handleInvestigationForm(w http.ResponseWriter, r *http.Request) error {
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "is missing: reload the page"}})
	}
	inv := Investigation{Entity: r.PostFormValue("entity"), Status: r.PostFormValue("status"), Findings: r.PostFormValue("findings")}
	if inv.Opened, err = formDate(r, "opened"); err == nil {
		inv.Closed, err = formDate(r, "closed")
	}
	if err == nil {
		_, err = s.UpdateAllegation(r.Context(), r.PathValue("code"), r.PathValue("id"), Update{Investigation: &inv}, version)
	}
	if peaceops.ErrorCode(err) == peaceops.EPRECONDITION {
		web.SetFlash(w, r, "error", "Not saved: %s: %s", "version", "someone else changed the case: reload and try again")
		http.Redirect(w, r, "/missions/"+url.PathEscape(r.PathValue("code"))+"/conduct/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
		return nil
	}
	return s.afterForm(w, r, err)
}

func (s *Service) handleVictimForm(w http.ResponseWriter, r *http.Request) error {
	nv := NewVictim{Sex: r.PostFormValue("sex"), AgeGroup: r.PostFormValue("age_group")}
	id := &Identity{Name: r.PostFormValue("name"), Contact: r.PostFormValue("contact"), Location: r.PostFormValue("location")}
	if !id.empty() {
		nv.Identity = id
	}
	_, err := s.AddVictim(r.Context(), r.PathValue("code"), r.PathValue("id"), nv)
	return s.afterForm(w, r, err)
}
