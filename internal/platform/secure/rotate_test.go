package secure

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRotationThroughKeyFile walks the operator's path: generate, encrypt, rotate,
// re-encrypt in batches, while old ciphertexts and blind indexes keep working.
func TestRotationThroughKeyFile(t *testing.T) {
	path := newKeyFile(t)
	kr1, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	ct1, _ := kr1.EncryptString("Yesenia Vásquez", testAAD)
	index1 := kr1.BlindIndex("given_names", "Yesenia")
	doc1 := kr1.DocumentIndex("cedula", "1712345678")

	id, err := AddKey(path)
	if err != nil || id != "k2" {
		t.Fatalf("AddKey = %q, %v", id, err)
	}
	kr2, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if kr2.ActiveKeyID() != "k2" || kr2.IndexKeyID() != "k1" {
		t.Fatalf("after rotation: %v", kr2)
	}
	if !kr2.NeedsRotation(ct1) {
		t.Error("k1 ciphertext does not need rotation")
	}
	if p, err := kr2.DecryptString(ct1, testAAD); err != nil || p != "Yesenia Vásquez" {
		t.Errorf("old ciphertext after rotation: %q, %v", p, err)
	}
	ct2, err := kr2.Reencrypt(ct1, testAAD)
	if err != nil || KeyID(ct2) != "k2" {
		t.Fatalf("Reencrypt = %q, %v", ct2, err)
	}
	if p, _ := kr2.DecryptString(ct2, testAAD); p != "Yesenia Vásquez" {
		t.Errorf("re-encrypted gives %q", p)
	}
	if _, err := kr1.DecryptString(ct2, testAAD); !errors.Is(err, ErrDecrypt) {
		t.Error("the old keyring decrypted a k2 ciphertext")
	}
	if kr2.BlindIndex("given_names", "YESENIA") != index1 || kr2.DocumentIndex("cedula", "171234567-8") != doc1 {
		t.Error("blind index changed on rotation")
	}
}

func TestStageThenActivate(t *testing.T) {
	path := newKeyFile(t)
	id, err := StageKey(path)
	if err != nil || id != "k2" {
		t.Fatalf("StageKey = %q, %v", id, err)
	}
	if kr, _ := LoadKeyring(path); kr.ActiveKeyID() != "k1" || !kr.HasKey("k2") {
		t.Fatalf("after staging: %v", kr)
	}
	if err := ActivateKey(path, "k2"); err != nil {
		t.Fatal(err)
	}
	if kr, _ := LoadKeyring(path); kr.ActiveKeyID() != "k2" {
		t.Fatalf("after activation: %v", kr)
	}
	if err := ActivateKey(path, "k9"); err == nil {
		t.Error("activated a missing key")
	}
	data, _ := os.ReadFile(path)
	if strings.Count(string(data), "active ") != 1 {
		t.Errorf("want one active flag:\n%s", data)
	}
}

func TestRotateBatch(t *testing.T) {
	old := mustParse(t, "k1:"+testKey1)
	kr := mustParse(t, "k1:"+testKey1+"\nk2:"+testKey2)
	enc := func(k *Keyring, s, aad string) string {
		ct, err := k.EncryptString(s, aad)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	items := []Item{
		{ID: "a", AAD: "case:a:name", Ciphertext: enc(old, "Ana", "case:a:name")},
		{ID: "b", AAD: "case:b:name", Ciphertext: enc(kr, "Bea", "case:b:name")},   // current
		{ID: "c", AAD: "case:c:name", Ciphertext: ""},                              // empty
		{ID: "d", AAD: "case:d:name", Ciphertext: enc(old, "Dora", "case:x:name")}, // wrong aad
		{ID: "e", AAD: "case:e:name", Ciphertext: enc(old, "Eva", "case:e:name")},
	}
	out, err := RotateBatch(context.Background(), kr, items)
	if !errors.Is(err, ErrDecrypt) || !strings.Contains(err.Error(), "item d") {
		t.Errorf("err = %v, want ErrDecrypt naming item d", err)
	}
	if len(out) != 2 || out[0].ID != "a" || out[1].ID != "e" {
		t.Fatalf("rotated %v", out)
	}
	for _, it := range out {
		if KeyID(it.Ciphertext) != "k2" {
			t.Errorf("item %s still on %s", it.ID, KeyID(it.Ciphertext))
		}
		if _, err := kr.DecryptString(it.Ciphertext, it.AAD); err != nil {
			t.Errorf("item %s: %v", it.ID, err)
		}
	}
	if items[0].Ciphertext == out[0].Ciphertext {
		t.Error("input items were modified or not rotated")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, err = RotateBatch(ctx, kr, items)
	if !errors.Is(err, context.Canceled) || len(out) != 0 {
		t.Errorf("cancelled: %v, %v", out, err)
	}
}

func TestEditFollowsSymlink(t *testing.T) {
	path := newKeyFile(t)
	link := filepath.Join(t.TempDir(), "link.keys")
	if err := os.Symlink(path, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	if _, err := AddKey(link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
	if kr, err := LoadKeyring(path); err != nil || kr.ActiveKeyID() != "k2" {
		t.Errorf("target not updated: %v, %v", kr, err)
	}
}
