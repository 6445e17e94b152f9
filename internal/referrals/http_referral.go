package referrals

import (
	"net/http"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// sharedRow is one shared field as the receiving side reads it.
type sharedRow struct {
	Field, Label, Value string
}

// eventRow is one step of the history.
type eventRow struct {
	Action, By, Agency, Comment, At string
}

type referralData struct {
	R        *Referral
	Side     string // "from" (sender) or "to" (receiver)
	Status   badge
	Purpose  string
	Support  []string
	Due      string
	Shared   []sharedRow
	Events   []eventRow
	Actions  map[string]bool
	Any      bool // any action is allowed
	CaseLink bool
	Decline  string // the decline reason, translated
	Outcome  string // the outcome, translated
	Reasons  []web.Option
	Outcomes []web.Option
}

// Referral shows a referral to either side: the history, the shared data while
// consent stands (opening it is audited), the feedback, and the actions allowed now.
func (h *Handlers) Referral(w http.ResponseWriter, r *http.Request) error {
	ref, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "referrals.referral_title")
	p.Title = p.T("referrals.referral_title") + " " + ref.Number
	h.referralPage(r, p, ref)
	return h.Web.Render(w, r, "referrals/referral", p)
}

// step takes an action on a referral from the forms of its page; refused input shows
// the page again (422) with the message beside the form.
func (h *Handlers) step(action string) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return err
		}
		id := r.PathValue("id")
		in := StepInput{DeclineReason: r.PostForm.Get("decline_reason"), Outcome: r.PostForm.Get("outcome"),
			Comment: r.PostForm.Get("comment")}
		_, err := h.Svc.Step(r.Context(), id, action, in)
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
			ref, gerr := h.Svc.Get(r.Context(), id)
			if gerr != nil {
				return gerr
			}
			p := h.Web.NewPage(r, "referrals.referral_title")
			p.Title = p.T("referrals.referral_title") + " " + ref.Number
			p.Form = web.NewForm(r.PostForm)
			p.Form.Values.Set("_action", action)
			h.referralPage(r, p, ref)
			return h.Web.RenderInvalid(w, r, "referrals/referral", p, err)
		}
		if err != nil {
			return err
		}
		web.Redirect(w, r, "/referrals/"+id, "ok", "referrals.done_"+action)
		return nil
	}
}

func (h *Handlers) referralPage(r *http.Request, p *web.Page, ref *Referral) {
	ctx := r.Context()
	d := &referralData{R: ref, Side: side(access.From(ctx), ref), Status: statusBadge(p, ref.Status),
		Purpose: p.T("referrals.purpose." + ref.Purpose), Support: supportLabels(p, ref.SupportTypes),
		Due: isoToDisplay(ref.DueOn), Actions: map[string]bool{},
		Reasons: options(p, "referrals.decline.", DeclineReasons), Outcomes: options(p, "referrals.outcome.", Outcomes)}
	for _, a := range h.Svc.Actions(ctx, ref) {
		d.Actions[a], d.Any = true, true
	}
	if ref.DeclineReason != "" {
		d.Decline = p.T("referrals.decline." + ref.DeclineReason)
	}
	if ref.Outcome != "" {
		d.Outcome = p.T("referrals.outcome." + ref.Outcome)
	}
	// The sender may open the case; the receiver once a referral for services was
	// accepted (the case service still says no after a withdrawal).
	switch {
	case d.Side == "from":
		d.CaseLink = true
	case ref.Purpose == "referral" && oneOf([]string{"accepted", "in_progress", "completed"}, ref.Status):
		d.CaseLink = access.From(ctx).Can(access.View, access.Case)
	}
	if len(ref.Payload) > 0 {
		for _, f := range orderFields(ref.SharedFields) {
			d.Shared = append(d.Shared, sharedRow{Field: f, Label: p.T("referrals.field." + f),
				Value: h.fieldValue(p, f, ref.Payload[f])})
		}
	}
	for _, e := range ref.Events {
		d.Events = append(d.Events, eventRow{Action: p.T("referrals.event." + e.Action), By: e.ByUser, Agency: e.Agency,
			Comment: e.Comment, At: i18n.FormatDateTime(e.At)})
	}
	p.Data = d
}

// tr translates key when the catalog has it, or returns fallback.
func (h *Handlers) tr(p *web.Page, key, fallback string) string {
	if h.Web.Catalog.Has(p.Lang, key) {
		return p.T(key)
	}
	return fallback
}

// fieldValue shows a shared value in words: vocabulary labels, country and place names,
// dates as dd/mm/yyyy.
func (h *Handlers) fieldValue(p *web.Page, field, v string) string {
	if v == "" {
		return ""
	}
	each := func(sep, outSep string, f func(string) string) string {
		parts := strings.Split(v, sep)
		for i, s := range parts {
			parts[i] = f(strings.TrimSpace(s))
		}
		return strings.Join(parts, outSep)
	}
	country := func(code string) string {
		if c, ok := geo.CountryByCode(code); ok {
			return c.Name(p.Lang)
		}
		return code
	}
	switch field {
	case "sex", "gender", "risk_level":
		vocab := map[string]string{"sex": "sex", "gender": "gender", "risk_level": "risk"}[field]
		return h.tr(p, "cases."+vocab+"."+v, v)
	case "age_group":
		if v == "unknown" {
			return h.tr(p, "cases.age_unknown", v)
		}
		return p.T("cases.age_group_years", "Group", v)
	case "birth_date":
		return isoToDisplay(v)
	case "nationalities":
		return each(",", ", ", country)
	case "languages":
		return each(",", ", ", func(s string) string { return h.tr(p, "cases.lang."+s, s) })
	case "exploitation":
		return each(",", ", ", func(s string) string { return h.tr(p, "cases.exploitation."+s, s) })
	case "documents":
		return each(";", "; ", func(s string) string {
			typ, num, _ := strings.Cut(s, " ")
			return h.tr(p, "cases.document."+typ, typ) + " " + num
		})
	case "disability":
		rest, _ := strings.CutPrefix(v, "yes")
		return p.T("app.yes") + rest
	case "identification":
		parts := strings.Fields(v)
		out := make([]string, 0, len(parts))
		for _, s := range parts {
			switch {
			case len(s) == 10 && s[4] == '-':
				out = append(out, isoToDisplay(s))
			case len(s) == 3:
				out = append(out, country(s))
			case len(s) == 2:
				out = append(out, provinceName(s))
			case len(s) == 4:
				if c, ok := geo.CantonByCode(s); ok {
					out = append(out, c.Name)
				}
			}
		}
		return strings.Join(out, ", ")
	}
	return v
}
