package e2e_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/peaceops/peaceops/store/storetest"
)

// stepTimeout bounds one step in the browser (a page load, a form post).
const stepTimeout = 30 * time.Second

// TestBrowserLoginCreateMission is the first thing an administrator does
// in a browser: sign in, create a mission with the form, find it listed.
func TestBrowserLoginCreateMission(t *testing.T) {
	chromium := chromiumPath(t)
	file := filepath.Join(t.TempDir(), "peaceops.db")
	addAdmin(t, file)
	srv := startServer(t, file)
	b := newBrowser(t, chromium)

	b.do("open the login page",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
	)
	b.submit("sign in", `form[action="/login"] button[type=submit]`)
	if p := b.path(); p == "/login" {
		t.Fatalf("still on the login page after signing in: %s", b.text("main"))
	}

	b.do("open the new mission form",
		chromedp.Navigate(srv.URL+"/missions/new"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/missions"] input[name=code]`)),
	)
	if p := b.path(); p != "/missions/new" {
		t.Fatalf("the new mission form is at %s, want /missions/new (not signed in?)", p)
	}
	b.do("fill in the mission",
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), "MINUSCA"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`),
			"United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic"),
		// A <select> and a date picker: set their values as a person's
		// choice would, whatever the browser's locale shows.
		chromedp.SetValue(chromedp.CSS(`select[name=host_country]`), "CAF"),
		chromedp.SetValue(chromedp.CSS(`input[name=start_date]`), "2014-04-10"),
	)
	if v := b.value(`select[name=host_country]`); v != "CAF" {
		t.Fatalf("the host country list has no CAF (value %q after choosing it)", v)
	}
	b.submit("create the mission", `form[action="/missions"] button[type=submit]`)
	if p := b.path(); p != "/missions/MINUSCA" {
		t.Fatalf("after creating the mission the browser is at %s, want /missions/MINUSCA; the page says:\n%s", p, b.text("main"))
	}
	if body := b.text("main"); !strings.Contains(body, "MINUSCA") || !strings.Contains(body, "Central African Republic") {
		t.Errorf("the mission page does not show the mission:\n%s", body)
	}

	b.do("list the missions",
		chromedp.Navigate(srv.URL+"/missions"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/missions/MINUSCA"]`)),
	)
	b.checkConsole()
}

// chromiumPath returns the browser to drive: PEACEOPS_TEST_CHROMIUM, or
// Debian's /usr/bin/chromium. Without one the test is skipped, or fails
// when PEACEOPS_TEST_REQUIRE lists "browser".
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PEACEOPS_TEST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if p, err := exec.LookPath(path); err == nil {
		return p
	}
	msg := "no chromium at " + path + " (install Debian's chromium package, or set PEACEOPS_TEST_CHROMIUM)"
	if storetest.Required("browser") {
		t.Fatalf("%s, but %s asks for the browser tests", msg, storetest.RequireEnv)
	}
	t.Skip(msg + ": browser test skipped")
	return ""
}

// browser is one headless chromium tab of a test.
type browser struct {
	t   *testing.T
	ctx context.Context // the tab's context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage // errors and exceptions the pages reported
}

// newBrowser starts chromium with a fresh profile. When the test ends it
// saves a screenshot if the test failed, then stops the browser.
func newBrowser(t *testing.T, chromium string) *browser {
	t.Helper()
	// Not t.TempDir: chromium's helpers may still write in the profile for
	// a moment after it exits, and t.TempDir's removal would fail the test.
	profile, err := os.MkdirTemp("", "peaceops-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeAllEventually(t, profile) })

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 1000),
		chromedp.UserDataDir(profile),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b := &browser{t: t, ctx: ctx}

	// The first action starts the browser and ties its life to ctx, so it
	// runs without a deadline; a browser that does not come up is stopped
	// by cancelling the allocator.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(time.Minute):
		cancelAlloc()
		err = errors.Join(errors.New("chromium did not start within a minute"), <-started)
	}
	if err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium (%s): %v", chromium, err)
	}

	consoleCtx, stopConsole := context.WithCancel(ctx)
	consoleDone := make(chan struct{})
	messages := chromedp.Console(consoleCtx)
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.console = append(b.console, m)
				b.mu.Unlock()
			}
		}
	}()

	t.Cleanup(func() {
		if t.Failed() {
			b.saveScreenshot()
		}
		stopConsole()
		<-consoleDone
		cancel()
		cancelAlloc()
	})
	return b
}

// do runs actions in the tab within stepTimeout, failing the test with
// what was being done.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v; the page at %s says:\n%s", what, err, b.location(), b.text("main"))
	}
}

// submit clicks the submit button sel, as a person would, and waits for
// the page the form leads to.
func (b *browser) submit(what, sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	if resp.Status >= 400 {
		b.t.Fatalf("%s: the server answered %d for %s; the page says:\n%s", what, resp.Status, resp.URL, b.text("main"))
	}
}

// path returns the path of the page the tab shows.
func (b *browser) path() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("read the location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// location returns the URL of the page the tab shows, for messages.
func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(location unavailable: " + err.Error() + ")"
	}
	return loc
}

// text returns the visible text of the first element sel, or of the body
// when the page has none, cut to a length fit for a message.
func (b *browser) text(sel string) string {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`(document.querySelector(`+jsString(sel)+`) || document.body || document.documentElement).innerText`))
	if err != nil {
		return "(page text unavailable: " + err.Error() + ")"
	}
	if r := []rune(s); len(r) > 2000 {
		s = string(r[:2000]) + " [...]"
	}
	return s
}

// value returns the value of the form field sel.
func (b *browser) value(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return v
}

// checkConsole fails the test if a page threw an uncaught exception or
// logged an error (a script that broke, an asset that did not load, a
// content security policy violation).
func (b *browser) checkConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		b.t.Errorf("browser console: %s (at %s:%d)", m, m.URL, m.Line+1)
	}
}

// saveScreenshot saves the page as the test left it, and logs where.
func (b *browser) saveScreenshot() {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	loc := b.location()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100) /* PNG */)
	if err != nil {
		b.t.Logf("no screenshot of %s: %v", loc, err)
		return
	}
	// ArtifactDir is a temporary folder like t.TempDir, kept when the tests
	// run with -artifacts (go test -artifacts -outputdir DIR).
	name := filepath.Join(b.t.ArtifactDir(), "failure.png")
	if err := os.WriteFile(name, img, 0o644); err != nil {
		b.t.Logf("no screenshot of %s: %v", loc, err)
		return
	}
	b.t.Logf("screenshot of %s at failure: %s", loc, name)
}

// removeAllEventually removes dir, trying again for a few seconds while
// processes that just exited still write in it.
func removeAllEventually(t *testing.T, dir string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := os.RemoveAll(dir)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("could not remove the browser profile %s: %v", dir, err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
