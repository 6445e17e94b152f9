package cases

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// UploadPrefix is the path prefix of uploads: the web stack allows these requests a
// body of LargeBody bytes (a little over MaxAttachmentSize) instead of the default.
const UploadPrefix = "/uploads/cases/"

// UploadAttachment stores a file sent from the attachments section (multipart form,
// field "file"). Type and size are judged by the service from the content.
func (h *Handlers) UploadAttachment(w http.ResponseWriter, r *http.Request) error {
	a := &action{id: r.PathValue("id"), section: "attachments", prefix: "attachment."}
	r.Body = http.MaxBytesReader(w, r.Body, MaxAttachmentSize+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return h.failed(w, r, a, errs.Invalid(map[string]string{"file": "cases.err.file_size"}), nil)
		}
		return h.failed(w, r, a, errs.Invalid(map[string]string{"file": "cases.err.file_empty"}), nil)
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	f, hdr, err := r.FormFile(a.prefix + "file")
	if err != nil {
		return h.failed(w, r, a, errs.Invalid(map[string]string{"file": "cases.err.file_empty"}), nil)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxAttachmentSize+1))
	if err != nil {
		return err
	}
	if _, err := h.Svc.AddAttachment(r.Context(), a.id, hdr.Filename, data); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_attachment_added")
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
