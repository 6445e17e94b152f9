package auth

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// renderCodes shows new recovery codes once, with a print button and a download of the
// copy kept for this session, and a link to go on to next.
func (h *Handlers) renderCodes(w http.ResponseWriter, r *http.Request, u *User, codes []string, next string) error {
	p := h.Web.NewPage(r, "mfa.codes_title")
	p.Data = map[string]any{"Codes": codes, "Next": next, "Email": u.Email, "Now": h.Svc.Now(),
		"Minutes": int(RecoveryCopyTTL.Minutes())}
	return h.Web.Render(w, r, "auth/codes", p)
}

// DownloadRecoveryCodes sends the recovery codes just shown as a text file, once: the
// copy kept for the download is wiped as it is read (see Service.TakeRecoveryCopy).
func (h *Handlers) DownloadRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	sess, tok, err := requireStage(r, StageFull, StagePassword)
	if err != nil {
		return h.redirectStage(w, r, err)
	}
	codes, err := h.Svc.TakeRecoveryCopy(r.Context(), sess, tok)
	if err != nil {
		return err
	}
	lang := web.LangOf(r)
	cat := h.Web.Catalog
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\r\n%s\r\n\r\n", cat.T(lang, "mfa.codes_file_title"),
		cat.T(lang, "mfa.codes_for", "Email", sess.User.Email, "Date", i18n.FormatDateTime(h.Svc.Now())))
	for _, c := range codes {
		fmt.Fprintf(&b, "%s\r\n", c)
	}
	fmt.Fprintf(&b, "\r\n%s\r\n", cat.T(lang, "mfa.codes_lead"))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="amparo-recovery-codes.txt"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b.Bytes())
	return err
}

// RegenerateRecoveryCodes replaces the user's recovery codes after they type a current
// code from their authenticator app, and shows the new ones once.
func (h *Handlers) RegenerateRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	sess, tok, err := requireStage(r, StageFull)
	if err != nil {
		return h.redirectStage(w, r, err)
	}
	codes, err := h.Svc.RegenerateRecoveryCodes(r.Context(), sess, tok, r.PostFormValue("code"))
	if err != nil {
		if errs.CodeOf(err) == errs.CodeInvalid {
			return h.renderProfile(w, r, http.StatusUnprocessableEntity, "", err)
		}
		return err
	}
	return h.renderCodes(w, r, sess.User, codes, "/profile")
}
