package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
)

// CaseLink is a connection of a case with a case of another institution: which
// institution, and whom to contact there. The other case's number and data are not
// shown: sharing them takes a referral with the person's consent.
type CaseLink struct {
	Agency       string    `json:"agency"`
	ContactName  string    `json:"contact_name"`
	ContactEmail string    `json:"contact_email"`
	Since        time.Time `json:"since"`
	// Requested is true when this case's institution asked (and the other one holds the
	// earlier registration); false when the other institution asked.
	Requested bool `json:"requested"`
	// Registered is false while the asking institution has not registered the person.
	Registered bool `json:"registered"`
}

// LinkedCases lists the connections of a case, for the staff of the institution that
// owns it (nothing for anyone else, such as a referral's receiver).
func (s *Service) LinkedCases(ctx context.Context, caseID string) ([]CaseLink, error) {
	sub := access.From(ctx)
	rec, err := s.st.relation(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if sub == nil || rec.AgencyID != sub.AgencyID || !sub.Allows(access.View, access.Case, rec) {
		return nil, nil
	}
	var out []CaseLink
	scan := func(q string, requested bool) error {
		rows, err := s.d.Query(ctx, q, caseID)
		if err != nil {
			return fmt.Errorf("cases: linked cases: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			l := CaseLink{Requested: requested}
			var at, other string
			if err := rows.Scan(&l.Agency, &l.ContactName, &l.ContactEmail, &at, &other); err != nil {
				return fmt.Errorf("cases: linked cases: %w", err)
			}
			l.Since, _ = db.ParseTime(at)
			l.Registered = other != ""
			out = append(out, l)
		}
		return rows.Err()
	}
	if err := scan(`SELECT a.name, COALESCE(d.name, ''), COALESCE(d.email, ''), r.decided_at, k.id
		FROM case_dup_checks k JOIN case_dup_requests r ON r.check_id = k.id JOIN agencies a ON a.id = r.to_agency_id
		LEFT JOIN users d ON d.id = r.decided_by WHERE k.case_id = ? AND r.status = 'connected' ORDER BY r.decided_at`, true); err != nil {
		return nil, err
	}
	if err := scan(`SELECT DISTINCT a.name, u.name, u.email, r.decided_at, COALESCE(k.case_id, '')
		FROM case_dup_links l JOIN case_dup_requests r ON r.id = l.request_id JOIN case_dup_checks k ON k.id = r.check_id
		JOIN agencies a ON a.id = k.agency_id JOIN users u ON u.id = k.user_id WHERE l.case_id = ? ORDER BY r.decided_at`, false); err != nil {
		return nil, err
	}
	return out, nil
}

// DupWork is what "my work" shows about connection requests.
type DupWork struct {
	Waiting  int // addressed to the user's institution, for its supervisors to decide
	Answered int // the user's (institution's) requests answered in the last DupRequestTTL
	Decides  bool
}

// MyDupWork counts the connection requests waiting for the user's decision and the
// answers their own requests got recently.
func (s *Service) MyDupWork(ctx context.Context) (DupWork, error) {
	var w DupWork
	sub := access.From(ctx)
	if !sub.Can(access.Create, access.Case) {
		return w, nil
	}
	if w.Decides = mayDecideDup(sub, sub.AgencyID); w.Decides {
		err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM case_dup_requests WHERE to_agency_id = ? AND status = ? AND expires_at >= ?",
			sub.AgencyID, dupPending, db.FormatTime(s.Now())).Scan(&w.Waiting)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return w, fmt.Errorf("cases: waiting duplicate requests: %w", err)
		}
	}
	// Answered: the user's (a supervisor's: their institution's) requests that reached a
	// final answer in the last DupRequestTTL, folded as OutgoingRequest.Status folds them
	// (connected if any part connected; declined if none did and none is still waiting),
	// in one query: "my work" is every user's home page.
	scope, args := "k.user_id = ?", []any{sub.UserID}
	if w.Decides {
		scope, args = "k.agency_id = ?", []any{sub.AgencyID}
	}
	now := s.Now()
	args = append(args, db.FormatTime(now.Add(-2*DupRequestTTL)), db.FormatTime(now.Add(-DupRequestTTL)),
		dupConnected, dupDeclined, dupPending, db.FormatTime(now))
	err := s.d.QueryRow(ctx, `SELECT COUNT(*) FROM case_dup_checks k WHERE `+scope+` AND k.requested_at >= ?
		AND (SELECT MAX(r.decided_at) FROM case_dup_requests r WHERE r.check_id = k.id) >= ?
		AND (EXISTS (SELECT 1 FROM case_dup_requests r WHERE r.check_id = k.id AND r.status = ?)
		     OR (EXISTS (SELECT 1 FROM case_dup_requests r WHERE r.check_id = k.id AND r.status = ?)
		         AND NOT EXISTS (SELECT 1 FROM case_dup_requests r WHERE r.check_id = k.id AND r.status = ? AND r.expires_at >= ?)))`,
		args...).Scan(&w.Answered)
	if err != nil {
		return w, fmt.Errorf("cases: answered duplicate requests: %w", err)
	}
	return w, nil
}
