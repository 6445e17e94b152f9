package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// Page is the data every template receives as "$".
type Page struct {
	Lang      string
	Nonce     string
	TitleKey  string
	Title     string // already translated
	User      *UserView
	Nav       []NavItem
	Flash     []Flash
	Path      string // current path, for the language switch and the active menu entry
	RequestID string
	Form      *Form
	Data      any
	cat       *i18n.Catalog
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind string // "ok", "info", "warn", "error"
	Text string // translated
}

// T translates key into the page's language; args are name/value pairs.
func (p *Page) T(key string, args ...any) string { return p.cat.T(p.Lang, key, args...) }

// Num formats a number for the page's language.
func (p *Page) Num(v any) string {
	switch n := v.(type) {
	case int:
		return i18n.FormatInt(p.Lang, int64(n))
	case int64:
		return i18n.FormatInt(p.Lang, n)
	case float64:
		return i18n.FormatNumber(p.Lang, n, 1)
	}
	return ""
}

// OtherLangs lists the languages the page can switch to.
func (p *Page) OtherLangs() []string {
	var out []string
	for _, l := range i18n.Langs {
		if l != p.Lang {
			out = append(out, l)
		}
	}
	return out
}

// NewPage builds the page data for r: language, nonce, user, menu and flash messages.
func (wb *Web) NewPage(r *http.Request, titleKey string) *Page {
	lang := LangOf(r)
	p := &Page{
		Lang:      lang,
		Nonce:     NonceOf(r),
		TitleKey:  titleKey,
		Path:      r.URL.Path,
		RequestID: reqinfo.From(r.Context()).RequestID,
		cat:       wb.Catalog,
		Form:      NewForm(nil),
	}
	if titleKey != "" {
		p.Title = wb.Catalog.T(lang, titleKey)
	}
	if wb.User != nil {
		p.User = wb.User(r)
	}
	if wb.Nav != nil && p.User != nil {
		p.Nav = wb.Nav(r)
		for i := range p.Nav {
			p.Nav[i].Active = p.Nav[i].Path == r.URL.Path ||
				(p.Nav[i].Path != "/" && strings.HasPrefix(r.URL.Path, p.Nav[i].Path+"/"))
		}
	}
	if f := flashOf(r); f != nil && wb.Catalog.Has(lang, f.Key) {
		p.Flash = append(p.Flash, Flash{Kind: f.Kind, Text: wb.Catalog.T(lang, f.Key)})
	}
	return p
}

// Render renders page with the layout and status 200.
func (wb *Web) Render(w http.ResponseWriter, r *http.Request, page string, p *Page) error {
	return wb.Renderer.Render(w, http.StatusOK, page, p)
}

// RenderInvalid re-renders a form page with status 422 when err carries field errors,
// keeping what the user typed; any other error is returned for the usual handling.
func (wb *Web) RenderInvalid(w http.ResponseWriter, r *http.Request, page string, p *Page, err error) error {
	e, ok := errs.As(err)
	if !ok || e.Code != errs.CodeInvalid {
		return err
	}
	p.Form.SetErrors(e.Fields)
	if len(e.Fields) == 0 {
		p.Form.General = append(p.Form.General, e.Key)
	}
	return wb.Renderer.Render(w, http.StatusUnprocessableEntity, page, p)
}

// Form carries what the user typed and the field errors (catalog keys) for re-display.
type Form struct {
	Values  url.Values
	Errors  map[string]string
	General []string // message keys not tied to one field
}

// NewForm wraps submitted values (nil for an empty form).
func NewForm(v url.Values) *Form {
	if v == nil {
		v = url.Values{}
	}
	return &Form{Values: v, Errors: map[string]string{}}
}

// SetErrors records field errors.
func (f *Form) SetErrors(fields map[string]string) {
	for k, v := range fields {
		f.Errors[k] = v
	}
}

// Get returns a submitted value.
func (f *Form) Get(name string) string { return f.Values.Get(name) }

// Has reports whether the value is among the submitted ones (for checkboxes and
// multi-selects).
func (f *Form) Has(name, value string) bool {
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Error returns the error key for a field, or "".
func (f *Form) Error(name string) string { return f.Errors[name] }

// HasErrors reports whether the form has any error.
func (f *Form) HasErrors() bool { return len(f.Errors) > 0 || len(f.General) > 0 }

// Option is one choice in a select, radio group or checkbox list.
type Option struct {
	Value string
	Label string // already translated
}

// Field describes one form control for the "field" partial.
type Field struct {
	Page         *Page
	Name         string
	ID           string
	LabelKey     string
	Type         string // text, email, password, date, number, select, textarea, checkbox
	Value        string
	ErrorKey     string
	HelpKey      string
	Required     bool
	Autocomplete string
	Options      []Option
	Attrs        template.HTMLAttr
}

// Field builds a field description pre-filled from the form; templates refine it with
// the fieldType/required/help/options functions of the page.
func (p *Page) Field(name, labelKey string) *Field {
	return &Field{Page: p, Name: name, ID: "f-" + strings.ReplaceAll(name, ".", "-"),
		LabelKey: labelKey, Type: "text", Value: p.Form.Get(name), ErrorKey: p.Form.Error(name)}
}

// As sets the input type.
func (f *Field) As(t string) *Field { f.Type = t; return f }

// Req marks the field required.
func (f *Field) Req() *Field { f.Required = true; return f }

// Help sets the help text key.
func (f *Field) Help(key string) *Field { f.HelpKey = key; return f }

// Auto sets the autocomplete attribute.
func (f *Field) Auto(v string) *Field { f.Autocomplete = v; return f }

// Opts sets the choices of a select.
func (f *Field) Opts(o []Option) *Field { f.Options = o; f.Type = "select"; return f }

// Val overrides the value (for edit forms before the first submit).
func (f *Field) Val(v string) *Field {
	if f.Page.Form.Values.Get(f.Name) == "" {
		f.Value = v
	}
	return f
}
