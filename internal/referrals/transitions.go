package referrals

import (
	"context"
	"fmt"
	"strings"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// transition is one step of the lifecycle: who may take it (the receiving or the sending
// side) and from which statuses.
type transition struct {
	side string
	from []string
	to   string
}

var transitions = map[string]transition{
	"accept":   {"to", []string{"sent"}, "accepted"},
	"decline":  {"to", []string{"sent"}, "declined"},
	"start":    {"to", []string{"accepted"}, "in_progress"},
	"complete": {"to", []string{"accepted", "in_progress"}, "completed"},
	"cancel":   {"from", []string{"sent", "accepted", "in_progress"}, "cancelled"},
}

// Actions lists the actions the subject may take on a referral now.
func (s *Service) Actions(ctx context.Context, r *Referral) []string {
	sub := access.From(ctx)
	sd := side(sub, r)
	if !sub.Can(access.Update, access.Referral) && !sub.Can(access.Create, access.Referral) {
		return nil
	}
	var out []string
	for _, name := range []string{"accept", "decline", "start", "complete", "cancel"} {
		t := transitions[name]
		if t.side == sd && oneOf(t.from, r.Status) {
			out = append(out, name)
		}
	}
	return out
}

// StepInput carries what an action needs: a decline reason, an outcome, a comment or
// feedback for the sender.
type StepInput struct {
	DeclineReason string `json:"decline_reason,omitempty"`
	Outcome       string `json:"outcome,omitempty"`
	Comment       string `json:"comment,omitempty"`
}

// Step moves a referral through its lifecycle. Accepting a referral opens the case to
// the receiving agency (while consent stands), carrying the fields the referral shares;
// cancelling closes it again.
func (s *Service) Step(ctx context.Context, id, action string, in StepInput) (*Referral, error) {
	if err := s.step(ctx, id, action, in); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// step is Step without reading the referral back, so other services can take a step
// inside their own transaction.
func (s *Service) step(ctx context.Context, id, action string, in StepInput) error {
	sub := access.From(ctx)
	if sub == nil {
		return errs.Unauthenticated()
	}
	t, ok := transitions[action]
	if !ok {
		return errs.Invalid(map[string]string{"action": "cases.err.choose"})
	}
	in.Comment = strings.TrimSpace(in.Comment)
	r, _, err := s.st.loadRaw(ctx, id)
	if err != nil {
		return err
	}
	sd := side(sub, r)
	if sd == "" {
		return errs.NotFound()
	}
	perm := access.Update
	if t.side == "from" {
		perm = access.Create
	}
	if sd != t.side || !sub.Can(perm, access.Referral) {
		return errs.Forbidden()
	}
	if !oneOf(t.from, r.Status) {
		return errs.Conflict("referrals.err.status")
	}
	f := errs.Fields{}
	switch action {
	case "decline":
		if !oneOf(DeclineReasons, in.DeclineReason) {
			f.Add("decline_reason", "cases.err.choose")
		}
	case "complete":
		if !oneOf(Outcomes, in.Outcome) {
			f.Add("outcome", "cases.err.choose")
		}
	}
	if len(in.Comment) > 4000 {
		f.Add("comment", "validation.too_long")
	}
	if err := f.Err(); err != nil {
		return err
	}
	now := db.Now()
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if action == "accept" {
			// Accepting opens the case: only while the consent that allowed the referral
			// stands (a withdrawal recorded after Send checked it, and before the
			// referral was written, would otherwise leave it open to acceptance).
			purpose, agency := "referral", r.ToAgencyID
			if r.Purpose == "prosecution" {
				purpose, agency = "prosecution", ""
			}
			st, err := s.cases.ConsentStatus(ctx, r.CaseID, purpose, agency)
			if err != nil {
				return err
			}
			if st != "given" {
				return errs.Conflict("referrals.err.consent_gone")
			}
		}
		sets := "status = ?, version = version + 1, updated_at = ?"
		args := []any{t.to, now}
		switch action {
		case "accept", "decline":
			sets += ", decided_at = ?"
			args = append(args, now)
			if action == "decline" {
				sets += ", decline_reason = ?"
				args = append(args, in.DeclineReason)
			}
		case "complete":
			fb, err := s.st.seal("referral", r.ID, "feedback", in.Comment)
			if err != nil {
				return err
			}
			sets += ", completed_at = ?, outcome = ?, enc_feedback = ?"
			args = append(args, now, in.Outcome, fb)
		}
		res, err := s.d.Exec(ctx, "UPDATE referrals SET "+sets+" WHERE id = ? AND status = ?", append(args, r.ID, r.Status)...)
		if err != nil {
			return fmt.Errorf("referrals: %s: %w", action, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Conflict("error.conflict")
		}
		if err := s.st.addEvent(ctx, r.ID, action, sub.UserID, sub.AgencyID, in.Comment, now); err != nil {
			return err
		}
		// The receiving agency sees what the referral carries (its shared fields) and
		// what it records itself, never the sending agency's file (cases.View).
		reason := "referral"
		if r.Purpose == "prosecution" {
			reason = "prosecution"
		}
		switch action {
		case "accept":
			if err := s.cases.GrantAccess(ctx, r.CaseID, cases.Grant{AgencyID: r.ToAgencyID, Reason: reason,
				SourceID: r.ID, Fields: r.SharedFields, Label: r.Number, Link: "/referrals/" + r.ID}); err != nil {
				return err
			}
		case "cancel":
			if err := s.cases.RevokeAccess(ctx, r.CaseID, r.ToAgencyID, reason, r.ID); err != nil {
				return err
			}
		}
		return s.record(ctx, "referral."+action, r.ID, "")
	})
}

// AdmittedFrom records that the person of an accepted referral was admitted to the
// receiving agency's shelter: the referral moves to "in progress" (it stays so when it
// already was). It runs inside the admission's transaction and refuses (422 on
// referral_id) a referral that is not to the user's agency, not of this case, or no
// longer open.
func (s *Service) AdmittedFrom(ctx context.Context, referralID, caseID string) error {
	r, _, err := s.st.loadRaw(ctx, referralID)
	if errs.CodeOf(err) == errs.CodeNotFound || err == nil && (r.CaseID != caseID || side(access.From(ctx), r) != "to") {
		return errs.Invalid(map[string]string{"referral_id": "cases.err.choose"})
	}
	if err != nil {
		return err
	}
	switch r.Status {
	case "in_progress":
		return nil
	case "accepted":
		return s.step(ctx, referralID, "start", StepInput{})
	}
	return errs.Invalid(map[string]string{"referral_id": "referrals.err.status"})
}

// onWithdraw revokes, at once, the open referrals a withdrawn consent allowed and wipes
// the data they carried. It runs inside the consent's transaction.
func (s *Service) onWithdraw(ctx context.Context, caseID, purpose, agencyID string) error {
	q := "SELECT id, to_agency_id FROM referrals WHERE case_id = ? AND status IN ('sent', 'accepted', 'in_progress', 'completed', 'declined')"
	args := []any{caseID}
	switch purpose {
	case "referral":
		q += " AND purpose = 'referral' AND to_agency_id = ?"
		args = append(args, agencyID)
	case "prosecution":
		q += " AND purpose = 'prosecution'"
	default:
		return nil
	}
	rows, err := s.d.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("referrals: withdrawn consent: %w", err)
	}
	type hit struct{ id, to string }
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.to); err != nil {
			rows.Close()
			return err
		}
		hits = append(hits, h)
	}
	rows.Close()
	sub := access.From(ctx)
	now := db.Now()
	for _, h := range hits {
		// Everything written about the person goes: the shared data, the reason, the
		// feedback and the comments of the history (free text may name them).
		if _, err := s.d.Exec(ctx, `UPDATE referrals SET status = 'revoked', enc_payload = '', enc_reason = '',
			enc_feedback = '', version = version + 1, updated_at = ? WHERE id = ?`, now, h.id); err != nil {
			return fmt.Errorf("referrals: revoke: %w", err)
		}
		if _, err := s.d.Exec(ctx, "UPDATE referral_events SET enc_comment = '' WHERE referral_id = ?", h.id); err != nil {
			return fmt.Errorf("referrals: revoke comments: %w", err)
		}
		if err := s.st.addEvent(ctx, h.id, "revoked", sub.UserID, sub.AgencyID, "", now); err != nil {
			return err
		}
		if err := s.record(ctx, "referral.revoke", h.id, "consent withdrawn"); err != nil {
			return err
		}
	}
	return nil
}
