package main

import (
	"context"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// accountProbe opens the store and reports what a person can still do: sign in with
// the password, use the token; and the newest audit event of an action.
type accountProbe struct {
	t *testing.T
	s store
}

func (p accountProbe) canSignIn(email, password string) bool {
	p.t.Helper()
	a := p.s.open(p.t)
	defer a.Close()
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "web", IP: "198.51.100.120"})
	_, err := a.Auth.Login(ctx, email, password)
	if err != nil && errs.CodeOf(err) != errs.CodeInvalid {
		p.t.Fatalf("sign in %s: %v", email, err)
	}
	return err == nil
}

func (p accountProbe) tokenWorks(secret string) bool {
	p.t.Helper()
	a := p.s.open(p.t)
	defer a.Close()
	_, _, err := a.Auth.AuthenticateToken(context.Background(), secret)
	if err != nil && errs.CodeOf(err) != errs.CodeUnauthenticated {
		p.t.Fatalf("authenticate: %v", err)
	}
	return err == nil
}

func (p accountProbe) last(action string) audit.Event {
	p.t.Helper()
	a := p.s.open(p.t)
	defer a.Close()
	list, _, err := a.Audit.List(access.With(context.Background(), access.System()), audit.Filter{Action: action, Limit: 1})
	if err != nil || len(list) == 0 {
		p.t.Fatalf("no %s event (%v)", action, err)
	}
	return list[0]
}

// TestAccountCommands: an operator deactivates and reactivates a user and an agency on
// the command line, on each engine. Deactivation ends sessions and revokes tokens, which
// stay dead after reactivation; each act is audited as the operator via "cli"; a token
// issued on the command line is audited as such.
func TestAccountCommands(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newStore(t, engine)
			p := accountProbe{t: t, s: s}
			const pw = "Pumamaqui-Cedro-Nogal-88"
			s.mustRun(t, "", "agency", "add", "--code", "norte", "--name", "Fundación Norte", "--type", "ngo")
			s.mustRun(t, pw+"\n", "user", "add", "--email", "rosa@norte.test", "--name", "Rosa Ayala",
				"--role", "monitoring", "--agency", "norte", "--jurisdiction", "national", "--password-stdin")
			code, out, errOut := s.amparo(t, "", "token", "create", "--email", "rosa@norte.test")
			tok := strings.TrimSpace(out)
			if code != 0 || !strings.Contains(errOut, "issued for rosa@norte.test by the operator") {
				t.Fatalf("token create: exit %d\n%s%s", code, out, errOut)
			}
			if ev := p.last("token.issue"); ev.Via != "cli" || ev.ActorID != "system" || !strings.Contains(ev.Detail, "on the command line") {
				t.Errorf("token.issue event: %+v", ev)
			}
			if !p.canSignIn("rosa@norte.test", pw) || !p.tokenWorks(tok) {
				t.Fatal("the user cannot sign in or use the token to begin with")
			}

			out = s.mustRun(t, "", "user", "deactivate", "--email", "ROSA@norte.test")
			if out != "user rosa@norte.test deactivated: 1 session ended, 1 API token revoked\n" {
				t.Errorf("user deactivate printed %q", out)
			}
			if ev := p.last("user.deactivate"); ev.Via != "cli" || ev.ActorID != "system" || ev.Detail != "sessions ended: 1, tokens revoked: 1" {
				t.Errorf("user.deactivate event: %+v", ev)
			}
			if p.canSignIn("rosa@norte.test", pw) || p.tokenWorks(tok) {
				t.Error("a deactivated user signs in or uses a token")
			}
			if out = s.mustRun(t, "", "user", "deactivate", "--email", "rosa@norte.test"); !strings.Contains(out, "already inactive; nothing changed") {
				t.Errorf("second deactivate printed %q", out)
			}
			out = s.mustRun(t, "", "user", "reactivate", "--email", "rosa@norte.test")
			if !strings.HasPrefix(out, "user rosa@norte.test reactivated") {
				t.Errorf("user reactivate printed %q", out)
			}
			if !p.canSignIn("rosa@norte.test", pw) || p.tokenWorks(tok) {
				t.Error("after reactivation: sign-in refused, or the revoked token works again")
			}
			if ev := p.last("user.reactivate"); ev.Via != "cli" || ev.ActorID != "system" {
				t.Errorf("user.reactivate event: %+v", ev)
			}

			tok2 := strings.TrimSpace(s.mustRun(t, "", "token", "create", "--email", "rosa@norte.test"))
			out = s.mustRun(t, "", "agency", "deactivate", "--code", "NORTE")
			if !strings.HasPrefix(out, "agency norte deactivated: its users cannot sign in;") || !strings.Contains(out, "1 API token revoked") {
				t.Errorf("agency deactivate printed %q", out)
			}
			if ev := p.last("agency.deactivate"); ev.Via != "cli" || ev.ActorID != "system" {
				t.Errorf("agency.deactivate event: %+v", ev)
			}
			if p.canSignIn("rosa@norte.test", pw) || p.tokenWorks(tok2) {
				t.Error("a user of a deactivated agency signs in or uses a token")
			}
			if out = s.mustRun(t, "", "user", "reactivate", "--email", "rosa@norte.test"); !strings.Contains(out, "already active") {
				t.Errorf("reactivating an active user of an inactive agency printed %q", out)
			}
			out = s.mustRun(t, "", "agency", "reactivate", "--code", "norte")
			if !strings.HasPrefix(out, "agency norte reactivated") {
				t.Errorf("agency reactivate printed %q", out)
			}
			if !p.canSignIn("rosa@norte.test", pw) || p.tokenWorks(tok2) {
				t.Error("after the agency's reactivation: sign-in refused, or the revoked token works again")
			}
		})
	}
}

// TestAccountCommandsRefuse: a missing or unknown email or code is one clear line and
// exit 2.
func TestAccountCommandsRefuse(t *testing.T) {
	s := newStore(t, "sqlite")
	s.mustRun(t, "", "agency", "add", "--code", "norte", "--name", "Fundación Norte", "--type", "ngo")
	for _, c := range []struct {
		args []string
		line string
	}{
		{[]string{"user", "deactivate"}, "amparo user deactivate: --email is required"},
		{[]string{"user", "reactivate", "--email", "nadie@norte.test"}, "amparo user reactivate: --email: There is no user with that email."},
		{[]string{"agency", "deactivate"}, "amparo agency deactivate: --code is required"},
		{[]string{"agency", "reactivate", "--code", "sur"}, "amparo agency reactivate: --code: That institution does not exist."},
		{[]string{"agency", "deactivate", "--code", "norte", "--name", "x"}, "flag provided but not defined: -name"},
	} {
		code, out, errOut := s.amparo(t, "", c.args...)
		if code != 2 || !strings.Contains(errOut, c.line) || strings.Contains(out, "deactivated") {
			t.Errorf("amparo %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, errOut, c.line)
		}
	}
}
