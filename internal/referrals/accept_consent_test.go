package referrals_test

import (
	"context"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/referrals"
)

// TestAcceptNeedsTheConsentStill: Send checks the consent before it writes the referral,
// and a withdrawal revokes the referrals that exist when it is recorded; a withdrawal
// that lands between the two leaves a referral "sent" without the consent behind it.
// Accepting opens the case, so it checks the consent again, in its own transaction.
func TestAcceptNeedsTheConsentStill(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		consent(t, w, "referral", w.shelter, "given")
		r, err := w.refs.Send(w.worker, referrals.ReferralInput{CaseID: w.caseID, ToAgencyID: w.shelter,
			SupportTypes: []string{"shelter"}})
		if err != nil {
			t.Fatal(err)
		}
		// The state such a race leaves: the consent in force is withdrawn, the referral
		// is still "sent".
		if _, err := d.Exec(context.Background(), "UPDATE case_consents SET status = 'withdrawn' WHERE case_id = ?", w.caseID); err != nil {
			t.Fatal(err)
		}
		_, err = w.refs.Step(w.coord, r.ID, "accept", referrals.StepInput{})
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeConflict {
			t.Fatalf("accepting a referral whose consent was withdrawn: %v, want a conflict", err)
		}
		if _, _, err := w.cases.Open(w.coord, w.caseID); errs.CodeOf(err) != errs.CodeNotFound {
			t.Errorf("the shelter opens the case after the refused acceptance: %v", err)
		}
		if got, err := w.refs.Get(w.coord, r.ID); err != nil || got.Status != "sent" {
			t.Errorf("after the refused acceptance the referral is %+v (%v)", got, err)
		}
	})
}
