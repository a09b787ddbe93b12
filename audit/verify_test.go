package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/audit"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestVerify(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := systemContext()
		svc := audit.NewService(db)

		empty, err := svc.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !empty.OK() || empty.Entries != 0 || empty.LastSeq != 0 {
			t.Fatalf("empty log: report %+v, want intact with no entries", empty)
		}

		mustAppend(t, db, 5)
		r, err := svc.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() {
			t.Fatalf("intact log: first bad %+v", r.FirstBad)
		}
		if r.Entries != 5 || r.LastSeq != 5 || r.LastHash != mustEntry(t, db, 5).Hash {
			t.Fatalf("report %+v, want 5 entries ending at entry 5's hash", r)
		}
	})
}

// TestVerifyTampered changes the log directly in the database, as someone
// with access to the database file or server could, and expects Verify to
// name the first entry where the chain breaks.
func TestVerifyTampered(t *testing.T) {
	tests := []struct {
		name       string
		tamper     func(t *testing.T, db *store.DB)
		wantSeq    int64
		wantReason string
		wantIntact int64 // entries intact before the break
		// wantRowOf is the seq, before tampering, of the row named as first
		// bad; 0 means wantSeq.
		wantRowOf int64
	}{
		{
			name:       "ChangedAfterIsHashMismatch",
			tamper:     sqlTamper(`UPDATE audit_log SET after = '{"name":"forged"}' WHERE seq = 3`),
			wantSeq:    3,
			wantReason: "hash mismatch: row content was changed",
			wantIntact: 2,
		},
		{
			name:       "ChangedActorIsHashMismatch",
			tamper:     sqlTamper(`UPDATE audit_log SET actor = 'someone-else', actor_id = '' WHERE seq = 2`),
			wantSeq:    2,
			wantReason: "hash mismatch: row content was changed",
			wantIntact: 1,
		},
		{
			name:       "ChangedTimeIsHashMismatch",
			tamper:     sqlTamper(`UPDATE audit_log SET at = at - 86400000 WHERE seq = 4`),
			wantSeq:    4,
			wantReason: "hash mismatch: row content was changed",
			wantIntact: 3,
		},
		{
			name:       "ChangedFirstPrevHashIsHashMismatch",
			tamper:     sqlTamper(`UPDATE audit_log SET prev_hash = hash WHERE seq = 1`),
			wantSeq:    1,
			wantReason: "hash mismatch and prev_hash does not match the genesis hash",
			wantIntact: 0,
		},
		{
			name:       "DeletedMiddleIsSequenceGap",
			tamper:     sqlTamper(`DELETE FROM audit_log WHERE seq = 3`),
			wantSeq:    4,
			wantReason: "sequence gap: expected 3, found 4 (entry 3 was deleted or renumbered)",
			wantIntact: 2,
		},
		{
			name:       "DeletedFirstIsSequenceGap",
			tamper:     sqlTamper(`DELETE FROM audit_log WHERE seq = 1`),
			wantSeq:    2,
			wantReason: "sequence gap: expected 1, found 2 (entry 1 was deleted or renumbered)",
			wantIntact: 0,
		},
		{
			name:       "DeletedRangeIsSequenceGap",
			tamper:     sqlTamper(`DELETE FROM audit_log WHERE seq IN (2, 3)`),
			wantSeq:    4,
			wantReason: "sequence gap: expected 2, found 4 (entries 2 to 3 were deleted or renumbered)",
			wantIntact: 1,
		},
		{
			name: "SwappedRowsAreMoved",
			tamper: sqlTamper(
				`UPDATE audit_log SET seq = 100 WHERE seq = 2`,
				`UPDATE audit_log SET seq = 2 WHERE seq = 3`,
				`UPDATE audit_log SET seq = 3 WHERE seq = 100`),
			wantSeq:    2,
			wantReason: "hash mismatch and prev_hash does not match entry 1: row was changed, replaced or moved",
			wantIntact: 1,
			wantRowOf:  3, // entry 3's row now sits at seq 2
		},
		{
			name: "RehashedEditBreaksSuccessorLink",
			tamper: func(t *testing.T, db *store.DB) {
				e := mustEntry(t, db, 3)
				e.After = []byte(`{"name":"forged"}`)
				e.Hash = e.ComputeHash()
				mustExec(t, db, `UPDATE audit_log SET after = $1, hash = $2 WHERE seq = 3`, string(e.After), e.Hash)
			},
			wantSeq:    4,
			wantReason: "prev_hash does not match entry 3: entry 3 was changed and re-hashed",
			wantIntact: 3,
		},
		{
			name: "ForgedFirstIsNotGenesis",
			tamper: func(t *testing.T, db *store.DB) {
				e := mustEntry(t, db, 1)
				e.PrevHash = strings.Repeat("f", 64)
				e.Hash = e.ComputeHash()
				mustExec(t, db, `UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = 1`, e.PrevHash, e.Hash)
			},
			wantSeq:    1,
			wantReason: "prev_hash is not the genesis hash",
			wantIntact: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				mustAppend(t, db, 5)
				rowOf := tt.wantSeq
				if tt.wantRowOf != 0 {
					rowOf = tt.wantRowOf
				}
				want := mustEntry(t, db, rowOf).ID
				tt.tamper(t, db)

				r, err := audit.NewService(db).Verify(systemContext())
				if err != nil {
					t.Fatal(err)
				}
				if r.OK() {
					t.Fatalf("tampered log reported intact: %+v", r)
				}
				if r.FirstBad.Seq != tt.wantSeq || r.FirstBad.ID != want {
					t.Errorf("first bad = entry %d (%s), want entry %d (%s)", r.FirstBad.Seq, r.FirstBad.ID, tt.wantSeq, want)
				}
				if !strings.Contains(r.FirstBad.Reason, tt.wantReason) {
					t.Errorf("reason = %q, want it to contain %q", r.FirstBad.Reason, tt.wantReason)
				}
				if r.Entries != tt.wantIntact || r.LastSeq != tt.wantIntact {
					t.Errorf("report %+v: want %d intact entries before the break", r, tt.wantIntact)
				}
			})
		})
	}
}

// TestVerifyAgainst covers what the chain alone cannot show: entries
// deleted from the end and a tail rewritten with recomputed hashes both leave
// an intact chain, and only a head recorded outside the database reveals
// them.
func TestVerifyAgainst(t *testing.T) {
	tests := []struct {
		name       string
		tamper     func(t *testing.T, db *store.DB)
		wantSeq    int64  // 0: intact
		wantReason string // for the recorded head of entry 5
	}{
		{
			name:   "OK",
			tamper: func(t *testing.T, db *store.DB) {},
		},
		{
			name:   "OKAfterMoreEntries",
			tamper: func(t *testing.T, db *store.DB) { mustAppend(t, db, 3) },
		},
		{
			name:       "DeletedLastIsHeadMissing",
			tamper:     sqlTamper(`DELETE FROM audit_log WHERE seq = 5`),
			wantSeq:    5,
			wantReason: "recorded head entry 5 is missing: the log ends at entry 4",
		},
		{
			name: "RewrittenTailIsHeadMismatch",
			tamper: func(t *testing.T, db *store.DB) {
				sqlTamper(`DELETE FROM audit_log WHERE seq >= 4`)(t, db)
				mustAppend(t, db, 2) // a valid chain again, through the normal append
			},
			wantSeq:    5,
			wantReason: "hash differs from the recorded head",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				ctx := systemContext()
				svc := audit.NewService(db)
				mustAppend(t, db, 5)
				recorded, err := svc.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				tt.tamper(t, db)

				if r, err := svc.Verify(ctx); err != nil {
					t.Fatal(err)
				} else if !r.OK() {
					t.Fatalf("chain alone: first bad %+v, want intact", r.FirstBad)
				}
				r, err := svc.VerifyAgainst(ctx, recorded.LastSeq, recorded.LastHash)
				if err != nil {
					t.Fatal(err)
				}
				if tt.wantSeq == 0 {
					if !r.OK() {
						t.Fatalf("first bad %+v, want intact", r.FirstBad)
					}
					return
				}
				if r.OK() {
					t.Fatalf("report %+v, want the recorded head to be found missing or changed", r)
				}
				if r.FirstBad.Seq != tt.wantSeq || !strings.Contains(r.FirstBad.Reason, tt.wantReason) {
					t.Errorf("first bad = %+v, want entry %d with %q", r.FirstBad, tt.wantSeq, tt.wantReason)
				}
			})
		})
	}
}

func TestVerifyAgainstInvalidHead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		_, err := audit.NewService(db).VerifyAgainst(systemContext(), 0, "abc")
		if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
			t.Fatalf("code = %q (%v), want invalid", code, err)
		}
		if fields := peaceops.ErrorFields(err); len(fields) != 2 {
			t.Fatalf("fields = %+v, want seq and hash", fields)
		}
	})
}

func TestVerifyAccess(t *testing.T) {
	tests := []struct {
		name     string
		actor    peaceops.Actor
		wantCode string
	}{
		{"SystemOK", peaceops.SystemActor(), ""},
		{"AdminOK", peaceops.Actor{UserID: peaceops.NewID(), Username: "root", Admin: true}, ""},
		{"MissionAdminForbidden", missionAdmin("MINUSCA"), peaceops.EFORBIDDEN},
		{"ViewerForbidden", peaceops.Actor{UserID: peaceops.NewID(), Username: "v", Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleViewer}}}, peaceops.EFORBIDDEN},
		{"AnonymousUnauthorized", peaceops.Actor{}, peaceops.EUNAUTHORIZED},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		svc := audit.NewService(db)
		mustAppend(t, db, 1)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := peaceops.NewContextWithActor(context.Background(), tt.actor)
				_, err := svc.Verify(ctx)
				if code := peaceops.ErrorCode(err); code != tt.wantCode {
					t.Errorf("Verify: code = %q (%v), want %q", code, err, tt.wantCode)
				}
				_, err = svc.VerifyAgainst(ctx, 1, strings.Repeat("0", 64))
				if code := peaceops.ErrorCode(err); code != tt.wantCode {
					t.Errorf("VerifyAgainst: code = %q (%v), want %q", code, err, tt.wantCode)
				}
			})
		}
	})
}

// BenchmarkVerify measures a full walk of a 100,000-entry log.
func BenchmarkVerify(b *testing.B) {
	const n = 100_000
	for _, engine := range storetest.Engines() {
		b.Run(fmt.Sprintf("%s/%d", engine, n), func(b *testing.B) {
			db := storetest.Open(b, engine)
			ctx := systemContext()
			err := db.Update(ctx, func(tx *store.Tx) error {
				for i := range n {
					err := tx.Audit(ctx, store.Change{Mission: "MINUSCA", EntityType: "event", EntityID: peaceops.NewID(),
						Action: "create", After: map[string]any{"n": i, "title": "Armed clash reported near Bria"}})
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			svc := audit.NewService(db)
			b.ResetTimer()
			for b.Loop() {
				r, err := svc.Verify(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if !r.OK() || r.Entries != n {
					b.Fatalf("report %+v", r)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// TestVerifyAcrossPages checks the walk carries the chain from one page of
// reads to the next.
func TestVerifyAcrossPages(t *testing.T) {
	const n = 5003 // more than one page
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := systemContext()
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := range n {
				if err := tx.Audit(ctx, store.Change{EntityType: "x", EntityID: fmt.Sprint(i), Action: "create"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		svc := audit.NewService(db)
		if r, err := svc.Verify(ctx); err != nil || !r.OK() || r.Entries != n {
			t.Fatalf("intact: report %+v, err %v", r, err)
		}
		mustExec(t, db, `DELETE FROM audit_log WHERE seq = 5001`)
		r, err := svc.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK() || r.FirstBad.Seq != 5002 || r.Entries != 5000 {
			t.Fatalf("report %+v (first bad %+v), want a gap found at entry 5002", r, r.FirstBad)
		}
	})
}
