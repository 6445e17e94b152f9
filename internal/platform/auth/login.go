package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
//
// Every failed attempt is counted (per account and per client address) and audited
// before the answer is given. When the database cannot be read or written, the attempt
// can be neither checked nor counted nor audited, so the answer is errs.Unavailable
// (503, "try again later"), whatever the password: a "wrong password" then would be a
// lie, and answering at all without counting would let guesses through uncounted.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	ip := reqinfo.From(ctx).IP
	blocked, err := s.ipBlocked(ctx, ip)
	if err != nil {
		return nil, unavailable("read throttle", err)
	}
	if blocked {
		_ = s.record(ctx, "auth.login_throttled", "", "", audit.OutcomeDenied, "")
		return nil, errs.New(errs.CodeTooMany, "error.too_many")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.st.user(ctx, "u.email = ?", email)
	if err != nil {
		if errs.CodeOf(err) != errs.CodeNotFound {
			return nil, unavailable("load user", err)
		}
		_, _ = CheckPassword(dummyHash, password)
		return nil, s.loginFailed(ctx, ip, nil, false, audit.OutcomeFailed, "unknown account")
	}
	now := s.Now().UTC()
	if !u.lockedUntil.IsZero() && now.Before(u.lockedUntil) {
		_, _ = CheckPassword(dummyHash, password)
		return nil, s.loginFailed(ctx, ip, u, false, audit.OutcomeDenied, "locked")
	}
	ok, err := CheckPassword(u.passwordHash, password)
	if err != nil {
		return nil, err
	}
	switch {
	case !ok:
		return nil, s.loginFailed(ctx, ip, u, true, audit.OutcomeFailed, "wrong password")
	case !u.Active:
		return nil, s.loginFailed(ctx, ip, u, false, audit.OutcomeFailed, "inactive")
	case !u.AgencyActive:
		return nil, s.loginFailed(ctx, ip, u, false, audit.OutcomeFailed, "agency inactive")
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
	if err != nil {
		return nil, unavailable("start session", err)
	}
	return sess, nil
}

// loginFailed counts a refused sign-in against the client address (and, with
// countAccount, against the account u), audits it (naming u when the email is known),
// and returns the one answer of every failure. When the count or the audit event
// cannot be written, the answer is errs.Unavailable.
func (s *Service) loginFailed(ctx context.Context, ip string, u *User, countAccount bool, outcome, reason string) error {
	if err := s.ipFailure(ctx, ip); err != nil {
		return unavailable("count failed sign-in", err)
	}
	if countAccount {
		if err := s.accountFailure(ctx, u); err != nil {
			return unavailable("count failed sign-in", err)
		}
	}
	recType, recID := "", ""
	if u != nil {
		recType, recID = "user", u.ID
	}
	if err := s.record(ctx, "auth.login_failed", recType, recID, outcome, reason); err != nil {
		return unavailable("audit failed sign-in", err)
	}
	return errLoginFailed()
}

// completeLogin marks a full sign-in.
func (s *Service) completeLogin(ctx context.Context, u *User) error {
	if err := s.st.exec(ctx, "last login", "UPDATE users SET last_login_at = ? WHERE id = ?", db.Now(), u.ID); err != nil {
		return err
	}
	return s.record(ctx, "auth.login", "user", u.ID, audit.OutcomeOK, "")
}

// accountFailure counts a failed attempt and locks the account after LockAfter.
func (s *Service) accountFailure(ctx context.Context, u *User) error {
	// One atomic increment: parallel guesses cannot overwrite each other's count.
	var n int
	if err := s.d.QueryRowWrite(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins",
		u.ID).Scan(&n); err != nil {
		return fmt.Errorf("auth: count failure: %w", err)
	}
	if n < s.LockAfter {
		return nil
	}
	until := s.Now().UTC().Add(s.LockFor)
	if err := s.st.exec(ctx, "lock account", "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?",
		db.FormatTime(until), u.ID); err != nil {
		return err
	}
	return s.record(ctx, "auth.lockout", "user", u.ID, audit.OutcomeDenied, "")
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

// ipBlocked reports whether the client address has used up its failures for the
// window. An error means the counters could not be read.
func (s *Service) ipBlocked(ctx context.Context, ip string) (bool, error) {
	if ip == "" {
		return false, nil
	}
	var n int
	var start string
	err := s.d.QueryRow(ctx, "SELECT failures, window_start FROM login_throttle WHERE key = ?", "ip:"+ip).Scan(&n, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("auth: read throttle: %w", err)
	}
	return n >= s.IPFailures && s.Now().Sub(parseTimeOrZero(start)) < s.IPWindow, nil
}

// ipFailure counts one failure against the client address.
func (s *Service) ipFailure(ctx context.Context, ip string) error {
	if ip == "" {
		return nil
	}
	now := s.Now().UTC()
	return s.d.InTx(ctx, func(ctx context.Context) error {
		var n int
		var start string
		err := s.d.QueryRow(ctx, "SELECT failures, window_start FROM login_throttle WHERE key = ?", "ip:"+ip).Scan(&n, &start)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return s.st.exec(ctx, "throttle", "INSERT INTO login_throttle (key, failures, window_start) VALUES (?, 1, ?)",
				"ip:"+ip, db.FormatTime(now))
		case err != nil:
			return fmt.Errorf("auth: read throttle: %w", err)
		case now.Sub(parseTimeOrZero(start)) >= s.IPWindow:
			return s.st.exec(ctx, "throttle", "UPDATE login_throttle SET failures = 1, window_start = ? WHERE key = ?",
				db.FormatTime(now), "ip:"+ip)
		}
		return s.st.exec(ctx, "throttle", "UPDATE login_throttle SET failures = failures + 1 WHERE key = ?", "ip:"+ip)
	})
}
