package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// writeLoad plays a server writing while a backup runs: each transaction adds row i and
// sets the counter to i, so a consistent copy has exactly as many rows as the counter.
// It returns a function that stops the writers and returns how many transactions ran.
func writeLoad(t *testing.T, d *db.DB, writers int) func() int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				err := d.InTx(ctx, func(ctx context.Context) error {
					var cur int
					if err := d.QueryRowWrite(ctx, `SELECT CAST(value AS INTEGER) FROM app_meta WHERE key = 'w:count'`).Scan(&cur); err != nil {
						return err
					}
					if _, err := d.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES (?, ?)`, fmt.Sprintf("w:%d", cur+1), strings.Repeat("x", 200)); err != nil {
						return err
					}
					_, err := d.Exec(ctx, `UPDATE app_meta SET value = ? WHERE key = 'w:count'`, fmt.Sprint(cur+1))
					return err
				})
				if err != nil && ctx.Err() == nil && !strings.Contains(err.Error(), "could not serialize") &&
					!strings.Contains(err.Error(), "duplicate key") {
					errc <- err
					return
				}
				if err == nil {
					mu.Lock()
					n++
					mu.Unlock()
				}
			}
		}()
	}
	return func() int {
		cancel()
		wg.Wait()
		select {
		case err := <-errc:
			t.Fatalf("writer: %v", err)
		default:
		}
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// consistent checks the counter and the rows of writeLoad agree, and returns them.
func consistent(t *testing.T, d *db.DB) int {
	t.Helper()
	ctx := context.Background()
	var count, rows int
	if err := d.QueryRow(ctx, `SELECT CAST(value AS INTEGER) FROM app_meta WHERE key = 'w:count'`).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM app_meta WHERE key LIKE 'w:%' AND key <> 'w:count'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if count != rows {
		t.Fatalf("inconsistent copy: counter %d, rows %d", count, rows)
	}
	return count
}

// TestBackupWhileWriting: a backup taken while writers commit is the database of one
// moment (the counter matches the rows), restores into an empty target and migrates; a
// second restore onto it and a backup onto an existing file are refused.
func TestBackupWhileWriting(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES ('w:count', '0')`); err != nil {
			t.Fatal(err)
		}
		stop := writeLoad(t, d, 2)
		time.Sleep(200 * time.Millisecond)
		dir := t.TempDir()
		out := filepath.Join(dir, "backup.amparo")
		info, err := d.Backup(ctx, out, db.BackupOptions{})
		if err != nil {
			stop()
			t.Fatalf("backup: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
		written := stop()
		if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 || st.Size() != info.Bytes {
			t.Fatalf("backup file: %v %v, info %+v", st, err, info)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("temporary files left beside the backup: %v", entries)
		}
		if _, err := d.Backup(ctx, out, db.BackupOptions{}); !errors.Is(err, db.ErrExists) {
			t.Errorf("backup onto an existing file: %v, want ErrExists", err)
		}

		target := restoreTarget(t, d, dir)
		if err := db.Restore(ctx, target, out, db.BackupOptions{}); err != nil {
			t.Fatalf("restore: %v", err)
		}
		r, err := db.Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := r.Migrate(ctx); err != nil {
			t.Fatalf("migrate the restored copy: %v", err)
		}
		got := consistent(t, r)
		if got == 0 || got > written {
			t.Errorf("restored %d transactions of %d written", got, written)
		}
		t.Logf("%s: %d transactions while backing up, %d in the backup (%d bytes in %v)", d.Dialect, written, got, info.Bytes, info.Duration)
		if err := db.Restore(ctx, target, out, db.BackupOptions{}); !errors.Is(err, db.ErrNotEmpty) {
			t.Errorf("restore onto a database: %v, want ErrNotEmpty", err)
		}
	})
}

// restoreTarget returns an empty place to restore d's backup into: a new SQLite file,
// or, on PostgreSQL, d's own schema dropped and created again empty (an archive
// restores into the schema it was taken from), as a DBA would prepare it.
func restoreTarget(t *testing.T, d *db.DB, dir string) string {
	t.Helper()
	if d.Dialect == db.SQLite {
		return "sqlite:" + filepath.Join(dir, "restored", "amparo.db")
	}
	var schema string
	ctx := context.Background()
	if err := d.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	return d.URL()
}

// TestRestoreRefuses: a file that is no backup, or a backup of the other engine, is
// refused with ErrNotBackup before anything is written.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	junk := filepath.Join(dir, "notes.txt")
	os.WriteFile(junk, []byte("not a backup"), 0o600)
	target := "sqlite:" + filepath.Join(dir, "new", "amparo.db")
	os.MkdirAll(filepath.Join(dir, "new"), 0o700)
	if err := db.Restore(ctx, target, junk, db.BackupOptions{}); !errors.Is(err, db.ErrNotBackup) {
		t.Errorf("junk: %v", err)
	}
	pg := filepath.Join(dir, "pg.dump")
	os.WriteFile(pg, []byte("PGDMP\x01\x0e\x00"), 0o600)
	if err := db.Restore(ctx, target, pg, db.BackupOptions{}); !errors.Is(err, db.ErrNotBackup) || !strings.Contains(err.Error(), "--db postgres://") {
		t.Errorf("pg archive into sqlite: %v", err)
	}
	other := filepath.Join(dir, "other.db")
	c, _ := sql.Open("sqlite", other)
	c.Exec(`CREATE TABLE x (a)`)
	c.Close()
	if err := db.Restore(ctx, target, other, db.BackupOptions{}); !errors.Is(err, db.ErrNotBackup) {
		t.Errorf("a SQLite file of another program: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new", "amparo.db")); !os.IsNotExist(err) {
		t.Errorf("a refused restore left a database: %v", err)
	}
	if err := db.Restore(ctx, "postgres://127.0.0.1:1/x", filepath.Join(dir, "absent"), db.BackupOptions{}); err == nil {
		t.Error("missing file accepted")
	}
}

// TestRestoreRefusesLiveDatabase: a database file with a WAL beside it (a server runs
// on it) is no backup: copying the file alone would lose the newest data.
func TestRestoreRefusesLiveDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "amparo.db")
	d, err := db.Open(ctx, "sqlite:"+live)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	target := "sqlite:" + filepath.Join(dir, "new", "amparo.db")
	if err := db.Restore(ctx, target, live, db.BackupOptions{}); !errors.Is(err, db.ErrNotBackup) || !strings.Contains(err.Error(), "amparo backup") {
		t.Errorf("restore from a live database: %v, want ErrNotBackup", err)
	}
}

// TestPGCommand: the password leaves the command line for PGPASSWORD, and parameters
// only pgx knows (search_path, pool sizes) are left out for libpq.
func TestPGCommand(t *testing.T) {
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "pg_dump"), []byte("#!/bin/sh\n"), 0o755)
	cmd, err := db.PGCommandForTest("pg_dump", "postgres://amparo:s3cr%3Et@db.example:5433/amparo?sslmode=require&search_path=t_1&pool_max_conns=4&host=/run/pg",
		db.BackupOptions{PGBin: bin})
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(cmd.Args, " ")
	if strings.Contains(args, "s3cr") || strings.Contains(args, "search_path") || strings.Contains(args, "pool_max") ||
		!strings.Contains(args, "--dbname=postgres://amparo@db.example:5433/amparo?") ||
		!strings.Contains(args, "sslmode=require") || !strings.Contains(args, "host=%2Frun%2Fpg") {
		t.Errorf("args %s", args)
	}
	found := false
	for _, e := range cmd.Env {
		found = found || e == "PGPASSWORD=s3cr>t"
	}
	if !found {
		t.Error("PGPASSWORD not set from the URL")
	}
}
