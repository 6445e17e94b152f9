package shelters_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/secure"
	"github.com/amparo-ec/amparo/internal/shelters"
)

type world struct {
	cases                       *cases.Service
	sh                          *shelters.Service
	sys, worker, coord, monitor context.Context
	outsider                    context.Context
	ngo, casa                   string
	shelterID                   string
}

// testFields are what a referral for shelter carries; the tests grant them as an
// accepted referral would.
var testFields = []string{"age", "age_group", "case_number", "disability", "family_names", "gender", "given_names",
	"guardian", "languages", "nationalities", "risk_level", "sex"}

func setup(t *testing.T, d *db.DB, beds map[string]int) *world {
	t.Helper()
	ctx := context.Background()
	if err := geo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	kf := filepath.Join(t.TempDir(), "k")
	if err := secure.GenerateKeyFile(kf); err != nil {
		t.Fatal(err)
	}
	kr, _ := secure.LoadKeyring(kf)
	log := audit.New(d)
	as := auth.NewService(d, log, kr)
	w := &world{sys: access.With(ctx, access.System())}
	agency := func(code, typ string) string {
		a, err := as.CreateAgency(w.sys, &auth.Agency{Code: code, Name: code, Type: typ, ProvinceCode: "23"})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	w.ngo, w.casa = agency("ngo", "ngo"), agency("casa", "shelter")
	other := agency("otra", "shelter")
	user := func(email, ag string, role access.Role) context.Context {
		u, _, err := as.CreateUser(w.sys, &auth.User{Email: email, Name: email, AgencyID: ag, Roles: []access.Role{role}}, "")
		if err != nil {
			t.Fatal(err)
		}
		return access.With(ctx, u.Subject())
	}
	w.worker = user("w@x.ec", w.ngo, access.CaseWorker)
	w.coord = user("c@x.ec", w.casa, access.ShelterCoordinator)
	w.outsider = user("o@x.ec", other, access.ShelterCoordinator)
	w.monitor = user("m@x.ec", w.ngo, access.Monitoring)
	w.cases = cases.NewService(d, log, kr, as)
	w.sh = shelters.NewService(d, log, kr, w.cases)
	nc := access.With(ctx, &access.Subject{UserID: "nc", AgencyID: w.ngo, Roles: []access.Role{access.NationalCoordinator}, JurisdictionLevel: "national"})
	s, err := w.sh.Save(nc, "", shelters.ShelterInput{AgencyID: w.casa, Name: "Casa Luz", Province: "23", Canton: "2301",
		Address: "Calle Reservada 123", Populations: []string{"children", "adolescents"}, Beds: beds,
		Staff: map[string]int{"psychologist": 1}, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	w.shelterID = s.ID
	return w
}

// newCase registers a case and opens it to the shelter, as an accepted referral does.
func (w *world) newCase(t *testing.T, name string) string {
	t.Helper()
	age := 12
	c, err := w.cases.Register(w.worker, cases.Input{
		Person:            cases.Person{GivenNames: name, FamilyNames: "Prueba", Sex: "female", EstimatedAge: &age, Nationalities: []string{"ECU"}},
		Identification:    cases.Identification{Date: "2026-09-01", Country: "ECU", Province: "23", How: "hotline"},
		TraffickingStatus: "possible", Exploitation: []string{"sexual"},
	}, cases.RegisterOptions{NotDuplicate: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cases.GrantAccess(w.sys, c.ID, cases.Grant{AgencyID: w.casa, Reason: "referral", SourceID: "test-" + c.ID, Fields: testFields}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// Concurrent admissions to the last bed: exactly one wins, on both engines.
func TestLastBedExactlyOneWins(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, map[string]int{"girls": 3})
		var ids []string
		for i := 0; i < 8; i++ {
			ids = append(ids, w.newCase(t, "Niña"+string(rune('A'+i))))
		}
		// Fill two of three beds first.
		for _, id := range ids[:2] {
			if _, err := w.sh.Admit(w.coord, w.shelterID, shelters.AdmitInput{CaseID: id, BedType: "girls"}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		results := make(chan error, 6)
		for _, id := range ids[2:] {
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				_, err := w.sh.Admit(w.coord, w.shelterID, shelters.AdmitInput{CaseID: id, BedType: "girls"})
				results <- err
			}(id)
		}
		wg.Wait()
		close(results)
		won, full := 0, 0
		for err := range results {
			switch {
			case err == nil:
				won++
			case errs.CodeOf(err) == errs.CodeConflict:
				full++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if won != 1 || full != 5 {
			t.Fatalf("won %d, refused %d; want 1 and 5", won, full)
		}
		s, err := w.sh.Get(w.coord, w.shelterID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Occupied != 3 || s.Free != 0 || s.TotalBeds != 3 {
			t.Fatalf("occupancy %d/%d free %d", s.Occupied, s.TotalBeds, s.Free)
		}
	})
}

func TestStaysAccessAndAddress(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, map[string]int{"girls": 2})
		id := w.newCase(t, "Paola")
		st, err := w.sh.Admit(w.coord, w.shelterID, shelters.AdmitInput{CaseID: id, BedType: "girls"})
		if err != nil {
			t.Fatal(err)
		}
		// Twice in a shelter at once: refused.
		if _, err := w.sh.Admit(w.coord, w.shelterID, shelters.AdmitInput{CaseID: id, BedType: "girls"}); errs.CodeOf(err) != errs.CodeInvalid {
			t.Fatalf("double stay: %v", err)
		}
		// A case neither owned nor referred cannot be admitted.
		age := 30
		c2, err := w.cases.Register(w.worker, cases.Input{Person: cases.Person{GivenNames: "Lucía", Sex: "female", EstimatedAge: &age,
			Nationalities: []string{"ECU"}}, Identification: cases.Identification{Date: "2026-09-01", Country: "ECU", Province: "23", How: "hotline"},
			TraffickingStatus: "possible"}, cases.RegisterOptions{NotDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.sh.Admit(w.coord, w.shelterID, shelters.AdmitInput{CaseID: c2.ID, BedType: "girls"}); errs.CodeOf(err) != errs.CodeInvalid {
			t.Fatalf("unreferred case: %v", err)
		}
		// Residents: the shelter's own staff only; other shelters get 404, monitoring 403.
		res, err := w.sh.Residents(w.coord, w.shelterID, true)
		if err != nil || len(res) != 1 || res[0].CaseID != id {
			t.Fatalf("residents: %v %+v", err, res)
		}
		if _, err := w.sh.Residents(w.outsider, w.shelterID, true); errs.CodeOf(err) != errs.CodeForbidden {
			t.Fatalf("other shelter: %v", err)
		}
		if _, err := w.sh.Residents(w.monitor, w.shelterID, true); errs.CodeOf(err) == "" || err == nil {
			t.Fatalf("monitoring sees residents: %v", err)
		}
		// The confidential address: operator only.
		if s, _ := w.sh.Get(w.coord, w.shelterID); s.Address != "Calle Reservada 123" {
			t.Fatalf("operator address: %q", s.Address)
		}
		if s, _ := w.sh.Get(w.monitor, w.shelterID); s.Address != "" {
			t.Fatalf("monitoring sees the address")
		}
		// Discharge ends the shelter's access to the case.
		if err := w.sh.Discharge(w.coord, w.shelterID, st.ID, "", "reintegrated_family", "familia"); err != nil {
			t.Fatal(err)
		}
		if s, _ := w.sh.Get(w.coord, w.shelterID); s.Occupied != 0 {
			t.Fatalf("occupied after discharge: %d", s.Occupied)
		}
	})
}

func TestAssessmentsFinancesAndStatus(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d, map[string]int{"girls": 20})
		s, _ := w.sh.Get(w.monitor, w.shelterID)
		if s.Status != shelters.StatusNotAssessed {
			t.Fatalf("new shelter: %s", s.Status)
		}
		ratings := map[string]int{}
		for _, dom := range shelters.Domains {
			for _, std := range dom.Standards {
				ratings[std] = 1
			}
		}
		if _, err := w.sh.AddAssessment(w.coord, w.shelterID, shelters.AssessmentInput{AssessedOn: "2026-01-10", Assessor: "Equipo", Ratings: ratings}); err != nil {
			t.Fatal(err)
		}
		// The worked finances of scoring_test.go: 2.5 months of reserves, a 60% funder.
		_, err := w.sh.AddFinance(w.coord, w.shelterID, shelters.FinanceInput{PeriodStart: "2026-01-01", PeriodEnd: "2026-03-31",
			Income:        map[string]float64{"central_government": 30000, "international_donor": 60000, "private_donations": 10000},
			LargestFunder: 60000, OperatingCost: 90000, UnrestrictedReserves: 75000, OccupiedBedNights: 1350,
			StandardBudget: 120000, SecuredFunding: 95000})
		if err != nil {
			t.Fatal(err)
		}
		fs, err := w.sh.Finances(w.monitor, w.shelterID)
		if err != nil || len(fs) != 1 {
			t.Fatal(err)
		}
		if got := fs[0].Sustainability; got.ReserveMonths != 2.5 || got.HHI != 0.46 || got.FundingGap != 25000 || got.Occupancy != 0.75 {
			t.Fatalf("sustainability: %+v", got)
		}
		s, _ = w.sh.Get(w.monitor, w.shelterID)
		if s.Status != shelters.StatusNeedsSupport || s.Reasons[0].Key != "shelters.reason.low_reserves" {
			t.Fatalf("status: %s %+v", s.Status, s.Reasons)
		}
		// Invalid figures are refused with field errors and nothing saved.
		_, err = w.sh.AddFinance(w.coord, w.shelterID, shelters.FinanceInput{PeriodStart: "2026-05-01", PeriodEnd: "2026-04-01", OperatingCost: -1})
		if e, ok := errs.As(err); !ok || e.Fields["period_end"] == "" || e.Fields["operating_cost"] == "" {
			t.Fatalf("bad finances: %v", err)
		}
		if fs, _ := w.sh.Finances(w.monitor, w.shelterID); len(fs) != 1 {
			t.Fatal("bad finances were saved")
		}
		if _, err := w.sh.AddAssessment(w.coord, w.shelterID, shelters.AssessmentInput{AssessedOn: "2026-02-01", Assessor: "x",
			Ratings: map[string]int{"visitor_control": 9}}); errs.CodeOf(err) != errs.CodeInvalid {
			t.Fatalf("rating 9: %v", err)
		}
		// Monitoring may read assessments but not write them.
		if _, err := w.sh.AddAssessment(w.monitor, w.shelterID, shelters.AssessmentInput{AssessedOn: "2026-02-01", Assessor: "x",
			Ratings: ratings}); errs.CodeOf(err) != errs.CodeForbidden {
			t.Fatalf("monitoring writes: %v", err)
		}
		a, err := w.sh.SaveAction(w.coord, w.shelterID, "", shelters.ActionInput{Domain: "governance", Action: "Diversificar fuentes de ingreso", Owner: "Dirección", DueOn: "2026-12-31"})
		if err != nil || a.Status != "planned" {
			t.Fatalf("action: %v", err)
		}
		if acts, err := w.sh.Actions(w.monitor, w.shelterID); err != nil || len(acts) != 1 {
			t.Fatalf("actions: %v %d", err, len(acts))
		}
	})
}
