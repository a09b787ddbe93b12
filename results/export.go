package results

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/web"
)

const mediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// exportSet is the framework with the values of every indicator.
type exportSet struct {
	f         *Framework
	objective map[string]*Objective // by result id
	result    map[string]*Result    // by id
	values    map[string][]Point    // by indicator id: computed, or entered (every cell)
}

func (s *Service) exportSet(ctx context.Context, mission string) (*exportSet, error) {
	if err := s.can(ctx, mission, access.ActionExport, fw(mission, peaceops.Internal)); err != nil {
		return nil, err
	}
	f, err := s.FindFramework(ctx, mission)
	if err != nil {
		return nil, err
	}
	x := &exportSet{f: f, objective: map[string]*Objective{}, result: map[string]*Result{}, values: map[string][]Point{}}
	objectives := map[string]*Objective{}
	for _, o := range f.Objectives {
		objectives[o.ID] = o
	}
	for _, r := range f.Results {
		x.result[r.ID], x.objective[r.ID] = r, objectives[r.ObjectiveID]
	}
	if x.values, err = s.recompute(ctx, mission, f.Indicators, s.today()); err != nil {
		return nil, err
	}
	if access.Can(peaceops.ActorFromContext(ctx), access.ActionExport, ms(mission, peaceops.Internal)) {
		vals, err := s.allValues(ctx, mission, f.Indicators)
		if err != nil {
			return nil, err
		}
		for id, list := range vals {
			for _, m := range list {
				x.values[id] = append(x.values[id], Point{Period: m.Period, Start: m.PeriodStart, End: m.PeriodEnd, Value: m.Value, State: string(m.State), Cell: m.Cell})
			}
		}
	}
	return x, nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func targetsText(ts []Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = num(t.Value) + "@" + t.Date.String()
	}
	return strings.Join(parts, ";")
}

var frameworkHeader = []string{"objective", "objective_title", "task_ids", "result", "result_level", "result_title", "indicator", "name", "kind", "unit",
	"direction", "baseline_value", "baseline_date", "targets", "frequency", "dimensions", "computed", "data_source", "section"}

func (x *exportSet) frameworkRow(in *Indicator) []string {
	o, r := x.objective[in.ResultID], x.result[in.ResultID]
	var oc, ot, tasks, rc, rl, rt string
	if o != nil {
		oc, ot, tasks = o.Code, o.Title, strings.Join(o.TaskIDs, ";")
	}
	if r != nil {
		rc, rl, rt = r.Code, string(r.Level), r.Title
	}
	dims := make([]string, len(in.Dimensions))
	for i, d := range in.Dimensions {
		dims[i] = d.Name + "=" + strings.Join(d.Values, "|")
	}
	computed := ""
	if in.IsComputed() {
		computed = jsonText(in.Def())
	}
	return []string{oc, ot, tasks, rc, rl, rt, in.Code, in.Name, string(in.Kind), string(in.Unit), string(in.Direction),
		num(in.BaselineValue), in.BaselineDate.String(), targetsText(in.Targets), string(in.Frequency), strings.Join(dims, ";"),
		computed, in.DataSource, in.Section}
}

var valuesHeader = []string{"indicator", "period", "period_start", "period_end", "cell", "value", "state"}

func (x *exportSet) valueRows(yield func([]string) error) error {
	for _, in := range x.f.Indicators {
		for _, p := range x.values[in.ID] {
			if err := yield([]string{in.Code, p.Period, p.Start.String(), p.End.String(), p.Cell, num(p.Value), p.State}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) handleExport(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	format := r.URL.Query().Get("format")
	if format != "csv" && format != "xlsx" && format != "iati" {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "format", Message: "must be csv, xlsx or iati"}})
	}
	x, err := s.exportSet(r.Context(), code)
	if err != nil {
		return err
	}
	switch format {
	case "csv":
		header := append(append([]string{}, frameworkHeader...), valuesHeader[1:]...)
		return web.WriteCSV(w, code+"-results.csv", header, func(yield func([]string) error) error {
			for _, in := range x.f.Indicators {
				row := x.frameworkRow(in)
				pts := x.values[in.ID]
				if len(pts) == 0 {
					if err := yield(append(row, "", "", "", "", "", "")); err != nil {
						return err
					}
				}
				for _, p := range pts {
					if err := yield(append(append([]string{}, row...), p.Period, p.Start.String(), p.End.String(), p.Cell, num(p.Value), p.State)); err != nil {
						return err
					}
				}
			}
			return nil
		})
	case "xlsx":
		return x.writeXLSX(w, code)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+code+`-results-iati.xml"`)
	return x.writeIATI(w, code)
}

func (x *exportSet) writeXLSX(w http.ResponseWriter, code string) error {
	book := excelize.NewFile()
	defer book.Close()
	write := func(sheet string, header []string, rows func(func([]string) error) error) error {
		sw, err := book.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		n := 1
		put := func(row []string) error {
			cells := make([]any, len(row))
			for i, c := range row {
				cells[i] = c
			}
			cell, _ := excelize.CoordinatesToCellName(1, n)
			n++
			return sw.SetRow(cell, cells)
		}
		if err := put(header); err != nil {
			return err
		}
		if err := rows(put); err != nil {
			return err
		}
		return sw.Flush()
	}
	if err := book.SetSheetName("Sheet1", "Framework"); err != nil {
		return err
	}
	if _, err := book.NewSheet("Values"); err != nil {
		return err
	}
	err := write("Framework", frameworkHeader, func(put func([]string) error) error {
		for _, in := range x.f.Indicators {
			if err := put(x.frameworkRow(in)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := write("Values", valuesHeader, x.valueRows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", mediaXLSX)
	w.Header().Set("Content-Disposition", `attachment; filename="`+code+`-results.xlsx"`)
	_, err = book.WriteTo(w)
	return err
}

// IATI 2.03 activity standard: iati-activity/result/indicator with its
// baseline and periods (period-start, period-end, target, actual).
type iatiNarrative struct {
	Text string `xml:"narrative"`
}

type iatiValue struct {
	Value string `xml:"value,attr"`
}

type iatiDimension struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type iatiActual struct {
	Value      string          `xml:"value,attr"`
	Dimensions []iatiDimension `xml:"dimension"`
}

type iatiDate struct {
	ISODate string `xml:"iso-date,attr"`
}

type iatiPeriod struct {
	Start  iatiDate     `xml:"period-start"`
	End    iatiDate     `xml:"period-end"`
	Target *iatiValue   `xml:"target"`
	Actual []iatiActual `xml:"actual"`
}

type iatiBaseline struct {
	Year    int    `xml:"year,attr"`
	ISODate string `xml:"iso-date,attr"`
	Value   string `xml:"value,attr"`
}

type iatiIndicator struct {
	Measure     int           `xml:"measure,attr"`
	Ascending   int           `xml:"ascending,attr"`
	Title       iatiNarrative `xml:"title"`
	Description iatiNarrative `xml:"description"`
	Baseline    iatiBaseline  `xml:"baseline"`
	Periods     []iatiPeriod  `xml:"period"`
}

type iatiResult struct {
	Type       int             `xml:"type,attr"`
	Title      iatiNarrative   `xml:"title"`
	Indicators []iatiIndicator `xml:"indicator"`
}

type iatiActivity struct {
	Identifier string        `xml:"iati-identifier"`
	Title      iatiNarrative `xml:"title"`
	Results    []iatiResult  `xml:"result"`
}

type iatiActivities struct {
	XMLName  xml.Name     `xml:"iati-activities"`
	Version  string       `xml:"version,attr"`
	Activity iatiActivity `xml:"iati-activity"`
}

// iatiMeasure maps a unit to the IATI IndicatorMeasure code: 1 unit, 2
// percentage, 4 ordinal (scales); yes/no counts as a unit 0/1.
func iatiMeasure(u Unit) int {
	switch u {
	case UnitPercentage:
		return 2
	case UnitScale:
		return 4
	}
	return 1
}

// iatiResultType maps a level to the IATI ResultType code.
var iatiResultType = map[Level]int{LevelOutput: 1, LevelOutcome: 2, LevelImpact: 3}

func (x *exportSet) writeIATI(w http.ResponseWriter, code string) error {
	doc := iatiActivities{Version: "2.03", Activity: iatiActivity{Identifier: code + "-results", Title: iatiNarrative{Text: code + " results framework"}}}
	for _, r := range x.f.Results {
		res := iatiResult{Type: iatiResultType[r.Level], Title: iatiNarrative{Text: r.Title}}
		for _, in := range x.f.Indicators {
			if in.ResultID != r.ID {
				continue
			}
			ind := iatiIndicator{Measure: iatiMeasure(in.Unit), Ascending: 1, Title: iatiNarrative{Text: in.Name},
				Description: iatiNarrative{Text: in.Definition},
				Baseline:    iatiBaseline{Year: in.BaselineDate.Year, ISODate: in.BaselineDate.String(), Value: num(in.BaselineValue)}}
			if in.Direction == Lower {
				ind.Ascending = 0
			}
			// One period per computed or approved total; the approved
			// cells of that period follow as actuals with their dimensions.
			index := map[string]int{}
			for _, p := range x.values[in.ID] {
				if p.Cell != "" || (p.State != "computed" && p.State != string(StateApproved)) {
					continue
				}
				per := iatiPeriod{Start: iatiDate{p.Start.String()}, End: iatiDate{p.End.String()}, Actual: []iatiActual{{Value: num(p.Value)}}}
				if pr := assess(in, &p.Value, p.Period, p.End); pr.Target != nil {
					per.Target = &iatiValue{num(pr.Target.Value)}
				}
				index[p.Period] = len(ind.Periods)
				ind.Periods = append(ind.Periods, per)
			}
			for _, p := range x.values[in.ID] {
				i, ok := index[p.Period]
				if p.Cell == "" || p.State != string(StateApproved) || !ok {
					continue
				}
				cell, err := ParseCell(p.Cell)
				if err != nil {
					continue
				}
				a := iatiActual{Value: num(p.Value)}
				for _, k := range sortedKeys(cell) {
					a.Dimensions = append(a.Dimensions, iatiDimension{Name: k, Value: cell[k]})
				}
				ind.Periods[i].Actual = append(ind.Periods[i].Actual, a)
			}
			res.Indicators = append(res.Indicators, ind)
		}
		doc.Activity.Results = append(doc.Activity.Results, res)
	}
	if _, err := fmt.Fprint(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	return enc.Encode(doc)
}
