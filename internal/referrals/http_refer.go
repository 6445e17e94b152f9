package referrals

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// referParams are the fields of the referral form; the preview (GET) and the sending
// (POST) read the same ones.
var referParams = []string{"purpose", "to_agency_id", "service_id", "support_types", "urgent", "due_on",
	"reason", "beds_province"}

// bedRow is a shelter with free beds in the panel of the referral form.
type bedRow struct {
	ShelterBeds
	Place       string
	Populations []string
	Beds        []string // "2 girls' beds" and so on
	Chosen      bool     // its operator is the institution chosen
}

type referData struct {
	Case       *cases.Case
	Name       string
	Purposes   []web.Option
	Agencies   []web.Option
	Services   []web.Option
	Supports   []web.Option
	Agency     string // the chosen institution's name
	Shared     []string
	Consent    badge
	ConsentKey string // what the consent status means for this referral
	ConsentOK  bool
	Chosen     bool // an institution (or the prosecution purpose) is chosen
	Shelter    bool // the support types include shelter: show free beds
	Beds       []bedRow
	BedsProv   []web.Option
	BedsError  bool
	Preview    string // the preview URL (GET) of this form
}

// ReferForm shows the referral form of a case (GET, prefilled from the query). It is
// also its preview (POST, so what was typed stays out of URLs and history): changing
// the institution, purpose or support types (with htmx at once, without it through
// "Update") shows which fields will travel and whether consent allows sending.
func (h *Handlers) ReferForm(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.CaseToRefer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			return err
		}
		q = r.PostForm
	}
	v := url.Values{}
	for _, n := range referParams {
		if vs := q[n]; len(vs) > 0 {
			v[n] = vs
		}
	}
	if pick := q.Get("pick_agency"); pick != "" {
		v.Set("to_agency_id", pick)
		v.Del("service_id")
	}
	if v.Get("purpose") == "" {
		v.Set("purpose", "referral")
	}
	if _, ok := q["beds_province"]; !ok {
		v.Set("beds_province", c.Identification.Province)
	}
	p := h.Web.NewPage(r, "referrals.refer_title")
	p.Form = web.NewForm(v)
	if err := h.referPage(r, p, c); err != nil {
		return err
	}
	return h.Web.Render(w, r, "referrals/refer", p)
}

// Send sends the referral, or shows the form again (422) with the reason it was not
// sent, such as missing consent: nothing is sent then.
func (h *Handlers) Send(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := h.Svc.CaseToRefer(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	in := ReferralInput{CaseID: c.ID, Purpose: f.Get("purpose"), ToAgencyID: f.Get("to_agency_id"),
		ServiceID: f.Get("service_id"), SupportTypes: f["support_types"], Urgent: f.Get("urgent") == "1",
		Reason: f.Get("reason"), DueOn: strings.TrimSpace(f.Get("due_on"))}
	if in.DueOn != "" {
		if t, err := i18n.ParseDate(in.DueOn); err == nil {
			in.DueOn = t.Format("2006-01-02")
		}
	}
	ref, err := h.Svc.Send(ctx, in)
	if err != nil {
		p := h.Web.NewPage(r, "referrals.refer_title")
		p.Form = web.NewForm(f)
		if perr := h.referPage(r, p, c); perr != nil {
			return perr
		}
		return h.Web.RenderInvalid(w, r, "referrals/refer", p, err)
	}
	web.Redirect(w, r, "/referrals/"+ref.ID, "ok", "referrals.sent")
	return nil
}

// referPage fills the form's choices and the preview from the values in p.Form.
func (h *Handlers) referPage(r *http.Request, p *web.Page, c *cases.Case) error {
	ctx := r.Context()
	sub := access.From(ctx)
	purpose := p.Form.Get("purpose")
	d := &referData{Case: c, Name: c.Person.FullName(), Purposes: options(p, "referrals.purpose.", Purposes),
		Supports: supportOptions(p), Preview: "/cases/" + c.ID + "/refer"}
	agencies, byID, err := h.agencyOptions(ctx, p, sub.AgencyID)
	if err != nil {
		return err
	}
	if purpose == "prosecution" {
		var only []web.Option
		for _, o := range agencies {
			if a := byID[o.Value]; a != nil && a.Type == "prosecution" {
				only = append(only, o)
			}
		}
		agencies = only
	}
	d.Agencies = agencies
	to := p.Form.Get("to_agency_id")
	if a := byID[to]; a != nil {
		d.Agency = a.Name
		offers, _, err := h.Svc.Offers(ctx, OfferFilter{AgencyID: to, PerPage: 200})
		if err != nil {
			return err
		}
		for _, o := range offers {
			d.Services = append(d.Services, web.Option{Value: o.ID, Label: o.Name + " (" + p.T("cases.support."+o.SupportType) + ")"})
		}
	}
	support := p.Form.Values["support_types"]
	d.Shared = labels(p, "referrals.field.", orderFields(SharedFields(purpose, support)))
	// Consent as the service will check it when sending.
	consentPurpose, consentAgency := "referral", to
	if purpose == "prosecution" {
		consentPurpose, consentAgency = "prosecution", ""
	}
	if consentAgency != "" || consentPurpose == "prosecution" {
		d.Chosen = true
		st, err := h.Cases.ConsentStatus(ctx, c.ID, consentPurpose, consentAgency)
		if err != nil {
			return err
		}
		d.Consent, d.ConsentOK = consentBadge(p, st), st == "given"
		switch {
		case d.ConsentOK && purpose == "prosecution":
			d.ConsentKey = "referrals.consent_ok_prosecution"
		case d.ConsentOK:
			d.ConsentKey = "referrals.consent_ok"
		case purpose == "prosecution":
			d.ConsentKey = "referrals.consent_missing_prosecution"
		default:
			d.ConsentKey = "referrals.consent_missing"
		}
	}
	for _, s := range support {
		d.Shelter = d.Shelter || s == "shelter"
	}
	if d.Shelter && h.Beds != nil {
		d.BedsProv = web.ProvinceOptions()
		prov := p.Form.Get("beds_province")
		if _, ok := geo.ProvinceByCode(prov); !ok {
			prov = ""
		}
		list, err := h.Beds.FreeBeds(ctx, prov)
		if err != nil {
			return err
		}
		for _, b := range list {
			row := bedRow{ShelterBeds: b, Place: areaName(Area{Province: b.Province, Canton: b.Canton}),
				Populations: labels(p, "referrals.population.", b.Populations), Chosen: b.AgencyID == to}
			for _, t := range bedOrder(b.Free) {
				row.Beds = append(row.Beds, p.T("referrals.free_beds_of", "Count", b.Free[t], "Type", p.T("referrals.bed."+t)))
			}
			d.Beds = append(d.Beds, row)
		}
	}
	p.Data = d
	return nil
}

// bedTypes is the order bed types are listed in (the shelters' vocabulary).
var bedTypes = []string{"girls", "boys", "women", "men", "family", "lgbti", "emergency"}

// bedOrder lists the bed types with free beds, in the usual order.
func bedOrder(free map[string]int) []string {
	var out []string
	for _, t := range bedTypes {
		if free[t] > 0 {
			out = append(out, t)
		}
	}
	return out
}
