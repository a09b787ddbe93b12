package e2e_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestAuditVerifyDetectsTampering changes an audit log behind peaceops'
// back, the way someone with the database file could, and checks that
// `peaceops audit verify` notices and names the first entry that is wrong.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	file := filepath.Join(t.TempDir(), "peaceops.db")
	addAdmin(t, file)
	token := createToken(t, file, "admin")
	srv := startServer(t, file)
	api := bearer(t, srv.URL, token)
	for _, m := range []map[string]any{
		newMission("MINUSCA", "MINUSCA", "CAF", "2014-04-10"),
		newMission("MONUSCO", "MONUSCO", "COD", "2010-07-01"),
		newMission("UNMISS", "UNMISS", "SSD", "2011-07-09"),
	} {
		api.expect(http.StatusCreated, "POST", "/api/v1/missions", m)
	}
	r := api.expect(http.StatusOK, "GET", "/api/v1/missions/MONUSCO", nil)
	api.expect(http.StatusOK, "PATCH", "/api/v1/missions/MONUSCO", map[string]any{"status": "drawdown"},
		"If-Match", r.Header.Get("ETag"))
	srv.Stop()

	entries := auditSeqs(t, file)
	if len(entries) < 5 {
		t.Fatalf("want at least 5 audit entries (user, 3 missions, a change), found %d: %v", len(entries), entries)
	}
	first, last := entries[0], entries[len(entries)-1]
	mid := entries[len(entries)/2]

	intact := mustRun(t, "", "audit", "verify", "--db", file)
	head := regexp.MustCompile(`intact: (\d+) entries, head (\d+:[0-9a-f]{64})`).FindStringSubmatch(intact.stdout)
	if head == nil {
		t.Fatalf("audit verify must say the log is intact and print its head\n%s", intact)
	}
	if head[1] != strconv.Itoa(len(entries)) || !strings.HasPrefix(head[2], fmt.Sprintf("%d:", last)) {
		t.Errorf("audit verify counted %s entries ending at %s; the file has %d ending at %d", head[1], head[2], len(entries), last)
	}
	mustRun(t, "", "audit", "verify", "--db", file, "--head", head[2])

	tests := []struct {
		name     string
		tamper   string // SQL run on a copy of the file
		firstBad int64
		head     bool // verify against the head of the intact run
	}{
		{"ContentChanged", fmt.Sprintf(`UPDATE audit_log SET after = '{"status":"closed"}' WHERE seq = %d`, mid), mid, false},
		{"FirstEntryChanged", fmt.Sprintf(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = %d`, first), first, false},
		{"MiddleEntryDeleted", fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, mid), mid + 1, false},
		{"EntriesReordered", fmt.Sprintf(`UPDATE audit_log SET seq = -1 WHERE seq = %[1]d;
			UPDATE audit_log SET seq = %[1]d WHERE seq = %[2]d;
			UPDATE audit_log SET seq = %[2]d WHERE seq = -1`, mid, mid+1), mid, false},
		{"LastEntryDeletedAgainstHead", fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, last), last, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copied := copyDB(t, file)
			execSQL(t, copied, tt.tamper)
			args := []string{"audit", "verify", "--db", copied}
			if tt.head {
				args = append(args, "--head", head[2])
			}
			res := runCLI(t, "", args...)
			t.Logf("%s", res.output())
			if res.code == 0 {
				t.Fatalf("audit verify must fail on a tampered log\n%s", res)
			}
			// The first entry the report names is the first bad one.
			named := regexp.MustCompile(`\bentry (\d+)\b`).FindStringSubmatch(res.output())
			if named == nil || named[1] != strconv.FormatInt(tt.firstBad, 10) {
				t.Errorf("audit verify must name entry %d as the first bad one\n%s", tt.firstBad, res)
			}
			if strings.Contains(res.output(), "intact") {
				t.Errorf("a broken log reported as intact\n%s", res)
			}
		})
	}
}

// auditSeqs returns the seq of every audit entry in the SQLite file, in
// order.
func auditSeqs(t *testing.T, file string) []int64 {
	t.Helper()
	db := openSQLite(t, file)
	defer db.Close()
	rows, err := db.Query(`SELECT seq FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatalf("read audit_log: %v", err)
	}
	defer rows.Close()
	var seqs []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("read audit_log: %v", err)
		}
		seqs = append(seqs, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read audit_log: %v", err)
	}
	return seqs
}

// execSQL runs statements (separated by ";") in one transaction on the
// SQLite file, as an intruder with the file would, past peaceops.
func execSQL(t *testing.T, file, statements string) {
	t.Helper()
	db := openSQLite(t, file)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
	defer tx.Rollback()
	for _, stmt := range strings.Split(statements, ";") {
		res, err := tx.ExecContext(ctx, stmt)
		if err != nil {
			t.Fatalf("tamper: %s: %v", strings.TrimSpace(stmt), err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("tamper: %s changed %d rows, want 1", strings.TrimSpace(stmt), n)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("tamper: commit: %v", err)
	}
}

// openSQLite opens the SQLite file directly, with database/sql and the
// driver peaceops uses; the caller closes it.
func openSQLite(t *testing.T, file string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// copyDB copies a SQLite database no process has open (with its
// write-ahead log, if one was left) to a new file and returns its path.
func copyDB(t *testing.T, file string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(file))
	if err := copyFile(file, out); err != nil {
		t.Fatalf("copy database: %v", err)
	}
	if err := copyFile(file+"-wal", out+"-wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("copy database: %v", err)
	}
	return out
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
