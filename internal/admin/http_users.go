package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// userFilterNames are the query parameters of the user list (and its CSV export).
var userFilterNames = []string{"q", "agency", "role", "active"}

// userRow is one line of the user list, with the words already chosen.
type userRow struct {
	U            *auth.User
	Roles        string
	Jurisdiction string
	Locked       bool
}

// userFilter turns the query into a service filter. The agency travels as its code,
// so a filtered address reads well and survives a database move; an unknown code
// matches nobody.
func (h *Handlers) userFilter(ctx context.Context, q url.Values) auth.UserFilter {
	f := auth.UserFilter{Q: strings.TrimSpace(q.Get("q")), Active: q.Get("active")}
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	if r := q.Get("role"); access.ValidRole(r) {
		f.Role = r
	}
	if code := q.Get("agency"); code != "" {
		f.AgencyID = "-"
		if a, err := h.Svc.AgencyByCode(ctx, code); err == nil {
			f.AgencyID = a.ID
		}
	}
	return f
}

// Users lists the users with search, filters and pages.
func (h *Handlers) Users(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	page := pageOf(q)
	f := h.userFilter(ctx, q)
	f.Limit, f.Offset = pageSize, (page-1)*pageSize
	users, total, err := h.Svc.ListUsers(ctx, f)
	if err != nil {
		return err
	}
	agencies, err := h.allAgencies(ctx)
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "admin.users_title")
	kept := filterValues(q, userFilterNames...)
	p.Form = web.NewForm(kept)
	rows := make([]userRow, 0, len(users))
	for _, u := range users {
		rows = append(rows, h.row(p, u))
	}
	agencyOpts := make([]web.Option, 0, len(agencies))
	for _, a := range agencies {
		agencyOpts = append(agencyOpts, web.Option{Value: a.Code, Label: a.Name})
	}
	csvURL := "/admin/users.csv"
	if len(kept) > 0 {
		csvURL += "?" + kept.Encode()
	}
	p.Data = map[string]any{
		"Rows": rows, "Total": total, "Filtered": len(kept) > 0,
		"Pager":      pager(p, "/admin/users", kept, page, total),
		"AgencyOpts": agencyOpts, "RoleOpts": roleOptions(p),
		"ActiveOpts": []web.Option{{Value: "1", Label: p.T("admin.active")}, {Value: "0", Label: p.T("admin.inactive")}},
		"CanCreate":  can(r, access.Create, access.User), "CSV": csvURL,
	}
	return h.Web.Render(w, r, "admin/users", p)
}

func (h *Handlers) row(p *web.Page, u *auth.User) userRow {
	names := make([]string, 0, len(u.Roles))
	for _, role := range u.Roles {
		names = append(names, p.T(role.LabelKey()))
	}
	return userRow{U: u, Roles: strings.Join(names, ", "),
		Jurisdiction: jurisdictionLabel(p, u.JurisdictionLevel, u.JurisdictionCode), Locked: h.Svc.IsLocked(u)}
}
