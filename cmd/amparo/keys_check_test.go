package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// TestWrongKeyFileRefused: every command that opens the keys, started with another
// installation's key file (or one from before a rotation), stops at once with one line
// and exit 2, and changes nothing.
func TestWrongKeyFileRefused(t *testing.T) {
	cleanEnv(t)
	dir, _ := installation(t)
	wrong := filepath.Join(t.TempDir(), "other.key")
	if err := secure.GenerateKeyFile(wrong); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(wrong)
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0"},
		{"demo", "--addr", "127.0.0.1:0"},
		{"keys", "status"},
		{"keys", "rotate"},
		{"keys", "rotate", "--stage"},
		{"user", "list"},
	} {
		args = append(args, "--data", dir, "--key-file", wrong)
		code, out, errOut := amparo(t, args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing\nstderr: %s", args, code, out, errOut)
		}
		oneLine(t, strings.Join(args[:2], " "), errOut, wrong+" is not the key file of this database", "key k1")
	}
	if after, _ := os.ReadFile(wrong); string(after) != string(before) {
		t.Error("a refused key file was changed")
	}

	// A key file from before a rotation lacks the new key: refused, naming it.
	old := filepath.Join(t.TempDir(), "before-rotation.key")
	orig, _ := os.ReadFile(filepath.Join(dir, "amparo.key"))
	if err := os.WriteFile(old, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := amparo(t, "keys", "rotate", "--data", dir); code != 0 {
		t.Fatalf("rotate: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut := amparo(t, "serve", "--addr", "127.0.0.1:0", "--data", dir, "--key-file", old)
	if code != 2 {
		t.Errorf("serve with the key file from before the rotation: exit %d, want 2", code)
	}
	oneLine(t, "key file before rotation", errOut, old+" lacks key k2")
	// A key line damaged in a copy (one character of the key changed) no longer matches
	// its check value: refused in one line before the database is even compared.
	damaged := filepath.Join(t.TempDir(), "damaged.key")
	cur, _ := os.ReadFile(filepath.Join(dir, "amparo.key"))
	i := strings.Index(string(cur), "k1:") + 3
	bad := []byte(string(cur))
	if bad[i] == 'A' {
		bad[i] = 'B'
	} else {
		bad[i] = 'A'
	}
	if err := os.WriteFile(damaged, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"keys", "status"}} {
		code, _, errOut = amparo(t, append(args, "--data", dir, "--key-file", damaged)...)
		if code != 2 {
			t.Errorf("%s with a damaged key line: exit %d, want 2", args[0], code)
		}
		oneLine(t, args[0]+" with a damaged key line", errOut, damaged, "key k1 does not match the check value")
	}
	// The right one still starts.
	base, _, stop := startCmd(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz with the right key file: %d", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve stopped with exit %d", code)
	}
}
