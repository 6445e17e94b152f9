package audit

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// Page sizes for List.
const (
	DefaultLimit = 50   // used when Filter.Limit is 0 or less
	MaxLimit     = 1000 // larger limits are cut to this
)

// columns is the column order of every SELECT, of scanInto and of the CSV export.
const columns = `seq, id, at, actor_id, actor_agency_id, action, record_type, record_id,
	outcome, request_id, ip, via, token_id, detail, prev_hash, hash`

var csvHeader = []string{"seq", "id", "at", "actor_id", "actor_agency_id", "action",
	"record_type", "record_id", "outcome", "request_id", "ip", "via", "token_id", "detail",
	"prev_hash", "hash"}

// Filter selects events for the auditor screens and exports. Empty fields match
// everything; string fields match exactly. From is inclusive and To exclusive, so
// consecutive periods do not overlap.
type Filter struct {
	ActorID, RecordType, RecordID, Action, Outcome string
	From, To                                       time.Time
	Limit, Offset                                  int // page; see List and ExportCSV
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	eq := func(col, v string) {
		if v != "" {
			conds = append(conds, col+" = ?")
			args = append(args, v)
		}
	}
	eq("actor_id", f.ActorID)
	eq("record_type", f.RecordType)
	eq("record_id", f.RecordID)
	eq("action", f.Action)
	eq("outcome", f.Outcome)
	// Stored times are fixed-width UTC text, so text order is time order.
	if !f.From.IsZero() {
		conds = append(conds, "at >= ?")
		args = append(args, db.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "at < ?")
		args = append(args, db.FormatTime(f.To))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// List returns one page of the events matching f, newest first, and how many match in
// all. Limit defaults to DefaultLimit and is capped at MaxLimit.
func (l *Log) List(ctx context.Context, f Filter) ([]Event, int64, error) {
	where, args := f.where()
	var total int64
	if err := l.d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit: list: count: %w", err)
	}
	limit, offset := f.Limit, f.Offset
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset = max(offset, 0)
	rows, err := l.d.Query(ctx, `SELECT `+columns+` FROM audit_events`+where+
		` ORDER BY at DESC, seq DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("audit: list: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	return out, total, nil
}

// ExportCSV writes the events matching f to w as CSV, oldest first, with a header row
// of column names; the hashes are included so a copy can be checked on its own. Rows are
// streamed, never all held in memory. Limit 0 means every matching event; a positive
// Limit and Offset page the export like List. The caller records the export itself as
// an audit event (action "export.csv"), since only it knows why and for whom.
func (l *Log) ExportCSV(ctx context.Context, f Filter, w io.Writer) error {
	where, args := f.where()
	q := `SELECT ` + columns + ` FROM audit_events` + where + ` ORDER BY seq`
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, max(f.Offset, 0))
	}
	rows, err := l.d.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	rec := make([]string, len(csvHeader))
	for rows.Next() {
		var e Event
		var at string
		if err := scanInto(rows, &e, &at); err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		rec = append(rec[:0], strconv.FormatInt(e.Seq, 10), e.ID, at, e.ActorID,
			e.ActorAgencyID, e.Action, e.RecordType, e.RecordID, e.Outcome, e.RequestID,
			e.IP, e.Via, e.TokenID, e.Detail, e.PrevHash, e.Hash)
		for i := range rec {
			rec[i] = safeCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	return nil
}

// safeCell stops a spreadsheet from reading a cell as a formula (CSV injection): a value
// starting with = + - @ or a tab gets a leading apostrophe. Ids, times and hashes never
// start with those, so only odd request-derived values are touched.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Count returns how many events the log holds.
func (l *Log) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := l.d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit: count: %w", err)
	}
	return n, nil
}

// scanInto reads one row selected with columns into e, and the stored at text into at.
func scanInto(rows *sql.Rows, e *Event, at *string) error {
	return rows.Scan(&e.Seq, &e.ID, at, &e.ActorID, &e.ActorAgencyID, &e.Action,
		&e.RecordType, &e.RecordID, &e.Outcome, &e.RequestID, &e.IP, &e.Via, &e.TokenID,
		&e.Detail, &e.PrevHash, &e.Hash)
}

// scanEvent reads one row selected with columns.
func scanEvent(rows *sql.Rows) (Event, error) {
	var e Event
	var at string
	if err := scanInto(rows, &e, &at); err != nil {
		return e, err
	}
	t, err := db.ParseTime(at)
	if err != nil {
		return e, fmt.Errorf("event %d: %w", e.Seq, err)
	}
	e.At = t
	return e, nil
}
