package ddr

import (
	"context"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/ddr/dedup"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// Service holds the DDR operations. Every method takes the actor from ctx,
// checks it against the access policy and runs in one transaction.
type Service struct {
	db    *store.DB
	pages *web.Pages
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service { return &Service{db: db, pages: newPages()} }

// resource is how the policy sees a registrant: a child's record is of
// type caafag, whoever asks.
func (r *Registrant) resource() access.Resource {
	t := typeRegistrant
	if r.CAAFAG {
		t = typeCAAFAG
	}
	return access.Resource{Type: t, Mission: r.Mission, Classification: r.Classification}
}

func programme(mission string, c peaceops.Classification) access.Resource {
	return access.Resource{Type: typeProgramme, Mission: mission, Classification: c}
}

// seesCAAFAG reports whether the actor may read CAAFAG records of mission.
func seesCAAFAG(a peaceops.Actor, mission string) bool {
	return access.Can(a, access.ActionRead, access.Resource{Type: typeCAAFAG, Mission: mission, Classification: peaceops.StrictlyConfidential})
}

// notFound hides a record the actor may not read.
func notFound(what, id string) error {
	return peaceops.Errorf(peaceops.ENOTFOUND, "%s %s not found", what, id)
}

// CreateSite stores a new site of mission.
func (s *Service) CreateSite(ctx context.Context, mission string, site *Site) error {
	actor := peaceops.ActorFromContext(ctx)
	site.Mission = mission
	if err := site.Validate(); err != nil {
		return err
	}
	if err := access.Check(actor, access.ActionCreate, programme(mission, site.Classification)); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		site.ID = peaceops.NewIDAt(tx.Now)
		site.CreatedAt, site.UpdatedAt, site.Version = tx.Now, tx.Now, 1
		if err := insertSite(ctx, tx, site); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "ddr_site", EntityID: site.ID, Action: "create", After: site})
	})
}

// FindSites returns the sites of mission the actor may see, with their
// occupancy (adults only).
func (s *Service) FindSites(ctx context.Context, mission string) ([]*Site, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, programme(mission, peaceops.Public)); err != nil {
		return nil, err
	}
	var out []*Site
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findSites(ctx, tx, mission)
		return err
	})
	visible := out[:0]
	for _, site := range out {
		if access.Can(actor, access.ActionRead, programme(mission, site.Classification)) {
			visible = append(visible, site)
		}
	}
	return visible, err
}

// Registration is the outcome of registering someone: the record when the
// registering officer may still read it (a CAAFAG record is handed to
// child protection and leaves their sight), and the duplicate candidates
// they may see.
type Registration struct {
	ID         string      `json:"id"`
	DDRNumber  string      `json:"ddr_number"`
	CAAFAG     bool        `json:"caafag"`
	RoutedTo   string      `json:"routed_to,omitempty"`
	Registrant *Registrant `json:"registrant,omitempty"`
	Candidates []Candidate `json:"candidates"`
}

// Candidate is a possible duplicate as shown to an officer.
type Candidate struct {
	DuplicateID string   `json:"duplicate_id"`
	OtherID     string   `json:"other_id"`
	DDRNumber   string   `json:"ddr_number"`
	Name        string   `json:"name"`
	Score       float64  `json:"score"`
	Reasons     []string `json:"reasons"`
}

// Register validates r, gives it a DDR number, flags it CAAFAG when the
// person is or may be under 18, stores its blocking keys and records the
// duplicate candidates found among the mission's registrants.
func (s *Service) Register(ctx context.Context, mission string, r *Registrant) (*Registration, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := s.prepareRegistration(actor, mission, r); err != nil {
		return nil, err
	}
	var out *Registration
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		out, err = register(ctx, tx, actor, r)
		return err
	})
	return out, err
}

// prepareRegistration validates r and checks the actor may register in
// mission.
func (s *Service) prepareRegistration(actor peaceops.Actor, mission string, r *Registrant) error {
	r.Mission = mission
	r.MergedInto, r.CAAFAG = "", false
	if err := r.Validate(); err != nil {
		return err
	}
	return access.Check(actor, access.ActionCreate, access.Resource{Type: typeRegistrant, Mission: mission, Classification: r.Classification})
}

// register stores a validated registrant in tx (see Register).
func register(ctx context.Context, tx *store.Tx, actor peaceops.Actor, r *Registrant) (*Registration, error) {
	mission := r.Mission
	r.CAAFAG = r.MayBeChild()
	if r.CAAFAG {
		r.Classification = peaceops.StrictlyConfidential
		r.Eligibility = EligibilityIneligible // never processed as an adult combatant
		r.Status = StatusHandedOver
	}
	out := &Registration{CAAFAG: r.CAAFAG, Candidates: []Candidate{}}
	if _, err := findSite(ctx, tx, mission, r.SiteID); err != nil {
		if peaceops.ErrorCode(err) == peaceops.ENOTFOUND {
			return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "site_id", Message: "is not a site of this mission"}})
		}
		return nil, err
	}
	var err error
	r.ID = peaceops.NewIDAt(tx.Now)
	r.CreatedAt, r.UpdatedAt, r.Version = tx.Now, tx.Now, 1
	if r.DDRNumber, err = nextNumber(ctx, tx, mission); err != nil {
		return nil, err
	}
	if err := insertRegistrant(ctx, tx, r); err != nil {
		return nil, err
	}
	rec := r.record()
	keys := dedup.Keys(&rec)
	if err := insertKeys(ctx, tx, mission, r.ID, keys); err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, store.Change{Mission: mission, EntityType: r.resource().Type, EntityID: r.ID, Action: "create", After: r}); err != nil {
		return nil, err
	}
	others, err := candidatesByKeys(ctx, tx, mission, r.ID, keys)
	if err != nil {
		return nil, err
	}
	for _, o := range others {
		orec := o.record()
		m := dedup.Score(&orec, &rec)
		if m.Score < dedup.Threshold {
			continue
		}
		d := &Duplicate{ID: peaceops.NewIDAt(tx.Now), Mission: mission, A: o.ID, B: r.ID, Score: round3(m.Score), Reasons: m.Reasons,
			Status: DuplicateOpen, CreatedAt: tx.Now, UpdatedAt: tx.Now, Version: 1}
		if _, err := upsertDuplicate(ctx, tx, d); err != nil {
			return nil, err
		}
		if access.Can(actor, access.ActionRead, o.resource()) && access.Can(actor, access.ActionRead, r.resource()) {
			out.Candidates = append(out.Candidates, Candidate{DuplicateID: d.ID, OtherID: o.ID, DDRNumber: o.DDRNumber, Name: o.Name, Score: d.Score, Reasons: m.Reasons})
		}
	}
	out.ID, out.DDRNumber = r.ID, r.DDRNumber
	if r.CAAFAG {
		out.RoutedTo = string(peaceops.RoleChildProtection)
	}
	if access.Can(actor, access.ActionRead, r.resource()) {
		out.Registrant = r
	}
	return out, nil
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// FindRegistrantByID returns one registrant; a record the actor may not
// read (a CAAFAG record for most roles) is ENOTFOUND.
func (s *Service) FindRegistrantByID(ctx context.Context, mission, id string) (*Registrant, error) {
	actor := peaceops.ActorFromContext(ctx)
	var r *Registrant
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		r, err = findRegistrant(ctx, tx, mission, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !access.Can(actor, access.ActionRead, r.resource()) {
		return nil, notFound("registrant", id)
	}
	return r, nil
}

// FindRegistrants returns a page of the registrants the actor may read
// and the id cursor of the next page. CAAFAG records are left out in the
// query itself for anyone who may not read them.
func (s *Service) FindRegistrants(ctx context.Context, mission string, f Filter) ([]*Registrant, string, error) {
	actor := peaceops.ActorFromContext(ctx)
	caafag := seesCAAFAG(actor, mission)
	if !caafag && !access.Can(actor, access.ActionRead, access.Resource{Type: typeRegistrant, Mission: mission, Classification: peaceops.Public}) {
		return nil, "", access.Check(actor, access.ActionRead, access.Resource{Type: typeRegistrant, Mission: mission, Classification: peaceops.Public})
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 1000 {
		return nil, "", peaceops.Invalid([]peaceops.FieldError{{Field: "limit", Message: "must be between 1 and 1000"}})
	}
	var out []*Registrant
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findRegistrants(ctx, tx, mission, f, caafag)
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
	visible := []*Registrant{}
	for _, r := range out {
		if access.Can(actor, access.ActionRead, r.resource()) {
			visible = append(visible, r)
		}
	}
	return visible, next, nil
}

// ExportRegistrants returns every registrant of mission the actor may
// export (CAAFAG records only to child protection and the DDR chief).
func (s *Service) ExportRegistrants(ctx context.Context, mission string) ([]*Registrant, error) {
	actor := peaceops.ActorFromContext(ctx)
	caafag := access.Can(actor, access.ActionExport, access.Resource{Type: typeCAAFAG, Mission: mission, Classification: peaceops.StrictlyConfidential})
	if !caafag {
		if err := access.Check(actor, access.ActionExport, access.Resource{Type: typeRegistrant, Mission: mission, Classification: peaceops.Public}); err != nil {
			return nil, err
		}
	}
	var all []*Registrant
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		all, err = findRegistrants(ctx, tx, mission, Filter{}, caafag)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := []*Registrant{}
	for _, r := range all {
		if access.Can(actor, access.ActionExport, r.resource()) {
			out = append(out, r)
		}
	}
	if err := s.db.Update(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeRegistrant, EntityID: mission, Action: "export", After: map[string]any{"rows": len(out)}})
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateRegistrant applies upd if the record is still at version.
func (s *Service) UpdateRegistrant(ctx context.Context, mission, id string, upd Update, version int64) (*Registrant, error) {
	actor := peaceops.ActorFromContext(ctx)
	var out *Registrant
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findRegistrant(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if !access.Can(actor, access.ActionRead, before.resource()) {
			return notFound("registrant", id)
		}
		if err := access.Check(actor, access.ActionUpdate, before.resource()); err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "registrant %s is at version %d, not %d: reload and try again", id, before.Version, version)
		}
		after := upd.apply(*before)
		if err := after.Validate(); err != nil {
			return err
		}
		if after.CAAFAG && (after.Eligibility == EligibilityEligible || after.Status == StatusDemobilised || after.Status == StatusReintegrated) {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "status", Message: "a CAAFAG record is never processed as an adult combatant"}})
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateRegistrant(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: after.resource().Type, EntityID: id, Action: "update", Before: before, After: after})
	})
	return out, err
}

// DuplicateStatus is where a candidate pair stands.
type DuplicateStatus string

const (
	DuplicateOpen     DuplicateStatus = "open"
	DuplicateMerged   DuplicateStatus = "merged"
	DuplicateDistinct DuplicateStatus = "distinct"
)

// Duplicate is a candidate pair of registrants: A registered first.
type Duplicate struct {
	ID         string          `json:"id"`
	Mission    string          `json:"mission"`
	A          string          `json:"a_id"`
	B          string          `json:"b_id"`
	Score      float64         `json:"score"`
	Reasons    []string        `json:"reasons"`
	Status     DuplicateStatus `json:"status"`
	ResolvedBy string          `json:"resolved_by,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	Version    int64           `json:"version"`
}

// visiblePair loads both registrants of d and reports whether the actor
// may read both.
func visiblePair(ctx context.Context, tx *store.Tx, actor peaceops.Actor, d *Duplicate) (a, b *Registrant, ok bool, err error) {
	if a, err = findRegistrant(ctx, tx, d.Mission, d.A); err != nil {
		return nil, nil, false, err
	}
	if b, err = findRegistrant(ctx, tx, d.Mission, d.B); err != nil {
		return nil, nil, false, err
	}
	return a, b, access.Can(actor, access.ActionRead, a.resource()) && access.Can(actor, access.ActionRead, b.resource()), nil
}

// FindDuplicates returns the candidate pairs of mission (status "" for
// all) whose two records the actor may both read, best score first.
func (s *Service) FindDuplicates(ctx context.Context, mission string, status DuplicateStatus) ([]*Duplicate, error) {
	actor := peaceops.ActorFromContext(ctx)
	if !seesCAAFAG(actor, mission) {
		if err := access.Check(actor, access.ActionRead, access.Resource{Type: typeRegistrant, Mission: mission, Classification: peaceops.Public}); err != nil {
			return nil, err
		}
	}
	out := []*Duplicate{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		all, err := findDuplicates(ctx, tx, mission, status)
		if err != nil {
			return err
		}
		for _, d := range all {
			_, _, ok, err := visiblePair(ctx, tx, actor, d)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// Resolve records an officer's decision on a candidate pair: "merge"
// folds the later record (B) into the earlier (A), "distinct" marks them
// different people. Both records must be readable and updatable by the
// actor; the decision is audited.
func (s *Service) Resolve(ctx context.Context, mission, id string, decision DuplicateStatus, version int64) (*Duplicate, error) {
	actor := peaceops.ActorFromContext(ctx)
	if decision != DuplicateMerged && decision != DuplicateDistinct {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "decision", Message: "must be merged or distinct"}})
	}
	var out *Duplicate
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		d, err := findDuplicate(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		a, b, ok, err := visiblePair(ctx, tx, actor, d)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("duplicate candidate", id)
		}
		for _, r := range []*Registrant{a, b} {
			if err := access.Check(actor, access.ActionUpdate, r.resource()); err != nil {
				return err
			}
		}
		if d.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "duplicate candidate %s is at version %d, not %d", id, d.Version, version)
		}
		if d.Status != DuplicateOpen {
			return peaceops.Errorf(peaceops.ECONFLICT, "duplicate candidate %s is already %s", id, d.Status)
		}
		before := *d
		d.Status, d.ResolvedBy, d.UpdatedAt, d.Version = decision, actor.Username, tx.Now, d.Version+1
		if err := updateDuplicate(ctx, tx, d); err != nil {
			return err
		}
		if decision == DuplicateMerged {
			bb := *b
			b.Status, b.MergedInto, b.UpdatedAt, b.Version = StatusMerged, a.ID, tx.Now, b.Version+1
			if err := updateRegistrant(ctx, tx, b); err != nil {
				return err
			}
			if err := tx.Audit(ctx, store.Change{Mission: mission, EntityType: b.resource().Type, EntityID: b.ID, Action: "merge", Before: bb, After: b}); err != nil {
				return err
			}
		}
		out = d
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "ddr_duplicate", EntityID: d.ID, Action: "resolve", Before: before, After: d})
	})
	return out, err
}

// RunDedup compares every live registrant of the mission with every other
// through the blocking index (ddr/dedup) and records new candidate pairs.
// It returns how many new pairs were found. DDR officers and the chief.
func (s *Service) RunDedup(ctx context.Context, mission string) (int, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionUpdate, access.Resource{Type: typeRegistrant, Mission: mission, Classification: peaceops.Confidential}); err != nil {
		return 0, err
	}
	found := 0
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		all, err := findRegistrants(ctx, tx, mission, Filter{}, true)
		if err != nil {
			return err
		}
		recs := make([]dedup.Record, 0, len(all))
		for _, r := range all {
			if r.Status != StatusMerged {
				recs = append(recs, r.record())
			}
		}
		ms, _ := dedup.NewIndex(recs).Pairs(dedup.Threshold)
		for _, m := range ms {
			d := &Duplicate{ID: peaceops.NewIDAt(tx.Now), Mission: mission, A: m.A, B: m.B, Score: round3(m.Score), Reasons: m.Reasons,
				Status: DuplicateOpen, CreatedAt: tx.Now, UpdatedAt: tx.Now, Version: 1}
			added, err := upsertDuplicate(ctx, tx, d)
			if err != nil {
				return err
			}
			if added {
				found++
			}
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "ddr_dedup_run", EntityID: peaceops.NewIDAt(tx.Now), Action: "run",
			After: map[string]any{"registrants": len(recs), "new_pairs": found}})
	})
	return found, err
}

// normSerial is the comparable form of a weapon serial number.
func normSerial(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
