package cases

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"sort"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Templates returns the case pages for the renderer.
func Templates() web.TemplateSet {
	sub, _ := fs.Sub(templatesFS, "templates")
	return web.TemplateSet{Prefix: "cases", FS: sub}
}

// Handlers serves the case screens. They decode, call the Service and render; every
// rule, access check and audit event lives in the Service.
type Handlers struct {
	Svc   *Service
	Auth  *auth.Service // agencies for consent to referral
	Audit *audit.Log    // the CSV export event
	Web   *web.Web
	// ReferralsOverdue, when set, gives the overdue referral counts (incoming to the
	// user's agency, outgoing from them) for "my work"; the referrals capability
	// provides it, since cases cannot import it.
	ReferralsOverdue func(ctx context.Context) (incoming, outgoing int, err error)
}

// NewHandlers builds the case screens.
func NewHandlers(svc *Service, authSvc *auth.Service, log *audit.Log, w *web.Web) *Handlers {
	return &Handlers{Svc: svc, Auth: authSvc, Audit: log, Web: w}
}

// pageSize is how many cases a list page shows.
const pageSize = 25

// can reports whether the signed-in user may do a on cases somewhere (to show or hide
// buttons; the service checks the record again).
func can(r *http.Request, a access.Action) bool {
	return access.From(r.Context()).Can(a, access.Case)
}

// vocabOptions lists a vocabulary's values with their translated labels.
func vocabOptions(p *web.Page, vocab string) []web.Option {
	vals := Vocabularies[vocab]
	out := make([]web.Option, 0, len(vals))
	for _, v := range vals {
		out = append(out, web.Option{Value: v, Label: p.T(LabelKey(vocab, v))})
	}
	return out
}

// mainCountries are offered first (and as checkboxes for nationality): Ecuador and the
// countries most victims identified in Ecuador come from.
var mainCountries = []string{"ECU", "COL", "VEN", "PER", "CUB", "HTI", "CHN", "DOM"}

// countryOptions lists every country by its name in the page's language.
func countryOptions(p *web.Page) []web.Option {
	list := geo.CountriesByName(p.Lang)
	out := make([]web.Option, 0, len(list))
	for _, c := range list {
		out = append(out, web.Option{Value: c.Code3, Label: c.Name(p.Lang)})
	}
	return out
}

// mainCountryOptions lists mainCountries with their names.
func mainCountryOptions(p *web.Page) []web.Option {
	out := make([]web.Option, 0, len(mainCountries))
	for _, code := range mainCountries {
		if c, ok := geo.CountryByCode(code); ok {
			out = append(out, web.Option{Value: c.Code3, Label: c.Name(p.Lang)})
		}
	}
	return out
}

// countryName is a country's name in the page's language, or the code.
func countryName(p *web.Page, code string) string {
	if c, ok := geo.CountryByCode(code); ok {
		return c.Name(p.Lang)
	}
	return code
}

// placeName is "Canton, Province" for a place in Ecuador.
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

// agencyOptions lists the active agencies by name.
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

// staffOptions lists who cases of the agency may be assigned to.
func (h *Handlers) staffOptions(ctx context.Context, agencyID string) ([]web.Option, error) {
	staff, err := h.Svc.Assignable(ctx, agencyID)
	if err != nil {
		return nil, err
	}
	out := make([]web.Option, 0, len(staff))
	for _, m := range staff {
		out = append(out, web.Option{Value: m.ID, Label: m.Name})
	}
	return out, nil
}

// badge is a coloured label that always carries its text.
type badge struct {
	Class string // badge-ok, badge-warn, badge-err, badge-info or ""
	Label string
}

func statusBadge(p *web.Page, status string) badge {
	class := "badge-info"
	switch status {
	case "assisted", "reintegration", "follow_up":
		class = "badge-ok"
	case "closed":
		class = ""
	}
	return badge{Class: class, Label: p.T(LabelKey("status", status))}
}

func riskBadge(p *web.Page, risk string) badge {
	switch risk {
	case "high":
		return badge{Class: "badge-err", Label: p.T(LabelKey("risk", risk))}
	case "medium":
		return badge{Class: "badge-warn", Label: p.T(LabelKey("risk", risk))}
	case "low":
		return badge{Class: "badge-ok", Label: p.T(LabelKey("risk", risk))}
	}
	return badge{}
}

// ageLabel shows an age group ("9-17 años") or "age unknown".
func ageLabel(p *web.Page, group string) string {
	if group == "" || group == "unknown" {
		return p.T("cases.age_unknown")
	}
	return p.T("cases.age_group_years", "Group", group)
}

// displayName is the person's name, or their first alias, or a placeholder.
func displayName(p *web.Page, c *Case) string {
	if n := c.Person.FullName(); n != "" {
		return n
	}
	if len(c.Person.Aliases) > 0 {
		return c.Person.Aliases[0]
	}
	return p.T("cases.no_name")
}
