package alerts

import (
	"net/http"
	"net/url"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// Routes registers the alerts API and pages.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"alerts"}
	base := "/api/v1/missions/{code}/alerts"
	r.API("GET "+base, web.Op{Summary: "List the alerts of a mission, newest first", Tags: tags, Response: Alert{}, List: true,
		Query: []web.Param{
			{Name: "state", Description: "open, acknowledged, resolved or dismissed"},
			{Name: "level", Description: "watch, warning or alert"},
			{Name: "area", Description: "admin area P-code: the area and the areas below it"},
		}}, s.handleList)
	r.API("GET "+base+"/{id}", web.Op{Summary: "Get an alert", Tags: tags, Response: Alert{}}, s.handleGet)
	r.API("PATCH "+base+"/{id}", web.Op{Summary: "Acknowledge, resolve, dismiss or reopen an alert, assign its owner or add a note",
		Description: "State changes follow open -> acknowledged -> resolved or dismissed, and back to open. The owner must be a member of the mission.",
		Tags:        tags, Request: Update{}, Response: Alert{}, IfMatch: true}, s.handlePatch)
	r.API("POST "+base+"/run", web.Op{
		Summary:     "Compute the mission's alerts now (analysts and mission-admins)",
		Description: "Tests the weeks up to the last complete ISO week before `at` (default now) and records, updates or resolves alerts.",
		Tags:        tags,
		Response:    RunResult{},
		Query:       []web.Param{{Name: "at", Description: "RFC 3339 instant or YYYY-MM-DD; default now"}},
	}, s.handleRun)
	r.API("GET "+base+"/subscriptions", web.Op{Summary: "List your alert subscriptions in a mission", Tags: tags, Response: Subscription{}, List: true}, s.handleSubscriptions)
	r.API("POST "+base+"/subscriptions", web.Op{Summary: "Subscribe to a mission's alerts in an area and category",
		Description: "Subscribing again to the same area and category replaces the level and address.",
		Tags:        tags, Request: Subscription{}, Response: Subscription{}, Status: http.StatusCreated}, s.handleSubscribe)
	r.API("DELETE "+base+"/subscriptions/{id}", web.Op{Summary: "Delete one of your alert subscriptions", Tags: tags, Status: http.StatusNoContent}, s.handleUnsubscribe)
	r.API("GET /api/v1/notifications", web.Op{Summary: "Your latest alert notifications, newest first", Tags: tags, Response: Notification{}, List: true}, s.handleNotifications)
	r.API("POST /api/v1/notifications/{id}/read", web.Op{Summary: "Mark one of your notifications as read", Tags: tags, Status: http.StatusNoContent}, s.handleMarkRead)
	s.pageRoutes(r)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	parts, err := web.DecodeCursor(cursor, 1)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := Filter{State: State(q.Get("state")), Level: Level(q.Get("level")), Area: q.Get("area"), Limit: limit}
	if parts != nil {
		f.Cursor = parts[0]
	}
	items, next, err := s.FindAlerts(r.Context(), r.PathValue("code"), f)
	if err != nil {
		return err
	}
	out := web.List[*Alert]{Items: items}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) error {
	a, err := s.FindAlertByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.SetETag(w, a.Version)
	return web.JSON(w, http.StatusOK, a)
}

func (s *Service) handlePatch(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var upd Update
	if err := web.Decode(r, &upd); err != nil {
		return err
	}
	a, err := s.UpdateAlert(r.Context(), r.PathValue("code"), r.PathValue("id"), upd, version)
	if err != nil {
		return err
	}
	web.SetETag(w, a.Version)
	return web.JSON(w, http.StatusOK, a)
}

// runAt reads the optional ?at= of a run: an RFC 3339 instant or a date
// (its midnight UTC); now when absent.
func (s *Service) runAt(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("at")
	if v == "" {
		return s.db.Now(), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := peaceops.ParseDate(v)
	if err != nil {
		return time.Time{}, peaceops.Invalid([]peaceops.FieldError{{Field: "at", Message: "must be an RFC 3339 instant or a date YYYY-MM-DD"}})
	}
	return d.Time(), nil
}

func (s *Service) handleRun(w http.ResponseWriter, r *http.Request) error {
	at, err := s.runAt(r)
	if err != nil {
		return err
	}
	res, err := s.Run(r.Context(), r.PathValue("code"), at)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

func (s *Service) handleSubscriptions(w http.ResponseWriter, r *http.Request) error {
	subs, err := s.FindSubscriptions(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*Subscription]{Items: subs})
}

func (s *Service) handleSubscribe(w http.ResponseWriter, r *http.Request) error {
	var sub Subscription
	if err := web.Decode(r, &sub); err != nil {
		return err
	}
	sub.ID, sub.Username = "", ""
	code := r.PathValue("code")
	if err := s.Subscribe(r.Context(), code, &sub); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/missions/"+url.PathEscape(code)+"/alerts/subscriptions/"+sub.ID)
	return web.JSON(w, http.StatusCreated, sub)
}

func (s *Service) handleUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := s.Unsubscribe(r.Context(), r.PathValue("code"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) handleNotifications(w http.ResponseWriter, r *http.Request) error {
	list, err := s.FindNotifications(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*Notification]{Items: list})
}

func (s *Service) handleMarkRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.MarkRead(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
