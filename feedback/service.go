package feedback

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/sealed"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// Resource types of the policy (access/grants_feedback.go).
const (
	typeFeedback = "feedback"
	typeContact  = "feedback_contact"
)

// Submissions are stored confidential: the public may create them (the
// intake is a public resource), only feedback officers and mission-admins
// read them.
const storedClass = peaceops.Confidential

// AllegationCreator turns a misconduct referral into a conduct allegation
// and returns its id. conduct.Service implements it.
type AllegationCreator interface {
	CreateFromReferral(ctx context.Context, mission string, r conduct.Referral) (string, error)
}

// Options configure a Service.
type Options struct {
	// Keys seal contacts; nil refuses submissions that give one (never
	// stored in clear).
	Keys *sealed.Keyring
	// Conduct receives misconduct referrals; nil refuses them.
	Conduct AllegationCreator
	// SMSToken is the shared secret the SMS gateway sends in the
	// X-Feedback-Token header; "" turns the webhook off (404).
	SMSToken string
	// AckDays and ResolveDays are the service levels: a submission must be
	// acknowledged within AckDays (default 3) and responded to or closed
	// within ResolveDays (default 30) of the day it was received.
	AckDays, ResolveDays int
	// PerWindow submissions per sender in Window (default 20 in 10
	// minutes; tracking lookups get six times as many); a negative
	// PerWindow turns the limit off. Behind a reverse proxy the server
	// must trust it (web.Config.TrustProxy), or every web sender shares
	// the proxy's bucket.
	PerWindow int
	Window    time.Duration
}

// Service holds the feedback operations. Every method takes the actor from
// ctx and checks it against the access policy: anyone may submit (the
// intake is public), feedback officers triage and export, mission-admins
// read, and only feedback officers see a submitter's contact
// ("feedback_contact", need-to-know). A Service is safe for concurrent use.
type Service struct {
	db    *store.DB
	opts  Options
	pages *web.Pages
	// intake counts submissions per hashed sender; lookups counts
	// tracking code lookups (against guessing).
	intake, lookups *limiter
}

// NewService returns a Service over db.
func NewService(db *store.DB, opts Options) *Service {
	if opts.AckDays <= 0 {
		opts.AckDays = 3
	}
	if opts.ResolveDays <= 0 {
		opts.ResolveDays = 30
	}
	if opts.PerWindow == 0 {
		opts.PerWindow = 20
	}
	if opts.Window <= 0 {
		opts.Window = 10 * time.Minute
	}
	s := &Service{db: db, opts: opts, pages: newPages()}
	s.intake = newLimiter(opts.PerWindow, opts.Window, db.Now)
	s.lookups = newLimiter(opts.PerWindow*6, opts.Window, db.Now)
	return s
}

func resource(mission string) access.Resource {
	return access.Resource{Type: typeFeedback, Mission: mission, Classification: storedClass}
}

func contactResource(mission string) access.Resource {
	return access.Resource{Type: typeContact, Mission: mission, Classification: peaceops.StrictlyConfidential}
}

// sealContext binds a sealed contact to its submission.
func sealContext(id string) string { return "feedback:" + id + ":contact" }

var errLimited = peaceops.Errorf(peaceops.ETOOMANY, "too many submissions from here: wait a few minutes and try again")

// Submit records a submission to mission from the public (any actor,
// anonymous included) on channel, and returns its receipt with the
// tracking code. sender is the key of the abuse limit (the client address,
// a phone number): it is hashed in memory and never stored. The row holds
// the day only; the audit entry of the creation is dated at that day's
// midnight. Errors: EINVALID listing every field problem (a contact
// without a data key configured is refused, never stored in clear);
// ENOTFOUND when the mission does not exist; ETOOMANY over the limit.
func (s *Service) Submit(ctx context.Context, mission string, in Intake, channel Channel, sender string) (*Receipt, error) {
	if err := access.Check(peaceops.ActorFromContext(ctx), access.ActionCreate, access.Resource{Type: typeFeedback, Mission: mission, Classification: peaceops.Public}); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Contact != "" && s.opts.Keys.Current() == "" {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "contact", Message: "cannot be kept on this server (no data key is configured): leave it empty"}})
	}
	if !s.intake.allow(channelKey(channel, mission, sender)) {
		return nil, errLimited
	}
	var out *Receipt
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := missionExists(ctx, tx, mission); err != nil {
			return err
		}
		day := peaceops.DateOf(tx.Now)
		// The transaction's time is the day's midnight: the audit entry
		// and the ids made here say nothing finer.
		tx.Now = day.Time()
		code := NewTrackingCode()
		sub := &Submission{
			ID: peaceops.NewIDAt(tx.Now), Mission: mission, Channel: channel, Category: in.Category,
			PlaceCode: in.PlaceCode, Place: in.Place, Description: in.Description, Language: in.Language,
			ReplyWanted: in.ReplyWanted, Received: day, Status: StatusReceived,
			AckDue: addDays(day, s.opts.AckDays), ResolveDue: addDays(day, s.opts.ResolveDays), Version: 1,
		}
		sealedContact, err := s.opts.Keys.Seal(in.Contact, sealContext(sub.ID))
		if err != nil {
			return fmt.Errorf("feedback: seal contact: %w", err)
		}
		sub.HasContact = sealedContact != ""
		if err := insertSubmission(ctx, tx, sub, trackingHash(code), sealedContact); err != nil {
			return err
		}
		if err := insertEntry(ctx, tx, sub, "system", "received", string(channel), true); err != nil {
			return err
		}
		out = &Receipt{TrackingCode: code, Mission: mission, Received: day, Status: StatusReceived}
		// Contact is tagged audit:"secret": the entry says only that one
		// was given.
		sub.Contact = in.Contact
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeFeedback, EntityID: sub.ID, Action: "create", After: sub})
	})
	return out, err
}

func channelKey(c Channel, mission, sender string) string {
	return string(c) + "\x00" + mission + "\x00" + sender
}

func addDays(d peaceops.Date, n int) peaceops.Date { return peaceops.DateOf(d.Time().AddDate(0, 0, n)) }

// Track returns what the holder of a tracking code may know: status, the
// public response and the days they happened. A code that is malformed is
// EINVALID; one that matches nothing is ENOTFOUND; too many lookups from
// one sender is ETOOMANY. Lookups are not audited (they would record when
// the submitter came back).
func (s *Service) Track(ctx context.Context, code, sender string) (*Tracking, error) {
	canon, err := ParseTrackingCode(code)
	if err != nil {
		return nil, err
	}
	if !s.lookups.allow("track\x00" + sender) {
		return nil, peaceops.Errorf(peaceops.ETOOMANY, "too many lookups from here: wait a few minutes and try again")
	}
	var sub *Submission
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		sub, _, err = findByTracking(ctx, tx, trackingHash(canon))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Tracking{Code: canon, Mission: sub.Mission, Category: sub.Category, Received: sub.Received, Status: sub.Status,
		PublicResponse: sub.PublicResponse, RespondedOn: sub.RespondedOn, ClosedOn: sub.ClosedOn}, nil
}

// ReceiveSMS turns an inbound text message into a submission (or, for
// "TRACK <code>", a status lookup) and returns the reply for the gateway
// to send back. token must equal Options.SMSToken (compared in constant
// time): EUNAUTHORIZED otherwise, ENOTFOUND when the webhook is off. The
// sender's number is sealed and kept only when the text asks for a reply
// (see parsedSMS).
func (s *Service) ReceiveSMS(ctx context.Context, mission, token string, m SMS) (*SMSReply, error) {
	if s.opts.SMSToken == "" {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "the SMS webhook is not enabled on this server")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.SMSToken)) != 1 {
		return nil, peaceops.Errorf(peaceops.EUNAUTHORIZED, "missing or wrong X-Feedback-Token")
	}
	p, err := parseSMS(m, peaceops.DateOf(s.db.Now().UTC()))
	if err != nil {
		return nil, err
	}
	from := normalizePhone(m.From)
	if p.Track != "" {
		t, err := s.Track(ctx, p.Track, "sms\x00"+from)
		if err != nil {
			return nil, err
		}
		reply := fmt.Sprintf("%s: %s", t.Code, t.Status)
		if p.Lang == "fr" {
			reply = fmt.Sprintf("%s : %s", t.Code, smsStatusFR[t.Status])
		}
		if t.PublicResponse != "" {
			reply += ". " + t.PublicResponse
		}
		return &SMSReply{TrackingCode: t.Code, Reply: reply}, nil
	}
	in := Intake{Category: p.Category, Description: p.Description, ReplyWanted: p.ReplyWanted, Language: p.Lang}
	if p.ReplyWanted {
		in.Contact = from
	}
	rc, err := s.Submit(ctx, mission, in, ChannelSMS, from)
	if err != nil {
		return nil, err
	}
	reply := fmt.Sprintf("Received. Your tracking code is %s. Send TRACK %s to follow it.", rc.TrackingCode, rc.TrackingCode)
	if p.Lang == "fr" {
		reply = fmt.Sprintf("Message reçu. Votre code de suivi est %s. Envoyez SUIVI %s pour le suivre.", rc.TrackingCode, rc.TrackingCode)
	}
	return &SMSReply{TrackingCode: rc.TrackingCode, Reply: reply}, nil
}

// smsStatusFR names the statuses in French replies.
var smsStatusFR = map[Status]string{StatusReceived: "reçu", StatusAcknowledged: "accusé de réception",
	StatusReferred: "transmis", StatusResponded: "réponse donnée", StatusClosed: "clos"}

// visible reads submission id of mission for the actor: ENOTFOUND when it
// does not exist or they may not read the mission's feedback
// (EUNAUTHORIZED when anonymous).
func visible(ctx context.Context, tx *store.Tx, a peaceops.Actor, mission, id string) (*Submission, string, error) {
	if err := access.Check(a, access.ActionRead, resource(mission)); err != nil {
		return nil, "", err
	}
	if !peaceops.ValidID(id) {
		return nil, "", notFound(id)
	}
	return findSubmission(ctx, tx, mission, id)
}

func notFound(id string) error {
	return peaceops.Errorf(peaceops.ENOTFOUND, "feedback %s not found", id)
}

// reveal fills in the contact of sub for feedback officers (opening the
// sealed value) and marks it withheld for everyone else.
func (s *Service) reveal(a peaceops.Actor, sub *Submission, sealedContact string) error {
	sub.Contact = ""
	if sealedContact == "" {
		return nil
	}
	if !access.Can(a, access.ActionRead, contactResource(sub.Mission)) {
		sub.ContactWithheld = true
		return nil
	}
	c, err := s.opts.Keys.Open(sealedContact, sealContext(sub.ID))
	if err != nil {
		return fmt.Errorf("feedback: open contact of %s: %w", sub.ID, err)
	}
	sub.Contact = c
	return nil
}

// FindFeedbackByID returns a submission with its timeline. The read is
// audited (the records are confidential), noting whether the contact was
// shown. Errors: ENOTFOUND for a submission that does not exist or that the
// actor may not read.
func (s *Service) FindFeedbackByID(ctx context.Context, mission, id string) (*Submission, error) {
	a := peaceops.ActorFromContext(ctx)
	today := peaceops.DateOf(s.db.Now().UTC())
	var out *Submission
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		sub, sealedContact, err := visible(ctx, tx, a, mission, id)
		if err != nil {
			return err
		}
		if sub.Timeline, err = findEntries(ctx, tx, id); err != nil {
			return err
		}
		if err := s.reveal(a, sub, sealedContact); err != nil {
			return err
		}
		sub.Overdue = overdue(sub, today)
		out = sub
		read := struct {
			ContactShown bool `json:"contact_shown"`
		}{sub.Contact != ""}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeFeedback, EntityID: id, Action: "read", After: read})
	})
	return out, err
}

// FindFeedback returns one page of the submissions of mission matching f,
// newest first, and the cursor of the next page. Contacts are filled in
// for feedback officers only. Errors: ENOTFOUND when the actor may not
// read the mission's feedback (EUNAUTHORIZED anonymous); EINVALID filter.
func (s *Service) FindFeedback(ctx context.Context, mission string, f Filter) ([]*Submission, string, error) {
	a := peaceops.ActorFromContext(ctx)
	if err := access.Check(a, access.ActionRead, resource(mission)); err != nil {
		return nil, "", err
	}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	after, err := web.DecodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	today := peaceops.DateOf(s.db.Now().UTC())
	var rows []stored
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		rows, err = findSubmissions(ctx, tx, mission, f, after, today, f.Limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1].sub
		next = web.EncodeCursor(last.Received.String(), last.ID)
	}
	out := make([]*Submission, len(rows))
	for i, r := range rows {
		if err := s.reveal(a, r.sub, r.contact); err != nil {
			return nil, "", err
		}
		r.sub.Overdue = overdue(r.sub, today)
		out[i] = r.sub
	}
	return out, next, nil
}

// EachFeedback calls fn for every submission of mission matching f (no
// paging), for exports: it needs the export permission (feedback officers).
// Contacts are filled in by the same rule as FindFeedback.
func (s *Service) EachFeedback(ctx context.Context, mission string, f Filter, fn func(*Submission) error) error {
	a := peaceops.ActorFromContext(ctx)
	if err := access.Check(a, access.ActionExport, resource(mission)); err != nil {
		return err
	}
	f.Limit, f.Cursor = 1000, ""
	for {
		page, next, err := s.FindFeedback(ctx, mission, f)
		if err != nil {
			return err
		}
		for _, sub := range page {
			if err := fn(sub); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		f.Cursor = next
	}
}

// overdue reports whether a deadline of sub passed on today with its step
// not done: not acknowledged by AckDue, or not responded to nor closed by
// ResolveDue.
func overdue(sub *Submission, today peaceops.Date) bool {
	if sub.AcknowledgedOn.IsZero() && sub.AckDue.Before(today) {
		return true
	}
	return sub.RespondedOn.IsZero() && sub.ClosedOn.IsZero() && sub.ResolveDue.Before(today)
}

// TriageFeedback applies t to submission id if its version is still
// version, records each step in the timeline, audits the change and returns
// the new state. A referral to conduct creates an allegation (through
// Options.Conduct, on the officer's authority checked here) and keeps its
// id. Errors: EINVALID; ENOTFOUND (not visible); EFORBIDDEN (may read, not
// triage); EPRECONDITION (stale version); ECONFLICT (the submission is
// closed, or already referred to conduct).
func (s *Service) TriageFeedback(ctx context.Context, mission, id string, t Triage, version int64) (*Submission, error) {
	a := peaceops.ActorFromContext(ctx)
	if err := t.Validate(); err != nil {
		return nil, err
	}
	// Check what can be checked before a referral to conduct, which runs
	// its own transaction and so cannot run inside ours.
	var before *Submission
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		before, _, err = visible(ctx, tx, a, mission, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := access.Check(a, access.ActionUpdate, resource(mission)); err != nil {
		return nil, err
	}
	if err := checkTriage(before, t, version); err != nil {
		return nil, err
	}
	allegation := ""
	if t.ReferTo == TargetConduct {
		if s.opts.Conduct == nil {
			return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "refer_to", Message: "conduct referrals are not available on this server"}})
		}
		sys := peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
		allegation, err = s.opts.Conduct.CreateFromReferral(sys, mission, conduct.Referral{
			Received: before.Received, Channel: string(before.Channel), Summary: before.Description, FeedbackID: before.ID})
		if err != nil {
			return nil, fmt.Errorf("feedback: refer %s to conduct: %w", id, err)
		}
	}
	var out *Submission
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		cur, sealedContact, err := findSubmission(ctx, tx, mission, id)
		if err != nil {
			return err
		}
		if err := checkTriage(cur, t, version); err != nil {
			return err
		}
		after := *cur
		after.Timeline = nil
		today := peaceops.DateOf(tx.Now)
		actor := a.Name()
		var steps []Entry
		step := func(action, detail string, public bool) {
			steps = append(steps, Entry{Action: action, Detail: detail, Public: public})
		}
		advance := func(st Status) {
			if st.rank() > after.Status.rank() {
				after.Status = st
			}
		}
		if after.AcknowledgedOn.IsZero() {
			after.AcknowledgedOn = today
			advance(StatusAcknowledged)
			step("acknowledged", "", true)
		}
		if t.Category != nil && *t.Category != after.Category {
			step("categorised", fmt.Sprintf("%s → %s", after.Category, *t.Category), false)
			after.Category = *t.Category
		}
		if t.AssignedTo != nil && *t.AssignedTo != after.AssignedTo {
			after.AssignedTo = *t.AssignedTo
			step("assigned", after.AssignedTo, false)
		}
		if t.ReferTo != "" {
			after.ReferredTo, after.ReferredOn = t.ReferTo, today
			if allegation != "" {
				after.AllegationID = allegation
			}
			advance(StatusReferred)
			detail := string(t.ReferTo)
			if allegation != "" {
				detail += " (allegation " + allegation + ")"
			}
			step("referred", detail, false)
		}
		if t.PublicResponse != nil {
			after.PublicResponse, after.RespondedOn = *t.PublicResponse, today
			advance(StatusResponded)
			step("responded", after.PublicResponse, true)
		}
		if t.Note != "" {
			step("note", t.Note, false)
		}
		if t.Close {
			after.ClosedOn = today
			advance(StatusClosed)
			step("closed", "", true)
		}
		after.Version = cur.Version + 1
		if err := updateSubmission(ctx, tx, &after, cur.Version); err != nil {
			return err
		}
		for _, e := range steps {
			if err := insertEntry(ctx, tx, &after, actor, e.Action, e.Detail, e.Public); err != nil {
				return err
			}
		}
		// The audited states carry no contact (reveal is not called), and
		// Contact is tagged secret besides.
		if err := tx.Audit(ctx, store.Change{Mission: mission, EntityType: typeFeedback, EntityID: id, Action: "triage", Before: cur, After: after}); err != nil {
			return err
		}
		if err := s.reveal(a, &after, sealedContact); err != nil {
			return err
		}
		after.Overdue = overdue(&after, today)
		out = &after
		return nil
	})
	return out, err
}

// checkTriage refuses a triage that the submission's state does not allow.
func checkTriage(cur *Submission, t Triage, version int64) error {
	if cur.Version != version {
		return peaceops.Errorf(peaceops.EPRECONDITION, "feedback %s is at version %d, not %d: reload and try again", cur.ID, cur.Version, version)
	}
	if cur.Status == StatusClosed {
		return peaceops.Errorf(peaceops.ECONFLICT, "feedback %s is closed", cur.ID)
	}
	if t.ReferTo == TargetConduct && cur.AllegationID != "" {
		return peaceops.Errorf(peaceops.ECONFLICT, "feedback %s was already referred to conduct (allegation %s)", cur.ID, cur.AllegationID)
	}
	return nil
}
