package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// blockWrites makes the database refuse or stall writes under the running app, after
// the user has signed in, and returns a function that ends it. SQLite: the database
// file and its WAL become read-only (a disk remounted read-only, a file whose owner
// changed). PostgreSQL: another session holds an exclusive lock on the audit trail, so
// every audited read and every write waits (a migration or a stuck transaction
// elsewhere); the app's lock_timeout (set short in this test) ends the wait.
func blockWrites(t *testing.T, ta *testApp, engine string) func() {
	t.Helper()
	if engine == "sqlite" {
		p := ta.Config.SQLitePath()
		undoWAL := dbtest.ReadOnly(t, p+"-wal")
		undoDB := dbtest.ReadOnly(t, p)
		return func() { undoDB(); undoWAL() }
	}
	pu, err := url.Parse(ta.Config.DB)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", os.Getenv(dbtest.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tx, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "LOCK TABLE "+pu.Query().Get("search_path")+".audit_events IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatalf("lock the audit trail: %v", err)
	}
	done := false
	undo := func() {
		if !done {
			done = true
			_ = tx.Rollback()
			admin.Close()
		}
	}
	t.Cleanup(undo)
	return undo
}

// TestDatabaseFailsMidRequest: once a user is signed in, a database that cannot be
// written (SQLite read-only) or keeps a lock (PostgreSQL) makes a page, a form and the
// API answer 503 with the translated "cannot read or save data" and Retry-After (not a
// 500 "something went wrong", nor a request that hangs until the client gives up); a
// sign-in attempt answers 503 "try again later". Everything works again afterwards.
func TestDatabaseFailsMidRequest(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := openApp(t, engine, func(c *config.Config) {
				if engine == "postgres" {
					c.DB += "&lock_timeout=300ms"
				}
			})
			ta.srv = newServer(t, ta)
			ag := ta.createAgency(t, "agencia-fallo")
			u := ta.createUser(t, ag.ID, access.CaseWorker, "fallo@amparo.test")
			resp, body := ta.newBearer(t, u.ID).do(t, http.MethodPost, "/api/v1/cases", strings.NewReader(encode(t, caseBody(7))),
				map[string]string{"Content-Type": "application/json"})
			var c struct{ ID string }
			if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &c) != nil {
				t.Fatalf("create a case: %d\n%s", resp.StatusCode, short(body))
			}
			b := ta.newBrowser(t, u.Email, testPassword)
			b.signIn(t)
			anon := ta.newBrowser(t, "", "")

			undo := blockWrites(t, ta, engine)
			start := time.Now()
			resp, body = b.do(t, http.MethodGet, "/cases/"+c.ID, nil, nil)
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "no puede leer ni guardar datos") ||
				resp.Header.Get("Retry-After") == "" {
				t.Errorf("case page: %d (Retry-After %q), want 503 and the outage page\n%s", resp.StatusCode,
					resp.Header.Get("Retry-After"), short(body))
			}
			resp, body = b.postForm(t, "/cases/"+c.ID+"/notes", url.Values{"body": {"Llamó la madre."}})
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("add a note: %d, want 503\n%s", resp.StatusCode, short(body))
			}
			resp, body = b.do(t, http.MethodGet, "/api/v1/cases/"+c.ID, nil, nil)
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			_ = json.Unmarshal([]byte(body), &e)
			if resp.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "unavailable" {
				t.Errorf("API case: %d %+v, want 503 unavailable", resp.StatusCode, e.Error)
			}
			resp, body = anon.postForm(t, "/login", url.Values{"email": {u.Email}, "password": {"Clave-Equivocada-0"}})
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Inténtelo de nuevo en unos minutos") {
				t.Errorf("sign-in attempt: %d, want 503 \"try again later\"\n%s", resp.StatusCode, short(body))
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("the four requests took %s: a blocked database must not hold requests", d)
			}
			undo()
			if resp, body := b.do(t, http.MethodGet, "/cases/"+c.ID, nil, nil); resp.StatusCode != http.StatusOK {
				t.Errorf("case page once the database works again: %d\n%s", resp.StatusCode, short(body))
			}
		})
	}
}

// newServer serves the app over real HTTP until the test ends, and closes the app.
func newServer(t *testing.T, ta *testApp) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(ta.Handler())
	t.Cleanup(func() {
		srv.Close()
		ta.Close()
	})
	return srv
}
