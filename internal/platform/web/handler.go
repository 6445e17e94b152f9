// Package web is Amparo's HTTP layer: the middleware stack, rendering of pages and JSON,
// the one place where errors become responses, the layout and the static assets.
package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// Handler is an HTTP handler that returns an error instead of writing one.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Web holds what handlers need to answer: templates, the catalog, the logger and the
// hooks that tell who the user is and what they may open.
type Web struct {
	Renderer *Renderer
	Catalog  *i18n.Catalog
	Log      *slog.Logger
	// User returns the signed-in user's view for the layout, or nil.
	User func(r *http.Request) *UserView
	// Nav returns the navigation entries the signed-in user may use.
	Nav func(r *http.Request) []NavItem
	// LoginPath is where anonymous browsers are sent when a page needs a user.
	LoginPath string
	// Unavailable reports whether an error says the database cannot be read or written
	// now (db.IsUnavailable); such an error is answered 503 "try again later", not 500.
	Unavailable func(error) bool
}

// UserView is what the layout shows about the signed-in user.
type UserView struct {
	ID     string
	Name   string
	Agency string
	Roles  []string // already translated
}

// NavItem is one entry of the side menu.
type NavItem struct {
	Path     string
	LabelKey string
	Active   bool
}

// Handle adapts a Handler to http.Handler, turning a returned error into a response.
func (wb *Web) Handle(h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			wb.Error(w, r, err)
		}
	})
}

// WantsJSON reports whether the client should get JSON: API paths, or an Accept
// header that prefers JSON over HTML.
func WantsJSON(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// statusOf maps an error code to an HTTP status.
func statusOf(code errs.Code) int {
	switch code {
	case errs.CodeInvalid:
		return http.StatusUnprocessableEntity
	case errs.CodeNotFound:
		return http.StatusNotFound
	case errs.CodeForbidden:
		return http.StatusForbidden
	case errs.CodeConflict:
		return http.StatusConflict
	case errs.CodeUnauthenticated:
		return http.StatusUnauthorized
	case errs.CodeTooMany:
		return http.StatusTooManyRequests
	case errs.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// jsonError is the body of every API error.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// Error writes err as an HTML page or a JSON body with the matching status. Internal
// errors are logged with the request id and shown without details.
func (wb *Web) Error(w http.ResponseWriter, r *http.Request, err error) {
	info := reqinfo.From(r.Context())
	if r.Context().Err() != nil {
		// The client closed the request: nobody reads this answer, and the failure
		// (often a cancelled database call) is not the server's. The access log
		// records it as StatusClientClosed.
		wb.Log.Debug("client closed request", "request_id", info.RequestID, "err", err.Error())
		return
	}
	lang := LangOf(r)
	e, ok := errs.As(err)
	if !ok {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			e, ok = errs.New(errs.CodeTooLarge, "error.too_large"), true
		}
	}
	switch {
	case !ok && wb.Unavailable != nil && wb.Unavailable(err):
		// The database failed after the caller was identified (an audited read, a
		// write): the same answer as when it fails before.
		wb.Log.Warn("request failed: database unavailable", "request_id", info.RequestID, "method", r.Method,
			"path", logPath(r), "err", err.Error())
		e = errs.Unavailable()
	case !ok:
		wb.Log.Error("request failed", "request_id", info.RequestID, "method", r.Method,
			"path", logPath(r), "err", err.Error())
		e = errs.New(errs.CodeInternal, "error.internal")
	case e.Cause != nil:
		wb.Log.Warn("request refused", "request_id", info.RequestID, "code", string(e.Code),
			"cause", e.Cause.Error())
	}
	if e.Code == errs.CodeUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "30")
	}
	status, code := statusOf(e.Code), string(e.Code)
	if o, ok := keyStatus[e.Key]; ok {
		status, code = o.status, o.code
	}
	args := map[string]any{"RequestID": info.RequestID}
	for k, v := range e.Args {
		args[k] = v
	}
	msg := wb.Catalog.TMap(lang, e.Key, args)
	if WantsJSON(r) {
		body := jsonError{Error: jsonErrorBody{Code: code, Message: msg, RequestID: info.RequestID}}
		if len(e.Fields) > 0 {
			body.Error.Fields = map[string]string{}
			for f, key := range e.Fields {
				body.Error.Fields[f] = wb.Catalog.T(lang, key)
			}
		}
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="amparo"`)
		}
		_ = writeJSON(w, status, body)
		return
	}
	if e.Code == errs.CodeUnauthenticated && wb.LoginPath != "" && r.Method == http.MethodGet {
		http.Redirect(w, r, wb.LoginPath+"?next="+url.QueryEscape(safeNext(r.URL.RequestURI())), http.StatusSeeOther)
		return
	}
	p := wb.NewPage(r, "error.title")
	p.Data = map[string]any{"Message": msg, "Status": status, "RequestID": info.RequestID,
		"Fields": fieldList(wb, lang, e.Fields)}
	if err := wb.Renderer.Render(w, status, "web/error", p); err != nil {
		wb.Log.Error("render error page", "request_id", info.RequestID, "err", err.Error())
		http.Error(w, http.StatusText(status), status)
	}
}

// JSON writes v as a JSON response with status.
func (wb *Web) JSON(w http.ResponseWriter, status int, v any) error {
	return writeJSON(w, status, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc.Encode(v)
}

// DecodeJSON reads a JSON request body into v, refusing unknown fields, so typos in
// API clients are reported instead of silently ignored, and refusing bad text, long
// lists, trailing data and other content types (see decodeJSON in json.go).
func DecodeJSON(r *http.Request, v any) error {
	if err := decodeJSON(r, v); err != nil {
		return err
	}
	return nil
}

// maxNext bounds a post-login target: a longer one is not a page of ours.
const maxNext = 2048

// safeNext keeps only a same-origin path for post-login redirects (no open redirects);
// anything else becomes "/". Browsers drop tabs and newlines anywhere in a URL, strip
// other control characters at its ends and read a backslash as a slash, so "/", a tab,
// then "/evil.example" would leave the site: a control character (0x00–0x1f, 0x7f) or
// a backslash anywhere refuses the value, as does "//" at the start, also once decoded
// ("/%2F%2Fevil.example"), and anything that parses with a scheme, host or user.
func safeNext(p string) string {
	if p == "" || len(p) > maxNext || p[0] != '/' || strings.HasPrefix(p, "//") {
		return "/"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		strings.HasPrefix(u.Path, "//") || strings.Contains(u.Path, "\\") {
		return "/"
	}
	return p
}

// SafeNext is safeNext for handlers that read a "next" parameter.
func SafeNext(p string) string { return safeNext(p) }
