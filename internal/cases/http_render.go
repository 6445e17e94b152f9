package cases

import (
	"net/http"
	"sort"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// errItem is one line of the error summary: the message and the control it is about.
type errItem struct {
	Name   string
	Anchor string // id of the control (or group) in the page
	Key    string
}

// withErrs gives a page's data the error summary of the case screens, whose links go
// to the control ids the "field" partial makes ("f-person-given_names").
type withErrs struct{}

// fieldOrder sorts the summary in the order of the form.
var fieldOrder = []string{"identification.", "identifying_agency_id", "trafficking_status", "status_decided_by",
	"person.given_names", "person.family_names", "person.aliases", "person.sex", "person.gender", "person.birth_date",
	"person.estimated_age", "person.nationalities", "person.documents", "person.languages", "person.ethnicity",
	"person.disability", "person.contact", "person.guardian", "exploitation", "sexual_exploitation_types",
	"labour_industries", "means_of_control", "recruitment_methods", "recruiter_relation", "duration_months",
	"risk_level", "assigned_to"}

func orderOf(name string) int {
	for i, p := range fieldOrder {
		if strings.HasPrefix(name, p) {
			return i
		}
	}
	return len(fieldOrder)
}

// ErrList lists the form's field errors in form order.
func (withErrs) ErrList(f *web.Form) []errItem {
	out := make([]errItem, 0, len(f.Errors))
	for name, key := range f.Errors {
		out = append(out, errItem{Name: name, Anchor: fieldID(name), Key: key})
	}
	sort.Slice(out, func(i, j int) bool {
		oi, oj := orderOf(out[i].Name), orderOf(out[j].Name)
		if oi != oj {
			return oi < oj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// fieldID is the id the "field" partial gives the control of a field name.
func fieldID(name string) string { return "f-" + strings.ReplaceAll(name, ".", "-") }

// renderStatus renders a page with a status other than 200.
func (h *Handlers) renderStatus(w http.ResponseWriter, status int, page string, p *web.Page) error {
	return h.Web.Renderer.Render(w, status, page, p)
}

// renderForm shows a form again: 200 without an error (after "Update list"), 422 with
// the field errors, or the error itself when it is not about the fields.
func (h *Handlers) renderForm(w http.ResponseWriter, r *http.Request, page string, p *web.Page, err error) error {
	if err == nil {
		return h.Web.Render(w, r, page, p)
	}
	return h.Web.RenderInvalid(w, r, page, p, err)
}

// isInvalid reports whether err carries field errors to show on the form.
func isInvalid(err error) bool { return errs.CodeOf(err) == errs.CodeInvalid }

// prefixed adds a form prefix to the field names of an invalid-input error.
func prefixed(err error, prefix string) error {
	e, ok := errs.As(err)
	if !ok || e.Code != errs.CodeInvalid || prefix == "" {
		return err
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		fields[prefix+k] = v
	}
	return errs.Invalid(fields)
}
