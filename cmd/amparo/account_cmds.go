package main

import (
	"context"
	"fmt"
	"io"

	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// The operator's account commands: deactivate and reactivate users and agencies from
// the command line, for the day an account is compromised and no administrator can
// sign in. They go through the same service calls as the screens, audited as the
// operator ("system") on the command line (via "cli").

func cmdUserDeactivate(ctx context.Context, args []string, out, errOut io.Writer) error {
	return setUserActive(ctx, "user deactivate", false, args, out, errOut)
}

func cmdUserReactivate(ctx context.Context, args []string, out, errOut io.Writer) error {
	return setUserActive(ctx, "user reactivate", true, args, out, errOut)
}

func cmdAgencyDeactivate(ctx context.Context, args []string, out, errOut io.Writer) error {
	return setAgencyActive(ctx, "agency deactivate", false, args, out, errOut)
}

func cmdAgencyReactivate(ctx context.Context, args []string, out, errOut io.Writer) error {
	return setAgencyActive(ctx, "agency reactivate", true, args, out, errOut)
}

// tokensWord is "API token" or "API tokens" for n.
func tokensWord(n int64) string {
	if n == 1 {
		return "API token"
	}
	return "API tokens"
}

func sessionsWord(n int64) string {
	if n == 1 {
		return "session"
	}
	return "sessions"
}

func setUserActive(ctx context.Context, cmd string, active bool, args []string, out, errOut io.Writer) error {
	fs := newFlags(cmd, cmd+" --email EMAIL [--db URL] [--data DIR]", errOut)
	c := config.Register(fs, adminMask)
	email := fs.String("email", "", "the user's email")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(cmd, errOut, "email", *email); err != nil {
		return err
	}
	if err := c.Finish(adminMask); err != nil {
		return err
	}
	ctx, a, err := openAdmin(ctx, c, errOut)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UserByEmail(ctx, *email)
	if errs.CodeOf(err) == errs.CodeNotFound {
		return problems(cmd, errs.Invalid(map[string]string{"email": "validation.user_unknown"}), errOut)
	}
	if err != nil {
		return err
	}
	if u.Active == active {
		fmt.Fprintf(out, "user %s is already %s; nothing changed\n", u.Email, activeWord(active))
		return nil
	}
	u, ended, err := a.Auth.SetUserActive(ctx, u.ID, active)
	if err != nil {
		return problems(cmd, err, errOut)
	}
	if !active {
		fmt.Fprintf(out, "user %s deactivated: %d %s ended, %d %s revoked\n", u.Email,
			ended.Sessions, sessionsWord(ended.Sessions), ended.Tokens, tokensWord(ended.Tokens))
		return nil
	}
	fmt.Fprintf(out, "user %s reactivated: they can sign in again; API tokens revoked before stay revoked\n", u.Email)
	if !u.AgencyActive {
		fmt.Fprintf(out, "note: their agency %s is inactive, so they cannot sign in until it is reactivated\n", u.AgencyCode)
	}
	return nil
}

func setAgencyActive(ctx context.Context, cmd string, active bool, args []string, out, errOut io.Writer) error {
	fs := newFlags(cmd, cmd+" --code CODE [--db URL] [--data DIR]", errOut)
	c := config.Register(fs, adminMask)
	code := fs.String("code", "", "the agency's code")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(cmd, errOut, "code", *code); err != nil {
		return err
	}
	if err := c.Finish(adminMask); err != nil {
		return err
	}
	ctx, a, err := openAdmin(ctx, c, errOut)
	if err != nil {
		return err
	}
	defer a.Close()
	ag, err := a.Auth.AgencyByCode(ctx, *code)
	if errs.CodeOf(err) == errs.CodeNotFound {
		return problems(cmd, errs.Invalid(map[string]string{"code": "validation.agency_unknown"}), errOut)
	}
	if err != nil {
		return err
	}
	if ag.Active == active {
		fmt.Fprintf(out, "agency %s is already %s; nothing changed\n", ag.Code, activeWord(active))
		return nil
	}
	var ended auth.Ended
	if ag, ended, err = a.Auth.SetAgencyActive(ctx, ag.ID, active); err != nil {
		return problems(cmd, err, errOut)
	}
	if !active {
		fmt.Fprintf(out, "agency %s deactivated: its users cannot sign in; %d %s ended, %d %s revoked\n", ag.Code,
			ended.Sessions, sessionsWord(ended.Sessions), ended.Tokens, tokensWord(ended.Tokens))
		return nil
	}
	fmt.Fprintf(out, "agency %s reactivated: its active users can sign in again; API tokens revoked before stay revoked\n", ag.Code)
	return nil
}

func activeWord(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}
