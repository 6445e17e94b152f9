package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// mkAlias is the name the traffickers gave the girl, recorded by the owning agency
// among her aliases: the owner's alone (docs/SECURITY.md, the person row).
const mkAlias = "La Gata Negra"

// TestReceiversSearchOnlyWhatTheyWereShown: a receiving agency finds a case shared with
// it by what its relation carries (the number, the names, the documents when carried),
// and neither the search of the case list (screen and API) nor the duplicate check at
// registration confirms anything else of the person: not an alias, not a document
// number its relation did not carry.
func TestReceiversSearchOnlyWhatTheyWereShown(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			rc := setUpRelations(t, ta)
			w := as(rc.users[relAssigned])
			c, err := ta.Cases.Get(w, rc.id)
			if err != nil {
				t.Fatal(err)
			}
			in := c.Input
			in.Person.Aliases = []string{mkAlias}
			if _, err := ta.Cases.Update(w, rc.id, 0, in); err != nil {
				t.Fatal(err)
			}
			// What each receiver's search finds: the names always (every relation carries
			// them), the cédula only where the relation carries the documents.
			searches := map[string]map[string]bool{
				relReferral:    {"Nayeli Caiza Lema": true, "Caiza": true, mkAlias: false, "Gata": false, mkCedula: false},
				relShelter:     {"Nayeli Caiza Lema": true, mkAlias: false, "Gata Negra": false, mkCedula: false},
				relProsecution: {"Nayeli Caiza Lema": true, mkAlias: false, "Gata": false, mkCedula: true},
			}
			for rel, qs := range searches {
				api := ta.newBearer(t, rc.users[rel].ID)
				b := ta.newBrowser(t, rc.users[rel].Email, testPassword)
				b.signIn(t)
				for q, want := range qs {
					resp, body := api.do(t, http.MethodGet, "/api/v1/cases?q="+url.QueryEscape(q), nil, nil)
					wantStatus(t, rel+" API search "+q, resp, body, http.StatusOK)
					if got := strings.Contains(body, rc.number); got != want {
						t.Errorf("%s: the API search for %q finds the case: %v, want %v", rel, q, got, want)
					}
					resp, body = b.do(t, http.MethodGet, "/cases?q="+url.QueryEscape(q), nil, nil)
					wantStatus(t, rel+" list search "+q, resp, body, http.StatusOK)
					if got := strings.Contains(body, rc.number); got != want {
						t.Errorf("%s: the case list's search for %q finds the case: %v, want %v", rel, q, got, want)
					}
				}
			}
			// The NGO of the psychosocial referral carries the names and the age, not the
			// documents nor the aliases: registering someone by the alias or by the cédula
			// only says a likely duplicate exists elsewhere; by the name, it names the case.
			api := ta.newBearer(t, rc.users[relReferral].ID)
			register := func(given, family, doc string) string {
				t.Helper()
				docs := ""
				if doc != "" {
					docs = fmt.Sprintf(`,"documents":[{"type":"cedula","number":%q}]`, doc)
				}
				body := fmt.Sprintf(`{"person":{"given_names":%q,"family_names":%q,"sex":"female","nationalities":["ECU"]%s},`+
					`"identification":{"date":"2025-01-01","country":"ECU","province":"17","canton":"1701","how":"hotline"},`+
					`"trafficking_status":"possible"}`, given, family, docs)
				resp, out := api.do(t, http.MethodPost, "/api/v1/cases", strings.NewReader(body),
					map[string]string{"Content-Type": "application/json"})
				wantStatus(t, "register "+given+" "+family+" "+doc, resp, out, http.StatusConflict)
				return out
			}
			for _, probe := range [][3]string{{"La Gata", "Negra", ""}, {"Ana", "Pérez", mkCedula}} {
				out := register(probe[0], probe[1], probe[2])
				if strings.Contains(out, rc.number) || strings.Contains(out, rc.id) || strings.Contains(out, "Institución duena") {
					t.Errorf("registering %v tells the NGO which case matched:\n%s", probe, short(out))
				}
				if !strings.Contains(out, `"elsewhere":true`) {
					t.Errorf("registering %v does not say a likely duplicate exists elsewhere:\n%s", probe, short(out))
				}
			}
			if out := register(mkName, "Caiza Lema", ""); !strings.Contains(out, rc.number) {
				t.Errorf("registering the girl by the names the NGO was shown does not name its case:\n%s", short(out))
			}
		})
	}
}

// TestFormerReceiversLoseTheCase: after the person withdraws the consents, the agencies
// that received the case keep their referral (a revoked one, wiped) and the shelter its
// stay, but nothing there names or leads to the case any more: the shelter's residents
// list drops its number, and so does the referral one click away from it, on the
// screens and the API, and a search of their referrals by the case finds nothing.
func TestFormerReceiversLoseTheCase(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			rc := setUpRelations(t, ta)
			withdrawAll(t, ta, rc)
			for _, rel := range []string{relReferral, relShelter, relProsecution} {
				api := ta.newBearer(t, rc.users[rel].ID)
				b := ta.newBrowser(t, rc.users[rel].Email, testPassword)
				b.signIn(t)
				resp, list := api.do(t, http.MethodGet, "/api/v1/referrals?direction=incoming", nil, nil)
				wantStatus(t, rel+" lists its referrals", resp, list, http.StatusOK)
				if !strings.Contains(list, `"status":"revoked"`) {
					t.Fatalf("%s: no revoked referral in its list\n%s", rel, short(list))
				}
				id := list[strings.Index(list, `"id":"`)+6:]
				id = id[:strings.Index(id, `"`)]
				pages := map[string]*http.Response{}
				bodies := map[string]string{}
				for _, p := range []string{"/api/v1/referrals?direction=incoming", "/api/v1/referrals/" + id,
					"/api/v1/referrals?direction=incoming&case_id=" + rc.id} {
					pages[p], bodies[p] = api.do(t, http.MethodGet, p, nil, nil)
				}
				for _, p := range []string{"/referrals?direction=incoming", "/referrals/" + id} {
					pages[p], bodies[p] = b.do(t, http.MethodGet, p, nil, nil)
				}
				for p, body := range bodies {
					wantStatus(t, rel+" GET "+p, pages[p], body, http.StatusOK)
					if strings.Contains(body, rc.number) || strings.Contains(body, rc.id) {
						t.Errorf("%s: %s still names the case after the withdrawal", rel, p)
					}
				}
				if body := bodies["/api/v1/referrals?direction=incoming&case_id="+rc.id]; !strings.Contains(body, `"total":0`) {
					t.Errorf("%s: its referrals searched by the withdrawn case still find it\n%s", rel, short(body))
				}
			}
		})
	}
}
