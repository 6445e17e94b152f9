package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// defaultProbeEvery is how often Ready really writes on SQLite; in between it answers
// what the last probe found. A monitor polling /readyz every second costs one small
// write every five.
const defaultProbeEvery = 5 * time.Second

// probeKey is the app_meta key the SQLite probe writes and deletes in one transaction,
// so the probe leaves no row behind.
const probeKey = "readyz.write_probe"

// Ready checks that the database can serve requests now: both pools answer a query,
// and the database can be written. A server that can read but not write is not ready:
// every sign-in, case and audit event would fail. On PostgreSQL, the server must not be
// read-only (a standby after a failover, or default_transaction_read_only). On SQLite,
// a write probe (writeProbe) finds a file or folder made read-only and a full disk.
func (d *DB) Ready(ctx context.Context) error {
	// The read pool only: on SQLite the writer is one connection, and waiting for it
	// would queue this check behind every write (the probe opens its own).
	if err := d.read.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping: %w", err)
	}
	var one int
	if err := d.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("db: read: %w", err)
	}
	if d.Dialect == Postgres {
		var ro string
		if err := d.read.QueryRowContext(ctx, "SHOW transaction_read_only").Scan(&ro); err != nil {
			return fmt.Errorf("db: read-only check: %w", err)
		}
		if ro == "on" {
			return fmt.Errorf("db: the PostgreSQL server is read-only (a standby, or default_transaction_read_only is on)")
		}
		return nil
	}
	if d.probe == nil {
		return nil
	}
	return d.probe.check(ctx)
}

// SetProbeInterval changes how often Ready writes on SQLite (0: on every call). Tests
// use it; the default suits a monitor polling every few seconds.
func (d *DB) SetProbeInterval(every time.Duration) {
	if d.probe != nil {
		d.probe.mu.Lock()
		d.probe.every = every
		d.probe.mu.Unlock()
	}
}

// writeProbe writes to a SQLite database the way the server needs to, at most once per
// interval. Callers never queue behind a probe: while one runs, the others get the
// last result at once. The probe uses its own short-lived connection, never the
// server's one writer connection, so it cannot hold up the server's writes, and it
// gives up after a short busy wait: a database that is merely busy is writable.
type writeProbe struct {
	path  string
	mu    sync.Mutex // guards every, at and err
	run   sync.Mutex // held while a probe runs
	every time.Duration
	at    time.Time
	err   error
}

func (p *writeProbe) check(ctx context.Context) error {
	p.mu.Lock()
	fresh := !p.at.IsZero() && time.Since(p.at) < p.every
	last := p.err
	p.mu.Unlock()
	if fresh {
		return last
	}
	if !p.run.TryLock() {
		return last
	}
	defer p.run.Unlock()
	err := p.probe(ctx)
	p.mu.Lock()
	p.at, p.err = time.Now(), err
	p.mu.Unlock()
	return err
}

// probe checks, in order: that the folder takes a new 4 KiB file (a read-only folder
// or mount, a full disk: SQLite may not notice a full disk while its WAL has room
// left); that the files can be written (a file made read-only after start, which the
// server's open connections would not notice until restart); and that a fresh
// connection can commit a write transaction.
func (p *writeProbe) probe(ctx context.Context) error {
	dir := filepath.Dir(p.path)
	f, err := os.CreateTemp(dir, ".amparo-probe-*")
	if err != nil {
		return &ReadOnlyError{What: "folder", Path: dir, Err: err}
	}
	_, werr := f.Write(make([]byte, 4096))
	cerr := f.Close()
	_ = os.Remove(f.Name())
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		return &ReadOnlyError{What: "folder", Path: dir, Err: werr}
	}
	for _, f := range sqliteFiles(p.path) {
		if _, err := os.Stat(f[1]); err != nil {
			continue
		}
		if err := writable(f[1]); err != nil {
			return &ReadOnlyError{What: f[0], Path: f[1], Err: err}
		}
	}
	return p.write(ctx)
}

func (p *writeProbe) write(ctx context.Context) error {
	c, err := sql.Open("sqlite", "file:"+p.path+"?mode=rw&_pragma=busy_timeout(200)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("db: write probe: open: %w", err)
	}
	defer c.Close()
	tx, err := c.BeginTx(ctx, nil)
	if isBusy(err) {
		return nil // another connection holds the write lock: the file is writable
	}
	if err != nil {
		return fmt.Errorf("db: write probe: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "INSERT INTO app_meta (key, value) VALUES (?, ?)", probeKey, Now()); err != nil {
		return fmt.Errorf("db: write probe: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM app_meta WHERE key = ?", probeKey); err != nil {
		return fmt.Errorf("db: write probe: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: write probe: commit: %w", err)
	}
	return nil
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked"))
}
