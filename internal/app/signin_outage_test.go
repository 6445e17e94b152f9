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

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// outageClients are the three callers of TestSignInDuringOutage: a signed-in browser,
// an API client with a token, and a browser that has not signed in yet.
type outageClients struct {
	browser *browser
	api     *bearer
	anon    *browser
	email   string
}

// checkOutage checks that every caller gets 503 with a clear, translated message, never
// a 401, a redirect to sign in or "wrong password".
func checkOutage(t *testing.T, ta *testApp, c outageClients, when string) {
	t.Helper()
	resp, body := c.browser.do(t, http.MethodGet, "/profile", nil, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "no puede leer ni guardar datos") {
		t.Errorf("%s: GET /profile signed in: %d %q, want 503 and the outage page\n%s", when, resp.StatusCode,
			resp.Header.Get("Location"), short(body))
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Errorf("%s: GET /profile: no Retry-After", when)
	}
	for lang, want := range map[string]string{"es": "no puede leer ni guardar datos", "en": "cannot read or save data"} {
		resp, body = c.api.do(t, http.MethodGet, "/api/v1/me", nil, map[string]string{"Accept-Language": lang})
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, want) {
			t.Errorf("%s: GET /api/v1/me (%s) with a token: %d %+v, want 503 unavailable saying %q", when, lang,
				resp.StatusCode, e.Error, want)
		}
	}
	for _, pw := range []string{testPassword, "Clave-Equivocada-0"} {
		resp, body = c.anon.postForm(t, "/login", url.Values{"email": {c.email}, "password": {pw}})
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Inténtelo de nuevo en unos minutos") ||
			strings.Contains(body, "no son correctos") {
			t.Errorf("%s: sign-in attempt: %d, want 503 \"try again later\"\n%s", when, resp.StatusCode, short(body))
		}
	}
	if !strings.Contains(ta.logs.String(), "sign-in attempt not checked, counted or audited: database unavailable") {
		t.Errorf("%s: the log does not say the sign-in attempt went uncounted", when)
	}
}

// TestSignInDuringOutage: when the database cannot be read, a signed-in browser gets
// the translated 503 page (not the sign-in page), an API client a 503 JSON error (not a
// 401), and a sign-in attempt 503 "try again later" (not "wrong password"), logged as
// uncounted. On PostgreSQL the schema is first made unreachable under a live pool and
// given back (everything works again), then the handle is closed; on SQLite the handle
// is closed.
func TestSignInDuringOutage(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := openApp(t, engine)
			ta.srv = httptest.NewServer(ta.Handler())
			t.Cleanup(ta.srv.Close)
			ag := ta.createAgency(t, "agencia-caida")
			u := ta.createUser(t, ag.ID, access.Monitoring, "caida@amparo.test")
			c := outageClients{browser: ta.newBrowser(t, u.Email, testPassword), api: ta.newBearer(t, u.ID),
				anon: ta.newBrowser(t, "", ""), email: u.Email}
			c.browser.signIn(t)

			if engine == "postgres" {
				schema, admin := hideSchema(t, ta)
				checkOutage(t, ta, c, "schema unreachable")
				if _, err := admin.Exec("ALTER SCHEMA " + schema + "_gone RENAME TO " + schema); err != nil {
					t.Fatalf("give the schema back: %v", err)
				}
				if resp, body := c.browser.do(t, http.MethodGet, "/profile", nil, nil); resp.StatusCode != http.StatusOK {
					t.Fatalf("GET /profile after the outage: %d, want 200 (the session survives)\n%s", resp.StatusCode, short(body))
				}
			}
			if err := ta.DB.Close(); err != nil {
				t.Fatalf("close the database: %v", err)
			}
			checkOutage(t, ta, c, "database closed")
		})
	}
}

// hideSchema renames the test's PostgreSQL schema under the running app, from a second
// connection, so every query of the app fails while its pool stays connected. It
// returns the schema's name and that connection.
func hideSchema(t *testing.T, ta *testApp) (string, *sql.DB) {
	t.Helper()
	pu, err := url.Parse(ta.Config.DB)
	if err != nil {
		t.Fatal(err)
	}
	schema := pu.Query().Get("search_path")
	admin, err := sql.Open("pgx", os.Getenv(dbtest.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(context.Background(), "ALTER SCHEMA "+schema+" RENAME TO "+schema+"_gone"); err != nil {
		t.Fatalf("hide the schema: %v", err)
	}
	return schema, admin
}
