package forces

import (
	"net/http"
	"strconv"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// returnsRequest is the body of POST strength.
type returnsRequest struct {
	Returns []Return `json:"returns"`
}

// requirementsRequest is the body of PUT training/requirements.
type requirementsRequest struct {
	Requirements []Requirement `json:"requirements"`
}

// contributionsResponse is the body of GET contributions.
type contributionsResponse struct {
	Month Month          `json:"month"`
	Items []Contribution `json:"items"`
}

// Routes registers the personnel API and pages.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"forces"}
	base := "/api/v1/missions/{code}"
	r.API("GET "+base+"/units", web.Op{Summary: "List the units deployed or pledged to a mission", Tags: tags, Response: Unit{}, List: true,
		Query: []web.Param{{Name: "status", Description: "pledged, deploying, deployed, rotating or repatriated"},
			{Name: "country", Description: "ISO 3166-1 alpha-3 of the contributing country"}, {Name: "type", Description: "unit type"}}}, s.handleUnits)
	r.API("POST "+base+"/units", web.Op{Summary: "Record a unit", Tags: tags, Request: Unit{}, Response: Unit{}, Status: http.StatusCreated}, s.handleCreateUnit)
	r.API("GET "+base+"/units/{id}", web.Op{Summary: "Get a unit", Tags: tags, Response: Unit{}}, s.handleUnit)
	r.API("PATCH "+base+"/units/{id}", web.Op{Summary: "Change a unit",
		Description: "Status changes follow pledged → deploying → deployed → rotating → repatriated; a move to deployed is refused (409) while required pre-deployment training is missing and not waived.",
		Tags:        tags, Request: UnitUpdate{}, Response: Unit{}, IfMatch: true}, s.handlePatchUnit)
	r.API("POST "+base+"/units/{id}/waivers", web.Op{Summary: "Waive missing pre-deployment training of a unit (mission-admins)", Tags: tags,
		Request: Waiver{}, Response: Waiver{}, Status: http.StatusCreated}, s.handleWaiver)
	r.API("GET "+base+"/readiness", web.Op{Summary: "Training readiness of every unit", Tags: tags, Response: Readiness{}, List: true,
		Query: []web.Param{{Name: "on", Description: "date YYYY-MM-DD (default today)"}}}, s.handleReadiness)
	r.API("GET "+base+"/rotations", web.Op{Summary: "Units due to rotate and their replacements", Tags: tags, Response: Rotation{}, List: true,
		Query: []web.Param{{Name: "days", Type: "integer", Description: "horizon in days (default 90)"}, {Name: "on", Description: "date YYYY-MM-DD (default today)"}}}, s.handleRotations)

	r.API("GET "+base+"/strength", web.Op{Summary: "Deployed strength per month against the authorised ceilings", Tags: tags, Response: StrengthPoint{}, List: true,
		Description: "With Accept: text/csv or ?format=csv, one row per month: totals, each personnel category, and deployed and ceiling per ceiling category.",
		Formats:     []string{web.MediaCSV},
		Query:       []web.Param{{Name: "from", Description: "first month YYYY-MM"}, {Name: "to", Description: "last month YYYY-MM"}}}, s.handleStrength)
	r.API("POST "+base+"/strength", web.Op{Summary: "Record strength returns", Tags: tags, Request: returnsRequest{}, Response: Return{}, List: true, Status: http.StatusCreated}, s.handleRecordReturns)
	r.API("GET "+base+"/contributions", web.Op{Summary: "Who contributes what in a month", Tags: tags, Response: contributionsResponse{},
		Description: "With Accept: text/csv or ?format=csv, one row per contributing country.", Formats: []string{web.MediaCSV},
		Query: []web.Param{{Name: "month", Description: "YYYY-MM (default: the latest with returns)"}}}, s.handleContributions)
	r.API("GET "+base+"/ceilings", web.Op{Summary: "Ceilings entered on the mission", Tags: tags, Response: Ceiling{}, List: true}, s.handleCeilings)
	r.API("POST "+base+"/ceilings", web.Op{Summary: "Enter an authorised ceiling", Tags: tags, Request: Ceiling{}, Response: Ceiling{}, Status: http.StatusCreated}, s.handleSetCeiling)
	r.API("GET "+base+"/gender-parity", web.Op{Summary: "Share of women per group and month against the targets", Tags: tags, Response: ParityPoint{}, List: true,
		Query: []web.Param{{Name: "from", Description: "first month YYYY-MM"}, {Name: "to", Description: "last month YYYY-MM"}}}, s.handleParity)
	r.API("GET "+base+"/gender-targets", web.Op{Summary: "Gender targets of a year", Tags: tags, Response: GenderTarget{}, List: true,
		Query: []web.Param{{Name: "year", Type: "integer", Description: "default: this year"}}}, s.handleTargets)
	r.API("POST "+base+"/gender-targets", web.Op{Summary: "Set a gender target", Tags: tags, Request: GenderTarget{}, Response: GenderTarget{}, Status: http.StatusCreated}, s.handleSetTarget)

	r.API("GET "+base+"/fatalities", web.Op{Summary: "Peacekeeper fatalities of a mission", Tags: tags, Response: Fatality{}, List: true}, s.handleFatalities)
	r.API("POST "+base+"/fatalities", web.Op{Summary: "Record a fatality", Tags: tags, Request: Fatality{}, Response: Fatality{}, Status: http.StatusCreated}, s.handleRecordFatality)
	r.API("GET "+base+"/fatalities/stats", web.Op{Summary: "Fatalities by year and incident type", Tags: tags, Response: FatalityCount{}, List: true}, s.handleFatalityStats)

	r.API("GET "+base+"/training/requirements", web.Op{Summary: "Training requirements by personnel category", Tags: tags, Response: Requirement{}, List: true}, s.handleRequirements)
	r.API("PUT "+base+"/training/requirements", web.Op{Summary: "Replace the training requirements", Tags: tags, Request: requirementsRequest{}, Response: Requirement{}, List: true}, s.handleSetRequirements)
	r.API("GET "+base+"/training/completions", web.Op{Summary: "Training completions (names only for personnel officers and mission-admins)", Tags: tags, Response: Completion{}, List: true,
		Query: []web.Param{{Name: "unit", Description: "id of a unit"}}}, s.handleCompletions)
	r.API("POST "+base+"/training/completions", web.Op{Summary: "Record a training completion", Tags: tags, Request: Completion{}, Response: Completion{}, Status: http.StatusCreated}, s.handleRecordCompletion)
	s.pageRoutes(r)
}

// monthParam reads an optional YYYY-MM query parameter.
func monthParam(r *http.Request, name string) (Month, error) {
	m := Month(r.URL.Query().Get(name))
	if m != "" && !m.Valid() {
		return "", peaceops.Invalid([]peaceops.FieldError{{Field: name, Message: "must be a month of the form YYYY-MM"}})
	}
	return m, nil
}

// dateParam reads an optional YYYY-MM-DD query parameter, today by default.
func dateParam(r *http.Request, name string) (peaceops.Date, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return peaceops.DateOf(time.Now().UTC()), nil
	}
	d, err := peaceops.ParseDate(s)
	if err != nil {
		return d, peaceops.Invalid([]peaceops.FieldError{{Field: name, Message: "must be a date of the form YYYY-MM-DD"}})
	}
	return d, nil
}

func (s *Service) handleUnits(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	parts, err := web.DecodeCursor(cursor, 1)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := UnitFilter{Status: Status(q.Get("status")), Country: q.Get("country"), Type: UnitType(q.Get("type")), Limit: limit}
	if parts != nil {
		f.After = parts[0]
	}
	items, next, err := s.FindUnits(r.Context(), r.PathValue("code"), f)
	if err != nil {
		return err
	}
	out := web.List[*Unit]{Items: items}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleCreateUnit(w http.ResponseWriter, r *http.Request) error {
	var u Unit
	if err := web.Decode(r, &u); err != nil {
		return err
	}
	u.ID, u.Version = "", 0
	if err := s.CreateUnit(r.Context(), r.PathValue("code"), &u); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/missions/"+u.Mission+"/units/"+u.ID)
	web.SetETag(w, u.Version)
	return web.JSON(w, http.StatusCreated, u)
}

func (s *Service) handleUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.FindUnit(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.SetETag(w, u.Version)
	return web.JSON(w, http.StatusOK, u)
}

func (s *Service) handlePatchUnit(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var upd UnitUpdate
	if err := web.Decode(r, &upd); err != nil {
		return err
	}
	u, err := s.UpdateUnit(r.Context(), r.PathValue("code"), r.PathValue("id"), upd, version)
	if err != nil {
		return err
	}
	web.SetETag(w, u.Version)
	return web.JSON(w, http.StatusOK, u)
}

func (s *Service) handleWaiver(w http.ResponseWriter, r *http.Request) error {
	var wv Waiver
	if err := web.Decode(r, &wv); err != nil {
		return err
	}
	wv.UnitID = r.PathValue("id")
	if err := s.RecordWaiver(r.Context(), r.PathValue("code"), &wv); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, wv)
}

func (s *Service) handleReadiness(w http.ResponseWriter, r *http.Request) error {
	on, err := dateParam(r, "on")
	if err != nil {
		return err
	}
	items, err := s.Readiness(r.Context(), r.PathValue("code"), on)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*Readiness]{Items: items})
}

func (s *Service) handleRotations(w http.ResponseWriter, r *http.Request) error {
	on, err := dateParam(r, "on")
	if err != nil {
		return err
	}
	days := 90
	if v := r.URL.Query().Get("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days < 0 || days > 3650 {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "days", Message: "must be a whole number of days from 0 to 3650"}})
		}
	}
	items, err := s.Rotations(r.Context(), r.PathValue("code"), on, days)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[Rotation]{Items: items})
}

func (s *Service) handleStrength(w http.ResponseWriter, r *http.Request) error {
	from, err := monthParam(r, "from")
	if err != nil {
		return err
	}
	to, err := monthParam(r, "to")
	if err != nil {
		return err
	}
	format := web.Negotiate(r, web.MediaJSON, web.MediaCSV)
	if format == "" {
		return web.UnsupportedFormat(web.MediaJSON, web.MediaCSV)
	}
	items, err := s.Strength(r.Context(), r.PathValue("code"), from, to)
	if err != nil {
		return err
	}
	if format == web.MediaCSV {
		header := []string{"month", "total", "women"}
		for _, c := range Categories {
			header = append(header, string(c))
		}
		for _, c := range CeilingCategories {
			header = append(header, string(c)+"_deployed", string(c)+"_ceiling")
		}
		return web.WriteCSV(w, r.PathValue("code")+"-strength.csv", header, func(yield func([]string) error) error {
			for _, p := range items {
				row := []string{string(p.Month), strconv.Itoa(p.Total), strconv.Itoa(p.Women)}
				for _, c := range Categories {
					row = append(row, strconv.Itoa(p.ByCategory[c]))
				}
				for _, c := range CeilingCategories {
					ceil := ""
					if v, ok := p.Ceilings[c]; ok {
						ceil = strconv.Itoa(v)
					}
					row = append(row, strconv.Itoa(p.Deployed[c]), ceil)
				}
				if err := yield(row); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return web.JSON(w, http.StatusOK, web.List[StrengthPoint]{Items: items})
}

func (s *Service) handleRecordReturns(w http.ResponseWriter, r *http.Request) error {
	var req returnsRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	if err := s.RecordReturns(r.Context(), r.PathValue("code"), req.Returns); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, web.List[Return]{Items: req.Returns})
}

func (s *Service) handleContributions(w http.ResponseWriter, r *http.Request) error {
	month, err := monthParam(r, "month")
	if err != nil {
		return err
	}
	format := web.Negotiate(r, web.MediaJSON, web.MediaCSV)
	if format == "" {
		return web.UnsupportedFormat(web.MediaJSON, web.MediaCSV)
	}
	items, m, err := s.Contributions(r.Context(), r.PathValue("code"), month)
	if err != nil {
		return err
	}
	if format == web.MediaCSV {
		header := []string{"month", "country", "name", "total", "women", "units"}
		for _, c := range Categories {
			header = append(header, string(c))
		}
		return web.WriteCSV(w, r.PathValue("code")+"-contributions-"+string(m)+".csv", header, func(yield func([]string) error) error {
			for _, c := range items {
				row := []string{string(m), c.Country, c.Name, strconv.Itoa(c.Total), strconv.Itoa(c.Women), strconv.Itoa(c.Units)}
				for _, cat := range Categories {
					row = append(row, strconv.Itoa(c.ByCategory[cat]))
				}
				if err := yield(row); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return web.JSON(w, http.StatusOK, contributionsResponse{Month: m, Items: items})
}

func (s *Service) handleCeilings(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Ceilings(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[Ceiling]{Items: items})
}

func (s *Service) handleSetCeiling(w http.ResponseWriter, r *http.Request) error {
	var c Ceiling
	if err := web.Decode(r, &c); err != nil {
		return err
	}
	if err := s.SetCeiling(r.Context(), r.PathValue("code"), c); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

func (s *Service) handleParity(w http.ResponseWriter, r *http.Request) error {
	from, err := monthParam(r, "from")
	if err != nil {
		return err
	}
	to, err := monthParam(r, "to")
	if err != nil {
		return err
	}
	items, err := s.Parity(r.Context(), r.PathValue("code"), from, to)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[ParityPoint]{Items: items})
}

func (s *Service) handleTargets(w http.ResponseWriter, r *http.Request) error {
	year := time.Now().UTC().Year()
	if v := r.URL.Query().Get("year"); v != "" {
		var err error
		if year, err = strconv.Atoi(v); err != nil {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "year", Message: "must be a year"}})
		}
	}
	items, err := s.GenderTargets(r.Context(), r.PathValue("code"), year)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[GenderTarget]{Items: items})
}

func (s *Service) handleSetTarget(w http.ResponseWriter, r *http.Request) error {
	var t GenderTarget
	if err := web.Decode(r, &t); err != nil {
		return err
	}
	if err := s.SetGenderTarget(r.Context(), r.PathValue("code"), t); err != nil {
		return err
	}
	t.Default = false
	return web.JSON(w, http.StatusCreated, t)
}

func (s *Service) handleFatalities(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	parts, err := web.DecodeCursor(cursor, 1)
	if err != nil {
		return err
	}
	after := ""
	if parts != nil {
		after = parts[0]
	}
	items, next, err := s.FindFatalities(r.Context(), r.PathValue("code"), limit, after)
	if err != nil {
		return err
	}
	out := web.List[*Fatality]{Items: items}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleRecordFatality(w http.ResponseWriter, r *http.Request) error {
	var f Fatality
	if err := web.Decode(r, &f); err != nil {
		return err
	}
	f.ID, f.Version = "", 0
	if err := s.RecordFatality(r.Context(), r.PathValue("code"), &f); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, f)
}

func (s *Service) handleFatalityStats(w http.ResponseWriter, r *http.Request) error {
	items, err := s.FatalityCounts(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[FatalityCount]{Items: items})
}

func (s *Service) handleRequirements(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Requirements(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[Requirement]{Items: items})
}

func (s *Service) handleSetRequirements(w http.ResponseWriter, r *http.Request) error {
	var req requirementsRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	if err := s.SetRequirements(r.Context(), r.PathValue("code"), req.Requirements); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[Requirement]{Items: req.Requirements})
}

func (s *Service) handleCompletions(w http.ResponseWriter, r *http.Request) error {
	items, err := s.FindCompletions(r.Context(), r.PathValue("code"), r.URL.Query().Get("unit"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*Completion]{Items: items})
}

func (s *Service) handleRecordCompletion(w http.ResponseWriter, r *http.Request) error {
	var c Completion
	if err := web.Decode(r, &c); err != nil {
		return err
	}
	if err := s.RecordCompletion(r.Context(), r.PathValue("code"), &c); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}
