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

// dupLimits are the service's limits on duplicate checks (the defaults unless a test
// set others).
func (s *Service) dupLimits() (int, time.Duration) {
	n, w := s.DupCheckLimit, s.DupCheckWindow
	if n <= 0 {
		n = DupCheckLimit
	}
	if w <= 0 {
		w = DupCheckWindow
	}
	return n, w
}

// limitDupChecks refuses a check when the user has already made the allowed number
// within the window: a person registering victims does not check that fast, someone
// probing the registry does. The refusal is audited. The count is of checks stored in
// case_dup_checks, so it holds across several servers.
func (s *Service) limitDupChecks(ctx context.Context, sub *access.Subject) error {
	limit, window := s.dupLimits()
	since := db.FormatTime(s.Now().Add(-window))
	var n int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM case_dup_checks WHERE user_id = ? AND created_at >= ?",
		sub.UserID, since).Scan(&n); err != nil {
		return fmt.Errorf("cases: count duplicate checks: %w", err)
	}
	if n < limit {
		return nil
	}
	if err := s.audit.Record(ctx, audit.Event{Action: "case.duplicate_check_limited", RecordType: "user",
		RecordID: sub.UserID, Outcome: audit.OutcomeDenied,
		Detail: fmt.Sprintf("checks=%d window=%s", n, window)}); err != nil {
		return err
	}
	return errs.New(errs.CodeTooMany, "cases.dup.limited")
}

// saveCheck stores a check, the digest of what it looked for (queryKey) and the cases
// it matched (ids and reasons only).
func (s *Service) saveCheck(ctx context.Context, sub *access.Subject, id, qkey string, matches []dupMatch) error {
	inReach, elsewhere := 0, 0
	for _, m := range matches {
		if m.InReach {
			inReach++
		} else {
			elsewhere++
		}
	}
	if _, err := s.d.Exec(ctx, `INSERT INTO case_dup_checks (id, user_id, agency_id, created_at, in_reach, elsewhere, query_key)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, sub.UserID, sub.AgencyID, db.FormatTime(s.Now()), inReach, elsewhere, qkey); err != nil {
		return fmt.Errorf("cases: save duplicate check: %w", err)
	}
	for _, m := range matches {
		if _, err := s.d.Exec(ctx, `INSERT INTO case_dup_check_cases (check_id, case_id, agency_id, reasons, in_reach)
			VALUES (?, ?, ?, ?, ?)`, id, m.CaseID, m.AgencyID, strings.Join(m.Reasons, " "), b2i(m.InReach)); err != nil {
			return fmt.Errorf("cases: save duplicate match: %w", err)
		}
	}
	return nil
}

// auditCheck records the check with the ids of every case it matched, in reach or
// elsewhere ("in_reach=id,id elsewhere=id", or "none"), and one case.duplicate_match
// event per matched case, so an auditor filtering the trail by a case finds everyone
// whose check matched it. At most maxDupMatches ids fit well within audit.MaxDetail.
func (s *Service) auditCheck(ctx context.Context, checkID string, matches []dupMatch) error {
	var in, out []string
	for _, m := range matches {
		if m.InReach {
			in = append(in, m.CaseID)
		} else {
			out = append(out, m.CaseID)
		}
	}
	list := func(ids []string) string {
		if len(ids) == 0 {
			return "-"
		}
		return strings.Join(ids, ",")
	}
	detail := "none"
	if len(matches) > 0 {
		detail = "in_reach=" + list(in) + " elsewhere=" + list(out)
	}
	if err := s.record(ctx, "case.duplicate_check", "duplicate_check", checkID, detail); err != nil {
		return err
	}
	for _, m := range matches {
		where := "elsewhere"
		if m.InReach {
			where = "in_reach"
		}
		d := "check=" + checkID + " " + where + " reasons=" + strings.Join(m.Reasons, ",")
		if err := s.record(ctx, "case.duplicate_match", "case", m.CaseID, d); err != nil {
			return err
		}
	}
	return nil
}

// priorRequest finds the user's earlier check that looked for the same thing (qkey)
// and from which a connection request about every one of these cases was sent and
// still stands (waiting or connected). After a refusal or an expiry the user may ask
// again. A check that looked for something else is never one: that its matches are the
// same cases would link what the user typed then with what they typed now.
func (s *Service) priorRequest(ctx context.Context, userID, qkey string, caseIDs []string) (string, time.Time, error) {
	ph := strings.TrimSuffix(strings.Repeat("?,", len(caseIDs)), ",")
	now := db.FormatTime(s.Now())
	args := []any{userID, qkey, db.FormatTime(s.Now().Add(-DupRequestTTL)), dupConnected, dupPending, now}
	for _, id := range caseIDs {
		args = append(args, id)
	}
	args = append(args, len(caseIDs))
	var id, at string
	err := s.d.QueryRow(ctx, `SELECT k.id, k.requested_at FROM case_dup_checks k
		WHERE k.user_id = ? AND k.query_key = ? AND k.requested_at <> '' AND k.requested_at >= ?
		AND EXISTS (SELECT 1 FROM case_dup_requests r WHERE r.check_id = k.id
		            AND (r.status = ? OR (r.status = ? AND r.expires_at >= ?)))
		AND (SELECT COUNT(*) FROM case_dup_check_cases m WHERE m.check_id = k.id AND m.in_reach = 0
		     AND m.case_id IN (`+ph+`)) = ?
		ORDER BY k.requested_at DESC LIMIT 1`, args...).Scan(&id, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("cases: earlier duplicate request: %w", err)
	}
	t, _ := db.ParseTime(at)
	return id, t, nil
}

// linkCheck records that a case was registered after a check of the same user, so a
// connection request sent from that check links the new case once it is connected. A
// check of someone else, or one already linked, is left alone (false).
func (s *Service) linkCheck(ctx context.Context, checkID, caseID, userID string) (bool, error) {
	if checkID == "" {
		return false, nil
	}
	res, err := s.d.Exec(ctx, "UPDATE case_dup_checks SET case_id = ? WHERE id = ? AND user_id = ? AND case_id IS NULL",
		caseID, checkID, userID)
	if err != nil {
		return false, fmt.Errorf("cases: link duplicate check: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CheckResult shows a stored check again to the user who made it (the registration page
// after a connection request was sent): the matches they may know about as they stand
// now, and whether others exist. Nothing is matched again and nothing is audited: the
// check was, when it was made.
func (s *Service) CheckResult(ctx context.Context, checkID string) (*DuplicateResult, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Create, access.Case); err != nil {
		return nil, err
	}
	chk, err := s.loadCheck(ctx, checkID, sub.UserID)
	if err != nil {
		return nil, err
	}
	res := &DuplicateResult{CheckID: checkID, RequestCheck: checkID, Elsewhere: chk.elsewhere > 0,
		Requested: !chk.requestedAt.IsZero(), RequestedAt: chk.requestedAt}
	rows, err := s.d.Query(ctx, `SELECT case_id, reasons FROM case_dup_check_cases WHERE check_id = ? AND in_reach = 1
		ORDER BY case_id`, checkID)
	if err != nil {
		return nil, fmt.Errorf("cases: check result: %w", err)
	}
	var found []dupMatch
	for rows.Next() {
		var m dupMatch
		var reasons string
		if err := rows.Scan(&m.CaseID, &reasons); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cases: check result: %w", err)
		}
		m.Reasons = strings.Fields(reasons)
		found = append(found, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cases: check result: %w", err)
	}
	for _, m := range found {
		if err := s.describeMatch(ctx, sub, &m, nil); err != nil {
			return nil, err
		}
		if m.Number != "" && m.InReach {
			res.InReach = append(res.InReach, Duplicate{CaseID: m.CaseID, Number: m.Number, AgencyName: m.AgencyName,
				Reasons: m.Reasons, CanOpen: m.CanOpen})
		}
	}
	return res, nil
}

// dupCheck is a stored check, as the service needs it.
type dupCheck struct {
	id, userID, agencyID string
	createdAt            time.Time
	elsewhere            int
	requestedAt          time.Time
	caseID               string
}

// loadCheck reads a check of userID; anyone else's check is not found.
func (s *Service) loadCheck(ctx context.Context, id, userID string) (*dupCheck, error) {
	var c dupCheck
	var created, requested string
	err := s.d.QueryRow(ctx, `SELECT id, user_id, agency_id, created_at, elsewhere, requested_at, COALESCE(case_id, '')
		FROM case_dup_checks WHERE id = ? AND user_id = ?`, id, userID).
		Scan(&c.id, &c.userID, &c.agencyID, &created, &c.elsewhere, &requested, &c.caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("cases: load duplicate check: %w", err)
	}
	c.createdAt, _ = db.ParseTime(created)
	if requested != "" {
		c.requestedAt, _ = db.ParseTime(requested)
	}
	return &c, nil
}
