package cases_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// caseEnv is the case service on one engine, for the service tests of this package: a
// migrated database with Ecuador's places, the audit log (its chain must verify when the
// test ends), the identity service as the Directory, three agencies, users of each role
// the case rules involve, and one registered case. Build it with newCaseEnv inside a
// dbtest.Run body, once per test: it hashes six passwords (argon2id), which takes
// seconds on a busy machine, so run the parts of a test as subtests on one caseEnv and
// give a part its own case with newCase.
type caseEnv struct {
	d    *db.DB
	kr   *secure.Keyring
	log  *audit.Log
	auth *auth.Service
	svc  *cases.Service
	// now is the service's clock; move it freely. It starts on Tuesday 10 March 2026 at
	// 10:00 in Guayaquil (15:00 UTC).
	now time.Time

	agency  *auth.Agency // "Fundación Esperanza" (NGO, Guayaquil): owns the case
	other   *auth.Agency // another NGO (Quito), with no relation to the case
	shelter *auth.Agency // a shelter, opened to the case by shelterAccess

	worker      *auth.User // case worker of agency; the case is assigned to them
	worker2     *auth.User // another case worker of agency
	supervisor  *auth.User // case supervisor of agency
	outsider    *auth.User // case worker of other
	coordinator *auth.User // shelter coordinator of shelter
	admin       *auth.User // administrator of agency (no access to cases)

	caseID, caseNumber string // registered by worker: María José Muñoz Quiñónez
}

// envNow is where every caseEnv's clock starts.
var envNow = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

// envCedula is a valid cédula (province 09) of the case's person.
const envCedula = "0923456784"

func newCaseEnv(t *testing.T, d *db.DB) *caseEnv {
	t.Helper()
	ctx := context.Background()
	if err := geo.Seed(ctx, d); err != nil {
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
	e := &caseEnv{d: d, kr: kr, log: audit.New(d), now: envNow}
	e.auth = auth.NewService(d, e.log, kr)
	e.svc = cases.NewService(d, e.log, kr, e.auth)
	e.svc.Now = func() time.Time { return e.now }
	t.Cleanup(func() {
		res, err := e.log.Verify(context.Background())
		if err != nil {
			t.Errorf("audit verify: %v", err)
		} else if !res.OK {
			t.Errorf("audit chain broken: %s", res.Problem)
		}
	})
	e.agency = e.newAgency(t, "esperanza", "Fundación Esperanza", "ngo", "09", "0901")
	e.other = e.newAgency(t, "otra-ong", "Otra ONG", "ngo", "17", "1701")
	e.shelter = e.newAgency(t, "casa-refugio", "Casa Refugio Manta", "shelter", "13", "")
	e.worker = e.newUser(t, e.agency, "Ana Trabajadora", access.CaseWorker)
	e.worker2 = e.newUser(t, e.agency, "Bruno Trabajador", access.CaseWorker)
	e.supervisor = e.newUser(t, e.agency, "Carla Supervisora", access.CaseSupervisor)
	e.outsider = e.newUser(t, e.other, "Diego Ajeno", access.CaseWorker)
	e.coordinator = e.newUser(t, e.shelter, "Elena Coordinadora", access.ShelterCoordinator)
	e.admin = e.newUser(t, e.agency, "Fabián Administrador", access.Admin)
	c := e.register(t, e.worker, envInput())
	e.caseID, e.caseNumber = c.ID, c.Number
	return e
}

// envInput is a child victim of forced begging with accents in her names.
func envInput() cases.Input {
	return cases.Input{
		Person: cases.Person{GivenNames: "María José", FamilyNames: "Muñoz Quiñónez", Sex: "female", Gender: "woman",
			BirthDate: "2011-05-20", Nationalities: []string{"ECU"}, Languages: []string{"es"},
			Documents: []cases.Document{{Type: "cedula", Number: envCedula}},
			Guardian:  &cases.Guardian{Name: "Rosa Quiñónez", Relation: "madre"}},
		Identification: cases.Identification{Date: "2026-03-01", Country: "ECU", Province: "09", Canton: "0901",
			How: "police_operation"},
		TraffickingStatus: "possible", Exploitation: []string{"begging"}, Control: []string{"threats"},
	}
}

// setNow moves the service's clock for the rest of the (sub)test.
func (e *caseEnv) setNow(t *testing.T, now time.Time) {
	old := e.now
	e.now = now
	t.Cleanup(func() { e.now = old })
}

// sys acts as the CLI.
func (e *caseEnv) sys() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}

// as acts as u through the web.
func (e *caseEnv) as(u *auth.User) context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "web", UserID: u.ID, AgencyID: u.AgencyID,
		Lang: "es", RequestID: "req-test"})
	return access.With(ctx, u.Subject())
}

func (e *caseEnv) newAgency(t *testing.T, code, name, typ, province, canton string) *auth.Agency {
	t.Helper()
	a, err := e.auth.CreateAgency(e.sys(), &auth.Agency{Code: code, Name: name, Type: typ, ProvinceCode: province,
		CantonCode: canton})
	if err != nil {
		t.Fatalf("create agency %s: %v", code, err)
	}
	return a
}

func (e *caseEnv) newUser(t *testing.T, ag *auth.Agency, name string, roles ...access.Role) *auth.User {
	t.Helper()
	email := strings.ToLower(strings.Fields(name)[0]) + "." + ag.Code + "@example.ec"
	u, _, err := e.auth.CreateUser(e.sys(), &auth.User{Email: email, Name: name, AgencyID: ag.ID, Roles: roles},
		"Vela-Roja-Montaña-7319")
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// register records a case as u, confirming it is not a duplicate.
func (e *caseEnv) register(t *testing.T, u *auth.User, in cases.Input) *cases.Case {
	t.Helper()
	c, err := e.svc.Register(e.as(u), in, cases.RegisterOptions{NotDuplicate: true})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return c
}

// shelterAccess opens a case to the shelter, as a stay in it would.
func (e *caseEnv) shelterAccess(t *testing.T, caseID string) {
	t.Helper()
	if err := e.svc.GrantAccess(e.sys(), caseID, cases.Grant{AgencyID: e.shelter.ID, Reason: "shelter", SourceID: "stay-1", Fields: testFields}); err != nil {
		t.Fatalf("grant access: %v", err)
	}
}

// audited counts the audit events with action on the case.
func (e *caseEnv) audited(t *testing.T, action, caseID string) int {
	t.Helper()
	_, n, err := e.log.List(context.Background(), audit.Filter{Action: action, RecordType: "case", RecordID: caseID})
	if err != nil {
		t.Fatalf("audit list: %v", err)
	}
	return int(n)
}

// raw reads one column of one row as stored, to prove what is encrypted.
func (e *caseEnv) raw(t *testing.T, table, column, id string) string {
	t.Helper()
	var v string
	q := fmt.Sprintf("SELECT %s FROM %s WHERE id = ?", column, table)
	if err := e.d.QueryRow(context.Background(), q, id).Scan(&v); err != nil {
		t.Fatalf("raw %s.%s: %v", table, column, err)
	}
	return v
}

// count counts rows of a table for the case.
func (e *caseEnv) count(t *testing.T, table, caseID string) int {
	t.Helper()
	var n int
	if err := e.d.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table+" WHERE case_id = ?", caseID).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// wantEncrypted fails when a stored value is empty or shows the plaintext.
func wantEncrypted(t *testing.T, stored string, plain ...string) {
	t.Helper()
	if stored == "" {
		t.Fatal("nothing stored")
	}
	for _, p := range plain {
		if strings.Contains(stored, p) {
			t.Fatalf("stored value shows %q in clear", p)
		}
	}
}

// wantFieldErr fails unless err is Invalid with key on field.
func wantFieldErr(t *testing.T, err error, field, key string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != errs.CodeInvalid {
		t.Fatalf("err = %v, want invalid %s: %s", err, field, key)
	}
	if got := e.Fields[field]; got != key {
		t.Fatalf("field %s = %q, want %q (all: %v)", field, got, key, e.Fields)
	}
}

// wantErrCode fails unless err carries code.
func wantErrCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); err == nil || got != code {
		t.Fatalf("err = %v (%s), want %s", err, got, code)
	}
}

// mustOK fails the test on err.
func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newCase registers another case like the first one, for a test that needs a case of
// its own (registering is cheap; building a caseEnv is not, because of the password
// hashes). It is assigned to worker.
func (e *caseEnv) newCase(t *testing.T) string {
	t.Helper()
	return e.register(t, e.worker, envInput()).ID
}

// closeCase closes a case through the supervisor's approval.
func (e *caseEnv) closeCase(t *testing.T, caseID string) {
	t.Helper()
	a, err := e.svc.RequestApproval(e.as(e.worker), caseID, "closure", "lost_contact")
	mustOK(t, err)
	mustOK(t, e.svc.Decide(e.as(e.supervisor), a.ID, true, ""))
}
