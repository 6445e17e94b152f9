package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// TestDataFilesPrivate: a new data folder is 0700 and the database file in it 0600.
func TestDataFilesPrivate(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "new", "data")
	if code, _, errOut := runCmd(t, "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: exit %d\n%s", code, errOut)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "amparo.db"): 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
}

// TestReadOnlyDatabaseAtStart: a database file or -shm file the server cannot write
// (left by a command run as another user) stops `amparo serve` with one line naming
// the file, and exit 2 like every other start-up problem the operator must fix.
func TestReadOnlyDatabaseAtStart(t *testing.T) {
	cleanEnv(t)
	for _, name := range []string{"amparo.db", "amparo.db-shm"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if code, _, errOut := runCmd(t, "migrate", "--data", dir); code != 0 {
				t.Fatalf("migrate: exit %d\n%s", code, errOut)
			}
			target := filepath.Join(dir, name)
			if _, err := os.Stat(target); os.IsNotExist(err) {
				if err := os.WriteFile(target, make([]byte, 32<<10), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			dbtest.ReadOnly(t, target)
			code, out, errOut := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
			if code != 2 || out != "" {
				t.Errorf("serve with %s read-only: exit %d, stdout %q, want 2 and nothing", name, code, out)
			}
			oneLine(t, name+" read-only", errOut, target, "cannot be written")
		})
	}
}
