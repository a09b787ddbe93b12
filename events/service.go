package events

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// resourceType is the policy's name for events.
const resourceType = "event"

// Service holds the event operations. Every method takes the actor from
// ctx, checks it against the access policy (resource "event" with the
// event's mission and classification) and runs in one transaction. A
// caller who may not read a mission's events gets ENOTFOUND for all of
// them; events above the caller's clearance do not exist for them, in
// lists, statistics, map cells and exports alike.
//
// A Service is safe for concurrent use.
type Service struct {
	db    *store.DB
	areas *geo.Service
}

// NewService returns a Service over db. Events get their admin areas by
// point-in-polygon from areas (nil: never).
func NewService(db *store.DB, areas *geo.Service) *Service {
	return &Service{db: db, areas: areas}
}

func resource(e *Event) access.Resource {
	return access.Resource{Type: resourceType, Mission: e.Mission, Classification: e.Classification}
}

// clearance returns the highest classification a may read of the events of
// mission: ENOTFOUND when a may read none (EUNAUTHORIZED when anonymous).
func clearance(a peaceops.Actor, mission string) (peaceops.Classification, error) {
	if c := access.Clearance(a, resourceType, mission); c > 0 {
		return c, nil
	}
	if a.Anonymous() {
		return 0, peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	}
	return 0, peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", mission)
}

// findVisible returns the live event id of mission if a may read it, and
// ENOTFOUND (EUNAUTHORIZED when anonymous) otherwise.
func findVisible(ctx context.Context, tx *store.Tx, a peaceops.Actor, mission, id string) (stored, error) {
	if !peaceops.ValidID(id) {
		return stored{}, notFound(id)
	}
	s, err := findEvent(ctx, tx, mission, id)
	if err != nil {
		return stored{}, err
	}
	if err := access.Check(a, access.ActionRead, resource(s.Event)); err != nil {
		if peaceops.ErrorCode(err) == peaceops.EUNAUTHORIZED {
			return stored{}, err
		}
		return stored{}, notFound(id)
	}
	if s.DeletedAt != nil {
		return stored{}, notFound(id)
	}
	return s, nil
}

// CreateEvent validates e (e.Mission set by the caller), gives it an ID,
// version 1 and, when it has a location but no admin areas, the admin 1
// and 2 areas containing it (of e.Country, or else the mission's host
// country), stores it and audits the creation. An event created with a
// status other than reported needs the "verify" action and records the
// actor as verifier. Errors: EINVALID listing every field problem;
// ENOTFOUND when the actor may not see the mission; EFORBIDDEN when they
// may not create events of that classification; ECONFLICT when the
// mission already has an event with the same source and source_id.
func (s *Service) CreateEvent(ctx context.Context, e *Event) error {
	actor := peaceops.ActorFromContext(ctx)
	if e.Status == "" {
		e.Status = StatusReported
	}
	if e.Classification == 0 {
		e.Classification = peaceops.Internal
	}
	if err := access.Check(actor, access.ActionCreate, resource(e)); err != nil {
		return err
	}
	if e.Status != StatusReported {
		if err := access.Check(actor, access.ActionVerify, resource(e)); err != nil {
			return err
		}
		reason := ""
		if e.Verification != nil {
			reason = e.Verification.Reason
		}
		e.Verification = &Verification{By: actor.Name(), At: s.db.Now(), Reason: reason}
	}
	normalize(e)
	e.DeletedAt, e.DeleteReason = nil, ""
	if err := e.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		host, err := findMissionHost(ctx, tx, e.Mission)
		if err != nil {
			return err
		}
		if err := s.newLocator(ctx, host).assign(e); err != nil {
			return err
		}
		e.ID = peaceops.NewIDAt(tx.Now)
		e.CreatedAt, e.UpdatedAt, e.Version = tx.Now, tx.Now, 1
		if e.Verification != nil {
			e.Verification.At = tx.Now
		}
		if err := insertEvents(ctx, tx, []*Event{e}, nil); err != nil {
			return err
		}
		r := rollup{}
		r.add(e, 1)
		if err := r.apply(ctx, tx); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: e.Mission, EntityType: resourceType, EntityID: e.ID, Action: "create", After: e})
	})
}

// FindEventByID returns the event id of mission. It is ENOTFOUND when the
// event does not exist, was deleted, or is not visible to the actor (above
// their clearance, another mission); EUNAUTHORIZED when anonymous. Reading
// a confidential or strictly confidential event is audited (action
// "read").
func (s *Service) FindEventByID(ctx context.Context, mission, id string) (*Event, error) {
	actor := peaceops.ActorFromContext(ctx)
	var out stored
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findVisible(ctx, tx, actor, mission, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Classification >= peaceops.Confidential {
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.Change{Mission: mission, EntityType: resourceType, EntityID: id, Action: "read"})
		})
		if err != nil {
			return nil, err
		}
	}
	return out.Event, nil
}

// FindEvents returns one page of the live events of mission matching f
// that the actor may see, newest first (start descending, then ID
// descending), and the cursor of the next page ("" on the last). Errors:
// ENOTFOUND when the actor may not read the mission's events
// (EUNAUTHORIZED when anonymous); EINVALID for a bad filter or cursor.
func (s *Service) FindEvents(ctx context.Context, mission string, f Filter) ([]*Event, string, error) {
	clear, err := clearance(peaceops.ActorFromContext(ctx), mission)
	if err != nil {
		return nil, "", err
	}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	after, err := decodePosition(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	var out []*Event
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findEvents(ctx, tx, mission, clear, &f, after, f.Limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		last := out[len(out)-1]
		next = web.EncodeCursor(strconv.FormatInt(store.Millis(last.Start), 10), last.ID)
	}
	return out, next, nil
}

func decodePosition(cursor string) (*position, error) {
	parts, err := web.DecodeCursor(cursor, 2)
	if err != nil || parts == nil {
		return nil, err
	}
	start, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "cursor", Message: "is not a cursor returned by this API"}})
	}
	return &position{start: start, id: parts[1]}, nil
}

// eachPage is how many events EachEvent reads per query.
const eachPage = 1000

// EachEvent calls fn for every live event of mission matching f that the
// actor may see, in list order, without limit (f.Limit and f.Cursor are
// ignored): the exports. It reads page by page, each page its own
// transaction, so a slow fn holds no database connection; an event changed
// while the export runs is seen either before or after the change. fn's
// error stops the walk and is returned. Errors as FindEvents.
func (s *Service) EachEvent(ctx context.Context, mission string, f Filter, fn func(*Event) error) error {
	clear, err := clearance(peaceops.ActorFromContext(ctx), mission)
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = eachPage, ""
	if err := f.Validate(); err != nil {
		return err
	}
	var after *position
	for {
		var page []*Event
		err := s.db.View(ctx, func(tx *store.Tx) (err error) {
			page, err = findEvents(ctx, tx, mission, clear, &f, after, eachPage)
			return err
		})
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(page) < eachPage {
			return nil
		}
		last := page[len(page)-1]
		after = &position{start: store.Millis(last.Start), id: last.ID}
	}
}

// UpdateEvent applies upd to the event id of mission if its version is
// still version, and returns the new state. A new location without new
// admin areas gets them anew by point-in-polygon. Changing the status
// needs the "verify" action and records the actor as verifier. Errors:
// ENOTFOUND as FindEventByID; EFORBIDDEN when the actor may read but not
// update the event (or not at its new classification); EPRECONDITION when
// version is stale; EINVALID listing every field problem of the result.
func (s *Service) UpdateEvent(ctx context.Context, mission, id string, upd Update, version int64) (*Event, error) {
	actor := peaceops.ActorFromContext(ctx)
	var out *Event
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findVisible(ctx, tx, actor, mission, id)
		if err != nil {
			return err
		}
		if err := access.Check(actor, access.ActionUpdate, resource(before.Event)); err != nil {
			return err
		}
		if before.Version != version {
			return stale(id, before.Version, version)
		}
		after := upd.Apply(*before.Event)
		if after.Status != before.Status {
			if err := access.Check(actor, access.ActionVerify, resource(before.Event)); err != nil {
				return err
			}
			reason := ""
			if upd.Verification != nil {
				reason = upd.Verification.Reason
			}
			after.Verification = &Verification{By: actor.Name(), At: tx.Now, Reason: reason}
		} else if upd.Verification != nil {
			after.Verification = before.Verification // set only with a change of status
		}
		if after.Classification != before.Classification {
			if err := access.Check(actor, access.ActionUpdate, resource(&after)); err != nil {
				return peaceops.Errorf(peaceops.EFORBIDDEN, "you may not classify events %s", after.Classification)
			}
		}
		if !sameLocation(before.Location, after.Location) && upd.Admin1 == nil && upd.Admin2 == nil {
			after.Admin1, after.Admin2 = AdminRef{}, AdminRef{}
			host, err := findMissionHost(ctx, tx, mission)
			if err != nil {
				return err
			}
			if err := s.newLocator(ctx, host).assign(&after); err != nil {
				return err
			}
		}
		normalize(&after)
		if err := after.Validate(); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		out = &after
		return s.write(ctx, tx, before, stored{Event: &after, importHash: before.importHash, mergedInto: before.mergedInto},
			store.Change{Action: "update"})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func stale(id string, have, want int64) error {
	return peaceops.Errorf(peaceops.EPRECONDITION, "event %s is at version %d, not %d: reload and try again", id, have, want)
}

func sameLocation(a, b *geo.Point) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// write stores after over before (same ID), keeps the rollup in step and
// appends the audit entry c (filled with mission, entity and before/after)
// last, so that on PostgreSQL the audit chain lock is taken after every
// row lock and held only until commit.
func (s *Service) write(ctx context.Context, tx *store.Tx, before, after stored, c store.Change) error {
	actorsChanged := !slices.Equal(before.Actors, after.Actors)
	if err := updateEvent(ctx, tx, after, actorsChanged); err != nil {
		return err
	}
	r := rollup{}
	r.add(before.Event, -1)
	r.add(after.Event, 1)
	if err := r.apply(ctx, tx); err != nil {
		return err
	}
	c.Mission, c.EntityType, c.EntityID = after.Mission, resourceType, after.ID
	if c.Before == nil {
		c.Before = before.Event
	}
	if c.After == nil {
		c.After = after.Event
	}
	return tx.Audit(ctx, c)
}

// MaxReason is the longest delete or verification reason, in characters.
const MaxReason = 2000

func checkReason(reason string, required bool) error {
	switch {
	case required && strings.TrimSpace(reason) == "":
		return peaceops.Invalid([]peaceops.FieldError{{Field: "reason", Message: "is required"}})
	case utf8.RuneCountInString(reason) > MaxReason || !utf8.ValidString(reason):
		return peaceops.Invalid([]peaceops.FieldError{{Field: "reason", Message: fmt.Sprintf("must be valid text of at most %d characters", MaxReason)}})
	}
	return nil
}

// DeleteEvent soft-deletes the event id of mission, recording reason
// (required), if its version is still version. A deleted event no longer
// appears anywhere. Errors: EINVALID without a reason; ENOTFOUND as
// FindEventByID; EFORBIDDEN when the actor may read but not delete it;
// EPRECONDITION when version is stale.
func (s *Service) DeleteEvent(ctx context.Context, mission, id, reason string, version int64) error {
	actor := peaceops.ActorFromContext(ctx)
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, true); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findVisible(ctx, tx, actor, mission, id)
		if err != nil {
			return err
		}
		if err := access.Check(actor, access.ActionDelete, resource(before.Event)); err != nil {
			return err
		}
		if before.Version != version {
			return stale(id, before.Version, version)
		}
		after := *before.Event
		now := tx.Now
		after.DeletedAt, after.DeleteReason = &now, reason
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		return s.write(ctx, tx, before, stored{Event: &after, importHash: before.importHash, mergedInto: before.mergedInto},
			store.Change{Action: "delete", After: map[string]any{"reason": reason, "version": after.Version}})
	})
}

// Verify is a verification decision: the new status and why.
type Verify struct {
	Status Status `json:"status"`
	Reason string `json:"reason"`
}

// VerifyEvent sets the status of the event id of mission (reported,
// verified, disputed or rejected, in any direction) if its version is still
// version, recording the actor, the time and the reason (required to
// reject), and returns the new state. Errors: EINVALID for a bad status or
// a missing reason; ENOTFOUND as FindEventByID; EFORBIDDEN when the actor
// may read but not verify; EPRECONDITION when version is stale.
func (s *Service) VerifyEvent(ctx context.Context, mission, id string, v Verify, version int64) (*Event, error) {
	actor := peaceops.ActorFromContext(ctx)
	v.Reason = strings.TrimSpace(v.Reason)
	if !v.Status.Valid() {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "status", Message: "must be one of reported, verified, disputed, rejected"}})
	}
	if err := checkReason(v.Reason, v.Status == StatusRejected); err != nil {
		return nil, err
	}
	var out *Event
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findVisible(ctx, tx, actor, mission, id)
		if err != nil {
			return err
		}
		if err := access.Check(actor, access.ActionVerify, resource(before.Event)); err != nil {
			return err
		}
		if before.Version != version {
			return stale(id, before.Version, version)
		}
		after := *before.Event
		after.Status = v.Status
		after.Verification = &Verification{By: actor.Name(), At: tx.Now, Reason: v.Reason}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		out = &after
		return s.write(ctx, tx, before, stored{Event: &after, importHash: before.importHash, mergedInto: before.mergedInto},
			store.Change{Action: "verify"})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// locator assigns admin areas by point-in-polygon, loading one index per
// country.
type locator struct {
	ctx     context.Context
	areas   *geo.Service
	host    string
	indexes map[string]*geo.Index
}

func (s *Service) newLocator(ctx context.Context, host string) *locator {
	return &locator{ctx: ctx, areas: s.areas, host: host, indexes: map[string]*geo.Index{}}
}

// assign fills the admin 1 and 2 areas of e from its location when both are
// missing, or admin 2 alone when admin 1 is given and contains it. The
// country is e's, or else the mission's host country.
func (l *locator) assign(e *Event) error {
	if l.areas == nil || e.Location == nil || !e.Admin2.IsZero() {
		return nil
	}
	country := e.Country
	if country == "" {
		country = l.host
	}
	ix, ok := l.indexes[country]
	if !ok {
		var err error
		if _, known := geo.CountryName(country); known {
			if ix, err = l.areas.Locator(l.ctx, country); err != nil {
				return err
			}
		}
		l.indexes[country] = ix
	}
	if ix == nil || ix.Len() == 0 {
		return nil
	}
	a2, found2 := ix.LocateLevel(*e.Location, 2)
	if e.Admin1.IsZero() {
		if a1, ok := ix.LocateLevel(*e.Location, 1); ok {
			e.Admin1 = AdminRef{PCode: a1.PCode, Name: a1.Name}
		}
	}
	if found2 && (e.Admin1.IsZero() || a2.ParentPCode == "" || a2.ParentPCode == e.Admin1.PCode) {
		e.Admin2 = AdminRef{PCode: a2.PCode, Name: a2.Name}
	}
	return nil
}
