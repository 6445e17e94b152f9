package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

func init() {
	register("audit", "audit trail tools: audit verify checks the hash chain", cmdAudit)
}

// errBroken makes "amparo audit verify" exit 1 after it has printed the problem.
var errBroken = errors.New("the audit trail is broken; see above")

func cmdAudit(ctx context.Context, args []string, out, errOut io.Writer) error {
	sub, rest := splitSubcommand(args)
	switch sub {
	case "verify":
		return cmdAuditVerify(ctx, rest, out, errOut)
	case "help":
		fmt.Fprintln(out, "Usage: amparo audit verify [--db URL] [--data DIR]")
		return flag.ErrHelp
	}
	return usagef("want a subcommand: amparo audit verify [--db URL] [--data DIR]")
}

// cmdAuditVerify walks the whole chain. Exit 0 and "audit trail OK: N events" when it
// holds; exit 1 naming the first broken or missing event when it does not.
func cmdAuditVerify(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("audit verify", "audit verify [--db URL] [--data DIR]", errOut)
	mask := config.WithData | config.WithDB
	c := config.Register(fs, mask)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := c.Finish(mask); err != nil {
		return err
	}
	c.LogLevel = "warn"
	d, err := app.Open(ctx, c, app.NewLogger(c, errOut))
	if err != nil {
		return err
	}
	defer d.Close()
	res, recErr, err := app.VerifyAuditTrail(cliContext(ctx), d)
	if err != nil {
		return err
	}
	if recErr != nil {
		fmt.Fprintf(errOut, "amparo audit verify: warning: the check was not recorded in the audit trail: %v\n", recErr)
	}
	if res.OK {
		fmt.Fprintf(out, "audit trail OK: %d events\n", res.Checked)
		return nil
	}
	printBroken(out, res)
	return errBroken
}

// printBroken says what is wrong with an audit trail that does not verify: the first
// broken event, or the append-only guards missing from an intact chain.
func printBroken(out io.Writer, res audit.VerifyResult) {
	if res.FirstBadSeq == 0 {
		fmt.Fprintf(out, "audit trail NOT PROTECTED: %s\n", res.Problem)
		fmt.Fprintf(out, "Its %d events check out, but nothing stops an edit. Treat this as a security incident: keep a copy of the database as it is.\n", res.Checked)
		return
	}
	fmt.Fprintf(out, "audit trail BROKEN at event %d: %s\n", res.FirstBadSeq, res.Problem)
	fmt.Fprintf(out, "%d events before it check out. Treat this as a security incident: keep a copy of the database as it is and do not repair it.\n", res.Checked)
}

// splitSubcommand splits "verify --flag" into the subcommand and its arguments; "" when the
// first argument is a flag or missing. -h and --help ask for help.
func splitSubcommand(args []string) (string, []string) {
	if len(args) == 0 {
		return "", nil
	}
	switch args[0] {
	case "-h", "--help", "help":
		return "help", nil
	}
	if len(args[0]) > 0 && args[0][0] == '-' {
		return "", args
	}
	return args[0], args[1:]
}

// cliContext is the context of an administration command: the system subject, and
// request info that files its audit events under the CLI (via "cli", actor "system").
func cliContext(ctx context.Context) context.Context {
	ctx = access.With(ctx, access.System())
	return reqinfo.With(ctx, &reqinfo.Info{Via: "cli", UserID: access.System().UserID})
}
