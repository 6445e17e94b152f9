package app

import (
	"context"
	"net/http"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// routes is the complete route table. Every route a user can reach is here, with who
// may use it; the route × role test fails on a route it does not know.
func (a *App) routes() []Route {
	ah := a.AuthH
	return []Route{
		{Pattern: "GET /{$}", Access: public, Handler: a.home},
		{Pattern: "POST /lang", Access: public, Handler: a.setLang},
		{Pattern: "GET /healthz", Access: public, Handler: a.healthz},
		{Pattern: "GET /readyz", Access: public, Handler: a.readyz},
		{Pattern: "GET /metrics", Access: public, Raw: a.Metrics.Handler()},
		{Pattern: "GET /static/", Access: public, Raw: http.HandlerFunc(web.ServeStatic)},
		{Pattern: "GET /geo/cantons", Access: public, Handler: a.Web.CantonOptionsHandler},

		{Pattern: "GET /login", Access: public, Handler: ah.LoginForm},
		{Pattern: "POST /login", Access: public, Handler: ah.Login},
		{Pattern: "POST /logout", Access: public, Handler: ah.Logout},
		{Pattern: "GET /login/mfa", Access: signIn, Handler: ah.MFAForm},
		{Pattern: "POST /login/mfa", Access: signIn, Handler: ah.MFA},
		{Pattern: "GET /login/enrol", Access: signIn, Handler: ah.EnrolForm},
		{Pattern: "POST /login/enrol", Access: signIn, Handler: ah.Enrol},
		{Pattern: "GET /password", Access: signIn, Handler: ah.PasswordForm},
		{Pattern: "POST /password", Access: signIn, Handler: ah.ChangePassword},
		{Pattern: "GET /reset/{token}", Access: public, Handler: ah.ResetForm},
		{Pattern: "POST /reset/{token}", Access: public, Handler: ah.Reset},

		{Pattern: "GET /profile", Access: signedIn, Handler: ah.Profile},
		{Pattern: "POST /profile/tokens", Access: perm(access.Create, access.Token), Handler: ah.CreateToken},
		{Pattern: "POST /profile/tokens/{id}/revoke", Access: perm(access.Delete, access.Token), Handler: ah.RevokeToken},
		{Pattern: "POST /profile/logout-all", Access: signedIn, Handler: ah.LogoutEverywhere},
		{Pattern: "GET /api/v1/me", Access: signedIn, Handler: ah.Me},
	}
}

// navEntries are the side-menu entries; each shows only to roles with its permission.
var navEntries = []struct {
	path, label string
	action      access.Action
	resource    access.Resource
}{
	{"/", "nav.home", "", ""},
}

func (a *App) nav(r *http.Request) []web.NavItem {
	sub := access.From(r.Context())
	var out []web.NavItem
	for _, e := range navEntries {
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
		Secure: web.IsTLS(r, a.Config.TrustProxy)})
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

// readyz answers 200 only when the database answers.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var one int
	err := a.DB.Ping(ctx)
	if err == nil {
		err = a.DB.QueryRow(ctx, "SELECT 1").Scan(&one)
	}
	if err != nil {
		a.Log.Warn("readyz: database unreachable", "err", err.Error())
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return nil
	}
	_, err = w.Write([]byte("ready\n"))
	return err
}
