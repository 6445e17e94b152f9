package web

import (
	"net/http"
	"sort"

	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Unmatched wraps the mux so that a request no route matches gets the same answer as
// every other error (the translated page, JSON on /api/) instead of Go's plain English
// "404 page not found": 404 for an unknown path, 405 with Allow for a known path and
// another method. The mux's own redirects (to a cleaned path or a trailing slash) are
// passed on as they are.
func (wb *Web) Unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusNotFound:
			wb.Error(w, r, errs.NotFound())
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			wb.Error(w, r, errs.New(errs.CodeInvalid, "error.method_not_allowed"))
		default: // a redirect
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.status)
			_, _ = w.Write(rec.body)
		}
	})
}

// headerRecorder keeps what the mux's own small handlers (not found, not allowed,
// redirect) write, so it can be answered in Amparo's shape instead.
type headerRecorder struct {
	header http.Header
	status int
	body   []byte
}

func (h *headerRecorder) Header() http.Header { return h.header }

func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	if len(h.body) < 4096 {
		h.body = append(h.body, b...)
	}
	return len(b), nil
}

// fieldMessage is one field error shown on the error page.
type fieldMessage struct{ Field, Message string }

// fieldList translates field errors for the error page, which shows them when no form
// page could (input refused before any handler, by checkInput).
func fieldList(wb *Web, lang string, fields map[string]string) []fieldMessage {
	out := make([]fieldMessage, 0, len(fields))
	for f, key := range fields {
		out = append(out, fieldMessage{Field: f, Message: wb.Catalog.T(lang, key)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}
