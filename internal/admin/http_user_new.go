package admin

import (
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// NewUser shows the empty form for a new user.
func (h *Handlers) NewUser(w http.ResponseWriter, r *http.Request) error {
	p := h.Web.NewPage(r, "admin.user_new_title")
	p.Form = web.NewForm(url.Values{"jurisdiction": {"agency"}, "lang": {i18n.Default}})
	if code := r.URL.Query().Get("agency"); code != "" {
		if a, err := h.Svc.AgencyByCode(r.Context(), code); err == nil {
			p.Form.Values.Set("agency", a.ID)
		}
	}
	if err := h.fillUserForm(r.Context(), p, ""); err != nil {
		return err
	}
	return h.Web.Render(w, r, "admin/user_new", p)
}

// CreateUser saves a new user with a generated password and shows that password once.
// Nothing is saved unless every field is valid.
func (h *Handlers) CreateUser(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	ctx := r.Context()
	p := h.Web.NewPage(r, "admin.user_new_title")
	p.Form = web.NewForm(keepValues(r.PostForm))
	if err := h.fillUserForm(ctx, p, ""); err != nil {
		return err
	}
	if r.PostForm.Get("_refresh") != "" {
		return h.renderForm(w, r, "admin/user_new", p, nil)
	}
	u, formErrs := userFromForm(r.PostForm)
	if err := checkUser(u, formErrs); err != nil {
		return h.renderForm(w, r, "admin/user_new", p, err)
	}
	u, password, err := h.Svc.CreateUser(ctx, u, "")
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
			e.Fields = placeFields(e.Fields, r.PostForm.Get("jurisdiction"))
		}
		return h.renderForm(w, r, "admin/user_new", p, err)
	}
	res := h.Web.NewPage(r, "admin.user_created_title")
	res.Data = map[string]any{"User": u, "Password": password, "Row": h.row(res, u)}
	return h.Web.Render(w, r, "admin/user_created", res)
}
