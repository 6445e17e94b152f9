package auth

import (
	"fmt"

	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// unavailable turns a failure to read or write the database into errs.Unavailable
// (503, "try again later"), with the operation and the cause kept for the log. An
// *errs.Error already decided (not found, unauthenticated…) passes through unchanged,
// so "no such session or token" and "the database did not answer" stay apart.
func unavailable(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	return errs.Unavailable().Wrap(fmt.Errorf("auth: %s: %w", op, err))
}
