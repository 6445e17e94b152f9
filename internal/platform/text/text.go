// Package text holds the few rules about typed text that every input of Amparo follows:
// which characters are refused outright, when a name counts as empty, and how long a
// list may be. The web layer applies them to every form and JSON body; capability
// validation uses Blank for required names.
package text

import (
	"unicode"
	"unicode/utf8"
)

// MaxList is the most entries one list of input may hold: values of one form field,
// entries of one JSON array. No screen or API of the domain needs more (a person has a
// handful of documents, the exploitation vocabulary has a few dozen values), and a
// bound keeps one request from making the server validate and store 100,000 entries.
const MaxList = 200

// Catalog keys of the problems Problem reports; each says what to fix.
const (
	KeyEncoding = "validation.text_encoding" // not valid UTF-8
	KeyControl  = "validation.text_control"  // NUL or another control character
	KeyBidi     = "validation.text_bidi"     // a bidirectional override or mark
	KeyList     = "validation.list_too_long" // more than MaxList entries
)

// Problem returns the catalog key of the first reason s cannot be accepted as typed
// text, or "" when it can. Refused: bytes that are not UTF-8; NUL and the other control
// characters except tab, line feed and carriage return (they break logs, CSV exports
// and PDFs, and no keyboard types them); and the bidirectional controls (U+202A–U+202E,
// U+2066–U+2069, U+200E, U+200F, U+061C), which make text display in another order
// than it is stored: "invoice\u202Efdp.exe" shows as "invoiceexe.pdf". Spanish and the
// other languages of the programme never need them.
func Problem(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return KeyControl
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return KeyEncoding
		}
		switch {
		case r >= 0x80 && r <= 0x9f: // C1 controls
			return KeyControl
		case IsBidiControl(r):
			return KeyBidi
		}
		i += size
	}
	return ""
}

// IsBidiControl reports whether r changes the display order of the text around it:
// the embeddings and overrides, the isolates and the directional marks.
func IsBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 ||
		r == 0x200e || r == 0x200f || r == 0x061c
}

// Blank reports whether s shows nothing to a reader: it is empty or holds only
// whitespace, format characters (zero-width spaces and joiners, the byte-order mark,
// soft hyphens, directional marks), combining marks with nothing to combine with,
// control characters and the blank "filler" letters some scripts have. A required name
// that is Blank is missing, however many bytes it has.
func Blank(s string) bool {
	for _, r := range s {
		if visible(r) {
			return false
		}
	}
	return true
}

// fillers are letters (category Lo) that are drawn as nothing: the Hangul fillers and
// the blank Braille pattern, favourites for "invisible" user names.
var fillers = map[rune]bool{0x115f: true, 0x1160: true, 0x3164: true, 0xffa0: true, 0x2800: true}

func visible(r rune) bool {
	switch {
	case r == utf8.RuneError, !unicode.IsGraphic(r), unicode.IsSpace(r):
		return false
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return false
	}
	return !fillers[r]
}
