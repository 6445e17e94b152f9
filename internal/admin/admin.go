// Package admin holds the administrators' screens: the list, creation and editing of
// users and agencies, the account actions (deactivate, reset the second factor, unlock,
// issue a password reset link, end sessions) and the staff list export. Every rule
// stays in auth.Service; these handlers decode, call the service and render.
package admin

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Templates returns the administration pages for the renderer.
func Templates() web.TemplateSet {
	sub, _ := fs.Sub(templatesFS, "templates")
	return web.TemplateSet{Prefix: "admin", FS: sub}
}

// Handlers serves the administration screens.
type Handlers struct {
	Svc   *auth.Service
	Audit *audit.Log
	Web   *web.Web
	// BaseURL is the public address of the server, for the reset links shown to the
	// administrator; when empty it is derived from the request.
	BaseURL    string
	TrustProxy bool
}

// pageSize is how many rows a list shows per page.
const pageSize = 25

// Routes returns the administration routes with who may use them. The route guard
// checks the permission; the service checks again.
func (h *Handlers) Routes() []web.Route {
	viewU, createU := web.Perm(access.View, access.User), web.Perm(access.Create, access.User)
	updateU, manageU := web.Perm(access.Update, access.User), web.Perm(access.Manage, access.User)
	viewA, createA := web.Perm(access.View, access.Agency), web.Perm(access.Create, access.Agency)
	updateA, manageA := web.Perm(access.Update, access.Agency), web.Perm(access.Manage, access.Agency)
	return []web.Route{
		{Pattern: "GET /admin/users", Access: viewU, Handler: h.Users},
		{Pattern: "GET /admin/users.csv", Access: viewU, Handler: h.UsersCSV},
		{Pattern: "GET /admin/users/new", Access: createU, Handler: h.NewUser},
		{Pattern: "POST /admin/users", Access: createU, Handler: h.CreateUser},
		{Pattern: "GET /admin/users/{id}", Access: viewU, Handler: h.User},
		{Pattern: "POST /admin/users/{id}", Access: updateU, Handler: h.UpdateUser},
		{Pattern: "POST /admin/users/{id}/deactivate", Access: manageU, Handler: h.DeactivateUser},
		{Pattern: "POST /admin/users/{id}/reactivate", Access: manageU, Handler: h.ReactivateUser},
		{Pattern: "POST /admin/users/{id}/reset-2fa", Access: manageU, Handler: h.ResetSecondFactor},
		{Pattern: "POST /admin/users/{id}/unlock", Access: manageU, Handler: h.Unlock},
		{Pattern: "POST /admin/users/{id}/reset-link", Access: manageU, Handler: h.ResetLink},
		{Pattern: "POST /admin/users/{id}/end-sessions", Access: manageU, Handler: h.EndSessions},

		{Pattern: "GET /admin/agencies", Access: viewA, Handler: h.Agencies},
		{Pattern: "GET /admin/agencies/new", Access: createA, Handler: h.NewAgency},
		{Pattern: "POST /admin/agencies", Access: createA, Handler: h.CreateAgency},
		{Pattern: "GET /admin/agencies/{id}", Access: viewA, Handler: h.Agency},
		{Pattern: "POST /admin/agencies/{id}", Access: updateA, Handler: h.UpdateAgency},
		{Pattern: "POST /admin/agencies/{id}/deactivate", Access: manageA, Handler: h.DeactivateAgency},
		{Pattern: "POST /admin/agencies/{id}/reactivate", Access: manageA, Handler: h.ReactivateAgency},
	}
}

// can reports whether the signed-in user may do a on res (to show or hide buttons).
func can(r *http.Request, a access.Action, res access.Resource) bool {
	return access.From(r.Context()).Can(a, res)
}
