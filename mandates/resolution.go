// Package mandates holds the mandates of missions: the Security Council
// resolutions that set them (symbol, adoption, mandate period, Chapter VII),
// the personnel ceilings they authorise and the tasks they mandate, with the
// lineage of each task from one resolution to the next. From these it
// derives the mandate history of a mission (the chain of resolutions and
// the differences between any two), warnings before a mandate expires, and
// the two questions other modules ask: the title of a mandated task
// (TaskTitle) and the ceilings in force on a day (CeilingsOn).
//
// The results framework that links objectives to mandated tasks lives in
// results/, not here; personnel deployed against the ceilings in forces/.
package mandates

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
)

// Category is the kind of a mandated task.
type Category string

const (
	CategoryPoC                Category = "poc"
	CategoryPoliticalProcess   Category = "political_process"
	CategoryDDR                Category = "ddr"
	CategorySSR                Category = "ssr"
	CategoryHumanRights        Category = "human_rights"
	CategoryHumanitarianAccess Category = "humanitarian_access"
	CategoryElections          Category = "elections"
	CategoryRuleOfLaw          Category = "rule_of_law"
	CategoryStateAuthority     Category = "state_authority"
	CategoryMineAction         Category = "mine_action"
	CategoryProtectionUN       Category = "protection_un"
	CategorySanctions          Category = "sanctions"
	CategoryOther              Category = "other"
)

// Categories lists every task category.
var Categories = []Category{
	CategoryPoC, CategoryPoliticalProcess, CategoryDDR, CategorySSR, CategoryHumanRights,
	CategoryHumanitarianAccess, CategoryElections, CategoryRuleOfLaw, CategoryStateAuthority,
	CategoryMineAction, CategoryProtectionUN, CategorySanctions, CategoryOther,
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Lineage says how a task stands to the previous resolution of the mission.
type Lineage string

const (
	LineageNew       Lineage = "new"       // not in the previous resolution
	LineageContinues Lineage = "continues" // the previous task, carried over as it was
	LineageChanges   Lineage = "changes"   // the previous task, reworded or changed
	LineageEnds      Lineage = "ends"      // the previous task ends with this resolution
)

// Lineages lists every lineage.
var Lineages = []Lineage{LineageNew, LineageContinues, LineageChanges, LineageEnds}

// Valid reports whether l is a known lineage.
func (l Lineage) Valid() bool { return slices.Contains(Lineages, l) }

// Personnel categories of ceilings. The first four are the categories other
// modules compare deployments with (CeilingsOn); the totals and corrections
// officers are what resolutions also state ("10,000 military personnel,
// including 240 military observers...").
const (
	CeilingMilitary          = "military"           // contingent troops
	CeilingMilitaryObservers = "military_observers" // military observers and staff officers
	CeilingPoliceFPU         = "police_fpu"         // formed police unit personnel
	CeilingPoliceIPO         = "police_ipo"         // individual police officers
	CeilingMilitaryTotal     = "military_total"     // all military personnel
	CeilingPoliceTotal       = "police_total"       // all police personnel
	CeilingCorrections       = "corrections"        // corrections officers
)

// CeilingCategories lists every ceiling category in display order.
var CeilingCategories = []string{
	CeilingMilitaryTotal, CeilingMilitary, CeilingMilitaryObservers,
	CeilingPoliceTotal, CeilingPoliceFPU, CeilingPoliceIPO, CeilingCorrections,
}

// contractCeilings are the categories CeilingsOn answers with.
var contractCeilings = []string{CeilingMilitary, CeilingMilitaryObservers, CeilingPoliceFPU, CeilingPoliceIPO}

// MaxCeiling bounds a ceiling: no mission has come near it.
const MaxCeiling = 1_000_000

// Resolution is one Security Council resolution setting or renewing the
// mandate of a mission, with the ceilings it authorises and the tasks it
// mandates. Tasks and ceilings are written with the resolution: its
// version covers them.
type Resolution struct {
	ID      string        `json:"id"`
	Mission string        `json:"mission"`
	Symbol  string        `json:"symbol"` // e.g. "S/RES/2709 (2023)"
	Adopted peaceops.Date `json:"adopted"`
	// The mandate period the resolution sets, both days included.
	PeriodStart peaceops.Date `json:"period_start"`
	PeriodEnd   peaceops.Date `json:"period_end"`
	ChapterVII  bool          `json:"chapter_vii"`
	// DocumentURL is where the text is (e.g. https://undocs.org/S/RES/2709(2023)).
	DocumentURL string `json:"document_url"`
	// SourceNote says where the facts entered come from and what was left
	// out.
	SourceNote     string                  `json:"source_note"`
	Ceilings       map[string]int          `json:"ceilings"`
	Tasks          []Task                  `json:"tasks"`
	Classification peaceops.Classification `json:"classification"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Version        int64                   `json:"version"`
}

// Task is a task a resolution mandates.
type Task struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Paragraph string   `json:"paragraph"` // e.g. "op. 35 (a)"
	Priority  bool     `json:"priority"`  // a priority task, such as the protection of civilians
	Category  Category `json:"category"`
	Lineage   Lineage  `json:"lineage"`
	// Previous is the id of the task of the previous resolution this one
	// continues, changes or ends; "" for a new task.
	Previous string `json:"previous"`
}

// InForce reports whether the task is mandated (not ended) by its
// resolution.
func (t Task) InForce() bool { return t.Lineage != LineageEnds }

var symbolPattern = regexp.MustCompile(`^S/RES/([1-9][0-9]{0,4}) \(((?:19|20)[0-9]{2})\)$`)

// NormalizeSymbol tidies the spacing of a resolution symbol: "s/res/2709(2023)"
// becomes "S/RES/2709 (2023)".
func NormalizeSymbol(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if i := strings.Index(s, "("); i > 0 {
		s = s[:i] + " " + s[i:]
	}
	return s
}

// symbolYear returns the year in a valid symbol.
func symbolYear(symbol string) (int, bool) {
	m := symbolPattern.FindStringSubmatch(symbol)
	if m == nil {
		return 0, false
	}
	y, _ := strconv.Atoi(m[2])
	return y, true
}

// normalize trims text and fills in defaults: classification public (the
// resolutions are public documents), lineage new.
func (r *Resolution) normalize() {
	r.Symbol = NormalizeSymbol(r.Symbol)
	r.DocumentURL = strings.TrimSpace(r.DocumentURL)
	r.SourceNote = strings.TrimSpace(r.SourceNote)
	if r.Classification == 0 {
		r.Classification = peaceops.Public
	}
	if r.Ceilings == nil {
		r.Ceilings = map[string]int{}
	}
	for i := range r.Tasks {
		t := &r.Tasks[i]
		t.Title = strings.TrimSpace(t.Title)
		t.Paragraph = strings.TrimSpace(t.Paragraph)
		t.Previous = strings.TrimSpace(t.Previous)
		if t.Lineage == "" {
			t.Lineage = LineageNew
		}
	}
}

// Validate returns every field problem of r as an EINVALID error, or nil.
// It checks r alone; that "continues", "changes" and "ends" tasks name a
// task of the previous resolution is checked by the service, which knows
// it (see checkLineage).
func (r *Resolution) Validate() error {
	r.normalize()
	var errs []peaceops.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, peaceops.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if r.Mission == "" {
		add("mission", "is required")
	}
	year, ok := symbolYear(r.Symbol)
	switch {
	case r.Symbol == "":
		add("symbol", "is required")
	case !ok:
		add("symbol", "must be a Security Council resolution symbol such as S/RES/2709 (2023)")
	case !r.Adopted.IsZero() && r.Adopted.Year != year:
		add("symbol", "gives the year %d but the resolution was adopted in %d", year, r.Adopted.Year)
	}
	if r.Adopted.IsZero() {
		add("adopted", "is required")
	}
	if r.PeriodStart.IsZero() {
		add("period_start", "is required")
	}
	if r.PeriodEnd.IsZero() {
		add("period_end", "is required")
	}
	if !r.PeriodStart.IsZero() && !r.PeriodEnd.IsZero() && r.PeriodEnd.Before(r.PeriodStart) {
		add("period_end", "must not be before period_start (%s)", r.PeriodStart)
	} else if !r.Adopted.IsZero() && !r.PeriodEnd.IsZero() && r.PeriodEnd.Before(r.Adopted) {
		add("period_end", "must not be before the adoption date (%s)", r.Adopted)
	}
	if r.DocumentURL != "" {
		u, err := url.Parse(r.DocumentURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(r.DocumentURL) > 2000 {
			add("document_url", "must be an http or https address of at most 2000 characters")
		}
	}
	if utf8.RuneCountInString(r.SourceNote) > 4000 || !utf8.ValidString(r.SourceNote) {
		add("source_note", "must be valid text of at most 4000 characters")
	}
	if !r.Classification.Valid() {
		add("classification", "must be public, internal, confidential or strictly-confidential")
	}
	errs = append(errs, validateCeilings(r.Ceilings)...)
	errs = append(errs, validateTasks(r.Tasks)...)
	return peaceops.Invalid(errs)
}

func validateCeilings(c map[string]int) []peaceops.FieldError {
	var errs []peaceops.FieldError
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := c[k]
		field := "ceilings." + k
		switch {
		case !slices.Contains(CeilingCategories, k):
			errs = append(errs, peaceops.FieldError{Field: field, Message: "is not a personnel category (" + strings.Join(CeilingCategories, ", ") + ")"})
		case v < 0:
			errs = append(errs, peaceops.FieldError{Field: field, Message: "must not be negative"})
		case v > MaxCeiling:
			errs = append(errs, peaceops.FieldError{Field: field, Message: fmt.Sprintf("must be at most %d", MaxCeiling)})
		}
	}
	parts := func(total string, of ...string) {
		t, ok := c[total]
		if !ok || t < 0 {
			return
		}
		sum := 0
		for _, k := range of {
			if v, ok := c[k]; ok && v > 0 {
				sum += v
			}
		}
		if sum > t {
			errs = append(errs, peaceops.FieldError{Field: "ceilings." + total,
				Message: fmt.Sprintf("is %d, less than its parts %s (%d together)", t, strings.Join(of, " + "), sum)})
		}
	}
	parts(CeilingMilitaryTotal, CeilingMilitary, CeilingMilitaryObservers)
	parts(CeilingPoliceTotal, CeilingPoliceFPU, CeilingPoliceIPO)
	return errs
}

// MaxTasks bounds the tasks of one resolution.
const MaxTasks = 200

func validateTasks(tasks []Task) []peaceops.FieldError {
	var errs []peaceops.FieldError
	if len(tasks) > MaxTasks {
		return []peaceops.FieldError{{Field: "tasks", Message: fmt.Sprintf("must be at most %d", MaxTasks)}}
	}
	seenID := map[string]int{}
	seenPrev := map[string]int{}
	for i, t := range tasks {
		add := func(field, format string, args ...any) {
			errs = append(errs, peaceops.FieldError{Field: fmt.Sprintf("tasks[%d].%s", i, field), Message: fmt.Sprintf(format, args...)})
		}
		if t.ID != "" {
			if !peaceops.ValidID(t.ID) {
				add("id", "must be the id of a task of this resolution, or empty for a new one")
			} else if j, dup := seenID[t.ID]; dup {
				add("id", "is the id of task %d too", j)
			}
			seenID[t.ID] = i
		}
		switch n := utf8.RuneCountInString(t.Title); {
		case n == 0 && t.Lineage != LineageEnds:
			add("title", "is required")
		case n > 1000 || !utf8.ValidString(t.Title):
			add("title", "must be valid text of at most 1000 characters")
		}
		if utf8.RuneCountInString(t.Paragraph) > 100 {
			add("paragraph", "must be at most 100 characters")
		}
		if !t.Category.Valid() {
			add("category", "must be one of %s", joinValues(Categories))
		}
		switch {
		case !t.Lineage.Valid():
			add("lineage", "must be one of new, continues, changes, ends")
		case t.Lineage == LineageNew && t.Previous != "":
			add("previous", "must be empty for a new task")
		case t.Lineage != LineageNew && t.Previous == "":
			add("previous", "is required: the task of the previous resolution this task %s", t.Lineage)
		case t.Lineage != LineageNew:
			if j, dup := seenPrev[t.Previous]; dup {
				add("previous", "is already taken up by task %d: a previous task has one successor", j)
			}
			seenPrev[t.Previous] = i
		}
	}
	return errs
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// checkLineage returns the problems of tasks whose previous task is not a
// task of prev (nil: the mission's first resolution), or is a task prev
// itself ended.
func checkLineage(tasks []Task, prev *Resolution) []peaceops.FieldError {
	var errs []peaceops.FieldError
	known := map[string]Task{}
	if prev != nil {
		for _, t := range prev.Tasks {
			known[t.ID] = t
		}
	}
	for i, t := range tasks {
		if t.Lineage == LineageNew || !t.Lineage.Valid() || t.Previous == "" {
			continue
		}
		field := fmt.Sprintf("tasks[%d].previous", i)
		p, ok := known[t.Previous]
		switch {
		case prev == nil:
			errs = append(errs, peaceops.FieldError{Field: field, Message: fmt.Sprintf("there is no previous resolution of the mission: a task of the first resolution is new, it cannot %s", verb(t.Lineage))})
		case !ok:
			errs = append(errs, peaceops.FieldError{Field: field, Message: fmt.Sprintf("is not a task of the previous resolution %s", prev.Symbol)})
		case !p.InForce():
			errs = append(errs, peaceops.FieldError{Field: field, Message: fmt.Sprintf("names a task that %s already ended", prev.Symbol)})
		}
	}
	return errs
}

func verb(l Lineage) string {
	switch l {
	case LineageContinues:
		return "continue another"
	case LineageChanges:
		return "change another"
	case LineageEnds:
		return "end another"
	}
	return string(l)
}

// fillEnded gives "ends" tasks without a title the title of the task they
// end.
func fillEnded(tasks []Task, prev *Resolution) {
	if prev == nil {
		return
	}
	for i := range tasks {
		if tasks[i].Lineage == LineageEnds && tasks[i].Title == "" {
			if p := prev.task(tasks[i].Previous); p != nil {
				tasks[i].Title = p.Title
			}
		}
	}
}

// task returns the task id of r, or nil.
func (r *Resolution) task(id string) *Task {
	for i := range r.Tasks {
		if r.Tasks[i].ID == id {
			return &r.Tasks[i]
		}
	}
	return nil
}

// InForceOn reports whether day falls in the mandate period of r.
func (r *Resolution) InForceOn(day peaceops.Date) bool {
	return !day.Before(r.PeriodStart) && !r.PeriodEnd.Before(day)
}

// Update holds the fields a PATCH may change; nil leaves a field as it is.
// Tasks, when set, replace the whole list: a task keeps its id when it is
// sent with it, and tasks left out are removed.
type Update struct {
	Symbol         *string                  `json:"symbol"`
	Adopted        *peaceops.Date           `json:"adopted"`
	PeriodStart    *peaceops.Date           `json:"period_start"`
	PeriodEnd      *peaceops.Date           `json:"period_end"`
	ChapterVII     *bool                    `json:"chapter_vii"`
	DocumentURL    *string                  `json:"document_url"`
	SourceNote     *string                  `json:"source_note"`
	Ceilings       *map[string]int          `json:"ceilings"`
	Tasks          *[]Task                  `json:"tasks"`
	Classification *peaceops.Classification `json:"classification"`
}

// apply returns a copy of r with upd applied.
func (upd Update) apply(r Resolution) Resolution {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Symbol, upd.Symbol)
	set(&r.DocumentURL, upd.DocumentURL)
	set(&r.SourceNote, upd.SourceNote)
	if upd.Adopted != nil {
		r.Adopted = *upd.Adopted
	}
	if upd.PeriodStart != nil {
		r.PeriodStart = *upd.PeriodStart
	}
	if upd.PeriodEnd != nil {
		r.PeriodEnd = *upd.PeriodEnd
	}
	if upd.ChapterVII != nil {
		r.ChapterVII = *upd.ChapterVII
	}
	if upd.Ceilings != nil {
		r.Ceilings = *upd.Ceilings
	} else {
		r.Ceilings = maps(r.Ceilings)
	}
	if upd.Tasks != nil {
		r.Tasks = slices.Clone(*upd.Tasks)
	} else {
		r.Tasks = slices.Clone(r.Tasks)
	}
	if upd.Classification != nil {
		r.Classification = *upd.Classification
	}
	return r
}

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
