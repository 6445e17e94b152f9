package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// installation creates a data folder with a key file (k1), a database and users, two
// of them with a second factor, as a server would have left it, and returns the folder
// and the users' ids.
func installation(t *testing.T) (dir string, totpUsers []string) {
	t.Helper()
	t.Setenv("AMPARO_KEY", "")
	t.Setenv("AMPARO_KEY_FILE", "")
	t.Setenv("AMPARO_DB", "")
	ctx := context.Background()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir = t.TempDir()
	if err := c.Finish(config.WithData); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := app.Open(ctx, c, log)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, c, d, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sys := access.With(ctx, access.System())
	ag, err := a.Auth.CreateAgency(sys, &auth.Agency{Code: "alas", Name: "Fundación Alas", Type: "ngo"})
	if err != nil {
		t.Fatal(err)
	}
	for i, email := range []string{"ana@alas.org.ec", "beto@alas.org.ec", "caro@alas.org.ec"} {
		u, _, err := a.Auth.CreateUser(sys, &auth.User{Email: email, Name: "Persona " + email[:4], AgencyID: ag.ID,
			Roles: []access.Role{access.CaseWorker}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			continue // no second factor yet
		}
		ct, err := a.Keyring.EncryptString("JBSWY3DPEHPK3PXP", "user:"+u.ID+":totp")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB.Exec(ctx, `UPDATE users SET totp_secret = ? WHERE id = ?`, ct, u.ID); err != nil {
			t.Fatal(err)
		}
		totpUsers = append(totpUsers, u.ID)
	}
	return c.DataDir, totpUsers
}

// amparo runs the command line and returns the exit code and both outputs.
func amparo(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// secrets reads the users' TOTP secrets with the key file as it is now, checking each
// names key want and decrypts.
func secrets(t *testing.T, dir string, ids []string, want string) {
	t.Helper()
	kr, err := secure.LoadKeyring(filepath.Join(dir, "amparo.key"))
	if err != nil {
		t.Fatal(err)
	}
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir = dir
	if err := c.Finish(config.WithData); err != nil {
		t.Fatal(err)
	}
	d, err := app.Open(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, id := range ids {
		var ct string
		if err := d.QueryRow(context.Background(), `SELECT totp_secret FROM users WHERE id = ?`, id).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		if p, err := kr.DecryptString(ct, "user:"+id+":totp"); err != nil || p != "JBSWY3DPEHPK3PXP" || secure.KeyID(ct) != want {
			t.Fatalf("user %s: key %s, %q, %v; want key %s", id, secure.KeyID(ct), p, err, want)
		}
	}
}

// hasLine reports whether out has a line that reads want, with runs of spaces as one.
func hasLine(out, want string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.Join(strings.Fields(l), " ") == want {
			return true
		}
	}
	return false
}

func TestKeysStatusAndRotate(t *testing.T) {
	dir, ids := installation(t)

	code, out, errOut := amparo(t, "keys", "status", "--data", dir)
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	// check returns the check value of key id in the key file as it is now.
	check := func(id string) string {
		kr, err := secure.LoadKeyring(filepath.Join(dir, "amparo.key"))
		if err != nil {
			t.Fatal(err)
		}
		return kr.CheckValue(id)
	}
	for _, want := range []string{"k1 active, index 2 " + check("k1"), "users.totp_secret k1 2"} {
		if !hasLine(out, want) {
			t.Errorf("status before: missing %q in\n%s", want, out)
		}
	}

	code, out, errOut = amparo(t, "keys", "rotate", "--data", dir, "--batch", "1")
	if code != 0 {
		t.Fatalf("rotate: %d %s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Key k2 is now the active key", "users.totp_secret: 1\n", "users.totp_secret: 2\n",
		"Done: 2 values re-encrypted with key k2", "Restart every amparo server now"} {
		if !strings.Contains(out, want) {
			t.Errorf("rotate: missing %q in\n%s", want, out)
		}
	}
	secrets(t, dir, ids, "k2")
	info, err := os.Stat(filepath.Join(dir, "amparo.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file after rotation: %v %v", info.Mode(), err)
	}

	code, out, _ = amparo(t, "keys", "status", "--data", dir)
	for _, want := range []string{"k1 index 0 " + check("k1"), "k2 active 2 " + check("k2"), "users.totp_secret k2 2"} {
		if code != 0 || !hasLine(out, want) {
			t.Errorf("status after: missing %q in\n%s", want, out)
		}
	}

	// --finish with nothing to activate is the sweep, and a no-op now.
	code, out, _ = amparo(t, "keys", "rotate", "--finish", "--data", dir)
	if code != 0 || !strings.Contains(out, "Done: 0 values re-encrypted with key k2") || strings.Contains(out, "now the active key") {
		t.Fatalf("sweep: %d\n%s", code, out)
	}

	// Without downtime: stage, (restart), finish.
	code, out, _ = amparo(t, "keys", "rotate", "--stage", "--data", dir)
	if code != 0 || !strings.Contains(out, "Staged key k3") || !strings.Contains(out, "amparo keys rotate --finish") {
		t.Fatalf("stage: %d\n%s", code, out)
	}
	kr, _ := secure.LoadKeyring(filepath.Join(dir, "amparo.key"))
	if kr.ActiveKeyID() != "k2" || !kr.HasKey("k3") {
		t.Fatalf("after stage: %v", kr)
	}
	secrets(t, dir, ids, "k2")
	code, out, _ = amparo(t, "keys", "rotate", "--finish", "--data", dir)
	if code != 0 || !strings.Contains(out, "Key k3 is now the active key") || !strings.Contains(out, "Done: 2 values re-encrypted with key k3") {
		t.Fatalf("finish: %d\n%s", code, out)
	}
	secrets(t, dir, ids, "k3")

	// Every key change is in the audit trail, filed under the CLI.
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir = dir
	_ = c.Finish(config.WithData)
	d, err := app.Open(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	evs, _, err := audit.New(d).List(context.Background(), audit.Filter{RecordType: "key", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if e.Via != "cli" || e.ActorID != "system" {
			t.Errorf("key event %s not filed under the CLI: %+v", e.Action, e)
		}
		got = append(got, e.Action+" "+e.RecordID+" "+e.Detail)
	}
	want := []string{"keys.activate k2 new key added and activated", "keys.rotate k2 rewritten=2",
		"keys.rotate k2 rewritten=0", "keys.stage k3 ", "keys.activate k3 staged key activated", "keys.rotate k3 rewritten=2"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("key events\n got %q\nwant %q", got, want)
	}
	// The database recorded the check value of every key the rotations added.
	rec, err := app.RecordedKeyChecks(context.Background(), d)
	if err != nil || len(rec) != 3 || rec["k1"] != check("k1") || rec["k2"] != check("k2") || rec["k3"] != check("k3") {
		t.Errorf("recorded key checks %v, %v; want k1, k2, k3 of the key file", rec, err)
	}
}

func TestKeysUsage(t *testing.T) {
	dir, _ := installation(t)
	for _, c := range []struct {
		args []string
		code int
		text string
	}{
		{[]string{"keys"}, 2, "want a subcommand"},
		{[]string{"keys", "spin"}, 2, "want a subcommand"},
		{[]string{"keys", "rotate", "--stage", "--finish", "--data", dir}, 2, "separate runs"},
		{[]string{"keys", "rotate", "--batch", "0", "--data", dir}, 2, "--batch 0"},
		{[]string{"keys", "--help"}, 0, "keys rotate --stage"},
		{[]string{"keys", "rotate", "--help"}, 0, "Servers read the key file only when they start"},
	} {
		code, out, errOut := amparo(t, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.text) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s%s", c.args, code, c.code, c.text, out, errOut)
		}
	}
	// Keys given inline cannot be rotated by the command.
	kf, _ := os.ReadFile(filepath.Join(dir, "amparo.key"))
	t.Setenv("AMPARO_KEY", string(kf))
	code, _, errOut := amparo(t, "keys", "rotate", "--data", dir, "--key-file", "")
	if code != 2 || !strings.Contains(errOut, "AMPARO_KEY") {
		t.Errorf("rotate with AMPARO_KEY: %d %s", code, errOut)
	}
	kr, _ := secure.LoadKeyring(filepath.Join(dir, "amparo.key"))
	if len(kr.KeyIDs()) != 1 {
		t.Error("a refused rotation changed the key file")
	}
}
