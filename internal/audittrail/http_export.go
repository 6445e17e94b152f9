package audittrail

import (
	"net/http"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// ExportCSV streams the events matching the filter as CSV, GET /audit.csv. The export
// is an audit event itself (see Service.Export).
func (h *Handlers) ExportCSV(w http.ResponseWriter, r *http.Request) error {
	q, err := ParseQuery(r.URL.Query(), false)
	if err != nil {
		return err
	}
	name := "amparo-audit-" + time.Now().In(i18n.Zone()).Format("20060102-1504") + ".csv"
	cw := &csvResponse{w: w, name: name}
	err = h.Svc.Export(r.Context(), q, cw)
	if err != nil && !cw.started {
		return err // nothing sent yet: the usual error page
	}
	if err != nil {
		// Half a file has gone out; the status cannot change any more. The truncated
		// file lacks the rows after the failure, which the log explains.
		h.Web.Log.Error("audit export failed after it started", "request_id",
			reqinfo.From(r.Context()).RequestID, "err", err.Error())
	}
	return nil
}

// csvResponse sets the download headers at the first byte, so that an error before it
// can still become a normal error page.
type csvResponse struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (c *csvResponse) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		c.w.WriteHeader(http.StatusOK)
	}
	return c.w.Write(p)
}
