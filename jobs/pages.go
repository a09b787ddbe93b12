package jobs

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and their catalogues (fr.json).
//
//go:embed templates/*
var templateFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// RefreshSeconds is how often the page of a job that has not finished
// reloads itself (or, with script, its status fragment).
const RefreshSeconds = 2

// pageRoutes registers the HTML pages of jobs.
func (r *Runner) pageRoutes(rt *web.Router) {
	ui := &ui{r: r, pages: newPages()}
	rt.Page("GET /jobs", ui.handleList)
	rt.Page("GET /jobs/{id}", ui.handleJob)
	rt.Page("POST /jobs/{id}/cancel", ui.handleCancel)
}

type ui struct {
	r     *Runner
	pages *web.Pages
}

// field is one entry of a job's result as the page shows it.
type field struct {
	Label string
	Value string
	Bool  bool // Value is "true" or "false": the template says yes or no
}

// problemView is a Problem with plain fields for the template.
type problemView struct {
	Line       int
	Feature    int
	HasFeature bool
	Field      string
	Message    string
}

// jobView is a job as its page shows it, its texts translated.
type jobView struct {
	*Job
	KindLabel   string
	MessageText string
	ErrorText   string
	Active      bool // queued or running: the page refreshes itself
	Percent     int  // 0..100, -1 when the total is unknown
	Fields      []field
	RawResult   string // the result when it is not a flat object
	Problems    []problemView
	Refresh     int
	Created     string
	Finished    string
}

// viewOf lays j out for its page, translating with tr.
func viewOf(j *Job, tr func(string) string) jobView {
	v := jobView{Job: j, KindLabel: tr(j.Kind), Active: !j.Status.Final(), Percent: j.Percent(), Refresh: RefreshSeconds,
		Created: stamp(j.CreatedAt)}
	if j.Message != "" {
		v.MessageText = tr(j.Message)
	}
	if j.FinishedAt != nil {
		v.Finished = stamp(*j.FinishedAt)
	}
	v.Fields, v.RawResult = resultFields(j.Result)
	for i := range v.Fields {
		v.Fields[i].Label = tr(v.Fields[i].Label)
	}
	if j.Error != nil {
		v.ErrorText = tr(j.Error.Message)
		for _, p := range j.Error.Errors {
			pv := problemView{Line: p.Line, Field: p.Field, Message: p.Message}
			if p.Feature != nil {
				pv.Feature, pv.HasFeature = *p.Feature, true
			}
			v.Problems = append(v.Problems, pv)
		}
	}
	return v
}

// TotalCount is the total, 0 when unknown.
func (v jobView) TotalCount() int {
	if v.Total == nil {
		return 0
	}
	return *v.Total
}

// KiB and MiB are the input's size in those units.
func (v jobView) KiB() float64 { return float64(v.InputSize) / (1 << 10) }
func (v jobView) MiB() float64 { return float64(v.InputSize) / (1 << 20) }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }

// resultFields lays a result out as label/value pairs when it is a JSON
// object of plain values (the counts of an import); anything else is shown
// as indented JSON.
func resultFields(raw json.RawMessage) ([]field, string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '{' {
		return nil, indent(raw)
	}
	var out []field
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, indent(raw)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, indent(raw)
		}
		f := field{Label: label(fmt.Sprint(k))}
		switch x := v.(type) {
		case json.Number:
			f.Value = x.String()
		case string:
			f.Value = x
		case bool:
			f.Value, f.Bool = strconv.FormatBool(x), true
		case nil:
			continue
		default:
			return nil, indent(raw)
		}
		out = append(out, f)
	}
	return out, ""
}

func indent(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

// label turns a JSON key into the English label the catalogues know:
// "dry_run" is "Dry run".
func label(key string) string {
	s := strings.ReplaceAll(key, "_", " ")
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// translator returns the translation of a job's texts for r's language:
// the kind's messages (Runner.Messages), else the pages' catalogue, else
// the text itself.
func (u *ui) translator(r *http.Request, kind string) func(string) string {
	lang := web.Lang(r)
	return func(text string) string {
		if s := u.r.text(kind, lang, text); s != "" {
			return s
		}
		return u.pages.T(r, text)
	}
}

func (u *ui) view(r *http.Request, j *Job) jobView { return viewOf(j, u.translator(r, j.Kind)) }

type listPage struct {
	Jobs []jobView
	Next string
}

func (u *ui) handleList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{Mission: q.Get("mission"), Kind: q.Get("kind"), Status: Status(q.Get("status")), Before: q.Get("before")}
	list, next, err := u.r.FindJobs(r.Context(), f)
	if err != nil {
		return err
	}
	data := listPage{}
	for _, j := range list {
		data.Jobs = append(data.Jobs, u.view(r, j))
	}
	if next != "" {
		q.Set("before", next)
		data.Next = "/jobs?" + q.Encode()
	}
	return u.pages.Render(w, r, http.StatusOK, "list", data)
}

func (u *ui) handleJob(w http.ResponseWriter, r *http.Request) error {
	j, err := u.r.FindJobByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" {
		return u.pages.Fragment(w, r, http.StatusOK, "job", "job-status", u.view(r, j))
	}
	return u.pages.Render(w, r, http.StatusOK, "job", u.view(r, j))
}

func (u *ui) handleCancel(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := u.r.CancelJob(r.Context(), id); err != nil {
		return err
	}
	web.SetFlash(w, r, "info", "The job is being cancelled.")
	return web.Redirect(w, r, "/jobs/"+url.PathEscape(id))
}
