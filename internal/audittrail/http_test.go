package audittrail_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/audit"
)

// seedCases has the case worker open 55 cases and be refused once.
func seedCases(e *env) {
	e.record(e.worker, 55, audit.Event{Action: "case.view", RecordType: "case", RecordID: "c-#"})
	e.record(e.worker, 1, audit.Event{Action: "access.denied", RecordType: "route", Outcome: audit.OutcomeDenied, Detail: "GET /admin"})
}

func TestListFiltersAndPages(t *testing.T) {
	e := newEnv(t)
	seedCases(e)
	dpo := e.signIn(e.dpo)

	status, body, _ := dpo.get("/audit")
	if status != http.StatusOK {
		t.Fatalf("GET /audit: %d", status)
	}
	for _, want := range []string{"Walter Casos", "Fundación Alas", "Ingreso", "Acceso denegado",
		`badge badge-err">Denegada`, `badge badge-ok">Realizada`, "192.0.2.7", "req-test",
		`id="touched"`, `id="export-csv"`, `href="/audit/verify"`, `aria-current="page"`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /audit: missing %q", want)
		}
	}
	if n := len(rows(body)); n != 50 {
		t.Errorf("first page: %d rows, want 50", n)
	}
	// Newest first: the DPO's own sign-in tops the list.
	if first := rows(body)[0]; !strings.Contains(body[strings.Index(body, `id="event-`+first):], "Diana Protección") {
		t.Errorf("newest event is not the DPO's sign-in")
	}

	w := url.QueryEscape(e.worker.ID)
	cases := []struct {
		name, query string
		rows        int
		contains    string
	}{
		{"user and action, page 1", "user=" + w + "&action=case.view", 50, "Página 1 de 2"},
		{"user and action, page 2", "user=" + w + "&action=case.view&page=2", 5, "Página 2 de 2"},
		{"record id", "record=c-7", 1, "c-7"},
		{"record type", "type=route", 1, "GET /admin"},
		{"outcome denied", "outcome=denied", 1, "Acceso denegado"},
		{"email search", "email=WALTER@alas.org.ec&action=case.view", 50, "55 en total"},
		{"partial email", "email=walter&outcome=denied", 1, "Registros tocados por Walter Casos"},
		{"period today", "user=" + w + "&from=" + today(0) + "&to=" + today(0) + "&outcome=denied", 1, "Registros tocados por Walter Casos del " + today(0) + " al " + today(0)},
		{"iso dates", "user=" + w + "&from=" + isoDay(0) + "&outcome=denied", 1, "desde el " + today(0)},
		{"period in the future", "user=" + w + "&from=" + today(1), 0, `id="empty"`},
		{"period in the past", "to=" + today(-1), 0, "Ningún evento coincide"},
	}
	for _, c := range cases {
		status, body, _ := dpo.get("/audit?" + c.query)
		if status != http.StatusOK {
			t.Errorf("%s: status %d", c.name, status)
			continue
		}
		if n := len(rows(body)); n != c.rows {
			t.Errorf("%s: %d rows, want %d", c.name, n, c.rows)
		}
		if !strings.Contains(body, c.contains) {
			t.Errorf("%s: missing %q", c.name, c.contains)
		}
		if c.rows == 0 && strings.Contains(body, `id="export-csv"`) {
			t.Errorf("%s: export offered for an empty list", c.name)
		}
	}

	// The pager keeps the filter.
	_, body, _ = dpo.get("/audit?user=" + w + "&action=case.view")
	if !strings.Contains(body, `href="/audit?action=case.view&amp;page=2&amp;user=`+e.worker.ID+`"`) {
		t.Errorf("next link does not keep the filter")
	}
	if !strings.Contains(body, `href="/audit.csv?action=case.view&amp;user=`+e.worker.ID+`"`) {
		t.Errorf("export link does not carry the filter")
	}

	bad := []struct{ query, field, text string }{
		{"from=31/02/2026", "from", "Escriba la fecha como dd/mm/aaaa."},
		{"from=" + today(0) + "&to=" + today(-1), "to", "La fecha final debe ser igual o posterior"},
		{"outcome=maybe", "outcome", "Elija un resultado de la lista."},
		{"record=Mar%C3%ADa+P%C3%A9rez", "record", "sin espacios"},
		{"email=nobody@nowhere.ec", "email", "Ninguna persona usuaria tiene ese correo."},
		{"email=alas.org.ec", "email", "Varias personas usuarias coinciden"},
	}
	for _, b := range bad {
		status, body, _ := dpo.get("/audit?" + b.query)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", b.query, status)
		}
		if !strings.Contains(body, `id="f-`+b.field+`-error"`) || !strings.Contains(body, b.text) {
			t.Errorf("%s: no error next to %s saying %q", b.query, b.field, b.text)
		}
		if len(rows(body)) != 0 {
			t.Errorf("%s: rows shown with an invalid filter", b.query)
		}
	}
}

func TestExportCSV(t *testing.T) {
	e := newEnv(t)
	seedCases(e)
	dpo := e.signIn(e.dpo)

	status, body, h := dpo.get("/audit.csv?email=walter@alas.org.ec&from=" + today(0) + "&to=" + today(0))
	if status != http.StatusOK {
		t.Fatalf("export: %d %s", status, body)
	}
	if ct := h.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="amparo-audit-`) {
		t.Errorf("content disposition %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+56 {
		t.Fatalf("%d CSV lines, want header and 56 events", len(recs))
	}
	if strings.Join(recs[0][:6], ",") != "seq,id,at,actor_id,actor_agency_id,action" {
		t.Errorf("header %v", recs[0])
	}
	var lastSeq int
	for _, r := range recs[1:] {
		if r[3] != e.worker.ID {
			t.Fatalf("row of another actor: %v", r)
		}
		seq, _ := strconv.Atoi(r[0])
		if seq <= lastSeq {
			t.Fatalf("not oldest first: %d after %d", seq, lastSeq)
		}
		lastSeq = seq
	}

	// The export is itself an event, filed under the exported user, without the email.
	evs, _, err := e.a.Audit.List(context.Background(), audit.Filter{Action: "export.audit_csv"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("%d export events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.ActorID != e.dpo.ID || ev.RecordType != "user" || ev.RecordID != e.worker.ID || ev.Via != "web" {
		t.Errorf("export event %+v", ev)
	}
	if !strings.HasPrefix(ev.Detail, "filter: user="+e.worker.ID+" from=") || strings.Contains(ev.Detail, "@") ||
		strings.Contains(ev.Detail, "walter") {
		t.Errorf("export detail %q", ev.Detail)
	}

	// The unfiltered export holds everything, the export event included.
	_, body, _ = dpo.get("/audit.csv")
	n, _ := e.a.Audit.Count(context.Background())
	if recs, _ := csv.NewReader(strings.NewReader(body)).ReadAll(); int64(len(recs)) != 1+n {
		t.Errorf("full export: %d lines for %d events", len(recs), n)
	}
	evs, _, _ = e.a.Audit.List(context.Background(), audit.Filter{Action: "export.audit_csv", Limit: 1})
	if evs[0].RecordType != "audit" || evs[0].Detail != "filter: none" {
		t.Errorf("unfiltered export event %+v", evs[0])
	}

	// A bad filter is refused before anything is exported or recorded.
	if status, _, h := dpo.get("/audit.csv?from=yesterday"); status != http.StatusUnprocessableEntity || h.Get("Content-Disposition") != "" {
		t.Errorf("bad filter: %d %q", status, h.Get("Content-Disposition"))
	}
	if _, total, _ := e.a.Audit.List(context.Background(), audit.Filter{Action: "export.audit_csv"}); total != 2 {
		t.Errorf("%d export events, want 2", total)
	}
}

func TestVerifyPage(t *testing.T) {
	e := newEnv(t)
	seedCases(e)
	dpo := e.signIn(e.dpo)

	status, body, _ := dpo.get("/audit/verify")
	if status != http.StatusOK || !strings.Contains(body, `id="verify-run"`) || strings.Contains(body, "verify-result") {
		t.Fatalf("verify page before the check: %d", status)
	}
	_, body, _ = dpo.get("/audit/verify?run=1")
	if !strings.Contains(body, `data-ok="true"`) || !strings.Contains(body, "La cadena está íntegra") {
		t.Fatalf("verify on an intact chain: %s", body)
	}
	evs, _, _ := e.a.Audit.List(context.Background(), audit.Filter{Action: "audit.verify"})
	if len(evs) != 1 || evs[0].ActorID != e.dpo.ID || evs[0].Outcome != audit.OutcomeOK || !strings.HasPrefix(evs[0].Detail, "ok: ") {
		t.Fatalf("verify event %+v", evs)
	}

	// Someone with the database drops the guard and edits event 7.
	tamper(t, e)
	_, body, _ = dpo.get("/audit/verify?run=1")
	if !strings.Contains(body, `data-first-bad="7"`) || !strings.Contains(body, "La cadena se rompe en el evento 7") ||
		!strings.Contains(body, "event 7: hash mismatch (row edited)") {
		t.Fatalf("verify on a tampered chain does not name event 7: %s", body)
	}
	evs, _, _ = e.a.Audit.List(context.Background(), audit.Filter{Action: "audit.verify", Limit: 1})
	if evs[0].Outcome != audit.OutcomeFailed || evs[0].Detail != "broken at event 7" {
		t.Fatalf("failed verify event %+v", evs[0])
	}
}

// tamper edits event 7 behind the log's back, as an attacker with the database would.
func tamper(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{"DROP TRIGGER audit_events_no_update",
		"UPDATE audit_events SET record_id = 'c-other' WHERE seq = 7"} {
		if _, err := e.a.DB.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestAPI(t *testing.T) {
	e := newEnv(t)
	seedCases(e)
	tok := e.token(e.dpo)

	status, body := e.apiGet(tok, "/api/v1/audit?record=c-7&user="+e.worker.ID)
	if status != http.StatusOK {
		t.Fatalf("API: %d %s", status, body)
	}
	var got struct {
		Events []map[string]any `json:"events"`
		Total  int              `json:"total"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Total != 1 || len(got.Events) != 1 {
		t.Fatalf("record filter: %s", body)
	}
	ev := got.Events[0]
	if ev["record_id"] != "c-7" || ev["action"] != "case.view" || ev["actor_name"] != "Walter Casos" ||
		ev["agency_name"] != "Fundación Alas" || ev["hash"] == "" {
		t.Errorf("event %v", ev)
	}

	status, body = e.apiGet(tok, "/api/v1/audit?action=case.view&limit=2&offset=1&from="+isoDay(0)+"&to="+isoDay(0))
	if err := json.Unmarshal([]byte(body), &got); err != nil || status != http.StatusOK {
		t.Fatalf("page: %d %s", status, body)
	}
	if got.Total != 55 || len(got.Events) != 2 || got.Events[0]["record_id"] != "c-53" {
		t.Errorf("limit/offset: total %d, %d events, first %v", got.Total, len(got.Events), got.Events[0]["record_id"])
	}
	status, body = e.apiGet(tok, "/api/v1/audit?action=nothing.here")
	if status != http.StatusOK || !strings.Contains(body, `"events":[]`) || !strings.Contains(body, `"total":0`) {
		t.Errorf("empty result: %d %s", status, body)
	}

	for _, b := range []struct{ query, field string }{
		{"from=2026-02-31", "from"}, {"to=mañana", "to"}, {"limit=0", "limit"}, {"limit=5000", "limit"},
		{"limit=ten", "limit"}, {"offset=-1", "offset"},
	} {
		status, body := e.apiGet(tok, "/api/v1/audit?"+b.query)
		var ebody struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal([]byte(body), &ebody)
		if status != http.StatusUnprocessableEntity || ebody.Error.Fields[b.field] == "" {
			t.Errorf("%s: %d %s", b.query, status, body)
		}
	}

	if status, _ := e.apiGet("", "/api/v1/audit"); status != http.StatusUnauthorized {
		t.Errorf("no token: %d", status)
	}
	if status, _ := e.apiGet("not-a-token", "/api/v1/audit"); status != http.StatusUnauthorized {
		t.Errorf("bad token: %d", status)
	}
	if status, _ := e.apiGet(e.token(e.worker), "/api/v1/audit"); status != http.StatusForbidden {
		t.Errorf("case worker's token: %d", status)
	}
}

func TestCaseWorkerIsRefused(t *testing.T) {
	e := newEnv(t)
	worker := e.signIn(e.worker)
	for _, p := range []string{"/audit", "/audit.csv", "/audit/verify?run=1", "/audit?user=" + e.dpo.ID} {
		if status, _, _ := worker.get(p); status != http.StatusForbidden {
			t.Errorf("case worker GET %s: %d, want 403", p, status)
		}
	}
	if _, body, _ := worker.get("/"); strings.Contains(body, `href="/audit"`) {
		t.Error("the case worker's menu shows the audit trail")
	}
	if _, total, _ := e.a.Audit.List(context.Background(), audit.Filter{ActorID: e.worker.ID, Action: "access.denied"}); total != 4 {
		t.Errorf("%d refusals audited, want 4", total)
	}
	if _, total, _ := e.a.Audit.List(context.Background(), audit.Filter{Action: "audit.verify"}); total != 0 {
		t.Error("a refused check was run")
	}
	dpo := e.signIn(e.dpo)
	if _, body, _ := dpo.get("/"); !strings.Contains(body, `href="/audit"`) {
		t.Error("the DPO's menu lacks the audit trail")
	}
}
