package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// TestRestoreEndsAccess: a backup holds the sessions, API tokens and reset links live
// when it was taken, and knows nothing of the sign-outs, revocations and used links that
// came after. A restore therefore ends every session, revokes every token and cancels
// every reset link (the restore's one audit event says how many); people sign in again
// with their password and make new tokens. On both engines.
func TestRestoreEndsAccess(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			cleanEnv(t)
			s := newStore(t, engine)
			const pw = "Pumamaqui-Cedro-Nogal-88"
			s.mustRun(t, "", "agency", "add", "--code", "norte", "--name", "Fundación Norte", "--type", "ngo")
			s.mustRun(t, pw+"\n", "user", "add", "--email", "rosa@norte.test", "--name", "Rosa Ayala",
				"--role", "monitoring", "--agency", "norte", "--jurisdiction", "national", "--password-stdin")
			tok := strings.TrimSpace(s.mustRun(t, "", "token", "create", "--email", "rosa@norte.test"))
			a := s.open(t)
			ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "web", IP: "198.51.100.7"})
			sess, err := a.Auth.Login(ctx, "rosa@norte.test", pw)
			if err != nil {
				t.Fatal(err)
			}
			u, err := a.Auth.UserByEmail(access.With(context.Background(), access.System()), "rosa@norte.test")
			if err != nil {
				t.Fatal(err)
			}
			reset, err := a.Auth.IssueReset(access.With(context.Background(), access.System()), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			a.Close()

			file := filepath.Join(t.TempDir(), "amparo.backup")
			s.mustRun(t, "", "backup", "--out", file)
			key, err := os.ReadFile(filepath.Join(s.dir, "amparo.key"))
			if err != nil {
				t.Fatal(err)
			}
			dst := store{dir: filepath.Join(t.TempDir(), "restored"), db: s.db}
			if engine == "postgres" {
				emptySchema(t, s.db)
			}
			os.MkdirAll(dst.dir, 0o700)
			if err := os.WriteFile(filepath.Join(dst.dir, "amparo.key"), key, 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := amparo(t, append([]string{"restore", "--in", file}, dst.flags()...)...)
			if code != 0 || !strings.Contains(out, "1 session ended, 1 API token revoked, 1 password reset link cancelled") {
				t.Fatalf("restore: exit %d\n%s\n%s", code, out, errOut)
			}

			r := dst.open(t)
			if _, err := r.Auth.Session(context.Background(), sess.Token); errs.CodeOf(err) != errs.CodeUnauthenticated {
				t.Errorf("the session from the backup: %v, want it ended", err)
			}
			if _, _, err := r.Auth.AuthenticateToken(context.Background(), tok); errs.CodeOf(err) != errs.CodeUnauthenticated {
				t.Errorf("the token from the backup: %v, want it revoked", err)
			}
			if err := r.Auth.CheckReset(context.Background(), reset); errs.CodeOf(err) != errs.CodeNotFound {
				t.Errorf("the reset link from the backup: %v, want it cancelled", err)
			}
			r.Close()
			rp := accountProbe{t: t, s: dst}
			if !rp.canSignIn("rosa@norte.test", pw) {
				t.Error("after the restore the user cannot sign in with the password")
			}
			ev := rp.last("backup.restore")
			if ev.Via != "cli" || ev.ActorID != "system" || ev.Detail != "sessions ended: 1, tokens revoked: 1, reset links cancelled: 1" {
				t.Errorf("backup.restore event: %+v", ev)
			}
			if code, out, _ := amparo(t, append([]string{"audit", "verify"}, dst.flags()...)...); code != 0 {
				t.Errorf("audit verify after the restore: exit %d %s", code, out)
			}
		})
	}
}
