package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
)

// TestAgencies covers the agency screens: list with filters and user counts, creation
// with field errors, an edit that cannot change the code, and deactivation, which takes
// the agency out of the new-user form.
func TestAgencies(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		admin := e.as(t, access.Admin) // one active user in "base"
		for _, a := range []auth.Agency{
			{Code: "fiscalia-gye", Name: "Fiscalía del Guayas", Type: "prosecution", ProvinceCode: "09", CantonCode: "0901"},
			{Code: "casa-sol", Name: "Casa Sol", Type: "shelter", ProvinceCode: "09"},
		} {
			if _, err := e.Auth.CreateAgency(system(), &a); err != nil {
				t.Fatal(err)
			}
		}

		r := admin.get(t, "/admin/agencies")
		wantStatus(t, "list", r, http.StatusOK)
		got := rows(r.Body, "agencies")
		if len(got) != 3 || !strings.Contains(r.Body, "3 en total") {
			t.Fatalf("list: rows %q", got)
		}
		for _, row := range got {
			if strings.Contains(row, "Fundación Base") && (!strings.Contains(row, "Organización de la sociedad civil") ||
				!strings.Contains(row, "Pichincha") || !strings.Contains(row, "Quito") || !strings.Contains(row, " 1 ")) {
				t.Errorf("base row %q: want type, province, canton and 1 user", row)
			}
		}
		if got := rows(admin.get(t, "/admin/agencies?province=09").Body, "agencies"); len(got) != 2 {
			t.Errorf("province filter: rows %q", got)
		}
		if got := rows(admin.get(t, "/admin/agencies?type=shelter").Body, "agencies"); len(got) != 1 || !strings.Contains(got[0], "Casa de acogida") {
			t.Errorf("type filter: rows %q", got)
		}
		if got := rows(admin.get(t, "/admin/agencies?q=FISCAL").Body, "agencies"); len(got) != 1 {
			t.Errorf("search: rows %q", got)
		}
		if txt, ok := byID(admin.get(t, "/admin/agencies?q=zzz").Body, "empty"); !ok || !strings.Contains(txt, "Ninguna institución coincide") {
			t.Errorf("empty search: %q", txt)
		}

		good := url.Values{"code": {"gad-loja"}, "name": {"GAD Municipal de Loja"}, "type": {"local_government"},
			"province": {"11"}, "canton": {"1101"}}
		bad := []struct {
			field, msg string
			edit       func(v url.Values)
		}{
			{"code", "Use de 2 a 40 letras", func(v url.Values) { v.Set("code", "GAD Loja!") }},
			{"code", "Ya existe una institución con ese código.", func(v url.Values) { v.Set("code", "CASA-SOL") }},
			{"name", "Este dato es obligatorio.", func(v url.Values) { v.Set("name", "") }},
			{"type", "Elija un tipo de institución", func(v url.Values) { v.Set("type", "club") }},
			{"canton", "Ese cantón no pertenece a la provincia elegida.", func(v url.Values) { v.Set("canton", "0901") }},
			{"province", "Elija una provincia de la lista.", func(v url.Values) { v.Set("province", "99") }},
		}
		for _, b := range bad {
			v := url.Values{}
			for k, vs := range good {
				v[k] = append([]string(nil), vs...)
			}
			b.edit(v)
			r := admin.post(t, "/admin/agencies", v)
			wantStatus(t, "bad "+b.field, r, http.StatusUnprocessableEntity)
			if msg, _ := byID(r.Body, "f-"+b.field+"-error"); !strings.Contains(msg, b.msg) {
				t.Errorf("bad %s: message %q, want %q", b.field, msg, b.msg)
			}
			if !strings.Contains(r.Body, `value="`+v.Get("name")+`"`) {
				t.Errorf("bad %s: the typed name was not kept", b.field)
			}
		}
		if _, n, _ := e.Auth.ListAgencies(system(), auth.AgencyFilter{}); n != 3 {
			t.Fatalf("%d agencies after refused forms, want 3", n)
		}

		r = admin.post(t, "/admin/agencies", good)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/admin/agencies/") {
			t.Fatalf("create: %d to %q\n%s", r.Status, r.Location(), short(r.Body))
		}
		id := strings.TrimPrefix(r.Location(), "/admin/agencies/")
		page := admin.get(t, r.Location())
		if !strings.Contains(page.Body, "Se creó la institución.") || !strings.Contains(page.Body, "<code>gad-loja</code>") {
			t.Error("create: the agency page lacks the confirmation or the code")
		}

		r = admin.post(t, "/admin/agencies/"+id, url.Values{"code": {"otro-codigo"}, "name": {"GAD de Loja"},
			"type": {"local_government"}, "province": {"11"}, "canton": {""}})
		wantStatus(t, "edit", r, http.StatusSeeOther)
		a, err := e.Auth.Agency(system(), id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Code != "gad-loja" || a.Name != "GAD de Loja" || a.CantonCode != "" || !a.Active {
			t.Errorf("edit: saved %+v (the code must not change)", a)
		}
		r = admin.post(t, "/admin/agencies/"+id, url.Values{"name": {""}, "type": {"local_government"}})
		wantStatus(t, "bad edit", r, http.StatusUnprocessableEntity)

		if !strings.Contains(admin.get(t, "/admin/users/new").Body, "GAD de Loja") {
			t.Fatal("the new agency is not offered in the new-user form")
		}
		wantStatus(t, "deactivate", admin.post(t, "/admin/agencies/"+id+"/deactivate", nil), http.StatusSeeOther)
		if a, _ := e.Auth.Agency(system(), id); a.Active {
			t.Error("deactivate: still active")
		}
		if strings.Contains(admin.get(t, "/admin/users/new").Body, "GAD de Loja") {
			t.Error("a deactivated agency is still offered in the new-user form")
		}
		if got := rows(admin.get(t, "/admin/agencies?active=0").Body, "agencies"); len(got) != 1 || !strings.Contains(got[0], "Desactivada") {
			t.Errorf("inactive filter: rows %q", got)
		}
		// The user filter still lists it, so its former users can be found.
		if !strings.Contains(admin.get(t, "/admin/users").Body, `<option value="gad-loja">`) {
			t.Error("the user list's agency filter lost the deactivated agency")
		}
		wantStatus(t, "reactivate", admin.post(t, "/admin/agencies/"+id+"/reactivate", nil), http.StatusSeeOther)
		if a, _ := e.Auth.Agency(system(), id); !a.Active {
			t.Error("reactivate: still inactive")
		}
		for action, want := range map[string]int{"agency.update": 1, "agency.deactivate": 1, "agency.reactivate": 1} {
			if n := len(e.events(t, action)); n != want {
				t.Errorf("%d %s audit events, want %d", n, action, want)
			}
		}
	})
}
