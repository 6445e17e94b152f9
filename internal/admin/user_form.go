package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// userFormNames are the fields of the user form, kept when it is shown again.
var userFormNames = []string{"name", "email", "agency", "roles", "jurisdiction", "jur_province",
	"jur_canton", "lang", "active"}

// userFromForm reads the user form. The scope is a level (select) plus a province or
// canton from the place picker; problems only the form can see (a canton outside the
// chosen province) come back as field errors beside the service's own.
func userFromForm(v url.Values) (*auth.User, errs.Fields) {
	u := &auth.User{
		Name: v.Get("name"), Email: v.Get("email"), AgencyID: v.Get("agency"),
		Lang: v.Get("lang"), JurisdictionLevel: v.Get("jurisdiction"), Active: v.Get("active") == "1",
	}
	for _, r := range v["roles"] {
		u.Roles = append(u.Roles, access.Role(r))
	}
	f := errs.Fields{}
	prov, canton := strings.TrimSpace(v.Get("jur_province")), strings.TrimSpace(v.Get("jur_canton"))
	switch u.JurisdictionLevel {
	case "province":
		u.JurisdictionCode = prov
	case "canton":
		u.JurisdictionCode = canton
		if prov != "" && canton != "" && !geo.CantonInProvince(canton, prov) {
			f.Add("jur_canton", "validation.canton_not_in_province")
		}
	case "":
		f.Add("jurisdiction", "validation.jurisdiction")
		u.JurisdictionLevel = "invalid"
	}
	return u, f
}

// placeFields moves the service's "jurisdiction" error to the picker the user must
// fix: the province or the canton select.
func placeFields(fields map[string]string, level string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		if k == "jurisdiction" && (level == "province" || level == "canton") &&
			(v == "validation.province" || v == "validation.canton") {
			k = "jur_" + level
		}
		if _, dup := out[k]; !dup {
			out[k] = v
		}
	}
	return out
}

// checkUser validates a user as the service will, plus the form's own checks, so one
// submission lists every problem at once.
func checkUser(u *auth.User, formErrs errs.Fields) error {
	u.Normalize()
	all := errs.Fields{}
	for k, v := range formErrs {
		all.Add(k, v)
	}
	if err := u.Validate(); err != nil {
		if e, ok := errs.As(err); ok {
			for k, v := range placeFields(e.Fields, u.JurisdictionLevel) {
				all.Add(k, v)
			}
		}
	}
	return all.Err()
}

// userValues fills the form from a stored user (edit form before the first submit).
func userValues(u *auth.User) url.Values {
	v := url.Values{"name": {u.Name}, "email": {u.Email}, "agency": {u.AgencyID},
		"jurisdiction": {u.JurisdictionLevel}, "lang": {u.Lang}}
	for _, r := range u.Roles {
		v.Add("roles", string(r))
	}
	switch u.JurisdictionLevel {
	case "province":
		v.Set("jur_province", u.JurisdictionCode)
	case "canton":
		v.Set("jur_canton", u.JurisdictionCode)
		if c, ok := geo.CantonByCode(u.JurisdictionCode); ok {
			v.Set("jur_province", c.ProvinceCode)
		}
	}
	if u.Active {
		v.Set("active", "1")
	}
	return v
}

// keepValues returns the submitted values of the form's fields only.
func keepValues(v url.Values) url.Values {
	out := url.Values{}
	for _, n := range userFormNames {
		if vs, ok := v[n]; ok {
			out[n] = vs
		}
	}
	return out
}

// fillUserForm adds the choices the user form needs to the page.
func (h *Handlers) fillUserForm(ctx context.Context, p *web.Page, keepAgency string) error {
	agencies, err := h.agencyOptions(ctx, keepAgency)
	if err != nil {
		return err
	}
	d, _ := p.Data.(map[string]any)
	if d == nil {
		d = map[string]any{}
	}
	d["AgencyOpts"], d["RoleOpts"], d["LevelOpts"], d["LangOpts"] = agencies, roleOptions(p), levelOptions(p), langOptions(p)
	p.Data = d
	return nil
}

// renderForm shows a form page again: 200 after "Update list" (no errors yet), 422
// with the field errors otherwise.
func (h *Handlers) renderForm(w http.ResponseWriter, r *http.Request, page string, p *web.Page, err error) error {
	if err == nil {
		return h.Web.Render(w, r, page, p)
	}
	return h.Web.RenderInvalid(w, r, page, p, err)
}
