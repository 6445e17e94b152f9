package app

import (
	"context"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// Every capability's encrypted columns are registered: after a rotation no value is left
// under the old key, and the data still reads back through the services.
func TestCapabilityColumnsRotate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := geo.Seed(ctx, d); err != nil {
			t.Fatal(err)
		}
		before, after := keyrings(t)
		log := audit.New(d)
		as := auth.NewService(d, log, before)
		sys := access.With(ctx, access.System())
		ngo, err := as.CreateAgency(sys, &auth.Agency{Code: "ngo", Name: "ngo", Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		casa, err := as.CreateAgency(sys, &auth.Agency{Code: "casa", Name: "casa", Type: "shelter"})
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := as.CreateUser(sys, &auth.User{Email: "w@x.ec", Name: "w", AgencyID: ngo.ID, Roles: []access.Role{access.CaseWorker}}, "")
		if err != nil {
			t.Fatal(err)
		}
		worker := access.With(ctx, u.Subject())
		cs := cases.NewService(d, log, before, as)
		c, err := cs.Register(worker, cases.Input{Person: cases.Person{GivenNames: "Ana", FamilyNames: "Caicedo", Aliases: []string{"Anita"},
			Sex: "female", BirthDate: "2010-05-01", Nationalities: []string{"ECU"}, Contact: "0999999999",
			Documents: []cases.Document{{Type: "passport", Number: "X123"}}, Guardian: &cases.Guardian{Name: "Luz", Relation: "madre"}},
			Identification:    cases.Identification{Date: "2026-01-01", Country: "ECU", Province: "17", How: "hotline"},
			TraffickingStatus: "possible"}, cases.RegisterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.RecordConsent(worker, c.ID, cases.ConsentInput{Purpose: "referral", AgencyID: casa.ID, Status: "given",
			GivenBy: "representative", Representative: "Luz", Method: "written", DecidedOn: "2026-01-02"}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.AddNote(worker, c.ID, "nota confidencial"); err != nil {
			t.Fatal(err)
		}
		rs := referrals.NewService(d, log, before, cs, as)
		if _, err := rs.Send(worker, referrals.ReferralInput{CaseID: c.ID, ToAgencyID: casa.ID, SupportTypes: []string{"shelter"}, Reason: "acogida"}); err != nil {
			t.Fatal(err)
		}
		nc := access.With(ctx, &access.Subject{UserID: "nc", Roles: []access.Role{access.NationalCoordinator}, JurisdictionLevel: "national"})
		if _, err := shelters.NewService(d, log, before, cs).Save(nc, "", shelters.ShelterInput{AgencyID: casa.ID, Name: "Casa",
			Province: "17", Address: "reservada", Beds: map[string]int{"girls": 2}, Active: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := Rotate(ctx, d, after, 2, nil); err != nil {
			t.Fatal(err)
		}
		counts, err := CountByKey(ctx, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, kc := range counts {
			for key, n := range kc.ByKey {
				if key != "k2" && n > 0 {
					t.Errorf("%s: %d values under %q after rotation", kc.Column, n, key)
				}
				seen += n
			}
		}
		if seen < 12 { // 7 case fields, consent, note, referral payload and reason, shelter address
			t.Fatalf("only %d encrypted values found; columns are missing from the registry", seen)
		}
		got, err := cases.NewService(d, log, after, as).Get(worker, c.ID)
		if err != nil || got.Person.GivenNames != "Ana" || got.Person.Guardian == nil {
			t.Fatalf("read back after rotation: %v %+v", err, got)
		}
	})
}
