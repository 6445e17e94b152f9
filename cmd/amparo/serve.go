package main

import (
	"context"
	"fmt"
	"io"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/config"
)

func init() {
	register("serve", "run the web server (SQLite or PostgreSQL)", cmdServe)
	register("migrate", "apply database migrations and exit", cmdMigrate)
	register("version", "print the version", cmdVersion)
}

func cmdServe(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("serve", "serve [--addr HOST:PORT] [--db URL] [--data DIR]", errOut)
	mask := config.WithAddr | config.WithData | config.WithDB | config.WithServer
	c := config.Register(fs, mask)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := c.Finish(mask); err != nil {
		return err
	}
	return serve(ctx, c, out, errOut, nil)
}

// serve opens everything, listens and runs until ctx ends. before runs after the
// database is ready and before listening (the demo loads its data there).
func serve(ctx context.Context, c *config.Config, out, errOut io.Writer,
	before func(ctx context.Context, a *app.App) error) error {
	log := app.NewLogger(c, errOut)
	ln, err := c.Listen()
	if err != nil {
		return err
	}
	defer ln.Close()
	d, err := app.Open(ctx, c, log)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, c, d, log)
	if err != nil {
		d.Close()
		return err
	}
	defer a.Close()
	if before != nil {
		if err := before(ctx, a); err != nil {
			return err
		}
	}
	log.Info("amparo listening", "addr", ln.Addr().String(), "version", app.Version)
	fmt.Fprintf(out, "Amparo is running at http://%s/  (Ctrl+C to stop)\n", ln.Addr().String())
	if err := a.Serve(ctx, ln); err != nil {
		return err
	}
	log.Info("amparo stopped")
	return nil
}

func cmdMigrate(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("migrate", "migrate [--db URL] [--data DIR]", errOut)
	mask := config.WithData | config.WithDB
	c := config.Register(fs, mask)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := c.Finish(mask); err != nil {
		return err
	}
	d, err := app.Open(ctx, c, app.NewLogger(c, errOut))
	if err != nil {
		return err
	}
	defer d.Close()
	cur, _, err := d.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "database is at schema version %d\n", cur)
	return nil
}

func cmdVersion(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("version", "version", errOut)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(out, "amparo %s\n", app.Version)
	return nil
}
