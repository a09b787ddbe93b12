package store_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/audit"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// TestBackup backs up a SQLite database while another goroutine keeps
// writing to it, then opens the copy and finds the same data and an intact
// audit chain.
func TestBackup(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
	missionID := peaceops.NewID()
	err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO missions (id, code, name, host_country, start_date, status, classification, created_at, updated_at, version)
			VALUES ($1, 'MINUSCA', 'United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic', 'CAF', '2014-04-10', 'active', 'internal', $2, $2, 1)`,
			missionID, tx.NowMillis())
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: "MINUSCA", EntityType: "mission", EntityID: missionID, Action: "create"})
	})
	if err != nil {
		t.Fatal(err)
	}

	// The writer appends audit entries until told to stop; written counts
	// the committed ones.
	var written atomic.Int64
	written.Store(1)
	running, stop := make(chan struct{}), make(chan struct{})
	writeErr := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				writeErr <- nil
				return
			default:
			}
			err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.Audit(ctx, store.Change{Mission: "MINUSCA", EntityType: "event", EntityID: peaceops.NewID(), Action: "create"})
			})
			if err != nil {
				writeErr <- err
				return
			}
			if written.Add(1) == 20 {
				close(running)
			}
		}
	})
	<-running
	atStart := written.Load()

	out := filepath.Join(t.TempDir(), "peaceops-backup.db")
	backupErr := db.Backup(ctx, out)
	atEnd := written.Load()
	close(stop)
	wg.Wait()
	if err := <-writeErr; err != nil {
		t.Fatalf("writer during backup: %v", err)
	}
	if backupErr != nil {
		t.Fatal(backupErr)
	}
	if _, err := os.Stat(out + "-wal"); err == nil {
		t.Errorf("backup left a -wal file: want one self-contained file")
	}
	if fi, err := os.Stat(out); err != nil {
		t.Fatal(err)
	} else if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v, want readable by its owner only", fi.Mode().Perm())
	}

	bk, err := store.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer bk.Close()
	if cur, latest, err := bk.SchemaVersion(ctx); err != nil || cur != latest {
		t.Fatalf("backup schema at %d of %d (%v)", cur, latest, err)
	}
	var code string
	if err := bk.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT code FROM missions WHERE id = $1`, missionID).Scan(&code)
	}); err != nil || code != "MINUSCA" {
		t.Fatalf("mission in backup: code %q, err %v", code, err)
	}
	var entries int64
	if err := bk.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&entries)
	}); err != nil {
		t.Fatal(err)
	}
	if entries < atStart || entries > atEnd+1 {
		t.Errorf("backup holds %d audit entries, want between %d (at start) and %d (at end)", entries, atStart, atEnd+1)
	}
	r, err := audit.NewService(bk).Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Entries != entries {
		t.Fatalf("backup chain: %+v (first bad %+v), want %d intact entries", r, r.FirstBad, entries)
	}
	// The backup's head is a head of the live chain: recorded, it verifies.
	if r, err := audit.NewService(db).VerifyAgainst(ctx, r.LastSeq, r.LastHash); err != nil || !r.OK() {
		t.Fatalf("live chain against the backup's head: %+v, %v", r.FirstBad, err)
	}
}

func TestBackupExistingFileIsConflict(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	dir := t.TempDir()
	out := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(out, []byte("yesterday's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := db.Backup(context.Background(), out)
	if code := peaceops.ErrorCode(err); code != peaceops.ECONFLICT {
		t.Fatalf("code = %q (%v), want conflict", code, err)
	}
	if b, _ := os.ReadFile(out); string(b) != "yesterday's backup" {
		t.Errorf("existing file was changed to %q", b)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"backup.db"}) {
		t.Errorf("folder holds %v, want only the existing file", names)
	}
}

func TestBackupLeavesNoTempFileOnFailure(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Backup(ctx, filepath.Join(dir, "backup.db")); err == nil {
		t.Fatal("backup with a cancelled context succeeded")
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("folder holds %v after a failed backup, want nothing", names)
	}
}

func TestBackupPostgresIsInvalid(t *testing.T) {
	db := storetest.Open(t, store.Postgres) // skipped unless PEACEOPS_TEST_POSTGRES is set
	err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "backup.db"))
	if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
		t.Fatalf("code = %q (%v), want invalid", code, err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestBackupMissingFolderIsInvalid(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "no-such-folder", "backup.db"))
	if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
		t.Fatalf("code = %q (%v), want invalid", code, err)
	}
}
