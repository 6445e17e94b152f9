package admin_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// testPassword is the password of every user the helpers create.
const testPassword = "Colibrí-Nublado-Quinde-4821"

// logBuffer keeps the app's warnings and errors, shown when a test fails.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// env is the whole application on a fresh database in a temporary data folder, served
// over real HTTP, with one agency ("base") to put users in.
type env struct {
	*app.App
	srv  *httptest.Server
	base *auth.Agency
	n    atomic.Int64 // numbers the users the helpers create
}

// engines are the database engines the tests run on, as subtest names.
var engines = []string{"sqlite", "postgres"}

// forEngines runs fn on a fresh app on every engine.
func forEngines(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) { fn(t, newEnv(t, engine, nil)) })
	}
}

// newEnv builds the app on engine: "sqlite", or "postgres" (skipped without
// AMPARO_TEST_POSTGRES_URL). tweak, if not nil, changes the configuration first.
func newEnv(t *testing.T, engine string, tweak func(c *config.Config)) *env {
	t.Helper()
	ctx := context.Background()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir, c.Key, c.KeyFile, c.DB = t.TempDir(), "", "", ""
	if engine == "postgres" {
		c.DB = dbtest.PostgresURL(t)
	}
	if tweak != nil {
		tweak(c)
	}
	if err := c.Finish(config.WithData); err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := app.Open(ctx, c, log)
	if err != nil {
		t.Fatalf("app.Open: %v", err)
	}
	a, err := app.New(ctx, c, d, log)
	if err != nil {
		d.Close()
		t.Fatalf("app.New: %v", err)
	}
	e := &env{App: a, srv: httptest.NewServer(a.Handler())}
	t.Cleanup(func() {
		e.srv.Close()
		a.Close()
		if t.Failed() && logs.String() != "" {
			t.Logf("app log:\n%s", logs.String())
		}
	})
	e.base = e.agency(t, "base", "Fundación Base (prueba)")
	return e
}

// system is a context acting as the CLI.
func system() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}

// agency creates an agency in Quito.
func (e *env) agency(t *testing.T, code, name string) *auth.Agency {
	t.Helper()
	a, err := e.Auth.CreateAgency(system(), &auth.Agency{Code: code, Name: name, Type: "ngo",
		ProvinceCode: "17", CantonCode: "1701"})
	if err != nil {
		t.Fatalf("create agency %s: %v", code, err)
	}
	return a
}

// user creates a user of the base agency with role and testPassword.
func (e *env) user(t *testing.T, role access.Role) *auth.User {
	t.Helper()
	n := e.n.Add(1)
	level := "agency"
	if role == access.Admin || role == access.DataProtectionOfficer {
		level = "national"
	}
	u, _, err := e.Auth.CreateUser(system(), &auth.User{
		Email: fmt.Sprintf("%s.%d@amparo.test", strings.ReplaceAll(string(role), "_", "-"), n),
		Name:  fmt.Sprintf("Persona %d %s", n, role), AgencyID: e.base.ID,
		Roles: []access.Role{role}, JurisdictionLevel: level, Lang: "es"}, testPassword)
	if err != nil {
		t.Fatalf("create user with role %s: %v", role, err)
	}
	return u
}

// client is one person's browser: a cookie jar and no redirects followed.
type client struct {
	e    *env
	c    *http.Client
	User *auth.User
}

// as creates a user with role and signs them in (enrolling the second factor where the
// role needs one).
func (e *env) as(t *testing.T, role access.Role) *client {
	t.Helper()
	c := e.anonymous(t)
	c.User = e.user(t, role)
	c.signIn(t, c.User.Email, testPassword)
	return c
}

// anonymous is a browser that has not signed in.
func (e *env) anonymous(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{e: e, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var secretRe = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7=]+)</code>`)

// signIn signs in with the password and, when asked, enrols TOTP from the secret on
// the enrolment page. A user signs in through here once: a second sign-in would need a
// code from a new 30-second step.
func (c *client) signIn(t *testing.T, email, password string) {
	t.Helper()
	r := c.post(t, "/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d, want 303\n%s", email, r.Status, short(r.Body))
	}
	if loc := r.Location(); loc == "/login/enrol" {
		r = c.get(t, "/login/enrol")
		m := secretRe.FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("enrol %s: no secret on the page (%d)\n%s", email, r.Status, short(r.Body))
		}
		code, err := totp.GenerateCode(m[1], time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r = c.post(t, "/login/enrol", url.Values{"code": {code}}); r.Status != http.StatusOK {
			t.Fatalf("enrol %s: %d\n%s", email, r.Status, short(r.Body))
		}
	} else if loc != "/" {
		t.Fatalf("sign in %s: sent to %q", email, loc)
	}
	if r = c.get(t, "/profile"); r.Status != http.StatusOK {
		t.Fatalf("sign in %s: /profile answers %d after signing in", email, r.Status)
	}
}

// resp is an answer with its body read.
type resp struct {
	Status int
	Header http.Header
	Body   string
}

// Location is the redirect target.
func (r resp) Location() string { return r.Header.Get("Location") }

func (c *client) do(t *testing.T, method, path string, body io.Reader, ct string) resp {
	t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := c.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (c *client) get(t *testing.T, path string) resp {
	t.Helper()
	return c.do(t, http.MethodGet, path, nil, "")
}

// post sends a form as a same-origin browser would (no Origin header from Go's client
// passes the cross-origin protection).
func (c *client) post(t *testing.T, path string, v url.Values) resp {
	t.Helper()
	return c.do(t, http.MethodPost, path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// wantStatus fails unless r has status.
func wantStatus(t *testing.T, what string, r resp, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, short(r.Body))
	}
}

// byID returns the text inside the element with id (tags stripped, entities decoded),
// and whether it is on the page. Nested elements of the same name are balanced; that is
// enough for Amparo's simple, generated markup.
func byID(body, id string) (string, bool) {
	open := regexp.MustCompile(`<([a-z0-9]+)[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`)
	loc := open.FindStringSubmatchIndex(body)
	if loc == nil {
		return "", false
	}
	name := body[loc[2]:loc[3]]
	tags := regexp.MustCompile(`<(/?)` + name + `\b[^>]*>`)
	depth, rest := 1, body[loc[1]:]
	for _, m := range tags.FindAllStringSubmatchIndex(rest, -1) {
		if rest[m[2]:m[3]] == "/" {
			depth--
		} else {
			depth++
		}
		if depth == 0 {
			return textOf(rest[:m[0]]), true
		}
	}
	return textOf(rest), true
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

func textOf(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRe.ReplaceAllString(s, " "))), " ")
}

// rows returns the text of each body row of the table with id.
func rows(body, id string) []string {
	re := regexp.MustCompile(`(?s)<table id="` + regexp.QuoteMeta(id) + `".*?<tbody>(.*?)</tbody>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return nil
	}
	var out []string
	for _, r := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(m[1], -1) {
		out = append(out, textOf(r[1]))
	}
	return out
}

// events returns the audit events with action.
func (e *env) events(t *testing.T, action string) []audit.Event {
	t.Helper()
	list, _, err := e.Audit.List(context.Background(), audit.Filter{Action: action, Limit: 100})
	if err != nil {
		t.Fatalf("audit list: %v", err)
	}
	return list
}

// userByEmail loads a user as the system, or nil when there is none.
func (e *env) userByEmail(t *testing.T, email string) *auth.User {
	t.Helper()
	u, err := e.Auth.UserByEmail(system(), email)
	if err != nil {
		return nil
	}
	return u
}

func short(s string) string {
	if len(s) > 1500 {
		return s[:1500] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

// named creates a user with a chosen name, email, agency and role.
func (e *env) named(t *testing.T, name, email string, agencyID string, role access.Role) *auth.User {
	t.Helper()
	u, _, err := e.Auth.CreateUser(system(), &auth.User{Email: email, Name: name, AgencyID: agencyID,
		Roles: []access.Role{role}, JurisdictionLevel: "agency", Lang: "es"}, testPassword)
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// countUsers is how many users exist.
func (e *env) countUsers(t *testing.T) int {
	t.Helper()
	_, n, err := e.Auth.ListUsers(system(), auth.UserFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// lock fails five sign-ins of email, which locks the account.
func (e *env) lock(t *testing.T, email string) {
	t.Helper()
	c := e.anonymous(t)
	for i := 0; i < 5; i++ {
		r := c.post(t, "/login", url.Values{"email": {email}, "password": {"no-es-la-clave-" + fmt.Sprint(i)}})
		wantStatus(t, "wrong password", r, http.StatusUnprocessableEntity)
	}
}
