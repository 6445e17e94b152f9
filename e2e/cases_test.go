package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The people of the case journey. The password is acceptable for every account.
const (
	casePassword    = "Quilotoa-Verde-7713"
	caseWorkerEmail = "paola.tipan@nueva-vida.example.org"
	caseSupEmail    = "hernan.yepez@nueva-vida.example.org"
	otherEmail      = "lucia.bravo@red-guayas.example.org"
	auditorEmail    = "dpo@programa.example.org"
	// The child's cédula, registered first by the other agency: the likely duplicate.
	childCedula = "1710034065"
)

// journeyTimeout is how long the whole case journey may take in one browser: it is
// much longer than the foundation journeys (two sign-ins with a second factor, a dozen
// forms), and CI machines are slow.
const journeyTimeout = 5 * time.Minute

// TestCaseJourney is the case-management journey of issue 4 on each engine: a case
// worker registers a child victim of forced begging, is warned of a likely duplicate
// and saves anyway, records consent through a representative (after being told a
// child under 15 cannot consent directly); the supervisor approves the screening and
// the plan; the service is delivered; the case is closed and reopened. A worker of
// another agency gets 404 for the case by URL and by API, and the assigned worker's
// view is in the audit trail.
func TestCaseJourney(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			srv := startServer(t, engine)
			ids := setUpCaseJourney(t, srv)
			otherToken := strings.TrimSpace(cli(t, srv, "", "token", "create", "--email", otherEmail, "--name", "e2e"))
			dupNumber := preRegisterByAPI(t, srv, otherToken)

			worker := journeyBrowser(t)
			visit(t, worker, srv.URL+"/login")
			follow(t, worker, "worker: sign in", signIn(t, worker, caseWorkerEmail, casePassword))
			enrol(t, worker, "worker")
			invalidRegistration(t, worker)
			caseURL := registerChild(t, worker, srv, dupNumber)
			caseID := caseURL[strings.LastIndex(caseURL, "/")+1:]
			recordRepresentativeConsent(t, worker, caseURL)
			requestScreening(t, worker, caseURL)

			sup := journeyBrowser(t)
			visit(t, sup, srv.URL+"/login")
			follow(t, sup, "supervisor: sign in", signIn(t, sup, caseSupEmail, casePassword))
			enrol(t, sup, "supervisor")
			approvePending(t, sup, caseURL, "screening", "Evaluado")
			if got := text(t, sup, `#identification`); !strings.Contains(got, "Víctima confirmada") {
				t.Errorf("after the screening approval the identification reads %q, want the actual-victim status", got)
			}

			planService(t, worker, caseURL)
			approvePending(t, sup, caseURL, "plan", "En asistencia")
			deliverService(t, worker, caseURL)
			requestClosure(t, worker, caseURL)
			approvePending(t, sup, caseURL, "closure", "Cerrado")
			reopen(t, worker, caseURL)
			screenshot(t, worker, "case_page_"+engine)

			otherAgencyGets404(t, srv, caseURL, caseID, otherToken)
			viewIsAudited(t, srv, caseID, ids[caseWorkerEmail])
		})
	}
}

// setUpCaseJourney creates, with the command line, two agencies, the worker and the
// supervisor of the first, a worker of the second and a data protection officer. It
// returns the user ids by email.
func setUpCaseJourney(t *testing.T, srv *server) map[string]string {
	t.Helper()
	cli(t, srv, "", "agency", "add", "--code", "nueva-vida", "--name", "Fundación Nueva Vida (prueba)",
		"--type", "ngo", "--province", "17", "--canton", "1701")
	cli(t, srv, "", "agency", "add", "--code", "red-guayas", "--name", "Red Guayas (prueba)",
		"--type", "ngo", "--province", "09", "--canton", "0901")
	ids := map[string]string{}
	idRe := regexp.MustCompile(`\(id ([0-9a-f-]{36})\)`)
	for _, u := range []struct{ email, name, role, agency, jur string }{
		{caseWorkerEmail, "Paola Tipán", "case_worker", "nueva-vida", ""},
		{caseSupEmail, "Hernán Yépez", "case_supervisor", "nueva-vida", ""},
		{otherEmail, "Lucía Bravo", "case_worker", "red-guayas", ""},
		{auditorEmail, "Diana Ortiz", "data_protection_officer", "nueva-vida", "national"},
	} {
		args := []string{"user", "add", "--email", u.email, "--name", u.name, "--role", u.role, "--agency", u.agency,
			"--password-stdin"}
		if u.jur != "" {
			args = append(args, "--jurisdiction", u.jur)
		}
		out := cli(t, srv, casePassword+"\n", args...)
		m := idRe.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("amparo user add %s: no id in %q", u.email, out)
		}
		ids[u.email] = m[1]
	}
	return ids
}

// apiCall sends a JSON request with a bearer token and returns the status and body.
func apiCall(t *testing.T, srv *server, token, method, path string, body any) (int, string) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	h := http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	r := srv.do(t, method, path, rd, h)
	return r.Status, r.Body
}

// preRegisterByAPI registers, as the worker of the other agency, a girl with the cédula
// the journey's child will have: the likely duplicate. It returns its number.
func preRegisterByAPI(t *testing.T, srv *server, token string) string {
	t.Helper()
	today := guayaquilToday()
	status, body := apiCall(t, srv, token, http.MethodPost, "/api/v1/cases", map[string]any{
		"person": map[string]any{"given_names": "Yadira", "family_names": "Toaquiza", "sex": "female",
			"estimated_age": 12, "nationalities": []string{"ECU"},
			"documents": []map[string]string{{"type": "cedula", "number": childCedula}}},
		"identification":     map[string]string{"date": today, "country": "ECU", "province": "09", "canton": "0901", "how": "hotline"},
		"trafficking_status": "possible",
		"exploitation":       []string{"begging"},
	})
	if status != http.StatusCreated {
		t.Fatalf("POST /api/v1/cases: %d %s", status, body)
	}
	var c struct{ ID, Number string }
	if err := json.Unmarshal([]byte(body), &c); err != nil || c.Number == "" {
		t.Fatalf("POST /api/v1/cases: %v %s", err, body)
	}
	return c.Number
}

// guayaquilToday is today's date where Amparo's users are.
func guayaquilToday() string {
	loc, err := time.LoadLocation("America/Guayaquil")
	if err != nil {
		loc = time.FixedZone("ECT", -5*3600)
	}
	return time.Now().In(loc).Format("2006-01-02")
}

// expectedStatus matches the console's note about a page that answered as the journey
// wants (a 404 for another agency, a 409 duplicate warning, a 422 refused form).
var expectedStatus = regexp.MustCompile(`status of (404|409|422)`)

// journeyBrowser is newBrowser for a long journey: the same checks of the console, with
// journeyTimeout instead of the harness's limit, and JavaScript confirmation dialogs
// (data-confirm forms) accepted as a person would. Loads the journey expects to answer
// 404, 409 or 422 are not counted as console problems.
func journeyBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, cl := openBrowser(t)
	t.Cleanup(func() {
		for _, p := range cl.take() {
			if expectedStatus.MatchString(p) {
				t.Logf("browser reported, as expected: %s", p)
				continue
			}
			t.Errorf("browser reported: %s", p)
		}
	})
	// The browser lives as long as the harness's context; only its deadline is dropped.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journeyTimeout)
	t.Cleanup(cancel)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return ctx
}

// submitWant runs an action that submits a form and checks the status of the page that
// answers (for the answers follow does not accept: 409, 422).
func submitWant(t *testing.T, ctx context.Context, what string, action chromedp.Action[chromedp.Void], status int) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp == nil {
		t.Fatalf("%s: no response, want %d", what, status)
	}
	if int(resp.Status) != status {
		t.Fatalf("%s: %s answered %d %s, want %d", what, resp.URL, resp.Status, resp.StatusText, status)
	}
}

// set fills form controls by name inside the element matching scope; empty values
// are left alone.
func set(t *testing.T, ctx context.Context, what, scope string, values ...string) {
	t.Helper()
	for i := 0; i+1 < len(values); i += 2 {
		if values[i+1] == "" {
			continue // chromedp cannot tell an empty value it set from a failure; fields start empty
		}
		run(t, ctx, what+": "+values[i], chromedp.SetValue(chromedp.CSS(scope+` [name="`+values[i]+`"]`), values[i+1]))
	}
}

// pickPlace chooses a province in the form's place picker, waits until htmx has
// replaced the canton list with that province's cantons, and chooses the canton.
func pickPlace(t *testing.T, ctx context.Context, form, province, canton string) {
	t.Helper()
	sel := form + ` select[name="identification.canton"]`
	ready := `(() => { const o = [...document.querySelectorAll('` + sel + ` option')].map(o => o.value).filter(v => v);
		return o.length > 0 && o.every(v => v.startsWith("` + province + `")); })()`
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Steps(
		chromedp.SetValue(chromedp.CSS(form+` [name="identification.province"]`), province),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](ready)(ctx, tg)
			return err
		}),
		chromedp.SetValue(chromedp.CSS(sel), canton),
	)); err != nil {
		t.Fatalf("choose province %s and canton %s: %v", province, canton, err)
	}
}

// stage returns the workflow section's sentence about the current stage.
func stage(t *testing.T, ctx context.Context) string {
	t.Helper()
	return text(t, ctx, `#workflow > p`)
}

// invalidRegistration submits the four kinds of bad input of the issue at once (a
// cédula with a wrong check digit, a birth date tomorrow, a canton of another province,
// an exploitation value that does not exist): the form comes back with 422, each
// message in Spanish beside its field, and nothing is saved.
func invalidRegistration(t *testing.T, ctx context.Context) {
	t.Helper()
	follow(t, ctx, "worker: open the case list from the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/cases"]`)))
	follow(t, ctx, "worker: new case", chromedp.Click(chromedp.CSS(`main a[href="/cases/new"]`)))
	f := `form#case-form`
	loc, _ := time.LoadLocation("America/Guayaquil")
	tomorrow := time.Now().In(loc).AddDate(0, 0, 1).Format("2006-01-02")
	set(t, ctx, "worker: bad input", f,
		"identification.how", "police_operation",
		"person.given_names", "Prueba",
		"person.family_names", "Inválida",
		"person.sex", "female",
		"person.birth_date", tomorrow,
		"person.documents.0.type", "cedula",
		"person.documents.0.number", "1710034066")
	// Guayaquil is picked the way a person would (Guayas, then its canton); then the
	// province alone is switched to Pichincha without the change event, so the canton
	// list is not refreshed: the pair a tampered or stale form would send.
	pickPlace(t, ctx, f, "09", "0901")
	run(t, ctx, "worker: Pichincha as the province, silently",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('`+f+` [name="identification.province"]').value = "17"; 1`),
		chromedp.Click(chromedp.CSS(f+` input[name="person.nationalities"][value="ECU"]`)),
		// A value no checkbox offers, as a tampered form would send it.
		chromedp.SetAttributeValue(chromedp.CSS(f+` input[name="exploitation"][value="organ_removal"]`), "value", "esclavitud"),
		chromedp.Click(chromedp.CSS(f+` input[name="exploitation"][value="esclavitud"]`)),
	)
	submitWant(t, ctx, "worker: register bad input", chromedp.Click(chromedp.CSS(f+` button.primary[type="submit"]`)), http.StatusUnprocessableEntity)
	for sel, want := range map[string]string{
		`#f-person-documents-error`:      "dígito verificador",
		`#f-person-birth_date-error`:     "no puede ser futura",
		`#f-identification-canton-error`: "no pertenece a la provincia",
		`#f-exploitation-error`:          "no existe",
	} {
		if got := text(t, ctx, sel); !strings.Contains(got, want) {
			t.Errorf("message %s reads %q, want it to say %q", sel, got, want)
		}
	}
	if got := text(t, ctx, `#error-summary`); strings.Contains(got, "cases.err") || strings.Contains(got, "validation.") {
		t.Errorf("the error summary shows untranslated keys: %q", got)
	}
	follow(t, ctx, "worker: back to the list", chromedp.Click(chromedp.CSS(`nav.side a[href="/cases"]`)))
	run(t, ctx, "worker: the list is still empty", chromedp.WaitVisible(chromedp.CSS(`#empty`)))
}

// registerChild fills the registration form for an 11-year-old girl found begging,
// gets the duplicate warning, confirms and saves. It returns the case page's URL.
func registerChild(t *testing.T, ctx context.Context, srv *server, dupNumber string) string {
	t.Helper()
	follow(t, ctx, "worker: open the case list from the menu", chromedp.Click(chromedp.CSS(`nav.side a[href="/cases"]`)))
	follow(t, ctx, "worker: new case", chromedp.Click(chromedp.CSS(`main a[href="/cases/new"]`)))
	f := `form#case-form`
	set(t, ctx, "worker: identification", f,
		"identification.how", "ngo_outreach",
		"person.given_names", "Yadira Elizabeth",
		"person.family_names", "Toaquiza Chimbo",
		"person.sex", "female",
		"person.gender", "woman",
		"person.birth_date", "2015-02-14",
		"person.documents.0.type", "cedula",
		"person.documents.0.number", childCedula,
		"person.guardian.name", "María Rosa Chimbo",
		"person.guardian.relation", "madre",
		"person.guardian.contact", "0998 123 456",
		"duration_months", "8",
		"risk_level", "high",
	)
	pickPlace(t, ctx, f, "17", "1701")
	run(t, ctx, "worker: nationality and the history",
		chromedp.Click(chromedp.CSS(f+` input[name="person.nationalities"][value="ECU"]`)),
		chromedp.Click(chromedp.CSS(f+` input[name="exploitation"][value="begging"]`)),
		chromedp.Click(chromedp.CSS(f+` input[name="labour_industries"][value="begging_sector"]`)),
		chromedp.Click(chromedp.CSS(f+` input[name="means_of_control"][value="threats"]`)),
	)
	submitWant(t, ctx, "worker: register (likely duplicate)", chromedp.Click(chromedp.CSS(f+` button.primary[type="submit"]`)), http.StatusConflict)
	// The other agency's case is only "in another institution" (e2e/duplicates_test.go).
	if got := text(t, ctx, `#duplicates`); !strings.Contains(got, "otra institución") ||
		strings.Contains(got, dupNumber) || strings.Contains(got, "Red Guayas") {
		t.Errorf("duplicate warning %q: want 'another institution', not %s of Red Guayas", got, dupNumber)
	}
	if got := text(t, ctx, `#duplicates`); strings.Contains(got, "Yadira") || strings.Contains(got, childCedula) {
		t.Errorf("the duplicate warning shows personal data of another agency's case: %q", got)
	}
	if v := attr(t, ctx, f+` [name="person.given_names"]`, "value"); v != "Yadira Elizabeth" {
		t.Errorf("after the warning the form lost the name: %q", v)
	}
	run(t, ctx, "worker: confirm it is another person", chromedp.Click(chromedp.CSS(`#f-not_duplicate`)))
	follow(t, ctx, "worker: register anyway", chromedp.Click(chromedp.CSS(f+` button.primary[type="submit"]`)))
	u := location(t, ctx)
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	if !regexp.MustCompile(`/cases/[0-9a-f-]{36}$`).MatchString(u) {
		t.Fatalf("after registering the tab is at %s, want the case page", u)
	}
	head := text(t, ctx, `#case-head`)
	for _, want := range []string{"EC-", "Yadira Elizabeth Toaquiza Chimbo", "Identificado"} {
		if !strings.Contains(head, want) {
			t.Errorf("case header %q lacks %q", head, want)
		}
	}
	if got := text(t, ctx, `#identification`); !strings.Contains(got, "Quito, Pichincha") {
		t.Errorf("identification %q: want the canton and province chosen", got)
	}
	if !regexp.MustCompile(`EC-\d{4}-00002`).MatchString(head) {
		t.Errorf("case header %q: want the second number of the year", head)
	}
	return u
}

// recordRepresentativeConsent first tries direct consent (refused for a child under
// 15, with the message beside the field), then records it through the mother.
func recordRepresentativeConsent(t *testing.T, ctx context.Context, caseURL string) {
	t.Helper()
	f := `form#consent-form`
	fill := func(givenBy, rep string) {
		set(t, ctx, "worker: consent form", f,
			"consent.purpose", "assistance",
			"consent.status", "given",
			"consent.given_by", givenBy,
			"consent.representative", rep,
			"consent.method", "written",
			"consent.decided_on", guayaquilToday(),
			"consent.notes", "Se explicó en español sencillo")
	}
	fill("self", "")
	submitWant(t, ctx, "worker: consent given by the child herself", chromedp.Click(chromedp.CSS(f+` button[type="submit"]`)), http.StatusUnprocessableEntity)
	if msg := text(t, ctx, `#f-consent-given_by-error`); !strings.Contains(msg, "15") {
		t.Errorf("message beside 'given by' reads %q, want the under-15 rule", msg)
	}
	fill("representative", "María Rosa Chimbo (madre)")
	follow(t, ctx, "worker: consent through the mother", chromedp.Click(chromedp.CSS(f+` button[type="submit"]`)))
	got := text(t, ctx, `#consents-current`)
	for _, want := range []string{"María Rosa Chimbo (madre)", "Otorgado"} {
		if !strings.Contains(got, want) {
			t.Errorf("current consents %q lack %q", got, want)
		}
	}
}

func requestScreening(t *testing.T, ctx context.Context, caseURL string) {
	t.Helper()
	set(t, ctx, "worker: screening result", `#ask-screening`, "screening_result", "actual")
	follow(t, ctx, "worker: ask for the screening approval", chromedp.Click(chromedp.CSS(`#ask-screening button[type="submit"]`)))
	if got := text(t, ctx, `#workflow`); !strings.Contains(got, "Paola Tipán") {
		t.Errorf("workflow after the request %q does not name the requester", got)
	}
}

// approvePending opens the case as the supervisor, approves the one pending request
// and checks the stage the case reaches.
func approvePending(t *testing.T, ctx context.Context, caseURL, kind, wantStage string) {
	t.Helper()
	visit(t, ctx, caseURL)
	run(t, ctx, "supervisor: the pending "+kind+" request shows", chromedp.WaitVisible(chromedp.CSS(`#workflow .pending form.approve-form`)))
	set(t, ctx, "supervisor: comment", `#workflow .pending form.approve-form`, "comment", "Revisado con la trabajadora social ("+kind+")")
	follow(t, ctx, "supervisor: approve the "+kind, chromedp.Click(chromedp.CSS(`#workflow .pending form.approve-form button[type="submit"]`)))
	if got := stage(t, ctx); !strings.Contains(got, wantStage) {
		t.Errorf("after approving the %s the stage reads %q, want %q", kind, got, wantStage)
	}
}

func planService(t *testing.T, ctx context.Context, caseURL string) {
	t.Helper()
	visit(t, ctx, caseURL)
	f := `#service-add form`
	set(t, ctx, "worker: plan a service", f,
		"service.support_type", "psychosocial",
		"service.provider_name", "Centro de Salud Mental Comunitario",
		"service.planned_from", guayaquilToday(),
		"service.notes", "Terapia semanal con la madre")
	follow(t, ctx, "worker: save the service", chromedp.Click(chromedp.CSS(f+` button[type="submit"]`)))
	if got := text(t, ctx, `#services`); !strings.Contains(got, "Centro de Salud Mental Comunitario") {
		t.Errorf("services %q lack the planned one", got)
	}
	follow(t, ctx, "worker: ask for the plan approval", chromedp.Click(chromedp.CSS(`#ask-plan button[type="submit"]`)))
}

func deliverService(t *testing.T, ctx context.Context, caseURL string) {
	t.Helper()
	visit(t, ctx, caseURL)
	run(t, ctx, "worker: open the service's form",
		chromedp.Click(chromedp.CSS(`#services details > summary`)),
		chromedp.SetValue(chromedp.CSS(`#services details form select[name$=".status"]`), "delivered"),
		chromedp.SetValue(chromedp.CSS(`#services details form input[name$=".delivered_on"]`), guayaquilToday()))
	follow(t, ctx, "worker: the service is delivered", chromedp.Click(chromedp.CSS(`#services details form button[type="submit"]`)))
	if got := text(t, ctx, `#services`); !strings.Contains(got, "Entregado") {
		t.Errorf("services after delivery read %q", got)
	}
}

func requestClosure(t *testing.T, ctx context.Context, caseURL string) {
	t.Helper()
	visit(t, ctx, caseURL)
	run(t, ctx, "worker: open the closure form",
		chromedp.Click(chromedp.CSS(`#ask-closure > summary`)),
		chromedp.SetValue(chromedp.CSS(`#ask-closure select[name="closure_reason"]`), "reintegrated"))
	// The form asks for confirmation; journeyBrowser accepts.
	follow(t, ctx, "worker: ask for the closure", chromedp.Click(chromedp.CSS(`#ask-closure button[type="submit"]`)))
	if got := text(t, ctx, `#workflow`); !strings.Contains(got, "Paola Tipán") {
		t.Errorf("workflow after the closure request: %q", got)
	}
}

func reopen(t *testing.T, ctx context.Context, caseURL string) {
	t.Helper()
	visit(t, ctx, caseURL)
	if got := text(t, ctx, `#case-badges`); !strings.Contains(got, "Cerrado") {
		t.Errorf("badges of the closed case read %q", got)
	}
	set(t, ctx, "worker: reopening reason", `#reopen`, "reopen.reason", "La madre informa nuevas amenazas del tratante")
	follow(t, ctx, "worker: reopen", chromedp.Click(chromedp.CSS(`#reopen button[type="submit"]`)))
	if got := stage(t, ctx); !strings.Contains(got, "En asistencia") {
		t.Errorf("after reopening the stage reads %q, want En asistencia (where it was before closing)", got)
	}
	hist := text(t, ctx, `#status-history`)
	for _, want := range []string{"Identificado", "Evaluado", "En asistencia", "Cerrado", "La madre informa nuevas amenazas del tratante"} {
		if !strings.Contains(hist, want) {
			t.Errorf("status history %q lacks %q", hist, want)
		}
	}
	run(t, ctx, "scroll to the top for the screenshot", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0); 1`))
}

// otherAgencyGets404: a worker of the other agency signs in and opens the case by its
// address, then asks the API with a token: both answer 404 and show nothing of it.
func otherAgencyGets404(t *testing.T, srv *server, caseURL, caseID, token string) {
	t.Helper()
	ctx := journeyBrowser(t)
	visit(t, ctx, srv.URL+"/login")
	follow(t, ctx, "other worker: sign in", signIn(t, ctx, otherEmail, casePassword))
	enrol(t, ctx, "other worker")
	submitWant(t, ctx, "other worker: open the case by URL", chromedp.Navigate(caseURL), http.StatusNotFound)
	if body := text(t, ctx, `main`); strings.Contains(body, "Yadira") || strings.Contains(body, "Toaquiza") {
		t.Errorf("the 404 page shows the person: %q", body)
	}
	status, body := apiCall(t, srv, token, http.MethodGet, "/api/v1/cases/"+caseID, nil)
	if status != http.StatusNotFound || strings.Contains(body, "Yadira") {
		t.Errorf("GET /api/v1/cases/{id} as the other agency: %d %s, want 404", status, body)
	}
	status, body = apiCall(t, srv, token, http.MethodGet, "/api/v1/cases?q=Yadira+Elizabeth+Toaquiza+Chimbo", nil)
	if status != http.StatusOK || strings.Contains(body, caseID) {
		t.Errorf("search as the other agency: %d %s, want 200 without the case", status, body)
	}
}

// viewIsAudited asks the audit API, as the data protection officer, for the views of
// the case: the assigned worker's are there.
func viewIsAudited(t *testing.T, srv *server, caseID, workerID string) {
	t.Helper()
	token := strings.TrimSpace(cli(t, srv, "", "token", "create", "--email", auditorEmail, "--name", "e2e"))
	status, body := apiCall(t, srv, token, http.MethodGet, "/api/v1/audit?action=case.view&record="+caseID, nil)
	if status != http.StatusOK {
		t.Fatalf("GET /api/v1/audit: %d %s", status, body)
	}
	if !strings.Contains(body, workerID) || !strings.Contains(body, "case.view") {
		t.Errorf("the audit trail has no case.view of %s by the worker %s: %s", caseID, workerID, body)
	}
	status, body = apiCall(t, srv, token, http.MethodGet, "/api/v1/audit?action=case.denied&record="+caseID, nil)
	if status != http.StatusOK || !strings.Contains(body, "case.denied") {
		t.Errorf("the other agency's attempts are not in the audit trail: %d %s", status, body)
	}
}
