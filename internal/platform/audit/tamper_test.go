package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// dropGuards removes the append-only triggers, as an attacker with database access would
// before editing the log.
func dropGuards(t *testing.T, d *db.DB) {
	t.Helper()
	for _, tr := range []string{"audit_events_no_update", "audit_events_no_delete"} {
		q := "DROP TRIGGER " + tr
		if d.Dialect == db.Postgres {
			q += " ON audit_events"
		}
		if _, err := d.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func wantProblem(t *testing.T, l *Log, seq int64, checked int64, text string) {
	t.Helper()
	res, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || res.FirstBadSeq != seq || res.Checked != checked || res.Problem != text {
		t.Fatalf("want problem at %d after %d checked %q, got %+v", seq, checked, text, res)
	}
}

func TestDatabaseRefusesChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := New(d)
		seed(t, l, 3)
		for _, q := range []string{
			`UPDATE audit_events SET detail = 'x' WHERE seq = 2`,
			`DELETE FROM audit_events WHERE seq = 3`,
			`UPDATE audit_head SET seq = 1 WHERE id = 1`,
			`DELETE FROM audit_head`,
		} {
			_, err := d.Exec(ctx, q)
			if err == nil || !(strings.Contains(err.Error(), "append-only") ||
				strings.Contains(err.Error(), "audit head")) {
				t.Errorf("%s: want refusal, got %v", q, err)
			}
		}
		mustVerifyOK(t, l, 3)
	})
}

func TestVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, d *db.DB, l *Log)
		seq     int64
		checked int64
		problem string
	}{
		{"edited row", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, `UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = 17`)
		}, 17, 16, "event 17: hash mismatch (row edited)"},
		{"edited time", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, `UPDATE audit_events SET at = '2020-01-01T00:00:00.000000000Z' WHERE seq = 5`)
		}, 5, 4, "event 5: hash mismatch (row edited)"},
		{"edited row with its hash recomputed", func(t *testing.T, d *db.DB, l *Log) {
			e := eventAt(t, l, 17)
			e.Detail = "nothing"
			exec(t, d, `UPDATE audit_events SET detail = ?, hash = ? WHERE seq = 17`,
				e.Detail, hashEvent(&e, db.FormatTime(e.At)))
		}, 18, 17, "event 18: previous hash does not match event 17 (an event was rewritten or replaced)"},
		{"deleted middle row", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, `DELETE FROM audit_events WHERE seq = 18`)
		}, 18, 17, "event 18 missing (gap after 17)"},
		{"deleted first row", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, `DELETE FROM audit_events WHERE seq = 1`)
		}, 1, 0, "event 1 missing (the log starts at 2)"},
		{"deleted last rows", func(t *testing.T, d *db.DB, l *Log) {
			exec(t, d, `DELETE FROM audit_events WHERE seq > 38`)
		}, 39, 38, "head says 40 events but the log ends at 38"},
		{"forged row replacing an event", func(t *testing.T, d *db.DB, l *Log) {
			e := eventAt(t, l, 9)
			exec(t, d, `DELETE FROM audit_events WHERE seq = 9`)
			e.Action, e.RecordID = "case.delete", "case-x"
			e.Hash = hashEvent(&e, db.FormatTime(e.At)) // a well-formed forgery
			insertRaw(t, d, e)
		}, 10, 9, "event 10: previous hash does not match event 9 (an event was rewritten or replaced)"},
		{"forged row after the head", func(t *testing.T, d *db.DB, l *Log) {
			last := eventAt(t, l, 40)
			e := last
			e.Seq, e.ID, e.PrevHash, e.Action = 41, "0190a0b0-0000-7000-8000-0000000000ff", last.Hash, "user.update"
			e.Hash = hashEvent(&e, db.FormatTime(e.At)) // chained correctly, head left alone
			insertRaw(t, d, e)
		}, 41, 40, "event 41 is beyond the head (40 events): written outside the log"},
		{"rewritten last event", func(t *testing.T, d *db.DB, l *Log) {
			e := eventAt(t, l, 40)
			e.Outcome = OutcomeDenied
			exec(t, d, `UPDATE audit_events SET outcome = ?, hash = ? WHERE seq = 40`,
				e.Outcome, hashEvent(&e, db.FormatTime(e.At)))
		}, 40, 39, "event 40: hash does not match the head (last event rewritten)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				l := New(d)
				seed(t, l, 40)
				mustVerifyOK(t, l, 40)
				dropGuards(t, d)
				tc.tamper(t, d, l)
				wantProblem(t, l, tc.seq, tc.checked, tc.problem)
			})
		})
	}
}

func eventAt(t *testing.T, l *Log, seq int64) Event {
	t.Helper()
	evs, _, err := l.List(context.Background(), Filter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Seq == seq {
			return e
		}
	}
	t.Fatalf("no event %d", seq)
	return Event{}
}

func insertRaw(t *testing.T, d *db.DB, e Event) {
	t.Helper()
	exec(t, d, `INSERT INTO audit_events (`+columns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.ID, db.FormatTime(e.At), e.ActorID, e.ActorAgencyID, e.Action, e.RecordType,
		e.RecordID, e.Outcome, e.RequestID, e.IP, e.Via, e.TokenID, e.Detail, e.PrevHash, e.Hash)
}
