package ddr

import (
	"context"
	"fmt"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// Count is one cell of a breakdown.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// GroupRatio is the weapons handed in per adult registrant of an armed
// group: far below one suggests people registering without a weapon.
type GroupRatio struct {
	Group       string  `json:"group"`
	Registrants int     `json:"registrants"`
	Weapons     int     `json:"weapons"`
	Ratio       float64 `json:"ratio"`
}

// Dashboard holds the programme's figures. Every registrant count is of
// adults only: CAAFAG records never enter them. CAAFAG is filled only for
// those who may read CAAFAG records.
type Dashboard struct {
	Registered         int          `json:"registered"`
	Demobilised        int          `json:"demobilised"`
	Reintegrated       int          `json:"reintegrated"`
	ByGroup            []Count      `json:"by_group"`
	BySex              []Count      `json:"by_sex"`
	ByAgeGroup         []Count      `json:"by_age_group"`
	ByArea             []Count      `json:"by_area"`
	ByMonth            []Count      `json:"by_month"`
	WeaponsByKind      []Count      `json:"weapons_by_kind"`
	Ratios             []GroupRatio `json:"weapons_per_registrant"`
	DuplicatesFound    int          `json:"duplicates_found"`
	DuplicatesResolved int          `json:"duplicates_resolved"`
	CAAFAG             *int         `json:"caafag,omitempty"`
}

func ageGroup(age int) string {
	switch {
	case age < 25:
		return "18-24"
	case age < 35:
		return "25-34"
	case age < 50:
		return "35-49"
	}
	return "50+"
}

// FindDashboard computes the figures of mission.
func (s *Service) FindDashboard(ctx context.Context, mission string) (*Dashboard, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, programme(mission, peaceops.Internal)); err != nil {
		return nil, err
	}
	d := &Dashboard{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		all, err := findRegistrants(ctx, tx, mission, Filter{}, true)
		if err != nil {
			return err
		}
		groups, sexes, ages, areas, months := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
		children := 0
		caafagIDs := map[string]bool{}
		for _, r := range all {
			if r.CAAFAG {
				children++
				caafagIDs[r.ID] = true
				continue
			}
			if r.Status == StatusMerged {
				continue
			}
			d.Registered++
			switch r.Status {
			case StatusDemobilised:
				d.Demobilised++
			case StatusReintegrated:
				d.Demobilised++
				d.Reintegrated++
			}
			groups[r.ArmedGroup]++
			sexes[string(r.Sex)]++
			ages[ageGroup(r.Age())]++
			area := r.OriginPCode
			if len(area) > 4 {
				area = area[:4]
			}
			areas[area]++
			months[fmt.Sprintf("%04d-%02d", r.RegisteredOn.Year, r.RegisteredOn.Month)]++
		}
		d.ByGroup, d.BySex, d.ByAgeGroup, d.ByArea, d.ByMonth = counts(groups), counts(sexes), counts(ages), counts(areas), counts(months)
		if seesCAAFAG(actor, mission) {
			d.CAAFAG = &children
		}
		dups, err := findDuplicates(ctx, tx, mission, "")
		if err != nil {
			return err
		}
		for _, p := range dups {
			if caafagIDs[p.A] || caafagIDs[p.B] {
				continue
			}
			d.DuplicatesFound++
			if p.Status != DuplicateOpen {
				d.DuplicatesResolved++
			}
		}
		// weapon figures are aggregates: every programme reader sees them
		kinds, perGroup, err := weaponCounts(ctx, tx, mission)
		if err != nil {
			return err
		}
		d.WeaponsByKind = counts(kinds)
		for _, g := range d.ByGroup {
			ratio := 0.0
			if g.Count > 0 {
				ratio = float64(int(float64(perGroup[g.Key])/float64(g.Count)*100+0.5)) / 100
			}
			d.Ratios = append(d.Ratios, GroupRatio{Group: g.Key, Registrants: g.Count, Weapons: perGroup[g.Key], Ratio: ratio})
		}
		return nil
	})
	return d, err
}

func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sortCounts(out)
	return out
}
