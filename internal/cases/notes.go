package cases

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Note is a case note. Its body is encrypted; reading notes is audited.
type Note struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id"`
	Body       string    `json:"body"`
	AuthorID   string    `json:"author_id"`
	AuthorName string    `json:"author_name,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// MaxNote is the longest note accepted, in characters.
const MaxNote = maxText

// AddNote adds a note to a case. Notes are never edited: a correction is a new note.
// A note belongs to the agency of its author: the owning agency's staff who may change
// the case write the case's notes; a receiving agency (referral, shelter, prosecution)
// writes its own, which only its staff read.
func (s *Service) AddNote(ctx context.Context, caseID, body string) (*Note, error) {
	sub, v, err := s.checkWrite(ctx, caseID, SecNotes)
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	switch {
	case body == "":
		return nil, errs.Invalid(map[string]string{"body": "validation.required"})
	case utf8.RuneCountInString(body) > MaxNote:
		return nil, errs.Invalid(map[string]string{"body": "validation.too_long"})
	}
	n := &Note{ID: newID(), CaseID: caseID, Body: body, AuthorID: sub.UserID, CreatedAt: s.Now().UTC()}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.ownRecordsWritable(ctx, v, caseID); err != nil {
			return err
		}
		sl := &sealer{kr: s.kr, kind: "case_note", id: n.ID}
		enc := sl.seal("body", body)
		if sl.err != nil {
			return sl.err
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO case_notes (id, case_id, agency_id, enc_body, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, n.ID, caseID, sub.AgencyID, enc, sub.UserID, db.FormatTime(n.CreatedAt)); err != nil {
			return fmt.Errorf("cases: add note: %w", err)
		}
		return s.record(ctx, "case.note_add", "case", caseID, "")
	})
	if err != nil {
		return nil, err
	}
	if m, err := s.dir.Member(ctx, sub.UserID); err == nil {
		n.AuthorName = m.Name
	}
	return n, nil
}

// Notes returns the notes of a case written by the reader's agency, newest first,
// decrypted: the owning agency's notes for its staff, a receiving agency's own notes for
// its staff. No agency reads another's notes. The reading is audited.
func (s *Service) Notes(ctx context.Context, caseID string) ([]Note, error) {
	sub, _, err := s.seeSection(ctx, caseID, SecNotes)
	if err != nil {
		return nil, err
	}
	rows, err := s.d.Query(ctx, `SELECT n.id, n.enc_body, n.author_id, COALESCE(u.name, ''), n.created_at
		FROM case_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.case_id = ? AND n.agency_id = ?
		ORDER BY n.created_at DESC, n.id DESC`, caseID, sub.AgencyID)
	if err != nil {
		return nil, fmt.Errorf("cases: notes: %w", err)
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		n := Note{CaseID: caseID}
		var enc, at string
		if err := rows.Scan(&n.ID, &enc, &n.AuthorID, &n.AuthorName, &at); err != nil {
			return nil, fmt.Errorf("cases: notes: %w", err)
		}
		sl := &sealer{kr: s.kr, kind: "case_note", id: n.ID}
		n.Body = sl.open("body", enc)
		if sl.err != nil {
			return nil, sl.err
		}
		n.CreatedAt, _ = db.ParseTime(at)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.record(ctx, "case.notes_view", "case", caseID, ""); err != nil {
		return nil, err
	}
	return out, nil
}
