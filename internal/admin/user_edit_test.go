package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/config"
)

// editForm is the edit form as the page fills it for u's current values, changed by
// edit.
func editForm(t *testing.T, e *env, id string, edit func(v url.Values)) url.Values {
	t.Helper()
	u, err := e.Auth.User(system(), id)
	if err != nil {
		t.Fatal(err)
	}
	v := url.Values{"name": {u.Name}, "email": {u.Email}, "agency": {u.AgencyID}, "lang": {u.Lang},
		"jurisdiction": {u.JurisdictionLevel}, "active": {"1"}}
	for _, r := range u.Roles {
		v.Add("roles", string(r))
	}
	edit(v)
	return v
}

// signedOut reports whether the browser's session no longer works.
func signedOut(t *testing.T, c *client) bool {
	t.Helper()
	r := c.get(t, "/profile")
	return r.Status == http.StatusSeeOther && strings.HasPrefix(r.Location(), "/login")
}

// TestEditUser changes a user through the edit form; the change of roles ends the
// user's sessions. A bad edit answers 422 and changes nothing; an administrator cannot
// take away their own role.
func TestEditUser(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		worker := e.as(t, access.CaseWorker)
		id := worker.User.ID

		r := admin.get(t, "/admin/users/"+id)
		wantStatus(t, "user page", r, http.StatusOK)
		if !strings.Contains(r.Body, `id="user-form"`) || !strings.Contains(r.Body, `value="`+worker.User.Email+`"`) {
			t.Fatal("user page: no edit form filled with the user's values")
		}

		r = admin.post(t, "/admin/users/"+id, editForm(t, e, id, func(v url.Values) {
			v.Set("email", "")
			v.Set("name", "Nombre Nuevo")
		}))
		wantStatus(t, "empty email", r, http.StatusUnprocessableEntity)
		if msg, _ := byID(r.Body, "f-email-error"); !strings.Contains(msg, "correo electrónico válido") {
			t.Errorf("empty email: message %q", msg)
		}
		if !strings.Contains(r.Body, `value="Nombre Nuevo"`) {
			t.Error("empty email: the typed name was not kept")
		}
		if u := e.userByEmail(t, worker.User.Email); u == nil || u.Name != worker.User.Name {
			t.Error("a refused edit changed the user")
		}
		if signedOut(t, worker) {
			t.Fatal("a refused edit ended the user's session")
		}

		r = admin.post(t, "/admin/users/"+id, editForm(t, e, id, func(v url.Values) {
			v.Set("name", "Carmen Quishpe")
			v.Set("lang", "en")
			v.Add("roles", "case_supervisor")
			v.Set("jurisdiction", "province")
			v.Set("jur_province", "10")
		}))
		if r.Status != http.StatusSeeOther || r.Location() != "/admin/users/"+id {
			t.Fatalf("edit: %d to %q, want 303 back to the user\n%s", r.Status, r.Location(), short(r.Body))
		}
		r = admin.get(t, r.Location())
		if !strings.Contains(r.Body, "Se guardaron los cambios del usuario.") {
			t.Error("edit: no confirmation after saving")
		}
		if !strings.Contains(r.Body, "Provincia: Imbabura") || !strings.Contains(r.Body, "Supervisor/a de casos") {
			t.Error("edit: the page does not show the new scope and role")
		}
		u, err := e.Auth.User(system(), id)
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Carmen Quishpe" || u.Lang != "en" || len(u.Roles) != 2 || u.JurisdictionCode != "10" {
			t.Errorf("edit: saved %+v", u)
		}
		if !signedOut(t, worker) {
			t.Error("a change of roles did not end the user's session")
		}

		// An administrator cannot remove their own administrator role.
		r = admin.post(t, "/admin/users/"+admin.User.ID, editForm(t, e, admin.User.ID, func(v url.Values) {
			v["roles"] = []string{"case_worker"}
		}))
		wantStatus(t, "self demotion", r, http.StatusUnprocessableEntity)
		if msg, _ := byID(r.Body, "f-roles-error"); !strings.Contains(msg, "No puede quitarse") {
			t.Errorf("self demotion: message %q", msg)
		}
		if r = admin.get(t, "/admin/users/"+admin.User.ID); strings.Contains(r.Body, "/deactivate") {
			t.Error("the administrator is offered to deactivate their own account")
		}
	})
}

// TestDeactivate: deactivating ends the user's session at once and blocks sign-in;
// reactivating lets them in again.
func TestDeactivate(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		worker := e.as(t, access.CaseWorker)
		id := worker.User.ID
		if !strings.Contains(admin.get(t, "/admin/users/"+id).Body, `data-confirm="¿Desactivar la cuenta de`) {
			t.Error("the deactivate form has no confirmation saying what happens")
		}
		r := admin.post(t, "/admin/users/"+id+"/deactivate", nil)
		if r.Status != http.StatusSeeOther || r.Location() != "/admin/users/"+id {
			t.Fatalf("deactivate: %d to %q", r.Status, r.Location())
		}
		if !signedOut(t, worker) {
			t.Error("the deactivated user's session still works")
		}
		if n, _ := e.Auth.ActiveSessions(system(), id); n != 0 {
			t.Errorf("%d sessions left after deactivation", n)
		}
		r = e.anonymous(t).post(t, "/login", url.Values{"email": {worker.User.Email}, "password": {testPassword}})
		wantStatus(t, "deactivated sign-in", r, http.StatusUnprocessableEntity)
		page := admin.get(t, "/admin/users/"+id)
		if st, _ := byID(page.Body, "user-state"); !strings.Contains(st, "Desactivada") {
			t.Errorf("user page state %q, want Desactivada", st)
		}
		if !strings.Contains(page.Body, "Se desactivó la cuenta") {
			t.Error("no confirmation after deactivating")
		}
		if len(e.events(t, "user.deactivate")) != 1 {
			t.Error("no user.deactivate audit event")
		}
		// A reset link for a deactivated account would not work: it is refused.
		wantStatus(t, "reset link for a deactivated user", admin.post(t, "/admin/users/"+id+"/reset-link", nil), http.StatusUnprocessableEntity)

		r = admin.post(t, "/admin/users/"+id+"/reactivate", nil)
		wantStatus(t, "reactivate", r, http.StatusSeeOther)
		if u := e.userByEmail(t, worker.User.Email); u == nil || !u.Active {
			t.Error("reactivate: the user is still inactive")
		}
		r = e.anonymous(t).post(t, "/login", url.Values{"email": {worker.User.Email}, "password": {testPassword}})
		if r.Status != http.StatusSeeOther || r.Location() != "/login/mfa" {
			t.Errorf("sign-in after reactivation: %d to %q, want the second-factor step", r.Status, r.Location())
		}
		if len(e.events(t, "user.reactivate")) != 1 {
			t.Error("no user.reactivate audit event")
		}
	})
}

// TestResetSecondFactor: after a reset the user's session ends and the next sign-in
// asks to set up an authenticator again.
func TestResetSecondFactor(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		worker := e.as(t, access.CaseWorker)
		id := worker.User.ID
		wantStatus(t, "reset 2fa", admin.post(t, "/admin/users/"+id+"/reset-2fa", nil), http.StatusSeeOther)
		u, _ := e.Auth.User(system(), id)
		if u.TOTPEnabled {
			t.Error("the second factor is still on")
		}
		if !signedOut(t, worker) {
			t.Error("the session survived the reset")
		}
		r := worker.post(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
		if r.Status != http.StatusSeeOther || r.Location() != "/login/enrol" {
			t.Errorf("sign-in after the reset: %d to %q, want /login/enrol", r.Status, r.Location())
		}
		if len(e.events(t, "user.totp_reset")) != 1 {
			t.Error("no user.totp_reset audit event")
		}
		if strings.Contains(admin.get(t, "/admin/users/"+id).Body, "/reset-2fa") {
			t.Error("the reset is still offered for a user without a second factor")
		}
	})
}

// TestResetLink: the link is shown once, works once, and lets the user choose a new
// password; without a configured base URL it uses the address the admin used.
func TestResetLink(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		worker := e.user(t, access.CaseWorker)
		r := admin.post(t, "/admin/users/"+worker.ID+"/reset-link", nil)
		wantStatus(t, "reset link", r, http.StatusOK)
		link, ok := byID(r.Body, "reset-link")
		if !ok || !strings.HasPrefix(link, e.srv.URL+"/reset/") {
			t.Fatalf("reset link %q, want it under %s/reset/", link, e.srv.URL)
		}
		path := strings.TrimPrefix(link, e.srv.URL)
		c := e.anonymous(t)
		wantStatus(t, "open the link", c.get(t, path), http.StatusOK)
		const next = "Guacamayo-Verde-Cotopaxi-2026"
		r = c.post(t, path, url.Values{"new": {next}, "confirm": {next}})
		if r.Status != http.StatusSeeOther || r.Location() != "/login" {
			t.Fatalf("use the link: %d to %q\n%s", r.Status, r.Location(), short(r.Body))
		}
		wantStatus(t, "open the used link", c.get(t, path), http.StatusNotFound)
		r = c.post(t, path, url.Values{"new": {next + "x"}, "confirm": {next + "x"}})
		wantStatus(t, "use the link twice", r, http.StatusNotFound)
		r = c.post(t, "/login", url.Values{"email": {worker.Email}, "password": {next}})
		if r.Status != http.StatusSeeOther {
			t.Errorf("sign in with the new password: %d", r.Status)
		}
		if len(e.events(t, "user.password_reset_issued")) != 1 {
			t.Error("no user.password_reset_issued audit event")
		}
	})
	t.Run("base_url", func(t *testing.T) {
		e := newEnv(t, "sqlite", func(c *config.Config) { c.BaseURL = "https://amparo.example.org/" })
		admin := e.as(t, access.Admin)
		worker := e.user(t, access.CaseWorker)
		r := admin.post(t, "/admin/users/"+worker.ID+"/reset-link", nil)
		if link, _ := byID(r.Body, "reset-link"); !strings.HasPrefix(link, "https://amparo.example.org/reset/") {
			t.Errorf("reset link %q does not use the configured base URL", link)
		}
	})
}

// TestUnlockAndEndSessions: a locked account shows the badge and the unlock action;
// unlocking lets the right password in again. Ending the sessions signs the user out.
func TestUnlockAndEndSessions(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		worker := e.as(t, access.CaseWorker)
		id := worker.User.ID

		wantStatus(t, "end sessions", admin.post(t, "/admin/users/"+id+"/end-sessions", nil), http.StatusSeeOther)
		if !signedOut(t, worker) {
			t.Error("the session survived \"end all sessions\"")
		}
		if len(e.events(t, "auth.logout_all")) != 1 {
			t.Error("no auth.logout_all audit event")
		}

		e.lock(t, worker.User.Email)
		r := e.anonymous(t).post(t, "/login", url.Values{"email": {worker.User.Email}, "password": {testPassword}})
		wantStatus(t, "locked sign-in", r, http.StatusUnprocessableEntity)
		page := admin.get(t, "/admin/users/"+id)
		if st, _ := byID(page.Body, "user-state"); !strings.Contains(st, "Bloqueada") {
			t.Errorf("user page state %q, want Bloqueada", st)
		}
		if !strings.Contains(page.Body, "/unlock") {
			t.Fatal("no unlock action for a locked account")
		}
		wantStatus(t, "unlock", admin.post(t, "/admin/users/"+id+"/unlock", nil), http.StatusSeeOther)
		r = e.anonymous(t).post(t, "/login", url.Values{"email": {worker.User.Email}, "password": {testPassword}})
		if r.Status != http.StatusSeeOther || r.Location() != "/login/mfa" {
			t.Errorf("sign-in after unlock: %d to %q", r.Status, r.Location())
		}
		if st, _ := byID(admin.get(t, "/admin/users/"+id).Body, "user-state"); strings.Contains(st, "Bloqueada") {
			t.Error("still shown as locked after unlocking")
		}
		if len(e.events(t, "user.unlock")) != 1 {
			t.Error("no user.unlock audit event")
		}
		wantStatus(t, "action on an unknown user", admin.post(t, "/admin/users/00000000-0000-0000-0000-000000000000/unlock", nil), http.StatusNotFound)
	})
}
