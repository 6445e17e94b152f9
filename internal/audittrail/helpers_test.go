package audittrail_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

const password = "morning-river-lantern-42"

// env is a complete Amparo on a temporary SQLite store, served over real HTTP.
type env struct {
	t      *testing.T
	a      *app.App
	srv    *httptest.Server
	sys    context.Context // the CLI's subject, for setting up data
	agency *auth.Agency
	dpo    *auth.User // data protection officer
	worker *auth.User // case worker
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c := config.Register(fs, config.WithData)
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
		d.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, a: a, srv: srv, sys: access.With(ctx, access.System())}
	e.agency, err = a.Auth.CreateAgency(e.sys, &auth.Agency{Code: "alas", Name: "Fundación Alas", Type: "ngo"})
	if err != nil {
		t.Fatal(err)
	}
	e.dpo = e.user("dpo@alas.org.ec", "Diana Protección", access.DataProtectionOfficer)
	e.worker = e.user("walter@alas.org.ec", "Walter Casos", access.CaseWorker)
	return e
}

func (e *env) user(email, name string, role access.Role) *auth.User {
	e.t.Helper()
	u, _, err := e.a.Auth.CreateUser(e.sys, &auth.User{Email: email, Name: name, AgencyID: e.agency.ID,
		Roles: []access.Role{role}, JurisdictionLevel: "national"}, password)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// record appends n events done by u, as its services would.
func (e *env) record(u *auth.User, n int, ev audit.Event) {
	e.t.Helper()
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{UserID: u.ID, AgencyID: u.AgencyID,
		RequestID: "req-test", IP: "192.0.2.7", Via: "web"})
	for i := 0; i < n; i++ {
		x := ev
		x.RecordID = strings.ReplaceAll(ev.RecordID, "#", strconv.Itoa(i))
		if err := e.a.Audit.Record(ctx, x); err != nil {
			e.t.Fatal(err)
		}
	}
}

// client is a browser: a cookie jar and no cross-site headers.
type client struct {
	e *env
	c *http.Client
}

var secretRe = regexp.MustCompile(`id="totp-secret">([A-Z2-7=]+)<`)

// signIn signs u in through the pages, setting up the second factor on the way.
func (e *env) signIn(u *auth.User) *client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &client{e: e, c: &http.Client{Jar: jar}}
	status, body := cl.post("/login", url.Values{"email": {u.Email}, "password": {password}})
	if status != http.StatusOK || !strings.Contains(body, "totp-secret") {
		e.t.Fatalf("sign-in of %s: want the enrolment page, got %d", u.Email, status)
	}
	m := secretRe.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("no TOTP secret on the enrolment page")
	}
	code, err := totp.GenerateCode(m[1], time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if status, _ := cl.post("/login/enrol", url.Values{"code": {code}}); status != http.StatusOK {
		e.t.Fatalf("enrolment of %s: %d", u.Email, status)
	}
	return cl
}

func (cl *client) post(path string, form url.Values) (int, string) {
	cl.e.t.Helper()
	resp, err := cl.c.PostForm(cl.e.srv.URL+path, form)
	if err != nil {
		cl.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (cl *client) get(path string) (int, string, http.Header) {
	cl.e.t.Helper()
	resp, err := cl.c.Get(cl.e.srv.URL + path)
	if err != nil {
		cl.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// apiGet calls the API with a bearer token ("" for none).
func (e *env) apiGet(token, path string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// token makes an API token for u.
func (e *env) token(u *auth.User) string {
	e.t.Helper()
	secret, _, err := e.a.Auth.CreateToken(access.With(context.Background(), u.Subject()), u.ID, "tool", 24*time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

var rowRe = regexp.MustCompile(`<tr id="event-(\d+)"`)

// rows returns the sequence numbers of the event rows of a list page.
func rows(body string) []string {
	var out []string
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// today is the current day in Ecuador as dd/mm/yyyy.
func today(days int) string {
	loc, _ := time.LoadLocation("America/Guayaquil")
	return time.Now().In(loc).AddDate(0, 0, days).Format("02/01/2006")
}

// isoDay is the current day in Ecuador as yyyy-mm-dd.
func isoDay(days int) string {
	loc, _ := time.LoadLocation("America/Guayaquil")
	return time.Now().In(loc).AddDate(0, 0, days).Format(time.DateOnly)
}
