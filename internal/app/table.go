package app

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/web"
)

// Route is one entry of the route table: the pattern, who may use it and the handler.
// The table is the single list the route × role test walks.
type Route struct {
	Pattern string
	Access  Access
	Handler web.Handler
	Raw     http.Handler // for handlers that are not web.Handler (static, metrics)
}

// Access says who may use a route.
type Access struct {
	Public bool // no sign-in needed
}

// public marks a route anyone may open.
var public = Access{Public: true}

// routes is the complete route table.
func (a *App) routes() []Route {
	return []Route{
		{Pattern: "GET /{$}", Access: public, Handler: a.home},
		{Pattern: "POST /lang", Access: public, Handler: a.setLang},
		{Pattern: "GET /healthz", Access: public, Handler: a.healthz},
		{Pattern: "GET /readyz", Access: public, Handler: a.readyz},
		{Pattern: "GET /metrics", Access: public, Raw: a.Metrics.Handler()},
		{Pattern: "GET /static/", Access: public, Raw: http.HandlerFunc(web.ServeStatic)},
		{Pattern: "GET /geo/cantons", Access: public, Handler: a.Web.CantonOptionsHandler},
	}
}

// guard wraps a route's handler with its access rule.
func (a *App) guard(rt Route) http.Handler {
	if rt.Raw != nil {
		return rt.Raw
	}
	return a.Web.Handle(rt.Handler)
}
