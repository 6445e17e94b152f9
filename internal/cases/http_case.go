package cases

import (
	"context"
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// section is one part of the case page, listed in its table of contents.
type section struct {
	ID       string
	LabelKey string
}

// docView is an identity document in words.
type docView struct {
	Type, Number, Country string
}

// consentRow is a consent decision with its date in words.
type consentRow struct {
	Consent
	Date string
}

// caseData is everything the case page shows.
type caseData struct {
	withErrs
	C          *Case
	Name       string
	Status     badge
	Risk       badge
	Age        string
	Place      string
	Identified string
	BirthDate  string
	FollowUp   string
	Est        int // estimated age, when HasEst
	HasEst     bool
	Months     int // duration of the exploitation, when HasMonths
	HasMonths  bool
	Country    string
	Agency     string // identifying agency
	Nations    []string
	Languages  []string
	Documents  []docView
	Consents   []consentRow
	Current    []consentRow
	History    []HistoryEntry
	Approvals  []Approval
	Pending    []Approval
	Moves      []web.Option
	Staff      []web.Option
	Options    map[string][]web.Option
	Sections   []section
	Me         string
	Active     string // the section whose form failed
	CanUpdate  bool
	CanApprove bool
	CanManage  bool
	CanExport  bool
	CanRefer   bool // may send referrals of this case (the referral service checks consent)
	Closed     bool
	// What the case may ask for now.
	AskScreening, AskPlan, AskClosure bool
	// The parts written by the other case services.
	Services    []serviceRow
	Tasks       []taskRow
	OpenTasks   int
	Notes       []noteRow
	SafetyPlan  []string // lines
	Attachments []attachmentRow
	Flags       []Flag
	OldFlags    []Flag
	Events      []eventRow
	Today       string
	Links       []CaseLink // connections with other institutions' cases (duplicate_views.go)
}

// Case shows a case: header with the main actions, then its parts as sections.
func (h *Handlers) Case(w http.ResponseWriter, r *http.Request) error {
	p, _, err := h.casePage(r, r.PathValue("id"), nil)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, "cases/case", p)
}

// casePage builds the case page; values are what a failed action form submitted.
func (h *Handlers) casePage(r *http.Request, id string, values url.Values) (*web.Page, *caseData, error) {
	ctx := r.Context()
	c, err := h.Svc.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	p := h.Web.NewPage(r, "")
	p.Title = c.Number
	v := url.Values{"consent.decided_on": {h.Svc.today()}, "screening_result": {c.TraffickingStatus},
		"event.country": {"ECU"}}
	for k, vs := range values {
		v[k] = vs
	}
	p.Form = web.NewForm(v)
	sub := access.From(ctx)
	rec, err := h.Svc.st.relation(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	d := &caseData{C: c, Name: displayName(p, c), Status: statusBadge(p, c.Status), Risk: riskBadge(p, c.RiskLevel),
		Age: ageLabel(p, c.AgeGroup), Place: placeName(c.Identification.Province, c.Identification.Canton),
		Country: countryName(p, c.Identification.Country), Me: sub.UserID, Closed: c.Status == "closed",
		Identified: isoToDisplay(c.Identification.Date), BirthDate: isoToDisplay(c.Person.BirthDate),
		FollowUp: isoToDisplay(c.NextFollowUp), Today: h.Svc.today(),
		CanUpdate:  sub.Allows(access.Update, access.Case, rec),
		CanApprove: sub.Allows(access.Approve, access.Case, rec),
		CanManage:  sub.Allows(access.Manage, access.Case, rec),
		CanExport:  sub.Allows(access.Export, access.Case, rec),
		CanRefer:   sub.Can(access.Create, access.Referral) && sub.Allows(access.View, access.Case, rec)}
	if err := h.fillCase(ctx, p, d); err != nil {
		return nil, nil, err
	}
	if err := h.fillParts(ctx, p, d); err != nil {
		return nil, nil, err
	}
	if d.Links, err = h.Svc.LinkedCases(ctx, c.ID); err != nil {
		return nil, nil, err
	}
	p.Data = d
	return p, d, nil
}

// fillCase adds the person, consent and workflow parts and the choices of their forms.
func (h *Handlers) fillCase(ctx context.Context, p *web.Page, d *caseData) error {
	c := d.C
	consents, err := h.Svc.Consents(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, k := range consents {
		row := consentRow{Consent: k, Date: isoToDisplay(k.DecidedOn)}
		d.Consents = append(d.Consents, row)
		if k.Current {
			d.Current = append(d.Current, row)
		}
	}
	if d.History, err = h.Svc.History(ctx, c.ID); err != nil {
		return err
	}
	if d.Approvals, err = h.Svc.Approvals(ctx, c.ID); err != nil {
		return err
	}
	pending := map[string]bool{}
	for _, a := range d.Approvals {
		if a.Status == "requested" {
			d.Pending = append(d.Pending, a)
			pending[a.Kind] = true
		}
	}
	if d.CanUpdate {
		d.AskScreening = approvalAllowed("screening", c.Status) && !pending["screening"]
		d.AskPlan = approvalAllowed("plan", c.Status) && !pending["plan"]
		d.AskClosure = approvalAllowed("closure", c.Status) && !pending["closure"]
		for _, to := range moves[c.Status] {
			d.Moves = append(d.Moves, web.Option{Value: to, Label: p.T(LabelKey("status", to))})
		}
	}
	if d.CanManage || d.CanUpdate {
		if d.Staff, err = h.staffOptions(ctx, c.AgencyID); err != nil {
			return err
		}
	}
	if c.IdentifyingAgency != "" {
		d.Agency = c.AgencyName
		if c.IdentifyingAgency != c.AgencyID {
			if name := h.Auth.AgencyName(ctx, c.IdentifyingAgency); name != "" {
				d.Agency = name
			}
		}
	}
	if e := c.Person.EstimatedAge; e != nil {
		d.Est, d.HasEst = *e, true
	}
	if m := c.DurationMonths; m != nil {
		d.Months, d.HasMonths = *m, true
	}
	for _, n := range c.Person.Nationalities {
		d.Nations = append(d.Nations, countryName(p, n))
	}
	for _, l := range c.Person.Languages {
		d.Languages = append(d.Languages, languageName(p, l))
	}
	for _, doc := range c.Person.Documents {
		v := docView{Type: p.T(LabelKey("document", doc.Type)), Number: doc.Number}
		if doc.Country != "" {
			v.Country = countryName(p, doc.Country)
		}
		d.Documents = append(d.Documents, v)
	}
	d.Options = map[string][]web.Option{
		"purpose": vocabOptions(p, "purpose"), "giver": vocabOptions(p, "giver"), "method": vocabOptions(p, "method"),
		"consent": {{Value: "given", Label: p.T(LabelKey("consent", "given"))},
			{Value: "refused", Label: p.T(LabelKey("consent", "refused"))}},
		"closure": vocabOptions(p, "closure"), "trafficking_status": vocabOptions(p, "trafficking_status"),
		"support": vocabOptions(p, "support"), "risk": vocabOptions(p, "risk"), "flag": vocabOptions(p, "flag"),
		"event": vocabOptions(p, "event"),
	}
	if d.CanUpdate {
		if d.Options["agencies"], err = h.agencyOptions(ctx); err != nil {
			return err
		}
		d.Options["countries"] = countryOptions(p)
	}
	d.Sections = []section{{"workflow", "cases.sec_workflow"}, {"person", "cases.sec_person"},
		{"identification", "cases.sec_identification"}, {"history", "cases.sec_history"},
		{"consent", "cases.sec_consent"}, {"plan", "cases.sec_plan"}, {"tasks", "cases.sec_tasks"},
		{"notes", "cases.sec_notes"}, {"attachments", "cases.sec_attachments"}, {"safety", "cases.sec_safety"},
		{"activity", "cases.sec_activity"}}
	return nil
}

// languageName is a language's name when the catalog knows it, else its code.
func languageName(p *web.Page, code string) string {
	for _, l := range commonLanguages {
		if l == code {
			return p.T("cases.lang." + code)
		}
	}
	return code
}
