package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// TestClientAddressFromProxy: behind a trusted proxy the client's address is the last
// entry of X-Forwarded-For, but only when it is an IP address. Anything else (bytes that
// are not UTF-8, which PostgreSQL refuses, words that would go into the audit trail's ip
// and the throttle's key) is ignored for the connection's address. Without --trust-proxy
// the header is never read.
func TestClientAddressFromProxy(t *testing.T) {
	wb := newFixture(t, web.Options{}).wb
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, reqinfo.From(r.Context()).IP)
	})
	for _, c := range []struct {
		trust bool
		xff   string
		want  string
	}{
		{true, "203.0.113.9", "203.0.113.9"},
		{true, "198.51.100.1, 203.0.113.9", "203.0.113.9"},
		{true, "2001:db8::1", "2001:db8::1"},
		{true, "198.51.100.1, \xff", "192.0.2.1"},
		{true, "203.0.113.9 admin", "192.0.2.1"},
		{true, "<script>", "192.0.2.1"},
		{true, "", "192.0.2.1"},
		{false, "203.0.113.9", "192.0.2.1"},
	} {
		h := wb.Stack(echo, web.Options{TrustProxy: c.trust})
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = "192.0.2.1:4321"
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Body.String(); got != c.want {
			t.Errorf("trust %v, X-Forwarded-For %q: client address %q, want %q", c.trust, c.xff, got, c.want)
		}
	}
}
