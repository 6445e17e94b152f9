package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// TokenPrefix starts every API token, so leaked tokens are easy to recognise.
const TokenPrefix = "amp_"

// MaxTokenTTL is the longest lifetime a token may have.
const MaxTokenTTL = 365 * 24 * time.Hour

// Token origins, as the profile lists them.
const (
	OriginSelf     = "self"     // the user made it on their profile
	OriginOperator = "operator" // an operator issued it ("amparo token create")
)

// Token is an API token as listed (never the secret itself).
type Token struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"`
	Origin     string    `json:"origin,omitempty"`      // OriginSelf, OriginOperator, or "" when not recorded
	CreatedVia string    `json:"created_via,omitempty"` // "web", "api", "cli"
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at,omitempty"`
	RevokedAt  time.Time `json:"revoked_at,omitempty"`
}

// Live reports whether the token can still be used at t.
func (t *Token) Live(now time.Time) bool { return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt) }

// CreateToken makes a token for userID (the user themself in a signed-in browser, or
// the system for the CLI) and returns its secret once; a request authenticated by a
// token cannot make one. A token the system issues is recorded with its origin
// (the operator, and the channel: "cli" for "amparo token create"), audited as
// "token.issue" naming the user, and listed on the user's profile where they may
// revoke it.
func (s *Service) CreateToken(ctx context.Context, userID, name string, ttl time.Duration) (string, *Token, error) {
	sub := access.From(ctx)
	operator := sub != nil && sub.UserID == "system"
	if sub == nil || (sub.UserID != userID && !operator) {
		return "", nil, errs.Forbidden()
	}
	if !operator {
		if err := sub.Require(access.Create, access.Token); err != nil {
			return "", nil, err
		}
		// A token makes no tokens: a leaked one could otherwise leave behind a copy that
		// lives a year after it is revoked. Tokens are made in a signed-in browser.
		if reqinfo.From(ctx).TokenID != "" {
			return "", nil, errs.New(errs.CodeForbidden, "profile.token_needs_session")
		}
	}
	name = strings.TrimSpace(name)
	f := errs.Fields{}
	if name == "" {
		f.Add("name", "validation.required")
	} else if utf8.RuneCountInString(name) > 100 {
		f.Add("name", "validation.too_long")
	}
	if ttl <= 0 || ttl > MaxTokenTTL {
		f.Add("expires", "validation.token_ttl")
	}
	if err := f.Err(); err != nil {
		return "", nil, err
	}
	u, err := s.st.user(ctx, "u.id = ?", userID)
	if err != nil {
		return "", nil, err
	}
	if !u.canSignIn() {
		return "", nil, errs.Invalid(map[string]string{"email": "validation.user_inactive"})
	}
	secret := TokenPrefix + RandomToken(32)
	now := s.Now().UTC()
	via := reqinfo.From(ctx).Via
	t := &Token{ID: newID(), UserID: userID, Name: name, Prefix: secret[:len(TokenPrefix)+6],
		Origin: OriginSelf, CreatedVia: via, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	action, detail := "token.create", ""
	if operator {
		t.Origin, action = OriginOperator, "token.issue"
		detail = "for user " + userID + " by the operator"
		if via == "cli" {
			detail += " on the command line"
		}
	}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.stillActive(ctx, userID); err != nil {
			return err
		}
		if err := s.st.exec(ctx, "create token", `INSERT INTO api_tokens (id, user_id, name, token_hash, prefix,
			created_at, expires_at, created_by, created_via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, userID, name,
			hashToken(secret), t.Prefix, db.FormatTime(now), db.FormatTime(t.ExpiresAt), sub.UserID, via); err != nil {
			return err
		}
		return s.record(ctx, action, "token", t.ID, audit.OutcomeOK, detail)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// stillActive checks, inside the caller's transaction, that the user and their agency
// are active, and holds them so (PostgreSQL: FOR SHARE; SQLite: the transaction holds
// the write lock). A deactivation in progress has locked the row it changes and revokes
// the tokens it sees: without this, a token made at that moment would miss the
// revocation and work again after a reactivation.
func (s *Service) stillActive(ctx context.Context, userID string) error {
	q := `SELECT u.active, a.active FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = ?`
	if s.d.Dialect == db.Postgres {
		q += ` FOR SHARE OF u, a`
	}
	var user, agency int
	if err := s.d.QueryRowWrite(ctx, q, userID).Scan(&user, &agency); err != nil {
		return fmt.Errorf("auth: check account: %w", err)
	}
	if user != 1 || agency != 1 {
		return errs.Invalid(map[string]string{"email": "validation.user_inactive"})
	}
	return nil
}

// ListTokens lists a user's tokens (their own only), those an operator issued for
// them included.
func (s *Service) ListTokens(ctx context.Context, userID string) ([]*Token, error) {
	sub := access.From(ctx)
	if sub == nil || sub.UserID != userID {
		return nil, errs.Forbidden()
	}
	rows, err := s.d.Query(ctx, `SELECT id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at,
		created_by, created_via FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	defer rows.Close()
	var out []*Token
	for rows.Next() {
		var t Token
		var c, e, l, r, by string
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &c, &e, &l, &r, &by, &t.CreatedVia); err != nil {
			return nil, fmt.Errorf("auth: list tokens: %w", err)
		}
		t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = parseTimeOrZero(c), parseTimeOrZero(e), parseTimeOrZero(l), parseTimeOrZero(r)
		switch by {
		case "":
		case t.UserID:
			t.Origin = OriginSelf
		default:
			t.Origin = OriginOperator
		}
		out = append(out, &t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of the user's own tokens.
func (s *Service) RevokeToken(ctx context.Context, userID, tokenID string) error {
	sub := access.From(ctx)
	if sub == nil || sub.UserID != userID {
		return errs.Forbidden()
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		res, err := s.d.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at = ''",
			db.FormatTime(s.Now()), tokenID, userID)
		if err != nil {
			return fmt.Errorf("auth: revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound()
		}
		return s.record(ctx, "token.revoke", "token", tokenID, audit.OutcomeOK, "")
	})
}

// revokeUserTokens revokes every live token of the users that userWhere selects (a
// condition on the users table) inside the caller's transaction, and returns how many.
// Revocation is for good: reactivating the account does not bring them back.
func (s *Service) revokeUserTokens(ctx context.Context, userWhere string, args ...any) (int64, error) {
	res, err := s.d.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE revoked_at = '' AND user_id IN (SELECT id FROM users WHERE "+
		userWhere+")", append([]any{db.FormatTime(s.Now())}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("auth: revoke tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// AuthenticateToken returns the user of a bearer token. Expired, revoked or unknown
// tokens are refused, and so are the tokens of a user who is deactivated, locked out
// or whose agency is deactivated; every use is audited. A database that cannot be read
// is errs.Unavailable, not a refused token.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*User, string, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return nil, "", errs.Unauthenticated()
	}
	var id, userID, expires, revoked, lastUsed string
	err := s.d.QueryRow(ctx, "SELECT id, user_id, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?",
		hashToken(secret)).Scan(&id, &userID, &expires, &revoked, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", errs.Unauthenticated()
	}
	if err != nil {
		return nil, "", unavailable("load token", err)
	}
	now := s.Now().UTC()
	deny := func(reason string) (*User, string, error) {
		_ = s.record(ctx, "token.use", "token", id, audit.OutcomeDenied, reason)
		return nil, "", errs.Unauthenticated()
	}
	if revoked != "" || !now.Before(parseTimeOrZero(expires)) {
		return deny("expired or revoked")
	}
	u, err := s.st.user(ctx, "u.id = ?", userID)
	switch {
	case errs.CodeOf(err) == errs.CodeNotFound:
		return deny("user gone")
	case err != nil:
		return nil, "", unavailable("load token user", err)
	case !u.Active:
		return deny("user inactive")
	case !u.AgencyActive:
		return deny("agency inactive")
	case s.IsLocked(u):
		return deny("user locked")
	}
	info := reqinfo.From(ctx)
	info.UserID, info.AgencyID, info.TokenID = u.ID, u.AgencyID, id
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if now.Sub(parseTimeOrZero(lastUsed)) > time.Minute {
			if err := s.st.exec(ctx, "token used", "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", db.FormatTime(now), id); err != nil {
				return err
			}
		}
		return s.record(ctx, "token.use", "token", id, audit.OutcomeOK, "")
	})
	if err != nil {
		return nil, "", unavailable("record token use", err)
	}
	return u, id, nil
}
