package auth_test

import (
	"sync"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// TestSecondFactorFailuresLock: guessing TOTP codes must lock the account like guessing
// passwords, even when the guesser knows the password and signs in again between
// guesses (each sign-in must not wipe the count of wrong codes).
func TestSecondFactorFailuresLock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.CaseWorker, "adivina@amparo.test")
		const ip = "198.51.100.20"
		half := e.login(t, ip, u.Email, goodPassword)
		en, err := e.svc.StartEnrolment(e.web(ip), half)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.ConfirmEnrolment(e.web(ip), half, half.Token, e.code(t, en.Secret)); err != nil {
			t.Fatal(err)
		}
		wrong := 0
		for round := 0; round < 3; round++ {
			mfa, err := e.svc.Login(e.web(ip), u.Email, goodPassword)
			if err != nil {
				break // locked: what we want
			}
			for i := 0; i < e.svc.LockAfter-1; i++ {
				// As in the web flow: every request loads the session's user afresh.
				mfa.User = e.reload(t, u.ID)
				_, _ = e.svc.VerifyMFA(e.web(ip), mfa, mfa.Token, "000000")
				wrong++
			}
		}
		if !e.svc.IsLocked(e.reload(t, u.ID)) {
			t.Errorf("%d wrong codes (LockAfter %d) and the account is not locked: signing in with the password "+
				"again resets the failure count before the second factor is checked", wrong, e.svc.LockAfter)
		}
	})
}

// TestConcurrentFailuresLock: wrong passwords sent at the same time must all count, or an
// attacker who sends guesses in parallel is never locked out.
func TestConcurrentFailuresLock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "paralelo@amparo.test")
		const n = 8
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = e.svc.Login(e.web("198.51.100.21"), u.Email, "Clave-Equivocada-1")
			}()
		}
		wg.Wait()
		if !e.svc.IsLocked(e.reload(t, u.ID)) {
			t.Errorf("%d wrong passwords at once (LockAfter %d) and the account is not locked: "+
				"the failure count is read, then written back, so parallel guesses overwrite each other", n, e.svc.LockAfter)
		}
	})
}

// TestConcurrentCodeReplay: one TOTP code, or one recovery code, must open one session
// only, even when two sign-ins at the MFA stage present it at the same time (each
// request loaded the user before the other stored the code as used).
func TestConcurrentCodeReplay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.CaseWorker, "repite@amparo.test")
		const ip = "198.51.100.22"
		half := e.login(t, ip, u.Email, goodPassword)
		en, err := e.svc.StartEnrolment(e.web(ip), half)
		if err != nil {
			t.Fatal(err)
		}
		_, codes, err := e.svc.ConfirmEnrolment(e.web(ip), half, half.Token, e.code(t, en.Secret))
		if err != nil {
			t.Fatal(err)
		}
		e.advance(30 * time.Second)

		try := func(code string) int {
			a := e.login(t, ip, u.Email, goodPassword)
			b := e.login(t, ip, u.Email, goodPassword)
			ok := 0
			for _, s := range []*auth.Session{a, b} {
				if _, err := e.svc.VerifyMFA(e.web(ip), s, s.Token, code); err == nil {
					ok++
				}
			}
			return ok
		}
		if n := try(e.code(t, en.Secret)); n != 1 {
			t.Errorf("one TOTP code opened %d sessions, want 1", n)
		}
		if n := try(codes[0]); n != 1 {
			t.Errorf("one recovery code opened %d sessions, want 1", n)
		}
	})
}
