package access_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestCreateToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		e.mustUser(t, "root", true)
		u := e.mustUser(t, "amina", false)
		e.mustUser(t, "bob", false)
		e.mustMission(t, "MINUSCA")
		e.mustMember(t, "MINUSCA", "amina", peaceops.RoleReporter)
		ctx := context.Background()

		t.Run("OK", func(t *testing.T) {
			text, tok, err := e.svc.CreateToken(system(), "amina", "field laptop", 0)
			if err != nil {
				t.Fatal(err)
			}
			rest, ok := strings.CutPrefix(text, "po_")
			raw, err := base64.RawURLEncoding.DecodeString(rest)
			if !ok || err != nil || len(raw) < 32 {
				t.Fatalf("token %q is not po_ + 256 bits of base64url", text)
			}
			if !peaceops.ValidID(tok.ID) || tok.UserID != u.ID || tok.Username != "amina" || tok.Name != "field laptop" ||
				tok.ExpiresAt != nil || tok.LastUsedAt != nil || tok.RevokedAt != nil || !tok.CreatedAt.Equal(e.clock.Now()) {
				t.Fatalf("token = %+v", tok)
			}
			sum := sha256.Sum256([]byte(text))
			if n := e.count(t, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1`, hex.EncodeToString(sum[:])); n != 1 {
				t.Fatal("token not stored as its SHA-256")
			}
			a, err := e.svc.ActorForToken(ctx, text)
			if err != nil {
				t.Fatal(err)
			}
			if a.UserID != u.ID || a.Username != "amina" || a.SessionID != "" || !a.HasRole("MINUSCA", peaceops.RoleReporter) {
				t.Fatalf("actor = %+v", a)
			}
			entry := e.lastAudit(t, "create")
			if entry.EntityType != "token" || entry.EntityID != tok.ID || strings.Contains(string(entry.After), rest) {
				t.Fatalf("audit = %+v %s", entry, entry.After)
			}
		})
		t.Run("OKDefaultName", func(t *testing.T) {
			_, tok, err := e.svc.CreateToken(system(), "amina", "  ", 0)
			if err != nil || tok.Name != "default" {
				t.Fatalf("token = %+v, %v", tok, err)
			}
		})
		t.Run("OKSelf", func(t *testing.T) {
			_, _, err := e.svc.CreateToken(as(e.actor(t, "amina")), "amina", "mine", time.Hour)
			wantCode(t, err, "")
		})
		t.Run("OKAdminForOther", func(t *testing.T) {
			_, _, err := e.svc.CreateToken(as(e.actor(t, "root")), "bob", "for bob", 0)
			wantCode(t, err, "")
		})
		t.Run("ErrOtherUser", func(t *testing.T) {
			_, _, err := e.svc.CreateToken(as(e.actor(t, "bob")), "amina", "steal", 0)
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("ErrAnonymous", func(t *testing.T) {
			_, _, err := e.svc.CreateToken(ctx, "amina", "x", 0)
			wantCode(t, err, peaceops.EUNAUTHORIZED)
		})
		t.Run("ErrUnknownUser", func(t *testing.T) {
			_, _, err := e.svc.CreateToken(system(), "nobody", "x", 0)
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("ErrNegativeTTL", func(t *testing.T) {
			_, _, err := e.svc.CreateToken(system(), "amina", "x", -time.Second)
			if f := peaceops.ErrorFields(err); len(f) != 1 || f[0].Field != "ttl" {
				t.Fatalf("err = %v, want ttl invalid", err)
			}
		})
		t.Run("ErrLongName", func(t *testing.T) {
			_, _, err := e.svc.CreateToken(system(), "amina", strings.Repeat("n", 101), 0)
			wantCode(t, err, peaceops.EINVALID)
		})
		t.Run("ErrDisabledUser", func(t *testing.T) {
			d := e.mustUser(t, "off", false)
			if _, err := e.svc.UpdateUser(system(), "off", access.UserUpdate{Disabled: ptr(true)}, d.Version); err != nil {
				t.Fatal(err)
			}
			_, _, err := e.svc.CreateToken(system(), "off", "x", 0)
			wantCode(t, err, peaceops.ECONFLICT)
		})
	})
}

func TestActorForToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		ctx := context.Background()
		t.Run("ErrExpired", func(t *testing.T) {
			e.mustUser(t, "temp", false)
			text, _, err := e.svc.CreateToken(system(), "temp", "short", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(59 * time.Minute)
			if _, err := e.svc.ActorForToken(ctx, text); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute)
			_, err = e.svc.ActorForToken(ctx, text)
			wantCode(t, err, peaceops.EUNAUTHORIZED)
		})
		t.Run("ErrDisabledUser", func(t *testing.T) {
			u := e.mustUser(t, "suspended", false)
			text, _, err := e.svc.CreateToken(system(), "suspended", "x", 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.UpdateUser(system(), "suspended", access.UserUpdate{Disabled: ptr(true)}, u.Version); err != nil {
				t.Fatal(err)
			}
			_, err = e.svc.ActorForToken(ctx, text)
			wantCode(t, err, peaceops.EUNAUTHORIZED)
		})
		t.Run("ErrGarbage", func(t *testing.T) {
			for _, s := range []string{"", "po_", "po_short", "po_" + strings.Repeat("A", 43), strings.Repeat("A", 43), "xx_" + strings.Repeat("A", 43)} {
				_, err := e.svc.ActorForToken(ctx, s)
				wantCode(t, err, peaceops.EUNAUTHORIZED)
			}
		})
		t.Run("ErrSessionTokenIsNotAnAPIToken", func(t *testing.T) {
			e.mustUser(t, "mixer", false)
			_, err := e.svc.ActorForToken(ctx, "po_"+e.mustLogin(t, "mixer"))
			wantCode(t, err, peaceops.EUNAUTHORIZED)
		})
		t.Run("LastUsedAtMostOncePerMinute", func(t *testing.T) {
			e.mustUser(t, "script", false)
			text, tok, err := e.svc.CreateToken(system(), "script", "cron", 0)
			if err != nil {
				t.Fatal(err)
			}
			lastUsed := func() *time.Time {
				tokens, err := e.svc.FindTokens(system(), "script")
				if err != nil || len(tokens) != 1 || tokens[0].ID != tok.ID {
					t.Fatalf("tokens = %v, %v", tokens, err)
				}
				return tokens[0].LastUsedAt
			}
			first := e.clock.Now()
			if _, err := e.svc.ActorForToken(ctx, text); err != nil {
				t.Fatal(err)
			}
			if got := lastUsed(); got == nil || !got.Equal(first) {
				t.Fatalf("last used = %v after first use, want %v", got, first)
			}
			e.clock.Advance(30 * time.Second)
			e.svc.ActorForToken(ctx, text)
			if got := lastUsed(); !got.Equal(first) {
				t.Fatalf("last used = %v within the minute, want %v", got, first)
			}
			e.clock.Advance(30 * time.Second)
			e.svc.ActorForToken(ctx, text)
			if got := lastUsed(); !got.Equal(e.clock.Now()) {
				t.Fatalf("last used = %v after a minute, want %v", got, e.clock.Now())
			}
		})
	})
}

func TestRevokeToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		e.mustUser(t, "root", true)
		e.mustUser(t, "amina", false)
		e.mustUser(t, "bob", false)
		ctx := context.Background()
		amina := e.actor(t, "amina")

		t.Run("OKOwner", func(t *testing.T) {
			text, tok, err := e.svc.CreateToken(system(), "amina", "laptop", 0)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second)
			if err := e.svc.RevokeToken(as(amina), tok.ID); err != nil {
				t.Fatal(err)
			}
			_, err = e.svc.ActorForToken(ctx, text)
			wantCode(t, err, peaceops.EUNAUTHORIZED)
			entry := e.lastAudit(t, "revoke")
			if entry.EntityType != "token" || entry.EntityID != tok.ID || entry.ActorID != amina.UserID {
				t.Errorf("audit = %+v", entry)
			}
			tokens, err := e.svc.FindTokens(as(amina), "amina")
			if err != nil {
				t.Fatal(err)
			}
			if len(tokens) != 1 || tokens[0].RevokedAt == nil || !tokens[0].RevokedAt.Equal(e.clock.Now()) {
				t.Fatalf("tokens = %+v", tokens)
			}
			t.Run("AgainIsNoOp", func(t *testing.T) {
				n := len(e.audit(t))
				wantCode(t, e.svc.RevokeToken(as(amina), tok.ID), "")
				if len(e.audit(t)) != n {
					t.Error("revoking twice was audited twice")
				}
			})
		})
		t.Run("OKAdmin", func(t *testing.T) {
			_, tok, _ := e.svc.CreateToken(system(), "bob", "x", 0)
			wantCode(t, e.svc.RevokeToken(as(e.actor(t, "root")), tok.ID), "")
		})
		t.Run("ErrOtherUser", func(t *testing.T) {
			text, tok, _ := e.svc.CreateToken(system(), "bob", "x", 0)
			wantCode(t, e.svc.RevokeToken(as(amina), tok.ID), peaceops.ENOTFOUND)
			if _, err := e.svc.ActorForToken(ctx, text); err != nil {
				t.Fatalf("token revoked by a stranger: %v", err)
			}
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			wantCode(t, e.svc.RevokeToken(system(), peaceops.NewID()), peaceops.ENOTFOUND)
		})
	})
}

func TestFindTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		e.mustUser(t, "amina", false)
		e.mustUser(t, "bob", false)
		for _, name := range []string{"one", "two"} {
			if _, _, err := e.svc.CreateToken(system(), "amina", name, 0); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("OK", func(t *testing.T) {
			tokens, err := e.svc.FindTokens(as(e.actor(t, "amina")), "amina")
			if err != nil {
				t.Fatal(err)
			}
			if len(tokens) != 2 || tokens[0].Name != "one" || tokens[1].Name != "two" {
				t.Fatalf("tokens = %+v", tokens)
			}
		})
		t.Run("OKNone", func(t *testing.T) {
			tokens, err := e.svc.FindTokens(system(), "bob")
			if err != nil || tokens == nil || len(tokens) != 0 {
				t.Fatalf("tokens = %v, %v; want an empty list", tokens, err)
			}
		})
		t.Run("ErrOtherUser", func(t *testing.T) {
			_, err := e.svc.FindTokens(as(e.actor(t, "bob")), "amina")
			wantCode(t, err, peaceops.ENOTFOUND)
		})
	})
}
