package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
)

// goodUser is a valid new-user form for agency.
func goodUser(agency string) url.Values {
	return url.Values{"name": {"Lucía Guamán"}, "email": {"lucia.guaman@base.test"}, "agency": {agency},
		"roles": {"case_worker", "case_supervisor"}, "jurisdiction": {"canton"}, "jur_province": {"17"},
		"jur_canton": {"1701"}, "lang": {"es"}}
}

// TestCreateUser creates a user through the form, reads the one-time password and
// signs in with it; the user must then set up the second factor and change it.
func TestCreateUser(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		wantStatus(t, "new user form", admin.get(t, "/admin/users/new"), http.StatusOK)

		r := admin.post(t, "/admin/users", goodUser(e.base.ID))
		wantStatus(t, "create", r, http.StatusOK)
		pw, ok := byID(r.Body, "new-password")
		if !ok || len(pw) < 12 {
			t.Fatalf("create: no one-time password on the result page (%q)\n%s", pw, short(r.Body))
		}
		if !strings.Contains(r.Body, "no se volverá a mostrar") {
			t.Error("create: the result page does not say the password is shown once")
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("create: Cache-Control %q, want no-store", r.Header.Get("Cache-Control"))
		}
		u := e.userByEmail(t, "lucia.guaman@base.test")
		if u == nil {
			t.Fatal("create: the user was not saved")
		}
		if u.Name != "Lucía Guamán" || len(u.Roles) != 2 || u.JurisdictionLevel != "canton" ||
			u.JurisdictionCode != "1701" || !u.MustChangePassword || !u.Active || u.AgencyID != e.base.ID {
			t.Errorf("create: saved %+v", u)
		}
		if len(e.events(t, "user.create")) < 2 { // the admin's own creation and this one
			t.Error("create: no user.create audit event")
		}
		// The password shown is not kept anywhere visible: the user page does not show it.
		if page := admin.get(t, "/admin/users/"+u.ID); strings.Contains(page.Body, pw) {
			t.Error("the user page shows the one-time password again")
		}

		c := e.anonymous(t)
		r = c.post(t, "/login", url.Values{"email": {"lucia.guaman@base.test"}, "password": {pw}})
		if r.Status != http.StatusSeeOther || r.Location() != "/login/enrol" {
			t.Fatalf("sign in with the one-time password: %d to %q, want 303 to /login/enrol", r.Status, r.Location())
		}
	})
}

// TestCreateUserInvalid sends one mistake at a time: each answers 422 with the message
// next to the field and in the summary, keeps what was typed and saves nothing.
func TestCreateUserInvalid(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		e.named(t, "Ya Existe", "ya.existe@base.test", e.base.ID, access.CaseWorker)
		before := e.countUsers(t)
		cases := []struct {
			name  string
			edit  func(v url.Values)
			field string
			msg   string
		}{
			{"no name", func(v url.Values) { v.Set("name", "  ") }, "name", "Este dato es obligatorio."},
			{"bad email", func(v url.Values) { v.Set("email", "lucia@") }, "email", "Escriba un correo electrónico válido"},
			{"taken email", func(v url.Values) { v.Set("email", "YA.EXISTE@base.test") }, "email", "Ya existe un usuario con ese correo."},
			{"no role", func(v url.Values) { v.Del("roles") }, "roles", "Elija al menos una función."},
			{"unknown role", func(v url.Values) { v["roles"] = []string{"case_worker", "superuser"} }, "roles", "Esa función no existe."},
			{"no agency", func(v url.Values) { v.Set("agency", "") }, "agency", "Este dato es obligatorio."},
			{"unknown agency", func(v url.Values) { v.Set("agency", "00000000-0000-0000-0000-000000000000") }, "agency", "Esa institución no existe."},
			{"no scope", func(v url.Values) { v.Set("jurisdiction", "") }, "jurisdiction", "Elija el alcance"},
			{"bad scope", func(v url.Values) { v.Set("jurisdiction", "planet") }, "jurisdiction", "Elija el alcance"},
			{"province missing", func(v url.Values) { v.Set("jurisdiction", "province"); v.Set("jur_province", "") }, "jur_province", "Elija una provincia de la lista."},
			{"canton missing", func(v url.Values) { v.Set("jur_canton", "") }, "jur_canton", "Elija un cantón de la lista."},
			{"canton elsewhere", func(v url.Values) { v.Set("jur_canton", "0901") }, "jur_canton", "Ese cantón no pertenece a la provincia elegida."},
			{"bad language", func(v url.Values) { v.Set("lang", "fr") }, "lang", "Elija español o inglés."},
		}
		for _, tc := range cases {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				v := goodUser(e.base.ID)
				tc.edit(v)
				r := admin.post(t, "/admin/users", v)
				wantStatus(t, tc.name, r, http.StatusUnprocessableEntity)
				msg, ok := byID(r.Body, "f-"+tc.field+"-error")
				if !ok || !strings.Contains(msg, tc.msg) {
					t.Errorf("%s: message next to %s is %q, want %q", tc.name, tc.field, msg, tc.msg)
				}
				summary, ok := byID(r.Body, "error-summary")
				if !ok || !strings.Contains(summary, tc.msg) || !strings.Contains(r.Body, `href="#f-`+tc.field+`"`) {
					t.Errorf("%s: the summary %q does not list and link the error", tc.name, summary)
				}
				if v.Get("name") != "  " && !strings.Contains(r.Body, `value="`+v.Get("name")+`"`) {
					t.Errorf("%s: the typed name was not kept", tc.name)
				}
				if tc.field != "roles" && !strings.Contains(r.Body, `value="case_supervisor" checked`) {
					t.Errorf("%s: the ticked roles were not kept", tc.name)
				}
				if strings.Contains(r.Body, `id="new-password"`) {
					t.Errorf("%s: a password was shown", tc.name)
				}
				if n := e.countUsers(t); n != before {
					t.Errorf("%s: %d users after the refused form, want %d", tc.name, n, before)
				}
			})
		}

		// Several mistakes at once are all listed.
		v := goodUser(e.base.ID)
		v.Set("name", "")
		v.Set("email", "nope")
		v.Del("roles")
		r := admin.post(t, "/admin/users", v)
		wantStatus(t, "three mistakes", r, http.StatusUnprocessableEntity)
		for _, f := range []string{"name", "email", "roles"} {
			if _, ok := byID(r.Body, "f-"+f+"-error"); !ok {
				t.Errorf("three mistakes: no error next to %s", f)
			}
		}

		// "Update list" (the place picker without JavaScript) shows the form again, saves nothing.
		v = goodUser(e.base.ID)
		v.Set("_refresh", "1")
		v.Set("jur_province", "09")
		r = admin.post(t, "/admin/users", v)
		wantStatus(t, "update list", r, http.StatusOK)
		if !strings.Contains(r.Body, `<option value="0901">Guayaquil</option>`) || strings.Contains(r.Body, `value="1701"`) {
			t.Error("update list: the canton list does not follow the province")
		}
		if n := e.countUsers(t); n != before {
			t.Errorf("update list saved a user")
		}
	})
}
