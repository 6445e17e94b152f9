package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// TestTokenMadeWhileDeactivating: a token asked for while an administrator deactivates
// the user (the deactivation has ended the sessions and revoked the tokens but not yet
// committed) must not be made: it would be missed by the revocation, refused while the
// user is inactive and work again after a reactivation, when every token of the account
// was meant to stay dead. The check of the account is made in the token's transaction,
// under a lock the deactivation holds. On both engines.
func TestTokenMadeWhileDeactivating(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "carrera@amparo.test")
		ctx := context.Background()
		// The deactivation of SetUserActive, held open before its commit.
		tx, err := d.Writer().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			if _, err := tx.ExecContext(ctx, d.Rebind(q), args...); err != nil {
				tx.Rollback()
				t.Fatal(err)
			}
		}
		exec("UPDATE users SET active = 0 WHERE id = ?", u.ID)
		exec("UPDATE api_tokens SET revoked_at = ? WHERE revoked_at = '' AND user_id = ?", db.FormatTime(e.now), u.ID)

		type made struct {
			secret string
			err    error
		}
		done := make(chan made, 1)
		go func() {
			secret, _, err := e.svc.CreateToken(e.as(u), u.ID, "a destiempo", 24*time.Hour)
			done <- made{secret, err}
		}()
		time.Sleep(300 * time.Millisecond) // CreateToken has read the account, or waits for the lock
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		got := <-done
		if got.err == nil {
			if _, _, err := e.svc.SetUserActive(e.sys(), u.ID, true); err != nil {
				t.Fatal(err)
			}
			if e.tokenWorks(t, got.secret) {
				t.Error("a token made during the deactivation works after the reactivation")
			}
			return
		}
		if errs.CodeOf(got.err) != errs.CodeInvalid {
			t.Errorf("CreateToken during the deactivation: %v, want the account refused as inactive", got.err)
		}
	})
}
