package ddr

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// Vocabularies of reinsertion and reintegration.
var (
	packages         = []string{"cash", "kit", "training"}
	options          = []string{"vocational-training", "education", "agriculture", "small-business", "security-sector-integration"}
	followUpStatuses = []string{"active", "completed", "dropped-out", "re-recruited"}
)

// Reintegration is a registrant's support package and reintegration
// option, with its follow-up visits; Status is that of the last visit.
type Reintegration struct {
	ID           string        `json:"id"`
	Mission      string        `json:"mission"`
	RegistrantID string        `json:"registrant_id"`
	Package      string        `json:"package"`
	Option       string        `json:"option"`
	StartedOn    peaceops.Date `json:"started_on"`
	Status       string        `json:"status"`
	Visits       []Visit       `json:"visits"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	Version      int64         `json:"version"`
}

// Visit is a follow-up visit.
type Visit struct {
	On      peaceops.Date `json:"on"`
	Status  string        `json:"status"`
	Note    string        `json:"note"`
	Officer string        `json:"officer"`
}

func oneOf(errs []peaceops.FieldError, field, v string, allowed []string) []peaceops.FieldError {
	if !slices.Contains(allowed, v) {
		errs = append(errs, peaceops.FieldError{Field: field, Message: "must be one of " + strings.Join(allowed, ", ")})
	}
	return errs
}

// StartReintegration gives an adult, eligible registrant a package and an
// option. A CAAFAG record is refused: children follow child protection's
// own programme.
func (s *Service) StartReintegration(ctx context.Context, mission string, ri *Reintegration) error {
	actor := peaceops.ActorFromContext(ctx)
	var errs []peaceops.FieldError
	errs = oneOf(errs, "package", ri.Package, packages)
	errs = oneOf(errs, "option", ri.Option, options)
	if ri.StartedOn.IsZero() {
		errs = append(errs, peaceops.FieldError{Field: "started_on", Message: "is required"})
	}
	if err := peaceops.Invalid(errs); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		r, err := findRegistrant(ctx, tx, mission, ri.RegistrantID)
		if err != nil {
			return err
		}
		if !access.Can(actor, access.ActionRead, r.resource()) {
			return notFound("registrant", ri.RegistrantID)
		}
		if err := access.Check(actor, access.ActionUpdate, r.resource()); err != nil {
			return err
		}
		if r.CAAFAG || r.Eligibility != EligibilityEligible || r.Status == StatusMerged {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "registrant_id", Message: "must be an eligible adult registrant"}})
		}
		ri.ID, ri.Mission, ri.Status, ri.Visits = peaceops.NewIDAt(tx.Now), mission, "active", []Visit{}
		ri.CreatedAt, ri.UpdatedAt, ri.Version = tx.Now, tx.Now, 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO ddr_reintegrations (id, mission, registrant_id, package, option, started_on, status, created_at, updated_at, version)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, ri.ID, mission, r.ID, ri.Package, ri.Option, ri.StartedOn.String(), ri.Status,
			store.Millis(tx.Now), store.Millis(tx.Now), 1); err != nil {
			return fmt.Errorf("ddr: insert reintegration: %w", err)
		}
		before := *r
		r.Status, r.UpdatedAt, r.Version = StatusReintegrated, tx.Now, r.Version+1
		if err := updateRegistrant(ctx, tx, r); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeRegistrant, EntityID: r.ID, Action: "reintegrate", Before: before, After: r}); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "ddr_reintegration", EntityID: ri.ID, Action: "create", After: ri})
	})
}

// AddVisit records a follow-up visit signed by the actor; its status
// becomes the reintegration's.
func (s *Service) AddVisit(ctx context.Context, mission, id string, v Visit) (*Reintegration, error) {
	actor := peaceops.ActorFromContext(ctx)
	var errs []peaceops.FieldError
	errs = oneOf(errs, "status", v.Status, followUpStatuses)
	if v.On.IsZero() {
		errs = append(errs, peaceops.FieldError{Field: "on", Message: "is required"})
	}
	if len(v.Note) > 2000 {
		errs = append(errs, peaceops.FieldError{Field: "note", Message: "must be at most 2000 characters"})
	}
	if err := peaceops.Invalid(errs); err != nil {
		return nil, err
	}
	var out *Reintegration
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		ri, r, err := s.findReintegration(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if !access.Can(actor, access.ActionRead, r.resource()) {
			return notFound("reintegration", id)
		}
		if err := access.Check(actor, access.ActionUpdate, r.resource()); err != nil {
			return err
		}
		v.Officer = actor.Username
		if _, err := tx.ExecContext(ctx, `INSERT INTO ddr_followups (id, reintegration_id, visited_on, status, note, officer, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
			peaceops.NewIDAt(tx.Now), id, v.On.String(), v.Status, v.Note, v.Officer, store.Millis(tx.Now)); err != nil {
			return fmt.Errorf("ddr: insert visit: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ddr_reintegrations SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3`, v.Status, store.Millis(tx.Now), id); err != nil {
			return fmt.Errorf("ddr: update reintegration: %w", err)
		}
		before := ri
		if out, _, err = s.findReintegration(ctx, tx, mission, id); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "ddr_reintegration", EntityID: id, Action: "visit", Before: before, After: out})
	})
	return out, err
}

func (s *Service) findReintegration(ctx context.Context, tx *store.Tx, mission, id string) (*Reintegration, *Registrant, error) {
	var ri Reintegration
	var created, updated int64
	err := tx.QueryRowContext(ctx, `SELECT id, mission, registrant_id, package, option, started_on, status, created_at, updated_at, version
		FROM ddr_reintegrations WHERE mission = $1 AND id = $2`, mission, id).Scan(&ri.ID, &ri.Mission, &ri.RegistrantID, &ri.Package, &ri.Option,
		&ri.StartedOn, &ri.Status, &created, &updated, &ri.Version)
	if err != nil {
		return nil, nil, notFound("reintegration", id)
	}
	ri.CreatedAt, ri.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	rows, err := tx.QueryContext(ctx, `SELECT visited_on, status, note, officer FROM ddr_followups WHERE reintegration_id = $1 ORDER BY visited_on, created_at`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("ddr: visits: %w", err)
	}
	defer rows.Close()
	ri.Visits = []Visit{}
	for rows.Next() {
		var v Visit
		if err := rows.Scan(&v.On, &v.Status, &v.Note, &v.Officer); err != nil {
			return nil, nil, err
		}
		ri.Visits = append(ri.Visits, v)
	}
	r, err := findRegistrant(ctx, tx, mission, ri.RegistrantID)
	if err != nil {
		return nil, nil, err
	}
	return &ri, r, rows.Err()
}

// CVRProject is a community violence reduction project and its
// participants (counts: participants are mostly not registrants).
type CVRProject struct {
	ID             string                  `json:"id"`
	Mission        string                  `json:"mission"`
	Name           string                  `json:"name"`
	PCode          string                  `json:"pcode"`
	StartOn        peaceops.Date           `json:"start_on"`
	EndOn          peaceops.Date           `json:"end_on"`
	Participants   int                     `json:"participants"`
	Women          int                     `json:"women"`
	Youth          int                     `json:"youth"`
	ExCombatants   int                     `json:"ex_combatants"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Version        int64                   `json:"version"`
}

// CreateCVRProject stores a CVR project.
func (s *Service) CreateCVRProject(ctx context.Context, mission string, p *CVRProject) error {
	actor := peaceops.ActorFromContext(ctx)
	p.Mission, p.Name = mission, strings.TrimSpace(p.Name)
	if p.Classification == 0 {
		p.Classification = peaceops.Internal
	}
	var errs []peaceops.FieldError
	add := func(f, m string) { errs = append(errs, peaceops.FieldError{Field: f, Message: m}) }
	if p.Name == "" || len(p.Name) > 200 {
		add("name", "is required, at most 200 characters")
	}
	if p.StartOn.IsZero() {
		add("start_on", "is required")
	}
	if !p.EndOn.IsZero() && p.EndOn.Before(p.StartOn) {
		add("end_on", "must not be before start_on")
	}
	if p.Participants < 0 || p.Women < 0 || p.Youth < 0 || p.ExCombatants < 0 || p.Women > p.Participants || p.Youth > p.Participants || p.ExCombatants > p.Participants {
		add("participants", "counts must be non-negative and women, youth and ex_combatants at most participants")
	}
	if !p.Classification.Valid() {
		add("classification", "must be public, internal, confidential or strictly-confidential")
	}
	if err := peaceops.Invalid(errs); err != nil {
		return err
	}
	if err := access.Check(actor, access.ActionCreate, programme(mission, p.Classification)); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		p.ID = peaceops.NewIDAt(tx.Now)
		p.CreatedAt, p.UpdatedAt, p.Version = tx.Now, tx.Now, 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO ddr_cvr_projects (id, mission, name, pcode, start_on, end_on, participants, women, youth, ex_combatants,
			classification, created_at, updated_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
			p.ID, mission, p.Name, p.PCode, p.StartOn.String(), dateText(p.EndOn), p.Participants, p.Women, p.Youth, p.ExCombatants,
			p.Classification.String(), store.Millis(tx.Now), store.Millis(tx.Now), 1); err != nil {
			return fmt.Errorf("ddr: insert CVR project: %w", err)
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "ddr_cvr_project", EntityID: p.ID, Action: "create", After: p})
	})
}

// FindCVRProjects lists the mission's CVR projects the actor may see.
func (s *Service) FindCVRProjects(ctx context.Context, mission string) ([]*CVRProject, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, programme(mission, peaceops.Public)); err != nil {
		return nil, err
	}
	out := []*CVRProject{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, mission, name, pcode, start_on, end_on, participants, women, youth, ex_combatants, classification,
			created_at, updated_at, version FROM ddr_cvr_projects WHERE mission = $1 ORDER BY start_on, id`, mission)
		if err != nil {
			return fmt.Errorf("ddr: CVR projects: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p CVRProject
			var endOn, class string
			var created, updated int64
			if err := rows.Scan(&p.ID, &p.Mission, &p.Name, &p.PCode, &p.StartOn, &endOn, &p.Participants, &p.Women, &p.Youth, &p.ExCombatants, &class,
				&created, &updated, &p.Version); err != nil {
				return err
			}
			if endOn != "" {
				p.EndOn, _ = peaceops.ParseDate(endOn)
			}
			if p.Classification, err = peaceops.ParseClassification(class); err != nil {
				return err
			}
			p.CreatedAt, p.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
			if access.Can(actor, access.ActionRead, programme(mission, p.Classification)) {
				out = append(out, &p)
			}
		}
		return rows.Err()
	})
	return out, err
}
