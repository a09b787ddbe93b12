package e2e_test

import (
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/store/storetest"
)

// TestCLIAdminFlow is the README's first steps on every engine: create the
// administrator (only with a password on standard input), make an API
// token, and use it against a served database.
func TestCLIAdminFlow(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storetest.DSN(t, engine)

			t.Run("NoDefaultPasswords", func(t *testing.T) {
				// A password given any other way than --password-stdin is
				// refused, and nothing is created.
				res := runCLI(t, adminPassword+"\n", "user", "add", "--db", dsn, "--username", "admin", "--admin")
				if res.code == 0 {
					t.Fatalf("user add without --password-stdin must fail\n%s", res)
				}
				if !strings.Contains(res.stderr, "--password-stdin") {
					t.Errorf("the error must say --password-stdin is required\n%s", res)
				}
				res = runCLI(t, "", "user", "add", "--db", dsn, "--username", "admin", "--password-stdin", "--admin")
				if res.code == 0 {
					t.Fatalf("user add with an empty standard input must fail\n%s", res)
				}
				list := mustRun(t, "", "user", "list", "--db", dsn)
				if strings.Contains(list.stdout, "admin") {
					t.Fatalf("a refused user add created a user\n%s", list)
				}
			})

			addAdmin(t, dsn)
			if res := runCLI(t, adminPassword+"\n", "user", "add", "--db", dsn, "--username", "admin", "--password-stdin"); res.code == 0 {
				t.Errorf("adding a second user named admin must fail\n%s", res)
			}
			list := mustRun(t, "", "user", "list", "--db", dsn)
			if !regexp.MustCompile(`(?m)^admin\s.*\btrue\b`).MatchString(list.stdout) {
				t.Errorf("user list must show admin as an administrator\n%s", list)
			}

			res := mustRun(t, "", "token", "create", "--db", dsn, "--username", "admin")
			lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
			if len(lines) != 1 || lines[0] == "" || strings.ContainsAny(lines[0], " \t") || !strings.HasSuffix(res.stdout, "\n") {
				t.Fatalf("token create must print exactly one line, the token\n%s", res)
			}
			token := lines[0]

			srv := startServer(t, dsn)
			if srv.Engine != string(engine) {
				t.Errorf("server reports a %s database, want %s", srv.Engine, engine)
			}
			if srv.Version != testVersion {
				t.Errorf("server reports version %q, want %q", srv.Version, testVersion)
			}
			api := bearer(t, srv.URL, token)
			if codes := api.missionCodes(); len(codes) != 0 {
				t.Fatalf("a new database has missions: %v", codes)
			}
			newClient(t, srv.URL).expect(http.StatusUnauthorized, "GET", "/api/v1/missions", nil)
			bearer(t, srv.URL, token+"x").expect(http.StatusUnauthorized, "GET", "/api/v1/missions", nil)

			// A retried submission (same Idempotency-Key) creates one
			// mission, and the retry is told so.
			body := newMission("UNMISS", "United Nations Mission in the Republic of South Sudan", "SSD", "2011-07-09")
			var first, again mission
			api.expect(http.StatusCreated, "POST", "/api/v1/missions", body, "Idempotency-Key", "e2e-create-unmiss").decode(t, &first)
			r := api.expect(http.StatusCreated, "POST", "/api/v1/missions", body, "Idempotency-Key", "e2e-create-unmiss")
			r.decode(t, &again)
			if again.ID == "" || again.ID != first.ID {
				t.Errorf("a replay must answer with the first mission: first id %q, replay id %q", first.ID, again.ID)
			}
			if r.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("a replay must carry Idempotent-Replayed: true; headers %v", r.Header)
			}
			if codes := api.missionCodes(); !slices.Equal(codes, []string{"UNMISS"}) {
				t.Errorf("after a retried create: missions %v, want [UNMISS]", codes)
			}
			// Without the key, the same body is a conflict on the code.
			api.expect(http.StatusConflict, "POST", "/api/v1/missions", body)

			version := mustRun(t, "", "version")
			if !strings.HasPrefix(version.stdout, "peaceops "+testVersion) {
				t.Errorf("version must print the version stamped at build time (%s)\n%s", testVersion, version)
			}
		})
	}
}

// TestMigrateAndReadiness checks the schema tools and the endpoints a load
// balancer and a monitoring system use.
func TestMigrateAndReadiness(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storetest.DSN(t, engine)

			behind := runCLI(t, "", "migrate", "--status", "--db", dsn)
			if behind.code != 3 {
				t.Fatalf("migrate --status on a new database must exit 3 (behind)\n%s", behind)
			}
			m := regexp.MustCompile(`schema version (\d+) of (\d+)`).FindStringSubmatch(behind.stdout)
			if m == nil || m[1] != "0" || m[2] == "0" {
				t.Fatalf("migrate --status must report version 0 of the latest\n%s", behind)
			}
			latest := m[2]
			up := mustRun(t, "", "migrate", "--db", dsn)
			if !strings.Contains(up.stdout, "version "+latest) {
				t.Errorf("migrate must report version %s\n%s", latest, up)
			}
			mustRun(t, "", "migrate", "--db", dsn) // twice is harmless
			if now := mustRun(t, "", "migrate", "--status", "--db", dsn); !strings.Contains(now.stdout, "schema version "+latest+" of "+latest) {
				t.Errorf("after migrate: %s", now)
			}

			srv := startServer(t, dsn)
			anon := newClient(t, srv.URL)
			if r := anon.expect(http.StatusOK, "GET", "/healthz", nil); !strings.Contains(string(r.Body), "ok") {
				t.Errorf("healthz: %s", r)
			}
			var ready struct {
				Ready         bool   `json:"ready"`
				SchemaVersion int64  `json:"schema_version"`
				Version       string `json:"version"`
			}
			anon.expect(http.StatusOK, "GET", "/readyz", nil).decode(t, &ready)
			if !ready.Ready || ready.Version != testVersion {
				t.Errorf("readyz: %+v, want ready with version %s", ready, testVersion)
			}
			if got := ready.SchemaVersion; got == 0 || latest != strconv.FormatInt(got, 10) {
				t.Errorf("readyz schema_version %d, want %s", got, latest)
			}
			anon.expect(http.StatusUnauthorized, "GET", "/api/v1/missions", nil)

			metrics := string(anon.expect(http.StatusOK, "GET", "/metrics", nil).Body)
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`(?m)^peaceops_http_requests_total\{[^}]*route="/readyz"[^}]*\} [1-9]`),
				regexp.MustCompile(`(?m)^peaceops_http_requests_total\{[^}]*route="/api/v1/missions"[^}]*status="401"[^}]*\} [1-9]`),
				regexp.MustCompile(`(?m)^peaceops_http_request_duration_seconds_count\{`),
			} {
				if !want.MatchString(metrics) {
					t.Errorf("/metrics has no line matching %s", want)
				}
			}
			if t.Failed() {
				t.Logf("/metrics:\n%s", metrics)
			}
		})
	}
}

// TestConfigurationFromEnvironment checks that every flag can come from its
// PEACEOPS_* variable, as in a container or a systemd unit, and that a flag
// on the command line wins over the variable.
func TestConfigurationFromEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "peaceops.db")
	env := []string{"PEACEOPS_DB=" + file}
	if res := runCLIEnv(t, env, adminPassword+"\n", "user", "add", "--username", "admin", "--password-stdin", "--admin"); res.code != 0 {
		t.Fatalf("user add with PEACEOPS_DB\n%s", res)
	}
	res := runCLIEnv(t, env, "", "token", "create", "--username", "admin")
	if res.code != 0 {
		t.Fatalf("token create with PEACEOPS_DB\n%s", res)
	}
	token := strings.TrimSpace(res.stdout)

	srv := startServerEnv(t, append(env, "PEACEOPS_ADDR=127.0.0.1:0"))
	if codes := bearer(t, srv.URL, token).missionCodes(); len(codes) != 0 {
		t.Errorf("missions %v on a new database", codes)
	}

	other := filepath.Join(t.TempDir(), "other.db")
	if list := runCLIEnv(t, env, "", "user", "list", "--db", other); list.code != 0 || strings.Contains(list.stdout, "admin") {
		t.Errorf("--db must win over PEACEOPS_DB\n%s", list)
	}
	bad := runCLIEnv(t, append(env, "PEACEOPS_LOG_LEVEL=loud"), "", "serve", "--addr", "127.0.0.1:0")
	if bad.code == 0 || !strings.Contains(bad.stderr, "log-level") {
		t.Errorf("serve must refuse a bad PEACEOPS_LOG_LEVEL and say which setting is wrong\n%s", bad)
	}
}
