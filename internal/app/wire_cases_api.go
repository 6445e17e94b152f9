package app

import (
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// The JSON API of cases under /api/v1 (docs/API.md). It uses the case service the
// "cases" module builds, so it only adds routes.
func init() {
	addModule(module{
		name: "cases_api",
		routes: func(a *App) []web.Route {
			return append(cases.APIRoutes(a.Cases, a.Web), cases.DuplicateAPIRoutes(a.Cases, a.Web)...)
		},
	})
}
