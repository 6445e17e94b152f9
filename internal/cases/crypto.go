package cases

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// sealer encrypts and decrypts one record's fields with the record id and field name as
// associated data, so a ciphertext moved to another record or field fails to open.
type sealer struct {
	kr   *secure.Keyring
	kind string // "case", "case_note", ...
	id   string
	err  error
}

func (s *sealer) aad(field string) string { return s.kind + ":" + s.id + ":" + field }

func (s *sealer) seal(field, v string) string {
	if s.err != nil || v == "" {
		return ""
	}
	out, err := s.kr.EncryptString(v, s.aad(field))
	if err != nil {
		s.err = fmt.Errorf("cases: encrypt %s: %w", field, err)
	}
	return out
}

func (s *sealer) sealJSON(field string, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		s.err = err
		return ""
	}
	if string(b) == "null" || string(b) == "[]" {
		return ""
	}
	return s.seal(field, string(b))
}

func (s *sealer) open(field, ct string) string {
	if s.err != nil || ct == "" {
		return ""
	}
	out, err := s.kr.DecryptString(ct, s.aad(field))
	if err != nil {
		s.err = fmt.Errorf("cases: decrypt %s of %s %s: %w", field, s.kind, s.id, err)
	}
	return out
}

func (s *sealer) openJSON(field, ct string, v any) {
	plain := s.open(field, ct)
	if plain == "" || s.err != nil {
		return
	}
	if err := json.Unmarshal([]byte(plain), v); err != nil {
		s.err = fmt.Errorf("cases: decode %s: %w", field, err)
	}
}

// searchKeys are the blind indexes of a person, for search and duplicate detection.
type searchKey struct{ kind, value string }

func personKeys(kr *secure.Keyring, p *Person, birthYear int) []searchKey {
	var out []searchKey
	seen := map[searchKey]bool{}
	add := func(kind, v string) {
		k := searchKey{kind, v}
		if v != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	names := append([]string{p.FullName()}, p.Aliases...)
	for _, n := range names {
		if secure.Normalize(n) == "" {
			continue
		}
		add("name", kr.BlindIndex("case_name", n))
		for _, t := range secure.NameTokens(n) {
			add("name_token", kr.BlindIndex("case_name_token", t))
		}
		// The phonetic key of the whole name, with the birth decade, finds likely
		// duplicates spelled differently ("Llesenia Basques" / "Yesenia Vásquez").
		ph := secure.PhoneticKeys(n)
		if len(ph) > 0 {
			joined := ""
			for i, k := range ph {
				if i > 0 {
					joined += " "
				}
				joined += k
			}
			add("name_phon", kr.BlindIndex("case_name_phon", joined))
			if birthYear > 0 {
				add("name_phon_year", kr.BlindIndex("case_name_phon_year", joined+"|"+strconv.Itoa(birthYear)))
			}
		}
	}
	for _, d := range p.Documents {
		add("doc", kr.DocumentIndex("case_doc", d.Number))
	}
	return out
}
