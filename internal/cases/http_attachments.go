package cases

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// UploadPrefix is the path prefix of uploads: the web stack allows these requests a
// body of LargeBody bytes (a little over MaxAttachmentSize) instead of the default.
const UploadPrefix = "/uploads/cases/"

// UploadAttachment stores a file sent from the attachments section (multipart form,
// field "file"). Type and size are judged by the service from the content.
func (h *Handlers) UploadAttachment(w http.ResponseWriter, r *http.Request) error {
	a := &action{id: r.PathValue("id"), section: "attachments", prefix: "attachment."}
	r.Body = http.MaxBytesReader(w, r.Body, MaxAttachmentSize+1<<20)
	// Read into memory, never spooled to the temporary folder in clear (web.ReadMultipart).
	_, files, err := web.ReadMultipart(r, MaxAttachmentSize)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid && len(e.Fields) > 0 {
			return h.failed(w, r, a, err, keepNames(e.Fields))
		}
		if errs.CodeOf(err) == errs.CodeTooLarge {
			return h.failed(w, r, a, errs.Invalid(map[string]string{"file": "cases.err.file_size"}), nil)
		}
		return h.failed(w, r, a, errs.Invalid(map[string]string{"file": "cases.err.file_empty"}), nil)
	}
	var file *web.Upload
	for i := range files {
		if files[i].Field == a.prefix+"file" && len(files[i].Data) > 0 {
			file = &files[i]
			break
		}
	}
	if file == nil {
		return h.failed(w, r, a, errs.Invalid(map[string]string{"file": "cases.err.file_empty"}), nil)
	}
	if _, err := h.Svc.AddAttachment(r.Context(), a.id, file.Filename, file.Data); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_attachment_added")
}

// keepNames keeps field errors named by their form field ("attachment.file") where
// they are, so the case page shows them next to the field; "body" (the form as a
// whole) becomes a message at the top of the section.
func keepNames(fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for k := range fields {
		if k != "body" {
			out[k] = k
		} else {
			out[k] = ""
		}
	}
	return out
}

// DownloadAttachment sends a file of the case (the download is audited). It is always
// an attachment, never shown inline, and the browser may not guess another type.
func (h *Handlers) DownloadAttachment(w http.ResponseWriter, r *http.Request) error {
	att, data, err := h.Svc.Attachment(r.Context(), r.PathValue("id"), r.PathValue("attachment"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", att.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Filename}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(data)
	return err
}
