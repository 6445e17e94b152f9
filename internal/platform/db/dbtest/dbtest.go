// Package dbtest runs one test body on every database engine available: SQLite always,
// PostgreSQL where AMPARO_TEST_POSTGRES_URL is set. Each run gets a fresh, migrated
// database (a temporary file, or a new schema).
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// PostgresEnv names the variable with the URL of a PostgreSQL database tests may use.
const PostgresEnv = "AMPARO_TEST_POSTGRES_URL"

// RequireAll reports whether AMPARO_REQUIRE_ALL=1, under which missing engines or
// browsers fail the suite instead of skipping.
func RequireAll() bool { return os.Getenv("AMPARO_REQUIRE_ALL") == "1" }

// SkipOrFail skips the test with reason, or fails it when AMPARO_REQUIRE_ALL=1.
func SkipOrFail(t testing.TB, reason string) {
	t.Helper()
	if RequireAll() {
		t.Fatalf("AMPARO_REQUIRE_ALL=1 but %s", reason)
	}
	t.Skip(reason)
}

// Run runs fn once per engine as subtests named "sqlite" and "postgres".
func Run(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh migrated SQLite database in a temporary folder.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	return openMigrated(t, "sqlite:"+path)
}

// Postgres returns a fresh migrated PostgreSQL schema, or skips (fails under
// AMPARO_REQUIRE_ALL=1) when no server is configured.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	u := PostgresURL(t)
	return openMigrated(t, u)
}

// PostgresURL creates a fresh schema and returns a URL whose search_path points at it;
// the schema is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		SkipOrFail(t, PostgresEnv+" is not set: PostgreSQL tests skipped")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("dbtest: open postgres: %v", err)
	}
	if err := admin.Ping(); err != nil {
		admin.Close()
		SkipOrFail(t, "PostgreSQL at "+PostgresEnv+" does not answer: "+err.Error())
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: bad %s: %v", PostgresEnv, err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}

func openMigrated(t testing.TB, u string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("dbtest: migrate: %v", err)
	}
	return d
}
