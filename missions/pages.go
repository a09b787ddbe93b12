package missions

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
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and their catalogues (fr.json). The
// pattern is a glob because a bare directory would leave out the _partials.
//
//go:embed templates/*
var templateFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// sharedKeys are the texts of this module shown on pages rendered with
// another catalogue: nav labels and flash messages (on whatever page comes
// next) and error messages (on web's error page).
var sharedKeys = []string{
	"Overview",
	"Mission %s created.",
	"Mission %s saved.",
	"%s added as %s.",
	"%s no longer holds the role %s.",
	"only administrators may create missions", // on web's error page
}

// pageRoutes registers the HTML pages of missions and their members.
func (s *Service) pageRoutes(r *web.Router) {
	r.Page("GET /missions", s.handleListPage)
	r.Page("GET /missions/new", s.handleNewPage)
	r.Page("POST /missions", s.handleCreateForm)
	r.Page("GET /missions/{code}", s.handleOverviewPage)
	r.Page("GET /missions/{code}/edit", s.handleEditPage)
	r.Page("POST /missions/{code}/edit", s.handleEditForm)
	r.Page("GET /missions/{code}/members", s.handleMembersPage)
	r.Page("POST /missions/{code}/members", s.handleAddMemberForm)
	r.Page("POST /missions/{code}/members/remove", s.handleRemoveMemberForm)
	r.NavItem("Missions", "/missions")
	r.NavItem("Overview", "/missions/{mission}")
	r.Messages(web.PickMessages(templateFS, "templates", sharedKeys))
}

// missionView is a mission as pages show it.
type missionView struct {
	*Mission
	Country string // the host country's name
}

func viewOf(m *Mission) missionView {
	name, ok := geo.CountryName(m.HostCountry)
	if !ok {
		name = m.HostCountry
	}
	return missionView{Mission: m, Country: name}
}

// StatusClass is the badge class of the mission's status.
func (v missionView) StatusClass() string {
	switch v.Status {
	case StatusActive:
		return "badge-public"
	case StatusPlanned:
		return "badge-internal"
	case StatusDrawdown:
		return "badge-confidential"
	}
	return "muted"
}

// option is an entry of a <select>; templates label it from Value.
type option struct {
	Value    string
	Selected bool
}

func options[T any](values []T, current string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		s := fmt.Sprint(v)
		out[i] = option{Value: s, Selected: s == current}
	}
	return out
}

// country is an entry of the host country <select>.
type country struct {
	Code, Name string
	Selected   bool
}

func countries(current string) []country {
	codes := geo.CountryCodes()
	out := make([]country, len(codes))
	for i, c := range codes {
		name, _ := geo.CountryName(c)
		out[i] = country{Code: c, Name: name, Selected: c == current}
	}
	slices.SortFunc(out, func(a, b country) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// listPage is the data of the mission list.
type listPage struct {
	Missions  []missionView
	Query     string
	Status    string
	Statuses  []option
	Next      string // link to the next page, "" on the last
	First     string // link to the first page, "" on it
	CanCreate bool
}

func (s *Service) handleListPage(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	parts, err := web.DecodeCursor(cursor, 1)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := Filter{Query: strings.TrimSpace(q.Get("q")), Status: Status(q.Get("status")), Limit: limit}
	if parts != nil {
		f.After = parts[0]
	}
	list, next, err := s.FindMissions(r.Context(), f)
	if err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(r.Context())
	page := listPage{Query: f.Query, Status: string(f.Status), Statuses: options(Statuses, string(f.Status)),
		CanCreate: access.Can(actor, access.ActionCreate, access.Resource{Type: resourceType})}
	for _, m := range list {
		page.Missions = append(page.Missions, viewOf(m))
	}
	link := func(cursor string) string {
		v := url.Values{}
		if f.Query != "" {
			v.Set("q", f.Query)
		}
		if f.Status != "" {
			v.Set("status", string(f.Status))
		}
		if q.Get("limit") != "" {
			v.Set("limit", strconv.Itoa(limit))
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		if len(v) == 0 {
			return "/missions"
		}
		return "/missions?" + v.Encode()
	}
	if next != "" {
		page.Next = link(web.EncodeCursor(next))
	}
	if cursor != "" {
		page.First = link("")
	}
	return s.pages.Render(w, r, http.StatusOK, "list", page)
}

// overviewPage is the data of a mission's overview.
type overviewPage struct {
	M         missionView
	Members   int
	CanEdit   bool
	CanManage bool
}

func (s *Service) handleOverviewPage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.FindMissionByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	members, err := s.access.FindMembers(r.Context(), m.Code)
	if err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(r.Context())
	return s.pages.Render(w, r, http.StatusOK, "overview", overviewPage{
		M: viewOf(m), Members: len(members),
		CanEdit:   access.Can(actor, access.ActionUpdate, resource(m)),
		CanManage: access.Can(actor, access.ActionManage, membershipResource(m.Code)),
	})
}

func membershipResource(code string) access.Resource {
	return access.Resource{Type: "membership", Mission: code}
}

// missionForm holds a create or edit form as entered, so a form that fails
// validation comes back with the user's values.
type missionForm struct {
	Code, Name, HostCountry, StartDate, EndDate string
	HQName, HQLon, HQLat                        string
	Status, Classification                      string
	Version                                     string
}

func formOf(m *Mission) missionForm {
	f := missionForm{Code: m.Code, Name: m.Name, HostCountry: m.HostCountry,
		StartDate: m.StartDate.String(), EndDate: m.EndDate.String(),
		Status: string(m.Status), Classification: m.Classification.String(),
		Version: strconv.FormatInt(m.Version, 10)}
	if m.HQ != nil {
		f.HQName = m.HQ.Name
		if p := m.HQ.Location; p != nil {
			f.HQLon = strconv.FormatFloat(p.Lon, 'f', -1, 64)
			f.HQLat = strconv.FormatFloat(p.Lat, 'f', -1, 64)
		}
	}
	return f
}

func readForm(r *http.Request) missionForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return missionForm{Code: strings.ToUpper(v("code")), Name: v("name"), HostCountry: v("host_country"),
		StartDate: v("start_date"), EndDate: v("end_date"),
		HQName: v("hq_name"), HQLon: v("hq_lon"), HQLat: v("hq_lat"),
		Status: v("status"), Classification: v("classification"), Version: v("version")}
}

// fieldErrors maps form field names to messages (English, translated by
// the template). The service's dotted names become the form's: hq.name is
// hq_name.
type fieldErrors map[string]string

func (fe fieldErrors) add(field, msg string) {
	field = strings.ReplaceAll(field, ".", "_")
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

func (fe fieldErrors) addAll(err error) {
	for _, e := range peaceops.ErrorFields(err) {
		fe.add(e.Field, e.Message)
	}
}

// parse converts the entered text into a Mission, recording in fe what
// cannot be read (dates, numbers); what reads but is wrong is left to
// Validate.
func (f missionForm) parse(fe fieldErrors) Mission {
	m := Mission{Code: f.Code, Name: f.Name, HostCountry: f.HostCountry, Status: Status(f.Status)}
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
	m.StartDate = date("start_date", f.StartDate)
	m.EndDate = date("end_date", f.EndDate)
	if c, err := peaceops.ParseClassification(f.Classification); err == nil {
		m.Classification = c
	} else {
		m.Classification = -1 // refused by Validate with its message
	}
	coord := func(field, s string, max float64) (float64, bool) {
		if !strings.Contains(s, ".") {
			s = strings.Replace(s, ",", ".", 1) // a decimal comma, as typed in French
		}
		x, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil:
			fe.add(field, "must be a number")
		case x < -max || x > max:
			fe.add(field, fmt.Sprintf("must be between -%g and %g", max, max))
		default:
			return x, true
		}
		return 0, false
	}
	var loc *geo.Point
	switch {
	case f.HQLon == "" && f.HQLat == "":
	case f.HQLon == "" || f.HQLat == "":
		fe.add("hq_location", "give both longitude and latitude, or neither")
	default:
		lon, okLon := coord("hq_lon", f.HQLon, 180)
		lat, okLat := coord("hq_lat", f.HQLat, 90)
		if okLon && okLat {
			loc = &geo.Point{Lon: lon, Lat: lat}
		}
	}
	if f.HQName != "" || loc != nil {
		m.HQ = &HQ{Name: f.HQName, Location: loc}
	}
	return m
}

// formPage is the data of the create and edit forms.
type formPage struct {
	New             bool
	Mission         string // code of the mission edited
	F               missionForm
	Errors          fieldErrors
	Stale           bool // the version was stale: someone else saved first
	Countries       []country
	Statuses        []option
	Classifications []option
}

func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, page formPage) error {
	page.Countries = countries(page.F.HostCountry)
	page.Statuses = options(Statuses, page.F.Status)
	page.Classifications = options(peaceops.Classifications, page.F.Classification)
	name := "edit"
	if page.New {
		name = "new"
	}
	return s.pages.Render(w, r, status, name, page)
}

// canCreate returns the error a form for a new mission answers to those
// who may not create one, or nil.
func canCreate(r *http.Request) error {
	if !access.Can(peaceops.ActorFromContext(r.Context()), access.ActionCreate, access.Resource{Type: resourceType}) {
		return peaceops.Errorf(peaceops.EFORBIDDEN, "only administrators may create missions")
	}
	return nil
}

func (s *Service) handleNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := canCreate(r); err != nil {
		return err
	}
	f := missionForm{Status: string(StatusActive), Classification: peaceops.Internal.String()}
	return s.renderForm(w, r, http.StatusOK, formPage{New: true, F: f})
}

func (s *Service) handleCreateForm(w http.ResponseWriter, r *http.Request) error {
	if err := canCreate(r); err != nil {
		return err
	}
	f := readForm(r)
	fe := fieldErrors{}
	m := f.parse(fe)
	if len(fe) > 0 {
		check := m
		fe.addAll(check.Validate()) // report every problem at once
		return s.renderForm(w, r, http.StatusBadRequest, formPage{New: true, F: f, Errors: fe})
	}
	err := s.CreateMission(r.Context(), &m)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Mission %s created.", m.Code)
		return web.Redirect(w, r, "/missions/"+url.PathEscape(m.Code))
	case peaceops.EINVALID, peaceops.ECONFLICT:
		fe.addAll(err)
		return s.renderForm(w, r, statusOf(err), formPage{New: true, F: f, Errors: fe})
	}
	return err
}

// statusOf is the status of a form answered with err.
func statusOf(err error) int {
	switch peaceops.ErrorCode(err) {
	case peaceops.ECONFLICT:
		return http.StatusConflict
	case peaceops.EPRECONDITION:
		return http.StatusPreconditionFailed
	}
	return http.StatusBadRequest
}

// editable returns the mission of the request if the actor may change it.
func (s *Service) editable(r *http.Request) (*Mission, error) {
	m, err := s.FindMissionByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	if err := access.Check(peaceops.ActorFromContext(r.Context()), access.ActionUpdate, resource(m)); err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Service) handleEditPage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.editable(r)
	if err != nil {
		return err
	}
	return s.renderForm(w, r, http.StatusOK, formPage{Mission: m.Code, F: formOf(m)})
}

func (s *Service) handleEditForm(w http.ResponseWriter, r *http.Request) error {
	m, err := s.editable(r)
	if err != nil {
		return err
	}
	f := readForm(r)
	f.Code = m.Code // immutable: whatever was posted
	page := formPage{Mission: m.Code, F: f, Errors: fieldErrors{}}
	version, verr := strconv.ParseInt(f.Version, 10, 64)
	if verr != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "must be the version the form was loaded with"}})
	}
	in := f.parse(page.Errors)
	if len(page.Errors) > 0 {
		check := in
		page.Errors.addAll(peaceops.Invalid(check.validateFields()))
		return s.renderForm(w, r, http.StatusBadRequest, page)
	}
	hq := in.HQ
	if hq == nil {
		hq = &HQ{} // clears it
	}
	upd := Update{Name: &in.Name, HostCountry: &in.HostCountry, StartDate: &in.StartDate, EndDate: &in.EndDate,
		HQ: hq, Status: &in.Status, Classification: &in.Classification}
	_, err = s.UpdateMission(r.Context(), m.Code, upd, version)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Mission %s saved.", m.Code)
		return web.Redirect(w, r, "/missions/"+url.PathEscape(m.Code))
	case peaceops.EINVALID:
		page.Errors.addAll(err)
		return s.renderForm(w, r, http.StatusBadRequest, page)
	case peaceops.EPRECONDITION:
		page.Stale = true
		return s.renderForm(w, r, http.StatusPreconditionFailed, page)
	}
	return err
}

// membersPage is the data of a mission's members page.
type membersPage struct {
	M         missionView
	Members   []access.Member
	CanManage bool
	// The add form as entered, and what is wrong with it.
	Username string
	Roles    []option
	Errors   fieldErrors
}

func (s *Service) renderMembers(w http.ResponseWriter, r *http.Request, status int, m *Mission, page membersPage) error {
	members, err := s.access.FindMembers(r.Context(), m.Code)
	if err != nil {
		return err
	}
	page.M, page.Members = viewOf(m), members
	page.CanManage = access.Can(peaceops.ActorFromContext(r.Context()), access.ActionManage, membershipResource(m.Code))
	if page.Roles == nil {
		page.Roles = options(peaceops.Roles, string(peaceops.RoleViewer))
	}
	return s.pages.Render(w, r, status, "members", page)
}

func (s *Service) handleMembersPage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.FindMissionByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.renderMembers(w, r, http.StatusOK, m, membersPage{})
}

// manageable returns the mission of the request if the actor may manage
// its members: ENOTFOUND for a mission they cannot see, EFORBIDDEN for one
// they only read.
func (s *Service) manageable(r *http.Request) (*Mission, error) {
	m, err := s.FindMissionByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	if err := access.Check(peaceops.ActorFromContext(r.Context()), access.ActionManage, membershipResource(m.Code)); err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Service) handleAddMemberForm(w http.ResponseWriter, r *http.Request) error {
	m, err := s.manageable(r)
	if err != nil {
		return err
	}
	req := memberRequest{Username: strings.TrimSpace(r.PostFormValue("username")), Role: peaceops.Role(r.PostFormValue("role"))}
	page := membersPage{Username: req.Username, Roles: options(peaceops.Roles, string(req.Role)), Errors: fieldErrors{}}
	if err := req.validate(); err != nil {
		page.Errors.addAll(err)
		return s.renderMembers(w, r, http.StatusBadRequest, m, page)
	}
	err = s.AddMember(r.Context(), m.Code, req.Username, req.Role)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "%s added as %s.", req.Username, req.Role)
		return web.Redirect(w, r, "/missions/"+url.PathEscape(m.Code)+"/members")
	case peaceops.ENOTFOUND:
		// The mission is visible and manageable (checked above): what is
		// missing is the user.
		page.Errors.add("username", "no user has this username")
		return s.renderMembers(w, r, http.StatusBadRequest, m, page)
	case peaceops.EINVALID:
		page.Errors.addAll(err)
		return s.renderMembers(w, r, http.StatusBadRequest, m, page)
	}
	return err
}

func (s *Service) handleRemoveMemberForm(w http.ResponseWriter, r *http.Request) error {
	m, err := s.manageable(r)
	if err != nil {
		return err
	}
	req := memberRequest{Username: strings.TrimSpace(r.PostFormValue("username")), Role: peaceops.Role(r.PostFormValue("role"))}
	if err := req.validate(); err != nil {
		return err
	}
	if err := s.RemoveMember(r.Context(), m.Code, req.Username, req.Role); err != nil {
		return err
	}
	web.SetFlash(w, r, "success", "%s no longer holds the role %s.", req.Username, req.Role)
	return web.Redirect(w, r, "/missions/"+url.PathEscape(m.Code)+"/members")
}
