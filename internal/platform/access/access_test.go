package access_test

import (
	"context"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Subjects used across the tests: two agencies, a canton and a province.
const (
	agencyA = "agency-a"
	agencyB = "agency-b"
	userA   = "user-a"
	userB   = "user-b"
)

func subject(role access.Role, user, agency, level, code string) *access.Subject {
	return &access.Subject{UserID: user, AgencyID: agency, Roles: []access.Role{role},
		JurisdictionLevel: level, JurisdictionCode: code}
}

func TestScopeAndCan(t *testing.T) {
	tests := []struct {
		role access.Role
		a    access.Action
		res  access.Resource
		want access.Scope
	}{
		{access.CaseWorker, access.View, access.Case, access.Own},
		{access.CaseWorker, access.Approve, access.Case, access.None},
		{access.CaseSupervisor, access.View, access.Case, access.AgencyScope},
		{access.CaseSupervisor, access.Manage, access.Case, access.AgencyScope},
		{access.LocalFocalPoint, access.View, access.Plan, access.Jurisdiction},
		{access.LocalFocalPoint, access.View, access.Case, access.None},
		{access.NationalCoordinator, access.Approve, access.Plan, access.National},
		{access.NationalCoordinator, access.View, access.Case, access.None},
		{access.Monitoring, access.View, access.Case, access.None},
		{access.Monitoring, access.Export, access.Grant, access.National},
		{access.DataProtectionOfficer, access.View, access.Audit, access.National},
		{access.DataProtectionOfficer, access.Update, access.User, access.None},
		{access.Admin, access.Manage, access.User, access.National},
		{access.Admin, access.View, access.Case, access.None},
		{access.Admin, access.View, access.Audit, access.None},
		// Two grants for the same resource: the wider scope wins per action.
		{access.ShelterCoordinator, access.View, access.Shelter, access.National},
		{access.ShelterCoordinator, access.Update, access.Shelter, access.AgencyScope},
	}
	for _, tt := range tests {
		s := subject(tt.role, userA, agencyA, "agency", "")
		if got := s.Scope(tt.a, tt.res); got != tt.want {
			t.Errorf("%s %s %s: scope %s, want %s", tt.role, tt.a, tt.res, got, tt.want)
		}
		if got := s.Can(tt.a, tt.res); got != (tt.want > access.None) {
			t.Errorf("%s %s %s: Can %v", tt.role, tt.a, tt.res, got)
		}
	}
}

func TestScopeOfSeveralRoles(t *testing.T) {
	s := &access.Subject{UserID: userA, AgencyID: agencyA, Roles: []access.Role{access.CaseWorker, access.CaseSupervisor}}
	if got := s.Scope(access.View, access.Case); got != access.AgencyScope {
		t.Errorf("worker+supervisor view case: %s, want agency (the widest)", got)
	}
	if !s.Has(access.CaseWorker) || !s.Has(access.CaseSupervisor) || s.Has(access.Admin) {
		t.Errorf("Has: wrong answer for %v", s.Roles)
	}
}

func TestNilSubject(t *testing.T) {
	var s *access.Subject
	if s.Scope(access.View, access.Knowledge) != access.None || s.Can(access.View, access.Knowledge) || s.Has(access.Admin) {
		t.Error("a nil subject may do something")
	}
	if s.Allows(access.View, access.Knowledge, access.Record{}) {
		t.Error("a nil subject is allowed a record")
	}
	if s.SeesPersonalData() {
		t.Error("a nil subject sees personal data")
	}
	if got := errs.CodeOf(s.Require(access.View, access.Knowledge)); got != errs.CodeUnauthenticated {
		t.Errorf("Require on nil subject: %s, want unauthenticated", got)
	}
	if err := s.Check(access.View, access.Case, access.Record{AgencyID: agencyA}); err == nil {
		t.Error("Check on nil subject: allowed")
	}
	if access.From(context.Background()) != nil {
		t.Error("From on an empty context: not nil")
	}
}

func TestRequire(t *testing.T) {
	mon := subject(access.Monitoring, userA, agencyA, "national", "")
	if err := mon.Require(access.View, access.Grant); err != nil {
		t.Errorf("monitoring view grant: %v", err)
	}
	if got := errs.CodeOf(mon.Require(access.View, access.Case)); got != errs.CodeForbidden {
		t.Errorf("monitoring view case: %s, want forbidden", got)
	}
}

func TestAllows(t *testing.T) {
	worker := subject(access.CaseWorker, userA, agencyA, "agency", "")
	super := subject(access.CaseSupervisor, userA, agencyA, "agency", "")
	shelter := subject(access.ShelterCoordinator, userA, agencyA, "agency", "")
	focalCanton := subject(access.LocalFocalPoint, userA, agencyA, "canton", "1001")
	focalProv := subject(access.LocalFocalPoint, userA, agencyA, "province", "10")
	focalAgency := subject(access.LocalFocalPoint, userA, agencyA, "agency", "")
	coord := subject(access.NationalCoordinator, userA, agencyA, "national", "")
	noAgency := subject(access.CaseSupervisor, userA, "", "agency", "")

	ownAgency := access.Record{AgencyID: agencyA}
	otherAgency := access.Record{AgencyID: agencyB}
	assigned := access.Record{AgencyID: agencyB, UserIDs: []string{userB, userA}}
	referred := access.Record{AgencyID: agencyB, AgencyIDs: []string{agencyA}}
	ibarra := access.Record{AgencyID: agencyB, ProvinceCode: "10", CantonCode: "1001"}
	otavalo := access.Record{AgencyID: agencyB, ProvinceCode: "10", CantonCode: "1004"}
	quito := access.Record{AgencyID: agencyB, ProvinceCode: "17", CantonCode: "1701"}
	blankIDs := access.Record{UserIDs: []string{""}, AgencyIDs: []string{""}}

	tests := []struct {
		name string
		s    *access.Subject
		a    access.Action
		res  access.Resource
		rec  access.Record
		want bool
	}{
		// own: only through a relation.
		{"worker, own agency, not assigned", worker, access.View, access.Case, ownAgency, false},
		{"worker, assigned", worker, access.View, access.Case, assigned, true},
		{"worker, assigned, update", worker, access.Update, access.Case, assigned, true},
		{"worker, assigned, approve", worker, access.Approve, access.Case, assigned, false},
		{"worker, related agency", worker, access.View, access.Case, referred, true},
		{"worker, other agency", worker, access.View, access.Case, otherAgency, false},
		{"worker, blank ids never match a blank subject", &access.Subject{Roles: []access.Role{access.CaseWorker}},
			access.View, access.Case, blankIDs, false},
		// agency: the owning agency or a relation.
		{"supervisor, own agency", super, access.View, access.Case, ownAgency, true},
		{"supervisor, other agency", super, access.View, access.Case, otherAgency, false},
		{"supervisor, other agency, assigned", super, access.View, access.Case, assigned, true},
		{"supervisor, other agency, referred", super, access.View, access.Case, referred, true},
		{"supervisor without agency, record without agency", noAgency, access.View, access.Case, access.Record{}, false},
		{"shelter, own agency shelter update", shelter, access.Update, access.Shelter, ownAgency, true},
		{"shelter, other shelter update", shelter, access.Update, access.Shelter, otherAgency, false},
		{"shelter, other shelter view (national)", shelter, access.View, access.Shelter, otherAgency, true},
		// jurisdiction: the place, or a relation.
		{"focal canton, in canton", focalCanton, access.View, access.Plan, ibarra, true},
		{"focal canton, other canton same province", focalCanton, access.View, access.Plan, otavalo, false},
		{"focal canton, other province", focalCanton, access.View, access.Plan, quito, false},
		{"focal province, canton of province", focalProv, access.View, access.Plan, otavalo, true},
		{"focal province, other province", focalProv, access.View, access.Plan, quito, false},
		{"focal canton, related by agency", focalCanton, access.View, access.Plan, referred, true},
		{"focal agency level, no place", focalAgency, access.View, access.Plan, ibarra, false},
		{"focal canton, no place on record", focalCanton, access.View, access.Plan, access.Record{AgencyID: agencyB}, false},
		{"focal, no permission at all", focalCanton, access.View, access.Case, ibarra, false},
		// national: everything.
		{"coordinator, any plan", coord, access.Approve, access.Plan, quito, true},
		{"coordinator, case", coord, access.View, access.Case, ownAgency, false},
	}
	for _, tt := range tests {
		if got := tt.s.Allows(tt.a, tt.res, tt.rec); got != tt.want {
			t.Errorf("%s: Allows(%s %s) = %v, want %v", tt.name, tt.a, tt.res, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	worker := subject(access.CaseWorker, userA, agencyA, "agency", "")
	coord := subject(access.ShelterCoordinator, userA, agencyA, "agency", "")
	assigned := access.Record{AgencyID: agencyB, UserIDs: []string{userA}}
	unrelated := access.Record{AgencyID: agencyB}

	tests := []struct {
		name string
		s    *access.Subject
		a    access.Action
		res  access.Resource
		rec  access.Record
		want errs.Code // "" for allowed
	}{
		{"allowed", worker, access.Update, access.Case, assigned, ""},
		{"sees it, may not approve: forbidden", worker, access.Approve, access.Case, assigned, errs.CodeForbidden},
		{"cannot see it: not found, not forbidden", worker, access.View, access.Case, unrelated, errs.CodeNotFound},
		{"cannot see it, update: not found", worker, access.Update, access.Case, unrelated, errs.CodeNotFound},
		{"shelter coordinator, related case, may view", coord, access.View, access.Case, assigned, ""},
		{"shelter coordinator, related case, update: forbidden", coord, access.Update, access.Case, assigned, errs.CodeForbidden},
		{"shelter coordinator, unrelated case update: not found", coord, access.Update, access.Case, unrelated, errs.CodeNotFound},
	}
	for _, tt := range tests {
		err := tt.s.Check(tt.a, tt.res, tt.rec)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want allowed", tt.name, err)
		case tt.want != "" && errs.CodeOf(err) != tt.want:
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
}

func TestSeesPersonalData(t *testing.T) {
	want := map[access.Role]bool{
		access.Admin: true, access.CaseWorker: true, access.CaseSupervisor: true,
		access.ShelterCoordinator: true, access.ReintegrationOfficer: true,
		access.ProsecutionLiaison: true, access.DataProtectionOfficer: true,
		access.LocalFocalPoint: false, access.NationalCoordinator: false, access.Monitoring: false,
	}
	if len(want) != len(access.Roles) {
		t.Fatalf("%d roles, this test knows %d: decide whether the new one sees personal data", len(access.Roles), len(want))
	}
	for _, r := range access.Roles {
		w, ok := want[r]
		if !ok {
			t.Errorf("role %s unknown to this test", r)
			continue
		}
		if got := r.SeesPersonalData(); got != w {
			t.Errorf("%s.SeesPersonalData() = %v, want %v", r, got, w)
		}
		if got := (&access.Subject{Roles: []access.Role{r}}).SeesPersonalData(); got != w {
			t.Errorf("subject with %s: SeesPersonalData() = %v, want %v", r, got, w)
		}
	}
	mixed := &access.Subject{Roles: []access.Role{access.Monitoring, access.CaseWorker}}
	if !mixed.SeesPersonalData() {
		t.Error("monitoring + case worker: one role that sees personal data is enough")
	}
	// A role that may view cases, stays or audit must be one that uses a second factor.
	for _, r := range access.Roles {
		for _, res := range []access.Resource{access.Case, access.ShelterStay, access.Reintegration, access.Audit, access.User} {
			if access.RoleScope(r, access.View, res) > access.None && !r.SeesPersonalData() {
				t.Errorf("%s may view %s but SeesPersonalData is false: it would skip the second factor", r, res)
			}
		}
	}
}

func TestRolesAndContext(t *testing.T) {
	for _, r := range access.Roles {
		if !access.ValidRole(string(r)) {
			t.Errorf("ValidRole(%q) = false", r)
		}
		if r.LabelKey() != "role."+string(r) {
			t.Errorf("LabelKey of %s: %q", r, r.LabelKey())
		}
		if len(access.Matrix(r)) == 0 {
			t.Errorf("role %s has no permission at all", r)
		}
	}
	for _, bad := range []string{"", "Admin", "root", "admin "} {
		if access.ValidRole(bad) {
			t.Errorf("ValidRole(%q) = true", bad)
		}
	}
	s := access.System()
	ctx := access.With(context.Background(), s)
	if access.From(ctx) != s {
		t.Error("From does not return the subject put in With")
	}
	if !s.Can(access.Manage, access.User) || s.Can(access.View, access.Case) {
		t.Error("System: national administrator permissions expected, and no case access")
	}
	names := map[access.Scope]string{access.None: "none", access.Own: "own", access.AgencyScope: "agency",
		access.Jurisdiction: "jurisdiction", access.National: "national"}
	for sc, n := range names {
		if sc.String() != n {
			t.Errorf("Scope(%d).String() = %q, want %q", sc, sc.String(), n)
		}
	}
}
