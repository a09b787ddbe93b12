package forces

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
)

// RecordReturns stores strength returns of mission (replacing earlier
// returns of the same month, contributor, category and sex) and audits
// them as one change. Every bad return is reported (EINVALID, fields
// "returns[i].field"); nothing is written then.
func (s *Service) RecordReturns(ctx context.Context, mission string, rs []Return) error {
	if err := check(ctx, access.ActionCreate, countsRes(mission)); err != nil {
		return err
	}
	var errs []peaceops.FieldError
	for i := range rs {
		for _, fe := range peaceops.ErrorFields(rs[i].Validate()) {
			errs = append(errs, peaceops.FieldError{Field: fmt.Sprintf("returns[%d].%s", i, fe.Field), Message: fe.Message})
		}
	}
	if len(rs) == 0 {
		errs = append(errs, peaceops.FieldError{Field: "returns", Message: "give at least one return"})
	}
	if err := peaceops.Invalid(errs); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := writeStrength(ctx, tx, strengthUpsert, mission, rs); err != nil {
			return err
		}
		var months []Month
		for _, r := range rs {
			if !slices.Contains(months, r.Month) {
				months = append(months, r.Month)
			}
		}
		if err := refreshTotals(ctx, tx, mission, months); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "strength", EntityID: mission, Action: "record", After: rs})
	})
}

// Strength returns the mission's strength per month from..to (inclusive,
// "" for no bound), with the ceilings in force at each month's end.
func (s *Service) Strength(ctx context.Context, mission string, from, to Month) ([]StrengthPoint, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, err
	}
	var cells []strengthCell
	var stored []Ceiling
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if cells, err = strengthByMonth(ctx, tx, mission, from, to); err != nil {
			return err
		}
		stored, err = findCeilings(ctx, tx, mission)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []StrengthPoint
	for _, c := range cells {
		if len(out) == 0 || out[len(out)-1].Month != c.Month {
			out = append(out, StrengthPoint{Month: c.Month, ByCategory: map[Category]int{}, Deployed: map[CeilingCategory]int{}})
		}
		p := &out[len(out)-1]
		p.Total += c.Personnel
		p.ByCategory[c.Category] += c.Personnel
		if c.Sex == SexFemale {
			p.Women += c.Personnel
		}
		if cc, ok := c.Category.Ceiling(); ok {
			p.Deployed[cc] += c.Personnel
		}
	}
	if err := s.fillCeilings(ctx, mission, out, stored); err != nil {
		return nil, err
	}
	if out == nil {
		out = []StrengthPoint{}
	}
	return out, nil
}

// ceilingWorkers bounds the concurrent calls of the ceiling source: one
// call per month (180 for 15 years) is the contract's grain, and they are
// independent reads.
const ceilingWorkers = 4

// fillCeilings sets the ceilings of every point.
func (s *Service) fillCeilings(ctx context.Context, mission string, points []StrengthPoint, stored []Ceiling) error {
	// A source that answers many days at once reads its resolutions once.
	if many, ok := s.ceilings.(interface {
		CeilingsOnDays(ctx context.Context, mission string, days []peaceops.Date) ([]map[string]int, error)
	}); ok && len(points) > 0 {
		days := make([]peaceops.Date, len(points))
		for i := range points {
			days[i] = points[i].Month.LastDay()
		}
		all, err := many.CeilingsOnDays(ctx, mission, days)
		if err != nil {
			return fmt.Errorf("forces: ceilings of %s: %w", mission, err)
		}
		for i := range points {
			points[i].Ceilings = map[CeilingCategory]int{}
			for k, v := range all[i] {
				if c := CeilingCategory(k); c.Valid() {
					points[i].Ceilings[c] = v
				}
			}
			if len(points[i].Ceilings) == 0 {
				points[i].Ceilings = storedCeilings(days[i], stored)
			}
		}
		return nil
	}
	if s.ceilings == nil || len(points) < 2 {
		for i := range points {
			c, err := s.ceilingsOn(ctx, mission, points[i].Month.LastDay(), stored)
			if err != nil {
				return err
			}
			points[i].Ceilings = c
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, len(points))
	next := make(chan int)
	for range min(ceilingWorkers, len(points)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				points[i].Ceilings, errs[i] = s.ceilingsOn(ctx, mission, points[i].Month.LastDay(), stored)
			}
		}()
	}
	for i := range points {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// ceilingsOn returns the ceilings in force on a date: from the mandates
// when the service has a source and a resolution is in force, else from
// the ceilings entered on the mission.
func (s *Service) ceilingsOn(ctx context.Context, mission string, on peaceops.Date, stored []Ceiling) (map[CeilingCategory]int, error) {
	out := map[CeilingCategory]int{}
	if s.ceilings != nil {
		m, err := s.ceilings.CeilingsOn(ctx, mission, on)
		if err != nil {
			return nil, fmt.Errorf("forces: ceilings of %s on %s: %w", mission, on, err)
		}
		for k, v := range m {
			if c := CeilingCategory(k); c.Valid() {
				out[c] = v
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return storedCeilings(on, stored), nil
}

// storedCeilings returns the ceilings entered on the mission in effect on
// a date.
func storedCeilings(on peaceops.Date, stored []Ceiling) map[CeilingCategory]int {
	out := map[CeilingCategory]int{}
	for _, c := range stored { // in effective order: the last one not after on wins
		if !on.Before(c.Effective) {
			out[c.Category] = c.Ceiling
		}
	}
	return out
}

// Contributions returns who contributes what to the mission in month (the
// latest month with returns when month is ""), largest first, and the
// month used.
func (s *Service) Contributions(ctx context.Context, mission string, month Month) ([]Contribution, Month, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, "", err
	}
	if month != "" && !month.Valid() {
		return nil, "", peaceops.Invalid([]peaceops.FieldError{{Field: "month", Message: "must be a month of the form YYYY-MM"}})
	}
	var cells []strengthCell
	var units map[string]int
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if month == "" {
			if month, err = latestMonth(ctx, tx, mission); err != nil {
				return err
			}
		}
		if cells, err = strengthOfMonth(ctx, tx, mission, month); err != nil {
			return err
		}
		units, err = unitsByCountry(ctx, tx, mission)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	byCountry := map[string]*Contribution{}
	for _, c := range cells {
		k := byCountry[c.Country]
		if k == nil {
			name, _ := geo.CountryName(c.Country)
			k = &Contribution{Country: c.Country, Name: name, ByCategory: map[Category]int{}, Units: units[c.Country]}
			byCountry[c.Country] = k
		}
		k.Total += c.Personnel
		k.ByCategory[c.Category] += c.Personnel
		if c.Sex == SexFemale {
			k.Women += c.Personnel
		}
	}
	out := []Contribution{}
	for _, k := range byCountry {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b Contribution) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Country, b.Country))
	})
	return out, month, nil
}

// SetCeiling enters an authorised ceiling on the mission (used when no
// mandate service supplies them).
func (s *Service) SetCeiling(ctx context.Context, mission string, c Ceiling) error {
	if err := check(ctx, access.ActionUpdate, countsRes(mission)); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := upsertCeiling(ctx, tx, mission, c); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "ceiling", EntityID: string(c.Category) + "@" + c.Effective.String(), Action: "set", After: c})
	})
}

// Ceilings returns the ceilings entered on the mission, by effective date.
func (s *Service) Ceilings(ctx context.Context, mission string) ([]Ceiling, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, err
	}
	var out []Ceiling
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findCeilings(ctx, tx, mission)
		return err
	})
	return out, err
}

// SetGenderTarget enters the mission's target for a year and group.
func (s *Service) SetGenderTarget(ctx context.Context, mission string, t GenderTarget) error {
	if err := check(ctx, access.ActionUpdate, countsRes(mission)); err != nil {
		return err
	}
	t.Default = false
	if err := t.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := upsertGenderTarget(ctx, tx, mission, t); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "gender_target", EntityID: fmt.Sprintf("%s@%d", t.Category, t.Year), Action: "set", After: t})
	})
}

// GenderTargets returns the targets of year for every group: entered ones,
// else the defaults (DefaultGenderTargets).
func (s *Service) GenderTargets(ctx context.Context, mission string, year int) ([]GenderTarget, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, err
	}
	var entered map[int]map[CeilingCategory]int
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		entered, err = findGenderTargets(ctx, tx, mission)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]GenderTarget, 0, len(CeilingCategories))
	for _, c := range CeilingCategories {
		bp, def := targetOf(entered, year, c)
		out = append(out, GenderTarget{Year: year, Category: c, BP: bp, Default: def})
	}
	return out, nil
}

func targetOf(entered map[int]map[CeilingCategory]int, year int, c CeilingCategory) (bp int, isDefault bool) {
	if bp, ok := entered[year][c]; ok {
		return bp, false
	}
	return DefaultGenderTargets(year)[c], true
}

// Parity returns the share of women per group and month from..to against
// the targets of each month's year. Returns without the sex split count in
// neither women nor known.
func (s *Service) Parity(ctx context.Context, mission string, from, to Month) ([]ParityPoint, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, err
	}
	var cells []strengthCell
	var entered map[int]map[CeilingCategory]int
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if cells, err = strengthByMonth(ctx, tx, mission, from, to); err != nil {
			return err
		}
		entered, err = findGenderTargets(ctx, tx, mission)
		return err
	})
	if err != nil {
		return nil, err
	}
	type key struct {
		m Month
		c CeilingCategory
	}
	agg := map[key]*ParityPoint{}
	var keys []key
	for _, c := range cells {
		cc, ok := c.Category.Ceiling()
		if !ok || c.Sex == SexUnknown {
			continue
		}
		k := key{c.Month, cc}
		p := agg[k]
		if p == nil {
			p = &ParityPoint{Month: c.Month, Category: cc}
			agg[k] = p
			keys = append(keys, k)
		}
		p.Known += c.Personnel
		if c.Sex == SexFemale {
			p.Women += c.Personnel
		}
	}
	out := make([]ParityPoint, 0, len(keys))
	for _, k := range keys {
		p := agg[k]
		if p.Known > 0 {
			p.ShareBP = p.Women * 10000 / p.Known
		}
		year := p.Month.LastDay().Year
		p.TargetBP, _ = targetOf(entered, year, p.Category)
		p.Met = p.Known > 0 && p.ShareBP >= p.TargetBP
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b ParityPoint) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), slices.Index(CeilingCategories, a.Category)-slices.Index(CeilingCategories, b.Category))
	})
	return out, nil
}
