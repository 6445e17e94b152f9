package app_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// testPassword is every test user's password: long, varied and not personal.
const testPassword = "Vela-Roja-Montaña-7319"

// engines are the database engines the app tests run on, as subtest names.
var engines = []string{"sqlite", "postgres"}

// logBuffer keeps the app's warnings and errors, shown when a test fails, so a 500
// comes with its cause.
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

// testApp is the whole application on a fresh database, served over real HTTP.
type testApp struct {
	*app.App
	srv  *httptest.Server
	logs *logBuffer
}

// openApp configures, opens and builds the app on engine ("sqlite" or "postgres";
// postgres skips without AMPARO_TEST_POSTGRES_URL) in a temporary data folder. The
// caller closes it (closeApp), so a test may close the database on purpose. tweaks
// change the configuration before the app opens.
func openApp(t testing.TB, engine string, tweaks ...func(*config.Config)) *testApp {
	t.Helper()
	ctx := context.Background()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir = t.TempDir()
	c.Key = ""
	c.KeyFile = ""
	switch engine {
	case "sqlite":
		c.DB = ""
	case "postgres":
		c.DB = dbtest.PostgresURL(t)
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	for _, tw := range tweaks {
		tw(c)
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
	ta := &testApp{App: a, logs: logs}
	t.Cleanup(func() {
		if t.Failed() {
			if s := logs.String(); s != "" {
				t.Logf("app log (warnings and errors):\n%s", s)
			}
		}
	})
	return ta
}

// newApp is openApp with the database closed and the server stopped at cleanup.
func newApp(t *testing.T, engine string) *testApp {
	t.Helper()
	ta := openApp(t, engine)
	ta.srv = httptest.NewServer(ta.Handler())
	t.Cleanup(func() {
		ta.srv.Close()
		ta.Close()
	})
	return ta
}

// system is a context acting as the CLI: the system subject, via "cli".
func system() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}

// createAgency adds an agency with code.
func (ta *testApp) createAgency(t *testing.T, code string) *auth.Agency {
	t.Helper()
	ag, err := ta.Auth.CreateAgency(system(), &auth.Agency{Code: code, Name: "Agencia " + code,
		Type: "ngo", ProvinceCode: "17", CantonCode: "1701"})
	if err != nil {
		t.Fatalf("create agency %s: %v", code, err)
	}
	return ag
}

// createUser adds a user with one role and testPassword.
func (ta *testApp) createUser(t *testing.T, agencyID string, role access.Role, email string) *auth.User {
	t.Helper()
	level, code := "agency", ""
	switch role {
	case access.LocalFocalPoint:
		level, code = "canton", "1701"
	case access.NationalCoordinator, access.Monitoring, access.DataProtectionOfficer, access.Admin:
		level = "national"
	}
	u, _, err := ta.Auth.CreateUser(system(), &auth.User{Email: email, Name: "Persona " + string(role),
		AgencyID: agencyID, Roles: []access.Role{role}, JurisdictionLevel: level, JurisdictionCode: code,
		Lang: "es"}, testPassword)
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// browser is one person's browser: a cookie jar, no redirects followed, and the
// recovery codes they were shown at enrolment.
type browser struct {
	ta       *testApp
	email    string
	password string
	c        *http.Client
	recovery []string
}

func (ta *testApp) newBrowser(t *testing.T, email, password string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{ta: ta, email: email, password: password, c: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends one request and returns the response with its body read.
func (b *browser) do(t *testing.T, method, path string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	return send(t, b.c, b.ta.srv.URL, method, path, body, hdr)
}

func send(t *testing.T, c *http.Client, base, method, path string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, string(data)
}

// postForm sends a same-origin form (the Go client sends no Origin or Sec-Fetch-Site,
// as a same-origin form would pass CrossOriginProtection).
func (b *browser) postForm(t *testing.T, path string, v url.Values) (*http.Response, string) {
	t.Helper()
	return b.do(t, http.MethodPost, path, strings.NewReader(v.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

var (
	secretRe   = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7=]+)</code>`)
	codesRe    = regexp.MustCompile(`(?s)<ul class="codes" id="recovery-codes">(.*?)</ul>`)
	recoveryRe = regexp.MustCompile(`<code>([a-z2-7]{5}-[a-z2-7]{5})</code>`)
)

// signIn goes through the whole sign-in: password, then (for roles that need one) the
// second factor: enrolment the first time, a recovery code after that.
func (b *browser) signIn(t *testing.T) {
	t.Helper()
	resp, body := b.postForm(t, "/login", url.Values{"email": {b.email}, "password": {b.password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: status %d, want 303\n%s", b.email, resp.StatusCode, body)
	}
	switch loc := resp.Header.Get("Location"); loc {
	case "/":
	case "/login/enrol":
		b.enrol(t)
	case "/login/mfa":
		if len(b.recovery) == 0 {
			t.Fatalf("sign in %s: second factor asked and no recovery code left", b.email)
		}
		code := b.recovery[0]
		b.recovery = b.recovery[1:]
		resp, body = b.postForm(t, "/login/mfa", url.Values{"code": {code}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("sign in %s: recovery code: status %d to %q\n%s", b.email, resp.StatusCode,
				resp.Header.Get("Location"), body)
		}
	default:
		t.Fatalf("sign in %s: redirected to %q", b.email, loc)
	}
	if sess := b.session(t); sess == nil || sess.Stage != auth.StageFull {
		t.Fatalf("sign in %s: no full session after signing in", b.email)
	}
}

// enrol sets up TOTP from the enrolment page, as a person with an authenticator app.
func (b *browser) enrol(t *testing.T) {
	t.Helper()
	resp, body := b.do(t, http.MethodGet, "/login/enrol", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("enrol %s: status %d\n%s", b.email, resp.StatusCode, body)
	}
	m := secretRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("enrol %s: no code#totp-secret on the page\n%s", b.email, body)
	}
	code, err := totp.GenerateCode(m[1], time.Now())
	if err != nil {
		t.Fatalf("enrol %s: generate code: %v", b.email, err)
	}
	resp, body = b.postForm(t, "/login/enrol", url.Values{"code": {code}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("enrol %s: confirm: status %d\n%s", b.email, resp.StatusCode, body)
	}
	list := codesRe.FindStringSubmatch(body)
	if list == nil {
		t.Fatalf("enrol %s: no recovery codes shown\n%s", b.email, body)
	}
	b.recovery = nil
	for _, c := range recoveryRe.FindAllStringSubmatch(list[1], -1) {
		b.recovery = append(b.recovery, c[1])
	}
	if len(b.recovery) != 10 {
		t.Fatalf("enrol %s: %d recovery codes shown, want 10", b.email, len(b.recovery))
	}
}

// token is the session cookie in the jar, or "".
func (b *browser) token() string {
	u, _ := url.Parse(b.ta.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == auth.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// session is the browser's live session as the service sees it, or nil.
func (b *browser) session(t *testing.T) *auth.Session {
	t.Helper()
	tok := b.token()
	if tok == "" {
		return nil
	}
	sess, err := b.ta.Auth.Session(context.Background(), tok)
	if err != nil {
		return nil
	}
	return sess
}

// ensureSignedIn signs in again when a request ended the session (sign out, sign out
// everywhere).
func (b *browser) ensureSignedIn(t *testing.T) {
	t.Helper()
	if sess := b.session(t); sess != nil && sess.Stage == auth.StageFull {
		return
	}
	b.signIn(t)
}

// bearer is an API client with a token and no cookies.
type bearer struct {
	ta    *testApp
	c     *http.Client
	token string
}

func (ta *testApp) newBearer(t *testing.T, userID string) *bearer {
	t.Helper()
	secret, _, err := ta.Auth.CreateToken(system(), userID, "route test", 24*time.Hour)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return &bearer{ta: ta, token: secret, c: &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *bearer) do(t *testing.T, method, path string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer " + b.token}
	for k, v := range hdr {
		h[k] = v
	}
	return send(t, b.c, b.ta.srv.URL, method, path, body, h)
}

// roleEmail is the test user's address for role.
func roleEmail(role access.Role) string {
	return strings.ReplaceAll(string(role), "_", ".") + "@amparo.test"
}

// short cuts a response body for a failure message.
func short(body string) string {
	const n = 600
	if len(body) > n {
		return body[:n] + fmt.Sprintf("… (%d bytes)", len(body))
	}
	return body
}
