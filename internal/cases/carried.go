package cases

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// A case's blind indexes cover the whole person: the name, every alias, every document.
// A search or a duplicate check that finds a case through them tells the user that the
// case holds what they typed. For a receiving agency that is true only of what its
// relation carries: an alias is the owner's (the name traffickers used), and a document
// number the referral did not share is withheld. So a receiver is told of a match only
// when the keys of what it was shown would have made the same match.

// carriedKeys are the blind-index keys of what a view carries of a case's person: the
// names when it carries both (never the aliases), the documents when it carries them,
// and the phonetic name with the birth year when it carries the age or the birth date.
// Only the carried ciphertexts are opened.
func (s *store) carriedKeys(v *View, id, encGiven, encFamily, encDocs string, birthYear int) (map[searchKey]bool, error) {
	p := &Person{}
	sl := &sealer{kr: s.kr, kind: "case", id: id}
	if v.Field("given_names") && v.Field("family_names") {
		p.GivenNames, p.FamilyNames = sl.open("given_names", encGiven), sl.open("family_names", encFamily)
	}
	if v.Field("documents") {
		sl.openJSON("documents", encDocs, &p.Documents)
	}
	if sl.err != nil {
		return nil, sl.err
	}
	if !v.Field("age") && !v.Field("birth_date") {
		birthYear = 0
	}
	out := map[searchKey]bool{}
	for _, k := range personKeys(s.kr, p, birthYear) {
		out[k] = true
	}
	return out, nil
}

// loadCarriedKeys reads a case's carried ciphertexts and returns carriedKeys.
func (s *store) loadCarriedKeys(ctx context.Context, v *View, id string) (map[searchKey]bool, error) {
	var given, family, docs string
	var year int
	err := s.d.QueryRow(ctx, `SELECT c.enc_given_names, c.enc_family_names, c.enc_documents, COALESCE(c.birth_year, 0)
		FROM cases c WHERE c.id = ?`, id).Scan(&given, &family, &docs, &year)
	if errors.Is(err, sql.ErrNoRows) {
		return map[searchKey]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cases: carried keys: %w", err)
	}
	return s.carriedKeys(v, id, given, family, docs, year)
}

// searchMatches reports whether a search q (searchCond's: a document number, a whole
// name, or every word of a name) matches among keys.
func (s *store) searchMatches(q string, keys map[searchKey]bool) bool {
	if keys[searchKey{"doc", s.kr.DocumentIndex("case_doc", q)}] || keys[searchKey{"name", s.kr.BlindIndex("case_name", q)}] {
		return true
	}
	toks := secure.NameTokens(q)
	if len(toks) == 0 || len(toks) > 6 {
		return false
	}
	for _, t := range toks {
		if !keys[searchKey{"name_token", s.kr.BlindIndex("case_name_token", t)}] {
			return false
		}
	}
	return true
}

// dupKinds maps the reasons of a duplicate match to the kind of key they rest on.
var dupKinds = map[string]string{"document": "doc", "name": "name", "phonetic_name": "name_phon_year"}

// matchCarried reports whether every reason of a duplicate match holds between the
// check's keys (by kind) and the keys a view carries.
func matchCarried(reasons []string, query map[string][]string, keys map[searchKey]bool) bool {
	for _, r := range reasons {
		kind, ok := dupKinds[r]
		if !ok {
			return false
		}
		found := false
		for _, v := range query[kind] {
			if keys[searchKey{kind, v}] {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// dupQuery is what a check looks for, by kind of blind index: the documents typed, the
// names and aliases typed, and their phonetic keys with the birth years around the one
// typed.
func (s *Service) dupQuery(in *Input) map[string][]string {
	c := &Case{Input: *in}
	s.derive(c)
	q := map[string][]string{}
	for _, d := range in.Person.Documents {
		q["doc"] = append(q["doc"], s.kr.DocumentIndex("case_doc", d.Number))
	}
	for _, n := range append([]string{in.Person.FullName()}, in.Person.Aliases...) {
		if secure.Normalize(n) == "" {
			continue
		}
		q["name"] = append(q["name"], s.kr.BlindIndex("case_name", n))
		if keys := secure.PhoneticKeys(n); len(keys) > 0 && c.BirthYear > 0 {
			joined := strings.Join(keys, " ")
			for y := c.BirthYear - 2; y <= c.BirthYear+2; y++ {
				q["name_phon_year"] = append(q["name_phon_year"], s.kr.BlindIndex("case_name_phon_year", joined+"|"+strconv.Itoa(y)))
			}
		}
	}
	return q
}

// queryKey is one digest of a check's query (its blind-index keys, sorted), so two
// checks can be known to have looked for the same thing without keeping what either
// looked for.
func queryKey(query map[string][]string) string {
	var keys []string
	for kind, values := range query {
		for _, v := range values {
			keys = append(keys, kind+":"+v)
		}
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:])
}
