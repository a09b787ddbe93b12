package mandates

import (
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and their catalogues (fr.json).
//
//go:embed templates/*
var templateFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// Pages returns the module's page set (tests check its translations).
func Pages() *web.Pages { return newPages() }

// sharedKeys are texts of this module shown on pages rendered with another
// catalogue: the nav label and flash messages.
var sharedKeys = []string{
	"Mandate",
	"Resolution %s recorded.",
	"Resolution %s saved.",
	"Resolution %s deleted.",
}

// PageRoutes registers the mandate pages.
func (s *Service) PageRoutes(r *web.Router) {
	r.Page("GET /missions/{code}/mandate", s.handleListPage)
	r.Page("GET /missions/{code}/mandate/new", s.handleNewPage)
	r.Page("POST /missions/{code}/mandate", s.handleCreateForm)
	r.Page("GET /missions/{code}/mandate/history", s.handleHistoryPage)
	r.Page("GET /missions/{code}/mandate/diff", s.handleDiffPage)
	r.Page("GET /missions/{code}/mandate/{id}", s.handleDetailPage)
	r.Page("GET /missions/{code}/mandate/{id}/edit", s.handleEditPage)
	r.Page("POST /missions/{code}/mandate/{id}/edit", s.handleEditForm)
	r.Page("POST /missions/{code}/mandate/{id}/delete", s.handleDeleteForm)
	r.NavItem("Mandate", "/missions/{mission}/mandate")
	r.Messages(web.PickMessages(templateFS, "templates", sharedKeys))
}

func (s *Service) can(r *http.Request, act access.Action, mission string) bool {
	return access.Can(peaceops.ActorFromContext(r.Context()), act, access.Resource{Type: resourceType, Mission: mission, Classification: peaceops.Public})
}

// listPage is the data of the mandate page.
type listPage struct {
	Mission   string
	Chain     []*Resolution
	Expiring  []Expiry
	AsOf      peaceops.Date
	Current   *Resolution
	CanCreate bool
	CanExport bool
}

func (s *Service) handleListPage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	chain, err := s.FindResolutions(r.Context(), mission)
	if err != nil {
		return err
	}
	today := peaceops.DateOf(s.db.Now().UTC())
	page := listPage{Mission: mission, Chain: chain, AsOf: today, Expiring: expiring(chain, today), Current: inForce(chain, today),
		CanCreate: s.can(r, access.ActionCreate, mission), CanExport: s.can(r, access.ActionExport, mission)}
	slices.Reverse(page.Chain) // newest first
	return s.pages.Render(w, r, http.StatusOK, "list", page)
}

// detailPage is the data of a resolution's page.
type detailPage struct {
	Mission   string
	R         *Resolution
	Ceilings  []ceilingRow
	Previous  *Resolution
	Next      *Resolution
	PrevTitle map[string]string // previous task id -> its title
	CanEdit   bool
	CanDelete bool
}

type ceilingRow struct {
	Category string
	Value    int
}

func ceilingRows(c map[string]int) []ceilingRow {
	var out []ceilingRow
	for _, k := range CeilingCategories {
		if v, ok := c[k]; ok {
			out = append(out, ceilingRow{Category: k, Value: v})
		}
	}
	return out
}

func (s *Service) handleDetailPage(w http.ResponseWriter, r *http.Request) error {
	mission, id := r.PathValue("code"), r.PathValue("id")
	res, err := s.FindResolutionByID(r.Context(), mission, id)
	if err != nil {
		return err
	}
	chain, err := s.FindResolutions(r.Context(), mission)
	if err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(r.Context())
	page := detailPage{Mission: mission, R: res, Ceilings: ceilingRows(res.Ceilings), PrevTitle: map[string]string{},
		CanEdit:   access.Can(actor, access.ActionUpdate, resource(res)),
		CanDelete: access.Can(actor, access.ActionDelete, resource(res))}
	if i := slices.IndexFunc(chain, func(x *Resolution) bool { return x.ID == id }); i >= 0 {
		if i > 0 {
			page.Previous = chain[i-1]
			for _, t := range page.Previous.Tasks {
				page.PrevTitle[t.ID] = t.Title
			}
		}
		if i+1 < len(chain) {
			page.Next = chain[i+1]
		}
	}
	return s.pages.Render(w, r, http.StatusOK, "detail", page)
}

// historyPage is the data of the mandate history.
type historyPage struct {
	Mission string
	Items   []historyItem // newest first
	Chain   []*Resolution // for the compare form
	// FromID and ToID are chosen in the compare form: the last two.
	FromID, ToID string
}

func (s *Service) handleHistoryPage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	chain, err := s.FindResolutions(r.Context(), mission)
	if err != nil {
		return err
	}
	items := history(chain)
	slices.Reverse(items)
	page := historyPage{Mission: mission, Items: items, Chain: chain}
	if n := len(chain); n >= 2 {
		page.FromID, page.ToID = chain[n-2].ID, chain[n-1].ID
	}
	return s.pages.Render(w, r, http.StatusOK, "history", page)
}

// diffPage is the data of the comparison of two resolutions.
type diffPage struct {
	Mission string
	D       *Diff
}

func (s *Service) handleDiffPage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	q := r.URL.Query()
	if q.Get("to") == "" {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "to", Message: "is required: the id of a resolution"}})
	}
	d, err := s.Diff(r.Context(), mission, q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	return s.pages.Render(w, r, http.StatusOK, "diff", diffPage{Mission: mission, D: d})
}

// taskForm is one task row of the form as entered.
type taskForm struct {
	ID, Title, Paragraph, Priority, Category, Lineage, Previous string
}

// resolutionForm holds a create or edit form as entered.
type resolutionForm struct {
	Symbol, Adopted, PeriodStart, PeriodEnd, DocumentURL, SourceNote, Classification string
	ChapterVII                                                                       bool
	Ceilings                                                                         map[string]string
	Tasks                                                                            []taskForm
	Version                                                                          string
}

// blankTasks is how many empty task rows a form offers.
const blankTasks = 5

func formOf(r *Resolution) resolutionForm {
	f := resolutionForm{Symbol: r.Symbol, Adopted: r.Adopted.String(), PeriodStart: r.PeriodStart.String(),
		PeriodEnd: r.PeriodEnd.String(), DocumentURL: r.DocumentURL, SourceNote: r.SourceNote,
		Classification: r.Classification.String(), ChapterVII: r.ChapterVII, Ceilings: map[string]string{},
		Version: strconv.FormatInt(r.Version, 10)}
	for k, v := range r.Ceilings {
		f.Ceilings[k] = strconv.Itoa(v)
	}
	for _, t := range r.Tasks {
		f.Tasks = append(f.Tasks, taskForm{ID: t.ID, Title: t.Title, Paragraph: t.Paragraph, Priority: strconv.FormatBool(t.Priority),
			Category: string(t.Category), Lineage: string(t.Lineage), Previous: t.Previous})
	}
	return f
}

func readForm(r *http.Request) resolutionForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := resolutionForm{Symbol: v("symbol"), Adopted: v("adopted"), PeriodStart: v("period_start"), PeriodEnd: v("period_end"),
		DocumentURL: v("document_url"), SourceNote: v("source_note"), Classification: v("classification"),
		ChapterVII: v("chapter_vii") != "", Ceilings: map[string]string{}, Version: v("version")}
	for _, c := range CeilingCategories {
		if s := v("ceiling_" + c); s != "" {
			f.Ceilings[c] = s
		}
	}
	col := func(name string, i int) string {
		vs := r.PostForm[name]
		if i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	for i := range r.PostForm["task_title"] {
		t := taskForm{ID: col("task_id", i), Title: col("task_title", i), Paragraph: col("task_paragraph", i),
			Priority: col("task_priority", i), Category: col("task_category", i), Lineage: col("task_lineage", i),
			Previous: col("task_previous", i)}
		if t.ID == "" && t.Title == "" && t.Paragraph == "" && (t.Lineage == "" || t.Lineage == string(LineageNew)) {
			continue // a blank row
		}
		f.Tasks = append(f.Tasks, t)
	}
	return f
}

// fieldErrors maps form field names to messages: the service's
// "tasks[2].title" is "tasks_2_title", "ceilings.military" is
// "ceilings_military".
type fieldErrors map[string]string

func formField(field string) string {
	return strings.NewReplacer(".", "_", "[", "_", "]", "").Replace(field)
}

func (fe fieldErrors) add(field, msg string) {
	field = formField(field)
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

func (fe fieldErrors) addAll(err error) {
	for _, e := range peaceops.ErrorFields(err) {
		fe.add(e.Field, e.Message)
	}
}

// Task returns the message of field of task i, or "".
func (fe fieldErrors) Task(i int, field string) string {
	return fe[fmt.Sprintf("tasks_%d_%s", i, field)]
}

// Ceiling returns the message of the ceiling category, or "".
func (fe fieldErrors) Ceiling(category string) string { return fe["ceilings_"+category] }

// parse converts the entered text into a Resolution, recording in fe what
// cannot be read (dates, numbers); what reads but is wrong is left to
// Validate.
func (f resolutionForm) parse(fe fieldErrors) Resolution {
	r := Resolution{Symbol: f.Symbol, DocumentURL: f.DocumentURL, SourceNote: f.SourceNote, ChapterVII: f.ChapterVII, Ceilings: map[string]int{}}
	date := func(field, s string) peaceops.Date {
		if s == "" {
			return peaceops.Date{}
		}
		d, err := peaceops.ParseDate(s)
		if err != nil {
			fe.add(field, "must be a date of the form YYYY-MM-DD")
		}
		return d
	}
	r.Adopted = date("adopted", f.Adopted)
	r.PeriodStart = date("period_start", f.PeriodStart)
	r.PeriodEnd = date("period_end", f.PeriodEnd)
	if c, err := peaceops.ParseClassification(f.Classification); err == nil {
		r.Classification = c
	} else {
		r.Classification = -1 // refused by Validate with its message
	}
	for k, s := range f.Ceilings {
		n, err := strconv.Atoi(strings.NewReplacer(",", "", " ", "", "\u00a0", "", "\u202f", "").Replace(s))
		if err != nil {
			fe.add("ceilings."+k, "must be a whole number")
			continue
		}
		r.Ceilings[k] = n
	}
	for _, t := range f.Tasks {
		r.Tasks = append(r.Tasks, Task{ID: t.ID, Title: t.Title, Paragraph: t.Paragraph, Priority: t.Priority == "true",
			Category: Category(t.Category), Lineage: Lineage(t.Lineage), Previous: t.Previous})
	}
	return r
}

// formPage is the data of the create and edit forms.
type formPage struct {
	New             bool
	Mission         string
	ID              string
	F               resolutionForm
	Errors          fieldErrors
	Stale           bool
	Categories      []Category
	Lineages        []Lineage
	CeilingNames    []string
	Classifications []string
	// PreviousTasks are the tasks a task may continue, change or end: those
	// of every other resolution of the mission, labelled with its symbol.
	PreviousTasks []previousTask
}

type previousTask struct {
	ID, Label string
}

func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, page formPage) error {
	page.Categories, page.Lineages, page.CeilingNames = Categories, Lineages, CeilingCategories
	for _, c := range peaceops.Classifications {
		page.Classifications = append(page.Classifications, c.String())
	}
	if page.Errors == nil {
		page.Errors = fieldErrors{}
	}
	for countBlank(page.F.Tasks) < blankTasks {
		page.F.Tasks = append(page.F.Tasks, taskForm{Lineage: string(LineageNew), Category: string(CategoryOther)})
	}
	chain, err := s.FindResolutions(r.Context(), page.Mission)
	if err != nil {
		return err
	}
	for i := len(chain) - 1; i >= 0; i-- {
		res := chain[i]
		if res.ID == page.ID {
			continue
		}
		for _, t := range res.Tasks {
			if t.InForce() {
				page.PreviousTasks = append(page.PreviousTasks, previousTask{ID: t.ID, Label: res.Symbol + " – " + t.Title})
			}
		}
	}
	name := "edit"
	if page.New {
		name = "new"
	}
	return s.pages.Render(w, r, status, name, page)
}

func countBlank(ts []taskForm) int {
	n := 0
	for _, t := range ts {
		if t.ID == "" && t.Title == "" {
			n++
		}
	}
	return n
}

// creatable returns the error a form for a new resolution answers to
// those who may not create one, or nil.
func (s *Service) creatable(r *http.Request, mission string) error {
	if _, err := clearance(peaceops.ActorFromContext(r.Context()), mission); err != nil {
		return err
	}
	return access.Check(peaceops.ActorFromContext(r.Context()), access.ActionCreate, access.Resource{Type: resourceType, Mission: mission, Classification: peaceops.Public})
}

func (s *Service) handleNewPage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := s.creatable(r, mission); err != nil {
		return err
	}
	f := resolutionForm{Classification: peaceops.Public.String(), ChapterVII: true, Ceilings: map[string]string{}}
	return s.renderForm(w, r, http.StatusOK, formPage{New: true, Mission: mission, F: f})
}

func (s *Service) handleCreateForm(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := s.creatable(r, mission); err != nil {
		return err
	}
	f := readForm(r)
	fe := fieldErrors{}
	res := f.parse(fe)
	res.Mission = mission
	if len(fe) > 0 {
		check := res
		fe.addAll(check.Validate())
		return s.renderForm(w, r, http.StatusBadRequest, formPage{New: true, Mission: mission, F: f, Errors: fe})
	}
	err := s.CreateResolution(r.Context(), &res)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Resolution %s recorded.", res.Symbol)
		return web.Redirect(w, r, "/missions/"+url.PathEscape(mission)+"/mandate/"+res.ID)
	case peaceops.EINVALID, peaceops.ECONFLICT:
		fe.addAll(err)
		if len(fe) == 0 {
			fe.add("form", peaceops.ErrorMessage(err))
		}
		return s.renderForm(w, r, statusOf(err), formPage{New: true, Mission: mission, F: f, Errors: fe})
	}
	return err
}

func statusOf(err error) int {
	switch peaceops.ErrorCode(err) {
	case peaceops.ECONFLICT:
		return http.StatusConflict
	case peaceops.EPRECONDITION:
		return http.StatusPreconditionFailed
	}
	return http.StatusBadRequest
}

// editable returns the resolution of the request if the actor may change
// it.
func (s *Service) editable(r *http.Request, act access.Action) (*Resolution, error) {
	res, err := s.FindResolutionByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := access.Check(peaceops.ActorFromContext(r.Context()), act, resource(res)); err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) handleEditPage(w http.ResponseWriter, r *http.Request) error {
	res, err := s.editable(r, access.ActionUpdate)
	if err != nil {
		return err
	}
	return s.renderForm(w, r, http.StatusOK, formPage{Mission: res.Mission, ID: res.ID, F: formOf(res)})
}

func (s *Service) handleEditForm(w http.ResponseWriter, r *http.Request) error {
	res, err := s.editable(r, access.ActionUpdate)
	if err != nil {
		return err
	}
	f := readForm(r)
	page := formPage{Mission: res.Mission, ID: res.ID, F: f, Errors: fieldErrors{}}
	version, verr := strconv.ParseInt(f.Version, 10, 64)
	if verr != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "must be the version the form was loaded with"}})
	}
	in := f.parse(page.Errors)
	in.Mission = res.Mission
	if len(page.Errors) > 0 {
		page.Errors.addAll(in.Validate())
		return s.renderForm(w, r, http.StatusBadRequest, page)
	}
	upd := Update{Symbol: &in.Symbol, Adopted: &in.Adopted, PeriodStart: &in.PeriodStart, PeriodEnd: &in.PeriodEnd,
		ChapterVII: &in.ChapterVII, DocumentURL: &in.DocumentURL, SourceNote: &in.SourceNote, Ceilings: &in.Ceilings,
		Tasks: &in.Tasks, Classification: &in.Classification}
	_, err = s.UpdateResolution(r.Context(), res.Mission, res.ID, upd, version)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Resolution %s saved.", in.Symbol)
		return web.Redirect(w, r, "/missions/"+url.PathEscape(res.Mission)+"/mandate/"+res.ID)
	case peaceops.EINVALID, peaceops.ECONFLICT:
		page.Errors.addAll(err)
		if len(page.Errors) == 0 {
			page.Errors.add("form", peaceops.ErrorMessage(err))
		}
		return s.renderForm(w, r, statusOf(err), page)
	case peaceops.EPRECONDITION:
		page.Stale = true
		return s.renderForm(w, r, http.StatusPreconditionFailed, page)
	}
	return err
}

func (s *Service) handleDeleteForm(w http.ResponseWriter, r *http.Request) error {
	res, err := s.editable(r, access.ActionDelete)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "must be the version the page was loaded with"}})
	}
	if err := s.DeleteResolution(r.Context(), res.Mission, res.ID, version); err != nil {
		return err
	}
	web.SetFlash(w, r, "success", "Resolution %s deleted.", res.Symbol)
	return web.Redirect(w, r, "/missions/"+url.PathEscape(res.Mission)+"/mandate")
}
