package audittrail

import (
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

func TestKnownActionsHaveLabels(t *testing.T) {
	cat := i18n.MustLoad()
	for _, a := range knownActions {
		for _, lang := range i18n.Langs {
			if !cat.Has(lang, actionKey(a)) {
				t.Errorf("action %s has no label %s in %s", a, actionKey(a), lang)
			}
		}
	}
	if got := actionLabel(cat, "en", "auth.login"); got != "Sign-in" {
		t.Errorf("label of auth.login: %q", got)
	}
	if got := actionLabel(cat, "es", "shelter.unheard_of"); got != "shelter.unheard_of" {
		t.Errorf("unknown action shows %q, want the code", got)
	}
}
