package referrals

import (
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// mapProvince is one province on the map page: its shape, count and colour, and the
// directory link for it.
type mapProvince struct {
	MapShape
	Count int
	Fill  string
	Link  string
}

// legendItem is one step of the colour scale, with its words.
type legendItem struct {
	Fill  string
	Label string
	Y     int // of its swatch in the map's viewBox (the text sits on the same line)
	TextY int
}

type mapData struct {
	Map       *ProvinceMap
	Provinces []mapProvince // in the order drawn
	Table     []mapProvince // by name
	Legend    []legendItem
	LegendX   int // where the legend is drawn: under the Galápagos inset
	LegendY   int // its heading's baseline
	Covered   int
	Type      string
	TypeLabel string
	Types     []web.Option
	ListLink  string
}

// Map shows how many active services each province has, as a map drawn on the server
// and as a table beside it (the table carries every number; the map only shows them).
func (h *Handlers) Map(w http.ResponseWriter, r *http.Request) error {
	typ := r.URL.Query().Get("type")
	if !cases.In("support", typ) {
		typ = ""
	}
	counts, err := h.Svc.ProvinceCounts(r.Context(), typ)
	if err != nil {
		return err
	}
	m, err := Provinces()
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "referrals.map_title")
	p.Form = web.NewForm(url.Values{"type": {typ}})
	max := 0
	for _, n := range counts {
		if n > max {
			max = n
		}
	}
	classes := MapClasses(max)
	d := &mapData{Map: m, Type: typ, Types: supportOptions(p), Covered: len(ProvincesCovered(counts)), ListLink: "/services"}
	if typ != "" {
		d.TypeLabel = p.T("cases.support." + typ)
		d.ListLink = "/services?type=" + url.QueryEscape(typ)
	}
	for _, s := range m.Shapes {
		v := url.Values{"province": {s.Code}}
		if typ != "" {
			v.Set("type", typ)
		}
		d.Provinces = append(d.Provinces, mapProvince{MapShape: s, Count: counts[s.Code],
			Fill: FillFor(classes, counts[s.Code]), Link: "/services?" + v.Encode()})
	}
	byCode := map[string]mapProvince{}
	for _, mp := range d.Provinces {
		byCode[mp.Code] = mp
	}
	for _, gp := range geo.Provinces() { // in Spanish alphabetical order
		d.Table = append(d.Table, byCode[gp.Code])
	}
	d.LegendX, d.LegendY = m.Inset.X, m.Inset.Y+m.Inset.H+28
	for i, c := range classes {
		y := d.LegendY + 10 + 22*i
		label := p.Num(c.Min)
		if c.Max != c.Min {
			label = p.T("referrals.map_range", "Min", p.Num(c.Min), "Max", p.Num(c.Max))
		}
		d.Legend = append(d.Legend, legendItem{Fill: c.Fill, Label: label, Y: y, TextY: y + 13})
	}
	p.Data = d
	return h.Web.Render(w, r, "referrals/services_map", p)
}
