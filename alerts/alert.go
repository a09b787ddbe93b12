package alerts

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
)

// State is where an alert stands in its handling.
type State string

const (
	StateOpen         State = "open"         // raised, nobody has looked at it yet
	StateAcknowledged State = "acknowledged" // someone is looking into it
	StateResolved     State = "resolved"     // handled, or activity back to expected
	StateDismissed    State = "dismissed"    // judged not worth acting on (a reporting artefact...)
)

// States lists every state in handling order.
var States = []State{StateOpen, StateAcknowledged, StateResolved, StateDismissed}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// transitions lists the states each state may move to by hand. Resolved
// and dismissed alerts may be reopened.
var transitions = map[State][]State{
	StateOpen:         {StateAcknowledged, StateResolved, StateDismissed},
	StateAcknowledged: {StateOpen, StateResolved, StateDismissed},
	StateResolved:     {StateOpen},
	StateDismissed:    {StateOpen},
}

// CanMove reports whether an alert in state s may be moved to state to.
func (s State) CanMove(to State) bool { return slices.Contains(transitions[s], to) }

// closed reports whether s takes the alert off the list of work to do.
func (s State) closed() bool { return s == StateResolved || s == StateDismissed }

// Levels lists the levels an alert may have, lowest first.
var Levels = []Level{LevelWatch, LevelWarning, LevelAlert}

// Valid reports whether l is a level an alert or a subscription may have
// (watch, warning or alert).
func (l Level) Valid() bool { return slices.Contains(Levels, l) }

// ReasonBackToExpected is the state reason of an alert resolved by a run
// because its area fell back to no level for QuietRuns consecutive runs.
const ReasonBackToExpected = "activity back to expected"

// QuietRuns is the number of consecutive runs in which an area must show no
// level before its alert is resolved.
const QuietRuns = 2

// Alert is one episode of unusual activity in an admin area: what the
// statistics found (Observed, Expected, PValue...; see Result) and how the
// mission handles it (State, Owner, Notes). Runs update the alert of an
// area, type and metric while its episode lasts rather than adding new
// ones; LastSeenAt is the last run that found it at watch level or above.
//
// Explanation is in English, as the statistics wrote it; pages translate
// the labels around it.
type Alert struct {
	ID        peaceops.ID `json:"id"`
	Mission   string      `json:"mission"`
	Area      string      `json:"area"`       // admin area P-code
	AreaName  string      `json:"area_name"`  // e.g. Bangui
	AreaLevel int         `json:"area_level"` // 1 or 2
	// Type is the event category the series counted, "" for all events.
	Type   string `json:"type"`
	Metric Metric `json:"metric"`

	Observed     float64 `json:"observed"`
	Expected     float64 `json:"expected"`
	Baseline     float64 `json:"baseline"` // expected per week
	HistoryWeeks int     `json:"history_weeks"`
	PValue       float64 `json:"p_value"`
	AdjustedP    float64 `json:"adjusted_p"`
	Model        Model   `json:"model"`
	Level        Level   `json:"level"`
	// PeakLevel is the highest level of the episode so far.
	PeakLevel   Level  `json:"peak_level"`
	Explanation string `json:"explanation"`
	Window      Window `json:"window"`

	State          State                   `json:"state"`
	StateReason    string                  `json:"state_reason"`
	Owner          string                  `json:"owner"` // username, "" for nobody
	Notes          []Note                  `json:"notes"`
	Classification peaceops.Classification `json:"classification"`

	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int64     `json:"version"`
	LastSeenAt time.Time `json:"last_seen_at"`

	// active marks the current episode of its key (see the migration).
	active    bool
	quietRuns int
}

// Note is a remark added to an alert.
type Note struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// MaxNote is the longest note, in characters.
const MaxNote = 4000

// Filter selects alerts of one mission. Zero fields do not filter.
type Filter struct {
	State State  `json:"state"`
	Level Level  `json:"level"`
	Area  string `json:"area"` // P-code: the area and the areas below it
	Limit int    `json:"limit"`
	// Cursor is the ID of the last alert of the previous page (newest
	// first); http.go wraps it in an opaque cursor.
	Cursor string `json:"cursor"`
}

// Validate checks f and fills in the default limit.
func (f *Filter) Validate() error {
	if f.Limit == 0 {
		f.Limit = 50
	}
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if f.State != "" && !f.State.Valid() {
		add("state", "must be one of open, acknowledged, resolved, dismissed")
	}
	if f.Level != "" && !f.Level.Valid() {
		add("level", "must be one of watch, warning, alert")
	}
	if len(f.Area) > 32 || strings.ContainsAny(f.Area, " \t\r\n%_") {
		add("area", "must be a P-code")
	}
	if f.Limit < 1 || f.Limit > 1000 {
		add("limit", "must be between 1 and 1000")
	}
	if f.Cursor != "" && !peaceops.ValidID(f.Cursor) {
		add("cursor", "is not a cursor returned by this API")
	}
	return peaceops.Invalid(errs)
}

// Update is what a person may change on an alert; nil leaves a field as it
// is. Owner "" takes the alert away from its owner; Note appends a note.
type Update struct {
	State *State  `json:"state"`
	Owner *string `json:"owner"`
	Note  *string `json:"note"`
}

// Validate returns every field problem of u.
func (u Update) Validate() error {
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if u.State == nil && u.Owner == nil && u.Note == nil {
		add("state", "give at least one of state, owner or note")
	}
	if u.State != nil && !u.State.Valid() {
		add("state", "must be one of open, acknowledged, resolved, dismissed")
	}
	if u.Owner != nil && (len(*u.Owner) > 64 || strings.TrimSpace(*u.Owner) != *u.Owner) {
		add("owner", "must be the username of a member of the mission")
	}
	if u.Note != nil {
		switch n := utf8.RuneCountInString(strings.TrimSpace(*u.Note)); {
		case n == 0:
			add("note", "must not be empty")
		case n > MaxNote:
			add("note", fmt.Sprintf("must be at most %d characters", MaxNote))
		case !utf8.ValidString(*u.Note):
			add("note", "must be valid UTF-8 text")
		}
	}
	return peaceops.Invalid(errs)
}

// Subscription asks for notifications of a mission's alerts in an area
// (a P-code: the area and every area below it, whose P-codes start with
// it; "" = every area) and of a category ("" = alerts over all events, a
// category code such as "battles" = alerts of that category only) at
// MinLevel or above. MinLevel is warning or alert: watch-level alerts are
// stored but never notified. Email, when set, also gets each notification
// by mail (when the server is configured to send mail).
type Subscription struct {
	ID        peaceops.ID `json:"id"`
	Mission   string      `json:"mission"`
	Username  string      `json:"username"`
	Area      string      `json:"area"`
	Category  string      `json:"category"`
	MinLevel  Level       `json:"min_level"`
	Email     string      `json:"email"`
	CreatedAt time.Time   `json:"created_at"`
}

// Validate trims s, fills in the default level (warning) and returns every
// field problem.
func (s *Subscription) Validate() error {
	s.Area = strings.TrimSpace(s.Area)
	s.Category = strings.TrimSpace(s.Category)
	s.Email = strings.TrimSpace(s.Email)
	if s.MinLevel == "" {
		s.MinLevel = LevelWarning
	}
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if len(s.Area) > 32 || strings.ContainsAny(s.Area, " \t\r\n") {
		add("area", "must be a P-code, or empty for every area")
	}
	if s.Category != "" && !validCategory(s.Category) {
		add("category", "must be a category of the event taxonomy, or empty for all events")
	}
	if s.MinLevel != LevelWarning && s.MinLevel != LevelAlert {
		add("min_level", "must be warning or alert (watch-level alerts are not notified)")
	}
	if s.Email != "" {
		a, err := mail.ParseAddress(s.Email)
		if err != nil || a.Address != s.Email || len(s.Email) > 254 {
			add("email", "must be a plain e-mail address such as name@example.org")
		}
	}
	return peaceops.Invalid(errs)
}

// matches reports whether a at level should be notified under s.
func (s *Subscription) matches(a *Alert, level Level) bool {
	return level.rank() >= s.MinLevel.rank() &&
		strings.HasPrefix(a.Area, s.Area) &&
		s.Category == a.Type
}

// Notification tells a user that an alert was raised or escalated to
// Level. It carries what a list needs of the alert.
type Notification struct {
	ID          peaceops.ID `json:"id"`
	Mission     string      `json:"mission"`
	AlertID     peaceops.ID `json:"alert_id"`
	Level       Level       `json:"level"`
	AreaName    string      `json:"area_name"`
	Explanation string      `json:"explanation"`
	CreatedAt   time.Time   `json:"created_at"`
	ReadAt      *time.Time  `json:"read_at"`
}

// RunResult is what one run found and did.
type RunResult struct {
	Mission string    `json:"mission"`
	At      time.Time `json:"at"`
	// Window is the recent window tested; its last week is the last
	// complete ISO week before At.
	Window Window `json:"window"`
	// Series is the number of series tested (admin1, admin2 and category
	// series together); Categories the event categories with enough data
	// for series of their own.
	Series     int      `json:"series"`
	Categories []string `json:"categories"`
	Raised     int      `json:"raised"`      // new alerts
	Updated    int      `json:"updated"`     // alerts of a continuing episode, refreshed
	Escalated  int      `json:"escalated"`   // of those, alerts whose level rose above its peak
	Resolved   int      `json:"resolved"`    // alerts resolved as back to expected
	Notified   int      `json:"notified"`    // in-app notifications written
	Emailed    int      `json:"emailed"`     // mails sent after the run (this and earlier runs' pending)
	MailFailed int      `json:"mail_failed"` // mails that failed (retried by the next run)
	// Alerts are the alerts the run raised or refreshed, highest level
	// first.
	Alerts []*Alert `json:"alerts"`
}
