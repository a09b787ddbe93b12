package sealed_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/sealed"
)

func TestSealOpen(t *testing.T) {
	k, err := sealed.ParseKeys(sealed.NewKey("a"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := k.Seal("Amina Yakubu", "victim:1:name")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "Amina") || !strings.HasPrefix(s, "v1.a.") {
		t.Fatalf("sealed text %q", s)
	}
	again, _ := k.Seal("Amina Yakubu", "victim:1:name")
	if again == s {
		t.Error("two seals of one value are equal: nonce reused")
	}
	if got, err := k.Open(s, "victim:1:name"); err != nil || got != "Amina Yakubu" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open(s, "victim:2:name"); err == nil {
		t.Error("a value moved to another record opens")
	}
	if _, err := k.Open(s[:len(s)-2]+"AA", "victim:1:name"); err == nil {
		t.Error("a tampered value opens")
	}
	if got, err := k.Seal("", "x"); got != "" || err != nil {
		t.Errorf("empty seals to %q, %v", got, err)
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := sealed.NewKey("k1"), sealed.NewKey("k2")
	before, _ := sealed.ParseKeys(oldKey)
	s, _ := before.Seal("+236 70 00 00 00", "c")
	after, err := sealed.ParseKeys(newKey + "," + oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Open(s, "c"); err != nil || got != "+236 70 00 00 00" {
		t.Fatalf("old value after rotation: %q, %v", got, err)
	}
	if !after.NeedsReseal(s) {
		t.Error("value sealed with the old key does not need resealing")
	}
	s2, _ := after.Seal("x", "c")
	if after.NeedsReseal(s2) {
		t.Error("value sealed with the current key needs resealing")
	}
	dropped, _ := sealed.ParseKeys(newKey)
	if _, err := dropped.Open(s, "c"); !errors.Is(err, sealed.ErrNoKey) {
		t.Errorf("value of a dropped key: %v, want ErrNoKey", err)
	}
}

func TestParseKeys(t *testing.T) {
	good := strings.Repeat("ab", 32)
	for _, tt := range []struct {
		in, err string
	}{
		{"", "no data key"},
		{good, ""},
		{"k9:" + good, ""},
		{"k1:" + good + ",k1:" + good, "given twice"},
		{"k1:abcd", "64 hex digits"},
		{"k1:" + strings.Repeat("zz", 32), "64 hex digits"},
		{":" + good, "bad id"},
	} {
		_, err := sealed.ParseKeys(tt.in)
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("ParseKeys(%.12q...) = %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestBlindIndex(t *testing.T) {
	k, _ := sealed.ParseKeys(sealed.NewKey("a"))
	if k.BlindIndex("Amina  Yakubu") != k.BlindIndex("amina yakubu") {
		t.Error("index differs for the same normalised value")
	}
	if k.BlindIndex("a") == k.BlindIndex("b") {
		t.Error("index equal for different values")
	}
	other, _ := sealed.ParseKeys(sealed.NewKey("a"))
	if k.BlindIndex("a") == other.BlindIndex("a") {
		t.Error("index does not depend on the key")
	}
	var none *sealed.Keyring
	if none.BlindIndex("a") != "" {
		t.Error("index without a key")
	}
	if _, err := none.Seal("a", "c"); !errors.Is(err, sealed.ErrNoKey) {
		t.Errorf("Seal without key: %v", err)
	}
}
