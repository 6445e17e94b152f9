package referrals

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

type store struct {
	d  *db.DB
	kr *secure.Keyring
}

func (s *store) seal(kind, id, field, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	return s.kr.EncryptString(v, kind+":"+id+":"+field)
}

func (s *store) open(kind, id, field, ct string) (string, error) {
	if ct == "" {
		return "", nil
	}
	return s.kr.DecryptString(ct, kind+":"+id+":"+field)
}

func (s *store) nextNumber(ctx context.Context, year int) (string, error) {
	var last int
	err := s.d.QueryRow(ctx, "SELECT last FROM referral_counters WHERE year = ?", year).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.d.Exec(ctx, "INSERT INTO referral_counters (year, last) VALUES (?, 1)", year); err != nil {
			return "", fmt.Errorf("referrals: counter: %w", err)
		}
		last = 1
	case err != nil:
		return "", fmt.Errorf("referrals: counter: %w", err)
	default:
		if err := s.d.QueryRowWrite(ctx, "UPDATE referral_counters SET last = last + 1 WHERE year = ? RETURNING last", year).Scan(&last); err != nil {
			return "", fmt.Errorf("referrals: counter: %w", err)
		}
	}
	return fmt.Sprintf("REF-%d-%05d", year, last), nil
}

func (s *store) addEvent(ctx context.Context, referralID, action, user, agency, comment, at string) error {
	id := newID()
	enc, err := s.seal("referral_event", id, "comment", comment)
	if err != nil {
		return err
	}
	_, err = s.d.Exec(ctx, `INSERT INTO referral_events (id, referral_id, action, by_user, by_agency, enc_comment, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, referralID, action, user, agency, enc, at)
	if err != nil {
		return fmt.Errorf("referrals: event: %w", err)
	}
	return nil
}

const refCols = `r.id, r.number, r.case_id, c.number, r.purpose, r.from_agency_id, fa.name, r.from_user_id,
	COALESCE(fu.name, ''), r.to_agency_id, ta.name, COALESCE(r.service_id, ''), COALESCE(ns.name, ''), r.urgent, r.due_on,
	r.status, r.shared_fields, r.decline_reason, r.outcome, r.version, r.created_at, r.updated_at`

const refFrom = ` FROM referrals r JOIN cases c ON c.id = r.case_id JOIN agencies fa ON fa.id = r.from_agency_id
	JOIN agencies ta ON ta.id = r.to_agency_id LEFT JOIN users fu ON fu.id = r.from_user_id
	LEFT JOIN network_services ns ON ns.id = r.service_id`

func scanReferral(sc interface{ Scan(...any) error }, extra ...any) (*Referral, error) {
	var r Referral
	var urgent int
	var shared, created, updated string
	dest := append([]any{&r.ID, &r.Number, &r.CaseID, &r.CaseNumber, &r.Purpose, &r.FromAgencyID, &r.FromAgency,
		&r.FromUserID, &r.FromUser, &r.ToAgencyID, &r.ToAgency, &r.ServiceID, &r.ServiceName, &urgent, &r.DueOn,
		&r.Status, &shared, &r.DeclineReason, &r.Outcome, &r.Version, &created, &updated}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	r.Urgent = urgent == 1
	if shared != "" {
		r.SharedFields = strings.Split(shared, ",")
	}
	r.CreatedAt, _ = db.ParseTime(created)
	r.UpdatedAt, _ = db.ParseTime(updated)
	return &r, nil
}

// loadRaw reads one referral with its encrypted columns.
func (s *store) loadRaw(ctx context.Context, id string) (*Referral, [3]string, error) {
	var enc [3]string
	r, err := scanReferral(s.d.QueryRow(ctx, "SELECT "+refCols+", r.enc_payload, r.enc_reason, r.enc_feedback"+refFrom+
		" WHERE r.id = ?", id), &enc[0], &enc[1], &enc[2])
	if errors.Is(err, sql.ErrNoRows) {
		return nil, enc, errs.NotFound()
	}
	if err != nil {
		return nil, enc, fmt.Errorf("referrals: load: %w", err)
	}
	return r, enc, s.loadTypes(ctx, r)
}

func (s *store) loadTypes(ctx context.Context, r *Referral) error {
	rows, err := s.d.Query(ctx, "SELECT support_type FROM referral_support_types WHERE referral_id = ? ORDER BY support_type", r.ID)
	if err != nil {
		return fmt.Errorf("referrals: types: %w", err)
	}
	defer rows.Close()
	r.SupportTypes = nil
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		r.SupportTypes = append(r.SupportTypes, t)
	}
	return rows.Err()
}

// decrypt fills payload, reason and feedback.
func (s *store) decrypt(r *Referral, enc [3]string, withPayload bool) error {
	var err error
	if withPayload && enc[0] != "" {
		plain, e := s.open("referral", r.ID, "payload", enc[0])
		if e != nil {
			return e
		}
		if err = json.Unmarshal([]byte(plain), &r.Payload); err != nil {
			return fmt.Errorf("referrals: payload: %w", err)
		}
	}
	if withPayload {
		if r.Reason, err = s.open("referral", r.ID, "reason", enc[1]); err != nil {
			return err
		}
	}
	r.Feedback, err = s.open("referral", r.ID, "feedback", enc[2])
	return err
}

func (s *store) events(ctx context.Context, r *Referral) error {
	rows, err := s.d.Query(ctx, `SELECT e.id, e.action, COALESCE(u.name, ''), COALESCE(a.name, ''), e.enc_comment, e.at
		FROM referral_events e LEFT JOIN users u ON u.id = e.by_user LEFT JOIN agencies a ON a.id = e.by_agency
		WHERE e.referral_id = ? ORDER BY e.at, e.id`, r.ID)
	if err != nil {
		return fmt.Errorf("referrals: events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var id, enc, at string
		if err := rows.Scan(&id, &e.Action, &e.ByUser, &e.Agency, &enc, &at); err != nil {
			return err
		}
		if e.Comment, err = s.open("referral_event", id, "comment", enc); err != nil {
			return err
		}
		e.At, _ = db.ParseTime(at)
		r.Events = append(r.Events, e)
	}
	return rows.Err()
}

// side says from which side the subject sees a referral: "from", "to" or "".
func side(sub *access.Subject, r *Referral) string {
	sc := sub.Scope(access.View, access.Referral)
	switch {
	case sc == access.None:
		return ""
	case sc == access.National:
		if r.ToAgencyID == sub.AgencyID {
			return "to"
		}
		return "from"
	case r.FromUserID == sub.UserID || (sc >= access.AgencyScope && r.FromAgencyID == sub.AgencyID):
		return "from"
	case r.ToAgencyID == sub.AgencyID:
		return "to"
	}
	return ""
}

// scopeSQL mirrors side() for lists.
func scopeSQL(sub *access.Subject, direction string) (string, []any) {
	sc := sub.Scope(access.View, access.Referral)
	if sc == access.None {
		return "1=0", nil
	}
	if direction == "incoming" {
		return "r.to_agency_id = ?", []any{sub.AgencyID}
	}
	if sc == access.National {
		return "1=1", nil
	}
	if sc >= access.AgencyScope {
		return "r.from_agency_id = ?", []any{sub.AgencyID}
	}
	return "r.from_user_id = ?", []any{sub.UserID}
}
