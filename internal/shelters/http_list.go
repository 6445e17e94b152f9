package shelters

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// listRow is one line of the shelter list.
type listRow struct {
	ID, Name, Operator, Place string
	Populations               string
	Beds, Occupied, Free      int
	Status                    badge
	LastAssessed              string
}

// sortLink is a sortable column header.
type sortLink struct {
	URL     string
	Current bool
	Label   string
}

// listSorts are the list's sort orders; each sorts by name within equal values.
var listSorts = map[string]func(a, b *Shelter) int{
	"name":     func(a, b *Shelter) int { return 0 },
	"province": func(a, b *Shelter) int { return strings.Compare(placeName(a.Province, ""), placeName(b.Province, "")) },
	"free":     func(a, b *Shelter) int { return b.Free - a.Free },
	"status":   func(a, b *Shelter) int { return statusRank(a.Status) - statusRank(b.Status) },
}

func statusRank(s string) int {
	for i, x := range Statuses {
		if x == s {
			return i
		}
	}
	return len(Statuses)
}

// whom lists the people a shelter takes in, in the vocabulary's order, leaving out the
// nationality groups (the filter and the shelter page have them), so rows stay short.
func whom(pops []string) []string {
	var out []string
	for _, p := range sortedLike(Populations, pops) {
		if p != "nationals" && p != "foreigners" {
			out = append(out, p)
		}
	}
	return out
}

// filterFromQuery reads the list filters from the URL, keeping only known values, and
// returns them with the values kept (for the form and the sort links).
func filterFromQuery(q url.Values) (Filter, url.Values) {
	var f Filter
	kept := url.Values{}
	if p := q.Get("province"); p != "" {
		if _, ok := geo.ProvinceByCode(p); ok {
			f.Province = p
			kept.Set("province", p)
		}
	}
	if v := q.Get("population"); oneOf(Populations, v) {
		f.Population = v
		kept.Set("population", v)
	}
	switch v := q.Get("free"); {
	case v == "any":
		f.FreeOnly = true
		kept.Set("free", v)
	case oneOf(BedTypes, v):
		f.FreeOnly, f.BedType = true, v
		kept.Set("free", v)
	}
	if v := q.Get("status"); oneOf(Statuses, v) {
		f.Status = v
		kept.Set("status", v)
	}
	return f, kept
}

// List shows the shelters with their beds, occupancy and derived status, filtered by
// province, population served, free beds (of a bed type) and status.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, kept := filterFromQuery(q)
	list, err := h.Svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	sortBy := q.Get("sort")
	if _, ok := listSorts[sortBy]; !ok {
		sortBy = "name"
	}
	sort.SliceStable(list, func(i, j int) bool { return listSorts[sortBy](list[i], list[j]) < 0 })

	p := h.Web.NewPage(r, "shelters.list_title")
	p.Form = web.NewForm(kept)
	rows := make([]listRow, 0, len(list))
	for _, s := range list {
		rows = append(rows, listRow{ID: s.ID, Name: s.Name, Operator: s.AgencyName, Place: placeName(s.Province, s.Canton),
			Populations: strings.Join(labels(p, "shelters.population.", whom(s.Populations)), ", "),
			Beds:        s.TotalBeds, Occupied: s.Occupied, Free: s.Free, Status: statusBadge(p, s.Status),
			LastAssessed: showDate(s.LastAssess)})
	}
	sorts := map[string]sortLink{}
	for _, k := range []string{"name", "province", "free", "status"} {
		v := url.Values{}
		for n, vs := range kept {
			v[n] = vs
		}
		if k != "name" {
			v.Set("sort", k)
		}
		u := "/shelters"
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		sorts[k] = sortLink{URL: u, Current: k == sortBy}
	}
	free := []web.Option{{Value: "any", Label: p.T("shelters.free_any_type")}}
	free = append(free, options(p, "shelters.bed.", BedTypes)...)
	p.Data = map[string]any{
		"Rows":      rows,
		"Total":     len(rows),
		"Filtered":  len(kept) > 0,
		"CanCreate": access.From(r.Context()).Can(access.Create, access.Shelter),
		"Sort":      sorts,
		"Options": map[string][]web.Option{
			"province":   web.ProvinceOptions(),
			"population": options(p, "shelters.population.", Populations),
			"free":       free,
			"status":     options(p, "shelters.status.", Statuses),
		},
	}
	return h.Web.Render(w, r, "shelters/list", p)
}
