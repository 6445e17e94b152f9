package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
)

// TestUserList covers the list: search, each filter in the URL, pages with the total,
// the empty state and the badges.
func TestUserList(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		norte := e.agency(t, "norte", "Fundación Norte (prueba)")
		for i := 1; i <= 27; i++ {
			e.named(t, fmt.Sprintf("Trabajadora %02d", i), fmt.Sprintf("t%02d@norte.test", i), norte.ID, access.CaseWorker)
		}
		e.named(t, "Supervisora Uno", "sup1@base.test", e.base.ID, access.CaseSupervisor)
		gone := e.named(t, "Supervisora Dos", "sup2@base.test", e.base.ID, access.CaseSupervisor)
		gone.Active = false
		if _, err := e.Auth.UpdateUser(system(), gone); err != nil {
			t.Fatal(err)
		}
		locked := e.named(t, "Persona Bloqueada", "bloq@base.test", e.base.ID, access.CaseWorker)
		e.lock(t, locked.Email)
		// 1 admin + 27 + 2 + 1 = 31 users: two pages of 25.

		r := admin.get(t, "/admin/users")
		wantStatus(t, "list", r, http.StatusOK)
		if n := len(rows(r.Body, "users")); n != 25 {
			t.Errorf("first page: %d rows, want 25", n)
		}
		if !strings.Contains(r.Body, "31 en total") || !strings.Contains(r.Body, "Página 1 de 2") {
			t.Errorf("first page: no \"31 en total\" and \"Página 1 de 2\" in the pager")
		}
		if _, ok := byID(r.Body, "new-user"); !ok {
			t.Error("admin sees no \"new user\" button")
		}
		r = admin.get(t, "/admin/users?page=2")
		if n := len(rows(r.Body, "users")); n != 6 {
			t.Errorf("second page: %d rows, want 6", n)
		}

		r = admin.get(t, "/admin/users?q=TRABAJADORA+0")
		if n := len(rows(r.Body, "users")); n != 9 {
			t.Errorf("search \"TRABAJADORA 0\": %d rows, want 9", n)
		}
		r = admin.get(t, "/admin/users?q=sup2@base")
		if got := rows(r.Body, "users"); len(got) != 1 || !strings.Contains(got[0], "Supervisora Dos") {
			t.Errorf("search by email: rows %q", got)
		}

		r = admin.get(t, "/admin/users?agency=norte")
		got := rows(r.Body, "users")
		if len(got) != 25 || !strings.Contains(r.Body, "27 en total") {
			t.Errorf("agency filter: %d rows on page 1, want 25 of 27", len(got))
		}
		for _, row := range got {
			if !strings.Contains(row, "Fundación Norte") || !strings.Contains(row, "Trabajador/a de casos") {
				t.Errorf("agency filter: row %q is not a Norte case worker", row)
				break
			}
		}
		if !strings.Contains(r.Body, `href="/admin/users?agency=norte&amp;page=2"`) {
			t.Error("agency filter: the next-page link does not keep the filter")
		}
		if !strings.Contains(r.Body, `<option value="norte" selected>`) {
			t.Error("agency filter: the filter select does not show the chosen agency")
		}
		if !strings.Contains(r.Body, `href="/admin/users.csv?agency=norte"`) {
			t.Error("agency filter: the CSV link does not carry the filter")
		}

		r = admin.get(t, "/admin/users?role=case_supervisor")
		if got := rows(r.Body, "users"); len(got) != 2 {
			t.Errorf("role filter: %d rows, want 2: %q", len(got), got)
		}
		r = admin.get(t, "/admin/users?active=0")
		got = rows(r.Body, "users")
		if len(got) != 1 || !strings.Contains(got[0], "Supervisora Dos") || !strings.Contains(got[0], "Desactivada") {
			t.Errorf("inactive filter: rows %q, want Supervisora Dos marked Desactivada", got)
		}
		r = admin.get(t, "/admin/users?active=1&role=case_supervisor")
		if got := rows(r.Body, "users"); len(got) != 1 || !strings.Contains(got[0], "Supervisora Uno") {
			t.Errorf("active supervisors: rows %q", got)
		}

		r = admin.get(t, "/admin/users?q=bloq")
		got = rows(r.Body, "users")
		if len(got) != 1 || !strings.Contains(got[0], "Bloqueada") || !strings.Contains(got[0], "Sin activar") {
			t.Errorf("locked user: row %q, want the Bloqueada badge and no second factor", got)
		}
		if len(got) == 1 && !strings.Contains(rows(admin.get(t, "/admin/users?q=Persona+1").Body, "users")[0], "Activada") {
			t.Error("the admin's row does not show the second factor as on")
		}

		r = admin.get(t, "/admin/users?q=nadie-se-llama-asi")
		wantStatus(t, "empty search", r, http.StatusOK)
		if txt, ok := byID(r.Body, "empty"); !ok || !strings.Contains(txt, "Ningún usuario coincide") {
			t.Errorf("empty search: empty state %q", txt)
		}
		if strings.Contains(r.Body, `<table id="users"`) {
			t.Error("empty search: a table is shown")
		}
		r = admin.get(t, "/admin/users?agency=no-existe")
		if len(rows(r.Body, "users")) != 0 {
			t.Error("unknown agency code: rows shown")
		}
	})
}

// TestUserCSV exports the filtered list and checks the export is audited without
// personal data, and that cells cannot become spreadsheet formulas.
func TestUserCSV(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin)
		norte := e.agency(t, "norte", "Fundación Norte (prueba)")
		e.named(t, "=HYPERLINK(\"x\")", "formula@norte.test", norte.ID, access.CaseWorker)
		e.named(t, "Ana Torres", "ana@norte.test", norte.ID, access.CaseSupervisor)

		r := admin.get(t, "/admin/users.csv?agency=norte&q=")
		wantStatus(t, "csv", r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
			t.Errorf("Content-Disposition %q", cd)
		}
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(r.Body, "\ufeff")), "\n")
		if len(lines) != 3 {
			t.Fatalf("csv: %d lines, want header + 2:\n%s", len(lines), r.Body)
		}
		if !strings.HasPrefix(lines[0], "Nombre,Correo electrónico") {
			t.Errorf("csv header %q", lines[0])
		}
		if !strings.Contains(r.Body, `"'=HYPERLINK(""x"")"`) {
			t.Errorf("csv: the formula-like name is not neutralised:\n%s", r.Body)
		}
		if !strings.Contains(r.Body, "ana@norte.test,norte,Fundación Norte (prueba),Supervisor/a de casos") {
			t.Errorf("csv: Ana's row is missing or wrong:\n%s", r.Body)
		}
		ev := e.events(t, "export.users_csv")
		if len(ev) != 1 {
			t.Fatalf("%d export.users_csv events, want 1", len(ev))
		}
		if ev[0].ActorID != admin.User.ID || ev[0].RecordType != "user" || ev[0].Detail != "rows: 2; filters: agency" {
			t.Errorf("export event: actor %q type %q detail %q", ev[0].ActorID, ev[0].RecordType, ev[0].Detail)
		}
	})
}

// TestAccessRules: the data protection officer sees users and agencies but changes
// nothing (no buttons, 403 on every POST); a case worker may not open the screens; a
// visitor is sent to sign in.
func TestAccessRules(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	dpo := e.as(t, access.DataProtectionOfficer)
	worker := e.user(t, access.CaseWorker)
	id := worker.ID

	for _, p := range []string{"/admin/users", "/admin/users/" + id, "/admin/agencies", "/admin/agencies/" + e.base.ID, "/admin/users.csv"} {
		wantStatus(t, "DPO GET "+p, dpo.get(t, p), http.StatusOK)
	}
	r := dpo.get(t, "/admin/users")
	if _, ok := byID(r.Body, "new-user"); ok {
		t.Error("DPO sees the \"new user\" button")
	}
	r = dpo.get(t, "/admin/users/"+id)
	if strings.Contains(r.Body, `id="user-form"`) || strings.Contains(r.Body, `id="account-actions"`) {
		t.Error("DPO sees the edit form or the account actions")
	}
	r = dpo.get(t, "/admin/agencies")
	if _, ok := byID(r.Body, "new-agency"); ok {
		t.Error("DPO sees the \"new agency\" button")
	}
	if strings.Contains(dpo.get(t, "/admin/agencies/"+e.base.ID).Body, `id="agency-form"`) {
		t.Error("DPO sees the agency edit form")
	}
	wantStatus(t, "DPO GET new user form", dpo.get(t, "/admin/users/new"), http.StatusForbidden)
	wantStatus(t, "DPO GET new agency form", dpo.get(t, "/admin/agencies/new"), http.StatusForbidden)
	form := url.Values{"name": {"Cambio"}, "email": {"x@y.test"}, "agency": {e.base.ID}, "roles": {"admin"},
		"jurisdiction": {"national"}, "lang": {"es"}, "active": {"1"}, "code": {"nueva"}, "type": {"ngo"}}
	for _, p := range []string{"/admin/users", "/admin/users/" + id, "/admin/users/" + id + "/deactivate",
		"/admin/users/" + id + "/reactivate", "/admin/users/" + id + "/reset-2fa", "/admin/users/" + id + "/unlock",
		"/admin/users/" + id + "/reset-link", "/admin/users/" + id + "/end-sessions", "/admin/agencies",
		"/admin/agencies/" + e.base.ID, "/admin/agencies/" + e.base.ID + "/deactivate",
		"/admin/agencies/" + e.base.ID + "/reactivate"} {
		wantStatus(t, "DPO POST "+p, dpo.post(t, p, form), http.StatusForbidden)
	}
	if u := e.userByEmail(t, worker.Email); u == nil || u.Name != worker.Name || !u.Active {
		t.Error("the DPO's posts changed the user")
	}
	if n := e.countUsers(t); n != 2 {
		t.Errorf("%d users after the DPO's posts, want 2", n)
	}
	if len(e.events(t, "access.denied")) < 12 {
		t.Error("the refused posts were not audited as access.denied")
	}

	cw := e.as(t, access.CaseWorker)
	for _, p := range []string{"/admin/users", "/admin/users.csv", "/admin/users/" + id, "/admin/users/new",
		"/admin/agencies", "/admin/agencies/" + e.base.ID} {
		wantStatus(t, "case worker GET "+p, cw.get(t, p), http.StatusForbidden)
	}
	wantStatus(t, "case worker POST /admin/users", cw.post(t, "/admin/users", form), http.StatusForbidden)

	anon := e.anonymous(t)
	r = anon.get(t, "/admin/users?q=x")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login?next=") {
		t.Errorf("visitor GET /admin/users: %d to %q, want 303 to /login?next=…", r.Status, r.Location())
	}

	// The menu shows the screens to those who may open them.
	home := dpo.get(t, "/")
	if !strings.Contains(home.Body, `href="/admin/users"`) || !strings.Contains(home.Body, `href="/admin/agencies"`) {
		t.Error("the DPO's menu lacks the users or agencies entry")
	}
	if strings.Contains(cw.get(t, "/").Body, `href="/admin/users"`) {
		t.Error("the case worker's menu shows the users entry")
	}
}
