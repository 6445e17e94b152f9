package auth

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// PasswordForm shows the change-password form (forced after sign-in, or by choice).
func (h *Handlers) PasswordForm(w http.ResponseWriter, r *http.Request) error {
	sess, _, err := requireStage(r, StagePassword, StageFull)
	if err != nil {
		return h.redirectStage(w, r, err)
	}
	p := h.Web.NewPage(r, "password.title")
	p.Form.Values.Set("revoke_tokens", "1") // offered checked: a new password usually means a doubt
	p.Data = map[string]any{"Forced": sess.Stage == StagePassword}
	return h.Web.Render(w, r, "auth/password", p)
}

// ChangePassword sets the new password.
func (h *Handlers) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	sess, tok, err := requireStage(r, StagePassword, StageFull)
	if err != nil {
		return h.redirectStage(w, r, err)
	}
	// The forced change right after sign-in offers no choice: nothing of the user's is
	// in doubt then, and a token an operator issued for them stays.
	revoke := sess.Stage != StagePassword && r.PostFormValue("revoke_tokens") == "1"
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		err = errs.Invalid(map[string]string{"confirm": "password.mismatch"})
	} else {
		var next *Session
		next, err = h.Svc.ChangePassword(r.Context(), sess, tok, r.PostFormValue("current"), r.PostFormValue("new"), revoke)
		if err == nil {
			h.setCookie(w, r, next.Token)
			web.Redirect(w, r, "/", "ok", "password.changed")
			return nil
		}
	}
	p := h.Web.NewPage(r, "password.title")
	if revoke {
		p.Form.Values.Set("revoke_tokens", "1")
	}
	p.Data = map[string]any{"Forced": sess.Stage == StagePassword}
	return h.Web.RenderInvalid(w, r, "auth/password", p, err)
}

// ResetForm shows the form of an admin-issued reset link.
func (h *Handlers) ResetForm(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.CheckReset(r.Context(), r.PathValue("token")); err != nil {
		return err
	}
	p := h.Web.NewPage(r, "password.reset_title")
	p.Data = map[string]any{"Token": r.PathValue("token")}
	return h.Web.Render(w, r, "auth/reset", p)
}

// Reset sets a new password through a reset link.
func (h *Handlers) Reset(w http.ResponseWriter, r *http.Request) error {
	tok := r.PathValue("token")
	var err error
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		err = errs.Invalid(map[string]string{"confirm": "password.mismatch"})
	} else if err = h.Svc.ResetPassword(r.Context(), tok, r.PostFormValue("new")); err == nil {
		h.clearCookie(w, r)
		web.Redirect(w, r, "/login", "ok", "password.reset_done")
		return nil
	}
	p := h.Web.NewPage(r, "password.reset_title")
	p.Data = map[string]any{"Token": tok}
	return h.Web.RenderInvalid(w, r, "auth/reset", p, err)
}
