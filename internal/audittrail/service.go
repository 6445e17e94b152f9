package audittrail

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Directory is what the auditor screens need from the identity service: the users (to
// pick one and to show names) and the agencies. *auth.Service provides it.
type Directory interface {
	ListUsers(ctx context.Context, f auth.UserFilter) ([]*auth.User, int, error)
	User(ctx context.Context, id string) (*auth.User, error)
	ListAgencies(ctx context.Context, f auth.AgencyFilter) ([]*auth.Agency, int, error)
	Agency(ctx context.Context, id string) (*auth.Agency, error)
}

// Service answers the auditor's questions. Every method checks the caller's permission
// itself, whatever the route already checked.
type Service struct {
	Log *audit.Log
	Dir Directory
}

// NewService returns the auditor service over the trail and the identity directory.
func NewService(log *audit.Log, dir Directory) *Service {
	return &Service{Log: log, Dir: dir}
}

// Row is one event with the names an auditor reads instead of ids.
type Row struct {
	audit.Event
	ActorName  string // "" when unknown; see Names
	AgencyName string
}

// Result is one page of the list.
type Result struct {
	Rows  []Row
	Total int64
	Query Query        // with the email resolved to Filter.ActorID
	Users []*auth.User // the users an auditor can pick from (see Users)
}

// List returns one page of the events matching q, newest first, with names resolved.
func (s *Service) List(ctx context.Context, q Query) (*Result, error) {
	if err := access.From(ctx).Require(access.View, access.Audit); err != nil {
		return nil, err
	}
	q, err := s.resolveEmail(ctx, q)
	if err != nil {
		return nil, err
	}
	events, total, err := s.Log.List(ctx, q.Filter)
	if err != nil {
		return nil, err
	}
	names, err := s.names(ctx, events)
	if err != nil {
		return nil, err
	}
	res := &Result{Total: total, Query: q, Users: names.listed, Rows: make([]Row, len(events))}
	for i, e := range events {
		res.Rows[i] = Row{Event: e, ActorName: names.users[e.ActorID], AgencyName: names.agencies[e.ActorAgencyID]}
	}
	return res, nil
}

// Export writes every event matching q (the page is ignored) to w as CSV, oldest first.
// The export is recorded before the first byte is written, so an export is never
// missing from the trail, even one that fails half-way.
func (s *Service) Export(ctx context.Context, q Query, w io.Writer) error {
	if err := access.From(ctx).Require(access.Export, access.Audit); err != nil {
		return err
	}
	q, err := s.resolveEmail(ctx, q)
	if err != nil {
		return err
	}
	ev := audit.Event{Action: ActionExport, RecordType: "audit", Detail: q.Detail()}
	if q.Filter.ActorID != "" {
		// Filed under the user whose activity was exported, so that filtering the trail
		// by that user's id as a record shows who exported it.
		ev.RecordType, ev.RecordID = "user", q.Filter.ActorID
	}
	if err := s.Log.Record(ctx, ev); err != nil {
		return err
	}
	q.Filter.Limit, q.Filter.Offset = 0, 0
	return s.Log.ExportCSV(ctx, q.Filter, w)
}

// Verify checks the whole chain and records that it was checked, with the result.
func (s *Service) Verify(ctx context.Context) (audit.VerifyResult, error) {
	if err := access.From(ctx).Require(access.View, access.Audit); err != nil {
		return audit.VerifyResult{}, err
	}
	res, err := s.Log.Verify(ctx)
	if err != nil {
		return res, err
	}
	if err := s.Log.Record(ctx, VerifyEvent(res)); err != nil {
		return res, err
	}
	return res, nil
}

// Head returns the head of the chain (see audit.Log.Head), for the auditor to keep a
// copy of elsewhere.
func (s *Service) Head(ctx context.Context) (int64, string, error) {
	if err := access.From(ctx).Require(access.View, access.Audit); err != nil {
		return 0, "", err
	}
	return s.Log.Head(ctx)
}

// Actions recorded by this package.
const (
	ActionExport = "export.audit_csv"
	ActionVerify = "audit.verify"
)

// VerifyEvent is the audit event of a chain check: outcome ok, or failed with the first
// bad event's number when the chain is broken, or the names of the append-only guards
// missing from an intact chain. The CLI records the same event.
func VerifyEvent(res audit.VerifyResult) audit.Event {
	if res.OK {
		return audit.Event{Action: ActionVerify, RecordType: "audit",
			Detail: fmt.Sprintf("ok: %d events", res.Checked)}
	}
	detail := fmt.Sprintf("broken at event %d", res.FirstBadSeq)
	if res.FirstBadSeq == 0 {
		detail = "unguarded: " + strings.Join(res.Unguarded, ",")
	}
	return audit.Event{Action: ActionVerify, RecordType: "audit", Outcome: audit.OutcomeFailed, Detail: detail}
}

// resolveEmail turns the free email search into the user's id: an exact match wins,
// otherwise exactly one user must contain the text. A user picked by id wins over it.
func (s *Service) resolveEmail(ctx context.Context, q Query) (Query, error) {
	if q.Email == "" || q.Filter.ActorID != "" {
		q.Email = ""
		return q, nil
	}
	// The directory search also matches names; keep the users whose email matches.
	users, _, err := s.Dir.ListUsers(ctx, auth.UserFilter{Q: q.Email, Limit: 50})
	if err != nil {
		return q, err
	}
	var matches []*auth.User
	for _, u := range users {
		if strings.EqualFold(u.Email, q.Email) {
			matches = []*auth.User{u}
			break
		}
		if strings.Contains(strings.ToLower(u.Email), q.Email) {
			matches = append(matches, u)
		}
	}
	switch len(matches) {
	case 1:
		q.Filter.ActorID, q.Email = matches[0].ID, ""
		return q, nil
	case 0:
		return q, errs.Invalid(map[string]string{"email": "audittrail.email_none"})
	default:
		return q, errs.Invalid(map[string]string{"email": "audittrail.email_many"})
	}
}
