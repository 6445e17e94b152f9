package admin

import (
	"context"
	"net/url"
	"strconv"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// jurisdictionLevels are the scopes a user may have, in the order the form offers them.
var jurisdictionLevels = []string{"agency", "province", "canton", "national"}

func roleOptions(p *web.Page) []web.Option {
	out := make([]web.Option, 0, len(access.Roles))
	for _, r := range access.Roles {
		out = append(out, web.Option{Value: string(r), Label: p.T(r.LabelKey())})
	}
	return out
}

func levelOptions(p *web.Page) []web.Option {
	out := make([]web.Option, 0, len(jurisdictionLevels))
	for _, l := range jurisdictionLevels {
		out = append(out, web.Option{Value: l, Label: p.T("admin.level_" + l)})
	}
	return out
}

func langOptions(p *web.Page) []web.Option {
	out := make([]web.Option, 0, len(i18n.Langs))
	for _, l := range i18n.Langs {
		out = append(out, web.Option{Value: l, Label: p.T("app.lang_" + l)})
	}
	return out
}

func typeOptions(p *web.Page) []web.Option {
	out := make([]web.Option, 0, len(auth.AgencyTypes))
	for _, t := range auth.AgencyTypes {
		out = append(out, web.Option{Value: t, Label: p.T(typeKey(t))})
	}
	return out
}

// typeKey is the catalog key of an agency type's name.
func typeKey(t string) string { return "agencies.type_" + t }

// agencyOptions lists the active agencies for a select, plus keep (the agency a user
// already belongs to) when it is no longer active, so an edit form does not lose it.
func (h *Handlers) agencyOptions(ctx context.Context, keep string) ([]web.Option, error) {
	list, err := h.Svc.AllAgencies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Option, 0, len(list)+1)
	found := keep == ""
	for _, a := range list {
		out = append(out, web.Option{Value: a.ID, Label: a.Name})
		found = found || a.ID == keep
	}
	if !found {
		if a, err := h.Svc.Agency(ctx, keep); err == nil {
			out = append(out, web.Option{Value: a.ID, Label: a.Name})
		}
	}
	return out, nil
}

// allAgencies lists every agency, active or not, for list filters.
func (h *Handlers) allAgencies(ctx context.Context) ([]*auth.Agency, error) {
	var out []*auth.Agency
	for off := 0; ; off += 500 {
		page, total, err := h.Svc.ListAgencies(ctx, auth.AgencyFilter{Limit: 500, Offset: off})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || off+len(page) >= total {
			return out, nil
		}
	}
}

// jurisdictionLabel describes a user's scope in words: "Nacional", "Provincia:
// Pichincha", "Cantón: Quito" or "Solo su institución".
func jurisdictionLabel(p *web.Page, level, code string) string {
	switch level {
	case "province":
		if pr, ok := geo.ProvinceByCode(code); ok {
			return p.T("admin.level_province") + ": " + pr.Name
		}
	case "canton":
		if c, ok := geo.CantonByCode(code); ok {
			return p.T("admin.level_canton") + ": " + c.Name
		}
	case "national", "agency":
		return p.T("admin.level_" + level)
	}
	return level + " " + code
}

func provinceName(code string) string {
	if pr, ok := geo.ProvinceByCode(code); ok {
		return pr.Name
	}
	return code
}

func cantonName(code string) string {
	if c, ok := geo.CantonByCode(code); ok {
		return c.Name
	}
	return code
}

// pageOf reads the 1-based page number from the query.
func pageOf(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 || n > 100000 {
		return 1
	}
	return n
}

// pager builds the data of the "pager" partial; links keep every filter of q.
func pager(p *web.Page, path string, q url.Values, page, total int) map[string]any {
	pages := (total + pageSize - 1) / pageSize
	if pages < 1 {
		pages = 1
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page" {
				v[k] = vs
			}
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
		d["Prev"] = link(min(page-1, pages))
	}
	if page < pages {
		d["Next"] = link(page + 1)
	}
	return d
}

// filterValues keeps only the named, non-empty query values (for the filter form and
// the links that carry the filters).
func filterValues(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if v := q.Get(n); v != "" {
			out.Set(n, v)
		}
	}
	return out
}
