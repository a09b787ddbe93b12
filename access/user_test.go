package access_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestUserCreateValidate(t *testing.T) {
	ok := access.UserCreate{Username: "amina.diallo", Password: "twelve chars", DisplayName: "Amina Diallo"}
	tests := []struct {
		name   string
		edit   func(*access.UserCreate)
		fields []string
	}{
		{"OK", func(*access.UserCreate) {}, nil},
		{"OKShortest", func(c *access.UserCreate) { c.Username = "a-1" }, nil},
		{"OKLongest", func(c *access.UserCreate) { c.Username = strings.Repeat("x", 64) }, nil},
		{"OKUnicodePassword", func(c *access.UserCreate) { c.Password = "mot-de-passe-été" }, nil},
		{"OKNoDisplayName", func(c *access.UserCreate) { c.DisplayName = "" }, nil},
		{"ErrUsernameShort", func(c *access.UserCreate) { c.Username = "ab" }, []string{"username"}},
		{"ErrUsernameLong", func(c *access.UserCreate) { c.Username = strings.Repeat("x", 65) }, []string{"username"}},
		{"ErrUsernameUppercase", func(c *access.UserCreate) { c.Username = "Amina" }, []string{"username"}},
		{"ErrUsernameSpace", func(c *access.UserCreate) { c.Username = "amina diallo" }, []string{"username"}},
		{"ErrUsernameAt", func(c *access.UserCreate) { c.Username = "amina@un.org" }, []string{"username"}},
		{"ErrPasswordShort", func(c *access.UserCreate) { c.Password = "eleven char" }, []string{"password"}},
		{"ErrPasswordLong", func(c *access.UserCreate) { c.Password = strings.Repeat("p", 1025) }, []string{"password"}},
		{"ErrDisplayNameNewline", func(c *access.UserCreate) { c.DisplayName = "a\nb" }, []string{"display_name"}},
		{"ErrDisplayNameLong", func(c *access.UserCreate) { c.DisplayName = strings.Repeat("n", 201) }, []string{"display_name"}},
		{"ErrAllAtOnce", func(c *access.UserCreate) { *c = access.UserCreate{DisplayName: "\x00"} }, []string{"username", "password", "display_name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			if tt.fields == nil {
				wantCode(t, err, "")
				return
			}
			wantCode(t, err, peaceops.EINVALID)
			var got []string
			for _, f := range peaceops.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestUserUpdateValidate(t *testing.T) {
	tests := []struct {
		name  string
		upd   access.UserUpdate
		field string
	}{
		{"OKEmpty", access.UserUpdate{}, ""},
		{"OKLanguageFr", access.UserUpdate{Language: ptr("fr")}, ""},
		{"OKLanguageRegion", access.UserUpdate{Language: ptr("pt-BR")}, ""},
		{"OKLanguageNone", access.UserUpdate{Language: ptr("")}, ""},
		{"ErrLanguage", access.UserUpdate{Language: ptr("French")}, "language"},
		{"ErrLanguageRegion", access.UserUpdate{Language: ptr("fr-")}, "language"},
		{"ErrPassword", access.UserUpdate{Password: ptr("short")}, "password"},
		{"ErrDisplayName", access.UserUpdate{DisplayName: ptr("tab\there")}, "display_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.upd.Validate()
			if tt.field == "" {
				wantCode(t, err, "")
				return
			}
			fields := peaceops.ErrorFields(err)
			if len(fields) != 1 || fields[0].Field != tt.field {
				t.Fatalf("err = %v, want one problem with %s", err, tt.field)
			}
		})
	}
}

func TestCreateUser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		t.Run("OK", func(t *testing.T) {
			u, err := e.svc.CreateUser(system(), access.UserCreate{Username: "amina", Password: password, DisplayName: "Amina Diallo", Admin: true})
			if err != nil {
				t.Fatal(err)
			}
			if !peaceops.ValidID(u.ID) || u.Username != "amina" || u.DisplayName != "Amina Diallo" || !u.Admin || u.Disabled || u.Version != 1 {
				t.Fatalf("user = %+v", u)
			}
			if !u.CreatedAt.Equal(e.clock.Now()) || !u.UpdatedAt.Equal(u.CreatedAt) {
				t.Errorf("times = %v, %v; want %v", u.CreatedAt, u.UpdatedAt, e.clock.Now())
			}
			b, _ := json.Marshal(u)
			if strings.Contains(string(b), "argon2") || strings.Contains(strings.ToLower(string(b)), "password") {
				t.Errorf("JSON of a user leaks the hash: %s", b)
			}
			for _, key := range []string{`"display_name"`, `"created_at"`, `"updated_at"`} {
				if !strings.Contains(string(b), key) {
					t.Errorf("JSON %s lacks %s", b, key)
				}
			}
			a := e.lastAudit(t, "create")
			if a.EntityType != "user" || a.EntityID != u.ID || a.Actor != "system" {
				t.Errorf("audit = %+v", a)
			}
			if strings.Contains(string(a.After), "argon2") || !strings.Contains(string(a.After), `"password_hash":"[redacted]"`) {
				t.Errorf("audit after = %s, want the hash redacted", a.After)
			}
			var stored string
			e.db.View(context.Background(), func(tx *store.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&stored)
			})
			if ok, err := access.VerifyPassword(stored, password); err != nil || !ok {
				t.Errorf("stored hash %q does not verify: %v", stored, err)
			}
		})
		t.Run("ErrDuplicate", func(t *testing.T) {
			e.mustUser(t, "dup.user", false)
			_, err := e.svc.CreateUser(system(), access.UserCreate{Username: "dup.user", Password: password})
			wantCode(t, err, peaceops.ECONFLICT)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := e.svc.CreateUser(system(), access.UserCreate{Username: "x", Password: password})
			wantCode(t, err, peaceops.EINVALID)
		})
		t.Run("AdminMay", func(t *testing.T) {
			admin := e.actor(t, "amina")
			_, err := e.svc.CreateUser(as(admin), access.UserCreate{Username: "by.admin", Password: password})
			wantCode(t, err, "")
		})
		t.Run("ErrNotAdmin", func(t *testing.T) {
			e.mustUser(t, "plain", false)
			_, err := e.svc.CreateUser(as(e.actor(t, "plain")), access.UserCreate{Username: "by.plain", Password: password})
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrAnonymous", func(t *testing.T) {
			_, err := e.svc.CreateUser(context.Background(), access.UserCreate{Username: "by.nobody", Password: password})
			wantCode(t, err, peaceops.EUNAUTHORIZED)
		})
	})
}

func TestFindUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		for _, name := range []string{"carla", "alice", "bruno", "a_b"} {
			e.mustUser(t, name, false)
		}
		names := func(users []*access.User) string {
			var s []string
			for _, u := range users {
				s = append(s, u.Username)
			}
			return strings.Join(s, " ")
		}
		tests := []struct {
			name string
			f    access.UserFilter
			want string
		}{
			{"All", access.UserFilter{}, "a_b alice bruno carla"},
			{"Limit", access.UserFilter{Limit: 2}, "a_b alice"},
			{"After", access.UserFilter{After: "alice"}, "bruno carla"},
			{"QueryUsername", access.UserFilter{Query: "RUN"}, "bruno"},
			{"QueryDisplayName", access.UserFilter{Query: "user c"}, "carla"},
			{"QueryLikeIsLiteral", access.UserFilter{Query: "_"}, "a_b"},
			{"QueryNone", access.UserFilter{Query: "%zz"}, ""},
			{"QueryNotText", access.UserFilter{Query: "\xff\x00"}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				users, err := e.svc.FindUsers(system(), tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := names(users); got != tt.want {
					t.Fatalf("users = %q, want %q", got, tt.want)
				}
			})
		}
		t.Run("ErrNotAdmin", func(t *testing.T) {
			_, err := e.svc.FindUsers(as(e.actor(t, "alice")), access.UserFilter{})
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrAnonymous", func(t *testing.T) {
			_, err := e.svc.FindUsers(context.Background(), access.UserFilter{})
			wantCode(t, err, peaceops.EUNAUTHORIZED)
		})
	})
}

func TestFindUserByUsername(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		e.mustUser(t, "root", true)
		e.mustUser(t, "alice", false)
		e.mustUser(t, "bob", false)
		admin, alice := e.actor(t, "root"), e.actor(t, "alice")
		tests := []struct {
			name     string
			ctx      context.Context
			username string
			want     string
		}{
			{"AdminSeesAnyone", as(admin), "bob", ""},
			{"SystemSeesAnyone", system(), "bob", ""},
			{"UserSeesThemself", as(alice), "alice", ""},
			{"ErrOtherUserDoesNotExist", as(alice), "bob", peaceops.ENOTFOUND},
			{"ErrUnknown", as(admin), "nobody", peaceops.ENOTFOUND},
			{"ErrUnknownForUser", as(alice), "nobody", peaceops.ENOTFOUND},
			{"ErrAnonymous", context.Background(), "bob", peaceops.EUNAUTHORIZED},
			{"ErrAnonymousUnknown", context.Background(), "nobody", peaceops.EUNAUTHORIZED},
			{"ErrNotText", as(admin), "bob\x00\xff", peaceops.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u, err := e.svc.FindUserByUsername(tt.ctx, tt.username)
				wantCode(t, err, tt.want)
				if err == nil && u.Username != tt.username {
					t.Fatalf("found %s, want %s", u.Username, tt.username)
				}
			})
		}
	})
}

func TestUpdateUser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		e.mustUser(t, "root", true)
		admin := e.actor(t, "root")
		t.Run("OKSelfProfile", func(t *testing.T) {
			u := e.mustUser(t, "self.edit", false)
			me := e.actor(t, "self.edit")
			e.clock.Advance(3e9)
			got, err := e.svc.UpdateUser(as(me), "self.edit", access.UserUpdate{DisplayName: ptr("Nouveau Nom"), Language: ptr("fr")}, u.Version)
			if err != nil {
				t.Fatal(err)
			}
			if got.DisplayName != "Nouveau Nom" || got.Language != "fr" || got.Version != 2 || !got.UpdatedAt.After(u.UpdatedAt) || !got.CreatedAt.Equal(u.CreatedAt) {
				t.Fatalf("updated = %+v", got)
			}
			a := e.lastAudit(t, "update")
			if a.EntityID != u.ID || a.Actor != "self.edit" || !strings.Contains(string(a.Before), "User self.edit") || !strings.Contains(string(a.After), "Nouveau Nom") {
				t.Fatalf("audit = %+v %s %s", a, a.Before, a.After)
			}
			if !strings.Contains(string(a.After), `"password_hash":"[redacted]"`) {
				t.Errorf("unchanged password shown as %s", a.After)
			}
		})
		t.Run("ErrSelfAdmin", func(t *testing.T) {
			u := e.mustUser(t, "climber", false)
			_, err := e.svc.UpdateUser(as(e.actor(t, "climber")), "climber", access.UserUpdate{Admin: ptr(true)}, u.Version)
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrOtherUser", func(t *testing.T) {
			u := e.mustUser(t, "victim.user", false)
			e.mustUser(t, "meddler", false)
			_, err := e.svc.UpdateUser(as(e.actor(t, "meddler")), "victim.user", access.UserUpdate{DisplayName: ptr("x")}, u.Version)
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("ErrStaleVersion", func(t *testing.T) {
			u := e.mustUser(t, "stale", false)
			_, err := e.svc.UpdateUser(as(admin), "stale", access.UserUpdate{DisplayName: ptr("x")}, u.Version+1)
			wantCode(t, err, peaceops.EPRECONDITION)
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			_, err := e.svc.UpdateUser(as(admin), "nobody", access.UserUpdate{DisplayName: ptr("x")}, 1)
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := e.svc.UpdateUser(as(admin), "root", access.UserUpdate{Password: ptr("short")}, 1)
			wantCode(t, err, peaceops.EINVALID)
		})
		t.Run("OKAdminGrantsAdmin", func(t *testing.T) {
			u := e.mustUser(t, "promoted", false)
			token := e.mustLogin(t, "promoted")
			got, err := e.svc.UpdateUser(as(admin), "promoted", access.UserUpdate{Admin: ptr(true)}, u.Version)
			if err != nil || !got.Admin {
				t.Fatalf("update = %+v, %v", got, err)
			}
			// Sessions see the change at their next request.
			a, err := e.svc.ActorForSession(context.Background(), token)
			if err != nil || !a.Admin {
				t.Fatalf("actor = %+v, %v; want admin", a, err)
			}
		})
		t.Run("OKDisableEndsSessions", func(t *testing.T) {
			u := e.mustUser(t, "leaving", false)
			token := e.mustLogin(t, "leaving")
			if _, err := e.svc.UpdateUser(as(admin), "leaving", access.UserUpdate{Disabled: ptr(true)}, u.Version); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.ActorForSession(context.Background(), token)
			wantCode(t, err, peaceops.EUNAUTHORIZED)
			if n := e.count(t, `SELECT COUNT(*) FROM sessions WHERE user_id = $1`, u.ID); n != 0 {
				t.Fatalf("%d sessions left", n)
			}
			_, _, err = e.svc.Login(context.Background(), "leaving", password, "")
			wantCode(t, err, peaceops.EUNAUTHORIZED)
		})
		t.Run("OKAdminResetsPassword", func(t *testing.T) {
			u := e.mustUser(t, "forgetful", false)
			old := e.mustLogin(t, "forgetful")
			if _, err := e.svc.UpdateUser(as(admin), "forgetful", access.UserUpdate{Password: ptr("a brand new passphrase")}, u.Version); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.ActorForSession(context.Background(), old); peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
				t.Errorf("old session survived a password reset: %v", err)
			}
			if _, _, err := e.svc.Login(context.Background(), "forgetful", "a brand new passphrase", ""); err != nil {
				t.Errorf("login with the new password: %v", err)
			}
			a := e.lastAudit(t, "update")
			if !strings.Contains(string(a.After), `"password_hash":"[redacted: changed]"`) || strings.Contains(string(a.After), "argon2") {
				t.Errorf("audit after = %s, want the hash shown only as changed", a.After)
			}
		})
		t.Run("SelfPassword", func(t *testing.T) {
			u := e.mustUser(t, "changer", false)
			other := e.mustLogin(t, "changer")
			current := e.mustLogin(t, "changer")
			me, err := e.svc.ActorForSession(context.Background(), current)
			if err != nil {
				t.Fatal(err)
			}
			t.Run("ErrNoCurrentPassword", func(t *testing.T) {
				_, err := e.svc.UpdateUser(as(me), "changer", access.UserUpdate{Password: ptr("another long passphrase")}, u.Version)
				if fields := peaceops.ErrorFields(err); len(fields) != 1 || fields[0].Field != "current_password" {
					t.Fatalf("err = %v, want current_password required", err)
				}
			})
			t.Run("ErrWrongCurrentPassword", func(t *testing.T) {
				_, err := e.svc.UpdateUser(as(me), "changer", access.UserUpdate{Password: ptr("another long passphrase"), CurrentPassword: ptr("not my password")}, u.Version)
				if fields := peaceops.ErrorFields(err); len(fields) != 1 || fields[0].Field != "current_password" {
					t.Fatalf("err = %v, want current_password wrong", err)
				}
			})
			t.Run("OK", func(t *testing.T) {
				_, err := e.svc.UpdateUser(as(me), "changer", access.UserUpdate{Password: ptr("another long passphrase"), CurrentPassword: ptr(password)}, u.Version)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.svc.ActorForSession(context.Background(), current); err != nil {
					t.Errorf("the session that changed the password ended: %v", err)
				}
				if _, err := e.svc.ActorForSession(context.Background(), other); peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
					t.Errorf("another session survived the change: %v", err)
				}
			})
		})
	})
}
