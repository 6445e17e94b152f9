package cases_test

import (
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
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// uiPassword is every screen-test user's password.
const uiPassword = "Lluvia-Verde-Cotopaxi-5630"

// uiLog keeps the app's warnings and errors for a failing test.
type uiLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *uiLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// uiApp is the whole application on a fresh SQLite data folder, served over HTTP.
type uiApp struct {
	*app.App
	t   *testing.T
	srv *httptest.Server
}

func newUIApp(t *testing.T) *uiApp {
	t.Helper()
	ctx := context.Background()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir, c.Key, c.KeyFile, c.DB = t.TempDir(), "", "", ""
	if err := c.Finish(config.WithData); err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &uiLog{}
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
	ta := &uiApp{App: a, t: t, srv: httptest.NewServer(a.Handler())}
	t.Cleanup(func() {
		ta.srv.Close()
		a.Close()
		if t.Failed() {
			logs.mu.Lock()
			t.Logf("app log:\n%s", logs.b.String())
			logs.mu.Unlock()
		}
	})
	return ta
}

func uiSystem() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}

func (ta *uiApp) agency(code, name string) *auth.Agency {
	ta.t.Helper()
	ag, err := ta.Auth.CreateAgency(uiSystem(), &auth.Agency{Code: code, Name: name, Type: "ngo",
		ProvinceCode: "17", CantonCode: "1701"})
	if err != nil {
		ta.t.Fatalf("agency %s: %v", code, err)
	}
	return ag
}

// browser is one person's browser, signed in: a cookie jar and no redirects followed.
type browser struct {
	ta   *uiApp
	user *auth.User
	c    *http.Client
}

var totpSecretRe = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7=]+)</code>`)

// signedIn creates a user with role in ag and signs them in through the pages,
// enrolling the second factor as a person with an authenticator app would.
func (ta *uiApp) signedIn(ag *auth.Agency, role access.Role, name string) *browser {
	t := ta.t
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@amparo.test"
	u, _, err := ta.Auth.CreateUser(uiSystem(), &auth.User{Email: email, Name: name, AgencyID: ag.ID,
		Roles: []access.Role{role}, JurisdictionLevel: "agency", Lang: "es"}, uiPassword)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{ta: ta, user: u, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, body := b.post("/login", url.Values{"email": {email}, "password": {uiPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d\n%s", email, resp.StatusCode, short(body))
	}
	if loc := resp.Header.Get("Location"); loc == "/login/enrol" {
		_, body = b.get("/login/enrol")
		m := totpSecretRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("enrol %s: no secret\n%s", email, short(body))
		}
		code, err := totp.GenerateCode(m[1], time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if resp, body = b.post("/login/enrol", url.Values{"code": {code}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("enrol %s: %d\n%s", email, resp.StatusCode, short(body))
		}
	} else if loc != "/" {
		t.Fatalf("sign in %s: sent to %q", email, loc)
	}
	return b
}

func (b *browser) do(method, path string, body io.Reader, ctype string) (*http.Response, string) {
	t := b.ta.t
	t.Helper()
	req, err := http.NewRequest(method, b.ta.srv.URL+path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp, string(data)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.ta.t.Helper()
	return b.do(http.MethodGet, path, nil, "")
}

// post sends a same-origin form (no Origin header, as CrossOriginProtection allows).
func (b *browser) post(path string, v url.Values) (*http.Response, string) {
	b.ta.t.Helper()
	return b.do(http.MethodPost, path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// mustGet fetches a page and fails unless it answers want.
func (b *browser) mustGet(path string, want int) string {
	b.ta.t.Helper()
	resp, body := b.get(path)
	if resp.StatusCode != want {
		b.ta.t.Fatalf("GET %s: status %d, want %d\n%s", path, resp.StatusCode, want, short(body))
	}
	return body
}

// mustPost sends a form and fails unless it answers want; it returns the Location of a
// redirect, or the body.
func (b *browser) mustPost(path string, v url.Values, want int) string {
	b.ta.t.Helper()
	resp, body := b.post(path, v)
	if resp.StatusCode != want {
		b.ta.t.Fatalf("POST %s: status %d, want %d\n%s", path, resp.StatusCode, want, short(errorPart(body)))
	}
	if want == http.StatusSeeOther {
		return resp.Header.Get("Location")
	}
	return body
}

// errorPart is the error summary of a page, or the page, for failure messages.
func errorPart(body string) string {
	if i := strings.Index(body, `id="error-summary"`); i >= 0 {
		return body[i:min(len(body), i+1500)]
	}
	if i := strings.Index(body, `<main`); i >= 0 {
		return body[i:]
	}
	return body
}

func short(s string) string {
	if len(s) > 3000 {
		return s[:3000] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

// today is the date in Guayaquil as the forms send it.
func today() string { return time.Now().In(i18n.Zone()).Format("2006-01-02") }

// caseForm is a valid registration: a girl identified today in Quito, victim of
// forced begging, with her cédula.
func caseForm(given, family, ced string) url.Values {
	return url.Values{
		"identification.date": {today()}, "identification.country": {"ECU"},
		"identification.province": {"17"}, "identification.canton": {"1701"}, "identification.how": {"hotline"},
		"trafficking_status": {"possible"}, "status_decided_by": {"case_worker"},
		"person.given_names": {given}, "person.family_names": {family}, "person.sex": {"female"},
		"person.gender": {"woman"}, "person.birth_date": {"2013-05-04"}, "person.nationalities": {"ECU"},
		"person.nationality_other": {""}, "person.languages": {"es", "qu"}, "person.languages_other": {""},
		"person.documents.0.type": {"cedula"}, "person.documents.0.number": {ced}, "person.documents.0.country": {"ECU"},
		"person.documents.1.type": {""}, "person.documents.1.number": {""}, "person.documents.1.country": {""},
		"person.guardian.name": {"Rosa " + family}, "person.guardian.relation": {"madre"},
		"exploitation": {"begging"}, "means_of_control": {"threats"}, "recruiter_relation": {"acquaintance"},
		"duration_months": {"5"}, "risk_level": {"high"},
	}
}

var caseURLRe = regexp.MustCompile(`^/cases/([0-9a-f-]{36})$`)

// register sends the registration form and returns the new case's id.
func (b *browser) register(v url.Values) string {
	b.ta.t.Helper()
	loc := b.mustPost("/cases", v, http.StatusSeeOther)
	m := caseURLRe.FindStringSubmatch(loc)
	if m == nil {
		b.ta.t.Fatalf("registration sent to %q, want /cases/{id}", loc)
	}
	return m[1]
}

// fieldError returns the error text shown beside the control with id, or "".
func fieldError(body, id string) string {
	re := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `-error">([^<]*)<`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// countRows counts rows of a table.
func (ta *uiApp) countRows(table string) int {
	ta.t.Helper()
	var n int
	if err := ta.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		ta.t.Fatal(err)
	}
	return n
}

// msg is a message of the Spanish catalog, HTML-escaped as pages show it.
func msg(key string, args ...any) string {
	return html.EscapeString(i18n.MustLoad().T("es", key, args...))
}
