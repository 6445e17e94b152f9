package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// IncomingRequest is a connection request as the holding institution's supervisors see
// it: who asked, from which institution, when, and which of their own cases matched on
// what. Nothing of what the requester typed is kept or shown.
type IncomingRequest struct {
	ID              string         `json:"id"`
	Status          string         `json:"status"` // pending, connected, declined, expired
	RequesterID     string         `json:"requester_id"`
	RequesterName   string         `json:"requester_name"`
	RequesterEmail  string         `json:"requester_email"`
	RequesterAgency string         `json:"requester_agency"`
	CreatedAt       time.Time      `json:"created_at"`
	ExpiresAt       time.Time      `json:"expires_at"`
	DecidedBy       string         `json:"decided_by,omitempty"`
	DeciderName     string         `json:"decider_name,omitempty"`
	DecidedAt       time.Time      `json:"decided_at,omitzero"`
	DeclineReason   string         `json:"decline_reason,omitempty"`
	Matches         []RequestMatch `json:"matches"`
}

// RequestMatch is one of the holding institution's cases a request matched.
type RequestMatch struct {
	CaseID  string   `json:"case_id"`
	Number  string   `json:"number"`
	Reasons []string `json:"reasons"` // document, name, phonetic_name
	Linked  bool     `json:"linked"`  // connected to the requester's case
}

// OutgoingRequest is a connection request as the requesting institution sees it: one
// request whatever the number of institutions asked, with a status that never tells
// how many there were (pending while none connected and one still may; connected when
// one or more connected; declined or expired when none is left). Connections name the
// institutions that chose to connect and their contact, nothing else.
type OutgoingRequest struct {
	ID            string       `json:"id"` // the check it was sent from
	Status        string       `json:"status"`
	RequesterID   string       `json:"requester_id"`
	RequesterName string       `json:"requester_name"`
	RequestedAt   time.Time    `json:"requested_at"`
	ExpiresAt     time.Time    `json:"expires_at"`
	CaseID        string       `json:"case_id,omitempty"` // the requester's case registered after it
	CaseNumber    string       `json:"case_number,omitempty"`
	Connections   []Connection `json:"connections"`
}

// Connection is a holding institution that connected, and whom to contact there.
type Connection struct {
	Agency       string    `json:"agency"`
	ContactName  string    `json:"contact_name"`
	ContactEmail string    `json:"contact_email"`
	ConnectedAt  time.Time `json:"connected_at"`
}

// DupFilter chooses connection requests of a list.
type DupFilter struct {
	Status        string // one of DupStatuses, or "" for all
	Page, PerPage int
}

func (f *DupFilter) bounds() (limit, offset int) {
	if f.PerPage <= 0 {
		f.PerPage = pageSize
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	return f.PerPage, (f.Page - 1) * f.PerPage
}

// IncomingRequests lists the connection requests addressed to the user's institution,
// newest first, for its supervisors (nothing for anyone else).
func (s *Service) IncomingRequests(ctx context.Context, f DupFilter) ([]IncomingRequest, int, error) {
	sub := access.From(ctx)
	if !mayDecideDup(sub, sub.AgencyID) {
		return nil, 0, nil
	}
	where, args := "r.to_agency_id = ?", []any{sub.AgencyID}
	now := db.FormatTime(s.Now())
	switch f.Status {
	case dupPending:
		where, args = where+" AND r.status = ? AND r.expires_at >= ?", append(args, dupPending, now)
	case dupExpired:
		where, args = where+" AND (r.status = ? OR (r.status = ? AND r.expires_at < ?))", append(args, dupExpired, dupPending, now)
	case dupConnected, dupDeclined:
		where, args = where+" AND r.status = ?", append(args, f.Status)
	}
	var total int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM case_dup_requests r WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("cases: count duplicate requests: %w", err)
	}
	limit, offset := f.bounds()
	rows, err := s.incoming(ctx, where+" ORDER BY r.created_at DESC, r.id LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	list := make([]IncomingRequest, 0, len(rows))
	for _, r := range rows {
		list = append(list, r.IncomingRequest)
	}
	return list, total, nil
}

// IncomingRequest returns one request addressed to the user's institution; anyone but
// its supervisors gets 404 (audited).
func (s *Service) IncomingRequest(ctx context.Context, id string) (*IncomingRequest, error) {
	sub := access.From(ctx)
	if sub == nil {
		return nil, errs.Unauthenticated()
	}
	list, err := s.incoming(ctx, "r.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !mayDecideDup(sub, sub.AgencyID) || list[0].toAgency != sub.AgencyID {
		return nil, s.denyDup(ctx, id)
	}
	return &list[0].IncomingRequest, nil
}

// incomingRow is an IncomingRequest with the agency it is addressed to.
type incomingRow struct {
	IncomingRequest
	toAgency string
}

func (s *Service) incoming(ctx context.Context, where string, args ...any) ([]incomingRow, error) {
	rows, err := s.d.Query(ctx, `SELECT r.id, r.check_id, r.to_agency_id, r.status, r.created_at, r.expires_at,
		COALESCE(r.decided_by, ''), COALESCE(d.name, ''), r.decided_at, r.decline_reason,
		k.user_id, u.name, u.email, a.name
		FROM case_dup_requests r JOIN case_dup_checks k ON k.id = r.check_id JOIN users u ON u.id = k.user_id
		JOIN agencies a ON a.id = k.agency_id LEFT JOIN users d ON d.id = r.decided_by WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: duplicate requests: %w", err)
	}
	var out []incomingRow
	var checks []string
	now := s.Now()
	for rows.Next() {
		var r incomingRow
		var check, created, expires, decided string
		if err := rows.Scan(&r.ID, &check, &r.toAgency, &r.Status, &created, &expires, &r.DecidedBy, &r.DeciderName,
			&decided, &r.DeclineReason, &r.RequesterID, &r.RequesterName, &r.RequesterEmail, &r.RequesterAgency); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cases: duplicate requests: %w", err)
		}
		r.CreatedAt, _ = db.ParseTime(created)
		r.ExpiresAt, _ = db.ParseTime(expires)
		if decided != "" {
			r.DecidedAt, _ = db.ParseTime(decided)
		}
		r.Status = effectiveStatus(r.Status, r.ExpiresAt, now)
		out = append(out, r)
		checks = append(checks, check)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cases: duplicate requests: %w", err)
	}
	for i := range out {
		if out[i].Matches, err = s.requestMatches(ctx, out[i].ID, checks[i], out[i].toAgency); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// requestMatches lists the holding agency's cases a request's check matched.
func (s *Service) requestMatches(ctx context.Context, requestID, checkID, agencyID string) ([]RequestMatch, error) {
	rows, err := s.d.Query(ctx, `SELECT m.case_id, c.number, m.reasons,
		(SELECT COUNT(*) FROM case_dup_links l WHERE l.request_id = ? AND l.case_id = m.case_id)
		FROM case_dup_check_cases m JOIN cases c ON c.id = m.case_id
		WHERE m.check_id = ? AND m.agency_id = ? AND m.in_reach = 0 ORDER BY c.number`, requestID, checkID, agencyID)
	if err != nil {
		return nil, fmt.Errorf("cases: duplicate request matches: %w", err)
	}
	defer rows.Close()
	var out []RequestMatch
	for rows.Next() {
		var m RequestMatch
		var reasons string
		var linked int
		if err := rows.Scan(&m.CaseID, &m.Number, &reasons, &linked); err != nil {
			return nil, fmt.Errorf("cases: duplicate request matches: %w", err)
		}
		m.Reasons, m.Linked = strings.Fields(reasons), linked > 0
		out = append(out, m)
	}
	return out, rows.Err()
}

// OutgoingRequests lists the connection requests the user sent (for a supervisor, those
// of their institution), newest first.
func (s *Service) OutgoingRequests(ctx context.Context, f DupFilter) ([]OutgoingRequest, int, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Create, access.Case); err != nil {
		return nil, 0, err
	}
	where, args := "k.user_id = ?", []any{sub.UserID}
	if mayDecideDup(sub, sub.AgencyID) {
		where, args = "k.agency_id = ?", []any{sub.AgencyID}
	}
	var total int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM case_dup_checks k WHERE k.requested_at <> '' AND "+where,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("cases: count sent duplicate requests: %w", err)
	}
	limit, offset := f.bounds()
	list, _, err := s.outgoing(ctx, where, args, limit, offset)
	return list, total, err
}

// outgoing loads sent requests (checks with requested_at) matching where, and folds the
// parts addressed to each institution into one status.
func (s *Service) outgoing(ctx context.Context, where string, args []any, limit, offset int) ([]OutgoingRequest, int, error) {
	rows, err := s.d.Query(ctx, `SELECT k.id, k.user_id, u.name, k.requested_at, COALESCE(k.case_id, ''), COALESCE(c.number, '')
		FROM case_dup_checks k JOIN users u ON u.id = k.user_id LEFT JOIN cases c ON c.id = k.case_id
		WHERE k.requested_at <> '' AND `+where+` ORDER BY k.requested_at DESC, k.id LIMIT ? OFFSET ?`,
		append(append([]any{}, args...), limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("cases: sent duplicate requests: %w", err)
	}
	var out []OutgoingRequest
	for rows.Next() {
		var o OutgoingRequest
		var at string
		if err := rows.Scan(&o.ID, &o.RequesterID, &o.RequesterName, &at, &o.CaseID, &o.CaseNumber); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("cases: sent duplicate requests: %w", err)
		}
		o.RequestedAt, _ = db.ParseTime(at)
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("cases: sent duplicate requests: %w", err)
	}
	for i := range out {
		if err := s.foldParts(ctx, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, len(out), nil
}

// foldParts reads the parts of a sent request and sets its one status and connections.
func (s *Service) foldParts(ctx context.Context, o *OutgoingRequest) error {
	rows, err := s.d.Query(ctx, `SELECT r.status, r.expires_at, r.decided_at, a.name, COALESCE(d.name, ''), COALESCE(d.email, '')
		FROM case_dup_requests r JOIN agencies a ON a.id = r.to_agency_id LEFT JOIN users d ON d.id = r.decided_by
		WHERE r.check_id = ? ORDER BY r.decided_at, a.name`, o.ID)
	if err != nil {
		return fmt.Errorf("cases: parts of a duplicate request: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	now := s.Now()
	o.Connections = []Connection{}
	for rows.Next() {
		var st, expires, decided, agency, contact, email string
		if err := rows.Scan(&st, &expires, &decided, &agency, &contact, &email); err != nil {
			return fmt.Errorf("cases: parts of a duplicate request: %w", err)
		}
		exp, _ := db.ParseTime(expires)
		o.ExpiresAt = exp
		st = effectiveStatus(st, exp, now)
		seen[st] = true
		if st == dupConnected {
			at, _ := db.ParseTime(decided)
			o.Connections = append(o.Connections, Connection{Agency: agency, ContactName: contact, ContactEmail: email,
				ConnectedAt: at})
		}
	}
	switch {
	case seen[dupConnected]:
		o.Status = dupConnected
	case seen[dupPending]:
		o.Status = dupPending
	case seen[dupDeclined]:
		o.Status = dupDeclined
	default:
		o.Status = dupExpired
	}
	return rows.Err()
}
