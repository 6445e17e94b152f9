package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// errLoginFailed is the one answer to every failed sign-in: wrong email, wrong
// password, locked or inactive account all read the same, so the form does not reveal
// whether an email exists.
func errLoginFailed() error { return errs.New(errs.CodeInvalid, "login.failed") }

// dummyHash makes an unknown email cost the same time as a wrong password.
var dummyHash, _ = HashPassword("amparo-dummy-password-for-timing")

// Login checks an email and password and starts a session at the right stage.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	ip := reqinfo.From(ctx).IP
	if s.ipBlocked(ctx, ip) {
		_ = s.record(ctx, "auth.login_throttled", "", "", audit.OutcomeDenied, "")
		return nil, errs.New(errs.CodeTooMany, "error.too_many")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.st.user(ctx, "u.email = ?", email)
	if err != nil {
		if errs.CodeOf(err) != errs.CodeNotFound {
			return nil, err
		}
		_, _ = CheckPassword(dummyHash, password)
		s.ipFailure(ctx, ip)
		_ = s.record(ctx, "auth.login_failed", "", "", audit.OutcomeFailed, "unknown account")
		return nil, errLoginFailed()
	}
	now := s.Now().UTC()
	if !u.lockedUntil.IsZero() && now.Before(u.lockedUntil) {
		_, _ = CheckPassword(dummyHash, password)
		s.ipFailure(ctx, ip)
		_ = s.record(ctx, "auth.login_failed", "user", u.ID, audit.OutcomeDenied, "locked")
		return nil, errLoginFailed()
	}
	ok, err := CheckPassword(u.passwordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok || !u.Active {
		s.ipFailure(ctx, ip)
		if !ok {
			s.accountFailure(ctx, u)
		}
		reason := "wrong password"
		if ok {
			reason = "inactive"
		}
		_ = s.record(ctx, "auth.login_failed", "user", u.ID, audit.OutcomeFailed, reason)
		return nil, errLoginFailed()
	}
	stage := StageFull
	switch {
	case u.TOTPEnabled:
		stage = StageMFA
	case u.NeedsSecondFactor():
		stage = StageEnrol
	case u.MustChangePassword:
		stage = StagePassword
	}
	var sess *Session
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		// With a second factor still to come the count stays, so that signing in again
		// between wrong codes does not wipe it; VerifyMFA resets it on success.
		if stage != StageMFA {
			if err := s.st.exec(ctx, "reset failures", "UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?", u.ID); err != nil {
				return err
			}
		}
		var err error
		if sess, err = s.createSession(ctx, u, stage, ip); err != nil {
			return err
		}
		if stage == StageFull {
			return s.completeLogin(ctx, u)
		}
		return s.record(ctx, "auth.password_ok", "user", u.ID, audit.OutcomeOK, "next: "+stage)
	})
	return sess, err
}

// completeLogin marks a full sign-in.
func (s *Service) completeLogin(ctx context.Context, u *User) error {
	if err := s.st.exec(ctx, "last login", "UPDATE users SET last_login_at = ? WHERE id = ?", db.Now(), u.ID); err != nil {
		return err
	}
	return s.record(ctx, "auth.login", "user", u.ID, audit.OutcomeOK, "")
}

// accountFailure counts a failed attempt and locks the account after LockAfter.
func (s *Service) accountFailure(ctx context.Context, u *User) {
	// One atomic increment: parallel guesses cannot overwrite each other's count.
	var n int
	if err := s.d.QueryRowWrite(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins",
		u.ID).Scan(&n); err != nil {
		return
	}
	if n >= s.LockAfter {
		until := s.Now().UTC().Add(s.LockFor)
		_ = s.st.exec(ctx, "lock account", "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?",
			db.FormatTime(until), u.ID)
		_ = s.record(ctx, "auth.lockout", "user", u.ID, audit.OutcomeDenied, "")
	}
}

// IsLocked reports whether the user's account is locked at the service's time.
func (s *Service) IsLocked(u *User) bool {
	return !u.lockedUntil.IsZero() && s.Now().Before(u.lockedUntil)
}

// Unlock clears a lock (administrators).
func (s *Service) Unlock(ctx context.Context, userID string) error {
	if err := access.From(ctx).Require(access.Manage, access.User); err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "unlock", "UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?", userID); err != nil {
			return err
		}
		return s.record(ctx, "user.unlock", "user", userID, audit.OutcomeOK, "")
	})
}

func (s *Service) ipBlocked(ctx context.Context, ip string) bool {
	if ip == "" {
		return false
	}
	var n int
	var start string
	err := s.d.QueryRow(ctx, "SELECT failures, window_start FROM login_throttle WHERE key = ?", "ip:"+ip).Scan(&n, &start)
	if err != nil {
		return false
	}
	return n >= s.IPFailures && s.Now().Sub(parseTimeOrZero(start)) < s.IPWindow
}

func (s *Service) ipFailure(ctx context.Context, ip string) {
	if ip == "" {
		return
	}
	now := s.Now().UTC()
	_ = s.d.InTx(ctx, func(ctx context.Context) error {
		var n int
		var start string
		err := s.d.QueryRow(ctx, "SELECT failures, window_start FROM login_throttle WHERE key = ?", "ip:"+ip).Scan(&n, &start)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return s.st.exec(ctx, "throttle", "INSERT INTO login_throttle (key, failures, window_start) VALUES (?, 1, ?)",
				"ip:"+ip, db.FormatTime(now))
		case err != nil:
			return err
		case now.Sub(parseTimeOrZero(start)) >= s.IPWindow:
			return s.st.exec(ctx, "throttle", "UPDATE login_throttle SET failures = 1, window_start = ? WHERE key = ?",
				db.FormatTime(now), "ip:"+ip)
		}
		return s.st.exec(ctx, "throttle", "UPDATE login_throttle SET failures = failures + 1 WHERE key = ?", "ip:"+ip)
	})
}
