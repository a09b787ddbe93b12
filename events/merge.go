package events

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// Merging duplicates and linking related events.

// Link relations.
const (
	RelationRelated            = "related"
	RelationFollowUp           = "follow_up"
	RelationDuplicateCandidate = "duplicate_candidate"
	RelationMergedInto         = "merged_into" // made by MergeEvents only
)

// Relations lists the relations LinkEvents accepts.
var Relations = []string{RelationRelated, RelationFollowUp, RelationDuplicateCandidate}

// maxMerge is the most events one merge takes.
const maxMerge = 100

// MergeEvents merges the events mergeIDs into keepID, all of mission: the
// kept event gains their sources and actors (without repeats) and a new
// version; each merged event is soft-deleted with the reason "merged into
// <keepID>" and linked to it (relation merged_into). Merging needs the
// "update" action on every event involved. It returns the kept event.
// Errors: EINVALID for an empty or repeating list or one holding keepID;
// ENOTFOUND when an event is absent, deleted or not visible; EFORBIDDEN.
func (s *Service) MergeEvents(ctx context.Context, mission, keepID string, mergeIDs []string) (*Event, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := checkMerge(keepID, mergeIDs); err != nil {
		return nil, err
	}
	var out *Event
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		keep, err := findVisible(ctx, tx, actor, mission, keepID)
		if err != nil {
			return err
		}
		merged := make([]stored, len(mergeIDs))
		for i, id := range mergeIDs {
			if merged[i], err = findVisible(ctx, tx, actor, mission, id); err != nil {
				return err
			}
		}
		for _, e := range append([]stored{keep}, merged...) {
			if err := access.Check(actor, access.ActionUpdate, resource(e.Event)); err != nil {
				return err
			}
		}
		after := *keep.Event
		after.Sources, after.Actors = slices.Clone(keep.Sources), slices.Clone(keep.Actors)
		for _, m := range merged {
			after.Sources = appendNew(after.Sources, m.Sources...)
			after.Actors = appendActors(after.Actors, m.Actors...)
		}
		after.UpdatedAt, after.Version = tx.Now, keep.Version+1
		if err := after.Validate(); err != nil {
			return err
		}
		r := rollup{}
		var audits []store.Change
		if err := updateEvent(ctx, tx, stored{Event: &after, importHash: keep.importHash, mergedInto: keep.mergedInto}, !slices.Equal(keep.Actors, after.Actors)); err != nil {
			return err
		}
		r.add(keep.Event, -1)
		r.add(&after, 1)
		audits = append(audits, store.Change{Mission: mission, EntityType: resourceType, EntityID: keepID, Action: "merge",
			Before: keep.Event, After: map[string]any{"event": &after, "merged": mergeIDs}})
		now := tx.Now
		for _, m := range merged {
			gone := *m.Event
			gone.DeletedAt, gone.DeleteReason = &now, "merged into "+keepID
			gone.UpdatedAt, gone.Version = tx.Now, m.Version+1
			if err := updateEvent(ctx, tx, stored{Event: &gone, importHash: m.importHash, mergedInto: keepID}, false); err != nil {
				return err
			}
			r.add(m.Event, -1)
			if err := insertLink(ctx, tx, mission, Link{Event: m.ID, Other: keepID, Relation: RelationMergedInto, CreatedBy: actor.Name(), CreatedAt: tx.Now}); err != nil {
				return err
			}
			audits = append(audits, store.Change{Mission: mission, EntityType: resourceType, EntityID: m.ID, Action: "merge",
				Before: m.Event, After: map[string]any{"merged_into": keepID, "version": gone.Version}})
		}
		if err := r.apply(ctx, tx); err != nil {
			return err
		}
		for _, c := range audits {
			if err := tx.Audit(ctx, c); err != nil {
				return err
			}
		}
		out = &after
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkMerge(keepID string, mergeIDs []string) error {
	var p problems
	if keepID == "" {
		p.add("keep", "is required")
	}
	switch {
	case len(mergeIDs) == 0:
		p.add("merge", "must list at least one event")
	case len(mergeIDs) > maxMerge:
		p.add("merge", fmt.Sprintf("must list at most %d events", maxMerge))
	}
	seen := map[string]bool{}
	for i, id := range mergeIDs {
		switch {
		case id == keepID:
			p.add(fmt.Sprintf("merge[%d]", i), "is the event kept")
		case seen[id]:
			p.add(fmt.Sprintf("merge[%d]", i), "repeats an event")
		}
		seen[id] = true
	}
	return peaceops.Invalid(p)
}

func appendNew[T comparable](list []T, items ...T) []T {
	for _, x := range items {
		if !slices.Contains(list, x) {
			list = append(list, x)
		}
	}
	return list
}

// appendActors adds the actors not yet listed with the same name and role.
func appendActors(list []ActorRef, items ...ActorRef) []ActorRef {
	for _, x := range items {
		if !slices.ContainsFunc(list, func(a ActorRef) bool { return a.Name == x.Name && a.Role == x.Role }) {
			list = append(list, x)
		}
	}
	return list
}

// LinkEvents records that the event id of mission relates to otherID as
// relation (related, follow_up or duplicate_candidate). It needs the
// "update" action on id and sight of otherID. Errors: EINVALID for a bad
// relation or a link to itself; ENOTFOUND as FindEventByID for either
// event; EFORBIDDEN; ECONFLICT when the same link exists.
func (s *Service) LinkEvents(ctx context.Context, mission, id, otherID, relation string) error {
	actor := peaceops.ActorFromContext(ctx)
	var p problems
	if !slices.Contains(Relations, relation) {
		p.add("relation", "must be one of "+strings.Join(Relations, ", "))
	}
	if otherID == "" {
		p.add("other", "is required")
	} else if otherID == id {
		p.add("other", "must be another event")
	}
	if err := peaceops.Invalid(p); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		e, err := findVisible(ctx, tx, actor, mission, id)
		if err != nil {
			return err
		}
		if _, err := findVisible(ctx, tx, actor, mission, otherID); err != nil {
			return err
		}
		if err := access.Check(actor, access.ActionUpdate, resource(e.Event)); err != nil {
			return err
		}
		l := Link{Event: id, Other: otherID, Relation: relation, CreatedBy: actor.Name(), CreatedAt: tx.Now}
		if err := insertLink(ctx, tx, mission, l); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: resourceType, EntityID: id, Action: "link", After: l})
	})
}

// FindLinks returns the links from and to the event id of mission whose
// other event the actor may see (merged events included), oldest first.
// Errors as FindEventByID.
func (s *Service) FindLinks(ctx context.Context, mission, id string) ([]Link, error) {
	actor := peaceops.ActorFromContext(ctx)
	var out []Link
	err := s.db.View(ctx, func(tx *store.Tx) error {
		if _, err := findVisible(ctx, tx, actor, mission, id); err != nil {
			return err
		}
		var err error
		out, err = findLinks(ctx, tx, mission, id, access.Clearance(actor, resourceType, mission))
		return err
	})
	return out, err
}
