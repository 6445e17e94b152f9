package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Session stages: what a signed-in browser may do next.
const (
	StageMFA      = "mfa"      // password checked, TOTP code needed
	StageEnrol    = "enrol"    // password checked, TOTP must be set up first
	StagePassword = "password" // must choose a new password before going on
	StageFull     = "full"     // signed in
)

// Session is a signed-in browser.
type Session struct {
	Token     string // only set right after creation or rotation; never stored
	Stage     string
	User      *User
	CreatedAt time.Time
	ExpiresAt time.Time
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// createSession stores a new session and returns it with its token.
func (s *Service) createSession(ctx context.Context, u *User, stage, ip string) (*Session, error) {
	tok := RandomToken(32)
	now := s.Now().UTC()
	exp := now.Add(s.MaxAge)
	if stage != StageFull {
		exp = now.Add(15 * time.Minute) // half-signed-in sessions are short
	}
	err := s.st.exec(ctx, "create session", `INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at, expires_at, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hashToken(tok), u.ID, stage, db.FormatTime(now), db.FormatTime(now),
		db.FormatTime(exp), ip)
	if err != nil {
		return nil, err
	}
	return &Session{Token: tok, Stage: stage, User: u, CreatedAt: now, ExpiresAt: exp}, nil
}

// rotate replaces a session by a new one at a new stage (new id, so a token seen before
// sign-in is worthless after it).
func (s *Service) rotate(ctx context.Context, oldToken string, u *User, stage, ip string) (*Session, error) {
	var sess *Session
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "drop session", "DELETE FROM sessions WHERE id_hash = ?", hashToken(oldToken)); err != nil {
			return err
		}
		var err error
		sess, err = s.createSession(ctx, u, stage, ip)
		return err
	})
	return sess, err
}

// Session returns the live session for a cookie token, enforcing the idle and absolute
// timeouts and that the user and their agency are still active. It refreshes the idle
// clock at most once a minute, to spare the database a write per request.
//
// No such session, an expired one or a disabled account is errs.Unauthenticated; a
// database that cannot be read is errs.Unavailable (503), never "sign in again".
func (s *Service) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, errs.Unauthenticated()
	}
	h := hashToken(token)
	var userID, stage, created, seen, expires string
	err := s.d.QueryRow(ctx, `SELECT user_id, stage, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = ?`, h).
		Scan(&userID, &stage, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.Unauthenticated()
	}
	if err != nil {
		return nil, unavailable("load session", err)
	}
	now := s.Now().UTC()
	lastSeen, exp := parseTimeOrZero(seen), parseTimeOrZero(expires)
	if now.After(exp) || now.Sub(lastSeen) > s.IdleTimeout {
		_ = s.st.exec(ctx, "expire session", "DELETE FROM sessions WHERE id_hash = ?", h)
		return nil, errs.Unauthenticated()
	}
	u, err := s.st.user(ctx, "u.id = ?", userID)
	if err != nil && errs.CodeOf(err) != errs.CodeNotFound {
		return nil, unavailable("load session user", err)
	}
	if err != nil || !u.canSignIn() {
		_ = s.st.exec(ctx, "drop session", "DELETE FROM sessions WHERE id_hash = ?", h)
		return nil, errs.Unauthenticated()
	}
	if now.Sub(lastSeen) > time.Minute {
		// A failed touch (a read-only database) must not refuse a read-only request.
		_ = s.st.exec(ctx, "touch session", "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", db.FormatTime(now), h)
	}
	return &Session{Stage: stage, User: u, CreatedAt: parseTimeOrZero(created), ExpiresAt: exp}, nil
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.d.InTx(ctx, func(ctx context.Context) error {
		var userID string
		err := s.d.QueryRow(ctx, "SELECT user_id FROM sessions WHERE id_hash = ?", hashToken(token)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.st.exec(ctx, "logout", "DELETE FROM sessions WHERE id_hash = ?", hashToken(token)); err != nil {
			return err
		}
		return s.record(ctx, "auth.logout", "user", userID, "ok", "")
	})
}

// LogoutEverywhere ends every session of the user (their own choice, or an admin's)
// and, with revokeTokens, revokes their live API tokens too.
func (s *Service) LogoutEverywhere(ctx context.Context, userID string, revokeTokens bool) (Ended, error) {
	if sub := access.From(ctx); sub == nil || (sub.UserID != userID && !sub.Can(access.Manage, access.User)) {
		return Ended{}, errs.Forbidden()
	}
	var ended Ended
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		var err error
		if ended, err = s.endAccess(ctx, revokeTokens, "id = ?", userID); err != nil {
			return err
		}
		return s.record(ctx, "auth.logout_all", "user", userID, "ok", ended.String())
	})
	return ended, err
}

// ActiveSessions counts a user's live sessions (for the profile page and tests).
func (s *Service) ActiveSessions(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE user_id = ? AND expires_at > ?", userID, db.Now()).Scan(&n)
	return n, err
}

// PurgeExpired deletes expired sessions and throttle rows, and wipes the expired
// copies of recovery codes kept for a download (run now and then).
func (s *Service) PurgeExpired(ctx context.Context) error {
	now := s.Now().UTC()
	if err := s.st.exec(ctx, "purge sessions", "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?",
		db.FormatTime(now), db.FormatTime(now.Add(-s.IdleTimeout))); err != nil {
		return err
	}
	if err := s.st.exec(ctx, "purge recovery copies", `UPDATE sessions SET recovery_copy = '', recovery_copy_until = ''
		WHERE recovery_copy <> '' AND recovery_copy_until < ?`, db.FormatTime(now)); err != nil {
		return err
	}
	return s.st.exec(ctx, "purge throttle", "DELETE FROM login_throttle WHERE window_start < ?",
		db.FormatTime(now.Add(-s.IPWindow)))
}
