package cases

import (
	"net/http"
	"strconv"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// EditCase shows the case form filled with the stored case and its version.
func (h *Handlers) EditCase(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Editable(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if c.Status == "closed" {
		return errs.Conflict("cases.err.closed")
	}
	p, err := h.formPage(r, "cases.edit_title", caseValues(c), &formData{Action: "/cases/" + c.ID, Edit: true, Case: c})
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, "cases/edit", p)
}

// UpdateCase saves the edit form. The version travels in a hidden field: if someone
// else saved the case meanwhile, the form comes back with 409, what was typed, and an
// explanation instead of overwriting their change.
func (h *Handlers) UpdateCase(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	ctx := r.Context()
	id := r.PathValue("id")
	cur, err := h.Svc.Editable(ctx, id)
	if err != nil {
		return err
	}
	v := r.PostForm
	d := &formData{Action: "/cases/" + id, Edit: true, Case: cur}
	p, err := h.formPage(r, "cases.edit_title", v, d)
	if err != nil {
		return err
	}
	if v.Get("_refresh") != "" {
		return h.Web.Render(w, r, "cases/edit", p)
	}
	version, err := strconv.Atoi(v.Get("version"))
	if err != nil || version < 1 {
		return errs.Invalid(map[string]string{"version": "error.bad_request"})
	}
	in, formErrs := inputFromForm(v)
	if err := checkInput(in, formErrs, h.Svc.Now()); err != nil {
		return h.renderForm(w, r, "cases/edit", p, err)
	}
	if _, err := h.Svc.Update(ctx, id, version, in); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.CodeConflict && e.Key == "error.conflict" {
			d.Conflict = true
			return h.renderStatus(w, http.StatusConflict, "cases/edit", p)
		}
		return h.renderForm(w, r, "cases/edit", p, err)
	}
	web.Redirect(w, r, "/cases/"+id, "ok", "cases.flash_updated")
	return nil
}
