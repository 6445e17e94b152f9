package app_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// randomKeyring returns a keyring of fresh random keys with the given IDs.
func randomKeyring(t *testing.T, ids ...string) *secure.Keyring {
	t.Helper()
	var text strings.Builder
	for _, id := range ids {
		key := make([]byte, secure.KeySize)
		_, _ = rand.Read(key)
		text.WriteString(id + ":" + base64.StdEncoding.EncodeToString(key) + "\n")
	}
	kr, err := secure.ParseKeyring([]byte(text.String()))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// wantRefusal fails unless err is a one-line configuration error holding every want.
func wantRefusal(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	if err == nil || !config.IsConfigError(err) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("%s: %v, want a one-line configuration error (exit 2)", what, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %q does not mention %q", what, err, w)
		}
	}
}

// TestKeyCheck: the database records the check value of its keys at the first start and
// refuses another key of the same ID, a missing key, and (on a database from before
// check values) a key that decrypts none of the data written under it.
func TestKeyCheck(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			ctx := context.Background()
			rec, err := app.RecordedKeyChecks(ctx, ta.DB)
			if err != nil || len(rec) != 1 || rec["k1"] != ta.Keyring.CheckValue("k1") {
				t.Fatalf("after the first start: recorded %v, %v; want k1 = %s", rec, err, ta.Keyring.CheckValue("k1"))
			}
			if err := app.CheckKeys(ctx, ta.DB, ta.Keyring, "key file right.key"); err != nil {
				t.Fatalf("the right keys refused: %v", err)
			}
			wrong := randomKeyring(t, "k1")
			wantRefusal(t, "another k1", app.CheckKeys(ctx, ta.DB, wrong, "key file wrong.key"),
				"key file wrong.key is not the key file of this database", "key k1", wrong.CheckValue("k1"), rec["k1"])
			wantRefusal(t, "k1 missing", app.CheckKeys(ctx, ta.DB, randomKeyring(t, "k7"), "AMPARO_KEY"),
				"AMPARO_KEY lacks key k1", rec["k1"])

			// A database from before check values: data under k1, nothing recorded.
			ag := ta.createAgency(t, "alas")
			u := ta.createUser(t, ag.ID, access.CaseWorker, "ana@alas.org.ec")
			ct, err := ta.Keyring.EncryptString("JBSWY3DPEHPK3PXP", "user:"+u.ID+":totp")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ta.DB.Exec(ctx, `UPDATE users SET totp_secret = ? WHERE id = ?`, ct, u.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := ta.DB.Exec(ctx, `DELETE FROM app_meta WHERE key = 'key_check:k1'`); err != nil {
				t.Fatal(err)
			}
			wantRefusal(t, "old database, wrong key", app.CheckKeys(ctx, ta.DB, wrong, "key file wrong.key"),
				"key file wrong.key is not the key file of this database", "decrypts none of 1 values of users.totp_secret")
			if rec, _ := app.RecordedKeyChecks(ctx, ta.DB); len(rec) != 0 {
				t.Fatalf("a refused key was recorded: %v", rec)
			}
			// The right key decrypts the sample and is recorded; a staged key with no
			// data yet is recorded as it is.
			staged, err := secure.ParseKeyring([]byte(keyringText(t, ta) + "\n" + "k2:" + newKeyB64()))
			if err != nil {
				t.Fatal(err)
			}
			if err := app.CheckKeys(ctx, ta.DB, staged, "key file right.key"); err != nil {
				t.Fatalf("old database, right key: %v", err)
			}
			rec, _ = app.RecordedKeyChecks(ctx, ta.DB)
			if len(rec) != 2 || rec["k1"] != staged.CheckValue("k1") || rec["k2"] != staged.CheckValue("k2") {
				t.Errorf("recorded %v, want k1 and k2", rec)
			}
		})
	}
}

// keyringText reads the test app's key file.
func keyringText(t *testing.T, ta *testApp) string {
	t.Helper()
	b, err := os.ReadFile(ta.Config.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newKeyB64() string {
	key := make([]byte, secure.KeySize)
	_, _ = rand.Read(key)
	return base64.StdEncoding.EncodeToString(key)
}
