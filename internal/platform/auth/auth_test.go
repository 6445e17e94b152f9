package auth_test

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// goodPassword is acceptable for every test user.
const goodPassword = "Vela-Roja-Montaña-7319"

// env is the identity service on one engine with a clock the test moves.
type env struct {
	d   *db.DB
	svc *auth.Service
	log *audit.Log
	now time.Time
	ag  *auth.Agency
	kr  *secure.Keyring
}

// newEnv builds the service with a fresh key file and one agency. The audit chain must
// verify when the test ends, whatever the test did.
func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	if err := geo.Seed(context.Background(), d); err != nil {
		t.Fatalf("geo seed: %v", err)
	}
	keyPath := filepath.Join(t.TempDir(), "amparo.key")
	if err := secure.GenerateKeyFile(keyPath); err != nil {
		t.Fatalf("key file: %v", err)
	}
	kr, err := secure.LoadKeyring(keyPath)
	if err != nil {
		t.Fatalf("keyring: %v", err)
	}
	e := &env{d: d, log: audit.New(d), now: time.Now().UTC().Truncate(time.Second), kr: kr}
	e.svc = auth.NewService(d, e.log, kr)
	e.svc.Now = func() time.Time { return e.now }
	t.Cleanup(func() {
		res, err := e.log.Verify(context.Background())
		if err != nil {
			t.Errorf("audit verify: %v", err)
		} else if !res.OK {
			t.Errorf("audit chain broken: %s", res.Problem)
		}
	})
	e.ag, err = e.svc.CreateAgency(e.sys(), &auth.Agency{Code: "fundacion", Name: "Fundación de prueba",
		Type: "ngo", ProvinceCode: "17", CantonCode: "1701"})
	if err != nil {
		t.Fatalf("create agency: %v", err)
	}
	return e
}

func (e *env) advance(d time.Duration) { e.now = e.now.Add(d) }

// sys acts as the CLI.
func (e *env) sys() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}

// web is an anonymous browser request from ip.
func (e *env) web(ip string) context.Context {
	return reqinfo.With(context.Background(), &reqinfo.Info{Via: "web", IP: ip, RequestID: "req-test"})
}

// as acts as the signed-in user u.
func (e *env) as(u *auth.User) context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "web", IP: "198.51.100.1",
		UserID: u.ID, AgencyID: u.AgencyID})
	return access.With(ctx, u.Subject())
}

// user creates a user with one role and goodPassword.
func (e *env) user(t *testing.T, role access.Role, email string) *auth.User {
	t.Helper()
	u, _, err := e.svc.CreateUser(e.sys(), &auth.User{Email: email, Name: "Ana Prueba",
		AgencyID: e.ag.ID, Roles: []access.Role{role}, Lang: "es"}, goodPassword)
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// reload reads the user again.
func (e *env) reload(t *testing.T, id string) *auth.User {
	t.Helper()
	u, err := e.svc.User(e.sys(), id)
	if err != nil {
		t.Fatalf("reload user: %v", err)
	}
	return u
}

func (e *env) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := e.d.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// events lists the audit events with action (and record id when given), oldest first.
func (e *env) events(t *testing.T, action, recordID string) []audit.Event {
	t.Helper()
	list, _, err := e.log.List(context.Background(), audit.Filter{Action: action, RecordID: recordID, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("audit list: %v", err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Seq < list[j].Seq })
	return list
}

func (e *env) login(t *testing.T, ip, email, pw string) *auth.Session {
	t.Helper()
	sess, err := e.svc.Login(e.web(ip), email, pw)
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return sess
}

// code is the authenticator app's code at the service's time.
func (e *env) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, e.now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantCode fails unless err is an *errs.Error with code.
func wantCode(t *testing.T, what string, err error, code errs.Code) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	return e
}

// wantFields fails unless err is Invalid with exactly these field keys.
func wantFields(t *testing.T, what string, err error, want map[string]string) {
	t.Helper()
	e := wantCode(t, what, err, errs.CodeInvalid)
	if len(e.Fields) != len(want) {
		t.Errorf("%s: fields %v, want %v", what, e.Fields, want)
		return
	}
	for f, k := range want {
		if e.Fields[f] != k {
			t.Errorf("%s: field %s = %q, want %q (all: %v)", what, f, e.Fields[f], k, e.Fields)
		}
	}
}

func TestCreateAgencyValidation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		agencies, events := e.count(t, "agencies"), e.count(t, "audit_events")
		tests := []struct {
			name string
			a    auth.Agency
			want map[string]string
		}{
			{"everything wrong", auth.Agency{Code: "A b", Name: "", Type: "club"},
				map[string]string{"code": "validation.code", "name": "validation.required", "type": "validation.agency_type"}},
			{"unknown province", auth.Agency{Code: "otra", Name: "Otra", Type: "ngo", ProvinceCode: "99"},
				map[string]string{"province": "validation.province"}},
			{"canton of another province", auth.Agency{Code: "otra", Name: "Otra", Type: "ngo", ProvinceCode: "09", CantonCode: "1701"},
				map[string]string{"canton": "validation.canton_not_in_province"}},
			{"code taken (any case)", auth.Agency{Code: " FUNDACION ", Name: "Otra", Type: "ngo"},
				map[string]string{"code": "validation.code_taken"}},
		}
		for _, tt := range tests {
			a := tt.a
			_, err := e.svc.CreateAgency(e.sys(), &a)
			wantFields(t, tt.name, err, tt.want)
		}
		if n := e.count(t, "agencies"); n != agencies {
			t.Errorf("agencies: %d rows after refused creations, want %d", n, agencies)
		}
		if n := e.count(t, "audit_events"); n != events {
			t.Errorf("audit events: %d after refused creations, want %d", n, events)
		}
		worker := e.user(t, access.CaseWorker, "trabajadora@amparo.test")
		_, err := e.svc.CreateAgency(e.as(worker), &auth.Agency{Code: "x1", Name: "X", Type: "ngo"})
		wantCode(t, "create agency as a case worker", err, errs.CodeForbidden)
		_, err = e.svc.CreateAgency(context.Background(), &auth.Agency{Code: "x2", Name: "X", Type: "ngo"})
		wantCode(t, "create agency anonymous", err, errs.CodeUnauthenticated)
		if got := e.events(t, "agency.create", e.ag.ID); len(got) != 1 {
			t.Errorf("agency.create events for the agency: %d, want 1", len(got))
		}
	})
}

func TestCreateUserValidation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, access.CaseWorker, "existe@amparo.test")
		rows := func() [4]int {
			return [4]int{e.count(t, "users"), e.count(t, "user_roles"), e.count(t, "audit_events"), e.count(t, "sessions")}
		}
		before := rows()
		base := func() auth.User {
			return auth.User{Email: "nueva@amparo.test", Name: "Lucía Prueba", AgencyID: e.ag.ID,
				Roles: []access.Role{access.CaseWorker}, Lang: "es"}
		}
		tests := []struct {
			name string
			edit func(u *auth.User)
			pw   string
			want map[string]string
		}{
			{"bad email", func(u *auth.User) { u.Email = "no-es-un-correo" }, goodPassword,
				map[string]string{"email": "validation.email"}},
			{"email with a name part", func(u *auth.User) { u.Email = "Ana <ana@amparo.test>" }, goodPassword,
				map[string]string{"email": "validation.email"}},
			{"unknown role", func(u *auth.User) { u.Roles = []access.Role{"superuser"} }, goodPassword,
				map[string]string{"roles": "validation.role_unknown"}},
			{"no role", func(u *auth.User) { u.Roles = nil }, goodPassword,
				map[string]string{"roles": "validation.roles"}},
			{"duplicate email, other case", func(u *auth.User) { u.Email = " EXISTE@amparo.test" }, goodPassword,
				map[string]string{"email": "validation.email_taken"}},
			{"short password", nil, "Corta-7x", map[string]string{"password": "validation.password_short"}},
			{"common password", nil, "contraseña123456", map[string]string{"password": "validation.password_common"}},
			{"common password with digits", nil, "password1234567", map[string]string{"password": "validation.password_common"}},
			{"too few different characters", nil, "abababababababab", map[string]string{"password": "validation.password_common"}},
			{"password made of the email", nil, "nueva-clave-segura", map[string]string{"password": "validation.password_personal"}},
			{"unknown agency", func(u *auth.User) { u.AgencyID = "00000000-0000-0000-0000-000000000000" }, goodPassword,
				map[string]string{"agency": "validation.agency_unknown"}},
			{"bad jurisdiction", func(u *auth.User) { u.JurisdictionLevel, u.JurisdictionCode = "canton", "9999" }, goodPassword,
				map[string]string{"jurisdiction": "validation.canton"}},
			{"unknown language", func(u *auth.User) { u.Lang = "fr" }, goodPassword,
				map[string]string{"lang": "validation.lang"}},
			{"several problems at once", func(u *auth.User) {
				u.Email, u.Roles, u.AgencyID = "x", []access.Role{"jefe"}, "nope"
			}, "corta", map[string]string{"email": "validation.email", "roles": "validation.role_unknown",
				"password": "validation.password_short", "agency": "validation.agency_unknown"}},
		}
		for _, tt := range tests {
			u := base()
			if tt.edit != nil {
				tt.edit(&u)
			}
			_, _, err := e.svc.CreateUser(e.sys(), &u, tt.pw)
			wantFields(t, tt.name, err, tt.want)
		}
		if after := rows(); after != before {
			t.Errorf("rows (users, user_roles, audit_events, sessions) = %v after refused creations, want %v: something was half-saved", after, before)
		}
		worker := e.user(t, access.CaseWorker, "otra@amparo.test")
		u := base()
		_, _, err := e.svc.CreateUser(e.as(worker), &u, goodPassword)
		wantCode(t, "create user as a case worker", err, errs.CodeForbidden)

		// With no password one is generated, and must be changed at first sign-in.
		u = base()
		u.Roles = []access.Role{access.Monitoring}
		created, pw, err := e.svc.CreateUser(e.sys(), &u, "")
		if err != nil || pw == "" || !created.MustChangePassword {
			t.Fatalf("create with generated password: %v, password %q, must change %v", err, pw, created.MustChangePassword)
		}
		if auth.PasswordProblem(pw, u.Email, u.Name) != "" {
			t.Errorf("generated password %q fails the password rules", pw)
		}
		if sess := e.login(t, "198.51.100.2", u.Email, pw); sess.Stage != auth.StagePassword {
			t.Errorf("first sign-in with a generated password: stage %s, want password", sess.Stage)
		}
		if got := e.events(t, "user.create", created.ID); len(got) != 1 || !strings.Contains(got[0].Detail, "monitoring") {
			t.Errorf("user.create events: %+v", got)
		}
	})
}

func TestLoginFailuresLookAlike(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mon := e.user(t, access.Monitoring, "monitoreo@amparo.test")
		locked := e.user(t, access.Monitoring, "bloqueada@amparo.test")
		gone := e.user(t, access.Monitoring, "inactiva@amparo.test")

		sess := e.login(t, "198.51.100.3", " MONITOREO@amparo.test ", goodPassword)
		if sess.Stage != auth.StageFull || sess.Token == "" || sess.User.ID != mon.ID {
			t.Fatalf("login: stage %s, token %q", sess.Stage, sess.Token)
		}
		if got := e.events(t, "auth.login", mon.ID); len(got) != 1 || got[0].IP != "198.51.100.3" {
			t.Errorf("auth.login events: %+v", got)
		}
		if u := e.reload(t, mon.ID); u.LastLoginAt.IsZero() {
			t.Error("last login time not set")
		}

		for i := 0; i < e.svc.LockAfter; i++ {
			if _, err := e.svc.Login(e.web("198.51.100.4"), locked.Email, "wrong password 123"); err == nil {
				t.Fatal("wrong password accepted")
			}
		}
		g := e.reload(t, gone.ID)
		g.Active = false
		if _, err := e.svc.UpdateUser(e.sys(), g); err != nil {
			t.Fatalf("deactivate: %v", err)
		}

		cases := []struct{ name, email, pw string }{
			{"unknown email", "nadie@amparo.test", goodPassword},
			{"wrong password", mon.Email, "Otra-Clave-Larga-99"},
			{"locked, right password", locked.Email, goodPassword},
			{"inactive, right password", gone.Email, goodPassword},
			{"empty", "", ""},
		}
		var first string
		for _, c := range cases {
			_, err := e.svc.Login(e.web("198.51.100.5"), c.email, c.pw)
			ee := wantCode(t, c.name, err, errs.CodeInvalid)
			if ee.Key != "login.failed" || len(ee.Fields) != 0 {
				t.Errorf("%s: key %q fields %v, want login.failed and no fields", c.name, ee.Key, ee.Fields)
			}
			if first == "" {
				first = err.Error()
			} else if err.Error() != first {
				t.Errorf("%s: error %q differs from %q: the answer reveals why", c.name, err.Error(), first)
			}
		}
		details := map[string]bool{}
		for _, ev := range e.events(t, "auth.login_failed", "") {
			details[ev.Detail] = true
			if ev.Outcome == audit.OutcomeOK {
				t.Errorf("auth.login_failed with outcome ok: %+v", ev)
			}
		}
		for _, want := range []string{"unknown account", "wrong password", "locked", "inactive"} {
			if !details[want] {
				t.Errorf("no auth.login_failed event with detail %q (have %v)", want, details)
			}
		}
	})
}

func TestLockout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "lock@amparo.test")
		fail := func() {
			t.Helper()
			if _, err := e.svc.Login(e.web("198.51.100.6"), u.Email, "Clave-Equivocada-1"); err == nil {
				t.Fatal("wrong password accepted")
			}
		}
		// A success in between resets the count.
		for i := 0; i < e.svc.LockAfter-1; i++ {
			fail()
		}
		e.login(t, "198.51.100.6", u.Email, goodPassword)
		for i := 0; i < e.svc.LockAfter-1; i++ {
			fail()
		}
		if e.svc.IsLocked(e.reload(t, u.ID)) {
			t.Fatal("locked before LockAfter consecutive failures")
		}
		if len(e.events(t, "auth.lockout", u.ID)) != 0 {
			t.Fatal("auth.lockout recorded too early")
		}
		fail() // the 5th in a row
		if !e.svc.IsLocked(e.reload(t, u.ID)) {
			t.Fatal("not locked after LockAfter failures")
		}
		if got := e.events(t, "auth.lockout", u.ID); len(got) != 1 || got[0].Outcome != audit.OutcomeDenied {
			t.Errorf("auth.lockout events: %+v", got)
		}
		if _, err := e.svc.Login(e.web("198.51.100.6"), u.Email, goodPassword); err == nil {
			t.Fatal("right password accepted while locked")
		}
		e.advance(e.svc.LockFor - time.Second)
		if _, err := e.svc.Login(e.web("198.51.100.6"), u.Email, goodPassword); err == nil {
			t.Fatal("right password accepted a second before the lock ends")
		}
		e.advance(2 * time.Second)
		if sess := e.login(t, "198.51.100.6", u.Email, goodPassword); sess.Stage != auth.StageFull {
			t.Errorf("after the lock: stage %s", sess.Stage)
		}
		// An administrator may unlock at once.
		for i := 0; i < e.svc.LockAfter; i++ {
			fail()
		}
		if err := e.svc.Unlock(e.sys(), u.ID); err != nil {
			t.Fatal(err)
		}
		e.login(t, "198.51.100.6", u.Email, goodPassword)
		if len(e.events(t, "user.unlock", u.ID)) != 1 {
			t.Error("no user.unlock event")
		}
	})
}

func TestIPThrottle(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.svc.IPFailures = 3
		u := e.user(t, access.Monitoring, "ip@amparo.test")
		const bad, other = "203.0.113.9", "203.0.113.10"
		for i := 0; i < 3; i++ {
			_, err := e.svc.Login(e.web(bad), "desconocida"+string(rune('a'+i))+"@amparo.test", goodPassword)
			wantCode(t, "unknown email", err, errs.CodeInvalid)
		}
		_, err := e.svc.Login(e.web(bad), u.Email, goodPassword)
		if ee := wantCode(t, "right password from a throttled address", err, errs.CodeTooMany); ee.Key != "error.too_many" {
			t.Errorf("throttle key %q", ee.Key)
		}
		if got := e.events(t, "auth.login_throttled", ""); len(got) == 0 || got[len(got)-1].IP != bad {
			t.Errorf("auth.login_throttled events: %+v", got)
		}
		e.login(t, other, u.Email, goodPassword)
		e.advance(e.svc.IPWindow + time.Second)
		e.login(t, bad, u.Email, goodPassword)
		// The CLI (no address) is never throttled.
		for i := 0; i < 4; i++ {
			_, _ = e.svc.Login(e.web(""), "nadie@amparo.test", goodPassword)
		}
		e.login(t, "", u.Email, goodPassword)
	})
}

func TestSessionTimeouts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "sesion@amparo.test")
		ctx := context.Background()

		// Idle: kept alive by use, ended by silence.
		s := e.login(t, "198.51.100.7", u.Email, goodPassword)
		for i := 0; i < 3; i++ {
			e.advance(e.svc.IdleTimeout - time.Minute)
			if _, err := e.svc.Session(ctx, s.Token); err != nil {
				t.Fatalf("session used every %s ended: %v", e.svc.IdleTimeout-time.Minute, err)
			}
		}
		e.advance(e.svc.IdleTimeout + time.Second)
		_, err := e.svc.Session(ctx, s.Token)
		wantCode(t, "idle session", err, errs.CodeUnauthenticated)

		// Absolute: ends at MaxAge however busy.
		start := e.now
		s = e.login(t, "198.51.100.7", u.Email, goodPassword)
		step := e.svc.IdleTimeout / 2
		for e.now.Add(step).Sub(start) <= e.svc.MaxAge {
			e.advance(step)
			if _, err := e.svc.Session(ctx, s.Token); err != nil {
				t.Fatalf("busy session ended after %s, before MaxAge %s: %v", e.now.Sub(start), e.svc.MaxAge, err)
			}
		}
		e.advance(step)
		_, err = e.svc.Session(ctx, s.Token)
		wantCode(t, "session older than MaxAge", err, errs.CodeUnauthenticated)

		// A half-finished sign-in lasts 15 minutes.
		w := e.user(t, access.CaseWorker, "mitad@amparo.test")
		half := e.login(t, "198.51.100.7", w.Email, goodPassword)
		if half.Stage != auth.StageEnrol {
			t.Fatalf("case worker first sign-in: stage %s, want enrol", half.Stage)
		}
		e.advance(16 * time.Minute)
		_, err = e.svc.Session(ctx, half.Token)
		wantCode(t, "half session after 16 minutes", err, errs.CodeUnauthenticated)

		// Nonsense tokens.
		for _, tok := range []string{"", "x", strings.Repeat("a", 101)} {
			_, err := e.svc.Session(ctx, tok)
			wantCode(t, "token "+tok, err, errs.CodeUnauthenticated)
		}

		// Logout ends only this session.
		a := e.login(t, "198.51.100.7", u.Email, goodPassword)
		b := e.login(t, "198.51.100.7", u.Email, goodPassword)
		if err := e.svc.Logout(e.web("198.51.100.7"), a.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Session(ctx, a.Token); err == nil {
			t.Error("session alive after logout")
		}
		if _, err := e.svc.Session(ctx, b.Token); err != nil {
			t.Errorf("other session ended by logout: %v", err)
		}
		if _, err := e.svc.LogoutEverywhere(e.as(u), u.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Session(ctx, b.Token); err == nil {
			t.Error("session alive after logout everywhere")
		}
	})
}

func TestDeactivationAndRoleChangeEndSessions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		u := e.user(t, access.Monitoring, "cambios@amparo.test")
		secret, _, err := e.svc.CreateToken(e.sys(), u.ID, "informes", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}

		// A change of name keeps the session.
		s := e.login(t, "198.51.100.8", u.Email, goodPassword)
		cur := e.reload(t, u.ID)
		cur.Name = "Otro Nombre"
		if _, err := e.svc.UpdateUser(e.sys(), cur); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Session(ctx, s.Token); err != nil {
			t.Errorf("session ended by a change of name: %v", err)
		}

		// A change of role ends it at once; the next one has the new role.
		cur = e.reload(t, u.ID)
		cur.Roles = []access.Role{access.NationalCoordinator}
		if _, err := e.svc.UpdateUser(e.sys(), cur); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Session(ctx, s.Token)
		wantCode(t, "session after role change", err, errs.CodeUnauthenticated)
		s = e.login(t, "198.51.100.8", u.Email, goodPassword)
		if !s.User.Subject().Has(access.NationalCoordinator) {
			t.Errorf("new session roles %v", s.User.Roles)
		}
		if got := e.events(t, "user.update", u.ID); len(got) == 0 || !strings.Contains(got[len(got)-1].Detail, "roles") {
			t.Errorf("user.update events: %+v", got)
		}

		// Deactivation ends sessions and tokens at once.
		cur = e.reload(t, u.ID)
		cur.Active = false
		if _, err := e.svc.UpdateUser(e.sys(), cur); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Session(ctx, s.Token)
		wantCode(t, "session after deactivation", err, errs.CodeUnauthenticated)
		if n, _ := e.svc.ActiveSessions(ctx, u.ID); n != 0 {
			t.Errorf("%d sessions left after deactivation", n)
		}
		_, _, err = e.svc.AuthenticateToken(e.web("198.51.100.8"), secret)
		wantCode(t, "token of an inactive user", err, errs.CodeUnauthenticated)
		if len(e.events(t, "user.deactivate", u.ID)) != 1 {
			t.Error("no user.deactivate event")
		}

		// An administrator cannot remove their own administration.
		admin := e.user(t, access.Admin, "admin@amparo.test")
		me := e.reload(t, admin.ID)
		me.Active = false
		_, err = e.svc.UpdateUser(e.as(admin), me)
		wantFields(t, "admin deactivating themself", err, map[string]string{"roles": "validation.cannot_demote_self"})
	})
}

func TestTOTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		u := e.user(t, access.CaseWorker, "totp@amparo.test")
		const ip = "198.51.100.9"

		half := e.login(t, ip, u.Email, goodPassword)
		if half.Stage != auth.StageEnrol {
			t.Fatalf("first sign-in: stage %s, want enrol", half.Stage)
		}
		en, err := e.svc.StartEnrolment(e.web(ip), half)
		if err != nil {
			t.Fatal(err)
		}
		if en.Secret == "" || !strings.HasPrefix(en.URL, "otpauth://totp/") || len(en.QRPNG) == 0 {
			t.Fatalf("enrolment: %+v", en)
		}
		again, err := e.svc.StartEnrolment(e.web(ip), half)
		if err != nil || again.Secret != en.Secret {
			t.Errorf("showing the enrolment again changed the secret (%v)", err)
		}
		var stored string
		if err := d.QueryRow(ctx, "SELECT totp_secret FROM users WHERE id = ?", u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == "" || strings.Contains(stored, en.Secret) {
			t.Error("the TOTP secret is not stored encrypted")
		}

		_, _, err = e.svc.ConfirmEnrolment(e.web(ip), half, half.Token, "000000")
		wantFields(t, "enrol with a wrong code", err, map[string]string{"code": "mfa.code_wrong"})
		enrolCode := e.code(t, en.Secret)
		full, codes, err := e.svc.ConfirmEnrolment(e.web(ip), half, half.Token, enrolCode)
		if err != nil {
			t.Fatalf("confirm enrolment: %v", err)
		}
		if full.Stage != auth.StageFull || len(codes) != 10 {
			t.Fatalf("after enrolment: stage %s, %d recovery codes", full.Stage, len(codes))
		}
		if _, err := e.svc.Session(ctx, half.Token); err == nil {
			t.Error("the half session survived enrolment (no rotation)")
		}
		if len(e.events(t, "auth.totp_enrol", u.ID)) != 1 || len(e.events(t, "auth.login", u.ID)) != 1 {
			t.Error("auth.totp_enrol or auth.login not recorded")
		}

		// The code used at enrolment cannot be used again.
		mfa := e.login(t, ip, u.Email, goodPassword)
		if mfa.Stage != auth.StageMFA {
			t.Fatalf("sign-in after enrolment: stage %s, want mfa", mfa.Stage)
		}
		_, err = e.svc.VerifyMFA(e.web(ip), mfa, mfa.Token, enrolCode)
		wantFields(t, "replayed enrolment code", err, map[string]string{"code": "mfa.code_wrong"})

		// The next code works once.
		e.advance(30 * time.Second)
		c := e.code(t, en.Secret)
		mfa = e.login(t, ip, u.Email, goodPassword)
		out, err := e.svc.VerifyMFA(e.web(ip), mfa, mfa.Token, c)
		if err != nil || out.Stage != auth.StageFull {
			t.Fatalf("fresh code: %v", err)
		}
		mfa = e.login(t, ip, u.Email, goodPassword)
		_, err = e.svc.VerifyMFA(e.web(ip), mfa, mfa.Token, c)
		wantFields(t, "replayed code", err, map[string]string{"code": "mfa.code_wrong"})

		// A recovery code works once, typed in any case and without the dash.
		mfa = e.login(t, ip, u.Email, goodPassword)
		if _, err := e.svc.VerifyMFA(e.web(ip), mfa, mfa.Token, strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if left := e.reload(t, u.ID).RecoveryCodesLeft(); left != 9 {
			t.Errorf("%d recovery codes left, want 9", left)
		}
		if len(e.events(t, "auth.recovery_code_used", u.ID)) != 1 {
			t.Error("no auth.recovery_code_used event")
		}
		mfa = e.login(t, ip, u.Email, goodPassword)
		_, err = e.svc.VerifyMFA(e.web(ip), mfa, mfa.Token, codes[3])
		wantFields(t, "recovery code used twice", err, map[string]string{"code": "mfa.code_wrong"})
		if got := e.events(t, "auth.totp_failed", u.ID); len(got) != 3 {
			t.Errorf("auth.totp_failed events: %d, want 3", len(got))
		}

		// Wrong codes lock the account like wrong passwords.
		e.advance(30 * time.Second)
		mfa = e.login(t, ip, u.Email, goodPassword)
		for i := 0; i < e.svc.LockAfter; i++ {
			_, _ = e.svc.VerifyMFA(e.web(ip), mfa, mfa.Token, "123456")
			mfa.User = e.reload(t, u.ID)
		}
		_, err = e.svc.VerifyMFA(e.web(ip), mfa, mfa.Token, e.code(t, en.Secret))
		if ee := wantCode(t, "right code while locked", err, errs.CodeInvalid); ee.Key != "login.failed" {
			t.Errorf("right code while locked: key %q, want login.failed", ee.Key)
		}
	})
}

func TestResetSecondFactor(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		u := e.user(t, access.CaseSupervisor, "reinicio@amparo.test")
		const ip = "198.51.100.10"
		half := e.login(t, ip, u.Email, goodPassword)
		en, err := e.svc.StartEnrolment(e.web(ip), half)
		if err != nil {
			t.Fatal(err)
		}
		full, _, err := e.svc.ConfirmEnrolment(e.web(ip), half, half.Token, e.code(t, en.Secret))
		if err != nil {
			t.Fatal(err)
		}
		worker := e.user(t, access.CaseWorker, "colega@amparo.test")
		err = e.svc.ResetSecondFactor(e.as(worker), u.ID)
		wantCode(t, "reset second factor as a case worker", err, errs.CodeForbidden)
		if err := e.svc.ResetSecondFactor(e.sys(), u.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Session(ctx, full.Token)
		wantCode(t, "session after second factor reset", err, errs.CodeUnauthenticated)
		if e.reload(t, u.ID).TOTPEnabled {
			t.Error("TOTP still enabled")
		}
		if s := e.login(t, ip, u.Email, goodPassword); s.Stage != auth.StageEnrol {
			t.Errorf("sign-in after reset: stage %s, want enrol", s.Stage)
		}
		if len(e.events(t, "user.totp_reset", u.ID)) != 1 {
			t.Error("no user.totp_reset event")
		}
		err = e.svc.ResetSecondFactor(e.sys(), "00000000-0000-0000-0000-000000000000")
		wantCode(t, "reset of an unknown user", err, errs.CodeNotFound)
	})
}

func TestChangePassword(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		u := e.user(t, access.Monitoring, "cambio@amparo.test")
		const ip, next = "198.51.100.11", "Nueva-Clave-Del-Río-2468"
		one := e.login(t, ip, u.Email, goodPassword)
		two := e.login(t, ip, u.Email, goodPassword)

		_, err := e.svc.ChangePassword(e.web(ip), one, one.Token, "Clave-Equivocada-1", next, false)
		wantFields(t, "wrong current password", err, map[string]string{"current": "password.current_wrong"})
		_, err = e.svc.ChangePassword(e.web(ip), one, one.Token, goodPassword, "corta", false)
		wantFields(t, "short new password", err, map[string]string{"new": "validation.password_short"})
		_, err = e.svc.ChangePassword(e.web(ip), one, one.Token, goodPassword, goodPassword, false)
		wantFields(t, "same password", err, map[string]string{"new": "password.same"})

		out, err := e.svc.ChangePassword(e.web(ip), one, one.Token, goodPassword, next, false)
		if err != nil {
			t.Fatal(err)
		}
		for name, tok := range map[string]string{"this": one.Token, "other": two.Token} {
			_, err := e.svc.Session(ctx, tok)
			wantCode(t, name+" session after password change", err, errs.CodeUnauthenticated)
		}
		if _, err := e.svc.Session(ctx, out.Token); err != nil {
			t.Errorf("the new session does not work: %v", err)
		}
		if _, err := e.svc.Login(e.web(ip), u.Email, goodPassword); err == nil {
			t.Error("old password still accepted")
		}
		e.login(t, ip, u.Email, next)
		if len(e.events(t, "auth.password_change", u.ID)) != 1 {
			t.Error("no auth.password_change event")
		}

		// The forced change needs no current password and completes the sign-in.
		f := auth.User{Email: "forzada@amparo.test", Name: "Inés Prueba", AgencyID: e.ag.ID,
			Roles: []access.Role{access.Monitoring}}
		created, pw, err := e.svc.CreateUser(e.sys(), &f, "")
		if err != nil {
			t.Fatal(err)
		}
		s := e.login(t, ip, created.Email, pw)
		if s.Stage != auth.StagePassword {
			t.Fatalf("stage %s, want password", s.Stage)
		}
		out, err = e.svc.ChangePassword(e.web(ip), s, s.Token, "", next, false)
		if err != nil || out.Stage != auth.StageFull {
			t.Fatalf("forced change: %v", err)
		}
		if e.reload(t, created.ID).MustChangePassword {
			t.Error("still must change password")
		}
	})
}

func TestPasswordReset(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		u := e.user(t, access.Monitoring, "olvido@amparo.test")
		const ip, next = "198.51.100.12", "Nueva-Clave-Del-Río-2468"
		s := e.login(t, ip, u.Email, goodPassword)
		for i := 0; i < e.svc.LockAfter; i++ {
			_, _ = e.svc.Login(e.web(ip), u.Email, "Clave-Equivocada-1")
		}

		worker := e.user(t, access.CaseWorker, "colega@amparo.test")
		_, err := e.svc.IssueReset(e.as(worker), u.ID)
		wantCode(t, "reset issued by a case worker", err, errs.CodeForbidden)

		tok, err := e.svc.IssueReset(e.sys(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.CheckReset(ctx, tok); err != nil {
			t.Fatalf("fresh reset token: %v", err)
		}
		err = e.svc.ResetPassword(e.web(ip), tok, "corta")
		wantFields(t, "reset to a short password", err, map[string]string{"new": "validation.password_short"})
		if err := e.svc.ResetPassword(e.web(ip), tok, next); err != nil {
			t.Fatalf("reset: %v", err)
		}
		_, err = e.svc.Session(ctx, s.Token)
		wantCode(t, "session after reset", err, errs.CodeUnauthenticated)
		e.login(t, ip, u.Email, next) // the lock is lifted too
		err = e.svc.ResetPassword(e.web(ip), tok, "Otra-Clave-Del-Mar-1357")
		if ee := wantCode(t, "reset token used twice", err, errs.CodeNotFound); ee.Key != "password.reset_invalid" {
			t.Errorf("key %q", ee.Key)
		}
		if len(e.events(t, "user.password_reset_issued", u.ID)) != 1 || len(e.events(t, "auth.password_reset", u.ID)) != 1 {
			t.Error("reset events missing")
		}

		// A new link replaces the old one; links expire.
		old, _ := e.svc.IssueReset(e.sys(), u.ID)
		tok, err = e.svc.IssueReset(e.sys(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, "replaced reset token", e.svc.CheckReset(ctx, old), errs.CodeNotFound)
		e.advance(auth.ResetTTL + time.Minute)
		wantCode(t, "expired reset token", e.svc.CheckReset(ctx, tok), errs.CodeNotFound)
		wantCode(t, "expired reset token", e.svc.ResetPassword(e.web(ip), tok, "Otra-Clave-Del-Mar-1357"), errs.CodeNotFound)
		wantCode(t, "unknown reset token", e.svc.CheckReset(ctx, "nada"), errs.CodeNotFound)
	})
}

func TestAPITokens(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, access.Monitoring, "api@amparo.test")
		other := e.user(t, access.Monitoring, "otro@amparo.test")
		const ip = "198.51.100.13"
		uses := func() int { return len(e.events(t, "token.use", "")) }

		for _, c := range []struct {
			name, tname string
			ttl         time.Duration
			want        map[string]string
		}{
			{"no name", " ", time.Hour, map[string]string{"name": "validation.required"}},
			{"no lifetime", "x", 0, map[string]string{"expires": "validation.token_ttl"}},
			{"too long a lifetime", "x", auth.MaxTokenTTL + time.Hour, map[string]string{"expires": "validation.token_ttl"}},
		} {
			_, _, err := e.svc.CreateToken(e.as(u), u.ID, c.tname, c.ttl)
			wantFields(t, c.name, err, c.want)
		}
		_, _, err := e.svc.CreateToken(e.as(other), u.ID, "ajeno", time.Hour)
		wantCode(t, "token for someone else", err, errs.CodeForbidden)

		secret, tok, err := e.svc.CreateToken(e.as(u), u.ID, "informes", 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, auth.TokenPrefix) || !strings.HasPrefix(secret, tok.Prefix) {
			t.Errorf("secret %q, prefix %q", secret, tok.Prefix)
		}
		var stored int
		if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", secret).Scan(&stored); err != nil || stored != 0 {
			t.Errorf("the token secret is stored in clear (%v)", err)
		}
		if len(e.events(t, "token.create", tok.ID)) != 1 {
			t.Error("no token.create event")
		}

		n := uses()
		got, id, err := e.svc.AuthenticateToken(e.web(ip), secret)
		if err != nil || got.ID != u.ID || id != tok.ID {
			t.Fatalf("authenticate: %v", err)
		}
		if _, _, err := e.svc.AuthenticateToken(e.web(ip), secret); err != nil {
			t.Fatal(err)
		}
		if ev := e.events(t, "token.use", tok.ID); uses() != n+2 || ev[len(ev)-1].Outcome != audit.OutcomeOK || ev[len(ev)-1].ActorID != u.ID {
			t.Errorf("token uses not audited one by one with the user: %+v", ev)
		}
		list, err := e.svc.ListTokens(e.as(u), u.ID)
		if err != nil || len(list) != 1 || list[0].LastUsedAt.IsZero() {
			t.Errorf("list tokens: %v %+v", err, list)
		}
		_, err = e.svc.ListTokens(e.as(other), u.ID)
		wantCode(t, "list someone else's tokens", err, errs.CodeForbidden)

		// Revoked: refused, and the refusal audited.
		wantCode(t, "revoke someone else's token", e.svc.RevokeToken(e.as(other), u.ID, tok.ID), errs.CodeForbidden)
		if err := e.svc.RevokeToken(e.as(u), u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "revoke twice", e.svc.RevokeToken(e.as(u), u.ID, tok.ID), errs.CodeNotFound)
		n = uses()
		_, _, err = e.svc.AuthenticateToken(e.web(ip), secret)
		wantCode(t, "revoked token", err, errs.CodeUnauthenticated)
		if ev := e.events(t, "token.use", tok.ID); uses() != n+1 || ev[len(ev)-1].Outcome != audit.OutcomeDenied {
			t.Error("use of a revoked token not audited as denied")
		}

		// Expired.
		short, stok, err := e.svc.CreateToken(e.sys(), u.ID, "corto", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		e.advance(time.Hour)
		_, _, err = e.svc.AuthenticateToken(e.web(ip), short)
		wantCode(t, "expired token", err, errs.CodeUnauthenticated)
		if ev := e.events(t, "token.use", stok.ID); len(ev) != 1 || ev[0].Outcome != audit.OutcomeDenied {
			t.Errorf("use of an expired token: %+v", ev)
		}

		// Inactive user.
		live, ltok, err := e.svc.CreateToken(e.sys(), other.ID, "vivo", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		cur := e.reload(t, other.ID)
		cur.Active = false
		if _, err := e.svc.UpdateUser(e.sys(), cur); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.AuthenticateToken(e.web(ip), live)
		wantCode(t, "token of an inactive user", err, errs.CodeUnauthenticated)
		if ev := e.events(t, "token.use", ltok.ID); len(ev) != 1 || ev[0].Outcome != audit.OutcomeDenied {
			t.Errorf("use by an inactive user: %+v", ev)
		}
		_, _, err = e.svc.CreateToken(e.sys(), other.ID, "nuevo", time.Hour)
		wantCode(t, "token for an inactive user", err, errs.CodeInvalid)

		// Not tokens at all.
		for _, s := range []string{"", "amp_", "abc", auth.TokenPrefix + strings.Repeat("x", 120)} {
			_, _, err := e.svc.AuthenticateToken(e.web(ip), s)
			wantCode(t, "token "+s, err, errs.CodeUnauthenticated)
		}
	})
}
