package db

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// PostgreSQL backups run the operator's pg_dump and pg_restore: they know every object
// of the schema (tables, sequences, the audit triggers' functions) and the archive is the
// standard one, readable by any later pg_restore. Amparo only chooses the options, checks
// the versions and the target, and turns failures into one line.

// libpqParams are the URL parameters libpq understands; pgx accepts more (pool sizes,
// search_path as a run-time setting) that pg_dump would refuse, so those are left out.
var libpqParams = map[string]bool{
	"sslmode": true, "sslcert": true, "sslkey": true, "sslrootcert": true, "sslpassword": true,
	"sslcrl": true, "sslnegotiation": true, "connect_timeout": true, "application_name": true,
	"target_session_attrs": true, "options": true, "passfile": true, "service": true,
	"channel_binding": true, "gssencmode": true, "krbsrvname": true, "keepalives": true,
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true,
}

// pgCommand prepares a pg_dump or pg_restore run against the database of rawURL: the
// URL goes in --dbname without its password, which goes in PGPASSWORD (so it is not in
// the process list).
func pgCommand(ctx context.Context, tool, rawURL string, opts BackupOptions, args ...string) (*exec.Cmd, error) {
	path, err := pgTool(tool, opts)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", tool, err)
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := url.Values{}
	for k, v := range u.Query() {
		switch {
		case k == "password" && len(v) > 0:
			env = append(env, "PGPASSWORD="+v[0])
		case libpqParams[k]:
			q[k] = v
		}
	}
	u.RawQuery = q.Encode()
	cmd := exec.CommandContext(ctx, path, append([]string{"--dbname=" + u.String()}, args...)...)
	cmd.Env = env
	return cmd, nil
}

// pgTool finds pg_dump or pg_restore in opts.PGBin or on PATH.
func pgTool(tool string, opts BackupOptions) (string, error) {
	if opts.PGBin != "" {
		p := filepath.Join(opts.PGBin, tool)
		if _, err := os.Stat(p); err != nil {
			return "", refuse(ErrTool, "%s not found in %s: give the folder of your PostgreSQL client programs", tool, opts.PGBin)
		}
		return p, nil
	}
	p, err := exec.LookPath(tool)
	if err != nil {
		return "", refuse(ErrTool, "%s not found on PATH: install the PostgreSQL client of your server's version "+
			"(Debian: apt-get install postgresql-client) or give its folder with --pg-bin", tool)
	}
	return p, nil
}

var toolVersionRe = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// checkToolVersion refuses a pg_dump older than the server: it cannot dump a newer
// server, and says so only after connecting.
func (d *DB) checkToolVersion(ctx context.Context, tool string, opts BackupOptions) error {
	path, err := pgTool(tool, opts)
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	m := toolVersionRe.FindSubmatch(out)
	if err != nil || m == nil {
		return refuse(ErrTool, "%s --version did not answer as a PostgreSQL tool (%v)", path, err)
	}
	toolMajor, _ := strconv.Atoi(string(m[1]))
	var num int
	if err := d.read.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&num); err != nil {
		return fmt.Errorf("db: server version: %w", err)
	}
	if serverMajor := num / 10000; toolMajor < serverMajor {
		return refuse(ErrTool, "%s is version %d and the server is PostgreSQL %d: install postgresql-client-%d "+
			"and give its folder with --pg-bin", path, toolMajor, serverMajor, serverMajor)
	}
	return nil
}

// backupPostgres dumps the schema the connection works in (current_schema(): public, or
// the search_path of the URL) in pg_dump's custom format, compressed.
func (d *DB) backupPostgres(ctx context.Context, tmp string, opts BackupOptions) error {
	if err := d.checkToolVersion(ctx, "pg_dump", opts); err != nil {
		return err
	}
	var schema string
	if err := d.read.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("db: backup: current schema: %w", err)
	}
	cmd, err := pgCommand(ctx, "pg_dump", d.url, opts, "--format=custom", "--file="+tmp,
		"--schema="+quoteIdent(schema), "--no-password")
	if err != nil {
		return err
	}
	return runTool(cmd, "pg_dump")
}

// restorePostgres restores a pg_dump archive in one transaction: nothing is left behind
// when it fails. The target schema must hold no table; if it exists, the archive's
// CREATE SCHEMA is skipped.
func restorePostgres(ctx context.Context, rawURL, in string, opts BackupOptions) error {
	restore, err := pgTool("pg_restore", opts)
	if err != nil {
		return err
	}
	toc, err := exec.CommandContext(ctx, restore, "--list", in).Output()
	if err != nil {
		return refuse(ErrNotBackup, "%s cannot be read by pg_restore (%s)", in, toolError(err))
	}
	schema := dumpSchema(toc)
	if schema == "" {
		return refuse(ErrNotBackup, "%s is a pg_dump archive but not of an Amparo database (no goose_db_version table)", in)
	}
	d, err := Open(ctx, rawURL)
	if err != nil {
		return err
	}
	defer d.Close()
	target, err := d.targetSchema(ctx)
	if err != nil {
		return err
	}
	if target != schema {
		return refuse(ErrNotBackup, "the backup holds schema %s and --db works in schema %s: restore into a database "+
			"whose search_path is %s", schema, target, schema)
	}
	var tables, exists int
	if err := d.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM pg_tables WHERE schemaname = $1),
		(SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&tables, &exists); err != nil {
		return fmt.Errorf("db: restore: %w", err)
	}
	if tables > 0 {
		return refuse(ErrNotEmpty, "schema %s of the target database already holds %d tables: restore into an empty database", schema, tables)
	}
	args := []string{"--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--no-password"}
	if exists > 0 {
		keep, err := os.CreateTemp("", "amparo-restore-list-*")
		if err != nil {
			return fmt.Errorf("db: restore: %w", err)
		}
		defer os.Remove(keep.Name())
		_, werr := keep.Write(withoutSchemaEntry(toc, schema))
		if cerr := keep.Close(); werr != nil || cerr != nil {
			return fmt.Errorf("db: restore: write list: %v %v", werr, cerr)
		}
		args = append(args, "--use-list="+keep.Name())
	}
	cmd, err := pgCommand(ctx, "pg_restore", rawURL, opts, append(args, in)...)
	if err != nil {
		return err
	}
	return runTool(cmd, "pg_restore")
}

// targetSchema returns the schema new tables go to: the first of the search_path,
// whether it exists yet or not ("$user" is the user's name).
func (d *DB) targetSchema(ctx context.Context) (string, error) {
	var path, user string
	if err := d.read.QueryRowContext(ctx, `SELECT current_setting('search_path'), current_user`).Scan(&path, &user); err != nil {
		return "", fmt.Errorf("db: restore: search_path: %w", err)
	}
	first, _, _ := strings.Cut(path, ",")
	first = strings.TrimSpace(first)
	if strings.HasPrefix(first, `"`) && strings.HasSuffix(first, `"`) && len(first) >= 2 {
		first = strings.ReplaceAll(first[1:len(first)-1], `""`, `"`)
	}
	if first == "$user" {
		// "$user" is skipped when no schema of that name exists; public then takes it.
		var n int
		if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1`, user).Scan(&n); err != nil {
			return "", fmt.Errorf("db: restore: %w", err)
		}
		if n > 0 {
			return user, nil
		}
		_, rest, _ := strings.Cut(path, ",")
		return strings.Trim(strings.TrimSpace(strings.Split(rest, ",")[0]), `"`), nil
	}
	return first, nil
}

// tocTableRe matches a table entry of pg_restore --list: "ID; OID OID TABLE schema name owner".
var tocTableRe = regexp.MustCompile(`(?m)^\d+; \d+ \d+ TABLE (\S+) goose_db_version `)

// dumpSchema returns the schema of the archive's migrations table, or "".
func dumpSchema(toc []byte) string {
	if m := tocTableRe.FindSubmatch(toc); m != nil {
		return string(m[1])
	}
	return ""
}

// withoutSchemaEntry comments out the archive's "SCHEMA - name" entry (and its comment).
func withoutSchemaEntry(toc []byte, schema string) []byte {
	var b bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(toc))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) >= 6 && (f[3] == "SCHEMA" && f[4] == "-" && f[5] == schema ||
			f[3] == "COMMENT" && f[4] == "-" && f[5] == "SCHEMA" && len(f) > 6 && f[6] == schema) {
			line = ";" + line
		}
		b.WriteString(line + "\n")
	}
	return b.Bytes()
}

// runTool runs a PostgreSQL tool and turns a failure into one line with its first error.
func runTool(cmd *exec.Cmd, tool string) error {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := firstErrorLine(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("db: %s failed: %s", tool, msg)
	}
	return nil
}

func toolError(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if m := firstErrorLine(string(ee.Stderr)); m != "" {
			return m
		}
	}
	return err.Error()
}

// firstErrorLine picks the line of a tool's output that says what went wrong.
func firstErrorLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, l := range lines {
		if strings.Contains(l, "error:") || strings.Contains(l, "ERROR:") || strings.Contains(l, "FATAL:") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(lines[0])
}

// quoteIdent quotes a schema name for pg_dump's --schema pattern, so it matches exactly.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
