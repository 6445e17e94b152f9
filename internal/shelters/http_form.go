package shelters

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// registryForm is the data of the registry form (new shelter or edit).
type registryForm struct {
	Action          string // where the form posts
	ID              string
	IsNew           bool
	CanChooseAgency bool
	AgencyName      string
	AgencyOpts      []web.Option
	Populations     []web.Option
	Services        []web.Option
	Checked         map[string]map[string]bool
	Beds, Staff     []*web.Field
	Errors          []errorLink
}

// NewShelter shows the empty registry form.
func (h *Handlers) NewShelter(w http.ResponseWriter, r *http.Request) error {
	p, err := h.registryPage(r, url.Values{"active": {"1"}}, "", "")
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, "shelters/form", p)
}

// CreateShelter registers a shelter. "Update list" (the canton picker without
// JavaScript) shows the form again without saving.
func (h *Handlers) CreateShelter(w http.ResponseWriter, r *http.Request) error {
	return h.saveRegistry(w, r, "")
}

// EditShelter shows the registry form filled in. Only the operator's staff edit it:
// saving the entry also saves the confidential address, which only they can see.
func (h *Handlers) EditShelter(w http.ResponseWriter, r *http.Request) error {
	s, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.mayEdit(r, s); err != nil {
		return err
	}
	p, err := h.registryPage(r, valuesOf(s), s.ID, s.AgencyName)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, "shelters/form", p)
}

// UpdateShelter saves the registry entry.
func (h *Handlers) UpdateShelter(w http.ResponseWriter, r *http.Request) error {
	s, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.mayEdit(r, s); err != nil {
		return err
	}
	return h.saveRegistry(w, r, s.ID)
}

// mayEdit refuses those who may not update the shelter. National coordination edits
// any shelter; the service keeps the confidential address it cannot see.
func (h *Handlers) mayEdit(r *http.Request, s *Shelter) error {
	if !may(r, access.Update, access.Shelter, s.AgencyID) {
		return errs.Forbidden()
	}
	return nil
}

func (h *Handlers) saveRegistry(w http.ResponseWriter, r *http.Request, id string) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	v := r.PostForm
	agencyName := ""
	if id != "" {
		s, err := h.Svc.Get(r.Context(), id)
		if err != nil {
			return err
		}
		agencyName = s.AgencyName
		if !canChooseAgency(r) { // the operator's staff cannot hand the shelter over
			v.Set("agency_id", s.AgencyID)
		}
	} else if !canChooseAgency(r) {
		v.Set("agency_id", access.From(r.Context()).AgencyID)
	}
	p, err := h.registryPage(r, v, id, agencyName)
	if err != nil {
		return err
	}
	if v.Get("_refresh") != "" {
		return h.Web.Render(w, r, "shelters/form", p)
	}
	in, bad := registryInput(v)
	if len(bad) > 0 { // show the other mistakes too, without saving
		if e, ok := errs.As(in.Validate()); ok {
			for k, key := range e.Fields {
				if _, dup := bad[k]; !dup {
					bad.Add(k, key)
				}
			}
		}
		err = bad.Err()
	} else {
		var s *Shelter
		if s, err = h.Svc.Save(r.Context(), id, in); err == nil {
			web.Redirect(w, r, "/shelters/"+s.ID, "ok", "shelters.flash.saved")
			return nil
		}
	}
	if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
		p.Form.SetErrors(e.Fields)
		f := p.Data.(*registryForm)
		f.Errors = errorLinks(p, "")
		for _, fl := range append(f.Beds, f.Staff...) {
			fl.ErrorKey = p.Form.Error(fl.Name)
		}
	}
	return h.Web.RenderInvalid(w, r, "shelters/form", p, err)
}

// canChooseAgency: national coordination registers shelters for any operator.
func canChooseAgency(r *http.Request) bool {
	return access.From(r.Context()).Scope(access.Create, access.Shelter) == access.National
}

func (h *Handlers) registryPage(r *http.Request, v url.Values, id, agencyName string) (*web.Page, error) {
	title := "shelters.new_title"
	if id != "" {
		title = "shelters.edit_title"
	}
	p := h.Web.NewPage(r, title)
	p.Form = web.NewForm(v)
	f := &registryForm{Action: "/shelters", ID: id, IsNew: id == "", CanChooseAgency: canChooseAgency(r), AgencyName: agencyName,
		Populations: options(p, "shelters.population.", Populations), Services: options(p, "shelters.service.", SpecialisedServices),
		Checked: map[string]map[string]bool{"populations": {}, "services": {}}}
	if id != "" {
		f.Action = "/shelters/" + id
	}
	if f.CanChooseAgency {
		opts, err := h.agencyOptions(r.Context())
		if err != nil {
			return nil, err
		}
		f.AgencyOpts = opts
	} else if f.AgencyName == "" {
		f.AgencyName = h.Auth.AgencyName(r.Context(), access.From(r.Context()).AgencyID)
	}
	for _, k := range []string{"populations", "services"} {
		for _, x := range v[k] {
			f.Checked[k][x] = true
		}
	}
	ff := formFields{p: p, live: true}
	for _, t := range BedTypes {
		fl := ff.field("beds_"+t, "shelters.bed."+t, "number", "")
		fl.Attrs = `min="0" max="1000" step="1" inputmode="numeric"`
		f.Beds = append(f.Beds, fl)
	}
	for _, role := range StaffRoles {
		fl := ff.field("staff_"+role, "shelters.staff."+role, "number", "")
		fl.Attrs = `min="0" max="1000" step="1" inputmode="numeric"`
		f.Staff = append(f.Staff, fl)
	}
	p.Data = f
	return p, nil
}

// registryInput reads the form; counts that are not whole numbers are field errors.
func registryInput(v url.Values) (ShelterInput, errs.Fields) {
	bad := errs.Fields{}
	in := ShelterInput{AgencyID: v.Get("agency_id"), Name: v.Get("name"), LicenceNumber: strings.TrimSpace(v.Get("licence_number")),
		LicenceExpires: formDate(v.Get("licence_expires")), Province: v.Get("province"), Canton: v.Get("canton"),
		Address: v.Get("address"), ContactName: strings.TrimSpace(v.Get("contact_name")),
		ContactPhone: strings.TrimSpace(v.Get("contact_phone")), ContactEmail: strings.TrimSpace(v.Get("contact_email")),
		Populations: v["populations"], Services: v["services"], Beds: map[string]int{}, Staff: map[string]int{},
		Active: v.Get("active") != ""}
	for _, t := range BedTypes {
		n, ok := atoi(v.Get("beds_" + t))
		switch {
		case !ok || n < 0 || n > 1000:
			bad.Add("beds_"+t, "shelters.err.count")
		case n > 0:
			in.Beds[t] = n
		}
	}
	for _, role := range StaffRoles {
		n, ok := atoi(v.Get("staff_" + role))
		switch {
		case !ok || n < 0 || n > 1000:
			bad.Add("staff_"+role, "shelters.err.count")
		case n > 0:
			in.Staff[role] = n
		}
	}
	return in, bad
}

// valuesOf fills the form from a shelter.
func valuesOf(s *Shelter) url.Values {
	v := url.Values{"agency_id": {s.AgencyID}, "name": {s.Name}, "licence_number": {s.LicenceNumber},
		"licence_expires": {s.LicenceExpires}, "province": {s.Province}, "canton": {s.Canton}, "address": {s.Address},
		"contact_name": {s.ContactName}, "contact_phone": {s.ContactPhone}, "contact_email": {s.ContactEmail},
		"populations": s.Populations, "services": s.Services}
	if s.Active {
		v.Set("active", "1")
	}
	for t, n := range s.Beds {
		if n > 0 {
			v.Set("beds_"+t, strconv.Itoa(n))
		}
	}
	for role, n := range s.Staff {
		if n > 0 {
			v.Set("staff_"+role, strconv.Itoa(n))
		}
	}
	return v
}
