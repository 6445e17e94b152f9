package auth

import (
	"context"
	"net/http"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "amparo_session"

type sessKey struct{}

type sessValue struct {
	sess  *Session
	token string
}

// SessionFrom returns the browser session of the request and its token, if any.
func SessionFrom(ctx context.Context) (*Session, string) {
	v, _ := ctx.Value(sessKey{}).(*sessValue)
	if v == nil {
		return nil, ""
	}
	return v.sess, v.token
}

// UserFrom returns the signed-in user (full session or API token), or nil.
func UserFrom(ctx context.Context) *User {
	if sess, _ := SessionFrom(ctx); sess != nil && sess.Stage == StageFull {
		return sess.User
	}
	u, _ := ctx.Value(tokenUserKey{}).(*User)
	return u
}

type tokenUserKey struct{}

// Identify is middleware that finds who is calling: a bearer token (API clients) or
// the session cookie (browsers). A full session or a valid token puts the policy
// subject in the context; a half-finished sign-in only its session.
//
// When the database cannot be read, nobody can be identified either way: the request
// is answered by fail with errs.Unavailable (503 and a translated "try again later",
// as an HTML page or the API's JSON error), never treated as anonymous, which would
// send a signed-in person to the sign-in page or an API client a 401.
func (s *Service) Identify(next http.Handler, fail func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		info := reqinfo.From(ctx)
		unavailableNow := func(err error) {
			w.Header().Set("Retry-After", "30")
			fail(w, r, err)
		}
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, tok, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				next.ServeHTTP(w, r)
				return
			}
			u, _, err := s.AuthenticateToken(ctx, strings.TrimSpace(tok))
			switch {
			case err == nil:
				info.Lang = u.Lang
				ctx = context.WithValue(ctx, tokenUserKey{}, u)
				ctx = access.With(ctx, u.Subject())
			case errs.CodeOf(err) == errs.CodeUnauthenticated:
				ctx = context.WithValue(ctx, badTokenKey{}, true)
			default:
				unavailableNow(err)
				return
			}
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" && !strings.HasPrefix(r.URL.Path, "/static/") {
			sess, err := s.Session(ctx, c.Value)
			switch {
			case err == nil:
				info.UserID, info.AgencyID = sess.User.ID, sess.User.AgencyID
				if sess.Stage == StageFull {
					info.Lang = sess.User.Lang
					ctx = access.With(ctx, sess.User.Subject())
				}
				ctx = context.WithValue(ctx, sessKey{}, &sessValue{sess: sess, token: c.Value})
			case errs.CodeOf(err) != errs.CodeUnauthenticated:
				unavailableNow(err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type badTokenKey struct{}

// BadToken reports whether the request carried a bearer token that was refused.
func BadToken(ctx context.Context) bool { v, _ := ctx.Value(badTokenKey{}).(bool); return v }

// CookieSecure reports whether cookies must carry the Secure flag: the public URL
// (--base-url) is https, the request itself came over TLS, or a trusted proxy
// (--trust-proxy) says X-Forwarded-Proto: https. A server behind a TLS proxy that is
// not trusted still marks cookies Secure when its public URL is https.
func CookieSecure(r *http.Request, baseURL string, trustProxy bool) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(baseURL)), "https://") || web.IsTLS(r, trustProxy)
}

// SetSessionCookie gives the browser a session token.
func SetSessionCookie(w http.ResponseWriter, token string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode})
}

// setCookie and clearCookie apply the handlers' settings to the session cookie.
func (h *Handlers) setCookie(w http.ResponseWriter, r *http.Request, token string) {
	SetSessionCookie(w, token, CookieSecure(r, h.BaseURL, h.TrustProxy))
}

func (h *Handlers) clearCookie(w http.ResponseWriter, r *http.Request) {
	ClearSessionCookie(w, CookieSecure(r, h.BaseURL, h.TrustProxy))
}

// StagePath is the page a half-signed-in browser must finish first.
func StagePath(stage string) string {
	switch stage {
	case StageMFA:
		return "/login/mfa"
	case StageEnrol:
		return "/login/enrol"
	case StagePassword:
		return "/password"
	}
	return "/"
}
