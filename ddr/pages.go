package ddr

import (
	"embed"
	"net/http"

	"github.com/peaceops/peaceops/web"
)

// templateFS holds the page templates and the French catalogue.
//
//go:embed templates/*
var templateFS embed.FS

func newPages() *web.Pages {
	return web.NewPages(templateFS, "templates/*.html", "templates/*.json")
}

// PageRoutes registers the DDR pages: the programme dashboard and the
// printable registration card.
func (s *Service) PageRoutes(r *web.Router) {
	r.Page("GET /missions/{code}/ddr", s.handleDashboardPage)
	r.Page("GET /missions/{code}/ddr/registrants/{id}/card", s.handleCardPage)
	r.NavItem("DDR", "/missions/{mission}/ddr")
	r.Messages(web.PickMessages(templateFS, "templates", []string{"DDR"}))
}

type dashboardPage struct {
	Mission string
	D       *Dashboard
	Sites   []*Site
}

func (s *Service) handleDashboardPage(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	d, err := s.FindDashboard(r.Context(), code)
	if err != nil {
		return err
	}
	sites, err := s.FindSites(r.Context(), code)
	if err != nil {
		return err
	}
	return s.pages.Render(w, r, http.StatusOK, "dashboard", dashboardPage{Mission: code, D: d, Sites: sites})
}

type cardPage struct {
	Mission string
	R       *Registrant
	Site    string
}

func (s *Service) handleCardPage(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	reg, err := s.FindRegistrantByID(r.Context(), code, r.PathValue("id"))
	if err != nil {
		return err
	}
	site := reg.SiteID
	if sites, err := s.FindSites(r.Context(), code); err == nil {
		for _, st := range sites {
			if st.ID == reg.SiteID {
				site = st.Name
			}
		}
	}
	return s.pages.Render(w, r, http.StatusOK, "card", cardPage{Mission: code, R: reg, Site: site})
}
