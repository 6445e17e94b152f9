package referrals

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// offerForm is what the service-map form needs besides the typed values.
type offerForm struct {
	ID       string // empty for a new entry
	Action   string
	Agencies []web.Option
	Types    []web.Option
	Pops     []web.Option
	Areas    []areaChoice
}

// areaChoice is one province of the "where" part of the form, with its cantons.
type areaChoice struct {
	Code, Name string
	Checked    bool
	Open       bool // some of its cantons are chosen
	Cantons    []cantonChoice
}

type cantonChoice struct {
	Code, Name string
	Checked    bool
}

// offerValues turns an entry into form values (for the edit form before any submit).
func offerValues(o *Offer) url.Values {
	v := url.Values{"agency_id": {o.AgencyID}, "type": {o.SupportType}, "name": {o.Name},
		"description": {o.Description}, "contact_name": {o.ContactName}, "contact_phone": {o.ContactPhone},
		"contact_email": {o.ContactEmail}, "hours": {o.Hours}}
	if o.Active {
		v.Set("active", "1")
	}
	v["populations"] = append([]string(nil), o.Populations...)
	for _, a := range o.Areas {
		if a.Canton != "" {
			v.Add("canton", a.Canton)
		} else {
			v.Add("province", a.Province)
		}
	}
	return v
}

// offerInput reads the form: a checked province is offered in all of it; a chosen
// canton narrows its province to that canton.
func offerInput(v url.Values) OfferInput {
	in := OfferInput{AgencyID: v.Get("agency_id"), SupportType: v.Get("type"), Name: v.Get("name"),
		Description: v.Get("description"), ContactName: strings.TrimSpace(v.Get("contact_name")),
		ContactPhone: strings.TrimSpace(v.Get("contact_phone")), ContactEmail: strings.TrimSpace(v.Get("contact_email")),
		Hours: strings.TrimSpace(v.Get("hours")), Active: v.Get("active") == "1", Populations: v["populations"]}
	narrowed := map[string]bool{}
	for _, c := range v["canton"] {
		if cc, ok := geo.CantonByCode(c); ok {
			in.Areas = append(in.Areas, Area{Province: cc.ProvinceCode, Canton: c})
			narrowed[cc.ProvinceCode] = true
		} else {
			in.Areas = append(in.Areas, Area{Province: "", Canton: c}) // refused by Validate
		}
	}
	for _, p := range v["province"] {
		if !narrowed[p] {
			in.Areas = append(in.Areas, Area{Province: p})
		}
	}
	return in
}

func (h *Handlers) offerPage(r *http.Request, p *web.Page, id string) error {
	agencies, _, err := h.agencyOptions(r.Context(), p, "")
	if err != nil {
		return err
	}
	f := &offerForm{ID: id, Action: "/services", Agencies: agencies, Types: supportOptions(p),
		Pops: options(p, "referrals.population.", Populations)}
	if id != "" {
		f.Action = "/services/" + id
	}
	for _, pr := range geo.Provinces() {
		a := areaChoice{Code: pr.Code, Name: pr.Name, Checked: p.Form.Has("province", pr.Code)}
		for _, c := range geo.CantonsOf(pr.Code) {
			ch := p.Form.Has("canton", c.Code)
			a.Open = a.Open || ch
			a.Cantons = append(a.Cantons, cantonChoice{Code: c.Code, Name: c.Name, Checked: ch})
		}
		f.Areas = append(f.Areas, a)
	}
	p.Data = f
	return nil
}

// NewOffer shows the empty form for a new service-map entry.
func (h *Handlers) NewOffer(w http.ResponseWriter, r *http.Request) error {
	p := h.Web.NewPage(r, "referrals.service_new_title")
	p.Form = web.NewForm(url.Values{"active": {"1"}})
	if err := h.offerPage(r, p, ""); err != nil {
		return err
	}
	return h.Web.Render(w, r, "referrals/service_form", p)
}

// CreateOffer saves a new entry, or shows the form again with what was typed.
func (h *Handlers) CreateOffer(w http.ResponseWriter, r *http.Request) error {
	return h.saveOffer(w, r, "")
}

// EditOffer shows the form of an existing entry.
func (h *Handlers) EditOffer(w http.ResponseWriter, r *http.Request) error {
	o, err := h.Svc.Offer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "referrals.service_edit_title")
	p.Form = web.NewForm(offerValues(o))
	if err := h.offerPage(r, p, o.ID); err != nil {
		return err
	}
	return h.Web.Render(w, r, "referrals/service_form", p)
}

// UpdateOffer saves changes to an entry.
func (h *Handlers) UpdateOffer(w http.ResponseWriter, r *http.Request) error {
	return h.saveOffer(w, r, r.PathValue("id"))
}

func (h *Handlers) saveOffer(w http.ResponseWriter, r *http.Request, id string) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	o, err := h.Svc.SaveOffer(r.Context(), id, offerInput(r.PostForm))
	if err != nil {
		title := "referrals.service_new_title"
		if id != "" {
			title = "referrals.service_edit_title"
		}
		p := h.Web.NewPage(r, title)
		p.Form = web.NewForm(r.PostForm)
		if perr := h.offerPage(r, p, id); perr != nil {
			return perr
		}
		return h.Web.RenderInvalid(w, r, "referrals/service_form", p, err)
	}
	web.Redirect(w, r, "/services/"+o.ID, "ok", "referrals.service_saved")
	return nil
}
