package forces

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and their catalogue (fr.json).
//
//go:embed templates/*
var templateFS embed.FS

// staticFS holds the module's script: the strength chart (CSP-safe: no
// inline code; it reads its settings from data- attributes).
//
//go:embed static/forces-strength.js
var staticFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// sharedKeys are the texts of this module shown on pages of other modules.
var sharedKeys = []string{"Personnel", "Unit %s recorded.", "Unit %s saved.", "Training recorded.", "Waiver recorded."}

// scriptPath is the URL of the chart script, with a content hash so that it
// can be cached for long.
var scriptPath = func() string {
	b, err := fs.ReadFile(staticFS, "static/forces-strength.js")
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return "/forces/static/forces-strength.js?v=" + hex.EncodeToString(sum[:6])
}()

func (s *Service) pageRoutes(r *web.Router) {
	r.Page("GET /missions/{code}/forces", s.handleOverviewPage)
	r.Page("GET /missions/{code}/forces/units", s.handleUnitsPage)
	r.Page("POST /missions/{code}/forces/units", s.handleCreateUnitForm)
	r.Page("POST /missions/{code}/forces/units/{id}/status", s.handleStatusForm)
	r.Page("GET /missions/{code}/forces/readiness", s.handleReadinessPage)
	r.Page("POST /missions/{code}/forces/units/{id}/completions", s.handleCompletionForm)
	r.Page("POST /missions/{code}/forces/units/{id}/waivers", s.handleWaiverForm)
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/forces/static/", http.FileServerFS(sub))
	r.Handle("GET /forces/static/", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, req)
	}))
	r.NavItem("Personnel", "/missions/{mission}/forces")
	r.Messages(web.PickMessages(templateFS, "templates", sharedKeys))
}

// option is an entry of a <select>.
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

// country is an entry of the country <select>.
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

// overviewPage is the data of a mission's personnel overview.
type overviewPage struct {
	Mission       string
	Script        string
	Latest        *StrengthPoint
	Rows          []ceilingRow
	Recent        []StrengthPoint // the last months, newest first (the chart's table)
	Month         Month
	Contributions []Contribution
	Parity        []ParityPoint
	Trend         []ParityPoint // the last month of each year with the sex split
	Rotations     []Rotation
	Fatalities    []FatalityCount
	FatalityTotal int
}

// parityViews picks from a mission's parity series the points of month and
// the trend: per year, the points of its last month with the sex split.
func parityViews(all []ParityPoint, month Month) (current, trend []ParityPoint) {
	lastOfYear := map[string]Month{}
	for _, p := range all {
		if y := string(p.Month[:4]); p.Month > lastOfYear[y] {
			lastOfYear[y] = p.Month
		}
	}
	for _, p := range all {
		if p.Month == month {
			current = append(current, p)
		}
		if lastOfYear[string(p.Month[:4])] == p.Month {
			trend = append(trend, p)
		}
	}
	return current, trend
}

// ceilingRow is a ceiling category of the latest month.
type ceilingRow struct {
	Category CeilingCategory
	Deployed int
	Ceiling  int
	HasCeil  bool
	Percent  int
}

func (s *Service) handleOverviewPage(w http.ResponseWriter, r *http.Request) error {
	ctx, mission := r.Context(), r.PathValue("code")
	points, err := s.Strength(ctx, mission, "", "")
	if err != nil {
		return err
	}
	page := overviewPage{Mission: mission, Script: scriptPath}
	if n := len(points); n > 0 {
		page.Latest = &points[n-1]
		for _, c := range CeilingCategories {
			row := ceilingRow{Category: c, Deployed: page.Latest.Deployed[c]}
			row.Ceiling, row.HasCeil = page.Latest.Ceilings[c]
			if row.HasCeil && row.Ceiling > 0 {
				row.Percent = row.Deployed * 100 / row.Ceiling
			}
			page.Rows = append(page.Rows, row)
		}
		for i := n - 1; i >= 0 && i >= n-24; i-- {
			page.Recent = append(page.Recent, points[i])
		}
		page.Month = page.Latest.Month
		if page.Contributions, _, err = s.Contributions(ctx, mission, page.Month); err != nil {
			return err
		}
		all, err := s.Parity(ctx, mission, "", "")
		if err != nil {
			return err
		}
		page.Parity, page.Trend = parityViews(all, page.Month)
	}
	if page.Rotations, err = s.Rotations(ctx, mission, peaceops.DateOf(time.Now().UTC()), 90); err != nil {
		return err
	}
	if page.Fatalities, err = s.FatalityCounts(ctx, mission); err != nil {
		return err
	}
	for _, f := range page.Fatalities {
		page.FatalityTotal += f.Fatalities
	}
	return s.pages.Render(w, r, http.StatusOK, "overview", page)
}

// unitForm is the new-unit form as entered.
type unitForm struct {
	Name, Type, Country, Size, BaseName, BaseKind, Lon, Lat, Arrival, RotationDue string
}

// unitsPage is the data of the units page.
type unitsPage struct {
	Mission   string
	Units     []*Unit
	CanCreate bool
	CanUpdate bool
	F         unitForm
	Errors    map[string]string
	Types     []option
	Kinds     []option
	Countries []country
	Next      map[Status][]Status
}

func (s *Service) renderUnits(w http.ResponseWriter, r *http.Request, status int, page unitsPage) error {
	units, _, err := s.FindUnits(r.Context(), page.Mission, UnitFilter{})
	if err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(r.Context())
	page.Units = units
	page.CanCreate = access.Can(actor, access.ActionCreate, countsRes(page.Mission))
	page.CanUpdate = access.Can(actor, access.ActionUpdate, countsRes(page.Mission))
	page.Types = options(UnitTypes, page.F.Type)
	page.Kinds = options(SiteKinds, page.F.BaseKind)
	page.Countries = countries(page.F.Country)
	page.Next = transitions
	return s.pages.Render(w, r, status, "units", page)
}

func (s *Service) handleUnitsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderUnits(w, r, http.StatusOK, unitsPage{Mission: r.PathValue("code")})
}

// parse converts the form into a unit, recording what cannot be read.
func (f unitForm) parse(errs map[string]string) Unit {
	u := Unit{Name: f.Name, Type: UnitType(f.Type), Country: f.Country}
	if n, err := strconv.Atoi(f.Size); err == nil {
		u.Size = n
	} else {
		errs["size"] = "must be a whole number"
	}
	if f.BaseName != "" || f.BaseKind != "" || f.Lon != "" || f.Lat != "" {
		u.Base = &Base{Name: f.BaseName, Kind: SiteKind(f.BaseKind)}
		if f.Lon != "" || f.Lat != "" {
			lon, err1 := decimalComma(f.Lon)
			lat, err2 := decimalComma(f.Lat)
			if err1 != nil || err2 != nil {
				errs["base_location"] = "give longitude and latitude as numbers"
			} else {
				u.Base.Location = &geo.Point{Lon: lon, Lat: lat}
			}
		}
	}
	date := func(field, s string) peaceops.Date {
		if s == "" {
			return peaceops.Date{}
		}
		d, err := peaceops.ParseDate(s)
		if err != nil {
			errs[field] = "must be a date of the form YYYY-MM-DD"
		}
		return d
	}
	u.Arrival, u.RotationDue = date("arrival", f.Arrival), date("rotation_due", f.RotationDue)
	return u
}

func (s *Service) handleCreateUnitForm(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := check(r.Context(), access.ActionCreate, countsRes(mission)); err != nil {
		return err
	}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := unitForm{Name: v("name"), Type: v("type"), Country: strings.ToUpper(v("country")), Size: v("size"), BaseName: v("base_name"),
		BaseKind: v("base_kind"), Lon: v("lon"), Lat: v("lat"), Arrival: v("arrival"), RotationDue: v("rotation_due")}
	errs := map[string]string{}
	u := f.parse(errs)
	err := u.Validate()
	for _, fe := range peaceops.ErrorFields(err) {
		if _, ok := errs[strings.ReplaceAll(fe.Field, ".", "_")]; !ok {
			errs[strings.ReplaceAll(fe.Field, ".", "_")] = fe.Message
		}
	}
	if len(errs) > 0 {
		return s.renderUnits(w, r, http.StatusBadRequest, unitsPage{Mission: mission, F: f, Errors: errs})
	}
	if err := s.CreateUnit(r.Context(), mission, &u); err != nil {
		if peaceops.ErrorCode(err) == peaceops.EINVALID {
			for _, fe := range peaceops.ErrorFields(err) {
				errs[strings.ReplaceAll(fe.Field, ".", "_")] = fe.Message
			}
			return s.renderUnits(w, r, http.StatusBadRequest, unitsPage{Mission: mission, F: f, Errors: errs})
		}
		return err
	}
	web.SetFlash(w, r, "success", "Unit %s recorded.", u.Name)
	return web.Redirect(w, r, "/missions/"+url.PathEscape(mission)+"/forces/units")
}

func (s *Service) handleStatusForm(w http.ResponseWriter, r *http.Request) error {
	mission, id := r.PathValue("code"), r.PathValue("id")
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "must be the version the page was loaded with"}})
	}
	st := Status(r.PostFormValue("status"))
	u, err := s.UpdateUnit(r.Context(), mission, id, UnitUpdate{Status: &st}, version)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Unit %s saved.", u.Name)
		return web.Redirect(w, r, "/missions/"+url.PathEscape(mission)+"/forces/units")
	case peaceops.EINVALID, peaceops.ECONFLICT, peaceops.EPRECONDITION:
		msg := peaceops.ErrorMessage(err)
		for _, fe := range peaceops.ErrorFields(err) {
			msg += " — " + fe.Message
		}
		web.SetFlash(w, r, "error", "%s", msg)
		return web.Redirect(w, r, "/missions/"+url.PathEscape(mission)+"/forces/units")
	}
	return err
}

// readinessPage is the data of the readiness view.
type readinessPage struct {
	Mission   string
	On        peaceops.Date
	Units     []*Readiness
	Ready     int
	Courses   []Course
	CanRecord bool // unit-level completions
	CanWaive  bool
}

func (s *Service) handleReadinessPage(w http.ResponseWriter, r *http.Request) error {
	on := peaceops.DateOf(time.Now().UTC())
	units, err := s.Readiness(r.Context(), r.PathValue("code"), on)
	if err != nil {
		return err
	}
	mission := r.PathValue("code")
	actor := peaceops.ActorFromContext(r.Context())
	page := readinessPage{Mission: mission, On: on, Units: units, Courses: Courses,
		CanRecord: access.Can(actor, access.ActionCreate, countsRes(mission)),
		CanWaive:  access.Can(actor, access.ActionCreate, access.Resource{Type: waiverType, Mission: mission, Classification: peaceops.Confidential})}
	for _, u := range units {
		if u.Ready {
			page.Ready++
		}
	}
	return s.pages.Render(w, r, http.StatusOK, "readiness", page)
}

// formOutcome answers a readiness form: back to the readiness view with a
// flash, the problems of an invalid entry in it.
func formOutcome(w http.ResponseWriter, r *http.Request, mission string, err error, done string) error {
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", done)
	case peaceops.EINVALID:
		msg := peaceops.ErrorMessage(err)
		for _, fe := range peaceops.ErrorFields(err) {
			msg += " — " + fe.Field + ": " + fe.Message
		}
		web.SetFlash(w, r, "error", "%s", msg)
	default:
		return err
	}
	return web.Redirect(w, r, "/missions/"+url.PathEscape(mission)+"/forces/readiness")
}

func (s *Service) handleCompletionForm(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	c := Completion{UnitID: r.PathValue("id"), Course: Course(r.PostFormValue("course")), Provider: r.PostFormValue("provider"),
		Certificate: r.PostFormValue("certificate")}
	var errs []peaceops.FieldError
	for _, d := range []struct {
		field string
		to    *peaceops.Date
	}{{"completed", &c.Completed}, {"expires", &c.Expires}} {
		if v := strings.TrimSpace(r.PostFormValue(d.field)); v != "" {
			day, err := peaceops.ParseDate(v)
			if err != nil {
				errs = append(errs, peaceops.FieldError{Field: d.field, Message: "must be a date of the form YYYY-MM-DD"})
			}
			*d.to = day
		}
	}
	if err := check(r.Context(), access.ActionCreate, countsRes(mission)); err != nil {
		return err
	}
	if len(errs) > 0 {
		return formOutcome(w, r, mission, peaceops.Invalid(errs), "")
	}
	return formOutcome(w, r, mission, s.RecordCompletion(r.Context(), mission, &c), "Training recorded.")
}

func (s *Service) handleWaiverForm(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := r.ParseForm(); err != nil {
		return peaceops.Errorf(peaceops.EINVALID, "unreadable form")
	}
	wv := Waiver{UnitID: r.PathValue("id"), Reason: r.PostFormValue("reason")}
	for _, c := range r.PostForm["course"] {
		wv.Courses = append(wv.Courses, Course(c))
	}
	err := s.RecordWaiver(r.Context(), mission, &wv)
	return formOutcome(w, r, mission, err, "Waiver recorded.")
}
