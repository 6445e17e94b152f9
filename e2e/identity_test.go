package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// The administrator's account, made with the command line before anyone signs in.
const (
	adminEmail    = "admin@programa.test"
	adminPassword = "Cóndor-Andino-Chimborazo-6310"
	workerEmail   = "carmen.quishpe@programa.test"
	// workerPassword is what the case worker chooses at the forced change.
	workerPassword = "Orquídea-Mindo-Nublado-4477"
)

// TestIdentityJourney is the first day of an installation, on each engine: the
// administrator made with "amparo user add" signs in and sets up the second factor,
// creates a case worker in the web and reads the one-time password; the worker signs
// in, must choose a new password and set up the second factor, reaches their home page;
// then five wrong passwords lock the account, and the right one is refused afterwards
// with the same words.
func TestIdentityJourney(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			srv := startServer(t, engine)
			cli(t, srv, "", "agency", "add", "--code", "programa", "--name", "Programa Amparo (prueba)",
				"--type", "international_organisation", "--province", "17", "--canton", "1701")
			cli(t, srv, adminPassword+"\n", "user", "add", "--email", adminEmail, "--name", "Andrea Salazar",
				"--role", "admin", "--agency", "programa", "--jurisdiction", "national", "--password-stdin")

			initial := adminCreatesWorker(t, srv)
			workerFirstSignIn(t, srv, initial)
			lockout(t, srv)
		})
	}
}

// cli runs the amparo binary against the running server's database, with stdin, and
// returns what it printed on stdout.
func cli(t *testing.T, srv *server, stdin string, args ...string) string {
	t.Helper()
	args = append(args, "--data", srv.DataDir)
	if srv.DB != "" {
		args = append(args, "--db", srv.DB)
	}
	cmd := exec.Command(amparoBin, args...)
	cmd.Dir = srv.DataDir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AMPARO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdin = strings.NewReader(stdin)
	// Only stdout is returned (a token, a password), as a script would read it; notes
	// for the operator go to stderr.
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("amparo %s: %v\n%s%s", strings.Join(args[:2], " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// signIn fills the sign-in form of the page the tab is on.
func signIn(t *testing.T, ctx context.Context, email, password string) chromedp.Action[chromedp.Void] {
	t.Helper()
	run(t, ctx, "fill the sign-in form",
		chromedp.WaitVisible(chromedp.CSS(`form#login`)),
		chromedp.SetValue(chromedp.CSS(`#f-email`), email),
		chromedp.SetValue(chromedp.CSS(`#f-password`), password))
	return chromedp.Click(chromedp.CSS(`form#login button[type="submit"]`))
}

// enrol reads the secret from the set-up page, types the current code and goes past the
// recovery codes.
func enrol(t *testing.T, ctx context.Context, who string) {
	t.Helper()
	checkQR(t, ctx, who)
	secret := text(t, ctx, `code#totp-secret`)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatalf("%s: TOTP code from %q: %v", who, secret, err)
	}
	run(t, ctx, who+": type the code", chromedp.SetValue(chromedp.CSS(`#f-code`), code))
	follow(t, ctx, who+": confirm the authenticator", chromedp.Click(chromedp.CSS(`form#enrol button[type="submit"]`)))
	codes := strings.Fields(text(t, ctx, `#recovery-codes`))
	if len(codes) != 10 {
		t.Errorf("%s: %d recovery codes shown, want 10", who, len(codes))
	}
	checkRecoveryCodesPage(t, ctx, who, codes)
	follow(t, ctx, who+": continue after the recovery codes", chromedp.Click(chromedp.CSS(`a.button.primary`)))
}

func logout(t *testing.T, ctx context.Context, who string) {
	t.Helper()
	follow(t, ctx, who+": sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	if u := location(t, ctx); !strings.HasSuffix(u, "/login") {
		t.Errorf("%s: after signing out the tab is at %s, want /login", who, u)
	}
}

// adminCreatesWorker: the administrator's first sign-in and the new case worker.
// It returns the one-time password shown on the result page.
func adminCreatesWorker(t *testing.T, srv *server) string {
	ctx := newBrowser(t)
	visit(t, ctx, srv.URL+"/login")
	follow(t, ctx, "admin: sign in", signIn(t, ctx, adminEmail, adminPassword))
	if u := location(t, ctx); !strings.HasSuffix(u, "/login/enrol") {
		t.Fatalf("admin: after the password the tab is at %s, want the authenticator set-up", u)
	}
	enrol(t, ctx, "admin")
	if got := text(t, ctx, `h1`); got != "Mi trabajo" {
		t.Errorf("admin: home page heading %q", got)
	}
	follow(t, ctx, "admin: open Usuarios in the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/admin/users"]`)))
	follow(t, ctx, "admin: new user", chromedp.Click(chromedp.CSS(`a#new-user`)))
	agency := attr(t, ctx, `#f-agency option:nth-of-type(2)`, "value")
	run(t, ctx, "admin: fill the new user form",
		chromedp.SetValue(chromedp.CSS(`#f-name`), "Carmen Quishpe"),
		chromedp.SetValue(chromedp.CSS(`#f-email`), workerEmail),
		chromedp.SetValue(chromedp.CSS(`#f-agency`), agency),
		chromedp.Click(chromedp.CSS(`#f-roles-case_worker`)))
	follow(t, ctx, "admin: create the user", chromedp.Click(chromedp.CSS(`form#user-form button.primary`)))
	password := text(t, ctx, `code#new-password`)
	if len(password) < 12 {
		t.Fatalf("admin: one-time password %q is too short", password)
	}
	if got := text(t, ctx, `#new-email`); got != workerEmail {
		t.Errorf("admin: result page shows %q, want %s", got, workerEmail)
	}
	follow(t, ctx, "admin: back to the list", chromedp.Click(chromedp.CSS(`a[href="/admin/users"]`)))
	list := text(t, ctx, `table#users`)
	for _, want := range []string{"Carmen Quishpe", workerEmail, "Trabajador/a de casos", "Sin activar", "Andrea Salazar", "Activada"} {
		if !strings.Contains(list, want) {
			t.Errorf("admin: the user list lacks %q:\n%s", want, list)
		}
	}
	screenshot(t, ctx, "identity-admin-users-"+srv.Engine)
	logout(t, ctx, "admin")
	return password
}

// workerFirstSignIn: the case worker's first sign-in, forced through the second factor
// and a new password, to their home page.
func workerFirstSignIn(t *testing.T, srv *server, initial string) {
	ctx := newBrowser(t)
	visit(t, ctx, srv.URL+"/login")
	follow(t, ctx, "worker: sign in with the one-time password", signIn(t, ctx, workerEmail, initial))
	if u := location(t, ctx); !strings.HasSuffix(u, "/login/enrol") {
		t.Fatalf("worker: after the password the tab is at %s, want the authenticator set-up", u)
	}
	enrol(t, ctx, "worker")
	if u := location(t, ctx); !strings.HasSuffix(u, "/password") {
		t.Fatalf("worker: after the authenticator the tab is at %s, want the forced password change", u)
	}
	run(t, ctx, "worker: choose a new password",
		chromedp.SetValue(chromedp.CSS(`#f-new`), workerPassword),
		chromedp.SetValue(chromedp.CSS(`#f-confirm`), workerPassword))
	follow(t, ctx, "worker: save the password", chromedp.Click(chromedp.CSS(`form#password button[type="submit"]`)))
	// A case worker's home page is their work: "/" sends them to /work.
	if u := location(t, ctx); u != srv.URL+"/work" {
		t.Errorf("worker: after the new password the tab is at %s, want their work page", u)
	}
	if got := text(t, ctx, `h1`); got != "Mi trabajo" {
		t.Errorf("worker: home page heading %q", got)
	}
	if who := text(t, ctx, `.topbar .who`); !strings.Contains(who, "Carmen Quishpe") || !strings.Contains(who, "Trabajador/a de casos") {
		t.Errorf("worker: top bar reads %q", who)
	}
	if menu := text(t, ctx, `nav.side`); strings.Contains(menu, "Usuarios") || strings.Contains(menu, "Instituciones") {
		t.Errorf("worker: the menu offers administration: %q", menu)
	}
	screenshot(t, ctx, "identity-worker-home-"+srv.Engine)
	profileOnAPhone(t, ctx, srv)
	logout(t, ctx, "worker")
}

// profileOnAPhone: the profile, with an API token in its table, fits a 390 px wide
// screen: nothing makes the page scroll sideways (the token table scrolls in its card).
func profileOnAPhone(t *testing.T, ctx context.Context, srv *server) {
	visit(t, ctx, srv.URL+"/profile")
	run(t, ctx, "worker: name a token", chromedp.SetValue(chromedp.CSS(`#f-name`), "Integración de prueba"))
	follow(t, ctx, "worker: make the token", chromedp.Click(chromedp.CSS(`#tokens form.filters button[type="submit"]`)))
	run(t, ctx, "worker: a phone's width", chromedp.EmulateViewport(390, 844))
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	widths, err := chromedp.Run(sctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth,
		document.querySelectorAll('#tokens tbody tr').length]`))
	if err != nil {
		t.Fatalf("worker: measure the profile: %v", err)
	}
	if widths[2] != 1 || widths[0] > widths[1] {
		t.Errorf("worker: profile at 390 px: page %d px wide in a %d px window, %d token rows; want no sideways scroll and 1 row",
			widths[0], widths[1], widths[2])
	}
	screenshot(t, ctx, "identity-profile-390-"+srv.Engine)
	run(t, ctx, "worker: back to a desktop's width", chromedp.EmulateViewport(1280, 900))
}

// lockout: five wrong passwords lock the account; the sixth attempt, with the right
// password, gets the same answer as a wrong one. The browser logs each refused sign-in
// (422) as a failed load; those are expected, anything else it reports fails the test.
func lockout(t *testing.T, srv *server) {
	ctx, console := openBrowser(t)
	t.Cleanup(func() { checkConsole(t, console) })
	attempt := func(n int, password string) string {
		t.Helper()
		visit(t, ctx, srv.URL+"/login")
		sctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		resp, err := chromedp.RunResponse(sctx, signIn(t, ctx, workerEmail, password))
		if err != nil {
			t.Fatalf("attempt %d: %v", n, err)
		}
		if resp == nil || resp.Status != 422 {
			t.Fatalf("attempt %d: answered %v, want 422", n, resp)
		}
		msg := text(t, ctx, `#error-summary`)
		checkConsole(t, console)
		return msg
	}
	first := attempt(1, "no-es-mi-clave-1")
	if !strings.Contains(first, "El correo o la contraseña no son correctos") {
		t.Errorf("wrong password: message %q", first)
	}
	for n := 2; n <= 5; n++ {
		if got := attempt(n, "no-es-mi-clave-"+string(rune('0'+n))); got != first {
			t.Errorf("attempt %d: message %q differs from %q", n, got, first)
		}
	}
	if got := attempt(6, workerPassword); got != first {
		t.Errorf("right password on a locked account: message %q, want the same as a wrong password %q", got, first)
	}
}

// checkConsole fails the test for anything the browser reported except the failed
// load of a refused sign-in (422 from /login).
func checkConsole(t *testing.T, console *consoleLog) {
	t.Helper()
	for _, p := range console.take() {
		if strings.Contains(p, "status of 422") && strings.Contains(p, "/login)") {
			continue
		}
		t.Errorf("browser reported: %s", p)
	}
}
