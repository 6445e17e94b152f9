package db_test

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// sqliteAt opens and migrates a SQLite database in dir.
func sqliteAt(t *testing.T, dir string) (*db.DB, string) {
	t.Helper()
	path := filepath.Join(dir, "amparo.db")
	d, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, path
}

// TestReadySQLiteWriteProbe: Ready fails while the folder or the database file cannot
// be written (as after a remount read-only), and recovers when they can again; between
// probes it answers the last result without writing.
func TestReadySQLiteWriteProbe(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	d, path := sqliteAt(t, dir)
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("Ready on a writable database: %v", err)
	}
	// Within the interval, the last answer stands: no probe, no write.
	restore := dbtest.ReadOnly(t, dir)
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("Ready within the probe interval wrote anyway: %v", err)
	}
	d.SetProbeInterval(0)
	for _, tc := range []struct {
		what, path string
		lock       func() func()
	}{
		{"folder", dir, func() func() { return restore }},
		{"database file", path, func() func() { return dbtest.ReadOnly(t, path) }},
	} {
		undo := tc.lock()
		err := d.Ready(ctx)
		var ro *db.ReadOnlyError
		if !errors.As(err, &ro) || ro.What != tc.what || ro.Path != tc.path {
			t.Errorf("Ready with a read-only %s: %v, want a ReadOnlyError naming it", tc.what, err)
		}
		undo()
		if err := d.Ready(ctx); err != nil {
			t.Errorf("Ready once the %s is writable again: %v", tc.what, err)
		}
	}
	// The probe leaves nothing behind.
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM app_meta").Scan(&n); err != nil || n != 0 {
		t.Errorf("app_meta holds %d rows after the probes (%v), want 0", n, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "amparo.db" && e.Name() != "amparo.db-wal" && e.Name() != "amparo.db-shm" {
			t.Errorf("the probe left %s in the data folder", e.Name())
		}
	}
}

// TestReadySQLiteBusy: a database whose write lock another connection holds is busy,
// not broken: Ready says ready after a short wait, and reads go on meanwhile.
func TestReadySQLiteBusy(t *testing.T) {
	ctx := context.Background()
	d, _ := sqliteAt(t, t.TempDir())
	d.SetProbeInterval(0)
	hold := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- d.InTx(ctx, func(ctx context.Context) error {
			if _, err := d.Exec(ctx, "INSERT INTO app_meta (key, value) VALUES ('busy', '1')"); err != nil {
				return err
			}
			hold <- struct{}{}
			<-hold
			return nil
		})
	}()
	<-hold
	start := time.Now()
	if err := d.Ready(ctx); err != nil {
		t.Errorf("Ready while another connection writes: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Ready took %v while the database was busy", el)
	}
	var one int
	if err := d.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Errorf("read during the probe: %v", err)
	}
	hold <- struct{}{}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
}

// TestReadySQLiteDiskFull: on a full disk Ready fails, and recovers when space is
// freed. It mounts a small tmpfs, so it needs root.
func TestReadySQLiteDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system to fill needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	ctx := context.Background()
	d, _ := sqliteAt(t, dir)
	d.SetProbeInterval(0)
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("Ready before the disk fills: %v", err)
	}
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(f, io.LimitReader(zeros{}, 8<<20))
	f.Close()
	if err == nil {
		t.Fatal("the 4 MiB file system took 8 MiB")
	}
	var ro *db.ReadOnlyError
	if err := d.Ready(ctx); !errors.As(err, &ro) {
		t.Errorf("Ready on a full disk: %v, want a ReadOnlyError", err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := d.Ready(ctx); err != nil {
		t.Errorf("Ready once space is freed: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestReadyPostgresReadOnly: a PostgreSQL server that refuses writes (a standby after a
// failover) is not ready.
func TestReadyPostgresReadOnly(t *testing.T) {
	ctx := context.Background()
	u := dbtest.PostgresURL(t)
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("Ready on a writable server: %v", err)
	}
	ro, err := db.Open(ctx, u+"&default_transaction_read_only=on")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Ready(ctx); err == nil {
		t.Error("Ready on a read-only server: no error")
	}
}
