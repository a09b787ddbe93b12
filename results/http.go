package results

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

const base = "/api/v1/missions/{code}/results"

// valuesResponse is an indicator's values: the points of its total (or
// computed) series and every entered value by cell.
type valuesResponse struct {
	Indicator *Indicator     `json:"indicator"`
	Series    []Point        `json:"series"`
	Entries   []*Measurement `json:"entries"`
}

type lockRequest struct {
	LockedThrough peaceops.Date `json:"locked_through"`
}

type adopted struct {
	Items []*Indicator `json:"items"`
}

// Routes registers the results API and pages.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"results"}
	id := func(p string) string { return base + p }
	r.API("GET "+id("/framework"), web.Op{Summary: "The results framework of a mission: objectives, expected results, indicators", Tags: tags, Response: Framework{}}, s.handleFramework)
	r.API("POST "+id("/objectives"), web.Op{Summary: "Create an objective (planners)", Description: "task_ids are ids of mandated tasks of the mission.", Tags: tags, Request: Objective{}, Response: Objective{}, Status: http.StatusCreated}, s.handleCreateObjective)
	r.API("PATCH "+id("/objectives/{id}"), web.Op{Summary: "Change an objective (planners)", Tags: tags, Request: Objective{}, Response: Objective{}, IfMatch: true}, s.handlePatchObjective)
	r.API("POST "+id("/expected"), web.Op{Summary: "Create an expected result (planners)", Tags: tags, Request: Result{}, Response: Result{}, Status: http.StatusCreated}, s.handleCreateResult)
	r.API("PATCH "+id("/expected/{id}"), web.Op{Summary: "Change an expected result (planners)", Tags: tags, Request: Result{}, Response: Result{}, IfMatch: true}, s.handlePatchResult)
	r.API("POST "+id("/indicators"), web.Op{Summary: "Create an indicator (planners)",
		Description: "An indicator with computed (see docs/INDICATORS.md) takes its values from the mission's events; the others are entered by its section.",
		Tags:        tags, Request: Indicator{}, Response: Indicator{}, Status: http.StatusCreated}, s.handleCreateIndicator)
	r.API("GET "+id("/indicators/{id}"), web.Op{Summary: "Get an indicator", Tags: tags, Response: Indicator{}}, s.handleGetIndicator)
	r.API("PATCH "+id("/indicators/{id}"), web.Op{Summary: "Change an indicator (planners)", Tags: tags, Request: Indicator{}, Response: Indicator{}, IfMatch: true}, s.handlePatchIndicator)
	r.API("DELETE "+id("/indicators/{id}"), web.Op{Summary: "Delete an indicator and its values (planners)", Tags: tags, IfMatch: true, Status: http.StatusNoContent}, s.handleDeleteIndicator)
	r.API("GET "+id("/indicators/{id}/values"), web.Op{Summary: "The values of an indicator", Description: "Computed indicators are computed from events on each read.", Tags: tags, Response: valuesResponse{}}, s.handleValues)
	r.API("POST "+id("/indicators/{id}/values"), web.Op{Summary: "Enter a value (members of the indicator's section, planners)", Tags: tags, Request: Entry{}, Response: Measurement{}, Status: http.StatusCreated}, s.handleEnter)
	r.API("POST "+id("/values/{id}/decision"), web.Op{Summary: "Approve or return a value (planners, mission-admins)", Tags: tags, Request: Decision{}, Response: Measurement{}, IfMatch: true}, s.handleDecide)
	r.API("GET "+id("/indicators/{id}/drilldown"), web.Op{Summary: "The events behind a computed value",
		Query: []web.Param{{Name: "period", Required: true, Description: "a period of the indicator's frequency, e.g. 2024-Q1"}}, Tags: tags, Response: DrillDown{}}, s.handleDrillDown)
	r.API("GET "+id("/computed"), web.Op{Summary: "Recompute every computed indicator of the mission", Tags: tags, Response: map[string][]Point{},
		Query: []web.Param{{Name: "as_of", Description: "last day computed (YYYY-MM-DD), default today"}}}, s.handleRecompute)
	r.API("GET "+id("/assessment"), web.Op{Summary: "The performance assessment of a period", Description: "Status rule in docs/INDICATORS.md.",
		Query: []web.Param{{Name: "period", Required: true, Description: "2024-03, 2024-Q1, 2024 or FY2024-25"}}, Tags: tags, Response: Assessment{}}, s.handleAssessment)
	r.API("POST "+id("/objectives/{id}/narrative"), web.Op{Summary: "Write the assessment narrative of an objective for a period (planners)",
		Description: "Without If-Match a new narrative; with it, the change of that version.", Tags: tags, Request: Narrative{}, Response: Narrative{}}, s.handleNarrative)
	r.API("GET "+id("/sections"), web.Op{Summary: "Who enters the values of which section", Tags: tags, Response: SectionMember{}, List: true}, s.handleSections)
	r.API("POST "+id("/sections"), web.Op{Summary: "Add a user to a section (planners)", Tags: tags, Request: SectionMember{}, Response: SectionMember{}, Status: http.StatusCreated}, s.handleAddSection)
	r.API("DELETE "+id("/sections/{section}/{username}"), web.Op{Summary: "Remove a user from a section (planners)", Tags: tags, Status: http.StatusNoContent}, s.handleRemoveSection)
	r.API("GET "+id("/lock"), web.Op{Summary: "The date through which values are locked", Tags: tags, Response: Lock{}}, s.handleGetLock)
	r.API("PUT "+id("/lock"), web.Op{Summary: "Lock values through a date (planners; moving it back: mission-admins)", Tags: tags, Request: lockRequest{}, Response: Lock{}, Idempotent: true}, s.handlePutLock)
	r.API("GET /api/v1/results/templates", web.Op{Summary: "The long-term peacebuilding indicator templates", Tags: tags, Response: Template{}, List: true}, s.handleTemplates)
	r.API("POST "+id("/adopt"), web.Op{Summary: "Adopt indicator templates under an expected result (planners)", Tags: tags, Request: Adoption{}, Response: adopted{}, Status: http.StatusCreated}, s.handleAdopt)
	r.API("GET "+id("/export"), web.Op{Summary: "Export the framework and its values", Description: "format=csv (one row per value) or xlsx (sheets Framework and Values); iati gives IATI 2.03 result elements.",
		Tags: tags, Formats: []string{"text/csv", mediaXLSX, "application/xml"}, Query: []web.Param{{Name: "format", Required: true, Description: "csv, xlsx or iati"}}}, s.handleExport)
	r.API("POST "+id("/import"), web.Op{Summary: "Import values from a spreadsheet (planners), all or nothing",
		Description: "The body is the CSV or XLSX file itself (format=csv or xlsx). Columns: indicator (code), period, value; optional cell " +
			"(dimension=value;...), evidence_note, evidence_link: the Values sheet of the XLSX export reads back. One bad row imports none and every bad row is named.",
		Tags: tags, Response: ImportResult{}, Query: []web.Param{{Name: "format", Required: true, Description: "csv or xlsx"}}, MaxBodyBytes: 64 << 20}, s.handleImport)
	s.pageRoutes(r)
}

func (s *Service) handleImport(w http.ResponseWriter, r *http.Request) error {
	rows, err := ReadValues(r.Body, r.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	res, err := s.ImportValues(r.Context(), r.PathValue("code"), rows)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

func (s *Service) handleFramework(w http.ResponseWriter, r *http.Request) error {
	f, err := s.FindFramework(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, f)
}

func created[T any](w http.ResponseWriter, v *T, version int64) error {
	web.SetETag(w, version)
	return web.JSON(w, http.StatusCreated, v)
}

func ok[T any](w http.ResponseWriter, v *T, version int64) error {
	web.SetETag(w, version)
	return web.JSON(w, http.StatusOK, v)
}

func (s *Service) handleCreateObjective(w http.ResponseWriter, r *http.Request) error {
	var o Objective
	if err := web.Decode(r, &o); err != nil {
		return err
	}
	if err := s.CreateObjective(r.Context(), r.PathValue("code"), &o); err != nil {
		return err
	}
	return created(w, &o, o.Version)
}

// patch reads If-Match and the raw body of a PATCH.
func patch(r *http.Request) (json.RawMessage, int64, error) {
	version, err := web.IfMatch(r)
	if err != nil {
		return nil, 0, err
	}
	var raw json.RawMessage
	if err := web.Decode(r, &raw); err != nil {
		return nil, 0, err
	}
	return raw, version, nil
}

func (s *Service) handlePatchObjective(w http.ResponseWriter, r *http.Request) error {
	raw, version, err := patch(r)
	if err != nil {
		return err
	}
	o, err := s.UpdateObjective(r.Context(), r.PathValue("code"), r.PathValue("id"), raw, version)
	if err != nil {
		return err
	}
	return ok(w, o, o.Version)
}

func (s *Service) handleCreateResult(w http.ResponseWriter, r *http.Request) error {
	var res Result
	if err := web.Decode(r, &res); err != nil {
		return err
	}
	if err := s.CreateResult(r.Context(), r.PathValue("code"), &res); err != nil {
		return err
	}
	return created(w, &res, res.Version)
}

func (s *Service) handlePatchResult(w http.ResponseWriter, r *http.Request) error {
	raw, version, err := patch(r)
	if err != nil {
		return err
	}
	res, err := s.UpdateResult(r.Context(), r.PathValue("code"), r.PathValue("id"), raw, version)
	if err != nil {
		return err
	}
	return ok(w, res, res.Version)
}

func (s *Service) handleCreateIndicator(w http.ResponseWriter, r *http.Request) error {
	var in Indicator
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	if err := s.CreateIndicator(r.Context(), r.PathValue("code"), &in); err != nil {
		return err
	}
	return created(w, &in, in.Version)
}

func (s *Service) handleGetIndicator(w http.ResponseWriter, r *http.Request) error {
	in, err := s.FindIndicatorByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, in, in.Version)
}

func (s *Service) handlePatchIndicator(w http.ResponseWriter, r *http.Request) error {
	raw, version, err := patch(r)
	if err != nil {
		return err
	}
	in, err := s.UpdateIndicator(r.Context(), r.PathValue("code"), r.PathValue("id"), raw, version)
	if err != nil {
		return err
	}
	return ok(w, in, in.Version)
}

func (s *Service) handleDeleteIndicator(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	if err := s.DeleteIndicator(r.Context(), r.PathValue("code"), r.PathValue("id"), version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) handleValues(w http.ResponseWriter, r *http.Request) error {
	ctx, code := r.Context(), r.PathValue("code")
	in, err := s.FindIndicatorByID(ctx, code, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := valuesResponse{Indicator: in, Entries: []*Measurement{}}
	if out.Series, err = s.series(ctx, in, s.today()); err != nil {
		return err
	}
	if !in.IsComputed() {
		if out.Entries, err = s.FindValues(ctx, code, in.ID); err != nil {
			return err
		}
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleEnter(w http.ResponseWriter, r *http.Request) error {
	var e Entry
	if err := web.Decode(r, &e); err != nil {
		return err
	}
	m, err := s.EnterValue(r.Context(), r.PathValue("code"), r.PathValue("id"), e)
	if err != nil {
		return err
	}
	return created(w, m, m.Version)
}

func (s *Service) handleDecide(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var d Decision
	if err := web.Decode(r, &d); err != nil {
		return err
	}
	m, err := s.DecideValue(r.Context(), r.PathValue("code"), r.PathValue("id"), d, version)
	if err != nil {
		return err
	}
	return ok(w, m, m.Version)
}

func (s *Service) handleDrillDown(w http.ResponseWriter, r *http.Request) error {
	dd, err := s.DrillDownOf(r.Context(), r.PathValue("code"), r.PathValue("id"), r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, dd)
}

func (s *Service) handleRecompute(w http.ResponseWriter, r *http.Request) error {
	asOf := s.today()
	if v := r.URL.Query().Get("as_of"); v != "" {
		d, err := peaceops.ParseDate(v)
		if err != nil {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "as_of", Message: "must be a date YYYY-MM-DD"}})
		}
		asOf = d
	}
	out, err := s.RecomputeAll(r.Context(), r.PathValue("code"), asOf)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleAssessment(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Assess(r.Context(), r.PathValue("code"), r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

func (s *Service) handleNarrative(w http.ResponseWriter, r *http.Request) error {
	var version int64
	if r.Header.Get("If-Match") != "" {
		v, err := web.IfMatch(r)
		if err != nil {
			return err
		}
		version = v
	}
	var n Narrative
	if err := web.Decode(r, &n); err != nil {
		return err
	}
	out, err := s.SaveNarrative(r.Context(), r.PathValue("code"), r.PathValue("id"), n, version)
	if err != nil {
		return err
	}
	return ok(w, out, out.Version)
}

func (s *Service) handleSections(w http.ResponseWriter, r *http.Request) error {
	list, err := s.FindSectionMembers(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[SectionMember]{Items: list})
}

func (s *Service) handleAddSection(w http.ResponseWriter, r *http.Request) error {
	var m SectionMember
	if err := web.Decode(r, &m); err != nil {
		return err
	}
	m.Section, m.Username = strings.TrimSpace(m.Section), strings.TrimSpace(m.Username)
	if err := s.AddSectionMember(r.Context(), r.PathValue("code"), m); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, m)
}

func (s *Service) handleRemoveSection(w http.ResponseWriter, r *http.Request) error {
	m := SectionMember{Section: r.PathValue("section"), Username: r.PathValue("username")}
	if err := s.RemoveSectionMember(r.Context(), r.PathValue("code"), m); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) handleGetLock(w http.ResponseWriter, r *http.Request) error {
	l, err := s.FindLock(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, l)
}

func (s *Service) handlePutLock(w http.ResponseWriter, r *http.Request) error {
	var req lockRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	l, err := s.LockThrough(r.Context(), r.PathValue("code"), req.LockedThrough)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, l)
}

func (s *Service) handleTemplates(w http.ResponseWriter, r *http.Request) error {
	return web.JSON(w, http.StatusOK, web.List[Template]{Items: Templates})
}

func (s *Service) handleAdopt(w http.ResponseWriter, r *http.Request) error {
	var a Adoption
	if err := web.Decode(r, &a); err != nil {
		return err
	}
	list, err := s.Adopt(r.Context(), r.PathValue("code"), a)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, adopted{Items: list})
}
