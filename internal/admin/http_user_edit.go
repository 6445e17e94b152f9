package admin

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// User shows one user: the account's state, the edit form and the account actions
// (the last two only to those who may use them).
func (h *Handlers) User(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Svc.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "admin.user_title")
	p.Form = web.NewForm(userValues(u))
	if err := h.userPage(r, p, u); err != nil {
		return err
	}
	return h.Web.Render(w, r, "admin/user", p)
}

// userPage fills the page data of the user screen.
func (h *Handlers) userPage(r *http.Request, p *web.Page, u *auth.User) error {
	ctx := r.Context()
	sessions, err := h.Svc.ActiveSessions(ctx, u.ID)
	if err != nil {
		return err
	}
	p.Title = u.Name
	p.Data = map[string]any{"User": u, "Row": h.row(p, u), "Sessions": sessions,
		"CanUpdate": can(r, access.Update, access.User), "CanManage": can(r, access.Manage, access.User),
		"Self": access.From(ctx).UserID == u.ID}
	return h.fillUserForm(ctx, p, u.AgencyID)
}

// UpdateUser saves the edit form. Changing roles or agency, or deactivating, ends the
// user's sessions (the service does it).
func (h *Handlers) UpdateUser(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	ctx := r.Context()
	cur, err := h.Svc.User(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "admin.user_title")
	p.Form = web.NewForm(keepValues(r.PostForm))
	if err := h.userPage(r, p, cur); err != nil {
		return err
	}
	if r.PostForm.Get("_refresh") != "" {
		return h.renderForm(w, r, "admin/user", p, nil)
	}
	u, formErrs := userFromForm(r.PostForm)
	u.ID = cur.ID
	if err := checkUser(u, formErrs); err != nil {
		return h.renderForm(w, r, "admin/user", p, err)
	}
	if _, err := h.Svc.UpdateUser(ctx, u); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
			e.Fields = placeFields(e.Fields, r.PostForm.Get("jurisdiction"))
		}
		return h.renderForm(w, r, "admin/user", p, err)
	}
	web.Redirect(w, r, "/admin/users/"+u.ID, "ok", "admin.user_saved")
	return nil
}
