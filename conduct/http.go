package conduct

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// actionRequest is the body of POST allegations/{id}/actions.
type actionRequest struct {
	Action  string        `json:"action"`
	TakenOn peaceops.Date `json:"taken_on"`
	Note    string        `json:"note"`
}

// Routes registers the conduct API and pages.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"conduct"}
	base := "/api/v1/missions/{code}/conduct"
	r.API("GET /api/v1/conduct/stats", web.Op{Summary: "Public statistics of misconduct allegations, small cells suppressed", Tags: tags,
		Response: Statistics{}, Public: true, Formats: []string{web.MediaCSV},
		Description: "Allegations by year and mission, personnel category, nationality, investigation status and action; victims by sex and age group. Cells under the threshold read \"<3\"; cells hidden so that those cannot be found by subtraction read \"x\".",
		Query: []web.Param{{Name: "mission", Description: "one mission's code"}, {Name: "from", Type: "integer", Description: "first year"},
			{Name: "to", Type: "integer", Description: "last year"},
			{Name: "threshold", Type: "integer", Description: "suppress more: counts below this read \"<threshold\" (never less than the server's threshold)"}}}, s.handleStats)
	r.API("GET "+base+"/allegations", web.Op{Summary: "List or export the misconduct cases of a mission (need-to-know)", Tags: tags,
		Response: Allegation{}, List: true, Formats: []string{web.MediaCSV},
		Description: "Every call is audited. The CSV export (?format=csv, export permission) holds no victim details.",
		Query: []web.Param{{Name: "status", Description: "investigation status"}, {Name: "category", Description: "misconduct category code"},
			{Name: "personnel_category"}, {Name: "from", Description: "reported on or after (YYYY-MM-DD)"}, {Name: "to", Description: "reported on or before"},
			{Name: "limit", Type: "integer"}, {Name: "cursor"}}}, s.handleList)
	r.API("POST "+base+"/allegations", web.Op{Summary: "Record a misconduct allegation", Tags: tags, Request: Allegation{}, Response: Allegation{}, Status: http.StatusCreated}, s.handleCreate)
	r.API("GET "+base+"/allegations/{id}", web.Op{Summary: "Get a case with its victims, actions and timeline (audited)", Tags: tags, Response: Allegation{},
		Description: "Victims' identities are included only for the victims' rights focal point; others see identity_withheld."}, s.handleGet)
	r.API("PATCH "+base+"/allegations/{id}", web.Op{Summary: "Change a case or its investigation", Tags: tags, Request: Update{}, Response: Allegation{}, IfMatch: true}, s.handlePatch)
	r.API("POST "+base+"/allegations/{id}/victims", web.Op{Summary: "Add a victim to a case", Tags: tags, Request: NewVictim{}, Response: Victim{}, Status: http.StatusCreated,
		Description: "An identity (name, contact, location) needs the victims' rights role and a server data key; it is stored encrypted."}, s.handleAddVictim)
	r.API("PUT "+base+"/allegations/{id}/victims/{victim}/identity", web.Op{Summary: "Replace a victim's identity (victims' rights focal point)", Tags: tags,
		Request: Identity{}, Response: Victim{},
		Description: "The response never repeats the identity (identity_recorded says one is stored): read the case to see it."}, s.handleIdentity)
	r.API("POST "+base+"/allegations/{id}/actions", web.Op{Summary: "Record an action taken on a case", Tags: tags, Request: actionRequest{}, Response: Action{}, Status: http.StatusCreated}, s.handleAddAction)
	r.API("GET "+base+"/use-of-force", web.Op{Summary: "List use-of-force reports", Tags: tags, Response: ForceReport{}, List: true,
		Query: []web.Param{{Name: "unit"}, {Name: "flagged", Type: "boolean", Description: "only reports without legal basis or with an overdue review"},
			{Name: "limit", Type: "integer"}, {Name: "cursor"}}}, s.handleForceList)
	r.API("POST "+base+"/use-of-force", web.Op{Summary: "Report a use of force", Tags: tags, Request: ForceReport{}, Response: ForceReport{}, Status: http.StatusCreated}, s.handleForceCreate)
	r.API("GET "+base+"/use-of-force/summary", web.Op{Summary: "Use of force by month and unit", Tags: tags, Response: ForceSummaryRow{}, List: true, Formats: []string{web.MediaCSV}}, s.handleForceSummary)
	r.API("GET "+base+"/use-of-force/{id}", web.Op{Summary: "Get a use-of-force report", Tags: tags, Response: ForceReport{}}, s.handleForceGet)
	r.API("POST "+base+"/use-of-force/{id}/review", web.Op{Summary: "Record the review of a use of force", Tags: tags, Request: Review{}, Response: ForceReport{}, IfMatch: true}, s.handleForceReview)
	s.pageRoutes(r)
}

func (s *Service) handleStats(w http.ResponseWriter, r *http.Request) error {
	offer := web.Negotiate(r, web.MediaJSON, web.MediaCSV)
	if offer == "" {
		return web.UnsupportedFormat(web.MediaJSON, web.MediaCSV)
	}
	q, err := statsQuery(r)
	if err != nil {
		return err
	}
	st, err := s.Stats(r.Context(), q)
	if err != nil {
		return err
	}
	if offer == web.MediaJSON {
		return web.JSON(w, http.StatusOK, st)
	}
	return writeStatsCSV(w, st)
}

func statsQuery(r *http.Request) (StatsQuery, error) {
	q := r.URL.Query()
	out := StatsQuery{Mission: strings.TrimSpace(q.Get("mission"))}
	var errs []peaceops.FieldError
	for _, p := range []struct {
		name string
		dst  *int
	}{{"from", &out.From}, {"to", &out.To}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1900 || n > 2200 {
				errs = append(errs, peaceops.FieldError{Field: p.name, Message: "must be a year (e.g. 2024)"})
			}
			*p.dst = n
		}
	}
	if v := q.Get("threshold"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			errs = append(errs, peaceops.FieldError{Field: "threshold", Message: "must be a whole number from 1 to 100"})
		}
		out.Threshold = n
	}
	return out, peaceops.Invalid(errs)
}

// writeStatsCSV writes every table as rows "table,row,column,value", the
// value as published ("<3", "x" or the count).
func writeStatsCSV(w http.ResponseWriter, st *Statistics) error {
	return web.WriteCSV(w, "conduct-statistics.csv", []string{"table", "row", "year", "value"}, func(yield func([]string) error) error {
		for _, p := range st.Tables {
			for _, row := range p.Rows {
				for j, c := range row.Cells {
					if err := yield([]string{p.Key, row.Label, p.Cols[j], c.Text}); err != nil {
						return err
					}
				}
				if err := yield([]string{p.Key, row.Label, "total", row.Total.Text}); err != nil {
					return err
				}
			}
			for j, c := range p.Totals {
				if err := yield([]string{p.Key, "total", p.Cols[j], c.Text}); err != nil {
					return err
				}
			}
			if err := yield([]string{p.Key, "total", "total", p.Grand.Text}); err != nil {
				return err
			}
		}
		return nil
	})
}

func filterOf(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	f := Filter{Status: q.Get("status"), Category: q.Get("category"), PersonnelCategory: q.Get("personnel_category")}
	var errs []peaceops.FieldError
	for _, p := range []struct {
		name string
		dst  *peaceops.Date
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			d, err := peaceops.ParseDate(v)
			if err != nil {
				errs = append(errs, peaceops.FieldError{Field: p.name, Message: "must be a date YYYY-MM-DD"})
			}
			*p.dst = d
		}
	}
	return f, peaceops.Invalid(errs)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	offer := web.Negotiate(r, web.MediaJSON, web.MediaCSV)
	if offer == "" {
		return web.UnsupportedFormat(web.MediaJSON, web.MediaCSV)
	}
	f, err := filterOf(r)
	if err != nil {
		return err
	}
	mission := r.PathValue("code")
	if offer == web.MediaCSV {
		return s.exportCSV(w, r, mission, f)
	}
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	if cursor != "" {
		parts, err := web.DecodeCursor(cursor, 1)
		if err != nil {
			return err
		}
		f.After = parts[0]
	}
	f.Limit = limit
	items, next, err := s.FindAllegations(r.Context(), mission, f)
	if err != nil {
		return err
	}
	out := web.List[*Allegation]{Items: items}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

// exportCSV streams the cases: case fields and indicators, never victims.
func (s *Service) exportCSV(w http.ResponseWriter, r *http.Request, mission string, f Filter) error {
	var all []*Allegation
	if err := s.EachAllegation(r.Context(), mission, f, func(a *Allegation) error { all = append(all, a); return nil }); err != nil {
		return err
	}
	header := []string{"id", "reported", "incident_date", "incident_precision", "received_via", "categories", "category_level",
		"personnel_category", "perpetrators", "nationality", "victim_count", "paternity_claims", "interim_measures",
		"assistance_referred", "investigation_entity", "investigation_opened", "investigation_closed", "status",
		"investigation_days", "target_days", "overdue"}
	return web.WriteCSV(w, strings.ToLower(mission)+"-allegations.csv", header, func(yield func([]string) error) error {
		for _, a := range all {
			in := a.Indicators
			if err := yield([]string{a.ID, a.Reported.String(), a.IncidentDate.String(), a.IncidentPrecision, a.ReceivedVia,
				strings.Join(a.Categories, ";"), strconv.Itoa(a.CategoryLevel), a.PersonnelCategory, strconv.Itoa(a.Perpetrators),
				a.Nationality, strconv.Itoa(a.VictimCount), strconv.Itoa(a.PaternityClaims), strings.Join(a.InterimMeasures, ";"),
				a.AssistanceReferred.String(), a.Investigation.Entity, a.Investigation.Opened.String(), a.Investigation.Closed.String(),
				a.Investigation.Status, strconv.Itoa(in.InvestigationDays), strconv.Itoa(in.TargetDays), strconv.FormatBool(in.Overdue)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) error {
	var a Allegation
	if err := web.Decode(r, &a); err != nil {
		return err
	}
	a.Mission = r.PathValue("code")
	if err := s.CreateAllegation(r.Context(), &a); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/missions/"+a.Mission+"/conduct/allegations/"+a.ID)
	web.SetETag(w, a.Version)
	return web.JSON(w, http.StatusCreated, a)
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) error {
	a, err := s.FindAllegation(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.SetETag(w, a.Version)
	return web.JSON(w, http.StatusOK, a)
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
	a, err := s.UpdateAllegation(r.Context(), r.PathValue("code"), r.PathValue("id"), upd, version)
	if err != nil {
		return err
	}
	web.SetETag(w, a.Version)
	return web.JSON(w, http.StatusOK, a)
}

func (s *Service) handleAddVictim(w http.ResponseWriter, r *http.Request) error {
	var nv NewVictim
	if err := web.Decode(r, &nv); err != nil {
		return err
	}
	v, err := s.AddVictim(r.Context(), r.PathValue("code"), r.PathValue("id"), nv)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, v)
}

func (s *Service) handleIdentity(w http.ResponseWriter, r *http.Request) error {
	var id Identity
	if err := web.Decode(r, &id); err != nil {
		return err
	}
	v, err := s.SetVictimIdentity(r.Context(), r.PathValue("code"), r.PathValue("id"), r.PathValue("victim"), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, v)
}

func (s *Service) handleAddAction(w http.ResponseWriter, r *http.Request) error {
	var req actionRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	act, err := s.AddAction(r.Context(), r.PathValue("code"), r.PathValue("id"), Action{Action: req.Action, TakenOn: req.TakenOn, Note: req.Note})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, act)
}

func (s *Service) handleForceList(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	f := ForceFilter{Unit: r.URL.Query().Get("unit"), Limit: limit}
	switch v := r.URL.Query().Get("flagged"); v {
	case "", "false":
	case "true", "1":
		f.Flagged = true
	default:
		return peaceops.Invalid([]peaceops.FieldError{{Field: "flagged", Message: "must be true or false"}})
	}
	if cursor != "" {
		parts, err := web.DecodeCursor(cursor, 1)
		if err != nil {
			return err
		}
		f.After = parts[0]
	}
	items, next, err := s.FindForceReports(r.Context(), r.PathValue("code"), f)
	if err != nil {
		return err
	}
	out := web.List[*ForceReport]{Items: items}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleForceCreate(w http.ResponseWriter, r *http.Request) error {
	var fr ForceReport
	if err := web.Decode(r, &fr); err != nil {
		return err
	}
	fr.Mission = r.PathValue("code")
	if err := s.CreateForceReport(r.Context(), &fr); err != nil {
		return err
	}
	web.SetETag(w, fr.Version)
	return web.JSON(w, http.StatusCreated, fr)
}

func (s *Service) handleForceGet(w http.ResponseWriter, r *http.Request) error {
	fr, err := s.FindForceReport(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.SetETag(w, fr.Version)
	return web.JSON(w, http.StatusOK, fr)
}

func (s *Service) handleForceReview(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var rev Review
	if err := web.Decode(r, &rev); err != nil {
		return err
	}
	fr, err := s.ReviewForceReport(r.Context(), r.PathValue("code"), r.PathValue("id"), rev, version)
	if err != nil {
		return err
	}
	web.SetETag(w, fr.Version)
	return web.JSON(w, http.StatusOK, fr)
}

func (s *Service) handleForceSummary(w http.ResponseWriter, r *http.Request) error {
	offer := web.Negotiate(r, web.MediaJSON, web.MediaCSV)
	if offer == "" {
		return web.UnsupportedFormat(web.MediaJSON, web.MediaCSV)
	}
	mission := r.PathValue("code")
	rows, err := s.ForceSummary(r.Context(), mission)
	if err != nil {
		return err
	}
	if offer == web.MediaJSON {
		return web.JSON(w, http.StatusOK, web.List[ForceSummaryRow]{Items: rows})
	}
	header := []string{"month", "unit", "reports", "lethal", "killed", "injured", "no_legal_basis", "unreviewed", "not_within_roe"}
	return web.WriteCSV(w, strings.ToLower(mission)+"-use-of-force.csv", header, func(yield func([]string) error) error {
		for _, x := range rows {
			if err := yield([]string{x.Month, x.Unit, strconv.Itoa(x.Reports), strconv.Itoa(x.Lethal), strconv.Itoa(x.Killed),
				strconv.Itoa(x.Injured), strconv.Itoa(x.NoLegalBasis), strconv.Itoa(x.Unreviewed), strconv.Itoa(x.NotWithinROE)}); err != nil {
				return err
			}
		}
		return nil
	})
}
