package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/events"
)

// Measures of a computed indicator (docs/INDICATORS.md).
const (
	MeasureCount              = "count"                    // number of events
	MeasureFatalities         = "fatalities_best"          // sum of best fatality estimates
	MeasureCivilianFatalities = "civilian_fatalities_best" // sum of best civilian fatality estimates
	MeasureShare              = "share"                    // 100 x events matching filter / events matching share_of
)

// Measures lists every measure.
var Measures = []string{MeasureCount, MeasureFatalities, MeasureCivilianFatalities, MeasureShare}

// SourceEvents is the only data source of computed indicators so far.
const SourceEvents = "events"

// EventFilter selects the events a computed indicator counts. Every field
// narrows the selection; within a list, any value matches. Admin1 and
// Admin2 list P-codes.
type EventFilter struct {
	Types         []string `json:"types,omitempty"`
	Status        []string `json:"status,omitempty"`
	Admin1        []string `json:"admin1,omitempty"`
	Admin2        []string `json:"admin2,omitempty"`
	Actor         string   `json:"actor,omitempty"`
	Text          string   `json:"text,omitempty"`
	MinFatalities int      `json:"min_fatalities,omitempty"`
}

// filterFields are the fields an EventFilter knows, in documentation order.
var filterFields = []string{"types", "status", "admin1", "admin2", "actor", "text", "min_fatalities"}

// Definition is the query a computed indicator is: a measure over the
// events matching Filter, per period (by the day the event started).
type Definition struct {
	Source  string       `json:"source"`
	Measure string       `json:"measure"`
	Filter  EventFilter  `json:"filter"`
	ShareOf *EventFilter `json:"share_of,omitempty"`
}

var definitionFields = []string{"source", "measure", "filter", "share_of"}

// ParseDefinition reads a definition from JSON, checking every field
// against the documented list: an unknown field, a type outside the event
// taxonomy, a status that does not exist, a bad P-code. Errors are
// EINVALID with one entry per problem, fields named like
// "computed.filter.types[1]".
func ParseDefinition(raw []byte) (*Definition, error) {
	var p problems
	var top map[string]json.RawMessage
	if err := strictJSON(raw, &top); err != nil || top == nil {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "computed", Message: "must be a JSON object with source, measure and filter"}})
	}
	for _, k := range sortedKeys(top) {
		if !slices.Contains(definitionFields, k) {
			p.add("computed."+k, fmt.Sprintf("is not a field of a definition (known: %s)", strings.Join(definitionFields, ", ")))
		}
	}
	d := &Definition{}
	str := func(name string, dst *string) {
		if v, ok := top[name]; ok {
			if err := json.Unmarshal(v, dst); err != nil {
				p.add("computed."+name, "must be a string")
			}
		}
	}
	str("source", &d.Source)
	str("measure", &d.Measure)
	if v, ok := top["filter"]; ok {
		d.Filter = parseFilter(&p, "computed.filter", v)
	}
	if v, ok := top["share_of"]; ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		f := parseFilter(&p, "computed.share_of", v)
		d.ShareOf = &f
	}
	p = append(p, d.problems()...)
	if err := peaceops.Invalid(p); err != nil {
		return nil, err
	}
	return d, nil
}

func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

func parseFilter(p *problems, field string, raw json.RawMessage) EventFilter {
	var m map[string]json.RawMessage
	var f EventFilter
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		p.add(field, "must be a JSON object")
		return f
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		name := field + "." + k
		var err error
		switch k {
		case "types":
			err = json.Unmarshal(v, &f.Types)
		case "status":
			err = json.Unmarshal(v, &f.Status)
		case "admin1":
			err = json.Unmarshal(v, &f.Admin1)
		case "admin2":
			err = json.Unmarshal(v, &f.Admin2)
		case "actor":
			err = json.Unmarshal(v, &f.Actor)
		case "text":
			err = json.Unmarshal(v, &f.Text)
		case "min_fatalities":
			err = json.Unmarshal(v, &f.MinFatalities)
		default:
			p.add(name, fmt.Sprintf("is not a field of an event filter (known: %s)", strings.Join(filterFields, ", ")))
			continue
		}
		if err != nil {
			p.add(name, "has the wrong JSON type (lists are arrays of strings, min_fatalities a whole number)")
		}
	}
	return f
}

// Validate returns every problem of d as an EINVALID error, or nil.
func (d *Definition) Validate() error { return peaceops.Invalid(d.problems()) }

func (d *Definition) problems() problems {
	var p problems
	if d.Source != SourceEvents {
		p.add("computed.source", fmt.Sprintf("must be %q (the only source so far)", SourceEvents))
	}
	if !slices.Contains(Measures, d.Measure) {
		p.add("computed.measure", "must be one of "+strings.Join(Measures, ", "))
	}
	p.filter("computed.filter", &d.Filter)
	if d.Measure == MeasureShare && d.ShareOf == nil {
		p.add("computed.share_of", "is required with the measure share: the events the share is taken of")
	}
	if d.Measure != MeasureShare && d.ShareOf != nil && d.Measure != "" {
		p.add("computed.share_of", "is only for the measure share")
	}
	if d.ShareOf != nil {
		p.filter("computed.share_of", d.ShareOf)
	}
	return p
}

func (p *problems) filter(field string, f *EventFilter) {
	for i, t := range f.Types {
		if !events.Type(t).Valid() && !events.Category(t).Valid() {
			p.add(fmt.Sprintf("%s.types[%d]", field, i), fmt.Sprintf("%q is not a type or category of the event taxonomy (e.g. violence_against_civilians or battles.armed_clash)", t))
		}
	}
	for i, s := range f.Status {
		if !events.Status(s).Valid() {
			p.add(fmt.Sprintf("%s.status[%d]", field, i), fmt.Sprintf("%q is not an event status (reported, verified, disputed, rejected)", s))
		}
	}
	for _, a := range []struct {
		name  string
		codes []string
	}{{"admin1", f.Admin1}, {"admin2", f.Admin2}} {
		for i, c := range a.codes {
			if c == "" || len(c) > 32 || strings.ContainsAny(c, " \t\r\n") {
				p.add(fmt.Sprintf("%s.%s[%d]", field, a.name, i), "must be a P-code of at most 32 characters without spaces (e.g. CF43)")
			}
		}
	}
	if len(f.Admin1) > 0 && len(f.Admin2) > 0 {
		p.add(field+".admin2", "give admin1 or admin2, not both")
	}
	if len(f.Actor) > events.MaxName {
		p.add(field+".actor", fmt.Sprintf("must be at most %d characters", events.MaxName))
	}
	if utf8.RuneCountInString(f.Text) > 200 {
		p.add(field+".text", "must be at most 200 characters")
	}
	if f.MinFatalities < 0 {
		p.add(field+".min_fatalities", "must not be negative")
	}
}

// eventFilters returns the events.Filter values whose union is f: one per
// P-code (an event has one admin1 and one admin2, so they never overlap).
func (f *EventFilter) eventFilters() []events.Filter {
	base := events.Filter{Actor: f.Actor, Query: f.Text, MinFatalities: f.MinFatalities}
	for _, t := range f.Types {
		base.Types = append(base.Types, events.Type(t))
	}
	for _, s := range f.Status {
		base.Status = append(base.Status, events.Status(s))
	}
	codes := f.Admin1
	if len(codes) == 0 {
		codes = f.Admin2
	}
	if len(codes) == 0 {
		return []events.Filter{base}
	}
	out := make([]events.Filter, len(codes))
	for i, c := range codes {
		out[i] = base
		out[i].Admin = c
	}
	return out
}

// key is a canonical text of f, to share one query among indicators.
func (f *EventFilter) key() string {
	b, _ := json.Marshal(f)
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
