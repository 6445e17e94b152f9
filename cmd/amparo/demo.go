package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/config"
)

func init() {
	register("demo", "start Amparo on SQLite with demo data and print the logins", cmdDemo)
}

func cmdDemo(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("demo", "demo [--addr HOST:PORT] [--data DIR]", errOut)
	mask := config.WithAddr | config.WithData | config.WithServer
	c := config.Register(fs, mask)
	if err := parse(fs, args); err != nil {
		return err
	}
	c.DB = "" // the demo always uses SQLite in its data folder
	if err := c.Finish(mask); err != nil {
		return err
	}
	if err := c.EnsureDataDir(); err != nil {
		return err
	}
	return serve(ctx, c, out, errOut, func(ctx context.Context, a *app.App) error {
		logins, err := demo.Load(ctx, a.DB, a.Auth, c.DataDir)
		if err != nil {
			return err
		}
		// Each loader runs once (a marker in app_meta) and is fast on a small machine.
		if err := demo.LoadCases(ctx, a.DB, a.Cases, a.Auth); err != nil {
			return err
		}
		if err := demo.LoadNetwork(ctx, a.DB, a.Referrals, a.Auth); err != nil {
			return err
		}
		if err := demo.LoadReferrals(ctx, a.DB, a.Referrals, a.Cases, a.Auth); err != nil {
			return err
		}
		if err := demo.LoadShelters(ctx, a.DB, a.Shelters, a.Cases, a.Referrals, a.Auth); err != nil {
			return err
		}
		fmt.Fprintf(out, "\nAmparo demo — data in %s (fictitious people and institutions)\n\n", c.DataDir)
		tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tPASSWORD\tROLE\tAGENCY")
		for _, l := range logins {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Email, l.Password, l.Role, l.Agency)
		}
		tw.Flush()
		fmt.Fprintln(out, "\nRoles that see personal data set up an authenticator app (TOTP) at their first sign-in;")
		fmt.Fprintln(out, "coordinacion@, monitoreo@ and gad.ibarra@ sign in with the password alone.")
		return nil
	})
}
