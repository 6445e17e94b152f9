package app

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// guard wraps a route's handler with its access rule: anonymous callers are sent to
// sign in (401 for the API), half-signed-in browsers to their next step, and roles
// without the permission get 403 (audited).
func (a *App) guard(rt web.Route) http.Handler {
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
