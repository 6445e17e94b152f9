package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// TestVerifyNamesMissingGuards: an intact chain whose append-only guards were dropped
// (or, on PostgreSQL, disabled) does not verify: the triggers are what stop an edit in
// the first place, and a database restored from a backup someone tampered with must not
// run without them unnoticed. The missing guards are named.
func TestVerifyNamesMissingGuards(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, d *db.DB)
		want   []string
	}{
		{"dropped", dropGuards, []string{"audit_events_no_delete", "audit_events_no_update"}},
		{"disabled or dropped on the head", func(t *testing.T, d *db.DB) {
			if d.Dialect == db.Postgres {
				exec(t, d, `ALTER TABLE audit_head DISABLE TRIGGER audit_head_forward`)
			} else {
				exec(t, d, `DROP TRIGGER audit_head_forward`)
			}
		}, []string{"audit_head_forward"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				l := New(d)
				seed(t, l, 3)
				mustVerifyOK(t, l, 3)
				tc.tamper(t, d)
				res, err := l.Verify(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if res.OK || res.FirstBadSeq != 0 || res.Checked != 3 || strings.Join(res.Unguarded, ",") != strings.Join(tc.want, ",") ||
					!strings.Contains(res.Problem, "append-only guards are missing or disabled: "+strings.Join(tc.want, ", ")) {
					t.Errorf("verify: %+v, want not OK naming %v", res, tc.want)
				}
			})
		})
	}
}
