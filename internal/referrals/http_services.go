package referrals

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// directoryParams are the query parameters of the directory and of its exports.
var directoryParams = []string{"q", "province", "type", "population", "inactive"}

// directoryFilter reads the directory's filters from the query; values outside the
// vocabularies are dropped, so a mistyped bookmark lists everything instead of failing.
func directoryFilter(r *http.Request, q url.Values) (OfferFilter, url.Values) {
	f := OfferFilter{Q: strings.TrimSpace(q.Get("q")), Province: q.Get("province"), Type: q.Get("type"),
		Population: q.Get("population"), Page: pageOf(q), PerPage: pageSize}
	if utf8.RuneCountInString(f.Q) > 200 {
		f.Q = string([]rune(f.Q)[:200])
	}
	if _, ok := geo.ProvinceByCode(f.Province); !ok {
		f.Province = ""
	}
	if !cases.In("support", f.Type) {
		f.Type = ""
	}
	if !oneOf(Populations, f.Population) {
		f.Population = ""
	}
	if q.Get("inactive") == "1" && can(r, access.Update, access.ServiceMap) {
		f.All = true
	}
	k := url.Values{}
	for name, v := range map[string]string{"q": f.Q, "province": f.Province, "type": f.Type, "population": f.Population} {
		if v != "" {
			k.Set(name, v)
		}
	}
	if f.All {
		k.Set("inactive", "1")
	}
	return f, k
}

// withQuery is path with the values as its query.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// offerRow is one line of the directory, with the words already chosen.
type offerRow struct {
	ID, Name, Agency, Type, Hours string
	Populations, Areas            []string
	AreasShort                    string // the first few places, for the list
	Phone, Email, Contact         string
	Active                        bool
}

func newOfferRow(p *web.Page, o *Offer) offerRow {
	row := offerRow{ID: o.ID, Name: o.Name, Agency: o.AgencyName, Type: p.T("cases.support." + o.SupportType),
		Hours: o.Hours, Phone: o.ContactPhone, Email: o.ContactEmail, Contact: o.ContactName, Active: o.Active}
	// In the vocabulary's order (children first), or one word for everyone.
	if len(o.Populations) == len(Populations) {
		row.Populations = []string{p.T("referrals.populations_all")}
	} else {
		for _, v := range Populations {
			if oneOf(o.Populations, v) {
				row.Populations = append(row.Populations, p.T("referrals.population."+v))
			}
		}
	}
	for _, a := range o.Areas {
		row.Areas = append(row.Areas, areaName(a))
	}
	switch n := len(row.Areas); {
	case n == len(geo.Provinces()) && !hasCanton(o.Areas):
		row.AreasShort = p.T("referrals.areas_all")
	case n > 3:
		row.AreasShort = p.T("referrals.areas_more", "Places", strings.Join(row.Areas[:3], ", "), "Count", n-3)
	default:
		row.AreasShort = strings.Join(row.Areas, ", ")
	}
	return row
}

type directoryData struct {
	Rows      []offerRow
	Total     int
	Filtered  bool
	Pager     map[string]any
	CSV, XLSX string // the exports with the same filters
	MapLink   string
	CanCreate bool
	CanUpdate bool
	Options   map[string][]web.Option
}

// Directory is the searchable service map: filters in the URL, paged, with exports.
func (h *Handlers) Directory(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, k := directoryFilter(r, q)
	list, total, err := h.Svc.Offers(r.Context(), f)
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "referrals.services_title")
	p.Form = web.NewForm(k)
	d := &directoryData{Total: total, Filtered: len(k) > 0, CSV: withQuery("/services.csv", k),
		XLSX: withQuery("/services.xlsx", k), MapLink: withQuery("/services/map", kept(k, "type")), CanCreate: can(r, access.Create, access.ServiceMap), CanUpdate: can(r, access.Update, access.ServiceMap)}
	for _, o := range list {
		d.Rows = append(d.Rows, newOfferRow(p, o))
	}
	d.Pager = pager(p, "/services", k, f.Page, pageSize, total)
	d.Options = map[string][]web.Option{"province": web.ProvinceOptions(), "type": supportOptions(p),
		"population": options(p, "referrals.population.", Populations)}
	p.Data = d
	return h.Web.Render(w, r, "referrals/services", p)
}

// OfferPage shows one entry of the service map.
func (h *Handlers) OfferPage(w http.ResponseWriter, r *http.Request) error {
	o, err := h.Svc.Offer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "referrals.service_title")
	p.Title = o.Name
	p.Data = map[string]any{"Offer": o, "Row": newOfferRow(p, o), "CanUpdate": can(r, access.Update, access.ServiceMap),
		"CanRefer": can(r, access.Create, access.Referral)}
	return h.Web.Render(w, r, "referrals/service", p)
}

func hasCanton(areas []Area) bool {
	for _, a := range areas {
		if a.Canton != "" {
			return true
		}
	}
	return false
}
