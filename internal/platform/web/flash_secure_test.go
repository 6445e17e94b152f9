package web_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/web"
)

// TestFlashCookieSecure: the flash cookie, set on a redirect and cleared when shown,
// carries Secure whenever the session cookie does: a public URL in https, a request over
// TLS, or a trusted proxy that says https. It is HttpOnly and SameSite=Lax always.
func TestFlashCookieSecure(t *testing.T) {
	for _, c := range []struct {
		name  string
		o     web.Options
		tls   bool
		proto string
		want  bool
	}{
		{"plain http", web.Options{}, false, "", false},
		{"public URL https", web.Options{SecureCookies: true}, false, "", true},
		{"request over TLS", web.Options{}, true, "", true},
		{"trusted proxy says https", web.Options{TrustProxy: true}, false, "https", true},
		{"untrusted proxy says https", web.Options{}, false, "https", false},
	} {
		wb := newFixture(t, c.o).wb
		mux := http.NewServeMux()
		mux.Handle("POST /done", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
			web.Redirect(w, r, "/page", "ok", "login.signed_out")
			return nil
		}))
		mux.Handle("GET /page", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
			return wb.Render(w, r, "web/welcome", wb.NewPage(r, ""))
		}))
		h := wb.Stack(mux, c.o)
		for _, req := range []*http.Request{httptest.NewRequest(http.MethodPost, "/done", nil), httptest.NewRequest(http.MethodGet, "/page", nil)} {
			if c.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if c.proto != "" {
				req.Header.Set("X-Forwarded-Proto", c.proto)
			}
			req.AddCookie(&http.Cookie{Name: web.FlashCookie, Value: "ok:login.signed_out"})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var got *http.Cookie
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == web.FlashCookie {
					got = ck
				}
			}
			if got == nil || got.Secure != c.want || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode {
				t.Errorf("%s: %s %s: flash cookie %+v, want Secure=%v, HttpOnly, SameSite=Lax", c.name, req.Method, req.URL.Path, got, c.want)
			}
		}
	}
}
