package auth

import (
	"context"
	"fmt"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
)

// Restored says what EndRestoredAccess ended.
type Restored struct {
	Ended
	Resets int64 // password reset links cancelled
}

// String is the audit detail: "sessions ended: 1, tokens revoked: 1, reset links
// cancelled: 1".
func (r Restored) String() string {
	return fmt.Sprintf("%s, reset links cancelled: %d", r.Ended, r.Resets)
}

// EndRestoredAccess runs once on a database just restored from a backup (operators,
// "amparo restore"). The backup holds the sessions, API tokens and reset links that were
// live when it was taken and knows nothing of what came after: a sign-out, a token
// revoked because it leaked, a reset link used. Rather than bring those back, every
// session ends, every live token is revoked and every unused reset link is cancelled,
// in one transaction with one audit event ("backup.restore"). People sign in again with
// their passwords and make new tokens.
func (s *Service) EndRestoredAccess(ctx context.Context) (Restored, error) {
	if err := access.From(ctx).Require(access.Manage, access.User); err != nil {
		return Restored{}, err
	}
	var r Restored
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		var err error
		if r.Ended, err = s.endAccess(ctx, true, "1 = 1"); err != nil {
			return err
		}
		res, err := s.d.Exec(ctx, "DELETE FROM password_resets WHERE used_at = ''")
		if err != nil {
			return fmt.Errorf("auth: cancel reset links: %w", err)
		}
		r.Resets, _ = res.RowsAffected()
		return s.record(ctx, "backup.restore", "", "", audit.OutcomeOK, r.String())
	})
	if err != nil {
		return Restored{}, err
	}
	return r, nil
}
