package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture records 30 events one minute apart from t0: actors a0..a2 in turn, every third
// one a case.update of case-N, the rest case.view, every fifth one denied.
func fixture(t *testing.T, d *db.DB) *Log {
	t.Helper()
	l := New(d)
	tick := 0
	l.now = func() time.Time { tick++; return t0.Add(time.Duration(tick-1) * time.Minute) }
	ctx := context.Background()
	for i := range 30 {
		e := Event{ActorID: fmt.Sprintf("a%d", i%3), Action: "case.view", RecordType: "case",
			RecordID: fmt.Sprintf("case-%d", i%4)}
		if i%3 == 2 {
			e.Action, e.Detail = "case.update", "status,risk"
		}
		if i%5 == 4 {
			e.Outcome, e.Detail = OutcomeDenied, "=not_in_scope"
		}
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func TestListFilters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := fixture(t, d)
		for _, tc := range []struct {
			name  string
			f     Filter
			total int64
			first int64 // seq of the newest match
		}{
			{"all", Filter{}, 30, 30},
			{"actor", Filter{ActorID: "a1"}, 10, 29},
			{"record", Filter{RecordType: "case", RecordID: "case-2"}, 7, 27},
			{"action", Filter{Action: "case.update"}, 10, 30},
			{"outcome", Filter{Outcome: OutcomeDenied}, 6, 30},
			{"actor and action", Filter{ActorID: "a2", Action: "case.update"}, 10, 30},
			{"period", Filter{From: t0.Add(10 * time.Minute), To: t0.Add(20 * time.Minute)}, 10, 20},
			{"actor in period", Filter{ActorID: "a0", From: t0.Add(10 * time.Minute), To: t0.Add(20 * time.Minute)}, 3, 19},
			{"from only", Filter{From: t0.Add(25 * time.Minute)}, 5, 30},
			{"to only", Filter{To: t0.Add(2 * time.Minute)}, 2, 2},
			{"no match", Filter{ActorID: "nobody"}, 0, 0},
		} {
			evs, total, err := l.List(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if total != tc.total || int64(len(evs)) != tc.total {
				t.Errorf("%s: total %d, %d rows; want %d", tc.name, total, len(evs), tc.total)
				continue
			}
			if tc.total > 0 && evs[0].Seq != tc.first {
				t.Errorf("%s: newest seq %d, want %d", tc.name, evs[0].Seq, tc.first)
			}
			for i := 1; i < len(evs); i++ {
				if !evs[i].At.Before(evs[i-1].At) {
					t.Errorf("%s: not newest first at %d", tc.name, i)
				}
			}
		}
	})
}

func TestListPagination(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := fixture(t, d)
		var seen []int64
		for off := 0; off < 40; off += 7 {
			evs, total, err := l.List(ctx, Filter{Limit: 7, Offset: off})
			if err != nil || total != 30 {
				t.Fatalf("page %d: total %d %v", off, total, err)
			}
			for _, e := range evs {
				seen = append(seen, e.Seq)
			}
		}
		if len(seen) != 30 || seen[0] != 30 || seen[29] != 1 {
			t.Fatalf("pages: %v", seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] != seen[i-1]-1 {
				t.Fatalf("pages overlap or skip: %v", seen)
			}
		}
		evs, _, err := l.List(ctx, Filter{Limit: -1, Offset: -5})
		if err != nil || len(evs) != 30 {
			t.Fatalf("defaults: %d %v", len(evs), err)
		}
	})
}

func TestExportCSV(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := fixture(t, d)
		var buf bytes.Buffer
		f := Filter{ActorID: "a1", From: t0.Add(10 * time.Minute), To: t0.Add(30 * time.Minute)}
		if err := l.ExportCSV(ctx, f, &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != strings.Join(csvHeader, ",") || recs[0][0] != "seq" {
			t.Fatalf("header %v", recs[0])
		}
		rows := recs[1:]
		// a1 acts on seq 2, 5, 8…: in minutes 10..29 that is seq 11, 14, 17, 20, 23, 26, 29.
		var seqs []string
		for _, r := range rows {
			seqs = append(seqs, r[0])
			if r[3] != "a1" || len(r[15]) != 64 || len(r[14]) != 64 {
				t.Errorf("row %v", r)
			}
		}
		if got := strings.Join(seqs, " "); got != "11 14 17 20 23 26 29" {
			t.Fatalf("exported seqs %q", got)
		}
		r := rows[0] // seq 11: minute 10, a view of case-2
		if r[2] != "2026-03-01T12:10:00.000000000Z" || r[5] != "case.view" || r[6] != "case" ||
			r[7] != "case-2" || r[8] != "ok" || r[13] != "" {
			t.Fatalf("row content %v", r)
		}
		// A detail that a spreadsheet would run as a formula is defused.
		if r := rows[3]; r[0] != "20" || r[8] != "denied" || r[13] != "'=not_in_scope" {
			t.Fatalf("denied row %v", r)
		}
		// Limit pages the export too.
		buf.Reset()
		if err := l.ExportCSV(ctx, Filter{Limit: 2, Offset: 1}, &buf); err != nil {
			t.Fatal(err)
		}
		if recs, _ := csv.NewReader(&buf).ReadAll(); len(recs) != 3 || recs[1][0] != "2" || recs[2][0] != "3" {
			t.Fatalf("paged export %v", recs)
		}
	})
}
