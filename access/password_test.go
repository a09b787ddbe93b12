package access_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/access"
)

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)

func TestHashPassword(t *testing.T) {
	p := *access.FastArgon2Params()
	t.Run("OK", func(t *testing.T) {
		h, err := access.HashPassword("s3cret passphrase", p)
		if err != nil {
			t.Fatal(err)
		}
		m := phc.FindStringSubmatch(h)
		if m == nil {
			t.Fatalf("hash %q is not an argon2id PHC string", h)
		}
		if m[1] != "64" || m[2] != "1" || m[3] != "1" {
			t.Errorf("params m=%s t=%s p=%s, want 64, 1, 1", m[1], m[2], m[3])
		}
		if len(m[4]) != 22 || len(m[5]) != 43 { // 16 and 32 bytes, unpadded
			t.Errorf("salt %q / key %q have the wrong length", m[4], m[5])
		}
		if ok, err := access.VerifyPassword(h, "s3cret passphrase"); err != nil || !ok {
			t.Errorf("verify right password = %v, %v; want true", ok, err)
		}
		if ok, err := access.VerifyPassword(h, "s3cret passphrasE"); err != nil || ok {
			t.Errorf("verify wrong password = %v, %v; want false", ok, err)
		}
	})
	t.Run("SaltIsRandom", func(t *testing.T) {
		a, _ := access.HashPassword("same", p)
		b, _ := access.HashPassword("same", p)
		if a == b {
			t.Fatal("two hashes of one password are equal")
		}
	})
	t.Run("DefaultParams", func(t *testing.T) {
		d := access.DefaultArgon2Params()
		if d.Memory < 19*1024 || d.Time < 1 || d.Threads < 1 || d.SaltLen < 16 || d.KeyLen < 32 {
			t.Fatalf("default params %+v are below OWASP's minimum", d)
		}
	})
	t.Run("ErrBadParams", func(t *testing.T) {
		if _, err := access.HashPassword("x", access.Argon2Params{Memory: 64, Time: 1}); err == nil {
			t.Fatal("zero threads accepted")
		}
	})
	t.Run("KnownVector", func(t *testing.T) {
		// From the reference implementation (Debian package argon2):
		// echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32
		const h = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
		ok, err := access.VerifyPassword(h, "password")
		if err != nil || !ok {
			t.Fatalf("verify reference vector = %v, %v; want true", ok, err)
		}
	})
}

func TestParsePasswordHash(t *testing.T) {
	good := "$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	if _, err := access.ParsePasswordHash(good); err != nil {
		t.Fatalf("parse %q: %v", good, err)
	}
	tests := map[string]string{
		"ErrEmpty":         "",
		"ErrArgon2i":       strings.Replace(good, "argon2id", "argon2i", 1),
		"ErrBcrypt":        "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"ErrVersion16":     strings.Replace(good, "v=19", "v=16", 1),
		"ErrParamOrder":    strings.Replace(good, "m=65536,t=2,p=2", "t=2,m=65536,p=2", 1),
		"ErrLeadingZero":   strings.Replace(good, "t=2", "t=02", 1),
		"ErrPlusSign":      strings.Replace(good, "t=2", "t=+2", 1),
		"ErrZeroThreads":   strings.Replace(good, "p=2", "p=0", 1),
		"ErrZeroTime":      strings.Replace(good, "t=2", "t=0", 1),
		"ErrHugeMemory":    strings.Replace(good, "m=65536", "m=4294967295", 1),
		"ErrHugeTime":      strings.Replace(good, "t=2", "t=1000", 1),
		"ErrTinyMemory":    strings.Replace(good, "m=65536", "m=8", 1),
		"ErrPadding":       good + "=",
		"ErrNewline":       strings.Replace(good, "$CTFh", "$CT\nFh", 1),
		"ErrShortSalt":     strings.Replace(good, "c29tZXNhbHRzb21lc2FsdA", "c2FsdA", 1),
		"ErrShortKey":      good[:len(good)-30],
		"ErrExtraField":    good + "$x",
		"ErrMissingParams": "$argon2id$v=19$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"ErrBadBase64":     strings.Replace(good, "c29tZXNh", "c29t!XNh", 1),
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			if h, err := access.ParsePasswordHash(s); err == nil {
				t.Fatalf("parse %q = %+v, want error", s, h)
			}
			if ok, err := access.VerifyPassword(s, "password"); err == nil || ok {
				t.Fatalf("verify against %q = %v, %v; want an error", s, ok, err)
			}
		})
	}
}

func FuzzParsePasswordHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$")
	f.Add("$$$$$")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := access.ParsePasswordHash(s)
		if err != nil {
			return
		}
		// Whatever is accepted is canonical and safe to verify against.
		if h.String() != s {
			t.Fatalf("accepted %q but it prints as %q", s, h.String())
		}
		p := h.Params
		if p.Threads < 1 || p.Time < 1 || p.Time > 100 || p.Memory < 8*uint32(p.Threads) || p.Memory > 4<<20 {
			t.Fatalf("accepted out-of-bounds params %+v", p)
		}
		if len(h.Salt) < 8 || len(h.Key) < 16 || len(h.Key) > 64 {
			t.Fatalf("accepted salt %d / key %d bytes", len(h.Salt), len(h.Key))
		}
		again, err := access.ParsePasswordHash(h.String())
		if err != nil || again.String() != s {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}
