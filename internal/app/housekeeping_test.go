package app_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
)

// A running server purges expired sessions by itself (once at start, then every
// HousekeepingInterval); a live session stays.
func TestServePurgesExpiredSessions(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ta := openApp(t, engine)
			defer ta.Close()
			ag := ta.createAgency(t, "hk")
			u := ta.createUser(t, ag.ID, access.CaseWorker, "hk@amparo.test")
			ctx := context.Background()
			for _, email := range []string{u.Email, u.Email} {
				if _, err := ta.Auth.Login(ctx, email, testPassword); err != nil {
					t.Fatalf("login: %v", err)
				}
			}
			count := func() int {
				var n int
				if err := ta.DB.QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", u.ID).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := count(); n != 2 {
				t.Fatalf("%d sessions after two sign-ins, want 2", n)
			}
			// One of them ended a day ago.
			past := db.FormatTime(time.Now().Add(-24 * time.Hour))
			if _, err := ta.DB.Exec(ctx, `UPDATE sessions SET expires_at = ? WHERE id_hash =
				(SELECT MIN(id_hash) FROM sessions WHERE user_id = ?)`, past, u.ID); err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			sctx, stop := context.WithCancel(ctx)
			served := make(chan error, 1)
			go func() { served <- ta.Serve(sctx, ln) }()
			deadline := time.Now().Add(10 * time.Second)
			for count() != 1 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			stop()
			if err := <-served; err != nil {
				t.Errorf("Serve: %v", err)
			}
			if n := count(); n != 1 {
				t.Errorf("%d sessions after the server ran, want 1 (the expired one purged, the live one kept)", n)
			}
		})
	}
}
