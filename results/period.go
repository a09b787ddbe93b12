package results

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/peaceops/peaceops"
)

// Frequency is how often an indicator is measured.
type Frequency string

const (
	Monthly    Frequency = "monthly"
	Quarterly  Frequency = "quarterly"
	Yearly     Frequency = "yearly"
	BudgetYear Frequency = "budget_year" // the peacekeeping budget year, 1 July to 30 June
)

// Frequencies lists every frequency.
var Frequencies = []Frequency{Monthly, Quarterly, Yearly, BudgetYear}

// Valid reports whether f is a known frequency.
func (f Frequency) Valid() bool { return slices.Contains(Frequencies, f) }

// Period is one reporting period: its key and its first and last days.
// Keys are "2024-03" (monthly), "2024-Q1" (quarterly), "2024" (yearly) and
// "FY2024-25" (the budget year 1 July 2024 - 30 June 2025).
type Period struct {
	Key   string        `json:"key"`
	Start peaceops.Date `json:"start"`
	End   peaceops.Date `json:"end"`
}

var (
	monthKey   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterKey = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	yearKey    = regexp.MustCompile(`^(\d{4})$`)
	budgetKey  = regexp.MustCompile(`^FY(\d{4})-(\d{2})$`)
)

// periodFormats names the key format of each frequency for messages.
var periodFormats = map[Frequency]string{
	Monthly:    "YYYY-MM (e.g. 2024-03)",
	Quarterly:  "YYYY-Qn (e.g. 2024-Q1)",
	Yearly:     "YYYY (e.g. 2024)",
	BudgetYear: "FYyyyy-yy (e.g. FY2024-25 for 1 July 2024 - 30 June 2025)",
}

// ParsePeriod reads a period key of frequency f. Errors are EINVALID and
// name the expected form.
func ParsePeriod(f Frequency, key string) (Period, error) {
	bad := peaceops.Errorf(peaceops.EINVALID, "%q is not a %s period: write %s", key, f, periodFormats[f])
	year := func(s string) (int, bool) {
		y, _ := strconv.Atoi(s)
		return y, y >= 1900 && y <= 2200
	}
	var start time.Time
	var months int
	switch f {
	case Monthly:
		m := monthKey.FindStringSubmatch(key)
		if m == nil {
			return Period{}, bad
		}
		y, ok := year(m[1])
		mo, _ := strconv.Atoi(m[2])
		if !ok || mo < 1 || mo > 12 {
			return Period{}, bad
		}
		start, months = time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC), 1
	case Quarterly:
		m := quarterKey.FindStringSubmatch(key)
		if m == nil {
			return Period{}, bad
		}
		y, ok := year(m[1])
		q, _ := strconv.Atoi(m[2])
		if !ok {
			return Period{}, bad
		}
		start, months = time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC), 3
	case Yearly:
		m := yearKey.FindStringSubmatch(key)
		if m == nil {
			return Period{}, bad
		}
		y, ok := year(m[1])
		if !ok {
			return Period{}, bad
		}
		start, months = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), 12
	case BudgetYear:
		m := budgetKey.FindStringSubmatch(key)
		if m == nil {
			return Period{}, bad
		}
		y, ok := year(m[1])
		next, _ := strconv.Atoi(m[2])
		if !ok || next != (y+1)%100 {
			return Period{}, bad
		}
		start, months = time.Date(y, 7, 1, 0, 0, 0, 0, time.UTC), 12
	default:
		return Period{}, peaceops.Errorf(peaceops.EINVALID, "unknown frequency %q", f)
	}
	end := start.AddDate(0, months, -1)
	return Period{Key: key, Start: peaceops.DateOf(start), End: peaceops.DateOf(end)}, nil
}

// PeriodOf returns the period of frequency f containing d.
func PeriodOf(f Frequency, d peaceops.Date) Period {
	var key string
	switch f {
	case Monthly:
		key = fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	case Quarterly:
		key = fmt.Sprintf("%04d-Q%d", d.Year, (int(d.Month)-1)/3+1)
	case Yearly:
		key = fmt.Sprintf("%04d", d.Year)
	default:
		y := d.Year
		if d.Month < time.July {
			y--
		}
		key = fmt.Sprintf("FY%04d-%02d", y, (y+1)%100)
	}
	p, _ := ParsePeriod(f, key)
	return p
}

// Next returns the period of the same frequency after p.
func (p Period) Next(f Frequency) Period {
	return PeriodOf(f, peaceops.DateOf(p.End.Time().AddDate(0, 0, 1)))
}

// PeriodsBetween returns the periods of f from the one containing from to
// the one containing to, at most max of them (the latest kept).
func PeriodsBetween(f Frequency, from, to peaceops.Date, max int) []Period {
	if to.Before(from) {
		return nil
	}
	var out []Period
	for p := PeriodOf(f, from); !to.Before(p.Start); p = p.Next(f) {
		out = append(out, p)
	}
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return out
}

// periodAnyFrequency parses a key of whatever frequency its form says.
func periodAnyFrequency(key string) (Period, Frequency, error) {
	for _, f := range Frequencies {
		if p, err := ParsePeriod(f, key); err == nil {
			return p, f, nil
		}
	}
	return Period{}, "", peaceops.Errorf(peaceops.EINVALID, "%q is not a period: write 2024-03, 2024-Q1, 2024 or FY2024-25", key)
}
