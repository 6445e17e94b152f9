package app

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
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
	Public bool // anyone, signed in or not
	// SignIn marks the pages of an unfinished sign-in (second factor, forced password
	// change); their handlers check the session stage themselves.
	SignIn bool
	// Any signed-in user when Action is empty; otherwise the user needs a role that
	// may do Action on Resource somewhere (the service then checks the record).
	Action   access.Action
	Resource access.Resource
}

var (
	public   = Access{Public: true}
	signIn   = Access{SignIn: true}
	signedIn = Access{}
)

func perm(a access.Action, r access.Resource) Access { return Access{Action: a, Resource: r} }

// guard wraps a route's handler with its access rule: anonymous callers are sent to
// sign in (401 for the API), half-signed-in browsers to their next step, and roles
// without the permission get 403 (audited).
func (a *App) guard(rt Route) http.Handler {
	h := rt.Raw
	if h == nil {
		h = a.Web.Handle(rt.Handler)
	}
	if rt.Access.Public || rt.Access.SignIn {
		return h
	}
	return a.Web.Handle(func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		sub := access.From(ctx)
		if sub == nil {
			if sess, _ := auth.SessionFrom(ctx); sess != nil && !web.WantsJSON(r) {
				http.Redirect(w, r, auth.StagePath(sess.Stage), http.StatusSeeOther)
				return nil
			}
			return errs.Unauthenticated()
		}
		if rt.Access.Action != "" && !sub.Can(rt.Access.Action, rt.Access.Resource) {
			_ = a.Audit.Record(ctx, audit.Event{Action: "access.denied", RecordType: "route",
				Outcome: audit.OutcomeDenied, Detail: rt.Pattern})
			return errs.Forbidden()
		}
		h.ServeHTTP(w, r)
		return nil
	})
}
