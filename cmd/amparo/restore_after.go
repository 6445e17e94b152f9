package main

import (
	"context"
	"fmt"
	"io"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
)

// endRestoredAccess ends the sessions, API tokens and reset links the backup still held
// (auth.Service.EndRestoredAccess: what was signed out, revoked or used after the backup
// must not come back) and says so. It needs no keys.
func endRestoredAccess(ctx context.Context, d *db.DB, out io.Writer) error {
	r, err := auth.NewService(d, audit.New(d), nil).EndRestoredAccess(cliContext(ctx))
	if err != nil {
		return fmt.Errorf("restored, but ending the sessions and tokens of the backup failed: %w", err)
	}
	links := "password reset links"
	if r.Resets == 1 {
		links = "password reset link"
	}
	fmt.Fprintf(out, "Access held in the backup ended: %d %s ended, %d %s revoked, %d %s cancelled "+
		"(people sign in again with their passwords and make new API tokens).\n",
		r.Sessions, sessionsWord(r.Sessions), r.Tokens, tokensWord(r.Tokens), r.Resets, links)
	return nil
}

// verifyRestored checks the restored audit trail (hash chain and append-only guards), so
// that a backup someone changed is noticed at the restore, and says what it found. It
// records nothing: "amparo audit verify" run later records its check.
func verifyRestored(ctx context.Context, d *db.DB, out io.Writer) (intact bool, err error) {
	res, err := audit.New(d).Verify(ctx)
	if err != nil {
		return false, fmt.Errorf("restored, but the audit trail could not be checked: %w", err)
	}
	if !res.OK {
		printBroken(out, res)
		return false, nil
	}
	fmt.Fprintf(out, "Audit trail OK: %d events, append-only guards in place.\n", res.Checked)
	return true, nil
}
