package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Duplicate is a likely earlier registration of the same person that the user may know
// about: a case they may open (CanOpen), or a case of their own institution that a
// supervisor can open or reassign. It shows no personal data: the number, the agency and
// why it matched. Cases of other institutions are never listed (see DuplicateResult).
type Duplicate struct {
	CaseID     string   `json:"case_id"`
	Number     string   `json:"number"`
	AgencyName string   `json:"agency_name"`
	Reasons    []string `json:"reasons"` // document, name, phonetic_name
	CanOpen    bool     `json:"can_open"`
}

// DuplicateResult is what one duplicate check tells the user. Likely duplicates held by
// other institutions are only a yes/no (Elsewhere): no number, agency, name or count, so
// the registration form cannot be used to look people up. The user may instead send a
// connection request (SendDuplicateRequest) from RequestCheck.
type DuplicateResult struct {
	CheckID   string      // the audited check
	InReach   []Duplicate // likely duplicates the user may know about
	Elsewhere bool        // one or more likely duplicates in other institutions
	// RequestCheck is the check a connection request is sent from: CheckID, or the
	// user's earlier check from which a request about the same matches was already sent
	// (Requested), so a registration after it keeps the link to that request.
	RequestCheck string
	Requested    bool
	RequestedAt  time.Time
}

// Found reports whether the check found any likely duplicate.
func (r *DuplicateResult) Found() bool { return r != nil && (len(r.InReach) > 0 || r.Elsewhere) }

// The rules of duplicate checks (docs/SECURITY.md, "Duplicates").
const (
	// DupCheckLimit checks by one user within DupCheckWindow are allowed; more are
	// refused (429) and audited, since nobody registers people that fast.
	DupCheckLimit  = 20
	DupCheckWindow = 10 * time.Minute
	// maxDupMatches bounds what one check reports (and audits), strongest matches first.
	maxDupMatches = 10
)

// dupReasons is the order reasons are shown in, strongest first.
var dupReasons = []string{"document", "name", "phonetic_name"}

// dupMatch is one case a check matched, as the service sees it (before access decides
// what the user is told).
type dupMatch struct {
	CaseID, Number, AgencyID, AgencyName string
	Reasons                              []string
	InReach, CanOpen                     bool
}

// Duplicates checks for likely duplicates of a person among all cases, through blind
// indexes only: the same identity document; or the same phonetic name with a birth year
// within two years; or the same normalised name. Every check is stored and audited with
// the ids of the cases it matched (also when it matched nothing), and a user who checks
// too often is refused (errs.CodeTooMany).
func (s *Service) Duplicates(ctx context.Context, in *Input, excludeID string) (*DuplicateResult, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Create, access.Case); err != nil {
		if err2 := sub.Require(access.Update, access.Case); err2 != nil {
			return nil, err
		}
	}
	if err := s.limitDupChecks(ctx, sub); err != nil {
		return nil, err
	}
	query := s.dupQuery(in)
	found, err := s.matchPerson(ctx, query, excludeID)
	if err != nil {
		return nil, err
	}
	matches := make([]dupMatch, 0, len(found))
	for _, m := range found {
		if err := s.describeMatch(ctx, sub, &m, query); err != nil {
			return nil, err
		}
		if m.Number != "" {
			matches = append(matches, m)
		}
	}
	res := &DuplicateResult{CheckID: newID()}
	res.RequestCheck = res.CheckID
	var elsewhere []string
	for _, m := range matches {
		if m.InReach {
			res.InReach = append(res.InReach, Duplicate{CaseID: m.CaseID, Number: m.Number, AgencyName: m.AgencyName,
				Reasons: m.Reasons, CanOpen: m.CanOpen})
		} else {
			elsewhere = append(elsewhere, m.CaseID)
		}
	}
	res.Elsewhere = len(elsewhere) > 0
	sort.SliceStable(res.InReach, func(i, j int) bool {
		if len(res.InReach[i].Reasons) != len(res.InReach[j].Reasons) {
			return len(res.InReach[i].Reasons) > len(res.InReach[j].Reasons)
		}
		return res.InReach[i].Number < res.InReach[j].Number
	})
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		qkey := queryKey(query)
		if err := s.saveCheck(ctx, sub, res.CheckID, qkey, matches); err != nil {
			return err
		}
		if res.Elsewhere {
			prior, at, err := s.priorRequest(ctx, sub.UserID, qkey, elsewhere)
			if err != nil {
				return err
			}
			if prior != "" {
				res.RequestCheck, res.Requested, res.RequestedAt = prior, true, at
			}
		}
		return s.auditCheck(ctx, res.CheckID, matches)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// matchPerson finds the cases whose blind indexes match a check's query, strongest
// first (most reasons), at most maxDupMatches of them.
func (s *Service) matchPerson(ctx context.Context, query map[string][]string, excludeID string) ([]dupMatch, error) {
	reasons := map[string]map[string]bool{}
	match := func(reason, kind string, values []string) error {
		if len(values) == 0 {
			return nil
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(values)), ",")
		args := []any{kind}
		for _, v := range values {
			args = append(args, v)
		}
		rows, err := s.d.Query(ctx, "SELECT DISTINCT case_id FROM case_search WHERE kind = ? AND value IN ("+ph+") LIMIT 50", args...)
		if err != nil {
			return fmt.Errorf("cases: duplicates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("cases: duplicates: %w", err)
			}
			if id == excludeID {
				continue
			}
			if reasons[id] == nil {
				reasons[id] = map[string]bool{}
			}
			reasons[id][reason] = true
		}
		return rows.Err()
	}
	for _, reason := range dupReasons {
		if err := match(reason, dupKinds[reason], query[dupKinds[reason]]); err != nil {
			return nil, err
		}
	}
	out := make([]dupMatch, 0, len(reasons))
	for id, rs := range reasons {
		m := dupMatch{CaseID: id}
		for _, r := range dupReasons {
			if rs[r] {
				m.Reasons = append(m.Reasons, r)
			}
		}
		out = append(out, m)
	}
	// Case ids are UUIDv7, so among equally strong matches the oldest registration wins.
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Reasons) != len(out[j].Reasons) {
			return len(out[i].Reasons) > len(out[j].Reasons)
		}
		return out[i].CaseID < out[j].CaseID
	})
	if len(out) > maxDupMatches {
		out = out[:maxDupMatches]
	}
	return out, nil
}

// describeMatch loads the number and agency of a matched case and decides whether the
// user may know about it: a case they may open, or one of their own institution. A case
// deleted meanwhile is left without a number (and dropped). query is the check's (nil
// when a stored check is shown again: its matches were judged when it was made).
func (s *Service) describeMatch(ctx context.Context, sub *access.Subject, m *dupMatch, query map[string][]string) error {
	rec, grants, err := s.st.access(ctx, m.CaseID)
	if errs.CodeOf(err) == errs.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	err = s.d.QueryRow(ctx, "SELECT c.number, a.id, a.name FROM cases c JOIN agencies a ON a.id = c.agency_id WHERE c.id = ?",
		m.CaseID).Scan(&m.Number, &m.AgencyID, &m.AgencyName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cases: describe duplicate: %w", err)
	}
	// A case the viewer sees only as a receiving agency (a referral, a stay) is within
	// reach only when what it carries covers every reason of the match: a receiver who
	// was never shown the person's documents must not learn their number matches, nor
	// one who was shown the names learn that what they typed is the person's alias.
	if sub.Allows(access.View, access.Case, rec) {
		v := viewFor(sub, m.CaseID, rec, grants)
		m.CanOpen = v.Full() || v.coversMatch(m.Reasons)
		if m.CanOpen && !v.Full() && query != nil {
			keys, err := s.st.loadCarriedKeys(ctx, v, m.CaseID)
			if err != nil {
				return err
			}
			m.CanOpen = matchCarried(m.Reasons, query, keys)
		}
	}
	m.InReach = m.CanOpen || rec.AgencyID == sub.AgencyID
	return nil
}

// dupReasonFields are the person fields a viewer must see to be told a case matched on
// a reason: the documents for a document match; the names and the age for a name match
// (a name match also compares the birth year).
var dupReasonFields = map[string][]string{
	"document":      {"documents"},
	"name":          {"given_names", "family_names", "age"},
	"phonetic_name": {"given_names", "family_names", "age"},
}

// coversMatch reports whether the view shows every field the reasons of a match rest on.
func (v *View) coversMatch(reasons []string) bool {
	for _, r := range reasons {
		fs, ok := dupReasonFields[r]
		if !ok {
			return false
		}
		for _, f := range fs {
			if !v.Field(f) {
				return false
			}
		}
	}
	return true
}

// DuplicatesFound is returned by Register when likely duplicates exist and the worker has
// not confirmed the person is different.
type DuplicatesFound struct {
	Result     *DuplicateResult
	Duplicates []Duplicate // Result.InReach
}

func (d *DuplicatesFound) Error() string { return "cases: likely duplicates found" }

// Unwrap gives the web layer its 409 and message.
func (d *DuplicatesFound) Unwrap() error { return errs.Conflict("cases.dup.found") }
