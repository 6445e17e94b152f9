package auth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// TestIdentify: the middleware puts a policy subject in the context only for a full
// session or a valid bearer token; a refused token wins over a cookie beside it.
func TestIdentify(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mon := e.user(t, access.Monitoring, "identifica@amparo.test")
		worker := e.user(t, access.CaseWorker, "mitad@amparo.test")
		full := e.login(t, "198.51.100.30", mon.Email, goodPassword)
		half := e.login(t, "198.51.100.30", worker.Email, goodPassword)
		secret, _, err := e.svc.CreateToken(e.sys(), mon.ID, "cliente", time.Hour)
		if err != nil {
			t.Fatal(err)
		}

		h := e.svc.Identify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			sub, stage, user := "-", "-", "-"
			if s := access.From(ctx); s != nil {
				sub = s.UserID
			}
			if s, _ := auth.SessionFrom(ctx); s != nil {
				stage = s.Stage
			}
			if u := auth.UserFrom(ctx); u != nil {
				user = u.ID
			}
			fmt.Fprintf(w, "%s %s %s %v %s", sub, stage, user, auth.BadToken(ctx), reqinfo.From(ctx).UserID)
		}), failWith)
		run := func(path, cookie, authz string) string {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req = req.WithContext(reqinfo.With(req.Context(), &reqinfo.Info{IP: "198.51.100.30", Via: "web"}))
			if cookie != "" {
				req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: cookie})
			}
			if authz != "" {
				req.Header.Set("Authorization", authz)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Body.String()
		}
		m := mon.ID
		tests := []struct {
			name, path, cookie, authz, want string
		}{
			{"anonymous", "/", "", "", "- - - false "},
			{"full session", "/", full.Token, "", fmt.Sprintf("%s full %s false %s", m, m, m)},
			{"half session", "/", half.Token, "", fmt.Sprintf("- enrol - false %s", worker.ID)},
			{"unknown cookie", "/", "nope", "", "- - - false "},
			{"static files skip the session", "/static/app.css", full.Token, "", "- - - false "},
			{"bearer token", "/api/v1/me", "", "Bearer " + secret, fmt.Sprintf("%s - %s false %s", m, m, m)},
			{"bearer, any case", "/api/v1/me", "", "bearer " + secret, fmt.Sprintf("%s - %s false %s", m, m, m)},
			{"bad token beats a good cookie", "/api/v1/me", full.Token, "Bearer amp_nope", "- - - true "},
			{"other scheme", "/api/v1/me", "", "Basic YTpi", "- - - false "},
		}
		for _, tt := range tests {
			if got := run(tt.path, tt.cookie, tt.authz); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
			}
		}
	})
}

// failWith stands in for web.Error: it writes the code of the error Identify gave up on.
func failWith(w http.ResponseWriter, r *http.Request, err error) {
	fmt.Fprintf(w, "fail %s", errs.CodeOf(err))
}

// TestIdentifyDatabaseDown: when the database cannot be read, a request with a session
// cookie or a bearer token is not treated as anonymous or as a bad token: Identify hands
// it to the error writer as errs.Unavailable (503), with a Retry-After. Without
// credentials there is nothing to look up, and the request goes on.
func TestIdentifyDatabaseDown(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mon := e.user(t, access.Monitoring, "caida@amparo.test")
		full := e.login(t, "198.51.100.31", mon.Email, goodPassword)
		secret, _, err := e.svc.CreateToken(e.sys(), mon.ID, "cliente", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		down := e.downService(t)
		h := down.Identify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "passed")
		}), failWith)
		for _, tt := range []struct{ name, cookie, authz, want string }{
			{"session cookie", full.Token, "", "fail unavailable"},
			{"unknown cookie", "nope-nope", "", "fail unavailable"},
			{"bearer token", "", "Bearer " + secret, "fail unavailable"},
			{"malformed token (nothing to look up)", "", "Bearer xyz", "passed"},
			{"no credentials", "", "", "passed"},
		} {
			req := httptest.NewRequest(http.MethodGet, "/cases", nil)
			req = req.WithContext(reqinfo.With(req.Context(), &reqinfo.Info{IP: "198.51.100.31", Via: "web"}))
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tt.cookie})
			}
			if tt.authz != "" {
				req.Header.Set("Authorization", tt.authz)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
			}
			if strings.HasPrefix(tt.want, "fail") && rec.Header().Get("Retry-After") == "" {
				t.Errorf("%s: no Retry-After", tt.name)
			}
		}
	})
}
