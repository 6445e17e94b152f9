package shelters

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// detail is the data of the shelter page. Each part is shown only to those who may see
// it: the registry and beds to everyone who may view shelters; assessments, finances
// and the improvement plan to the operator's staff and programme staff; residents to
// the operator's staff only.
type detail struct {
	S              *Shelter
	Status         badge
	Reasons        []string
	Place          string
	LicenceExpires string
	LastAssessed   string
	Populations    []string
	Services       []string
	Beds           []bedRow
	Staff          []staffRow
	StaffTotal     int
	IsOperator     bool

	CanEdit, CanAssess, CanPlan bool
	ShowAssess, ShowResidents   bool
	CanAdmit, CanDischarge      bool

	Residents  []residentRow
	Discharged []residentRow
	Admit      *admitForm

	Assessments []Assessment
	Trend       *trend
	Chart       *chart
	Latest      []domainView
	LatestDate  string
	Finances    []financeRow
	FinanceForm *financeForm
	Actions     []actionRow
	NewAction   *actionForm

	Failed string // the form that was sent and failed, to open it
	Errors []errorLink
}

type bedRow struct {
	Type                 string
	Label                string
	Beds, Occupied, Free int
}

type staffRow struct {
	Label  string
	People int
}

// Shelter shows one shelter.
func (h *Handlers) Shelter(w http.ResponseWriter, r *http.Request) error {
	p := h.Web.NewPage(r, "")
	if err := h.detail(r, p, r.PathValue("id"), "", ""); err != nil {
		return err
	}
	return h.Web.Render(w, r, "shelters/shelter", p)
}

// failPage shows the shelter page again after one of its forms failed: 422 with the
// field errors next to that form's controls and what was typed, or 409 with the
// message (no free bed). Any other error goes to the usual handling.
func (h *Handlers) failPage(w http.ResponseWriter, r *http.Request, form, suffix string, err error) error {
	e, ok := errs.As(err)
	if !ok || (e.Code != errs.CodeInvalid && e.Code != errs.CodeConflict) {
		return err
	}
	p := h.Web.NewPage(r, "")
	p.Form = web.NewForm(r.PostForm)
	status := http.StatusUnprocessableEntity
	if e.Code == errs.CodeConflict {
		status = http.StatusConflict
	}
	p.Form.SetErrors(e.Fields)
	if len(e.Fields) == 0 {
		p.Form.General = append(p.Form.General, e.Key)
	}
	if err := h.detail(r, p, r.PathValue("id"), form, suffix); err != nil {
		return err
	}
	return h.Web.Renderer.Render(w, status, "shelters/shelter", p)
}

// detail fills the page with the shelter; failed names the form that failed (its
// controls' ids end with suffix).
func (h *Handlers) detail(r *http.Request, p *web.Page, id, failed, suffix string) error {
	ctx := r.Context()
	s, err := h.Svc.Get(ctx, id)
	if err != nil {
		return err
	}
	sub := access.From(ctx)
	p.Title = s.Name
	d := &detail{S: s, Status: statusBadge(p, s.Status), Reasons: reasons(p, s.Reasons), Place: placeName(s.Province, s.Canton),
		LicenceExpires: showDate(s.LicenceExpires), LastAssessed: showDate(s.LastAssess), Populations: labels(p, "shelters.population.", sortedLike(Populations, s.Populations)),
		Services:   labels(p, "shelters.service.", sortedLike(SpecialisedServices, s.Services)),
		IsOperator: sub.AgencyID == s.AgencyID, Failed: failed}
	d.Errors = errorLinks(p, suffix)
	for _, t := range BedTypes {
		if n, ok := s.Beds[t]; ok && (n > 0 || s.OccupiedBy[t] > 0) {
			free := max(n-s.OccupiedBy[t], 0)
			d.Beds = append(d.Beds, bedRow{Type: t, Label: p.T("shelters.bed." + t), Beds: n, Occupied: s.OccupiedBy[t], Free: free})
		}
	}
	for _, role := range StaffRoles {
		if n := s.Staff[role]; n > 0 {
			d.Staff = append(d.Staff, staffRow{Label: p.T("shelters.staff." + role), People: n})
			d.StaffTotal += n
		}
	}
	d.CanEdit = may(r, access.Update, access.Shelter, s.AgencyID)
	d.CanAssess = may(r, access.Create, access.ShelterAssessment, s.AgencyID)
	d.CanPlan = may(r, access.Update, access.ShelterAssessment, s.AgencyID)
	d.ShowAssess = may(r, access.View, access.ShelterAssessment, s.AgencyID)
	d.ShowResidents = may(r, access.View, access.ShelterStay, s.AgencyID)
	d.CanAdmit = may(r, access.Create, access.ShelterStay, s.AgencyID)
	d.CanDischarge = may(r, access.Update, access.ShelterStay, s.AgencyID)
	if d.ShowResidents {
		if err := h.residents(r, p, d, failed); err != nil {
			return err
		}
	}
	if d.ShowAssess {
		if err := h.assessmentParts(r, p, d, failed); err != nil {
			return err
		}
	}
	p.Data = d
	return nil
}

// hidden reports whether err only means "not yours to see" (the section is left out).
func hidden(err error) bool {
	c := errs.CodeOf(err)
	return c == errs.CodeForbidden || c == errs.CodeNotFound
}

// assessmentParts loads the capacity assessments, finances and improvement plan.
func (h *Handlers) assessmentParts(r *http.Request, p *web.Page, d *detail, failed string) error {
	ctx := r.Context()
	as, err := h.Svc.Assessments(ctx, d.S.ID)
	if hidden(err) {
		d.ShowAssess = false
		return nil
	}
	if err != nil {
		return err
	}
	d.Assessments = as
	d.Trend, d.Chart = buildTrend(p, as), buildChart(p, as)
	if len(as) > 0 {
		last := as[len(as)-1]
		d.Latest, d.LatestDate = latestRatings(p, last), showDate(last.AssessedOn)
	}
	fs, err := h.Svc.Finances(ctx, d.S.ID)
	if err != nil {
		return err
	}
	for i := len(fs) - 1; i >= 0; i-- { // newest first
		d.Finances = append(d.Finances, financeView(p, fs[i]))
	}
	if d.CanAssess {
		d.FinanceForm = newFinanceForm(p, failed == "finance")
	}
	acts, err := h.Svc.Actions(ctx, d.S.ID)
	if err != nil {
		return err
	}
	today := h.Svc.today()
	for _, a := range acts {
		d.Actions = append(d.Actions, actionView(p, a, today, d.CanPlan, failed == "action-"+a.ID))
	}
	if d.CanPlan {
		d.NewAction = newActionForm(p, nil, failed == "action")
	}
	return nil
}

// sortedLike returns the values of have in the order of list.
func sortedLike(list, have []string) []string {
	pos := map[string]int{}
	for i, v := range list {
		pos[v] = i
	}
	out := append([]string(nil), have...)
	sort.SliceStable(out, func(i, j int) bool { return pos[out[i]] < pos[out[j]] })
	return out
}

// ratingOf reads a 1–4 rating typed in a form ("" is not rated).
func ratingOf(s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 4
}
