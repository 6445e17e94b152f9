package db_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// The two migration folders must hold the same numbers with the same names, so both
// engines always have the same schema version.
func TestMigrationsInLockstep(t *testing.T) {
	names := func(d db.Dialect) []string {
		var out []string
		err := fs.WalkDir(db.Migrations(d), ".", func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				out = append(out, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	s, p := names(db.SQLite), names(db.Postgres)
	if strings.Join(s, ",") != strings.Join(p, ",") {
		t.Fatalf("migrations differ:\nsqlite:   %v\npostgres: %v", s, p)
	}
	if len(s) == 0 {
		t.Fatal("no migrations found")
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want db.Dialect
		ok   bool
	}{
		{"sqlite:/tmp/x.db", db.SQLite, true},
		{"sqlite:x.db", db.SQLite, true},
		{"postgres://u@localhost/db", db.Postgres, true},
		{"postgresql://u@localhost/db", db.Postgres, true},
		{"mysql://x", "", false},
		{"sqlite:", "", false},
		{"", "", false},
	} {
		d, _, err := db.ParseURL(tc.in)
		if (err == nil) != tc.ok || d != tc.want {
			t.Errorf("ParseURL(%q) = %q, %v", tc.in, d, err)
		}
	}
}

func TestRebind(t *testing.T) {
	pg := &db.DB{Dialect: db.Postgres}
	got := pg.Rebind("SELECT * FROM t WHERE a = ? AND b = '?' AND c IN (?, ?)")
	want := "SELECT * FROM t WHERE a = $1 AND b = '?' AND c IN ($2, $3)"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	lite := &db.DB{Dialect: db.SQLite}
	if q := "SELECT ?"; lite.Rebind(q) != q {
		t.Fatal("sqlite must keep ?")
	}
}

func TestOpenMissingFolder(t *testing.T) {
	_, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "nope", "x.db"))
	if err == nil {
		t.Fatal("expected an error for a missing folder")
	}
}

func TestTransactions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// A failing transaction leaves nothing behind.
		boom := errors.New("boom")
		err := d.InTx(ctx, func(ctx context.Context) error {
			if _, err := d.Exec(ctx, "INSERT INTO app_meta(key, value) VALUES (?, ?)", "a", "1"); err != nil {
				return err
			}
			// Nested InTx joins the same transaction.
			if err := d.InTx(ctx, func(ctx context.Context) error {
				_, err := d.Exec(ctx, "INSERT INTO app_meta(key, value) VALUES (?, ?)", "b", "2")
				return err
			}); err != nil {
				return err
			}
			var n int
			if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM app_meta WHERE key IN (?, ?)", "a", "b").Scan(&n); err != nil {
				return err
			}
			if n != 2 {
				t.Errorf("inside the transaction want 2 rows, got %d", n)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("want boom, got %v", err)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM app_meta").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rollback left %d rows", n)
		}
		// A successful one commits, and the read pool sees it.
		if err := d.InTx(ctx, func(ctx context.Context) error {
			_, err := d.Exec(ctx, "INSERT INTO app_meta(key, value) VALUES (?, ?)", "c", "3")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := d.QueryRow(ctx, "SELECT value FROM app_meta WHERE key = ?", "c").Scan(&v); err != nil || v != "3" {
			t.Fatalf("committed row: %q %v", v, err)
		}
		// Unique violations are recognised on both engines.
		_, err = d.Exec(ctx, "INSERT INTO app_meta(key, value) VALUES (?, ?)", "c", "4")
		if !db.IsUniqueViolation(err) {
			t.Fatalf("want unique violation, got %v", err)
		}
		cur, latest, err := d.Version(ctx)
		if err != nil || cur != latest || cur == 0 {
			t.Fatalf("version %d/%d %v", cur, latest, err)
		}
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("second migrate must be a no-op: %v", err)
		}
	})
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
