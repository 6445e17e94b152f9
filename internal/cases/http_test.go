package cases_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

func es(key string) string { return i18n.MustLoad().T("es", key) }

func TestRegisterThroughTheForm(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")

	page := w.mustGet("/cases/new", http.StatusOK)
	for _, want := range []string{`name="person.given_names"`, `name="identification.province"`,
		`name="exploitation" value="begging"`, `name="person.documents.1.number"`, `value="ECU" selected`} {
		if !strings.Contains(page, want) {
			t.Errorf("registration form lacks %s", want)
		}
	}
	if len(page) > 100_000 {
		t.Errorf("registration form weighs %d bytes, want < 100 KB", len(page))
	}

	// "Update list" of the canton picker shows the form again, keeps what was typed and
	// saves nothing.
	v := caseForm("Mariela", "Quishpe Tituaña", cedula("171003406"))
	v.Set("identification.canton", "")
	v.Set("_refresh", "1")
	body := w.mustPost("/cases", v, http.StatusOK)
	if !strings.Contains(body, `value="Mariela"`) || !strings.Contains(body, `>Quito<`) {
		t.Errorf("refreshed form lost the typed name or lacks Pichincha's cantons")
	}
	if n := ta.countRows("cases"); n != 0 {
		t.Fatalf("refresh saved %d cases", n)
	}

	id := w.register(caseForm("Mariela", "Quishpe Tituaña", cedula("171003406")))
	page = w.mustGet("/cases/"+id, http.StatusOK)
	for _, want := range []string{`id="person-name">Mariela Quishpe Tituaña<`, msg("cases.flash_registered"),
		msg("cases.child_badge"), msg("cases.exploitation.begging"), msg("cases.risk.high"), "Ana Trabajadora"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if len(page) > 100_000 {
		t.Errorf("case page weighs %d bytes, want < 100 KB", len(page))
	}
}

func TestRegisterInvalidShowsErrorsAndSavesNothing(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	good := cedula("171003406")
	tests := []struct {
		name    string
		change  func(v map[string][]string)
		fieldID string
		key     string
	}{
		{"bad cédula check digit", func(v map[string][]string) {
			v["person.documents.0.number"] = []string{wrongCheck(good)}
		}, "f-person-documents", "cases.err.cedula"},
		{"birth date in the future", func(v map[string][]string) {
			v["person.birth_date"] = []string{"2099-01-01"}
		}, "f-person-birth_date", "cases.err.birth_future"},
		{"canton not in the province", func(v map[string][]string) {
			v["identification.canton"] = []string{"0901"} // Guayaquil, in Guayas
		}, "f-identification-canton", "validation.canton_not_in_province"},
		{"unknown exploitation value", func(v map[string][]string) {
			v["exploitation"] = []string{"begging", "juggling"}
		}, "f-exploitation", "cases.err.unknown_value"},
		{"letters in the estimated age", func(v map[string][]string) {
			v["person.birth_date"] = []string{""}
			v["person.estimated_age"] = []string{"doce"}
		}, "f-person-estimated_age", "cases.err.age"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := caseForm("Mariela", "Quishpe", good)
			tc.change(v)
			resp, body := w.post("/cases", v)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", resp.StatusCode, short(errorPart(body)))
			}
			want := es(tc.key)
			if got := fieldError(body, tc.fieldID); got != want {
				t.Errorf("error beside #%s = %q, want %q", tc.fieldID, got, want)
			}
			if !strings.Contains(body, `href="#`+tc.fieldID+`"`) {
				t.Errorf("the error summary does not link to #%s", tc.fieldID)
			}
			if !strings.Contains(body, `value="Mariela"`) {
				t.Errorf("the form lost what was typed")
			}
			if n := ta.countRows("cases"); n != 0 {
				t.Errorf("%d cases saved, want none", n)
			}
		})
	}
}

func TestDuplicateWarningThenConfirm(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	ced := cedula("171003406")
	first := w.register(caseForm("Mariela", "Quishpe", ced))

	v := caseForm("Mariela", "Quishpe Tituaña", ced)
	resp, body := w.post("/cases", v)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("second registration: status %d, want 409\n%s", resp.StatusCode, short(errorPart(body)))
	}
	for _, want := range []string{`id="duplicates"`, msg("cases.dup.document"), `href="/cases/` + first + `"`,
		`name="not_duplicate"`, `value="Quishpe Tituaña"`} {
		if !strings.Contains(body, want) {
			t.Errorf("duplicate warning lacks %q", want)
		}
	}
	if n := ta.countRows("cases"); n != 1 {
		t.Fatalf("%d cases after the warning, want 1", n)
	}
	v.Set("not_duplicate", "1")
	second := w.register(v)
	if second == first {
		t.Fatal("confirmed registration returned the first case")
	}
	if n := ta.countRows("cases"); n != 2 {
		t.Fatalf("%d cases after confirming, want 2", n)
	}
}
