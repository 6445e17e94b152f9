package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// access reads what the policy and the view need of a case: the owning agency, the
// assigned worker and the place (as relation does) and every access row with what it
// carries.
func (s *store) access(ctx context.Context, id string) (access.Record, []Grant, error) {
	var rec access.Record
	var assigned, prov, canton string
	err := s.d.QueryRow(ctx, `SELECT agency_id, COALESCE(assigned_to, ''), COALESCE(id_province, ''), COALESCE(id_canton, '')
		FROM cases WHERE id = ?`, id).Scan(&rec.AgencyID, &assigned, &prov, &canton)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, nil, errs.NotFound()
	}
	if err != nil {
		return rec, nil, fmt.Errorf("cases: relation: %w", err)
	}
	rec.UserIDs, rec.ProvinceCode, rec.CantonCode = []string{assigned}, prov, canton
	rows, err := s.d.Query(ctx, `SELECT agency_id, reason, source_id, fields, label, link, since FROM case_access
		WHERE case_id = ? ORDER BY since, reason, source_id`, id)
	if err != nil {
		return rec, nil, fmt.Errorf("cases: related agencies: %w", err)
	}
	defer rows.Close()
	var grants []Grant
	for rows.Next() {
		var g Grant
		var fields, since string
		if err := rows.Scan(&g.AgencyID, &g.Reason, &g.SourceID, &fields, &g.Label, &g.Link, &since); err != nil {
			return rec, nil, fmt.Errorf("cases: related agencies: %w", err)
		}
		g.Fields = splitFields(fields)
		g.Since, _ = db.ParseTime(since)
		grants = append(grants, g)
		if !slices.Contains(rec.AgencyIDs, g.AgencyID) {
			rec.AgencyIDs = append(rec.AgencyIDs, g.AgencyID)
		}
	}
	return rec, grants, rows.Err()
}

// see checks the subject may view the case (404 otherwise, audited) and returns the
// view its relation gives.
func (s *Service) see(ctx context.Context, id string) (*access.Subject, *View, error) {
	sub := access.From(ctx)
	if sub == nil {
		return nil, nil, errs.Unauthenticated()
	}
	rec, grants, err := s.st.access(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := sub.Check(access.View, access.Case, rec); err != nil {
		s.denied(ctx, id, string(access.View))
		return nil, nil, err
	}
	return sub, viewFor(sub, id, rec, grants), nil
}

// denied audits a refusal on a case.
func (s *Service) denied(ctx context.Context, id, detail string) {
	_ = s.audit.Record(ctx, audit.Event{Action: "case.denied", RecordType: "case", RecordID: id,
		Outcome: audit.OutcomeDenied, Detail: detail})
}

// seeSection checks the subject may read a section of the case: 404 when the case is
// out of reach, 403 (audited) when the relation withholds the section.
func (s *Service) seeSection(ctx context.Context, id string, sec Section) (*access.Subject, *View, error) {
	sub, v, err := s.see(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !v.Sees(sec) {
		s.denied(ctx, id, "section "+string(sec))
		return nil, nil, errs.Forbidden()
	}
	return sub, v, nil
}

// checkWrite allows adding to a section each agency keeps for itself (notes, the
// services it delivers): the owning side with the Update permission, as check decides;
// a receiving agency for its own records. Anyone else who may see the case is refused
// (403); anyone who may not, 404.
func (s *Service) checkWrite(ctx context.Context, id string, sec Section) (*access.Subject, *View, error) {
	sub, v, err := s.see(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if v.Full() {
		if _, err := s.check(ctx, id, access.Update); err != nil {
			return nil, nil, err
		}
		return sub, v, nil
	}
	if v.Reach(sec) != ReachOwn {
		s.denied(ctx, id, string(access.Update)+" "+string(sec))
		return nil, nil, errs.Forbidden()
	}
	return sub, v, nil
}

// Open returns a case as the viewer may see it, and the View that decided it: what the
// relation withholds is neither decrypted nor returned. The view is audited with the
// relations it went through.
func (s *Service) Open(ctx context.Context, id string) (*Case, *View, error) {
	_, v, err := s.see(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.st.loadFor(ctx, id, v)
	if err != nil {
		return nil, nil, err
	}
	if err := s.record(ctx, "case.view", "case", id, v.auditDetail()); err != nil {
		return nil, nil, err
	}
	return c, v, nil
}

// ViewOf returns the view the signed-in user has of a case (404 when none), without
// reading its personal data: for other capabilities that must know what a relation
// carries (a shelter admitting a referred person).
func (s *Service) ViewOf(ctx context.Context, id string) (*View, error) {
	_, v, err := s.see(ctx, id)
	return v, err
}

// GrantAccess opens a case to another agency for a reason ("referral", "shelter",
// "prosecution") coming from a record of another capability (g.SourceID), carrying the
// person's fields g.Fields and described to the receiver by g.Label and g.Link. It runs
// in the caller's transaction; granting the same source again changes nothing.
func (s *Service) GrantAccess(ctx context.Context, caseID string, g Grant) error {
	if _, ok := receiverReach[Relation(g.Reason)]; !ok || g.AgencyID == "" || g.SourceID == "" {
		return fmt.Errorf("cases: grant access: reason %q, agency %q, source %q", g.Reason, g.AgencyID, g.SourceID)
	}
	var fields []string
	for _, f := range g.Fields {
		if slices.Contains(ShareableFields, f) && !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	_, err := s.d.Exec(ctx, `INSERT INTO case_access (case_id, agency_id, reason, source_id, since, fields, label, link)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, agency_id, reason, source_id) DO NOTHING`,
		caseID, g.AgencyID, g.Reason, g.SourceID, db.Now(), strings.Join(fields, ","), g.Label, g.Link)
	if err != nil {
		return fmt.Errorf("cases: grant access: %w", err)
	}
	return s.record(ctx, "case.access_grant", "case", caseID, g.Reason+" to "+g.AgencyID)
}

// RevokeAccess closes what GrantAccess opened.
func (s *Service) RevokeAccess(ctx context.Context, caseID, agencyID, reason, sourceID string) error {
	_, err := s.d.Exec(ctx, "DELETE FROM case_access WHERE case_id = ? AND agency_id = ? AND reason = ? AND source_id = ?",
		caseID, agencyID, reason, sourceID)
	if err != nil {
		return fmt.Errorf("cases: revoke access: %w", err)
	}
	return s.record(ctx, "case.access_revoke", "case", caseID, reason+" from "+agencyID)
}

// FindByNumber returns the id of the case with this number if the signed-in user may
// open it (in full or as a receiving agency); NotFound otherwise (audited as a refusal
// when the case exists).
func (s *Service) FindByNumber(ctx context.Context, number string) (string, error) {
	var id string
	err := s.d.QueryRow(ctx, "SELECT id FROM cases WHERE number = ?", number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.NotFound()
	}
	if err != nil {
		return "", fmt.Errorf("cases: find by number: %w", err)
	}
	if _, _, err := s.see(ctx, id); err != nil {
		return "", err
	}
	return id, nil
}

// VisibleNumbers returns the numbers of those cases among ids the signed-in user may
// open today (another capability's list, such as a shelter's residents, names only
// those: after a consent withdrawal the stay stays, its case number goes).
func (s *Service) VisibleNumbers(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	sub := access.From(ctx)
	if len(ids) == 0 || !sub.Can(access.View, access.Case) {
		return out, nil
	}
	scope, args := scopeSQL(sub, access.View)
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		q := "SELECT c.id, c.number FROM cases c WHERE " + scope + " AND c.id IN (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ") + ")"
		a := append([]any{}, args...)
		for _, id := range chunk {
			a = append(a, id)
		}
		rows, err := s.d.Query(ctx, q, a...)
		if err != nil {
			return nil, fmt.Errorf("cases: visible numbers: %w", err)
		}
		for rows.Next() {
			var id, n string
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
