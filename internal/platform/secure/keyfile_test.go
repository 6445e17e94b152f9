package secure

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func newKeyFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "amparo.keys")
	if err := GenerateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGenerateKeyFile(t *testing.T) {
	path := newKeyFile(t)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", info.Mode().Perm())
	}
	kr, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if kr.ActiveKeyID() != "k1" || len(kr.KeyIDs()) != 1 {
		t.Errorf("new keyring %v", kr)
	}
	before, _ := os.ReadFile(path)
	if err := GenerateKeyFile(path); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Errorf("second GenerateKeyFile: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("existing key file changed")
	}
	// Two generated files hold different keys.
	other, _ := LoadKeyring(newKeyFile(t))
	if other.BlindIndex("n", "Ana") == kr.BlindIndex("n", "Ana") {
		t.Error("two generated key files share a key")
	}
}

func TestLoadKeyringPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not describe access on Windows")
	}
	path := newKeyFile(t)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o700} {
		os.Chmod(path, mode)
		_, err := LoadKeyring(path)
		if err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Errorf("mode %04o: %v, want refusal naming chmod 600", mode, err)
		}
		if _, err := AddKey(path); err == nil {
			t.Errorf("mode %04o: AddKey accepted the file", mode)
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		os.Chmod(path, mode)
		if _, err := LoadKeyring(path); err != nil {
			t.Errorf("mode %04o refused: %v", mode, err)
		}
	}
	if _, err := LoadKeyring(filepath.Dir(path)); err == nil {
		t.Error("a directory was accepted as key file")
	}
	if _, err := LoadKeyring(path + ".missing"); err == nil {
		t.Error("a missing file was accepted")
	}
}

func TestLoadKeyringFromEnvOrFile(t *testing.T) {
	path := newKeyFile(t)
	env := "k1:" + testKey1 + ";active k2:" + testKey2
	if kr, err := LoadKeyringFromEnvOrFile(env, ""); err != nil || kr.ActiveKeyID() != "k2" {
		t.Errorf("env: %v, %v", kr, err)
	}
	if kr, err := LoadKeyringFromEnvOrFile("", path); err != nil || kr.ActiveKeyID() != "k1" {
		t.Errorf("file: %v, %v", kr, err)
	}
	// The environment wins; the file (here, a default path that does not exist) is not read.
	if kr, err := LoadKeyringFromEnvOrFile(env, path+".absent"); err != nil || kr.ActiveKeyID() != "k2" {
		t.Errorf("env over file: %v, %v", kr, err)
	}
	if _, err := LoadKeyringFromEnvOrFile("", ""); err == nil {
		t.Error("no source accepted")
	}
	if _, err := LoadKeyringFromEnvOrFile("k1:nope", ""); err == nil || !strings.Contains(err.Error(), "AMPARO_KEY") {
		t.Errorf("bad env: %v", err)
	}
}

func TestAddKeyKeepsCommentsAndFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	text := "# site keys\nindex k1:" + testKey1 + " # first\nk2:" + testKey2 + "\n\n# end"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	id, err := AddKey(path)
	if err != nil || id != "k3" {
		t.Fatalf("AddKey = %q, %v", id, err)
	}
	data, _ := os.ReadFile(path)
	got := string(data)
	// Lines written without a check value gain theirs at the edit.
	c1, c2 := checkOf(t, testKey1), checkOf(t, testKey2)
	for _, want := range []string{"# site keys\n", "index k1:" + testKey1 + " check=" + c1 + " # first\n",
		"\nk2:" + testKey2 + " check=" + c2 + "\n", "# end\n", "\nactive k3:"} {
		if !strings.Contains(got, want) {
			t.Errorf("rewritten file lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "active") != 1 {
		t.Errorf("want one active flag:\n%s", got)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestNextKeyID(t *testing.T) {
	tests := []struct {
		ids  []string
		want string
	}{
		{[]string{"k1"}, "k2"},
		{[]string{"k1", "k7", "k3"}, "k8"},
		{[]string{"main", "backup"}, "k1"},
		{[]string{"k1", "k999999999999999"}, "k2"},
	}
	for _, tt := range tests {
		if got := nextKeyID(tt.ids); got != tt.want {
			t.Errorf("nextKeyID(%v) = %s, want %s", tt.ids, got, tt.want)
		}
	}
}

func TestKeyChangesDoNotOverlap(t *testing.T) {
	path := newKeyFile(t)
	if err := os.WriteFile(path+".lock", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if _, err := AddKey(path); err == nil || !strings.Contains(err.Error(), "another key change") {
		t.Errorf("AddKey while locked: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("key file changed while locked")
	}
	os.Remove(path + ".lock")
	if _, err := AddKey(path); err != nil {
		t.Errorf("AddKey after unlock: %v", err)
	}
}
