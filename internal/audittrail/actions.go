package audittrail

import (
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// knownActions are offered as suggestions in the action filter. Any action can be
// filtered on; these are the ones recorded today. Each has a label
// "audittrail.action.<action with _ for .>" in the catalog (a test checks it).
var knownActions = []string{
	"auth.login", "auth.login_failed", "auth.login_throttled", "auth.lockout", "auth.logout",
	"auth.logout_all", "auth.totp_enrol", "auth.totp_failed", "auth.recovery_code_used",
	"auth.password_change", "auth.password_ok", "auth.password_reset", "auth.password_set",
	"access.denied",
	"user.create", "user.update", "user.deactivate", "user.reactivate", "user.unlock",
	"user.totp_reset", "user.password_reset_issued",
	"agency.create", "agency.update", "agency.deactivate", "agency.reactivate",
	"auth.recovery_codes_downloaded", "auth.recovery_regenerated",
	"case.view", "case.list_view", "case.shared_list_view", "case.denied", "case.notes_view",
	"case.events_view", "case.attachment_download", "case.export_pdf", "case.export_csv",
	"case.access_grant", "case.access_revoke", "case.consent_withdrawn",
	"referral.send", "referral.view", "shelter.residents_view",
	"case.duplicate_check", "case.duplicate_match", "case.duplicate_check_limited",
	"case.duplicate_request", "case.duplicate_connect", "case.duplicate_decline",
	"token.create", "token.issue", "token.revoke", "token.use",
	"export.csv", "export.users_csv", ActionExport, ActionVerify,
	"keys.stage", "keys.activate", "keys.rotate", "backup.restore",
}

// actionKey is the catalog key of an action's label.
func actionKey(action string) string {
	return "audittrail.action." + strings.ReplaceAll(action, ".", "_")
}

// actionLabel is the action in words where the catalog has them, else the action code.
func actionLabel(cat *i18n.Catalog, lang, action string) string {
	if k := actionKey(action); cat.Has(lang, k) {
		return cat.T(lang, k)
	}
	return action
}

// actionOptions are the suggestions of the action filter.
func actionOptions(cat *i18n.Catalog, lang string) []web.Option {
	out := make([]web.Option, len(knownActions))
	for i, a := range knownActions {
		out[i] = web.Option{Value: a, Label: actionLabel(cat, lang, a)}
	}
	return out
}
