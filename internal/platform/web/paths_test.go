package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// TestUnmatchedInAmparosShape: an unknown path is the translated 404 page (JSON on
// /api/), a known path with another method is 405 with Allow, and the mux's own
// redirects still work.
func TestUnmatchedInAmparosShape(t *testing.T) {
	f := newStackFixture(t, web.Options{})
	cat := i18n.MustLoad()
	for _, lang := range []string{"es", "en"} {
		rec := f.get("/no-such-page", "Accept-Language", lang)
		body := rec.Body.String()
		if rec.Code != http.StatusNotFound || !strings.Contains(body, "<html") ||
			!strings.Contains(body, html.EscapeString(cat.T(lang, "error.not_found"))) {
			t.Errorf("unknown page in %s: status %d, want the translated 404 page\n%.300s", lang, rec.Code, body)
		}
		if strings.Contains(body, "404 page not found") {
			t.Errorf("unknown page in %s: Go's plain text answer", lang)
		}
	}
	rec := f.get("/api/v1/nothing")
	if b := decodeError(t, "unknown API path", rec); rec.Code != http.StatusNotFound || b.Error.Code != "not_found" {
		t.Errorf("unknown API path: %d %q", rec.Code, b.Error.Code)
	}
	rec = f.do(httptest.NewRequest(http.MethodDelete, "/api/things", nil))
	if b := decodeError(t, "wrong method", rec); rec.Code != http.StatusMethodNotAllowed ||
		b.Error.Code != "method_not_allowed" || rec.Header().Get("Allow") != "POST" {
		t.Errorf("wrong method on the API: %d %q Allow %q", rec.Code, b.Error.Code, rec.Header().Get("Allow"))
	}
	rec = f.post("/page", "", "Accept-Language", "en")
	if rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Body.String(), html.EscapeString(cat.T("en", "error.method_not_allowed"))) {
		t.Errorf("wrong method on a page: %d\n%.300s", rec.Code, rec.Body)
	}
	if rec := f.get("/static"); rec.Code/100 != 3 || rec.Header().Get("Location") != "/static/" {
		t.Errorf("the mux's redirect to /static/: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if !strings.Contains(f.logs.String(), "route=unmatched") {
		t.Error("unmatched requests are not logged as such")
	}
}

// TestURLAndHeaderLimits: an oversized URL (414) or header block (431) is refused in
// the usual shape, also through a real server, whose own (plain text) limit is set
// above ours.
func TestURLAndHeaderLimits(t *testing.T) {
	f := newStackFixture(t, web.Options{})
	long := "/api/v1/cases?q=" + strings.Repeat("a", web.MaxURLBytes)
	rec := f.get(long)
	if b := decodeError(t, "long API URL", rec); rec.Code != http.StatusRequestURITooLong || b.Error.Code != "too_large" {
		t.Errorf("long API URL: %d %q", rec.Code, b.Error.Code)
	}
	rec = f.get("/page?q="+strings.Repeat("a", web.MaxURLBytes), "Accept-Language", "en")
	if rec.Code != http.StatusRequestURITooLong || !strings.Contains(rec.Body.String(), "<html") {
		t.Errorf("long page URL: %d, want the 414 page", rec.Code)
	}
	rec = f.get("/api/things", "X-Big", strings.Repeat("b", web.MaxHeaderBytes))
	if b := decodeError(t, "large headers", rec); rec.Code != http.StatusRequestHeaderFieldsTooLarge || b.Error.Code != "too_large" {
		t.Errorf("large headers: %d %q", rec.Code, b.Error.Code)
	}

	srv := httptest.NewUnstartedServer(f.h)
	srv.Config.MaxHeaderBytes = web.ServerMaxHeaderBytes
	srv.Start()
	defer srv.Close()
	for name, req := range map[string]func() *http.Request{
		"100 KiB URL": func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/x?q="+strings.Repeat("a", 100<<10), nil)
			return r
		},
		"100 KiB cookie": func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/x", nil)
			r.Header.Set("Cookie", "c="+strings.Repeat("a", 100<<10))
			return r
		},
	} {
		resp, err := http.DefaultClient.Do(req())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestURITooLong && resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(body), `"too_large"`) {
			t.Errorf("%s through a server: %d %s %.200s", name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

// TestAccessLogRedactsSecrets: a path that carries a secret (a reset token) never
// reaches the logs, neither the access log nor the error log of a failed request;
// record ids stay, so logs still say which record.
func TestAccessLogRedactsSecrets(t *testing.T) {
	f := newStackFixture(t, web.Options{})
	const token = "Zm9vYmFyLXNlY3JldC1yZXNldC10b2tlbi0xMjM0NTY3ODk"
	const id = "0190f2a4-7b1c-7c3d-8e4f-123456789abc"
	f.get("/reset/" + token)
	f.get("/reset/fail") // a 500: the error log names the path too
	f.get("/cases/" + id + "/files/" + token)
	f.get("/reset/" + token + "/extra") // no route: cut as an unknown path
	logs := f.logs.String()
	if strings.Contains(logs, token) || strings.Contains(logs, "/reset/fail") {
		t.Errorf("a token reached the log:\n%s", logs)
	}
	for _, want := range []string{`route="GET /reset/{token}" path=/reset/{token}`,
		`route="GET /cases/{id}/files/{file}" path=/cases/` + id + `/files/{file}`,
		`msg="request failed"`, `route=unmatched path=/reset/…/extra`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s:\n%s", want, logs)
		}
	}
}

// TestClientClosedRequest: a request whose client went away is logged as 499 "client
// closed request" and counted so in the metrics, not as the 401 or 500 its cancelled
// work produced, and no "request failed" error is logged for it.
func TestClientClosedRequest(t *testing.T) {
	f := newStackFixture(t, web.Options{})
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	for _, path := range []string{"/slow/401", "/slow/500", "/api/slow/500"} {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		done := make(chan error, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		<-f.started
		cancel()
		if err := <-done; err == nil {
			t.Fatalf("%s: the client was not cancelled", path)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(f.logs.String(), "client closed request") < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	logs := f.logs.String()
	if n := strings.Count(logs, "status=499"); n != 3 {
		t.Errorf("%d requests logged with status 499, want 3:\n%s", n, logs)
	}
	if strings.Contains(logs, "request failed") || strings.Contains(logs, "status=500") || strings.Contains(logs, "status=401") {
		t.Errorf("an abandoned request was logged as a failure:\n%s", logs)
	}
	// The handlers wrote nothing (the answer went nowhere): the log must not claim a 200.
	if strings.Contains(logs, "handler_status") {
		t.Errorf("an abandoned request whose handler wrote nothing is logged with a handler status:\n%s", logs)
	}
	rec := httptest.NewRecorder()
	f.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	m := rec.Body.String()
	if !strings.Contains(m, `amparo_http_requests_total{code="499",method="GET",route="GET /slow/{what}"} 2`) {
		t.Errorf("metrics do not count the abandoned requests as 499:\n%s", grepLines(m, "amparo_http_requests_total"))
	}
	if strings.Contains(m, `code="500"`) || strings.Contains(m, `code="401"`) {
		t.Errorf("metrics count an abandoned request as an error:\n%s", grepLines(m, "amparo_http_requests_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
