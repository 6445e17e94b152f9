package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// moves are the status changes a worker makes directly; screening, the plan and closure
// need a supervisor's approval instead (see RequestApproval).
var moves = map[string][]string{
	"assisted":      {"reintegration", "follow_up"},
	"reintegration": {"follow_up", "assisted"},
	"follow_up":     {"reintegration", "assisted"},
}

// approvalFrom is the status a case must have for each kind of approval request.
func approvalAllowed(kind, status string) bool {
	switch kind {
	case "screening":
		return status == "identified"
	case "plan":
		return status == "screened"
	case "closure":
		return status != "closed"
	}
	return false
}

// HistoryEntry is one status change.
type HistoryEntry struct {
	From    string    `json:"from"`
	To      string    `json:"to"`
	Reason  string    `json:"reason,omitempty"`
	Comment string    `json:"comment,omitempty"`
	By      string    `json:"by"`
	ByName  string    `json:"by_name,omitempty"`
	At      time.Time `json:"at"`
}

// Approval is a request for a supervisor's decision.
type Approval struct {
	ID            string    `json:"id"`
	CaseID        string    `json:"case_id"`
	CaseNumber    string    `json:"case_number,omitempty"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"` // requested, approved, rejected
	Payload       string    `json:"payload,omitempty"`
	RequestedBy   string    `json:"requested_by"`
	RequesterName string    `json:"requester_name,omitempty"`
	RequestedAt   time.Time `json:"requested_at"`
	DecidedBy     string    `json:"decided_by,omitempty"`
	DeciderName   string    `json:"decider_name,omitempty"`
	DecidedAt     time.Time `json:"decided_at,omitempty"`
	Comment       string    `json:"comment,omitempty"`
}

func (s *store) addHistory(ctx context.Context, caseID, from, to, reason, comment, by string, at time.Time) error {
	id := newID()
	sl := &sealer{kr: s.kr, kind: "case_status", id: id}
	enc := sl.seal("comment", comment)
	if sl.err != nil {
		return sl.err
	}
	_, err := s.d.Exec(ctx, `INSERT INTO case_status_history (id, case_id, from_status, to_status, reason, enc_comment, by_user, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, caseID, from, to, reason, enc, by, db.FormatTime(at))
	if err != nil {
		return fmt.Errorf("cases: history: %w", err)
	}
	return nil
}

// setStatus moves a case and records the change.
func (s *Service) setStatus(ctx context.Context, id, from, to, reason, comment string) error {
	now := s.Now().UTC()
	closedAt := ""
	if to == "closed" {
		closedAt = db.FormatTime(now)
	}
	closure := ""
	if to == "closed" {
		closure = reason
	}
	res, err := s.d.Exec(ctx, `UPDATE cases SET status = ?, closure_reason = ?, closed_at = ?, version = version + 1,
		updated_at = ? WHERE id = ? AND status = ?`, to, closure, closedAt, db.FormatTime(now), id, from)
	if err != nil {
		return fmt.Errorf("cases: status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.Conflict("error.conflict")
	}
	if err := s.st.addHistory(ctx, id, from, to, reason, comment, access.From(ctx).UserID, now); err != nil {
		return err
	}
	return s.record(ctx, "case.status", "case", id, from+" -> "+to)
}

func (s *Service) status(ctx context.Context, id string) (string, error) {
	var st string
	err := s.d.QueryRow(ctx, "SELECT status FROM cases WHERE id = ?", id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.NotFound()
	}
	return st, err
}

// Move changes the status directly where no approval is needed.
func (s *Service) Move(ctx context.Context, id, to string) error {
	if _, err := s.check(ctx, id, access.Update); err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		from, err := s.status(ctx, id)
		if err != nil {
			return err
		}
		for _, ok := range moves[from] {
			if ok == to {
				return s.setStatus(ctx, id, from, to, "", "")
			}
		}
		return errs.Invalid(map[string]string{"status": "cases.err.move"})
	})
}

// RequestApproval asks the agency's supervisors to approve the screening result
// (payload: possible, actual or not_victim), the assistance plan, or the closure
// (payload: a closure reason).
func (s *Service) RequestApproval(ctx context.Context, id, kind, payload string) (*Approval, error) {
	sub, err := s.check(ctx, id, access.Update)
	if err != nil {
		return nil, err
	}
	f := errs.Fields{}
	switch kind {
	case "screening":
		if !In("trafficking_status", payload) {
			f.Add("payload", "cases.err.choose")
		}
	case "closure":
		if !In("closure", payload) {
			f.Add("payload", "cases.err.choose")
		}
	case "plan":
		payload = ""
	default:
		f.Add("kind", "cases.err.choose")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	a := &Approval{ID: newID(), CaseID: id, Kind: kind, Status: "requested", Payload: payload,
		RequestedBy: sub.UserID, RequestedAt: s.Now().UTC()}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		st, err := s.status(ctx, id)
		if err != nil {
			return err
		}
		if !approvalAllowed(kind, st) {
			return errs.Invalid(map[string]string{"kind": "cases.err.approval_stage"})
		}
		if kind == "plan" {
			var n int
			if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM case_services WHERE case_id = ? AND status <> 'cancelled'", id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errs.Invalid(map[string]string{"kind": "cases.err.plan_empty"})
			}
		}
		var pending int
		if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM case_approvals WHERE case_id = ? AND kind = ? AND status = 'requested'",
			id, kind).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return errs.Conflict("cases.err.approval_pending")
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO case_approvals (id, case_id, kind, status, payload, requested_by, requested_at)
			VALUES (?, ?, ?, 'requested', ?, ?, ?)`, a.ID, id, kind, payload, a.RequestedBy, db.FormatTime(a.RequestedAt)); err != nil {
			return fmt.Errorf("cases: request approval: %w", err)
		}
		return s.record(ctx, "case.approval_request", "case", id, kind)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Decide approves or rejects a pending request (supervisors of the case's agency, never
// the person who asked). Approval moves the case; rejection needs a comment.
func (s *Service) Decide(ctx context.Context, approvalID string, approve bool, comment string) error {
	var a Approval
	var at string
	err := s.d.QueryRow(ctx, `SELECT id, case_id, kind, status, payload, requested_by, requested_at FROM case_approvals WHERE id = ?`,
		approvalID).Scan(&a.ID, &a.CaseID, &a.Kind, &a.Status, &a.Payload, &a.RequestedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFound()
	}
	if err != nil {
		return fmt.Errorf("cases: approval: %w", err)
	}
	sub, err := s.check(ctx, a.CaseID, access.Approve)
	if err != nil {
		return err
	}
	// A referral or a shelter stay opens the case to another agency (check allows
	// related agencies); deciding its approvals stays with the case's own supervisors.
	rec, err := s.st.relation(ctx, a.CaseID)
	if err != nil {
		return err
	}
	if !mayDecide(sub, rec) {
		_ = s.audit.Record(ctx, audit.Event{Action: "case.denied", RecordType: "case", RecordID: a.CaseID,
			Outcome: audit.OutcomeDenied, Detail: "approve: another agency"})
		return errs.Forbidden()
	}
	if a.Status != "requested" {
		return errs.Conflict("cases.err.approval_decided")
	}
	if a.RequestedBy == sub.UserID {
		return errs.New(errs.CodeForbidden, "cases.err.approve_own")
	}
	comment = strings.TrimSpace(comment)
	if !approve && comment == "" {
		return errs.Invalid(map[string]string{"comment": "cases.err.reject_comment"})
	}
	status := "rejected"
	if approve {
		status = "approved"
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		sl := &sealer{kr: s.kr, kind: "case_approval", id: a.ID}
		enc := sl.seal("comment", comment)
		if sl.err != nil {
			return sl.err
		}
		res, err := s.d.Exec(ctx, `UPDATE case_approvals SET status = ?, decided_by = ?, decided_at = ?, enc_comment = ?
			WHERE id = ? AND status = 'requested'`, status, sub.UserID, db.Now(), enc, a.ID)
		if err != nil {
			return fmt.Errorf("cases: decide: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Conflict("cases.err.approval_decided")
		}
		if err := s.record(ctx, "case.approval_"+status, "case", a.CaseID, a.Kind); err != nil {
			return err
		}
		if !approve {
			return nil
		}
		from, err := s.status(ctx, a.CaseID)
		if err != nil {
			return err
		}
		if !approvalAllowed(a.Kind, from) {
			return errs.Conflict("cases.err.approval_stage")
		}
		switch a.Kind {
		case "screening":
			if _, err := s.d.Exec(ctx, "UPDATE cases SET trafficking_status = ?, status_decided_by = 'supervisor' WHERE id = ?",
				a.Payload, a.CaseID); err != nil {
				return err
			}
			return s.setStatus(ctx, a.CaseID, from, "screened", "", comment)
		case "plan":
			return s.setStatus(ctx, a.CaseID, from, "assisted", "", comment)
		case "closure":
			if _, err := s.d.Exec(ctx, "UPDATE case_tasks SET done_at = ?, done_by = ? WHERE case_id = ? AND done_at = ''",
				db.Now(), sub.UserID, a.CaseID); err != nil {
				return err
			}
			return s.setStatus(ctx, a.CaseID, from, "closed", a.Payload, comment)
		}
		return nil
	})
}

// Reopen brings a closed case back to the status it had before closing.
func (s *Service) Reopen(ctx context.Context, id, reason string) error {
	if _, err := s.check(ctx, id, access.Update); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errs.Invalid(map[string]string{"reason": "cases.err.reopen_reason"})
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		st, err := s.status(ctx, id)
		if err != nil {
			return err
		}
		if st != "closed" {
			return errs.Invalid(map[string]string{"reason": "cases.err.not_closed"})
		}
		prev := "assisted"
		_ = s.d.QueryRow(ctx, `SELECT from_status FROM case_status_history WHERE case_id = ? AND to_status = 'closed'
			ORDER BY at DESC LIMIT 1`, id).Scan(&prev)
		if prev == "" || prev == "closed" {
			prev = "assisted"
		}
		if err := s.setStatus(ctx, id, "closed", prev, "reopened", reason); err != nil {
			return err
		}
		_, err = s.d.Exec(ctx, "UPDATE cases SET closure_reason = '', closed_at = '' WHERE id = ?", id)
		return err
	})
}

// History returns the status changes of a case, oldest first.
func (s *Service) History(ctx context.Context, id string) ([]HistoryEntry, error) {
	if _, _, err := s.seeSection(ctx, id, SecWorkflow); err != nil {
		return nil, err
	}
	rows, err := s.d.Query(ctx, `SELECT h.id, h.from_status, h.to_status, h.reason, h.enc_comment, h.by_user,
		COALESCE(u.name, ''), h.at FROM case_status_history h LEFT JOIN users u ON u.id = h.by_user
		WHERE h.case_id = ? ORDER BY h.at, h.id`, id)
	if err != nil {
		return nil, fmt.Errorf("cases: history: %w", err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		var hid, enc, at string
		if err := rows.Scan(&hid, &h.From, &h.To, &h.Reason, &enc, &h.By, &h.ByName, &at); err != nil {
			return nil, err
		}
		sl := &sealer{kr: s.kr, kind: "case_status", id: hid}
		h.Comment = sl.open("comment", enc)
		if sl.err != nil {
			return nil, sl.err
		}
		h.At, _ = db.ParseTime(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

// Approvals returns the approval requests of a case, newest first.
func (s *Service) Approvals(ctx context.Context, id string) ([]Approval, error) {
	if _, _, err := s.seeSection(ctx, id, SecWorkflow); err != nil {
		return nil, err
	}
	return s.approvals(ctx, "a.case_id = ?", id)
}

// PendingApprovals lists the requests waiting for the user's decision: pending requests
// on cases of agencies they may approve for, not asked by themselves.
func (s *Service) PendingApprovals(ctx context.Context) ([]Approval, error) {
	sub := access.From(ctx)
	if !sub.Can(access.Approve, access.Case) {
		return nil, nil
	}
	scope, args := decideSQL(sub)
	return s.approvals(ctx, "a.status = 'requested' AND a.requested_by <> ? AND a.case_id IN (SELECT c.id FROM cases c WHERE "+scope+")",
		append([]any{sub.UserID}, args...)...)
}

// mayDecide reports whether sub decides approvals on a case: by the reach of their
// approval permission over the case's own agency or place, never through a relation
// (referral, shelter stay) that lets another agency see the case.
func mayDecide(sub *access.Subject, rec access.Record) bool {
	switch sub.Scope(access.Approve, access.Case) {
	case access.National:
		return true
	case access.Jurisdiction:
		return sub.InJurisdiction(rec.ProvinceCode, rec.CantonCode)
	case access.AgencyScope:
		return rec.AgencyID != "" && rec.AgencyID == sub.AgencyID
	}
	return false
}

// decideSQL is mayDecide in SQL, over cases c.
func decideSQL(sub *access.Subject) (string, []any) {
	switch sub.Scope(access.Approve, access.Case) {
	case access.National:
		return "1=1", nil
	case access.Jurisdiction:
		switch sub.JurisdictionLevel {
		case "national":
			return "1=1", nil
		case "province":
			return "c.id_province = ?", []any{sub.JurisdictionCode}
		case "canton":
			return "c.id_canton = ?", []any{sub.JurisdictionCode}
		}
	case access.AgencyScope:
		return "c.agency_id = ?", []any{sub.AgencyID}
	}
	return "1=0", nil
}

func (s *Service) approvals(ctx context.Context, where string, args ...any) ([]Approval, error) {
	rows, err := s.d.Query(ctx, `SELECT a.id, a.case_id, c.number, a.kind, a.status, a.payload, a.requested_by,
		COALESCE(r.name, ''), a.requested_at, a.decided_by, COALESCE(d.name, ''), a.decided_at, a.enc_comment
		FROM case_approvals a JOIN cases c ON c.id = a.case_id LEFT JOIN users r ON r.id = a.requested_by
		LEFT JOIN users d ON d.id = a.decided_by WHERE `+where+` ORDER BY a.requested_at DESC LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: approvals: %w", err)
	}
	defer rows.Close()
	var out []Approval
	for rows.Next() {
		var a Approval
		var req, dec, enc string
		if err := rows.Scan(&a.ID, &a.CaseID, &a.CaseNumber, &a.Kind, &a.Status, &a.Payload, &a.RequestedBy,
			&a.RequesterName, &req, &a.DecidedBy, &a.DeciderName, &dec, &enc); err != nil {
			return nil, err
		}
		a.RequestedAt, _ = db.ParseTime(req)
		if dec != "" {
			a.DecidedAt, _ = db.ParseTime(dec)
		}
		sl := &sealer{kr: s.kr, kind: "case_approval", id: a.ID}
		a.Comment = sl.open("comment", enc)
		if sl.err != nil {
			return nil, sl.err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
