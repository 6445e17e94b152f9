package auth

import (
	"context"
	"net/http"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
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
func (s *Service) Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		info := reqinfo.From(ctx)
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, tok, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				next.ServeHTTP(w, r)
				return
			}
			u, _, err := s.AuthenticateToken(ctx, strings.TrimSpace(tok))
			if err == nil {
				info.Lang = u.Lang
				ctx = context.WithValue(ctx, tokenUserKey{}, u)
				ctx = access.With(ctx, u.Subject())
			} else {
				ctx = context.WithValue(ctx, badTokenKey{}, true)
			}
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" && !strings.HasPrefix(r.URL.Path, "/static/") {
			if sess, err := s.Session(ctx, c.Value); err == nil {
				info.UserID, info.AgencyID = sess.User.ID, sess.User.AgencyID
				if sess.Stage == StageFull {
					info.Lang = sess.User.Lang
					ctx = access.With(ctx, sess.User.Subject())
				}
				ctx = context.WithValue(ctx, sessKey{}, &sessValue{sess: sess, token: c.Value})
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type badTokenKey struct{}

// BadToken reports whether the request carried a bearer token that was refused.
func BadToken(ctx context.Context) bool { v, _ := ctx.Value(badTokenKey{}).(bool); return v }

// SetSessionCookie gives the browser a session token.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, trustProxy bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: web.IsTLS(r, trustProxy), SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request, trustProxy bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: web.IsTLS(r, trustProxy), SameSite: http.SameSiteLaxMode})
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
