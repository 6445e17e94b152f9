package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// TestIsUnavailable: on both engines, a database that cannot be written now, or a lock
// not granted in time, is "unavailable" (503), while mistakes of a request or the
// program (a constraint, bad SQL) are not; a closed handle is unavailable too.
func TestIsUnavailable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, "CREATE TABLE probe_t (k TEXT PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "INSERT INTO probe_t (k) VALUES ('a')"); err != nil {
			t.Fatal(err)
		}
		_, dup := d.Exec(ctx, "INSERT INTO probe_t (k) VALUES ('a')")
		_, bad := d.Exec(ctx, "SELECT nothing FROM nowhere")
		for name, err := range map[string]error{"a duplicate key": dup, "bad SQL": bad, "no rows": sql.ErrNoRows} {
			if err == nil || db.IsUnavailable(fmt.Errorf("store: %w", err)) {
				t.Errorf("%s (%v): unavailable, want a plain error", name, err)
			}
		}
		if db.IsUnavailable(nil) {
			t.Error("nil is unavailable")
		}

		var blocked error
		if d.Dialect == db.SQLite {
			// Another connection holds the write lock past busy_timeout.
			other, err := sql.Open("sqlite", "file:"+sqlitePath(t, d)+"?_pragma=busy_timeout(0)&_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			tx, err := other.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			probe, err := sql.Open("sqlite", "file:"+sqlitePath(t, d)+"?_pragma=busy_timeout(50)&_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			defer probe.Close()
			_, blocked = probe.Exec("INSERT INTO probe_t (k) VALUES ('b')")
		} else {
			blocked = lockedPostgres(t, d)
		}
		if blocked == nil || !db.IsUnavailable(fmt.Errorf("store: %w", blocked)) {
			t.Errorf("a lock not granted in time (%v): not unavailable", blocked)
		}

		d.Close()
		_, err := d.Exec(ctx, "INSERT INTO probe_t (k) VALUES ('c')")
		if err == nil || !db.IsUnavailable(err) {
			t.Errorf("a closed database (%v): not unavailable", err)
		}
	})
}

// sqlitePath is the file of a SQLite database opened by dbtest.
func sqlitePath(t *testing.T, d *db.DB) string {
	t.Helper()
	_, p, err := db.ParseURL(d.URL())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// lockedPostgres opens the database again with lock_timeout 200ms in its URL while
// another session holds a lock, and returns the error of a write that waits for it.
// The handle Amparo opens without lock_timeout in its URL waits 10 s, not forever.
func lockedPostgres(t *testing.T, d *db.DB) error {
	t.Helper()
	ctx := context.Background()
	var setting string
	if err := d.QueryRow(ctx, "SHOW lock_timeout").Scan(&setting); err != nil || setting != "10s" {
		t.Errorf("lock_timeout of a database opened without one: %q (%v), want 10s", setting, err)
	}
	admin, err := sql.Open("pgx", os.Getenv(dbtest.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var schema string
	if err := d.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	tx, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "LOCK TABLE "+schema+".probe_t IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	short, err := db.Open(ctx, d.URL()+"&lock_timeout=200ms")
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	start := time.Now()
	_, blocked := short.Exec(ctx, "INSERT INTO probe_t (k) VALUES ('b')")
	if time.Since(start) > 5*time.Second {
		t.Errorf("the write waited %s for the lock", time.Since(start))
	}
	if blocked == nil {
		return errors.New("the write was not blocked")
	}
	return blocked
}
