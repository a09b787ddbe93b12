package results

import (
	"net/url"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
)

// State is where a measurement stands in its approval.
type State string

const (
	StateEntered  State = "entered"  // waiting for approval
	StateApproved State = "approved" // counts in assessments and exports
	StateReturned State = "returned" // sent back to the section with a reason
)

// Measurement is the value of an indicator for one period and one
// disaggregation cell ("" is the total).
type Measurement struct {
	ID           string        `json:"id"`
	Mission      string        `json:"mission"`
	IndicatorID  string        `json:"indicator_id"`
	Period       string        `json:"period"`
	PeriodStart  peaceops.Date `json:"period_start"`
	PeriodEnd    peaceops.Date `json:"period_end"`
	Cell         string        `json:"cell"`
	Value        float64       `json:"value"`
	EvidenceNote string        `json:"evidence_note"`
	EvidenceLink string        `json:"evidence_link"`
	State        State         `json:"state"`
	ReturnReason string        `json:"return_reason,omitempty"`
	EnteredBy    string        `json:"entered_by"`
	DecidedBy    string        `json:"decided_by,omitempty"`
	CreatedAt    time.Time     `json:"created_at,omitzero"`
	UpdatedAt    time.Time     `json:"updated_at,omitzero"`
	Version      int64         `json:"version"`
}

// Entry is a value as a section member enters it. Entering a value for a
// period and cell that already has one replaces it (back to "entered").
type Entry struct {
	Period       string  `json:"period"`
	Cell         Cell    `json:"cell"`
	Value        float64 `json:"value"`
	EvidenceNote string  `json:"evidence_note"`
	EvidenceLink string  `json:"evidence_link"`
}

// check validates e against in and returns the period.
func (e *Entry) check(in *Indicator) (Period, error) {
	var p problems
	per, err := ParsePeriod(in.Frequency, strings.TrimSpace(e.Period))
	if err != nil {
		p.add("period", peaceops.ErrorMessage(err))
	}
	p = append(p, in.cellProblems(e.Cell)...)
	if msg := in.valueProblem(e.Value); msg != "" {
		p.add("value", msg)
	}
	p.text("evidence_note", e.EvidenceNote, 5000, false)
	if e.EvidenceLink != "" {
		u, err := url.Parse(e.EvidenceLink)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http" && !strings.HasPrefix(e.EvidenceLink, "/")) || len(e.EvidenceLink) > 2000 {
			p.add("evidence_link", "must be an http(s) address or a path in peaceops (e.g. /missions/MINUSCA/events/...)")
		}
	}
	return per, peaceops.Invalid(p)
}

// Decision approves or returns a measurement.
type Decision struct {
	State  State  `json:"state"`  // approved or returned
	Reason string `json:"reason"` // required to return
}

func (d *Decision) check() error {
	var p problems
	d.Reason = strings.TrimSpace(d.Reason)
	switch d.State {
	case StateApproved:
	case StateReturned:
		if d.Reason == "" {
			p.add("reason", "is required to return a value: say what the section must fix")
		}
	default:
		p.add("state", "must be approved or returned")
	}
	p.text("reason", d.Reason, 2000, false)
	return peaceops.Invalid(p)
}
