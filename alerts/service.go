package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// resourceType is the policy's name for alerts.
const resourceType = "alert"

// Options configure a Service. Zero fields take defaults.
type Options struct {
	// Params tune detection (see Params); the zero value is the default
	// method: 4 recent weeks against 52 weeks of history, alpha 0.01.
	Params Params
	// SMTP, when set, sends each notification to the subscription's mail
	// address as well; nil sends no mail.
	SMTP *SMTPConfig
	// Logger receives what runs and mail delivery report; nil discards.
	Logger *slog.Logger
	// BaseURL (e.g. https://peaceops.minusca.example) starts the links in
	// mails; without it they carry the path only.
	BaseURL string
	// Access and Missions are the services of the same database, for
	// memberships (owners, notified users) and the missions themselves;
	// nil makes the Service build its own.
	Access   *access.Service
	Missions *missions.Service
}

// Service is the early-warning capability: it turns the events of a
// mission into alerts (Run, Schedule), lets people handle them (UpdateAlert)
// and tells subscribers (notifications, mail). Every method takes the actor
// from ctx and checks it against the access policy. It is safe for
// concurrent use.
type Service struct {
	db       *store.DB
	events   *events.Service
	access   *access.Service
	missions *missions.Service
	params   Params
	smtp     *SMTPConfig
	log      *slog.Logger
	baseURL  string
	pages    *web.Pages
	mail     chan struct{} // one mail delivery at a time per process
}

// NewService returns a Service over db that reads events through ev. It
// panics when opts.Params is invalid, a configuration error caught at
// startup.
func NewService(db *store.DB, ev *events.Service, opts Options) *Service {
	if err := opts.Params.Validate(); err != nil {
		panic("alerts: Options.Params: " + err.Error())
	}
	if opts.Access == nil {
		opts.Access = access.NewService(db, access.Options{})
	}
	if opts.Missions == nil {
		opts.Missions = missions.NewService(db, opts.Access)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		db: db, events: ev, access: opts.Access, missions: opts.Missions,
		params: opts.Params, smtp: opts.SMTP, log: log,
		baseURL: strings.TrimSuffix(opts.BaseURL, "/"),
		pages:   newPages(), mail: make(chan struct{}, 1),
	}
}

// Params returns the detection parameters in use, defaults filled in.
func (s *Service) Params() Params { return s.params }

func resource(mission string, c peaceops.Classification) access.Resource {
	return access.Resource{Type: resourceType, Mission: mission, Classification: c}
}

// mission checks that the mission exists and that the actor may do act on
// its alerts of classification c: ENOTFOUND for a mission they cannot see,
// EFORBIDDEN for one they see but may not act in, EUNAUTHORIZED when
// anonymous.
func (s *Service) mission(ctx context.Context, code string, act access.Action, c peaceops.Classification) error {
	if _, err := s.missions.FindMissionByCode(ctx, code); err != nil {
		return err
	}
	return access.Check(peaceops.ActorFromContext(ctx), act, resource(code, c))
}

// canRun reports why the actor may not run detection in mission, or nil:
// a run creates alerts and updates the open ones, so it needs both.
func canRun(a peaceops.Actor, mission string) error {
	for _, act := range []access.Action{access.ActionCreate, access.ActionUpdate} {
		if err := access.Check(a, act, resource(mission, peaceops.Internal)); err != nil {
			return err
		}
	}
	return nil
}

// FindAlerts returns the alerts of mission matching f that the actor may
// read, newest first, and the ID to pass as f.Cursor for the next page (""
// on the last). Errors: EINVALID (bad filter), ENOTFOUND (mission unknown
// or not visible), EUNAUTHORIZED.
func (s *Service) FindAlerts(ctx context.Context, mission string, f Filter) ([]*Alert, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	if err := s.mission(ctx, mission, access.ActionRead, peaceops.Public); err != nil {
		return nil, "", err
	}
	clearance := access.Clearance(peaceops.ActorFromContext(ctx), resourceType, mission)
	var out []*Alert
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findAlerts(ctx, tx, mission, clearance, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// FindAlertByID returns one alert of mission. An alert the actor may not
// read is ENOTFOUND, like one that does not exist.
func (s *Service) FindAlertByID(ctx context.Context, mission, id string) (*Alert, error) {
	if err := s.mission(ctx, mission, access.ActionRead, peaceops.Public); err != nil {
		return nil, err
	}
	var a *Alert
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		a, err = findAlert(ctx, tx, mission, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !access.Can(peaceops.ActorFromContext(ctx), access.ActionRead, resource(mission, a.Classification)) {
		return nil, alertNotFound(id)
	}
	return a, nil
}

func alertNotFound(id string) error {
	return peaceops.Errorf(peaceops.ENOTFOUND, "alert %s not found", id)
}

// UpdateAlert applies upd to an alert of mission if it is still at version
// (EPRECONDITION otherwise) and returns the new state, audited as one
// "update". A state change must follow the handling order (open ->
// acknowledged -> resolved or dismissed, and back to open); an owner must
// be a member of the mission. Errors: EINVALID (every field problem),
// ENOTFOUND, EFORBIDDEN (may read but not update), EPRECONDITION.
func (s *Service) UpdateAlert(ctx context.Context, mission, id string, upd Update, version int64) (*Alert, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	if err := s.mission(ctx, mission, access.ActionRead, peaceops.Public); err != nil {
		return nil, err
	}
	actor := peaceops.ActorFromContext(ctx)
	if upd.Owner != nil && *upd.Owner != "" {
		if err := s.checkMember(ctx, mission, *upd.Owner); err != nil {
			return nil, err
		}
	}
	var out *Alert
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findAlert(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		res := resource(mission, before.Classification)
		if !access.Can(actor, access.ActionRead, res) {
			return alertNotFound(id)
		}
		if err := access.Check(actor, access.ActionUpdate, res); err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "alert %s is at version %d, not %d: reload and try again", id, before.Version, version)
		}
		after := *before
		after.Notes = slices.Clone(before.Notes)
		if upd.State != nil && *upd.State != before.State {
			if !before.State.CanMove(*upd.State) {
				return peaceops.Invalid([]peaceops.FieldError{{Field: "state",
					Message: fmt.Sprintf("an alert that is %s cannot become %s", before.State, *upd.State)}})
			}
			after.State, after.StateReason = *upd.State, ""
		}
		if upd.Owner != nil {
			after.Owner = *upd.Owner
		}
		if upd.Note != nil {
			after.Notes = append(after.Notes, Note{By: actor.Name(), At: tx.Now, Text: strings.TrimSpace(*upd.Note)})
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateAlert(ctx, tx, &after, before.Version); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: resourceType, EntityID: id, Action: "update", Before: before, After: after})
	})
	return out, err
}

// checkMember returns EINVALID (field owner) unless username is a member
// of mission.
func (s *Service) checkMember(ctx context.Context, mission, username string) error {
	members, err := s.access.FindMembers(ctx, mission)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Username == username {
			return nil
		}
	}
	return peaceops.Invalid([]peaceops.FieldError{{Field: "owner", Message: fmt.Sprintf("%s is not a member of %s", username, mission)}})
}

// user returns the acting user, or the error for actors who are not one
// (anonymous: EUNAUTHORIZED; the system actor: EINVALID).
func user(ctx context.Context) (peaceops.Actor, error) {
	a := peaceops.ActorFromContext(ctx)
	switch {
	case a.Anonymous():
		return a, peaceops.Errorf(peaceops.EUNAUTHORIZED, "sign in to manage notifications")
	case a.UserID == "":
		return a, peaceops.Errorf(peaceops.EINVALID, "only a user has subscriptions and notifications")
	}
	return a, nil
}

// Subscribe stores sub for the acting user in mission, replacing the
// user's subscription to the same area and category (so subscribing twice
// changes the level or address, never duplicates). Any member who may read
// the mission's alerts may subscribe. Errors: EINVALID, ENOTFOUND,
// EUNAUTHORIZED.
func (s *Service) Subscribe(ctx context.Context, mission string, sub *Subscription) error {
	a, err := user(ctx)
	if err != nil {
		return err
	}
	if err := sub.Validate(); err != nil {
		return err
	}
	if err := s.mission(ctx, mission, access.ActionRead, peaceops.Internal); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		sub.ID, sub.Mission, sub.Username, sub.CreatedAt = peaceops.NewIDAt(tx.Now), mission, a.Username, tx.Now
		if err := upsertSubscription(ctx, tx, a.UserID, sub); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "alert_subscription", EntityID: sub.ID, Action: "create", After: sub})
	})
}

// Unsubscribe deletes the acting user's subscription id in mission.
// Another user's subscription is ENOTFOUND.
func (s *Service) Unsubscribe(ctx context.Context, mission, id string) error {
	a, err := user(ctx)
	if err != nil {
		return err
	}
	if err := s.mission(ctx, mission, access.ActionRead, peaceops.Public); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		sub, err := deleteSubscription(ctx, tx, mission, a.UserID, id)
		if err != nil {
			return err
		}
		sub.Username = a.Username
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "alert_subscription", EntityID: id, Action: "delete", Before: sub})
	})
}

// FindSubscriptions returns the acting user's subscriptions in mission.
func (s *Service) FindSubscriptions(ctx context.Context, mission string) ([]*Subscription, error) {
	a, err := user(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.mission(ctx, mission, access.ActionRead, peaceops.Public); err != nil {
		return nil, err
	}
	var out []*Subscription
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findSubscriptions(ctx, tx, mission, a.UserID)
		return err
	})
	for _, sub := range out {
		sub.Username = a.Username
	}
	return out, err
}

// MaxNotifications is how many of the latest notifications
// FindNotifications returns.
const MaxNotifications = 200

// FindNotifications returns the acting user's latest notifications
// (MaxNotifications at most), newest first, leaving out those of missions
// whose alerts the user may no longer read.
func (s *Service) FindNotifications(ctx context.Context) ([]*Notification, error) {
	a, err := user(ctx)
	if err != nil {
		return nil, err
	}
	var list []*Notification
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		list, err = findNotifications(ctx, tx, a.UserID, MaxNotifications)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, n := range list {
		if access.Can(a, access.ActionRead, resource(n.Mission, peaceops.Internal)) {
			out = append(out, n)
		}
	}
	return out, nil
}

// MarkRead marks the acting user's notification id as read (again: no
// change). Another user's notification is ENOTFOUND.
func (s *Service) MarkRead(ctx context.Context, id string) error {
	a, err := user(ctx)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		mission, changed, err := markRead(ctx, tx, a.UserID, id)
		if err != nil || !changed {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "alert_notification", EntityID: id, Action: "read"})
	})
}
