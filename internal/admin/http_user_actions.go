package admin

import (
	"net/http"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// target loads the user an action is about and checks the caller may manage users:
// the route guard already did, but Unlock and LogoutEverywhere in the service serve
// the user themself too and do not check it.
func (h *Handlers) target(r *http.Request) (*auth.User, error) {
	if err := access.From(r.Context()).Require(access.Manage, access.User); err != nil {
		return nil, err
	}
	return h.Svc.User(r.Context(), r.PathValue("id"))
}

// setActive deactivates or reactivates a user; deactivating ends their sessions at
// once and revokes their API tokens (auth.Service.SetUserActive).
func (h *Handlers) setActive(w http.ResponseWriter, r *http.Request, active bool, flash string) error {
	u, err := h.target(r)
	if err != nil {
		return err
	}
	if _, _, err := h.Svc.SetUserActive(r.Context(), u.ID, active); err != nil {
		return h.actionFailed(w, r, u, err)
	}
	web.Redirect(w, r, "/admin/users/"+u.ID, "ok", flash)
	return nil
}

// actionFailed shows the user page with the reason an action was refused (422), such
// as an administrator trying to deactivate their own account.
func (h *Handlers) actionFailed(w http.ResponseWriter, r *http.Request, u *auth.User, err error) error {
	e, ok := errs.As(err)
	if !ok || e.Code != errs.CodeInvalid {
		return err
	}
	cur, lerr := h.Svc.User(r.Context(), u.ID)
	if lerr != nil {
		return lerr
	}
	p := h.Web.NewPage(r, "admin.user_title")
	p.Form = web.NewForm(userValues(cur))
	if err := h.userPage(r, p, cur); err != nil {
		return err
	}
	for _, k := range e.Fields {
		p.Form.General = append(p.Form.General, k)
	}
	if len(e.Fields) == 0 {
		p.Form.General = append(p.Form.General, e.Key)
	}
	return h.Web.Renderer.Render(w, http.StatusUnprocessableEntity, "admin/user", p)
}

// DeactivateUser blocks the account and ends its sessions at once.
func (h *Handlers) DeactivateUser(w http.ResponseWriter, r *http.Request) error {
	return h.setActive(w, r, false, "admin.user_deactivated")
}

// ReactivateUser lets the user sign in again.
func (h *Handlers) ReactivateUser(w http.ResponseWriter, r *http.Request) error {
	return h.setActive(w, r, true, "admin.user_reactivated")
}

// ResetSecondFactor removes the user's authenticator; they set up a new one at their
// next sign-in. Their sessions end.
func (h *Handlers) ResetSecondFactor(w http.ResponseWriter, r *http.Request) error {
	u, err := h.target(r)
	if err != nil {
		return err
	}
	if err := h.Svc.ResetSecondFactor(r.Context(), u.ID); err != nil {
		return err
	}
	web.Redirect(w, r, "/admin/users/"+u.ID, "ok", "admin.user_2fa_reset")
	return nil
}

// Unlock lifts the lock after too many failed sign-ins.
func (h *Handlers) Unlock(w http.ResponseWriter, r *http.Request) error {
	u, err := h.target(r)
	if err != nil {
		return err
	}
	if err := h.Svc.Unlock(r.Context(), u.ID); err != nil {
		return err
	}
	web.Redirect(w, r, "/admin/users/"+u.ID, "ok", "admin.user_unlocked")
	return nil
}

// EndSessions signs the user out on every device and, when the box (checked by
// default) stays checked, revokes their API tokens too.
func (h *Handlers) EndSessions(w http.ResponseWriter, r *http.Request) error {
	u, err := h.target(r)
	if err != nil {
		return err
	}
	revoke := r.PostFormValue("revoke_tokens") == "1"
	if _, err := h.Svc.LogoutEverywhere(r.Context(), u.ID, revoke); err != nil {
		return err
	}
	flash := "admin.user_sessions_ended"
	if revoke {
		flash = "admin.user_sessions_tokens_ended"
	}
	web.Redirect(w, r, "/admin/users/"+u.ID, "ok", flash)
	return nil
}

// ResetLink issues a one-time password reset link and shows it to the administrator
// once, to hand over by a safe channel. Only its hash is kept.
func (h *Handlers) ResetLink(w http.ResponseWriter, r *http.Request) error {
	u, err := h.target(r)
	if err != nil {
		return err
	}
	if !u.Active {
		return h.actionFailed(w, r, u, errs.Invalid(map[string]string{"active": "admin.reset_inactive"}))
	}
	tok, err := h.Svc.IssueReset(r.Context(), u.ID)
	if err != nil {
		return err
	}
	link := h.baseURL(r) + "/reset/" + tok
	p := h.Web.NewPage(r, "admin.reset_link_title")
	p.Data = map[string]any{"User": u, "Link": link, "Hours": int(auth.ResetTTL.Hours())}
	// With a mail server configured (AMPARO_SMTP_ADDR) the link also goes to the person.
	if h.Svc.Mail != nil {
		if err := h.Svc.MailResetLink(r.Context(), u.ID, link); err != nil {
			h.Web.Log.Warn("reset link not mailed", "err", err.Error())
			p.Flash = append(p.Flash, web.Flash{Kind: "warn", Text: p.T("admin.reset_mail_failed")})
		} else {
			p.Flash = append(p.Flash, web.Flash{Kind: "ok", Text: p.T("admin.reset_mailed")})
		}
	}
	return h.Web.Render(w, r, "admin/user_reset_link", p)
}

// baseURL is the configured public address, or the one the browser used.
func (h *Handlers) baseURL(r *http.Request) string {
	if h.BaseURL != "" {
		return strings.TrimRight(h.BaseURL, "/")
	}
	scheme := "http"
	if web.IsTLS(r, h.TrustProxy) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
