package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// token makes a token for u as u and returns its secret.
func (e *env) token(t *testing.T, u *auth.User, name string) (string, *auth.Token) {
	t.Helper()
	secret, tok, err := e.svc.CreateToken(e.as(u), u.ID, name, 24*time.Hour)
	if err != nil {
		t.Fatalf("create token %s: %v", name, err)
	}
	return secret, tok
}

// tokenWorks reports whether the token authenticates now.
func (e *env) tokenWorks(t *testing.T, secret string) bool {
	t.Helper()
	_, _, err := e.svc.AuthenticateToken(e.web("198.51.100.60"), secret)
	if err != nil && errs.CodeOf(err) != errs.CodeUnauthenticated {
		t.Fatalf("authenticate token: %v", err)
	}
	return err == nil
}

// lastEvent is the newest audit event with action about recordID.
func (e *env) lastEvent(t *testing.T, action, recordID string) audit.Event {
	t.Helper()
	ev := e.events(t, action, recordID)
	if len(ev) == 0 {
		t.Fatalf("no %s event for %s", action, recordID)
	}
	return ev[len(ev)-1]
}

// TestTokensFollowTheAccount: a token stops working while its user is locked out, works
// again when the lock ends; deactivation revokes every token of the user for good, so
// reactivation does not bring them back, and the operator's action is audited.
func TestTokensFollowTheAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "cuenta@amparo.test")
		mine, _ := e.token(t, u, "informes")
		issued, _, err := e.svc.CreateToken(e.sys(), u.ID, "cli", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !e.tokenWorks(t, mine) || !e.tokenWorks(t, issued) {
			t.Fatal("fresh tokens refused")
		}

		// Locked out: refused while the lock lasts, and the refusal says why.
		for i := 0; i < e.svc.LockAfter; i++ {
			_, _ = e.svc.Login(e.web("198.51.100.61"), u.Email, "Clave-Equivocada-0")
		}
		if e.tokenWorks(t, mine) {
			t.Error("a token works while its user is locked out")
		}
		if ev := e.events(t, "token.use", ""); ev[len(ev)-1].Detail != "user locked" || ev[len(ev)-1].Outcome != audit.OutcomeDenied {
			t.Errorf("refusal while locked audited as %+v", ev[len(ev)-1])
		}
		e.advance(e.svc.LockFor + time.Second)
		if !e.tokenWorks(t, mine) {
			t.Error("the token stays refused after the lock ended")
		}

		// Deactivated: sessions end and every token is revoked.
		e.login(t, "198.51.100.62", u.Email, goodPassword)
		got, ended, err := e.svc.SetUserActive(e.sys(), u.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Active || ended.Sessions != 1 || ended.Tokens != 2 {
			t.Errorf("deactivate: active %v, %+v; want inactive, 1 session, 2 tokens", got.Active, ended)
		}
		ev := e.lastEvent(t, "user.deactivate", u.ID)
		if ev.Via != "cli" || ev.ActorID != "system" || ev.Detail != "sessions ended: 1, tokens revoked: 2" {
			t.Errorf("user.deactivate event: %+v", ev)
		}
		if e.tokenWorks(t, mine) || e.tokenWorks(t, issued) {
			t.Error("a token works after deactivation")
		}
		if _, _, err := e.svc.SetUserActive(e.sys(), u.ID, false); err != nil {
			t.Fatal(err)
		}
		if n := len(e.events(t, "user.deactivate", u.ID)); n != 1 {
			t.Errorf("deactivating twice recorded %d events, want 1", n)
		}

		// Reactivated: the person signs in again; the old tokens stay dead.
		if _, _, err := e.svc.SetUserActive(e.sys(), u.ID, true); err != nil {
			t.Fatal(err)
		}
		e.login(t, "198.51.100.62", u.Email, goodPassword)
		if e.tokenWorks(t, mine) || e.tokenWorks(t, issued) {
			t.Error("a token revoked by deactivation works again after reactivation")
		}
		list, err := e.svc.ListTokens(e.as(u), u.ID)
		if err != nil || len(list) != 2 || list[0].RevokedAt.IsZero() || list[1].RevokedAt.IsZero() {
			t.Errorf("tokens after reactivation: %v %+v", err, list)
		}
		fresh, _ := e.token(t, u, "nueva")
		if !e.tokenWorks(t, fresh) {
			t.Error("a new token after reactivation is refused")
		}
		if len(e.events(t, "user.reactivate", u.ID)) != 1 {
			t.Error("no user.reactivate event")
		}

		// The edit form's path (UpdateUser with Active false) revokes tokens too.
		cur := e.reload(t, u.ID)
		cur.Active = false
		if _, err := e.svc.UpdateUser(e.sys(), cur); err != nil {
			t.Fatal(err)
		}
		cur.Active = true
		if _, err := e.svc.UpdateUser(e.sys(), cur); err != nil {
			t.Fatal(err)
		}
		if e.tokenWorks(t, fresh) {
			t.Error("a token survives deactivation through the edit form")
		}

		// Only those who manage users; never oneself.
		admin := e.user(t, access.Admin, "jefa@amparo.test")
		_, _, err = e.svc.SetUserActive(e.as(u), admin.ID, false)
		wantCode(t, "deactivate as monitoring", err, errs.CodeForbidden)
		_, _, err = e.svc.SetUserActive(e.as(admin), admin.ID, false)
		wantFields(t, "deactivate oneself", err, map[string]string{"roles": "validation.cannot_demote_self"})
	})
}

// TestAgencyDeactivationEndsAccess: deactivating an agency ends its users' sessions,
// revokes their tokens and refuses their sign-in; other agencies are untouched; an
// administrator cannot deactivate their own agency; reactivation lets the users sign in
// again without reviving their tokens.
func TestAgencyDeactivationEndsAccess(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		other, err := e.svc.CreateAgency(e.sys(), &auth.Agency{Code: "otra", Name: "Otra institución", Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		in := e.user(t, access.Monitoring, "dentro@amparo.test")
		out, _, err := e.svc.CreateUser(e.sys(), &auth.User{Email: "fuera@amparo.test", Name: "Rosa Prueba",
			AgencyID: other.ID, Roles: []access.Role{access.Monitoring}}, goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		const ip = "198.51.100.70"
		inSess, outSess := e.login(t, ip, in.Email, goodPassword), e.login(t, ip, out.Email, goodPassword)
		inTok, _ := e.token(t, in, "dentro")
		outTok, _ := e.token(t, out, "fuera")

		admin := e.user(t, access.Admin, "admin@amparo.test")
		_, _, err = e.svc.SetAgencyActive(e.as(admin), e.ag.ID, false)
		wantFields(t, "deactivate one's own agency", err, map[string]string{"active": "validation.cannot_deactivate_own_agency"})
		_, _, err = e.svc.SetAgencyActive(e.as(in), e.ag.ID, false)
		wantCode(t, "deactivate an agency as monitoring", err, errs.CodeForbidden)

		ag, ended, err := e.svc.SetAgencyActive(e.sys(), e.ag.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if ag.Active || ended.Sessions != 1 || ended.Tokens != 1 {
			t.Errorf("deactivate agency: active %v, %+v; want 1 session and 1 token", ag.Active, ended)
		}
		if ev := e.lastEvent(t, "agency.deactivate", e.ag.ID); ev.Via != "cli" || ev.ActorID != "system" {
			t.Errorf("agency.deactivate event: %+v", ev)
		}
		_, err = e.svc.Session(ctx, inSess.Token)
		wantCode(t, "session of a deactivated agency", err, errs.CodeUnauthenticated)
		if e.tokenWorks(t, inTok) {
			t.Error("a token of a deactivated agency works")
		}
		_, err = e.svc.Login(e.web(ip), in.Email, goodPassword)
		if ee := wantCode(t, "sign-in to a deactivated agency", err, errs.CodeInvalid); ee.Key != "login.failed" {
			t.Errorf("sign-in to a deactivated agency: %q, want the usual login.failed", ee.Key)
		}
		if ev := e.lastEvent(t, "auth.login_failed", in.ID); ev.Detail != "agency inactive" {
			t.Errorf("refused sign-in audited as %q", ev.Detail)
		}
		_, _, err = e.svc.CreateToken(e.sys(), in.ID, "nuevo", time.Hour)
		wantFields(t, "token for a user of a deactivated agency", err, map[string]string{"email": "validation.user_inactive"})
		if _, err := e.svc.Session(ctx, outSess.Token); err != nil || !e.tokenWorks(t, outTok) {
			t.Errorf("another agency's users lost access: %v", err)
		}

		// Reactivated: sign-in works again; the revoked token stays dead.
		if _, _, err := e.svc.SetAgencyActive(e.sys(), e.ag.ID, true); err != nil {
			t.Fatal(err)
		}
		e.login(t, ip, in.Email, goodPassword)
		if e.tokenWorks(t, inTok) {
			t.Error("a token revoked with its agency works after reactivation")
		}
		if len(e.events(t, "agency.reactivate", e.ag.ID)) != 1 {
			t.Error("no agency.reactivate event")
		}

		// A token made while the agency is active is refused once it is deactivated
		// through the edit path (UpdateAgency), even before any cleanup.
		tok2, _ := e.token(t, in, "segunda")
		cur, err := e.svc.Agency(e.sys(), e.ag.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Active = false
		if _, err := e.svc.UpdateAgency(e.sys(), cur); err != nil {
			t.Fatal(err)
		}
		if e.tokenWorks(t, tok2) {
			t.Error("a token works after its agency was deactivated by edit")
		}
	})
}

// TestSignOutEverywhereAndPasswordChangeOfferToRevokeTokens: with the box checked the
// user's tokens are revoked with the sessions; without it they keep working.
func TestSignOutEverywhereAndPasswordChangeOfferToRevokeTokens(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "salir@amparo.test")
		const ip = "198.51.100.80"
		keep, _ := e.token(t, u, "conservar")
		e.login(t, ip, u.Email, goodPassword)
		ended, err := e.svc.LogoutEverywhere(e.as(u), u.ID, false)
		if err != nil || ended.Sessions != 1 || ended.Tokens != 0 || !e.tokenWorks(t, keep) {
			t.Errorf("sign out everywhere without tokens: %v %+v", err, ended)
		}
		e.login(t, ip, u.Email, goodPassword)
		ended, err = e.svc.LogoutEverywhere(e.as(u), u.ID, true)
		if err != nil || ended.Sessions != 1 || ended.Tokens != 1 || e.tokenWorks(t, keep) {
			t.Errorf("sign out everywhere with tokens: %v %+v", err, ended)
		}
		if ev := e.lastEvent(t, "auth.logout_all", u.ID); ev.Detail != "sessions ended: 1, tokens revoked: 1" {
			t.Errorf("auth.logout_all detail %q", ev.Detail)
		}
		other := e.user(t, access.Monitoring, "ajena@amparo.test")
		_, err = e.svc.LogoutEverywhere(e.as(other), u.ID, true)
		wantCode(t, "sign someone else out", err, errs.CodeForbidden)

		a, _ := e.token(t, u, "a")
		s := e.login(t, ip, u.Email, goodPassword)
		s, err = e.svc.ChangePassword(e.web(ip), s, s.Token, goodPassword, "Otra-Clave-Del-Páramo-1357", false)
		if err != nil || !e.tokenWorks(t, a) {
			t.Fatalf("password change keeping tokens: %v", err)
		}
		// The next request reads the session (and the new password hash) again.
		if s, err = e.svc.Session(context.Background(), s.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ChangePassword(e.web(ip), s, s.Token, "Otra-Clave-Del-Páramo-1357", "Tercera-Clave-Del-Volcán-8642", true); err != nil {
			t.Fatal(err)
		}
		if e.tokenWorks(t, a) {
			t.Error("a token works after a password change that revoked tokens")
		}
		if ev := e.lastEvent(t, "auth.password_change", u.ID); !strings.Contains(ev.Detail, "tokens revoked: 1") {
			t.Errorf("auth.password_change detail %q", ev.Detail)
		}
	})
}
