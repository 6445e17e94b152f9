package web

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/geo"
)

// GeoPicker describes a province/canton pair of selects in a form.
type GeoPicker struct {
	Page     *Page
	Province *Field
	Canton   *Field
}

// Geo builds a province/canton picker for the form fields provName and cantonName.
// Without JavaScript the canton list follows the province after "Update list"; with
// htmx it follows at once. With no province chosen, cantons are grouped by province.
func (p *Page) Geo(provName, cantonName string, required bool) *GeoPicker {
	prov := p.Field(provName, "geo.province").Opts(ProvinceOptions())
	can := p.Field(cantonName, "geo.canton").As("select")
	if required {
		prov.Req()
		can.Req()
	}
	can.HelpKey = "geo.canton_help"
	return &GeoPicker{Page: p, Province: prov, Canton: can}
}

// ProvinceOptions lists the 24 provinces for a select.
func ProvinceOptions() []Option {
	ps := geo.Provinces()
	out := make([]Option, 0, len(ps))
	for _, p := range ps {
		out = append(out, Option{Value: p.Code, Label: p.Name})
	}
	return out
}

// CantonGroup is one province's cantons, for <optgroup>.
type CantonGroup struct {
	Label   string
	Options []Option
}

// CantonGroups returns the cantons of province, or every canton grouped by province
// when province is empty or unknown.
func CantonGroups(province string) []CantonGroup {
	if p, ok := geo.ProvinceByCode(province); ok {
		return []CantonGroup{{Label: p.Name, Options: cantonOptions(p.Code)}}
	}
	var out []CantonGroup
	for _, p := range geo.Provinces() {
		out = append(out, CantonGroup{Label: p.Name, Options: cantonOptions(p.Code)})
	}
	return out
}

func cantonOptions(province string) []Option {
	cs := geo.CantonsOf(province)
	out := make([]Option, 0, len(cs))
	for _, c := range cs {
		out = append(out, Option{Value: c.Code, Label: c.Name})
	}
	return out
}

// Groups returns the canton option groups for the picker's current province.
func (g *GeoPicker) Groups() []CantonGroup { return CantonGroups(g.Province.Value) }

// CantonOptionsHandler answers the htmx request of a province select with the
// <option> list of its cantons (GET /geo/cantons?from=FIELD&FIELD=XX, or ?province=XX).
func (wb *Web) CantonOptionsHandler(w http.ResponseWriter, r *http.Request) error {
	p := wb.NewPage(r, "")
	q := r.URL.Query()
	prov := q.Get("province")
	if from := q.Get("from"); from != "" && from != "from" {
		prov = q.Get(from)
	}
	p.Data = map[string]any{"Groups": CantonGroups(prov), "Selected": q.Get("selected")}
	w.Header().Set("Vary", "HX-Request")
	return wb.Renderer.RenderFragment(w, http.StatusOK, "web/geo_options", "content", p)
}
