package forces

import (
	"fmt"

	"github.com/peaceops/peaceops"
)

// GenderTarget is the share of women a mission aims at in one group of
// uniformed personnel in one year, in basis points (1 250 = 12.5 %). The
// groups are those of the ceilings: contingent troops, military observers
// and staff officers together, formed police units, individual police.
type GenderTarget struct {
	Year     int             `json:"year"`
	Category CeilingCategory `json:"category"`
	BP       int             `json:"target_bp"`
	// Default is true when no target was entered for the mission and the
	// default below applies.
	Default bool `json:"default"`
}

// Validate returns every field problem of t.
func (t *GenderTarget) Validate() error {
	var errs []peaceops.FieldError
	if t.Year < 2000 || t.Year > 2100 {
		errs = append(errs, peaceops.FieldError{Field: "year", Message: "must be a year between 2000 and 2100"})
	}
	if !t.Category.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "category", Message: "must be one of " + joinValues(CeilingCategories)})
	}
	if t.BP < 0 || t.BP > 10000 {
		errs = append(errs, peaceops.FieldError{Field: "target_bp", Message: "must be between 0 and 10000 (basis points: 1500 is 15 %)"})
	}
	return peaceops.Invalid(errs)
}

// Percent is the target as a percentage.
func (t GenderTarget) Percent() string { return fmt.Sprintf("%.1f", float64(t.BP)/100) }

// DefaultGenderTargets are the yearly targets of the UN Uniformed Gender
// Parity Strategy 2018-2028 (Department of Peace Operations), used for a
// mission that has not entered its own.
//
// The figures, in per cent of women deployed:
//
//	year                        2018 2019 2020 2021 2022 2023 2024 2025 2026 2027 2028
//	military contingents           5    6    7    8    9   10   11   12   13   14   15
//	mil. observers + staff off.   15   16   17   18   19   20   21   22   23   24   25
//	formed police units           10   11   12   13   14   15   16   17   18   19   20
//	individual police officers    20   21   22   23   24   25   26   27   28   29   30
//
// Source and method: the 2028 end targets (15 % contingents, 25 % military
// observers and staff officers, 20 % formed police units, 30 % individual
// police officers) and the 2021 military targets (8 % troops, 18 %
// individual military positions) are those DPO publishes for the strategy
// (peacekeeping.un.org, "Uniformed Gender Parity Strategy 2018-2028";
// DPO "Gender Parity Target Achievers", 2021). The other years follow the
// strategy's pace of one percentage point a year between those anchors; the
// police years run back one point a year from the 2028 targets. They are
// defaults only: a mission enters the exact figures of the strategy's annex
// (or its own, higher, goals) as data, which then take precedence. Years
// before 2018 use the 2018 figure and years after 2028 the 2028 one.
func DefaultGenderTargets(year int) map[CeilingCategory]int {
	y := min(max(year, 2018), 2028) - 2018
	return map[CeilingCategory]int{
		CeilMilitary:          (5 + y) * 100,
		CeilMilitaryObservers: (15 + y) * 100,
		CeilPoliceFPU:         (10 + y) * 100,
		CeilPoliceIPO:         (20 + y) * 100,
	}
}

// ParityPoint is the share of women in one group in one month, against the
// target of the month's year.
type ParityPoint struct {
	Month    Month           `json:"month"`
	Category CeilingCategory `json:"category"`
	Women    int             `json:"women"`
	// Known is the personnel whose sex is known (women + men): returns
	// without the split count in neither.
	Known    int  `json:"known"`
	ShareBP  int  `json:"share_bp"`
	TargetBP int  `json:"target_bp"`
	Met      bool `json:"met"`
}

// SharePct is the share of women as a percentage with one decimal.
func (p ParityPoint) SharePct() string { return fmt.Sprintf("%.1f", float64(p.ShareBP)/100) }

// TargetPct is the target as a percentage with one decimal.
func (p ParityPoint) TargetPct() string { return fmt.Sprintf("%.1f", float64(p.TargetBP)/100) }
