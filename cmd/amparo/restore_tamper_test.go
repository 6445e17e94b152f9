package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// TestRestoreNoticesTampering: a backup of a database whose audit trail was edited, or
// whose append-only guards were dropped or disabled, restores (the data may be all there
// is) but the restore says so and exits 1, as "amparo audit verify" does. On both
// engines; the tampering is done on the database before the backup.
func TestRestoreNoticesTampering(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, tc := range []struct {
			name   string
			tamper []string // statements; {pg} marks the PostgreSQL form after "|"
			want   string
		}{
			{"an event edited", []string{"DROP TRIGGER audit_events_no_update|DROP TRIGGER audit_events_no_update ON audit_events",
				"UPDATE audit_events SET detail = 'nada' WHERE seq = 1"}, "audit trail BROKEN at event 1: event 1: hash mismatch (row edited)"},
			{"a guard gone", []string{"DROP TRIGGER audit_head_forward|ALTER TABLE audit_head DISABLE TRIGGER audit_head_forward"},
				"audit trail NOT PROTECTED: the chain holds, but the append-only guards are missing or disabled: audit_head_forward"},
		} {
			t.Run(engine+"/"+tc.name, func(t *testing.T) {
				cleanEnv(t)
				s := newStore(t, engine)
				s.mustRun(t, "", "agency", "add", "--code", "norte", "--name", "Fundación Norte", "--type", "ngo")
				url := s.db
				if url == "" {
					url = "sqlite:" + filepath.Join(s.dir, "amparo.db")
				}
				d, err := db.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range tc.tamper {
					sqliteQ, pgQ, ok := strings.Cut(q, "|")
					if ok && engine == "postgres" {
						sqliteQ = pgQ
					}
					if _, err := d.Exec(context.Background(), sqliteQ); err != nil {
						t.Fatalf("%s: %v", sqliteQ, err)
					}
				}
				d.Close()
				file := filepath.Join(t.TempDir(), "amparo.backup")
				s.mustRun(t, "", "backup", "--out", file)
				dst := store{dir: filepath.Join(t.TempDir(), "restored"), db: s.db}
				if engine == "postgres" {
					emptySchema(t, s.db)
				}
				key, _ := os.ReadFile(filepath.Join(s.dir, "amparo.key"))
				os.MkdirAll(dst.dir, 0o700)
				os.WriteFile(filepath.Join(dst.dir, "amparo.key"), key, 0o600)
				code, out, errOut := amparo(t, append([]string{"restore", "--in", file}, dst.flags()...)...)
				if code != 1 || !strings.Contains(out, tc.want) || !strings.Contains(out, "holds this database's keys") {
					t.Errorf("restore: exit %d, want 1 saying %q\n%s\n%s", code, tc.want, out, errOut)
				}
				code, out, _ = amparo(t, append([]string{"audit", "verify"}, dst.flags()...)...)
				if code != 1 || !strings.Contains(out, tc.want) {
					t.Errorf("audit verify after the restore: exit %d, want 1 saying %q\n%s", code, tc.want, out)
				}
			})
		}
	}
}
