package feedback

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
)

// Category is what a submission is about.
type Category string

const (
	CategoryComplaint  Category = "complaint"
	CategoryConcern    Category = "concern"
	CategoryTip        Category = "tip"
	CategoryMisconduct Category = "misconduct"
	CategoryAssistance Category = "assistance" // a request for assistance
	CategoryOther      Category = "other"
)

// Categories lists every category in the order forms show them.
var Categories = []Category{CategoryComplaint, CategoryConcern, CategoryTip, CategoryMisconduct, CategoryAssistance, CategoryOther}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Status is where a submission stands. It only moves forward:
// received, acknowledged, referred, responded, closed (a step may be
// skipped).
type Status string

const (
	StatusReceived     Status = "received"
	StatusAcknowledged Status = "acknowledged"
	StatusReferred     Status = "referred"
	StatusResponded    Status = "responded"
	StatusClosed       Status = "closed"
)

// Statuses lists every status in order.
var Statuses = []Status{StatusReceived, StatusAcknowledged, StatusReferred, StatusResponded, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

func (s Status) rank() int { return slices.Index(Statuses, s) }

// Target is where a submission is referred.
type Target string

const (
	// TargetConduct is conduct and discipline: the referral creates a
	// misconduct allegation (conduct.Service.CreateFromReferral).
	TargetConduct      Target = "conduct"
	TargetHumanRights  Target = "human-rights"
	TargetProtection   Target = "protection-of-civilians"
	TargetHumanitarian Target = "humanitarian-partner"
)

// Targets lists every referral target.
var Targets = []Target{TargetConduct, TargetHumanRights, TargetProtection, TargetHumanitarian}

// Valid reports whether t is a known target.
func (t Target) Valid() bool { return slices.Contains(Targets, t) }

// Channel is how a submission arrived.
type Channel string

const (
	ChannelWeb Channel = "web" // the public form
	ChannelAPI Channel = "api"
	ChannelSMS Channel = "sms"
)

// Limits of what a submitter may send.
const (
	MaxDescription = 4000
	MaxPlace       = 200
	MaxContact     = 200
	MaxResponse    = 2000
	MaxNote        = 2000
)

// Submission is one piece of community feedback. It carries no time finer
// than the day it was received, and nothing about its sender but the
// contact they chose to give (sealed at rest, shown only to feedback
// officers: Contact is "" and ContactWithheld true for everyone else).
type Submission struct {
	ID       string   `json:"id"`
	Mission  string   `json:"mission"`
	Channel  Channel  `json:"channel"`
	Category Category `json:"category"`
	// PlaceCode is an admin area P-code, Place free text; both optional
	// and coarse (a district, a village: never an address).
	PlaceCode   string `json:"place_code"`
	Place       string `json:"place"`
	Description string `json:"description"`
	Language    string `json:"language"`
	// Contact is how to reach the submitter (a phone number, an address
	// they typed). It is never written to the audit log.
	Contact         string `json:"contact,omitempty" audit:"secret"`
	HasContact      bool   `json:"has_contact"`
	ContactWithheld bool   `json:"contact_withheld,omitempty"`
	ReplyWanted     bool   `json:"reply_wanted"`

	Received       peaceops.Date `json:"received"`
	Status         Status        `json:"status"`
	AssignedTo     string        `json:"assigned_to"`
	ReferredTo     Target        `json:"referred_to"`
	AllegationID   string        `json:"allegation_id"`
	PublicResponse string        `json:"public_response"`
	AckDue         peaceops.Date `json:"ack_due"`
	ResolveDue     peaceops.Date `json:"resolve_due"`
	AcknowledgedOn peaceops.Date `json:"acknowledged_on"`
	ReferredOn     peaceops.Date `json:"referred_on"`
	RespondedOn    peaceops.Date `json:"responded_on"`
	ClosedOn       peaceops.Date `json:"closed_on"`
	Version        int64         `json:"version"`
	// Overdue is computed when read: a deadline passed with its step not
	// done.
	Overdue bool `json:"overdue"`
	// Timeline is filled in by FindFeedbackByID.
	Timeline []Entry `json:"timeline,omitempty"`
}

// Entry is one step of a submission's timeline.
type Entry struct {
	At     string `json:"at"` // RFC 3339 for officers' steps; the day for the submission
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Detail string `json:"detail"`
	Public bool   `json:"public"`
}

// Intake is what a submitter sends, on any channel.
type Intake struct {
	Category    Category `json:"category"`
	PlaceCode   string   `json:"place_code"`
	Place       string   `json:"place"`
	Description string   `json:"description"`
	Contact     string   `json:"contact"`
	ReplyWanted bool     `json:"reply_wanted"`
	Language    string   `json:"language"`
}

var pcodePattern = regexp.MustCompile(`^[A-Z]{2,3}[0-9]{1,12}$`)

// normalize trims the intake's text.
func (in *Intake) normalize() {
	in.Category = Category(strings.ToLower(strings.TrimSpace(string(in.Category))))
	in.PlaceCode = strings.ToUpper(strings.TrimSpace(in.PlaceCode))
	in.Place = strings.TrimSpace(in.Place)
	in.Description = strings.TrimSpace(in.Description)
	in.Contact = strings.TrimSpace(in.Contact)
	in.Language = strings.TrimSpace(in.Language)
}

// Validate returns every field problem of in as an EINVALID error, or nil.
func (in *Intake) Validate() error {
	in.normalize()
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if !in.Category.Valid() {
		add("category", "must be one of complaint, concern, tip, misconduct, assistance, other")
	}
	if in.PlaceCode != "" && !pcodePattern.MatchString(in.PlaceCode) {
		add("place_code", "must be an admin area P-code, e.g. CF71")
	}
	if utf8.RuneCountInString(in.Place) > MaxPlace {
		add("place", "must be at most 200 characters")
	}
	switch n := utf8.RuneCountInString(in.Description); {
	case n == 0:
		add("description", "is required")
	case n > MaxDescription:
		add("description", "must be at most 4000 characters")
	}
	if utf8.RuneCountInString(in.Contact) > MaxContact {
		add("contact", "must be at most 200 characters")
	}
	if in.ReplyWanted && in.Contact == "" {
		add("contact", "is needed for a reply")
	}
	if in.Language != "" && in.Language != "en" && in.Language != "fr" {
		add("language", "must be en or fr")
	}
	for _, s := range []struct{ field, v string }{{"place", in.Place}, {"description", in.Description}, {"contact", in.Contact}} {
		if !utf8.ValidString(s.v) || strings.ContainsRune(s.v, 0) {
			add(s.field, "must be valid text")
		}
	}
	return peaceops.Invalid(errs)
}

// Triage is what a feedback officer does to a submission: any of its parts
// at once. A nil or empty part leaves that aspect as it is.
type Triage struct {
	// Acknowledge marks the submission acknowledged (any other step does
	// too).
	Acknowledge bool      `json:"acknowledge"`
	Category    *Category `json:"category"`
	// AssignedTo names the officer in charge ("" unassigns).
	AssignedTo *string `json:"assigned_to"`
	// ReferTo refers the submission; conduct creates an allegation.
	ReferTo Target `json:"refer_to"`
	// PublicResponse is shown on the tracking page.
	PublicResponse *string `json:"public_response"`
	// Note is an internal note for the timeline, never shown to the
	// submitter.
	Note  string `json:"note"`
	Close bool   `json:"close"`
}

// Validate returns every field problem of t, or nil.
func (t *Triage) Validate() error {
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if t.Category != nil && !t.Category.Valid() {
		add("category", "must be one of complaint, concern, tip, misconduct, assistance, other")
	}
	if t.AssignedTo != nil {
		v := strings.TrimSpace(*t.AssignedTo)
		t.AssignedTo = &v
		if utf8.RuneCountInString(v) > 100 {
			add("assigned_to", "must be at most 100 characters")
		}
	}
	if t.ReferTo != "" && !t.ReferTo.Valid() {
		add("refer_to", "must be one of conduct, human-rights, protection-of-civilians, humanitarian-partner")
	}
	if t.PublicResponse != nil {
		v := strings.TrimSpace(*t.PublicResponse)
		t.PublicResponse = &v
		if v == "" {
			add("public_response", "must not be empty")
		}
		if utf8.RuneCountInString(v) > MaxResponse {
			add("public_response", "must be at most 2000 characters")
		}
	}
	t.Note = strings.TrimSpace(t.Note)
	if utf8.RuneCountInString(t.Note) > MaxNote {
		add("note", "must be at most 2000 characters")
	}
	if !t.Acknowledge && t.Category == nil && t.AssignedTo == nil && t.ReferTo == "" && t.PublicResponse == nil && t.Note == "" && !t.Close {
		add("triage", "says nothing to do: give at least one of acknowledge, category, assigned_to, refer_to, public_response, note, close")
	}
	return peaceops.Invalid(errs)
}

// Filter selects submissions of a mission for the officers' queue.
type Filter struct {
	Status     Status
	Category   Category
	AssignedTo string
	// Open keeps only submissions not closed.
	Open bool
	// Overdue keeps only submissions past a deadline (see Submission.Overdue).
	Overdue bool
	Limit   int
	Cursor  string
}

// Validate checks f and fills in the default limit.
func (f *Filter) Validate() error {
	var errs []peaceops.FieldError
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 1000 {
		errs = append(errs, peaceops.FieldError{Field: "limit", Message: "must be between 1 and 1000"})
	}
	if f.Status != "" && !f.Status.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "status", Message: "must be one of received, acknowledged, referred, responded, closed"})
	}
	if f.Category != "" && !f.Category.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "category", Message: "must be one of complaint, concern, tip, misconduct, assistance, other"})
	}
	return peaceops.Invalid(errs)
}

// Tracking is what a submitter sees with their tracking code.
type Tracking struct {
	Code           string        `json:"code"`
	Mission        string        `json:"mission"`
	Category       Category      `json:"category"`
	Received       peaceops.Date `json:"received"`
	Status         Status        `json:"status"`
	PublicResponse string        `json:"public_response"`
	RespondedOn    peaceops.Date `json:"responded_on"`
	ClosedOn       peaceops.Date `json:"closed_on"`
}

// Receipt is the answer to a submission: the tracking code to keep.
type Receipt struct {
	TrackingCode string        `json:"tracking_code"`
	Mission      string        `json:"mission"`
	Received     peaceops.Date `json:"received"`
	Status       Status        `json:"status"`
}

// Tracking codes are 12 characters from an alphabet without the look-alikes
// 0/O, 1/I/L: 11 random characters (54 bits) and a check character, a
// weighted sum modulo 31 (a prime), which catches any one mistyped
// character and any swap of two neighbours. They are shown in groups of
// four (ABCD-EFGH-JKMN) and read back ignoring case, spaces and hyphens.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

const codeLen = 12

// NewTrackingCode returns a fresh tracking code in its display form.
func NewTrackingCode() string {
	b := make([]byte, codeLen-1)
	rnd := make([]byte, 1)
	for i := range b {
		for {
			rand.Read(rnd)
			if int(rnd[0]) < 248 { // 248 = 8*31: no modulo bias
				b[i] = codeAlphabet[int(rnd[0])%len(codeAlphabet)]
				break
			}
		}
	}
	code := string(b) + string(codeAlphabet[checkValue(string(b))])
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

func checkValue(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += (i + 1) * strings.IndexByte(codeAlphabet, s[i])
	}
	return sum % len(codeAlphabet)
}

// ParseTrackingCode returns the canonical form of a tracking code as typed
// (any case, with or without spaces and hyphens), or EINVALID when it is
// not one: wrong length, a character outside the alphabet, or a check
// character that does not match (a typing mistake).
func ParseTrackingCode(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r < 128 && strings.ContainsRune(codeAlphabet, r):
			b.WriteRune(r)
		default:
			return "", codeError("contains a character that is not in tracking codes (letters and digits without 0, 1, I, L or O)")
		}
	}
	c := b.String()
	if len(c) != codeLen {
		return "", codeError("must be 12 letters and digits, e.g. ABCD-EFGH-JKMN")
	}
	if codeAlphabet[checkValue(c[:codeLen-1])] != c[codeLen-1] {
		return "", codeError("is not a valid tracking code: check it for a typing mistake")
	}
	return c[:4] + "-" + c[4:8] + "-" + c[8:], nil
}

func codeError(msg string) error {
	return peaceops.Invalid([]peaceops.FieldError{{Field: "code", Message: msg}})
}

// trackingHash is what the database keeps of a (canonical) tracking code.
func trackingHash(code string) string {
	sum := sha256.Sum256([]byte("peaceops-feedback-tracking\x00" + strings.ReplaceAll(code, "-", "")))
	return hex.EncodeToString(sum[:])
}
