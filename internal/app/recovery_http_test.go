package app_test

import (
	"bytes"
	"encoding/base64"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
)

// qrImgRe finds the QR image's source; html/template writes "+" as "&#43;" in it.
var qrImgRe = regexp.MustCompile(`<img src="data:image/png;base64,([^"]+)" width="220" height="220"`)

// TestEnrolmentQRAndRecoveryCodes walks a case worker through enrolment and the
// recovery codes over HTTP: the QR code is a real PNG in the page (not "#ZgotmplZ"), the
// codes page offers print and download, the download works once, and the profile
// regenerates the codes after a TOTP code (a wrong one is refused).
func TestEnrolmentQRAndRecoveryCodes(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-codigos")
	u := ta.createUser(t, ag.ID, access.CaseWorker, "codigos@amparo.test")
	b := ta.newBrowser(t, u.Email, testPassword)
	if resp, body := b.postForm(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", resp.StatusCode, short(body))
	}
	_, page := b.do(t, http.MethodGet, "/login/enrol", nil, nil)
	if strings.Contains(page, "ZgotmplZ") {
		t.Fatal("the enrolment page carries #ZgotmplZ instead of the QR code")
	}
	m := qrImgRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no data: PNG image on the enrolment page\n%s", short(page))
	}
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatalf("QR data URL: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != 220 || img.Bounds().Dy() != 220 {
		t.Fatalf("QR PNG: %v, bounds %v", err, img)
	}
	secret := secretRe.FindStringSubmatch(page)[1]
	code, _ := totp.GenerateCode(secret, time.Now())
	resp, codesPage := b.postForm(t, "/login/enrol", url.Values{"code": {code}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm enrolment: %d\n%s", resp.StatusCode, short(codesPage))
	}
	for _, want := range []string{`id="print-codes" class="secondary" data-print hidden`, `<form id="download-codes" method="post" action="/login/recovery-codes">`,
		"Cuenta codigos@amparo.test", "Ctrl+P"} {
		if !strings.Contains(html.UnescapeString(codesPage), want) {
			t.Errorf("the codes page lacks %q", want)
		}
	}
	shown := recoveryRe.FindAllStringSubmatch(codesRe.FindStringSubmatch(codesPage)[1], -1)
	download := func(what string, want []string) {
		t.Helper()
		resp, body := b.postForm(t, "/login/recovery-codes", nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: download %d %v\n%s", what, resp.StatusCode, resp.Header, short(body))
		}
		for _, c := range want {
			if !strings.Contains(body, c+"\r\n") {
				t.Errorf("%s: the file lacks code %s:\n%s", what, c, body)
			}
		}
		resp, body = b.postForm(t, "/login/recovery-codes", nil)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "La copia para descargar ya no está disponible") {
			t.Errorf("%s: second download %d, want 404 and the reason\n%s", what, resp.StatusCode, short(body))
		}
	}
	var codes []string
	for _, c := range shown {
		codes = append(codes, c[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d codes shown", len(codes))
	}
	download("at enrolment", codes)

	_, profile := b.do(t, http.MethodGet, "/profile", nil, nil)
	if !strings.Contains(profile, `id="recovery-form"`) {
		t.Fatal("the profile offers no new recovery codes")
	}
	resp, body := b.postForm(t, "/profile/recovery-codes", url.Values{"code": {"000000"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "El código no es correcto") {
		t.Errorf("regenerate with a wrong code: %d\n%s", resp.StatusCode, short(body))
	}
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	resp, body = b.postForm(t, "/profile/recovery-codes", url.Values{"code": {next}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/profile"`) {
		t.Fatalf("regenerate: %d\n%s", resp.StatusCode, short(body))
	}
	var fresh []string
	for _, c := range recoveryRe.FindAllStringSubmatch(codesRe.FindStringSubmatch(body)[1], -1) {
		fresh = append(fresh, c[1])
	}
	if len(fresh) != 10 || fresh[0] == codes[0] {
		t.Fatalf("regenerated codes %v (before %v)", fresh, codes)
	}
	download("after regenerating", fresh)
}

// TestProfileTokensOriginAndRevocation: a token an operator issued is listed on the
// user's profile with its origin and revoked there; "sign out everywhere" offers (and by
// default takes) the tokens too; the password form offers it, except at the forced
// change.
func TestProfileTokensOriginAndRevocation(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-origen")
	u := ta.createUser(t, ag.ID, access.Monitoring, "origen@amparo.test")
	issued, tok, err := ta.Auth.CreateToken(system(), u.ID, "integración", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b := ta.newBrowser(t, u.Email, testPassword)
	b.signIn(t)
	_, profile := b.do(t, http.MethodGet, "/profile", nil, nil)
	for _, want := range []string{"Emitida por un operador", "(línea de comandos)", `action="/profile/tokens/` + tok.ID + `/revoke"`,
		`id="f-logout-revoke" name="revoke_tokens" value="1" checked`} {
		if !strings.Contains(profile, want) {
			t.Errorf("the profile lacks %q", want)
		}
	}
	if strings.Contains(profile, `id="recovery-form"`) {
		t.Error("a user without a second factor is offered new recovery codes")
	}
	if _, page := b.do(t, http.MethodGet, "/password", nil, nil); !strings.Contains(page, `name="revoke_tokens" value="1" checked`) {
		t.Error("the password form does not offer to revoke tokens, checked")
	}
	resp, _ := b.postForm(t, "/profile/tokens/"+tok.ID+"/revoke", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if _, _, err := ta.Auth.AuthenticateToken(system(), issued); err == nil {
		t.Error("the operator's token works after the user revoked it")
	}

	second, _, err := ta.Auth.CreateToken(system(), u.ID, "otra", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = b.postForm(t, "/profile/logout-all", url.Values{"revoke_tokens": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || b.session(t) != nil {
		t.Fatalf("sign out everywhere: %d, session left: %v", resp.StatusCode, b.session(t) != nil)
	}
	if _, _, err := ta.Auth.AuthenticateToken(system(), second); err == nil {
		t.Error("a token works after \"sign out everywhere\" with the box checked")
	}

	forced, pw, err := ta.Auth.CreateUser(system(), &auth.User{Email: "forzada@amparo.test", Name: "Inés Prueba",
		AgencyID: ag.ID, Roles: []access.Role{access.Monitoring}}, "")
	if err != nil {
		t.Fatal(err)
	}
	fb := ta.newBrowser(t, forced.Email, pw)
	fb.postForm(t, "/login", url.Values{"email": {forced.Email}, "password": {pw}})
	if _, page := fb.do(t, http.MethodGet, "/password", nil, nil); strings.Contains(page, `name="revoke_tokens"`) {
		t.Error("the forced password change offers to revoke tokens")
	}
}
