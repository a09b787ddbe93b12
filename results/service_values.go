package results

import (
	"context"
	"slices"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// EnterValue records the value of indicator indicatorID for e's period and
// cell, replacing the value already there (which goes back to "entered").
// Members of the indicator's responsible section may enter values, and so
// may those who approve them (planners, mission-admins); other members get
// EFORBIDDEN. Errors: EINVALID (a period not of the indicator's frequency,
// a cell that does not exist, a value the unit does not allow: every
// problem at once; values of a computed indicator), ECONFLICT (the period
// is locked), ENOTFOUND.
func (s *Service) EnterValue(ctx context.Context, mission, indicatorID string, e Entry) (*Measurement, error) {
	var out *Measurement
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		in, err := s.visibleIndicator(ctx, tx, mission, indicatorID)
		if err != nil {
			return err
		}
		if err := s.mayEnter(ctx, tx, in); err != nil {
			return err
		}
		out, err = enter(ctx, tx, in, e)
		return err
	})
	return out, err
}

// enter stores e as the value of in (checked, unlocked) and audits it.
func enter(ctx context.Context, tx *store.Tx, in *Indicator, e Entry) (*Measurement, error) {
	a := peaceops.ActorFromContext(ctx)
	if in.IsComputed() {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "value", Message: "indicator " + in.Code + " is computed from events: its values cannot be entered"}})
	}
	per, err := e.check(in)
	if err != nil {
		return nil, err
	}
	if err := checkUnlocked(ctx, tx, in.Mission, per); err != nil {
		return nil, err
	}
	cell := e.Cell.String()
	before, err := findMeasurementAt(ctx, tx, in.ID, per.Key, cell)
	if err != nil {
		return nil, err
	}
	m := &Measurement{Mission: in.Mission, IndicatorID: in.ID, Period: per.Key, PeriodStart: per.Start, PeriodEnd: per.End, Cell: cell,
		Value: e.Value, EvidenceNote: strings.TrimSpace(e.EvidenceNote), EvidenceLink: strings.TrimSpace(e.EvidenceLink),
		State: StateEntered, EnteredBy: a.Name(), UpdatedAt: tx.Now}
	action := "create"
	if before == nil {
		m.ID, m.CreatedAt, m.Version = string(peaceops.NewIDAt(tx.Now)), tx.Now, 1
		err = insertMeasurement(ctx, tx, m)
	} else {
		action = "update"
		m.ID, m.CreatedAt, m.Version = before.ID, before.CreatedAt, before.Version+1
		err = updateMeasurement(ctx, tx, m)
	}
	if err != nil {
		return nil, err
	}
	return m, tx.Audit(ctx, store.Change{Mission: in.Mission, EntityType: "results_measurement", EntityID: m.ID, Action: action, Before: before, After: m})
}

// mayEnter says whether the actor may enter values of in.
func (s *Service) mayEnter(ctx context.Context, tx *store.Tx, in *Indicator) error {
	a := peaceops.ActorFromContext(ctx)
	r := ms(in.Mission, in.Classification)
	if err := access.Check(a, access.ActionCreate, r); err != nil {
		return err
	}
	if access.Can(a, access.ActionApprove, r) {
		return nil
	}
	ok, err := isSectionMember(ctx, tx, in.Mission, in.Section, a.Username)
	if err != nil {
		return err
	}
	if !ok {
		return peaceops.Errorf(peaceops.EFORBIDDEN, "only members of section %s enter the values of indicator %s", in.Section, in.Code)
	}
	return nil
}

// CanEnter reports whether the actor may enter values of in.
func (s *Service) CanEnter(ctx context.Context, in *Indicator) bool {
	err := s.db.View(ctx, func(tx *store.Tx) error { return s.mayEnter(ctx, tx, in) })
	return err == nil
}

func checkUnlocked(ctx context.Context, tx *store.Tx, mission string, per Period) error {
	lock, err := findLock(ctx, tx, mission)
	if err != nil {
		return err
	}
	if !lock.LockedThrough.IsZero() && !lock.LockedThrough.Before(per.End) {
		return peaceops.Errorf(peaceops.ECONFLICT, "period %s is locked (values are locked through %s)", per.Key, lock.LockedThrough)
	}
	return nil
}

// DecideValue approves or returns value id if its version is still
// version (planners and mission-admins: EFORBIDDEN for others). Errors:
// EINVALID (a return without reason), ECONFLICT (locked period),
// EPRECONDITION, ENOTFOUND.
func (s *Service) DecideValue(ctx context.Context, mission, id string, d Decision, version int64) (*Measurement, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	var out *Measurement
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findMeasurement(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		in, err := s.visibleIndicator(ctx, tx, mission, before.IndicatorID)
		if err != nil {
			return notFound("value", id)
		}
		if err := access.Check(peaceops.ActorFromContext(ctx), access.ActionApprove, ms(mission, in.Classification)); err != nil {
			return err
		}
		if before.Version != version {
			return stale("value", id, before.Version, version)
		}
		if err := checkUnlocked(ctx, tx, mission, Period{Key: before.Period, Start: before.PeriodStart, End: before.PeriodEnd}); err != nil {
			return err
		}
		after := *before
		after.State, after.ReturnReason = d.State, ""
		if d.State == StateReturned {
			after.ReturnReason = d.Reason
		}
		after.DecidedBy = peaceops.ActorFromContext(ctx).Name()
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateMeasurement(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_measurement", EntityID: id, Action: string(d.State), Before: before, After: after})
	})
	return out, err
}

// FindValues returns the entered values of indicator indicatorID, by
// period and cell.
func (s *Service) FindValues(ctx context.Context, mission, indicatorID string) ([]*Measurement, error) {
	var out []*Measurement
	err := s.db.View(ctx, func(tx *store.Tx) error {
		in, err := s.visibleIndicator(ctx, tx, mission, indicatorID)
		if err != nil {
			return err
		}
		if err := access.Check(peaceops.ActorFromContext(ctx), access.ActionRead, ms(mission, in.Classification)); err != nil {
			return err
		}
		out, err = findMeasurements(ctx, tx, mission, in.ID)
		return err
	})
	return out, err
}

// allValues returns every value of the mission's visible indicators.
func (s *Service) allValues(ctx context.Context, mission string, visible []*Indicator) (map[string][]*Measurement, error) {
	var list []*Measurement
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		list, err = findMeasurements(ctx, tx, mission, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	out := map[string][]*Measurement{}
	for _, m := range list {
		if slices.ContainsFunc(visible, func(in *Indicator) bool { return in.ID == m.IndicatorID }) {
			out[m.IndicatorID] = append(out[m.IndicatorID], m)
		}
	}
	return out, nil
}

// FindLock returns the date through which the mission's values are locked.
func (s *Service) FindLock(ctx context.Context, mission string) (Lock, error) {
	if _, err := s.readable(ctx, mission); err != nil {
		return Lock{}, err
	}
	var l Lock
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		l, err = findLock(ctx, tx, mission)
		return err
	})
	return l, err
}

// LockThrough locks every value of a period ending on or before through:
// no entry, change or decision afterwards. Approvers (planners,
// mission-admins) may move the lock forward; moving it back (unlocking)
// is for mission-admins ("manage"). Errors: EINVALID without a date,
// EFORBIDDEN, ENOTFOUND.
func (s *Service) LockThrough(ctx context.Context, mission string, through peaceops.Date) (Lock, error) {
	if through.IsZero() {
		return Lock{}, peaceops.Invalid([]peaceops.FieldError{{Field: "locked_through", Message: "is required (YYYY-MM-DD)"}})
	}
	a := peaceops.ActorFromContext(ctx)
	if err := s.can(ctx, mission, access.ActionApprove, ms(mission, peaceops.Internal)); err != nil {
		return Lock{}, err
	}
	l := Lock{LockedThrough: through, LockedBy: a.Name()}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findLock(ctx, tx, mission)
		if err != nil {
			return err
		}
		if through.Before(before.LockedThrough) {
			if err := access.Check(a, access.ActionManage, ms(mission, peaceops.Internal)); err != nil {
				return peaceops.Errorf(peaceops.EFORBIDDEN, "only mission administrators may unlock periods (locked through %s)", before.LockedThrough)
			}
		}
		if err := setLock(ctx, tx, mission, l); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "results_lock", EntityID: mission, Action: "lock", Before: before, After: l})
	})
	return l, err
}
