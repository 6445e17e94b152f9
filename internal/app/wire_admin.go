package app

import (
	"github.com/amparo-ec/amparo/internal/admin"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// The administration screens: users and agencies. They use the identity service and
// the audit log built by the app itself, so there is nothing to set up; the handlers
// are made when the routes are, once a.Web exists.
func init() {
	addModule(module{
		name:      "admin",
		templates: admin.Templates,
		routes: func(a *App) []web.Route {
			h := &admin.Handlers{Svc: a.Auth, Audit: a.Audit, Web: a.Web,
				BaseURL: a.Config.BaseURL, TrustProxy: a.Config.TrustProxy}
			return h.Routes()
		},
		nav: []navEntry{
			{order: 90, path: "/admin/users", label: "nav.admin_users", action: access.View, resource: access.User},
			{order: 91, path: "/admin/agencies", label: "nav.admin_agencies", action: access.View, resource: access.Agency},
		},
	})
}
