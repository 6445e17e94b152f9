package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/amparo-ec/amparo/internal/app"
)

// cmdKeysStatus prints the keys, the active and index ones, and how many values of each
// encrypted column each key encrypts.
func cmdKeysStatus(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("keys status", "keys status [--db URL] [--data DIR] [--key-file PATH]", errOut)
	c, err := keysConfig(fs, args)
	if err != nil {
		return err
	}
	kr, err := app.LoadKeys(c)
	if err != nil {
		return err
	}
	d, err := app.Open(ctx, c, app.NewLogger(c, errOut))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := app.CheckKeys(ctx, d, kr, app.KeySource(c)); err != nil {
		return err
	}
	counts, err := app.CountByKey(ctx, d, 0)
	if err != nil {
		return err
	}
	source := "key file " + c.KeyFile
	if c.Key != "" {
		source = "AMPARO_KEY"
	}
	fmt.Fprintf(out, "Keys (from %s), oldest first:\n", source)
	uses := map[string]int{}
	for _, kc := range counts {
		for id, n := range kc.ByKey {
			uses[id] += n
		}
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  KEY\tROLE\tVALUES\tCHECK")
	for _, id := range kr.KeyIDs() {
		role := ""
		switch {
		case id == kr.ActiveKeyID() && id == kr.IndexKeyID():
			role = "active, index"
		case id == kr.ActiveKeyID():
			role = "active"
		case id == kr.IndexKeyID():
			role = "index"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", id, role, uses[id], kr.CheckValue(id))
	}
	tw.Flush()
	fmt.Fprintln(out, "The database recorded these check values: this key file is the one that belongs to it.")

	fmt.Fprintln(out, "\nValues per encrypted column and key:")
	tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  COLUMN\tKEY\tVALUES")
	stale, unreadable := 0, 0
	for _, kc := range counts {
		if len(kc.ByKey) == 0 {
			fmt.Fprintf(tw, "  %s\t-\t0\n", kc.Column)
			continue
		}
		ids := make([]string, 0, len(kc.ByKey))
		for id := range kc.ByKey {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			n, label := kc.ByKey[id], id
			switch {
			case id == "":
				label, unreadable = "(not a ciphertext)", unreadable+n
			case !kr.HasKey(id):
				label, unreadable = id+" (MISSING from the keys)", unreadable+n
			case id != kr.ActiveKeyID():
				stale += n
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\n", kc.Column, label, n)
		}
	}
	tw.Flush()
	if stale > 0 {
		fmt.Fprintf(out, "\n%d values are not yet under the active key %s: run amparo keys rotate --finish (after restarting the servers if the key was just activated).\n", stale, kr.ActiveKeyID())
	}
	if unreadable > 0 {
		fmt.Fprintf(out, "\n%d values cannot be decrypted with these keys: restore the missing key from a backup of the key file.\n", unreadable)
	}
	return nil
}
