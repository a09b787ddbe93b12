package e2e_test

import (
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserFeedbackWithoutJavaScript is a community member on a phone
// with scripts off: they send feedback with the public form, keep the
// tracking code, and later see the status and answer a feedback officer
// gave through the API.
func TestBrowserFeedbackWithoutJavaScript(t *testing.T) {
	chromium := chromiumPath(t)
	file := filepath.Join(t.TempDir(), "peaceops.db")
	addAdmin(t, file)
	mustRun(t, adminPassword+"\n", "user", "add", "--db", file, "--username", "fiona", "--password-stdin")
	adminToken := createToken(t, file, "admin")
	officerToken := createToken(t, file, "fiona")
	srv := startServer(t, file)
	api := bearer(t, srv.URL, adminToken)
	api.expect(http.StatusCreated, "POST", "/api/v1/missions", newMission("MINUSCA", "MINUSCA", "CAF", "2014-04-10"))
	api.expect(http.StatusCreated, "POST", "/api/v1/missions/MINUSCA/members", map[string]any{"username": "fiona", "role": "feedback-officer"})

	b := newBrowser(t, chromium)
	b.do("turn JavaScript off", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	})
	b.do("open the public form",
		chromedp.Navigate(srv.URL+"/feedback/MINUSCA"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/feedback/MINUSCA"] textarea[name=description]`)),
	)
	if on := b.scriptsRun(srv.URL); on {
		t.Fatal("scripts still run: the test would not prove the form works without them")
	}
	// Choose the category with the keyboard, as on a phone: focus the
	// list and type the first letters of the option.
	b.do("fill in the form",
		chromedp.SendKeys(chromedp.CSS(`select[name=category]`), "Concern"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=description]`), "Trucks of the mission damaged the road to the school."),
		chromedp.SendKeys(chromedp.CSS(`input[name=place]`), "Bambari"),
	)
	b.submit("send the feedback", `form[action="/feedback/MINUSCA"] button[type=submit]`)
	code := b.html(`#tracking-code`)
	code = regexp.MustCompile(`[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}`).FindString(code)
	if code == "" {
		t.Fatalf("no tracking code on the answer page:\n%s", b.html("main"))
	}

	// A feedback officer answers through the API.
	officer := bearer(t, srv.URL, officerToken)
	var list struct {
		Items []struct {
			ID          string `json:"id"`
			Category    string `json:"category"`
			Description string `json:"description"`
			Place       string `json:"place"`
		} `json:"items"`
	}
	officer.expect(http.StatusOK, "GET", "/api/v1/missions/MINUSCA/feedback", nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Category != "concern" || list.Items[0].Place != "Bambari" {
		t.Fatalf("the officer's queue does not hold the submission as sent: %+v", list.Items)
	}
	answer := "The engineering company will repair the road next week."
	officer.expect(http.StatusOK, "PATCH", "/api/v1/missions/MINUSCA/feedback/"+list.Items[0].ID,
		map[string]any{"public_response": answer, "note": "internal: checked with the battalion"}, "If-Match", `"v1"`)

	b.do("open the tracking page",
		chromedp.Navigate(srv.URL+"/feedback/track"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/feedback/track"] input[name=code]`)),
		chromedp.SendKeys(chromedp.CSS(`form[action="/feedback/track"] input[name=code]`), strings.ToLower(code)),
	)
	b.submit("follow the submission", `form[action="/feedback/track"] button[type=submit]`)
	status := b.html(`#tracking-status`)
	if !strings.Contains(status, "Responded") {
		t.Errorf("the tracking page shows status %q, want Responded", status)
	}
	result := b.html(`#tracking-result`)
	if !strings.Contains(result, answer) {
		t.Errorf("the tracking page does not show the answer:\n%s", result)
	}
	if strings.Contains(result, "battalion") {
		t.Errorf("the tracking page shows the internal note:\n%s", result)
	}

	// The server's access log has the public routes' lines without the
	// client address, and the officer's with it.
	public, officers := 0, 0
	for _, line := range strings.Split(srv.stderr.String(), "\n") {
		switch {
		case strings.Contains(line, `"route":"POST /feedback/{code}"`), strings.Contains(line, `"route":"POST /feedback/track"`):
			public++
			if strings.Contains(line, `"ip"`) || strings.Contains(line, "127.0.0.1") {
				t.Errorf("the access log holds the address of someone sending feedback: %s", line)
			}
		case strings.Contains(line, `"route":"PATCH /api/v1/missions/{code}/feedback/{id}"`):
			officers++
			if !strings.Contains(line, `"ip":"127.0.0.1"`) {
				t.Errorf("the officer's request was logged without its address: %s", line)
			}
		}
	}
	if public != 2 || officers != 1 {
		t.Errorf("found %d public and %d officer lines in the access log, want 2 and 1:\n%s", public, officers, srv.stderr.String())
	}
}

// html returns the outer HTML of the first element sel: read through the
// DOM, which works with scripts off.
func (b *browser) html(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v; the page is at %s", sel, err, b.location())
	}
	return s
}

// scriptsRun reports whether the page's own scripts ran: the layout loads
// htmx, which defines window.htmx. With scripts off the protocol's own
// evaluation still answers (or fails, which also means off).
func (b *browser) scriptsRun(base string) bool {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	kind, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.htmx`))
	return err == nil && kind != "undefined"
}
