package feedback

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and their catalogue (fr.json).
//
//go:embed templates/*
var templateFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// sharedKeys are texts of this module shown with another catalogue: the nav
// label and the flash message shown after a redirect.
var sharedKeys = []string{"Feedback", "Feedback saved."}

// pageRoutes registers the public intake and tracking pages (no account,
// no script needed: plain forms, answers rendered by the server) and the
// officers' queue and case pages.
func (s *Service) pageRoutes(r *web.Router) {
	r.PublicPage("GET /feedback/track", s.handleTrackPage)
	r.PublicPage("POST /feedback/track", s.handleTrackForm)
	r.PublicPage("GET /feedback/{code}", s.handleSubmitPage)
	r.PublicPage("POST /feedback/{code}", s.handleSubmitForm)
	r.Page("GET /missions/{code}/feedback", s.handleQueuePage)
	r.Page("GET /missions/{code}/feedback/{id}", s.handleDetailPage)
	r.Page("POST /missions/{code}/feedback/{id}", s.handleTriageForm)
	r.NavItem("Feedback", "/missions/{mission}/feedback")
	r.Messages(web.PickMessages(templateFS, "templates", sharedKeys))
}

// option is an entry of a <select>; templates label it from Value.
type option struct {
	Value    string
	Selected bool
}

func options[T ~string](values []T, current string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{Value: string(v), Selected: string(v) == current}
	}
	return out
}

// fieldErrors maps form fields to messages (English, translated by the
// template).
type fieldErrors map[string]string

func (fe fieldErrors) addAll(err error) {
	for _, e := range peaceops.ErrorFields(err) {
		if _, ok := fe[e.Field]; !ok {
			fe[e.Field] = e.Message
		}
	}
}

// submitPage is the data of the public form and of its answer.
type submitPage struct {
	Mission    string
	F          Intake
	Categories []option
	Errors     fieldErrors
	Limited    bool     // too many submissions from here
	Receipt    *Receipt // set on the answer page
}

func (s *Service) handleSubmitPage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := s.db.View(r.Context(), func(tx *store.Tx) error { return missionExists(r.Context(), tx, mission) }); err != nil {
		return err
	}
	return s.pages.Render(w, r, http.StatusOK, "submit", submitPage{Mission: mission, Categories: options(Categories, "")})
}

func (s *Service) handleSubmitForm(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	in := Intake{Category: Category(v("category")), PlaceCode: v("place_code"), Place: v("place"),
		Description: v("description"), Contact: v("contact"), ReplyWanted: v("reply_wanted") != "", Language: web.Lang(r)}
	page := submitPage{Mission: mission, F: in, Categories: options(Categories, string(in.Category)), Errors: fieldErrors{}}
	rc, err := s.Submit(r.Context(), mission, in, ChannelWeb, web.ClientIP(r))
	switch peaceops.ErrorCode(err) {
	case "":
		return s.pages.Render(w, r, http.StatusCreated, "submitted", submitPage{Mission: mission, Receipt: rc})
	case peaceops.EINVALID:
		page.Errors.addAll(err)
		return s.pages.Render(w, r, http.StatusBadRequest, "submit", page)
	case peaceops.ETOOMANY:
		page.Limited = true
		return s.pages.Render(w, r, http.StatusTooManyRequests, "submit", page)
	}
	return err
}

// trackPage is the data of the tracking page.
type trackPage struct {
	Code     string
	Error    string
	Tracking *Tracking
}

func (s *Service) handleTrackPage(w http.ResponseWriter, r *http.Request) error {
	return s.pages.Render(w, r, http.StatusOK, "track", trackPage{})
}

func (s *Service) handleTrackForm(w http.ResponseWriter, r *http.Request) error {
	code := strings.TrimSpace(r.PostFormValue("code"))
	t, err := s.Track(r.Context(), code, web.ClientIP(r))
	page := trackPage{Code: code, Tracking: t}
	switch peaceops.ErrorCode(err) {
	case "":
		page.Code = t.Code
		return s.pages.Render(w, r, http.StatusOK, "track", page)
	case peaceops.EINVALID:
		if f := peaceops.ErrorFields(err); len(f) > 0 {
			page.Error = f[0].Message
		}
		return s.pages.Render(w, r, http.StatusBadRequest, "track", page)
	case peaceops.ENOTFOUND:
		page.Error = "no submission has this tracking code: check it and try again"
		return s.pages.Render(w, r, http.StatusNotFound, "track", page)
	case peaceops.ETOOMANY:
		page.Error = "too many lookups from here: wait a few minutes and try again"
		return s.pages.Render(w, r, http.StatusTooManyRequests, "track", page)
	}
	return err
}

// queuePage is the data of the officers' queue.
type queuePage struct {
	Mission    string
	Items      []*Submission
	F          Filter
	Statuses   []option
	Categories []option
	Next       string
	CanExport  bool
	ExportLink string
}

func (s *Service) handleQueuePage(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	f, err := filterFromQuery(r)
	if err != nil {
		return err
	}
	if f.Limit, f.Cursor, err = web.ListParams(r); err != nil {
		return err
	}
	items, next, err := s.FindFeedback(r.Context(), mission, f)
	if err != nil {
		return err
	}
	q := url.Values{}
	for _, k := range []string{"status", "category", "assigned_to", "open", "overdue"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	page := queuePage{Mission: mission, Items: items, F: f,
		Statuses: options(Statuses, string(f.Status)), Categories: options(Categories, string(f.Category)),
		CanExport: access.Can(peaceops.ActorFromContext(r.Context()), access.ActionExport, resource(mission))}
	exp := url.Values{}
	for k, v := range q {
		exp[k] = v
	}
	exp.Set("format", "csv")
	page.ExportLink = "/api/v1/missions/" + url.PathEscape(mission) + "/feedback?" + exp.Encode()
	if next != "" {
		q.Set("cursor", next)
		page.Next = "/missions/" + url.PathEscape(mission) + "/feedback?" + q.Encode()
	}
	return s.pages.Render(w, r, http.StatusOK, "queue", page)
}

// detailPage is the data of a submission's page.
type detailPage struct {
	S          *Submission
	CanTriage  bool
	Categories []option
	Targets    []option
	Errors     fieldErrors
	Stale      bool
}

func (s *Service) renderDetail(w http.ResponseWriter, r *http.Request, status int, sub *Submission, page detailPage) error {
	page.S = sub
	page.CanTriage = sub.Status != StatusClosed && access.Can(peaceops.ActorFromContext(r.Context()), access.ActionUpdate, resource(sub.Mission))
	page.Categories = options(Categories, string(sub.Category))
	page.Targets = options(Targets, "")
	return s.pages.Render(w, r, status, "detail", page)
}

func (s *Service) handleDetailPage(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.FindFeedbackByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderDetail(w, r, http.StatusOK, sub, detailPage{})
}

func (s *Service) handleTriageForm(w http.ResponseWriter, r *http.Request) error {
	mission, id := r.PathValue("code"), r.PathValue("id")
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	version, verr := strconv.ParseInt(v("version"), 10, 64)
	if verr != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "must be the version the form was loaded with"}})
	}
	var t Triage
	t.Acknowledge = v("acknowledge") != ""
	t.Close = v("close") != ""
	t.Note = v("note")
	t.ReferTo = Target(v("refer_to"))
	if c := Category(v("category")); c != "" {
		t.Category = &c
	}
	if r.PostForm.Has("assigned_to") {
		a := v("assigned_to")
		t.AssignedTo = &a
	}
	if pr := v("public_response"); pr != "" {
		t.PublicResponse = &pr
	}
	_, err := s.TriageFeedback(r.Context(), mission, id, t, version)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Feedback saved.")
		return web.Redirect(w, r, "/missions/"+url.PathEscape(mission)+"/feedback/"+url.PathEscape(id))
	case peaceops.EINVALID, peaceops.EPRECONDITION, peaceops.ECONFLICT:
		sub, ferr := s.FindFeedbackByID(r.Context(), mission, id)
		if ferr != nil {
			return ferr
		}
		page := detailPage{Errors: fieldErrors{}}
		status := http.StatusBadRequest
		switch peaceops.ErrorCode(err) {
		case peaceops.EPRECONDITION:
			page.Stale, status = true, http.StatusPreconditionFailed
		case peaceops.ECONFLICT:
			page.Errors["triage"], status = peaceops.ErrorMessage(err), http.StatusConflict
		default:
			page.Errors.addAll(err)
		}
		return s.renderDetail(w, r, status, sub, page)
	}
	return err
}
