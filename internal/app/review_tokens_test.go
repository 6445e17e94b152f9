package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
)

// liveTokens counts the user's tokens that still work.
func liveTokens(t *testing.T, ta *testApp, userID string) int {
	t.Helper()
	ctx := access.With(context.Background(), &access.Subject{UserID: userID})
	list, err := ta.Auth.ListTokens(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tok := range list {
		if tok.Live(ta.Auth.Now()) {
			n++
		}
	}
	return n
}

// TestTokenCannotMakeTokens: an API token cannot be used to make another token through
// the profile's form (a leaked token would otherwise outlive its revocation in a
// year-long copy); a signed-in browser can. 403, nothing made, on both engines.
func TestTokenCannotMakeTokens(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			ag := ta.createAgency(t, "agencia-fichas")
			u := ta.createUser(t, ag.ID, access.Monitoring, "fichas@amparo.test")
			api := ta.newBearer(t, u.ID)
			form := url.Values{"name": {"copia"}, "days": {"365"}}
			resp, body := api.do(t, http.MethodPost, "/profile/tokens", strings.NewReader(form.Encode()),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			if resp.StatusCode != http.StatusForbidden || strings.Contains(body, auth.TokenPrefix) {
				t.Errorf("POST /profile/tokens with a token: %d, want 403\n%s", resp.StatusCode, short(body))
			}
			if n := liveTokens(t, ta, u.ID); n != 1 {
				t.Errorf("%d live tokens after a token asked for another, want 1", n)
			}
			b := ta.newBrowser(t, u.Email, testPassword)
			b.signIn(t)
			if resp, body := b.postForm(t, "/profile/tokens", form); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="new-token"`) {
				t.Errorf("POST /profile/tokens signed in: %d, want the new token shown\n%s", resp.StatusCode, short(body))
			}
			if n := liveTokens(t, ta, u.ID); n != 2 {
				t.Errorf("%d live tokens after the browser made one, want 2", n)
			}
		})
	}
}

// TestTokenDaysOutOfRange: a number of days beyond a year is refused with the field
// message, also one so large that days × 24 h overflowed into a lifetime of minutes.
func TestTokenDaysOutOfRange(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-dias")
	u := ta.createUser(t, ag.ID, access.Monitoring, "dias@amparo.test")
	b := ta.newBrowser(t, u.Email, testPassword)
	b.signIn(t)
	for _, days := range []string{"0", "-3", "367", "213504", "99999999999999999999", "1e3"} {
		resp, body := b.postForm(t, "/profile/tokens", url.Values{"name": {"larga"}, "days": {days}})
		if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, `id="new-token"`) {
			t.Errorf("days=%s: %d, want 422 and no token", days, resp.StatusCode)
		}
	}
	if n := liveTokens(t, ta, u.ID); n != 0 {
		t.Errorf("%d tokens made with days out of range", n)
	}
}
