package secure

import (
	"unicode"
	"unicode/utf8"
)

// PhoneticKeys returns one Spanish sound code per name token (see NameTokens), without
// repeats, so that spellings of one name that sound alike give equal codes: "Yesenia
// Vásquez" and "Llesenia Basques" both give [YESENIA BASKES]. Callers store
// BlindIndex("name_phon", key) for each key and look for records sharing keys, to flag
// possible duplicates without decrypting anything. Codes shorter than two characters
// (initials) are left out because they would match almost everyone.
//
// The code keeps vowels (they are reliable in Spanish spelling) and applies, left to
// right on the normalised token (accents already gone, so ñ is n and ü is u):
//
//   - b, v → B; w → U (Wilson, Uilson)
//   - c before e or i → S; ch → X; other c, k, q and qu → K
//   - s and z → S; a leading s before a consonant other than h gets an E (Stefany,
//     Estefany)
//   - g before e or i → J; gu before e or i → G; j → J
//   - x → J at the start (Ximena, Jimena; Xavier, Javier), elsewhere KS (Alexandra)
//   - ll → Y; y before a vowel → Y, elsewhere I (Nataly, Natali; Ysabel, Isabel)
//   - h is silent (Hernández, Ernandes; Jhon, John), except in ch; ph → F
//   - digits are dropped; other letters are kept, upper-cased
//   - a sound repeated right after itself counts once (Carrillo, Cariyo; Isaac, Isak)
//
// The rules tolerate spelling, not different names: María and Mario, or Vásquez and
// Velásquez, keep different codes. Equal codes only suggest a duplicate; a person decides.
func PhoneticKeys(name string) []string {
	var keys []string
	seen := map[string]bool{}
	for _, t := range NameTokens(name) {
		if k := phoneticCode(t); utf8.RuneCountInString(k) >= 2 && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// phoneticCode applies the PhoneticKeys rules to one normalised token.
func phoneticCode(token string) string {
	t := []rune(token)
	at := func(i int) rune {
		if i < len(t) {
			return t[i]
		}
		return 0
	}
	out := make([]rune, 0, len(t)+2)
	emit := func(sounds ...rune) {
		for _, s := range sounds {
			if len(out) == 0 || out[len(out)-1] != s {
				out = append(out, s)
			}
		}
	}
	if at(0) == 's' && isConsonant(at(1)) && at(1) != 'h' {
		emit('E')
	}
	for i := 0; i < len(t); i++ {
		r, next := t[i], at(i+1)
		switch r {
		case 'a', 'e', 'i', 'o', 'u':
			emit(unicode.ToUpper(r))
		case 'b', 'v':
			emit('B')
		case 'w':
			emit('U')
		case 'c':
			switch {
			case next == 'h':
				emit('X')
				i++
			case next == 'e' || next == 'i':
				emit('S')
			default:
				emit('K')
			}
		case 'k':
			emit('K')
		case 'q':
			emit('K')
			if next == 'u' {
				i++
			}
		case 's', 'z':
			emit('S')
		case 'g':
			switch {
			case next == 'e' || next == 'i':
				emit('J')
			case next == 'u' && (at(i+2) == 'e' || at(i+2) == 'i'):
				emit('G')
				i++
			default:
				emit('G')
			}
		case 'j':
			emit('J')
		case 'x':
			if i == 0 {
				emit('J')
			} else {
				emit('K', 'S')
			}
		case 'l':
			if next == 'l' {
				emit('Y')
				i++
			} else {
				emit('L')
			}
		case 'y':
			if isVowel(next) {
				emit('Y')
			} else {
				emit('I')
			}
		case 'h':
			// silent
		case 'p':
			if next == 'h' {
				emit('F')
				i++
			} else {
				emit('P')
			}
		default:
			if unicode.IsLetter(r) {
				emit(unicode.ToUpper(r))
			}
		}
	}
	return string(out)
}

func isVowel(r rune) bool { return r == 'a' || r == 'e' || r == 'i' || r == 'o' || r == 'u' }

// isConsonant reports a Latin consonant; anything else (vowel, digit, end) is not one.
func isConsonant(r rune) bool { return 'a' <= r && r <= 'z' && !isVowel(r) }
