package cases_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// pdfText inflates every compressed stream of a PDF and appends it to the raw file, so
// a test can look for text. fpdf writes text in a UTF-8 font as UTF-16BE strings.
func pdfText(t *testing.T, pdf []byte) []byte {
	t.Helper()
	out := append([]byte{}, pdf...)
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("\nendstream"))
		if j < 0 {
			break
		}
		if r, err := zlib.NewReader(bytes.NewReader(rest[:j])); err == nil {
			if b, err := io.ReadAll(r); err == nil {
				out = append(out, b...)
			}
		}
		rest = rest[j+len("\nendstream"):]
	}
	return out
}

// utf16be is s as fpdf shows it in a content stream.
func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func wantPDFText(t *testing.T, text []byte, want ...string) {
	t.Helper()
	for _, w := range want {
		if !bytes.Contains(text, utf16be(w)) {
			t.Errorf("the PDF does not show %q", w)
		}
	}
}

func TestCaseFilePDF(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		ctx := e.as(e.worker)
		id := e.caseID
		_, err := e.svc.AddEvent(ctx, id, cases.EventInput{Kind: "recruitment", Country: "COL", StartedOn: "2025-06-01",
			Narrative: "Una vecina le ofreció trabajo en Ecuador."})
		mustOK(t, err)
		_, err = e.svc.AddEvent(ctx, id, cases.EventInput{Kind: "exploitation", Country: "ECU", Province: "09", Canton: "0901",
			StartedOn: "2025-07-01", EndedOn: "2026-02-28"})
		mustOK(t, err)
		_, err = e.svc.RecordConsent(ctx, id, cases.ConsentInput{Purpose: "assistance", Status: "given", GivenBy: "representative",
			Representative: "Rosa Quiñónez", Method: "written", DecidedOn: "2026-03-02"})
		mustOK(t, err)
		mustOK(t, e.svc.SetRisk(ctx, id, "high", strings.Repeat("Acompañamiento diario a la escuela. ", 250)))
		_, err = e.svc.AddFlag(ctx, id, "trafficker_contact", "Llamadas del captor")
		mustOK(t, err)
		_, err = e.svc.AddService(ctx, id, cases.ServiceInput{SupportType: "psychosocial", Need: "health",
			ProviderAgencyID: e.shelter.ID, PlannedFrom: "2026-03-11", PlannedTo: "2026-06-30"})
		mustOK(t, err)
		_, err = e.svc.AddTask(ctx, id, cases.TaskInput{Title: "Cita en la Fiscalía", DueOn: "2026-03-16"})
		mustOK(t, err)
		a, err := e.svc.RequestApproval(ctx, id, "screening", "actual")
		mustOK(t, err)
		mustOK(t, e.svc.Decide(e.as(e.supervisor), a.ID, true, "Confirmado"))

		pdf, err := e.svc.CaseFilePDF(ctx, id, "es")
		mustOK(t, err)
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %q", pdf[:20])
		}
		text := pdfText(t, pdf)
		wantPDFText(t, text, "Expediente "+e.caseNumber, "María José Muñoz Quiñónez", "CONFIDENCIAL", "Cédula de identidad "+envCedula,
			"Rosa Quiñónez", "20/05/2011", "Guayaquil, Guayas, Ecuador", "Una vecina le ofreció trabajo en Ecuador.",
			"Riesgo alto", "Llamadas del captor", "Casa Refugio Manta", "Cita en la Fiscalía", "16/03/2026",
			"Generado el 10/03/2026 10:00 por Ana Trabajadora", "Página 1 de ", "Historial de estados",
			"Identificado → Evaluado", "desde el 01/06/2025")
		if bytes.Contains(text, utf16be("{nb}")) {
			t.Error("the page count alias was not replaced")
		}
		if bytes.Contains(pdf, []byte("María")) || bytes.Contains(pdf, utf16be("María")) {
			t.Error("names must not be readable in the raw PDF metadata")
		}
		if n := e.audited(t, "case.export_pdf", id); n != 1 {
			t.Errorf("case.export_pdf events = %d, want 1", n)
		}

		en, err := e.svc.CaseFilePDF(ctx, id, "en")
		mustOK(t, err)
		wantPDFText(t, pdfText(t, en), "Case file "+e.caseNumber, "CONFIDENTIAL", "High risk")
		other, err := e.svc.CaseFilePDF(ctx, id, "xx")
		mustOK(t, err)
		wantPDFText(t, pdfText(t, other), "Expediente "+e.caseNumber)

		// An almost empty case prints too.
		bare := e.register(t, e.worker, cases.Input{Person: cases.Person{Aliases: []string{"Ñata"}, Sex: "unknown",
			Nationalities: []string{"VEN"}}, Identification: cases.Identification{Date: "2026-03-01", Country: "PER",
			How: "hotline"}, TraffickingStatus: "possible"})
		pdf, err = e.svc.CaseFilePDF(ctx, bare.ID, "es")
		mustOK(t, err)
		wantPDFText(t, pdfText(t, pdf), "Ñata", "Sin registros.", "Venezuela")

		_, err = e.svc.CaseFilePDF(e.as(e.outsider), id, "es")
		wantErrCode(t, err, errs.CodeNotFound)
		// A shelter coordinator with access reads the case but may not print the file.
		e.shelterAccess(t, id)
		_, err = e.svc.CaseFilePDF(e.as(e.coordinator), id, "es")
		wantErrCode(t, err, errs.CodeForbidden)
		if n := e.audited(t, "case.export_pdf", id); n != 3 {
			t.Errorf("case.export_pdf events = %d, want 3", n)
		}
	})
}
