package i18n_test

import (
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	c := i18n.MustLoad()
	es, en := map[string]bool{}, map[string]bool{}
	for _, k := range c.Keys("es") {
		es[k] = true
	}
	for _, k := range c.Keys("en") {
		en[k] = true
		if !es[k] {
			t.Errorf("key %q is in English but not in Spanish", k)
		}
	}
	for k := range es {
		if !en[k] {
			t.Errorf("key %q is in Spanish but not in English", k)
		}
	}
}

func TestTranslate(t *testing.T) {
	c := i18n.MustLoad()
	if got := c.T("es", "login.submit"); got != "Ingresar" {
		t.Fatalf("es: %q", got)
	}
	if got := c.T("en", "app.signed_in_as", "Name", "Ana"); got != "Signed in as Ana" {
		t.Fatalf("en with args: %q", got)
	}
	if got := c.T("xx", "login.submit"); got != "Ingresar" {
		t.Fatalf("unknown language falls back to Spanish: %q", got)
	}
	if got := c.T("es", "app.total", "Count", 1); got != "1 en total" {
		t.Fatalf("count without plural forms: %q", got)
	}
	if got := c.T("es", "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key: %q", got)
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct{ choice, accept, want string }{
		{"", "", "es"},
		{"en", "es-EC", "en"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "es-EC,es;q=0.9,en;q=0.5", "es"},
		{"", "fr-FR", "es"},
		{"de", "", "es"},
		{"", "garbage;;;q", "es"},
	} {
		if got := i18n.Match(tc.choice, tc.accept); got != tc.want {
			t.Errorf("Match(%q,%q)=%q want %q", tc.choice, tc.accept, got, tc.want)
		}
	}
}

func TestFormats(t *testing.T) {
	ts := time.Date(2026, 3, 5, 2, 30, 0, 0, time.UTC) // 21:30 on the 4th in Guayaquil
	if got := i18n.FormatDate(ts); got != "04/03/2026" {
		t.Errorf("date in Guayaquil: %q", got)
	}
	if got := i18n.FormatDateTime(ts); got != "04/03/2026 21:30" {
		t.Errorf("datetime: %q", got)
	}
	for _, tc := range []struct {
		lang string
		v    float64
		d    int
		want string
	}{
		{"es", 1234.5, 1, "1.234,5"},
		{"en", 1234.5, 1, "1,234.5"},
		{"es", 1234567, 0, "1.234.567"},
		{"es", -0.25, 2, "-0,25"},
		{"en", 999, 0, "999"},
	} {
		if got := i18n.FormatNumber(tc.lang, tc.v, tc.d); got != tc.want {
			t.Errorf("FormatNumber(%s,%v,%d)=%q want %q", tc.lang, tc.v, tc.d, got, tc.want)
		}
	}
	if got := i18n.FormatInt("es", -1234567); got != "-1.234.567" {
		t.Errorf("FormatInt: %q", got)
	}
	d, err := i18n.ParseDate("05/03/2026")
	if err != nil || d.Day() != 5 || d.Month() != 3 {
		t.Errorf("ParseDate dd/mm/yyyy: %v %v", d, err)
	}
	if _, err := i18n.ParseDate("2026-03-05"); err != nil {
		t.Errorf("ParseDate ISO: %v", err)
	}
	if _, err := i18n.ParseDate("31/02/2026"); err == nil {
		t.Error("31/02 must be refused")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("en", "es-EC,es;q=0.9")
	f.Fuzz(func(t *testing.T, choice, accept string) {
		if l := i18n.Match(choice, accept); !i18n.Valid(l) {
			t.Fatalf("Match returned unsupported %q", l)
		}
	})
}
