package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// RecoveryCopyTTL is how long the copy of new recovery codes kept for a download lives.
const RecoveryCopyTTL = 10 * time.Minute

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func newRecoveryCodes() (codes []string, hashes string) {
	var hs []string
	for i := 0; i < 10; i++ {
		raw := strings.ToLower(b32.EncodeToString([]byte(RandomToken(6)))[:10])
		code := raw[:5] + "-" + raw[5:]
		codes = append(codes, code)
		hs = append(hs, recoveryHash(code))
	}
	return codes, strings.Join(hs, " ")
}

func recoveryHash(code string) string {
	c := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	sum := sha256.Sum256([]byte("amparo-recovery:" + c))
	return hex.EncodeToString(sum[:])
}

func consumeRecovery(stored, code string) (string, bool) {
	if len(strings.TrimSpace(code)) < 10 {
		return stored, false
	}
	h := recoveryHash(code)
	var keep []string
	found := false
	for _, x := range strings.Fields(stored) {
		if !found && subtle.ConstantTimeCompare([]byte(x), []byte(h)) == 1 {
			found = true
			continue
		}
		keep = append(keep, x)
	}
	return strings.Join(keep, " "), found
}

// RecoveryCodesLeft counts the unused recovery codes of a user.
func (u *User) RecoveryCodesLeft() int { return len(strings.Fields(u.recoveryCodes)) }

// keepRecoveryCopy stores new codes on the session identified by token, sealed with a
// key derived from that token, for one download within RecoveryCopyTTL. Runs inside the
// caller's transaction.
func (s *Service) keepRecoveryCopy(ctx context.Context, token string, codes []string) error {
	sealed, err := sealRecoveryCopy(token, codes)
	if err != nil {
		return err
	}
	return s.st.exec(ctx, "keep recovery copy", "UPDATE sessions SET recovery_copy = ?, recovery_copy_until = ? WHERE id_hash = ?",
		sealed, db.FormatTime(s.Now().UTC().Add(RecoveryCopyTTL)), hashToken(token))
}

// TakeRecoveryCopy returns the recovery codes just shown to this session, for a
// download, and wipes the copy: it works once, within RecoveryCopyTTL of the codes
// being shown, and only with the session's own cookie token (the key is derived from
// it). Afterwards, or for a session that has none, the answer is "mfa.codes_gone".
func (s *Service) TakeRecoveryCopy(ctx context.Context, sess *Session, token string) ([]string, error) {
	if sess == nil || (sess.Stage != StageFull && sess.Stage != StagePassword) {
		return nil, errs.Forbidden()
	}
	gone := errs.New(errs.CodeNotFound, "mfa.codes_gone")
	h := hashToken(token)
	var codes []string
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		var sealed, until string
		err := s.d.QueryRow(ctx, "SELECT recovery_copy, recovery_copy_until FROM sessions WHERE id_hash = ?", h).Scan(&sealed, &until)
		if errors.Is(err, sql.ErrNoRows) {
			return gone
		}
		if err != nil {
			return fmt.Errorf("auth: read recovery copy: %w", err)
		}
		// Wipe first, whatever happens next: an expired or unreadable copy goes too.
		res, err := s.d.Exec(ctx, "UPDATE sessions SET recovery_copy = '', recovery_copy_until = '' WHERE id_hash = ? AND recovery_copy = ?",
			h, sealed)
		if err != nil {
			return fmt.Errorf("auth: wipe recovery copy: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 || sealed == "" {
			return gone
		}
		if !s.Now().Before(parseTimeOrZero(until)) {
			return nil // committed: the expired copy is wiped; gone is returned below
		}
		if codes, err = openRecoveryCopy(token, sealed); err != nil {
			return fmt.Errorf("auth: open recovery copy: %w", err)
		}
		return s.record(ctx, "auth.recovery_codes_downloaded", "user", sess.User.ID, audit.OutcomeOK, "")
	})
	if err != nil {
		return nil, unavailable("take recovery copy", err)
	}
	if codes == nil {
		return nil, gone
	}
	return codes, nil
}

// RegenerateRecoveryCodes replaces a signed-in user's recovery codes after they type a
// current TOTP code: the old codes stop working, the new ones are returned to be shown
// once (and kept for one download, as at enrolment). A wrong code counts towards the
// account lock like one at sign-in. Audited.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, sess *Session, token, code string) ([]string, error) {
	if sess == nil || sess.Stage != StageFull {
		return nil, errs.Forbidden()
	}
	if !sess.User.TOTPEnabled {
		return nil, errs.Invalid(map[string]string{"code": "profile.recovery_no_totp"})
	}
	u := sess.User
	if s.IsLocked(u) {
		return nil, errs.Invalid(map[string]string{"code": "mfa.code_locked"})
	}
	secret, err := s.cipher.DecryptString(u.totpSecret, totpAAD(u.ID))
	if err != nil {
		return nil, fmt.Errorf("auth: decrypt totp: %w", err)
	}
	step, ok := s.checkCode(secret, code, u.totpLastStep)
	if !ok {
		return nil, s.codeFailed(ctx, u)
	}
	codes, hashes := newRecoveryCodes()
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		// Compare-and-set on the step: one code regenerates once.
		res, err := s.d.Exec(ctx, `UPDATE users SET totp_last_step = ?, recovery_codes = ?, failed_logins = 0
			WHERE id = ? AND totp_last_step < ?`, step, hashes, u.ID, step)
		if err != nil {
			return fmt.Errorf("auth: regenerate recovery codes: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Invalid(map[string]string{"code": "mfa.code_wrong"})
		}
		if err := s.keepRecoveryCopy(ctx, token, codes); err != nil {
			return err
		}
		return s.record(ctx, "auth.recovery_regenerated", "user", u.ID, audit.OutcomeOK, "")
	})
	if err != nil {
		return nil, unavailable("regenerate recovery codes", err)
	}
	return codes, nil
}

// codeFailed counts a wrong second-factor code towards the account lock, audits it and
// returns the field error; when neither can be written, errs.Unavailable.
func (s *Service) codeFailed(ctx context.Context, u *User) error {
	if err := s.accountFailure(ctx, u); err != nil {
		return unavailable("count wrong code", err)
	}
	if err := s.record(ctx, "auth.totp_failed", "user", u.ID, audit.OutcomeFailed, ""); err != nil {
		return unavailable("audit wrong code", err)
	}
	return errs.Invalid(map[string]string{"code": "mfa.code_wrong"})
}
