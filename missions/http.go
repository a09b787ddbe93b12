package missions

import (
	"net/http"
	"strconv"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/web"
)

// memberRequest is the body of POST /members.
type memberRequest struct {
	Username string        `json:"username"`
	Role     peaceops.Role `json:"role"`
}

func (m memberRequest) validate() error {
	var errs []peaceops.FieldError
	if m.Username == "" {
		errs = append(errs, peaceops.FieldError{Field: "username", Message: "is required"})
	}
	if !m.Role.Valid() {
		errs = append(errs, peaceops.FieldError{Field: "role", Message: "must be a mission role (mission-admin, analyst, reporter, viewer, planner, personnel-officer, ddr-officer, conduct-officer, finance-officer, logistics-officer, child-protection, ddr-chief, feedback-officer, victim-rights)"})
	}
	return peaceops.Invalid(errs)
}

// Routes registers the mission API and pages.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"missions"}
	r.API("GET /api/v1/missions", web.Op{Summary: "List the missions the caller may see", Tags: tags, Response: Mission{}, List: true,
		Query: []web.Param{
			{Name: "status", Type: "string", Description: "planned, active, drawdown or closed"},
			{Name: "host_country", Type: "string", Description: "ISO 3166-1 alpha-3"},
			{Name: "q", Type: "string", Description: "text in the code or name"},
			{Name: "limit", Type: "integer"}, {Name: "cursor", Type: "string"},
		}}, s.handleList)
	r.API("POST /api/v1/missions", web.Op{Summary: "Create a mission (administrators)", Tags: tags, Request: Mission{}, Response: Mission{}, Status: http.StatusCreated, Idempotent: true}, s.handleCreate)
	r.API("GET /api/v1/missions/{code}", web.Op{Summary: "Get a mission", Tags: tags, Response: Mission{}}, s.handleGet)
	r.API("PATCH /api/v1/missions/{code}", web.Op{Summary: "Change a mission", Tags: tags, Request: Update{}, Response: Mission{}, IfMatch: true}, s.handlePatch)
	r.API("GET /api/v1/missions/{code}/members", web.Op{Summary: "List the members of a mission and their roles", Tags: tags, Response: access.Member{}, List: true}, s.handleMembers)
	r.API("POST /api/v1/missions/{code}/members", web.Op{Summary: "Give a user a role in a mission", Tags: tags, Request: memberRequest{}, Response: access.Member{}, Status: http.StatusCreated, Idempotent: true}, s.handleAddMember)
	r.API("DELETE /api/v1/missions/{code}/members/{username}/roles/{role}", web.Op{Summary: "Take a role in a mission away from a user", Tags: tags, Status: http.StatusNoContent}, s.handleRemoveMember)
	r.API("GET /api/v1/missions/{code}/deployments", web.Op{Summary: "The deployment sites of a mission in a year (the map's deployments layer)",
		Description: "Team sites, bases and headquarters with average troops, unit kinds and contributors, from every source imported (Geo-PKO, the mission's own list). " +
			"year defaults to the latest year with sites; years lists every year known. format=geojson gives a GeoJSON FeatureCollection of the sites instead.",
		Tags: tags, Response: Deployments{}, Formats: []string{"application/geo+json"},
		Query: []web.Param{{Name: "year", Type: "integer"}, {Name: "format", Description: "json (default) or geojson"}}}, s.handleDeployments)
	r.API("PUT /api/v1/missions/{code}/deployments/{source}", web.Op{Summary: "Replace the deployment sites of one source (mission-admins)",
		Description: "The body's sites replace every site of that source in the mission, all or nothing: one invalid site imports none and names it.",
		Tags:        tags, Request: deploymentsRequest{}, Response: importedSites{}}, s.handlePutDeployments)
	s.pageRoutes(r)
}

type deploymentsRequest struct {
	Sites []Site `json:"sites"`
}

type importedSites struct {
	Imported int `json:"imported"`
}

func (s *Service) handleDeployments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	year := 0
	if v := q.Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1945 || n > 2100 {
			return peaceops.Invalid([]peaceops.FieldError{{Field: "year", Message: "must be a year between 1945 and 2100"}})
		}
		year = n
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "geojson" {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "format", Message: "must be json or geojson"}})
	}
	d, err := s.FindDeployments(r.Context(), r.PathValue("code"), year)
	if err != nil {
		return err
	}
	if format != "geojson" {
		return web.JSON(w, http.StatusOK, d)
	}
	fc := geo.FeatureCollection{Features: make([]geo.Feature, len(d.Sites))}
	for i, st := range d.Sites {
		fc.Features[i] = geo.Feature{Geometry: st.Location.Geometry(), Properties: map[string]any{
			"name": st.Name, "year": st.Year, "source": st.Source, "troops": st.Troops, "hq": st.HQ,
			"units": st.Units, "contributors": st.Contributors}}
	}
	b, err := fc.MarshalJSON()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, err = w.Write(b)
	return err
}

func (s *Service) handlePutDeployments(w http.ResponseWriter, r *http.Request) error {
	var req deploymentsRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	n, err := s.ImportDeployments(r.Context(), r.PathValue("code"), r.PathValue("source"), req.Sites)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, importedSites{Imported: n})
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
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
	f := Filter{Status: Status(q.Get("status")), HostCountry: q.Get("host_country"), Query: q.Get("q"), Limit: limit, After: after}
	items, next, err := s.FindMissions(r.Context(), f)
	if err != nil {
		return err
	}
	out := web.List[*Mission]{Items: items}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) error {
	var m Mission
	if err := web.Decode(r, &m); err != nil {
		return err
	}
	m.ID, m.Version = "", 0
	if err := s.CreateMission(r.Context(), &m); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/missions/"+m.Code)
	web.SetETag(w, m.Version)
	return web.JSON(w, http.StatusCreated, m)
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) error {
	m, err := s.FindMissionByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	web.SetETag(w, m.Version)
	return web.JSON(w, http.StatusOK, m)
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
	m, err := s.UpdateMission(r.Context(), r.PathValue("code"), upd, version)
	if err != nil {
		return err
	}
	web.SetETag(w, m.Version)
	return web.JSON(w, http.StatusOK, m)
}

func (s *Service) handleMembers(w http.ResponseWriter, r *http.Request) error {
	members, err := s.FindMembers(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[access.Member]{Items: members})
}

func (s *Service) handleAddMember(w http.ResponseWriter, r *http.Request) error {
	var req memberRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := s.AddMember(r.Context(), code, req.Username, req.Role); err != nil {
		return err
	}
	members, err := s.access.FindMembers(r.Context(), code)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Username == req.Username {
			return web.JSON(w, http.StatusCreated, m)
		}
	}
	return web.JSON(w, http.StatusCreated, access.Member{Username: req.Username, Roles: []peaceops.Role{req.Role}})
}

func (s *Service) handleRemoveMember(w http.ResponseWriter, r *http.Request) error {
	role := peaceops.Role(r.PathValue("role"))
	if !role.Valid() {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "role", Message: "is not a mission role"}})
	}
	if err := s.RemoveMember(r.Context(), r.PathValue("code"), r.PathValue("username"), role); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
