package audit_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/audit"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

var t0 = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)

var (
	root    = peaceops.Actor{UserID: peaceops.NewID(), Username: "root", Admin: true}
	minusca = missionAdmin("MINUSCA")
	ana     = peaceops.Actor{UserID: peaceops.NewID(), Username: "ana",
		Roles: map[string][]peaceops.Role{"MONUSCO": {peaceops.RoleReporter}, "MINUSCA": {peaceops.RoleViewer}}}
	twoMissions = peaceops.Actor{UserID: peaceops.NewID(), Username: "both",
		Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleMissionAdmin}, "MONUSCO": {peaceops.RoleMissionAdmin}}}
	nobody = peaceops.Actor{UserID: peaceops.NewID(), Username: "nobody"}
)

// seedLog writes six entries, one hour apart from t0:
//
//	1 root     MINUSCA  mission M1 create
//	2 minusca  MINUSCA  event   E1 create
//	3 ana      MONUSCO  event   E2 create
//	4 system   (global) user    U1 login
//	5 minusca  MINUSCA  event   E1 update
//	6 ana      MONUSCO  event   E2 read
func seedLog(t *testing.T, db *store.DB) {
	t.Helper()
	writes := []struct {
		actor peaceops.Actor
		c     store.Change
	}{
		{root, store.Change{Mission: "MINUSCA", EntityType: "mission", EntityID: "M1", Action: "create"}},
		{minusca, store.Change{Mission: "MINUSCA", EntityType: "event", EntityID: "E1", Action: "create"}},
		{ana, store.Change{Mission: "MONUSCO", EntityType: "event", EntityID: "E2", Action: "create"}},
		{peaceops.SystemActor(), store.Change{EntityType: "user", EntityID: "U1", Action: "login"}},
		{minusca, store.Change{Mission: "MINUSCA", EntityType: "event", EntityID: "E1", Action: "update"}},
		{ana, store.Change{Mission: "MONUSCO", EntityType: "event", EntityID: "E2", Action: "read"}},
	}
	for i, w := range writes {
		at := t0.Add(time.Duration(i) * time.Hour)
		db.Now = func() time.Time { return at }
		ctx := peaceops.NewContextWithActor(context.Background(), w.actor)
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, w.c) }); err != nil {
			t.Fatal(err)
		}
	}
	db.Now = time.Now
}

func TestFindEntries(t *testing.T) {
	tests := []struct {
		name     string
		actor    peaceops.Actor
		filter   audit.Filter
		wantSeqs []int64 // newest first
		wantCode string
	}{
		{name: "AdminSeesAll", actor: root, wantSeqs: []int64{6, 5, 4, 3, 2, 1}},
		{name: "SystemSeesAll", actor: peaceops.SystemActor(), wantSeqs: []int64{6, 5, 4, 3, 2, 1}},
		{name: "ByMission", actor: root, filter: audit.Filter{Mission: "MONUSCO"}, wantSeqs: []int64{6, 3}},
		{name: "ByEntity", actor: root, filter: audit.Filter{EntityType: "event", EntityID: "E1"}, wantSeqs: []int64{5, 2}},
		{name: "ByActorID", actor: root, filter: audit.Filter{ActorID: ana.UserID}, wantSeqs: []int64{6, 3}},
		{name: "ByActorName", actor: root, filter: audit.Filter{Actor: "system"}, wantSeqs: []int64{4}},
		{name: "ByAction", actor: root, filter: audit.Filter{Action: "create"}, wantSeqs: []int64{3, 2, 1}},
		{name: "FromInclusiveToExclusive", actor: root,
			filter: audit.Filter{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)}, wantSeqs: []int64{3, 2}},
		{name: "Combined", actor: root,
			filter: audit.Filter{Mission: "MINUSCA", Action: "update", From: t0}, wantSeqs: []int64{5}},
		{name: "NoMatchIsEmpty", actor: root, filter: audit.Filter{EntityID: "nothing"}, wantSeqs: []int64{}},
		{name: "MissionAdminSeesOwnMission", actor: minusca, wantSeqs: []int64{5, 2, 1}},
		{name: "MissionAdminNamingOwnMission", actor: minusca, filter: audit.Filter{Mission: "MINUSCA", EntityID: "E1"},
			wantSeqs: []int64{5, 2}},
		{name: "MissionAdminOfTwoSeesBoth", actor: twoMissions, wantSeqs: []int64{6, 5, 3, 2, 1}},
		{name: "MissionAdminOtherMissionNotFound", actor: minusca, filter: audit.Filter{Mission: "MONUSCO"},
			wantCode: peaceops.ENOTFOUND},
		{name: "MemberNotMissionAdminForbidden", actor: ana, filter: audit.Filter{Mission: "MINUSCA"},
			wantCode: peaceops.EFORBIDDEN},
		{name: "MemberWithoutMissionForbidden", actor: ana, wantCode: peaceops.EFORBIDDEN},
		{name: "NoRolesForbidden", actor: nobody, wantCode: peaceops.EFORBIDDEN},
		{name: "AnonymousUnauthorized", actor: peaceops.Actor{}, wantCode: peaceops.EUNAUTHORIZED},
		{name: "InvalidFilter", actor: root, filter: audit.Filter{Limit: audit.MaxLimit + 1}, wantCode: peaceops.EINVALID},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		seedLog(t, db)
		svc := audit.NewService(db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := peaceops.NewContextWithActor(context.Background(), tt.actor)
				entries, next, err := svc.FindEntries(ctx, tt.filter)
				if code := peaceops.ErrorCode(err); code != tt.wantCode {
					t.Fatalf("code = %q (%v), want %q", code, err, tt.wantCode)
				}
				if err != nil {
					return
				}
				if got := seqs(entries); !slices.Equal(got, tt.wantSeqs) {
					t.Errorf("seqs = %v, want %v", got, tt.wantSeqs)
				}
				if next != "" {
					t.Errorf("next = %q, want none", next)
				}
			})
		}
	})
}

func TestFindEntriesEntryContent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		seedLog(t, db)
		entries, _, err := audit.NewService(db).FindEntries(systemContext(), audit.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		e := entries[0]
		if e.Seq != 6 || e.ActorID != ana.UserID || e.Actor != "ana" || e.Mission != "MONUSCO" ||
			e.EntityType != "event" || e.EntityID != "E2" || e.Action != "read" ||
			store.FromMillis(e.At) != t0.Add(5*time.Hour) || string(e.Before) != "null" || e.Hash != e.ComputeHash() {
			t.Errorf("entry = %+v", e)
		}
	})
}

func TestFindEntriesPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		seedLog(t, db)
		svc := audit.NewService(db)
		for _, tc := range []struct {
			actor peaceops.Actor
			want  []int64
		}{
			{root, []int64{6, 5, 4, 3, 2, 1}},
			{minusca, []int64{5, 2, 1}},
		} {
			ctx := peaceops.NewContextWithActor(context.Background(), tc.actor)
			var got []int64
			f := audit.Filter{Limit: 2}
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				entries, next, err := svc.FindEntries(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, seqs(entries)...)
				if next == "" {
					break
				}
				f.Cursor = next
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: pages gave %v, want %v", tc.actor.Name(), got, tc.want)
			}
		}
	})
}

func TestFilterValidate(t *testing.T) {
	tests := []struct {
		name       string
		filter     audit.Filter
		wantFields []string
	}{
		{"OK", audit.Filter{Limit: 10, From: t0, To: t0.Add(time.Hour), Cursor: "42"}, nil},
		{"OKZeroValue", audit.Filter{}, nil},
		{"OKMaxLimit", audit.Filter{Limit: audit.MaxLimit}, nil},
		{"OKFromEqualsTo", audit.Filter{From: t0, To: t0}, nil},
		{"ErrLimitTooLarge", audit.Filter{Limit: audit.MaxLimit + 1}, []string{"limit"}},
		{"ErrLimitNegative", audit.Filter{Limit: -1}, []string{"limit"}},
		{"ErrFromAfterTo", audit.Filter{From: t0.Add(time.Hour), To: t0}, []string{"from"}},
		{"ErrCursorNotANumber", audit.Filter{Cursor: "abc"}, []string{"cursor"}},
		{"ErrCursorZero", audit.Filter{Cursor: "0"}, []string{"cursor"}},
		{"ErrEveryFieldAtOnce", audit.Filter{Limit: -5, From: t0.Add(time.Hour), To: t0, Cursor: "-1"},
			[]string{"limit", "from", "cursor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.filter.Validate()
			var got []string
			for _, f := range peaceops.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tt.wantFields) {
				t.Fatalf("fields = %v (%v), want %v", got, err, tt.wantFields)
			}
			if tt.wantFields != nil && peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("code = %q, want invalid", peaceops.ErrorCode(err))
			}
		})
	}
}

func seqs(entries []store.AuditEntry) []int64 {
	out := []int64{}
	for _, e := range entries {
		out = append(out, e.Seq)
	}
	return out
}

// Entries about need-to-know records are in the chain but shown to no
// reader of the log, administrators included.
func TestFindEntriesHidesNeedToKnow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		seedLog(t, db)
		for _, typ := range []string{"allegation", "victim", "caafag"} {
			ctx := peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
			c := store.Change{Mission: "MINUSCA", EntityType: typ, EntityID: "X-" + typ, Action: "create"}
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, c) }); err != nil {
				t.Fatal(err)
			}
		}
		svc := audit.NewService(db)
		for _, a := range []peaceops.Actor{root, minusca} {
			for _, f := range []audit.Filter{{}, {Mission: "MINUSCA"}, {EntityType: "allegation"}, {EntityID: "X-victim"}} {
				if a.Username != "root" && f.Mission == "" {
					f.Mission = "MINUSCA"
				}
				got, _, err := svc.FindEntries(peaceops.NewContextWithActor(context.Background(), a), f)
				if err != nil {
					t.Fatalf("%s %+v: %v", a.Username, f, err)
				}
				for _, e := range got {
					if e.EntityType == "allegation" || e.EntityType == "victim" || e.EntityType == "caafag" {
						t.Errorf("%s %+v sees the %s entry", a.Username, f, e.EntityType)
					}
				}
			}
		}
		all, _, err := svc.FindEntries(peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor()), audit.Filter{Mission: "MINUSCA"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range all {
			if e.EntityType == "allegation" || e.EntityType == "victim" || e.EntityType == "caafag" {
				n++
			}
		}
		if n != 3 {
			t.Errorf("the system actor sees %d need-to-know entries, want 3", n)
		}
	})
}
