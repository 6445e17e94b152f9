package audit

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// verifyPageSize is how many events Verify reads per query: the walk holds one page in
// memory, whatever the size of the log. A variable so tests can cross page boundaries.
var verifyPageSize = 1000

// VerifyResult is the outcome of Verify. When OK is false, FirstBadSeq is the sequence
// number where the chain first breaks and Problem says how, in plain English.
type VerifyResult struct {
	OK          bool   // the whole chain checks out
	Checked     int64  // events verified good before the first problem (all of them when OK)
	FirstBadSeq int64  // 0 when OK
	Problem     string // "" when OK; e.g. "event 17: hash mismatch (row edited)"
	// Unguarded names the append-only triggers that are dropped or disabled. With an
	// intact chain they make the result not OK, with FirstBadSeq 0.
	Unguarded []string
}

// Head returns the head of the chain: how many events the log holds and the hash of the
// last one (GenesisHash when empty). Keeping a copy of it elsewhere from time to time (a
// printed report, a backup, another system) is what detects a rewrite of the whole chain
// after that point, which the chain alone cannot.
func (l *Log) Head(ctx context.Context) (seq int64, hash string, err error) {
	err = l.d.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	if err != nil {
		return 0, "", fmt.Errorf("audit: read head: %w", err)
	}
	return seq, hash, nil
}

// Verify walks the whole log in seq order, a page at a time, and checks that sequence
// numbers have no gaps, that each event's prev_hash is the hash of the event before it,
// that each hash matches the row's content, that the head row matches the last event (so
// removing the newest events shows) and that no event lies beyond the head. It reports
// the first problem found; the error is only for failures to read the database. Events
// appended while Verify runs are not checked. A chain that holds is still not OK when
// the triggers that keep the log append-only are dropped or disabled (Unguarded).
func (l *Log) Verify(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	var err error
	if res.Unguarded, err = l.missingGuards(ctx); err != nil {
		return res, err
	}
	headSeq, headHash, err := l.Head(ctx)
	if err != nil {
		return res, err
	}
	bad := func(seq int64, format string, args ...any) (VerifyResult, error) {
		res.FirstBadSeq, res.Problem = seq, fmt.Sprintf(format, args...)
		return res, nil
	}
	var last int64
	prev := GenesisHash
	for {
		page, err := l.verifyPage(ctx, last, headSeq)
		if err != nil {
			return res, err
		}
		for _, r := range page {
			e := &r.Event
			switch {
			case e.Seq != last+1 && last == 0:
				return bad(1, "event 1 missing (the log starts at %d)", e.Seq)
			case e.Seq != last+1:
				return bad(last+1, "event %d missing (gap after %d)", last+1, last)
			case e.PrevHash != prev && last == 0:
				return bad(e.Seq, "event 1: previous hash is not the genesis value (chain start rewritten)")
			case e.PrevHash != prev:
				return bad(e.Seq, "event %d: previous hash does not match event %d (an event was rewritten or replaced)", e.Seq, last)
			case hashEvent(e, r.rawAt) != e.Hash:
				return bad(e.Seq, "event %d: hash mismatch (row edited)", e.Seq)
			}
			prev, last = e.Hash, e.Seq
			res.Checked++
		}
		if len(page) < verifyPageSize {
			break
		}
	}
	if last < headSeq {
		return bad(last+1, "head says %d events but the log ends at %d", headSeq, last)
	}
	if prev != headHash {
		res.Checked-- // the last event is the one in doubt
		return bad(headSeq, "event %d: hash does not match the head (last event rewritten)", headSeq)
	}
	// Read the newest seq before the head again: a legitimate append moves both in one
	// transaction, so an event past the second head reading was written outside Record.
	var maxSeq sql.NullInt64
	if err := l.d.QueryRow(ctx, `SELECT MAX(seq) FROM audit_events`).Scan(&maxSeq); err != nil {
		return res, fmt.Errorf("audit: verify: %w", err)
	}
	nowSeq, _, err := l.Head(ctx)
	if err != nil {
		return res, err
	}
	if maxSeq.Valid && maxSeq.Int64 > nowSeq {
		return bad(nowSeq+1, "event %d is beyond the head (%d events): written outside the log", nowSeq+1, nowSeq)
	}
	if len(res.Unguarded) > 0 {
		res.Problem = unguardedProblem(res.Unguarded)
		return res, nil
	}
	res.OK = true
	return res, nil
}

type rawEvent struct {
	Event
	rawAt string // at exactly as stored, which is what the hash covers
}

// verifyPage reads up to verifyPageSize events with after < seq <= upTo, in seq order.
func (l *Log) verifyPage(ctx context.Context, after, upTo int64) ([]rawEvent, error) {
	rows, err := l.d.Query(ctx, `SELECT `+columns+` FROM audit_events
		WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, after, upTo, verifyPageSize)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	page := make([]rawEvent, 0, 64)
	for rows.Next() {
		var r rawEvent
		if err := scanInto(rows, &r.Event, &r.rawAt); err != nil {
			return nil, fmt.Errorf("audit: verify: %w", err)
		}
		r.At, _ = db.ParseTime(r.rawAt) // a bad time shows as a hash mismatch
		page = append(page, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	return page, nil
}
