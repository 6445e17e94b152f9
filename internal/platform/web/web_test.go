package web_test

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// secretCause is an internal error message that must never reach a client.
const secretCause = "pq: password authentication failed for user amparo_secret"

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is the web stack around a mux of test handlers.
type fixture struct {
	wb   *web.Web
	h    http.Handler
	logs *syncBuf
}

// errorFor returns the error a test handler returns for a code in its path.
func errorFor(code string) error {
	switch code {
	case "invalid":
		return errs.Invalid(map[string]string{"email": "validation.email"})
	case "not_found":
		return errs.NotFound()
	case "forbidden":
		return errs.Forbidden()
	case "conflict":
		return errs.Conflict("error.conflict")
	case "unauthenticated":
		return errs.Unauthenticated()
	case "too_many":
		return errs.New(errs.CodeTooMany, "error.too_many")
	case "wrapped":
		return errs.NotFound().Wrap(errors.New(secretCause))
	}
	return errors.New(secretCause)
}

func newFixture(t *testing.T, o web.Options) *fixture {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := web.NewRenderer(cat)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{logs: &syncBuf{}}
	f.wb = &web.Web{Renderer: r, Catalog: cat, Log: slog.New(slog.NewTextHandler(f.logs, nil)), LoginPath: "/login"}
	wb := f.wb
	mux := http.NewServeMux()
	page := wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		return wb.Render(w, r, "web/welcome", wb.NewPage(r, ""))
	})
	mux.Handle("GET /page", page)
	mux.Handle("POST /form", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return err
		}
		_, err := io.WriteString(w, "saved")
		return err
	}))
	mux.Handle("POST /api/things", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		var v map[string]any
		if err := web.DecodeJSON(r, &v); err != nil {
			return err
		}
		return wb.JSON(w, http.StatusCreated, map[string]any{"ok": true})
	}))
	fail := wb.Handle(func(w http.ResponseWriter, r *http.Request) error { return errorFor(r.PathValue("code")) })
	mux.Handle("/err/{code}", fail)
	mux.Handle("/api/err/{code}", fail)
	mux.Handle("GET /panic", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		panic("boom: " + secretCause)
	}))
	mux.Handle("GET /png", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngBytes)
	}))
	mux.Handle("GET /static/", http.HandlerFunc(web.ServeStatic))
	mux.Handle("GET /geo/cantons", wb.Handle(wb.CantonOptionsHandler))
	f.h = wb.Stack(web.RecordRoute(mux), o)
	return f
}

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("pixels "), 200)...)

func (f *fixture) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) get(path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return f.do(req)
}

func (f *fixture) post(path, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return f.do(req)
}

var nonceRe = regexp.MustCompile(`'nonce-([A-Za-z0-9+/=_-]+)'`)

// checkHeaders asserts the security headers every response must carry.
func checkHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %s", what, csp, want)
		}
	}
	if m := nonceRe.FindStringSubmatch(csp); m == nil || len(m[1]) < 16 {
		t.Errorf("%s: CSP %q has no script nonce", what, csp)
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows inline or eval: %q", what, csp)
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
	if h.Get("Permissions-Policy") == "" || h.Get("Cross-Origin-Opener-Policy") == "" {
		t.Errorf("%s: Permissions-Policy or Cross-Origin-Opener-Policy missing", what)
	}
	if h.Get("X-Request-Id") == "" {
		t.Errorf("%s: no X-Request-Id", what)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	f := newFixture(t, web.Options{MaxBody: 1024})
	responses := map[string]*httptest.ResponseRecorder{
		"page":              f.get("/page"),
		"404 page":          f.get("/err/not_found"),
		"API error":         f.get("/api/err/forbidden"),
		"500":               f.get("/err/internal"),
		"panic":             f.get("/panic"),
		"redirect":          f.get("/err/unauthenticated"),
		"static":            f.get(web.AssetPath("app.css")),
		"unknown path":      f.get("/nowhere"),
		"cross-origin 403":  f.post("/form", "a=1", "Sec-Fetch-Site", "cross-site"),
		"body too large":    f.post("/form", strings.Repeat("a", 2048)),
		"canton fragment":   f.get("/geo/cantons?province=10"),
		"not modified":      f.get(web.AssetPath("app.css"), "If-None-Match", `"`+assetHash(t, "app.css")+`"`),
		"method not routed": f.post("/page", ""),
	}
	for name, rec := range responses {
		checkHeaders(t, name, rec.Header())
		if rec.Header().Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", name)
		}
	}
	// The nonce is fresh for each response and is the one the page's scripts carry.
	a, b := f.get("/page"), f.get("/page")
	na := nonceRe.FindStringSubmatch(a.Header().Get("Content-Security-Policy"))
	nb := nonceRe.FindStringSubmatch(b.Header().Get("Content-Security-Policy"))
	if na == nil || nb == nil || na[1] == nb[1] {
		t.Fatalf("nonces %v and %v: want two different ones", na, nb)
	}
	body := a.Body.String()
	if !strings.Contains(body, `nonce="`+na[1]+`"`) {
		t.Errorf("page scripts do not carry the CSP nonce %q", na[1])
	}
	if strings.Contains(body, " onclick=") || strings.Contains(body, "<script>") {
		t.Error("inline script or handler in the layout")
	}
}

func assetHash(t *testing.T, name string) string {
	t.Helper()
	p := web.AssetPath(name) // /static/app.<hash>.css
	parts := strings.Split(strings.TrimPrefix(p, "/static/"), ".")
	if len(parts) < 3 {
		t.Fatalf("AssetPath(%q) = %q: no hash", name, p)
	}
	return parts[len(parts)-2]
}

func TestHSTS(t *testing.T) {
	plain := newFixture(t, web.Options{})
	proxied := newFixture(t, web.Options{TrustProxy: true})

	tlsReq := httptest.NewRequest(http.MethodGet, "/page", nil)
	tlsReq.TLS = &tls.ConnectionState{}
	if got := plain.do(tlsReq).Header().Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("direct TLS: HSTS %q", got)
	}
	if got := plain.get("/page", "X-Forwarded-Proto", "https").Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("X-Forwarded-Proto from an untrusted client set HSTS %q", got)
	}
	if got := proxied.get("/page", "X-Forwarded-Proto", "https").Header().Get("Strict-Transport-Security"); got == "" {
		t.Error("trusted proxy with X-Forwarded-Proto https: no HSTS")
	}
	if got := proxied.get("/page", "X-Forwarded-Proto", "http").Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("trusted proxy over http: HSTS %q", got)
	}
}

func TestCrossOriginProtection(t *testing.T) {
	f := newFixture(t, web.Options{})
	host := "amparo.example"
	post := func(path, body string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "http://"+host+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		return f.do(req)
	}
	refused := map[string]*httptest.ResponseRecorder{
		"Sec-Fetch-Site cross-site":    post("/form", "a=1", "Sec-Fetch-Site", "cross-site"),
		"Sec-Fetch-Site same-site":     post("/form", "a=1", "Sec-Fetch-Site", "same-site"),
		"Origin of another host":       post("/form", "a=1", "Origin", "http://evil.example"),
		"Origin of another port":       post("/form", "a=1", "Origin", "http://amparo.example:8443"),
		"API, Origin of another host":  post("/api/things", "{}", "Origin", "http://evil.example", "Content-Type", "application/json"),
		"API, Sec-Fetch-Site cross":    post("/api/things", "{}", "Sec-Fetch-Site", "cross-site", "Content-Type", "application/json"),
		"Origin mismatch + same-orig?": post("/form", "a=1", "Origin", "http://evil.example", "Referer", "http://amparo.example/"),
	}
	for name, rec := range refused {
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "saved") {
			t.Errorf("%s: the handler ran", name)
		}
	}
	if rec := refused["API, Origin of another host"]; !strings.Contains(rec.Header().Get("Content-Type"), "json") {
		t.Errorf("cross-origin API refusal is %q, want JSON", rec.Header().Get("Content-Type"))
	}
	allowed := map[string]*httptest.ResponseRecorder{
		"Sec-Fetch-Site same-origin": post("/form", "a=1", "Sec-Fetch-Site", "same-origin"),
		"Sec-Fetch-Site none":        post("/form", "a=1", "Sec-Fetch-Site", "none"),
		"same Origin":                post("/form", "a=1", "Origin", "http://amparo.example"),
		"no browser headers":         post("/form", "a=1"),
	}
	for name, rec := range allowed {
		if rec.Code != http.StatusOK || rec.Body.String() != "saved" {
			t.Errorf("%s: status %d %q, want 200 saved", name, rec.Code, rec.Body.String())
		}
	}
	if rec := f.get("/page", "Sec-Fetch-Site", "cross-site"); rec.Code != http.StatusOK {
		t.Errorf("cross-site GET (a link from elsewhere): status %d, want 200", rec.Code)
	}
}

type jsonBody struct {
	Error struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

func decodeError(t *testing.T, what string, rec *httptest.ResponseRecorder) jsonBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want JSON", what, ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &top); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, rec.Body)
	}
	if len(top) != 1 || top["error"] == nil {
		t.Errorf("%s: top-level keys %v, want only \"error\"", what, keys(top))
	}
	var b jsonBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if b.Error.Message == "" || strings.Contains(b.Error.Message, "error.") {
		t.Errorf("%s: message %q is empty or an untranslated key", what, b.Error.Message)
	}
	return b
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestErrorsAsJSON(t *testing.T) {
	f := newFixture(t, web.Options{})
	tests := []struct {
		code   string
		status int
	}{
		{"invalid", 422}, {"not_found", 404}, {"forbidden", 403}, {"conflict", 409},
		{"unauthenticated", 401}, {"too_many", 429}, {"internal", 500}, {"wrapped", 404},
	}
	for _, tt := range tests {
		for _, req := range []*http.Request{
			httptest.NewRequest(http.MethodGet, "/api/err/"+tt.code, nil),
			httptest.NewRequest(http.MethodPost, "/api/err/"+tt.code, strings.NewReader("{}")),
			func() *http.Request { // a page asked for JSON
				r := httptest.NewRequest(http.MethodGet, "/err/"+tt.code, nil)
				r.Header.Set("Accept", "application/json")
				return r
			}(),
		} {
			what := req.Method + " " + req.URL.Path + " Accept " + req.Header.Get("Accept")
			rec := f.do(req)
			if rec.Code != tt.status {
				t.Errorf("%s: status %d, want %d", what, rec.Code, tt.status)
			}
			b := decodeError(t, what, rec)
			wantCode := tt.code
			if tt.code == "wrapped" {
				wantCode = "not_found"
			}
			if b.Error.Code != wantCode {
				t.Errorf("%s: code %q, want %q", what, b.Error.Code, wantCode)
			}
			if b.Error.RequestID != rec.Header().Get("X-Request-Id") {
				t.Errorf("%s: request id %q, header %q", what, b.Error.RequestID, rec.Header().Get("X-Request-Id"))
			}
			if strings.Contains(rec.Body.String(), "amparo_secret") {
				t.Errorf("%s: the internal cause leaks: %s", what, rec.Body)
			}
			if tt.code == "invalid" {
				if got := b.Error.Fields["email"]; got == "" || got == "validation.email" {
					t.Errorf("%s: field error %q, want the translated message", what, got)
				}
			} else if b.Error.Fields != nil {
				t.Errorf("%s: fields %v on a non-validation error", what, b.Error.Fields)
			}
			if tt.code == "unauthenticated" && rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", what)
			}
		}
	}
	if !strings.Contains(f.logs.String(), "amparo_secret") {
		t.Error("the internal cause was not logged")
	}
}

func TestErrorsAsHTML(t *testing.T) {
	f := newFixture(t, web.Options{})
	cat, _ := i18n.Load()
	tests := []struct {
		code   string
		status int
		key    string
	}{
		{"invalid", 422, "error.invalid"}, {"not_found", 404, "error.not_found"},
		{"forbidden", 403, "error.forbidden"}, {"conflict", 409, "error.conflict"},
		{"too_many", 429, "error.too_many"}, {"internal", 500, ""},
	}
	for _, tt := range tests {
		rec := f.get("/err/"+tt.code, "Accept", "text/html", "Accept-Language", "en")
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.code, rec.Code, tt.status)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", tt.code, ct)
		}
		body := rec.Body.String()
		if !strings.Contains(body, "<html") || !strings.Contains(body, rec.Header().Get("X-Request-Id")) {
			t.Errorf("%s: not a full page with the request id", tt.code)
		}
		if tt.key != "" && !strings.Contains(body, html.EscapeString(cat.T("en", tt.key))) {
			t.Errorf("%s: page lacks the message %q", tt.code, cat.T("en", tt.key))
		}
		if strings.Contains(body, "amparo_secret") {
			t.Errorf("%s: the internal cause leaks", tt.code)
		}
	}
	// Anonymous GET of a page: sent to sign in, coming back afterwards.
	rec := f.get("/err/unauthenticated?x=1")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Ferr%2Funauthenticated%3Fx%3D1" {
		t.Errorf("unauthenticated GET: status %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	// A form posted without a session: a 401 page (a POST cannot be redirected and replayed).
	rec = f.post("/err/unauthenticated", "")
	if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("unauthenticated POST: status %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestPanicBecomes500(t *testing.T) {
	f := newFixture(t, web.Options{})
	rec := f.get("/panic")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("panic: status %d, want 500", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "<html") || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic: want the error page without the panic text\n%s", rec.Body)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "panic") || !strings.Contains(logs, "boom") {
		t.Errorf("panic not logged: %s", logs)
	}
	// The server goes on.
	if rec := f.get("/page"); rec.Code != http.StatusOK {
		t.Errorf("after a panic: status %d", rec.Code)
	}
}

func TestGzip(t *testing.T) {
	f := newFixture(t, web.Options{})
	rec := f.get("/page", "Accept-Encoding", "gzip, deflate")
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("HTML not gzipped: %v", rec.Header())
	}
	if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
		t.Error("no Vary: Accept-Encoding")
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	html, err := io.ReadAll(zr)
	if err != nil || !strings.HasPrefix(string(html), "<!doctype html>") {
		t.Errorf("gzipped page does not decode to HTML (%v): %.60q", err, html)
	}

	rec = f.get("/png", "Accept-Encoding", "gzip")
	if rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), pngBytes) {
		t.Errorf("PNG was compressed (%q) or changed", rec.Header().Get("Content-Encoding"))
	}
	rec = f.get("/page")
	if rec.Header().Get("Content-Encoding") != "" || !strings.HasPrefix(rec.Body.String(), "<!doctype html>") {
		t.Error("gzip without Accept-Encoding")
	}
	rec = f.get("/api/err/not_found", "Accept-Encoding", "gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Error("JSON not gzipped")
	}
	rec = f.get(web.AssetPath("app.css"), "Accept-Encoding", "gzip", "If-None-Match", `"`+assetHash(t, "app.css")+`"`)
	if rec.Code != http.StatusNotModified || rec.Header().Get("Content-Encoding") != "" || rec.Body.Len() != 0 {
		t.Errorf("304: status %d encoding %q body %d bytes", rec.Code, rec.Header().Get("Content-Encoding"), rec.Body.Len())
	}
}

func TestStatic(t *testing.T) {
	f := newFixture(t, web.Options{})
	hashed := web.AssetPath("app.css")
	if hashed == "/static/app.css" || !strings.HasSuffix(hashed, ".css") {
		t.Fatalf("AssetPath(app.css) = %q: want a hashed name", hashed)
	}
	rec := f.get(hashed)
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("hashed asset: status %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("hashed asset: Content-Type %q", ct)
	}
	css := rec.Body.String()
	for _, p := range []string{"/static/app.css", "/static/app.0123456789ab.css"} {
		rec := f.get(p)
		if rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-cache" || rec.Body.String() != css {
			t.Errorf("%s: status %d, Cache-Control %q: want the file with no-cache", p, rec.Code, rec.Header().Get("Cache-Control"))
		}
	}
	if rec := f.get("/static/nothing.js"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown asset: status %d", rec.Code)
	}
	if rec := f.get("/static/../web.go"); rec.Code == http.StatusOK {
		t.Errorf("path outside static: status %d", rec.Code)
	}
	if p := web.AssetPath("no-such-file.css"); p != "/static/no-such-file.css" {
		t.Errorf("AssetPath of an unknown file: %q", p)
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, web.Options{MaxBody: 1024})
	big := strings.Repeat("a", 2048)

	rec := f.post("/form", "a="+big)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("declared length over the limit: status %d, want 413", rec.Code)
	}
	if rec := f.post("/form", "a=small"); rec.Code != 200 {
		t.Errorf("small form: status %d", rec.Code)
	}

	// No declared length (chunked): the limit still holds while reading.
	chunked := func(path, ct string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, io.MultiReader(strings.NewReader(`{"a":"`), strings.NewReader(big), strings.NewReader(`"}`)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", ct)
		return f.do(req)
	}
	rec = chunked("/api/things", "application/json")
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked JSON over the limit: status %d, want 413", rec.Code)
	}
	decodeError(t, "chunked JSON over the limit", rec)

	req := httptest.NewRequest(http.MethodPost, "/api/things", strings.NewReader(`{"a":"`+big+`"}`))
	req.Header.Set("Content-Type", "application/json")
	rec = f.do(req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("API body with declared length over the limit: status %d, want 413", rec.Code)
	}
	if b := decodeError(t, "API body over the limit", rec); b.Error.Code != "too_large" {
		t.Errorf("API body over the limit: code %q, want too_large", b.Error.Code)
	}

	large := newFixture(t, web.Options{MaxBody: 1024, LargeBodyPrefixes: []string{"/form"}, LargeBody: 1 << 20})
	if rec := large.post("/form", "a="+big); rec.Code != 200 {
		t.Errorf("upload prefix with a larger limit: status %d", rec.Code)
	}
}

func TestRequestID(t *testing.T) {
	f := newFixture(t, web.Options{})
	rec := f.get("/page")
	id := rec.Header().Get("X-Request-Id")
	if _, err := uuid.Parse(id); err != nil {
		t.Errorf("generated request id %q is not a UUID", id)
	}
	if rec := f.get("/page", "X-Request-Id", "lb-1234-abcd"); rec.Header().Get("X-Request-Id") != "lb-1234-abcd" {
		t.Errorf("a plain caller id was not kept: %q", rec.Header().Get("X-Request-Id"))
	}
	for _, hostile := range []string{"<script>alert(1)</script>", "a b", "id\" level=ERROR msg=fake",
		strings.Repeat("a", 65), "ñandú"} {
		rec := f.get("/page", "X-Request-Id", hostile)
		got := rec.Header().Get("X-Request-Id")
		if got == hostile {
			t.Errorf("hostile request id %q kept", hostile)
		}
		if _, err := uuid.Parse(got); err != nil {
			t.Errorf("hostile request id %q replaced by %q, not a fresh UUID", hostile, got)
		}
	}
	if strings.Contains(f.logs.String(), "<script>") || strings.Contains(f.logs.String(), "msg=fake") {
		t.Error("a hostile request id reached the log")
	}
}

func TestCantonOptions(t *testing.T) {
	f := newFixture(t, web.Options{})
	rec := f.get("/geo/cantons?province=10&selected=1001")
	body := rec.Body.String()
	if rec.Code != 200 || strings.Contains(body, "<html") {
		t.Fatalf("status %d; want a fragment without the layout\n%s", rec.Code, body)
	}
	if !strings.Contains(body, `<option value="1001" selected>Ibarra</option>`) || strings.Contains(body, `value="0901"`) ||
		strings.Contains(body, "<optgroup") {
		t.Errorf("Imbabura's cantons with Ibarra selected expected, and nothing else:\n%s", body)
	}
	if !strings.Contains(rec.Header().Get("Vary"), "HX-Request") {
		t.Error("no Vary: HX-Request")
	}
	// From an htmx select: the province comes in the field named by from.
	body = f.get("/geo/cantons?from=prov&prov=09").Body.String()
	if !strings.Contains(body, `value="0901"`) || strings.Contains(body, `value="1001"`) {
		t.Errorf("from=prov&prov=09: want Guayas' cantons\n%.300s", body)
	}
	// No or unknown province: every canton, grouped.
	for _, q := range []string{"", "?province=99", "?province=%3Cscript%3E"} {
		body := f.get("/geo/cantons" + q).Body.String()
		if strings.Count(body, "<optgroup") != 24 || !strings.Contains(body, `value="0901"`) || strings.Contains(body, "<script>") {
			t.Errorf("%q: want 24 province groups", q)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/cases?q=1":           "/cases?q=1",
		"/":                    "/",
		"":                     "/",
		"//evil.example/x":     "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"javascript:alert(1)":  "/",
	} {
		if got := web.SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFlashShownOnce(t *testing.T) {
	f := newFixture(t, web.Options{})
	req := httptest.NewRequest(http.MethodGet, "/page", nil)
	req.AddCookie(&http.Cookie{Name: web.FlashCookie, Value: "ok:login.signed_out"})
	req.Header.Set("Accept-Language", "en")
	rec := f.do(req)
	cat, _ := i18n.Load()
	if !strings.Contains(rec.Body.String(), html.EscapeString(cat.T("en", "login.signed_out"))) {
		t.Error("flash message not shown")
	}
	cleared := false
	for _, c := range rec.Result().Cookies() {
		if c.Name == web.FlashCookie && c.MaxAge < 0 {
			cleared = true
		}
	}
	if !cleared {
		t.Error("flash cookie not cleared")
	}
	// Only catalog keys are shown: anything else is dropped, never echoed.
	req = httptest.NewRequest(http.MethodGet, "/page", nil)
	req.AddCookie(&http.Cookie{Name: web.FlashCookie, Value: "ok:<b>hola</b>"})
	if strings.Contains(f.do(req).Body.String(), "hola") {
		t.Error("a flash cookie that is not a catalog key was shown")
	}
}
