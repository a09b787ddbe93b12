package ddr

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops/web"
)

const base = "/api/v1/missions/{code}/ddr"

// resolveRequest is the body of POST /duplicates/{id}/resolve.
type resolveRequest struct {
	Decision DuplicateStatus `json:"decision"` // merged or distinct
}

// dedupRun is the answer of POST /dedup-runs.
type dedupRun struct {
	NewPairs int `json:"new_pairs"`
}

// Routes registers the DDR API.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"ddr"}
	r.API("GET "+base+"/sites", web.Op{Summary: "List DDR sites and cantonment areas with occupancy", Tags: tags, Response: Site{}, List: true}, s.handleSites)
	r.API("POST "+base+"/sites", web.Op{Summary: "Create a DDR site", Tags: tags, Request: Site{}, Response: Site{}, Status: http.StatusCreated, Idempotent: true}, s.handleCreateSite)
	r.API("GET "+base+"/registrants", web.Op{Summary: "List registrants (CAAFAG records only for child protection and the DDR chief)", Tags: tags, Response: Registrant{}, List: true,
		Query: []web.Param{{Name: "armed_group", Type: "string"}, {Name: "status", Type: "string"}, {Name: "limit", Type: "integer"}, {Name: "cursor", Type: "string"}}}, s.handleRegistrants)
	r.API("POST "+base+"/registrants", web.Op{Summary: "Register an ex-combatant or associated person; returns duplicate candidates", Tags: tags, Request: Registrant{}, Response: Registration{}, Status: http.StatusCreated, Idempotent: true}, s.handleRegister)
	r.API("POST "+base+"/registrants/import", web.Op{Summary: "Import a registration spreadsheet (CSV or XLSX body; all or nothing, bad rows listed by line and field)", Tags: tags, Response: ImportResult{},
		Query: []web.Param{{Name: "format", Type: "string", Description: "csv or xlsx (default from Content-Type)"}}, Idempotent: true}, s.handleImport)
	r.API("GET "+base+"/registrants/{id}", web.Op{Summary: "Get a registrant", Tags: tags, Response: Registrant{}}, s.handleRegistrant)
	r.API("PATCH "+base+"/registrants/{id}", web.Op{Summary: "Change a registrant's eligibility, status, rank, dependants or site", Tags: tags, Request: Update{}, Response: Registrant{}, IfMatch: true}, s.handlePatchRegistrant)
	r.API("GET "+base+"/duplicates", web.Op{Summary: "List duplicate candidates with score and reasons", Tags: tags, Response: Duplicate{}, List: true,
		Query: []web.Param{{Name: "status", Type: "string", Description: "open, merged or distinct"}}}, s.handleDuplicates)
	r.API("POST "+base+"/duplicates/{id}/resolve", web.Op{Summary: "Merge a duplicate pair or mark it distinct (If-Match: the pair's version)", Tags: tags, Request: resolveRequest{}, Response: Duplicate{}, IfMatch: true, Idempotent: true}, s.handleResolve)
	r.API("POST "+base+"/dedup-runs", web.Op{Summary: "Run batch duplicate detection over the mission's registrants", Tags: tags, Response: dedupRun{}, Idempotent: true}, s.handleDedupRun)
	r.API("GET "+base+"/weapons", web.Op{Summary: "List weapons and ammunition with their chain of custody", Tags: tags, Response: Weapon{}, List: true}, s.handleWeapons)
	r.API("POST "+base+"/weapons", web.Op{Summary: "Record a weapon or lot of ammunition handed in", Tags: tags, Request: Weapon{}, Response: Weapon{}, Status: http.StatusCreated, Idempotent: true}, s.handleCreateWeapon)
	r.API("POST "+base+"/weapons/{id}/custody", web.Op{Summary: "Add a signed chain-of-custody step", Tags: tags, Request: Step{}, Response: Weapon{}, Idempotent: true}, s.handleCustody)
	r.API("POST "+base+"/reintegrations", web.Op{Summary: "Give an eligible adult registrant a support package and reintegration option", Tags: tags, Request: Reintegration{}, Response: Reintegration{}, Status: http.StatusCreated, Idempotent: true}, s.handleReintegrate)
	r.API("POST "+base+"/reintegrations/{id}/visits", web.Op{Summary: "Record a follow-up visit", Tags: tags, Request: Visit{}, Response: Reintegration{}, Idempotent: true}, s.handleVisit)
	r.API("GET "+base+"/cvr-projects", web.Op{Summary: "List community violence reduction projects", Tags: tags, Response: CVRProject{}, List: true}, s.handleCVRProjects)
	r.API("POST "+base+"/cvr-projects", web.Op{Summary: "Create a community violence reduction project", Tags: tags, Request: CVRProject{}, Response: CVRProject{}, Status: http.StatusCreated, Idempotent: true}, s.handleCreateCVR)
	r.API("GET "+base+"/dashboard", web.Op{Summary: "Programme figures (adults only; CAAFAG count for child protection and the DDR chief)", Tags: tags, Response: Dashboard{}}, s.handleDashboard)
}

func (s *Service) handleSites(w http.ResponseWriter, r *http.Request) error {
	items, err := s.FindSites(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*Site]{Items: items})
}

func (s *Service) handleCreateSite(w http.ResponseWriter, r *http.Request) error {
	var site Site
	if err := web.Decode(r, &site); err != nil {
		return err
	}
	if err := s.CreateSite(r.Context(), r.PathValue("code"), &site); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, site)
}

func (s *Service) handleRegistrants(w http.ResponseWriter, r *http.Request) error {
	switch web.Negotiate(r, "application/json", "text/csv") {
	case "text/csv":
		return s.exportRegistrants(w, r)
	case "":
		return web.UnsupportedFormat("application/json", "text/csv")
	}
	limit, cursor, err := web.ListParams(r)
	if err != nil {
		return err
	}
	after := ""
	if cursor != "" {
		parts, err := web.DecodeCursor(cursor, 1)
		if err != nil {
			return err
		}
		after = parts[0]
	}
	q := r.URL.Query()
	items, next, err := s.FindRegistrants(r.Context(), r.PathValue("code"), Filter{ArmedGroup: q.Get("armed_group"), Status: Status(q.Get("status")), Limit: limit, After: after})
	if err != nil {
		return err
	}
	out := web.List[*Registrant]{Items: items}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleRegister(w http.ResponseWriter, r *http.Request) error {
	var reg Registrant
	if err := web.Decode(r, &reg); err != nil {
		return err
	}
	reg.ID, reg.Version, reg.DDRNumber, reg.CAAFAG = "", 0, "", false
	out, err := s.Register(r.Context(), r.PathValue("code"), &reg)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, out)
}

func (s *Service) handleRegistrant(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.FindRegistrantByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.SetETag(w, reg.Version)
	return web.JSON(w, http.StatusOK, reg)
}

func (s *Service) handlePatchRegistrant(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var upd Update
	if err := web.Decode(r, &upd); err != nil {
		return err
	}
	reg, err := s.UpdateRegistrant(r.Context(), r.PathValue("code"), r.PathValue("id"), upd, version)
	if err != nil {
		return err
	}
	web.SetETag(w, reg.Version)
	return web.JSON(w, http.StatusOK, reg)
}

func (s *Service) handleDuplicates(w http.ResponseWriter, r *http.Request) error {
	items, err := s.FindDuplicates(r.Context(), r.PathValue("code"), DuplicateStatus(r.URL.Query().Get("status")))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*Duplicate]{Items: items})
}

func (s *Service) handleResolve(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var req resolveRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	d, err := s.Resolve(r.Context(), r.PathValue("code"), r.PathValue("id"), req.Decision, version)
	if err != nil {
		return err
	}
	web.SetETag(w, d.Version)
	return web.JSON(w, http.StatusOK, d)
}

func (s *Service) handleDedupRun(w http.ResponseWriter, r *http.Request) error {
	n, err := s.RunDedup(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, dedupRun{NewPairs: n})
}

func (s *Service) handleWeapons(w http.ResponseWriter, r *http.Request) error {
	items, err := s.FindWeapons(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*Weapon]{Items: items})
}

func (s *Service) handleCreateWeapon(w http.ResponseWriter, r *http.Request) error {
	var wp Weapon
	if err := web.Decode(r, &wp); err != nil {
		return err
	}
	wp.ID, wp.Version, wp.Custody = "", 0, nil
	if err := s.CreateWeapon(r.Context(), r.PathValue("code"), &wp); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, wp)
}

func (s *Service) handleCustody(w http.ResponseWriter, r *http.Request) error {
	var st Step
	if err := web.Decode(r, &st); err != nil {
		return err
	}
	wp, err := s.AddCustodyStep(r.Context(), r.PathValue("code"), r.PathValue("id"), st)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, wp)
}

func (s *Service) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.FindDashboard(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

func (s *Service) handleImport(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
		if strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
			format = "xlsx"
		}
	}
	rows, rowErrs, err := ReadRegistrants(format, http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return err
	}
	res, err := s.ImportRegistrants(r.Context(), r.PathValue("code"), rows, rowErrs)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

func (s *Service) handleReintegrate(w http.ResponseWriter, r *http.Request) error {
	var ri Reintegration
	if err := web.Decode(r, &ri); err != nil {
		return err
	}
	if err := s.StartReintegration(r.Context(), r.PathValue("code"), &ri); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, ri)
}

func (s *Service) handleVisit(w http.ResponseWriter, r *http.Request) error {
	var v Visit
	if err := web.Decode(r, &v); err != nil {
		return err
	}
	ri, err := s.AddVisit(r.Context(), r.PathValue("code"), r.PathValue("id"), v)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, ri)
}

func (s *Service) handleCVRProjects(w http.ResponseWriter, r *http.Request) error {
	items, err := s.FindCVRProjects(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*CVRProject]{Items: items})
}

func (s *Service) handleCreateCVR(w http.ResponseWriter, r *http.Request) error {
	var p CVRProject
	if err := web.Decode(r, &p); err != nil {
		return err
	}
	if err := s.CreateCVRProject(r.Context(), r.PathValue("code"), &p); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, p)
}

// exportRegistrants writes every registrant the caller may export as CSV;
// CAAFAG records only for the roles that may export them.
func (s *Service) exportRegistrants(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	items, err := s.ExportRegistrants(r.Context(), code)
	if err != nil {
		return err
	}
	header := []string{"ddr_number", "name", "name_variants", "sex", "birth_precision", "birth_year", "origin_pcode", "armed_group", "rank",
		"registered_on", "site_id", "dependants", "eligibility", "status", "caafag"}
	return web.WriteCSV(w, code+"-registrants.csv", header, func(yield func([]string) error) error {
		for _, x := range items {
			row := []string{x.DDRNumber, x.Name, strings.Join(x.NameVariants, ";"), string(x.Sex), string(x.BirthPrecision), strconv.Itoa(x.BirthYear),
				x.OriginPCode, x.ArmedGroup, x.Rank, x.RegisteredOn.String(), x.SiteID, strconv.Itoa(x.Dependants), string(x.Eligibility),
				string(x.Status), strconv.FormatBool(x.CAAFAG)}
			if err := yield(row); err != nil {
				return err
			}
		}
		return nil
	})
}
