package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BackupFormat reads the first bytes of a file and tells which kind of backup it is.
func BackupFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("db: open backup: %w", err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("db: read backup: %w", err)
	}
	switch head = head[:n]; {
	case bytes.HasPrefix(head, sqliteMagic):
		return FormatSQLite, nil
	case bytes.HasPrefix(head, pgDumpMagic):
		return FormatPGDump, nil
	}
	return "", refuse(ErrNotBackup, "%s is not an Amparo backup (neither a SQLite file nor a pg_dump archive)", path)
}

// Restore puts the backup in into the database named by rawURL, which must be empty: on
// SQLite no database file (nor -wal) yet, on PostgreSQL no table in the target schema.
// It does not migrate: open the database afterwards (app.Open) to apply the migrations
// the backup lacks.
func Restore(ctx context.Context, rawURL, in string, opts BackupOptions) error {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return err
	}
	format, err := BackupFormat(in)
	if err != nil {
		return err
	}
	switch {
	case dialect == SQLite && format == FormatSQLite:
		return restoreSQLite(ctx, dsn, in)
	case dialect == Postgres && format == FormatPGDump:
		return restorePostgres(ctx, rawURL, in, opts)
	case format == FormatSQLite:
		return refuse(ErrNotBackup, "%s is a SQLite backup and --db is PostgreSQL: restore it into a SQLite data folder", in)
	}
	return refuse(ErrNotBackup, "%s is a PostgreSQL (pg_dump) backup and --db is SQLite: give --db postgres://…", in)
}

// restoreSQLite checks the backup, then copies it to a temporary file beside the
// target and renames it into place, so a failed restore leaves no database behind.
func restoreSQLite(ctx context.Context, target, in string) error {
	for _, p := range []string{target, target + "-wal"} {
		if st, err := os.Stat(p); err == nil && st.Size() > 0 {
			return refuse(ErrNotEmpty, "%s already holds a database: restore into an empty data folder (or move that file away first)", p)
		}
	}
	// A database file with a WAL beside it is in use, or was not closed cleanly: the
	// newest data is in the WAL, and a copy of the file alone would lose it.
	if st, err := os.Stat(in + "-wal"); err == nil && st.Size() > 0 {
		return refuse(ErrNotBackup, "%s has a write-ahead log beside it (%s-wal): it is a database in use, not a backup; "+
			"take one with amparo backup", in, in)
	}
	if err := checkSQLiteFile(ctx, in); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return fmt.Errorf("db: restore: %w", err)
	}
	src, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("db: restore: %w", err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".restore-*") // mode 0600
	if err != nil {
		return fmt.Errorf("db: restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		return fmt.Errorf("db: restore: copy: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("db: restore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("db: restore: %w", err)
	}
	// An empty file or -shm left by an earlier open would confuse SQLite about the copy.
	for _, p := range []string{target, target + "-wal", target + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("db: restore: %w", err)
		}
	}
	if err := os.Link(tmp.Name(), target); err != nil {
		return fmt.Errorf("db: restore: %w", err)
	}
	syncDirOf(target)
	return nil
}
