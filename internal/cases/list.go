package cases

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// Filter narrows the case list. It lives in the URL of the list page.
type Filter struct {
	Q            string // case number, name or document number
	Status       string // a status, or "open" for every status but closed
	Worker       string // assigned user id ("me" is resolved by the handler)
	Agency       string
	Province     string
	Exploitation string
	AgeGroup     string
	Child        string // "1" children only, "0" adults only
	Sex          string
	Flagged      bool
	Overdue      bool
	Sort         string // identified, number, updated, risk, status
	Desc         bool
	Page         int // from 1
	PerPage      int
	Today        string // yyyy-mm-dd in Guayaquil, for "overdue"
}

// Row is one line of the case list.
type Row struct {
	Case
	OpenTasks int
}

// numberRe matches a case number as people type it; the sequence may lack its leading
// zeros ("ec-2026-42" finds EC-2026-00042).
var numberRe = regexp.MustCompile(`(?i)^EC-(\d{4})-(\d{1,6})$`)

// sortCols maps the sort names to SQL, with the id as tie-breaker for stable pages.
var sortCols = map[string]string{
	"identified": "c.identified_on", "number": "c.number", "updated": "c.updated_at",
	"risk":   "CASE c.risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END",
	"status": "c.status",
}

func (f *Filter) normalize() {
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 25
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if _, ok := sortCols[f.Sort]; !ok {
		f.Sort, f.Desc = "identified", true
	}
	f.Q = strings.TrimSpace(f.Q)
}

// where builds the WHERE clause of a filtered list within the subject's scope.
func (s *store) where(sub *access.Subject, f *Filter) (string, []any) {
	scope, args := fullScopeSQL(sub)
	conds := []string{scope}
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.Q != "" {
		cond, a := s.searchCond(f.Q)
		add(cond, a...)
	}
	switch {
	case f.Status == "open":
		add("c.status <> 'closed'")
	case In("status", f.Status):
		add("c.status = ?", f.Status)
	}
	if f.Worker != "" {
		add("c.assigned_to = ?", f.Worker)
	}
	if f.Agency != "" {
		add("c.agency_id = ?", f.Agency)
	}
	if f.Province != "" {
		add("c.id_province = ?", f.Province)
	}
	if f.Exploitation != "" {
		add("EXISTS (SELECT 1 FROM case_values cv WHERE cv.case_id = c.id AND cv.kind = 'exploitation' AND cv.value = ?)", f.Exploitation)
	}
	if f.AgeGroup != "" {
		add("c.age_group = ?", f.AgeGroup)
	}
	if f.Child == "1" || f.Child == "0" {
		add("c.is_child = ?", b2i(f.Child == "1"))
	}
	if f.Sex != "" {
		add("c.sex = ?", f.Sex)
	}
	if f.Flagged {
		add("c.flagged = 1")
	}
	if f.Overdue && f.Today != "" {
		add(`c.status <> 'closed' AND ((c.next_follow_up <> '' AND c.next_follow_up < ?) OR EXISTS (SELECT 1 FROM case_tasks t
			WHERE t.case_id = c.id AND t.done_at = '' AND t.due_on < ?))`, f.Today, f.Today)
	}
	return strings.Join(conds, " AND "), args
}

// searchCond is the SQL of a search over cases c: a case number as people type it,
// else a document number, a whole name or every word of a name, through the blind
// indexes.
func (s *store) searchCond(q string) (string, []any) {
	if m := numberRe.FindStringSubmatch(q); m != nil {
		n, _ := strconv.Atoi(m[2])
		return "c.number = ?", []any{fmt.Sprintf("EC-%s-%05d", m[1], n)}
	}
	// The blind index is read once per value (c.id IN ...), not probed once per case in
	// scope: document, whole name, or every word of the name.
	sel := "SELECT cs.case_id FROM case_search cs WHERE cs.kind = ? AND cs.value = ?"
	parts := []string{sel, sel}
	args := []any{"doc", s.kr.DocumentIndex("case_doc", q), "name", s.kr.BlindIndex("case_name", q)}
	toks := secure.NameTokens(q)
	if len(toks) > 0 && len(toks) <= 6 {
		var words []string
		for _, t := range toks {
			words = append(words, sel)
			args = append(args, "name_token", s.kr.BlindIndex("case_name_token", t))
		}
		parts = append(parts, "SELECT case_id FROM ("+strings.Join(words, " INTERSECT ")+") w")
	}
	return "c.id IN (" + strings.Join(parts, " UNION ") + ")", args
}

// list returns one page of cases with decrypted names, and the total.
func (s *store) list(ctx context.Context, sub *access.Subject, f Filter) ([]*Row, int, error) {
	f.normalize()
	where, args := s.where(sub, &f)
	var total int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM cases c WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("cases: count: %w", err)
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	// Deferred join: choose the page's ids on narrow indexed columns first, then read
	// those rows (with their ciphertexts) only.
	order := " ORDER BY " + sortCols[f.Sort] + " " + dir + ", c.id " + dir
	q := "SELECT " + caseCols + ", c.enc_given_names, c.enc_family_names, " +
		"(SELECT COUNT(*) FROM case_tasks t WHERE t.case_id = c.id AND t.done_at = '')" + caseFrom +
		" WHERE c.id IN (SELECT c.id FROM cases c WHERE " + where + order + " LIMIT ? OFFSET ?)" + order
	rows, err := s.d.Query(ctx, q, append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("cases: list: %w", err)
	}
	defer rows.Close()
	var out []*Row
	for rows.Next() {
		var given, family string
		var open int
		r, err := scanCaseWith(rows, &given, &family, &open)
		if err != nil {
			return nil, 0, err
		}
		if err := s.openNames(&r.c, given, family); err != nil {
			return nil, 0, err
		}
		out = append(out, &Row{Case: r.c, OpenTasks: open})
	}
	return out, total, rows.Err()
}

// scanCaseWith scans the case columns followed by extra columns.
func scanCaseWith(rows interface{ Scan(...any) error }, extra ...any) (*rawCase, error) {
	return scanCase(scanAppender{rows, extra}, false)
}

type scanAppender struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (s scanAppender) Scan(dest ...any) error { return s.sc.Scan(append(dest, s.extra...)...) }
