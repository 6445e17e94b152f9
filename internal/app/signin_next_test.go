package app_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
)

var nextFieldRe = regexp.MustCompile(`(?s)<form id="login".*?<input type="hidden" name="next" value="([^"]*)">`)

// hostileNexts are post-login targets that a browser would resolve to another site:
// every control character (0x00–0x1f, 0x7f) between "/" and "/evil.example" and before
// "//evil.example", backslashes, "//", "/\", schemes and encoded forms.
func hostileNexts() []string {
	var out []string
	for c := 0; c <= 0x20; c++ {
		if c == 0x20 {
			c = 0x7f
		}
		out = append(out, "/"+string(rune(c))+"/evil.example", string(rune(c))+"//evil.example")
	}
	return append(out, "//evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
		"https://evil.example/", "javascript:alert(1)", "/%2F/evil.example", "%2F%2Fevil.example",
		"/%5Cevil.example", "///evil.example")
}

// refused stands for a sign-in page refused (422) for its input before it was shown.
const refused = "(refused)"

// isRefusedControl reports the control characters every input refuses (text.Problem):
// all but tab, line feed and carriage return.
func isRefusedControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
}

// TestLoginNextStaysOnSite: through the real sign-in, "next" only ever sends the
// browser to a path of this site. The form does not carry a hostile target, and a
// sign-in posted with one (a crafted form) lands on "/"; a path of the site is kept.
func TestLoginNextStaysOnSite(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-next")
	u := ta.createUser(t, ag.ID, access.Monitoring, "siguiente@amparo.test")
	signIn := func(next string) string {
		t.Helper()
		b := ta.newBrowser(t, u.Email, testPassword)
		resp, body := b.do(t, http.MethodGet, "/login?next="+url.QueryEscape(next), nil, nil)
		if resp.StatusCode == http.StatusUnprocessableEntity && strings.ContainsFunc(next, isRefusedControl) {
			return refused // input with control characters is refused before any page: no redirect at all
		}
		m := nextFieldRe.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("GET /login?next=%q: status %d, no next field\n%s", next, resp.StatusCode, short(body))
		}
		form := html.UnescapeString(m[1])
		resp, body = b.postForm(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {next}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in with next=%q: status %d\n%s", next, resp.StatusCode, short(body))
		}
		if loc := resp.Header.Get("Location"); loc != form {
			t.Errorf("next=%q: the form carries %q but the sign-in went to %q", next, form, loc)
		}
		return resp.Header.Get("Location")
	}
	for _, next := range hostileNexts() {
		if loc := signIn(next); loc != "/" && loc != refused {
			t.Errorf("sign in with next=%q redirected to %q, want /", next, loc)
		}
	}
	for _, next := range []string{"/cases?status=open&page=2", "/admin/users?q=ana%20l%C3%B3pez", "/profile#tokens"} {
		if loc := signIn(next); loc != next {
			t.Errorf("sign in with next=%q redirected to %q, want it kept", next, loc)
		}
	}
	// A page that needs a user sends the browser to sign in with itself as "next".
	b := ta.newBrowser(t, u.Email, testPassword)
	resp, _ := b.do(t, http.MethodGet, "/profile?tab=tokens", nil, nil)
	if loc := resp.Header.Get("Location"); loc != "/login?next="+url.QueryEscape("/profile?tab=tokens") {
		t.Errorf("GET /profile anonymous: redirected to %q", loc)
	}
}

// TestSessionCookieSecure: the session cookie is Secure whenever the public URL is
// https, or the request came through a trusted proxy that says https; not on plain
// http without either, and not on an untrusted proxy's word alone.
func TestSessionCookieSecure(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-cookie")
	u := ta.createUser(t, ag.ID, access.Monitoring, "galleta@amparo.test")
	for _, c := range []struct {
		name       string
		baseURL    string
		trustProxy bool
		proto      string
		want       bool
	}{
		{"plain http, no public URL", "", false, "", false},
		{"public URL http", "http://amparo.example", false, "", false},
		{"public URL https", "https://amparo.example", false, "", true},
		{"public URL HTTPS in capitals", " HTTPS://amparo.example", false, "", true},
		{"trusted proxy says https", "", true, "https", true},
		{"trusted proxy says http", "", true, "http", false},
		{"untrusted proxy says https", "", false, "https", false},
	} {
		ta.AuthH.BaseURL, ta.AuthH.TrustProxy = c.baseURL, c.trustProxy
		b := ta.newBrowser(t, u.Email, testPassword)
		hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		if c.proto != "" {
			hdr["X-Forwarded-Proto"] = c.proto
		}
		form := url.Values{"email": {u.Email}, "password": {testPassword}}
		resp, body := b.do(t, http.MethodPost, "/login", strings.NewReader(form.Encode()), hdr)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: sign in: %d\n%s", c.name, resp.StatusCode, short(body))
		}
		var got *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == auth.SessionCookie {
				got = ck
			}
		}
		if got == nil || got.Secure != c.want || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode {
			t.Errorf("%s: session cookie %+v, want Secure=%v, HttpOnly, SameSite=Lax", c.name, got, c.want)
		}
	}
}

// TestNextSurvivesSecondFactor: a role with a second factor lands on the page it asked
// for after the code, and a hostile "next" is dropped at that step too.
func TestNextSurvivesSecondFactor(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-next-mfa")
	u := ta.createUser(t, ag.ID, access.CaseWorker, "siguiente-mfa@amparo.test")
	b := ta.newBrowser(t, u.Email, testPassword)
	b.signIn(t) // enrols and keeps recovery codes
	b.postForm(t, "/logout", nil)
	mfaField := regexp.MustCompile(`(?s)<form id="mfa".*?<input type="hidden" name="next" value="([^"]*)">`)
	for _, tc := range []struct{ next, want string }{
		{"/cases?status=screened&page=2", "/cases?status=screened&page=2"},
		{"/\t/evil.example", "/"},
	} {
		resp, body := b.postForm(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {tc.next}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/mfa") {
			t.Fatalf("sign in with next=%q: %d to %q\n%s", tc.next, resp.StatusCode, loc, short(body))
		}
		resp, body = b.do(t, http.MethodGet, loc, nil, nil)
		m := mfaField.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil || html.UnescapeString(m[1]) != tc.want {
			t.Fatalf("GET %s: status %d, next field %v, want %q", loc, resp.StatusCode, m, tc.want)
		}
		// A crafted form that puts the hostile value back is refused at this step too.
		code := b.recovery[0]
		b.recovery = b.recovery[1:]
		resp, _ = b.postForm(t, "/login/mfa", url.Values{"code": {code}, "next": {tc.next}})
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.want {
			t.Errorf("second factor with next=%q: %d to %q, want %q", tc.next, resp.StatusCode, got, tc.want)
		}
		b.postForm(t, "/logout", nil)
	}
}
