package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The people of the duplicates journey (the password is casePassword).
const (
	dupHolderWorker = "ana.aurora@aurora.example.org"
	dupHolderSup    = "sara.aurora@aurora.example.org"
	dupAskerWorker  = "beto.brisas@brisas.example.org"
	dupAuditor      = "dpo.duplicados@programa.example.org"
	dupAgencyA      = "Fundación Aurora (prueba)"
	dupAgencyB      = "Red Brisas (prueba)"
	// The cédula institution A registered; B's worker types it for someone else's name.
	dupCedula = "1712345675"
)

// TestDuplicateJourney is item 5 of issue 8 on each engine: a worker of institution B
// types a cédula that institution A holds and is told only that a likely duplicate
// exists in another institution; she sends a connection request and registers the
// person. A's supervisor finds the request on her work page, reads who asked and on
// what it matched, and connects. B's worker then sees A and the supervisor as contact,
// and her case shows the link; nothing of A's case (number, id, the person's name)
// reaches any page of B. The auditor finds who probed A's case.
func TestDuplicateJourney(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			srv := startServer(t, engine)
			ids := setUpDuplicates(t, srv)
			token := strings.TrimSpace(cli(t, srv, "", "token", "create", "--email", dupHolderWorker, "--name", "e2e"))
			aID, aNumber := registerHolderCase(t, srv, token)
			secrets := []string{aID, aNumber, "Yolanda", "Chicaiza"}

			asker := journeyBrowser(t)
			visit(t, asker, srv.URL+"/login")
			follow(t, asker, "B's worker: sign in", signIn(t, asker, dupAskerWorker, casePassword))
			enrol(t, asker, "B's worker")
			bCaseURL := askAndRegister(t, asker, engine, secrets)

			holder := journeyBrowser(t)
			visit(t, holder, srv.URL+"/login")
			follow(t, holder, "A's supervisor: sign in", signIn(t, holder, dupHolderSup, casePassword))
			enrol(t, holder, "A's supervisor")
			connectFromWork(t, holder, srv, engine, aNumber)

			askerSeesConnection(t, asker, srv, engine, bCaseURL, secrets)
			probeIsAudited(t, srv, aID, ids[dupAskerWorker])
		})
	}
}

// setUpDuplicates creates the two institutions, A's worker and supervisor, B's worker
// and an auditor; it returns the user ids by email.
func setUpDuplicates(t *testing.T, srv *server) map[string]string {
	t.Helper()
	cli(t, srv, "", "agency", "add", "--code", "aurora", "--name", dupAgencyA, "--type", "ngo", "--province", "13", "--canton", "1301")
	cli(t, srv, "", "agency", "add", "--code", "brisas", "--name", dupAgencyB, "--type", "ngo", "--province", "17", "--canton", "1701")
	ids := map[string]string{}
	idRe := regexp.MustCompile(`\(id ([0-9a-f-]{36})\)`)
	for _, u := range []struct{ email, name, role, agency, jur string }{
		{dupHolderWorker, "Ana Aurora", "case_worker", "aurora", ""},
		{dupHolderSup, "Sara Aurora", "case_supervisor", "aurora", ""},
		{dupAskerWorker, "Beto Brisas", "case_worker", "brisas", ""},
		{dupAuditor, "Diana Auditora", "data_protection_officer", "brisas", "national"},
	} {
		args := []string{"user", "add", "--email", u.email, "--name", u.name, "--role", u.role, "--agency", u.agency,
			"--password-stdin"}
		if u.jur != "" {
			args = append(args, "--jurisdiction", u.jur)
		}
		m := idRe.FindStringSubmatch(cli(t, srv, casePassword+"\n", args...))
		if m == nil {
			t.Fatalf("amparo user add %s: no id", u.email)
		}
		ids[u.email] = m[1]
	}
	return ids
}

// registerHolderCase registers, through A's worker's token, the person A holds.
func registerHolderCase(t *testing.T, srv *server, token string) (id, number string) {
	t.Helper()
	status, body := apiCall(t, srv, token, http.MethodPost, "/api/v1/cases", map[string]any{
		"person": map[string]any{"given_names": "Yolanda", "family_names": "Chicaiza", "sex": "female",
			"estimated_age": 16, "nationalities": []string{"ECU"},
			"documents": []map[string]string{{"type": "cedula", "number": dupCedula}}},
		"identification":     map[string]string{"date": guayaquilToday(), "country": "ECU", "province": "13", "how": "hotline"},
		"trafficking_status": "possible",
		"exploitation":       []string{"sexual"},
	})
	var c struct{ ID, Number string }
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &c) != nil || c.Number == "" {
		t.Fatalf("A registers the person: %d %s", status, body)
	}
	return c.ID, c.Number
}

// pageHTML is the whole document as the browser holds it now.
func pageHTML(t *testing.T, ctx context.Context) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	h, err := chromedp.Run(sctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return h
}

// noSecrets fails when the page the tab is on holds anything of A's case.
func noSecrets(t *testing.T, ctx context.Context, where string, secrets []string) {
	t.Helper()
	h := pageHTML(t, ctx)
	for _, s := range secrets {
		if strings.Contains(h, s) {
			t.Errorf("%s: the page holds %q of A's case", where, s)
		}
	}
}

// askAndRegister: B's worker registers Rosa Tenorio with A's cédula, sees only
// "elsewhere", sends the connection request and registers her anyway.
func askAndRegister(t *testing.T, ctx context.Context, engine string, secrets []string) string {
	t.Helper()
	follow(t, ctx, "B's worker: open the case list", chromedp.Click(chromedp.CSS(`nav.side a[href="/cases"]`)))
	follow(t, ctx, "B's worker: new case", chromedp.Click(chromedp.CSS(`main a[href="/cases/new"]`)))
	f := `form#case-form`
	pickPlace(t, ctx, f, "17", "1701")
	set(t, ctx, "B's worker: registration", f,
		"identification.how", "ngo_outreach",
		"person.given_names", "Rosa Elena",
		"person.family_names", "Tenorio Cuero",
		"person.sex", "female",
		"person.birth_date", "1994-03-08",
		"person.documents.0.type", "cedula",
		"person.documents.0.number", dupCedula)
	run(t, ctx, "B's worker: nationality and exploitation",
		chromedp.Click(chromedp.CSS(f+` input[name="person.nationalities"][value="ECU"]`)),
		chromedp.Click(chromedp.CSS(f+` input[name="exploitation"][value="forced_labour"]`)))
	submitWant(t, ctx, "B's worker: register (likely duplicate elsewhere)", chromedp.Click(chromedp.CSS(f+` button.primary[type="submit"]`)), http.StatusConflict)
	panel := text(t, ctx, `#duplicates`)
	if !strings.Contains(panel, "otra institución") || strings.Contains(panel, "Aurora") {
		t.Errorf("the duplicate panel reads %q: want 'another institution' and no name of it", panel)
	}
	noSecrets(t, ctx, "the duplicate panel", secrets)
	screenshot(t, ctx, "duplicates_panel_"+engine)
	follow(t, ctx, "B's worker: send a connection request", chromedp.Click(chromedp.CSS(`#dup-request`)))
	if got := text(t, ctx, `#dup-request-sent`); !strings.Contains(got, "Solicitud de conexión enviada") {
		t.Errorf("after sending: %q", got)
	}
	if v := attr(t, ctx, f+` [name="person.given_names"]`, "value"); v != "Rosa Elena" {
		t.Errorf("the form lost what was typed: %q", v)
	}
	noSecrets(t, ctx, "the request confirmation", secrets)
	screenshot(t, ctx, "duplicates_request_sent_"+engine)
	run(t, ctx, "B's worker: register anyway", chromedp.Click(chromedp.CSS(`#f-not_duplicate`)))
	follow(t, ctx, "B's worker: save", chromedp.Click(chromedp.CSS(f+` button.primary[type="submit"]`)))
	u := strings.SplitN(location(t, ctx), "#", 2)[0]
	if !regexp.MustCompile(`/cases/[0-9a-f-]{36}$`).MatchString(u) {
		t.Fatalf("after registering the tab is at %s", u)
	}
	noSecrets(t, ctx, "B's new case", secrets)
	return u
}

// connectFromWork: A's supervisor opens the request from her work page and connects.
func connectFromWork(t *testing.T, ctx context.Context, srv *server, engine, aNumber string) {
	t.Helper()
	visit(t, ctx, srv.URL+"/work")
	if got := text(t, ctx, `#dup-work`); !strings.Contains(got, "esperan su decisión") {
		t.Errorf("A's work page: %q", got)
	}
	screenshot(t, ctx, "duplicates_work_"+engine)
	follow(t, ctx, "A's supervisor: open the waiting requests", chromedp.Click(chromedp.CSS(`#dup-work-waiting`)))
	row := text(t, ctx, `#dup-received tbody tr`)
	for _, want := range []string{"Beto Brisas", dupAgencyB, aNumber, "Mismo documento", "Pendiente"} {
		if !strings.Contains(row, want) {
			t.Errorf("A's list row %q lacks %q", row, want)
		}
	}
	screenshot(t, ctx, "duplicates_received_"+engine)
	follow(t, ctx, "A's supervisor: open the request", chromedp.Click(chromedp.CSS(`#dup-received tbody a`)))
	screenshot(t, ctx, "duplicates_decision_"+engine)
	if got := text(t, ctx, `#request`); !strings.Contains(got, dupAskerWorker) || !strings.Contains(got, aNumber) {
		t.Errorf("the request page: %q", got)
	}
	// The form asks for confirmation; journeyBrowser accepts it.
	follow(t, ctx, "A's supervisor: connect", chromedp.Click(chromedp.CSS(`#connect-form button[type="submit"]`)))
	if got := text(t, ctx, `#request-head`); !strings.Contains(got, "Conectada") {
		t.Errorf("after connecting the heading reads %q", got)
	}
	if strings.Contains(pageHTML(t, ctx), `id="connect-form"`) {
		t.Error("the decision forms are still offered after the decision")
	}
}

// askerSeesConnection: B's worker sees A and its contact, on her requests and her case.
func askerSeesConnection(t *testing.T, ctx context.Context, srv *server, engine, bCaseURL string, secrets []string) {
	t.Helper()
	visit(t, ctx, srv.URL+"/duplicate-requests")
	got := text(t, ctx, `#dup-sent`)
	for _, want := range []string{"Conectada", dupAgencyA, "Sara Aurora", dupHolderSup} {
		if !strings.Contains(got, want) {
			t.Errorf("B's requests %q lack %q", got, want)
		}
	}
	noSecrets(t, ctx, "B's requests", secrets)
	screenshot(t, ctx, "duplicates_sent_"+engine)
	visit(t, ctx, bCaseURL)
	if got := text(t, ctx, `#linked-cases`); !strings.Contains(got, dupAgencyA) || !strings.Contains(got, dupHolderSup) {
		t.Errorf("B's case links: %q", got)
	}
	noSecrets(t, ctx, "B's case after the connection", secrets)
	run(t, ctx, "scroll to the links", chromedp.ScrollIntoView(chromedp.CSS(`#linked-cases`)))
	screenshot(t, ctx, "duplicates_case_links_"+engine)
	visit(t, ctx, srv.URL+"/work")
	noSecrets(t, ctx, "B's work page", secrets)
}

// probeIsAudited: the auditor finds B's worker among those whose check matched A's case.
func probeIsAudited(t *testing.T, srv *server, aID, askerID string) {
	t.Helper()
	token := strings.TrimSpace(cli(t, srv, "", "token", "create", "--email", dupAuditor, "--name", "e2e"))
	status, body := apiCall(t, srv, token, http.MethodGet, "/api/v1/audit?action=case.duplicate_match&record="+aID, nil)
	if status != http.StatusOK || !strings.Contains(body, askerID) {
		t.Errorf("the auditor does not find B's check of A's case: %d %s", status, body)
	}
}
