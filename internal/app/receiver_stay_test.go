package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// TestStayCarriesItsReferralOnly: a stay admitted from a referral to the shelter carries
// what that referral carries, not everything the shelter's agency happened to see of the
// person that day through other referrals; when the owner cancels another referral (one
// for legal support that carried the documents), the shelter no longer sees what only
// that referral carried.
func TestStayCarriesItsReferralOnly(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			rc := setUpRelations(t, ta)
			w, sh := as(rc.users[relAssigned]), as(rc.users[relShelter])
			// Start again: the girl leaves the shelter, the owner refers her to the same
			// institution for legal support (which carries the documents), and she is
			// admitted again from the shelter referral.
			stays, err := ta.Shelters.Residents(sh, rc.shelter, true)
			if err != nil || len(stays) != 1 {
				t.Fatalf("residents: %+v %v", stays, err)
			}
			if err := ta.Shelters.Discharge(sh, rc.shelter, stays[0].ID, "", "other", ""); err != nil {
				t.Fatalf("discharge: %v", err)
			}
			legal, err := ta.Referrals.Send(w, referrals.ReferralInput{CaseID: rc.id, ToAgencyID: rc.users[relShelter].AgencyID,
				SupportTypes: []string{"legal"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ta.Referrals.Step(sh, legal.ID, "accept", referrals.StepInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := ta.Shelters.Admit(sh, rc.shelter, shelters.AdmitInput{CaseID: rc.id, ReferralID: stays[0].ReferralID,
				BedType: "girls"}); err != nil {
				t.Fatalf("admit again: %v", err)
			}
			api := ta.newBearer(t, rc.users[relShelter].ID)
			_, body := api.do(t, http.MethodGet, "/api/v1/cases/"+rc.id, nil, nil)
			if !strings.Contains(body, mkCedula) {
				t.Fatalf("with the legal referral accepted the shelter does not see the documents\n%s", short(body))
			}
			if _, err := ta.Referrals.Step(w, legal.ID, "cancel", referrals.StepInput{}); err != nil {
				t.Fatal(err)
			}
			resp, body := api.do(t, http.MethodGet, "/api/v1/cases/"+rc.id, nil, nil)
			wantStatus(t, "the shelter reads the case", resp, body, http.StatusOK)
			if strings.Contains(body, mkCedula) {
				t.Errorf("the legal referral was cancelled and the stay still shows the documents it carried\n%s", short(body))
			}
			if !strings.Contains(body, mkGuardian) {
				t.Errorf("the stay no longer shows what the shelter referral carries (the guardian)\n%s", short(body))
			}
		})
	}
}

// TestStayByNumberCarriesWhatAStayNeeds: admitted by the case number alone (no referral
// chosen), a stay carries only what a stay needs of what the shelter's agency was shown,
// so the documents a legal referral carried do not outlive that referral through the
// stay.
func TestStayByNumberCarriesWhatAStayNeeds(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			rc := setUpRelations(t, ta)
			w, sh := as(rc.users[relAssigned]), as(rc.users[relShelter])
			stays, err := ta.Shelters.Residents(sh, rc.shelter, true)
			if err != nil || len(stays) != 1 {
				t.Fatalf("residents: %+v %v", stays, err)
			}
			if err := ta.Shelters.Discharge(sh, rc.shelter, stays[0].ID, "", "other", ""); err != nil {
				t.Fatalf("discharge: %v", err)
			}
			legal, err := ta.Referrals.Send(w, referrals.ReferralInput{CaseID: rc.id, ToAgencyID: rc.users[relShelter].AgencyID,
				SupportTypes: []string{"legal"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ta.Referrals.Step(sh, legal.ID, "accept", referrals.StepInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := ta.Shelters.Admit(sh, rc.shelter, shelters.AdmitInput{CaseID: rc.id, BedType: "girls"}); err != nil {
				t.Fatalf("admit by case number: %v", err)
			}
			if _, err := ta.Referrals.Step(w, legal.ID, "cancel", referrals.StepInput{}); err != nil {
				t.Fatal(err)
			}
			api := ta.newBearer(t, rc.users[relShelter].ID)
			resp, body := api.do(t, http.MethodGet, "/api/v1/cases/"+rc.id, nil, nil)
			wantStatus(t, "the shelter reads the case", resp, body, http.StatusOK)
			if strings.Contains(body, mkCedula) {
				t.Errorf("the legal referral was cancelled and the stay admitted by number still shows its documents\n%s", short(body))
			}
			if !strings.Contains(body, mkGuardian) {
				t.Errorf("the stay admitted by number does not show what a stay needs (the guardian)\n%s", short(body))
			}
		})
	}
}
