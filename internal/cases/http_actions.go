package cases

import (
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// The case page holds several small forms. Each names its fields with its own prefix
// ("consent.purpose", "task.title"), so their ids never clash and a failed form shows
// its errors beside its own controls; the handlers strip the prefix before calling the
// service and add it back to the service's field errors.

// action is one submitted case-page form.
type action struct {
	id      string     // the case
	section string     // the section of the page the form lives in
	prefix  string     // of the form's field names
	v       url.Values // what was submitted
}

// newAction reads the form of a case action.
func newAction(r *http.Request, section, prefix string) (*action, error) {
	if err := r.ParseForm(); err != nil {
		return nil, errs.Invalid(nil).Wrap(err)
	}
	return &action{id: r.PathValue("id"), section: section, prefix: prefix, v: r.PostForm}, nil
}

// get returns a submitted value of the form by its name without the prefix.
func (a *action) get(name string) string { return a.v.Get(a.prefix + name) }

// done sends the browser back to the form's section with a message.
func (h *Handlers) done(w http.ResponseWriter, r *http.Request, a *action, flashKey string) error {
	web.Redirect(w, r, "/cases/"+a.id+"#"+a.section, "ok", flashKey)
	return nil
}

// failed answers a case action that did not go through. Invalid input shows the case
// page again with 422, the typed values and the errors beside the form that failed;
// rename maps service field names the prefix does not cover ("" makes the message
// general). A refusal the user can understand (a conflict such as a closed case or a
// request already pending) goes back to the case with the message; any other error is
// returned for the usual error page.
func (h *Handlers) failed(w http.ResponseWriter, r *http.Request, a *action, err error, rename map[string]string) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	switch e.Code {
	case errs.CodeInvalid:
		p, d, perr := h.casePage(r, a.id, a.v)
		if perr != nil {
			return perr
		}
		d.Active = a.section
		fields := map[string]string{}
		for k, v := range e.Fields {
			to, ok := rename[k]
			if !ok {
				to = a.prefix + k
			}
			if to == "" {
				p.Form.General = append(p.Form.General, v)
				continue
			}
			fields[to] = v
		}
		p.Form.SetErrors(fields)
		if len(e.Fields) == 0 {
			p.Form.General = append(p.Form.General, e.Key)
		}
		return h.renderStatus(w, http.StatusUnprocessableEntity, "cases/case", p)
	case errs.CodeConflict, errs.CodeTooLarge:
		web.Redirect(w, r, "/cases/"+a.id+"#"+a.section, "error", e.Key)
		return nil
	case errs.CodeForbidden:
		if e.Key != "error.forbidden" {
			web.Redirect(w, r, "/cases/"+a.id+"#"+a.section, "error", e.Key)
			return nil
		}
	}
	return err
}
