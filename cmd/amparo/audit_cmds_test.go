package main

import (
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db"
)

func TestAuditVerify(t *testing.T) {
	dir, _ := installation(t)

	code, out, errOut := amparo(t, "audit", "verify", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "audit trail OK: ") || !strings.HasSuffix(out, " events\n") {
		t.Fatalf("intact: exit %d\n%s%s", code, out, errOut)
	}
	// The check is itself recorded, so the next one checks one event more.
	n := strings.TrimSuffix(strings.TrimPrefix(out, "audit trail OK: "), " events\n")
	_, out, _ = amparo(t, "audit", "verify", "--data", dir)
	if out == "audit trail OK: "+n+" events\n" {
		t.Errorf("the check was not recorded: %s", out)
	}

	// Someone with the database drops the guard and edits event 3.
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir = dir
	_ = c.Finish(config.WithData)
	d, err := db.Open(context.Background(), c.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TRIGGER audit_events_no_update",
		"UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 3"} {
		if _, err := d.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()

	code, out, errOut = amparo(t, "audit", "verify", "--data", dir)
	if code != 1 {
		t.Fatalf("tampered: exit %d, want 1", code)
	}
	if !strings.Contains(out, "audit trail BROKEN at event 3: event 3: hash mismatch (row edited)") ||
		!strings.Contains(out, "2 events before it check out") || !strings.Contains(errOut, "broken") {
		t.Errorf("tampered: output does not name event 3:\n%s%s", out, errOut)
	}

	// A deleted event is named as missing.
	d, _ = db.Open(context.Background(), c.DB)
	if _, err := d.Exec(context.Background(), "DROP TRIGGER audit_events_no_delete"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(context.Background(), "DELETE FROM audit_events WHERE seq IN (2, 3)"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	code, out, _ = amparo(t, "audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(out, "event 2 missing (gap after 1)") {
		t.Errorf("deleted: exit %d\n%s", code, out)
	}
}

func TestAuditUsage(t *testing.T) {
	if code, _, errOut := amparo(t, "audit"); code != 2 || !strings.Contains(errOut, "amparo audit verify") {
		t.Errorf("no subcommand: %d %s", code, errOut)
	}
	if code, out, _ := amparo(t, "audit", "--help"); code != 0 || !strings.Contains(out, "amparo audit verify") {
		t.Errorf("help: %d %s", code, out)
	}
	if code, _, _ := amparo(t, "audit", "verify", "--nope"); code != 2 {
		t.Errorf("bad flag: %d", code)
	}
}
