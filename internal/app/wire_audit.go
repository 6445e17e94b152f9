package app

import (
	"github.com/amparo-ec/amparo/internal/audittrail"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// The auditor screens: the event list, "what did this user touch", the CSV export, the
// chain check and the audit API.
func init() {
	addModule(module{
		name:      "audittrail",
		templates: audittrail.Templates,
		routes: func(a *App) []web.Route {
			h := &audittrail.Handlers{Svc: audittrail.NewService(a.Audit, a.Auth), Web: a.Web}
			return h.Routes()
		},
		nav: []navEntry{{order: 80, path: "/audit", label: "nav.audit", action: access.View, resource: access.Audit}},
	})
}
