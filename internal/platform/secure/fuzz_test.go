package secure

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecrypt feeds arbitrary ciphertexts and contexts: Decrypt must never panic, must
// fail with ErrDecrypt and no data on anything it did not make, and must round-trip what
// it did make. A ciphertext that decrypts must be exactly what encrypting its plaintext
// again under its key and nonce gives, so no other spelling of it is accepted.
func FuzzDecrypt(f *testing.F) {
	kr := mustParse(f, "k1:"+testKey1+"\nk2:"+testKey2)
	good := kr.encryptWithNonce([]byte("José"), testAAD, make([]byte, nonceSize))
	for _, s := range []string{good, "", "v1.", "v1.k2.", "v1.k2.AAAA", "v1..x", "v1.k2." + strings.Repeat("A", 40), good[:len(good)-2]} {
		f.Add(s, testAAD)
	}
	f.Fuzz(func(t *testing.T, ct, aad string) {
		p, err := kr.Decrypt(ct, aad)
		switch {
		case ct == good && aad == testAAD:
			if err != nil || string(p) != "José" {
				t.Fatalf("good ciphertext: %q, %v", p, err)
			}
		case ct == "":
			if err != nil || p != nil {
				t.Fatalf("empty: %q, %v", p, err)
			}
		case err == nil:
			// Earlier runs' random encryptions may sit in the fuzz cache: accept them
			// only in their one canonical form.
			raw, _ := b64.DecodeString(ct[strings.LastIndexByte(ct, '.')+1:])
			same := *kr
			same.active = KeyID(ct)
			if again := same.encryptWithNonce(p, aad, raw[:nonceSize]); again != ct {
				t.Fatalf("ciphertext %q decrypted to %q but is not canonical (%q)", ct, p, again)
			}
		case !errors.Is(err, ErrDecrypt) || p != nil:
			t.Fatalf("failure %v returned %q", err, p)
		}
		_ = KeyID(ct)
		_ = kr.NeedsRotation(ct)
	})
}

// FuzzParseKeyring checks that no key text panics the parser and that errors never
// quote key material.
func FuzzParseKeyring(f *testing.F) {
	f.Add("k1:" + testKey1 + "\nactive k2:" + testKey2)
	f.Add("index k1:" + testKey1 + "; k2:" + testKey2 + " # c")
	f.Add("x " + testKey1 + "\n#")
	f.Fuzz(func(t *testing.T, text string) {
		kr, err := ParseKeyring([]byte(text))
		if err != nil {
			// Any 17 characters of a key are longer than a key ID, which errors may name.
			if strings.Contains(err.Error(), testKey1[:17]) || strings.Contains(err.Error(), testKey2[20:37]) {
				t.Fatalf("error quotes key material: %v", err)
			}
			return
		}
		if !kr.HasKey(kr.ActiveKeyID()) || !kr.HasKey(kr.IndexKeyID()) {
			t.Fatalf("keyring %v has no active or index key", kr)
		}
	})
}

// FuzzNormalize checks that the normalisers and the phonetic code never panic, that
// normalising twice changes nothing (else stored and searched indexes could differ),
// and that their output is valid, trimmed text.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"  José  MARÍA-Pérez ", "Llesenia Basques", "D´Alessandro", "ﬁ", "\xff", "x", "Stephany Xochitl", "17.123-4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, n, Normalize(n))
		}
		if !utf8.ValidString(n) || n != strings.TrimSpace(n) || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q", s, n)
		}
		d := NormalizeDocument(s)
		if NormalizeDocument(d) != d || strings.ContainsAny(d, " -.") {
			t.Fatalf("NormalizeDocument: %q -> %q -> %q", s, d, NormalizeDocument(d))
		}
		for _, tok := range NameTokens(s) {
			if tok == "" || strings.Contains(tok, " ") {
				t.Fatalf("NameTokens(%q) gave token %q", s, tok)
			}
		}
		for _, k := range PhoneticKeys(s) {
			if utf8.RuneCountInString(k) < 2 || !utf8.ValidString(k) {
				t.Fatalf("PhoneticKeys(%q) gave key %q", s, k)
			}
		}
	})
}

func BenchmarkEncrypt(b *testing.B) {
	kr := mustParse(b, "k1:"+testKey1)
	plain := []byte("Yesenia Alexandra Vásquez Quiñónez")
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if _, err := kr.Encrypt(plain, testAAD); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	kr := mustParse(b, "k1:"+testKey1)
	ct, _ := kr.EncryptString("Yesenia Alexandra Vásquez Quiñónez", testAAD)
	for b.Loop() {
		if _, err := kr.Decrypt(ct, testAAD); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	kr := mustParse(b, "k1:"+testKey1)
	for b.Loop() {
		kr.BlindIndex("given_names", "Yesenia Alexandra")
	}
}

func BenchmarkPhoneticKeys(b *testing.B) {
	for b.Loop() {
		PhoneticKeys("Yesenia Alexandra Vásquez Quiñónez")
	}
}
