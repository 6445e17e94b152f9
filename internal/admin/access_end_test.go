package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
)

// bearerStatus is the status of GET /api/v1/me with the token.
func (e *env) bearerStatus(t *testing.T, secret string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// issue makes a token for the user as the command line would.
func (e *env) issue(t *testing.T, userID string) string {
	t.Helper()
	secret, _, err := e.Auth.CreateToken(system(), userID, "integración", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestAgencyDeactivationEndsItsUsersAccess: deactivating an agency on its screen ends
// its users' sessions, refuses their tokens and their sign-in; reactivating lets them
// sign in again, not their tokens work; an administrator's own agency is refused.
func TestAgencyDeactivationEndsItsUsersAccess(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		norte := e.agency(t, "norte", "Fundación Norte (prueba)")
		w := e.named(t, "Rosa Norte", "rosa@norte.test", norte.ID, access.Monitoring)
		browser := e.anonymous(t)
		browser.signIn(t, w.Email, testPassword)
		secret := e.issue(t, w.ID)
		if s := e.bearerStatus(t, secret); s != http.StatusOK {
			t.Fatalf("token before: %d", s)
		}

		wantStatus(t, "deactivate", admin.post(t, "/admin/agencies/"+norte.ID+"/deactivate", nil), http.StatusSeeOther)
		if r := browser.get(t, "/profile"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
			t.Errorf("the agency's user still has a session: %d to %q", r.Status, r.Location())
		}
		if s := e.bearerStatus(t, secret); s != http.StatusUnauthorized {
			t.Errorf("the agency's user's token answers %d, want 401", s)
		}
		r := browser.post(t, "/login", url.Values{"email": {w.Email}, "password": {testPassword}})
		wantStatus(t, "sign-in to a deactivated agency", r, http.StatusUnprocessableEntity)

		r = admin.post(t, "/admin/agencies/"+e.base.ID+"/deactivate", nil)
		wantStatus(t, "deactivate one's own agency", r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, "No puede desactivar su propia institución.") {
			t.Errorf("no reason shown for refusing to deactivate one's own agency:\n%s", short(r.Body))
		}
		if a, _ := e.Auth.Agency(system(), e.base.ID); !a.Active {
			t.Error("the administrator's own agency was deactivated")
		}

		wantStatus(t, "reactivate", admin.post(t, "/admin/agencies/"+norte.ID+"/reactivate", nil), http.StatusSeeOther)
		browser.signIn(t, w.Email, testPassword)
		if s := e.bearerStatus(t, secret); s != http.StatusUnauthorized {
			t.Errorf("a token revoked with its agency answers %d after reactivation, want 401", s)
		}
	})
}

// TestUserDeactivationRevokesTokens: deactivating a user on their screen revokes their
// tokens for good; "end all their sessions" revokes them only with the box checked.
func TestUserDeactivationRevokesTokens(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		u := e.named(t, "Luis Base", "luis@base.test", e.base.ID, access.Monitoring)
		first := e.issue(t, u.ID)
		wantStatus(t, "deactivate", admin.post(t, "/admin/users/"+u.ID+"/deactivate", nil), http.StatusSeeOther)
		wantStatus(t, "reactivate", admin.post(t, "/admin/users/"+u.ID+"/reactivate", nil), http.StatusSeeOther)
		if s := e.bearerStatus(t, first); s != http.StatusUnauthorized {
			t.Errorf("a token of a deactivated then reactivated user answers %d, want 401", s)
		}
		if ev := e.events(t, "user.deactivate"); len(ev) != 1 || ev[0].Detail != "sessions ended: 0, tokens revoked: 1" {
			t.Errorf("user.deactivate events %+v", ev)
		}

		second := e.issue(t, u.ID)
		wantStatus(t, "end sessions, keep tokens", admin.post(t, "/admin/users/"+u.ID+"/end-sessions", nil), http.StatusSeeOther)
		if s := e.bearerStatus(t, second); s != http.StatusOK {
			t.Errorf("ending sessions without the box revoked the token (%d)", s)
		}
		r := admin.post(t, "/admin/users/"+u.ID+"/end-sessions", url.Values{"revoke_tokens": {"1"}})
		wantStatus(t, "end sessions and tokens", r, http.StatusSeeOther)
		if s := e.bearerStatus(t, second); s != http.StatusUnauthorized {
			t.Errorf("ending sessions with the box left the token working (%d)", s)
		}
		page := admin.get(t, "/admin/users/"+u.ID).Body
		if !strings.Contains(page, `name="revoke_tokens" value="1" checked`) {
			t.Error("the end-sessions form does not offer to revoke tokens, checked")
		}
	})
}
