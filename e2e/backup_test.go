package e2e_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBackupRestore makes an online backup of a SQLite database in use,
// then serves the copy as a restore would and finds the same data in it.
func TestBackupRestore(t *testing.T) {
	file := filepath.Join(t.TempDir(), "peaceops.db")
	addAdmin(t, file)
	token := createToken(t, file, "admin")
	srv := startServer(t, file)
	api := bearer(t, srv.URL, token)
	api.expect(http.StatusCreated, "POST", "/api/v1/missions", newMission("MINUSCA", "MINUSCA", "CAF", "2014-04-10"))
	api.expect(http.StatusCreated, "POST", "/api/v1/missions", newMission("MINUSMA", "MINUSMA", "MLI", "2013-04-25"))
	want := api.missionCodes()

	backupDir := t.TempDir()
	copied := filepath.Join(backupDir, "peaceops-backup.db")
	res := mustRun(t, "", "backup", "--db", file, "--out", copied)
	if !strings.Contains(res.stdout, copied) {
		t.Errorf("backup must say where it wrote the copy\n%s", res)
	}
	info, err := os.Stat(copied)
	if err != nil {
		t.Fatalf("no backup file: %v", err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		t.Errorf("the backup is readable by others: mode %v", mode)
	}
	entries, err := os.ReadDir(backupDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the backup must be one self-contained file; the folder holds %v", entries)
	}

	// The server keeps working while and after the copy is made; what
	// comes after the backup is not in it.
	api.expect(http.StatusCreated, "POST", "/api/v1/missions", newMission("UNMISS", "UNMISS", "SSD", "2011-07-09"))

	again := runCLI(t, "", "backup", "--db", file, "--out", copied)
	if again.code == 0 || !strings.Contains(again.stderr, "exists") {
		t.Errorf("backup must refuse to overwrite an existing file\n%s", again)
	}
	if now, err := os.Stat(copied); err != nil || !now.ModTime().Equal(info.ModTime()) || now.Size() != info.Size() {
		t.Errorf("a refused backup changed the existing file")
	}

	verify := mustRun(t, "", "audit", "verify", "--db", copied)
	if !strings.Contains(verify.stdout, "intact") {
		t.Errorf("audit verify of the backup\n%s", verify)
	}

	restored := startServer(t, copied)
	// The token (and so the user) came along.
	rapi := bearer(t, restored.URL, token)
	if got := rapi.missionCodes(); !slices.Equal(got, want) {
		t.Errorf("the backup holds missions %v, want %v (as they were at backup time)", got, want)
	}
	var m mission
	rapi.expect(http.StatusOK, "GET", "/api/v1/missions/MINUSCA", nil).decode(t, &m)
	if m.HostCountry != "CAF" || m.StartDate != "2014-04-10" {
		t.Errorf("restored MINUSCA: %+v", m)
	}
	// So did the password.
	var sess struct {
		Username string `json:"username"`
	}
	newClient(t, restored.URL).expect(http.StatusOK, "POST", "/api/v1/session",
		map[string]string{"username": "admin", "password": adminPassword}).decode(t, &sess)
	if sess.Username != "admin" {
		t.Errorf("login on the restored copy: %+v", sess)
	}
}

// TestToolsRefuseMissingDatabase: the tools that read a database an
// operator names (backup, audit verify) must fail on a mistyped path, not
// create an empty database there and work on that: a backup job with a
// typo would otherwise write empty "successful" backups every night.
func TestToolsRefuseMissingDatabase(t *testing.T) {
	for _, tt := range []struct {
		name string
		args func(db, dir string) []string
	}{
		{"Backup", func(db, dir string) []string {
			return []string{"backup", "--db", db, "--out", filepath.Join(dir, "backup.db")}
		}},
		{"AuditVerify", func(db, dir string) []string { return []string{"audit", "verify", "--db", db} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			res := runCLI(t, "", tt.args(filepath.Join(dir, "mistyped.db"), dir)...)
			if res.code == 0 {
				t.Errorf("must fail on a database that does not exist\n%s", res)
			}
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Errorf("left files behind: %v\n%s", files, res)
			}
		})
	}
}
