package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Flag marks a case that needs attention (a trafficker tried to make contact, a threat,
// the person went missing…). Its reason is encrypted. A case with an active flag has
// cases.flagged set, so lists can show it without reading the flags.
type Flag struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Flag        string    `json:"flag"` // FlagTypes
	Reason      string    `json:"reason"`
	CreatedBy   string    `json:"created_by"`
	CreatorName string    `json:"creator_name,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Active      bool      `json:"active"`
	ClearedBy   string    `json:"cleared_by,omitempty"`
	ClearerName string    `json:"clearer_name,omitempty"`
	ClearedAt   time.Time `json:"cleared_at,omitempty"`
}

// maxReason is the longest flag reason accepted, in characters.
const maxReason = 2000

// SetRisk records the case's risk level (RiskLevels) and its safety plan (encrypted;
// empty clears it).
func (s *Service) SetRisk(ctx context.Context, caseID, level, safetyPlan string) error {
	if _, err := s.check(ctx, caseID, access.Update); err != nil {
		return err
	}
	level, safetyPlan = strings.TrimSpace(level), strings.TrimSpace(strings.ReplaceAll(safetyPlan, "\r\n", "\n"))
	f := errs.Fields{}
	if !In("risk", level) {
		f.Add("risk_level", "cases.err.choose")
	}
	if utf8.RuneCountInString(safetyPlan) > maxText {
		f.Add("safety_plan", "validation.too_long")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		// The same sealer as store.writeCase, so Get opens the plan.
		sl := &sealer{kr: s.kr, kind: "case", id: caseID}
		enc := sl.seal("safety_plan", safetyPlan)
		if sl.err != nil {
			return sl.err
		}
		if _, err := s.d.Exec(ctx, `UPDATE cases SET risk_level = ?, enc_safety_plan = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, level, enc, db.FormatTime(s.Now()), caseID); err != nil {
			return fmt.Errorf("cases: set risk: %w", err)
		}
		return s.record(ctx, "case.risk", "case", caseID, level)
	})
}

// AddFlag flags a case with a reason.
func (s *Service) AddFlag(ctx context.Context, caseID, flag, reason string) (*Flag, error) {
	sub, err := s.check(ctx, caseID, access.Update)
	if err != nil {
		return nil, err
	}
	flag, reason = strings.TrimSpace(flag), strings.TrimSpace(reason)
	f := errs.Fields{}
	if !In("flag", flag) {
		f.Add("flag", "cases.err.choose")
	}
	if reason == "" {
		f.Add("reason", "validation.required")
	} else if utf8.RuneCountInString(reason) > maxReason {
		f.Add("reason", "validation.too_long")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	fl := &Flag{ID: newID(), CaseID: caseID, Flag: flag, Reason: reason, CreatedBy: sub.UserID, CreatedAt: s.Now().UTC(),
		Active: true}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		sl := &sealer{kr: s.kr, kind: "case_flag", id: fl.ID}
		enc := sl.seal("reason", reason)
		if sl.err != nil {
			return sl.err
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO case_flags (id, case_id, flag, enc_reason, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, fl.ID, caseID, flag, enc, sub.UserID, db.FormatTime(fl.CreatedAt)); err != nil {
			return fmt.Errorf("cases: add flag: %w", err)
		}
		if err := s.refreshFlagged(ctx, caseID); err != nil {
			return err
		}
		return s.record(ctx, "case.flag_add", "case", caseID, flag)
	})
	if err != nil {
		return nil, err
	}
	return fl, nil
}

// ClearFlag ends an active flag; the case stays flagged while another flag is active.
func (s *Service) ClearFlag(ctx context.Context, caseID, flagID string) error {
	sub, err := s.check(ctx, caseID, access.Update)
	if err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		var flag, cleared string
		err := s.d.QueryRow(ctx, "SELECT flag, cleared_at FROM case_flags WHERE id = ? AND case_id = ?", flagID, caseID).
			Scan(&flag, &cleared)
		if errors.Is(err, db.ErrNoRows) {
			return errs.NotFound()
		}
		if err != nil {
			return fmt.Errorf("cases: flag: %w", err)
		}
		if cleared != "" {
			return errs.Conflict("cases.err.flag_cleared")
		}
		if _, err := s.d.Exec(ctx, "UPDATE case_flags SET cleared_by = ?, cleared_at = ? WHERE id = ? AND cleared_at = ''",
			sub.UserID, db.FormatTime(s.Now()), flagID); err != nil {
			return fmt.Errorf("cases: clear flag: %w", err)
		}
		if err := s.refreshFlagged(ctx, caseID); err != nil {
			return err
		}
		return s.record(ctx, "case.flag_clear", "case", caseID, flag)
	})
}

// refreshFlagged sets cases.flagged from the active flags.
func (s *Service) refreshFlagged(ctx context.Context, caseID string) error {
	_, err := s.d.Exec(ctx, `UPDATE cases SET flagged = CASE WHEN EXISTS (SELECT 1 FROM case_flags f
		WHERE f.case_id = cases.id AND f.cleared_at = '') THEN 1 ELSE 0 END, version = version + 1, updated_at = ?
		WHERE id = ?`, db.FormatTime(s.Now()), caseID)
	if err != nil {
		return fmt.Errorf("cases: flagged: %w", err)
	}
	return nil
}

// Flags returns the case's flags, active ones first and newest first; cleared ones only
// when asked.
func (s *Service) Flags(ctx context.Context, caseID string, includeCleared bool) ([]Flag, error) {
	_, v, err := s.seeSection(ctx, caseID, SecSafety)
	if err != nil {
		return nil, err
	}
	if v.Reach(SecSafety) != ReachAll { // the risk level alone, not the flags
		s.denied(ctx, caseID, "section flags")
		return nil, errs.Forbidden()
	}
	return s.flags(ctx, caseID, includeCleared)
}

func (s *Service) flags(ctx context.Context, caseID string, includeCleared bool) ([]Flag, error) {
	q := `SELECT f.id, f.flag, f.enc_reason, f.created_by, COALESCE(c.name, ''), f.created_at, f.cleared_by,
		COALESCE(x.name, ''), f.cleared_at FROM case_flags f LEFT JOIN users c ON c.id = f.created_by
		LEFT JOIN users x ON x.id = f.cleared_by WHERE f.case_id = ?`
	if !includeCleared {
		q += " AND f.cleared_at = ''"
	}
	rows, err := s.d.Query(ctx, q+" ORDER BY CASE WHEN f.cleared_at = '' THEN 0 ELSE 1 END, f.created_at DESC, f.id DESC", caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: flags: %w", err)
	}
	defer rows.Close()
	var out []Flag
	for rows.Next() {
		fl := Flag{CaseID: caseID}
		var enc, created, cleared string
		if err := rows.Scan(&fl.ID, &fl.Flag, &enc, &fl.CreatedBy, &fl.CreatorName, &created, &fl.ClearedBy,
			&fl.ClearerName, &cleared); err != nil {
			return nil, fmt.Errorf("cases: flags: %w", err)
		}
		sl := &sealer{kr: s.kr, kind: "case_flag", id: fl.ID}
		fl.Reason = sl.open("reason", enc)
		if sl.err != nil {
			return nil, sl.err
		}
		fl.CreatedAt, _ = db.ParseTime(created)
		fl.Active = cleared == ""
		if !fl.Active {
			fl.ClearedAt, _ = db.ParseTime(cleared)
		}
		out = append(out, fl)
	}
	return out, rows.Err()
}
