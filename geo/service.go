package geo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// entityType is the audit log's name for admin areas.
const entityType = "admin_areas"

// Service holds the stored admin areas. Admin areas are global reference
// data (DESIGN.md §1): any authenticated actor may read them; only the
// system actor (the command line) and global administrators may import
// them. That rule is the whole policy for this resource, so it is checked
// here rather than through access/, which sits beside geo in the kernel.
//
// A Service is safe for concurrent use.
type Service struct {
	db *store.DB

	mu      sync.Mutex
	indexes map[string]cachedIndex // by country; guarded by mu
}

type cachedIndex struct {
	stamp indexStamp
	index *Index
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, indexes: map[string]cachedIndex{}}
}

func canRead(a peaceops.Actor) error {
	if a.Anonymous() {
		return peaceops.Errorf(peaceops.EUNAUTHORIZED, "sign in to see admin areas")
	}
	return nil
}

func canImport(a peaceops.Actor) error {
	switch {
	case a.System || a.Admin:
		return nil
	case a.Anonymous():
		return peaceops.Errorf(peaceops.EUNAUTHORIZED, "sign in to import admin areas")
	}
	return peaceops.Errorf(peaceops.EFORBIDDEN, "only administrators may import admin areas")
}

// importSummary is the audit entry of one import.
type importSummary struct {
	Country   string   `json:"country"`
	Level     int      `json:"level"`
	Source    string   `json:"source"`
	Created   int      `json:"created"`
	Updated   int      `json:"updated"`
	Unchanged int      `json:"unchanged"`
	New       []string `json:"created_pcodes,omitempty"`
	Changed   []string `json:"updated_pcodes,omitempty"`
}

// ImportAreas stores the areas of one country and level, matching them to
// stored areas by P-code: new P-codes are created (version 1), changed
// ones updated (version + 1), identical ones left alone, so importing the
// same file again changes nothing. Areas absent from the import are kept.
//
// It runs in one transaction with one audit entry (entity "admin_areas",
// action "import", the counts and the P-codes created and updated): any
// error leaves the database as it was. Errors: EUNAUTHORIZED or
// EFORBIDDEN unless the actor is the system or an administrator; EINVALID
// listing every bad area (fields "areas[3].geometry"...), including areas
// whose Country or Level differ from the arguments (an empty Country is
// filled in) and repeated P-codes; ECONFLICT when a P-code is stored for
// another country or level.
func (s *Service) ImportAreas(ctx context.Context, country string, level int, areas []Area) (ImportResult, error) {
	if err := canImport(peaceops.ActorFromContext(ctx)); err != nil {
		return ImportResult{}, err
	}
	areas, err := validateImport(country, level, areas)
	if err != nil {
		return ImportResult{}, err
	}
	geometries := make([]string, len(areas))
	for i := range areas {
		a := &areas[i]
		a.BBox = a.Geometry.BBox()
		geometries[i] = string(appendGeometry(nil, *a.Geometry))
	}
	var res ImportResult
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		res = ImportResult{}
		sum := importSummary{Country: country, Level: level, Source: areas[0].Source}
		stored, err := findStoredAreas(ctx, tx, country, level)
		if err != nil {
			return err
		}
		for i := range areas {
			a, geom := &areas[i], geometries[i]
			old, ok := stored[a.PCode]
			switch {
			case ok && old.same(a, geom):
				res.Unchanged++
			case ok:
				if err := updateArea(ctx, tx, a, geom); err != nil {
					return err
				}
				res.Updated++
				sum.Changed = append(sum.Changed, a.PCode)
			default:
				inserted, err := insertArea(ctx, tx, a, geom)
				if err != nil {
					return err
				}
				if !inserted {
					c, l, err := areaOwner(ctx, tx, a.PCode)
					if err != nil {
						return err
					}
					return peaceops.Errorf(peaceops.ECONFLICT, "P-code %s is already stored for %s level %d, not %s level %d", a.PCode, c, l, country, level)
				}
				res.Created++
				sum.New = append(sum.New, a.PCode)
			}
		}
		sum.Created, sum.Updated, sum.Unchanged = res.Created, res.Updated, res.Unchanged
		return tx.Audit(ctx, store.Change{EntityType: entityType, EntityID: country + "/" + strconv.Itoa(level), Action: "import", After: sum})
	})
	if err != nil {
		return ImportResult{}, err
	}
	s.mu.Lock()
	delete(s.indexes, country)
	s.mu.Unlock()
	return res, nil
}

// validateImport checks the arguments and every area, returning a
// validated copy of areas (the caller's slice is not modified).
func validateImport(country string, level int, areas []Area) ([]Area, error) {
	var errs []peaceops.FieldError
	add := func(field, format string, args ...any) {
		if len(errs) < maxReported {
			errs = append(errs, peaceops.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
		}
	}
	if _, ok := CountryName(country); !ok {
		add("country", "%q is not an ISO 3166-1 alpha-3 code (e.g. CAF)", country)
	}
	if level < 0 || level > MaxLevel {
		add("level", "%d is outside 0..%d", level, MaxLevel)
	}
	if len(areas) == 0 {
		add("areas", "nothing to import")
	}
	if len(errs) > 0 {
		return nil, peaceops.Invalid(errs)
	}
	areas = slices.Clone(areas)
	seen := make(map[string]int, len(areas))
	for i := range areas {
		a := &areas[i]
		path := fmt.Sprintf("areas[%d].", i)
		if a.Country == "" {
			a.Country = country
		}
		for _, fe := range a.validateFields() {
			add(path+fe.Field, "%s", fe.Message)
		}
		if a.Country != country {
			add(path+"country", "is %s, but the import is for %s", a.Country, country)
		}
		if a.Level != level {
			add(path+"level", "is %d, but the import is for level %d", a.Level, level)
		}
		if prev, dup := seen[a.PCode]; dup && a.PCode != "" {
			add(path+"pcode", "%s repeats areas[%d]", a.PCode, prev)
		}
		seen[a.PCode] = i
	}
	if len(errs) > 0 {
		return nil, peaceops.Invalid(errs)
	}
	return areas, nil
}

// FindAreas returns the areas matching f in P-code order (an empty slice
// when none match), without their geometry unless f.WithGeometry. Any
// authenticated actor may read them (EUNAUTHORIZED otherwise); a bad
// filter is EINVALID.
func (s *Service) FindAreas(ctx context.Context, f AreaFilter) ([]Area, error) {
	if err := canRead(peaceops.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var out []Area
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findAreas(ctx, tx, f)
		return err
	})
	return out, err
}

// FindAreaByPCode returns one area with its geometry: ENOTFOUND when no
// area has that P-code, EUNAUTHORIZED for anonymous callers.
func (s *Service) FindAreaByPCode(ctx context.Context, pcode string) (*Area, error) {
	if err := canRead(peaceops.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	var a *Area
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		a, err = findAreaByPCode(ctx, tx, pcode)
		return err
	})
	return a, err
}

// Locator returns the Index over every stored area of a country (all
// levels), for placing many points. The index is cached per country and
// rebuilt when the country's areas have changed, here or on another
// server sharing the database: each call costs one small query. A country
// with no areas gets an empty index (Len 0), not an error. Errors:
// EUNAUTHORIZED for anonymous callers, EINVALID for an unknown country
// code.
func (s *Service) Locator(ctx context.Context, country string) (*Index, error) {
	if err := canRead(peaceops.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	if _, ok := CountryName(country); !ok {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "country", Message: fmt.Sprintf("%q is not an ISO 3166-1 alpha-3 code (e.g. CAF)", country)}})
	}
	var out *Index
	err := s.db.View(ctx, func(tx *store.Tx) error {
		stamp, err := findIndexStamp(ctx, tx, country)
		if err != nil {
			return err
		}
		s.mu.Lock()
		cached, ok := s.indexes[country]
		s.mu.Unlock()
		if ok && cached.stamp == stamp {
			out = cached.index
			return nil
		}
		areas, err := findIndexAreas(ctx, tx, country)
		if err != nil {
			return err
		}
		if out, err = NewIndex(areas); err != nil {
			return fmt.Errorf("geo: index of %s: %v", country, err) // stored areas were validated: internal
		}
		s.mu.Lock()
		s.indexes[country] = cachedIndex{stamp: stamp, index: out}
		s.mu.Unlock()
		return nil
	})
	return out, err
}
