package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// TestBackupNamesKeysOfTheCopy: "amparo keys rotate" may add a key while a backup runs,
// between the moment the command starts and the copy; data under the new key is then in
// the backup, so the keys the backup says it needs must include it (an operator keeping
// only the key file named would lose that data). On both engines.
func TestBackupNamesKeysOfTheCopy(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			cleanEnv(t)
			s := newStore(t, engine)
			s.mustRun(t, "", "agency", "add", "--code", "norte", "--name", "Fundación Norte", "--type", "ngo")
			rotated := ""
			beforeBackupCopy = func() {
				rotated = s.mustRun(t, "", "keys", "rotate")
			}
			t.Cleanup(func() { beforeBackupCopy = nil })
			file := filepath.Join(t.TempDir(), "amparo.backup")
			out := s.mustRun(t, "", "backup", "--out", file)
			if !strings.Contains(rotated, "Key k2 is now the active key") {
				t.Fatalf("the rotation during the backup did not run:\n%s", rotated)
			}
			kr, err := secure.LoadKeyring(filepath.Join(s.dir, "amparo.key"))
			if err != nil {
				t.Fatal(err)
			}
			want := "This database needs the keys k1 (check " + kr.CheckValue("k1") + "), k2 (check " + kr.CheckValue("k2") + ")"
			if !strings.Contains(out, want) {
				t.Errorf("backup output lacks %q:\n%s", want, out)
			}
		})
	}
}
