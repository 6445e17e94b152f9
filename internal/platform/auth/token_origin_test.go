package auth_test

import (
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// TestOperatorTokenOrigin: a token issued on the command line is audited as the
// operator's act on that channel for that user, and listed on the user's profile with
// its origin, where the user may revoke it.
func TestOperatorTokenOrigin(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "origen@amparo.test")
		secret, issued, err := e.svc.CreateToken(e.sys(), u.ID, "integración", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, own := e.token(t, u, "propia")
		ev := e.lastEvent(t, "token.issue", issued.ID)
		if ev.Via != "cli" || ev.ActorID != "system" || ev.RecordType != "token" ||
			ev.Detail != "for user "+u.ID+" by the operator on the command line" {
			t.Errorf("token.issue event: %+v", ev)
		}
		if len(e.events(t, "token.create", issued.ID)) != 0 || len(e.events(t, "token.create", own.ID)) != 1 {
			t.Error("token.create should name only the user's own token")
		}
		list, err := e.svc.ListTokens(e.as(u), u.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %v %+v", err, list)
		}
		origins := map[string]string{}
		for _, tk := range list {
			origins[tk.ID] = tk.Origin + "/" + tk.CreatedVia
		}
		if origins[issued.ID] != "operator/cli" || origins[own.ID] != "self/web" {
			t.Errorf("origins %v, want operator/cli and self/web", origins)
		}
		if err := e.svc.RevokeToken(e.as(u), u.ID, issued.ID); err != nil {
			t.Fatalf("the user cannot revoke the operator's token: %v", err)
		}
		if e.tokenWorks(t, secret) {
			t.Error("the revoked operator token still works")
		}
	})
}
