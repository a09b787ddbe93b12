package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestMigrate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		cur, latest, err := db.SchemaVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cur != latest || latest < 2 {
			t.Fatalf("schema version %d, latest %d: want equal and >= 2", cur, latest)
		}
		// Migrating again is a no-op.
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSchemaBehind(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db, err := store.Open(context.Background(), storetest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			cur, latest, err := db.SchemaVersion(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if cur >= latest {
				t.Fatalf("fresh database at version %d, latest %d: want behind", cur, latest)
			}
		})
	}
}

func TestUpdateRollsBack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
		boom := errors.New("boom")
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Audit(ctx, store.Change{EntityType: "test", EntityID: "1", Action: "create"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		var n int
		if err := db.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("audit rows after rollback = %d, want 0", n)
		}
	})
}

func TestUniqueViolationIsConflict(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO missions (id, code, name, host_country, start_date, status, classification, created_at, updated_at, version)
				VALUES ($1, 'X', 'x', 'CAF', '2014-04-10', 'active', 'internal', 0, 0, 1)`, peaceops.NewID())
			return err
		}
		if err := db.Update(ctx, insert); err != nil {
			t.Fatal(err)
		}
		err := db.Update(ctx, insert)
		if code := peaceops.ErrorCode(err); code != peaceops.ECONFLICT {
			t.Fatalf("code = %q (%v), want conflict", code, err)
		}
	})
}

func TestAuditRedactsSecrets(t *testing.T) {
	type rec struct {
		Name     string `json:"name"`
		Password string `json:"password" audit:"secret"`
		PIN      string `json:"pin" audit:"secret"`
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.Change{EntityType: "x", EntityID: "1", Action: "update",
				Before: rec{"a", "hunter2", "1234"}, After: rec{"b", "swordfish", "1234"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		var before, after string
		db.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT before, after FROM audit_log`).Scan(&before, &after)
		})
		want := `{"name":"a","password":"[redacted: changed]","pin":"[redacted]"}`
		if before != want {
			t.Errorf("before = %s, want %s", before, want)
		}
		if after != `{"name":"b","password":"[redacted: changed]","pin":"[redacted]"}` {
			t.Errorf("after = %s", after)
		}
	})
}
