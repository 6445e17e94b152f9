package cases

import (
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// whyRow says on the case page of a receiving agency what opened the case to it: an
// accepted referral (its number, linked), a stay in its shelter, a referral to the
// prosecution, and since when.
type whyRow struct {
	Key, Label, Link, Since string
}

// fillView turns the View into what the case page template asks: which person fields
// and which sections it shows (the others show a notice that they are not shared),
// and, for a receiving agency, why it sees the case and which fields its relation
// carries.
func (h *Handlers) fillView(p *web.Page, d *caseData) {
	v := d.View
	d.F = map[string]bool{"owner": v.Full()}
	for _, f := range ShareableFields {
		d.F[f] = v.Field(f)
	}
	d.Show = map[string]bool{
		"workflow":       v.Sees(SecWorkflow),
		"person":         v.Sees(SecPerson),
		"identification": v.Sees(SecIdentification),
		"history":        v.Sees(SecProfile) || v.Sees(SecEvents),
		"profile":        v.Sees(SecProfile),
		"events":         v.Sees(SecEvents),
		"narratives":     v.Sees(SecNarratives),
		"consent":        v.Sees(SecConsent),
		"plan":           v.Sees(SecPlan),
		"tasks":          v.Sees(SecTasks),
		"notes":          v.Sees(SecNotes),
		"attachments":    v.Sees(SecAttachments),
		"safety":         v.Sees(SecSafety),
		"flags":          v.Reach(SecSafety) == ReachAll,
		"activity":       v.Sees(SecWorkflow),
	}
	if v.Full() {
		return
	}
	for _, g := range v.Grants() {
		d.Why = append(d.Why, whyRow{Key: "cases.why." + g.Reason, Label: g.Label, Link: g.Link,
			Since: i18n.FormatDate(g.Since)})
	}
	for _, f := range v.Fields() {
		d.Shared = append(d.Shared, p.T("cases.field."+f))
	}
}
