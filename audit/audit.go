package audit

import (
	"strconv"
	"time"

	"github.com/peaceops/peaceops"
)

// Report is the outcome of a chain verification.
type Report struct {
	// Entries is the number of entries found intact, in order, before the
	// first problem: all of them when FirstBad is nil.
	Entries int64 `json:"entries"`
	// LastSeq and LastHash are the head of the intact chain: the last entry
	// verified before the first problem (0 and "" for an empty log). Record
	// them outside the database to check later with VerifyAgainst that the
	// log was neither truncated nor rewritten.
	LastSeq  int64  `json:"last_seq"`
	LastHash string `json:"last_hash"`
	// FirstBad is the first entry where the chain breaks, nil when the whole
	// log is intact.
	FirstBad *Problem `json:"first_bad,omitempty"`
}

// OK reports whether the verified log is intact.
func (r Report) OK() bool { return r.FirstBad == nil }

// Problem locates a break in the chain.
type Problem struct {
	// Seq and ID identify the entry where the break was found. For a
	// recorded head that is missing from the log, ID is "".
	Seq int64  `json:"seq"`
	ID  string `json:"id,omitempty"`
	// Reason says what is wrong, e.g. "hash mismatch: row content was
	// changed" or "sequence gap: expected 42, found 43 (entry 42 was
	// deleted or renumbered)".
	Reason string `json:"reason"`
}

// Limits of a page of entries.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Filter selects audit entries. Empty fields do not filter. Results come
// newest first.
type Filter struct {
	Mission    string // mission code; "" for all the caller may see
	EntityType string
	EntityID   string
	ActorID    string
	Actor      string // the actor's username as recorded in the entry
	Action     string
	From       time.Time // entries at or after From, if set
	To         time.Time // entries before To, if set
	// Limit is the page size, 1..MaxLimit; 0 means DefaultLimit.
	Limit int
	// Cursor is the next value returned with the previous page; "" starts
	// at the newest entry. It is opaque to callers.
	Cursor string
}

// Validate returns an EINVALID error listing every field problem, or nil.
func (f Filter) Validate() error {
	var errs []peaceops.FieldError
	if f.Limit < 0 || f.Limit > MaxLimit {
		errs = append(errs, peaceops.FieldError{Field: "limit", Message: "must be between 1 and " + strconv.Itoa(MaxLimit)})
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.After(f.To) {
		errs = append(errs, peaceops.FieldError{Field: "from", Message: "must not be after to"})
	}
	if _, ok := parseCursor(f.Cursor); !ok {
		errs = append(errs, peaceops.FieldError{Field: "cursor", Message: "is not a cursor returned by a previous page"})
	}
	return peaceops.Invalid(errs)
}

func (f Filter) limit() int {
	if f.Limit == 0 {
		return DefaultLimit
	}
	return f.Limit
}

// A cursor is the sequence number of the last entry of the previous page;
// the next page starts below it. "" is the start (0).
func parseCursor(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	seq, err := strconv.ParseInt(s, 10, 64)
	if err != nil || seq < 1 {
		return 0, false
	}
	return seq, true
}

func formatCursor(seq int64) string { return strconv.FormatInt(seq, 10) }
