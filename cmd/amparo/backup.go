package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db"
)

func init() {
	register("backup", "write a consistent copy of the database while the server runs", cmdBackup)
	register("restore", "restore a backup into an empty data folder or database", cmdRestore)
}

const backupSynopsis = "backup --out FILE [--db URL] [--data DIR] [--key-file PATH] [--pg-bin DIR]"

const backupHelp = `
The backup is the database only: on SQLite a database file (SQLite's online backup API,
one moment of the database while the server goes on writing), on PostgreSQL a pg_dump archive (custom
format; pg_dump of the server's version or newer must be installed). It never contains
the key file: keep a copy of the key file apart from the backups, in another place. A
backup without its key file cannot be read; a key file without the backup reads nothing.
Test a restore regularly (docs/OPERATIONS.md).
`

// beforeBackupCopy, when set (tests), runs just before the copy is taken.
var beforeBackupCopy func()

// cmdBackup writes the backup and says where the key file is that it needs.
func cmdBackup(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("backup", backupSynopsis, errOut)
	file := fs.String("out", "", "the backup file to write (must not exist)")
	pgBin := fs.String("pg-bin", "", "folder of pg_dump and pg_restore (PostgreSQL); default: PATH")
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(errOut, backupHelp) }
	c, err := keysConfig(fs, args)
	if err != nil {
		return err
	}
	if *file == "" {
		return usagef("--out: give the file to write, for example --out /backups/amparo-$(date +%%F).backup")
	}
	target, err := filepath.Abs(*file)
	if err != nil {
		return usagef("--out %s: %v", *file, err)
	}
	if p := c.SQLitePath(); p != "" {
		if _, err := os.Stat(p); err != nil {
			return usagef("no database at %s: give the --data folder (or --db) of the installation to back up", p)
		}
	}
	d, err := db.Open(ctx, c.DB) // no migrations: a backup changes nothing
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := app.RecordedKeyChecks(ctx, d); err != nil {
		return fmt.Errorf("%s does not look like an Amparo database: %w", c.DB, err)
	}
	if beforeBackupCopy != nil {
		beforeBackupCopy()
	}
	info, err := d.Backup(ctx, target, db.BackupOptions{PGBin: *pgBin})
	if err != nil {
		return operatorError(err)
	}
	// Read after the copy: a rotation may have added a key meanwhile, and keys are only
	// ever added, so this names every key the copy holds data under.
	checks, err := app.RecordedKeyChecks(ctx, d)
	if err != nil {
		return fmt.Errorf("backup written, but the keys it needs could not be read: %w", err)
	}
	fmt.Fprintf(out, "Backup written: %s (%s, %.1f MB, %.1f s)\n", target, info.Format,
		float64(info.Bytes)/(1<<20), info.Duration.Seconds())
	fmt.Fprintf(out, "It does not contain the key file. Without the key file the personal data in it cannot be read:\n")
	if c.Key != "" {
		fmt.Fprintf(out, "keep a copy of the keys in AMPARO_KEY apart from the backups.\n")
	} else {
		fmt.Fprintf(out, "keep a copy of %s apart from the backups (another place, another medium).\n", c.KeyFile)
		if filepath.Dir(target) == filepath.Dir(c.KeyFile) {
			fmt.Fprintf(out, "Warning: the backup is in the key file's folder; move it elsewhere, so that one loss or leak does not take both.\n")
		}
	}
	if len(checks) > 0 {
		fmt.Fprintf(out, "This database needs the keys %s (\"amparo keys status\" shows the check values of a key file).\n", describeChecks(checks))
	}
	return nil
}

// cmdRestore restores a backup into an empty target, applies the migrations it lacks
// and checks the key file against it.
func cmdRestore(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("restore", "restore --in FILE [--db URL] [--data DIR] [--key-file PATH] [--pg-bin DIR]", errOut)
	file := fs.String("in", "", "the backup file to restore")
	pgBin := fs.String("pg-bin", "", "folder of pg_dump and pg_restore (PostgreSQL); default: PATH")
	c, err := keysConfig(fs, args)
	if err != nil {
		return err
	}
	if *file == "" {
		return usagef("--in: give the backup file to restore")
	}
	if _, err := os.Stat(*file); err != nil {
		return usagef("--in %s: %v", *file, unwrapPathErr(err))
	}
	if c.SQLitePath() != "" {
		if err := c.EnsureDataDir(); err != nil {
			return err
		}
	}
	if err := db.Restore(ctx, c.DB, *file, db.BackupOptions{PGBin: *pgBin}); err != nil {
		return operatorError(err)
	}
	from, err := schemaVersion(ctx, c.DB)
	if err != nil {
		return err
	}
	d, err := app.Open(ctx, c, app.NewLogger(c, errOut)) // applies the migrations the backup lacks
	if err != nil {
		return fmt.Errorf("restored, but the migrations failed: %w", err)
	}
	defer d.Close()
	to, _, err := d.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Restored %s into %s (schema version %d, now %d).\n", *file, describeDB(c), from, to)
	if err := endRestoredAccess(ctx, d, out); err != nil {
		return err
	}
	intact, err := verifyRestored(ctx, d, out)
	if err != nil {
		return err
	}
	if err := checkRestoredKeys(ctx, c, d, out); err != nil {
		return err
	}
	if !intact {
		return errBroken
	}
	return nil
}

// checkRestoredKeys checks the key file against the restored database, or says where
// to put it and which keys it must hold.
func checkRestoredKeys(ctx context.Context, c *config.Config, d *db.DB, out io.Writer) error {
	checks, err := app.RecordedKeyChecks(ctx, d)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(c.KeyFile)
	if c.Key == "" && statErr != nil {
		fmt.Fprintf(out, "No key file at %s yet: put this database's key file there (mode 0600) before starting the server.\n", c.KeyFile)
		if len(checks) > 0 {
			fmt.Fprintf(out, "It needs the keys %s.\n", describeChecks(checks))
		}
		return nil
	}
	kr, err := app.LoadKeys(c)
	if err != nil {
		return err
	}
	if err := app.CheckKeys(ctx, d, kr, app.KeySource(c)); err != nil {
		return fmt.Errorf("restored, but %w", err)
	}
	fmt.Fprintf(out, "The %s holds this database's keys.\n", app.KeySource(c))
	return nil
}

// operatorError turns the refusals of the db package (file exists, target not empty,
// not a backup, PostgreSQL tool missing or too old) into usage errors: exit 2, one line.
func operatorError(err error) error {
	for _, kind := range []error{db.ErrExists, db.ErrNotEmpty, db.ErrNotBackup, db.ErrTool} {
		if errors.Is(err, kind) {
			return usagef("%v", err)
		}
	}
	return err
}

// schemaVersion reads the schema version of a database without migrating it.
func schemaVersion(ctx context.Context, url string) (int64, error) {
	d, err := db.Open(ctx, url)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	v, _, err := d.Version(ctx)
	return v, err
}

// describeChecks lists key IDs with their check values: "k1 (check ada0…), k2 (…)".
func describeChecks(checks map[string]string) string {
	ids := make([]string, 0, len(checks))
	for id := range checks {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%s (check %s)", id, checks[id])
	}
	return strings.Join(parts, ", ")
}

// describeDB names the restore target without a password.
func describeDB(c *config.Config) string {
	if p := c.SQLitePath(); p != "" {
		return p
	}
	d, _, _ := db.ParseURL(c.DB)
	return string(d) + " database --db"
}

// flagsOf repeats the --data and --db flags for a command to suggest.
func flagsOf(c *config.Config) string {
	s := " --data " + c.DataDir
	if c.SQLitePath() == "" {
		s += " --db '…'"
	}
	return s
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
