package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// keyrings returns a keyring with k1 only and the same keys plus k2, active: before and
// after a rotation.
func keyrings(t *testing.T) (before, after *secure.Keyring) {
	t.Helper()
	line := func(id string) string {
		k := make([]byte, secure.KeySize)
		if _, err := rand.Read(k); err != nil {
			t.Fatal(err)
		}
		return id + ":" + base64.StdEncoding.EncodeToString(k)
	}
	k1, k2 := line("k1"), line("k2")
	before, err := secure.ParseKeyring([]byte(k1))
	if err != nil {
		t.Fatal(err)
	}
	after, err = secure.ParseKeyring([]byte(k1 + "\nactive " + k2))
	if err != nil {
		t.Fatal(err)
	}
	return before, after
}

var items = EncryptedColumn{Table: "rot_items", IDColumn: "id", Column: "secret",
	AAD: func(id string) string { return "item:" + id + ":secret" }}

// itemsTable creates rot_items with n rows encrypted under kr; every fourth is empty.
func itemsTable(t *testing.T, d *db.DB, kr *secure.Keyring, n int) map[string]string {
	t.Helper()
	ctx := context.Background()
	if _, err := d.Exec(ctx, `CREATE TABLE rot_items (id TEXT PRIMARY KEY, secret TEXT NOT NULL DEFAULT '')`); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("r%03d", i)
		plain := ""
		if i%4 != 3 {
			plain = fmt.Sprintf("secreto número %d", i)
		}
		ct, err := kr.EncryptString(plain, items.AAD(id))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO rot_items (id, secret) VALUES (?, ?)`, id, ct); err != nil {
			t.Fatal(err)
		}
		want[id] = plain
	}
	return want
}

func readItems(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT id, secret FROM rot_items ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, ct string
		if err := rows.Scan(&id, &ct); err != nil {
			t.Fatal(err)
		}
		out[id] = ct
	}
	return out
}

func TestRotateColumn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before, after := keyrings(t)
		want := itemsTable(t, d, before, 23) // 18 values, 5 empty
		var calls []int
		n, err := rotateColumns(ctx, d, after, []EncryptedColumn{items}, 5, func(table, column string, done int) {
			if table != "rot_items" || column != "secret" {
				t.Errorf("progress for %s.%s", table, column)
			}
			calls = append(calls, done)
		})
		if err != nil || n != 18 {
			t.Fatalf("rotate: %d values, %v; want 18", n, err)
		}
		if len(calls) != 5 || calls[len(calls)-1] != 18 {
			t.Errorf("progress calls %v, want 5 batches ending at 18", calls)
		}
		got := readItems(t, d)
		for id, plain := range want {
			ct := got[id]
			if plain == "" {
				if ct != "" {
					t.Errorf("%s: empty value became %q", id, ct)
				}
				continue
			}
			if secure.KeyID(ct) != "k2" {
				t.Errorf("%s: still under %s", id, secure.KeyID(ct))
			}
			if p, err := after.DecryptString(ct, items.AAD(id)); err != nil || p != plain {
				t.Errorf("%s: decrypts to %q, %v", id, p, err)
			}
			// A server that has not restarted yet knows k1 only and cannot read it:
			// the reason for "keys rotate --stage" and a restart before rotating.
			if _, err := before.DecryptString(ct, items.AAD(id)); err == nil {
				t.Errorf("%s: k1-only keyring decrypted a k2 value", id)
			}
		}

		// A second run finds nothing to do and changes nothing.
		calls = nil
		n, err = rotateColumns(ctx, d, after, []EncryptedColumn{items}, 5, func(_, _ string, done int) { calls = append(calls, done) })
		if err != nil || n != 0 {
			t.Fatalf("second rotate: %d values, %v", n, err)
		}
		if len(calls) != 1 || calls[0] != 0 {
			t.Errorf("second run progress %v, want one report of 0", calls)
		}
		for id, ct := range readItems(t, d) {
			if ct != got[id] {
				t.Errorf("%s: rewritten by a run with nothing to do", id)
			}
		}
	})
}

func TestRotateKeepsConcurrentWrites(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before, after := keyrings(t)
		itemsTable(t, d, before, 10)
		// A server still running on the old keyring saves r004 while the batch holding
		// it is being re-encrypted.
		serverValue, _ := before.EncryptString("valor nuevo", items.AAD("r004"))
		rotateHook = func(c EncryptedColumn, ids []string) {
			for _, id := range ids {
				if id == "r004" {
					if _, err := d.Exec(ctx, `UPDATE rot_items SET secret = ? WHERE id = 'r004'`, serverValue); err != nil {
						t.Error(err)
					}
				}
			}
		}
		defer func() { rotateHook = nil }()
		n, err := rotateColumns(ctx, d, after, []EncryptedColumn{items}, 4, nil)
		if err != nil || n != 7 {
			t.Fatalf("rotate: %d values, %v; want 7 (8 filled, one changed meanwhile)", n, err)
		}
		if got := readItems(t, d)["r004"]; got != serverValue {
			t.Fatalf("the server's write was overwritten")
		}
		rotateHook = nil
		// The next run (after the servers restart on the new key) rotates it.
		n, err = rotateColumns(ctx, d, after, []EncryptedColumn{items}, 4, nil)
		if err != nil || n != 1 {
			t.Fatalf("second rotate: %d values, %v; want 1", n, err)
		}
		ct := readItems(t, d)["r004"]
		if p, err := after.DecryptString(ct, items.AAD("r004")); err != nil || p != "valor nuevo" || secure.KeyID(ct) != "k2" {
			t.Fatalf("r004 after the second run: %q %v", p, err)
		}
	})
}

func TestRotateSkipsBadValues(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before, after := keyrings(t)
		itemsTable(t, d, before, 8)
		moved := readItems(t, d)["r001"] // a ciphertext copied onto another row
		for q, args := range map[string][]any{
			`UPDATE rot_items SET secret = ? WHERE id = 'r002'`: {moved},
			`UPDATE rot_items SET secret = ? WHERE id = 'r005'`: {"not a ciphertext"},
		} {
			if _, err := d.Exec(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		n, err := rotateColumns(ctx, d, after, []EncryptedColumn{items}, 3, nil)
		if n != 4 {
			t.Errorf("rotated %d values, want the 4 good ones", n)
		}
		if err == nil || !strings.Contains(err.Error(), "rot_items.secret: 2 values could not be re-encrypted") ||
			!strings.Contains(err.Error(), "r002") {
			t.Fatalf("error %v", err)
		}
		got := readItems(t, d)
		if got["r002"] != moved || got["r005"] != "not a ciphertext" {
			t.Error("bad values were changed")
		}
	})
}

func TestRotateRegisteredColumns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before, after := keyrings(t)
		sys := access.With(ctx, access.System())
		svc := auth.NewService(d, audit.New(d), before)
		ag, err := svc.CreateAgency(sys, &auth.Agency{Code: "alas", Name: "Fundación Alas", Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i := 0; i < 3; i++ {
			u, _, err := svc.CreateUser(sys, &auth.User{Email: fmt.Sprintf("u%d@alas.org.ec", i), Name: fmt.Sprintf("Persona %d", i),
				AgencyID: ag.ID, Roles: []access.Role{access.CaseWorker}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if i < 2 { // the third has no second factor yet
				ct, _ := before.EncryptString("JBSWY3DPEHPK3PX"+fmt.Sprint(i), "user:"+u.ID+":totp")
				if _, err := d.Exec(ctx, `UPDATE users SET totp_secret = ? WHERE id = ?`, ct, u.ID); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, u.ID)
		}
		counts, err := CountByKey(ctx, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		if c := countOf(counts, "users.totp_secret"); c["k1"] != 2 || len(c) != 1 {
			t.Fatalf("before: users.totp_secret %v", c)
		}
		n, err := Rotate(ctx, d, after, 0, nil)
		if err != nil || n != 2 {
			t.Fatalf("rotate: %d, %v", n, err)
		}
		for i, id := range ids[:2] {
			var ct string
			if err := d.QueryRow(ctx, `SELECT totp_secret FROM users WHERE id = ?`, id).Scan(&ct); err != nil {
				t.Fatal(err)
			}
			if p, err := after.DecryptString(ct, "user:"+id+":totp"); err != nil || p != "JBSWY3DPEHPK3PX"+fmt.Sprint(i) || secure.KeyID(ct) != "k2" {
				t.Errorf("user %d: %q %v", i, p, err)
			}
		}
		counts, _ = CountByKey(ctx, d, 0)
		if c := countOf(counts, "users.totp_secret"); c["k2"] != 2 || len(c) != 1 {
			t.Fatalf("after: users.totp_secret %v", c)
		}
		if n, err := Rotate(ctx, d, after, 0, nil); err != nil || n != 0 {
			t.Fatalf("second rotate: %d, %v", n, err)
		}
	})
}

func countOf(counts []KeyCount, col string) map[string]int {
	for _, c := range counts {
		if c.Column.String() == col {
			return c.ByKey
		}
	}
	return nil
}

func TestRegisterEncryptedRefusesMistakes(t *testing.T) {
	aad := func(id string) string { return id }
	for name, c := range map[string]EncryptedColumn{
		"twice":      {Table: "users", IDColumn: "id", Column: "totp_secret", AAD: aad},
		"bad table":  {Table: "users; DROP TABLE users", IDColumn: "id", Column: "x", AAD: aad},
		"no AAD":     {Table: "t", IDColumn: "id", Column: "x"},
		"no id":      {Table: "t", Column: "x", AAD: aad},
		"upper case": {Table: "T", IDColumn: "id", Column: "x", AAD: aad},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			RegisterEncrypted(c)
		}()
	}
	seen := 0
	for _, c := range EncryptedColumns() {
		if c.Table == "t" || c.Table == "T" || strings.Contains(c.Table, ";") {
			t.Errorf("refused column %s was registered", c)
		}
		if c.String() == "users.totp_secret" {
			seen++
		}
	}
	if seen != 1 {
		t.Errorf("users.totp_secret registered %d times", seen)
	}
}
