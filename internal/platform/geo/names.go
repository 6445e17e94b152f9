package geo

import (
	"cmp"
	"strings"
	"unicode"
)

// The source writes names in upper case and drops most accents ("LOS RIOS", "DURAN").
// displayName turns them into the Spanish spelling people expect: title case, the small
// connecting words in lower case, and accents restored word by word from accented.
// A word missing from the table is only title-cased, which is right for the many names
// without accents (Quito, Guayaquil) and harmless otherwise.

// connectors stay in lower case inside a name ("Santo Domingo de los Tsáchilas") but are
// capitalised at its start ("La Libertad", "El Carmen", "Los Ríos").
var connectors = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "y": true, "el": true,
}

// accented gives the proper spelling of words of the source that carry an accent or are
// abbreviated. Every entry is checked by the tests against a real province or canton.
var accented = map[string]string{
	// Provinces (and cantons of the same name).
	"BOLIVAR":   "Bolívar",
	"GALAPAGOS": "Galápagos",
	"MANABI":    "Manabí",
	"RIOS":      "Ríos",
	"SUCUMBIOS": "Sucumbíos",
	"TSACHILAS": "Tsáchilas",
	// Cantons.
	"ALAUSI":      "Alausí",
	"BIBLIAN":     "Biblián",
	"CONDOR":      "Cóndor",
	"CRISTOBAL":   "Cristóbal",
	"CUMANDA":     "Cumandá",
	"DURAN":       "Durán",
	"ECHEANDIA":   "Echeandía",
	"ENRIQUEZ":    "Enríquez",
	"ESPINDOLA":   "Espíndola",
	"GIRON":       "Girón",
	"GONZANAMA":   "Gonzanamá",
	"JARAMIJO":    "Jaramijó",
	"JUNIN":       "Junín",
	"LIMON":       "Limón",
	"LOPEZ":       "López",
	"LUCIA":       "Lucía",
	"MACARA":      "Macará",
	"MANA":        "Maná",
	"MARCABELI":   "Marcabelí",
	"MEJIA":       "Mejía",
	"MONTUFAR":    "Montúfar",
	"NABON":       "Nabón",
	"PAJAN":       "Paján",
	"PILLARO":     "Píllaro",
	"PUCARA":      "Pucará",
	"PUJILI":      "Pujilí",
	"QUININDE":    "Quinindé",
	"SAMBORONDON": "Samborondón",
	"SAQUISILI":   "Saquisilí",
	"SIGSIG":      "Sígsig",
	"SIMON":       "Simón",
	"SUCUA":       "Sucúa",
	"TULCAN":      "Tulcán",
	"URCUQUI":     "Urcuquí",
	// Abbreviated ranks: "CRNEL. MARCELINO MARIDUEÑA", "GNRAL. ANTONIO ELIZALDE".
	"CRNEL.": "Coronel",
	"GNRAL.": "General",
}

// displayName turns a source name into its display spelling.
func displayName(raw string) string {
	words := strings.Fields(raw)
	for i, w := range words {
		lower := strings.ToLower(w)
		switch {
		case accented[w] != "":
			words[i] = accented[w]
		case i > 0 && connectors[lower]:
			words[i] = lower
		default:
			words[i] = capitalize(lower)
		}
	}
	return strings.Join(words, " ")
}

// capitalize upper-cases the first letter of w and the first letter after a hyphen or
// an opening parenthesis ("(jujan)" -> "(Jujan)").
func capitalize(w string) string {
	var b strings.Builder
	b.Grow(len(w))
	start := true
	for _, r := range w {
		if start && unicode.IsLetter(r) {
			r = unicode.ToUpper(r)
			start = false
		}
		if r == '-' || r == '(' {
			start = true
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sortKey folds a name for Spanish ordering: case and accents are ignored, but ñ stays a
// letter of its own right after n (DEL sorts after every ASCII letter).
var sortKey = strings.NewReplacer(
	"á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n\x7f",
)

func foldName(s string) string { return sortKey.Replace(strings.ToLower(s)) }

// compareNames orders two named places by Spanish name, then by code so the order is
// total even for namesakes (Olmedo in Loja and in Manabí).
func compareNames(nameA, codeA, nameB, codeB string) int {
	return cmp.Or(strings.Compare(foldName(nameA), foldName(nameB)), strings.Compare(codeA, codeB))
}
