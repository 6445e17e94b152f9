package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// ServiceInput is one service of the assistance plan as the worker types it.
type ServiceInput struct {
	SupportType string `json:"support_type"` // HTCDS support type (SupportTypes)
	// Need is the assessed need the service answers, also a SupportTypes value (the
	// needs of DOMAIN.md are the same list); empty means the support type itself. It is
	// a code kept in clear for statistics: anything free-text belongs in Notes.
	Need             string `json:"need,omitempty"`
	ProviderAgencyID string `json:"provider_agency_id,omitempty"` // an agency of the network
	ProviderName     string `json:"provider_name,omitempty"`      // or a provider outside it
	PlannedFrom      string `json:"planned_from,omitempty"`       // yyyy-mm-dd
	PlannedTo        string `json:"planned_to,omitempty"`         // yyyy-mm-dd
	Notes            string `json:"notes,omitempty"`              // encrypted
}

// PlannedService is a service of a case's assistance plan.
type PlannedService struct {
	ServiceInput
	ID                 string    `json:"id"`
	CaseID             string    `json:"case_id"`
	AgencyID           string    `json:"agency_id"` // the agency that recorded it, and alone changes it
	ProviderAgencyName string    `json:"provider_agency_name,omitempty"`
	Status             string    `json:"status"`                 // ServiceStatuses
	DeliveredOn        string    `json:"delivered_on,omitempty"` // yyyy-mm-dd
	CreatedBy          string    `json:"created_by"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Provider is the provider's name for display: the agency's, or the one typed.
func (p *PlannedService) Provider() string {
	if p.ProviderAgencyName != "" {
		return p.ProviderAgencyName
	}
	return p.ProviderName
}

// serviceMoves are the status changes of a planned service; delivered and cancelled are
// final. Keeping the same status is allowed (to correct the notes or the delivery date).
var serviceMoves = map[string][]string{
	"planned":     {"in_progress", "delivered", "cancelled"},
	"in_progress": {"delivered", "cancelled"},
}

const dayFormat = "2006-01-02"

// checkDay validates a yyyy-mm-dd date typed into field. notAfter, when set, is the
// latest date accepted (today, for things that already happened).
func checkDay(f errs.Fields, field, v string, required bool, notAfter string) bool {
	if v == "" {
		if required {
			f.Add(field, "validation.required")
		}
		return false
	}
	if _, err := time.Parse(dayFormat, v); err != nil {
		f.Add(field, "validation.date")
		return false
	}
	if notAfter != "" && v > notAfter {
		f.Add(field, "cases.err.date_future")
		return false
	}
	return true
}

// writable refuses changes to a closed case: it must be reopened first (with a reason)
// so the history says why it changed after closure. It runs inside the transaction.
func (s *Service) writable(ctx context.Context, caseID string) error {
	st, err := s.status(ctx, caseID)
	if err != nil {
		return err
	}
	if st == "closed" {
		return errs.Conflict("cases.err.closed")
	}
	return nil
}

// ownRecordsWritable is writable for the sections each agency keeps for itself (notes,
// the services it records): the owner's side may not add to a closed case, while a
// receiving agency, which is not shown the owner's stage, keeps its own records
// whatever the stage (a refusal "the case is closed" would tell it).
func (s *Service) ownRecordsWritable(ctx context.Context, v *View, caseID string) error {
	if !v.Full() {
		return nil
	}
	return s.writable(ctx, caseID)
}

func (in *ServiceInput) normalize() {
	in.SupportType = strings.TrimSpace(in.SupportType)
	in.Need = strings.TrimSpace(in.Need)
	in.ProviderAgencyID = strings.TrimSpace(in.ProviderAgencyID)
	in.ProviderName = collapse(in.ProviderName)
	in.PlannedFrom = strings.TrimSpace(in.PlannedFrom)
	in.PlannedTo = strings.TrimSpace(in.PlannedTo)
	in.Notes = strings.TrimSpace(in.Notes)
	if in.Need == "" {
		in.Need = in.SupportType
	}
}

func (in *ServiceInput) validate() error {
	f := errs.Fields{}
	if !In("support", in.SupportType) {
		f.Add("support_type", "cases.err.choose")
	}
	if !In("support", in.Need) {
		f.Add("need", "cases.err.choose")
	}
	if in.ProviderAgencyID == "" && in.ProviderName == "" {
		f.Add("provider_name", "cases.err.provider_required")
	}
	if utf8.RuneCountInString(in.ProviderName) > 200 {
		f.Add("provider_name", "validation.too_long")
	}
	okFrom := checkDay(f, "planned_from", in.PlannedFrom, false, "")
	okTo := checkDay(f, "planned_to", in.PlannedTo, false, "")
	if okFrom && okTo && in.PlannedTo < in.PlannedFrom {
		f.Add("planned_to", "cases.err.date_order")
	}
	if utf8.RuneCountInString(in.Notes) > maxText {
		f.Add("notes", "validation.too_long")
	}
	return f.Err()
}

// AddService adds a planned service to the case's assistance plan, with status planned.
// The owning agency plans any service; a receiving agency records the services it
// delivers itself (it is the provider), which the owner then sees in the plan.
func (s *Service) AddService(ctx context.Context, caseID string, in ServiceInput) (*PlannedService, error) {
	sub, v, err := s.checkWrite(ctx, caseID, SecPlan)
	if err != nil {
		return nil, err
	}
	if !v.Full() {
		in.ProviderAgencyID, in.ProviderName = sub.AgencyID, ""
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	p := &PlannedService{ServiceInput: in, ID: newID(), CaseID: caseID, AgencyID: sub.AgencyID, Status: "planned",
		CreatedBy: sub.UserID, CreatedAt: now, UpdatedAt: now}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.ownRecordsWritable(ctx, v, caseID); err != nil {
			return err
		}
		sl := &sealer{kr: s.kr, kind: "case_service", id: p.ID}
		notes := sl.seal("notes", in.Notes)
		if sl.err != nil {
			return sl.err
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO case_services (id, case_id, agency_id, support_type, need, provider_agency_id,
			provider_name, planned_from, planned_to, status, delivered_on, enc_notes, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', '', ?, ?, ?, ?)`, p.ID, caseID, sub.AgencyID, in.SupportType, in.Need,
			nullStr(in.ProviderAgencyID), in.ProviderName, in.PlannedFrom, in.PlannedTo, notes, sub.UserID,
			db.FormatTime(now), db.FormatTime(now)); err != nil {
			if db.IsForeignKeyViolation(err) {
				return errs.Invalid(map[string]string{"provider_agency_id": "validation.agency_unknown"})
			}
			return fmt.Errorf("cases: add service: %w", err)
		}
		return s.record(ctx, "case.service_add", "case", caseID, in.SupportType)
	})
	if err != nil {
		return nil, err
	}
	if in.ProviderAgencyID != "" {
		_ = s.d.QueryRow(ctx, "SELECT name FROM agencies WHERE id = ?", in.ProviderAgencyID).Scan(&p.ProviderAgencyName)
	}
	return p, nil
}

// UpdateService moves a planned service along planned → in_progress → delivered, or to
// cancelled. A delivered service needs its delivery date (not in the future). Empty
// notes keep the notes already recorded; other notes replace them.
// Each agency changes only the services it recorded.
func (s *Service) UpdateService(ctx context.Context, caseID, serviceID, status, deliveredOn, notes string) (*PlannedService, error) {
	sub, v, err := s.checkWrite(ctx, caseID, SecPlan)
	if err != nil {
		return nil, err
	}
	status, deliveredOn, notes = strings.TrimSpace(status), strings.TrimSpace(deliveredOn), strings.TrimSpace(notes)
	f := errs.Fields{}
	if !In("service_status", status) {
		f.Add("status", "cases.err.choose")
	}
	if status == "delivered" {
		checkDay(f, "delivered_on", deliveredOn, true, s.today())
	} else {
		deliveredOn = ""
	}
	if utf8.RuneCountInString(notes) > maxText {
		f.Add("notes", "validation.too_long")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *PlannedService
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.ownRecordsWritable(ctx, v, caseID); err != nil {
			return err
		}
		// A receiving agency's reach is its own services: others are not found (and
		// their notes never decrypted); the owner sees the receivers' but leaves them be.
		cur, err := s.service(ctx, caseID, serviceID, v.Full(), sub.AgencyID)
		if err != nil {
			return err
		}
		if cur.AgencyID != sub.AgencyID {
			s.denied(ctx, caseID, "service of another agency")
			return errs.New(errs.CodeForbidden, "cases.err.service_other_agency")
		}
		if status != cur.Status && !slices.Contains(serviceMoves[cur.Status], status) {
			return errs.Invalid(map[string]string{"status": "cases.err.service_move"})
		}
		if deliveredOn != "" && cur.PlannedFrom != "" && deliveredOn < cur.PlannedFrom {
			return errs.Invalid(map[string]string{"delivered_on": "cases.err.delivered_before_start"})
		}
		if notes != "" {
			cur.Notes = notes
		}
		sl := &sealer{kr: s.kr, kind: "case_service", id: cur.ID}
		enc := sl.seal("notes", cur.Notes)
		if sl.err != nil {
			return sl.err
		}
		from := cur.Status
		cur.Status, cur.DeliveredOn, cur.UpdatedAt = status, deliveredOn, s.Now().UTC()
		if _, err := s.d.Exec(ctx, `UPDATE case_services SET status = ?, delivered_on = ?, enc_notes = ?, updated_at = ?
			WHERE id = ? AND case_id = ?`, status, deliveredOn, enc, db.FormatTime(cur.UpdatedAt), cur.ID, caseID); err != nil {
			return fmt.Errorf("cases: update service: %w", err)
		}
		out = cur
		return s.record(ctx, "case.service_update", "case", caseID, from+" -> "+status)
	})
	return out, err
}

// Services returns the case's assistance plan: its services by planned start, with
// the provider agencies' names. The owner's side reads the whole plan, with what the
// receiving agencies recorded; a receiving agency reads the services it recorded.
func (s *Service) Services(ctx context.Context, caseID string) ([]PlannedService, error) {
	sub, v, err := s.seeSection(ctx, caseID, SecPlan)
	if err != nil {
		return nil, err
	}
	if !v.Full() {
		return s.services(ctx, "s.case_id = ? AND s.agency_id = ?", caseID, sub.AgencyID)
	}
	return s.services(ctx, "s.case_id = ?", caseID)
}

func (s *Service) service(ctx context.Context, caseID, serviceID string, all bool, agencyID string) (*PlannedService, error) {
	where, args := "s.case_id = ? AND s.id = ?", []any{caseID, serviceID}
	if !all {
		where += " AND s.agency_id = ?"
		args = append(args, agencyID)
	}
	list, err := s.services(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.NotFound()
	}
	return &list[0], nil
}

func (s *Service) services(ctx context.Context, where string, args ...any) ([]PlannedService, error) {
	rows, err := s.d.Query(ctx, `SELECT s.id, s.case_id, COALESCE(s.agency_id, ''), s.support_type, s.need, COALESCE(s.provider_agency_id, ''),
		COALESCE(a.name, ''), s.provider_name, s.planned_from, s.planned_to, s.status, s.delivered_on, s.enc_notes,
		s.created_by, s.created_at, s.updated_at FROM case_services s LEFT JOIN agencies a ON a.id = s.provider_agency_id
		WHERE `+where+` ORDER BY CASE WHEN s.planned_from = '' THEN 1 ELSE 0 END, s.planned_from, s.created_at, s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: services: %w", err)
	}
	defer rows.Close()
	var out []PlannedService
	for rows.Next() {
		var p PlannedService
		var enc, created, updated string
		if err := rows.Scan(&p.ID, &p.CaseID, &p.AgencyID, &p.SupportType, &p.Need, &p.ProviderAgencyID, &p.ProviderAgencyName,
			&p.ProviderName, &p.PlannedFrom, &p.PlannedTo, &p.Status, &p.DeliveredOn, &enc, &p.CreatedBy, &created,
			&updated); err != nil {
			return nil, fmt.Errorf("cases: services: %w", err)
		}
		sl := &sealer{kr: s.kr, kind: "case_service", id: p.ID}
		p.Notes = sl.open("notes", enc)
		if sl.err != nil {
			return nil, sl.err
		}
		p.CreatedAt, _ = db.ParseTime(created)
		p.UpdatedAt, _ = db.ParseTime(updated)
		out = append(out, p)
	}
	return out, rows.Err()
}
