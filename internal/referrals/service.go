package referrals

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// Agencies tells the referral service about institutions.
type Agencies interface {
	AgencyType(ctx context.Context, id string) (string, bool)
}

// Service holds the rules of the service map and of referrals.
type Service struct {
	d        *db.DB
	st       *store
	audit    *audit.Log
	cases    *cases.Service
	agencies Agencies
	Now      func() time.Time
}

// NewService builds the referral service and subscribes it to consent withdrawals, so a
// withdrawn consent revokes the referrals it allowed in the same transaction.
func NewService(d *db.DB, log *audit.Log, kr *secure.Keyring, cs *cases.Service, ag Agencies) *Service {
	s := &Service{d: d, st: &store{d: d, kr: kr}, audit: log, cases: cs, agencies: ag, Now: time.Now}
	cs.OnWithdraw(s.onWithdraw)
	return s
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Service) record(ctx context.Context, action, id, detail string) error {
	return s.audit.Record(ctx, audit.Event{Action: action, RecordType: "referral", RecordID: id,
		Outcome: audit.OutcomeOK, Detail: detail})
}

func (s *Service) today() string { return s.Now().In(i18n.Zone()).Format("2006-01-02") }

// Send refers a case to an institution. It refuses, saying why, when the person's
// consent for that institution (or for the prosecution) is not given; nothing is sent.
func (s *Service) Send(ctx context.Context, in ReferralInput) (*Referral, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Create, access.Referral); err != nil {
		return nil, err
	}
	if in.Purpose == "" {
		in.Purpose = "referral"
	}
	in.Reason = strings.TrimSpace(in.Reason)
	f := errs.Fields{}
	if !oneOf(Purposes, in.Purpose) {
		f.Add("purpose", "cases.err.choose")
	}
	if in.ToAgencyID == "" {
		f.Add("to_agency_id", "validation.required")
	} else if typ, ok := s.agencies.AgencyType(ctx, in.ToAgencyID); !ok {
		f.Add("to_agency_id", "validation.agency_unknown")
	} else if in.Purpose == "prosecution" && typ != "prosecution" {
		f.Add("to_agency_id", "referrals.err.not_prosecution")
	} else if in.ToAgencyID == sub.AgencyID {
		f.Add("to_agency_id", "referrals.err.own_agency")
	}
	if in.Purpose == "referral" && len(in.SupportTypes) == 0 {
		f.Add("support_types", "referrals.err.support_types")
	}
	for _, t := range in.SupportTypes {
		if !cases.In("support", t) {
			f.Add("support_types", "cases.err.unknown_value")
		}
	}
	if in.DueOn == "" {
		days := 7
		if in.Urgent {
			days = 2
		}
		in.DueOn = s.Now().In(i18n.Zone()).AddDate(0, 0, days).Format("2006-01-02")
	} else if d, err := time.Parse("2006-01-02", in.DueOn); err != nil {
		f.Add("due_on", "validation.date")
	} else if d.Format("2006-01-02") < s.today() {
		f.Add("due_on", "referrals.err.due_past")
	}
	if len(in.Reason) > 4000 {
		f.Add("reason", "validation.too_long")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	c, err := s.CaseToRefer(ctx, in.CaseID)
	if err != nil {
		return nil, err
	}
	if c.Status == "closed" {
		return nil, errs.Invalid(map[string]string{"case_id": "cases.err.closed"})
	}
	purposeKey, agency := "referral", in.ToAgencyID
	if in.Purpose == "prosecution" {
		purposeKey, agency = "prosecution", ""
	}
	consent, err := s.cases.ConsentStatus(ctx, in.CaseID, purposeKey, agency)
	if err != nil {
		return nil, err
	}
	if consent != "given" {
		key := "referrals.err.no_consent"
		if in.Purpose == "prosecution" {
			key = "referrals.err.no_consent_prosecution"
		}
		_ = s.audit.Record(ctx, audit.Event{Action: "referral.refused", RecordType: "case", RecordID: in.CaseID,
			Outcome: audit.OutcomeDenied, Detail: "no consent"})
		return nil, errs.Invalid(map[string]string{"to_agency_id": key})
	}
	fields := SharedFields(in.Purpose, in.SupportTypes)
	payload, err := json.Marshal(buildPayload(c, fields))
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	r := &Referral{ID: newID(), CaseID: in.CaseID, CaseNumber: c.Number, Purpose: in.Purpose, FromAgencyID: sub.AgencyID,
		FromUserID: sub.UserID, ToAgencyID: in.ToAgencyID, ServiceID: in.ServiceID, SupportTypes: in.SupportTypes,
		Urgent: in.Urgent, DueOn: in.DueOn, Status: "sent", SharedFields: fields, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		num, err := s.st.nextNumber(ctx, now.In(i18n.Zone()).Year())
		if err != nil {
			return err
		}
		r.Number = num
		encPayload, err := s.st.seal("referral", r.ID, "payload", string(payload))
		if err != nil {
			return err
		}
		encReason, err := s.st.seal("referral", r.ID, "reason", in.Reason)
		if err != nil {
			return err
		}
		var service any
		if in.ServiceID != "" {
			service = in.ServiceID
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO referrals (id, number, case_id, purpose, from_agency_id, from_user_id,
			to_agency_id, service_id, urgent, due_on, status, shared_fields, enc_payload, enc_reason, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?, ?)`, r.ID, r.Number, r.CaseID, r.Purpose, r.FromAgencyID,
			r.FromUserID, r.ToAgencyID, service, boolInt(r.Urgent), r.DueOn, strings.Join(fields, ","), encPayload, encReason,
			db.FormatTime(now), db.FormatTime(now)); err != nil {
			if db.IsForeignKeyViolation(err) {
				return errs.Invalid(map[string]string{"service_id": "referrals.err.service_unknown"})
			}
			return fmt.Errorf("referrals: insert: %w", err)
		}
		for _, t := range in.SupportTypes {
			if _, err := s.d.Exec(ctx, "INSERT INTO referral_support_types (referral_id, support_type) VALUES (?, ?)", r.ID, t); err != nil {
				return err
			}
		}
		if err := s.st.addEvent(ctx, r.ID, "sent", sub.UserID, sub.AgencyID, "", db.FormatTime(now)); err != nil {
			return err
		}
		return s.record(ctx, "referral.send", r.ID, in.Purpose+" to "+in.ToAgencyID)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// CaseToRefer returns the case a referral would carry, as its sender sees it. Only the
// side that holds the whole file (the owning agency, the assigned worker) refers a case:
// a receiving agency sees what its own referral carries, and passing that on to a
// third institution is the owner's decision, under the person's consent (403).
func (s *Service) CaseToRefer(ctx context.Context, caseID string) (*cases.Case, error) {
	c, v, err := s.cases.Open(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !v.Full() {
		return nil, errs.New(errs.CodeForbidden, "referrals.err.not_owner")
	}
	return c, nil
}

func auditEvent(action, recType, id string) audit.Event {
	return audit.Event{Action: action, RecordType: recType, RecordID: id, Outcome: audit.OutcomeOK}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Get returns a referral as the subject's side sees it. The shared data is decrypted
// (and the view audited) unless the referral was revoked or cancelled.
func (s *Service) Get(ctx context.Context, id string) (*Referral, error) {
	sub := access.From(ctx)
	if sub == nil {
		return nil, errs.Unauthenticated()
	}
	r, enc, err := s.st.loadRaw(ctx, id)
	if err != nil {
		return nil, err
	}
	if side(sub, r) == "" {
		return nil, errs.NotFound()
	}
	hideWithdrawnCase(sub, r)
	withPayload := r.Status != "revoked" && r.Status != "cancelled"
	if err := s.st.decrypt(r, enc, withPayload); err != nil {
		return nil, err
	}
	if err := s.st.events(ctx, r); err != nil {
		return nil, err
	}
	r.Overdue = s.overdue(r)
	if withPayload {
		if err := s.record(ctx, "referral.view", id, ""); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// hideWithdrawnCase: once the person withdrew the consent that allowed a referral
// (status revoked), its receiving side keeps the referral's own record (number, dates,
// steps) but it no longer names or links the case, which answers 404 to that agency as
// if it did not exist; a shelter's residents list drops the number the same way.
func hideWithdrawnCase(sub *access.Subject, r *Referral) {
	if r.Status == "revoked" && side(sub, r) == "to" {
		r.CaseID, r.CaseNumber = "", ""
	}
}

func (s *Service) overdue(r *Referral) bool {
	return oneOf(openStatuses, r.Status) && r.DueOn != "" && r.DueOn < s.today()
}
