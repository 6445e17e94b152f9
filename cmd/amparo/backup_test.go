package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// demoInstallation loads the demo data (as "amparo demo" does) into a new data folder on
// the engine's database and returns the command-line flags that name it.
func demoInstallation(t *testing.T, engine string) []string {
	t.Helper()
	ctx := context.Background()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData|config.WithDB)
	c.DataDir = t.TempDir()
	flags := []string{"--data", c.DataDir}
	if engine == "postgres" {
		c.DB = dbtest.PostgresURL(t)
		flags = append(flags, "--db", c.DB)
	}
	if err := c.Finish(config.WithData | config.WithDB); err != nil {
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
	if _, err := demo.Load(ctx, a.DB, a.Auth, c.DataDir); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadCases(ctx, a.DB, a.Cases, a.Auth); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadNetwork(ctx, a.DB, a.Referrals, a.Auth); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadReferrals(ctx, a.DB, a.Referrals, a.Cases, a.Auth); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadShelters(ctx, a.DB, a.Shelters, a.Cases, a.Referrals, a.Auth); err != nil {
		t.Fatal(err)
	}
	return flags
}

// tableDigests returns, for every table of the database, its row count and a hash of
// its content (rows rendered, sorted and hashed, so no column needs to be orderable).
// The audit trail is read up to event auditUpTo when it is not 0, and its head is left
// out then: a restore appends its own event.
func tableDigests(t *testing.T, url string, auditUpTo int64) map[string]string {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if d.Dialect == db.Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	var tables []string
	rows, err := d.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]string{}
	for _, tbl := range tables {
		q := `SELECT * FROM ` + tbl
		switch {
		case auditUpTo > 0 && tbl == "audit_head":
			continue
		case auditUpTo > 0 && tbl == "audit_events":
			q += fmt.Sprintf(" WHERE seq <= %d", auditUpTo)
		}
		rows, err := d.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		rows.Close()
		sort.Strings(lines)
		h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[tbl] = fmt.Sprintf("%d rows %s", len(lines), hex.EncodeToString(h[:8]))
	}
	return out
}

// dbURL returns the database URL the flags name.
func dbURL(flags []string) string {
	for i, f := range flags {
		if f == "--db" {
			return flags[i+1]
		}
	}
	return "sqlite:" + filepath.Join(flags[1], "amparo.db")
}

// TestBackupRestoreDemo: the demo data, backed up and restored into a new data folder
// (SQLite) or an emptied database (PostgreSQL), has the same rows in every table, an
// audit trail that verifies, and a server on it that decrypts the cases.
func TestBackupRestoreDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole demo")
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			cleanEnv(t)
			src := demoInstallation(t, engine)
			before := tableDigests(t, dbURL(src), 0)
			if before["cases"] == "" || strings.HasPrefix(before["cases"], "0 rows") {
				t.Fatalf("no demo cases: %v", before)
			}
			file := filepath.Join(t.TempDir(), "amparo.backup")
			code, out, errOut := amparo(t, append([]string{"backup", "--out", file}, src...)...)
			keyFile := filepath.Join(src[1], "amparo.key")
			if code != 0 || !strings.Contains(out, "Backup written: "+file) || !strings.Contains(out, "keep a copy of "+keyFile) {
				t.Fatalf("backup: exit %d\n%s\n%s", code, out, errOut)
			}
			raw, _ := os.ReadFile(file)
			key, _ := os.ReadFile(keyFile)
			// The backup holds no key material (nor the key line's base64).
			kr, err := secure.LoadKeyring(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			keyLine := strings.Fields(string(key[strings.Index(string(key), "k1:"):]))[0]
			if strings.Contains(string(raw), strings.TrimPrefix(keyLine, "k1:")) || !strings.Contains(out, kr.CheckValue("k1")) {
				t.Fatalf("the backup holds the key, or the command does not name its check value:\n%s", out)
			}

			// The new place: a fresh folder holding only the key file, copied apart.
			dst := []string{"--data", filepath.Join(t.TempDir(), "restored")}
			if engine == "postgres" {
				dst = append(dst, "--db", dbURL(src))
				emptySchema(t, dbURL(src))
			}
			os.MkdirAll(dst[1], 0o700)
			if err := os.WriteFile(filepath.Join(dst[1], "amparo.key"), key, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s", strings.SplitN(out, "\n", 2)[0])
			start := time.Now()
			code, out, errOut = amparo(t, append([]string{"restore", "--in", file}, dst...)...)
			if code != 0 || !strings.Contains(out, "Restored "+file) || !strings.Contains(out, "holds this database's keys") {
				t.Fatalf("restore: exit %d\n%s\n%s", code, out, errOut)
			}
			t.Logf("restored in %.1f s (migrations and the key check included)", time.Since(start).Seconds())
			// The restore ends the sessions and tokens the backup held (there are none in
			// the demo) and appends one audit event saying so: the trail up to the backup
			// is the same.
			events, err := strconv.ParseInt(strings.Fields(before["audit_events"])[0], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			after := tableDigests(t, dbURL(dst), events)
			if len(after) != len(before)-1 || len(before) < 20 {
				t.Errorf("tables: %d before, %d after (the audit head left out)", len(before), len(after))
			}
			if n := tableDigests(t, dbURL(dst), 0)["audit_events"]; !strings.HasPrefix(n, fmt.Sprintf("%d rows", events+1)) {
				t.Errorf("audit trail after the restore: %s, want %d events (the restore's own)", n, events+1)
			}
			for tbl, want := range before {
				if tbl == "audit_head" {
					continue
				}
				if after[tbl] != want {
					t.Errorf("table %s: %s before the backup, %s restored", tbl, want, after[tbl])
				}
			}
			code, out, _ = amparo(t, append([]string{"audit", "verify"}, dst...)...)
			if code != 0 || !strings.HasPrefix(out, "audit trail OK: ") {
				t.Errorf("audit verify on the restore: exit %d %s", code, out)
			}
			readsCases(t, dst)

			// A second restore onto it is refused in one line.
			code, _, errOut = amparo(t, append([]string{"restore", "--in", file}, dst...)...)
			if code != 2 {
				t.Errorf("restore onto a database: exit %d, want 2", code)
			}
			oneLine(t, "restore onto a database", errOut, "restore into an empty")
		})
	}
}

// emptySchema drops the PostgreSQL schema of url, as when the database is lost.
func emptySchema(t *testing.T, url string) {
	t.Helper()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var schema string
	d.QueryRow(context.Background(), `SELECT current_schema()`).Scan(&schema)
	if _, err := d.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
		t.Fatal(err)
	}
}

// readsCases starts a server on the installation and reads a case through the API with
// a token created on the command line: the names come back decrypted.
func readsCases(t *testing.T, flags []string) {
	t.Helper()
	code, token, errOut := amparo(t, append([]string{"token", "create", "--email", "supervisora@amparo.demo"}, flags...)...)
	if code != 0 {
		t.Fatalf("token create: %d %s", code, errOut)
	}
	base, _, stop := startCmd(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, flags...)...)
	defer stop()
	getJSON := func(path string, v any) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var list struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
	}
	getJSON("/api/v1/cases", &list)
	if len(list.Cases) == 0 {
		t.Fatal("the restored server lists no cases")
	}
	var got struct {
		Person struct {
			GivenNames  string `json:"given_names"`
			FamilyNames string `json:"family_names"`
		} `json:"person"`
	}
	getJSON("/api/v1/cases/"+list.Cases[0].ID, &got)
	if c := got.Person; c.GivenNames == "" || c.FamilyNames == "" || strings.HasPrefix(c.GivenNames, "v1.") {
		t.Errorf("case %s read from the restore: names %q %q, want them decrypted", list.Cases[0].ID, got.Person.GivenNames, got.Person.FamilyNames)
	}
}
