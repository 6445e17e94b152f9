package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// seed records n events "case.view" on case-1..n by actor "u1".
func seed(t *testing.T, l *Log, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		err := l.Record(ctx, Event{ActorID: "u1", Action: "case.view", RecordType: "case",
			RecordID: fmt.Sprintf("case-%d", i), Detail: "person,consent"})
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
}

func mustVerifyOK(t *testing.T, l *Log, want int64) {
	t.Helper()
	res, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Checked != want || res.FirstBadSeq != 0 || res.Problem != "" {
		t.Fatalf("verify: want OK with %d checked, got %+v", want, res)
	}
}

func TestRecordAndVerify(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := New(d)
		mustVerifyOK(t, l, 0) // an empty log is fine
		old := verifyPageSize
		verifyPageSize = 7 // cross several page boundaries
		t.Cleanup(func() { verifyPageSize = old })
		seed(t, l, 40)
		mustVerifyOK(t, l, 40)
		if n, err := l.Count(ctx); err != nil || n != 40 {
			t.Fatalf("count %d %v", n, err)
		}
		seq, hash, err := l.Head(ctx)
		if err != nil || seq != 40 || len(hash) != 64 {
			t.Fatalf("head %d %q %v", seq, hash, err)
		}
		evs, _, err := l.List(ctx, Filter{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		e := evs[0]
		if e.Seq != 40 || e.Hash != hash || e.Outcome != OutcomeOK || len(e.ID) != 36 ||
			e.ID[14] != '7' || e.At.IsZero() || e.At.Location().String() != "UTC" {
			t.Fatalf("newest event: %+v", e)
		}
		if evs[1].Hash != e.PrevHash {
			t.Fatal("prev_hash must link to the event before")
		}
	})
}

func TestRecordPicksUpReqinfo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		l := New(d)
		ctx := reqinfo.With(context.Background(), &reqinfo.Info{RequestID: "req-1",
			IP: "203.0.113.9", UserID: "user-7", AgencyID: "ag-3", Via: "api", TokenID: "tok-2"})
		if err := l.Record(ctx, Event{Action: "case.create", RecordType: "case", RecordID: "c1"}); err != nil {
			t.Fatal(err)
		}
		// Explicit values win over the request's.
		if err := l.Record(ctx, Event{Action: "auth.login_failed", ActorID: "other",
			Outcome: OutcomeFailed, Detail: "bad_password"}); err != nil {
			t.Fatal(err)
		}
		evs, total, err := l.List(context.Background(), Filter{})
		if err != nil || total != 2 {
			t.Fatalf("list: %d %v", total, err)
		}
		got := evs[1] // oldest
		if got.RequestID != "req-1" || got.IP != "203.0.113.9" || got.ActorID != "user-7" ||
			got.ActorAgencyID != "ag-3" || got.Via != "api" || got.TokenID != "tok-2" {
			t.Fatalf("reqinfo not picked up: %+v", got)
		}
		if evs[0].ActorID != "other" || evs[0].Outcome != OutcomeFailed || evs[0].RequestID != "req-1" {
			t.Fatalf("explicit actor: %+v", evs[0])
		}
		mustVerifyOK(t, l, 2)
	})
}

func TestRecordRefusesBadEvents(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := New(d)
		for _, e := range []Event{
			{},
			{Action: "login"},
			{Action: "Case.View"},
			{Action: "case..view"},
			{Action: "case.view", Outcome: "maybe"},
			{Action: "case.view", Detail: "line\nbreak"},
			{Action: "case.view", Detail: strings.Repeat("x", MaxDetail+1)},
		} {
			if err := l.Record(ctx, e); !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("%+v: want ErrInvalidEvent, got %v", e, err)
			}
		}
		// Request-derived junk is cleaned, not refused: a hostile header must not make
		// the audited action fail.
		ctx = reqinfo.With(ctx, &reqinfo.Info{IP: strings.Repeat("1", 500) + "\x00", RequestID: "r\x01\xff"})
		if err := l.Record(ctx, Event{Action: "case.view"}); err != nil {
			t.Fatal(err)
		}
		evs, _, err := l.List(ctx, Filter{})
		if err != nil || len(evs) != 1 {
			t.Fatalf("%v %v", evs, err)
		}
		if len(evs[0].IP) != maxField || evs[0].RequestID != "r\uFFFD" {
			t.Fatalf("not cleaned: ip %d bytes, request %q", len(evs[0].IP), evs[0].RequestID)
		}
		mustVerifyOK(t, l, 1)
	})
}

func TestRecordJoinsCallerTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := New(d)
		seed(t, l, 3)
		boom := errors.New("boom")
		err := d.InTx(ctx, func(ctx context.Context) error {
			if _, err := d.Exec(ctx, `INSERT INTO app_meta(key, value) VALUES ('k', 'v')`); err != nil {
				return err
			}
			if err := l.Record(ctx, Event{Action: "case.update", RecordType: "case", RecordID: "c9"}); err != nil {
				return err
			}
			if n, _ := l.Count(ctx); n != 4 {
				t.Errorf("inside the transaction want 4 events, got %d", n)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("want boom, got %v", err)
		}
		if n, _ := l.Count(ctx); n != 3 {
			t.Fatalf("the audit event must roll back with the change: %d events", n)
		}
		if seq, _, _ := l.Head(ctx); seq != 3 {
			t.Fatalf("the head must roll back too: %d", seq)
		}
		// The chain carries on from where the committed log ended, and a committed
		// transaction keeps both the change and its event.
		if err := d.InTx(ctx, func(ctx context.Context) error {
			if _, err := d.Exec(ctx, `INSERT INTO app_meta(key, value) VALUES ('k', 'v')`); err != nil {
				return err
			}
			return l.Record(ctx, Event{Action: "case.update", RecordType: "case", RecordID: "c9"})
		}); err != nil {
			t.Fatal(err)
		}
		mustVerifyOK(t, l, 4)
	})
}

// Appenders in several goroutines and through two separate handles (as two processes
// would be) must still produce one gapless, valid chain.
func TestConcurrentAppends(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		other, err := db.Open(ctx, d.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		logs := []*Log{New(d), New(other)}
		const workers, each = 8, 25
		var wg sync.WaitGroup
		errc := make(chan error, workers*each+1)
		for w := range workers {
			wg.Go(func() {
				l := logs[w%2]
				for i := range each {
					if err := l.Record(ctx, Event{ActorID: fmt.Sprintf("w%d", w), Action: "case.view",
						RecordType: "case", RecordID: fmt.Sprintf("c%d-%d", w, i)}); err != nil {
						errc <- err
						return
					}
				}
			})
		}
		// Verify while the appends run: it must never see a false problem.
		done := make(chan struct{})
		verified := make(chan int)
		go func() {
			n := 0
			defer func() { verified <- n }()
			for {
				select {
				case <-done:
					return
				default:
				}
				res, err := logs[n%2].Verify(ctx)
				if err != nil || !res.OK {
					errc <- fmt.Errorf("verify during appends: %+v %v", res, err)
					return
				}
				n++
			}
		}()
		wg.Wait()
		close(done)
		t.Logf("%d verifications during the appends", <-verified)
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		mustVerifyOK(t, logs[0], workers*each)
		if seq, _, _ := logs[1].Head(ctx); seq != workers*each {
			t.Fatalf("head %d", seq)
		}
	})
}

// The hash format is part of the stored data: changing it would make every existing log
// fail Verify. This pins it.
func TestHashFormat(t *testing.T) {
	e := Event{Seq: 1, ID: "0190a0b0-0000-7000-8000-000000000001", PrevHash: GenesisHash,
		Action: "auth.login", Outcome: "ok", ActorID: "u", Via: "web"}
	got := hashEvent(&e, "2026-01-02T03:04:05.000000000Z")
	const want = "0be3914bb78700421ebfdde50681ea95685e6179015a6d84267053d1b4d28a93"
	if got != want {
		t.Fatalf("hash format changed: %s", got)
	}
	// Moving a boundary between two fields changes the hash.
	a := Event{Seq: 1, RecordType: "case", RecordID: "x"}
	b := Event{Seq: 1, RecordType: "cas", RecordID: "ex"}
	if hashEvent(&a, "") == hashEvent(&b, "") {
		t.Fatal("encoding is ambiguous")
	}
}
