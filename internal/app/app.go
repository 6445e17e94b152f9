// Package app wires Amparo together: it opens the store, builds the services and
// mounts the routes. cmd/amparo only parses flags and calls into here.
package app

import (
	"context"

	"errors"
	"fmt"
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/secure"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// Version is set at build time with -ldflags "-X .../internal/app.Version=...".
var Version = "dev"

// App is a running Amparo: store, services and HTTP handler.
type App struct {
	Config  *config.Config
	DB      *db.DB
	Log     *slog.Logger
	Catalog *i18n.Catalog
	Web     *web.Web
	Metrics *web.Metrics
	Keyring *secure.Keyring
	Audit   *audit.Log
	Auth    *auth.Service
	AuthH   *auth.Handlers
	Cases   *cases.Service
	// Referrals is the service map and referral service.
	Referrals *referrals.Service
	// Shelters is the shelter registry, stays and assessments service.
	Shelters *shelters.Service
	// DrainTimeout bounds how long Serve waits for requests in flight when stopping
	// (DefaultDrainTimeout when zero).
	DrainTimeout time.Duration
	handler      http.Handler
}

// NewLogger builds the process logger from the configuration.
func NewLogger(c *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Open connects to the database, applies migrations and loads reference data.
func Open(ctx context.Context, c *config.Config, log *slog.Logger) (*db.DB, error) {
	if p := c.SQLitePath(); p != "" {
		if err := c.EnsureDataDir(); err != nil {
			return nil, err
		}
	}
	d, err := db.Open(ctx, c.DB)
	var ro *db.ReadOnlyError
	if errors.As(err, &ro) {
		// Like a data folder that cannot be written: one line naming the file, exit 2.
		return nil, &config.Error{Msg: ro.Error()}
	}
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := geo.Seed(ctx, d); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// New builds the application on an open database.
func New(ctx context.Context, c *config.Config, d *db.DB, log *slog.Logger) (*App, error) {
	if err := i18n.SetZone(c.Timezone); err != nil {
		return nil, fmt.Errorf("app: time zone: %w", err)
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	a := &App{Config: c, DB: d, Log: log, Catalog: cat, Metrics: web.NewMetrics()}
	a.Metrics.Registry.MustRegister(newDBCollector(d))
	if err := a.build(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Handler is the complete HTTP handler with the middleware stack.
func (a *App) Handler() http.Handler { return a.handler }

// DefaultDrainTimeout is how long a stopping server waits for requests in flight.
const DefaultDrainTimeout = 20 * time.Second

// Serve answers HTTP on ln until ctx is cancelled, then lets in-flight requests finish
// for up to DrainTimeout (DefaultDrainTimeout when zero). Connections still open after
// that (a stalled client, a slow download) are cut, the log says how many, and Serve
// returns nil: a stop that had to cut a client is still a clean stop (exit 0).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	conns := &connCounter{}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Go answers oversized headers itself in plain text; below this limit the web
		// stack refuses them first, in the usual shape (web.MaxHeaderBytes).
		MaxHeaderBytes: web.ServerMaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		ConnState:      conns.track,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	hctx, stopHousekeeping := context.WithCancel(ctx)
	defer stopHousekeeping()
	go a.housekeep(hctx, HousekeepingInterval)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	drain := a.DrainTimeout
	if drain <= 0 {
		drain = DefaultDrainTimeout
	}
	a.Log.Info("shutting down: waiting for requests in flight", "drain_limit", drain.String())
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		active, idle := conns.open()
		err = srv.Close()
		a.Log.Warn("shutdown: drain limit reached, cut the connections still open",
			"drain_limit", drain.String(), "connections", active+idle, "active", active, "idle", idle)
	}
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Stderr is where command output for people goes; tests may replace it.
var Stderr io.Writer = os.Stderr
