package referrals

import (
	"context"
	"fmt"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Filter narrows a referral list.
type Filter struct {
	Direction string // incoming (to my agency) or outgoing (sent by me / my agency)
	Status    string // a status, or "open"
	Overdue   bool
	Urgent    bool
	CaseID    string
	Page      int
	PerPage   int
}

// List returns one page of referrals in one direction, with the total. Lists never
// show the shared data; opening a referral does (audited).
func (s *Service) List(ctx context.Context, f Filter) ([]*Referral, int, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.View, access.Referral); err != nil {
		return nil, 0, err
	}
	fields := errs.Fields{}
	if f.Direction == "" {
		f.Direction = "incoming"
	}
	if f.Direction != "incoming" && f.Direction != "outgoing" {
		fields.Add("direction", "cases.err.choose")
	}
	if f.Status != "" && f.Status != "open" && !oneOf(Statuses, f.Status) {
		fields.Add("status", "cases.err.choose")
	}
	if err := fields.Err(); err != nil {
		return nil, 0, err
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 25
	}
	if f.Page < 1 {
		f.Page = 1
	}
	scope, args := scopeSQL(sub, f.Direction)
	conds := []string{scope}
	if f.Status == "open" {
		conds = append(conds, "r.status IN ('sent', 'accepted', 'in_progress')")
	} else if f.Status != "" {
		conds = append(conds, "r.status = ?")
		args = append(args, f.Status)
	}
	if f.Overdue {
		conds = append(conds, "r.status IN ('sent', 'accepted', 'in_progress') AND r.due_on <> '' AND r.due_on < ?")
		args = append(args, s.today())
	}
	if f.Urgent {
		conds = append(conds, "r.urgent = 1")
	}
	if f.CaseID != "" {
		conds = append(conds, "r.case_id = ?")
		args = append(args, f.CaseID)
		if f.Direction == "incoming" { // a withdrawn case is not found by its id (hideWithdrawnCase)
			conds = append(conds, "r.status <> 'revoked'")
		}
	}
	where := strings.Join(conds, " AND ")
	var total int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM referrals r WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("referrals: count: %w", err)
	}
	rows, err := s.d.Query(ctx, "SELECT "+refCols+refFrom+" WHERE "+where+
		" ORDER BY r.urgent DESC, r.due_on, r.created_at DESC, r.id LIMIT ? OFFSET ?", append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("referrals: list: %w", err)
	}
	defer rows.Close()
	var out []*Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, 0, err
		}
		r.Overdue = s.overdue(r)
		hideWithdrawnCase(sub, r)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for _, r := range out {
		if err := s.st.loadTypes(ctx, r); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// OverdueCounts returns how many open referrals are overdue in each direction, for the
// work lists and dashboards of both sides.
func (s *Service) OverdueCounts(ctx context.Context) (incoming, outgoing int, err error) {
	sub := access.From(ctx)
	if !sub.Can(access.View, access.Referral) {
		return 0, 0, nil
	}
	for _, dir := range []string{"incoming", "outgoing"} {
		scope, args := scopeSQL(sub, dir)
		var n int
		if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM referrals r WHERE "+scope+
			" AND r.status IN ('sent', 'accepted', 'in_progress') AND r.due_on <> '' AND r.due_on < ?", append(args, s.today())...).Scan(&n); err != nil {
			return 0, 0, fmt.Errorf("referrals: overdue: %w", err)
		}
		if dir == "incoming" {
			incoming = n
		} else {
			outgoing = n
		}
	}
	return incoming, outgoing, nil
}
