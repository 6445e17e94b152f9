package audittrail

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/audit"
)

// verifyView is the data of the chain check page.
type verifyView struct {
	Ran      bool
	Result   audit.VerifyResult
	HeadSeq  int64
	HeadHash string
}

// Verify shows the chain check, GET /audit/verify; with run=1 (the button) it checks
// the whole chain and shows OK or the first problem. Each check is an audit event.
func (h *Handlers) Verify(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := h.Web.NewPage(r, "audittrail.verify_title")
	v := &verifyView{}
	p.Data = v
	if r.URL.Query().Get("run") == "1" {
		res, err := h.Svc.Verify(ctx)
		if err != nil {
			return err
		}
		v.Ran, v.Result = true, res
	}
	seq, hash, err := h.Svc.Head(ctx)
	if err != nil {
		return err
	}
	v.HeadSeq, v.HeadHash = seq, hash
	return h.Web.Render(w, r, "audittrail/verify", p)
}
