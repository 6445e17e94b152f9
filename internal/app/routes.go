package app

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// routes is the complete route table. Every route a user can reach is here, with who
// may use it; the route × role test fails on a route it does not know.
func (a *App) routes() []web.Route {
	ah := a.AuthH
	return []web.Route{
		{Pattern: "GET /{$}", Access: web.Public, Handler: a.home},
		{Pattern: "POST /lang", Access: web.Public, Handler: a.setLang},
		{Pattern: "GET /healthz", Access: web.Public, Handler: a.healthz},
		{Pattern: "GET /readyz", Access: web.Public, Handler: a.readyz},
		{Pattern: "GET /metrics", Access: web.Public, Raw: a.Metrics.Handler()},
		{Pattern: "GET /static/", Access: web.Public, Raw: http.HandlerFunc(web.ServeStatic)},
		{Pattern: "GET /geo/cantons", Access: web.Public, Handler: a.Web.CantonOptionsHandler},

		{Pattern: "GET /login", Access: web.Public, Handler: ah.LoginForm},
		{Pattern: "POST /login", Access: web.Public, Handler: ah.Login},
		{Pattern: "POST /logout", Access: web.Public, Handler: ah.Logout},
		{Pattern: "GET /login/mfa", Access: web.SignIn, Handler: ah.MFAForm},
		{Pattern: "POST /login/mfa", Access: web.SignIn, Handler: ah.MFA},
		{Pattern: "GET /login/enrol", Access: web.SignIn, Handler: ah.EnrolForm},
		{Pattern: "POST /login/enrol", Access: web.SignIn, Handler: ah.Enrol},
		{Pattern: "POST /login/recovery-codes", Access: web.SignIn, Handler: ah.DownloadRecoveryCodes},
		{Pattern: "GET /password", Access: web.SignIn, Handler: ah.PasswordForm},
		{Pattern: "POST /password", Access: web.SignIn, Handler: ah.ChangePassword},
		{Pattern: "GET /reset/{token}", Access: web.Public, Handler: ah.ResetForm},
		{Pattern: "POST /reset/{token}", Access: web.Public, Handler: ah.Reset},

		{Pattern: "GET /profile", Access: web.SignedIn, Handler: ah.Profile},
		{Pattern: "POST /profile/tokens", Access: web.Perm(access.Create, access.Token), Handler: ah.CreateToken},
		{Pattern: "POST /profile/tokens/{id}/revoke", Access: web.Perm(access.Delete, access.Token), Handler: ah.RevokeToken},
		{Pattern: "POST /profile/logout-all", Access: web.SignedIn, Handler: ah.LogoutEverywhere},
		{Pattern: "POST /profile/recovery-codes", Access: web.SignedIn, Handler: ah.RegenerateRecoveryCodes},
		{Pattern: "GET /api/v1/me", Access: web.SignedIn, Handler: ah.Me},
	}
}

// nav lists the side-menu entries the signed-in user may use, in menu order.
func (a *App) nav(r *http.Request) []web.NavItem {
	sub := access.From(r.Context())
	home := "/"
	if sub.Can(access.View, access.Case) {
		home = "/work"
	}
	entries := []navEntry{{order: 0, path: home, label: "nav.home"}}
	for _, m := range modules {
		entries = append(entries, m.nav...)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].order < entries[j].order })
	var out []web.NavItem
	for _, e := range entries {
		if e.action == "" || sub.Can(e.action, e.resource) {
			out = append(out, web.NavItem{Path: e.path, LabelKey: e.label})
		}
	}
	return out
}

func (a *App) userView(r *http.Request) *web.UserView {
	u := auth.UserFrom(r.Context())
	if u == nil {
		return nil
	}
	lang := web.LangOf(r)
	v := &web.UserView{ID: u.ID, Name: u.Name, Agency: u.AgencyName}
	for _, role := range u.Roles {
		v.Roles = append(v.Roles, a.Catalog.T(lang, role.LabelKey()))
	}
	return v
}

// home shows the welcome page to visitors and the user's work to signed-in users.
func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	if sess, _ := auth.SessionFrom(r.Context()); sess != nil && sess.Stage != auth.StageFull {
		http.Redirect(w, r, auth.StagePath(sess.Stage), http.StatusSeeOther)
		return nil
	}
	u := auth.UserFrom(r.Context())
	if u == nil {
		return a.Web.Render(w, r, "web/welcome", a.Web.NewPage(r, ""))
	}
	// Case workers and supervisors start from their work: what is due, overdue or waiting.
	if access.From(r.Context()).Can(access.View, access.Case) {
		http.Redirect(w, r, "/work", http.StatusSeeOther)
		return nil
	}
	p := a.Web.NewPage(r, "home.work_title")
	p.Data = map[string]any{"Sections": a.nav(r)}
	return a.Web.Render(w, r, "web/work", p)
}

// setLang stores the language choice in a cookie (and on the account of a signed-in
// user) and goes back to the page.
func (a *App) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	if !i18n.Valid(lang) {
		lang = i18n.Default
	}
	http.SetCookie(w, &http.Cookie{Name: web.LangCookie, Value: lang, Path: "/",
		MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: auth.CookieSecure(r, a.Config.BaseURL, a.Config.TrustProxy)})
	a.AuthH.Language(r, lang)
	http.Redirect(w, r, web.SafeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// readyz answers 200 only when the database can be read and written (db.Ready: on
// SQLite a rate-limited write probe, on PostgreSQL a server that is not read-only).
func (a *App) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ready(ctx); err != nil {
		a.Log.Warn("readyz: database not ready", "err", err.Error())
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database not ready: cannot read or write\n"))
		return nil
	}
	_, err := w.Write([]byte("ready\n"))
	return err
}
