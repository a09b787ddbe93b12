package alerts

import (
	"embed"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and their catalogues (fr.json).
//
//go:embed templates/*
var templateFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// sharedKeys are texts of this module shown on pages of other catalogues:
// the nav label and flash messages.
var sharedKeys = []string{
	"Alerts",
	"Alerts computed: %s raised, %s updated, %s resolved.",
	"Alert saved.",
	"The alert was not saved: %s",
	"Someone else changed this alert after you opened it. Check the current state and try again.",
	"Subscription saved.",
	"Subscription deleted.",
}

// pageRoutes registers the HTML pages of alerts, subscriptions and
// notifications.
func (s *Service) pageRoutes(r *web.Router) {
	r.Page("GET /missions/{code}/alerts", s.handleListPage)
	r.Page("POST /missions/{code}/alerts/run", s.handleRunForm)
	r.Page("GET /missions/{code}/alerts/subscriptions", s.handleSubscriptionsPage)
	r.Page("POST /missions/{code}/alerts/subscriptions", s.handleSubscribeForm)
	r.Page("POST /missions/{code}/alerts/subscriptions/{id}/delete", s.handleUnsubscribeForm)
	r.Page("GET /missions/{code}/alerts/{id}", s.handleAlertPage)
	r.Page("POST /missions/{code}/alerts/{id}", s.handleAlertForm)
	r.Page("GET /notifications", s.handleNotificationsPage)
	r.Page("POST /notifications/{id}/read", s.handleReadForm)
	r.NavItemFor("Alerts", "/missions/{mission}/alerts", func(a peaceops.Actor, mission string) bool {
		return access.Clearance(a, "alert", mission) > 0
	})
	r.Messages(web.PickMessages(templateFS, "templates", sharedKeys))
}

// Pages returns the module's page set, for the translation check.
func Pages() *web.Pages { return newPages() }

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

// listPage is the data of a mission's alert list.
type listPage struct {
	Mission       string
	Alerts        []*Alert
	State, Level  string
	States        []option
	Levels        []option
	Next, First   string
	CanRun        bool
	LastRun       *RunResult
	Unread        int
	Subscriptions int
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
	ctx, code, q := r.Context(), r.PathValue("code"), r.URL.Query()
	f := Filter{State: State(q.Get("state")), Level: Level(q.Get("level")), Limit: limit}
	if parts != nil {
		f.Cursor = parts[0]
	}
	list, next, err := s.FindAlerts(ctx, code, f)
	if err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(ctx)
	page := listPage{Mission: code, Alerts: list, State: string(f.State), Level: string(f.Level),
		States: options(States, string(f.State)), Levels: options(Levels, string(f.Level)),
		CanRun: canRun(actor, code) == nil}
	if last, ok, err := s.LastRun(ctx, code); err != nil {
		return err
	} else if ok {
		page.LastRun = &last
	}
	if actor.UserID != "" {
		notes, err := s.FindNotifications(ctx)
		if err != nil {
			return err
		}
		for _, n := range notes {
			if n.ReadAt == nil {
				page.Unread++
			}
		}
		subs, err := s.FindSubscriptions(ctx, code)
		if err != nil {
			return err
		}
		page.Subscriptions = len(subs)
	}
	link := func(cursor string) string {
		v := url.Values{}
		if f.State != "" {
			v.Set("state", string(f.State))
		}
		if f.Level != "" {
			v.Set("level", string(f.Level))
		}
		if q.Get("limit") != "" {
			v.Set("limit", strconv.Itoa(limit))
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		p := "/missions/" + url.PathEscape(code) + "/alerts"
		if len(v) == 0 {
			return p
		}
		return p + "?" + v.Encode()
	}
	if next != "" {
		page.Next = link(web.EncodeCursor(next))
	}
	if cursor != "" {
		page.First = link("")
	}
	return s.pages.Render(w, r, http.StatusOK, "list", page)
}

func (s *Service) handleRunForm(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	res, err := s.Run(r.Context(), code, s.db.Now())
	if err != nil {
		return err
	}
	web.SetFlash(w, r, "success", "Alerts computed: %s raised, %s updated, %s resolved.", res.Raised, res.Updated, res.Resolved)
	return web.Redirect(w, r, "/missions/"+url.PathEscape(code)+"/alerts")
}

// alertPage is the data of one alert's page.
type alertPage struct {
	A         *Alert
	Chart     *chart
	CanUpdate bool
	Moves     []State
	Members   []option // owner choices
	Category  string   // the category's label in the page's language, "" for all events
}

func (s *Service) handleAlertPage(w http.ResponseWriter, r *http.Request) error {
	ctx, code := r.Context(), r.PathValue("code")
	a, err := s.FindAlertByID(ctx, code, r.PathValue("id"))
	if err != nil {
		return err
	}
	actor := peaceops.ActorFromContext(ctx)
	page := alertPage{A: a, CanUpdate: access.Can(actor, access.ActionUpdate, resource(code, a.Classification)),
		Moves: transitions[a.State], Category: categoryLabel(a.Type, web.Lang(r))}
	// The chart needs events read access, which an alert reader may lack:
	// without it the page shows no chart rather than failing.
	if weeks, err := s.History(ctx, a); err == nil {
		page.Chart = newChart(weeks, a)
	} else if c := peaceops.ErrorCode(err); c != peaceops.ENOTFOUND && c != peaceops.EFORBIDDEN {
		return err
	}
	if page.CanUpdate {
		members, err := s.access.FindMembers(ctx, code)
		if err != nil {
			return err
		}
		for _, m := range members {
			page.Members = append(page.Members, option{Value: m.Username, Selected: m.Username == a.Owner})
		}
	}
	return s.pages.Render(w, r, http.StatusOK, "alert", page)
}

// categoryLabel names the category code in lang.
func categoryLabel(code, lang string) string {
	for _, c := range events.Categories() {
		if string(c.Category) != code {
			continue
		}
		if lang == "fr" {
			return c.LabelFR
		}
		return c.Label
	}
	return code
}

func validCategory(code string) bool { return events.Category(code).Valid() }

// handleAlertForm applies one action of the alert page: action=state
// (with state), owner (with owner) or note (with note), each with the
// version the page showed.
func (s *Service) handleAlertForm(w http.ResponseWriter, r *http.Request) error {
	code, id := r.PathValue("code"), r.PathValue("id")
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "must be the version the page was loaded with"}})
	}
	var upd Update
	switch r.PostFormValue("action") {
	case "state":
		st := State(r.PostFormValue("state"))
		upd.State = &st
	case "owner":
		owner := strings.TrimSpace(r.PostFormValue("owner"))
		upd.Owner = &owner
	case "note":
		note := r.PostFormValue("note")
		upd.Note = &note
	default:
		return peaceops.Invalid([]peaceops.FieldError{{Field: "action", Message: "must be state, owner or note"}})
	}
	back := "/missions/" + url.PathEscape(code) + "/alerts/" + url.PathEscape(id)
	_, err = s.UpdateAlert(r.Context(), code, id, upd, version)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Alert saved.")
	case peaceops.EPRECONDITION:
		web.SetFlash(w, r, "error", "Someone else changed this alert after you opened it. Check the current state and try again.")
	case peaceops.EINVALID:
		msg := peaceops.ErrorMessage(err)
		if fe := peaceops.ErrorFields(err); len(fe) > 0 {
			msg = fe[0].Message
		}
		web.SetFlash(w, r, "error", "The alert was not saved: %s", msg)
	default:
		return err
	}
	return web.Redirect(w, r, back)
}

// subscriptionsPage is the data of the subscriptions page.
type subscriptionsPage struct {
	Mission    string
	Subs       []*Subscription
	Categories []events.CategoryInfo
	Levels     []option
	// The add form as entered, and what is wrong with it.
	Area, Category, Email string
	Errors                map[string]string
}

func (s *Service) renderSubscriptions(w http.ResponseWriter, r *http.Request, status int, page subscriptionsPage) error {
	subs, err := s.FindSubscriptions(r.Context(), page.Mission)
	if err != nil {
		return err
	}
	page.Subs, page.Categories = subs, events.Categories()
	if page.Levels == nil {
		page.Levels = options([]Level{LevelWarning, LevelAlert}, string(LevelWarning))
	}
	return s.pages.Render(w, r, status, "subscriptions", page)
}

func (s *Service) handleSubscriptionsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSubscriptions(w, r, http.StatusOK, subscriptionsPage{Mission: r.PathValue("code")})
}

func (s *Service) handleSubscribeForm(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	sub := Subscription{Area: r.PostFormValue("area"), Category: r.PostFormValue("category"),
		MinLevel: Level(r.PostFormValue("min_level")), Email: r.PostFormValue("email")}
	err := s.Subscribe(r.Context(), code, &sub)
	switch peaceops.ErrorCode(err) {
	case "":
		web.SetFlash(w, r, "success", "Subscription saved.")
		return web.Redirect(w, r, "/missions/"+url.PathEscape(code)+"/alerts/subscriptions")
	case peaceops.EINVALID:
		page := subscriptionsPage{Mission: code, Area: sub.Area, Category: sub.Category, Email: sub.Email,
			Levels: options([]Level{LevelWarning, LevelAlert}, string(sub.MinLevel)), Errors: map[string]string{}}
		for _, fe := range peaceops.ErrorFields(err) {
			page.Errors[fe.Field] = fe.Message
		}
		return s.renderSubscriptions(w, r, http.StatusBadRequest, page)
	}
	return err
}

func (s *Service) handleUnsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if err := s.Unsubscribe(r.Context(), code, r.PathValue("id")); err != nil {
		return err
	}
	web.SetFlash(w, r, "success", "Subscription deleted.")
	return web.Redirect(w, r, "/missions/"+url.PathEscape(code)+"/alerts/subscriptions")
}

// notificationsPage is the data of the notifications page.
type notificationsPage struct {
	Notifications []*Notification
	Unread        int
}

func (s *Service) handleNotificationsPage(w http.ResponseWriter, r *http.Request) error {
	list, err := s.FindNotifications(r.Context())
	if err != nil {
		return err
	}
	page := notificationsPage{Notifications: list}
	for _, n := range list {
		if n.ReadAt == nil {
			page.Unread++
		}
	}
	return s.pages.Render(w, r, http.StatusOK, "notifications", page)
}

// handleReadForm marks a notification read and opens its alert.
func (s *Service) handleReadForm(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	if err := s.MarkRead(ctx, id); err != nil {
		return err
	}
	list, err := s.FindNotifications(ctx)
	if err != nil {
		return err
	}
	for _, n := range list {
		if n.ID == id {
			return web.Redirect(w, r, "/missions/"+url.PathEscape(n.Mission)+"/alerts/"+url.PathEscape(n.AlertID))
		}
	}
	return web.Redirect(w, r, "/notifications")
}

// chart is a weekly bar chart of an area's history with its expected
// level, drawn as SVG on the server (plain attributes: the CSP allows no
// inline style). Coordinates are in the viewBox.
type chart struct {
	Width, Height     int
	Left, Top, Bottom float64 // plot edges
	Bars              []chartBar
	ExpectedY         float64
	Expected          string  // per week, formatted
	Max               string  // the top of the scale
	From, To          string  // first and last week
	WindowX, WindowW  float64 // the tested weeks, shaded
	PlotH             float64
}

type chartBar struct {
	X, Y, W, H float64
	Recent     bool
	Title      string // e.g. "2013-12-02: 14"
}

func newChart(weeks []WeekCount, a *Alert) *chart {
	if len(weeks) == 0 {
		return nil
	}
	c := &chart{Width: 720, Height: 220, Left: 40, Top: 10, Bottom: 190}
	max := a.Baseline
	for _, w := range weeks {
		max = math.Max(max, w.Count)
	}
	if max <= 0 {
		max = 1
	}
	max = math.Ceil(max)
	plotW := float64(c.Width) - c.Left - 10
	step := plotW / float64(len(weeks))
	y := func(v float64) float64 { return c.Bottom - (c.Bottom-c.Top)*v/max }
	from := a.Window.From.Time()
	for i, w := range weeks {
		x := c.Left + float64(i)*step
		top := y(w.Count)
		recent := !w.Week.Time().Before(from)
		if recent && c.WindowW == 0 {
			c.WindowX = x
		}
		if recent {
			c.WindowW += step
		}
		c.Bars = append(c.Bars, chartBar{X: round1(x + step*0.1), Y: round1(top), W: round1(step * 0.8), H: round1(c.Bottom - top),
			Recent: recent, Title: fmt.Sprintf("%s: %s", w.Week, formatCount(w.Count))})
	}
	c.WindowX, c.WindowW, c.PlotH = round1(c.WindowX), round1(c.WindowW), c.Bottom-c.Top
	c.ExpectedY = round1(y(a.Baseline))
	c.Expected = formatExpected(a.Baseline)
	c.Max = formatCount(max)
	c.From, c.To = weeks[0].Week.String(), weeks[len(weeks)-1].Week.String()
	return c
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
