package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// TestBackupRestoreRefuse: each operator mistake is one line and exit 2, and leaves
// nothing behind: an existing backup file, no database to back up, a target that holds
// a database, a file that is no backup, and a key file that is not the backup's.
func TestBackupRestoreRefuse(t *testing.T) {
	cleanEnv(t)
	dir, _ := installation(t)
	file := filepath.Join(t.TempDir(), "amparo.backup")
	if code, out, errOut := amparo(t, "backup", "--out", file, "--data", dir); code != 0 {
		t.Fatalf("backup: %d\n%s\n%s", code, out, errOut)
	}
	junk := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(junk, []byte("hello"), 0o600)
	empty := t.TempDir()
	otherKey := filepath.Join(t.TempDir(), "other.key")
	if err := secure.GenerateKeyFile(otherKey); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"no --out", []string{"backup", "--data", dir}, []string{"--out"}},
		{"backup file exists", []string{"backup", "--out", file, "--data", dir}, []string{file, "already exists"}},
		{"nothing to back up", []string{"backup", "--out", file + "2", "--data", empty}, []string{"no database at"}},
		{"no --in", []string{"restore", "--data", t.TempDir()}, []string{"--in"}},
		{"missing backup", []string{"restore", "--in", file + ".absent", "--data", t.TempDir()}, []string{"--in", "no such file"}},
		{"not a backup", []string{"restore", "--in", junk, "--data", t.TempDir()}, []string{junk, "not an Amparo backup"}},
		{"onto a database", []string{"restore", "--in", file, "--data", dir}, []string{"already holds a database", "empty data folder"}},
		{"SQLite backup into PostgreSQL", []string{"restore", "--in", file, "--data", t.TempDir(), "--db", "postgres://127.0.0.1:1/x"},
			[]string{"SQLite backup", "PostgreSQL"}},
	} {
		code, out, errOut := amparo(t, tt.args...)
		if code != 2 || out != "" {
			t.Errorf("%s: exit %d, stdout %q; want 2 and nothing\nstderr: %s", tt.name, code, out, errOut)
			continue
		}
		oneLine(t, tt.name, errOut, tt.want...)
	}
	if _, err := os.Stat(file + "2"); !os.IsNotExist(err) {
		t.Errorf("a refused backup left a file: %v", err)
	}

	// A restore with another installation's key file: restored, then refused in one line.
	dst := t.TempDir()
	code, _, errOut := amparo(t, "restore", "--in", file, "--data", dst, "--key-file", otherKey)
	if code != 2 {
		t.Errorf("restore with a wrong key file: exit %d, want 2", code)
	}
	oneLine(t, "restore with a wrong key file", errOut, "restored, but", otherKey+" is not the key file of this database")
	// Without a key file it says where to put it and which keys it needs.
	dst = t.TempDir()
	code, out, errOut := amparo(t, "restore", "--in", file, "--data", dst)
	if code != 0 || !strings.Contains(out, "No key file at "+filepath.Join(dst, "amparo.key")) || !strings.Contains(out, "It needs the keys k1 (check ") {
		t.Errorf("restore without a key file: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestBackupPostgresTools: a missing pg_dump, or one older than the server, is named in
// one line with the fix, before anything is written.
func TestBackupPostgresTools(t *testing.T) {
	cleanEnv(t)
	url := dbtest.PostgresURL(t)
	data := t.TempDir()
	if code, _, errOut := amparo(t, "migrate", "--data", data, "--db", url); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	bin := t.TempDir()
	file := filepath.Join(t.TempDir(), "amparo.backup")
	code, _, errOut := amparo(t, "backup", "--out", file, "--data", data, "--db", url, "--pg-bin", bin)
	if code != 2 {
		t.Errorf("no pg_dump: exit %d, want 2", code)
	}
	oneLine(t, "no pg_dump", errOut, "pg_dump not found in "+bin)

	old := "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n"
	if err := os.WriteFile(filepath.Join(bin, "pg_dump"), []byte(old), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = amparo(t, "backup", "--out", file, "--data", data, "--db", url, "--pg-bin", bin)
	if code != 2 {
		t.Errorf("old pg_dump: exit %d, want 2", code)
	}
	oneLine(t, "old pg_dump", errOut, "is version 9 and the server is PostgreSQL", "--pg-bin")
	if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) != 0 {
		t.Errorf("a refused backup left files: %v", entries)
	}
}

// TestRestoreMigratesOldBackup: a backup of an older schema restores into this binary
// with the migrations it lacks applied.
func TestRestoreMigratesOldBackup(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	src := t.TempDir()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(src, "amparo.db"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, d.Writer(), db.Migrations(db.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	latest := p.ListSources()[len(p.ListSources())-1].Version
	old := p.ListSources()[len(p.ListSources())-2].Version
	if _, err := p.UpTo(ctx, old); err != nil {
		t.Fatal(err)
	}
	d.Close()
	file := filepath.Join(t.TempDir(), "old.backup")
	if code, out, errOut := amparo(t, "backup", "--out", file, "--data", src); code != 0 {
		t.Fatalf("backup: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := amparo(t, "restore", "--in", file, "--data", t.TempDir())
	want := fmt.Sprintf("(schema version %d, now %d)", old, latest)
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("restore of an old backup: exit %d, want %q in\n%s\n%s", code, want, out, errOut)
	}
}
