package auth

import (
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Templates returns the sign-in and profile pages for the renderer.
func Templates() web.TemplateSet {
	sub, _ := fs.Sub(templatesFS, "templates")
	return web.TemplateSet{Prefix: "auth", FS: sub}
}

// Handlers serves sign-in, second factor, password and profile pages.
type Handlers struct {
	Svc        *Service
	Web        *web.Web
	TrustProxy bool
	BaseURL    string
}

// LoginForm shows the sign-in form (or sends a signed-in user home).
func (h *Handlers) LoginForm(w http.ResponseWriter, r *http.Request) error {
	if sess, _ := SessionFrom(r.Context()); sess != nil {
		http.Redirect(w, r, StagePath(sess.Stage), http.StatusSeeOther)
		return nil
	}
	p := h.Web.NewPage(r, "login.title")
	p.Form.Values.Set("next", web.SafeNext(r.URL.Query().Get("next")))
	return h.Web.Render(w, r, "auth/login", p)
}

// Login checks the credentials and moves to the next stage.
func (h *Handlers) Login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	p := h.Web.NewPage(r, "login.title")
	p.Form = web.NewForm(url.Values{"email": {r.PostForm.Get("email")}, "next": {web.SafeNext(r.PostForm.Get("next"))}})
	sess, err := h.Svc.Login(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"))
	if err != nil {
		e, ok := errs.As(err)
		if !ok {
			return err
		}
		status := http.StatusUnprocessableEntity
		switch e.Code {
		case errs.CodeInvalid:
		case errs.CodeTooMany:
			status = http.StatusTooManyRequests
		case errs.CodeUnavailable:
			// The attempt could be neither checked, counted for the lock nor audited.
			h.Web.Log.Warn("sign-in attempt not checked, counted or audited: database unavailable",
				"request_id", reqinfo.From(r.Context()).RequestID, "cause", fmt.Sprint(e.Cause))
			status, e = http.StatusServiceUnavailable, errs.New(errs.CodeUnavailable, "login.unavailable")
			w.Header().Set("Retry-After", "30")
		default:
			return err
		}
		p.Form.General = append(p.Form.General, e.Key)
		return h.Web.Renderer.Render(w, status, "auth/login", p)
	}
	if old, tok := SessionFrom(r.Context()); old != nil {
		_ = h.Svc.Logout(r.Context(), tok)
	}
	h.setCookie(w, r, sess.Token)
	next := web.SafeNext(r.PostForm.Get("next"))
	target := StagePath(sess.Stage)
	switch {
	case sess.Stage == StageFull:
		target = next
	case sess.Stage == StageMFA && next != "/":
		// The page the user asked for survives the second factor (checked again there).
		target += "?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// Logout ends the session.
func (h *Handlers) Logout(w http.ResponseWriter, r *http.Request) error {
	if _, tok := SessionFrom(r.Context()); tok != "" {
		if err := h.Svc.Logout(r.Context(), tok); err != nil {
			return err
		}
	}
	h.clearCookie(w, r)
	web.Redirect(w, r, "/login", "ok", "login.signed_out")
	return nil
}

// requireStage returns the session when it is at one of the stages.
func requireStage(r *http.Request, stages ...string) (*Session, string, error) {
	sess, tok := SessionFrom(r.Context())
	if sess == nil {
		return nil, "", errs.Unauthenticated()
	}
	for _, s := range stages {
		if sess.Stage == s {
			return sess, tok, nil
		}
	}
	return nil, "", errs.Forbidden()
}

// MFAForm asks for the code from the authenticator app.
func (h *Handlers) MFAForm(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := requireStage(r, StageMFA); err != nil {
		return h.redirectStage(w, r, err)
	}
	p := h.Web.NewPage(r, "mfa.title")
	p.Form.Values.Set("next", web.SafeNext(r.URL.Query().Get("next")))
	return h.Web.Render(w, r, "auth/mfa", p)
}

// MFA checks the code.
func (h *Handlers) MFA(w http.ResponseWriter, r *http.Request) error {
	sess, tok, err := requireStage(r, StageMFA)
	if err != nil {
		return h.redirectStage(w, r, err)
	}
	want := web.SafeNext(r.PostFormValue("next"))
	next, err := h.Svc.VerifyMFA(r.Context(), sess, tok, r.PostFormValue("code"))
	if err != nil {
		p := h.Web.NewPage(r, "mfa.title")
		p.Form.Values.Set("next", want)
		return h.Web.RenderInvalid(w, r, "auth/mfa", p, err)
	}
	h.setCookie(w, r, next.Token)
	target := StagePath(next.Stage)
	if next.Stage == StageFull {
		target = want
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// EnrolForm shows the QR code and secret of a new second factor.
func (h *Handlers) EnrolForm(w http.ResponseWriter, r *http.Request) error {
	sess, _, err := requireStage(r, StageEnrol, StageFull)
	if err != nil {
		return h.redirectStage(w, r, err)
	}
	return h.renderEnrol(w, r, sess, http.StatusOK, nil)
}

func (h *Handlers) renderEnrol(w http.ResponseWriter, r *http.Request, sess *Session, status int, fieldErr error) error {
	en, err := h.Svc.StartEnrolment(r.Context(), sess)
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "mfa.enrol_title")
	// html/template refuses a data: URL given as a string (it would become
	// "#ZgotmplZ"); this one is built here from PNG bytes we rendered, so it is marked
	// safe. The CSP allows data: images (img-src 'self' data:).
	qr := template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRPNG))
	p.Data = map[string]any{"Secret": en.Secret, "QR": qr, "Email": sess.User.Email}
	if fieldErr != nil {
		return h.Web.RenderInvalid(w, r, "auth/enrol", p, fieldErr)
	}
	return h.Web.Renderer.Render(w, status, "auth/enrol", p)
}

// Enrol confirms the first code and shows the recovery codes once.
func (h *Handlers) Enrol(w http.ResponseWriter, r *http.Request) error {
	sess, tok, err := requireStage(r, StageEnrol, StageFull)
	if err != nil {
		return h.redirectStage(w, r, err)
	}
	next, codes, err := h.Svc.ConfirmEnrolment(r.Context(), sess, tok, r.PostFormValue("code"))
	if err != nil {
		if errs.CodeOf(err) == errs.CodeInvalid {
			return h.renderEnrol(w, r, sess, http.StatusUnprocessableEntity, err)
		}
		return err
	}
	h.setCookie(w, r, next.Token)
	return h.renderCodes(w, r, sess.User, codes, StagePath(next.Stage))
}

// redirectStage sends a browser at the wrong stage to the right page.
func (h *Handlers) redirectStage(w http.ResponseWriter, r *http.Request, err error) error {
	if sess, _ := SessionFrom(r.Context()); sess != nil {
		http.Redirect(w, r, StagePath(sess.Stage), http.StatusSeeOther)
		return nil
	}
	if errs.CodeOf(err) == errs.CodeUnauthenticated {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	return err
}
