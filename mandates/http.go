package mandates

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/web"
)

// ceilingsResponse is the body of GET resolutions/ceilings and
// resolutions/{id}/ceilings.
type ceilingsResponse struct {
	// Resolution is the resolution the ceilings come from; nil when none
	// is in force on the day asked about.
	Resolution *Ref           `json:"resolution"`
	On         peaceops.Date  `json:"on,omitzero"`
	Ceilings   map[string]int `json:"ceilings"`
}

// historyResponse is the body of GET resolutions/history: the chain with
// the diff of each resolution from the one before it.
type historyResponse struct {
	Items []historyItem `json:"items"`
}

type historyItem struct {
	Resolution *Resolution `json:"resolution"`
	// Diff from the previous resolution; null for the first.
	Diff *Diff `json:"diff"`
}

// Routes registers the mandates API; PageRoutes the pages.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"mandates"}
	base := "/api/v1/missions/{code}/resolutions"
	r.API("GET "+base, web.Op{Summary: "List the resolutions of a mission's mandate", Tags: tags, Response: Resolution{}, List: true,
		Description: "In adoption order, each with its ceilings and tasks."}, s.handleList)
	r.API("POST "+base, web.Op{Summary: "Record a resolution", Tags: tags, Request: Resolution{}, Response: Resolution{}, Status: http.StatusCreated, Idempotent: true,
		Description: "Tasks get their ids here. A task that continues, changes or ends a task of the previous resolution of the mission (by adoption date) names it in previous."}, s.handleCreate)
	r.API("GET "+base+"/history", web.Op{Summary: "The mandate history: every resolution with its changes from the one before", Tags: tags, Response: historyResponse{}}, s.handleHistory)
	r.API("GET "+base+"/diff", web.Op{Summary: "Compare any two resolutions of a mission", Tags: tags, Response: Diff{},
		Query: []web.Param{{Name: "from", Required: true, Description: "id of one resolution"}, {Name: "to", Required: true, Description: "id of the other (the later is compared with the earlier)"}}}, s.handleDiffAny)
	r.API("GET "+base+"/expiring", web.Op{Summary: "Mandates ending within 90, 30 or 7 days with no renewal recorded", Tags: tags, Response: Expiry{}, List: true,
		Query: []web.Param{{Name: "as_of", Description: "the day to count from, YYYY-MM-DD (default: today, UTC)"}}}, s.handleExpiring)
	r.API("GET "+base+"/ceilings", web.Op{Summary: "The personnel ceilings in force on a day", Tags: tags, Response: ceilingsResponse{},
		Description: "The four categories compared with deployments: military (contingent troops), military_observers (observers and staff officers), police_fpu, police_ipo. A category the resolution does not state is absent.",
		Query:       []web.Param{{Name: "on", Description: "the day, YYYY-MM-DD (default: today, UTC)"}}}, s.handleCeilingsOn)
	r.API("GET "+base+"/export", web.Op{Summary: "Export the resolutions or their tasks as CSV", Tags: tags, Formats: []string{web.MediaCSV},
		Query: []web.Param{{Name: "what", Description: "resolutions (default: one row each, with ceilings) or tasks (one row per task)"}}}, s.handleExport)
	r.API("GET "+base+"/{id}", web.Op{Summary: "Get a resolution", Tags: tags, Response: Resolution{}}, s.handleGet)
	r.API("PATCH "+base+"/{id}", web.Op{Summary: "Change a resolution", Tags: tags, Request: Update{}, Response: Resolution{}, IfMatch: true,
		Description: "tasks, when sent, replace the list: send a task's id to keep it."}, s.handlePatch)
	r.API("DELETE "+base+"/{id}", web.Op{Summary: "Delete a resolution", Tags: tags, Status: http.StatusNoContent, IfMatch: true}, s.handleDelete)
	r.API("GET "+base+"/{id}/tasks", web.Op{Summary: "List the tasks a resolution mandates", Tags: tags, Response: Task{}, List: true}, s.handleTasks)
	r.API("GET "+base+"/{id}/ceilings", web.Op{Summary: "The personnel ceilings a resolution authorises", Tags: tags, Response: ceilingsResponse{}}, s.handleCeilings)
	r.API("GET "+base+"/{id}/diff", web.Op{Summary: "What a resolution changed from the one before it", Tags: tags, Response: Diff{}}, s.handleDiff)
}

func location(mission, id string) string {
	return "/api/v1/missions/" + url.PathEscape(mission) + "/resolutions/" + id
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	parts, err := web.DecodeCursor(cursor, 1)
	if err != nil {
		return err
	}
	chain, err := s.FindResolutions(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	start := 0
	if parts != nil {
		i := slices.IndexFunc(chain, func(x *Resolution) bool { return x.ID == parts[0] })
		if i < 0 {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "cursor", Message: "names a resolution that no longer exists: start again from the first page"}})
		}
		start = i + 1
	}
	page := chain[start:]
	out := web.List[*Resolution]{Items: page}
	if len(page) > limit {
		out.Items = page[:limit]
		out.NextCursor = web.EncodeCursor(page[limit-1].ID)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) error {
	var res Resolution
	if err := web.Decode(r, &res); err != nil {
		return err
	}
	mission := r.PathValue("code")
	res.ID, res.Mission, res.Version = "", mission, 0
	if err := s.CreateResolution(r.Context(), &res); err != nil {
		return err
	}
	w.Header().Set("Location", location(mission, res.ID))
	web.SetETag(w, res.Version)
	return web.JSON(w, http.StatusCreated, res)
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) error {
	res, err := s.FindResolutionByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.SetETag(w, res.Version)
	return web.JSON(w, http.StatusOK, res)
}

func (s *Service) handlePatch(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var upd Update
	if err := web.Decode(r, &upd); err != nil {
		return err
	}
	res, err := s.UpdateResolution(r.Context(), r.PathValue("code"), r.PathValue("id"), upd, version)
	if err != nil {
		return err
	}
	web.SetETag(w, res.Version)
	return web.JSON(w, http.StatusOK, res)
}

func (s *Service) handleDelete(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	if err := s.DeleteResolution(r.Context(), r.PathValue("code"), r.PathValue("id"), version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) handleTasks(w http.ResponseWriter, r *http.Request) error {
	res, err := s.FindResolutionByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[Task]{Items: res.Tasks})
}

func (s *Service) handleCeilings(w http.ResponseWriter, r *http.Request) error {
	res, err := s.FindResolutionByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	ref := refOf(res)
	return web.JSON(w, http.StatusOK, ceilingsResponse{Resolution: &ref, Ceilings: res.Ceilings})
}

// dayParam reads a YYYY-MM-DD query parameter, today (UTC) when absent.
func (s *Service) dayParam(r *http.Request, name string) (peaceops.Date, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return peaceops.DateOf(s.db.Now().UTC()), nil
	}
	d, err := peaceops.ParseDate(v)
	if err != nil {
		return peaceops.Date{}, peaceops.Invalid([]peaceops.FieldError{{Field: name, Message: "must be a date of the form YYYY-MM-DD"}})
	}
	return d, nil
}

func (s *Service) handleCeilingsOn(w http.ResponseWriter, r *http.Request) error {
	on, err := s.dayParam(r, "on")
	if err != nil {
		return err
	}
	chain, err := s.FindResolutions(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	out := ceilingsResponse{On: on, Ceilings: map[string]int{}}
	if res := inForce(chain, on); res != nil {
		ref := refOf(res)
		out.Resolution = &ref
		for _, k := range contractCeilings {
			if v, ok := res.Ceilings[k]; ok {
				out.Ceilings[k] = v
			}
		}
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleDiff(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Diff(r.Context(), r.PathValue("code"), "", r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

func (s *Service) handleDiffAny(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var errs []peaceops.FieldError
	for _, name := range []string{"from", "to"} {
		if q.Get(name) == "" {
			errs = append(errs, peaceops.FieldError{Field: name, Message: "is required: the id of a resolution"})
		}
	}
	if err := peaceops.Invalid(errs); err != nil {
		return err
	}
	d, err := s.Diff(r.Context(), r.PathValue("code"), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

func (s *Service) handleHistory(w http.ResponseWriter, r *http.Request) error {
	chain, err := s.FindResolutions(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, historyResponse{Items: history(chain)})
}

func history(chain []*Resolution) []historyItem {
	out := make([]historyItem, len(chain))
	for i, res := range chain {
		out[i].Resolution = res
		if i > 0 {
			out[i].Diff = Compare(chain, i-1, i)
		}
	}
	return out
}

func (s *Service) handleExpiring(w http.ResponseWriter, r *http.Request) error {
	asOf, err := s.dayParam(r, "as_of")
	if err != nil {
		return err
	}
	list, err := s.Expiring(r.Context(), r.PathValue("code"), asOf)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[Expiry]{Items: list})
}

// exportable returns the chain of mission if the actor may export its
// mandate.
func (s *Service) exportable(ctx context.Context, mission string) ([]*Resolution, error) {
	chain, err := s.FindResolutions(ctx, mission)
	if err != nil {
		return nil, err
	}
	if err := access.Check(peaceops.ActorFromContext(ctx), access.ActionExport, access.Resource{Type: resourceType, Mission: mission, Classification: peaceops.Public}); err != nil {
		return nil, err
	}
	return chain, nil
}

func (s *Service) handleExport(w http.ResponseWriter, r *http.Request) error {
	what := r.URL.Query().Get("what")
	if what != "" && what != "resolutions" && what != "tasks" {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "what", Message: "must be resolutions or tasks"}})
	}
	mission := r.PathValue("code")
	chain, err := s.exportable(r.Context(), mission)
	if err != nil {
		return err
	}
	if what == "tasks" {
		return web.WriteCSV(w, strings.ToLower(mission)+"-mandated-tasks.csv", taskHeader, func(yield func([]string) error) error {
			return taskRows(chain, yield)
		})
	}
	return web.WriteCSV(w, strings.ToLower(mission)+"-resolutions.csv", resolutionHeader(), func(yield func([]string) error) error {
		for _, res := range chain {
			if err := yield(resolutionRow(res)); err != nil {
				return err
			}
		}
		return nil
	})
}

func resolutionHeader() []string {
	h := []string{"id", "symbol", "adopted", "period_start", "period_end", "chapter_vii", "document_url"}
	for _, c := range CeilingCategories {
		h = append(h, "ceiling_"+c)
	}
	return append(h, "tasks", "priority_tasks", "classification", "source_note")
}

func resolutionRow(r *Resolution) []string {
	row := []string{r.ID, r.Symbol, r.Adopted.String(), r.PeriodStart.String(), r.PeriodEnd.String(),
		strconv.FormatBool(r.ChapterVII), r.DocumentURL}
	for _, c := range CeilingCategories {
		v := ""
		if n, ok := r.Ceilings[c]; ok {
			v = strconv.Itoa(n)
		}
		row = append(row, v)
	}
	tasks, priority := 0, 0
	for _, t := range r.Tasks {
		if t.InForce() {
			tasks++
			if t.Priority {
				priority++
			}
		}
	}
	return append(row, strconv.Itoa(tasks), strconv.Itoa(priority), r.Classification.String(), r.SourceNote)
}

var taskHeader = []string{"resolution", "task_id", "position", "title", "paragraph", "priority", "category", "lineage", "previous_task_id"}

func taskRows(chain []*Resolution, yield func([]string) error) error {
	for _, r := range chain {
		for i, t := range r.Tasks {
			row := []string{r.Symbol, t.ID, strconv.Itoa(i + 1), t.Title, t.Paragraph, strconv.FormatBool(t.Priority),
				string(t.Category), string(t.Lineage), t.Previous}
			if err := yield(row); err != nil {
				return err
			}
		}
	}
	return nil
}
