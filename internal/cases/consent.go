package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// ConsentInput is one consent decision as recorded by the worker.
type ConsentInput struct {
	Purpose        string `json:"purpose"`             // assistance, referral, prosecution, statistics
	AgencyID       string `json:"agency_id,omitempty"` // the named agency, for referral
	Status         string `json:"status"`              // given, refused, withdrawn
	GivenBy        string `json:"given_by"`            // self, representative
	Representative string `json:"representative,omitempty"`
	Method         string `json:"method"`
	DecidedOn      string `json:"decided_on"` // yyyy-mm-dd
	Notes          string `json:"notes,omitempty"`
}

// Consent is a recorded decision; the latest per purpose (and agency) is in force.
type Consent struct {
	ConsentInput
	ID           string    `json:"id"`
	CaseID       string    `json:"case_id"`
	AgencyName   string    `json:"agency_name,omitempty"`
	RecordedBy   string    `json:"recorded_by"`
	RecorderName string    `json:"recorder_name,omitempty"`
	RecordedAt   time.Time `json:"recorded_at"`
	Current      bool      `json:"current"`
}

// WithdrawHook is called inside the transaction that records a withdrawal, so other
// capabilities (referrals) can end what the consent allowed at once.
type WithdrawHook func(ctx context.Context, caseID, purpose, agencyID string) error

// OnWithdraw registers a hook run on every withdrawal.
func (s *Service) OnWithdraw(h WithdrawHook) { s.withdrawHooks = append(s.withdrawHooks, h) }

// RecordConsent records a consent decision. A child under 15 consents through a
// representative; from 15 to 17 directly or through one. A withdrawal takes effect at
// once: agencies that had access for that purpose lose it in the same transaction.
func (s *Service) RecordConsent(ctx context.Context, caseID string, in ConsentInput) (*Consent, error) {
	sub, err := s.check(ctx, caseID, access.Update)
	if err != nil {
		return nil, err
	}
	in.Representative = strings.TrimSpace(in.Representative)
	in.Notes = strings.TrimSpace(in.Notes)
	f := errs.Fields{}
	if !In("purpose", in.Purpose) {
		f.Add("purpose", "cases.err.choose")
	}
	if in.Purpose == "referral" && in.AgencyID == "" {
		f.Add("agency_id", "cases.err.consent_agency")
	}
	if in.Purpose != "referral" {
		in.AgencyID = ""
	}
	if !In("consent", in.Status) {
		f.Add("status", "cases.err.choose")
	}
	if !In("giver", in.GivenBy) {
		f.Add("given_by", "cases.err.choose")
	}
	if !In("method", in.Method) {
		f.Add("method", "cases.err.choose")
	}
	decided, derr := time.Parse("2006-01-02", in.DecidedOn)
	if derr != nil {
		f.Add("decided_on", "validation.date")
	} else if decided.After(calendarToday(s.Now())) {
		f.Add("decided_on", "cases.err.date_future")
	}
	if in.GivenBy == "representative" && in.Representative == "" {
		f.Add("representative", "cases.err.representative_name")
	}
	c, err := s.st.load(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if derr == nil && in.GivenBy == "self" {
		if age := c.Person.AgeAt(decided, s.Now()); age >= 0 && age < 15 {
			f.Add("given_by", "cases.err.consent_under_15")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	cur, err := s.ConsentStatus(ctx, caseID, in.Purpose, in.AgencyID)
	if err != nil {
		return nil, err
	}
	if in.Status == "withdrawn" && cur != "given" {
		return nil, errs.Invalid(map[string]string{"status": "cases.err.nothing_to_withdraw"})
	}
	out := &Consent{ConsentInput: in, ID: newID(), CaseID: caseID, RecordedBy: sub.UserID, RecordedAt: s.Now().UTC(), Current: true}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		sl := &sealer{kr: s.kr, kind: "case_consent", id: out.ID}
		rep, notes := sl.seal("representative", in.Representative), sl.seal("notes", in.Notes)
		if sl.err != nil {
			return sl.err
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO case_consents (id, case_id, purpose, agency_id, status, given_by,
			enc_representative, method, decided_on, enc_notes, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			out.ID, caseID, in.Purpose, nullStr(in.AgencyID), in.Status, in.GivenBy, rep, in.Method, in.DecidedOn, notes,
			sub.UserID, db.FormatTime(out.RecordedAt)); err != nil {
			if db.IsForeignKeyViolation(err) {
				return errs.Invalid(map[string]string{"agency_id": "validation.agency_unknown"})
			}
			return fmt.Errorf("cases: consent: %w", err)
		}
		if err := s.record(ctx, "case.consent_"+in.Status, "case", caseID, in.Purpose); err != nil {
			return err
		}
		if in.Status != "given" && cur == "given" {
			if err := s.revokeFor(ctx, caseID, in.Purpose, in.AgencyID); err != nil {
				return err
			}
			for _, h := range s.withdrawHooks {
				if err := h(ctx, caseID, in.Purpose, in.AgencyID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// revokeFor removes the access a purpose gave: a referral consent opened the case to
// the named agency; prosecution consent to the prosecution liaison's agency.
func (s *Service) revokeFor(ctx context.Context, caseID, purpose, agencyID string) error {
	switch purpose {
	case "referral":
		_, err := s.d.Exec(ctx, "DELETE FROM case_access WHERE case_id = ? AND agency_id = ? AND reason IN ('referral', 'shelter')", caseID, agencyID)
		return err
	case "prosecution":
		_, err := s.d.Exec(ctx, "DELETE FROM case_access WHERE case_id = ? AND reason = 'prosecution'", caseID)
		return err
	}
	return nil
}

// ConsentStatus returns the consent in force for a purpose (and agency, for referral):
// "given", "refused", "withdrawn" or "" when none was recorded.
func (s *Service) ConsentStatus(ctx context.Context, caseID, purpose, agencyID string) (string, error) {
	q := "SELECT status FROM case_consents WHERE case_id = ? AND purpose = ?"
	args := []any{caseID, purpose}
	if purpose == "referral" {
		q += " AND agency_id = ?"
		args = append(args, agencyID)
	}
	var st string
	err := s.d.QueryRow(ctx, q+" ORDER BY recorded_at DESC, id DESC LIMIT 1", args...).Scan(&st)
	if err != nil && err != db.ErrNoRows {
		return "", fmt.Errorf("cases: consent status: %w", err)
	}
	return st, nil
}

// Consents lists the consent decisions of a case, newest first, marking those in
// force: all of them for the owner's side; for a receiving agency only those that
// concern it (the referral consent naming it, the prosecution consent for the
// prosecution), without the representative's name or the notes.
func (s *Service) Consents(ctx context.Context, caseID string) ([]Consent, error) {
	sub, v, err := s.seeSection(ctx, caseID, SecConsent)
	if err != nil {
		return nil, err
	}
	where, args := "k.case_id = ?", []any{caseID}
	if !v.Full() {
		where += " AND ((k.purpose = 'referral' AND k.agency_id = ?)"
		args = append(args, sub.AgencyID)
		if slices.Contains(v.Relations(), RelProsecution) {
			where += " OR k.purpose = 'prosecution'"
		}
		where += ")"
	}
	rows, err := s.d.Query(ctx, `SELECT k.id, k.purpose, COALESCE(k.agency_id, ''), COALESCE(a.name, ''), k.status, k.given_by,
		k.enc_representative, k.method, k.decided_on, k.enc_notes, k.recorded_by, COALESCE(u.name, ''), k.recorded_at
		FROM case_consents k LEFT JOIN agencies a ON a.id = k.agency_id LEFT JOIN users u ON u.id = k.recorded_by
		WHERE `+where+` ORDER BY k.recorded_at DESC, k.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: consents: %w", err)
	}
	defer rows.Close()
	var out []Consent
	seen := map[string]bool{}
	for rows.Next() {
		var c Consent
		var rep, notes, at string
		if err := rows.Scan(&c.ID, &c.Purpose, &c.AgencyID, &c.AgencyName, &c.Status, &c.GivenBy, &rep, &c.Method,
			&c.DecidedOn, &notes, &c.RecordedBy, &c.RecorderName, &at); err != nil {
			return nil, err
		}
		if v.Full() {
			sl := &sealer{kr: s.kr, kind: "case_consent", id: c.ID}
			c.Representative, c.Notes = sl.open("representative", rep), sl.open("notes", notes)
			if sl.err != nil {
				return nil, sl.err
			}
		}
		c.CaseID = caseID
		c.RecordedAt, _ = db.ParseTime(at)
		key := c.Purpose + "|" + c.AgencyID
		c.Current = !seen[key]
		seen[key] = true
		out = append(out, c)
	}
	return out, rows.Err()
}
