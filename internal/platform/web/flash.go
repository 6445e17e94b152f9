package web

import (
	"context"
	"net/http"
	"strings"
)

// FlashCookie carries a one-time message key across a redirect. Only a catalog key
// travels in it, never text, so it cannot inject content.
const FlashCookie = "amparo_flash"

type flashValue struct{ Kind, Key string }

type flashKey struct{}

// SetFlash schedules a message for the next page the browser opens. The cookie is
// Secure whenever the session cookie is (CookieSecure).
func SetFlash(w http.ResponseWriter, r *http.Request, kind, key string) {
	http.SetCookie(w, &http.Cookie{Name: FlashCookie, Value: kind + ":" + key, Path: "/",
		HttpOnly: true, Secure: CookieSecure(r), SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// Redirect sends the browser to target (303) with an optional flash message key.
func Redirect(w http.ResponseWriter, r *http.Request, target, flashKind, flashKey string) {
	if flashKey != "" {
		SetFlash(w, r, flashKind, flashKey)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func flashOf(r *http.Request) *flashValue {
	f, _ := r.Context().Value(flashKey{}).(*flashValue)
	return f
}

// TakeFlash moves the flash cookie of an HTML page request into the context and clears
// it, so the message shows exactly once. The catalog check happens at render time.
func TakeFlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(FlashCookie)
		if err != nil || r.Method != http.MethodGet || strings.HasPrefix(r.URL.Path, "/static/") ||
			strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		kind, key, _ := strings.Cut(c.Value, ":")
		switch kind {
		case "ok", "info", "warn", "error":
		default:
			kind = "info"
		}
		http.SetCookie(w, &http.Cookie{Name: FlashCookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: CookieSecure(r), SameSite: http.SameSiteLaxMode})
		ctx := r.Context()
		next.ServeHTTP(w, r.WithContext(withFlash(ctx, &flashValue{Kind: kind, Key: key})))
	})
}

func withFlash(ctx context.Context, f *flashValue) context.Context {
	return context.WithValue(ctx, flashKey{}, f)
}
