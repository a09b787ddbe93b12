package results

import (
	"embed"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and their French catalogue.
//
//go:embed templates/*
var templateFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// sharedKeys are texts shown on pages rendered with another catalogue.
var sharedKeys = []string{"Results", "%d values saved.", "Assessment saved.", "Value approved.", "Value returned.", "%d values imported."}

func (s *Service) pageRoutes(r *web.Router) {
	r.Page("GET /missions/{code}/results", s.handleFrameworkPage)
	r.Page("GET /missions/{code}/results/indicators/{id}", s.handleIndicatorPage)
	r.Page("GET /missions/{code}/results/entry", s.handleEntryPage)
	r.Page("POST /missions/{code}/results/entry", s.handleEntryForm)
	r.Page("POST /missions/{code}/results/values/{id}/decision", s.handleDecisionForm)
	r.PageWith("POST /missions/{code}/results/import", web.PageOpts{MaxBodyBytes: 65 << 20}, s.handleImportForm)
	r.Page("GET /missions/{code}/results/assessment", s.handleAssessmentPage)
	r.Page("POST /missions/{code}/results/assessment", s.handleNarrativeForm)
	r.NavItem("Results", "/missions/{mission}/results")
	r.Messages(web.PickMessages(templateFS, "templates", sharedKeys))
}

// badge is the CSS class of a status.
func badge(s Status) string {
	switch s {
	case OnTrack:
		return "badge-verified"
	case AtRisk:
		return "badge-disputed"
	case OffTrack:
		return "badge-rejected"
	}
	return "badge-reported"
}

type indicatorRow struct {
	*Indicator
	Status Status
	Badge  string
	Value  string
}

type resultNode struct {
	*Result
	Indicators []indicatorRow
}

type objectiveNode struct {
	*Objective
	Tasks   []string
	Status  Status
	Badge   string
	Results []resultNode
}

type frameworkPage struct {
	Mission    string
	Period     string
	Objectives []objectiveNode
	Sections   []string
}

// currentQuarter is the key of the last complete quarter.
func (s *Service) currentQuarter() string {
	q := PeriodOf(Quarterly, s.today())
	return PeriodOf(Quarterly, peaceops.DateOf(q.Start.Time().AddDate(0, 0, -1))).Key
}

func (s *Service) handleFrameworkPage(w http.ResponseWriter, r *http.Request) error {
	ctx, code := r.Context(), r.PathValue("code")
	period := r.URL.Query().Get("period")
	if period == "" {
		period = s.currentQuarter()
	}
	a, err := s.Assess(ctx, code, period)
	if err != nil {
		return err
	}
	f, err := s.FindFramework(ctx, code)
	if err != nil {
		return err
	}
	status := map[string]IndicatorStatus{}
	for _, o := range a.Objectives {
		for _, is := range o.Indicators {
			status[is.Indicator.ID] = is
		}
	}
	page := frameworkPage{Mission: code, Period: a.Period.Key}
	for _, o := range a.Objectives {
		node := objectiveNode{Objective: o.Objective, Status: o.Status, Badge: badge(o.Status)}
		titles := s.TaskTitles(ctx, code, o.Objective.TaskIDs)
		for _, id := range o.Objective.TaskIDs {
			if t, ok := titles[id]; ok {
				node.Tasks = append(node.Tasks, t)
			} else {
				node.Tasks = append(node.Tasks, id)
			}
		}
		for _, res := range f.Results {
			if res.ObjectiveID != o.Objective.ID {
				continue
			}
			rn := resultNode{Result: res}
			for _, in := range f.Indicators {
				if in.ResultID == res.ID {
					is := status[in.ID]
					row := indicatorRow{Indicator: in, Status: is.Status, Badge: badge(is.Status)}
					if is.Value != nil {
						row.Value = num(math.Round(*is.Value*100) / 100)
					}
					rn.Indicators = append(rn.Indicators, row)
				}
			}
			node.Results = append(node.Results, rn)
		}
		page.Objectives = append(page.Objectives, node)
	}
	for _, in := range f.Indicators {
		if in.Section != "" && !slices.Contains(page.Sections, in.Section) {
			page.Sections = append(page.Sections, in.Section)
		}
	}
	slices.Sort(page.Sections)
	return s.pages.Render(w, r, http.StatusOK, "framework", page)
}

// chart is a server-drawn SVG line chart of values against the baseline
// and targets: no script, so it needs nothing from the page's CSP.
type chart struct {
	Width, Height int
	Values        string // polyline points
	Targets       string
	Baseline      float64 // y of the baseline
	Dots          []dot
	YLabels       []label
	XLabels       []label
}

type dot struct {
	X, Y  float64
	Title string
}

type label struct {
	X, Y float64
	Text string
}

func drawChart(in *Indicator, pts []Point) *chart {
	c := &chart{Width: 720, Height: 260}
	const left, right, top, bottom = 60.0, 20.0, 16.0, 30.0
	t0, t1 := in.BaselineDate.Time(), in.Targets[len(in.Targets)-1].Date.Time()
	lo, hi := in.BaselineValue, in.BaselineValue
	for _, t := range in.Targets {
		lo, hi = math.Min(lo, t.Value), math.Max(hi, t.Value)
	}
	for _, p := range pts {
		if p.Cell != "" {
			continue
		}
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		if p.End.Time().After(t1) {
			t1 = p.End.Time()
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	span := t1.Sub(t0).Seconds()
	if span <= 0 {
		span = 1
	}
	x := func(d peaceops.Date) float64 {
		return left + (float64(c.Width)-left-right)*d.Time().Sub(t0).Seconds()/span
	}
	y := func(v float64) float64 { return top + (float64(c.Height)-top-bottom)*(hi-v)/(hi-lo) }
	var vals, tgts []string
	for _, p := range pts {
		if p.Cell != "" || p.End.Before(in.BaselineDate) {
			continue
		}
		px, py := x(p.End), y(p.Value)
		vals = append(vals, fmt.Sprintf("%.1f,%.1f", px, py))
		c.Dots = append(c.Dots, dot{X: px, Y: py, Title: p.Period + ": " + num(p.Value)})
	}
	tgts = append(tgts, fmt.Sprintf("%.1f,%.1f", x(in.BaselineDate), y(in.BaselineValue)))
	for _, t := range in.Targets {
		tgts = append(tgts, fmt.Sprintf("%.1f,%.1f", x(t.Date), y(t.Value)))
	}
	c.Values, c.Targets, c.Baseline = strings.Join(vals, " "), strings.Join(tgts, " "), y(in.BaselineValue)
	for i := 0; i <= 4; i++ {
		v := lo + (hi-lo)*float64(i)/4
		c.YLabels = append(c.YLabels, label{X: left - 6, Y: y(v) + 4, Text: num(math.Round(v*10) / 10)})
	}
	for yr := t0.Year(); yr <= t1.Year()+1; yr++ {
		d := peaceops.Date{Year: yr, Month: 1, Day: 1}
		if d.Time().Before(t0) || d.Time().After(t1) {
			continue
		}
		c.XLabels = append(c.XLabels, label{X: x(d), Y: float64(c.Height) - 8, Text: strconv.Itoa(yr)})
	}
	return c
}

type cellRow struct {
	Period string
	Cells  []string // values by column, "" when none
}

type indicatorPage struct {
	Mission   string
	I         *Indicator
	Computed  string
	Points    []Point
	Chart     *chart
	Columns   []string // disaggregation cells seen
	Table     []cellRow
	CanEnter  bool
	CanDecide bool
	Entries   []*Measurement
}

func (s *Service) handleIndicatorPage(w http.ResponseWriter, r *http.Request) error {
	ctx, code := r.Context(), r.PathValue("code")
	in, err := s.FindIndicatorByID(ctx, code, r.PathValue("id"))
	if err != nil {
		return err
	}
	var pts []Point
	var page indicatorPage
	if in.IsComputed() {
		if pts, err = s.series(ctx, in, s.today()); err != nil {
			return err
		}
	} else {
		vals, err := s.FindValues(ctx, code, in.ID)
		if err != nil {
			return err
		}
		for _, m := range vals {
			pts = append(pts, Point{Period: m.Period, Start: m.PeriodStart, End: m.PeriodEnd, Value: m.Value, State: string(m.State), Cell: m.Cell, ID: m.ID})
			page.Entries = append(page.Entries, m)
		}
	}
	page.Mission, page.I, page.Points, page.Chart = code, in, pts, drawChart(in, pts)
	page.CanEnter = !in.IsComputed() && s.CanEnter(ctx, in)
	page.CanDecide = access.Can(peaceops.ActorFromContext(ctx), access.ActionApprove, ms(code, in.Classification))
	if in.IsComputed() {
		page.Computed = jsonText(in.Def())
	}
	byPeriod := map[string]map[string]string{}
	var periods []string
	for _, p := range pts {
		if p.Cell == "" {
			continue
		}
		if !slices.Contains(page.Columns, p.Cell) {
			page.Columns = append(page.Columns, p.Cell)
		}
		if byPeriod[p.Period] == nil {
			byPeriod[p.Period] = map[string]string{}
			periods = append(periods, p.Period)
		}
		byPeriod[p.Period][p.Cell] = num(p.Value)
	}
	slices.Sort(page.Columns)
	for _, per := range periods {
		row := cellRow{Period: per}
		for _, c := range page.Columns {
			row.Cells = append(row.Cells, byPeriod[per][c])
		}
		page.Table = append(page.Table, row)
	}
	return s.pages.Render(w, r, http.StatusOK, "indicator", page)
}

type entryRow struct {
	I     *Indicator
	Cells []entryCell
}

type entryCell struct {
	Name  string // form field
	Cell  string // canonical cell, "" for the total
	Value string
	State string
	Error string
}

type entryPage struct {
	Mission      string
	Section      string
	Period       string
	Sections     []string
	Rows         []entryRow
	Errors       bool
	CanImport    bool
	ImportErrors []peaceops.FieldError
}

// cells lists the total and every single-dimension cell of in.
func cells(in *Indicator) []string {
	out := []string{""}
	for _, d := range in.Dimensions {
		for _, v := range d.Values {
			out = append(out, Cell{d.Name: v}.String())
		}
	}
	return out
}

func (s *Service) entryPage(r *http.Request) (*entryPage, error) {
	ctx, code := r.Context(), r.PathValue("code")
	f, err := s.FindFramework(ctx, code)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	page := &entryPage{Mission: code, Section: q.Get("section"), Period: q.Get("period"),
		CanImport: access.Can(peaceops.ActorFromContext(ctx), access.ActionImport, ms(code, peaceops.Internal))}
	if page.Period == "" {
		page.Period = s.currentQuarter()
	}
	for _, in := range f.Indicators {
		if in.IsComputed() || in.Section == "" {
			continue
		}
		if !slices.Contains(page.Sections, in.Section) {
			page.Sections = append(page.Sections, in.Section)
		}
		if in.Section != page.Section || !s.CanEnter(ctx, in) {
			continue
		}
		per, _, err := periodAnyFrequency(page.Period)
		if err != nil {
			return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "period", Message: peaceops.ErrorMessage(err)}})
		}
		key := PeriodOf(in.Frequency, per.End).Key
		vals, err := s.FindValues(ctx, code, in.ID)
		if err != nil {
			return nil, err
		}
		row := entryRow{I: in}
		for _, c := range cells(in) {
			ec := entryCell{Name: in.ID + "|" + c, Cell: c}
			for _, m := range vals {
				if m.Period == key && m.Cell == c {
					ec.Value, ec.State = num(m.Value), string(m.State)
				}
			}
			row.Cells = append(row.Cells, ec)
		}
		page.Rows = append(page.Rows, row)
	}
	slices.Sort(page.Sections)
	return page, nil
}

func (s *Service) handleEntryPage(w http.ResponseWriter, r *http.Request) error {
	page, err := s.entryPage(r)
	if err != nil {
		return err
	}
	return s.pages.Render(w, r, http.StatusOK, "entry", page)
}

// handleEntryForm saves every filled cell of the form; cells that fail
// keep their text and show why, the others are saved.
func (s *Service) handleEntryForm(w http.ResponseWriter, r *http.Request) error {
	r.URL.RawQuery = url.Values{"section": {r.PostFormValue("section")}, "period": {r.PostFormValue("period")}}.Encode()
	page, err := s.entryPage(r)
	if err != nil {
		return err
	}
	saved := 0
	for i := range page.Rows {
		row := &page.Rows[i]
		per, _, _ := periodAnyFrequency(page.Period)
		key := PeriodOf(row.I.Frequency, per.End).Key
		for j := range row.Cells {
			ec := &row.Cells[j]
			text := strings.TrimSpace(strings.Replace(r.PostFormValue(ec.Name), ",", ".", 1))
			if text == "" || text == ec.Value {
				continue
			}
			ec.Value = text
			v, err := strconv.ParseFloat(text, 64)
			if err != nil {
				ec.Error, page.Errors = "must be a number", true
				continue
			}
			cell, _ := ParseCell(ec.Cell)
			m, err := s.EnterValue(r.Context(), page.Mission, row.I.ID, Entry{Period: key, Cell: cell, Value: v, EvidenceNote: r.PostFormValue("note")})
			if err != nil {
				if peaceops.ErrorCode(err) != peaceops.EINVALID && peaceops.ErrorCode(err) != peaceops.ECONFLICT {
					return err
				}
				msg := peaceops.ErrorMessage(err)
				if fields := peaceops.ErrorFields(err); len(fields) > 0 {
					msg = fields[0].Message
				}
				ec.Error, page.Errors = msg, true
				continue
			}
			ec.State = string(m.State)
			saved++
		}
	}
	if page.Errors {
		return s.pages.Render(w, r, http.StatusBadRequest, "entry", page)
	}
	web.SetFlash(w, r, "success", "%d values saved.", saved)
	return web.Redirect(w, r, "/missions/"+url.PathEscape(page.Mission)+"/results/entry?"+r.URL.RawQuery)
}

type assessmentPage struct {
	Mission string
	A       *Assessment
	CanEdit bool
	Rows    []assessmentRow
}

type assessmentRow struct {
	ObjectiveStatus
	Badge      string
	Indicators []indicatorLine
	Version    int64
}

type indicatorLine struct {
	Code, Name, Value, Target, Progress, Elapsed string
	Status                                       Status
	Badge                                        string
	ID                                           string
}

func pct(x float64) string { return strconv.Itoa(int(math.Round(x*100))) + "%" }

func (s *Service) handleAssessmentPage(w http.ResponseWriter, r *http.Request) error {
	ctx, code := r.Context(), r.PathValue("code")
	period := r.URL.Query().Get("period")
	if period == "" {
		period = s.currentQuarter()
	}
	a, err := s.Assess(ctx, code, period)
	if err != nil {
		return err
	}
	page := assessmentPage{Mission: code, A: a, CanEdit: access.Can(peaceops.ActorFromContext(ctx), access.ActionUpdate, fw(code, peaceops.Internal))}
	for _, o := range a.Objectives {
		row := assessmentRow{ObjectiveStatus: o, Badge: badge(o.Status)}
		if o.Narrative != nil {
			row.Version = o.Narrative.Version
		}
		for _, is := range o.Indicators {
			l := indicatorLine{Code: is.Indicator.Code, Name: is.Indicator.Name, ID: is.Indicator.ID, Status: is.Status, Badge: badge(is.Status),
				Progress: pct(is.Progress.Progress), Elapsed: pct(is.Elapsed)}
			if is.Value != nil {
				l.Value = num(math.Round(*is.Value*100)/100) + " (" + is.Period + ")"
			}
			if is.Target != nil {
				l.Target = num(is.Target.Value) + " @ " + is.Target.Date.String()
			}
			row.Indicators = append(row.Indicators, l)
		}
		page.Rows = append(page.Rows, row)
	}
	return s.pages.Render(w, r, http.StatusOK, "assessment", page)
}

func (s *Service) handleNarrativeForm(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	n := Narrative{Period: r.PostFormValue("period"), Achievements: strings.TrimSpace(r.PostFormValue("achievements")),
		Obstacles: strings.TrimSpace(r.PostFormValue("obstacles")), Recommendations: strings.TrimSpace(r.PostFormValue("recommendations"))}
	if _, err := s.SaveNarrative(r.Context(), code, r.PostFormValue("objective"), n, version); err != nil {
		return err
	}
	web.SetFlash(w, r, "success", "Assessment saved.")
	return web.Redirect(w, r, "/missions/"+url.PathEscape(code)+"/results/assessment?period="+url.QueryEscape(n.Period))
}

// handleDecisionForm approves or returns a value from the indicator page.
func (s *Service) handleDecisionForm(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "version", Message: "must be the version the page was loaded with"}})
	}
	m, err := s.DecideValue(r.Context(), code, r.PathValue("id"), Decision{State: State(r.PostFormValue("state")), Reason: r.PostFormValue("reason")}, version)
	if err != nil {
		return err
	}
	if m.State == StateApproved {
		web.SetFlash(w, r, "success", "Value approved.")
	} else {
		web.SetFlash(w, r, "success", "Value returned.")
	}
	return web.Redirect(w, r, "/missions/"+url.PathEscape(code)+"/results/indicators/"+url.PathEscape(m.IndicatorID))
}

// handleImportForm imports a values spreadsheet uploaded from the entry
// page (multipart: file, .csv or .xlsx), all or nothing; the row errors
// are listed on the page.
func (s *Service) handleImportForm(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if err := s.can(r.Context(), code, access.ActionImport, ms(code, peaceops.Internal)); err != nil {
		return err
	}
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return peaceops.Errorf(peaceops.EINVALID, "the upload could not be read: send the file as multipart/form-data")
		}
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "file", Message: "choose a .csv or .xlsx file"}})
	}
	defer file.Close()
	format := "csv"
	if strings.HasSuffix(strings.ToLower(hdr.Filename), ".xlsx") {
		format = "xlsx"
	}
	rows, err := ReadValues(file, format)
	var res ImportResult
	if err == nil {
		res, err = s.ImportValues(r.Context(), code, rows)
	}
	if peaceops.ErrorCode(err) == peaceops.EINVALID {
		r.URL.RawQuery = ""
		page, perr := s.entryPage(r)
		if perr != nil {
			return perr
		}
		page.ImportErrors = peaceops.ErrorFields(err)
		if len(page.ImportErrors) == 0 {
			page.ImportErrors = []peaceops.FieldError{{Field: "file", Message: peaceops.ErrorMessage(err)}}
		}
		return s.pages.Render(w, r, http.StatusBadRequest, "entry", page)
	} else if err != nil {
		return err
	}
	web.SetFlash(w, r, "success", "%d values imported.", res.Imported)
	return web.Redirect(w, r, "/missions/"+url.PathEscape(code)+"/results/entry")
}
