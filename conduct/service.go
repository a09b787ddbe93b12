package conduct

import (
	"context"
	"fmt"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/sealed"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// Resource types of the access policy (see access/grants_conduct.go).
const (
	typeAllegation = "allegation"
	typeVictim     = "victim"
	typeStats      = "conduct_stats"
	typeForce      = "use_of_force"
)

// Options tune the service; the zero value gives the defaults.
type Options struct {
	// Threshold is the smallest count the public statistics show; smaller
	// non-zero cells read "<Threshold". Default 3.
	Threshold int
	// ReviewDays is how long a use-of-force report with casualties may
	// wait for its review before it is flagged. Default 14.
	ReviewDays int
}

// Service holds conduct and discipline. Every method takes the actor from
// ctx, checks it against the access policy and runs in one transaction.
type Service struct {
	db    *store.DB
	keys  *sealed.Keyring
	opts  Options
	pages *web.Pages
}

// NewService returns a Service over db. keys seal the identity of victims;
// without a key, cases are kept but writing an identity is refused.
func NewService(db *store.DB, keys *sealed.Keyring, opts ...Options) *Service {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Threshold <= 0 {
		o.Threshold = 3
	}
	if o.ReviewDays <= 0 {
		o.ReviewDays = 14
	}
	return &Service{db: db, keys: keys, opts: o, pages: newPages()}
}

func caseResource(mission string) access.Resource {
	return access.Resource{Type: typeAllegation, Mission: mission, Classification: peaceops.StrictlyConfidential}
}

func victimResource(mission string) access.Resource {
	return access.Resource{Type: typeVictim, Mission: mission, Classification: peaceops.StrictlyConfidential}
}

// caseAudit is a case as the audit log records it. The audit log is read
// by administrators who have no need to know the case, so every field but
// the id and version is secret: an entry says which fields changed, never
// what they hold. Victims are audited as their own entries (victimAudit).
type caseAudit struct {
	ID                 string        `json:"id"`
	Version            int64         `json:"version"`
	Reported           peaceops.Date `json:"reported" audit:"secret"`
	IncidentDate       peaceops.Date `json:"incident_date" audit:"secret"`
	ReceivedVia        string        `json:"received_via" audit:"secret"`
	Categories         []string      `json:"categories" audit:"secret"`
	PersonnelCategory  string        `json:"personnel_category" audit:"secret"`
	Perpetrators       int           `json:"perpetrators" audit:"secret"`
	Nationality        string        `json:"nationality" audit:"secret"`
	VictimCount        int           `json:"victim_count" audit:"secret"`
	PaternityClaims    int           `json:"paternity_claims" audit:"secret"`
	InterimMeasures    []string      `json:"interim_measures" audit:"secret"`
	AssistanceReferred peaceops.Date `json:"assistance_referred" audit:"secret"`
	Summary            string        `json:"summary" audit:"secret"`
	FeedbackID         string        `json:"feedback_id" audit:"secret"`
	Investigation      Investigation `json:"investigation" audit:"secret"`
}

func auditCase(a *Allegation) *caseAudit {
	return &caseAudit{ID: a.ID, Version: a.Version, Reported: a.Reported, IncidentDate: a.IncidentDate,
		ReceivedVia: a.ReceivedVia, Categories: a.Categories, PersonnelCategory: a.PersonnelCategory,
		Perpetrators: a.Perpetrators, Nationality: a.Nationality, VictimCount: a.VictimCount,
		PaternityClaims: a.PaternityClaims, InterimMeasures: a.InterimMeasures, AssistanceReferred: a.AssistanceReferred,
		Summary: a.Summary, FeedbackID: a.FeedbackID, Investigation: a.Investigation}
}

// CreateAllegation validates a, stores it as version 1 of a case of
// a.Mission and audits it. Conduct officers of the mission only (others
// ENOTFOUND, or EFORBIDDEN for who may read cases).
func (s *Service) CreateAllegation(ctx context.Context, a *Allegation) error {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionCreate, caseResource(a.Mission)); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error { return createAllegation(ctx, tx, a) })
}

func createAllegation(ctx context.Context, tx *store.Tx, a *Allegation) error {
	a.ID = peaceops.NewIDAt(tx.Now)
	a.CreatedAt, a.UpdatedAt, a.Version = tx.Now, tx.Now, 1
	a.StatusSince = a.Reported
	a.Victims, a.Actions, a.Timeline, a.Indicators = nil, nil, nil, nil
	if err := insertAllegation(ctx, tx, a); err != nil {
		return err
	}
	if !a.IncidentDate.IsZero() {
		if err := logEntry(ctx, tx, a.ID, a.IncidentDate, "incident", a.IncidentPrecision); err != nil {
			return err
		}
	}
	if err := logEntry(ctx, tx, a.ID, a.Reported, "reported", a.ReceivedVia); err != nil {
		return err
	}
	if err := logInvestigation(ctx, tx, a.ID, Investigation{Status: "pending"}, a.Investigation, a.Reported); err != nil {
		return err
	}
	return tx.Audit(ctx, store.Change{Mission: a.Mission, EntityType: typeAllegation, EntityID: a.ID, Action: "create", After: auditCase(a)})
}

// logInvestigation adds timeline entries for what changed in an
// investigation.
func logInvestigation(ctx context.Context, tx *store.Tx, id string, before, after Investigation, statusDay peaceops.Date) error {
	if before.Opened != after.Opened && !after.Opened.IsZero() {
		if err := logEntry(ctx, tx, id, after.Opened, "investigation-opened", after.Entity); err != nil {
			return err
		}
	}
	if before.Closed != after.Closed && !after.Closed.IsZero() {
		if err := logEntry(ctx, tx, id, after.Closed, "investigation-closed", after.Entity); err != nil {
			return err
		}
	}
	if before.Status != after.Status {
		return logEntry(ctx, tx, id, statusDay, "status", before.Status+" → "+after.Status)
	}
	return nil
}

// CreateFromReferral records a misconduct report passed on by the
// community feedback channel as an allegation of mission received via the
// community mechanism, linked to the feedback id, and returns its id. The
// categories and personnel are not known yet: the case is opened as
// possible sexual exploitation with one civilian perpetrator, for the
// conduct officers to correct. The caller needs the create permission on
// cases (a conduct officer, or the system actor the feedback channel may
// use).
func (s *Service) CreateFromReferral(ctx context.Context, mission string, r Referral) (string, error) {
	summary := strings.TrimSpace(r.Summary)
	if r.Channel != "" {
		summary = fmt.Sprintf("Referred by the community feedback channel (%s).\n\n%s", r.Channel, summary)
	}
	a := &Allegation{Mission: mission, Reported: r.Received, ReceivedVia: ViaCommunity,
		Categories: []string{"sexual-exploitation"}, PersonnelCategory: "civilian", Perpetrators: 1,
		Summary: summary, FeedbackID: r.FeedbackID}
	if err := s.CreateAllegation(ctx, a); err != nil {
		return "", err
	}
	return a.ID, nil
}

// FindAllegation returns a case with its victims, actions, timeline and
// indicators, and audits the read. Victims' identities are filled in only
// for holders of the victim read permission (Withheld for the others).
// Anyone without the case read permission gets ENOTFOUND.
func (s *Service) FindAllegation(ctx context.Context, mission, id string) (*Allegation, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, caseResource(mission)); err != nil {
		return nil, err
	}
	showIdentity := access.Can(actor, access.ActionRead, victimResource(mission))
	var out *Allegation
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		a, err := findAllegation(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if err := s.fill(ctx, tx, a, showIdentity); err != nil {
			return err
		}
		out = a
		read := struct {
			IdentitiesShown bool `json:"identities_shown"`
			Victims         int  `json:"victims"`
		}{showIdentity && len(a.Victims) > 0, len(a.Victims)}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeAllegation, EntityID: id, Action: "read", After: read})
	})
	return out, err
}

func (s *Service) fill(ctx context.Context, tx *store.Tx, a *Allegation, showIdentity bool) error {
	victims, err := findVictims(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	a.Victims = make([]Victim, 0, len(victims))
	for _, v := range victims {
		out := v.Victim
		hasIdentity := v.sealed != (sealedIdentity{})
		out.IdentityRecorded = hasIdentity
		switch {
		case !hasIdentity:
		case showIdentity:
			if out.Identity, err = openIdentity(s.keys, v.ID, v.sealed); err != nil {
				return fmt.Errorf("conduct: victim %s: %w", v.ID, err)
			}
		default:
			out.Withheld = true
		}
		a.Victims = append(a.Victims, out)
	}
	if a.Actions, err = findActions(ctx, tx, a.ID); err != nil {
		return err
	}
	if a.Timeline, err = findTimeline(ctx, tx, a.ID); err != nil {
		return err
	}
	a.Indicators = a.indicatorsOn(peaceops.DateOf(tx.Now))
	return nil
}

// FindAllegations returns a page of the mission's cases matching f (newest
// report first, without victims) and the cursor of the next page, and
// audits the search.
func (s *Service) FindAllegations(ctx context.Context, mission string, f Filter) ([]*Allegation, string, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, caseResource(mission)); err != nil {
		return nil, "", err
	}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	var out []*Allegation
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if out, err = findAllegations(ctx, tx, mission, f); err != nil {
			return err
		}
		today := peaceops.DateOf(tx.Now)
		for _, a := range out {
			a.Indicators = a.indicatorsOn(today)
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeAllegation, Action: "search", After: struct {
			Rows int `json:"rows"`
		}{len(out)}})
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		last := out[len(out)-1]
		next = last.Reported.String() + "|" + last.ID
	}
	return out, next, nil
}

// EachAllegation calls fn with every case of the mission matching f (the
// CSV export: no victims), after checking the export permission and
// auditing the export.
func (s *Service) EachAllegation(ctx context.Context, mission string, f Filter, fn func(*Allegation) error) error {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionExport, caseResource(mission)); err != nil {
		return err
	}
	f.Limit = 1000
	if err := f.Validate(); err != nil {
		return err
	}
	var all []*Allegation
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		for {
			page, err := findAllegations(ctx, tx, mission, f)
			if err != nil {
				return err
			}
			more := len(page) > f.Limit
			if more {
				page = page[:f.Limit]
			}
			all = append(all, page...)
			if !more {
				break
			}
			last := page[len(page)-1]
			f.After = last.Reported.String() + "|" + last.ID
		}
		today := peaceops.DateOf(tx.Now)
		for _, a := range all {
			a.Indicators = a.indicatorsOn(today)
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeAllegation, Action: "export", After: struct {
			Rows int `json:"rows"`
		}{len(all)}})
	})
	if err != nil {
		return err
	}
	for _, a := range all {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// UpdateAllegation applies upd to a case if it is still at version
// (EPRECONDITION otherwise), logs status and investigation changes on the
// timeline and audits the change.
func (s *Service) UpdateAllegation(ctx context.Context, mission, id string, upd Update, version int64) (*Allegation, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionUpdate, caseResource(mission)); err != nil {
		return nil, err
	}
	var out *Allegation
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := findAllegation(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return peaceops.Errorf(peaceops.EPRECONDITION, "allegation %s is at version %d, not %d: reload and try again", id, before.Version, version)
		}
		after := upd.apply(*before)
		if err := after.Validate(); err != nil {
			return err
		}
		today := peaceops.DateOf(tx.Now)
		if after.Investigation.Status != before.Investigation.Status {
			after.StatusSince = today
		}
		after.UpdatedAt, after.Version = tx.Now, before.Version+1
		if err := updateAllegation(ctx, tx, &after); err != nil {
			return err
		}
		if err := logInvestigation(ctx, tx, id, before.Investigation, after.Investigation, today); err != nil {
			return err
		}
		if before.AssistanceReferred != after.AssistanceReferred && !after.AssistanceReferred.IsZero() {
			if err := logEntry(ctx, tx, id, after.AssistanceReferred, "assistance-referral", ""); err != nil {
				return err
			}
		}
		if strings.Join(before.InterimMeasures, ",") != strings.Join(after.InterimMeasures, ",") {
			if err := logEntry(ctx, tx, id, today, "interim-measures", strings.Join(after.InterimMeasures, ", ")); err != nil {
				return err
			}
		}
		out = &after
		out.Indicators = out.indicatorsOn(today)
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeAllegation, EntityID: id, Action: "update", Before: auditCase(before), After: auditCase(&after)})
	})
	return out, err
}

// AddVictim adds a victim to a case and returns it without its identity
// (see receipt). Conduct officers (case update) record
// sex and age group; an identity needs the victim create permission and a
// data key, and is sealed before it is stored. The case's victim count
// rises to at least the number of victims recorded.
func (s *Service) AddVictim(ctx context.Context, mission, allegation string, nv NewVictim) (*Victim, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, caseResource(mission)); err != nil {
		return nil, err
	}
	if !access.Can(actor, access.ActionUpdate, caseResource(mission)) && !access.Can(actor, access.ActionCreate, victimResource(mission)) {
		return nil, peaceops.Errorf(peaceops.EFORBIDDEN, "you may not add victims to this case")
	}
	if !nv.Identity.empty() {
		if err := access.Check(actor, access.ActionCreate, victimResource(mission)); err != nil {
			return nil, peaceops.Errorf(peaceops.EFORBIDDEN, "only the victims' rights focal point records a victim's identity")
		}
	}
	if err := nv.Validate(); err != nil {
		return nil, err
	}
	var out *Victim
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		a, err := findAllegation(ctx, tx, mission, allegation)
		if err != nil {
			return err
		}
		v := &storedVictim{Victim: Victim{ID: peaceops.NewIDAt(tx.Now), Sex: nv.Sex, AgeGroup: nv.AgeGroup, CreatedAt: tx.Now, UpdatedAt: tx.Now}}
		if v.sealed, err = sealIdentity(s.keys, v.ID, nv.Identity); err != nil {
			return err
		}
		if err := insertVictim(ctx, tx, mission, allegation, v); err != nil {
			return err
		}
		victims, err := findVictims(ctx, tx, allegation)
		if err != nil {
			return err
		}
		if len(victims) > a.VictimCount {
			before := *a
			a.VictimCount, a.UpdatedAt, a.Version = len(victims), tx.Now, a.Version+1
			if err := updateAllegation(ctx, tx, a); err != nil {
				return err
			}
			if err := tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeAllegation, EntityID: a.ID, Action: "update", Before: auditCase(&before), After: auditCase(a)}); err != nil {
				return err
			}
		}
		if err := logEntry(ctx, tx, allegation, peaceops.DateOf(tx.Now), "victim-added", v.Sex+", "+v.AgeGroup); err != nil {
			return err
		}
		v.Identity = nv.Identity
		if v.Identity.empty() {
			v.Identity = nil
		}
		if err := tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeVictim, EntityID: v.ID, Action: "create", After: auditOf(allegation, &v.Victim)}); err != nil {
			return err
		}
		out = receipt(v)
		return nil
	})
	return out, err
}

// receipt is the victim a write returns: never the identity, which would
// otherwise be kept in clear wherever the response goes (the stored replies
// of Idempotency-Key, proxies' logs); IdentityRecorded says whether one is
// stored. Reading the case shows it to whoever may see it.
func receipt(v *storedVictim) *Victim {
	out := v.Victim
	out.Identity = nil
	out.IdentityRecorded = v.sealed != (sealedIdentity{})
	return &out
}

// SetVictimIdentity replaces the identity of a victim (the victims' rights
// focal point only). The audit entry says which fields changed, not how.
func (s *Service) SetVictimIdentity(ctx context.Context, mission, allegation, victim string, id Identity) (*Victim, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, caseResource(mission)); err != nil {
		return nil, err
	}
	if err := access.Check(actor, access.ActionUpdate, victimResource(mission)); err != nil {
		return nil, peaceops.Errorf(peaceops.EFORBIDDEN, "only the victims' rights focal point records a victim's identity")
	}
	id.trim()
	if err := peaceops.Invalid(id.validate()); err != nil {
		return nil, err
	}
	var out *Victim
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := findAllegation(ctx, tx, mission, allegation); err != nil {
			return err
		}
		victims, err := findVictims(ctx, tx, allegation)
		if err != nil {
			return err
		}
		var v *storedVictim
		for _, x := range victims {
			if x.ID == victim {
				v = x
			}
		}
		if v == nil {
			return peaceops.Errorf(peaceops.ENOTFOUND, "victim not found")
		}
		before := v.Victim
		if before.Identity, err = openIdentity(s.keys, v.ID, v.sealed); err != nil {
			return fmt.Errorf("conduct: victim %s: %w", v.ID, err)
		}
		if v.sealed, err = sealIdentity(s.keys, v.ID, &id); err != nil {
			return err
		}
		v.UpdatedAt = tx.Now
		if err := updateVictim(ctx, tx, allegation, v); err != nil {
			return err
		}
		v.Identity = &id
		if err := logEntry(ctx, tx, allegation, peaceops.DateOf(tx.Now), "victim-identity", "updated"); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeVictim, EntityID: v.ID, Action: "update",
			Before: auditOf(allegation, &before), After: auditOf(allegation, &v.Victim)}); err != nil {
			return err
		}
		out = receipt(v)
		return nil
	})
	return out, err
}

// actionAudit is an action as the audit log records it (see caseAudit).
type actionAudit struct {
	ID      string        `json:"id"`
	Action  string        `json:"action" audit:"secret"`
	TakenOn peaceops.Date `json:"taken_on" audit:"secret"`
	Note    string        `json:"note" audit:"secret"`
}

// AddAction records an action taken on a case.
func (s *Service) AddAction(ctx context.Context, mission, allegation string, act Action) (*Action, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionUpdate, caseResource(mission)); err != nil {
		return nil, err
	}
	act.Note = strings.TrimSpace(act.Note)
	var errs []peaceops.FieldError
	if !known(ActionTypes, act.Action) {
		errs = append(errs, peaceops.FieldError{Field: "action", Message: oneOf(ActionTypes)})
	}
	if act.TakenOn.IsZero() {
		errs = append(errs, peaceops.FieldError{Field: "taken_on", Message: "is required"})
	}
	if len([]rune(act.Note)) > 2000 {
		errs = append(errs, peaceops.FieldError{Field: "note", Message: "must be at most 2000 characters"})
	}
	if err := peaceops.Invalid(errs); err != nil {
		return nil, err
	}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := findAllegation(ctx, tx, mission, allegation); err != nil {
			return err
		}
		act.ID = peaceops.NewIDAt(tx.Now)
		if err := insertAction(ctx, tx, mission, allegation, &act); err != nil {
			return err
		}
		if err := logEntry(ctx, tx, allegation, act.TakenOn, "action", act.Action); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeAllegation, EntityID: allegation, Action: "add-action", After: actionAudit(act)})
	})
	if err != nil {
		return nil, err
	}
	return &act, nil
}

// ResealVictims re-seals every victim identity not sealed with the current
// key (key rotation) and returns how many victims it rewrote. System actor
// only (the command line).
func (s *Service) ResealVictims(ctx context.Context) (int, error) {
	actor := peaceops.ActorFromContext(ctx)
	if !actor.System {
		return 0, peaceops.Errorf(peaceops.EFORBIDDEN, "re-sealing is done with the peaceops command on the server")
	}
	if s.keys == nil || s.keys.Current() == "" {
		return 0, sealed.ErrNoKey
	}
	n := 0
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		victims, owner, err := findSealedVictims(ctx, tx)
		if err != nil {
			return err
		}
		for _, v := range victims {
			s2 := v.sealed
			if !s.keys.NeedsReseal(s2.Name) && !s.keys.NeedsReseal(s2.Contact) && !s.keys.NeedsReseal(s2.Location) {
				continue
			}
			id, err := openIdentity(s.keys, v.ID, v.sealed)
			if err != nil {
				return fmt.Errorf("conduct: victim %s: %w", v.ID, err)
			}
			if v.sealed, err = sealIdentity(s.keys, v.ID, id); err != nil {
				return err
			}
			v.UpdatedAt = tx.Now
			if err := updateVictim(ctx, tx, owner[v.ID], v); err != nil {
				return err
			}
			n++
		}
		return tx.Audit(ctx, store.Change{EntityType: typeVictim, Action: "reseal", After: struct {
			Key      string `json:"key"`
			Resealed int    `json:"resealed"`
		}{s.keys.Current(), n}})
	})
	return n, err
}
