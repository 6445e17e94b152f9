package cases_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
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

// env is the case service on one engine, with two agencies and a clock the test moves.
type env struct {
	d    *db.DB
	log  *audit.Log
	auth *auth.Service
	svc  *cases.Service
	kr   *secure.Keyring
	now  time.Time
	agA  *auth.Agency // "Fundación Nueva Vida", Quito
	agB  *auth.Agency // "Red Guayas", Guayaquil
	mu   sync.Mutex
	seq  int
	// closed is set by a test that closes the database itself; the audit chain is then
	// verified by that test before closing.
	closed bool
}

// newEnv builds the services on d with a fresh key file. The audit chain must verify
// when the test ends, whatever the test did.
func newEnv(t testing.TB, d *db.DB) *env {
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
	e := &env{d: d, log: audit.New(d), kr: kr, now: now}
	e.auth = auth.NewService(d, e.log, kr)
	e.svc = cases.NewService(d, e.log, kr, e.auth)
	e.svc.Now = func() time.Time {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.now
	}
	t.Cleanup(func() {
		if e.closed {
			return
		}
		res, err := e.log.Verify(context.Background())
		if err != nil {
			t.Errorf("audit verify: %v", err)
		} else if !res.OK {
			t.Errorf("audit chain broken: %s", res.Problem)
		}
	})
	e.agA = e.agency(t, "nueva-vida", "ngo", "17", "1701")
	e.agB = e.agency(t, "red-guayas", "ngo", "09", "0901")
	return e
}

// setNow moves the service clock.
func (e *env) setNow(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = t
}

func (e *env) agency(t testing.TB, code, typ, prov, canton string) *auth.Agency {
	t.Helper()
	a, err := e.auth.CreateAgency(e.sys(), &auth.Agency{Code: code, Name: "Agencia " + code, Type: typ,
		ProvinceCode: prov, CantonCode: canton})
	if err != nil {
		t.Fatalf("create agency %s: %v", code, err)
	}
	return a
}

// user creates a user of agency ag with roles.
func (e *env) user(t testing.TB, ag *auth.Agency, roles ...access.Role) *auth.User {
	t.Helper()
	e.mu.Lock()
	e.seq++
	n := e.seq
	e.mu.Unlock()
	u := &auth.User{Email: fmt.Sprintf("u%d@%s.example.org", n, ag.Code), Name: fmt.Sprintf("Usuaria %d", n),
		AgencyID: ag.ID, Roles: roles, Lang: "es"}
	switch {
	case len(roles) > 0 && roles[0] == access.LocalFocalPoint:
		u.JurisdictionLevel, u.JurisdictionCode = "canton", "1701"
	case len(roles) > 0 && (roles[0] == access.NationalCoordinator || roles[0] == access.Monitoring):
		u.JurisdictionLevel = "national"
	}
	u, _, err := e.auth.CreateUser(e.sys(), u, goodPassword)
	if err != nil {
		t.Fatalf("create user %v: %v", roles, err)
	}
	return u
}

// sys acts as the CLI.
func (e *env) sys() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}

// as acts as the signed-in user u.
func (e *env) as(u *auth.User) context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "web", IP: "198.51.100.7", RequestID: "req-test",
		UserID: u.ID, AgencyID: u.AgencyID})
	return access.With(ctx, u.Subject())
}

// person returns a valid registration for a distinct person: number i gives a distinct
// cédula, and the names given replace the default ones.
func person(i int, given, family string) cases.Input {
	in := goodInput()
	in.Person.GivenNames, in.Person.FamilyNames, in.Person.Aliases = given, family, nil
	in.Person.Documents = []cases.Document{{Type: "cedula", Number: cedula(fmt.Sprintf("170%06d", i))}}
	return in
}

// register saves in as the user in ctx, confirming it is not a duplicate.
func (e *env) register(t testing.TB, ctx context.Context, in cases.Input) *cases.Case {
	t.Helper()
	c, err := e.svc.Register(ctx, in, cases.RegisterOptions{NotDuplicate: true})
	if err != nil {
		t.Fatalf("register %s: %v", in.Person.FullName(), err)
	}
	return c
}

// events lists the audit events with action (and record id when given), newest first.
func (e *env) events(t *testing.T, action, recordID string) []audit.Event {
	t.Helper()
	list, _, err := e.log.List(context.Background(), audit.Filter{Action: action, RecordID: recordID, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("audit list: %v", err)
	}
	return list
}

// count counts the rows of table matching the optional where clause.
func (e *env) count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := e.d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %s", what, code)
	}
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("%s: %v (code %s), want %s", what, err, got, code)
	}
}

// wantField fails unless err is Invalid with key on field.
func wantField(t *testing.T, what string, err error, field, key string) {
	t.Helper()
	wantCode(t, what, err, errs.CodeInvalid)
	e, _ := errs.As(err)
	if got := e.Fields[field]; got != key {
		t.Fatalf("%s: field %s has %q, want %q (fields %v)", what, field, got, key, e.Fields)
	}
}

func TestRegisterNumbersAndGet(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		ctx := e.as(w)

		in := goodInput()
		c1 := e.register(t, ctx, in)
		if c1.Number != "EC-2026-00001" {
			t.Errorf("first number %s, want EC-2026-00001", c1.Number)
		}
		c2 := e.register(t, ctx, person(2, "Segunda", "Persona"))
		if c2.Number != "EC-2026-00002" {
			t.Errorf("second number %s, want EC-2026-00002", c2.Number)
		}
		if c1.Status != "identified" || c1.AssignedTo != w.ID || c1.AgencyID != e.agA.ID || c1.IdentifyingAgency != e.agA.ID {
			t.Errorf("registered case: status %s, assigned %s, agency %s, identifying %s", c1.Status, c1.AssignedTo,
				c1.AgencyID, c1.IdentifyingAgency)
		}
		// Born 2012-05-14, identified 2026-02-01: 13 years old, a child.
		if c1.AgeAtID != 13 || c1.AgeGroup != "9-17" || c1.BirthYear != 2012 || !c1.IsChild() {
			t.Errorf("derived: age %d, group %s, birth year %d, child %v", c1.AgeAtID, c1.AgeGroup, c1.BirthYear, c1.IsChild())
		}

		got, err := e.svc.Get(ctx, c1.ID)
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		p := got.Person
		if p.GivenNames != "María José" || p.FamilyNames != "Quishpe Tenesaca" || len(p.Aliases) != 1 || p.Aliases[0] != "Majo" ||
			p.BirthDate != "2012-05-14" || p.Contact != "0991234567" || p.Guardian == nil || p.Guardian.Name != "Rosa Tenesaca" ||
			len(p.Documents) != 2 || p.Documents[0].Number != "1710034065" || p.Documents[1].Number != "A1234567" {
			t.Errorf("decrypted person differs: %+v", p)
		}
		if strings.Join(got.Exploitation, ",") != "begging,sexual" || strings.Join(p.Nationalities, ",") != "ECU" ||
			strings.Join(p.Languages, ",") != "es,qu" || got.Identification.Canton != "1701" || *got.DurationMonths != 6 {
			t.Errorf("clear values differ: %+v", got.Input)
		}
		if got.Number != c1.Number || got.Version != 1 || got.AssignedName != w.Name || got.AgencyName != e.agA.Name {
			t.Errorf("case header: %s v%d %q %q", got.Number, got.Version, got.AssignedName, got.AgencyName)
		}

		// The view is in the audit trail, with the worker as actor.
		views := e.events(t, "case.view", c1.ID)
		if len(views) != 1 || views[0].ActorID != w.ID || views[0].ActorAgencyID != e.agA.ID || views[0].RecordType != "case" {
			t.Fatalf("case.view events: %+v", views)
		}
		if ev := e.events(t, "case.create", c1.ID); len(ev) != 1 || ev[0].ActorID != w.ID || ev[0].Detail != "duplicates reviewed" {
			t.Errorf("case.create events: %+v", ev)
		}
		if n := e.count(t, "case_status_history", "case_id = ? AND to_status = 'identified'", c1.ID); n != 1 {
			t.Errorf("history rows for registration: %d", n)
		}

		// Numbers follow the year in Guayaquil: 23:00 on 31 December there is already
		// 1 January in UTC.
		e.setNow(time.Date(2027, 1, 1, 4, 0, 0, 0, time.UTC))
		c3 := e.register(t, ctx, person(3, "Tercera", "Persona"))
		e.setNow(time.Date(2027, 1, 1, 6, 0, 0, 0, time.UTC))
		c4 := e.register(t, ctx, person(4, "Cuarta", "Persona"))
		if c3.Number != "EC-2026-00003" || c4.Number != "EC-2027-00001" {
			t.Errorf("year change: %s, %s; want EC-2026-00003, EC-2027-00001", c3.Number, c4.Number)
		}

		// An unknown id is "not found" (and nothing is leaked about it).
		_, err = e.svc.Get(ctx, "01900000-0000-7000-8000-000000000000")
		wantCode(t, "get unknown id", err, errs.CodeNotFound)
		_, err = e.svc.Get(context.Background(), c1.ID)
		wantCode(t, "get without a user", err, errs.CodeUnauthenticated)
	})
}

// TestRegisterConcurrentNumbers registers from ten goroutines at once, on a year with
// no number yet: every registration succeeds and the numbers are 1 to 10.
func TestRegisterConcurrentNumbers(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		ctx := e.as(w)
		const n = 10
		var wg sync.WaitGroup
		numbers := make([]string, n)
		failures := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, err := e.svc.Register(ctx, person(100+i, "Concurrente", fmt.Sprintf("Número %d", i)),
					cases.RegisterOptions{NotDuplicate: true})
				if err != nil {
					failures[i] = err
					return
				}
				numbers[i] = c.Number
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range failures {
			if err != nil {
				t.Errorf("registration %d failed: %v", i, err)
			}
		}
		sort.Strings(numbers)
		seen := map[string]bool{}
		for _, num := range numbers {
			if num != "" && seen[num] {
				t.Errorf("number %s given twice", num)
			}
			seen[num] = true
		}
		if t.Failed() {
			return
		}
		for i, num := range numbers {
			if want := fmt.Sprintf("EC-2026-%05d", i+1); num != want {
				t.Errorf("numbers %v: position %d is %s, want %s", numbers, i, num, want)
				break
			}
		}
	})
}

// TestRegisterInvalidSavesNothing: the invalid input of the list gets field
// errors and leaves no trace (no case, no search keys, no number used, no event).
func TestRegisterInvalidSavesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		ctx := e.as(w)
		bad := []struct {
			name, field, key string
			edit             func(in *cases.Input)
		}{
			{"bad cédula check digit", "person.documents", "cases.err.cedula", func(in *cases.Input) {
				in.Person.Documents = []cases.Document{{Type: "cedula", Number: "1710034066"}}
			}},
			{"birth date in the future", "person.birth_date", "cases.err.birth_future", func(in *cases.Input) {
				in.Person.BirthDate = "2027-01-01"
			}},
			{"canton not in the province", "identification.canton", "validation.canton_not_in_province", func(in *cases.Input) {
				in.Identification.Province, in.Identification.Canton = "09", "1701"
			}},
			{"unknown exploitation value", "exploitation", "cases.err.unknown_value", func(in *cases.Input) {
				in.Exploitation = []string{"begging", "esclavitud"}
			}},
		}
		for _, b := range bad {
			in := goodInput()
			b.edit(&in)
			_, err := e.svc.Register(ctx, in, cases.RegisterOptions{NotDuplicate: true})
			wantField(t, b.name, err, b.field, b.key)
		}
		for _, table := range []string{"cases", "case_search", "case_values", "case_counters", "case_status_history"} {
			if n := e.count(t, table, ""); n != 0 {
				t.Errorf("%s has %d rows after refused registrations", table, n)
			}
		}
		if ev := e.events(t, "case.create", ""); len(ev) != 0 {
			t.Errorf("case.create events after refused registrations: %d", len(ev))
		}
		// The next good registration still gets number 1.
		if c := e.register(t, ctx, goodInput()); c.Number != "EC-2026-00001" {
			t.Errorf("after refusals the first number is %s", c.Number)
		}
		// Roles that may not create cases are refused before anything is looked at.
		for _, r := range []access.Role{access.NationalCoordinator, access.Monitoring, access.LocalFocalPoint,
			access.Admin, access.ShelterCoordinator, access.DataProtectionOfficer} {
			u := e.user(t, e.agA, r)
			_, err := e.svc.Register(e.as(u), goodInput(), cases.RegisterOptions{NotDuplicate: true})
			wantCode(t, "register as "+string(r), err, errs.CodeForbidden)
		}
	})
}

func TestUpdateVersionConflict(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		ctx := e.as(w)
		c := e.register(t, ctx, goodInput())

		in := c.Input
		in.Person.GivenNames, in.Person.FamilyNames = "Ana Lucía", "Caiza"
		in.Identification.Province, in.Identification.Canton = "09", "0901"
		in.Exploitation = []string{"forced_labour"}
		up, err := e.svc.Update(ctx, c.ID, c.Version, in)
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if up.Version != 2 {
			t.Errorf("version after update %d, want 2", up.Version)
		}
		// A second edit from the same stale form is a conflict, and changes nothing.
		stale := in
		stale.Person.GivenNames = "Sobrescrito"
		_, err = e.svc.Update(ctx, c.ID, c.Version, stale)
		wantCode(t, "stale update", err, errs.CodeConflict)
		got, err := e.svc.Get(ctx, c.ID)
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		if got.Person.GivenNames != "Ana Lucía" || got.Version != 2 || got.Identification.Province != "09" ||
			strings.Join(got.Exploitation, ",") != "forced_labour" {
			t.Errorf("after the conflict: %q v%d %s %v", got.Person.GivenNames, got.Version, got.Identification.Province, got.Exploitation)
		}
		if ev := e.events(t, "case.update", c.ID); len(ev) != 1 {
			t.Errorf("case.update events: %d, want 1", len(ev))
		}
		// Invalid input changes nothing either.
		badIn := got.Input
		badIn.Person.BirthDate = "2030-01-01"
		_, err = e.svc.Update(ctx, c.ID, got.Version, badIn)
		wantField(t, "invalid update", err, "person.birth_date", "cases.err.birth_future")

		// The blind indexes follow the new name: the old name is no longer found.
		sup := e.user(t, e.agA, access.CaseSupervisor)
		for q, want := range map[string]int{"Ana Lucía Caiza": 1, "caiza": 1, "Quishpe": 0, "María José Quishpe Tenesaca": 0} {
			_, total, err := e.svc.List(e.as(sup), cases.Filter{Q: q})
			if err != nil {
				t.Fatalf("list %q: %v", q, err)
			}
			if total != want {
				t.Errorf("search %q after the rename: %d, want %d", q, total, want)
			}
		}
	})
}

// listTotal runs List and returns the total, checking the page agrees with it.
func listTotal(t *testing.T, e *env, ctx context.Context, f cases.Filter) (int, []*cases.Row) {
	t.Helper()
	rows, total, err := e.svc.List(ctx, f)
	if err != nil {
		t.Fatalf("list %+v: %v", f, err)
	}
	if f.PerPage == 0 && total <= 25 && len(rows) != total {
		t.Errorf("list %+v: %d rows on the page but total %d", f, len(rows), total)
	}
	return total, rows
}

func TestListFiltersAndSearch(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		sup := e.user(t, e.agA, access.CaseSupervisor)
		wctx, sctx := e.as(w), e.as(sup)
		// Seven cases of agency A.
		mk := func(i int, given, family, sex, birth, prov, canton string, expl ...string) *cases.Case {
			in := person(i, given, family)
			in.Person.Sex, in.Person.BirthDate = sex, birth
			in.Identification.Province, in.Identification.Canton = prov, canton
			in.Exploitation = expl
			if sex == "male" {
				in.Person.Gender = "man"
			}
			return e.register(t, wctx, in)
		}
		yesenia := mk(1, "Yesenia", "Vásquez Ñacato", "female", "2010-04-02", "17", "1701", "begging")
		mk(2, "Luis Ángel", "Chicaiza", "male", "1990-01-20", "17", "1701", "forced_labour")
		mk(3, "Dayana", "Cedeño", "female", "2001-09-09", "09", "0901", "sexual")
		mk(4, "Kevin", "Mendoza", "male", "2019-02-02", "09", "0901", "begging", "child_labour")
		mk(5, "Rosa Elvira", "Pilco", "female", "1980-06-30", "17", "1701", "servile_marriage")
		mk(6, "José María", "Quispe", "male", "2008-08-08", "10", "1001", "forced_labour")
		mk(7, "Mayra", "Andrade", "female", "1999-12-12", "09", "0901", "sexual")
		// One case of agency B, never seen by A's users.
		wb := e.user(t, e.agB, access.CaseWorker)
		other := person(8, "Yesenia", "Vásquez Ñacato")
		e.register(t, e.as(wb), other)

		type tc struct {
			f    cases.Filter
			want int
		}
		tests := map[string]tc{
			"all":                      {cases.Filter{}, 7},
			"status identified":        {cases.Filter{Status: "identified"}, 7},
			"status open":              {cases.Filter{Status: "open"}, 7},
			"status screened":          {cases.Filter{Status: "screened"}, 0},
			"unknown status ignored":   {cases.Filter{Status: "nonsense"}, 7},
			"province 17":              {cases.Filter{Province: "17"}, 3},
			"province 09":              {cases.Filter{Province: "09"}, 3},
			"province 10":              {cases.Filter{Province: "10"}, 1},
			"exploitation begging":     {cases.Filter{Exploitation: "begging"}, 2},
			"exploitation sexual":      {cases.Filter{Exploitation: "sexual"}, 2},
			"exploitation child":       {cases.Filter{Exploitation: "child_labour"}, 1},
			"age group 9-17":           {cases.Filter{AgeGroup: "9-17"}, 2}, // Yesenia 15, José María 17
			"age group 0-8":            {cases.Filter{AgeGroup: "0-8"}, 1},  // Kevin 6
			"age group 24-26":          {cases.Filter{AgeGroup: "24-26"}, 2},
			"children":                 {cases.Filter{Child: "1"}, 3},
			"adults":                   {cases.Filter{Child: "0"}, 4},
			"sex male":                 {cases.Filter{Sex: "male"}, 3},
			"sex female in 09":         {cases.Filter{Sex: "female", Province: "09"}, 2},
			"worker":                   {cases.Filter{Worker: w.ID}, 7},
			"other worker":             {cases.Filter{Worker: sup.ID}, 0},
			"agency B (out of scope)":  {cases.Filter{Agency: e.agB.ID}, 0},
			"flagged (none yet)":       {cases.Filter{Flagged: true}, 0},
			"overdue (none yet)":       {cases.Filter{Overdue: true}, 0},
			"search full name":         {cases.Filter{Q: "Yesenia Vásquez Ñacato"}, 1},
			"search no accents, upper": {cases.Filter{Q: "YESENIA VASQUEZ NACATO"}, 1},
			"search one token":         {cases.Filter{Q: "ñacato"}, 1},
			"search token no accent":   {cases.Filter{Q: "cedeno"}, 1},
			"search two tokens":        {cases.Filter{Q: "  jose   QUISPE "}, 1},
			"search tokens any order":  {cases.Filter{Q: "Quispe José"}, 1},
			"search shared token":      {cases.Filter{Q: "maría"}, 1},
			"search mismatch":          {cases.Filter{Q: "Yesenia Pérez"}, 0},
			"search partial token":     {cases.Filter{Q: "Yese"}, 0},
			"search cédula":            {cases.Filter{Q: cedula("170000003")}, 1},
			"search cédula typed":      {cases.Filter{Q: cedula("170000003")[:9] + "-" + cedula("170000003")[9:]}, 1},
			"search case number":       {cases.Filter{Q: "EC-2026-00004"}, 1},
			"search case number lower": {cases.Filter{Q: "ec-2026-00004"}, 1},
			"search number no zeros":   {cases.Filter{Q: "EC-2026-4"}, 1},
			"search number spaces":     {cases.Filter{Q: " EC-2026-004 "}, 1},
			"search number unknown":    {cases.Filter{Q: "EC-2026-00099"}, 0},
			"search other's number":    {cases.Filter{Q: "EC-2026-00008"}, 0},
			"search and filter":        {cases.Filter{Q: "yesenia", Province: "09"}, 0},
		}
		for name, tt := range tests {
			if got, _ := listTotal(t, e, sctx, tt.f); got != tt.want {
				t.Errorf("%s: total %d, want %d", name, got, tt.want)
			}
		}
		if got, rows := listTotal(t, e, sctx, cases.Filter{Q: "EC-2026-00004"}); got == 1 && rows[0].Number != "EC-2026-00004" {
			t.Errorf("number search returned %s", rows[0].Number)
		}
		// The list decrypts only the names.
		_, rows := listTotal(t, e, sctx, cases.Filter{Q: "Yesenia"})
		if len(rows) != 1 || rows[0].ID != yesenia.ID || rows[0].Person.GivenNames != "Yesenia" ||
			rows[0].Person.FamilyNames != "Vásquez Ñacato" || rows[0].Person.BirthDate != "" || rows[0].Person.Contact != "" {
			t.Errorf("list row: %+v", rows)
		}
		// Every case shown is audited as a list view.
		if ev := e.events(t, "case.list_view", yesenia.ID); len(ev) == 0 || ev[0].ActorID != sup.ID {
			t.Errorf("case.list_view events for the listed case: %+v", ev)
		}

		// Pagination: totals on every page, no overlap, stable order.
		seen := map[string]bool{}
		for page, want := range map[int]int{1: 3, 2: 3, 3: 1, 4: 0} {
			rows, total, err := e.svc.List(sctx, cases.Filter{Page: page, PerPage: 3, Sort: "number"})
			if err != nil {
				t.Fatalf("page %d: %v", page, err)
			}
			if total != 7 || len(rows) != want {
				t.Errorf("page %d: %d rows of total %d, want %d of 7", page, len(rows), total, want)
			}
			for _, r := range rows {
				if seen[r.ID] {
					t.Errorf("case %s on two pages", r.Number)
				}
				seen[r.ID] = true
			}
		}
		if len(seen) != 7 {
			t.Errorf("pages covered %d cases, want 7", len(seen))
		}
		rows, _, _ = e.svc.List(sctx, cases.Filter{Sort: "number"})
		for i := 1; i < len(rows); i++ {
			if rows[i-1].Number > rows[i].Number {
				t.Errorf("sort by number ascending: %s before %s", rows[i-1].Number, rows[i].Number)
			}
		}
		rows, _, _ = e.svc.List(sctx, cases.Filter{Sort: "number", Desc: true})
		if len(rows) > 0 && rows[0].Number != "EC-2026-00007" {
			t.Errorf("sort by number descending starts at %s", rows[0].Number)
		}
	})
}

// TestListStatusFlaggedOverdue covers the filters that depend on workflow and time.
func TestListStatusFlaggedOverdue(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		sup := e.user(t, e.agA, access.CaseSupervisor)
		wctx, sctx := e.as(w), e.as(sup)
		a := e.register(t, wctx, person(1, "Uno", "Primero"))
		b := e.register(t, wctx, person(2, "Dos", "Segundo"))
		e.register(t, wctx, person(3, "Tres", "Tercero"))

		ap, err := e.svc.RequestApproval(wctx, a.ID, "screening", "actual")
		if err != nil {
			t.Fatalf("request screening: %v", err)
		}
		if err := e.svc.Decide(sctx, ap.ID, true, ""); err != nil {
			t.Fatalf("approve screening: %v", err)
		}
		if got, _ := listTotal(t, e, sctx, cases.Filter{Status: "screened"}); got != 1 {
			t.Errorf("status screened: %d, want 1", got)
		}
		if got, _ := listTotal(t, e, sctx, cases.Filter{Status: "identified"}); got != 2 {
			t.Errorf("status identified: %d, want 2", got)
		}

		// Flagged cases.
		if _, err := e.svc.AddFlag(wctx, b.ID, "trafficker_contact", "Llamadas del tratante a la familia"); err != nil {
			t.Fatalf("flag: %v", err)
		}
		_, rows := listTotal(t, e, sctx, cases.Filter{Flagged: true})
		if len(rows) != 1 || rows[0].ID != b.ID || !rows[0].Flagged {
			t.Errorf("flagged filter: %+v", rows)
		}

		// Follow-up due on 15 March: not overdue on the 10th nor on the 15th, overdue on
		// the 16th (in Guayaquil: 16 March 03:00 UTC is still the 15th there).
		if err := e.svc.SetFollowUp(wctx, a.ID, "2026-03-15"); err != nil {
			t.Fatalf("follow-up: %v", err)
		}
		for _, step := range []struct {
			at   time.Time
			want int
		}{
			{now, 0},
			{time.Date(2026, 3, 15, 20, 0, 0, 0, time.UTC), 0},
			{time.Date(2026, 3, 16, 3, 0, 0, 0, time.UTC), 0},
			{time.Date(2026, 3, 16, 6, 0, 0, 0, time.UTC), 1},
		} {
			e.setNow(step.at)
			if got, _ := listTotal(t, e, sctx, cases.Filter{Overdue: true}); got != step.want {
				t.Errorf("overdue at %s: %d, want %d", step.at, got, step.want)
			}
		}
		// An open task past its due date makes a case overdue; a done one does not.
		e.setNow(now)
		task, err := e.svc.AddTask(wctx, b.ID, cases.TaskInput{Title: "Llamar a la fiscalía", DueOn: "2026-03-12"})
		if err != nil {
			t.Fatalf("add task: %v", err)
		}
		if got, _ := listTotal(t, e, sctx, cases.Filter{Overdue: true}); got != 0 {
			t.Errorf("overdue on the 10th: %d, want 0", got)
		}
		e.setNow(time.Date(2026, 3, 16, 6, 0, 0, 0, time.UTC))
		if got, _ := listTotal(t, e, sctx, cases.Filter{Overdue: true}); got != 2 {
			t.Errorf("overdue with a late task: %d, want 2", got)
		}
		if got, _ := listTotal(t, e, sctx, cases.Filter{Overdue: true, Flagged: true}); got != 1 {
			t.Errorf("overdue and flagged: %d, want 1", got)
		}
		if err := e.svc.CompleteTask(wctx, b.ID, task.ID); err != nil {
			t.Fatalf("complete task: %v", err)
		}
		if got, _ := listTotal(t, e, sctx, cases.Filter{Overdue: true}); got != 1 {
			t.Errorf("overdue after the task was done: %d, want 1", got)
		}
		// A closed case is never overdue.
		ap, err = e.svc.RequestApproval(wctx, a.ID, "closure", "lost_contact")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Decide(sctx, ap.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := listTotal(t, e, sctx, cases.Filter{Overdue: true}); got != 0 {
			t.Errorf("overdue after closure: %d, want 0", got)
		}
		if got, _ := listTotal(t, e, sctx, cases.Filter{Status: "open"}); got != 2 {
			t.Errorf("open cases after one closure: %d, want 2", got)
		}
	})
}

func TestDuplicates(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		ctx := e.as(w)
		in := person(1, "Yesenia", "Vásquez")
		in.Person.BirthDate = "1998-05-01"
		orig := e.register(t, ctx, in)

		reasons := func(dups []cases.Duplicate) string {
			var out []string
			for _, d := range dups {
				out = append(out, d.Number+":"+strings.Join(d.Reasons, "+"))
			}
			return strings.Join(out, " ")
		}
		check := func(name string, in cases.Input, want string) {
			t.Helper()
			in.Normalize()
			res, err := e.svc.Duplicates(ctx, &in, "")
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got := reasons(res.InReach); got != want {
				t.Errorf("%s: duplicates %q, want %q", name, got, want)
			}
		}
		// Same cédula, typed differently, another name.
		same := person(2, "Otra", "Persona")
		same.Person.Documents = []cases.Document{{Type: "cedula", Number: in.Person.Documents[0].Number[:9] + "-" + in.Person.Documents[0].Number[9:]}}
		check("same cédula", same, orig.Number+":document")
		// Spelled differently, sounds alike, born a year apart.
		ph := person(3, "Llesenia", "Basques")
		ph.Person.BirthDate = "1999-02-01"
		check("phonetic, 1 year apart", ph, orig.Number+":phonetic_name")
		// Estimated age gives a birth year too: identified 2026-02-01 at 27 → 1999.
		ph.Person.BirthDate, ph.Person.EstimatedAge = "", ptr(27)
		check("phonetic, estimated age", ph, orig.Number+":phonetic_name")
		// Five years apart: not the same person.
		ph.Person.BirthDate, ph.Person.EstimatedAge = "2003-05-01", nil
		check("phonetic, 5 years apart", ph, "")
		// No birth year: the phonetic key alone is not enough.
		ph.Person.BirthDate = ""
		check("phonetic, no birth year", ph, "")
		// The same name exactly (accents and case aside): a name match, whatever the year,
		// and a phonetic one when the years are close.
		nm := person(4, "YESENIA", "vasquez")
		nm.Person.BirthDate = "1970-01-01"
		check("same name, other year", nm, orig.Number+":name")
		nm.Person.BirthDate = "1998-01-01"
		check("same name, same year", nm, orig.Number+":name+phonetic_name")
		// An alias of the new person matching the name counts too.
		al := person(5, "Carmen", "Ruiz")
		al.Person.Aliases = []string{"Yesenia Vásquez"}
		check("alias", al, orig.Number+":name")
		// Nothing in common.
		check("different", person(6, "Pedro", "Guamán"), "")
		// Excluding the case itself (editing it) finds nothing.
		self := in
		self.Normalize()
		if res, err := e.svc.Duplicates(ctx, &self, orig.ID); err != nil || res.Found() {
			t.Errorf("duplicates excluding itself: %+v %v", res, err)
		}

		// Register refuses until the worker confirms; nothing is saved meanwhile.
		_, err := e.svc.Register(ctx, same, cases.RegisterOptions{})
		var df *cases.DuplicatesFound
		if !errors.As(err, &df) || len(df.Duplicates) != 1 || df.Duplicates[0].CaseID != orig.ID {
			t.Fatalf("register a duplicate: %v, want *DuplicatesFound with %s", err, orig.Number)
		}
		if errs.CodeOf(err) != errs.CodeConflict {
			t.Errorf("DuplicatesFound code %s, want conflict (409)", errs.CodeOf(err))
		}
		if !df.Duplicates[0].CanOpen || df.Duplicates[0].AgencyName != e.agA.Name {
			t.Errorf("duplicate shown to its own worker: %+v", df.Duplicates[0])
		}
		if n := e.count(t, "cases", ""); n != 1 {
			t.Errorf("cases after the warning: %d, want 1", n)
		}
		c, err := e.svc.Register(ctx, same, cases.RegisterOptions{NotDuplicate: true})
		if err != nil || c.Number != "EC-2026-00002" {
			t.Fatalf("register confirmed: %v %v", c, err)
		}
		// A worker of another agency is warned too, but only that a likely duplicate
		// exists elsewhere (duplicate_requests_test.go covers the rest).
		wb := e.user(t, e.agB, access.CaseWorker)
		_, err = e.svc.Register(e.as(wb), in, cases.RegisterOptions{})
		if !errors.As(err, &df) || !df.Result.Elsewhere || len(df.Duplicates) != 0 {
			t.Fatalf("register in agency B: %v, want *DuplicatesFound elsewhere only", err)
		}
		if ev := e.events(t, "case.duplicate_check", ""); len(ev) == 0 {
			t.Error("no case.duplicate_check event")
		}
	})
}

func TestAssign(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w1 := e.user(t, e.agA, access.CaseWorker)
		w2 := e.user(t, e.agA, access.CaseWorker)
		sup := e.user(t, e.agA, access.CaseSupervisor)
		wb := e.user(t, e.agB, access.CaseWorker)
		mon := e.user(t, e.agA, access.Monitoring)
		c := e.register(t, e.as(w1), goodInput())

		// Workers may not reassign.
		wantCode(t, "worker assigns", e.svc.Assign(e.as(w1), c.ID, w2.ID), errs.CodeForbidden)
		// Only active case workers or supervisors of the case's agency.
		wantField(t, "assign to another agency", e.svc.Assign(e.as(sup), c.ID, wb.ID), "assigned_to", "cases.err.assignee")
		wantField(t, "assign to monitoring", e.svc.Assign(e.as(sup), c.ID, mon.ID), "assigned_to", "cases.err.assignee")
		wantField(t, "assign to nobody known", e.svc.Assign(e.as(sup), c.ID, "nobody"), "assigned_to", "cases.err.assignee")

		if err := e.svc.Assign(e.as(sup), c.ID, w2.ID); err != nil {
			t.Fatalf("assign: %v", err)
		}
		if _, err := e.svc.Get(e.as(w2), c.ID); err != nil {
			t.Errorf("new worker cannot open the case: %v", err)
		}
		_, err := e.svc.Get(e.as(w1), c.ID)
		wantCode(t, "previous worker opens", err, errs.CodeNotFound)
		if ev := e.events(t, "case.assign", c.ID); len(ev) != 1 || ev[0].ActorID != sup.ID {
			t.Errorf("case.assign events: %+v", ev)
		}
		// The stale form of the previous version now conflicts.
		_, err = e.svc.Update(e.as(w2), c.ID, c.Version, c.Input)
		wantCode(t, "update after reassignment with the old version", err, errs.CodeConflict)

		// Register on behalf of another worker (supervisor), and the assignable list.
		in := person(9, "Asignada", "Por Supervisora")
		c2, err := e.svc.Register(e.as(sup), in, cases.RegisterOptions{AssignTo: w1.ID, NotDuplicate: true})
		if err != nil || c2.AssignedTo != w1.ID {
			t.Fatalf("register assigned to w1: %v %+v", err, c2)
		}
		_, err = e.svc.Register(e.as(sup), person(10, "Mal", "Asignada"), cases.RegisterOptions{AssignTo: wb.ID, NotDuplicate: true})
		wantField(t, "register assigned to another agency", err, "assigned_to", "cases.err.assignee")
		staff, err := e.svc.Assignable(e.as(sup), e.agA.ID)
		if err != nil || len(staff) != 3 {
			t.Errorf("assignable staff: %d %v, want 3 (two workers and the supervisor)", len(staff), err)
		}
	})
}

// FuzzListQuery feeds search boxes and filters, as typed in the list's URL, to List on
// SQLite: no input may fail the query, and whatever it matches stays within the user's
// scope (the worker sees two of the three cases).
func FuzzListQuery(f *testing.F) {
	e := newEnv(f, dbtest.SQLite(f))
	w := e.user(f, e.agA, access.CaseWorker)
	wb := e.user(f, e.agB, access.CaseWorker)
	ctx := e.as(w)
	e.register(f, ctx, person(1, "Yesenia", "Vásquez"))
	e.register(f, ctx, person(2, "José María", "Quispe"))
	e.register(f, e.as(wb), person(3, "Yesenia", "Vásquez"))
	for _, s := range []string{"EC-2026-00001", "ec-2026-3", "EC-9999-999999", "yesenia", "YESENIA VÁSQUEZ", cedula("170000001"),
		"17.000-0001", "' OR 1=1 --", "%", "_", "\x00", "de la", "a b c d e f g h", "María\u0301", "\xff\xfe"} {
		f.Add(s, "open", "17", "begging", "9-17", "1", "female")
	}
	f.Fuzz(func(t *testing.T, q, status, province, exploitation, ageGroup, child, sex string) {
		rows, total, err := e.svc.List(ctx, cases.Filter{Q: q, Status: status, Province: province,
			Exploitation: exploitation, AgeGroup: ageGroup, Child: child, Sex: sex, Sort: q, PerPage: len(q)})
		if err != nil {
			t.Fatalf("list %q: %v", q, err)
		}
		if total < 0 || total > 2 || len(rows) > total {
			t.Fatalf("list %q: %d rows of total %d, but the worker may see only 2 cases", q, len(rows), total)
		}
		for _, r := range rows {
			if r.AgencyID != e.agA.ID {
				t.Fatalf("list %q shows %s of another agency", q, r.Number)
			}
		}
	})
}
