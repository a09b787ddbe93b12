package access_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

func TestLogin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		u := e.mustUser(t, "amina", false)
		e.mustMission(t, "MINUSCA")
		e.mustMember(t, "MINUSCA", "amina", peaceops.RoleAnalyst)
		ctx := context.Background()

		t.Run("OK", func(t *testing.T) {
			token, expires, err := e.svc.Login(ctx, "amina", password, "192.0.2.7")
			if err != nil {
				t.Fatal(err)
			}
			raw, err := base64.RawURLEncoding.DecodeString(token)
			if err != nil || len(raw) < 32 {
				t.Fatalf("token %q is not >= 256 bits of base64url: %v", token, err)
			}
			if want := e.clock.Now().Add(12 * time.Hour); !expires.Equal(want) {
				t.Errorf("expires = %v, want %v", expires, want)
			}
			a, err := e.svc.ActorForSession(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			if a.UserID != u.ID || a.Username != "amina" || a.Admin || !a.HasRole("MINUSCA", peaceops.RoleAnalyst) || len(a.Roles) != 1 {
				t.Fatalf("actor = %+v", a)
			}
			sum := sha256.Sum256([]byte(token))
			if a.SessionID != hex.EncodeToString(sum[:]) {
				t.Errorf("session id = %q, want the SHA-256 of the token", a.SessionID)
			}
			if n := e.count(t, `SELECT COUNT(*) FROM sessions WHERE id = $1`, token); n != 0 {
				t.Error("the token itself is stored")
			}
			entry := e.lastAudit(t, "login")
			if entry.EntityType != "user" || entry.EntityID != u.ID || entry.ActorID != u.ID || entry.Actor != "amina" || !strings.Contains(string(entry.After), "192.0.2.7") {
				t.Errorf("audit = %+v %s", entry, entry.After)
			}
		})
		t.Run("OKUsernameCaseInsensitive", func(t *testing.T) {
			_, _, err := e.svc.Login(ctx, " Amina ", password, "192.0.2.7")
			wantCode(t, err, "")
		})
		t.Run("ErrWrongPassword", func(t *testing.T) {
			_, _, err := e.svc.Login(ctx, "amina", "wrong password!", "192.0.2.7")
			wantCode(t, err, peaceops.EUNAUTHORIZED)
			if msg := peaceops.ErrorMessage(err); msg != "invalid username or password" {
				t.Errorf("message = %q", msg)
			}
			entry := e.lastAudit(t, "login_failed")
			if entry.EntityType != "user" || entry.EntityID != u.ID || entry.ActorID != "" || !strings.Contains(string(entry.After), "wrong password") {
				t.Errorf("audit = %+v %s", entry, entry.After)
			}
			if strings.Contains(string(entry.After), "wrong password!") {
				t.Error("the attempted password is in the audit log")
			}
		})
		t.Run("ErrUnknownUser", func(t *testing.T) {
			_, _, err := e.svc.Login(ctx, "nobody", password, "192.0.2.7")
			wantCode(t, err, peaceops.EUNAUTHORIZED)
			if msg := peaceops.ErrorMessage(err); msg != "invalid username or password" {
				t.Errorf("message = %q, want the same as a wrong password", msg)
			}
			entry := e.lastAudit(t, "login_failed")
			if entry.EntityType != "user" || entry.EntityID != "" || !strings.Contains(string(entry.After), `"username":"nobody"`) {
				t.Errorf("audit = %+v %s", entry, entry.After)
			}
		})
		t.Run("ErrInvalidUsername", func(t *testing.T) {
			for _, name := range []string{strings.Repeat("ü", 500), "bad\xff\xfe", "nul\x00name", ""} {
				_, _, err := e.svc.Login(ctx, name, password, "192.0.2.7\x00\xff")
				wantCode(t, err, peaceops.EUNAUTHORIZED)
			}
		})
		t.Run("ErrDisabled", func(t *testing.T) {
			d := e.mustUser(t, "gone", false)
			if _, err := e.svc.UpdateUser(system(), "gone", access.UserUpdate{Disabled: ptr(true)}, d.Version); err != nil {
				t.Fatal(err)
			}
			_, _, err := e.svc.Login(ctx, "gone", password, "192.0.2.7")
			wantCode(t, err, peaceops.EUNAUTHORIZED)
			if msg := peaceops.ErrorMessage(err); msg != "invalid username or password" {
				t.Errorf("message = %q, want the same as a wrong password", msg)
			}
		})
	})
}

func TestLoginSpendsTimeOnUnknownUsers(t *testing.T) {
	// An unknown username must cost about as much as a known one, or the
	// response time tells which usernames exist.
	db := storetest.Open(t, store.SQLite)
	params := access.Argon2Params{Memory: 8 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	e := newEnv(t, db, access.Options{Argon2: &params, MaxFailuresUser: 100, MaxFailuresIP: 100})
	e.mustUser(t, "known", false)
	fastest := func(username string) time.Duration {
		best := time.Hour
		for range 5 {
			start := time.Now()
			e.svc.Login(context.Background(), username, "wrong password", "")
			best = min(best, time.Since(start))
		}
		return best
	}
	e.svc.Login(context.Background(), "warmup", "x", "") // makes the dummy hash
	known, unknown := fastest("known"), fastest("unknown")
	if unknown < known/2 {
		t.Fatalf("unknown user took %v, known %v: the difference reveals usernames", unknown, known)
	}
}

func TestLoginThrottle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{MaxFailuresUser: 3, MaxFailuresIP: 5, ThrottleWindow: 15 * time.Minute})
		ctx := context.Background()
		login := func(username, pw, ip string) error {
			_, _, err := e.svc.Login(ctx, username, pw, ip)
			return err
		}
		t.Run("PerUser", func(t *testing.T) {
			e.mustUser(t, "target", false)
			for i := range 3 {
				wantCode(t, login("target", "wrong password", fmt.Sprintf("198.51.100.%d", i)), peaceops.EUNAUTHORIZED)
			}
			// Refused before the password is checked: the right one too.
			err := login("TARGET", password, "198.51.100.99")
			wantCode(t, err, peaceops.ETOOMANY)
			before := len(e.audit(t))
			wantCode(t, login("target", password, "198.51.100.99"), peaceops.ETOOMANY)
			if after := len(e.audit(t)); after != before {
				t.Errorf("throttled attempts wrote %d audit entries", after-before)
			}
			e.clock.Advance(15*time.Minute + time.Second)
			wantCode(t, login("target", password, "198.51.100.99"), "")
		})
		t.Run("SuccessClearsUserFailures", func(t *testing.T) {
			e.mustUser(t, "typo", false)
			for range 2 {
				wantCode(t, login("typo", "wrong password", "203.0.113.1"), peaceops.EUNAUTHORIZED)
			}
			wantCode(t, login("typo", password, "203.0.113.1"), "")
			for range 3 {
				wantCode(t, login("typo", "wrong password", "203.0.113.2"), peaceops.EUNAUTHORIZED)
			}
			wantCode(t, login("typo", password, "203.0.113.2"), peaceops.ETOOMANY)
		})
		t.Run("UnknownUsersToo", func(t *testing.T) {
			for range 3 {
				wantCode(t, login("ghost", "wrong password", ""), peaceops.EUNAUTHORIZED)
			}
			wantCode(t, login("ghost", "wrong password", ""), peaceops.ETOOMANY)
		})
		t.Run("PerIP", func(t *testing.T) {
			e.clock.Advance(time.Hour)
			e.mustUser(t, "bystander", false)
			for i := range 5 {
				wantCode(t, login(fmt.Sprintf("spray%d", i), "wrong password", "192.0.2.66"), peaceops.EUNAUTHORIZED)
			}
			wantCode(t, login("bystander", password, "192.0.2.66"), peaceops.ETOOMANY)
			wantCode(t, login("bystander", password, "192.0.2.67"), "")
			e.clock.Advance(16 * time.Minute)
			wantCode(t, login("bystander", password, "192.0.2.66"), "")
		})
		t.Run("SuccessDoesNotCountAgainstIP", func(t *testing.T) {
			e.clock.Advance(time.Hour)
			e.mustUser(t, "office", false)
			for range 10 { // one office address, many logins
				wantCode(t, login("office", password, "192.0.2.80"), "")
			}
		})
		t.Run("PrunesOldFailures", func(t *testing.T) {
			e.clock.Advance(time.Hour)
			old := `SELECT COUNT(*) FROM login_failures WHERE at < $1`
			cutoff := e.clock.Now().Add(-15 * time.Minute).UnixMilli()
			if n := e.count(t, old, cutoff); n == 0 {
				t.Fatal("no old rows to prune: the test proves nothing")
			}
			wantCode(t, login("pruned", "wrong password", "192.0.2.90"), peaceops.EUNAUTHORIZED)
			if n := e.count(t, old, cutoff); n != 0 {
				t.Fatalf("%d rows older than the window left", n)
			}
		})
	})
}

func TestLoginThrottleParallel(t *testing.T) {
	// Guesses sent at once may not slip past the limit while their
	// passwords are being checked.
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{MaxFailuresUser: 3})
		other := access.NewService(db, access.Options{MaxFailuresUser: 3, Argon2: access.FastArgon2Params()})
		e.mustUser(t, "target", false)
		const n = 12
		codes := make(chan string, n)
		var wg sync.WaitGroup
		for i := range n {
			svc := e.svc
			if i%2 == 1 {
				svc = other // a second server
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := svc.Login(context.Background(), "target", "wrong password", fmt.Sprintf("198.51.100.%d", i))
				codes <- peaceops.ErrorCode(err)
			}()
		}
		wg.Wait()
		close(codes)
		count := map[string]int{}
		for c := range codes {
			count[c]++
		}
		if count[peaceops.EUNAUTHORIZED] != 3 || count[peaceops.ETOOMANY] != n-3 {
			t.Fatalf("outcomes = %v, want 3 checked and %d throttled", count, n-3)
		}
	})
}

func TestLoginSharedAcrossServers(t *testing.T) {
	// Two servers on one database share the throttle.
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{MaxFailuresUser: 2})
		other := access.NewService(db, access.Options{MaxFailuresUser: 2, Argon2: access.FastArgon2Params()})
		e.mustUser(t, "shared", false)
		ctx := context.Background()
		_, _, err := e.svc.Login(ctx, "shared", "wrong password", "")
		wantCode(t, err, peaceops.EUNAUTHORIZED)
		_, _, err = other.Login(ctx, "shared", "wrong password", "")
		wantCode(t, err, peaceops.EUNAUTHORIZED)
		_, _, err = e.svc.Login(ctx, "shared", password, "")
		wantCode(t, err, peaceops.ETOOMANY)
		// A session made by one server works on the other.
		e.clock.Advance(time.Hour)
		token, _, err := other.Login(ctx, "shared", password, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ActorForSession(ctx, token); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLoginUpgradesHash(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		u := e.mustUser(t, "old.hash", false)
		stronger := access.Argon2Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
		svc := access.NewService(db, access.Options{Argon2: &stronger})
		hash := func() string {
			var h string
			db.View(context.Background(), func(tx *store.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&h)
			})
			return h
		}
		if _, _, err := svc.Login(context.Background(), "old.hash", password, ""); err != nil {
			t.Fatal(err)
		}
		h := hash()
		if !strings.HasPrefix(h, "$argon2id$v=19$m=128,t=2,p=1$") {
			t.Fatalf("hash after login = %q, want the new cost", h)
		}
		if _, _, err := svc.Login(context.Background(), "old.hash", password, ""); err != nil {
			t.Fatalf("login after upgrade: %v", err)
		}
		if hash() != h {
			t.Error("an up-to-date hash was replaced")
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{SessionIdle: 30 * time.Minute, SessionMax: 2 * time.Hour})
		e.mustUser(t, "amina", false)
		ctx := context.Background()
		use := func(token string) error {
			_, err := e.svc.ActorForSession(ctx, token)
			return err
		}
		t.Run("Idle", func(t *testing.T) {
			token := e.mustLogin(t, "amina")
			e.clock.Advance(29 * time.Minute)
			wantCode(t, use(token), "")
			e.clock.Advance(29 * time.Minute) // sliding: 29m after the last use
			wantCode(t, use(token), "")
			e.clock.Advance(30 * time.Minute)
			wantCode(t, use(token), peaceops.EUNAUTHORIZED)
		})
		t.Run("Absolute", func(t *testing.T) {
			token := e.mustLogin(t, "amina")
			for range 5 { // used every 20 minutes: never idle
				e.clock.Advance(20 * time.Minute)
				wantCode(t, use(token), "")
			}
			e.clock.Advance(20 * time.Minute) // 2h after login
			wantCode(t, use(token), peaceops.EUNAUTHORIZED)
		})
		t.Run("ErrGarbage", func(t *testing.T) {
			for _, token := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("!", 43), "po_" + strings.Repeat("A", 43)} {
				wantCode(t, use(token), peaceops.EUNAUTHORIZED)
			}
		})
		t.Run("PrunedAtLogin", func(t *testing.T) {
			e.clock.Advance(24 * time.Hour)
			e.mustLogin(t, "amina")
			if n := e.count(t, `SELECT COUNT(*) FROM sessions`); n != 1 {
				t.Fatalf("%d sessions, want only the new one", n)
			}
		})
	})
}

func TestSessionLastSeenWrittenAtMostOncePerMinute(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		e.mustUser(t, "amina", false)
		token := e.mustLogin(t, "amina")
		sum := sha256.Sum256([]byte(token))
		lastSeen := func() int64 {
			var ms int64
			db.View(context.Background(), func(tx *store.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT last_seen_at FROM sessions WHERE id = $1`, hex.EncodeToString(sum[:])).Scan(&ms)
			})
			return ms
		}
		login := lastSeen()
		for range 5 {
			e.clock.Advance(10 * time.Second)
			if _, err := e.svc.ActorForSession(context.Background(), token); err != nil {
				t.Fatal(err)
			}
		}
		if lastSeen() != login {
			t.Fatal("last_seen_at written within the first minute")
		}
		e.clock.Advance(10 * time.Second)
		if _, err := e.svc.ActorForSession(context.Background(), token); err != nil {
			t.Fatal(err)
		}
		if got, want := lastSeen(), e.clock.Now().UnixMilli(); got != want {
			t.Fatalf("last_seen_at = %d after a minute, want %d", got, want)
		}
	})
}

func TestLogout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, access.Options{})
		u := e.mustUser(t, "amina", false)
		ctx := context.Background()
		token := e.mustLogin(t, "amina")
		keep := e.mustLogin(t, "amina")
		if err := e.svc.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.ActorForSession(ctx, token)
		wantCode(t, err, peaceops.EUNAUTHORIZED)
		if _, err := e.svc.ActorForSession(ctx, keep); err != nil {
			t.Errorf("another session ended too: %v", err)
		}
		entry := e.lastAudit(t, "logout")
		if entry.EntityType != "user" || entry.EntityID != u.ID || entry.ActorID != u.ID {
			t.Errorf("audit = %+v", entry)
		}
		t.Run("AgainIsNoError", func(t *testing.T) {
			n := len(e.audit(t))
			wantCode(t, e.svc.Logout(ctx, token), "")
			wantCode(t, e.svc.Logout(ctx, "garbage"), "")
			if len(e.audit(t)) != n {
				t.Error("logging out an ended session was audited")
			}
		})
	})
}

func BenchmarkActorForSession(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			svc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
			ctx := peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
			if _, err := svc.CreateUser(ctx, access.UserCreate{Username: "bench", Password: password}); err != nil {
				b.Fatal(err)
			}
			token, _, err := svc.Login(context.Background(), "bench", password, "")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := svc.ActorForSession(context.Background(), token); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
