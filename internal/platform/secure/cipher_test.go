package secure

import (
	"errors"
	"strings"
	"testing"
)

const testAAD = "case:0192:given_names"

// The vector was computed independently with Python's cryptography package: HKDF-SHA256
// of bytes 1..32, AES-256-GCM, nonce a0..ab, associated data "v1.k1." + aad.
func TestEncryptKnownAnswer(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1)
	nonce := []byte{0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab}
	got := kr.encryptWithNonce([]byte("José María"), "case:0192:given_names", nonce)
	const want = "v1.k1.oKGio6SlpqeoqaqrIYKImr5tYGwN4GLmZxdal9FYQSUzByQIKslQXQ"
	if got != want {
		t.Fatalf("ciphertext\n got %s\nwant %s", got, want)
	}
	plain, err := kr.DecryptString(want, testAAD)
	if err != nil || plain != "José María" {
		t.Fatalf("decrypt = %q, %v", plain, err)
	}
}

func TestRoundTrip(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1)
	for _, s := range []string{"a", "José María Pérez", strings.Repeat("x", 10000), "\x00\xff"} {
		ct, err := kr.EncryptString(s, testAAD)
		if err != nil {
			t.Fatal(err)
		}
		if KeyID(ct) != "k1" || !strings.HasPrefix(ct, "v1.k1.") || len(s) > 3 && strings.Contains(ct, s) {
			t.Errorf("bad ciphertext %.40q", ct)
		}
		again, _ := kr.EncryptString(s, testAAD)
		if again == ct {
			t.Error("two encryptions gave the same ciphertext: nonce not random")
		}
		got, err := kr.DecryptString(ct, testAAD)
		if err != nil || got != s {
			t.Errorf("round trip of %.20q gave %.20q, %v", s, got, err)
		}
	}
}

func TestEmptyPlaintextAndContext(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1)
	if ct, err := kr.EncryptString("", testAAD); ct != "" || err != nil {
		t.Errorf("empty plaintext gave %q, %v", ct, err)
	}
	if p, err := kr.Decrypt("", testAAD); p != nil || err != nil {
		t.Errorf("empty ciphertext gave %q, %v", p, err)
	}
	if _, err := kr.EncryptString("x", ""); !errors.Is(err, ErrNoContext) {
		t.Errorf("empty aad: %v", err)
	}
	if kr.NeedsRotation("") {
		t.Error("empty needs rotation")
	}
}

func TestDecryptFailures(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1+"\nk2:"+testKey2)
	ct, err := kr.EncryptString("Yesenia", testAAD)
	if err != nil {
		t.Fatal(err)
	}
	payload := ct[len("v1.k2."):]
	cases := map[string]struct{ ct, aad string }{
		"other field":     {ct, "case:0192:family_names"},
		"other record":    {ct, "case:0193:given_names"},
		"no aad":          {ct, ""},
		"relabelled key":  {"v1.k1." + payload, testAAD},
		"unknown key":     {"v1.k9." + payload, testAAD},
		"other version":   {"v2.k2." + payload, testAAD},
		"truncated":       {ct[:len(ct)-1], testAAD},
		"too short":       {"v1.k2." + payload[:30], testAAD},
		"extra char":      {ct + "A", testAAD},
		"padding":         {ct + "=", testAAD},
		"no payload":      {"v1.k2.", testAAD},
		"no key":          {"v1." + payload, testAAD},
		"plain text":      {"Yesenia", testAAD},
		"std base64 char": {ct[:10] + "+" + ct[11:], testAAD},
		"newline":         {ct[:12] + "\n" + ct[12:], testAAD},
		"carriage return": {ct + "\r", testAAD},
	}
	for name, c := range cases {
		if p, err := kr.Decrypt(c.ct, c.aad); !errors.Is(err, ErrDecrypt) || p != nil {
			t.Errorf("%s: got %q, %v; want ErrDecrypt", name, p, err)
		}
	}
	// Every single-bit change of every character of the text must be detected,
	// including the unused low bits of the last base64 character.
	for i := range len(ct) {
		for bit := range 7 {
			b := []byte(ct)
			b[i] ^= 1 << bit
			if p, err := kr.Decrypt(string(b), testAAD); err == nil {
				t.Fatalf("flip bit %d of char %d: decrypted to %q", bit, i, p)
			}
		}
	}
}

func TestNeedsRotationAndReencrypt(t *testing.T) {
	old := mustParse(t, "k1:"+testKey1)
	ct1, _ := old.EncryptString("Llesenia", testAAD)
	kr := mustParse(t, "k1:"+testKey1+"\nk2:"+testKey2)
	if !kr.NeedsRotation(ct1) || old.NeedsRotation(ct1) || !kr.NeedsRotation("garbage") {
		t.Fatal("NeedsRotation wrong")
	}
	ct2, err := kr.Reencrypt(ct1, testAAD)
	if err != nil || KeyID(ct2) != "k2" || kr.NeedsRotation(ct2) {
		t.Fatalf("Reencrypt = %q, %v", ct2, err)
	}
	if p, _ := kr.DecryptString(ct2, testAAD); p != "Llesenia" {
		t.Errorf("re-encrypted decrypts to %q", p)
	}
	if _, err := kr.Reencrypt(ct1, "case:x:other"); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Reencrypt with wrong aad: %v", err)
	}
	if KeyID("v1.k.1.x") != "k" || KeyID("v1..x") != "" || KeyID("nonsense") != "" {
		t.Error("KeyID parsing wrong")
	}
}
