package cases

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// Duplicate is a likely earlier registration of the same person. It shows no personal
// data: the worker sees the case number, the agency and why it matched, and opens the
// case only if their access allows.
type Duplicate struct {
	CaseID     string   `json:"case_id"`
	Number     string   `json:"number"`
	AgencyName string   `json:"agency_name"`
	Reasons    []string `json:"reasons"` // document, name, phonetic_name
	CanOpen    bool     `json:"can_open"`
}

// Duplicates finds likely duplicates of a person among all cases, through blind
// indexes only: the same identity document; or the same phonetic name with a birth year
// within two years; or the same normalised name.
func (s *Service) Duplicates(ctx context.Context, in *Input, excludeID string) ([]Duplicate, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Create, access.Case); err != nil {
		if err2 := sub.Require(access.Update, access.Case); err2 != nil {
			return nil, err
		}
	}
	c := &Case{Input: *in}
	s.derive(c)
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
				return err
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
	var docs, names, phon []string
	for _, d := range in.Person.Documents {
		docs = append(docs, s.kr.DocumentIndex("case_doc", d.Number))
	}
	for _, n := range append([]string{in.Person.FullName()}, in.Person.Aliases...) {
		if secure.Normalize(n) == "" {
			continue
		}
		names = append(names, s.kr.BlindIndex("case_name", n))
		if keys := secure.PhoneticKeys(n); len(keys) > 0 && c.BirthYear > 0 {
			joined := strings.Join(keys, " ")
			for y := c.BirthYear - 2; y <= c.BirthYear+2; y++ {
				phon = append(phon, s.kr.BlindIndex("case_name_phon_year", joined+"|"+strconv.Itoa(y)))
			}
		}
	}
	if err := match("document", "doc", docs); err != nil {
		return nil, err
	}
	if err := match("name", "name", names); err != nil {
		return nil, err
	}
	if err := match("phonetic_name", "name_phon_year", phon); err != nil {
		return nil, err
	}
	var out []Duplicate
	for id, rs := range reasons {
		var number, agency string
		if err := s.d.QueryRow(ctx, "SELECT c.number, a.name FROM cases c JOIN agencies a ON a.id = c.agency_id WHERE c.id = ?", id).
			Scan(&number, &agency); err != nil {
			continue
		}
		d := Duplicate{CaseID: id, Number: number, AgencyName: agency}
		for _, r := range []string{"document", "name", "phonetic_name"} {
			if rs[r] {
				d.Reasons = append(d.Reasons, r)
			}
		}
		if rec, err := s.st.relation(ctx, id); err == nil {
			d.CanOpen = sub.Allows(access.View, access.Case, rec)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Reasons) != len(out[j].Reasons) {
			return len(out[i].Reasons) > len(out[j].Reasons)
		}
		return out[i].Number < out[j].Number
	})
	if len(out) > 10 {
		out = out[:10]
	}
	if len(out) > 0 {
		_ = s.record(ctx, "case.duplicate_check", "case", "", fmt.Sprintf("%d likely duplicates", len(out)))
	}
	return out, nil
}
