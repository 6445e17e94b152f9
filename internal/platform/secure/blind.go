package secure

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// indexSize is how many bytes of the HMAC a blind index keeps: 128 bits make accidental
// collisions negligible while keeping index columns short.
const indexSize = 16

// BlindIndex returns a keyed, deterministic index of value for exact-match search without
// decrypting: HMAC-SHA256 under the index key over kind, a zero byte and Normalize(value),
// truncated to 16 bytes, in lower-case hex. kind names the use ("given_names",
// "name_phon"), so equal values of different kinds give different indexes; it is a
// constant of the calling code and must not contain a zero byte. A value that normalises
// to nothing gives "", so empty fields match nothing.
func (k *Keyring) BlindIndex(kind, value string) string {
	return k.index(kind, Normalize(value))
}

// DocumentIndex is BlindIndex over NormalizeDocument(number), for identity document and
// passport numbers, so "17.1234-567 8" and "1712345678" find each other.
func (k *Keyring) DocumentIndex(kind, number string) string {
	return k.index(kind, NormalizeDocument(number))
}

// index computes the HMAC of an already normalised value.
func (k *Keyring) index(kind, normalized string) string {
	if normalized == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.indexKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(normalized))
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0])[:indexSize])
}

// Normalize prepares a name or other free text for matching: compatibility
// decomposition (NFKD), accents and other combining marks removed (so ñ becomes n),
// lower case, apostrophes dropped, every other character that is not a letter or a digit
// turned into a space, spaces collapsed and trimmed. "  José  MARÍA-Pérez " and
// "jose maria perez" both give "jose maria perez".
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	// Apostrophes go first: NFKD turns some of them (´) into a space and a mark. The
	// mapping also replaces invalid UTF-8, which would stop NFKD decomposing what follows.
	for _, r := range norm.NFKD.String(strings.Map(dropApostrophe, s)) {
		switch {
		case unicode.Is(unicode.Mn, r) || isApostrophe(r):
			// dropped: D'Alessandro and DAlessandro are one name
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// isApostrophe reports the apostrophes found in names, typed or typographic.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '`' || r == '´'
}

// dropApostrophe is a strings.Map function that removes apostrophes.
func dropApostrophe(r rune) rune {
	if isApostrophe(r) {
		return -1
	}
	return r
}

// NormalizeDocument prepares an identity document number for matching: accents removed,
// upper case, and everything but letters and digits dropped (spaces, dashes, dots,
// slashes), so "17.1234-567 8" gives "1712345678".
func NormalizeDocument(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	// Invalid UTF-8 would stop NFKD from decomposing the rune after it.
	for _, r := range norm.NFKD.String(strings.ToValidUTF8(s, "\uFFFD")) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// connectives are the Spanish particles inside names ("María de los Ángeles", "Juan y
// Pérez") that say nothing about who a person is; indexing them would match everyone.
var connectives = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "y": true, "e": true,
}

// NameTokens splits a name into its normalised words, without Spanish connectives (de,
// del, la, las, los, y, e) and without repeats, in order: "María de los Ángeles PÉREZ
// Pérez" gives [maria angeles perez]. Callers blind-index each token to find a person
// by any one of their names.
func NameTokens(name string) []string {
	var tokens []string
	seen := map[string]bool{} // not slices.Contains: a hostile long name must stay linear
	for t := range strings.FieldsSeq(Normalize(name)) {
		if !connectives[t] && !seen[t] {
			seen[t] = true
			tokens = append(tokens, t)
		}
	}
	return tokens
}
