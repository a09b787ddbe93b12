package dedup

import (
	"fmt"
	"strings"
)

// Precision says how well a birth year is known.
type Precision uint8

const (
	// PrecisionUnknown: no birth year.
	PrecisionUnknown Precision = iota
	// PrecisionDay: a full date of birth (documents).
	PrecisionDay
	// PrecisionYear: the year is stated, the day is not.
	PrecisionYear
	// PrecisionApprox: the year is an estimate (age given or assessed).
	PrecisionApprox
)

// tolerance is how many years two birth years of this precision may differ
// and still be the same person.
func (p Precision) tolerance() int {
	switch p {
	case PrecisionDay:
		return 1
	case PrecisionYear:
		return 2
	case PrecisionApprox:
		return 5
	}
	return 0
}

// Record is what the matcher knows of one registrant.
type Record struct {
	ID        string
	Name      string // full name as written; several spellings separated by "|"
	Sex       byte   // 'M', 'F' or 0 unknown
	BirthYear int    // 0 unknown
	BirthDay  string // "MM-DD" when Precision is PrecisionDay, else ""
	Precision Precision
	Mother    string // mother's name as written, "" unknown (DDR forms ask it)
	Group     string // armed group code or name
	Origin    string // admin area P-code of origin
}

// prepared is a Record ready for matching: tokens, skeletons and families
// computed once.
type prepared struct {
	rec    *Record
	spells [][]token // one token list per spelling
	mother []token
}

type token struct {
	id     int32 // interned norm, 0 when not interned (see Index)
	norm   string
	skel   string
	family string
	phon   string
}

func prepare(r *Record) prepared {
	p := prepared{rec: r}
	for _, spelling := range strings.Split(r.Name, "|") {
		if toks := tokenize(spelling); len(toks) > 0 {
			p.spells = append(p.spells, toks)
		}
	}
	p.mother = tokenize(r.Mother)
	return p
}

func tokenize(s string) []token {
	var toks []token
	for _, t := range Tokens(s) {
		fam, _ := Canonical(t)
		toks = append(toks, token{norm: t, skel: Skeleton(t), family: fam, phon: Phonetic(t)})
	}
	return toks
}

// Threshold is the score from which a pair is reported as a probable
// duplicate. It was tuned on the synthetic labelled set (see Generate and
// docs/DDR.md).
const Threshold = 0.86

// Match is a scored pair with the reasons for its score.
type Match struct {
	A, B    string   // record IDs
	Score   float64  // 0..1
	Reasons []string // human-readable, most important first
}

// Score compares two records and explains the result.
func Score(a, b *Record) Match {
	pa, pb := prepare(a), prepare(b)
	return scorePrepared(&pa, &pb, true)
}

// tokenSim is the similarity of two tokens in 0..1 and why.
func tokenSim(x, y *token) (float64, string) {
	if x.norm == y.norm {
		return 1, "same"
	}
	if x.family != "" && x.family == y.family {
		return 0.97, "transliteration"
	}
	if x.skel == y.skel {
		return 0.96, "spelling variant"
	}
	s := jaroWinkler(x.skel, y.skel)
	if s > 0.75 && s < 0.92 {
		// the skeleton rules can hide a typo's neighbourhood: try the letters
		s = max(s, jaroWinkler(x.norm, y.norm))
	}
	if x.family != "" && y.family != "" {
		// two different known names: a typo does not turn Moussa into Issa
		s -= 0.15
	}
	if s >= 0.9 {
		return s, "typo"
	}
	return s, ""
}

// nameSim aligns two token lists by greedy best assignment, ignoring
// order, and returns the mean similarity of the aligned tokens with a small
// penalty per token that has no partner.
// simCache remembers token similarities by interned token pair: names
// repeat, so a batch run scores far fewer distinct token pairs than pairs
// of records. Not safe for concurrent use: one per worker.
type simCache map[uint64]float64

func (c simCache) sim(x, y *token) float64 {
	if c == nil || x.id == 0 || y.id == 0 {
		s, _ := tokenSim(x, y)
		return s
	}
	if x.id == y.id {
		return 1
	}
	a, b := uint64(x.id), uint64(y.id)
	if a > b {
		a, b = b, a
	}
	k := a<<32 | b
	if s, ok := c[k]; ok {
		return s
	}
	s, _ := tokenSim(x, y)
	c[k] = s
	return s
}

func nameSim(a, b []token, explain bool, cache simCache) (float64, []string) {
	if len(a) == 0 || len(b) == 0 {
		return 0, nil
	}
	a, b = a[:min(len(a), 8)], b[:min(len(b), 8)]
	type cell struct {
		i, j int
		s    float64
		why  string
	}
	var buf [64]cell
	cells := buf[:0]
	for i := range a {
		for j := range b {
			if explain {
				s, why := tokenSim(&a[i], &b[j])
				cells = append(cells, cell{i, j, s, why})
			} else {
				cells = append(cells, cell{i, j, cache.sim(&a[i], &b[j]), ""})
			}
		}
	}
	usedA, usedB := uint32(0), uint32(0)
	n := min(len(a), len(b))
	var sum float64
	var notes []string
	ordered := true
	for k := 0; k < n; k++ {
		best := -1
		for c := range cells {
			if usedA&(1<<cells[c].i) != 0 || usedB&(1<<cells[c].j) != 0 {
				continue
			}
			if best < 0 || cells[c].s > cells[best].s {
				best = c
			}
		}
		if best < 0 {
			break
		}
		c := cells[best]
		usedA |= 1 << c.i
		usedB |= 1 << c.j
		sum += c.s
		if c.i != c.j {
			ordered = false
		}
		if explain && c.why != "" && c.why != "same" {
			notes = append(notes, fmt.Sprintf("%s ~ %s (%s)", a[c.i].norm, b[c.j].norm, c.why))
		}
	}
	s := sum / float64(n)
	extra := max(len(a), len(b)) - n
	s -= 0.06 * float64(extra)
	if n == 1 {
		s -= 0.12 // one shared name is weak evidence
	}
	if !explain {
		return s, nil
	}
	if !ordered {
		notes = append(notes, "names in a different order")
	}
	if extra > 0 {
		notes = append(notes, fmt.Sprintf("%d name(s) only on one record", extra))
	}
	return s, notes
}

func scorePrepared(a, b *prepared, explain bool) Match {
	return scoreCached(a, b, explain, nil)
}

func scoreCached(a, b *prepared, explain bool, cache simCache) Match {
	m := Match{A: a.rec.ID, B: b.rec.ID}
	best := -1.0
	var notes []string
	for _, sa := range a.spells {
		for _, sb := range b.spells {
			s, n := nameSim(sa, sb, explain, cache)
			if s > best {
				best, notes = s, n
			}
		}
	}
	if best < 0 {
		best = 0
	}
	// The context (birth, group, origin) weighs a quarter: identical names
	// are common, so they alone do not make a duplicate.
	var why []string
	if explain {
		why = append(why, fmt.Sprintf("names %.2f", best))
		why = append(why, notes...)
	}
	ra, rb := a.rec, b.rec
	year := 0.4 // unknown
	if ra.BirthYear != 0 && rb.BirthYear != 0 {
		d := ra.BirthYear - rb.BirthYear
		if d < 0 {
			d = -d
		}
		tol := max(ra.Precision.tolerance(), rb.Precision.tolerance(), 1)
		switch {
		case d == 0:
			year = 1
			if explain {
				why = append(why, fmt.Sprintf("same birth year %d", ra.BirthYear))
			}
		case d <= tol:
			year = 1 - 0.5*float64(d)/float64(tol)
			if explain {
				why = append(why, fmt.Sprintf("birth years %d and %d within ±%d", ra.BirthYear, rb.BirthYear, tol))
			}
		default:
			year = -min(0.5*float64(d-tol), 2)
			if explain {
				why = append(why, fmt.Sprintf("birth years %d and %d differ by %d (more than ±%d)", ra.BirthYear, rb.BirthYear, d, tol))
			}
		}
	}
	day := 0.5
	if ra.BirthDay != "" && rb.BirthDay != "" && ra.BirthYear == rb.BirthYear {
		switch {
		case ra.BirthDay == rb.BirthDay:
			day = 3 // the same full date is strong evidence
			if explain {
				why = append(why, "same date of birth")
			}
		case swappedDay(ra.BirthDay, rb.BirthDay):
			day = 0.8
			if explain {
				why = append(why, "dates of birth with day and month swapped")
			}
		default:
			day = -1
			if explain {
				why = append(why, "different dates of birth in the same year")
			}
		}
	}
	group := 0.5
	if ra.Group != "" && rb.Group != "" {
		if strings.EqualFold(ra.Group, rb.Group) {
			group = 1
			if explain {
				why = append(why, "same armed group")
			}
		} else {
			group = 0.2
			if explain {
				why = append(why, "different armed group")
			}
		}
	}
	origin := 0.5
	if ra.Origin != "" && rb.Origin != "" {
		switch {
		case ra.Origin == rb.Origin:
			origin = 1
			if explain {
				why = append(why, "same origin "+ra.Origin)
			}
		case len(ra.Origin) >= 4 && len(rb.Origin) >= 4 && ra.Origin[:4] == rb.Origin[:4]:
			origin = 0.5
			if explain {
				why = append(why, "origins in the same region")
			}
		default:
			origin = 0
			if explain {
				why = append(why, "different origin")
			}
		}
	}
	mother := 0.4
	if len(a.mother) > 0 && len(b.mother) > 0 {
		ms, _ := nameSim(a.mother, b.mother, false, cache)
		switch {
		case ms >= 0.9:
			mother = 1
			if explain {
				why = append(why, "same mother's name")
			}
		case ms >= 0.8:
			mother = 0.5
			if explain {
				why = append(why, "similar mother's names")
			}
		default:
			mother = -1
			if explain {
				why = append(why, "different mother's names")
			}
		}
	}
	context := 0.3*year + 0.1*day + 0.2*group + 0.15*origin + 0.25*mother
	score := 0.75*best + 0.25*context
	if ra.Sex != 0 && rb.Sex != 0 && ra.Sex != rb.Sex {
		score -= 0.3
		if explain {
			why = append(why, "different sex")
		}
	}
	m.Score = max(0, min(1, score))
	m.Reasons = why
	return m
}

// jaroWinkler is the Jaro-Winkler similarity of two ASCII strings.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb [64]bool
	if la > 64 || lb > 64 {
		return 0
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(la) + m/float64(lb) + (m-float64(t)/2)/m) / 3
	prefix := 0
	for prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// swappedDay reports whether two "MM-DD" dates are the same with day and
// month swapped (03-04 for 04-03), a common keying error.
func swappedDay(a, b string) bool {
	return len(a) == 5 && len(b) == 5 && a[:2] == b[3:] && a[3:] == b[:2]
}
