package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// Directory tells the case service about staff (assignment, approvals). The identity
// service provides it.
type Directory interface {
	Member(ctx context.Context, userID string) (*auth.StaffMember, error)
	Staff(ctx context.Context, agencyID string, roles ...access.Role) ([]auth.StaffMember, error)
}

// Service holds the rules of case management. Every method checks access, runs in one
// transaction and writes its audit event in it.
type Service struct {
	d     *db.DB
	st    *store
	audit *audit.Log
	kr    *secure.Keyring
	dir   Directory
	Now   func() time.Time
	// DupCheckLimit and DupCheckWindow override DupCheckLimit checks per DupCheckWindow
	// (duplicates.go) when set.
	DupCheckLimit  int
	DupCheckWindow time.Duration

	withdrawHooks []WithdrawHook
}

// NewService builds the case service.
func NewService(d *db.DB, log *audit.Log, kr *secure.Keyring, dir Directory) *Service {
	return &Service{d: d, st: &store{d: d, kr: kr}, audit: log, kr: kr, dir: dir, Now: time.Now}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Service) record(ctx context.Context, action, recType, recID, detail string) error {
	return s.audit.Record(ctx, audit.Event{Action: action, RecordType: recType, RecordID: recID,
		Outcome: audit.OutcomeOK, Detail: detail})
}

// today is the current date in the display zone, as yyyy-mm-dd.
func (s *Service) today() string { return s.Now().In(i18n.Zone()).Format("2006-01-02") }

// check loads the policy record of a case and checks the subject may do action on it.
// A refusal is audited; "not found" hides whether the case exists.
func (s *Service) check(ctx context.Context, id string, a access.Action) (*access.Subject, error) {
	sub := access.From(ctx)
	if sub == nil {
		return nil, errs.Unauthenticated()
	}
	rec, err := s.st.relation(ctx, id)
	if err != nil {
		return nil, err
	}
	err = sub.Check(a, access.Case, rec)
	if err == nil && a != access.View {
		// A referral or a shelter stay opens the case to another agency so its staff
		// can read it; changing it stays with the agency that owns it (and its worker).
		owned := rec
		owned.AgencyIDs = nil
		if !sub.Allows(a, access.Case, owned) {
			err = errs.Forbidden()
		}
	}
	if err != nil {
		_ = s.audit.Record(ctx, audit.Event{Action: "case.denied", RecordType: "case", RecordID: id,
			Outcome: audit.OutcomeDenied, Detail: string(a)})
		return nil, err
	}
	return sub, nil
}

// derive fills the clear statistics fields from the person.
func (s *Service) derive(c *Case) {
	idDate, err := time.Parse("2006-01-02", c.Identification.Date)
	if err != nil {
		idDate = s.Now()
	}
	c.AgeAtID = c.Person.AgeAt(idDate, s.Now())
	c.AgeGroup = AgeGroup(c.AgeAtID)
	c.BirthYear = 0
	if c.Person.BirthDate != "" {
		if b, err := time.Parse("2006-01-02", c.Person.BirthDate); err == nil {
			c.BirthYear = b.Year()
		}
	} else if c.Person.EstimatedAge != nil {
		c.BirthYear = idDate.Year() - *c.Person.EstimatedAge
	}
}

// RegisterOptions tune a registration.
type RegisterOptions struct {
	AssignTo string // default: the registering user
	// NotDuplicate confirms the worker checked the likely duplicates shown to them.
	NotDuplicate bool
	// CheckID is the duplicate check the worker confirmed after (DuplicateResult.
	// RequestCheck): the new case is linked to it, and so to a connection request sent
	// from it.
	CheckID string
}

// Register creates a case for a presumed victim, owned by the registering user's agency.
func (s *Service) Register(ctx context.Context, in Input, opt RegisterOptions) (*Case, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Create, access.Case); err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(s.Now()); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	c := &Case{Input: in, ID: newID(), Version: 1, AgencyID: sub.AgencyID, Status: "identified",
		CreatedAt: now, UpdatedAt: now, CreatedBy: sub.UserID}
	if c.IdentifyingAgency == "" {
		c.IdentifyingAgency = sub.AgencyID
	}
	c.AssignedTo = opt.AssignTo
	if c.AssignedTo == "" && sub.Has(access.CaseWorker) {
		c.AssignedTo = sub.UserID
	}
	if c.AssignedTo != "" {
		if err := s.checkAssignee(ctx, c.AssignedTo, c.AgencyID); err != nil {
			return nil, err
		}
	}
	s.derive(c)
	if !opt.NotDuplicate {
		res, err := s.Duplicates(ctx, &c.Input, "")
		if err != nil {
			return nil, err
		}
		if res.Found() {
			return nil, &DuplicatesFound{Result: res, Duplicates: res.InReach}
		}
	}
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		year := now.In(i18n.Zone()).Year()
		num, err := s.st.nextNumber(ctx, year)
		if err != nil {
			return err
		}
		c.Number = num
		if err := s.st.writeCase(ctx, c, true); err != nil {
			return err
		}
		if err := s.st.addHistory(ctx, c.ID, "", "identified", "", "", sub.UserID, now); err != nil {
			return err
		}
		detail := ""
		if opt.NotDuplicate {
			detail = "duplicates reviewed"
			linked, err := s.linkCheck(ctx, opt.CheckID, c.ID, sub.UserID)
			if err != nil {
				return err
			}
			if linked {
				detail += " check=" + opt.CheckID
			}
		}
		return s.record(ctx, "case.create", "case", c.ID, detail)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkAssignee makes sure a case is assigned to an active worker of its agency.
func (s *Service) checkAssignee(ctx context.Context, userID, agencyID string) error {
	m, err := s.dir.Member(ctx, userID)
	if err != nil || !m.Active || m.AgencyID != agencyID {
		return errs.Invalid(map[string]string{"assigned_to": "cases.err.assignee"})
	}
	for _, r := range m.Roles {
		if r == access.CaseWorker || r == access.CaseSupervisor {
			return nil
		}
	}
	return errs.Invalid(map[string]string{"assigned_to": "cases.err.assignee"})
}

// Get returns a case as the signed-in user may see it (Open, without the view): the
// whole file for its agency and assigned worker, what the relation carries for a
// receiving agency. The view is audited.
func (s *Service) Get(ctx context.Context, id string) (*Case, error) {
	c, _, err := s.Open(ctx, id)
	return c, err
}

// Editable returns the whole case for a form or a merge that changes it (the edit
// form, the consent withdrawal form, PATCH): only to those who may change it, the
// owning agency's side with the Update permission. A receiving agency, which may read
// part of the case but never change it, is refused here (403, audited) as it would be
// on saving, rather than shown a form it cannot send; anyone else gets 404.
func (s *Service) Editable(ctx context.Context, id string) (*Case, error) {
	if _, err := s.check(ctx, id, access.Update); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// Update changes what was typed about a case. version must be the version the user
// edited; a concurrent change gives a conflict instead of overwriting it.
func (s *Service) Update(ctx context.Context, id string, version int, in Input) (*Case, error) {
	if _, err := s.check(ctx, id, access.Update); err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(s.Now()); err != nil {
		return nil, err
	}
	var out *Case
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.st.load(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != cur.Version {
			return errs.Conflict("error.conflict")
		}
		if cur.Status == "closed" {
			return errs.Conflict("cases.err.closed")
		}
		c := *cur
		agency := c.IdentifyingAgency
		c.Input = in
		if c.RiskLevel == "" {
			c.RiskLevel = cur.RiskLevel // the risk is set on its own (SetRisk); an edit without it keeps it
		}
		if c.IdentifyingAgency == "" {
			c.IdentifyingAgency = agency
		}
		c.UpdatedAt = s.Now().UTC()
		s.derive(&c)
		if err := s.st.writeCase(ctx, &c, false); err != nil {
			return err
		}
		out = &c
		return s.record(ctx, "case.update", "case", id, "")
	})
	return out, err
}

// List returns one page of the cases the user sees in full (their agency's for a
// supervisor, assigned to them for a worker), with names decrypted. Cases opened to the
// agency by a referral or a stay are listed by Shared, with what their relation
// carries. Each case shown is recorded as a view in the audit trail.
func (s *Service) List(ctx context.Context, f Filter) ([]*Row, int, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.View, access.Case); err != nil {
		return nil, 0, err
	}
	f.Today = s.today()
	rows, total, err := s.st.list(ctx, sub, f)
	if err != nil {
		return nil, 0, err
	}
	if len(rows) > 0 {
		err = s.d.InTx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				if err := s.record(ctx, "case.list_view", "case", r.ID, ""); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return rows, total, err
}

// Assign gives a case to a worker of its agency (supervisors).
func (s *Service) Assign(ctx context.Context, id, userID string) error {
	if _, err := s.check(ctx, id, access.Manage); err != nil {
		return err
	}
	rec, err := s.st.relation(ctx, id)
	if err != nil {
		return err
	}
	if err := s.checkAssignee(ctx, userID, rec.AgencyID); err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.d.Exec(ctx, "UPDATE cases SET assigned_to = ?, version = version + 1, updated_at = ? WHERE id = ?",
			userID, db.Now(), id); err != nil {
			return fmt.Errorf("cases: assign: %w", err)
		}
		return s.record(ctx, "case.assign", "case", id, "to "+userID)
	})
}

// Assignable lists who a case of the agency may be assigned to.
func (s *Service) Assignable(ctx context.Context, agencyID string) ([]auth.StaffMember, error) {
	return s.dir.Staff(ctx, agencyID, access.CaseWorker, access.CaseSupervisor)
}
