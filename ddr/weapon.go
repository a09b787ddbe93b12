package ddr

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// WeaponKind is the vocabulary of items handed in or collected.
type WeaponKind string

var weaponKinds = []WeaponKind{"pistol", "rifle", "machine-gun", "rpg", "mortar", "grenade", "ammunition", "explosive"}

// CustodyStep is a stage of the chain of custody.
type CustodyStep string

const (
	StepCollected   CustodyStep = "collected"
	StepStored      CustodyStep = "stored"
	StepTransferred CustodyStep = "transferred"
	StepDestroyed   CustodyStep = "destroyed"
	StepHandedOver  CustodyStep = "handed-to-national-authorities"
)

// Weapon is an item (or a lot of ammunition) handed in or collected.
type Weapon struct {
	ID           string        `json:"id"`
	Mission      string        `json:"mission"`
	Kind         WeaponKind    `json:"kind"`
	MakeModel    string        `json:"make_model"`
	Serial       string        `json:"serial"`
	Calibre      string        `json:"calibre"`
	Quantity     int           `json:"quantity"` // 1 for a weapon, rounds for ammunition
	Condition    string        `json:"condition"`
	RegistrantID string        `json:"registrant_id"`
	ArmedGroup   string        `json:"armed_group"`
	CollectedOn  peaceops.Date `json:"collected_on"`
	SiteID       string        `json:"site_id"`
	// Custody lists the steps in order; ChainIncomplete is set while the
	// chain lacks collection followed by storage at an armoury.
	Custody         []Step                  `json:"custody"`
	CustodyState    CustodyStep             `json:"custody_state"`
	ChainIncomplete bool                    `json:"chain_incomplete"`
	Classification  peaceops.Classification `json:"classification"`
	CreatedAt       time.Time               `json:"created_at"`
	UpdatedAt       time.Time               `json:"updated_at"`
	Version         int64                   `json:"version"`
}

// Step is one signed step of a chain of custody.
type Step struct {
	Seq       int           `json:"seq"`
	Step      CustodyStep   `json:"step"`
	On        peaceops.Date `json:"on"`
	Place     string        `json:"place"`
	Officer   string        `json:"officer"` // the signing officer (the user who recorded it)
	Method    string        `json:"method,omitempty"`
	Witnesses []string      `json:"witnesses,omitempty"`
}

// Validate returns every field problem of w.
func (w *Weapon) Validate() error {
	if w.Classification == 0 {
		w.Classification = peaceops.Confidential
	}
	if w.Condition == "" {
		w.Condition = "serviceable"
	}
	var errs []peaceops.FieldError
	add := func(f, m string) { errs = append(errs, peaceops.FieldError{Field: f, Message: m}) }
	if !slices.Contains(weaponKinds, w.Kind) {
		add("kind", "must be one of pistol, rifle, machine-gun, rpg, mortar, grenade, ammunition, explosive")
	}
	if w.Kind == "ammunition" && w.Calibre == "" {
		add("calibre", "is required for ammunition")
	}
	if w.Quantity < 1 || w.Quantity > 10000000 {
		add("quantity", "must be between 1 and 10000000")
	}
	if w.Kind != "ammunition" && w.Kind != "grenade" && w.Kind != "explosive" && w.Quantity != 1 {
		add("quantity", "must be 1 for a weapon (record each weapon with its serial)")
	}
	switch w.Condition {
	case "serviceable", "unserviceable", "damaged":
	default:
		add("condition", "must be serviceable, unserviceable or damaged")
	}
	if w.CollectedOn.IsZero() {
		add("collected_on", "is required")
	}
	if len(w.Serial) > 100 || len(w.MakeModel) > 200 || len(w.Calibre) > 50 {
		add("serial", "serial at most 100 characters, make_model 200, calibre 50")
	}
	if !w.Classification.Valid() {
		add("classification", "must be public, internal, confidential or strictly-confidential")
	}
	return peaceops.Invalid(errs)
}

func (w *Weapon) resource() access.Resource {
	return access.Resource{Type: typeWeapon, Mission: w.Mission, Classification: w.Classification}
}

// nextSteps says which steps may follow the last one.
func nextSteps(last CustodyStep) []CustodyStep {
	switch last {
	case "":
		return []CustodyStep{StepCollected}
	case StepCollected:
		return []CustodyStep{StepStored}
	case StepStored, StepTransferred:
		return []CustodyStep{StepTransferred, StepDestroyed, StepHandedOver}
	}
	return nil
}

const weaponColumns = `id, mission, kind, make_model, serial, calibre, quantity, condition, registrant_id, armed_group, collected_on, site_id,
	custody_state, classification, created_at, updated_at, version`

func scanWeapon(s scanner) (*Weapon, error) {
	var w Weapon
	var class string
	var created, updated int64
	if err := s.Scan(&w.ID, &w.Mission, &w.Kind, &w.MakeModel, &w.Serial, &w.Calibre, &w.Quantity, &w.Condition, &w.RegistrantID, &w.ArmedGroup,
		&w.CollectedOn, &w.SiteID, &w.CustodyState, &class, &created, &updated, &w.Version); err != nil {
		return nil, err
	}
	var err error
	if w.Classification, err = peaceops.ParseClassification(class); err != nil {
		return nil, err
	}
	w.CreatedAt, w.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return &w, nil
}

func loadSteps(ctx context.Context, tx *store.Tx, w *Weapon) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, step, on_date, place, officer, method, witnesses FROM ddr_custody_steps WHERE weapon_id = $1 ORDER BY seq`, w.ID)
	if err != nil {
		return fmt.Errorf("ddr: custody: %w", err)
	}
	defer rows.Close()
	w.Custody = []Step{}
	for rows.Next() {
		var st Step
		var witnesses string
		if err := rows.Scan(&st.Seq, &st.Step, &st.On, &st.Place, &st.Officer, &st.Method, &witnesses); err != nil {
			return err
		}
		if witnesses != "" {
			st.Witnesses = strings.Split(witnesses, "\n")
		}
		w.Custody = append(w.Custody, st)
	}
	w.ChainIncomplete = len(w.Custody) < 2 || w.Custody[0].Step != StepCollected || w.Custody[1].Step != StepStored
	return rows.Err()
}

func findWeapon(ctx context.Context, tx *store.Tx, mission, id string) (*Weapon, error) {
	w, err := scanWeapon(tx.QueryRowContext(ctx, `SELECT `+weaponColumns+` FROM ddr_weapons WHERE mission = $1 AND id = $2`, mission, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("weapon", id)
	} else if err != nil {
		return nil, fmt.Errorf("ddr: find weapon: %w", err)
	}
	return w, loadSteps(ctx, tx, w)
}

// CreateWeapon records an item handed in; its first custody step,
// "collected", is signed by the actor. A serial number already recorded
// in the mission is ECONFLICT naming the other item.
func (s *Service) CreateWeapon(ctx context.Context, mission string, w *Weapon) error {
	actor := peaceops.ActorFromContext(ctx)
	w.Mission = mission
	if err := w.Validate(); err != nil {
		return err
	}
	if err := access.Check(actor, access.ActionCreate, w.resource()); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if key := normSerial(w.Serial); key != "" {
			var other string
			err := tx.QueryRowContext(ctx, `SELECT id FROM ddr_weapons WHERE mission = $1 AND serial_key = $2`, mission, key).Scan(&other)
			if err == nil {
				return peaceops.Errorf(peaceops.ECONFLICT, "serial number %s is already recorded in this mission (weapon %s)", w.Serial, other)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("ddr: serial check: %w", err)
			}
		}
		w.ID = peaceops.NewIDAt(tx.Now)
		w.CreatedAt, w.UpdatedAt, w.Version, w.CustodyState = tx.Now, tx.Now, 1, StepCollected
		_, err := tx.ExecContext(ctx, `INSERT INTO ddr_weapons (id, mission, kind, make_model, serial, serial_key, calibre, quantity, condition, registrant_id,
			armed_group, collected_on, site_id, custody_state, classification, created_at, updated_at, version)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
			w.ID, mission, w.Kind, w.MakeModel, w.Serial, normSerial(w.Serial), w.Calibre, w.Quantity, w.Condition, w.RegistrantID,
			w.ArmedGroup, w.CollectedOn.String(), w.SiteID, w.CustodyState, w.Classification.String(), store.Millis(tx.Now), store.Millis(tx.Now), 1)
		if err != nil {
			return fmt.Errorf("ddr: insert weapon: %w", err)
		}
		if err := insertStep(ctx, tx, w.ID, Step{Seq: 1, Step: StepCollected, On: w.CollectedOn, Officer: actor.Username}); err != nil {
			return err
		}
		if err := loadSteps(ctx, tx, w); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeWeapon, EntityID: w.ID, Action: "create", After: w})
	})
}

func insertStep(ctx context.Context, tx *store.Tx, weaponID string, st Step) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ddr_custody_steps (id, weapon_id, seq, step, on_date, place, officer, method, witnesses, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		peaceops.NewIDAt(tx.Now), weaponID, st.Seq, st.Step, st.On.String(), st.Place, st.Officer, st.Method, strings.Join(st.Witnesses, "\n"), store.Millis(tx.Now))
	if err != nil {
		return fmt.Errorf("ddr: insert custody step: %w", err)
	}
	return nil
}

// AddCustodyStep appends a step signed by the actor. Steps follow
// collected -> stored -> transferred* -> destroyed or handed to national
// authorities; a destruction needs its method and at least one witness.
func (s *Service) AddCustodyStep(ctx context.Context, mission, id string, st Step) (*Weapon, error) {
	actor := peaceops.ActorFromContext(ctx)
	var out *Weapon
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		w, err := findWeapon(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if !access.Can(actor, access.ActionRead, w.resource()) {
			return notFound("weapon", id)
		}
		if err := access.Check(actor, access.ActionUpdate, w.resource()); err != nil {
			return err
		}
		var errs []peaceops.FieldError
		last := CustodyStep("")
		if n := len(w.Custody); n > 0 {
			last = w.Custody[n-1].Step
		}
		if !slices.Contains(nextSteps(last), st.Step) {
			errs = append(errs, peaceops.FieldError{Field: "step", Message: fmt.Sprintf("cannot follow %q (allowed: %v)", last, nextSteps(last))})
		}
		if st.On.IsZero() {
			errs = append(errs, peaceops.FieldError{Field: "on", Message: "is required"})
		}
		if st.Step == StepStored || st.Step == StepTransferred {
			if strings.TrimSpace(st.Place) == "" {
				errs = append(errs, peaceops.FieldError{Field: "place", Message: "is required: the armoury or destination"})
			}
		}
		if st.Step == StepDestroyed && (strings.TrimSpace(st.Method) == "" || len(st.Witnesses) == 0) {
			errs = append(errs, peaceops.FieldError{Field: "method", Message: "a destruction needs its method and at least one witness"})
		}
		if err := peaceops.Invalid(errs); err != nil {
			return err
		}
		before := *w
		st.Seq, st.Officer = len(w.Custody)+1, actor.Username
		if err := insertStep(ctx, tx, w.ID, st); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ddr_weapons SET custody_state = $1, updated_at = $2, version = version + 1 WHERE id = $3`, st.Step, store.Millis(tx.Now), w.ID); err != nil {
			return fmt.Errorf("ddr: update weapon: %w", err)
		}
		if out, err = findWeapon(ctx, tx, mission, id); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeWeapon, EntityID: w.ID, Action: "custody", Before: before, After: out})
	})
	return out, err
}

// FindWeapons returns the mission's weapons the actor may read, with their
// chains of custody.
func (s *Service) FindWeapons(ctx context.Context, mission string) ([]*Weapon, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, access.Resource{Type: typeWeapon, Mission: mission, Classification: peaceops.Public}); err != nil {
		return nil, err
	}
	out := []*Weapon{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+weaponColumns+` FROM ddr_weapons WHERE mission = $1 ORDER BY id`, mission)
		if err != nil {
			return fmt.Errorf("ddr: find weapons: %w", err)
		}
		var all []*Weapon
		for rows.Next() {
			w, err := scanWeapon(rows)
			if err != nil {
				rows.Close()
				return err
			}
			all = append(all, w)
		}
		rows.Close()
		for _, w := range all {
			if !access.Can(actor, access.ActionRead, w.resource()) {
				continue
			}
			if err := loadSteps(ctx, tx, w); err != nil {
				return err
			}
			out = append(out, w)
		}
		return nil
	})
	return out, err
}

// weaponCounts counts items (quantity for lots) by kind, and weapons (not
// ammunition) by armed group.
func weaponCounts(ctx context.Context, tx *store.Tx, mission string) (map[string]int, map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT kind, armed_group, quantity FROM ddr_weapons WHERE mission = $1`, mission)
	if err != nil {
		return nil, nil, fmt.Errorf("ddr: weapon counts: %w", err)
	}
	defer rows.Close()
	kinds, groups := map[string]int{}, map[string]int{}
	for rows.Next() {
		var kind, group string
		var q int
		if err := rows.Scan(&kind, &group, &q); err != nil {
			return nil, nil, err
		}
		kinds[kind] += q
		if kind != "ammunition" {
			groups[group]++
		}
	}
	return kinds, groups, rows.Err()
}

func sortCounts(cs []Count) {
	slices.SortFunc(cs, func(a, b Count) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
}
