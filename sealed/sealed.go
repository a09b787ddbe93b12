// Package sealed encrypts the few fields peaceops must keep but must not
// keep readable: the identity of victims of misconduct, the phone numbers
// of people who ask the feedback channel for a reply.
//
// A Keyring holds one or more 256-bit keys, each with a short id. Seal
// encrypts with the current key (AES-256-GCM, a random nonce, the record's
// context as additional data so a sealed value cannot be moved to another
// record); Open finds the key by the id written in the sealed text, so old
// values stay readable after the current key changes (rotation: add the
// new key, make it current, re-seal, then drop the old one).
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrNoKey is returned when no key is configured, or the key a value was
// sealed with is no longer in the keyring.
var ErrNoKey = errors.New("sealed: no data key (set PEACEOPS_DATA_KEY)")

// Keyring is a set of data keys, one of them current. The zero value and
// nil hold no key: Seal and Open fail with ErrNoKey.
type Keyring struct {
	current string
	keys    map[string]cipher.AEAD
	index   []byte // key of the blind index (HMAC), derived from the current key
}

// ParseKeys reads a keyring from its text form: comma-separated entries
// "id:hex", each hex a 64-digit (32-byte) key; the first entry is current.
// A single bare 64-digit hex key is accepted and gets the id "k1".
func ParseKeys(s string) (*Keyring, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ErrNoKey
	}
	k := &Keyring{keys: map[string]cipher.AEAD{}}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		id, hexKey, ok := strings.Cut(entry, ":")
		if !ok {
			id, hexKey = "k1", entry
		}
		if id == "" || strings.ContainsAny(id, ":. ") {
			return nil, fmt.Errorf("data key %d: bad id %q (letters and digits)", i+1, id)
		}
		raw, err := hex.DecodeString(hexKey)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("data key %q: want 64 hex digits (32 bytes)", id)
		}
		if _, dup := k.keys[id]; dup {
			return nil, fmt.Errorf("data key %q given twice", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.keys[id] = aead
		if i == 0 {
			k.current = id
			m := hmac.New(sha256.New, raw)
			m.Write([]byte("peaceops blind index"))
			k.index = m.Sum(nil)
		}
	}
	return k, nil
}

// NewKey returns a fresh random key in the text form ParseKeys reads.
func NewKey(id string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return id + ":" + hex.EncodeToString(b)
}

// Seal encrypts plaintext bound to context (e.g. "victim:<id>:name").
// The empty string seals to the empty string.
func (k *Keyring) Seal(plaintext, context string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	if k == nil || k.current == "" {
		return "", ErrNoKey
	}
	aead := k.keys[k.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return "v1." + k.current + "." + base64.RawURLEncoding.EncodeToString(ct), nil
}

// Open decrypts a value Seal returned for the same context.
func (k *Keyring) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	parts := strings.SplitN(sealed, ".", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return "", errors.New("sealed: not a sealed value")
	}
	if k == nil {
		return "", ErrNoKey
	}
	aead, ok := k.keys[parts[1]]
	if !ok {
		return "", fmt.Errorf("%w: key %q", ErrNoKey, parts[1])
	}
	ct, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(ct) < aead.NonceSize() {
		return "", errors.New("sealed: corrupt value")
	}
	pt, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], []byte(context))
	if err != nil {
		return "", errors.New("sealed: value does not open with its key and context (tampered or moved)")
	}
	return string(pt), nil
}

// Current returns the id of the key Seal uses.
func (k *Keyring) Current() string {
	if k == nil {
		return ""
	}
	return k.current
}

// NeedsReseal reports whether sealed was sealed with another key than the
// current one (rotation re-seals those).
func (k *Keyring) NeedsReseal(sealed string) bool {
	parts := strings.SplitN(sealed, ".", 3)
	return sealed != "" && (len(parts) != 3 || parts[1] != k.Current())
}

// BlindIndex returns a keyed hash of a normalised value (lower case,
// spaces folded) so that equal values can be found without storing them:
// e.g. "has this phone number written before?". It is empty without a key.
// It changes when the current key changes.
func (k *Keyring) BlindIndex(value string) string {
	if k == nil || k.index == nil || value == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(strings.Join(strings.Fields(strings.ToLower(value)), " ")))
	return hex.EncodeToString(m.Sum(nil))
}
