package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost parameters of argon2id password hashing.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes of random salt
	KeyLen  uint32 // bytes of derived key
}

// DefaultArgon2Params returns the production cost: 64 MiB, 2 passes, 2
// lanes, which takes about 50 ms on a two-core server. RFC 9106 and OWASP
// both accept this range; raising it later is safe because a stored hash
// carries its own parameters and is upgraded at the user's next login.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// FastArgon2Params returns a cost low enough for tests that create many
// users (a fraction of a millisecond). Never use it in production.
func FastArgon2Params() *Argon2Params {
	return &Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters read from a stored hash, so a damaged or hostile row
// cannot make verification allocate without limit or panic.
const (
	maxArgon2Memory = 4 * 1024 * 1024 // KiB: 4 GiB
	maxArgon2Time   = 100
	minSaltLen      = 8
	maxSaltLen      = 64
	minKeyLen       = 16
	maxKeyLen       = 64
)

func (p Argon2Params) validate() error {
	switch {
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Time < 1 || p.Time > maxArgon2Time:
		return fmt.Errorf("time must be 1..%d", maxArgon2Time)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxArgon2Memory:
		return fmt.Errorf("memory must be %d..%d KiB", 8*uint32(p.Threads), maxArgon2Memory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length must be %d..%d bytes", minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length must be %d..%d bytes", minKeyLen, maxKeyLen)
	}
	return nil
}

// PasswordHash is a parsed argon2id hash in PHC string format:
//
//	$argon2id$v=19$m=65536,t=2,p=2$<salt>$<key>
//
// with salt and key in unpadded standard base64.
type PasswordHash struct {
	Params Argon2Params
	Salt   []byte
	Key    []byte
}

var b64 = base64.RawStdEncoding.Strict()

// String returns the PHC string form of h.
func (h PasswordHash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.Params.Memory, h.Params.Time, h.Params.Threads, b64.EncodeToString(h.Salt), b64.EncodeToString(h.Key))
}

// ParsePasswordHash parses an argon2id PHC string. It accepts only the
// canonical form that String produces (version 19, parameters in the order
// m, t, p, no leading zeros, unpadded base64) and parameters within sane
// bounds, so that verifying any accepted hash is safe.
func ParsePasswordHash(s string) (PasswordHash, error) {
	var h PasswordHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return h, errors.New("access: password hash is not a PHC string")
	}
	if parts[1] != "argon2id" {
		return h, fmt.Errorf("access: password hash algorithm %.20q is not argon2id", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, errors.New("access: password hash has an unsupported argon2 version")
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return h, errors.New("access: password hash parameters must be m, t, p")
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return h, fmt.Errorf("access: password hash parameter %d must be %s", i+1, name)
		}
		n, err := parseCanonicalUint(v)
		if err != nil {
			return h, fmt.Errorf("access: password hash parameter %s: %w", name, err)
		}
		vals[i] = n
	}
	if vals[0] > maxArgon2Memory || vals[1] > maxArgon2Time || vals[2] > 255 {
		return h, errors.New("access: password hash parameters out of range")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return h, errors.New("access: password hash salt is not base64")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return h, errors.New("access: password hash key is not base64")
	}
	h = PasswordHash{
		Params: Argon2Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]),
			SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))},
		Salt: salt, Key: key,
	}
	if err := h.Params.validate(); err != nil {
		return PasswordHash{}, fmt.Errorf("access: password hash: %w", err)
	}
	// The base64 decoder skips line breaks; insisting on the canonical text
	// keeps one hash one string.
	if h.String() != s {
		return PasswordHash{}, errors.New("access: password hash is not in canonical form")
	}
	return h, nil
}

func parseCanonicalUint(s string) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not a canonical decimal number")
	}
	return strconv.ParseUint(s, 10, 32)
}

// HashPassword returns the PHC string of an argon2id hash of password with
// a fresh random salt.
func HashPassword(password string, p Argon2Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("access: argon2 parameters: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("access: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return PasswordHash{Params: p, Salt: salt, Key: key}.String(), nil
}

// VerifyPassword reports whether password matches the PHC string encoded.
// It compares in constant time. The error is non-nil only when encoded is
// not a valid hash.
func VerifyPassword(encoded, password string) (bool, error) {
	h, err := ParsePasswordHash(encoded)
	if err != nil {
		return false, err
	}
	return h.Verify(password), nil
}

// Verify reports whether password matches h, in constant time.
func (h PasswordHash) Verify(password string) bool {
	p := h.Params
	key := argon2.IDKey([]byte(password), h.Salt, p.Time, p.Memory, p.Threads, uint32(len(h.Key)))
	return subtle.ConstantTimeCompare(key, h.Key) == 1
}

// sameCost reports whether h was made with the cost parameters p, so that
// a hash made with older parameters can be upgraded.
func (h PasswordHash) sameCost(p Argon2Params) bool {
	return h.Params.Memory == p.Memory && h.Params.Time == p.Time && h.Params.Threads == p.Threads &&
		h.Params.KeyLen == p.KeyLen && h.Params.SaltLen == p.SaltLen
}
