package cases_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Sample files, made here so the bytes are real.
func samplePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	mustOK(t, png.Encode(&b, img))
	return b.Bytes()
}

func sampleJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	mustOK(t, jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)), nil))
	return b.Bytes()
}

func sampleGIF(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	mustOK(t, gif.Encode(&b, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.White, color.Black}), nil))
	return b.Bytes()
}

const (
	samplePDF  = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	sampleWebP = "RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
	sampleEXE  = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode."
	sampleHTML = "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
	sampleSVG  = `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`
	sampleZIP  = "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml"
)

func TestSniffType(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", []byte(samplePDF), "application/pdf"},
		{"png", samplePNG(t), "image/png"},
		{"jpeg", sampleJPEG(t), "image/jpeg"},
		{"gif", sampleGIF(t), "image/gif"},
		{"webp", []byte(sampleWebP), "image/webp"},
		{"exe", []byte(sampleEXE), ""},
		{"html", []byte(sampleHTML), ""},
		{"html after spaces", []byte("   \n" + sampleHTML), ""},
		{"svg", []byte(sampleSVG), ""},
		{"docx", []byte(sampleZIP), ""},
		{"text", []byte("hola"), ""},
		{"pdf signature later", []byte("xx%PDF-1.4"), ""},
		{"riff but not webp", []byte("RIFF\x1a\x00\x00\x00WAVEfmt "), ""},
	}
	for _, tt := range tests {
		if got := cases.SniffType(tt.data); got != tt.want {
			t.Errorf("%s: SniffType = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCleanFilename(t *testing.T) {
	tests := []struct{ in, ct, want string }{
		{`C:\Users\ana\Escritorio\denuncia.pdf`, "application/pdf", "denuncia.pdf"},
		{"../../etc/passwd", "application/pdf", "passwd.pdf"},
		{"foto\u202egpj.exe", "image/png", "fotogpj.exe.png"}, // right-to-left override dropped
		{"a\x00b\nc.pdf", "application/pdf", "abc.pdf"},
		{"scan.PDF", "application/pdf", "scan.pdf"},
		{"photo.jpeg", "image/jpeg", "photo.jpeg"},
		{"photo.jpg", "image/png", "photo.png"},
		{"informe.pdf", "image/png", "informe.png"},
		{"Informe 2026.03.10", "application/pdf", "Informe 2026.03.10.pdf"},
		{"  Acta   de  ingreso .pdf ", "application/pdf", "Acta de ingreso.pdf"},
		{"", "application/pdf", "documento.pdf"},
		{"...", "image/gif", "documento.gif"},
		{"Declaración de María.pdf", "application/pdf", "Declaración de María.pdf"},
	}
	for _, tt := range tests {
		if got := cases.CleanFilename(tt.in, tt.ct); got != tt.want {
			t.Errorf("CleanFilename(%q, %s) = %q, want %q", tt.in, tt.ct, got, tt.want)
		}
	}
	long := cases.CleanFilename(strings.Repeat("á", 300)+".pdf", "application/pdf")
	if utf8.RuneCountInString(long) != 200 || !strings.HasSuffix(long, "á.pdf") {
		t.Errorf("long name cut to %d characters: ...%s", utf8.RuneCountInString(long), long[len(long)-10:])
	}
}

func TestAttachments(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		t.Run("store, list, download", func(t *testing.T) {
			caseID := e.newCase(t)
			ctx := e.as(e.worker)
			img := samplePNG(t)
			a, err := e.svc.AddAttachment(ctx, caseID, "informe_maría.pdf", img)
			mustOK(t, err)
			if a.ContentType != "image/png" || a.Filename != "informe_maría.png" || a.Size != int64(len(img)) {
				t.Fatalf("a PNG named .pdf stored as %+v", a)
			}
			doc, err := e.svc.AddAttachment(ctx, caseID, "denuncia.pdf", []byte(samplePDF))
			mustOK(t, err)
			wantEncrypted(t, e.raw(t, "case_attachments", "enc_filename", a.ID), "informe", "maría")
			wantEncrypted(t, e.raw(t, "case_attachments", "enc_data", doc.ID), "%PDF", "Catalog")
			wantEncrypted(t, e.raw(t, "case_attachments", "enc_data", a.ID), "PNG", "IHDR")

			list, err := e.svc.Attachments(ctx, caseID)
			mustOK(t, err)
			if len(list) != 2 || list[0].ID != doc.ID || list[1].Filename != "informe_maría.png" ||
				list[0].UploaderName != "Ana Trabajadora" {
				t.Fatalf("list %+v", list)
			}
			if n := e.audited(t, "case.attachment_download", caseID); n != 0 {
				t.Fatalf("listing is not a download: %d events", n)
			}
			meta, data, err := e.svc.Attachment(ctx, caseID, a.ID)
			mustOK(t, err)
			if !bytes.Equal(data, img) || meta.ContentType != "image/png" || meta.Filename != "informe_maría.png" {
				t.Errorf("download %+v, %d bytes", meta, len(data))
			}
			if e.audited(t, "case.attachment_download", caseID) != 1 || e.audited(t, "case.attachment_add", caseID) != 2 {
				t.Error("uploads and downloads must be audited")
			}
			_, _, err = e.svc.Attachment(ctx, caseID, "no-such-file")
			wantErrCode(t, err, errs.CodeNotFound)
			_, _, err = e.svc.Attachment(ctx, e.caseID, a.ID) // a file of another case
			wantErrCode(t, err, errs.CodeNotFound)
		})
		t.Run("refused files", func(t *testing.T) {
			caseID := e.newCase(t)
			big := make([]byte, cases.MaxAttachmentSize+1)
			copy(big, samplePDF)
			tests := []struct {
				name, filename string
				data           []byte
				key            string
			}{
				{"exe renamed", "factura.pdf", []byte(sampleEXE), "cases.err.file_type"},
				{"html renamed", "foto.png", []byte(sampleHTML), "cases.err.file_type"},
				{"svg", "dibujo.svg", []byte(sampleSVG), "cases.err.file_type"},
				{"word", "informe.docx", []byte(sampleZIP), "cases.err.file_type"},
				{"empty", "vacío.pdf", nil, "cases.err.file_empty"},
				{"10 MiB + 1", "grande.pdf", big, "cases.err.file_size"},
			}
			for _, tt := range tests {
				_, err := e.svc.AddAttachment(e.as(e.worker), caseID, tt.filename, tt.data)
				t.Run(tt.name, func(t *testing.T) { wantFieldErr(t, err, "file", tt.key) })
			}
			if n := e.count(t, "case_attachments", caseID); n != 0 {
				t.Errorf("%d refused files saved", n)
			}
			a, err := e.svc.AddAttachment(e.as(e.worker), caseID, "grande.pdf", big[:cases.MaxAttachmentSize])
			mustOK(t, err)
			if a.Size != cases.MaxAttachmentSize {
				t.Errorf("size %d", a.Size)
			}
		})
		t.Run("access", func(t *testing.T) {
			caseID := e.newCase(t)
			a, err := e.svc.AddAttachment(e.as(e.worker), caseID, "acta.pdf", []byte(samplePDF))
			mustOK(t, err)
			out := e.as(e.outsider)
			_, err = e.svc.AddAttachment(out, caseID, "acta.pdf", []byte(samplePDF))
			wantErrCode(t, err, errs.CodeNotFound)
			_, err = e.svc.Attachments(out, caseID)
			wantErrCode(t, err, errs.CodeNotFound)
			_, _, err = e.svc.Attachment(out, caseID, a.ID)
			wantErrCode(t, err, errs.CodeNotFound)
			// A stay opens the case to the shelter, not the owner's files (need to know).
			e.shelterAccess(t, caseID)
			shelter := e.as(e.coordinator)
			_, err = e.svc.Attachments(shelter, caseID)
			wantErrCode(t, err, errs.CodeForbidden)
			_, data, err := e.svc.Attachment(shelter, caseID, a.ID)
			wantErrCode(t, err, errs.CodeForbidden)
			if data != nil {
				t.Errorf("the shelter got %d bytes of the owner's file", len(data))
			}
			_, err = e.svc.AddAttachment(shelter, caseID, "acta.pdf", []byte(samplePDF))
			wantErrCode(t, err, errs.CodeForbidden)
		})
	})
}
