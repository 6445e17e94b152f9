package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// ResetTTL is how long an admin-issued password reset link works.
const ResetTTL = 24 * time.Hour

// ChangePassword sets a new password for the signed-in user. The current password is
// required, except at the forced-change stage right after sign-in. Every other session
// of the user ends, and with revokeTokens their API tokens are revoked too; the
// returned session replaces the current one.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, oldToken, current, next string, revokeTokens bool) (*Session, error) {
	u := sess.User
	f := errs.Fields{}
	if sess.Stage != StagePassword {
		ok, err := CheckPassword(u.passwordHash, current)
		if err != nil {
			return nil, err
		}
		if !ok {
			f.Add("current", "password.current_wrong")
		}
	}
	if p := PasswordProblem(next, u.Email, u.Name); p != "" {
		f.Add("new", p)
	} else if same, _ := CheckPassword(u.passwordHash, next); same {
		f.Add("new", "password.same")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return nil, err
	}
	var out *Session
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "set password", `UPDATE users SET password_hash = ?, password_changed_at = ?,
			must_change_password = 0, updated_at = ? WHERE id = ?`, hash, db.Now(), db.Now(), u.ID); err != nil {
			return err
		}
		ended, err := s.endAccess(ctx, revokeTokens, "id = ?", u.ID)
		if err != nil {
			return err
		}
		if err := s.record(ctx, "auth.password_change", "user", u.ID, audit.OutcomeOK, ended.String()); err != nil {
			return err
		}
		u.MustChangePassword = false
		out, err = s.createSession(ctx, u, StageFull, reqinfo.From(ctx).IP)
		if err != nil {
			return err
		}
		if sess.Stage == StagePassword {
			return s.completeLogin(ctx, u)
		}
		return nil
	})
	return out, err
}

// IssueReset creates a one-time reset token for a user (administrators). The token is
// shown to the admin once as a link; only its hash is kept.
func (s *Service) IssueReset(ctx context.Context, userID string) (string, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Manage, access.User); err != nil {
		return "", err
	}
	if _, err := s.st.user(ctx, "u.id = ?", userID); err != nil {
		return "", err
	}
	tok := RandomToken(32)
	now := s.Now().UTC()
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "drop old resets", "DELETE FROM password_resets WHERE user_id = ?", userID); err != nil {
			return err
		}
		if err := s.st.exec(ctx, "issue reset", `INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, hashToken(tok), userID, sub.UserID, db.FormatTime(now), db.FormatTime(now.Add(ResetTTL))); err != nil {
			return err
		}
		return s.record(ctx, "user.password_reset_issued", "user", userID, audit.OutcomeOK, "")
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// CheckReset reports whether a reset token is valid (for showing the form).
func (s *Service) CheckReset(ctx context.Context, token string) error {
	_, err := s.resetUser(ctx, token)
	return err
}

func (s *Service) resetUser(ctx context.Context, token string) (*User, error) {
	var userID, expires, used string
	err := s.d.QueryRow(ctx, "SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = ?", hashToken(token)).
		Scan(&userID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (used != "" || s.Now().After(parseTimeOrZero(expires)))) {
		return nil, errs.New(errs.CodeNotFound, "password.reset_invalid")
	}
	if err != nil {
		return nil, unavailable("load reset link", err)
	}
	u, err := s.st.user(ctx, "u.id = ?", userID)
	if err != nil && errs.CodeOf(err) != errs.CodeNotFound {
		// The database did not answer: the link may well be good, so do not call it invalid.
		return nil, unavailable("load reset user", err)
	}
	if err != nil || !u.canSignIn() {
		return nil, errs.New(errs.CodeNotFound, "password.reset_invalid")
	}
	return u, nil
}

// ResetPassword sets a new password with a reset token, unlocks the account and ends
// every session. The user then signs in as usual (with their second factor).
func (s *Service) ResetPassword(ctx context.Context, token, next string) error {
	u, err := s.resetUser(ctx, token)
	if err != nil {
		return err
	}
	if p := PasswordProblem(next, u.Email, u.Name); p != "" {
		return errs.Invalid(map[string]string{"new": p})
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		res, err := s.d.Exec(ctx, "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at = ''", db.Now(), hashToken(token))
		if err != nil {
			return fmt.Errorf("auth: use reset: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.CodeNotFound, "password.reset_invalid") // used by a request a moment ago
		}
		if err := s.st.exec(ctx, "set password", `UPDATE users SET password_hash = ?, password_changed_at = ?,
			must_change_password = 0, failed_logins = 0, locked_until = '', updated_at = ? WHERE id = ?`,
			hash, db.Now(), db.Now(), u.ID); err != nil {
			return err
		}
		if err := s.st.exec(ctx, "end sessions", "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
			return err
		}
		return s.record(ctx, "auth.password_reset", "user", u.ID, audit.OutcomeOK, "")
	})
}

// SetPasswordSystem sets a password without checks of the current one (CLI and demo
// only: requires the system subject).
func (s *Service) SetPasswordSystem(ctx context.Context, userID, pw string, mustChange bool) error {
	if sub := access.From(ctx); sub == nil || sub.UserID != "system" {
		return errs.Forbidden()
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "set password", `UPDATE users SET password_hash = ?, password_changed_at = ?,
			must_change_password = ?, updated_at = ? WHERE id = ?`, hash, db.Now(), boolInt(mustChange), db.Now(), userID); err != nil {
			return err
		}
		return s.record(ctx, "auth.password_set", "user", userID, audit.OutcomeOK, "by system")
	})
}
