package app

import (
	"context"
	"time"
)

// HousekeepingInterval is how often a running server purges expired sign-in state.
const HousekeepingInterval = 10 * time.Minute

// housekeep purges expired sessions, login-throttle rows and the expired copies of
// recovery codes kept for a download, once at start and then every interval, until ctx
// ends. Several servers on one PostgreSQL may all do it: the purge is idempotent DELETEs
// and UPDATEs, one short transaction each. A failure (the database is down) is logged and
// tried again at the next tick; it never stops the server.
func (a *App) housekeep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Minute)
		if err := a.Auth.PurgeExpired(pctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("housekeeping: purge of expired sessions failed; trying again later", "err", err)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
