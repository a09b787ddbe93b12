package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
)

// Status is where a job is in its life: queued, then running, then one of
// the final statuses succeeded, failed or cancelled.
type Status string

const (
	StatusQueued    Status = "queued"
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusCancelled Status = "cancelled"
)

// Statuses lists every status in life order.
var Statuses = []Status{StatusQueued, StatusRunning, StatusSucceeded, StatusFailed, StatusCancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Final reports whether a job in status s is over.
func (s Status) Final() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusCancelled
}

// Job is one piece of background work and its state.
type Job struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Mission string `json:"mission"` // the mission code; "" for global work
	// ActorID and Actor are the user who submitted the job (their ID and
	// username); the job runs as them.
	ActorID string `json:"actor_id"`
	Actor   string `json:"actor"`
	Status  Status `json:"status"`
	// Progress counts what is done so far, in the unit of the kind (rows
	// read for an import); Total is how many there are in all, nil while
	// unknown.
	Progress int    `json:"progress"`
	Total    *int   `json:"total"`
	Message  string `json:"message"` // what the job is doing now, in English
	// Result is what the work returned, as JSON (null until it succeeds;
	// a failed job may have one too, e.g. the counts of a failed import).
	Result json.RawMessage `json:"result"`
	// Error says why the job failed or was cancelled; nil otherwise.
	Error      *Failure   `json:"error"`
	InputSize  int64      `json:"input_size"` // bytes of input
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Version    int64      `json:"version"`

	// runAs is the submitter as the work acts: user, admin flag and roles
	// at submission time.
	runAs peaceops.Actor
	// input reads the job's stored input; set on jobs given to a kind's
	// function.
	input func() io.Reader
}

// Input returns a reader of the job's input, as it was submitted. It
// streams the stored chunks and reads them only as asked, so a large
// upload is never whole in memory. It is for the kind's function: on a Job
// returned by FindJobByID or FindJobs it reads nothing.
func (j *Job) Input() io.Reader {
	if j.input == nil {
		return strings.NewReader("")
	}
	return j.input()
}

// Percent returns how far the job has got, 0..100, or -1 when the total is
// unknown. A succeeded job is at 100.
func (j *Job) Percent() int {
	switch {
	case j.Status == StatusSucceeded:
		return 100
	case j.Total == nil || *j.Total <= 0:
		return -1
	}
	p := j.Progress * 100 / *j.Total
	return min(max(p, 0), 100)
}

// Filter selects jobs for FindJobs. Zero fields select all.
type Filter struct {
	Mission string
	Kind    string
	Status  Status
	// Before continues a listing: only jobs whose ID sorts before it (jobs
	// are listed newest first).
	Before string
	// Limit caps the number of jobs: default 50, at most 1000.
	Limit int
}

// Validate checks the filter's fields.
func (f Filter) Validate() error {
	var errs []peaceops.FieldError
	if f.Status != "" && !f.Status.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "status", Message: "must be one of queued, running, succeeded, failed, cancelled"})
	}
	if f.Before != "" && !peaceops.ValidID(f.Before) {
		errs = append(errs, peaceops.FieldError{Field: "cursor", Message: "is not a job id"})
	}
	if f.Limit < 0 {
		errs = append(errs, peaceops.FieldError{Field: "limit", Message: "must not be negative"})
	}
	return peaceops.Invalid(errs)
}

// Failure is why a job failed or was cancelled, as stored and shown: an
// error code (a peaceops code), a message safe for the submitter and the
// itemised issues, e.g. every bad row of an import.
//
// A kind's function returns a *Failure to control what is shown; any other
// error is turned into one: its peaceops code, its caller-safe message and
// its field errors as issues ("internal error" for unknown errors, whose
// detail goes to the log only).
type Failure struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Errors  []Issue `json:"errors"`
}

// Error returns the message and how many issues there are.
func (f *Failure) Error() string {
	if len(f.Errors) == 0 {
		return f.Message
	}
	return fmt.Sprintf("%s (%d issues)", f.Message, len(f.Errors))
}

// Issue is one item of a failure: a bad row of an input and what is
// wrong with it. Line is the line of a text input (0 when not known);
// Feature the index of a GeoJSON feature, counted from 0 (nil when the
// input is not GeoJSON); Field the column or property at fault.
type Issue struct {
	Line    int    `json:"line,omitempty"`
	Feature *int   `json:"feature,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// MaxErrors is how many issues a failure keeps; a failure with more says
// how many there were in its message.
const MaxErrors = 5000

// failureOf turns the error a job's function returned into the Failure
// shown to the submitter.
func failureOf(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		c := *f
		if c.Code == "" {
			c.Code = peaceops.EINTERNAL
		}
		if c.Errors == nil {
			c.Errors = []Issue{}
		}
		if len(c.Errors) > MaxErrors {
			c.Errors = c.Errors[:MaxErrors]
		}
		return &c
	}
	out := &Failure{Code: peaceops.ErrorCode(err), Message: peaceops.ErrorMessage(err), Errors: []Issue{}}
	for _, fe := range peaceops.ErrorFields(err) {
		out.Errors = append(out.Errors, Issue{Field: fe.Field, Message: fe.Message})
	}
	return out
}
