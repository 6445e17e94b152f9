package geo

//go:generate go run gen_countries.go

import (
	"slices"
	"strings"
)

// Country is a country of ISO 3166-1 with its names in Spanish (Latin American usage)
// and English, taken from the Unicode CLDR through golang.org/x/text.
type Country struct {
	Code3  string // alpha-3 code, "ECU"; the code Amparo stores
	Code2  string // alpha-2 code, "EC"
	NameES string // "Estados Unidos"
	NameEN string // "United States"
}

// Name returns the country's name in lang: English for "en" and its variants ("en-GB"),
// Spanish for anything else, Spanish being Amparo's default language.
func (c Country) Name(lang string) string {
	l := strings.ToLower(lang)
	if l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_") {
		return c.NameEN
	}
	return c.NameES
}

// countryByCode3 indexes countryTable by alpha-3 code.
var countryByCode3 = indexCountries(countryTable)

func indexCountries(table []Country) map[string]Country {
	m := make(map[string]Country, len(table))
	for _, c := range table {
		m[c.Code3] = c
	}
	return m
}

// Countries returns every country of ISO 3166-1 (249 with the current table) sorted by
// alpha-3 code. The slice is the caller's. Use CountriesByName for a list shown to people.
func Countries() []Country {
	return slices.Clone(countryTable)
}

// CountriesByName returns every country sorted by its name in lang ("es" or "en"), in
// the order a select list shows them (accents ignored, ñ after n).
func CountriesByName(lang string) []Country {
	list := slices.Clone(countryTable)
	slices.SortFunc(list, func(a, b Country) int {
		return compareNames(a.Name(lang), a.Code3, b.Name(lang), b.Code3)
	})
	return list
}

// CountryByCode returns the country with the alpha-3 code code3, in any letter case
// ("ecu" finds Ecuador).
func CountryByCode(code3 string) (Country, bool) {
	if len(code3) != 3 {
		return Country{}, false
	}
	c, ok := countryByCode3[strings.ToUpper(code3)]
	return c, ok
}
