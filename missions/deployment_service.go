package missions

import (
	"context"
	"fmt"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// ImportDeployments replaces the sites of source in mission with sites,
// in one transaction: every site is validated first, and one invalid site
// (named by its place and year) imports nothing. Mission-admins of the
// mission (and administrators) may import; the import is audited as one
// entry with its counts.
func (s *Service) ImportDeployments(ctx context.Context, mission, source string, sites []Site) (int, error) {
	actor := peaceops.ActorFromContext(ctx)
	m, err := s.FindMissionByCode(ctx, mission)
	if err != nil {
		return 0, err
	}
	if err := access.Check(actor, access.ActionUpdate, resource(m)); err != nil {
		return 0, err
	}
	years := map[int]bool{}
	for i := range sites {
		st := &sites[i]
		st.Mission, st.Source = m.Code, source
		if err := st.Validate(); err != nil {
			return 0, peaceops.Errorf(peaceops.EINVALID, "site %q (%d): %s", st.Name, st.Year, fieldsText(err))
		}
		years[st.Year] = true
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		removed, err := deleteSites(ctx, tx, m.Code, source)
		if err != nil {
			return err
		}
		for i := range sites {
			if err := insertSite(ctx, tx, &sites[i]); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, store.Change{Mission: m.Code, EntityType: "deployments", EntityID: m.Code + ":" + source, Action: "import",
			After: map[string]any{"source": source, "sites": len(sites), "years": len(years), "replaced": removed}})
	})
	if err != nil {
		return 0, err
	}
	return len(sites), nil
}

// FindDeployments returns the deployments layer of mission for year; year
// 0 picks the latest year with sites. Members of the mission may read it.
func (s *Service) FindDeployments(ctx context.Context, mission string, year int) (*Deployments, error) {
	m, err := s.FindMissionByCode(ctx, mission)
	if err != nil {
		return nil, err
	}
	out := &Deployments{Mission: m.Code, Year: year, Years: []int{}, Sites: []Site{}}
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if out.Years, err = siteYears(ctx, tx, m.Code); err != nil {
			return err
		}
		if out.Year == 0 && len(out.Years) > 0 {
			out.Year = out.Years[len(out.Years)-1]
		}
		out.Sites, err = findSites(ctx, tx, m.Code, out.Year)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// fieldsText renders the field problems of err on one line.
func fieldsText(err error) string {
	fields := peaceops.ErrorFields(err)
	if len(fields) == 0 {
		return peaceops.ErrorMessage(err)
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fmt.Sprintf("%s %s", f.Field, f.Message)
	}
	return strings.Join(parts, "; ")
}
