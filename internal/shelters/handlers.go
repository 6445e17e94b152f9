package shelters

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"sort"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Templates returns the shelter pages for the renderer.
func Templates() web.TemplateSet {
	sub, _ := fs.Sub(templatesFS, "templates")
	return web.TemplateSet{Prefix: "shelters", FS: sub}
}

// IncomingReferral is an accepted referral to the user's agency, from which a person
// may be admitted.
type IncomingReferral struct {
	ID         string
	Number     string
	CaseID     string
	CaseNumber string
	FromAgency string
}

// ReferralSource lists the accepted incoming referrals of the user's agency (the
// referrals capability, wired by the app, so this package does not depend on it).
type ReferralSource interface {
	AcceptedIncoming(ctx context.Context) ([]IncomingReferral, error)
}

// Handlers serves the shelter screens. They decode, call the Service and render; every
// rule, access check and audit event lives in the Service.
type Handlers struct {
	Svc       *Service
	Cases     *cases.Service // finding a case by its number, within the user's access
	Auth      *auth.Service  // operators for the registry form
	Referrals ReferralSource // may be nil
	Web       *web.Web
}

// NewHandlers builds the shelter screens.
func NewHandlers(svc *Service, cs *cases.Service, as *auth.Service, refs ReferralSource, w *web.Web) *Handlers {
	return &Handlers{Svc: svc, Cases: cs, Auth: as, Referrals: refs, Web: w}
}

// may reports whether the signed-in user may do a on res for a shelter operated by
// agencyID, to show or hide sections and buttons. The service checks again.
func may(r *http.Request, a access.Action, res access.Resource, agencyID string) bool {
	return allowed(access.From(r.Context()), a, res, agencyID)
}

// guard refuses (403, or 404 for a shelter that does not exist) a user who may not do
// a on res for the shelter of the request, before a handler answers about the input:
// those who may not act learn nothing from validation messages.
func (h *Handlers) guard(r *http.Request, a access.Action, res access.Resource) error {
	s, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !may(r, a, res, s.AgencyID) {
		return errs.Forbidden()
	}
	return nil
}

// badge is a coloured label that always carries its text.
type badge struct {
	Class string // badge-ok, badge-warn, badge-err, badge-info or ""
	Label string
}

// Statuses lists the derived statuses, best first.
var Statuses = []string{StatusFunctioning, StatusNeedsSupport, StatusNotFunctioning, StatusNotAssessed}

func statusBadge(p *web.Page, status string) badge {
	class := ""
	switch status {
	case StatusFunctioning:
		class = "badge-ok"
	case StatusNeedsSupport:
		class = "badge-warn"
	case StatusNotFunctioning:
		class = "badge-err"
	}
	return badge{Class: class, Label: p.T("shelters.status." + status)}
}

func actionBadge(p *web.Page, status string) badge {
	class := "badge-info"
	switch status {
	case "done":
		class = "badge-ok"
	case "dropped":
		class = ""
	}
	return badge{Class: class, Label: p.T("shelters.action_status." + status)}
}

// options lists values with their translated labels (prefix + value).
func options(p *web.Page, prefix string, values []string) []web.Option {
	out := make([]web.Option, 0, len(values))
	for _, v := range values {
		out = append(out, web.Option{Value: v, Label: p.T(prefix + v)})
	}
	return out
}

// labels translates each value (prefix + value).
func labels(p *web.Page, prefix string, values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, p.T(prefix+v))
	}
	return out
}

func domainCodes() []string {
	out := make([]string, 0, len(Domains))
	for _, d := range Domains {
		out = append(out, d.Code)
	}
	return out
}

// placeName is "Canton, Province" (or the province alone).
func placeName(province, canton string) string {
	out := ""
	if c, ok := geo.CantonByCode(canton); ok {
		out = c.Name
	}
	if pr, ok := geo.ProvinceByCode(province); ok {
		if out != "" {
			out += ", "
		}
		out += pr.Name
	}
	return out
}

// showDate turns a stored yyyy-mm-dd into dd/mm/yyyy ("" stays "").
func showDate(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006")
}

// score shows a capacity score (1–4) with two decimals in the page's language.
func score(p *web.Page, v float64) string { return i18n.FormatNumber(p.Lang, v, 2) }

// money shows an amount in US dollars without cents.
func money(p *web.Page, v float64) string { return "$\u00a0" + i18n.FormatNumber(p.Lang, v, 0) }

// percent shows a 0..1 share as a percentage with one decimal.
func percent(p *web.Page, v float64) string { return i18n.FormatNumber(p.Lang, v*100, 1) + " %" }

// reasons translates the reasons of a derived status, with their arguments in the
// page's language: standard and domain codes become their names, numbers are shown
// the local way.
func reasons(p *web.Page, rs []Reason) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		args := make([]any, 0, 2*len(r.Args))
		for k, v := range r.Args {
			switch k {
			case "Standard":
				v = p.T("shelters.std." + toString(v))
			case "Domain":
				v = p.T("shelters.domain." + toString(v))
			case "Score":
				v = score(p, toFloat(v))
			case "Months":
				v = i18n.FormatNumber(p.Lang, toFloat(v), 1)
			case "HHI":
				v = score(p, toFloat(v))
			case "Share":
				v = percent(p, toFloat(v))
			}
			args = append(args, k, v)
		}
		out = append(out, p.T(r.Key, args...))
	}
	return out
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	}
	return 0
}

// agencyOptions lists the active agencies by name (operators of the registry form).
func (h *Handlers) agencyOptions(ctx context.Context) ([]web.Option, error) {
	list, err := h.Auth.AllAgencies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Option, 0, len(list))
	for _, a := range list {
		out = append(out, web.Option{Value: a.ID, Label: a.Name})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, nil
}
