package cases_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// TestUploadNeverTouchesTempDir: a 3 MiB attachment sent through the real router and
// stored, with TMPDIR pointing at an empty, read-only folder, is stored and leaves that
// folder empty: the file was never spooled to disk in clear on its way to the encrypted
// store. A file name
// with a bidirectional override is refused next to the file field.
func TestUploadNeverTouchesTempDir(t *testing.T) {
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	id := w.register(caseForm("Mariela", "Quishpe", cedula("171003406")))

	// The folder is also read-only: a spool file would be removed again when the
	// request ends, but here it cannot even be created, so spooling fails the upload.
	tmp := t.TempDir()
	dbtest.ReadOnly(t, tmp)
	t.Setenv("TMPDIR", tmp)
	resp, body := w.upload(id, "escaneo de cédula.pdf", tinyPDF(3<<20))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("3 MiB upload: %d\n%s", resp.StatusCode, short(errorPart(body)))
	}
	if n := ta.countRows("case_attachments"); n != 1 {
		t.Fatalf("%d attachments stored, want 1", n)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("the upload left %s in TMPDIR", e.Name())
	}

	resp, body = w.upload(id, "factura\u202efdp.exe", tinyPDF(2000))
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "f-attachment-file") == "" {
		t.Errorf("a file name with a bidirectional override: %d, want 422 next to the file field\n%s",
			resp.StatusCode, short(errorPart(body)))
	}
	if n := ta.countRows("case_attachments"); n != 1 {
		t.Errorf("%d attachments stored after the refused one, want 1", n)
	}
}
