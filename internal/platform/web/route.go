package web

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/access"
)

// Route is one entry of the route table: the pattern, who may use it and the handler.
// Capability packages return their routes; internal/app mounts them all behind one
// guard, and the route × role test walks the complete table.
type Route struct {
	Pattern string
	Access  Access
	Handler Handler
	Raw     http.Handler // for handlers that are not Handler (static files, metrics)
}

// Access says who may use a route.
type Access struct {
	Public bool // anyone, signed in or not
	// SignIn marks the pages of an unfinished sign-in (second factor, forced password
	// change); their handlers check the session stage themselves.
	SignIn bool
	// Any signed-in user when Action is empty; otherwise the user needs a role that
	// may do Action on Resource somewhere (the service then checks the record itself).
	Action   access.Action
	Resource access.Resource
}

// Access rules used by route tables.
var (
	Public   = Access{Public: true}
	SignIn   = Access{SignIn: true}
	SignedIn = Access{}
)

// Perm is the access rule "a role that may do a on r".
func Perm(a access.Action, r access.Resource) Access { return Access{Action: a, Resource: r} }
