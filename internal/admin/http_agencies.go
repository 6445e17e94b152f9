package admin

import (
	"net/http"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// agencyFilterNames are the query parameters of the agency list.
var agencyFilterNames = []string{"q", "type", "province", "active"}

// agencyRow is one line of the agency list, with the words already chosen.
type agencyRow struct {
	A        *auth.Agency
	Type     string
	Province string
	Canton   string
}

func agencyRowOf(p *web.Page, a *auth.Agency) agencyRow {
	row := agencyRow{A: a, Type: p.T(typeKey(a.Type))}
	if a.ProvinceCode != "" {
		row.Province = provinceName(a.ProvinceCode)
	}
	if a.CantonCode != "" {
		row.Canton = cantonName(a.CantonCode)
	}
	return row
}

// Agencies lists the agencies with search, filters, pages and their user counts.
func (h *Handlers) Agencies(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page := pageOf(q)
	f := auth.AgencyFilter{Q: strings.TrimSpace(q.Get("q")), Active: q.Get("active"),
		Limit: pageSize, Offset: (page - 1) * pageSize}
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	if t := q.Get("type"); auth.ValidAgencyType(t) {
		f.Type = t
	}
	if pr := q.Get("province"); pr != "" {
		if _, ok := geo.ProvinceByCode(pr); ok {
			f.Province = pr
		}
	}
	list, total, err := h.Svc.ListAgencies(r.Context(), f)
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "admin.agencies_title")
	kept := filterValues(q, agencyFilterNames...)
	p.Form = web.NewForm(kept)
	rows := make([]agencyRow, 0, len(list))
	for _, a := range list {
		rows = append(rows, agencyRowOf(p, a))
	}
	p.Data = map[string]any{
		"Rows": rows, "Total": total, "Filtered": len(kept) > 0,
		"Pager":    pager(p, "/admin/agencies", kept, page, total),
		"TypeOpts": typeOptions(p), "ProvinceOpts": web.ProvinceOptions(),
		"ActiveOpts": []web.Option{{Value: "1", Label: p.T("admin.active_f")}, {Value: "0", Label: p.T("admin.inactive_f")}},
		"CanCreate":  can(r, access.Create, access.Agency),
	}
	return h.Web.Render(w, r, "admin/agencies", p)
}
