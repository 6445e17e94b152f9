package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
)

// Backups. On SQLite a backup is a SQLite database file made with the online backup API
// in one step: one read transaction, so the copy is the database as of one moment even
// while the server writes (WAL lets that writer go on; see docs/OPERATIONS.md for why
// this rather than VACUUM INTO or small steps, measured). On PostgreSQL it is a pg_dump archive in the
// custom format, taken by running the operator's pg_dump (backup_pg.go). Neither holds the
// field-encryption key file: it is kept apart, and without it the personal data in a
// backup cannot be read.

// Backup formats, told apart by the first bytes of the file.
const (
	FormatSQLite = "sqlite"  // a SQLite database file
	FormatPGDump = "pg_dump" // a pg_dump archive, custom format
)

var (
	sqliteMagic = []byte("SQLite format 3\x00")
	pgDumpMagic = []byte("PGDMP")
)

// Operator mistakes a backup or a restore refuses; the command exits 2 on them.
var (
	// ErrExists: the backup file named already exists (a backup never overwrites one).
	ErrExists = errors.New("exists")
	// ErrNotEmpty: the restore target already holds a database.
	ErrNotEmpty = errors.New("not empty")
	// ErrNotBackup: the file is not a backup this engine can restore.
	ErrNotBackup = errors.New("not a backup")
	// ErrTool: pg_dump or pg_restore is missing or of the wrong version.
	ErrTool = errors.New("PostgreSQL tool")
)

// refuse makes an operator mistake: one line, wrapping kind.
func refuse(kind error, format string, a ...any) error {
	return &refusal{kind: kind, msg: fmt.Sprintf(format, a...)}
}

type refusal struct {
	kind error
	msg  string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.kind }

// BackupOptions are the settings of Backup and Restore.
type BackupOptions struct {
	// PGBin is the folder with pg_dump and pg_restore; "" looks them up on PATH.
	PGBin string
}

// BackupInfo describes a finished backup.
type BackupInfo struct {
	Format   string
	Bytes    int64
	Duration time.Duration
}

// Backup writes a consistent copy of the database to the new file out (mode 0600): it
// refuses a file that exists. The copy is written beside out under a temporary name and
// renamed when complete and checked, so out is never a partial backup.
func (d *DB) Backup(ctx context.Context, out string, opts BackupOptions) (BackupInfo, error) {
	start := time.Now()
	info := BackupInfo{Format: FormatSQLite}
	if d.Dialect == Postgres {
		info.Format = FormatPGDump
	}
	if _, err := os.Lstat(out); err == nil {
		return info, refuse(ErrExists, "%s already exists; a backup never overwrites a file: choose a new name", out)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-*") // mode 0600
	if err != nil {
		return info, fmt.Errorf("db: backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // after the link below, only the temporary name goes
	switch d.Dialect {
	case SQLite:
		err = d.backupSQLite(ctx, tmpName)
	case Postgres:
		err = d.backupPostgres(ctx, tmpName, opts)
	}
	if err != nil {
		return info, err
	}
	if err := syncFile(tmpName); err != nil {
		return info, fmt.Errorf("db: backup: %w", err)
	}
	// A hard link publishes the finished file without replacing one that appeared
	// meanwhile (rename would).
	if err := os.Link(tmpName, out); err != nil {
		if errors.Is(err, os.ErrExist) {
			return info, refuse(ErrExists, "%s already exists; a backup never overwrites a file: choose a new name", out)
		}
		return info, fmt.Errorf("db: backup: %w", err)
	}
	syncDirOf(out)
	st, err := os.Stat(out)
	if err != nil {
		return info, fmt.Errorf("db: backup: %w", err)
	}
	info.Bytes, info.Duration = st.Size(), time.Since(start)
	return info, nil
}

// backupSQLite copies the database with SQLite's online backup API in one step, on a
// connection of its own (the server's one writer connection stays free). One step is
// one read transaction: the copy is one moment of the database, while writers go on in
// the WAL. Small steps would let writes start the copy over again and again (under a
// steady load it never ends); VACUUM INTO is as consistent but rebuilds every table and
// index, taking twice as long and slowing the server more (docs/OPERATIONS.md). It then
// checks the copy.
func (d *DB) backupSQLite(ctx context.Context, tmp string) error {
	_, path, err := ParseURL(d.url)
	if err != nil {
		return err
	}
	c, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	defer c.Close()
	conn, err := c.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		src, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("the sqlite driver has no backup API")
		}
		b, err := src.NewBackup(tmp)
		if err != nil {
			return err
		}
		if _, err := b.Step(-1); err != nil {
			b.Finish()
			return err
		}
		return b.Finish()
	})
	if err != nil {
		return fmt.Errorf("db: backup: copy to %s: %w", tmp, err)
	}
	// The copy carries the WAL flag of the source; a backup is one file, with no -wal
	// or -shm beside it whoever opens it, so it goes back to a rollback journal.
	cp, err := sql.Open("sqlite", "file:"+tmp)
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	_, err = cp.ExecContext(ctx, `PRAGMA journal_mode=DELETE`)
	if cerr := cp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("db: backup: journal mode of the copy: %w", err)
	}
	return checkSQLiteFile(ctx, tmp)
}

// checkSQLiteFile opens a SQLite file read-only and runs quick_check on it, and checks
// it holds an Amparo schema (the migrations table).
func checkSQLiteFile(ctx context.Context, path string) error {
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("db: check %s: %w", path, err)
	}
	defer c.Close()
	var res string
	if err := c.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
		return fmt.Errorf("db: check %s: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("db: check %s: quick_check says %q", path, res)
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM goose_db_version`).Scan(&n); err != nil || n == 0 {
		return refuse(ErrNotBackup, "%s is a SQLite file but not an Amparo database (no migrations recorded)", path)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDirOf makes a new name in path's folder durable; where folders cannot be synced
// (some systems), the rename or link still happened.
func syncDirOf(path string) {
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
