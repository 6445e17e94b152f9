package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The route × role table says which roles pass a route's guard. What a role then sees
// of one case depends on its relation to that case; TestRouteRelations walks the case
// routes with a subject of each relation: the owning agency's supervisor, the assigned
// worker, the receiving agency of an accepted referral, the shelter where the girl
// stays, the prosecution office of an accepted prosecution referral, and an outsider.

// TestRouteRelations: each relation to one case, through the real router with a
// signed-in session and an API token, gets what docs/SECURITY.md's sharing table says,
// writes its own notes, and after the consents are withdrawn gets nothing (404).
func TestRouteRelations(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			rc := setUpRelations(t, ta)
			browsers, tokens := map[string]*browser{}, map[string]*bearer{}
			for _, rel := range allRelations {
				u := rc.users[rel]
				browsers[rel] = ta.newBrowser(t, u.Email, testPassword)
				browsers[rel].signIn(t)
				tokens[rel] = ta.newBearer(t, u.ID)
			}
			for _, rel := range allRelations {
				checkRelation(t, rc, rel, browsers[rel], tokens[rel])
			}
			checkOwnNotes(t, rc, browsers)
			withdrawAll(t, ta, rc)
			checkAfterWithdrawal(t, ta, rc, browsers, tokens)
		})
	}
}

func wantStatus(t *testing.T, what string, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Errorf("%s: status %d, want %d\n%s", what, resp.StatusCode, want, short(body))
	}
}

// checkRelation reads the case's page, API, consents, file and PDF as one relation.
func checkRelation(t *testing.T, rc *relationsCase, rel string, b *browser, api *bearer) {
	t.Helper()
	page := "/cases/" + rc.id
	if rel == relOutsider {
		for _, p := range []string{page, page + "/attachments/" + rc.attachment, page + "/case-file.pdf"} {
			resp, body := b.do(t, http.MethodGet, p, nil, nil)
			wantStatus(t, "outsider GET "+p, resp, body, http.StatusNotFound)
		}
		for _, p := range []string{"/api/v1/cases/" + rc.id, "/api/v1/cases/" + rc.id + "/consents"} {
			resp, body := api.do(t, http.MethodGet, p, nil, nil)
			wantStatus(t, "outsider GET "+p, resp, body, http.StatusNotFound)
		}
		return
	}
	resp, html := b.do(t, http.MethodGet, page, nil, nil)
	wantStatus(t, rel+" GET the case page", resp, html, http.StatusOK)
	resp, js := api.do(t, http.MethodGet, "/api/v1/cases/"+rc.id, nil, nil)
	wantStatus(t, rel+" GET the case API", resp, js, http.StatusOK)
	for mk, rels := range seenBy {
		want := contains(rels, rel)
		if got := strings.Contains(html, mk); got != want {
			t.Errorf("%s: the case page shows %q: %v, want %v", rel, mk, got, want)
		}
		switch mk {
		case mkName, mkCedula, mkContact, mkGuardian, mkPlan: // the parts the case's JSON holds
			if got := strings.Contains(js, mk); got != want {
				t.Errorf("%s: GET /api/v1/cases/{id} shows %q: %v, want %v", rel, mk, got, want)
			}
		}
	}
	full := rel == relOwner || rel == relAssigned
	if got := strings.Contains(js, `"status":`); got != full {
		t.Errorf("%s: the case's JSON has its workflow status: %v, want %v", rel, got, full)
	}
	var answer struct {
		View struct {
			Relations []string `json:"relations"`
			Withheld  []string `json:"withheld"`
		} `json:"view"`
	}
	if err := json.Unmarshal([]byte(js), &answer); err != nil {
		t.Fatalf("%s: the case's JSON: %v", rel, err)
	}
	if !contains(answer.View.Relations, rel) {
		t.Errorf("%s: the case's JSON names the relations %v", rel, answer.View.Relations)
	}
	if got := contains(answer.View.Withheld, "narratives"); got == full {
		t.Errorf("%s: the view withholds the narratives: %v, want %v", rel, got, !full)
	}
	resp, body := api.do(t, http.MethodGet, "/api/v1/cases/"+rc.id+"/consents", nil, nil)
	wantStatus(t, rel+" GET the consents", resp, body, http.StatusOK)
	if got := strings.Contains(body, mkGuardian); got != full {
		t.Errorf("%s: the consents name the representative: %v, want %v", rel, got, full)
	}
	resp, body = b.do(t, http.MethodGet, page+"/attachments/"+rc.attachment, nil, nil)
	wantStatus(t, rel+" GET the owner's file", resp, body, map[bool]int{true: http.StatusOK, false: http.StatusForbidden}[full])
	// The PDF: the owner's side; a receiving NGO's worker may export what they see; the
	// shelter and prosecution roles may not export cases at all (the route refuses).
	pdf := map[string]int{relOwner: 200, relAssigned: 200, relReferral: 200, relShelter: 403, relProsecution: 403}[rel]
	resp, body = b.do(t, http.MethodGet, page+"/case-file.pdf", nil, nil)
	wantStatus(t, rel+" GET the PDF", resp, body, pdf)
	resp, body = b.postForm(t, page+"/consents", url.Values{"consent.purpose": {"statistics"}, "consent.status": {"given"},
		"consent.given_by": {"representative"}, "consent.representative": {"x"}, "consent.method": {"written"}})
	wantStatus(t, rel+" POST a consent", resp, body, map[bool]int{true: http.StatusUnprocessableEntity, false: http.StatusForbidden}[full])
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// checkOwnNotes: each receiving agency writes a note on the case; it reads its own and
// nobody else's, and the owner does not read theirs.
func checkOwnNotes(t *testing.T, rc *relationsCase, browsers map[string]*browser) {
	t.Helper()
	page := "/cases/" + rc.id
	receivers := []string{relReferral, relShelter, relProsecution}
	for _, rel := range receivers {
		resp, body := browsers[rel].postForm(t, page+"/notes", url.Values{"note.body": {"NOTA-DE-" + rel}})
		wantStatus(t, rel+" writes a note", resp, body, http.StatusSeeOther)
	}
	resp, body := browsers[relOutsider].postForm(t, page+"/notes", url.Values{"note.body": {"NOTA-AJENA"}})
	wantStatus(t, "outsider writes a note", resp, body, http.StatusNotFound)
	for _, reader := range []string{relOwner, relReferral, relShelter, relProsecution} {
		_, html := browsers[reader].do(t, http.MethodGet, page, nil, nil)
		for _, writer := range receivers {
			if got, want := strings.Contains(html, "NOTA-DE-"+writer), reader == writer; got != want {
				t.Errorf("%s reads the note of %s: %v, want %v", reader, writer, got, want)
			}
		}
	}
	_, list := browsers[relShelter].do(t, http.MethodGet, "/cases", nil, nil)
	if !strings.Contains(list, `id="shared-cases"`) || !strings.Contains(list, rc.number) {
		t.Errorf("the shelter's case list does not show the case as shared\n%s", short(list))
	}
}

// withdrawAll: the girl's mother withdraws the three consents.
func withdrawAll(t *testing.T, ta *testApp, rc *relationsCase) {
	t.Helper()
	w := as(rc.users[relAssigned])
	consents, err := ta.Cases.Consents(w, rc.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range consents {
		if !k.Current || k.Status != "given" || k.Purpose == "statistics" {
			continue
		}
		in := k.ConsentInput
		in.Status = "withdrawn"
		if _, err := ta.Cases.RecordConsent(w, rc.id, in); err != nil {
			t.Fatalf("withdraw %s: %v", k.Purpose, err)
		}
	}
}

// checkAfterWithdrawal: the receivers get 404 on the page, the API and the PDF, the
// case leaves their lists, and the shelter's residents keep the stay without the case.
func checkAfterWithdrawal(t *testing.T, ta *testApp, rc *relationsCase, browsers map[string]*browser, tokens map[string]*bearer) {
	t.Helper()
	page := "/cases/" + rc.id
	for _, rel := range []string{relReferral, relShelter, relProsecution} {
		resp, body := browsers[rel].do(t, http.MethodGet, page, nil, nil)
		wantStatus(t, rel+" GET the page after the withdrawal", resp, body, http.StatusNotFound)
		if strings.Contains(body, mkName) {
			t.Errorf("%s: the 404 page names the girl", rel)
		}
		resp, body = tokens[rel].do(t, http.MethodGet, "/api/v1/cases/"+rc.id, nil, nil)
		wantStatus(t, rel+" GET the API after the withdrawal", resp, body, http.StatusNotFound)
		_, list := browsers[rel].do(t, http.MethodGet, "/cases", nil, nil)
		if strings.Contains(list, rc.number) {
			t.Errorf("%s: the case list still shows %s after the withdrawal", rel, rc.number)
		}
	}
	resp, body := browsers[relReferral].do(t, http.MethodGet, page+"/case-file.pdf", nil, nil)
	wantStatus(t, "referral GET the PDF after the withdrawal", resp, body, http.StatusNotFound)
	resp, body = browsers[relOwner].do(t, http.MethodGet, page, nil, nil)
	wantStatus(t, "owner GET the page after the withdrawal", resp, body, http.StatusOK)
	stays, err := ta.Shelters.Residents(as(rc.users[relShelter]), rc.shelter, true)
	if err != nil || len(stays) != 1 {
		t.Fatalf("residents after the withdrawal: %+v %v", stays, err)
	}
	if stays[0].CaseNumber != "" || stays[0].CaseID != "" {
		t.Errorf("the shelter's residents still name the case after the withdrawal: %+v", stays[0])
	}
	_, html := browsers[relShelter].do(t, http.MethodGet, "/shelters/"+rc.shelter, nil, nil)
	if strings.Contains(html, rc.number) || strings.Contains(html, page) {
		t.Errorf("the shelter page still names or links the case after the withdrawal")
	}
}
