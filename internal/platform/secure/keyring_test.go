package secure

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// Fixed test keys: bytes 1..32 and bytes 101..132.
const (
	testKey1 = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
	testKey2 = "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q="
)

func mustParse(t testing.TB, text string) *Keyring {
	t.Helper()
	kr, err := ParseKeyring([]byte(text))
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return kr
}

// The HKDF vectors were computed independently with Python's cryptography package.
func TestDeriveSubkeysKnownAnswer(t *testing.T) {
	master := make([]byte, 32)
	for i := range master {
		master[i] = byte(i + 1)
	}
	sk, err := deriveSubkeys(master)
	if err != nil {
		t.Fatal(err)
	}
	const wantIndex = "504d5f2f456c7f43e3c3bead9308058057b4870a223dd998c7815540f3470279"
	if got := hex.EncodeToString(sk.index); got != wantIndex {
		t.Errorf("index subkey = %s, want %s", got, wantIndex)
	}
	// The encryption subkey is only reachable through the AEAD; the ciphertext
	// known-answer test in cipher_test.go pins it (HKDF output
	// 1c527de22fcc96f39b671136f3a1ce799cfa5de3f30b758b7e3f01f6d37d03c9).
}

func TestParseKeyringActiveAndIndex(t *testing.T) {
	tests := []struct {
		name, text         string
		wantActive, wantIx string
	}{
		{"one key", "k1:" + testKey1, "k1", "k1"},
		{"last is active", "# keys\nk1:" + testKey1 + "\nk2:" + testKey2 + "\n", "k2", "k1"},
		{"flagged active", "active k1:" + testKey1 + "  # old\r\nk2:" + testKey2, "k1", "k1"},
		{"flagged index", "k1:" + testKey1 + "\nactive index k2:" + testKey2, "k2", "k2"},
		{"env separators", "k1:" + testKey1 + "; active k2:" + testKey2 + ";", "k2", "k1"},
		{"unpadded", "k1:" + strings.TrimRight(testKey1, "="), "k1", "k1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr := mustParse(t, tt.text)
			if kr.ActiveKeyID() != tt.wantActive || kr.IndexKeyID() != tt.wantIx {
				t.Errorf("active %s index %s, want %s %s", kr.ActiveKeyID(), kr.IndexKeyID(), tt.wantActive, tt.wantIx)
			}
		})
	}
}

func TestParseKeyringRejects(t *testing.T) {
	zero := strings.Repeat("A", 43) + "="
	tests := map[string]string{
		"empty":             "# nothing here\n\n",
		"no colon":          "k1 " + testKey1,
		"short key":         "k1:AQIDBA==",
		"bad base64":        "k1:" + strings.Replace(testKey1, "A", "*", 1),
		"bad id":            "k.1:" + testKey1,
		"long id":           "k12345678901234567:" + testKey1,
		"duplicate id":      "k1:" + testKey1 + "\nk1:" + testKey2,
		"duplicate key":     "k1:" + testKey1 + "\nk2:" + testKey1,
		"two active":        "active k1:" + testKey1 + "\nactive k2:" + testKey2,
		"two index":         "index k1:" + testKey1 + "\nindex k2:" + testKey2,
		"zero key":          "k1:" + zero,
		"two keys one line": "k1:" + testKey1 + " k2:" + testKey2,
		"comment hides key": "# k1:" + testKey1,
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKeyring([]byte(text))
			if err == nil {
				t.Fatal("accepted")
			}
			// Error messages go to logs: they must never quote key material.
			for _, secret := range []string{testKey1[:20], testKey2[:20]} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks key material: %v", err)
				}
			}
		})
	}
}

func TestKeyringDoesNotPrintKeys(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1+"\nk2:"+testKey2)
	for _, s := range []string{fmt.Sprint(kr), fmt.Sprintf("%+v", kr), fmt.Sprintf("%#v", kr)} {
		if strings.Contains(s, "504d5f2f") || strings.Contains(s, "80 77 95") || !strings.Contains(s, "k2") {
			t.Errorf("unexpected keyring text %q", s)
		}
	}
	if got := kr.KeyIDs(); len(got) != 2 || got[0] != "k1" || got[1] != "k2" {
		t.Errorf("KeyIDs = %v", got)
	}
	if !kr.HasKey("k1") || kr.HasKey("k3") {
		t.Error("HasKey wrong")
	}
}

func TestWithIndexKey(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1+"\nk2:"+testKey2)
	re, err := kr.WithIndexKey("k2")
	if err != nil {
		t.Fatal(err)
	}
	if re.IndexKeyID() != "k2" || kr.IndexKeyID() != "k1" {
		t.Errorf("index ids %s %s", re.IndexKeyID(), kr.IndexKeyID())
	}
	if re.BlindIndex("n", "Ana") == kr.BlindIndex("n", "Ana") {
		t.Error("re-keyed index equals the old one")
	}
	if _, err := kr.WithIndexKey("k9"); err == nil {
		t.Error("unknown key accepted")
	}
}
