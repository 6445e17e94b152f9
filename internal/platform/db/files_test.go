package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// TestSQLiteFilesPrivate: the database file and its -wal and -shm files are created
// 0600 even with an umask that lets every local user read new files (SQLite's own
// default would be 0644), and a database file an older version left 0644 loses its
// group and world bits.
func TestSQLiteFilesPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "amparo.db")
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "INSERT INTO app_meta (key, value) VALUES ('k', 'v')"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), st.Mode().Perm())
		}
	}
	d.Close()

	loose := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(loose, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err = db.Open(ctx, "sqlite:"+loose)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if st, _ := os.Stat(loose); st.Mode().Perm() != 0o600 {
		t.Errorf("an existing 0644 database file was left %v, want 0600", st.Mode().Perm())
	}
}

// TestSQLiteReadOnlyNamed: a database file, -wal or -shm file or folder this process
// cannot write stops Open with an error naming it, before any write fails somewhere
// deep in start-up.
func TestSQLiteReadOnlyNamed(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ what, suffix string }{
		{"database file", ""}, {"-wal file", "-wal"}, {"-shm file", "-shm"}, {"folder", "/.."},
	} {
		t.Run(tc.what, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "amparo.db")
			d, err := db.Open(ctx, "sqlite:"+path)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			d.Close()
			target := filepath.Clean(path + tc.suffix)
			if tc.suffix == "-wal" || tc.suffix == "-shm" {
				// A clean close removes them; a command once run as another user
				// leaves them behind.
				if err := os.WriteFile(target, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			dbtest.ReadOnly(t, target)
			d, err = db.Open(ctx, "sqlite:"+path)
			if err == nil {
				d.Close()
				t.Fatalf("Open with a read-only %s: no error", tc.what)
			}
			var ro *db.ReadOnlyError
			if !errors.As(err, &ro) || ro.What != tc.what || ro.Path != target {
				t.Fatalf("Open with a read-only %s: %v, want a ReadOnlyError naming %s", tc.what, err, target)
			}
			if msg := err.Error(); !strings.Contains(msg, target) || strings.Contains(msg, "\n") {
				t.Errorf("error %q should be one line naming %s", msg, target)
			}
		})
	}
}
