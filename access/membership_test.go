package access_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestAddMember(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		for _, code := range []string{"MINUSCA", "MONUSCO"} {
			e.mustMission(t, code)
		}
		e.mustUser(t, "root", true)
		for _, name := range []string{"boss", "other.boss", "analyst", "amina", "bob"} {
			e.mustUser(t, name, false)
		}
		e.mustMember(t, "MINUSCA", "boss", peaceops.RoleMissionAdmin)
		e.mustMember(t, "MONUSCO", "other.boss", peaceops.RoleMissionAdmin)
		e.mustMember(t, "MINUSCA", "analyst", peaceops.RoleAnalyst)
		admin, boss, otherBoss, analyst := e.actor(t, "root"), e.actor(t, "boss"), e.actor(t, "other.boss"), e.actor(t, "analyst")

		t.Run("OKAdmin", func(t *testing.T) {
			if err := e.svc.AddMember(as(admin), "MINUSCA", "amina", peaceops.RoleViewer); err != nil {
				t.Fatal(err)
			}
			entry := e.lastAudit(t, "create")
			if entry.Mission != "MINUSCA" || entry.EntityType != "membership" || entry.ActorID != admin.UserID ||
				!strings.Contains(string(entry.After), `"role":"viewer"`) || !strings.Contains(string(entry.After), `"username":"amina"`) {
				t.Fatalf("audit = %+v %s", entry, entry.After)
			}
			if a := e.actor(t, "amina"); !reflect.DeepEqual(a.Roles, map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleViewer}}) {
				t.Fatalf("roles = %v", a.Roles)
			}
		})
		t.Run("OKIdempotent", func(t *testing.T) {
			n := len(e.audit(t))
			if err := e.svc.AddMember(as(admin), "MINUSCA", "amina", peaceops.RoleViewer); err != nil {
				t.Fatal(err)
			}
			if len(e.audit(t)) != n {
				t.Error("granting a held role was audited")
			}
		})
		t.Run("OKMissionAdmin", func(t *testing.T) {
			if err := e.svc.AddMember(as(boss), "MINUSCA", "amina", peaceops.RoleReporter); err != nil {
				t.Fatal(err)
			}
			want := map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleReporter, peaceops.RoleViewer}}
			if a := e.actor(t, "amina"); !reflect.DeepEqual(a.Roles, want) {
				t.Fatalf("roles = %v, want %v", a.Roles, want)
			}
		})
		t.Run("OKSeveralMissions", func(t *testing.T) {
			if err := e.svc.AddMember(as(otherBoss), "MONUSCO", "amina", peaceops.RoleAnalyst); err != nil {
				t.Fatal(err)
			}
			a := e.actor(t, "amina")
			if len(a.Roles) != 2 || !a.HasRole("MONUSCO", peaceops.RoleAnalyst) || !a.HasRole("MINUSCA", peaceops.RoleViewer) {
				t.Fatalf("roles = %v", a.Roles)
			}
		})
		tests := []struct {
			name     string
			ctx      context.Context
			mission  string
			username string
			role     peaceops.Role
			want     string
		}{
			{"ErrOtherMissionAdmin", as(otherBoss), "MINUSCA", "bob", peaceops.RoleViewer, peaceops.ENOTFOUND},
			{"ErrMemberNotAdmin", as(analyst), "MINUSCA", "bob", peaceops.RoleViewer, peaceops.EFORBIDDEN},
			{"ErrAnonymous", context.Background(), "MINUSCA", "bob", peaceops.RoleViewer, peaceops.EUNAUTHORIZED},
			{"ErrUnknownMission", as(admin), "UNMISS", "bob", peaceops.RoleViewer, peaceops.ENOTFOUND},
			{"ErrUnknownUser", as(admin), "MINUSCA", "nobody", peaceops.RoleViewer, peaceops.ENOTFOUND},
			{"ErrUnknownRole", as(admin), "MINUSCA", "bob", "overlord", peaceops.EINVALID},
			{"ErrGlobalAdminIsNotAMissionRole", as(admin), "MINUSCA", "bob", "admin", peaceops.EINVALID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := e.svc.AddMember(tt.ctx, tt.mission, tt.username, tt.role)
				wantCode(t, err, tt.want)
				if tt.want == peaceops.EINVALID {
					if f := peaceops.ErrorFields(err); len(f) != 1 || f[0].Field != "role" {
						t.Fatalf("fields = %v, want role", f)
					}
				}
			})
		}
		t.Run("UnknownMissionLooksLikeInvisibleOne", func(t *testing.T) {
			a := e.svc.AddMember(as(otherBoss), "MINUSCA", "bob", peaceops.RoleViewer)
			b := e.svc.AddMember(as(otherBoss), "UNMISS", "bob", peaceops.RoleViewer)
			if peaceops.ErrorMessage(a) != peaceops.ErrorMessage(b) {
				t.Fatalf("messages differ: %q vs %q", peaceops.ErrorMessage(a), peaceops.ErrorMessage(b))
			}
		})
	})
}

func TestRemoveMember(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		e.mustMission(t, "MINUSCA")
		e.mustUser(t, "boss", false)
		e.mustUser(t, "amina", false)
		e.mustMember(t, "MINUSCA", "boss", peaceops.RoleMissionAdmin)
		e.mustMember(t, "MINUSCA", "amina", peaceops.RoleViewer)
		e.mustMember(t, "MINUSCA", "amina", peaceops.RoleAnalyst)
		token := e.mustLogin(t, "amina")
		boss := e.actor(t, "boss")

		t.Run("OK", func(t *testing.T) {
			if err := e.svc.RemoveMember(as(boss), "MINUSCA", "amina", peaceops.RoleAnalyst); err != nil {
				t.Fatal(err)
			}
			a, err := e.svc.ActorForSession(context.Background(), token)
			if err != nil {
				t.Fatal(err)
			}
			if a.HasRole("MINUSCA", peaceops.RoleAnalyst) || !a.HasRole("MINUSCA", peaceops.RoleViewer) {
				t.Fatalf("roles after removal = %v", a.Roles)
			}
			entry := e.lastAudit(t, "delete")
			if entry.Mission != "MINUSCA" || entry.EntityType != "membership" || !strings.Contains(string(entry.Before), `"role":"analyst"`) {
				t.Fatalf("audit = %+v %s", entry, entry.Before)
			}
		})
		t.Run("OKNotHeld", func(t *testing.T) {
			n := len(e.audit(t))
			wantCode(t, e.svc.RemoveMember(as(boss), "MINUSCA", "amina", peaceops.RoleAnalyst), "")
			if len(e.audit(t)) != n {
				t.Error("removing a role not held was audited")
			}
		})
		t.Run("ErrMemberNotAdmin", func(t *testing.T) {
			a, _ := e.svc.ActorForSession(context.Background(), token)
			wantCode(t, e.svc.RemoveMember(as(a), "MINUSCA", "boss", peaceops.RoleMissionAdmin), peaceops.EFORBIDDEN)
		})
		t.Run("ErrBadRole", func(t *testing.T) {
			wantCode(t, e.svc.RemoveMember(as(boss), "MINUSCA", "amina", ""), peaceops.EINVALID)
		})
	})
}

func TestFindMembers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		e.mustMission(t, "MINUSCA")
		e.mustMission(t, "MONUSCO")
		e.mustUser(t, "root", true)
		for _, name := range []string{"zoe", "amina", "outsider"} {
			e.mustUser(t, name, false)
		}
		e.mustMember(t, "MINUSCA", "zoe", peaceops.RoleViewer)
		e.mustMember(t, "MINUSCA", "amina", peaceops.RoleViewer)
		e.mustMember(t, "MINUSCA", "amina", peaceops.RoleAnalyst)
		e.mustMember(t, "MONUSCO", "outsider", peaceops.RoleMissionAdmin)
		want := []access.Member{
			{Username: "amina", DisplayName: "User amina", Roles: []peaceops.Role{peaceops.RoleAnalyst, peaceops.RoleViewer}},
			{Username: "zoe", DisplayName: "User zoe", Roles: []peaceops.Role{peaceops.RoleViewer}},
		}
		tests := []struct {
			name string
			ctx  context.Context
			code string
		}{
			{"OKMember", as(e.actor(t, "zoe")), ""},
			{"OKAdmin", as(e.actor(t, "root")), ""},
			{"ErrOtherMission", as(e.actor(t, "outsider")), peaceops.ENOTFOUND},
			{"ErrAnonymous", context.Background(), peaceops.EUNAUTHORIZED},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := e.svc.FindMembers(tt.ctx, "MINUSCA")
				wantCode(t, err, tt.code)
				if err == nil && !reflect.DeepEqual(got, want) {
					t.Fatalf("members = %+v, want %+v", got, want)
				}
			})
		}
		t.Run("OKEmpty", func(t *testing.T) {
			e.mustMission(t, "UNMISS")
			got, err := e.svc.FindMembers(system(), "UNMISS")
			if err != nil || got == nil || len(got) != 0 {
				t.Fatalf("members = %v, %v; want an empty list", got, err)
			}
		})
		t.Run("ErrUnknownMission", func(t *testing.T) {
			for _, code := range []string{"NOPE", "", "NUL\x00", "\xff"} {
				_, err := e.svc.FindMembers(system(), code)
				wantCode(t, err, peaceops.ENOTFOUND)
			}
		})
	})
}
