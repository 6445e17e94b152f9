package web

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Limits on the parts of a request before its body. Go's server answers requests over
// http.Server.MaxHeaderBytes itself, in plain text; so the server is given the larger
// ServerMaxHeaderBytes and these smaller limits are enforced here, where the refusal
// has the usual shape (JSON on /api/, a translated page elsewhere).
const (
	// MaxURLBytes bounds the request target (path and query). Reverse proxies commonly
	// stop at 8 KiB, and no link of Amparo comes near it.
	MaxURLBytes = 8 << 10
	// MaxHeaderBytes bounds the header lines, names and values together; Amparo's own
	// cookies take well under 1 KiB.
	MaxHeaderBytes = 32 << 10
	// ServerMaxHeaderBytes is the value for http.Server.MaxHeaderBytes (Go's default):
	// between the limits above and this one, the answer is ours; beyond it, Go's.
	ServerMaxHeaderBytes = 1 << 20
)

// keyStatus gives a few refusals of the web layer a more precise status than their
// code's (and, for 405, their own JSON code): errs has no code for them because no
// service ever returns them.
var keyStatus = map[string]struct {
	status int
	code   string
}{
	"error.uri_too_long":       {http.StatusRequestURITooLong, string(errs.CodeTooLarge)},
	"error.headers_too_large":  {http.StatusRequestHeaderFieldsTooLarge, string(errs.CodeTooLarge)},
	"error.method_not_allowed": {http.StatusMethodNotAllowed, "method_not_allowed"},
}

// limitRequest refuses a request whose URL or headers are over the limits.
func (wb *Web) limitRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > MaxURLBytes {
			w.Header().Set("Connection", "close")
			wb.Error(w, r, errs.New(errs.CodeTooLarge, "error.uri_too_long"))
			return
		}
		n := 0
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4 // ": " and CRLF
			}
		}
		if n > MaxHeaderBytes {
			w.Header().Set("Connection", "close")
			wb.Error(w, r, errs.New(errs.CodeTooLarge, "error.headers_too_large"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
