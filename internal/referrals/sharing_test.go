package referrals_test

import (
	"slices"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/referrals"
)

// TestAcceptanceOpensWhatTheReferralCarries: accepting a referral opens the case to the
// receiver with the referral's shared fields and nothing else; a prosecution referral
// opens it to the prosecution with the minimal set; the receiver may not refer the case
// on; an admission from the referral moves it to "in progress", and only from a
// referral to the admitting agency for that case.
func TestAcceptanceOpensWhatTheReferralCarries(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		consent(t, w, "referral", w.shelter, "given")
		consent(t, w, "prosecution", "", "given")
		r, err := w.refs.Send(w.worker, referrals.ReferralInput{CaseID: w.caseID, ToAgencyID: w.shelter,
			SupportTypes: []string{"shelter"}})
		if err != nil {
			t.Fatal(err)
		}
		// Before acceptance the shelter cannot open the case.
		if _, _, err := w.cases.Open(w.coord, w.caseID); errs.CodeOf(err) != errs.CodeNotFound {
			t.Fatalf("before acceptance: %v, want not found", err)
		}
		if _, err := w.refs.Step(w.coord, r.ID, "accept", referrals.StepInput{}); err != nil {
			t.Fatal(err)
		}
		c, v, err := w.cases.Open(w.coord, w.caseID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(v.Fields(), orderLike(r.SharedFields)) || v.Full() {
			t.Errorf("the shelter sees %v (full %v), want the referral's %v", v.Fields(), v.Full(), r.SharedFields)
		}
		if c.Person.GivenNames != "Maribel" || c.Person.Guardian == nil || len(c.Exploitation) != 0 || c.Status != "" {
			t.Errorf("the shelter's case: %+v", c)
		}
		if g := v.Grants(); len(g) != 1 || g[0].Label != r.Number || g[0].Link != "/referrals/"+r.ID {
			t.Errorf("the grant names %+v", g)
		}
		// The receiver refers nobody on.
		_, err = w.refs.Send(w.coord, referrals.ReferralInput{CaseID: w.caseID, ToAgencyID: w.other, SupportTypes: []string{"health"}})
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeForbidden && e.Code != errs.CodeNotFound {
			t.Errorf("the shelter refers the case on: %v", err)
		}
		// Admission bookkeeping: someone else's referral is refused; the shelter's moves on.
		if err := w.refs.AdmittedFrom(w.outsider, r.ID, w.caseID); fieldErr(err, "referral_id") == "" {
			t.Errorf("another agency admits from the shelter's referral: %v", err)
		}
		if err := w.refs.AdmittedFrom(w.coord, r.ID, "another-case"); fieldErr(err, "referral_id") == "" {
			t.Errorf("admission of another case from the referral: %v", err)
		}
		if err := w.refs.AdmittedFrom(w.coord, r.ID, w.caseID); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.refs.Get(w.coord, r.ID); got.Status != "in_progress" {
			t.Errorf("after the admission the referral is %s", got.Status)
		}

		p, err := w.refs.Send(w.worker, referrals.ReferralInput{CaseID: w.caseID, Purpose: "prosecution", ToAgencyID: w.fiscalia})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.refs.Step(w.liaison, p.ID, "accept", referrals.StepInput{}); err != nil {
			t.Fatal(err)
		}
		_, v, err = w.cases.Open(w.liaison, w.caseID)
		if err != nil {
			t.Fatalf("the prosecution after accepting: %v", err)
		}
		if rel := v.Relations(); len(rel) != 1 || rel[0] != cases.RelProsecution || !v.Sees(cases.SecEvents) || v.Sees(cases.SecNarratives) {
			t.Errorf("the prosecution's view: %v events %v narratives %v", rel, v.Sees(cases.SecEvents), v.Sees(cases.SecNarratives))
		}
		// Withdrawing the prosecution consent closes it again.
		consent(t, w, "prosecution", "", "withdrawn")
		if _, _, err := w.cases.Open(w.liaison, w.caseID); errs.CodeOf(err) != errs.CodeNotFound {
			t.Errorf("the prosecution after the withdrawal: %v", err)
		}
	})
}

// orderLike puts field names in cases.ShareableFields order, as View.Fields lists them.
func orderLike(fields []string) []string {
	var out []string
	for _, f := range cases.ShareableFields {
		if slices.Contains(fields, f) {
			out = append(out, f)
		}
	}
	return out
}
