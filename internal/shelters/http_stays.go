package shelters

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// residentRow is one stay in the residents table, with its discharge form.
type residentRow struct {
	Stay
	Bed, Admitted, Discharged, Reason string
	Days                              int
	Form                              *dischargeForm
}

type dischargeForm struct {
	Open                  bool
	StayID, Suffix        string
	On, Reason, Dest, Yes *web.Field
}

// admitForm admits a person from a case number or an accepted referral.
type admitForm struct {
	Open                                bool
	CaseNumber, Referral, BedType, Date *web.Field
	HasReferrals                        bool
}

// residents loads the stays (the service records the view) and the forms to admit
// and discharge.
func (h *Handlers) residents(r *http.Request, p *web.Page, d *detail, failed string) error {
	ctx := r.Context()
	stays, err := h.Svc.Residents(ctx, d.S.ID, false)
	if hidden(err) {
		d.ShowResidents, d.CanAdmit, d.CanDischarge = false, false, false
		return nil
	}
	if err != nil {
		return err
	}
	today, _ := time.Parse("2006-01-02", h.Svc.today())
	for _, st := range stays {
		row := residentRow{Stay: st, Bed: p.T("shelters.bed." + st.BedType), Admitted: showDate(st.AdmittedOn)}
		if st.DischargedOn != "" {
			if len(d.Discharged) < 20 {
				row.Discharged, row.Reason = showDate(st.DischargedOn), p.T("shelters.discharge."+st.DischargeReason)
				d.Discharged = append(d.Discharged, row)
			}
			continue
		}
		if a, err := time.Parse("2006-01-02", st.AdmittedOn); err == nil {
			row.Days = int(today.Sub(a).Hours() / 24)
		}
		if d.CanDischarge {
			live := failed == "discharge-"+st.ID
			ff := formFields{p: p, live: live, suffix: "-" + st.ID}
			row.Form = &dischargeForm{Open: live, StayID: st.ID, Suffix: ff.suffix,
				On:     ff.field("discharged_on", "shelters.discharged_on", "date", h.Svc.today()),
				Reason: ff.field("discharge_reason", "shelters.discharge_reason", "select", "").Opts(options(p, "shelters.discharge.", DischargeReasons)),
				Dest:   ff.field("destination", "shelters.destination", "text", ""),
				Yes:    ff.field("confirm", "shelters.discharge_confirm", "checkbox", "")}
			row.Form.Reason.Required, row.Form.On.Required, row.Form.Yes.Required = true, true, true
			row.Form.Dest.HelpKey = "shelters.destination_help"
		}
		d.Residents = append(d.Residents, row)
	}
	if d.CanAdmit {
		return h.admitFormFor(r, p, d, failed == "admit")
	}
	return nil
}

func (h *Handlers) admitFormFor(r *http.Request, p *web.Page, d *detail, live bool) error {
	ff := formFields{p: p, live: live}
	f := &admitForm{Open: live,
		CaseNumber: ff.field("case_number", "shelters.case_number", "text", ""),
		Referral:   ff.field("referral_id", "shelters.from_referral", "select", ""),
		BedType:    ff.field("bed_type", "shelters.bed_type", "select", ""),
		Date:       ff.field("admitted_on", "shelters.admitted_on", "date", h.Svc.today())}
	f.CaseNumber.HelpKey = "shelters.case_number_help"
	f.BedType.Required, f.Date.Required = true, true
	var beds []web.Option
	for _, b := range d.Beds {
		beds = append(beds, web.Option{Value: b.Type, Label: p.T("shelters.bed_free_of", "Bed", b.Label, "Free", b.Free, "Beds", b.Beds)})
	}
	f.BedType.Options = beds
	if h.Referrals != nil {
		refs, err := h.Referrals.AcceptedIncoming(r.Context())
		if err != nil && !hidden(err) {
			return err
		}
		var opts []web.Option
		for _, ref := range refs {
			opts = append(opts, web.Option{Value: ref.ID, Label: ref.Number + " · " + ref.CaseNumber + " · " + ref.FromAgency})
		}
		f.Referral.Options, f.HasReferrals = opts, len(opts) > 0
	}
	d.Admit = f
	return nil
}

var caseNumberRe = regexp.MustCompile(`(?i)^EC-(\d{4})-(\d{1,6})$`)

// normalizeCaseNumber writes a typed case number the way it is stored (EC-2026-00042).
func normalizeCaseNumber(s string) string {
	s = strings.TrimSpace(s)
	m := caseNumberRe.FindStringSubmatch(s)
	if m == nil {
		return strings.ToUpper(s)
	}
	n, _ := strconv.Atoi(m[2])
	return fmt.Sprintf("EC-%s-%05d", m[1], n)
}

// caseByNumber finds a case by its number among those the user may open.
func caseByNumber(r *http.Request, cs *cases.Service, number string) (string, error) {
	number = normalizeCaseNumber(number)
	if !caseNumberRe.MatchString(number) {
		return "", errs.Invalid(map[string]string{"case_number": "shelters.err.case_number"})
	}
	id, err := cs.FindByNumber(r.Context(), number)
	if err != nil && !hidden(err) {
		return "", err
	}
	if err != nil {
		return "", errs.Invalid(map[string]string{"case_number": "shelters.err.case_not_referred"})
	}
	return id, nil
}

// Admit admits a person to a bed: from an accepted referral, or from a case number the
// shelter's staff may open. No free bed answers 409 with the page and the message.
func (h *Handlers) Admit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	if err := h.guard(r, access.Create, access.ShelterStay); err != nil {
		return err
	}
	v := r.PostForm
	in := AdmitInput{BedType: v.Get("bed_type"), AdmittedOn: formDate(v.Get("admitted_on"))}
	field := "case_number"
	switch ref := v.Get("referral_id"); {
	case ref != "":
		field = "referral_id"
		var refs []IncomingReferral
		var err error
		if h.Referrals != nil {
			if refs, err = h.Referrals.AcceptedIncoming(r.Context()); err != nil && !hidden(err) {
				return err
			}
		}
		for _, x := range refs {
			if x.ID == ref {
				in.CaseID, in.ReferralID = x.CaseID, x.ID
			}
		}
		if in.CaseID == "" {
			return h.failPage(w, r, "admit", "", errs.Invalid(map[string]string{"referral_id": "cases.err.choose"}))
		}
	case strings.TrimSpace(v.Get("case_number")) != "":
		id, err := caseByNumber(r, h.Cases, v.Get("case_number"))
		if err != nil {
			return h.failPage(w, r, "admit", "", err)
		}
		in.CaseID = id
	default:
		return h.failPage(w, r, "admit", "", errs.Invalid(map[string]string{"case_number": "shelters.err.case_or_referral"}))
	}
	_, err := h.Svc.Admit(r.Context(), r.PathValue("id"), in)
	if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
		if k, ok := e.Fields["case_id"]; ok { // shown next to what the user chose
			delete(e.Fields, "case_id")
			e.Fields[field] = k
		}
	}
	if err != nil {
		return h.failPage(w, r, "admit", "", err)
	}
	web.Redirect(w, r, "/shelters/"+r.PathValue("id")+"#residents", "ok", "shelters.flash.admitted")
	return nil
}

// Discharge ends a stay, once the user has confirmed it.
func (h *Handlers) Discharge(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	if err := h.guard(r, access.Update, access.ShelterStay); err != nil {
		return err
	}
	v, stay := r.PostForm, r.PathValue("stay")
	form, suffix := "discharge-"+stay, "-"+stay
	if v.Get("confirm") == "" {
		return h.failPage(w, r, form, suffix, errs.Invalid(map[string]string{"confirm": "shelters.err.confirm_discharge"}))
	}
	err := h.Svc.Discharge(r.Context(), r.PathValue("id"), stay, formDate(v.Get("discharged_on")),
		v.Get("discharge_reason"), strings.TrimSpace(v.Get("destination")))
	if err != nil {
		return h.failPage(w, r, form, suffix, err)
	}
	web.Redirect(w, r, "/shelters/"+r.PathValue("id")+"#residents", "ok", "shelters.flash.discharged")
	return nil
}
