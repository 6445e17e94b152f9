package cases

import (
	"context"
	"fmt"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
)

// SharedRow is a case another agency opened to the user's agency (an accepted
// referral, a stay in its shelter, a referral to the prosecution), as a list shows it:
// the number, the name when the relation carries it, the owning agency and why.
type SharedRow struct {
	ID          string   `json:"id"`
	Number      string   `json:"number"`
	GivenNames  string   `json:"given_names,omitempty"`
	FamilyNames string   `json:"family_names,omitempty"`
	AgencyID    string   `json:"agency_id"`
	AgencyName  string   `json:"agency_name"`
	Grants      []Grant  `json:"grants"`
	View        *View    `json:"-"`
	Relations   []string `json:"relations"`
}

// MaxShared is how many shared cases one list shows, the most recently opened first; a
// search finds the others.
const MaxShared = 100

// Shared lists the cases opened to the signed-in user's agency that the user does not
// see in full, most recent first, filtered by q (a case number, or a name the relation
// carries). Only the names are decrypted, and only where the relation carries them;
// each case shown is recorded as a list view.
func (s *Service) Shared(ctx context.Context, q string) ([]SharedRow, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.View, access.Case); err != nil {
		return nil, err
	}
	if sub.AgencyID == "" {
		return nil, nil
	}
	// Cases the user sees in full (own agency's, assigned) are left out below by the
	// view itself, so the list and the case page can never disagree.
	where := "ca.agency_id = ?"
	args := []any{sub.AgencyID}
	q = strings.TrimSpace(q)
	byName := q != "" && numberRe.FindStringSubmatch(q) == nil
	if q != "" {
		cond, a := s.st.searchCond(q)
		where += " AND " + cond
		args = append(args, a...)
	}
	rows, err := s.d.Query(ctx, `SELECT c.id, c.number, c.agency_id, COALESCE(c.assigned_to, ''), ag.name,
		c.enc_given_names, c.enc_family_names, c.enc_documents, COALESCE(c.birth_year, 0),
		ca.reason, ca.source_id, ca.fields, ca.label, ca.link, ca.since
		FROM case_access ca JOIN cases c ON c.id = ca.case_id JOIN agencies ag ON ag.id = c.agency_id
		WHERE `+where+` ORDER BY ca.since DESC, c.id LIMIT ?`, append(args, 5*MaxShared)...)
	if err != nil {
		return nil, fmt.Errorf("cases: shared: %w", err)
	}
	type raw struct {
		row                           SharedRow
		assigned, given, family, docs string
		year                          int
		rec                           access.Record
		grants                        []Grant
	}
	var order []string
	byID := map[string]*raw{}
	for rows.Next() {
		var r raw
		var g Grant
		var fields, since string
		if err := rows.Scan(&r.row.ID, &r.row.Number, &r.row.AgencyID, &r.assigned, &r.row.AgencyName, &r.given, &r.family,
			&r.docs, &r.year, &g.Reason, &g.SourceID, &fields, &g.Label, &g.Link, &since); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cases: shared: %w", err)
		}
		g.AgencyID, g.Fields = sub.AgencyID, splitFields(fields)
		g.Since, _ = db.ParseTime(since)
		cur, ok := byID[r.row.ID]
		if !ok {
			if len(order) == MaxShared {
				continue
			}
			r.rec = access.Record{AgencyID: r.row.AgencyID, UserIDs: []string{r.assigned}, AgencyIDs: []string{sub.AgencyID}}
			cur = &r
			byID[r.row.ID] = cur
			order = append(order, r.row.ID)
		}
		cur.grants = append(cur.grants, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []SharedRow
	for _, id := range order {
		r := byID[id]
		v := viewFor(sub, id, r.rec, r.grants)
		if !v.Receiver() {
			continue
		}
		// A name or document search may only find a case through what the relation
		// carries, or it would confirm an alias or a withheld document number
		// (carried.go).
		if byName {
			keys, err := s.st.carriedKeys(v, id, r.given, r.family, r.docs, r.year)
			if err != nil {
				return nil, err
			}
			if !s.st.searchMatches(q, keys) {
				continue
			}
		}
		row := r.row
		row.View, row.Grants = v, v.Grants()
		for _, rel := range v.Relations() {
			row.Relations = append(row.Relations, string(rel))
		}
		sl := &sealer{kr: s.kr, kind: "case", id: id}
		if v.Field("given_names") {
			row.GivenNames = sl.open("given_names", r.given)
		}
		if v.Field("family_names") {
			row.FamilyNames = sl.open("family_names", r.family)
		}
		if sl.err != nil {
			return nil, sl.err
		}
		out = append(out, row)
	}
	return out, s.recordShared(ctx, out)
}

// recordShared audits a shared list as one event per page of it (never one per row),
// naming the case numbers shown: as many as an event's detail holds.
func (s *Service) recordShared(ctx context.Context, rows []SharedRow) error {
	if len(rows) == 0 {
		return nil
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		var numbers []string
		flush := func() error {
			if len(numbers) == 0 {
				return nil
			}
			err := s.record(ctx, "case.shared_list_view", "case", "", strings.Join(numbers, " "))
			numbers = numbers[:0]
			return err
		}
		for _, r := range rows {
			if len(strings.Join(numbers, " "))+len(r.Number)+1 > audit.MaxDetail {
				if err := flush(); err != nil {
					return err
				}
			}
			numbers = append(numbers, r.Number)
		}
		return flush()
	})
}

// Name is the person's name as the shared row shows it ("" when not carried).
func (r *SharedRow) Name() string { return strings.TrimSpace(r.GivenNames + " " + r.FamilyNames) }

// fullScopeSQL is the SQL form of the cases a subject sees in full (View.Full): its
// agency's cases for a supervisor, the cases assigned to a worker. Cases opened to the
// agency by a referral or a stay are not in it: lists and "my work" show those apart,
// with only what their relation carries.
func fullScopeSQL(sub *access.Subject) (string, []any) {
	switch sc := sub.Scope(access.View, access.Case); {
	case sc >= access.AgencyScope && sub.AgencyID != "":
		return "c.agency_id = ?", []any{sub.AgencyID}
	case sc >= access.Own && sub.UserID != "":
		return "c.assigned_to = ?", []any{sub.UserID}
	}
	return "1=0", nil
}
