package auth

import (
	"bytes"
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

var totpOpts = totp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is what the TOTP set-up page shows.
type Enrolment struct {
	Secret string // base32, for typing into an app by hand
	URL    string // otpauth:// URL
	QRPNG  []byte // the URL as a QR code, rendered on the server
}

func totpAAD(userID string) string { return "user:" + userID + ":totp" }

// StartEnrolment creates (or shows again) the pending TOTP secret of the session's user.
func (s *Service) StartEnrolment(ctx context.Context, sess *Session) (*Enrolment, error) {
	if s.cipher == nil {
		return nil, errNoCipher
	}
	u := sess.User
	if sess.Stage != StageEnrol && !(sess.Stage == StageFull && !u.TOTPEnabled) {
		return nil, errs.Forbidden()
	}
	var secret string
	if u.totpSecret != "" && !u.TOTPEnabled {
		plain, err := s.cipher.DecryptString(u.totpSecret, totpAAD(u.ID))
		if err == nil {
			secret = plain
		}
	}
	if secret == "" {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: s.Issuer, AccountName: u.Email, SecretSize: 20})
		if err != nil {
			return nil, fmt.Errorf("auth: totp secret: %w", err)
		}
		secret = key.Secret()
		enc, err := s.cipher.EncryptString(secret, totpAAD(u.ID))
		if err != nil {
			return nil, err
		}
		if err := s.st.exec(ctx, "store totp", "UPDATE users SET totp_secret = ?, totp_enabled = 0 WHERE id = ?", enc, u.ID); err != nil {
			return nil, err
		}
		u.totpSecret = enc
	}
	url := fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=30",
		pathEscape(s.Issuer), pathEscape(u.Email), secret, pathEscape(s.Issuer))
	key, err := otp.NewKeyFromURL(url)
	if err != nil {
		return nil, fmt.Errorf("auth: totp url: %w", err)
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return nil, fmt.Errorf("auth: qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &Enrolment{Secret: secret, URL: url, QRPNG: buf.Bytes()}, nil
}

func pathEscape(s string) string {
	r := strings.NewReplacer(" ", "%20", ":", "%3A", "@", "%40", "&", "%26", "?", "%3F", "#", "%23", "/", "%2F")
	return r.Replace(s)
}

// checkCode validates a 6-digit code against secret, allowing one step of clock skew
// each way and refusing any step at or before the last one used (no replay).
func (s *Service) checkCode(secret, code string, lastStep int64) (int64, bool) {
	code = strings.TrimSpace(strings.ReplaceAll(code, " ", ""))
	if len(code) != 6 {
		return 0, false
	}
	now := s.Now().Unix() / 30
	for _, step := range []int64{now - 1, now, now + 1} {
		if step <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// ConfirmEnrolment turns the pending secret on when the code from the app matches, and
// returns the new full session and ten recovery codes (shown once).
func (s *Service) ConfirmEnrolment(ctx context.Context, sess *Session, oldToken, code string) (*Session, []string, error) {
	u := sess.User
	if u.totpSecret == "" || u.TOTPEnabled {
		return nil, nil, errs.Forbidden()
	}
	secret, err := s.cipher.DecryptString(u.totpSecret, totpAAD(u.ID))
	if err != nil {
		return nil, nil, fmt.Errorf("auth: decrypt totp: %w", err)
	}
	step, ok := s.checkCode(secret, code, u.totpLastStep)
	if !ok {
		return nil, nil, errs.Invalid(map[string]string{"code": "mfa.code_wrong"})
	}
	codes, hashes := newRecoveryCodes()
	stage := StageFull
	if u.MustChangePassword {
		stage = StagePassword
	}
	var out *Session
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "enable totp", "UPDATE users SET totp_enabled = 1, totp_last_step = ?, recovery_codes = ? WHERE id = ?",
			step, hashes, u.ID); err != nil {
			return err
		}
		if err := s.record(ctx, "auth.totp_enrol", "user", u.ID, audit.OutcomeOK, ""); err != nil {
			return err
		}
		var err error
		if out, err = s.rotate(ctx, oldToken, u, stage, reqinfo.From(ctx).IP); err != nil {
			return err
		}
		if err := s.keepRecoveryCopy(ctx, out.Token, codes); err != nil {
			return err
		}
		if stage == StageFull {
			return s.completeLogin(ctx, u)
		}
		return nil
	})
	if err != nil {
		return nil, nil, unavailable("confirm enrolment", err)
	}
	return out, codes, nil
}

// VerifyMFA checks a TOTP or recovery code for a session at the MFA stage and returns
// the rotated session. Wrong codes count towards the account lock.
func (s *Service) VerifyMFA(ctx context.Context, sess *Session, oldToken, code string) (*Session, error) {
	u := sess.User
	if sess.Stage != StageMFA || !u.TOTPEnabled {
		return nil, errs.Forbidden()
	}
	if s.IsLocked(u) {
		return nil, errLoginFailed()
	}
	secret, err := s.cipher.DecryptString(u.totpSecret, totpAAD(u.ID))
	if err != nil {
		return nil, fmt.Errorf("auth: decrypt totp: %w", err)
	}
	step, ok := s.checkCode(secret, code, u.totpLastStep)
	usedRecovery := false
	remaining := u.recoveryCodes
	if !ok {
		remaining, usedRecovery = consumeRecovery(u.recoveryCodes, code)
	}
	if !ok && !usedRecovery {
		return nil, s.codeFailed(ctx, u)
	}
	stage := StageFull
	if u.MustChangePassword {
		stage = StagePassword
	}
	var out *Session
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		// Compare-and-set: a code (or recovery code) presented twice at once opens
		// exactly one session.
		var res sql.Result
		var err error
		if ok {
			res, err = s.d.Exec(ctx, "UPDATE users SET totp_last_step = ?, failed_logins = 0 WHERE id = ? AND totp_last_step < ?",
				step, u.ID, step)
		} else {
			res, err = s.d.Exec(ctx, "UPDATE users SET recovery_codes = ?, failed_logins = 0 WHERE id = ? AND recovery_codes = ?",
				remaining, u.ID, u.recoveryCodes)
		}
		if err != nil {
			return fmt.Errorf("auth: use code: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Invalid(map[string]string{"code": "mfa.code_wrong"})
		}
		if !ok {
			if err := s.record(ctx, "auth.recovery_code_used", "user", u.ID, audit.OutcomeOK, ""); err != nil {
				return err
			}
		}
		if out, err = s.rotate(ctx, oldToken, u, stage, reqinfo.From(ctx).IP); err != nil {
			return err
		}
		if stage == StageFull {
			return s.completeLogin(ctx, u)
		}
		return nil
	})
	if err != nil {
		return nil, unavailable("verify code", err)
	}
	return out, nil
}

// ResetSecondFactor removes a user's TOTP so they enrol again at next sign-in, and ends
// their sessions (administrators; audited).
func (s *Service) ResetSecondFactor(ctx context.Context, userID string) error {
	if err := access.From(ctx).Require(access.Manage, access.User); err != nil {
		return err
	}
	if _, err := s.st.user(ctx, "u.id = ?", userID); err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "reset totp", `UPDATE users SET totp_secret = '', totp_enabled = 0, totp_last_step = 0,
			recovery_codes = '' WHERE id = ?`, userID); err != nil {
			return err
		}
		if err := s.st.exec(ctx, "end sessions", "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return err
		}
		return s.record(ctx, "user.totp_reset", "user", userID, audit.OutcomeOK, "")
	})
}
