package results

import (
	"math"
	"time"

	"github.com/peaceops/peaceops"
)

// Status is the performance of an indicator or objective in a period.
type Status string

const (
	OnTrack  Status = "on_track"
	AtRisk   Status = "at_risk"
	OffTrack Status = "off_track"
	NoData   Status = "no_data"
)

// Thresholds of the status rule (docs/INDICATORS.md): an indicator is on
// track when its progress ratio is at least the elapsed-time ratio minus
// onTrackSlack, at risk down to atRiskSlack below it, off track further
// behind.
const (
	onTrackSlack = 0.10
	atRiskSlack  = 0.25
)

// Progress is how far an indicator has come toward its current target by
// the end of a period.
type Progress struct {
	Status   Status        `json:"status"`
	Value    *float64      `json:"value"`    // the value used: the latest up to the period's end
	Period   string        `json:"period"`   // the period of that value
	From     float64       `json:"from"`     // the value progress is measured from (baseline or last milestone)
	Target   *Target       `json:"target"`   // the milestone aimed at
	Progress float64       `json:"progress"` // share of the way from From to Target reached (may be < 0 or > 1)
	Elapsed  float64       `json:"elapsed"`  // share of the time from From's date to Target's date elapsed (0..1)
	AsOf     peaceops.Date `json:"as_of"`
}

// assess applies the status rule to in with its latest value v (of period
// per) as of the date asOf:
//
//   - the target aimed at is the first milestone dated on or after asOf
//     (the last milestone once all are past); progress is measured from
//     the milestone before it (or the baseline);
//   - progress = (v - from) / (target - from); elapsed = (asOf - from date)
//     / (target date - from date), within 0..1;
//   - on track when progress >= elapsed - 0.10, at risk when progress >=
//     elapsed - 0.25, off track otherwise; a target equal to its starting
//     value ("maintain") is on track when v is at least as good as it
//     (by the indicator's direction), off track otherwise;
//   - no value: no_data.
func assess(in *Indicator, v *float64, per string, asOf peaceops.Date) Progress {
	out := Progress{Status: NoData, Value: v, Period: per, AsOf: asOf, From: in.BaselineValue}
	if len(in.Targets) == 0 {
		return out
	}
	fromDate := in.BaselineDate
	target := in.Targets[len(in.Targets)-1]
	for i, t := range in.Targets {
		if !t.Date.Before(asOf) {
			target = t
			if i > 0 {
				out.From, fromDate = in.Targets[i-1].Value, in.Targets[i-1].Date
			}
			break
		}
		if i == len(in.Targets)-1 && i > 0 {
			out.From, fromDate = in.Targets[i-1].Value, in.Targets[i-1].Date
		}
	}
	out.Target = &target
	span := target.Date.Time().Sub(fromDate.Time())
	if span > 0 {
		out.Elapsed = clamp(float64(asOf.Time().Sub(fromDate.Time())) / float64(span))
	}
	if v == nil {
		return out
	}
	if target.Value == out.From {
		better := *v >= target.Value
		if in.Direction == Lower {
			better = *v <= target.Value
		}
		out.Progress = 1
		out.Status = OffTrack
		if better {
			out.Status = OnTrack
		} else {
			out.Progress = 0
		}
		return out
	}
	out.Progress = (*v - out.From) / (target.Value - out.From)
	switch {
	case out.Progress >= out.Elapsed-onTrackSlack:
		out.Status = OnTrack
	case out.Progress >= out.Elapsed-atRiskSlack:
		out.Status = AtRisk
	default:
		out.Status = OffTrack
	}
	return out
}

func clamp(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// rank orders statuses from best to worst for the roll-up.
var rank = map[Status]int{OnTrack: 1, AtRisk: 2, OffTrack: 3}

// rollUp is the status of an objective: the worst status of its
// indicators that have data (no_data when none has).
func rollUp(statuses []Status) Status {
	out := NoData
	for _, s := range statuses {
		if rank[s] > rank[out] {
			out = s
		}
	}
	return out
}

// Narrative is the assessment of an objective for a period, CPAS-style.
type Narrative struct {
	ID              string    `json:"id"`
	Mission         string    `json:"mission"`
	ObjectiveID     string    `json:"objective_id"`
	Period          string    `json:"period"`
	Achievements    string    `json:"achievements"`
	Obstacles       string    `json:"obstacles"`
	Recommendations string    `json:"recommendations"`
	Author          string    `json:"author"`
	CreatedAt       time.Time `json:"created_at,omitzero"`
	UpdatedAt       time.Time `json:"updated_at,omitzero"`
	Version         int64     `json:"version"`
}

func (n *Narrative) validate() error {
	var p problems
	if _, _, err := periodAnyFrequency(n.Period); err != nil {
		p.add("period", peaceops.ErrorMessage(err))
	}
	p.text("achievements", n.Achievements, 20000, false)
	p.text("obstacles", n.Obstacles, 20000, false)
	p.text("recommendations", n.Recommendations, 20000, false)
	if n.Achievements == "" && n.Obstacles == "" && n.Recommendations == "" {
		p.add("achievements", "write at least one of achievements, obstacles, recommendations")
	}
	return peaceops.Invalid(p)
}
