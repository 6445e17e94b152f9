package referrals_test

import (
	"context"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"path/filepath"
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
	"github.com/amparo-ec/amparo/internal/platform/secure"
	"github.com/amparo-ec/amparo/internal/referrals"
)

type world struct {
	cases                            *cases.Service
	refs                             *referrals.Service
	worker, coord, liaison, outsider context.Context
	ngo, shelter, fiscalia, other    string
	caseID                           string
}

func setup(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	if err := geo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	kf := filepath.Join(t.TempDir(), "k")
	if err := secure.GenerateKeyFile(kf); err != nil {
		t.Fatal(err)
	}
	kr, err := secure.LoadKeyring(kf)
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(d)
	as := auth.NewService(d, log, kr)
	sys := access.With(ctx, access.System())
	w := &world{}
	agency := func(code, typ string) string {
		a, err := as.CreateAgency(sys, &auth.Agency{Code: code, Name: code, Type: typ, ProvinceCode: "17"})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	w.ngo, w.shelter, w.fiscalia, w.other = agency("ngo", "ngo"), agency("casa", "shelter"), agency("fge", "prosecution"), agency("otra", "ngo")
	user := func(email, agencyID string, role access.Role) context.Context {
		u, _, err := as.CreateUser(sys, &auth.User{Email: email, Name: email, AgencyID: agencyID, Roles: []access.Role{role}}, "")
		if err != nil {
			t.Fatal(err)
		}
		return access.With(ctx, u.Subject())
	}
	w.worker = user("w@x.ec", w.ngo, access.CaseWorker)
	w.coord = user("c@x.ec", w.shelter, access.ShelterCoordinator)
	w.liaison = user("f@x.ec", w.fiscalia, access.ProsecutionLiaison)
	w.outsider = user("o@x.ec", w.other, access.CaseWorker)
	w.cases = cases.NewService(d, log, kr, as)
	w.refs = referrals.NewService(d, log, kr, w.cases, as)
	age := 11
	c, err := w.cases.Register(w.worker, cases.Input{
		Person: cases.Person{GivenNames: "Maribel", FamilyNames: "Tenorio Quiñónez", Sex: "female", EstimatedAge: &age,
			Nationalities: []string{"ECU"}, Guardian: &cases.Guardian{Name: "Rosa Quiñónez", Relation: "madre"}},
		Identification:    cases.Identification{Date: "2026-10-01", Country: "ECU", Province: "17", Canton: "1701", How: "hotline"},
		TraffickingStatus: "possible", Exploitation: []string{"begging"},
	}, cases.RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.caseID = c.ID
	return w
}

func consent(t *testing.T, w *world, purpose, agencyID, status string) {
	t.Helper()
	_, err := w.cases.RecordConsent(w.worker, w.caseID, cases.ConsentInput{Purpose: purpose, AgencyID: agencyID,
		Status: status, GivenBy: "representative", Representative: "Rosa Quiñónez", Method: "written",
		DecidedOn: time.Now().In(i18n.Zone()).Format("2006-01-02")})
	if err != nil {
		t.Fatalf("consent %s %s: %v", purpose, status, err)
	}
}

func fieldErr(err error, field string) string {
	e, ok := errs.As(err)
	if !ok {
		return ""
	}
	return e.Fields[field]
}

func TestReferralNeedsConsent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		in := referrals.ReferralInput{CaseID: w.caseID, ToAgencyID: w.shelter, SupportTypes: []string{"shelter"}}
		_, err := w.refs.Send(w.worker, in)
		if got := fieldErr(err, "to_agency_id"); got != "referrals.err.no_consent" {
			t.Fatalf("without consent: %v", err)
		}
		var n int
		if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM referrals").Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused referral left %d rows (%v)", n, err)
		}
		// Consent for another agency does not help.
		consent(t, w, "referral", w.other, "given")
		if _, err := w.refs.Send(w.worker, in); fieldErr(err, "to_agency_id") != "referrals.err.no_consent" {
			t.Fatalf("consent for another agency: %v", err)
		}
		// Prosecution has its own consent and must go to a prosecution agency.
		consent(t, w, "referral", w.fiscalia, "given")
		_, err = w.refs.Send(w.worker, referrals.ReferralInput{CaseID: w.caseID, Purpose: "prosecution", ToAgencyID: w.fiscalia})
		if fieldErr(err, "to_agency_id") != "referrals.err.no_consent_prosecution" {
			t.Fatalf("prosecution without its consent: %v", err)
		}
		_, err = w.refs.Send(w.worker, referrals.ReferralInput{CaseID: w.caseID, Purpose: "prosecution", ToAgencyID: w.shelter})
		if fieldErr(err, "to_agency_id") != "referrals.err.not_prosecution" {
			t.Fatalf("prosecution to a shelter: %v", err)
		}
	})
}

func TestReferralLifecycleAndWithdrawal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		consent(t, w, "referral", w.shelter, "given")
		r, err := w.refs.Send(w.worker, referrals.ReferralInput{CaseID: w.caseID, ToAgencyID: w.shelter,
			SupportTypes: []string{"shelter"}, Urgent: true, Reason: "necesita acogida inmediata"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != "sent" || r.Number == "" || r.DueOn == "" {
			t.Fatalf("sent: %+v", r)
		}
		// Only what a shelter needs travels: the guardian yes, documents and contact no.
		got, err := w.refs.Get(w.coord, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Payload["given_names"] != "Maribel" || got.Payload["guardian"] == "" {
			t.Fatalf("payload misses needed fields: %v", got.Payload)
		}
		for _, f := range []string{"documents", "contact", "birth_date"} {
			if _, ok := got.Payload[f]; ok {
				t.Fatalf("payload carries %s", f)
			}
		}
		// Outsiders see nothing; the shelter cannot open the case before accepting.
		if _, err := w.refs.Get(w.outsider, r.ID); errs.CodeOf(err) != errs.CodeNotFound {
			t.Fatalf("outsider: %v", err)
		}
		if _, err := w.cases.Get(w.coord, w.caseID); errs.CodeOf(err) != errs.CodeNotFound {
			t.Fatalf("case before acceptance: %v", err)
		}
		// The sender cannot accept; the receiver can.
		if _, err := w.refs.Step(w.worker, r.ID, "accept", referrals.StepInput{}); errs.CodeOf(err) != errs.CodeForbidden {
			t.Fatalf("sender accepting: %v", err)
		}
		if _, err := w.refs.Step(w.coord, r.ID, "accept", referrals.StepInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cases.Get(w.coord, w.caseID); err != nil {
			t.Fatalf("case after acceptance: %v", err)
		}
		in, total, err := w.refs.List(w.coord, referrals.Filter{Direction: "incoming"})
		if err != nil || total != 1 || in[0].ID != r.ID {
			t.Fatalf("incoming: %v %d", err, total)
		}
		out, total, err := w.refs.List(w.worker, referrals.Filter{Direction: "outgoing", Status: "open"})
		if err != nil || total != 1 || out[0].Status != "accepted" {
			t.Fatalf("outgoing: %v %d", err, total)
		}
		// Consent withdrawn: the referral is revoked, its data wiped and the shelter loses
		// the case at once.
		consent(t, w, "referral", w.shelter, "withdrawn")
		if _, err := w.cases.Get(w.coord, w.caseID); errs.CodeOf(err) != errs.CodeNotFound {
			t.Fatalf("case after withdrawal: %v", err)
		}
		got, err = w.refs.Get(w.coord, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != "revoked" || len(got.Payload) != 0 {
			t.Fatalf("after withdrawal: %s %v", got.Status, got.Payload)
		}
		var enc string
		if err := d.QueryRow(context.Background(), "SELECT enc_payload || enc_reason || enc_feedback FROM referrals WHERE id = ?", r.ID).Scan(&enc); err != nil || enc != "" {
			t.Fatalf("payload not wiped: %q %v", enc, err)
		}
		if _, err := w.refs.Step(w.coord, r.ID, "start", referrals.StepInput{}); errs.CodeOf(err) != errs.CodeConflict {
			t.Fatalf("step after revocation: %v", err)
		}
	})
}

func TestDeclineCompleteAndOverdue(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		consent(t, w, "referral", w.shelter, "given")
		send := func() *referrals.Referral {
			r, err := w.refs.Send(w.worker, referrals.ReferralInput{CaseID: w.caseID, ToAgencyID: w.shelter, SupportTypes: []string{"health"}})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r1 := send()
		if _, err := w.refs.Step(w.coord, r1.ID, "decline", referrals.StepInput{}); fieldErr(err, "decline_reason") == "" {
			t.Fatalf("decline without reason: %v", err)
		}
		if _, err := w.refs.Step(w.coord, r1.ID, "decline", referrals.StepInput{DeclineReason: "no_capacity"}); err != nil {
			t.Fatal(err)
		}
		r2 := send()
		for _, a := range []string{"accept", "start"} {
			if _, err := w.refs.Step(w.coord, r2.ID, a, referrals.StepInput{}); err != nil {
				t.Fatal(a, err)
			}
		}
		done, err := w.refs.Step(w.coord, r2.ID, "complete", referrals.StepInput{Outcome: "service_delivered", Comment: "atendida en el centro de salud"})
		if err != nil {
			t.Fatal(err)
		}
		// The sender sees the feedback and the whole history.
		seen, err := w.refs.Get(w.worker, done.ID)
		if err != nil || seen.Feedback != "atendida en el centro de salud" || len(seen.Events) != 4 {
			t.Fatalf("sender view: %v %+v", err, seen)
		}
		// Overdue: a third referral due yesterday by the service clock.
		r3 := send()
		w.refs.Now = func() time.Time { return time.Now().AddDate(0, 0, 30) }
		in, out, err := w.refs.OverdueCounts(w.coord)
		if err != nil || in != 1 || out != 0 {
			t.Fatalf("receiver overdue: %d %d %v", in, out, err)
		}
		if _, out, _ = w.refs.OverdueCounts(w.worker); out != 1 {
			t.Fatalf("sender overdue: %d", out)
		}
		list, _, _ := w.refs.List(w.worker, referrals.Filter{Direction: "outgoing", Overdue: true})
		if len(list) != 1 || list[0].ID != r3.ID || !list[0].Overdue {
			t.Fatalf("overdue list: %+v", list)
		}
	})
}
