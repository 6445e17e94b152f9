package auth_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// serviceOn builds the identity service on a second handle to the test's database, with
// the test's keys and clock; the test's own handle (and the audit check at cleanup) is
// not disturbed by what the test does to the second.
func (e *env) serviceOn(t *testing.T, d *db.DB) *auth.Service {
	t.Helper()
	svc := auth.NewService(d, audit.New(d), e.kr)
	svc.Now = e.svc.Now
	return svc
}

// downService is the service on a handle that is already closed: every read and write
// fails, as when the database is gone.
func (e *env) downService(t *testing.T) *auth.Service {
	t.Helper()
	d, err := db.Open(context.Background(), e.d.URL())
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	return e.serviceOn(t, d)
}

// readOnlyService is the service on a handle that can read but not write: SQLite's
// writer connection with query_only, PostgreSQL sessions with read-only transactions.
func (e *env) readOnlyService(t *testing.T) *auth.Service {
	t.Helper()
	ctx := context.Background()
	u := e.d.URL()
	if e.d.Dialect == db.Postgres {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := pu.Query()
		q.Set("default_transaction_read_only", "on")
		pu.RawQuery = q.Encode()
		u = pu.String()
	}
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if d.Dialect == db.SQLite {
		// One writer connection that lives as long as the handle: the pragma stays.
		if _, err := d.Writer().ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
			t.Fatal(err)
		}
	}
	return e.serviceOn(t, d)
}

// TestSignInDatabaseDown: with the database gone, sign-in answers Unavailable whatever
// the password (not "wrong password"), and sessions and tokens are neither accepted nor
// called unknown: the caller cannot be identified, which is a 503.
func TestSignInDatabaseDown(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "apagon@amparo.test")
		sess := e.login(t, "198.51.100.90", u.Email, goodPassword)
		secret, _, err := e.svc.CreateToken(e.sys(), u.ID, "cliente", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		events := e.count(t, "audit_events")
		down := e.downService(t)
		for _, c := range []struct{ name, email, pw string }{
			{"right password", u.Email, goodPassword},
			{"wrong password", u.Email, "Clave-Equivocada-0"},
			{"unknown email", "nadie@amparo.test", goodPassword},
		} {
			_, err := down.Login(e.web("198.51.100.90"), c.email, c.pw)
			if ee := wantCode(t, "sign-in, database down, "+c.name, err, errs.CodeUnavailable); ee.Cause == nil {
				t.Errorf("%s: the cause is not kept for the log", c.name)
			}
		}
		_, err = down.Session(context.Background(), sess.Token)
		wantCode(t, "session, database down", err, errs.CodeUnavailable)
		_, err = down.Session(context.Background(), "no-such-session")
		wantCode(t, "unknown session, database down", err, errs.CodeUnavailable)
		_, _, err = down.AuthenticateToken(e.web("198.51.100.90"), secret)
		wantCode(t, "token, database down", err, errs.CodeUnavailable)

		// The database back: nothing was half-written, the session and token still work.
		if n := e.count(t, "audit_events"); n != events {
			t.Errorf("audit events %d, want %d", n, events)
		}
		if _, err := e.svc.Session(context.Background(), sess.Token); err != nil {
			t.Errorf("session after the outage: %v", err)
		}
		if _, _, err := e.svc.AuthenticateToken(e.web("198.51.100.90"), secret); err != nil {
			t.Errorf("token after the outage: %v", err)
		}
	})
}

// TestSignInDatabaseReadOnly: when the database can be read but not written, a failed
// sign-in cannot be counted towards the lock nor audited, so the answer is Unavailable
// for a wrong password too (otherwise guesses would go uncounted); a right password
// cannot open a session either. Existing sessions keep working for reading.
func TestSignInDatabaseReadOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "lectura@amparo.test")
		sess := e.login(t, "198.51.100.91", u.Email, goodPassword)
		ro := e.readOnlyService(t)
		for _, c := range []struct{ name, email, pw string }{
			{"right password", u.Email, goodPassword},
			{"wrong password", u.Email, "Clave-Equivocada-0"},
			{"unknown email", "nadie@amparo.test", goodPassword},
		} {
			for i := 0; i < e.svc.LockAfter+1; i++ {
				_, err := ro.Login(e.web("198.51.100.91"), c.email, c.pw)
				wantCode(t, "sign-in, read-only database, "+c.name, err, errs.CodeUnavailable)
			}
		}
		if got := e.reload(t, u.ID); e.svc.IsLocked(got) {
			t.Error("the account got locked by attempts that were answered 503")
		}
		if _, err := ro.Session(context.Background(), sess.Token); err != nil {
			t.Errorf("reading a session with a read-only database: %v", err)
		}
		_, err := ro.Session(context.Background(), "no-such-session")
		wantCode(t, "unknown session, read-only database", err, errs.CodeUnauthenticated)
	})
}
