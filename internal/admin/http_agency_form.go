package admin

import (
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// agencyFormNames are the fields of the agency form, kept when it is shown again.
var agencyFormNames = []string{"code", "name", "type", "province", "canton"}

func agencyValues(a *auth.Agency) url.Values {
	return url.Values{"code": {a.Code}, "name": {a.Name}, "type": {a.Type},
		"province": {a.ProvinceCode}, "canton": {a.CantonCode}}
}

func agencyFromForm(v url.Values) *auth.Agency {
	return &auth.Agency{Code: v.Get("code"), Name: v.Get("name"), Type: v.Get("type"),
		ProvinceCode: v.Get("province"), CantonCode: v.Get("canton")}
}

func keepAgencyValues(v url.Values) url.Values {
	out := url.Values{}
	for _, n := range agencyFormNames {
		if vs, ok := v[n]; ok {
			out[n] = vs
		}
	}
	return out
}

func (h *Handlers) agencyFormData(p *web.Page) {
	d, _ := p.Data.(map[string]any)
	if d == nil {
		d = map[string]any{}
	}
	d["TypeOpts"] = typeOptions(p)
	p.Data = d
}

// NewAgency shows the empty agency form.
func (h *Handlers) NewAgency(w http.ResponseWriter, r *http.Request) error {
	p := h.Web.NewPage(r, "admin.agency_new_title")
	h.agencyFormData(p)
	return h.Web.Render(w, r, "admin/agency_new", p)
}

// CreateAgency saves a new agency.
func (h *Handlers) CreateAgency(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	p := h.Web.NewPage(r, "admin.agency_new_title")
	p.Form = web.NewForm(keepAgencyValues(r.PostForm))
	h.agencyFormData(p)
	if r.PostForm.Get("_refresh") != "" {
		return h.renderForm(w, r, "admin/agency_new", p, nil)
	}
	a, err := h.Svc.CreateAgency(r.Context(), agencyFromForm(r.PostForm))
	if err != nil {
		return h.renderForm(w, r, "admin/agency_new", p, err)
	}
	web.Redirect(w, r, "/admin/agencies/"+a.ID, "ok", "admin.agency_created")
	return nil
}

// Agency shows one agency with its edit form and actions.
func (h *Handlers) Agency(w http.ResponseWriter, r *http.Request) error {
	a, err := h.Svc.Agency(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "admin.agency_title")
	p.Form = web.NewForm(agencyValues(a))
	h.agencyPage(r, p, a)
	return h.Web.Render(w, r, "admin/agency", p)
}

func (h *Handlers) agencyPage(r *http.Request, p *web.Page, a *auth.Agency) {
	p.Title = a.Name
	p.Data = map[string]any{"Agency": a, "Row": agencyRowOf(p, a),
		"CanUpdate": can(r, access.Update, access.Agency), "CanManage": can(r, access.Manage, access.Agency),
		"Users": "/admin/users?" + url.Values{"agency": {a.Code}}.Encode()}
	h.agencyFormData(p)
}

// UpdateAgency saves the edit form. The code never changes; the active flag changes
// only through its own actions.
func (h *Handlers) UpdateAgency(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	cur, err := h.Svc.Agency(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "admin.agency_title")
	p.Form = web.NewForm(keepAgencyValues(r.PostForm))
	p.Form.Values.Set("code", cur.Code)
	h.agencyPage(r, p, cur)
	if r.PostForm.Get("_refresh") != "" {
		return h.renderForm(w, r, "admin/agency", p, nil)
	}
	a := agencyFromForm(r.PostForm)
	a.ID, a.Code, a.Active = cur.ID, cur.Code, cur.Active
	if _, err := h.Svc.UpdateAgency(r.Context(), a); err != nil {
		return h.renderForm(w, r, "admin/agency", p, err)
	}
	web.Redirect(w, r, "/admin/agencies/"+a.ID, "ok", "admin.agency_saved")
	return nil
}

// setAgencyActive deactivates or reactivates an agency through the service, which
// ends its users' sessions and revokes their tokens on deactivation.
func (h *Handlers) setAgencyActive(w http.ResponseWriter, r *http.Request, active bool, flash string) error {
	if err := access.From(r.Context()).Require(access.Manage, access.Agency); err != nil {
		return err
	}
	a, _, err := h.Svc.SetAgencyActive(r.Context(), r.PathValue("id"), active)
	if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
		// Refused (the administrator's own agency): the page again, with the reason.
		cur, lerr := h.Svc.Agency(r.Context(), r.PathValue("id"))
		if lerr != nil {
			return lerr
		}
		p := h.Web.NewPage(r, "admin.agency_title")
		p.Form = web.NewForm(agencyValues(cur))
		h.agencyPage(r, p, cur)
		for _, k := range e.Fields {
			p.Form.General = append(p.Form.General, k)
		}
		return h.Web.Renderer.Render(w, http.StatusUnprocessableEntity, "admin/agency", p)
	}
	if err != nil {
		return err
	}
	web.Redirect(w, r, "/admin/agencies/"+a.ID, "ok", flash)
	return nil
}

// DeactivateAgency hides the agency from the choices for new users; its users can no
// longer sign in, their sessions end and their API tokens are revoked.
func (h *Handlers) DeactivateAgency(w http.ResponseWriter, r *http.Request) error {
	return h.setAgencyActive(w, r, false, "admin.agency_deactivated")
}

// ReactivateAgency offers the agency again; its active users may sign in again.
func (h *Handlers) ReactivateAgency(w http.ResponseWriter, r *http.Request) error {
	return h.setAgencyActive(w, r, true, "admin.agency_reactivated")
}
