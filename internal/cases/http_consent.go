package cases

import (
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/web"
)

// RecordConsent records a consent decision (given or refused from the case page,
// withdrawn from the withdrawal page) and goes back to the consent section.
func (h *Handlers) RecordConsent(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "consent", "consent.")
	if err != nil {
		return err
	}
	in := ConsentInput{Purpose: a.get("purpose"), AgencyID: a.get("agency_id"), Status: a.get("status"),
		GivenBy: a.get("given_by"), Representative: a.get("representative"), Method: a.get("method"),
		DecidedOn: formDate(a.get("decided_on")), Notes: a.get("notes")}
	if _, err := h.Svc.RecordConsent(r.Context(), a.id, in); err != nil {
		if in.Status == "withdrawn" && isInvalid(err) {
			p, perr := h.withdrawPage(r, a.id, a.v)
			if perr != nil {
				return perr
			}
			return h.Web.RenderInvalid(w, r, "cases/withdraw", p, prefixed(err, a.prefix))
		}
		return h.failed(w, r, a, err, nil)
	}
	key := "cases.flash_consent"
	if in.Status == "withdrawn" {
		key = "cases.flash_consent_withdrawn"
	}
	return h.done(w, r, a, key)
}

// withdrawData is the withdrawal page: which consent ends and how it was expressed.
type withdrawData struct {
	withErrs
	C        *Case
	Purpose  string
	AgencyID string
	Agency   string
	Options  map[string][]web.Option
}

// WithdrawConsent asks how a withdrawal was expressed and says, before anything is
// saved, that it takes effect at once.
func (h *Handlers) WithdrawConsent(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := url.Values{"consent.purpose": {q.Get("purpose")}, "consent.agency_id": {q.Get("agency_id")},
		"consent.decided_on": {h.Svc.today()}}
	p, err := h.withdrawPage(r, r.PathValue("id"), v)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, "cases/withdraw", p)
}

func (h *Handlers) withdrawPage(r *http.Request, id string, v url.Values) (*web.Page, error) {
	ctx := r.Context()
	c, err := h.Svc.Editable(ctx, id)
	if err != nil {
		return nil, err
	}
	p := h.Web.NewPage(r, "cases.withdraw_title")
	p.Form = web.NewForm(v)
	d := &withdrawData{C: c, Purpose: p.Form.Get("consent.purpose"), AgencyID: p.Form.Get("consent.agency_id"),
		Options: map[string][]web.Option{"giver": vocabOptions(p, "giver"), "method": vocabOptions(p, "method")}}
	if !In("purpose", d.Purpose) {
		d.Purpose = ""
	}
	if d.AgencyID != "" {
		d.Agency = h.Auth.AgencyName(ctx, d.AgencyID) // names of institutions are not personal data
	}
	p.Data = d
	return p, nil
}
