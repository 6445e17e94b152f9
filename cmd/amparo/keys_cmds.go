package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

func init() {
	register("keys", "field-encryption keys: keys status, keys rotate", cmdKeys)
}

const keysUsage = `Usage: amparo keys status [--db URL] [--data DIR] [--key-file PATH]
       amparo keys rotate [--stage | --finish] [--batch N] [--db URL] [--data DIR] [--key-file PATH]`

// rotateHelp explains rotation; it is printed with the flags of "keys rotate --help".
const rotateHelp = `
Rotation gives the personal data a new master key. It adds the key to the key file,
makes it the active key and re-encrypts every encrypted column with it, a batch of rows
per transaction, while the servers keep running. Old keys stay in the file: every value
names its key, so nothing becomes unreadable. "amparo keys status" shows how many values
each key still encrypts.

Servers read the key file only when they start. Until it restarts, a server cannot
decrypt values re-encrypted with a key it has not loaded, and it keeps encrypting new
data with the key that was active when it started. So:

  One server, or when a short stop is acceptable:
    stop the servers;  amparo keys rotate;  start the servers.

  Without downtime (several servers behind a load balancer):
    1. amparo keys rotate --stage    add the new key, not active yet
    2. restart every server          all of them can now decrypt it
    3. amparo keys rotate --finish   activate it and re-encrypt everything
    4. restart every server          new data is now encrypted with the new key
    5. amparo keys rotate --finish   re-encrypt what servers wrote between 3 and 4

--finish activates the newest key if it is not active yet, then re-encrypts whatever
another key encrypted; run again, it rewrites nothing. The blind indexes keep their key
(see the secure package), so search keeps working.
`

func cmdKeys(ctx context.Context, args []string, out, errOut io.Writer) error {
	sub, rest := splitSubcommand(args)
	switch sub {
	case "status":
		return cmdKeysStatus(ctx, rest, out, errOut)
	case "rotate":
		return cmdKeysRotate(ctx, rest, out, errOut)
	case "help":
		fmt.Fprintln(out, keysUsage)
		fmt.Fprint(out, rotateHelp)
		return flag.ErrHelp
	}
	return usagef("want a subcommand:\n%s", keysUsage)
}

// keysConfig parses the flags shared by the keys subcommands, backup and restore.
func keysConfig(fs *flag.FlagSet, args []string) (*config.Config, error) {
	mask := config.WithData | config.WithDB
	c := config.Register(fs, mask)
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if err := c.Finish(mask); err != nil {
		return nil, err
	}
	c.LogLevel = "warn" // the output is for people; warnings and errors still show
	return c, nil
}

// cmdKeysRotate adds (or stages, or activates) a key and re-encrypts the data with it.
// Exit 0 when every value is under the active key, 1 when some could not be
// re-encrypted (they are left as they were and named), 2 for bad usage.
func cmdKeysRotate(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("keys rotate", "keys rotate [--stage | --finish] [--batch N] [--db URL] [--data DIR] [--key-file PATH]", errOut)
	stage := fs.Bool("stage", false, "only add a new key, not active yet; restart the servers, then run --finish")
	finish := fs.Bool("finish", false, "activate the newest key if it is not active, then re-encrypt with it")
	batch := fs.Int("batch", app.DefaultRotateBatch, "rows per transaction")
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(errOut, rotateHelp) }
	c, err := keysConfig(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *stage && *finish:
		return usagef("--stage and --finish go in separate runs, with a restart of the servers between them")
	case *batch < 1 || *batch > 100000:
		return usagef("--batch %d: give 1 to 100000 rows", *batch)
	case c.Key != "":
		return usagef("the keys come from AMPARO_KEY, which this command cannot edit: put the keys " +
			"in a key file (AMPARO_KEY_FILE, mode 0600) and rotate that, or add a key to AMPARO_KEY by hand")
	}
	before, err := app.LoadKeys(c)
	if err != nil {
		return err
	}
	// Open the database and check the key file against it before touching the file, so
	// a run that cannot reach it, or that holds another database's keys, adds no key.
	d, err := app.Open(ctx, c, app.NewLogger(c, errOut))
	if err != nil {
		return err
	}
	defer d.Close()
	source := app.KeySource(c)
	if err := app.CheckKeys(ctx, d, before, source); err != nil {
		return err
	}
	// recordNew records the check value of a key just added to the file, before any
	// data is written under it: servers and restores then refuse a key file without it.
	recordNew := func(id string) error {
		kr, err := secure.LoadKeyring(c.KeyFile)
		if err != nil {
			return err
		}
		if err := app.RecordKeyCheck(ctx, d, kr, id, source); err != nil {
			return fmt.Errorf("key %s was added to %s but its check value was not recorded (the next start records it): %w", id, c.KeyFile, err)
		}
		return nil
	}
	ctx = cliContext(ctx)
	lg := audit.New(d)

	if *stage {
		id, err := secure.StageKey(c.KeyFile)
		if err != nil {
			return err
		}
		if err := recordNew(id); err != nil {
			return err
		}
		if err := lg.Record(ctx, audit.Event{Action: "keys.stage", RecordType: "key", RecordID: id}); err != nil {
			return fmt.Errorf("key %s was staged but the audit event failed: %w", id, err)
		}
		fmt.Fprintf(out, "Staged key %s in %s; it is not active yet.\n", id, c.KeyFile)
		fmt.Fprintln(out, "Next: restart every amparo server so all of them can decrypt it, then run: amparo keys rotate --finish")
		return nil
	}

	activated, added := "", false
	if *finish {
		kr, err := secure.LoadKeyring(c.KeyFile)
		if err != nil {
			return err
		}
		ids := kr.KeyIDs()
		if newest := ids[len(ids)-1]; newest != kr.ActiveKeyID() {
			if err := secure.ActivateKey(c.KeyFile, newest); err != nil {
				return err
			}
			activated = newest
		}
	} else {
		id, err := secure.AddKey(c.KeyFile)
		if err != nil {
			return err
		}
		if err := recordNew(id); err != nil {
			return err
		}
		activated, added = id, true
	}
	if activated != "" {
		detail := "staged key activated"
		if added {
			detail = "new key added and activated"
		}
		if err := lg.Record(ctx, audit.Event{Action: "keys.activate", RecordType: "key", RecordID: activated, Detail: detail}); err != nil {
			return fmt.Errorf("key %s is active in %s but the audit event failed: %w", activated, c.KeyFile, err)
		}
		fmt.Fprintf(out, "Key %s is now the active key in %s (%s).\n", activated, c.KeyFile, detail)
	}
	kr, err := secure.LoadKeyring(c.KeyFile)
	if err != nil {
		return err
	}
	active := kr.ActiveKeyID()
	n, rerr := reencrypt(ctx, d, kr, *batch, out)
	detail := fmt.Sprintf("rewritten=%d", n)
	if rerr != nil {
		detail += " incomplete"
	}
	if err := lg.Record(ctx, audit.Event{Action: "keys.rotate", RecordType: "key", RecordID: active, Detail: detail}); err != nil {
		fmt.Fprintf(errOut, "amparo keys rotate: warning: the rotation was not recorded in the audit trail: %v\n", err)
	}
	if rerr != nil {
		return rerr
	}
	fmt.Fprintf(out, "Done: %d values re-encrypted with key %s. Old keys stay in the key file.\n", n, active)
	switch {
	case added:
		fmt.Fprintf(out, "Restart every amparo server now: until it restarts, a running server cannot decrypt the values\n"+
			"just re-encrypted with %s, and it keeps encrypting new data with the old key. After the restart, run\n"+
			"amparo keys rotate --finish to re-encrypt what was written in between.\n", active)
	case activated != "":
		fmt.Fprintf(out, "Restart every amparo server so that it encrypts new data with %s, then run\n"+
			"amparo keys rotate --finish once more to re-encrypt what was written in between.\n", active)
	}
	return nil
}

// reencrypt runs the rotation and prints its progress per column.
func reencrypt(ctx context.Context, d *db.DB, kr *secure.Keyring, batch int, out io.Writer) (int, error) {
	fmt.Fprintf(out, "Re-encrypting with key %s, %d rows per transaction:\n", kr.ActiveKeyID(), batch)
	last := map[string]int{}
	return app.Rotate(ctx, d, kr, batch, func(table, column string, done int) {
		name := table + "." + column
		if v, ok := last[name]; ok && v == done {
			return
		}
		last[name] = done
		fmt.Fprintf(out, "  %s: %d\n", name, done)
	})
}
