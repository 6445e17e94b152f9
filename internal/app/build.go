package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/secure"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// build creates the services and the route table, then the handler with middleware.
func (a *App) build(ctx context.Context) error {
	kr, err := a.loadKeyring(ctx)
	if err != nil {
		return err
	}
	a.Keyring = kr
	a.Audit = audit.New(a.DB)
	a.Auth = auth.NewService(a.DB, a.Audit, kr)
	a.Auth.IdleTimeout, a.Auth.MaxAge = a.Config.SessionIdle, a.Config.SessionMax
	if a.Config.SMTPAddr != "" {
		a.Auth.Mail = auth.NewMailer(a.Config.SMTPAddr, a.Config.SMTPFrom)
	}

	for _, m := range modules {
		if m.setup != nil {
			if err := m.setup(a); err != nil {
				return fmt.Errorf("app: set up %s: %w", m.name, err)
			}
		}
	}
	r, err := web.NewRenderer(a.Catalog, a.templateSets()...)
	if err != nil {
		return err
	}
	a.Web = &web.Web{Renderer: r, Catalog: a.Catalog, Log: a.Log, LoginPath: "/login",
		User: a.userView, Nav: a.nav, Unavailable: db.IsUnavailable}
	a.AuthH = &auth.Handlers{Svc: a.Auth, Web: a.Web, TrustProxy: a.Config.TrustProxy, BaseURL: a.Config.BaseURL}

	mux := http.NewServeMux()
	for _, rt := range a.Routes() {
		mux.Handle(rt.Pattern, a.guard(rt))
	}
	a.handler = a.Web.Stack(a.Auth.Identify(web.RecordRoute(a.Web.Unmatched(mux)), a.Web.Error), web.Options{
		TrustProxy:    a.Config.TrustProxy,
		SecureCookies: strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Config.BaseURL)), "https://"),
		Metrics:       a.Metrics,
		// Attachments (10 MiB each, encoded in a multipart body) are the only large bodies.
		LargeBodyPrefixes: []string{"/uploads/"},
		LargeBody:         11 << 20,
	})
	return nil
}

func (a *App) templateSets() []web.TemplateSet {
	sets := []web.TemplateSet{auth.Templates()}
	for _, m := range modules {
		if m.templates != nil {
			sets = append(sets, m.templates())
		}
	}
	return sets
}

// Routes is the complete route table: the core routes and every module's.
func (a *App) Routes() []web.Route {
	rs := a.routes()
	for _, m := range modules {
		if m.routes != nil {
			rs = append(rs, m.routes(a)...)
		}
	}
	return rs
}

// loadKeyring reads the field-encryption keys. A missing key file is created only when
// the database holds no users yet (a new installation); otherwise it is an error, since
// a new key could not read the existing data.
func (a *App) loadKeyring(ctx context.Context) (*secure.Keyring, error) {
	c := a.Config
	if c.Key == "" {
		if _, err := os.Stat(c.KeyFile); os.IsNotExist(err) {
			var n int
			if err := a.DB.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
				return nil, err
			}
			if n > 0 {
				return nil, fmt.Errorf("key file %s is missing but the database holds data; restore the key file from your backup (AMPARO_KEY_FILE)", c.KeyFile)
			}
			if err := secure.GenerateKeyFile(c.KeyFile); err != nil {
				return nil, fmt.Errorf("create key file: %w", err)
			}
			a.Log.Warn("created a new field-encryption key file; back it up with the database", "path", c.KeyFile)
		}
	}
	kr, err := LoadKeys(c)
	if err != nil {
		return nil, err
	}
	// A wrong key file is refused here, in one line, not by a 500 on every read.
	if err := CheckKeys(ctx, a.DB, kr, KeySource(c)); err != nil {
		return nil, err
	}
	return kr, nil
}
