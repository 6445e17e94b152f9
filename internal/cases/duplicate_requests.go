package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// How long the parts of a connection request live (docs/SECURITY.md, "Duplicates").
const (
	// DupRequestTTL is how long the holding institution's supervisors have to decide; an
	// undecided request then expires and the requester is told only that.
	DupRequestTTL = 14 * 24 * time.Hour
	// DupCheckTTL is how long after a check a connection request may be sent from it.
	DupCheckTTL = 24 * time.Hour
)

// DupDeclineReasons are the reasons a supervisor may give for declining a connection.
// They stay with the holding institution and the audit trail: the requester only learns
// that it was declined.
var DupDeclineReasons = []string{"not_same_person", "no_consent", "safety", "other"}

// The statuses of a connection request.
const (
	dupPending   = "pending"
	dupConnected = "connected"
	dupDeclined  = "declined"
	dupExpired   = "expired"
)

// DupStatuses are the statuses a connection request can have, for filters.
var DupStatuses = []string{dupPending, dupConnected, dupDeclined, dupExpired}

// effectiveStatus is a request's status at now: a pending request past its time is
// expired, without anything having to run when it expires.
func effectiveStatus(status string, expires, now time.Time) string {
	if status == dupPending && now.After(expires) {
		return dupExpired
	}
	return status
}

// mayDecideDup reports whether sub decides connection requests addressed to agencyID:
// the holding institution's supervisors (approval of cases in their own agency), never
// anyone else whatever their reach.
func mayDecideDup(sub *access.Subject, agencyID string) bool {
	return sub != nil && sub.Scope(access.Approve, access.Case) >= access.AgencyScope &&
		agencyID != "" && agencyID == sub.AgencyID
}

// SendDuplicateRequest sends, from one of the user's checks that found likely duplicates
// in other institutions, a connection request to each institution holding one. Each
// holding institution's supervisors see who asked and on what their cases matched, and
// decide; the requester sees one request, whatever the number of institutions asked.
// A check can be used once, within DupCheckTTL.
func (s *Service) SendDuplicateRequest(ctx context.Context, checkID string) (*OutgoingRequest, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Create, access.Case); err != nil {
		return nil, err
	}
	chk, err := s.loadCheck(ctx, checkID, sub.UserID)
	if err != nil {
		return nil, err
	}
	switch {
	case !chk.requestedAt.IsZero():
		return nil, errs.Conflict("cases.dupreq.already")
	case chk.elsewhere == 0:
		return nil, errs.Conflict("cases.dupreq.nothing")
	case s.Now().Sub(chk.createdAt) > DupCheckTTL:
		return nil, errs.Conflict("cases.dupreq.check_expired")
	}
	now := s.Now().UTC()
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		res, err := s.d.Exec(ctx, "UPDATE case_dup_checks SET requested_at = ? WHERE id = ? AND requested_at = ''",
			db.FormatTime(now), checkID)
		if err != nil {
			return fmt.Errorf("cases: send duplicate request: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.Conflict("cases.dupreq.already")
		}
		byAgency, order, err := s.elsewhereByAgency(ctx, checkID)
		if err != nil {
			return err
		}
		for _, agencyID := range order {
			id := newID()
			if _, err := s.d.Exec(ctx, `INSERT INTO case_dup_requests (id, check_id, to_agency_id, status, created_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?)`, id, checkID, agencyID, dupPending, db.FormatTime(now),
				db.FormatTime(now.Add(DupRequestTTL))); err != nil {
				return fmt.Errorf("cases: send duplicate request: %w", err)
			}
			detail := "check=" + checkID + " cases=" + strings.Join(byAgency[agencyID], ",")
			if err := s.record(ctx, "case.duplicate_request", "duplicate_request", id, detail); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list, _, err := s.outgoing(ctx, "k.id = ?", []any{checkID}, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("cases: the request just sent from check %s is not there", checkID)
	}
	return &list[0], nil
}

// elsewhereByAgency groups the out-of-reach matches of a check by holding agency.
func (s *Service) elsewhereByAgency(ctx context.Context, checkID string) (map[string][]string, []string, error) {
	rows, err := s.d.Query(ctx, `SELECT agency_id, case_id FROM case_dup_check_cases WHERE check_id = ? AND in_reach = 0
		ORDER BY agency_id, case_id`, checkID)
	if err != nil {
		return nil, nil, fmt.Errorf("cases: duplicate request matches: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	var order []string
	for rows.Next() {
		var ag, id string
		if err := rows.Scan(&ag, &id); err != nil {
			return nil, nil, fmt.Errorf("cases: duplicate request matches: %w", err)
		}
		if out[ag] == nil {
			order = append(order, ag)
		}
		out[ag] = append(out[ag], id)
	}
	return out, order, rows.Err()
}

// ConnectDuplicate connects a pending request: the chosen matched cases (all when
// caseIDs is nil) are linked to the requester's case, and the requester's institution
// learns this institution and the deciding supervisor as its contact. No case data is
// shared: that takes a referral with the person's consent.
func (s *Service) ConnectDuplicate(ctx context.Context, id string, caseIDs []string) error {
	req, err := s.decidable(ctx, id)
	if err != nil {
		return err
	}
	if caseIDs == nil {
		for _, m := range req.Matches {
			caseIDs = append(caseIDs, m.CaseID)
		}
	}
	if len(caseIDs) == 0 {
		return errs.Invalid(map[string]string{"case_ids": "cases.dupreq.choose_case"})
	}
	for _, c := range caseIDs {
		if !slices.ContainsFunc(req.Matches, func(m RequestMatch) bool { return m.CaseID == c }) {
			return errs.Invalid(map[string]string{"case_ids": "cases.dupreq.choose_case"})
		}
	}
	slices.Sort(caseIDs)
	caseIDs = slices.Compact(caseIDs)
	sub := access.From(ctx)
	now := db.FormatTime(s.Now())
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.decide(ctx, id, sub.UserID, dupConnected, "", now); err != nil {
			return err
		}
		for _, c := range caseIDs {
			if _, err := s.d.Exec(ctx, "INSERT INTO case_dup_links (request_id, case_id, created_at) VALUES (?, ?, ?)",
				id, c, now); err != nil {
				return fmt.Errorf("cases: link duplicate: %w", err)
			}
		}
		return s.record(ctx, "case.duplicate_connect", "duplicate_request", id, "cases="+strings.Join(caseIDs, ","))
	})
}

// DeclineDuplicate declines a pending request with one of DupDeclineReasons.
func (s *Service) DeclineDuplicate(ctx context.Context, id, reason string) error {
	if _, err := s.decidable(ctx, id); err != nil {
		return err
	}
	if !slices.Contains(DupDeclineReasons, reason) {
		return errs.Invalid(map[string]string{"reason": "cases.err.choose"})
	}
	sub := access.From(ctx)
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.decide(ctx, id, sub.UserID, dupDeclined, reason, db.FormatTime(s.Now())); err != nil {
			return err
		}
		return s.record(ctx, "case.duplicate_decline", "duplicate_request", id, "reason="+reason)
	})
}

// decidable loads a request the user may decide and that is still waiting: 404 for
// anyone but the holding institution's supervisors (audited), 409 once decided or
// expired.
func (s *Service) decidable(ctx context.Context, id string) (*IncomingRequest, error) {
	req, err := s.IncomingRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	switch req.Status {
	case dupPending:
		return req, nil
	case dupExpired:
		return nil, errs.Conflict("cases.dupreq.expired")
	}
	return nil, errs.Conflict("cases.dupreq.decided")
}

// decide records a decision on a request still pending and not expired, once: of two
// supervisors deciding at the same time, the second gets a conflict.
func (s *Service) decide(ctx context.Context, id, userID, status, reason, now string) error {
	res, err := s.d.Exec(ctx, `UPDATE case_dup_requests SET status = ?, decided_by = ?, decided_at = ?, decline_reason = ?
		WHERE id = ? AND status = ? AND expires_at >= ?`, status, userID, now, reason, id, dupPending, now)
	if err != nil {
		return fmt.Errorf("cases: decide duplicate request: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.Conflict("cases.dupreq.decided")
	}
	return nil
}

// denyDup audits a refused look at a request and hides whether it exists.
func (s *Service) denyDup(ctx context.Context, id string) error {
	_ = s.audit.Record(ctx, audit.Event{Action: "case.denied", RecordType: "duplicate_request", RecordID: id,
		Outcome: audit.OutcomeDenied, Detail: "decide"})
	return errs.NotFound()
}
