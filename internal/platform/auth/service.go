package auth

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Cipher encrypts secrets kept for users (the TOTP seed). platform/secure provides it.
type Cipher interface {
	EncryptString(plain, aad string) (string, error)
	DecryptString(ciphertext, aad string) (string, error)
}

// Service is the identity service: agencies, users, sessions, second factor, tokens.
type Service struct {
	d      *db.DB
	st     *store
	audit  *audit.Log
	cipher Cipher

	IdleTimeout time.Duration // session idle timeout
	MaxAge      time.Duration // absolute session lifetime
	LockAfter   int           // failed attempts before an account is locked
	LockFor     time.Duration // how long a lock lasts
	IPFailures  int           // failed attempts per client address per IPWindow
	IPWindow    time.Duration
	Issuer      string // shown in authenticator apps
	Now         func() time.Time
	Mail        *Mailer // optional: sends reset links
}

// NewService builds the identity service with the usual defaults.
func NewService(d *db.DB, log *audit.Log, c Cipher) *Service {
	return &Service{d: d, st: &store{d: d}, audit: log, cipher: c,
		IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour, LockAfter: 5, LockFor: 15 * time.Minute,
		IPFailures: 30, IPWindow: 15 * time.Minute, Issuer: "Amparo", Now: time.Now}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Service) record(ctx context.Context, action, recType, recID, outcome, detail string) error {
	return s.audit.Record(ctx, audit.Event{Action: action, RecordType: recType, RecordID: recID,
		Outcome: outcome, Detail: detail})
}

func clampPage(limit, offset int) (int, int) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// changed lists the names of changed fields (never their values) for the audit detail.
func changed(m map[string]bool) string {
	var out []string
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return ""
	}
	return "changed: " + strings.Join(out, ",")
}

// CreateUser adds a user. With an empty password one is generated and returned, and the
// user must change it at first sign-in.
func (s *Service) CreateUser(ctx context.Context, u *User, password string) (*User, string, error) {
	if err := access.From(ctx).Require(access.Create, access.User); err != nil {
		return nil, "", err
	}
	u.Normalize()
	f := errs.Fields{}
	if err := u.Validate(); err != nil {
		e, _ := errs.As(err)
		for k, v := range e.Fields {
			f.Add(k, v)
		}
	}
	generated := ""
	if password == "" {
		password, generated = GeneratePassword(), "yes"
		u.MustChangePassword = true
	} else if p := PasswordProblem(password, u.Email, u.Name); p != "" {
		f.Add("password", p)
	}
	if u.AgencyID != "" {
		if _, err := s.st.agency(ctx, "a.id = ?", u.AgencyID); errs.CodeOf(err) == errs.CodeNotFound {
			f.Add("agency", "validation.agency_unknown")
		} else if err != nil {
			return nil, "", fmt.Errorf("auth: check agency: %w", err)
		}
	}
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	u.ID, u.passwordHash, u.Active = newID(), hash, true
	u.CreatedAt = s.Now().UTC()
	u.UpdatedAt = u.CreatedAt
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.insertUser(ctx, u); err != nil {
			return err
		}
		return s.record(ctx, "user.create", "user", u.ID, audit.OutcomeOK, "roles: "+rolesString(u.Roles))
	})
	if err != nil {
		return nil, "", err
	}
	if generated == "" {
		return u, "", nil
	}
	return u, password, nil
}

func rolesString(rs []access.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// User returns one user by id.
func (s *Service) User(ctx context.Context, id string) (*User, error) {
	sub := access.From(ctx)
	if sub == nil || (sub.UserID != id && !sub.Can(access.View, access.User)) {
		return nil, errs.NotFound()
	}
	return s.st.user(ctx, "u.id = ?", id)
}

// UserByEmail returns one user by email (administrators and the CLI).
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	if err := access.From(ctx).Require(access.View, access.User); err != nil {
		return nil, err
	}
	return s.st.user(ctx, "u.email = ?", strings.ToLower(strings.TrimSpace(email)))
}

// ListUsers returns a page of users and the total.
func (s *Service) ListUsers(ctx context.Context, f UserFilter) ([]*User, int, error) {
	if err := access.From(ctx).Require(access.View, access.User); err != nil {
		return nil, 0, err
	}
	f.Limit, f.Offset = clampPage(f.Limit, f.Offset)
	return s.st.listUsers(ctx, f)
}

// UpdateUser changes a user's profile, roles, agency, jurisdiction or active flag.
// Deactivating ends the user's sessions at once and revokes their API tokens; changing
// roles or agency ends the sessions too, so the new permissions apply from the next
// request.
func (s *Service) UpdateUser(ctx context.Context, u *User) (*User, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Update, access.User); err != nil {
		return nil, err
	}
	cur, err := s.st.user(ctx, "u.id = ?", u.ID)
	if err != nil {
		return nil, err
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.st.agency(ctx, "a.id = ?", u.AgencyID); errs.CodeOf(err) == errs.CodeNotFound {
		return nil, errs.Invalid(map[string]string{"agency": "validation.agency_unknown"})
	} else if err != nil {
		return nil, fmt.Errorf("auth: check agency: %w", err)
	}
	if sub.UserID == u.ID && (!u.Active || !hasRole(u.Roles, access.Admin)) && hasRole(cur.Roles, access.Admin) {
		return nil, errs.Invalid(map[string]string{"roles": "validation.cannot_demote_self"})
	}
	rolesChanged := rolesString(cur.Roles) != rolesString(u.Roles)
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.updateUserProfile(ctx, u); err != nil {
			return err
		}
		// Deactivation also revokes the user's API tokens for good (SetUserActive).
		if !u.Active || rolesChanged || cur.AgencyID != u.AgencyID {
			if _, err := s.endAccess(ctx, cur.Active && !u.Active, "id = ?", u.ID); err != nil {
				return err
			}
		}
		action := "user.update"
		if cur.Active && !u.Active {
			action = "user.deactivate"
		} else if !cur.Active && u.Active {
			action = "user.reactivate"
		}
		detail := changed(map[string]bool{"email": cur.Email != u.Email, "name": cur.Name != u.Name,
			"agency": cur.AgencyID != u.AgencyID, "roles": rolesChanged, "lang": cur.Lang != u.Lang,
			"jurisdiction": cur.JurisdictionLevel+cur.JurisdictionCode != u.JurisdictionLevel+u.JurisdictionCode,
			"active":       cur.Active != u.Active})
		if rolesChanged {
			detail += "; roles: " + rolesString(u.Roles)
		}
		return s.record(ctx, action, "user", u.ID, audit.OutcomeOK, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.st.user(ctx, "u.id = ?", u.ID)
}

func hasRole(rs []access.Role, r access.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// SetLanguage stores the user's own language choice.
func (s *Service) SetLanguage(ctx context.Context, userID, lang string) error {
	sub := access.From(ctx)
	if sub == nil || sub.UserID != userID {
		return errs.Forbidden()
	}
	return s.st.exec(ctx, "set language", "UPDATE users SET lang = ?, updated_at = ? WHERE id = ?", lang, db.Now(), userID)
}

var errNoCipher = fmt.Errorf("auth: no cipher configured")
