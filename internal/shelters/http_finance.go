package shelters

import (
	"net/http"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// financeRow is one period of the finances table, formatted for the page.
type financeRow struct {
	Period                                      string
	Income, Cost, Reserves, Gap, CostPerNight   string
	ReserveMonths, HHI, LargestShare, Occupancy string
	LowReserves, Dependent, Concentrated        bool
	Sources                                     []sourceRow
	Notes                                       string
}

type sourceRow struct {
	Label, Amount, Share string
}

func financeView(p *web.Page, f Finance) financeRow {
	s := f.Sustainability
	row := financeRow{Period: periodName(f.PeriodStart, f.PeriodEnd),
		Income: money(p, s.TotalIncome), Cost: money(p, f.OperatingCost), Reserves: money(p, f.UnrestrictedReserves),
		Gap: money(p, s.FundingGap), ReserveMonths: i18n.FormatNumber(p.Lang, s.ReserveMonths, 1),
		HHI: score(p, s.HHI), LargestShare: percent(p, s.LargestFunderShare), Occupancy: percent(p, s.Occupancy),
		CostPerNight: "$\u00a0" + i18n.FormatNumber(p.Lang, s.CostPerBedNight, 2),
		LowReserves:  s.ReserveMonths < MinReserveMonths, Dependent: s.LargestFunderShare > MaxFunderShare,
		Concentrated: s.HHI > MaxHHI, Notes: f.Notes}
	for _, src := range IncomeSources {
		if v := f.Income[src]; v > 0 {
			sr := sourceRow{Label: p.T("shelters.income." + src), Amount: money(p, v)}
			if s.TotalIncome > 0 {
				sr.Share = percent(p, v/s.TotalIncome)
			}
			row.Sources = append(row.Sources, sr)
		}
	}
	return row
}

// periodName shows a period of whole months as "07–09/2026" (or "11/2025–01/2026"),
// any other as its two dates.
func periodName(start, end string) string {
	a, e1 := time.Parse("2006-01-02", start)
	b, e2 := time.Parse("2006-01-02", end)
	if e1 != nil || e2 != nil || a.Day() != 1 || b.AddDate(0, 0, 1).Day() != 1 {
		return showDate(start) + " – " + showDate(end)
	}
	if a.Year() == b.Year() && a.Month() == b.Month() {
		return a.Format("01/2006")
	}
	if a.Year() == b.Year() {
		return a.Format("01") + "–" + b.Format("01/2006")
	}
	return a.Format("01/2006") + "–" + b.Format("01/2006")
}

// financeForm is the form of one period's figures.
type financeForm struct {
	Open                                                         bool
	Start, End, Largest, Cost, Reserves, Nights, Budget, Secured *web.Field
	Notes                                                        *web.Field
	Income                                                       []*web.Field
	IncomeError                                                  string
}

var financeAmounts = []string{"largest_funder", "operating_cost", "unrestricted_reserves", "standard_budget", "secured_funding"}

func newFinanceForm(p *web.Page, live bool) *financeForm {
	ff := formFields{p: p, live: live}
	num := func(name, label string) *web.Field {
		f := ff.field(name, label, "number", "")
		f.Attrs = `min="0" step="0.01" inputmode="decimal"`
		return f
	}
	f := &financeForm{Open: live,
		Start:    ff.field("period_start", "shelters.period_start", "date", ""),
		End:      ff.field("period_end", "shelters.period_end", "date", ""),
		Largest:  num("largest_funder", "shelters.largest_funder"),
		Cost:     num("operating_cost", "shelters.operating_cost"),
		Reserves: num("unrestricted_reserves", "shelters.unrestricted_reserves"),
		Nights:   ff.field("occupied_bed_nights", "shelters.occupied_bed_nights", "number", ""),
		Budget:   num("standard_budget", "shelters.standard_budget"),
		Secured:  num("secured_funding", "shelters.secured_funding"),
		Notes:    ff.field("notes", "shelters.finance_notes", "textarea", "")}
	f.Start.Required, f.End.Required, f.Cost.Required = true, true, true
	f.Nights.Attrs = `min="0" step="1" inputmode="numeric"`
	f.Largest.HelpKey, f.Reserves.HelpKey = "shelters.largest_funder_help", "shelters.unrestricted_reserves_help"
	f.Nights.HelpKey, f.Budget.HelpKey = "shelters.occupied_bed_nights_help", "shelters.standard_budget_help"
	for _, src := range IncomeSources {
		f.Income = append(f.Income, num("income_"+src, "shelters.income."+src))
	}
	if live {
		f.IncomeError = p.Form.Error("income")
	}
	return f
}

// AddFinance records one period of financial figures. Amounts that are not numbers
// come back as field errors before anything reaches the service; the service's own
// refusals (dates, negative amounts) come back the same way, and nothing is saved.
func (h *Handlers) AddFinance(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	v := r.PostForm
	bad := errs.Fields{}
	in := FinanceInput{PeriodStart: formDate(v.Get("period_start")), PeriodEnd: formDate(v.Get("period_end")),
		Income: map[string]float64{}, Notes: strings.TrimSpace(v.Get("notes"))}
	for _, src := range IncomeSources {
		if n, ok := amount(v.Get("income_" + src)); !ok {
			bad.Add("income_"+src, "shelters.err.amount")
		} else if n != 0 {
			in.Income[src] = n
		}
	}
	dst := []*float64{&in.LargestFunder, &in.OperatingCost, &in.UnrestrictedReserves, &in.StandardBudget, &in.SecuredFunding}
	for i, name := range financeAmounts {
		n, ok := amount(v.Get(name))
		if !ok {
			bad.Add(name, "shelters.err.amount")
		}
		*dst[i] = n
	}
	if n, ok := atoi(v.Get("occupied_bed_nights")); ok {
		in.OccupiedBedNights = n
	} else {
		bad.Add("occupied_bed_nights", "shelters.err.count")
	}
	if len(bad) > 0 { // figures that are not numbers: nothing goes to the service
		if err := h.guard(r, access.Create, access.ShelterAssessment); err != nil {
			return err
		}
		return h.failPage(w, r, "finance", "", bad.Err())
	}
	_, err := h.Svc.AddFinance(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return h.failPage(w, r, "finance", "", err)
	}
	web.Redirect(w, r, "/shelters/"+r.PathValue("id")+"#finances", "ok", "shelters.flash.finance_saved")
	return nil
}
