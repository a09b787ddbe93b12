package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testVersion is stamped into the binary under test, so a test can tell
// that the process it talks to is that binary.
const testVersion = "0.0.0-e2e"

// adminPassword is the password of the administrator each test creates.
const adminPassword = "e2e-correct-horse-battery"

// Time limits. They are generous for a loaded 2-core machine; a test that
// hits one has found a hang, not a slow run.
const (
	buildTimeout   = 10 * time.Minute
	commandTimeout = 2 * time.Minute
	startTimeout   = time.Minute
	stopTimeout    = 20 * time.Second
	requestTimeout = 30 * time.Second
)

// binary is the path of the peaceops binary TestMain built.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "peaceops-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "peaceops")
	if err := build(binary); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build peaceops:", err)
		return 1
	}
	return m.Run()
}

// build compiles ./cmd/peaceops of the repository holding this package
// into out.
func build(out string) error {
	root, err := repositoryRoot()
	if err != nil {
		return err
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is needed to build the binary under test: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", out,
		"-ldflags", "-X main.version="+testVersion, "./cmd/peaceops")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, b)
	}
	return nil
}

// repositoryRoot returns the folder holding the go.mod of this module: the
// parent of the e2e folder tests run in.
func repositoryRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/peaceops/peaceops\n")) {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod of github.com/peaceops/peaceops above %s", wd)
		}
	}
}

// command returns the binary with args to run in a clean environment: PATH,
// a HOME of its own, and env ("NAME=value"); nothing of the test's
// environment leaks in, PEACEOPS_* variables least of all. It runs in a
// temporary folder, so a default file name never lands in the source tree.
func command(ctx context.Context, t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	cmd.Dir = t.TempDir()
	cmd.SysProcAttr = dieWithParent()
	return cmd
}

// result is what a finished command left behind.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
}

func (r result) String() string {
	return fmt.Sprintf("peaceops %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// output is what the command printed on both streams.
func (r result) output() string { return r.stdout + r.stderr }

// runCLI runs the binary with args and stdin, in a clean environment, and
// returns what it printed and its exit status, whatever that is.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLIEnv(t, nil, stdin, args...)
}

// runCLIEnv is runCLI with the variables env ("NAME=value") added to the
// clean environment.
func runCLIEnv(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := command(ctx, t, env, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("peaceops %s: no exit within %v\n%s", strings.Join(args, " "), commandTimeout, res)
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("peaceops %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// mustRun runs the binary like runCLI and fails the test unless it exits 0.
func mustRun(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	res := runCLI(t, stdin, args...)
	if res.code != 0 {
		t.Fatalf("want exit 0\n%s", res)
	}
	return res
}

// addAdmin creates the administrator "admin" with adminPassword on dsn.
func addAdmin(t *testing.T, dsn string) {
	t.Helper()
	mustRun(t, adminPassword+"\n", "user", "add", "--db", dsn, "--username", "admin", "--password-stdin", "--admin")
}

// createToken returns a new API token of username on dsn.
func createToken(t *testing.T, dsn, username string) string {
	t.Helper()
	res := mustRun(t, "", "token", "create", "--db", dsn, "--username", username)
	token := strings.TrimSuffix(res.stdout, "\n")
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		t.Fatalf("token create must print exactly one line holding the token\n%s", res)
	}
	return token
}

// listening is the line `peaceops serve` prints once its socket is bound.
var listening = regexp.MustCompile(`^peaceops (\S+) listening on (http://\S+) \((\S+) database\)$`)

// server is one running `peaceops serve` process.
type server struct {
	URL     string // base URL, e.g. http://127.0.0.1:41234
	Engine  string // the engine the server reported ("sqlite", "postgres")
	Version string // the version it reported

	t      *testing.T
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's result, set before done is closed
	stop   sync.Once
}

// startServer starts `peaceops serve --addr 127.0.0.1:0 --db dsn` and
// returns once it listens. The server is stopped when the test ends (see
// server.Stop); its log is shown if the test failed.
func startServer(t *testing.T, dsn string) *server {
	t.Helper()
	return startServerEnv(t, nil, "--addr", "127.0.0.1:0", "--db", dsn)
}

// startServerEnv starts `peaceops serve` with args and the variables env
// added to the clean environment, and returns once it listens.
func startServerEnv(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	ready := make(chan string, 1)
	s := &server{t: t, stderr: &syncBuffer{}, done: make(chan struct{})}
	// Stopped by SIGTERM (Stop), not by a context.
	s.cmd = command(context.Background(), t, env, append([]string{"serve"}, args...)...)
	s.cmd.Stdout = &lineWriter{fn: func(line string) {
		if listening.MatchString(line) {
			select {
			case ready <- line:
			default:
			}
		}
	}}
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start peaceops serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("log of the server at %s:\n%s", s.URL, s.stderr.String())
		}
	})

	select {
	case line := <-ready:
		m := listening.FindStringSubmatch(line)
		s.Version, s.URL, s.Engine = m[1], m[2], m[3]
	case <-s.done:
		t.Fatalf("peaceops serve exited before listening (%v):\n%s", s.err, s.stderr.String())
	case <-time.After(startTimeout):
		t.Fatalf("peaceops serve printed no listening line within %v:\n%s", startTimeout, s.stderr.String())
	}
	return s
}

// Stop sends SIGTERM and fails the test unless the server shuts down
// gracefully (exit status 0) within stopTimeout. Only the first call does
// anything.
func (s *server) Stop() {
	s.t.Helper()
	s.stop.Do(func() {
		select {
		case <-s.done:
			s.t.Errorf("peaceops serve at %s exited by itself before the test stopped it: %v", s.URL, s.err)
			return
		default:
		}
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			s.t.Errorf("SIGTERM peaceops serve: %v", err)
		}
		select {
		case <-s.done:
			if s.err != nil {
				s.t.Errorf("peaceops serve at %s did not shut down cleanly on SIGTERM: %v", s.URL, s.err)
			}
		case <-time.After(stopTimeout):
			s.cmd.Process.Kill()
			<-s.done
			s.t.Errorf("peaceops serve at %s still running %v after SIGTERM: killed", s.URL, stopTimeout)
		}
	})
}

// lineWriter calls fn with every complete line written to it.
type lineWriter struct {
	mu  sync.Mutex
	buf []byte
	fn  func(line string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.fn(strings.TrimRight(string(w.buf[:i]), "\r"))
		w.buf = w.buf[i+1:]
	}
}

// syncBuffer is a bytes.Buffer safe for a writing process and a reading
// test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// client makes HTTP requests to a server with fixed extra headers (a
// bearer token, a session cookie and its CSRF token). It keeps no cookie
// jar: which cookie goes to which server is the test's explicit choice
// (browsers would send a 127.0.0.1 cookie to every port).
type client struct {
	t      *testing.T
	base   string
	header http.Header
}

// newClient returns a client of the server at base sending header pairs
// ("Authorization", "Bearer x", ...) on every request.
func newClient(t *testing.T, base string, header ...string) *client {
	c := &client{t: t, base: base, header: http.Header{}}
	for i := 0; i+1 < len(header); i += 2 {
		c.header.Set(header[i], header[i+1])
	}
	return c
}

// bearer returns a client of the server at base authenticating with token.
func bearer(t *testing.T, base, token string) *client {
	return newClient(t, base, "Authorization", "Bearer "+token)
}

// response is a whole HTTP response.
type response struct {
	req    string // "METHOD URL", for messages
	Status int
	Header http.Header
	Body   []byte
}

func (r *response) String() string {
	return fmt.Sprintf("%s: %d\n%s", r.req, r.Status, r.Body)
}

// decode decodes the JSON body into v.
func (r *response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s: decode JSON body: %v\n%s", r.req, err, r.Body)
	}
}

// do sends a request with body (JSON-encoded unless nil) and header pairs
// added to the client's, and returns the whole response.
func (c *client) do(method, path string, body any, header ...string) *response {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatalf("encode request body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header = c.header.Clone()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// No redirects followed: a 303 to /login is an answer to check.
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, c.base+path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, c.base+path, err)
	}
	return &response{req: method + " " + c.base + path, Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// expect sends a request like do and fails the test unless the answer has
// the status want.
func (c *client) expect(want int, method, path string, body any, header ...string) *response {
	c.t.Helper()
	r := c.do(method, path, body, header...)
	if r.Status != want {
		c.t.Fatalf("want %d, got %s", want, r)
	}
	return r
}

// mission is the part of a mission the tests look at.
type mission struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	HostCountry string `json:"host_country"`
	StartDate   string `json:"start_date"`
	Version     int64  `json:"version"`
}

// newMission returns the body of a valid POST /api/v1/missions.
func newMission(code, name, country, start string) map[string]any {
	return map[string]any{"code": code, "name": name, "host_country": country, "start_date": start}
}

// missionCodes lists the codes of the missions c may see.
func (c *client) missionCodes() []string {
	c.t.Helper()
	var list struct {
		Items []mission `json:"items"`
	}
	c.expect(http.StatusOK, "GET", "/api/v1/missions?limit=1000", nil).decode(c.t, &list)
	codes := make([]string, len(list.Items))
	for i, m := range list.Items {
		codes[i] = m.Code
	}
	return codes
}
