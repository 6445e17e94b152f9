package cases

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// NewCase shows the empty registration form: identified today in Ecuador by the
// user's agency.
func (h *Handlers) NewCase(w http.ResponseWriter, r *http.Request) error {
	sub := access.From(r.Context())
	v := url.Values{"identification.date": {h.Svc.today()}, "identification.country": {"ECU"},
		"identifying_agency_id": {sub.AgencyID}, "trafficking_status": {"possible"}}
	p, err := h.formPage(r, "cases.new_title", v, &formData{Action: "/cases"})
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, "cases/new", p)
}

// CreateCase registers a case. "Update list" (the canton picker without JavaScript)
// shows the form again without saving; invalid input comes back with 422 and the
// field errors; likely duplicates come back with 409 and the list, until the worker
// confirms the person is someone else.
func (h *Handlers) CreateCase(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	v := r.PostForm
	d := &formData{Action: "/cases"}
	p, err := h.formPage(r, "cases.new_title", v, d)
	if err != nil {
		return err
	}
	if v.Get("_refresh") != "" {
		return h.Web.Render(w, r, "cases/new", p)
	}
	in, formErrs := inputFromForm(v)
	if err := checkInput(in, formErrs, h.Svc.Now()); err != nil {
		return h.renderForm(w, r, "cases/new", p, err)
	}
	c, err := h.Svc.Register(r.Context(), in, RegisterOptions{AssignTo: v.Get("assigned_to"),
		NotDuplicate: v.Get("not_duplicate") == "1", CheckID: v.Get("dup_check")})
	var dup *DuplicatesFound
	switch {
	case errors.As(err, &dup):
		d.Duplicates = dupPanelOf(p, dup.Result)
		p.Form.Values.Del("not_duplicate")
		return h.renderStatus(w, http.StatusConflict, "cases/new", p)
	case errs.CodeOf(err) == errs.CodeTooMany: // too many duplicate checks: say so, keep what was typed
		p.Form.General = append(p.Form.General, "cases.dup.limited")
		return h.renderStatus(w, http.StatusTooManyRequests, "cases/new", p)
	case isInvalid(err):
		return h.renderForm(w, r, "cases/new", p, err)
	case err != nil:
		return err
	}
	web.Redirect(w, r, "/cases/"+c.ID, "ok", "cases.flash_registered")
	return nil
}
