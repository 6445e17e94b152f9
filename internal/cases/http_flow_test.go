package cases_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
)

var pendingRe = regexp.MustCompile(`id="approval-([0-9a-f-]{36})"`)

// pendingApproval returns the id of the request waiting on the case page.
func pendingApproval(t *testing.T, page string) string {
	t.Helper()
	m := pendingRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no pending request on the case page\n%s", short(errorPart(page)))
	}
	return m[1]
}

// wantStage checks the stage badge of the case page.
func wantStage(t *testing.T, b *browser, id, status string) string {
	t.Helper()
	page := b.mustGet("/cases/"+id, http.StatusOK)
	head := page[strings.Index(page, `id="case-badges"`):]
	head = head[:strings.Index(head, "</p>")]
	if !strings.Contains(head, ">"+msg("cases.status."+status)+"<") {
		t.Fatalf("stage badge is not %s: %s", status, head)
	}
	return page
}

func TestApprovalsCloseAndReopen(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	s := ta.signedIn(ag, access.CaseSupervisor, "Sofía Supervisora")
	id := w.register(caseForm("Mariela", "Quishpe", cedula("171003406")))
	base := "/cases/" + id

	// Screening: the worker asks, the supervisor sees it on her home page and approves.
	loc := w.mustPost(base+"/approvals", url.Values{"kind": {"screening"}, "screening_result": {"actual"}}, http.StatusSeeOther)
	if loc != base+"#workflow" {
		t.Errorf("request sent the browser to %q", loc)
	}
	work := s.mustGet("/work", http.StatusOK)
	if !strings.Contains(work, msg("cases.work_pending")) || !strings.Contains(work, "/cases/"+id+"#approval-") {
		t.Errorf("the supervisor's work page does not list the request")
	}
	page := w.mustGet(base, http.StatusOK)
	if strings.Contains(page, "/approve\"") {
		t.Errorf("the worker sees an approve button")
	}
	aid := pendingApproval(t, page)
	// Asking twice goes back with the message, nothing new.
	w.mustPost(base+"/approvals", url.Values{"kind": {"screening"}, "screening_result": {"actual"}}, http.StatusSeeOther)
	s.mustPost(base+"/approvals/"+aid+"/approve", url.Values{"comment": {"De acuerdo."}}, http.StatusSeeOther)
	page = wantStage(t, s, id, "screened")
	if !strings.Contains(page, msg("cases.trafficking_status.actual")) {
		t.Errorf("the approved screening result is not shown")
	}

	// The plan needs a service first.
	resp, body := w.post(base+"/approvals", url.Values{"kind": {"plan"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg("cases.err.plan_empty")) {
		t.Errorf("plan without services: %d, want 422 with %q", resp.StatusCode, es("cases.err.plan_empty"))
	}
	w.mustPost(base+"/services", url.Values{"service.support_type": {"shelter"}, "service.provider_name": {"Casa Refugio (prueba)"},
		"service.planned_from": {today()}}, http.StatusSeeOther)
	w.mustPost(base+"/approvals", url.Values{"kind": {"plan"}}, http.StatusSeeOther)
	aid = pendingApproval(t, s.mustGet(base, http.StatusOK))
	s.mustPost(base+"/approvals/"+aid+"/approve", url.Values{}, http.StatusSeeOther)
	wantStage(t, w, id, "assisted")

	// Closure: a rejection needs a comment, shown beside the comment box.
	w.mustPost(base+"/approvals", url.Values{"kind": {"closure"}, "closure_reason": {"reintegrated"}}, http.StatusSeeOther)
	aid = pendingApproval(t, s.mustGet(base, http.StatusOK))
	resp, body = s.post(base+"/approvals/"+aid+"/reject", url.Values{"comment": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("reject without comment: %d, want 422", resp.StatusCode)
	}
	if got := fieldError(body, "f-comment-"+aid); got != es("cases.err.reject_comment") {
		t.Errorf("error beside the comment = %q", got)
	}
	if !strings.Contains(body, `href="#f-comment-`+aid+`"`) {
		t.Errorf("the error summary does not link to the comment box")
	}
	s.mustPost(base+"/approvals/"+aid+"/reject", url.Values{"comment": {"Falta el seguimiento."}}, http.StatusSeeOther)
	page = wantStage(t, w, id, "assisted")
	if !strings.Contains(page, "Falta el seguimiento.") {
		t.Errorf("the rejection comment is not in the activity")
	}
	w.mustPost(base+"/approvals", url.Values{"kind": {"closure"}, "closure_reason": {"reintegrated"}}, http.StatusSeeOther)
	aid = pendingApproval(t, s.mustGet(base, http.StatusOK))
	s.mustPost(base+"/approvals/"+aid+"/approve", url.Values{}, http.StatusSeeOther)
	page = wantStage(t, w, id, "closed")
	if strings.Contains(page, `id="edit-case"`) || strings.Contains(page, `id="note-form"`) {
		t.Errorf("a closed case still offers edit or note forms")
	}
	w.mustGet(base+"/edit", http.StatusConflict)

	// Reopen: the reason is required.
	resp, body = w.post(base+"/reopen", url.Values{"reopen.reason": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "f-reopen-reason") != es("cases.err.reopen_reason") {
		t.Errorf("reopen without reason: %d, error %q", resp.StatusCode, fieldError(body, "f-reopen-reason"))
	}
	w.mustPost(base+"/reopen", url.Values{"reopen.reason": {"Nueva amenaza."}}, http.StatusSeeOther)
	page = wantStage(t, w, id, "assisted")
	if !strings.Contains(page, "Nueva amenaza.") || !strings.Contains(page, msg("cases.history_reopened")) {
		t.Errorf("the reopening is not in the stage history")
	}
}

func TestConsentThroughThePage(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	id := w.register(caseForm("Mariela", "Quishpe", cedula("171003406"))) // 13 years old
	base := "/cases/" + id
	v := url.Values{"consent.purpose": {"assistance"}, "consent.status": {"given"}, "consent.given_by": {"self"},
		"consent.method": {"written"}, "consent.decided_on": {today()}}
	resp, body := w.post(base+"/consents", v)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a 13-year-old consenting alone: %d, want 422", resp.StatusCode)
	}
	if got := fieldError(body, "f-consent-given_by"); got != es("cases.err.consent_under_15") {
		t.Errorf("error beside 'decided by' = %q", got)
	}
	if n := ta.countRows("case_consents"); n != 0 {
		t.Fatalf("%d consents saved", n)
	}
	v.Set("consent.given_by", "representative")
	v.Set("consent.representative", "Rosa Quishpe")
	w.mustPost(base+"/consents", v, http.StatusSeeOther)
	page := w.mustGet(base, http.StatusOK)
	cur := page[strings.Index(page, `id="consents-current"`):]
	cur = cur[:strings.Index(cur, "</table>")]
	for _, want := range []string{msg("cases.purpose.assistance"), msg("cases.consent.given"), "Rosa Quishpe"} {
		if !strings.Contains(cur, want) {
			t.Errorf("current consents lack %q", want)
		}
	}

	wd := w.mustGet(base+"/consents/withdraw?purpose=assistance", http.StatusOK)
	if !strings.Contains(wd, msg("cases.withdraw_at_once")) || !strings.Contains(wd, `data-confirm="`) {
		t.Errorf("the withdrawal page does not warn that it takes effect at once, with confirmation")
	}
	w.mustPost(base+"/consents", url.Values{"consent.purpose": {"assistance"}, "consent.status": {"withdrawn"},
		"consent.given_by": {"representative"}, "consent.representative": {"Rosa Quishpe"}, "consent.method": {"verbal_witnessed"},
		"consent.decided_on": {today()}}, http.StatusSeeOther)
	page = w.mustGet(base, http.StatusOK)
	cur = page[strings.Index(page, `id="consents-current"`):]
	cur = cur[:strings.Index(cur, "</table>")]
	if !strings.Contains(cur, msg("cases.consent.withdrawn")) || strings.Contains(cur, "consents/withdraw") {
		t.Errorf("after withdrawal the consent in force is not 'withdrawn'")
	}
}

func TestListSearchFiltersAndCSV(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	other := ta.agency("redguayas", "Red Guayas (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	stranger := ta.signedIn(other, access.CaseWorker, "Otro Trabajador")

	child := w.register(caseForm("Mariela", "Quishpe", cedula("171003406")))
	adult := caseForm("Jorge", "Andrango", cedula("100234567"))
	adult.Set("person.birth_date", "1990-02-01")
	adult.Set("person.sex", "male")
	adult.Set("exploitation", "forced_labour")
	adult.Set("person.guardian.name", "")
	adult.Set("person.guardian.relation", "")
	adultID := w.register(adult)

	rows := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<td><a href="/cases/([0-9a-f-]{36})">`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{adultID, child}},
		{"?q=quishpe", []string{child}},
		{"?q=" + url.QueryEscape("Jorge Andrango"), []string{adultID}},
		{"?q=" + cedula("100234567"), []string{adultID}},
		{"?child=1", []string{child}},
		{"?child=0", []string{adultID}},
		{"?exploitation=forced_labour", []string{adultID}},
		{"?sex=female&status=open", []string{child}},
		{"?worker=mine&sort=number&dir=asc", []string{child, adultID}},
		{"?province=09", nil},
	} {
		body := w.mustGet("/cases"+tc.query, http.StatusOK)
		got := rows(body)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("/cases%s lists %v, want %v", tc.query, got, tc.want)
		}
		if len(tc.want) == 0 && !strings.Contains(body, msg("cases.none_match")) {
			t.Errorf("/cases%s: no empty state", tc.query)
		}
	}

	// The CSV has the filtered cases without names or documents, and is audited.
	resp, csv := w.get("/cases.csv?q=quishpe")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if strings.Contains(csv, "Mariela") || strings.Contains(csv, "Quishpe") || strings.Contains(csv, cedula("171003406")) {
		t.Errorf("the CSV holds a name or a document number:\n%s", csv)
	}
	if !strings.Contains(csv, es("cases.exploitation.begging")) {
		t.Errorf("the CSV lacks the form of exploitation:\n%s", csv)
	}
	if !strings.Contains(csv, "EC-") || strings.Count(csv, "\n") != 2 {
		t.Errorf("the CSV should hold the header and one case:\n%s", csv)
	}
	evs, _, err := ta.Audit.List(context.Background(), audit.Filter{Action: "case.export_csv", Limit: 5})
	if err != nil || len(evs) != 1 {
		t.Errorf("case.export_csv events: %d (%v), want 1", len(evs), err)
	}

	// Another agency's worker sees nothing and gets 404 by URL.
	if got := rows(stranger.mustGet("/cases", http.StatusOK)); len(got) != 0 {
		t.Errorf("another agency's worker lists %v", got)
	}
	stranger.mustGet("/cases/"+child, http.StatusNotFound)
	stranger.mustGet("/cases/"+child+"/edit", http.StatusNotFound)
	resp, _ = stranger.post("/cases/"+child+"/notes", url.Values{"note.body": {"hola"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("another agency's note: %d, want 404", resp.StatusCode)
	}
}

func TestEditKeepsVersion(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	id := w.register(caseForm("Mariela", "Quishpe", cedula("171003406")))
	page := w.mustGet("/cases/"+id+"/edit", http.StatusOK)
	for _, want := range []string{`name="version" value="1"`, `value="Mariela"`, `value="` + cedula("171003406") + `"`,
		`name="exploitation" value="begging" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("edit form lacks %s", want)
		}
	}
	v := caseForm("Mariela Belén", "Quishpe", cedula("171003406"))
	v.Set("version", "1")
	w.mustPost("/cases/"+id, v, http.StatusSeeOther)
	if body := w.mustGet("/cases/"+id, http.StatusOK); !strings.Contains(body, "Mariela Belén Quishpe") {
		t.Errorf("the edit was not saved")
	}
	// Someone who opened the form before that change gets the conflict page, with what
	// they typed still there.
	v = caseForm("Mariela", "Quishpe Tituaña", cedula("171003406"))
	v.Set("version", "1")
	resp, body := w.post("/cases/"+id, v)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, msg("cases.conflict_title")) ||
		!strings.Contains(body, `value="Quishpe Tituaña"`) {
		t.Errorf("stale edit: %d, want 409 with the explanation and the typed values", resp.StatusCode)
	}
	resp, body = w.post("/cases/"+id, func() url.Values { v.Set("version", "2"); v.Set("person.birth_date", "2099-01-01"); return v }())
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "f-person-birth_date") != es("cases.err.birth_future") {
		t.Errorf("invalid edit: %d", resp.StatusCode)
	}
}
