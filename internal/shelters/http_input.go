package shelters

import (
	"sort"
	"strconv"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// formDate reads a date typed as dd/mm/yyyy or sent as yyyy-mm-dd by a date input and
// returns yyyy-mm-dd; anything else is passed on for the service to refuse.
func formDate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if t, err := i18n.ParseDate(s); err == nil {
		return t.Format("2006-01-02")
	}
	return s
}

// formFields builds the controls of one form of a page that holds several: only the
// form that was sent (live) shows what was typed and its errors; the others show
// their defaults. suffix keeps the ids unique on the page.
type formFields struct {
	p      *web.Page
	live   bool
	suffix string
}

func (f formFields) field(name, label, typ, def string) *web.Field {
	fl := &web.Field{Page: f.p, Name: name, ID: "f-" + name + f.suffix, LabelKey: label, Type: typ, Value: def}
	if f.live {
		fl.Value, fl.ErrorKey = f.p.Form.Get(name), f.p.Form.Error(name)
	}
	return fl
}

// errorLink is one entry of the error summary: the message and the control it is about.
type errorLink struct {
	Anchor string
	Key    string
}

// errorLinks lists the field errors of the page's form, in a stable order, pointing at
// controls whose ids end with suffix.
func errorLinks(p *web.Page, suffix string) []errorLink {
	names := make([]string, 0, len(p.Form.Errors))
	for n := range p.Form.Errors {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]errorLink, 0, len(names))
	for _, n := range names {
		out = append(out, errorLink{Anchor: "f-" + n + suffix, Key: p.Form.Errors[n]})
	}
	return out
}

// atoi reads a count typed in a form ("" is 0); ok is false for anything else.
func atoi(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// amount reads an amount typed in a form: "1234.5" (number inputs), "1.234,5" or
// "1,234.5" (typed by hand); "" is 0. ok is false for anything else.
func amount(s string) (float64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "$"))
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0, true
	}
	dot, comma := strings.LastIndex(s, "."), strings.LastIndex(s, ",")
	switch {
	case dot >= 0 && comma >= 0 && comma > dot: // 1.234,5
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	case dot >= 0 && comma >= 0: // 1,234.5
		s = strings.ReplaceAll(s, ",", "")
	case comma >= 0: // 1234,5
		if strings.Count(s, ",") > 1 {
			return 0, false
		}
		s = strings.Replace(s, ",", ".", 1)
	case strings.Count(s, ".") > 1: // 1.234.567
		s = strings.ReplaceAll(s, ".", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v {
		return 0, false
	}
	return v, true
}
