package auth

import (
	"context"
	"fmt"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Ended says what ending an account's access did: sessions ended and API tokens
// revoked.
type Ended struct {
	Sessions int64
	Tokens   int64
}

// String is the audit detail and the command line's report ("sessions ended: 2,
// tokens revoked: 1").
func (e Ended) String() string {
	return fmt.Sprintf("sessions ended: %d, tokens revoked: %d", e.Sessions, e.Tokens)
}

// endAccess ends the sessions of the users userWhere selects (a condition on the users
// table) and, with revoke, revokes their live API tokens, inside the caller's
// transaction.
func (s *Service) endAccess(ctx context.Context, revoke bool, userWhere string, args ...any) (Ended, error) {
	var e Ended
	res, err := s.d.Exec(ctx, "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE "+userWhere+")", args...)
	if err != nil {
		return e, fmt.Errorf("auth: end sessions: %w", err)
	}
	e.Sessions, _ = res.RowsAffected()
	if revoke {
		if e.Tokens, err = s.revokeUserTokens(ctx, userWhere, args...); err != nil {
			return e, err
		}
	}
	return e, nil
}

// SetUserActive deactivates or reactivates a user (administrators, and operators on
// the command line). Deactivating ends every session of the user and revokes their API
// tokens for good: reactivating lets the person sign in again, and they make new
// tokens. An administrator cannot deactivate themself. Setting the state the user
// already has changes nothing and records nothing.
func (s *Service) SetUserActive(ctx context.Context, userID string, active bool) (*User, Ended, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Manage, access.User); err != nil {
		return nil, Ended{}, err
	}
	u, err := s.st.user(ctx, "u.id = ?", userID)
	if err != nil {
		return nil, Ended{}, err
	}
	if !active && sub.UserID == u.ID {
		return nil, Ended{}, errs.Invalid(map[string]string{"roles": "validation.cannot_demote_self"})
	}
	if u.Active == active {
		return u, Ended{}, nil
	}
	var ended Ended
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "set user active", "UPDATE users SET active = ?, updated_at = ? WHERE id = ?",
			boolInt(active), db.FormatTime(s.Now()), u.ID); err != nil {
			return err
		}
		action, detail := "user.reactivate", "tokens stay revoked"
		if !active {
			if ended, err = s.endAccess(ctx, true, "id = ?", u.ID); err != nil {
				return err
			}
			action, detail = "user.deactivate", ended.String()
		}
		return s.record(ctx, action, "user", u.ID, audit.OutcomeOK, detail)
	})
	if err != nil {
		return nil, Ended{}, err
	}
	u, err = s.st.user(ctx, "u.id = ?", userID)
	return u, ended, err
}

// SetAgencyActive deactivates or reactivates an agency. While an agency is inactive its
// users cannot sign in and their API tokens are refused; deactivating also ends their
// sessions at once and revokes their tokens for good (reactivating does not bring them
// back). An administrator cannot deactivate their own agency. Setting the state the
// agency already has changes nothing and records nothing.
func (s *Service) SetAgencyActive(ctx context.Context, agencyID string, active bool) (*Agency, Ended, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.Manage, access.Agency); err != nil {
		return nil, Ended{}, err
	}
	a, err := s.st.agency(ctx, "a.id = ?", agencyID)
	if err != nil {
		return nil, Ended{}, err
	}
	if !active && sub.AgencyID == a.ID {
		return nil, Ended{}, errs.Invalid(map[string]string{"active": "validation.cannot_deactivate_own_agency"})
	}
	if a.Active == active {
		return a, Ended{}, nil
	}
	var ended Ended
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.exec(ctx, "set agency active", "UPDATE agencies SET active = ?, updated_at = ? WHERE id = ?",
			boolInt(active), db.FormatTime(s.Now()), a.ID); err != nil {
			return err
		}
		action, detail := "agency.reactivate", "tokens stay revoked"
		if !active {
			if ended, err = s.endAccess(ctx, true, "agency_id = ?", a.ID); err != nil {
				return err
			}
			action, detail = "agency.deactivate", ended.String()
		}
		return s.record(ctx, action, "agency", a.ID, audit.OutcomeOK, detail)
	})
	if err != nil {
		return nil, Ended{}, err
	}
	a, err = s.st.agency(ctx, "a.id = ?", agencyID)
	return a, ended, err
}
