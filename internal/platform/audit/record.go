package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// maxField bounds the identifier-like fields. Those that come from the request (IP,
// request id…) are cut to it rather than refused, so a hostile header cannot make the
// audited action fail.
const maxField = 200

// Record appends e to the trail. Seq, ID, At, PrevHash and Hash are always assigned here;
// ActorID, ActorAgencyID, RequestID, IP, Via and TokenID are taken from reqinfo.From(ctx)
// where e leaves them empty; an empty Outcome means OutcomeOK.
//
// The append runs in d.InTx: when ctx already carries a transaction it joins it, so a
// change and its audit event commit or roll back together. Joining also means the chain
// lock is held until the caller's transaction ends, which serialises every audited
// writer: record as the last step of a transaction. An event that must survive the
// failure of the caller's transaction (a denied access, a failed login) must be recorded
// after that transaction has returned, with a ctx that does not carry it.
func (l *Log) Record(ctx context.Context, e Event) error {
	info := reqinfo.From(ctx)
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&e.ActorID, info.UserID)
	fill(&e.ActorAgencyID, info.AgencyID)
	fill(&e.RequestID, info.RequestID)
	fill(&e.IP, info.IP)
	fill(&e.Via, info.Via)
	fill(&e.TokenID, info.TokenID)
	if e.Outcome == "" {
		e.Outcome = OutcomeOK
	}
	if err := validate(&e); err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("audit: new id: %w", err)
	}
	e.ID = id.String()

	err = l.d.InTx(ctx, func(ctx context.Context) error {
		// Taking the head row first is the chain lock: on PostgreSQL the row lock makes
		// every other appender (in any process) wait here until this transaction ends,
		// and READ COMMITTED re-reads the row they then see; on SQLite the single writer
		// (BEGIN IMMEDIATE) already serialises. RETURNING gives the new seq and the hash
		// of the event before it in the same statement.
		if err := l.d.QueryRowWrite(ctx,
			`UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`,
		).Scan(&e.Seq, &e.PrevHash); err != nil {
			return fmt.Errorf("lock head: %w", err)
		}
		// The time is read under the lock so that, within one clock, seq order is time order.
		e.At = l.now().UTC()
		at := db.FormatTime(e.At)
		e.Hash = hashEvent(&e, at)
		if _, err := l.d.Exec(ctx, `INSERT INTO audit_events (seq, id, at, actor_id,
			actor_agency_id, action, record_type, record_id, outcome, request_id, ip, via,
			token_id, detail, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.ID, at, e.ActorID, e.ActorAgencyID, e.Action, e.RecordType, e.RecordID,
			e.Outcome, e.RequestID, e.IP, e.Via, e.TokenID, e.Detail, e.PrevHash, e.Hash,
		); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		if _, err := l.d.Exec(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, e.Hash); err != nil {
			return fmt.Errorf("move head: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// validate refuses what only a programming mistake produces (bad action, outcome or
// detail) and cleans the fields that come from the request.
func validate(e *Event) error {
	if !validAction(e.Action) {
		return fmt.Errorf("%w: action %q must be dotted lowercase words like case.view", ErrInvalidEvent, e.Action)
	}
	switch e.Outcome {
	case OutcomeOK, OutcomeDenied, OutcomeFailed:
	default:
		return fmt.Errorf("%w: outcome %q", ErrInvalidEvent, e.Outcome)
	}
	if len(e.Detail) > MaxDetail || !utf8.ValidString(e.Detail) ||
		strings.ContainsFunc(e.Detail, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("%w: detail must be short single-line text (max %d bytes)", ErrInvalidEvent, MaxDetail)
	}
	for _, f := range []*string{&e.ActorID, &e.ActorAgencyID, &e.RecordType, &e.RecordID,
		&e.RequestID, &e.IP, &e.Via, &e.TokenID} {
		*f = clean(*f)
	}
	return nil
}

// validAction accepts "word.word[.word…]" with words of a-z, 0-9 and _, starting with a
// letter, at most 64 bytes.
func validAction(a string) bool {
	if len(a) == 0 || len(a) > 64 {
		return false
	}
	parts := strings.Split(a, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || p[0] < 'a' || p[0] > 'z' {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
				return false
			}
		}
	}
	return true
}

// clean makes s storable the same way on both engines (valid UTF-8, no control
// characters, which PostgreSQL would refuse or CSV would mangle) and cuts it to maxField
// bytes on a rune boundary.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > maxField {
		cut := maxField
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// hashVersion opens every hashed encoding, so a future format can be told apart.
const hashVersion = "amparo-audit-v1"

// hashEvent returns hex(SHA-256(enc)) where enc is the netstring ("<len>:<bytes>,") of,
// in this order: hashVersion, prev_hash, seq (decimal), id, at (the stored text),
// actor_id, actor_agency_id, action, record_type, record_id, outcome, request_id, ip,
// via, token_id, detail. Length prefixes make the encoding unambiguous: no two different
// rows encode to the same bytes. at is passed as stored so Verify hashes exactly the text
// in the database.
func hashEvent(e *Event, at string) string {
	h := sha256.New()
	for _, f := range []string{hashVersion, e.PrevHash, strconv.FormatInt(e.Seq, 10), e.ID, at,
		e.ActorID, e.ActorAgencyID, e.Action, e.RecordType, e.RecordID, e.Outcome,
		e.RequestID, e.IP, e.Via, e.TokenID, e.Detail} {
		netstring(h, f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func netstring(h hash.Hash, s string) {
	var n [20]byte
	h.Write(strconv.AppendInt(n[:0], int64(len(s)), 10))
	h.Write([]byte{':'})
	h.Write([]byte(s))
	h.Write([]byte{','})
}
