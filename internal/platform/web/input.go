package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/text"
)

// maxFieldErrors bounds the field errors one refusal names: enough to fix a form, too
// few to turn a hostile body into a large answer.
const maxFieldErrors = 20

// checkInput is where every form is decoded and judged before any handler sees it: it
// parses the query string and an urlencoded body (handlers then find r.Form and
// r.PostForm filled, and ParseForm is a no-op for them), and refuses with 422, naming
// the field, any name or value that is not acceptable text (text.Problem) and any field
// sent more than text.MaxList times. A body that cannot be parsed is 422 (413 when over
// the size limit), where handlers used to answer 500 or see half a form. JSON bodies are
// judged by DecodeJSON and multipart bodies by ReadMultipart, with the same rules.
//
// The path is judged too, since its values ({id}, {token}) reach the services like
// any field: a path that is not acceptable text, or holds a tab or line break, names no
// page and no record and answers 404 (on PostgreSQL a NUL or a byte that is not UTF-8
// would otherwise fail the query, and a 500 would say the server is at fault).
func (wb *Web) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; text.Problem(p) != "" || strings.ContainsAny(p, "\t\n\r") {
			wb.Error(w, r, errs.NotFound())
			return
		}
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				w.Header().Set("Connection", "close")
				wb.Error(w, r, errs.New(errs.CodeTooLarge, "error.too_large"))
				return
			}
			wb.Error(w, r, errs.Invalid(map[string]string{"body": "error.bad_request"}).Wrap(err))
			return
		}
		if fields := CheckValues(r.Form); fields != nil {
			wb.Error(w, r, errs.Invalid(fields))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CheckValues judges form values (a query string, a form body, the text parts of a
// multipart body): it returns the field errors (field name -> catalog key) or nil. A
// field whose own name is not acceptable text is reported as "body".
func CheckValues(v url.Values) map[string]string {
	var fields errs.Fields
	add := func(field, key string) {
		if fields == nil {
			fields = errs.Fields{}
		}
		if len(fields) < maxFieldErrors {
			fields.Add(field, key)
		}
	}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names) // the same body always names the same fields
	for _, name := range names {
		if p := text.Problem(name); p != "" {
			add("body", p)
			continue
		}
		vals := v[name]
		if len(vals) > text.MaxList {
			add(name, text.KeyList)
			continue
		}
		for _, s := range vals {
			if p := text.Problem(s); p != "" {
				add(name, p)
				break
			}
		}
	}
	if fields == nil {
		return nil
	}
	return fields
}
