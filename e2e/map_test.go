package e2e_test

import (
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/peaceops/peaceops/internal/shareddata"
)

// TestBrowserMapDeployments opens the map of a mission whose deployment
// sites were imported from Geo-PKO and finds them drawn, with no error in
// the console.
func TestBrowserMapDeployments(t *testing.T) {
	chromium := chromiumPath(t)
	front := shareddata.Path(t, "geo-pko-v2.3-aggregates", "FrontMap_v.2.3.csv")
	file := filepath.Join(t.TempDir(), "peaceops.db")
	addAdmin(t, file)
	token := createToken(t, file, "admin")
	srv := startServer(t, file)
	api := bearer(t, srv.URL, token)
	api.expect(http.StatusCreated, "POST", "/api/v1/missions", newMission("MINUSCA", "MINUSCA", "CAF", "2014-04-10"))
	mustRun(t, "", "import", "deployments", "--db", file, "--mission", "MINUSCA", front)

	var d struct {
		Year  int `json:"year"`
		Sites []struct {
			Name string `json:"name"`
		} `json:"sites"`
	}
	api.expect(http.StatusOK, "GET", "/api/v1/missions/MINUSCA/deployments", nil).decode(t, &d)
	if d.Year != 2024 || len(d.Sites) < 20 {
		t.Fatalf("latest deployments: year %d, %d sites; want 2024 and at least 20", d.Year, len(d.Sites))
	}

	b := newBrowser(t, chromium)
	b.do("sign in",
		chromedp.Navigate(srv.URL+"/login?next=/missions/MINUSCA/map"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
	)
	b.submit("sign in", `form[action="/login"] button[type=submit]`)
	// The markers are drawn on a canvas (no DOM to count): the layer is
	// listed and shown, and the page fetched the sites.
	b.do("wait for the deployment sites",
		chromedp.WaitVisible(chromedp.CSS(`.leaflet-control-layers`)),
		chromedp.Poll[chromedp.Void](`performance.getEntriesByType("resource").some(e => e.name.includes("/api/v1/missions/MINUSCA/deployments"))`),
	)
	labels, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(".leaflet-control-layers-overlays label")).map(l => l.innerText.trim() + (l.querySelector("input").checked ? " (shown)" : " (hidden)"))`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(labels, "Deployment sites (shown)") {
		t.Errorf("layer control %q lacks the deployment sites, shown", labels)
	}
	b.checkConsole()
}
