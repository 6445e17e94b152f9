package cases_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
)

var (
	dupCheckRe   = regexp.MustCompile(`formaction="/duplicate-checks/([0-9a-f-]{36})/request"`)
	dupRequestRe = regexp.MustCompile(`href="/duplicate-requests/([0-9a-f-]{36})"`)
	linkedRe     = regexp.MustCompile(`(?s)<section class="card" id="linked-cases".*?</section>`)
)

// A worker of institution B registers a person whose cédula institution A holds: through
// the screens and the API, every answer B gets says only "elsewhere" until A's
// supervisor connects, and then only A's name and contact: never A's case number, id or
// the person's name. A decides; nobody else does.
func TestDuplicateScreensDoNotLeak(t *testing.T) {
	engines(t, func(t *testing.T, engine string) {
		api := newAPIApp(t, engine)
		ta := &uiApp{App: api.App, t: t, srv: api.srv}
		agA := ta.agency("aurora", "Fundación Aurora (prueba)")
		agB := ta.agency("brisas", "Red Brisas (prueba)")
		wA := ta.signedIn(agA, access.CaseWorker, "Ana Aurora")
		supA := ta.signedIn(agA, access.CaseSupervisor, "Sara Aurora")
		wB := ta.signedIn(agB, access.CaseWorker, "Beto Brisas")
		supB := ta.signedIn(agB, access.CaseSupervisor, "Silvia Brisas")
		ced := cedula("171003406")
		aCase := wA.register(caseForm("Mariela", "Quishpe", ced))
		var aNumber string
		if err := ta.DB.QueryRow(context.Background(), "SELECT number FROM cases WHERE id = ?", aCase).Scan(&aNumber); err != nil {
			t.Fatal(err)
		}
		noLeak := func(what, body string) {
			t.Helper()
			for _, secret := range []string{aNumber, aCase, "Mariela", "Quishpe"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s shows %q of the other institution's case", what, secret)
				}
			}
		}
		// A's name is on every registration form (the identifying-institution list), so
		// B's pages may show it exactly as often as the empty form does, no more.
		formCount := strings.Count(wB.mustGet("/cases/new", http.StatusOK), agA.Name)
		sameCount := func(what, body string) {
			t.Helper()
			if n := strings.Count(body, agA.Name); n != formCount {
				t.Errorf("%s names %s %d times, the empty form %d", what, agA.Name, n, formCount)
			}
		}

		// Before anything is asked, both lists say what they are for.
		for _, b := range []*browser{supA, wB} {
			if body := b.mustGet("/duplicate-requests", http.StatusOK); !strings.Contains(body, `id="empty"`) {
				t.Errorf("%s: no empty state on the request list", b.user.Name)
			}
		}
		if body := supA.mustGet("/work", http.StatusOK); !strings.Contains(body, msg("cases.dupreq.work_none_supervisor")) {
			t.Error("A's supervisor's work: no empty entry for connection requests")
		}

		v := caseForm("Rosa", "Tenorio", ced)
		body := wB.mustPost("/cases", v, http.StatusConflict)
		noLeak("the 409 page", body)
		sameCount("the 409 page", body)
		for _, want := range []string{`id="dup-elsewhere"`, `id="dup-request"`, msg("cases.dup_elsewhere"), `name="not_duplicate"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the 409 page lacks %q", want)
			}
		}
		if strings.Contains(body, `id="dup-in-reach"`) {
			t.Error("the 409 page lists another institution's case")
		}
		m := dupCheckRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no request button on the 409 page")
		}
		check := m[1]
		body = wB.mustPost("/duplicate-checks/"+check+"/request", v, http.StatusOK)
		noLeak("the request confirmation", body)
		sameCount("the request confirmation", body)
		for _, want := range []string{`id="dup-request-sent"`, `value="Tenorio"`, `name="dup_check" value="` + check + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the request confirmation lacks %q", want)
			}
		}
		noLeak("a second request", wB.mustPost("/duplicate-checks/"+check+"/request", v, http.StatusConflict))
		v.Set("not_duplicate", "1")
		v.Set("dup_check", check)
		bCase := wB.register(v)
		for _, path := range []string{"/duplicate-requests", "/work", "/cases/" + bCase} {
			body := wB.mustGet(path, http.StatusOK)
			noLeak(path, body)
			if strings.Contains(body, `id="linked-cases"`) {
				t.Errorf("%s shows a link before the connection", path)
			}
		}

		// Only A's supervisors open and decide the request.
		if !strings.Contains(supA.mustGet("/work", http.StatusOK), `id="dup-work-waiting"`) {
			t.Error("A's supervisor's work does not show the waiting request")
		}
		list := supA.mustGet("/duplicate-requests", http.StatusOK)
		for _, want := range []string{"Beto Brisas", agB.Name, aNumber} {
			if !strings.Contains(list, want) {
				t.Errorf("A's list lacks %q", want)
			}
		}
		rm := dupRequestRe.FindStringSubmatch(list)
		if rm == nil {
			t.Fatal("no request in A's list")
		}
		reqPath := "/duplicate-requests/" + rm[1]
		if resp, _ := wA.get(reqPath); resp.StatusCode != http.StatusForbidden {
			t.Errorf("A's worker opens the request: %d, want 403", resp.StatusCode)
		}
		if resp, _ := supB.get(reqPath); resp.StatusCode != http.StatusNotFound {
			t.Errorf("B's supervisor opens A's request: %d, want 404", resp.StatusCode)
		}
		if resp, _ := supB.post(reqPath+"/connect", url.Values{"case_ids": {aCase}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("B's supervisor connects A's request: %d, want 404", resp.StatusCode)
		}
		page := supA.mustGet(reqPath, http.StatusOK)
		for _, want := range []string{`id="connect-form"`, `id="decline-form"`, `data-confirm=`, aNumber, msg("cases.dup.document")} {
			if !strings.Contains(page, want) {
				t.Errorf("the decision page lacks %q", want)
			}
		}
		if body := supA.mustPost(reqPath+"/connect", url.Values{}, http.StatusUnprocessableEntity); !strings.Contains(body, `id="f-case_ids-error"`) {
			t.Error("connecting no case: no message beside the cases")
		}
		if body := supA.mustPost(reqPath+"/decline", url.Values{"reason": {"?"}}, http.StatusUnprocessableEntity); !strings.Contains(body, `id="f-reason-error"`) {
			t.Error("declining without a known reason: no message beside the reason")
		}
		if loc := supA.mustPost(reqPath+"/connect", url.Values{"case_ids": {aCase}}, http.StatusSeeOther); loc != reqPath {
			t.Errorf("after connecting: sent to %q", loc)
		}

		// B learns A's name and the supervisor as a contact; still nothing of the case.
		sent := wB.mustGet("/duplicate-requests", http.StatusOK)
		noLeak("B's requests after the connection", sent)
		if !strings.Contains(sent, agA.Name) || !strings.Contains(sent, supA.user.Email) {
			t.Error("B's requests do not show the connection")
		}
		caseB := wB.mustGet("/cases/"+bCase, http.StatusOK)
		noLeak("B's case page", caseB)
		if sec := linkedRe.FindString(caseB); !strings.Contains(sec, agA.Name) || !strings.Contains(sec, supA.user.Email) {
			t.Errorf("B's case shows no link to A: %q", sec)
		}
		if sec := linkedRe.FindString(wA.mustGet("/cases/"+aCase, http.StatusOK)); !strings.Contains(sec, agB.Name) {
			t.Errorf("A's case shows no link to B: %q", sec)
		}

		// The API follows the same rule.
		cB := api.user(agB, access.CaseWorker, "api.b@brisas.test")
		cA := api.user(agA, access.CaseSupervisor, "api.sup@aurora.test")
		in := exampleBody(11)
		set(in, "person.given_names", "Rosa")
		set(in, "person.family_names", "Tenorio")
		set(in, "person.documents", []map[string]string{{"type": "cedula", "number": ced}})
		st, raw := cB.do(t, "POST", "/api/v1/cases", in)
		// B's own registration of the person is within B's reach (a colleague's case: it
		// may not be opened); A's is only "elsewhere".
		var conflict struct {
			Duplicates []struct {
				CaseID     string `json:"case_id"`
				AgencyName string `json:"agency_name"`
				CanOpen    bool   `json:"can_open"`
			} `json:"duplicates"`
			Elsewhere  bool   `json:"elsewhere"`
			CheckID    string `json:"check_id"`
			RequestURL string `json:"request_url"`
		}
		if st != http.StatusConflict || json.Unmarshal([]byte(raw), &conflict) != nil || !conflict.Elsewhere ||
			conflict.RequestURL != "/api/v1/duplicate-checks/"+conflict.CheckID+"/request" {
			t.Fatalf("POST /api/v1/cases: %d %s", st, raw)
		}
		if len(conflict.Duplicates) != 1 || conflict.Duplicates[0].CaseID != bCase ||
			conflict.Duplicates[0].AgencyName != agB.Name || conflict.Duplicates[0].CanOpen {
			t.Errorf("duplicates within B's reach: %+v", conflict.Duplicates)
		}
		apiNoLeak := func(what, raw string) {
			t.Helper()
			noLeak(what, raw)
			if strings.Contains(raw, agA.Name) {
				t.Errorf("%s names %s", what, agA.Name)
			}
		}
		apiNoLeak("the 409 body", raw)
		apiNoLeak("the request", cB.want(t, http.StatusCreated, "POST", conflict.RequestURL, nil, nil))
		apiNoLeak("B's sent requests", cB.want(t, http.StatusOK, "GET", "/api/v1/duplicate-requests", nil, nil))
		cB.want(t, http.StatusForbidden, "GET", "/api/v1/duplicate-requests/"+rm[1], nil, nil)
		cB.want(t, http.StatusUnprocessableEntity, "GET", "/api/v1/duplicate-requests?view=everything", nil, nil)

		var received struct {
			View     string `json:"view"`
			Requests []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"requests"`
			Total int `json:"total"`
		}
		cA.want(t, http.StatusOK, "GET", "/api/v1/duplicate-requests?status=pending", nil, &received)
		if received.View != "received" || received.Total != 1 || received.Requests[0].ID == rm[1] {
			t.Fatalf("A's pending requests: %+v", received)
		}
		pending := "/api/v1/duplicate-requests/" + received.Requests[0].ID
		cA.want(t, http.StatusUnprocessableEntity, "POST", pending+"/decline", map[string]string{"reason": "?"}, nil)
		cA.want(t, http.StatusOK, "POST", pending+"/decline", map[string]string{"reason": "safety"}, nil)
		cA.want(t, http.StatusConflict, "POST", pending+"/connect", nil, nil)
		sentAPI := cB.want(t, http.StatusOK, "GET", "/api/v1/duplicate-requests", nil, nil)
		apiNoLeak("B's declined request", sentAPI)
		if !strings.Contains(sentAPI, `"status":"declined"`) || strings.Contains(sentAPI, "safety") {
			t.Errorf("B's declined request: %s", sentAPI)
		}
	})
}
