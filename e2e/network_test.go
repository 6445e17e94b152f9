package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The people and places of the referral network journey.
const (
	netPassword     = "Cotopaxi-Nevado-5897"
	netWorkerEmail  = "gabriela.cando@esperanza.example.org"
	netWorkerName   = "Gabriela Cando"
	netShelterEmail = "rocio.quinde@santa-rosa.example.org"
	netShelterName  = "Rocío Quinde"
	netNationEmail  = "marco.vera@programa.example.org"
	netShelter      = "Casa de Acogida Santa Rosa"
	netShelterAg    = "Fundación Santa Rosa (prueba)"
	netHealthAg     = "Centro de Salud Integral (prueba)"
	// The girl of the journey and her mother, who consents for her.
	netGiven    = "Nayeli Estefanía"
	netFamily   = "Guamán Lema"
	netMother   = "Rosa Elvira Lema (madre)"
	netCedula   = "1710034065"
	netFeedback = "Nayeli ingresó el mismo día; recibe acompañamiento psicológico y asiste a la escuela de la casa."
)

// TestNetworkJourney is the referral-network journey of issue 5 on each engine:
// national coordination registers a shelter with two free beds for girls; a case
// worker registers a girl of 14, records her mother's consent for a referral to the
// shelter's operator, sees the shelter in the free-beds panel of the referral form and
// sends the referral; a referral to an institution without consent is refused with a
// clear message and nothing is sent. The shelter coordinator finds the referral in the
// inbox, reads the shared data, accepts it, admits the girl to a bed from the shelter
// page and completes the referral with feedback, which the worker reads. When the
// mother withdraws the consent for the shelter's operator, the shelter loses access to
// the case at once, in the browser and by the API, and the referral shows revoked
// without the shared data.
func TestNetworkJourney(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			start := time.Now()
			srv, office, worker, ag, shelterURL := startNetwork(t, engine)
			caseURL, caseNumber := registerGirl(t, worker)
			consentToShelter(t, worker, ag["santa-rosa"])
			refURL, refNumber := referToShelter(t, worker, caseURL, ag["santa-rosa"], engine)
			refusedWithoutConsent(t, worker, caseURL, ag["salud-integral"])

			shelter := office
			visit(t, shelter, srv.URL+"/login")
			follow(t, shelter, "shelter: sign in", signIn(t, shelter, netShelterEmail, netPassword))
			enrol(t, shelter, "shelter coordinator")
			acceptFromInbox(t, shelter, refURL, refNumber)
			// Accepting opened the case to the shelter's operator.
			visit(t, shelter, caseURL)
			admitFromReferral(t, shelter, shelterURL, refURL, refNumber, caseNumber, engine)
			completeReferral(t, shelter, refURL)

			workerReadsFeedback(t, worker, refURL)
			withdrawShelterConsent(t, worker, caseURL, refURL, ag["santa-rosa"])
			shelterLosesAccess(t, shelter, caseURL, refURL)
			apiLosesAccess(t, srv, caseURL, refURL)
			t.Logf("%s journey took %s", engine, time.Since(start).Round(100*time.Millisecond))
		})
	}
}

// setUpNetwork creates, with the command line, the programme's office, an NGO, a
// shelter operator and a health centre, and the three people of the journey. It
// returns the agency ids by code. It runs beside the test's goroutine, so it returns

// startNetwork is the start the network journeys share: a server on engine, the people
// set up from the command line while two browsers start (office: national
// coordination, later the shelter coordinator; worker: the case worker), the shelter
// registered by national coordination, and the worker signed in with a second factor.
// It returns the agencies' ids by code and the shelter's page.
func startNetwork(t *testing.T, engine string) (srv *server, office, worker context.Context, ag map[string]string, shelterURL string) {
	t.Helper()
	srv = startServer(t, engine)
	type setup struct {
		ids map[string]string
		err error
	}
	ready := make(chan setup, 1)
	go func() {
		ids, err := setUpNetwork(srv)
		ready <- setup{ids, err}
	}()
	office, worker = journeyBrowser(t), journeyBrowser(t)
	su := <-ready
	if su.err != nil {
		t.Fatal(su.err)
	}
	ag = su.ids
	shelterURL = registerShelter(t, office, srv, ag["santa-rosa"])
	logout(t, office, "national coordinator")
	visit(t, worker, srv.URL+"/login")
	follow(t, worker, "worker: sign in", signIn(t, worker, netWorkerEmail, netPassword))
	enrol(t, worker, "worker")
	return srv, office, worker, ag, shelterURL
}

// its error instead of failing the test.
func setUpNetwork(srv *server) (map[string]string, error) {
	idRe := regexp.MustCompile(`\(id ([0-9a-f-]{36})\)`)
	ids := map[string]string{}
	for _, a := range []struct{ code, name, typ string }{
		{"programa", "Programa Amparo (prueba)", "international_organisation"},
		{"esperanza", "Fundación Esperanza (prueba)", "ngo"},
		{"santa-rosa", netShelterAg, "shelter"},
		{"salud-integral", netHealthAg, "health"},
	} {
		out, err := runCLI(srv, "", "agency", "add", "--code", a.code, "--name", a.name, "--type", a.typ,
			"--province", "17", "--canton", "1701")
		if err != nil {
			return nil, err
		}
		m := idRe.FindStringSubmatch(out)
		if m == nil {
			return nil, fmt.Errorf("amparo agency add %s: no id in %q", a.code, out)
		}
		ids[a.code] = m[1]
	}
	for _, u := range []struct{ email, name, role, agency, jur string }{
		{netWorkerEmail, netWorkerName, "case_worker", "esperanza", ""},
		{netShelterEmail, netShelterName, "shelter_coordinator", "santa-rosa", ""},
		{netNationEmail, "Marco Vera", "national_coordinator", "programa", "national"},
	} {
		args := []string{"user", "add", "--email", u.email, "--name", u.name, "--role", u.role, "--agency", u.agency,
			"--password-stdin"}
		if u.jur != "" {
			args = append(args, "--jurisdiction", u.jur)
		}
		if _, err := runCLI(srv, netPassword+"\n", args...); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// runCLI is cli for another goroutine than the test's: it returns the error.
func runCLI(srv *server, stdin string, args ...string) (string, error) {
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
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("amparo %s: %v\n%s", strings.Join(args[:2], " "), err, out)
	}
	return string(out), nil
}

// registerShelter: the national coordinator (no second factor: the role sees no
// personal data) registers the shelter with two beds for girls through the registry
// form. It returns the shelter page's URL.
func registerShelter(t *testing.T, ctx context.Context, srv *server, operatorID string) string {
	t.Helper()
	visit(t, ctx, srv.URL+"/login")
	follow(t, ctx, "national coordinator: sign in", signIn(t, ctx, netNationEmail, netPassword))
	if u := location(t, ctx); strings.Contains(u, "/login") {
		t.Fatalf("national coordinator: after signing in the tab is at %s", u)
	}
	follow(t, ctx, "national coordinator: open Casas de acogida in the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/shelters"]`)))
	follow(t, ctx, "national coordinator: new shelter", chromedp.Click(chromedp.CSS(`a#new-shelter`)))
	f := `form#registry-form`
	set(t, ctx, "national coordinator: registry", f,
		"agency_id", operatorID,
		"name", netShelter,
		"licence_number", "MIES-ACO-2025-017",
		"province", "17",
		"address", "Calle Los Cedros y Av. Occidental, Quito",
		"contact_name", netShelterName,
		"contact_phone", "02 245 6789",
		"beds_girls", "2",
		"staff_coordinator", "1",
		"staff_psychologist", "1")
	// Choosing the province reloads the canton list (htmx); let it arrive first.
	htmxIdle(t, ctx)
	run(t, ctx, "national coordinator: canton, populations and services",
		chromedp.SetValue(chromedp.CSS(f+` [name="canton"]`), "1701"),
		chromedp.Click(chromedp.CSS(f+` input[name="populations"][value="children"]`)),
		chromedp.Click(chromedp.CSS(f+` input[name="populations"][value="adolescents"]`)),
		chromedp.Click(chromedp.CSS(f+` input[name="services"][value="psychosocial"]`)))
	follow(t, ctx, "national coordinator: save the shelter", chromedp.Click(chromedp.CSS(f+` button.primary[type="submit"]`)))
	u := strings.SplitN(location(t, ctx), "#", 2)[0]
	if !regexp.MustCompile(`/shelters/[0-9a-f-]{36}$`).MatchString(u) {
		t.Fatalf("after saving the shelter the tab is at %s, want its page", u)
	}
	if got := text(t, ctx, `h1`); got != netShelter {
		t.Errorf("shelter page heading %q, want %q", got, netShelter)
	}
	if got := text(t, ctx, `#operator`); got != netShelterAg {
		t.Errorf("shelter operator reads %q, want %q", got, netShelterAg)
	}
	if got := text(t, ctx, `#beds-summary`); !strings.Contains(got, "2 en total") || !strings.Contains(got, "2 libres") {
		t.Errorf("beds summary of the new shelter reads %q, want 2 beds, 2 free", got)
	}
	return u
}

// registerGirl registers a girl of 14 found in a police operation, with her mother as
// guardian. It returns the case page's URL and the case number.
func registerGirl(t *testing.T, ctx context.Context) (string, string) {
	t.Helper()
	follow(t, ctx, "worker: open the case list from the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/cases"]`)))
	follow(t, ctx, "worker: new case", chromedp.Click(chromedp.CSS(`main a[href="/cases/new"]`)))
	loc, err := time.LoadLocation("America/Guayaquil")
	if err != nil {
		loc = time.FixedZone("ECT", -5*3600)
	}
	birth := time.Now().In(loc).AddDate(-14, -3, 0).Format("2006-01-02") // 14 years and 3 months old
	f := `form#case-form`
	pickPlace(t, ctx, f, "17", "1701")
	set(t, ctx, "worker: registration", f,
		"identification.how", "police_operation",
		"person.given_names", netGiven,
		"person.family_names", netFamily,
		"person.sex", "female",
		"person.gender", "woman",
		"person.birth_date", birth,
		"person.documents.0.type", "cedula",
		"person.documents.0.number", netCedula,
		"person.guardian.name", "Rosa Elvira Lema",
		"person.guardian.relation", "madre",
		"person.guardian.contact", "0987 654 321",
		"risk_level", "high")
	run(t, ctx, "worker: nationality, exploitation",
		chromedp.Click(chromedp.CSS(f+` input[name="person.nationalities"][value="ECU"]`)),
		chromedp.Click(chromedp.CSS(f+` input[name="exploitation"][value="sexual"]`)))
	follow(t, ctx, "worker: register the case", chromedp.Click(chromedp.CSS(f+` button.primary[type="submit"]`)))
	u := strings.SplitN(location(t, ctx), "#", 2)[0]
	if !regexp.MustCompile(`/cases/[0-9a-f-]{36}$`).MatchString(u) {
		t.Fatalf("after registering the tab is at %s, want the case page", u)
	}
	number := text(t, ctx, `#case-head .case-number`)
	if !regexp.MustCompile(`^EC-\d{4}-\d{5}$`).MatchString(number) {
		t.Fatalf("case number %q", number)
	}
	if head := text(t, ctx, `#case-head`); !strings.Contains(head, netGiven+" "+netFamily) {
		t.Errorf("case header %q lacks the girl's name", head)
	}
	return u, number
}

// consentToShelter records, on the case page the tab is on, the mother's written
// consent to refer her daughter's data to the shelter's operator.
func consentToShelter(t *testing.T, ctx context.Context, agencyID string) {
	t.Helper()
	f := `form#consent-form`
	set(t, ctx, "worker: consent for the referral", f,
		"consent.purpose", "referral",
		"consent.agency_id", agencyID,
		"consent.status", "given",
		"consent.given_by", "representative",
		"consent.representative", netMother,
		"consent.method", "written",
		"consent.decided_on", guayaquilToday(),
		"consent.notes", "Acta firmada por la madre en la Fiscalía")
	follow(t, ctx, "worker: save the consent", chromedp.Click(chromedp.CSS(f+` button[type="submit"]`)))
	got := text(t, ctx, `#consents-current`)
	for _, want := range []string{"Derivación a una institución", netShelterAg, "Otorgado", netMother} {
		if !strings.Contains(got, want) {
			t.Errorf("current consents %q lack %q", got, want)
		}
	}
}

// referToShelter opens the referral form, asks for shelter, finds the shelter in the
// free-beds panel, chooses it and sends the referral. It returns the referral's URL
// and number.
func referToShelter(t *testing.T, ctx context.Context, caseURL, agencyID, engine string) (string, string) {
	t.Helper()
	visit(t, ctx, caseURL)
	follow(t, ctx, "worker: open the referral form from the case page", chromedp.Click(chromedp.CSS(`a#refer-case`)))
	if got := text(t, ctx, `h1`); !strings.Contains(got, "EC-") {
		t.Errorf("referral form heading %q does not name the case", got)
	}
	// Ticking "Acogida" updates the live part of the form (htmx) with the free beds.
	run(t, ctx, "worker: ask for shelter",
		chromedp.Click(chromedp.CSS(`#refer-form input[name="support_types"][value="shelter"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#free-beds-table`)))
	htmxIdle(t, ctx)
	row := text(t, ctx, `#free-beds-table tbody`)
	for _, want := range []string{netShelter, netShelterAg, "2"} {
		if !strings.Contains(row, want) {
			t.Errorf("the free-beds panel %q lacks %q", row, want)
		}
	}
	follow(t, ctx, "worker: refer to the shelter from the free-beds panel",
		chromedp.Click(chromedp.CSS(`#free-beds-table button[name="pick_agency"][value="`+agencyID+`"]`)))
	if !domFlag(t, ctx, `#refer-form [name="support_types"][value="shelter"]`, "checked") {
		t.Errorf("after choosing the shelter, 'Acogida' is no longer ticked")
	}
	if got := text(t, ctx, `#free-beds-table`); !strings.Contains(got, "Elegida") {
		t.Errorf("the chosen shelter is not marked in the free-beds panel: %q", got)
	}
	if got := text(t, ctx, `#consent-panel`); !strings.Contains(got, "consintió") || !strings.Contains(got, netShelterAg) {
		t.Errorf("consent panel reads %q, want the consent for %s", got, netShelterAg)
	}
	shared := text(t, ctx, `#shared-fields`)
	if strings.Contains(shared, "Documentos") {
		t.Errorf("a shelter referral would share the documents: %q", shared)
	}
	set(t, ctx, "worker: why", `#refer-form`, "reason",
		"Niña rescatada en operativo; necesita acogida inmediata y protección.")
	// Every change refreshes the live part of the form; the button must not move under
	// the click.
	htmxIdle(t, ctx)
	screenshot(t, ctx, "network_refer_"+engine)
	follow(t, ctx, "worker: send the referral", chromedp.Click(chromedp.CSS(`#send`)))
	u := strings.SplitN(location(t, ctx), "#", 2)[0]
	if !regexp.MustCompile(`/referrals/[0-9a-f-]{36}$`).MatchString(u) {
		t.Fatalf("after sending the tab is at %s, want the referral page", u)
	}
	if got := text(t, ctx, `#referral-status`); !strings.Contains(got, "Enviada") {
		t.Errorf("referral status reads %q, want Enviada", got)
	}
	if got := text(t, ctx, `#referral-to`); !strings.Contains(got, netShelterAg) {
		t.Errorf("referral goes to %q, want %s", got, netShelterAg)
	}
	number := strings.TrimSpace(strings.TrimPrefix(text(t, ctx, `h1`), "Derivación"))
	if number == "" {
		t.Fatalf("the referral page does not show its number")
	}
	return u, number
}

// refusedWithoutConsent tries to refer the case to the health centre, for which the
// mother gave no consent: the form comes back (422) with the reason and the outgoing
// list is the same before and after.
func refusedWithoutConsent(t *testing.T, ctx context.Context, caseURL, agencyID string) {
	t.Helper()
	before := outgoingCount(t, ctx)
	visit(t, ctx, caseURL)
	follow(t, ctx, "worker: open the referral form again", chromedp.Click(chromedp.CSS(`a#refer-case`)))
	run(t, ctx, "worker: ask the health centre for psychosocial care",
		chromedp.SetValue(chromedp.CSS(`#refer-form [name="to_agency_id"]`), agencyID),
		chromedp.Click(chromedp.CSS(`#refer-form input[name="support_types"][value="psychosocial"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#consent-panel #consent-text`)))
	htmxIdle(t, ctx)
	if got := text(t, ctx, `#consent-panel`); !strings.Contains(got, "No se puede enviar") {
		t.Errorf("before sending, the consent panel reads %q, want the warning", got)
	}
	submitWant(t, ctx, "worker: send without consent", chromedp.Click(chromedp.CSS(`#send`)), http.StatusUnprocessableEntity)
	msg := text(t, ctx, `#error-summary`)
	for _, want := range []string{"No se puede enviar", "consentimiento"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal reads %q, want it to say %q", msg, want)
		}
	}
	if strings.Contains(msg, "referrals.err") {
		t.Errorf("the refusal shows an untranslated key: %q", msg)
	}
	if after := outgoingCount(t, ctx); after != before {
		t.Errorf("outgoing referrals: %d before the refused one, %d after", before, after)
	}
}

// outgoingCount opens the worker's outgoing referrals and counts the rows.
func outgoingCount(t *testing.T, ctx context.Context) int {
	t.Helper()
	follow(t, ctx, "worker: open Derivaciones in the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/referrals"]`)))
	run(t, ctx, "the outgoing list", chromedp.WaitVisible(chromedp.CSS(`#tab-outgoing[aria-current="page"]`)))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#referrals tbody tr').length`))
	if err != nil {
		t.Fatalf("count outgoing referrals: %v", err)
	}
	return n
}

// acceptFromInbox: the shelter coordinator finds the referral in the incoming inbox,
// opens it, reads the shared data and accepts it.
func acceptFromInbox(t *testing.T, ctx context.Context, refURL, refNumber string) {
	t.Helper()
	follow(t, ctx, "shelter: open Derivaciones in the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/referrals"]`)))
	inbox := text(t, ctx, `#referrals`)
	for _, want := range []string{refNumber, "Fundación Esperanza", "Acogida", "Enviada"} {
		if !strings.Contains(inbox, want) {
			t.Errorf("the incoming inbox %q lacks %q", inbox, want)
		}
	}
	path := refURL[strings.Index(refURL, "/referrals/"):]
	follow(t, ctx, "shelter: open the referral", chromedp.Click(chromedp.CSS(`#referrals a[href="`+path+`"]`)))
	shared := text(t, ctx, `#shared-data`)
	for _, want := range []string{netGiven, netFamily, "Rosa Elvira Lema", "14"} {
		if !strings.Contains(shared, want) {
			t.Errorf("the shared data %q lacks %q", shared, want)
		}
	}
	if strings.Contains(shared, netCedula) {
		t.Errorf("the shelter sees the cédula, which a shelter referral does not need: %q", shared)
	}
	follow(t, ctx, "shelter: accept", chromedp.Click(chromedp.CSS(`#accept-form button[type="submit"]`)))
	if got := text(t, ctx, `#referral-status`); !strings.Contains(got, "Aceptada") {
		t.Errorf("after accepting, the status reads %q", got)
	}
}

// admitFromReferral: from the shelter page, the coordinator admits the girl to a bed
// for girls from the accepted referral, and sees her among the residents.
func admitFromReferral(t *testing.T, ctx context.Context, shelterURL, refURL, refNumber, caseNumber, engine string) {
	t.Helper()
	follow(t, ctx, "shelter: open Casas de acogida in the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/shelters"]`)))
	path := shelterURL[strings.Index(shelterURL, "/shelters/"):]
	follow(t, ctx, "shelter: open the shelter", chromedp.Click(chromedp.CSS(`#shelters a[href="`+path+`"]`)))
	refID := refURL[strings.LastIndex(refURL, "/")+1:]
	opt, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(`#admit-form select[name="referral_id"] option[value="`+refID+`"]`)))
	if err != nil {
		t.Fatalf("shelter: the admission form does not offer the accepted referral: %v", err)
	}
	if !strings.Contains(opt, refNumber) || !strings.Contains(opt, caseNumber) {
		t.Errorf("the admission form offers the referral as %q, want %s and %s", opt, refNumber, caseNumber)
	}
	set(t, ctx, "shelter: admission", `#admit-form`,
		"referral_id", refID,
		"bed_type", "girls")
	follow(t, ctx, "shelter: admit", chromedp.Click(chromedp.CSS(`#admit-form button[type="submit"]`)))
	if got := text(t, ctx, `#residents-table`); !strings.Contains(got, caseNumber) || !strings.Contains(got, "Niñas") {
		t.Errorf("the residents %q lack %s in a bed for girls", got, caseNumber)
	}
	if got := text(t, ctx, `#beds-summary`); !strings.Contains(got, "1 ocupadas") || !strings.Contains(got, "1 libres") {
		t.Errorf("after the admission the beds summary reads %q, want 1 occupied, 1 free", got)
	}
	run(t, ctx, "scroll to the residents", chromedp.Evaluate[chromedp.Void](`document.getElementById('residents').scrollIntoView(); 1`))
	screenshot(t, ctx, "network_shelter_"+engine)
}

// completeReferral: the coordinator closes the referral with its outcome and feedback
// for the worker.
func completeReferral(t *testing.T, ctx context.Context, refURL string) {
	t.Helper()
	visit(t, ctx, refURL)
	openDetails(t, ctx, `details#complete`)
	set(t, ctx, "shelter: outcome", `#complete-form`,
		"outcome", "service_delivered",
		"comment", netFeedback)
	follow(t, ctx, "shelter: complete the referral", chromedp.Click(chromedp.CSS(`#complete-form button[type="submit"]`)))
	if got := text(t, ctx, `#referral-status`); !strings.Contains(got, "Concluida") {
		t.Errorf("after completing, the status reads %q", got)
	}
}

// workerReadsFeedback: the worker goes from the outgoing list to the referral and
// reads the outcome and the feedback.
func workerReadsFeedback(t *testing.T, ctx context.Context, refURL string) {
	t.Helper()
	follow(t, ctx, "worker: open Derivaciones in the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/referrals"]`)))
	path := refURL[strings.Index(refURL, "/referrals/"):]
	if got := text(t, ctx, `#referrals`); !strings.Contains(got, "Concluida") {
		t.Errorf("the outgoing list %q does not show the referral completed", got)
	}
	follow(t, ctx, "worker: open the referral", chromedp.Click(chromedp.CSS(`#referrals a[href="`+path+`"]`)))
	if got := text(t, ctx, `#referral-outcome`); got != "Servicio prestado" {
		t.Errorf("outcome reads %q, want Servicio prestado", got)
	}
	if got := text(t, ctx, `#referral-feedback`); got != netFeedback {
		t.Errorf("feedback reads %q, want %q", got, netFeedback)
	}
	if got := text(t, ctx, `#events`); !strings.Contains(got, netShelterName) {
		t.Errorf("the history %q does not name the shelter coordinator", got)
	}
}

// withdrawShelterConsent: the mother withdraws the consent for the shelter's
// operator; the worker records it on the withdraw page (and confirms the dialog) and
// sees the referral revoked.
func withdrawShelterConsent(t *testing.T, ctx context.Context, caseURL, refURL, agencyID string) {
	t.Helper()
	visit(t, ctx, caseURL)
	follow(t, ctx, "worker: withdraw the referral consent",
		chromedp.Click(chromedp.CSS(`#consents-current a[href*="/consents/withdraw?purpose=referral"][href*="`+agencyID+`"]`)))
	if got := text(t, ctx, `#withdraw-warning`); !strings.Contains(got, netShelterAg) {
		t.Errorf("the withdraw page %q does not name %s", got, netShelterAg)
	}
	f := `form#withdraw-form`
	set(t, ctx, "worker: withdrawal", f,
		"consent.given_by", "representative",
		"consent.representative", netMother,
		"consent.method", "written",
		"consent.decided_on", guayaquilToday(),
		"consent.notes", "La madre prefiere que la niña vuelva a casa de su abuela")
	follow(t, ctx, "worker: confirm the withdrawal", chromedp.Click(chromedp.CSS(f+` button[type="submit"]`)))
	if got := text(t, ctx, `#consent`); !strings.Contains(got, "Retirado") {
		t.Errorf("after the withdrawal the consent section reads %q", got)
	}
	visit(t, ctx, refURL)
	if got := text(t, ctx, `#referral-status`); !strings.Contains(got, "Revocada") {
		t.Errorf("after the withdrawal the worker sees the referral as %q, want Revocada", got)
	}
}

// shelterLosesAccess: at once, the shelter coordinator gets 404 for the case and the
// referral shows revoked with no shared data.
func shelterLosesAccess(t *testing.T, ctx context.Context, caseURL, refURL string) {
	t.Helper()
	submitWant(t, ctx, "shelter: open the case after the withdrawal", chromedp.Navigate(caseURL), http.StatusNotFound)
	if body := text(t, ctx, `main`); strings.Contains(body, netGiven) || strings.Contains(body, netFamily) {
		t.Errorf("the 404 page shows the girl: %q", body)
	}
	visit(t, ctx, refURL)
	if got := text(t, ctx, `#referral-status`); !strings.Contains(got, "Revocada") {
		t.Errorf("after the withdrawal the referral status reads %q, want Revocada", got)
	}
	run(t, ctx, "shelter: the revoked note and no shared data",
		chromedp.WaitVisible(chromedp.CSS(`#revoked-note`)),
		chromedp.WaitVisible(chromedp.CSS(`#no-shared-data`)))
	if body := text(t, ctx, `main`); strings.Contains(body, netGiven) || strings.Contains(body, "Rosa Elvira") {
		t.Errorf("the revoked referral still shows the shared data: %q", body)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#shared-data, #referral-case a, #actions form').length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the revoked referral still offers %d links, forms or shared data", n)
	}
}

// apiLosesAccess: the shelter's API token, made after the withdrawal, gets 404 for
// the case too, and the referral without its data.
func apiLosesAccess(t *testing.T, srv *server, caseURL, refURL string) {
	t.Helper()
	token := strings.TrimSpace(cli(t, srv, "", "token", "create", "--email", netShelterEmail, "--name", "e2e"))
	caseID := caseURL[strings.LastIndex(caseURL, "/")+1:]
	if status, body := apiCall(t, srv, token, http.MethodGet, "/api/v1/cases/"+caseID, nil); status != http.StatusNotFound || strings.Contains(body, netGiven) {
		t.Errorf("GET /api/v1/cases/{id} as the shelter after the withdrawal: %d %s, want 404", status, body)
	}
	refID := refURL[strings.LastIndex(refURL, "/")+1:]
	status, body := apiCall(t, srv, token, http.MethodGet, "/api/v1/referrals/"+refID, nil)
	if status != http.StatusOK || !strings.Contains(body, `"status":"revoked"`) || strings.Contains(body, netGiven) || strings.Contains(body, "Rosa Elvira") {
		t.Errorf("GET /api/v1/referrals/{id} as the shelter after the withdrawal: %d %s, want it revoked without the shared data", status, body)
	}
}

// htmxIdle waits until htmx has no request in flight and no swap under way, seen
// three times in a row, so that a click lands where the page will stay. (chromedp's
// SetValue sends input and change events, which start htmx requests.)
func htmxIdle(t *testing.T, ctx context.Context) {
	t.Helper()
	const busy = `!!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')`
	deadline := time.Now().Add(stepTimeout)
	for quiet := 0; quiet < 3; {
		b, err := chromedp.Run(ctx, chromedp.Evaluate[bool](busy))
		if err != nil {
			t.Fatalf("wait for htmx: %v", err)
		}
		if b {
			quiet = 0
		} else {
			quiet++
		}
		if time.Now().After(deadline) {
			t.Fatalf("htmx still busy after %s", stepTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// openDetails makes sure a <details> element is open, clicking its summary as a person would.
func openDetails(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if !domFlag(t, ctx, sel, "open") {
		run(t, ctx, "open "+sel, chromedp.Click(chromedp.CSS(sel+` > summary`)))
	}
}

// domFlag reports whether the element matching sel has the boolean property name set
// (checked, open); false when there is no such element.
func domFlag(t *testing.T, ctx context.Context, sel, name string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(document.querySelector(`+strconv.Quote(sel)+`) || {})[`+strconv.Quote(name)+`]`))
	if err != nil {
		t.Fatalf("read %s of %s: %v", name, sel, err)
	}
	return ok
}
