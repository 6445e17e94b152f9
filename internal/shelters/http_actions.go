package shelters

import (
	"net/http"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// actionRow is one action of the improvement plan, with its edit form.
type actionRow struct {
	Action
	Domain  string
	Due     string
	Overdue bool
	Status  badge
	Form    *actionForm
}

// actionForm adds (ID "") or edits an action.
type actionForm struct {
	ID, Suffix                                string
	Open                                      bool
	Domain, Text, Owner, Due, Support, Status *web.Field
}

func actionView(p *web.Page, a Action, today string, canPlan, live bool) actionRow {
	row := actionRow{Action: a, Domain: p.T("shelters.domain." + a.Domain), Due: showDate(a.DueOn),
		Overdue: a.DueOn != "" && a.DueOn < today && (a.Status == "planned" || a.Status == "in_progress"),
		Status:  actionBadge(p, a.Status)}
	if canPlan {
		row.Form = newActionForm(p, &a, live)
	}
	return row
}

func newActionForm(p *web.Page, a *Action, live bool) *actionForm {
	var cur Action
	f := &actionForm{Open: live}
	if a != nil {
		cur, f.ID, f.Suffix = *a, a.ID, "-"+a.ID
	}
	ff := formFields{p: p, live: live, suffix: f.Suffix}
	f.Domain = ff.field("domain", "shelters.action_domain", "select", cur.Domain).Opts(options(p, "shelters.domain.", domainCodes()))
	f.Text = ff.field("action", "shelters.action_text", "textarea", cur.ActionInput.Action)
	f.Owner = ff.field("owner", "shelters.action_owner", "text", cur.Owner)
	f.Due = ff.field("due_on", "shelters.action_due", "date", cur.DueOn)
	f.Support = ff.field("support_received", "shelters.action_support", "textarea", cur.SupportReceived)
	status := cur.Status
	if status == "" {
		status = "planned"
	}
	f.Status = ff.field("status", "shelters.action_status_label", "select", status).Opts(options(p, "shelters.action_status.", ActionStatuses))
	f.Domain.Required, f.Text.Required, f.Status.Required = true, true, true
	f.Support.HelpKey = "shelters.action_support_help"
	return f
}

// SaveAction adds an action to the improvement plan (POST …/actions) or changes one
// (POST …/actions/{action}).
func (h *Handlers) SaveAction(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	if err := h.guard(r, access.Update, access.ShelterAssessment); err != nil {
		return err
	}
	v, id := r.PostForm, r.PathValue("action")
	in := ActionInput{Domain: v.Get("domain"), Action: strings.TrimSpace(v.Get("action")), Owner: strings.TrimSpace(v.Get("owner")),
		DueOn: formDate(v.Get("due_on")), SupportReceived: strings.TrimSpace(v.Get("support_received")), Status: v.Get("status")}
	form, suffix, flash := "action", "", "shelters.flash.action_added"
	if id != "" {
		form, suffix, flash = "action-"+id, "-"+id, "shelters.flash.action_saved"
	}
	if len(in.SupportReceived) > 2000 {
		return h.failPage(w, r, form, suffix, errs.Invalid(map[string]string{"support_received": "validation.too_long"}))
	}
	if _, err := h.Svc.SaveAction(r.Context(), r.PathValue("id"), id, in); err != nil {
		return h.failPage(w, r, form, suffix, err)
	}
	web.Redirect(w, r, "/shelters/"+r.PathValue("id")+"#plan", "ok", flash)
	return nil
}
