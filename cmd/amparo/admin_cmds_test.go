package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// store is one temporary installation: a data folder and, for PostgreSQL, a database.
type store struct {
	dir, db string
}

func (s store) flags() []string {
	f := []string{"--data", s.dir}
	if s.db != "" {
		f = append(f, "--db", s.db)
	}
	return f
}

// amparo runs one command line against the store with stdin and returns the exit
// code and what it printed.
func (s store) amparo(t *testing.T, in string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	stdin = strings.NewReader(in)
	code := run(context.Background(), append(args, s.flags()...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustRun runs a command that must succeed and returns its output.
func (s store) mustRun(t *testing.T, in string, args ...string) string {
	t.Helper()
	code, out, errOut := s.amparo(t, in, args...)
	if code != 0 {
		t.Fatalf("amparo %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// open builds the app on the store, to look at what the commands did.
func (s store) open(t *testing.T) *app.App {
	t.Helper()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData|config.WithDB)
	c.DataDir, c.DB = s.dir, s.db
	if err := c.Finish(config.WithData | config.WithDB); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := app.Open(context.Background(), c, log)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), c, d, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// counts is how many users and agencies exist.
func (s store) counts(t *testing.T) (users, agencies int) {
	t.Helper()
	a := s.open(t)
	ctx := access.With(context.Background(), access.System())
	_, users, err := a.Auth.ListUsers(ctx, auth.UserFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, agencies, err = a.Auth.ListAgencies(ctx, auth.AgencyFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	return users, agencies
}

func newStore(t *testing.T, engine string) store {
	t.Helper()
	s := store{dir: t.TempDir()}
	if engine == "postgres" {
		s.db = dbtest.PostgresURL(t)
	}
	return s
}

var passwordRe = regexp.MustCompile(`(?m)^password: (\S+)$`)

// TestAdminCommands is the happy path on each engine: agencies and users added and
// listed, a generated password that signs in, a password from stdin, a token that
// authenticates.
func TestAdminCommands(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newStore(t, engine)
			out := s.mustRun(t, "", "agency", "add", "--code", "Norte", "--name", "Fundación Norte", "--type", "ngo",
				"--province", "17", "--canton", "1701")
			if !strings.HasPrefix(out, "agency norte created") {
				t.Errorf("agency add printed %q", out)
			}
			s.mustRun(t, "", "agency", "add", "--code", "gad-ibarra", "--name", "GAD Ibarra", "--type", "local_government")
			out = s.mustRun(t, "", "agency", "list")
			if !strings.Contains(out, "norte") || !strings.Contains(out, "Fundación Norte") || !strings.Contains(out, "gad-ibarra") {
				t.Errorf("agency list:\n%s", out)
			}

			out = s.mustRun(t, "", "user", "add", "--email", "Ana@Norte.test", "--name", "Ana Torres",
				"--role", "case_worker, case_supervisor", "--agency", "NORTE", "--jurisdiction", "1701")
			m := passwordRe.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("user add printed no password:\n%s", out)
			}
			out = s.mustRun(t, "Pumamaqui-Cedro-Nogal-88\n", "user", "add", "--email", "admin@norte.test",
				"--name", "Admin Norte", "--role", "admin", "--agency", "norte", "--jurisdiction", "national",
				"--lang", "en", "--password-stdin")
			if strings.Contains(out, "password:") {
				t.Errorf("user add --password-stdin printed a password:\n%s", out)
			}
			out = s.mustRun(t, "", "user", "list")
			for _, want := range []string{"ana@norte.test", "case_supervisor,case_worker", "canton 1701", "admin@norte.test", "national"} {
				if !strings.Contains(out, want) {
					t.Errorf("user list lacks %q:\n%s", want, out)
				}
			}
			tok := strings.TrimSpace(s.mustRun(t, "", "token", "create", "--email", "admin@norte.test", "--name", "reports", "--expires", "48h"))
			if !strings.HasPrefix(tok, auth.TokenPrefix) {
				t.Fatalf("token create printed %q", tok)
			}

			a := s.open(t)
			ctx := access.With(context.Background(), access.System())
			ana, err := a.Auth.UserByEmail(ctx, "ana@norte.test")
			if err != nil {
				t.Fatal(err)
			}
			if !ana.MustChangePassword || ana.JurisdictionLevel != "canton" || ana.AgencyCode != "norte" || len(ana.Roles) != 2 {
				t.Errorf("ana saved as %+v", ana)
			}
			if sess, err := a.Auth.Login(context.Background(), "ana@norte.test", m[1]); err != nil || sess.Stage != auth.StageEnrol {
				t.Errorf("sign in with the printed password: %v (stage %v)", err, sess)
			}
			if sess, err := a.Auth.Login(context.Background(), "admin@norte.test", "Pumamaqui-Cedro-Nogal-88"); err != nil || sess.Stage != auth.StageEnrol {
				t.Errorf("sign in with the stdin password: %v", err)
			}
			if u, _, err := a.Auth.AuthenticateToken(context.Background(), tok); err != nil || u.Email != "admin@norte.test" {
				t.Errorf("the token does not authenticate: %v", err)
			}
		})
	}
}

// TestAdminCommandsRefuse: each bad input prints one clear English line per problem,
// exits 2 and changes nothing.
func TestAdminCommandsRefuse(t *testing.T) {
	s := newStore(t, "sqlite")
	s.mustRun(t, "", "agency", "add", "--code", "norte", "--name", "Fundación Norte", "--type", "ngo")
	s.mustRun(t, "", "user", "add", "--email", "ana@norte.test", "--name", "Ana", "--role", "case_worker", "--agency", "norte")
	users, agencies := s.counts(t)

	user := func(extra ...string) []string {
		base := map[string]string{"--email": "luis@norte.test", "--name": "Luis Mendoza", "--role": "case_worker", "--agency": "norte"}
		for i := 0; i+1 < len(extra); i += 2 {
			base[extra[i]] = extra[i+1]
		}
		args := []string{"user", "add"}
		for k, v := range base {
			if v != "" {
				args = append(args, k, v)
			}
		}
		return args
	}
	cases := []struct {
		name  string
		stdin string
		args  []string
		lines []string
	}{
		{"unknown role", "", user("--role", "case_worker,wizard"),
			[]string{"amparo user add: --role: That role does not exist. Known roles: admin, case_worker"}},
		{"duplicate email", "", user("--email", "ANA@norte.test"),
			[]string{"amparo user add: --email: A user with that email already exists."}},
		{"weak password", "short\n", append(user(), "--password-stdin"),
			[]string{"amparo user add: --password-stdin: The password must have at least 12 characters."}},
		{"common password", "password1234\n", append(user(), "--password-stdin"),
			[]string{"amparo user add: --password-stdin: That password is too common"}},
		{"empty stdin", "", append(user(), "--password-stdin"),
			[]string{"amparo user: --password-stdin: no password on stdin"}},
		{"unknown agency", "", user("--agency", "sur"),
			[]string{"amparo user add: --agency: That institution does not exist."}},
		{"bad jurisdiction", "", user("--jurisdiction", "99"),
			[]string{"amparo user add: --jurisdiction: Choose a province from the list."}},
		{"bad language", "", user("--lang", "fr"),
			[]string{"amparo user add: --lang: Choose Spanish or English."}},
		{"two problems", "", user("--agency", "sur", "--email", "not-an-email"),
			[]string{"amparo user add: --agency: That institution does not exist.",
				"amparo user add: --email: Enter a valid email address"}},
		{"missing flags", "", []string{"user", "add", "--name", "X"},
			[]string{"amparo user add: --email: Enter a valid email address", "amparo user add: --role: Choose at least one role.",
				"amparo user add: --agency: This field is required."}},
		{"empty agency form", "", []string{"agency", "add"},
			[]string{"amparo agency add: --code: Use 2 to 40", "amparo agency add: --name: This field is required.",
				"amparo agency add: --type: Choose an institution type"}},
		{"unknown flag", "", user("--rol", "admin"), []string{"flag provided but not defined: -rol"}},
		{"duplicate agency", "", []string{"agency", "add", "--code", "NORTE", "--name", "Otra", "--type", "ngo"},
			[]string{"amparo agency add: --code: An institution with that code already exists."}},
		{"bad agency", "", []string{"agency", "add", "--code", "a b", "--name", "Otra", "--type", "club", "--province", "17", "--canton", "0901"},
			[]string{"amparo agency add: --canton: That canton is not in the chosen province.",
				"amparo agency add: --code: Use 2 to 40 lower-case letters",
				"amparo agency add: --type: Choose an institution type from the list. Known types: ngo,"}},
		{"token for nobody", "", []string{"token", "create", "--email", "nadie@norte.test"},
			[]string{"amparo token create: --email: There is no user with that email."}},
		{"token too long", "", []string{"token", "create", "--email", "ana@norte.test", "--expires", "9000h"},
			[]string{"amparo token create: --expires: Validity must be 1 to 365 days."}},
		{"no subcommand", "", []string{"user"}, []string{"Usage: amparo user add|deactivate|list|reactivate"}},
		{"unknown subcommand", "", []string{"agency", "remove"}, []string{`unknown subcommand "remove"`}},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			code, out, errOut := s.amparo(t, tc.stdin, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s%s", code, out, errOut)
			}
			for _, l := range tc.lines {
				if !strings.Contains(errOut, l) {
					t.Errorf("stderr lacks %q:\n%s", l, errOut)
				}
			}
			if strings.Contains(out, "created") || strings.Contains(out, "password:") {
				t.Errorf("stdout says something was made:\n%s", out)
			}
		})
	}
	if u, a := s.counts(t); u != users || a != agencies {
		t.Errorf("after the refused commands: %d users and %d agencies, want %d and %d", u, a, users, agencies)
	}
}

// syncBuffer is a buffer safe for the server goroutine writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAdminCommandsWhileServing adds an agency and a user while "amparo serve" runs on
// the same SQLite file, and the running server sees them at once.
func TestAdminCommandsWhileServing(t *testing.T) {
	s := newStore(t, "sqlite")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	out := &syncBuffer{}
	go func() { done <- run(ctx, []string{"serve", "--addr", addr, "--data", s.dir}, out, out) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d\n%s", code, out.String())
		}
	}()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "Amparo is running") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.mustRun(t, "", "agency", "add", "--code", "norte", "--name", "Fundación Norte", "--type", "ngo")
	got := s.mustRun(t, "Pumamaqui-Cedro-Nogal-88\n", "user", "add", "--email", "admin@norte.test", "--name", "Admin",
		"--role", "monitoring", "--agency", "norte", "--jurisdiction", "national", "--password-stdin")
	if !strings.Contains(got, "created") {
		t.Fatalf("user add: %s", got)
	}
	// The running server signs the new user in (monitoring needs no second factor).
	body := strings.NewReader("email=admin%40norte.test&password=Pumamaqui-Cedro-Nogal-88")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Post("http://"+addr+"/login", "application/x-www-form-urlencoded", body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Errorf("sign in on the running server: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
