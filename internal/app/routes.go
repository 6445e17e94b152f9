package app

import (
	"context"
	"net/http"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// build creates the services and the route table, then the handler with middleware.
func (a *App) build(ctx context.Context) error {
	r, err := web.NewRenderer(a.Catalog, a.templateSets()...)
	if err != nil {
		return err
	}
	a.Web = &web.Web{Renderer: r, Catalog: a.Catalog, Log: a.Log, LoginPath: "/login"}
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		mux.Handle(rt.Pattern, a.guard(rt))
	}
	a.handler = a.Web.Stack(web.RecordRoute(mux), web.Options{
		TrustProxy: a.Config.TrustProxy,
		Metrics:    a.Metrics,
	})
	return nil
}

func (a *App) templateSets() []web.TemplateSet { return nil }

// home shows the welcome page to visitors.
func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	p := a.Web.NewPage(r, "")
	return a.Web.Render(w, r, "web/welcome", p)
}

// setLang stores the language choice in a cookie and goes back to the page.
func (a *App) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	if !i18n.Valid(lang) {
		lang = i18n.Default
	}
	http.SetCookie(w, &http.Cookie{Name: web.LangCookie, Value: lang, Path: "/",
		MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: web.IsTLS(r, a.Config.TrustProxy)})
	next := web.SafeNext(r.PostFormValue("next"))
	http.Redirect(w, r, next, http.StatusSeeOther)
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
