package cases

import (
	"mime"
	"net/http"
	"strconv"
)

// CaseFile sends the printable case file (PDF) in the page's language; the service
// audits the download.
func (h *Handlers) CaseFile(w http.ResponseWriter, r *http.Request) error {
	p := h.Web.NewPage(r, "")
	id := r.PathValue("id")
	data, err := h.Svc.CaseFilePDF(r.Context(), id, p.Lang)
	if err != nil {
		return err
	}
	// The link on the case page carries the number, only to name the file.
	number := r.URL.Query().Get("number")
	if !numberRe.MatchString(number) {
		number = id[:min(8, len(id))]
	}
	name := p.T("cases.pdf_file") + "-" + number + ".pdf"
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(data)
	return err
}
