// Package db opens Amparo's store on SQLite or PostgreSQL and hides the few places where
// the two differ: placeholders, the writer/reader split, transactions carried in ctx.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two engines Amparo runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the store handle every service uses. On SQLite, writes and transactions go
// through one writer connection while reads use a pool; on PostgreSQL both are one pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	url     string
	probe   *writeProbe // SQLite: the rate-limited write probe of Ready
}

// ErrBadURL is returned for a database URL Amparo cannot use.
var ErrBadURL = errors.New("database URL must be sqlite:PATH or postgres://")

// ParseURL checks a database URL and returns its dialect and the driver's DSN part.
func ParseURL(raw string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		p := strings.TrimPrefix(raw, "sqlite:")
		p = strings.TrimPrefix(p, "//")
		if p == "" {
			return "", "", fmt.Errorf("%w (empty sqlite path)", ErrBadURL)
		}
		return SQLite, p, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return "", "", fmt.Errorf("%w: %v", ErrBadURL, err)
		}
		return Postgres, raw, nil
	}
	return "", "", ErrBadURL
}

// Open connects to the database named by raw ("sqlite:PATH" or a postgres:// URL) and
// checks that it answers.
func Open(ctx context.Context, raw string) (*DB, error) {
	dialect, dsn, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	d := &DB{Dialect: dialect, url: raw}
	switch dialect {
	case SQLite:
		if err := openSQLite(d, dsn); err != nil {
			return nil, err
		}
	case Postgres:
		pool, err := sql.Open("pgx", pgDefaults(dsn))
		if err != nil {
			return nil, fmt.Errorf("db: open postgres: %w", err)
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(10)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		d.write, d.read = pool, pool
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.Ping(pctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: cannot reach %s database: %w", dialect, err)
	}
	return d, nil
}

// pgLockTimeout is how long a PostgreSQL statement waits for a lock, as SQLite's
// busy_timeout (10 s) bounds its wait for the write lock: a database held by a stuck
// transaction or a migration elsewhere then answers "unavailable" (503) instead of
// holding every request until its client gives up. pgConnectTimeout bounds a new
// connection to a server that does not answer.
const (
	pgLockTimeout    = "10s"
	pgConnectTimeout = "10"
)

// pgDefaults adds lock_timeout and connect_timeout to a PostgreSQL URL that does not set
// them (pgx sends lock_timeout to the server as a setting of each connection).
func pgDefaults(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("lock_timeout") == "" && !strings.Contains(q.Get("options"), "lock_timeout") {
		q.Set("lock_timeout", pgLockTimeout)
	}
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", pgConnectTimeout)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func openSQLite(d *DB, path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("db: sqlite folder %s: %w", dir, err)
		}
	}
	if err := prepareSQLiteFiles(path); err != nil {
		return err
	}
	d.probe = &writeProbe{path: path, every: defaultProbeEvery}
	// Pragmas run on every new connection. _txlock=immediate takes the write lock at
	// BEGIN, so two writers queue on busy_timeout instead of failing mid-transaction.
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("db: open sqlite writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("db: open sqlite readers: %w", err)
	}
	n := runtime.NumCPU() * 2
	if n < 4 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	d.write, d.read = w, r
	return nil
}

// URL returns the URL the database was opened with.
func (d *DB) URL() string { return d.url }

// Ping checks that the database answers, on both the writer and the reader.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.write.PingContext(ctx); err != nil {
		return err
	}
	if d.read != d.write {
		return d.read.PingContext(ctx)
	}
	return nil
}

// Close closes every connection.
func (d *DB) Close() error {
	err := d.write.Close()
	if d.read != d.write {
		if e := d.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Writer is the connection pool used for writes (one connection on SQLite). Migrations
// and tools that need a raw *sql.DB use it.
func (d *DB) Writer() *sql.DB { return d.write }

// Stats returns the pool statistics of the writer and the reader, for /metrics.
func (d *DB) Stats() (write, read sql.DBStats) {
	return d.write.Stats(), d.read.Stats()
}
