package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// The route × role table says which roles pass a route's guard. What a role then sees
// of one case depends on its relation to that case; TestRouteRelations walks the case
// routes with a subject of each relation: the owning agency's supervisor, the assigned
// worker, the receiving agency of an accepted referral, the shelter where the girl
// stays, the prosecution office of an accepted prosecution referral, and an outsider.

// The relations, as subtest names.
const (
	relOwner       = "owner"
	relAssigned    = "assigned"
	relReferral    = "referral"
	relShelter     = "shelter"
	relProsecution = "prosecution"
	relOutsider    = "outsider"
)

var allRelations = []string{relOwner, relAssigned, relReferral, relShelter, relProsecution, relOutsider}

// Markers: each is written by the owning agency into one part of the file; the matrix
// says which relations may see it.
const (
	mkName      = "Nayeli"
	mkCedula    = "1710034065"
	mkContact   = "0987000111"
	mkGuardian  = "Rosa Lema"
	mkNote      = "NOTA-DE-LA-DUENA"
	mkNarrative = "RELATO-DE-LA-NINA"
	mkFile      = "denuncia-secreta"
	mkTask      = "TAREA-INTERNA"
	mkPlan      = "PLAN-DE-SEGURIDAD"
	mkFlag      = "ALERTA-MOTIVO"
)

// seenBy is, for each marker, the relations whose case page shows it.
var seenBy = map[string][]string{
	mkName:            {relOwner, relAssigned, relReferral, relShelter, relProsecution},
	mkCedula:          {relOwner, relAssigned, relProsecution},   // documents: the prosecution set
	mkContact:         {relOwner, relAssigned},                   // neither psychosocial nor shelter carries it
	mkGuardian:        {relOwner, relAssigned, relShelter},       // a shelter referral carries the guardian
	mkNote:            {relOwner, relAssigned},                   // notes are the writing agency's
	mkNarrative:       {relOwner, relAssigned},                   // never shared
	mkFile:            {relOwner, relAssigned},                   // never shared
	mkTask:            {relOwner, relAssigned},                   // the owner's work
	mkPlan:            {relOwner, relAssigned, relShelter},       // the shelter keeps the person safe
	mkFlag:            {relOwner, relAssigned, relShelter},       // …and acts on the alerts
	`id="why-shared"`: {relReferral, relShelter, relProsecution}, // receivers are told why they see it
}

// relationsCase is a case with every relation to it, set up through the services as
// the people would.
type relationsCase struct {
	id, number, attachment, shelter string
	users                           map[string]*auth.User
}

func as(u *auth.User) context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "web", UserID: u.ID, AgencyID: u.AgencyID, Lang: "es"})
	return access.With(ctx, u.Subject())
}

func setUpRelations(t *testing.T, ta *testApp) *relationsCase {
	t.Helper()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	ag := map[string]string{}
	for code, typ := range map[string]string{"duena": "ngo", "recibe": "ngo", "albergue": "shelter", "fiscalia": "prosecution",
		"ajena": "ngo", "programa": "international_organisation"} {
		a, err := ta.Auth.CreateAgency(system(), &auth.Agency{Code: code, Name: "Institución " + code, Type: typ,
			ProvinceCode: "17", CantonCode: "1701"})
		must("agency "+code, err)
		ag[code] = a.ID
	}
	rc := &relationsCase{users: map[string]*auth.User{
		relOwner:       ta.createUser(t, ag["duena"], access.CaseSupervisor, "sup@duena.test"),
		relAssigned:    ta.createUser(t, ag["duena"], access.CaseWorker, "worker@duena.test"),
		relReferral:    ta.createUser(t, ag["recibe"], access.CaseWorker, "worker@recibe.test"),
		relShelter:     ta.createUser(t, ag["albergue"], access.ShelterCoordinator, "casa@albergue.test"),
		relProsecution: ta.createUser(t, ag["fiscalia"], access.ProsecutionLiaison, "enlace@fiscalia.test"),
		relOutsider:    ta.createUser(t, ag["ajena"], access.CaseSupervisor, "sup@ajena.test"),
	}}
	nc := ta.createUser(t, ag["programa"], access.NationalCoordinator, "coordinacion@programa.test")
	w := as(rc.users[relAssigned])
	today := time.Now().In(time.FixedZone("ECT", -5*3600)).Format("2006-01-02")
	birth := time.Now().AddDate(-14, -2, 0).Format("2006-01-02")
	c, err := ta.Cases.Register(w, cases.Input{
		Person: cases.Person{GivenNames: mkName, FamilyNames: "Caiza Lema", Sex: "female", Gender: "woman", BirthDate: birth,
			Nationalities: []string{"ECU"}, Documents: []cases.Document{{Type: "cedula", Number: mkCedula}},
			Contact: mkContact, Guardian: &cases.Guardian{Name: mkGuardian, Relation: "madre"}},
		Identification:    cases.Identification{Date: today, Country: "ECU", Province: "17", Canton: "1701", How: "police_operation"},
		TraffickingStatus: "possible", Exploitation: []string{"sexual"}, RiskLevel: "high",
	}, cases.RegisterOptions{NotDuplicate: true})
	must("register", err)
	rc.id, rc.number = c.ID, c.Number
	_, err = ta.Cases.AddNote(w, c.ID, mkNote+": la tía sabe dónde vive el reclutador")
	must("note", err)
	_, err = ta.Cases.AddEvent(w, c.ID, cases.EventInput{Kind: "recruitment", Country: "ECU", Province: "17", Canton: "1701",
		Narrative: mkNarrative + ": la llevaron en una camioneta"})
	must("event", err)
	a, err := ta.Cases.AddAttachment(w, c.ID, mkFile+".pdf", []byte("%PDF-1.4\n% denuncia\n%%EOF\n"))
	must("attachment", err)
	rc.attachment = a.ID
	_, err = ta.Cases.AddTask(w, c.ID, cases.TaskInput{Title: mkTask, DueOn: today})
	must("task", err)
	must("risk", ta.Cases.SetRisk(w, c.ID, "high", mkPlan+": no salir sola"))
	_, err = ta.Cases.AddFlag(w, c.ID, "trafficker_contact", mkFlag+": llamadas de un número desconocido")
	must("flag", err)
	for _, k := range []cases.ConsentInput{{Purpose: "referral", AgencyID: ag["recibe"]}, {Purpose: "referral", AgencyID: ag["albergue"]},
		{Purpose: "prosecution"}} {
		k.Status, k.GivenBy, k.Representative, k.Method, k.DecidedOn = "given", "representative", mkGuardian, "written", today
		_, err := ta.Cases.RecordConsent(w, c.ID, k)
		must("consent "+k.Purpose, err)
	}
	send := func(in referrals.ReferralInput, by string) *referrals.Referral {
		t.Helper()
		in.CaseID = c.ID
		r, err := ta.Referrals.Send(w, in)
		must("send to "+by, err)
		_, err = ta.Referrals.Step(as(rc.users[by]), r.ID, "accept", referrals.StepInput{})
		must("accept by "+by, err)
		return r
	}
	send(referrals.ReferralInput{ToAgencyID: ag["recibe"], SupportTypes: []string{"psychosocial"}}, relReferral)
	toShelter := send(referrals.ReferralInput{ToAgencyID: ag["albergue"], SupportTypes: []string{"shelter"}}, relShelter)
	send(referrals.ReferralInput{Purpose: "prosecution", ToAgencyID: ag["fiscalia"]}, relProsecution)
	sh, err := ta.Shelters.Save(as(nc), "", shelters.ShelterInput{AgencyID: ag["albergue"], Name: "Casa de prueba", Province: "17",
		Canton: "1701", Populations: []string{"children", "adolescents"}, Services: []string{"psychosocial"},
		Beds: map[string]int{"girls": 2}, Staff: map[string]int{"coordinator": 1}, Active: true})
	must("shelter", err)
	rc.shelter = sh.ID
	_, err = ta.Shelters.Admit(as(rc.users[relShelter]), sh.ID, shelters.AdmitInput{CaseID: c.ID, ReferralID: toShelter.ID, BedType: "girls"})
	must("admit", err)
	// Admitting the girl from the referral put the referral under way.
	got, err := ta.Referrals.Get(w, toShelter.ID)
	must("referral after admission", err)
	if got.Status != "in_progress" {
		t.Errorf("after the admission the shelter referral is %q, want in_progress", got.Status)
	}
	return rc
}

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
