package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// enrolled signs u in for the first time and sets up the second factor; it returns the
// full session, the TOTP secret and the recovery codes shown.
func (e *env) enrolled(t *testing.T, u *auth.User, ip string) (*auth.Session, string, []string) {
	t.Helper()
	half := e.login(t, ip, u.Email, goodPassword)
	en, err := e.svc.StartEnrolment(e.web(ip), half)
	if err != nil {
		t.Fatal(err)
	}
	full, codes, err := e.svc.ConfirmEnrolment(e.web(ip), half, half.Token, e.code(t, en.Secret))
	if err != nil {
		t.Fatalf("confirm enrolment: %v", err)
	}
	full.User = e.reload(t, u.ID)
	return full, en.Secret, codes
}

// storedCopy is what the sessions table holds for the download of a session's codes.
func (e *env) storedCopy(t *testing.T, token string) string {
	t.Helper()
	var c string
	err := e.d.QueryRow(context.Background(), "SELECT recovery_copy FROM sessions WHERE id_hash = ?", sha256Hex(token)).Scan(&c)
	if err != nil {
		t.Fatalf("read recovery copy: %v", err)
	}
	return c
}

// sha256Hex is how the sessions table names a session: the SHA-256 of its token.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func wantGone(t *testing.T, what string, err error) {
	t.Helper()
	if ee := wantCode(t, what, err, errs.CodeNotFound); ee.Key != "mfa.codes_gone" {
		t.Errorf("%s: key %q, want mfa.codes_gone", what, ee.Key)
	}
}

// TestRecoveryCodesDownloadOnce: the codes shown at enrolment can be taken once by the
// session that saw them; the copy held meanwhile is not readable without the cookie
// token, is wiped when taken, and is gone after RecoveryCopyTTL or for another session.
func TestRecoveryCodesDownloadOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := e.web("198.51.100.95")
		u := e.user(t, access.CaseWorker, "codigos@amparo.test")
		full, _, codes := e.enrolled(t, u, "198.51.100.95")

		stored := e.storedCopy(t, full.Token)
		for _, c := range codes {
			if strings.Contains(stored, c) || strings.Contains(strings.ToUpper(stored), strings.ToUpper(strings.ReplaceAll(c, "-", ""))) {
				t.Fatalf("the stored copy holds a code in clear: %q", stored)
			}
		}
		other := e.login(t, "198.51.100.95", u.Email, goodPassword) // at the MFA stage
		_, err := e.svc.TakeRecoveryCopy(ctx, other, other.Token)
		wantCode(t, "take at the MFA stage", err, errs.CodeForbidden)
		// A full session that is not the one that saw the codes has no copy.
		other.Stage = auth.StageFull
		_, err = e.svc.TakeRecoveryCopy(ctx, other, other.Token)
		wantGone(t, "another session's copy", err)

		got, err := e.svc.TakeRecoveryCopy(ctx, full, full.Token)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != strings.Join(codes, " ") {
			t.Errorf("downloaded %v, shown %v", got, codes)
		}
		if c := e.storedCopy(t, full.Token); c != "" {
			t.Errorf("copy not wiped after the download: %q", c)
		}
		_, err = e.svc.TakeRecoveryCopy(ctx, full, full.Token)
		wantGone(t, "second download", err)
		if len(e.events(t, "auth.recovery_codes_downloaded", u.ID)) != 1 {
			t.Error("the download is not audited once")
		}
	})
}

// TestRegenerateRecoveryCodes: a signed-in user with a second factor replaces their
// recovery codes by typing a current TOTP code; a wrong code counts towards the lock
// and is audited; the old codes stop working and the new ones work; the copy kept for
// the download expires.
func TestRegenerateRecoveryCodes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		const ip = "198.51.100.96"
		ctx := e.web(ip)
		u := e.user(t, access.CaseWorker, "nuevos@amparo.test")
		full, secret, old := e.enrolled(t, u, ip)

		_, err := e.svc.RegenerateRecoveryCodes(ctx, full, full.Token, "000000")
		wantFields(t, "regenerate with a wrong code", err, map[string]string{"code": "mfa.code_wrong"})
		if len(e.events(t, "auth.totp_failed", u.ID)) != 1 {
			t.Error("the wrong code is not audited")
		}
		half := e.login(t, ip, u.Email, goodPassword)
		_, err = e.svc.RegenerateRecoveryCodes(ctx, half, half.Token, e.code(t, secret))
		wantCode(t, "regenerate at the MFA stage", err, errs.CodeForbidden)

		e.advance(30 * time.Second)
		code := e.code(t, secret)
		fresh, err := e.svc.RegenerateRecoveryCodes(ctx, full, full.Token, code)
		if err != nil {
			t.Fatal(err)
		}
		if len(fresh) != 10 || fresh[0] == old[0] {
			t.Fatalf("new codes %v (old %v)", fresh, old)
		}
		if len(e.events(t, "auth.recovery_regenerated", u.ID)) != 1 {
			t.Error("no auth.recovery_regenerated event")
		}
		full.User = e.reload(t, u.ID)
		_, err = e.svc.RegenerateRecoveryCodes(ctx, full, full.Token, code)
		wantFields(t, "the same TOTP code again", err, map[string]string{"code": "mfa.code_wrong"})

		mfa := e.login(t, ip, u.Email, goodPassword)
		_, err = e.svc.VerifyMFA(ctx, mfa, mfa.Token, old[0])
		wantFields(t, "an old recovery code", err, map[string]string{"code": "mfa.code_wrong"})
		mfa = e.login(t, ip, u.Email, goodPassword)
		if _, err := e.svc.VerifyMFA(ctx, mfa, mfa.Token, fresh[0]); err != nil {
			t.Errorf("a new recovery code: %v", err)
		}

		// The copy for the download lives RecoveryCopyTTL; after that it is wiped unread.
		e.advance(auth.RecoveryCopyTTL + time.Second)
		_, err = e.svc.TakeRecoveryCopy(ctx, full, full.Token)
		wantGone(t, "download after the copy expired", err)
		if c := e.storedCopy(t, full.Token); c != "" {
			t.Errorf("expired copy not wiped: %q", c)
		}

		// A copy nobody asks for is wiped by the periodic purge; the session stays.
		e.advance(30 * time.Second)
		full.User = e.reload(t, u.ID)
		if _, err := e.svc.RegenerateRecoveryCodes(ctx, full, full.Token, e.code(t, secret)); err != nil {
			t.Fatal(err)
		}
		if e.storedCopy(t, full.Token) == "" {
			t.Fatal("no copy kept after regenerating")
		}
		e.advance(auth.RecoveryCopyTTL + time.Second)
		if err := e.svc.PurgeExpired(context.Background()); err != nil {
			t.Fatal(err)
		}
		if c := e.storedCopy(t, full.Token); c != "" {
			t.Errorf("the purge left an expired copy: %q", c)
		}
	})
}
