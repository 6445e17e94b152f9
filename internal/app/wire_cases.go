package app

import (
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// Case management: the service (set up before the capabilities that use it), the
// screens (list, registration, case page, edit, "my work") and their menu entry.
func init() {
	addModule(module{
		name: "cases",
		setup: func(a *App) error {
			a.Cases = cases.NewService(a.DB, a.Audit, a.Keyring, a.Auth)
			return nil
		},
		templates: cases.Templates,
		routes: func(a *App) []web.Route {
			h := cases.NewHandlers(a.Cases, a.Auth, a.Audit, a.Web)
			h.ReferralsOverdue = a.Referrals.OverdueCounts
			return append(h.Routes(), h.DuplicateRoutes()...)
		},
		nav: []navEntry{{order: 10, path: "/cases", label: "nav.cases", action: access.View, resource: access.Case}},
	})
}
