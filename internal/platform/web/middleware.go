package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// Options tune the middleware stack.
type Options struct {
	// TrustProxy honours X-Forwarded-For and X-Forwarded-Proto from a reverse proxy.
	TrustProxy bool
	// SecureCookies marks the cookies the stack sets (the flash message) Secure on every
	// request: the public URL is https. Without it they are Secure when the request
	// came over TLS or a trusted proxy says https.
	SecureCookies bool
	// MaxBody is the default request body limit in bytes.
	MaxBody int64
	// LargeBodyPrefixes are path prefixes (uploads) allowed LargeBody bytes instead.
	LargeBodyPrefixes []string
	LargeBody         int64
	Metrics           *Metrics
}

type nonceKey struct{}

type secureKey struct{}

// CookieSecure reports whether cookies set in answer to r must carry the Secure flag
// (Options.SecureCookies, or a request over TLS directly or through a trusted proxy).
func CookieSecure(r *http.Request) bool {
	v, _ := r.Context().Value(secureKey{}).(bool)
	return v
}

// NonceOf returns the CSP nonce of the request, for <script nonce="...">.
func NonceOf(r *http.Request) string {
	s, _ := r.Context().Value(nonceKey{}).(string)
	return s
}

// LangOf returns the language chosen for the request.
func LangOf(r *http.Request) string {
	if l := reqinfo.From(r.Context()).Lang; i18n.Valid(l) {
		return l
	}
	return i18n.Default
}

// LangCookie is the cookie that keeps an anonymous visitor's language choice.
const LangCookie = "amparo_lang"

// Stack wraps h with every cross-cutting concern, outermost first: request info,
// access log and metrics, recovery, security headers, gzip, URL and header limits,
// body limits, cross-origin protection for state-changing requests and the check of
// every form's input.
func (wb *Web) Stack(h http.Handler, o Options) http.Handler {
	if o.MaxBody == 0 {
		o.MaxBody = 2 << 20
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wb.Error(w, r, errs.New(errs.CodeForbidden, "error.cross_origin"))
	}))
	h = wb.checkInput(h)
	h = cop.Handler(h)
	h = TakeFlash(h)
	h = wb.limitBody(h, o)
	h = wb.limitRequest(h)
	h = gzipHandler(h)
	h = securityHeaders(h, o)
	h = wb.recoverer(h)
	h = wb.accessLog(h, o.Metrics)
	return requestInfo(h, o)
}

func requestInfo(next http.Handler, o Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = uuid.Must(uuid.NewV7()).String()
		}
		w.Header().Set("X-Request-Id", id)
		info := &reqinfo.Info{RequestID: id, IP: clientIP(r, o.TrustProxy), Via: "web"}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			info.Via = "api"
		}
		var choice string
		if c, err := r.Cookie(LangCookie); err == nil {
			choice = c.Value
		}
		info.Lang = i18n.Match(choice, r.Header.Get("Accept-Language"))
		ctx := context.WithValue(reqinfo.With(r.Context(), info), secureKey{}, o.SecureCookies || IsTLS(r, o.TrustProxy))
		// The request's context ends when the whole stack has answered, wherever the
		// request came from (net/http cancels its own too; a test's does not), so what
		// waits for the end of a request (an upload slot) is always freed.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// validRequestID accepts a caller's id only when it is short and plain, so logs cannot
// be polluted through the header.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// clientIP is the address of the client: the connection's, or behind a trusted proxy
// the last entry of X-Forwarded-For (the one the proxy added) when it is an IP address.
// It goes into the audit trail, sessions and the sign-in throttle's key, so a value that
// is not an address (words, bytes that are not UTF-8) is never taken from the header.
func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
				return a.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (wb *Web) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				wb.Log.Error("panic", "request_id", reqinfo.From(r.Context()).RequestID,
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				wb.Error(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size for the access log and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

type routeKey struct{}

// routeHolder receives the matched ServeMux pattern (and the path as logs may show
// it) from the innermost handler, since the mux sets Request.Pattern on its own copy
// of the request.
type routeHolder struct{ pattern, path string }

// RecordRoute is the innermost wrapper around the mux; it passes the matched pattern
// and the redacted path (logPath) out to the access log and the metrics.
func RecordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if h, ok := r.Context().Value(routeKey{}).(*routeHolder); ok {
			h.pattern, h.path = r.Pattern, logPath(r)
		}
	})
}

// StatusClientClosed is the status the access log and the metrics give a request whose
// client went away before the answer was complete (nginx's 499 "client closed
// request"): the handler's own answer (often a 401 or 500 from a cancelled database
// call) was never received and is no failure of the server.
const StatusClientClosed = 499

func (wb *Web) accessLog(next http.Handler, m *Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		rh := &routeHolder{}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, rh)))
		wrote := sw.status != 0
		if !wrote {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		route, path := rh.pattern, rh.path
		if route == "" {
			route, path = "unmatched", unmatchedPath(r.URL.Path)
		}
		// The handler has not returned to the server yet, so a cancelled context means
		// the client closed the connection.
		gone := r.Context().Err() != nil
		status := sw.status
		if gone {
			status = StatusClientClosed
		}
		if m != nil {
			m.observe(route, r.Method, status, d)
		}
		info := reqinfo.From(r.Context())
		// Path only, redacted (logPath): query strings may carry search terms (names)
		// and paths may carry tokens; neither is ever logged.
		attrs := []slog.Attr{slog.String("request_id", info.RequestID), slog.String("method", r.Method),
			slog.String("route", route), slog.String("path", path),
			slog.Int("status", status), slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", d), slog.String("user", info.UserID)}
		if gone {
			attrs = append(attrs, slog.String("note", "client closed request"))
			if wrote { // what the handler had begun to answer; nothing when it wrote nothing
				attrs = append(attrs, slog.Int("handler_status", sw.status))
			}
		}
		wb.Log.LogAttrs(context.WithoutCancel(r.Context()), slog.LevelInfo, "http", attrs...)
	})
}

func securityHeaders(next http.Handler, o Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [18]byte
		_, _ = rand.Read(b[:])
		nonce := base64.RawURLEncoding.EncodeToString(b[:]) // no "+" or "/": nothing for templates to escape
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'nonce-"+nonce+"'; "+
			"style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if r.TLS != nil || (o.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce)))
	})
}

// IsTLS reports whether the client reached us over HTTPS (directly or via a trusted
// proxy); cookies are marked Secure then.
func IsTLS(r *http.Request, trustProxy bool) bool {
	return r.TLS != nil || (trustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

func (wb *Web) limitBody(next http.Handler, o Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := o.MaxBody
		for _, p := range o.LargeBodyPrefixes {
			if strings.HasPrefix(r.URL.Path, p) {
				limit = o.LargeBody
			}
		}
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			wb.Error(w, r, errs.New(errs.CodeTooLarge, "error.too_large"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
