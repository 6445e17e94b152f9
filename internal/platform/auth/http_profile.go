package auth

import (
	"net/http"
	"strconv"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// Profile shows the user's own account: roles, second factor, sessions and tokens.
func (h *Handlers) Profile(w http.ResponseWriter, r *http.Request) error {
	return h.renderProfile(w, r, http.StatusOK, "", nil)
}

func (h *Handlers) renderProfile(w http.ResponseWriter, r *http.Request, status int, newToken string, formErr error) error {
	u := UserFrom(r.Context())
	if u == nil {
		return errs.Unauthenticated()
	}
	tokens, err := h.Svc.ListTokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	n, err := h.Svc.ActiveSessions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "profile.title")
	p.Data = map[string]any{"User": u, "Tokens": tokens, "Sessions": n, "NewToken": newToken,
		"Now": h.Svc.Now(), "CanTokens": access.From(r.Context()).Can(access.Create, access.Token),
		"RecoveryLeft": u.RecoveryCodesLeft()}
	if formErr != nil {
		return h.Web.RenderInvalid(w, r, "auth/profile", p, formErr)
	}
	return h.Web.Renderer.Render(w, status, "auth/profile", p)
}

// CreateToken makes an API token and shows it once.
func (h *Handlers) CreateToken(w http.ResponseWriter, r *http.Request) error {
	u := UserFrom(r.Context())
	// Out of range before multiplying: days × 24 h overflows for a large number and
	// could wrap round to a valid lifetime.
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || days < 1 || days > int(MaxTokenTTL/(24*time.Hour)) {
		days = -1
	}
	secret, _, err := h.Svc.CreateToken(r.Context(), u.ID, r.PostFormValue("name"), time.Duration(days)*24*time.Hour)
	if err != nil {
		if errs.CodeOf(err) == errs.CodeInvalid {
			return h.renderProfile(w, r, http.StatusUnprocessableEntity, "", err)
		}
		return err
	}
	return h.renderProfile(w, r, http.StatusOK, secret, nil)
}

// RevokeToken revokes one of the user's tokens.
func (h *Handlers) RevokeToken(w http.ResponseWriter, r *http.Request) error {
	u := UserFrom(r.Context())
	if err := h.Svc.RevokeToken(r.Context(), u.ID, r.PathValue("id")); err != nil {
		return err
	}
	web.Redirect(w, r, "/profile", "ok", "profile.token_revoked")
	return nil
}

// LogoutEverywhere ends all of the user's sessions, this one included, and revokes
// their API tokens too when the box (checked by default) stays checked.
func (h *Handlers) LogoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	u := UserFrom(r.Context())
	revoke := r.PostFormValue("revoke_tokens") == "1"
	if _, err := h.Svc.LogoutEverywhere(r.Context(), u.ID, revoke); err != nil {
		return err
	}
	h.clearCookie(w, r)
	msg := "login.signed_out_everywhere"
	if revoke {
		msg = "login.signed_out_everywhere_tokens"
	}
	web.Redirect(w, r, "/login", "ok", msg)
	return nil
}

// Language stores a signed-in user's language choice on their account too.
func (h *Handlers) Language(r *http.Request, lang string) {
	if u := UserFrom(r.Context()); u != nil {
		_ = h.Svc.SetLanguage(r.Context(), u.ID, lang)
	}
}

// meView is the body of GET /api/v1/me.
type meView struct {
	User        *User                        `json:"user"`
	Agency      *Agency                      `json:"agency"`
	Roles       []access.Role                `json:"roles"`
	Permissions map[string]map[string]string `json:"permissions"`
}

// Me answers GET /api/v1/me: the user, agency, roles and permissions with scopes.
func (h *Handlers) Me(w http.ResponseWriter, r *http.Request) error {
	u := UserFrom(r.Context())
	if u == nil {
		return errs.Unauthenticated()
	}
	ag, err := h.Svc.st.agency(r.Context(), "a.id = ?", u.AgencyID)
	if err != nil {
		return err
	}
	perms := map[string]map[string]string{}
	sub := u.Subject()
	for _, role := range u.Roles {
		for res, acts := range access.Matrix(role) {
			for act := range acts {
				if perms[string(res)] == nil {
					perms[string(res)] = map[string]string{}
				}
				perms[string(res)][string(act)] = sub.Scope(act, res).String()
			}
		}
	}
	return h.Web.JSON(w, http.StatusOK, meView{User: u, Agency: ag, Roles: u.Roles, Permissions: perms})
}
