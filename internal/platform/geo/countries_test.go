package geo

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/geo/internal/countrygen"
)

// TestCountryTableUpToDate regenerates the table from golang.org/x/text: it fails when
// x/text was upgraded without `go generate`, or when the generator is not deterministic.
func TestCountryTableUpToDate(t *testing.T) {
	var a, b bytes.Buffer
	if err := countrygen.Write(&a); err != nil {
		t.Fatal(err)
	}
	if err := countrygen.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("countrygen.Write is not deterministic")
	}
	committed, err := os.ReadFile("countries_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, a.Bytes()) {
		t.Fatal("countries_table.go is stale: run go generate ./internal/platform/geo/")
	}
}

func TestCountries(t *testing.T) {
	all := Countries()
	// ISO 3166-1 assigns 249 codes; see countrygen.Rows for what is left out.
	if len(all) != 249 {
		t.Errorf("countries: got %d, want 249", len(all))
	}
	seen3, seen2 := map[string]bool{}, map[string]bool{}
	for _, c := range all {
		if len(c.Code3) != 3 || len(c.Code2) != 2 || c.NameES == "" || c.NameEN == "" {
			t.Errorf("incomplete country %+v", c)
		}
		if seen3[c.Code3] || seen2[c.Code2] {
			t.Errorf("duplicate country %+v", c)
		}
		seen3[c.Code3], seen2[c.Code2] = true, true
	}
	if !slices.IsSortedFunc(all, func(a, b Country) int { return strings.Compare(a.Code3, b.Code3) }) {
		t.Error("Countries not sorted by alpha-3 code")
	}
	want := map[string]string{
		"ECU": "Ecuador", "COL": "Colombia", "PER": "Perú", "VEN": "Venezuela",
		"CHN": "China", "USA": "Estados Unidos", "ESP": "España", "HTI": "Haití",
		"CUB": "Cuba", "DOM": "República Dominicana", "BOL": "Bolivia", "CHL": "Chile",
		"ARG": "Argentina", "MEX": "México", "GTM": "Guatemala", "PAN": "Panamá",
		"CIV": "Costa de Marfil", "MKD": "Macedonia del Norte",
	}
	for code, name := range want {
		c, ok := CountryByCode(code)
		if !ok || c.NameES != name || c.Name("es") != name || c.Name("") != name {
			t.Errorf("country %s: got %+v, want %q", code, c, name)
		}
	}
	us, _ := CountryByCode("USA")
	if us.Code2 != "US" || us.Name("en") != "United States" || us.Name("EN-us") != "United States" {
		t.Errorf("USA in English: %+v", us)
	}
	if es, _ := CountryByCode("ESP"); es.Name("en") != "Spain" || es.Name("fr") != "España" {
		t.Errorf("ESP: %+v", es)
	}
}

func TestCountryByCodeIgnoresCase(t *testing.T) {
	for _, code := range []string{"ECU", "ecu", "Ecu", "eCU"} {
		if c, ok := CountryByCode(code); !ok || c.Code3 != "ECU" {
			t.Errorf("CountryByCode(%q) = %+v, %v", code, c, ok)
		}
	}
	for _, code := range []string{"", "EC", "ZZZ", "XKK", "ECUA", " ECU", "ASC", "QUU"} {
		if c, ok := CountryByCode(code); ok {
			t.Errorf("CountryByCode(%q) found %+v", code, c)
		}
	}
	all := Countries()
	all[0].NameES = "changed" // the caller's copy
	if Countries()[0].NameES == "changed" {
		t.Error("Countries shares its slice")
	}
}

func TestCountriesByName(t *testing.T) {
	for _, lang := range []string{"es", "en"} {
		list := CountriesByName(lang)
		if len(list) != len(countryTable) {
			t.Fatalf("%s: %d countries", lang, len(list))
		}
		for i := 1; i < len(list); i++ {
			if foldName(list[i-1].Name(lang)) > foldName(list[i].Name(lang)) {
				t.Errorf("%s: %q before %q", lang, list[i-1].Name(lang), list[i].Name(lang))
			}
		}
	}
	if first := CountriesByName("es")[0]; first.Code3 != "AFG" {
		t.Errorf("first in Spanish: %+v", first)
	}
}
