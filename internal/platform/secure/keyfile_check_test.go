package secure

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// checkOf returns the check value of a base64 test key.
func checkOf(t *testing.T, b64 string) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return checkValue(key)
}

func TestCheckValue(t *testing.T) {
	c1, c2 := checkOf(t, testKey1), checkOf(t, testKey2)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(c1) || c1 == c2 {
		t.Fatalf("check values %q %q: want 32 hex digits, different per key", c1, c2)
	}
	// The value is fixed by the key alone: a recorded one must match on every machine.
	if c1 != "ada07919fab03b604f909ecf13998e34" {
		t.Errorf("check value of testKey1 changed to %s: every recorded check would disagree", c1)
	}
	// Files without check values (older ones, AMPARO_KEY) get them computed.
	kr, err := ParseKeyring([]byte("k1:" + testKey1 + "\nk2:" + testKey2))
	if err != nil {
		t.Fatal(err)
	}
	if kr.CheckValue("k1") != c1 || kr.CheckValue("k2") != c2 || kr.CheckValue("k3") != "" {
		t.Errorf("CheckValue: %q %q %q", kr.CheckValue("k1"), kr.CheckValue("k2"), kr.CheckValue("k3"))
	}
	if m := kr.CheckValues(); len(m) != 2 || m["k1"] != c1 || m["k2"] != c2 {
		t.Errorf("CheckValues: %v", m)
	}
}

func TestCheckValueInKeyFile(t *testing.T) {
	c1 := checkOf(t, testKey1)
	// A line with its own check value parses, with flags and a comment around it.
	if _, err := ParseKeyring([]byte("active index k1:" + testKey1 + " check=" + c1 + " # main\n")); err != nil {
		t.Errorf("line with its check value: %v", err)
	}
	// A damaged key (one base64 character changed) or a check copied from another key is
	// refused, naming the key and never the material.
	damaged := "k1:B" + testKey1[1:] + " check=" + c1
	other := "k1:" + testKey2 + " check=" + c1
	for name, text := range map[string]string{"damaged key": damaged, "check of another key": other} {
		_, err := ParseKeyring([]byte(text))
		if err == nil || !strings.Contains(err.Error(), "key k1 does not match the check value") {
			t.Errorf("%s: %v, want a check-value refusal", name, err)
			continue
		}
		if strings.Contains(err.Error(), testKey2[:10]) || strings.Contains(err.Error(), testKey1[1:11]) {
			t.Errorf("%s: error quotes key material: %v", name, err)
		}
	}
	// "check=" is only accepted after the key.
	if _, err := ParseKeyring([]byte("check=" + c1 + " k1:" + testKey1)); err == nil {
		t.Error("check value before the key accepted")
	}
}

func TestWrittenKeyLinesCarryCheckValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "amparo.key")
	if err := GenerateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := StageKey(path); err != nil {
		t.Fatal(err)
	}
	if err := ActivateKey(path, "k2"); err != nil {
		t.Fatal(err)
	}
	kr, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, id := range []string{"k1", "k2"} {
		re := regexp.MustCompile(`(?m)^(active )?` + id + `:\S+ check=` + kr.CheckValue(id) + `$`)
		if !re.Match(data) {
			t.Errorf("no line for %s with its check value %s:\n%s", id, kr.CheckValue(id), data)
		}
	}
}
