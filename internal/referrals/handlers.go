package referrals

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Templates returns the service-map and referral pages for the renderer.
func Templates() web.TemplateSet {
	sub, _ := fs.Sub(templatesFS, "templates")
	return web.TemplateSet{Prefix: "referrals", FS: sub}
}

// ShelterBeds is a shelter with free beds, as the referral form shows it.
type ShelterBeds struct {
	ShelterID   string
	Name        string
	AgencyID    string // the operator: the institution to refer to
	AgencyName  string
	Province    string
	Canton      string
	Populations []string
	Free        map[string]int // free beds by bed type
	TotalFree   int
}

// BedFinder finds shelters with free beds (the shelters capability, wired by the app),
// so this package does not depend on it.
type BedFinder interface {
	FreeBeds(ctx context.Context, province string) ([]ShelterBeds, error)
}

// Handlers serves the service map and referral screens. They decode, call the services
// and render; every rule, access check and audit event of a referral lives in Service.
type Handlers struct {
	Svc   *Service
	Cases *cases.Service // the case being referred and its consent status
	Auth  *auth.Service  // institutions for the selects
	Beds  BedFinder      // free beds when referring for shelter (may be nil)
	Audit *audit.Log     // export events
	Web   *web.Web
}

// pageSize is how many rows a list page shows.
const pageSize = 25

// can reports whether the signed-in user may do a on res somewhere (to show or hide
// buttons; the service checks again).
func can(r *http.Request, a access.Action, res access.Resource) bool {
	return access.From(r.Context()).Can(a, res)
}

// badge is a coloured label that always carries its text.
type badge struct {
	Class string // badge-ok, badge-warn, badge-err, badge-info or ""
	Label string
}

func statusBadge(p *web.Page, status string) badge {
	class := "badge-info"
	switch status {
	case "accepted", "in_progress":
		class = "badge-ok"
	case "completed":
		class = "badge-ok"
	case "declined", "revoked":
		class = "badge-err"
	case "cancelled":
		class = ""
	}
	return badge{Class: class, Label: p.T("referrals.status." + status)}
}

// consentBadge shows a consent decision ("" when none was recorded).
func consentBadge(p *web.Page, status string) badge {
	switch status {
	case "given":
		return badge{Class: "badge-ok", Label: p.T("referrals.consent.given")}
	case "refused":
		return badge{Class: "badge-err", Label: p.T("referrals.consent.refused")}
	case "withdrawn":
		return badge{Class: "badge-err", Label: p.T("referrals.consent.withdrawn")}
	}
	return badge{Class: "badge-warn", Label: p.T("referrals.consent.none")}
}

// options lists values with their translated labels (prefix + value).
func options(p *web.Page, prefix string, values []string) []web.Option {
	out := make([]web.Option, 0, len(values))
	for _, v := range values {
		out = append(out, web.Option{Value: v, Label: p.T(prefix + v)})
	}
	return out
}

func supportOptions(p *web.Page) []web.Option {
	return options(p, "cases.support.", cases.SupportTypes)
}

// fieldOrder is the order shared fields are shown in: who the person is, then what the
// service needs to know.
var fieldOrder = []string{"case_number", "given_names", "family_names", "sex", "gender", "age_group", "age",
	"birth_date", "nationalities", "languages", "documents", "contact", "guardian", "disability", "risk_level",
	"exploitation", "identification"}

// orderFields sorts field names by fieldOrder (unknown names last, as given).
func orderFields(fields []string) []string {
	out := make([]string, 0, len(fields))
	for _, f := range fieldOrder {
		if oneOf(fields, f) {
			out = append(out, f)
		}
	}
	for _, f := range fields {
		if !oneOf(fieldOrder, f) {
			out = append(out, f)
		}
	}
	return out
}

// supportLabels translates support types in the vocabulary's order.
func supportLabels(p *web.Page, types []string) []string {
	var out []string
	for _, t := range cases.SupportTypes {
		if oneOf(types, t) {
			out = append(out, p.T("cases.support."+t))
		}
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

// agencyOptions lists the active institutions by name, with their type.
func (h *Handlers) agencyOptions(ctx context.Context, p *web.Page, exclude string) ([]web.Option, map[string]*auth.Agency, error) {
	list, err := h.Auth.AllAgencies(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]*auth.Agency{}
	out := make([]web.Option, 0, len(list))
	for _, a := range list {
		byID[a.ID] = a
		if a.ID == exclude {
			continue
		}
		out = append(out, web.Option{Value: a.ID, Label: a.Name + " (" + p.T("agencies.type_"+a.Type) + ")"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, byID, nil
}

// provinceName is a province's name, or "".
func provinceName(code string) string {
	if p, ok := geo.ProvinceByCode(code); ok {
		return p.Name
	}
	return ""
}

// areaName is "Canton (Province)" or "Province".
func areaName(a Area) string {
	name := provinceName(a.Province)
	if c, ok := geo.CantonByCode(a.Canton); ok {
		return c.Name + " (" + name + ")"
	}
	return name
}

// pageOf reads the page number of a list (1 when absent or wrong).
func pageOf(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// pager builds the data of the "pager" partial for a list at path with the filters kept.
func pager(p *web.Page, path string, kept url.Values, page, perPage, total int) map[string]any {
	pages := (total + perPage - 1) / perPage
	if pages < 1 {
		pages = 1
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range kept {
			v[k] = append([]string(nil), vs...)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	d := map[string]any{"P": p, "Page": page, "Pages": pages, "Total": total, "Prev": "", "Next": ""}
	if page > 1 {
		d["Prev"] = link(page - 1)
	}
	if page < pages {
		d["Next"] = link(page + 1)
	}
	return d
}

// kept returns the non-empty values of the named query parameters.
func kept(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if v := q.Get(n); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

// isoToDisplay shows a yyyy-mm-dd date as dd/mm/yyyy.
func isoToDisplay(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006")
}
