package cases_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// consent is a valid decision recorded on 1 March 2026.
func consent(purpose, status, by, rep string) cases.ConsentInput {
	return cases.ConsentInput{Purpose: purpose, Status: status, GivenBy: by, Representative: rep,
		Method: "written", DecidedOn: "2026-03-01", Notes: "Leído en voz alta en kichwa"}
}

// withBirth registers a person born on birth (or with an estimated age when birth is "").
func (e *env) withBirth(t *testing.T, ctx context.Context, i int, birth string, est *int) *cases.Case {
	t.Helper()
	in := person(i, "Niña", "De Prueba")
	in.Person.BirthDate, in.Person.EstimatedAge = birth, est
	return e.register(t, ctx, in)
}

func TestConsentAge(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		ctx := e.as(w)

		// Ten years old on the day of the decision: only through a representative.
		child := e.withBirth(t, ctx, 1, "2015-06-01", nil)
		_, err := e.svc.RecordConsent(ctx, child.ID, consent("assistance", "given", "self", ""))
		wantField(t, "child of 10 consents directly", err, "given_by", "cases.err.consent_under_15")
		_, err = e.svc.RecordConsent(ctx, child.ID, consent("assistance", "given", "representative", " "))
		wantField(t, "representative without a name", err, "representative", "cases.err.representative_name")
		if n := e.count(t, "case_consents", ""); n != 0 {
			t.Fatalf("%d consents saved after refusals", n)
		}
		k, err := e.svc.RecordConsent(ctx, child.ID, consent("assistance", "given", "representative", "Rosa Tenesaca (madre)"))
		if err != nil {
			t.Fatalf("consent through a representative: %v", err)
		}
		if k.RecordedBy != w.ID || !k.Current {
			t.Errorf("recorded consent: %+v", k)
		}
		list, err := e.svc.Consents(ctx, child.ID)
		if err != nil || len(list) != 1 || list[0].Representative != "Rosa Tenesaca (madre)" ||
			list[0].Notes != "Leído en voz alta en kichwa" || !list[0].Current || list[0].RecorderName != w.Name {
			t.Errorf("consents: %+v %v", list, err)
		}
		if st, _ := e.svc.ConsentStatus(ctx, child.ID, "assistance", ""); st != "given" {
			t.Errorf("consent status %q, want given", st)
		}

		// An estimated age counts the same way.
		est := e.withBirth(t, ctx, 2, "", ptr(11))
		_, err = e.svc.RecordConsent(ctx, est.ID, consent("assistance", "given", "self", ""))
		wantField(t, "estimated 11 consents directly", err, "given_by", "cases.err.consent_under_15")

		// Fifteen to seventeen may consent directly; the fifteenth birthday is the line.
		teen := e.withBirth(t, ctx, 3, "2009-06-01", nil)
		if _, err := e.svc.RecordConsent(ctx, teen.ID, consent("assistance", "given", "self", "")); err != nil {
			t.Errorf("16-year-old consents directly: %v", err)
		}
		fifteen := e.withBirth(t, ctx, 4, "2011-03-01", nil)
		day := consent("statistics", "given", "self", "")
		day.DecidedOn = "2026-02-28"
		_, err = e.svc.RecordConsent(ctx, fifteen.ID, day)
		wantField(t, "the day before the 15th birthday", err, "given_by", "cases.err.consent_under_15")
		day.DecidedOn = "2026-03-01"
		if _, err := e.svc.RecordConsent(ctx, fifteen.ID, day); err != nil {
			t.Errorf("on the 15th birthday: %v", err)
		}
		// A representative may still act for a 16-year-old.
		if _, err := e.svc.RecordConsent(ctx, teen.ID, consent("statistics", "given", "representative", "Tía")); err != nil {
			t.Errorf("representative for a 16-year-old: %v", err)
		}

		// The other field rules.
		bad := []struct {
			name, field, key string
			edit             func(k *cases.ConsentInput)
		}{
			{"unknown purpose", "purpose", "cases.err.choose", func(k *cases.ConsentInput) { k.Purpose = "marketing" }},
			{"unknown status", "status", "cases.err.choose", func(k *cases.ConsentInput) { k.Status = "maybe" }},
			{"unknown giver", "given_by", "cases.err.choose", func(k *cases.ConsentInput) { k.GivenBy = "neighbour" }},
			{"unknown method", "method", "cases.err.choose", func(k *cases.ConsentInput) { k.Method = "telepathy" }},
			{"bad date", "decided_on", "validation.date", func(k *cases.ConsentInput) { k.DecidedOn = "01/03/2026" }},
			{"future date", "decided_on", "cases.err.date_future", func(k *cases.ConsentInput) { k.DecidedOn = "2026-03-11" }},
			{"referral without agency", "agency_id", "cases.err.consent_agency", func(k *cases.ConsentInput) { k.Purpose = "referral" }},
			{"referral to an unknown agency", "agency_id", "validation.agency_unknown", func(k *cases.ConsentInput) {
				k.Purpose, k.AgencyID = "referral", "no-such-agency"
			}},
		}
		before := e.count(t, "case_consents", "")
		for _, b := range bad {
			k := consent("assistance", "given", "self", "")
			b.edit(&k)
			_, err := e.svc.RecordConsent(ctx, teen.ID, k)
			wantField(t, b.name, err, b.field, b.key)
		}
		if n := e.count(t, "case_consents", ""); n != before {
			t.Errorf("refused consents were saved: %d rows, want %d", n, before)
		}
		if ev := e.events(t, "case.consent_given", teen.ID); len(ev) != 2 || ev[0].ActorID != w.ID {
			t.Errorf("case.consent_given events: %+v", ev)
		}
	})
}

func TestConsentWithdrawal(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		ctx := e.as(w)
		shelterX := e.agency(t, "casa-refugio", "shelter", "17", "1701")
		agencyY := e.agency(t, "salud-y", "health", "17", "1701")
		prosecution := e.agency(t, "fiscalia", "prosecution", "17", "1701")
		coordX := e.user(t, shelterX, access.ShelterCoordinator)
		workerY := e.user(t, agencyY, access.CaseWorker)
		adult := person(1, "Adulta", "Consentidora")
		adult.Person.BirthDate, adult.Person.Guardian = "1995-01-01", nil
		c := e.register(t, ctx, adult)

		// Nothing given yet: nothing to withdraw.
		_, err := e.svc.RecordConsent(ctx, c.ID, consent("assistance", "withdrawn", "self", ""))
		wantField(t, "withdraw with nothing given", err, "status", "cases.err.nothing_to_withdraw")
		if _, err := e.svc.RecordConsent(ctx, c.ID, consent("statistics", "refused", "self", "")); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RecordConsent(ctx, c.ID, consent("statistics", "withdrawn", "self", ""))
		wantField(t, "withdraw what was refused", err, "status", "cases.err.nothing_to_withdraw")

		// Referral consent for X and for Y, and the access those referrals opened.
		refX := consent("referral", "given", "self", "")
		refX.AgencyID = shelterX.ID
		refY := refX
		refY.AgencyID = agencyY.ID
		for _, k := range []cases.ConsentInput{refX, refY} {
			if _, err := e.svc.RecordConsent(ctx, c.ID, k); err != nil {
				t.Fatalf("referral consent: %v", err)
			}
		}
		if err := e.svc.GrantAccess(ctx, c.ID, cases.Grant{AgencyID: shelterX.ID, Reason: "shelter", SourceID: "stay-1", Fields: testFields}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.GrantAccess(ctx, c.ID, cases.Grant{AgencyID: shelterX.ID, Reason: "referral", SourceID: "ref-1", Fields: testFields}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.GrantAccess(ctx, c.ID, cases.Grant{AgencyID: shelterX.ID, Reason: "referral", SourceID: "ref-1", Fields: testFields}); err != nil {
			t.Fatalf("granting twice should be harmless: %v", err)
		}
		if err := e.svc.GrantAccess(ctx, c.ID, cases.Grant{AgencyID: agencyY.ID, Reason: "referral", SourceID: "ref-2", Fields: testFields}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(e.as(coordX), c.ID); err != nil {
			t.Fatalf("shelter X opens the case after the grant: %v", err)
		}
		if _, err := e.svc.Get(e.as(workerY), c.ID); err != nil {
			t.Fatalf("agency Y opens the case after the grant: %v", err)
		}

		// Hooks of other capabilities run inside the withdrawal's transaction: a failing
		// hook undoes the withdrawal and the removal of access.
		var calls []string
		fail := true
		e.svc.OnWithdraw(func(ctx context.Context, caseID, purpose, agencyID string) error {
			calls = append(calls, caseID+"|"+purpose+"|"+agencyID)
			if fail {
				return errors.New("referrals: could not close referral")
			}
			return nil
		})
		wX := refX
		wX.Status = "withdrawn"
		if _, err := e.svc.RecordConsent(ctx, c.ID, wX); err == nil {
			t.Fatal("withdrawal succeeded although a hook failed")
		}
		if n := e.count(t, "case_access", "case_id = ? AND agency_id = ?", c.ID, shelterX.ID); n != 2 {
			t.Errorf("after the failed withdrawal shelter X has %d access rows, want 2 (rolled back)", n)
		}
		if st, _ := e.svc.ConsentStatus(ctx, c.ID, "referral", shelterX.ID); st != "given" {
			t.Errorf("after the failed withdrawal consent is %q, want given", st)
		}

		fail = false
		calls = nil
		if _, err := e.svc.RecordConsent(ctx, c.ID, wX); err != nil {
			t.Fatalf("withdraw referral consent for X: %v", err)
		}
		if len(calls) != 1 || calls[0] != c.ID+"|referral|"+shelterX.ID {
			t.Errorf("hook calls: %v", calls)
		}
		if n := e.count(t, "case_access", "case_id = ? AND agency_id = ?", c.ID, shelterX.ID); n != 0 {
			t.Errorf("shelter X keeps %d access rows after the withdrawal", n)
		}
		if n := e.count(t, "case_access", "case_id = ? AND agency_id = ?", c.ID, agencyY.ID); n != 1 {
			t.Errorf("agency Y has %d access rows, want 1 (its consent stands)", n)
		}
		_, err = e.svc.Get(e.as(coordX), c.ID)
		wantCode(t, "shelter X opens the case after the withdrawal", err, errs.CodeNotFound)
		if _, err := e.svc.Get(e.as(workerY), c.ID); err != nil {
			t.Errorf("agency Y lost access although only X's consent was withdrawn: %v", err)
		}
		if st, _ := e.svc.ConsentStatus(ctx, c.ID, "referral", shelterX.ID); st != "withdrawn" {
			t.Errorf("consent for X is %q, want withdrawn", st)
		}
		if st, _ := e.svc.ConsentStatus(ctx, c.ID, "referral", agencyY.ID); st != "given" {
			t.Errorf("consent for Y is %q, want given", st)
		}
		_, err = e.svc.RecordConsent(ctx, c.ID, wX)
		wantField(t, "withdraw twice", err, "status", "cases.err.nothing_to_withdraw")

		// Consents marks the latest decision per purpose and agency as current.
		list, err := e.svc.Consents(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		current := map[string]string{}
		for _, k := range list {
			if k.Current {
				key := k.Purpose + "|" + k.AgencyID
				if current[key] != "" {
					t.Errorf("two current decisions for %s", key)
				}
				current[key] = k.Status
				if k.Purpose == "referral" && k.AgencyName == "" {
					t.Errorf("referral consent without the agency's name: %+v", k)
				}
			}
		}
		if current["referral|"+shelterX.ID] != "withdrawn" || current["referral|"+agencyY.ID] != "given" || current["statistics|"] != "refused" {
			t.Errorf("current consents: %v", current)
		}

		// Refusing after giving also ends access (prosecution).
		pros := consent("prosecution", "given", "self", "")
		if _, err := e.svc.RecordConsent(ctx, c.ID, pros); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.GrantAccess(ctx, c.ID, cases.Grant{AgencyID: prosecution.ID, Reason: "prosecution", SourceID: "complaint-1", Fields: testFields}); err != nil {
			t.Fatal(err)
		}
		pros.Status = "refused"
		if _, err := e.svc.RecordConsent(ctx, c.ID, pros); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, "case_access", "case_id = ? AND reason = 'prosecution'", c.ID); n != 0 {
			t.Errorf("prosecution access rows after consent was refused: %d", n)
		}
		if ev := e.events(t, "case.consent_withdrawn", c.ID); len(ev) != 1 {
			t.Errorf("case.consent_withdrawn events: %d, want 1", len(ev))
		}
		if ev := e.events(t, "case.access_grant", c.ID); len(ev) < 4 {
			t.Errorf("case.access_grant events: %d", len(ev))
		}
	})
}

// TestConsentDateInEcuador: the decision date is a day in Ecuador, like every typed
// date. At 22:00 in Guayaquil (03:00 UTC the next day) tomorrow is still the future;
// RecordConsent compares the typed day with the UTC instant instead.
func TestConsentDateInEcuador(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		ctx := e.as(w)
		teen := e.withBirth(t, ctx, 1, "2009-06-01", nil)
		e.setNow(time.Date(2026, 3, 11, 3, 0, 0, 0, time.UTC)) // 10 March, 22:00 in Guayaquil
		late := consent("statistics", "given", "self", "")
		late.DecidedOn = "2026-03-11"
		_, err := e.svc.RecordConsent(ctx, teen.ID, late)
		if e, _ := errs.As(err); e == nil || e.Fields["decided_on"] != "cases.err.date_future" {
			t.Errorf("consent decided tomorrow (in Ecuador): %v, want decided_on cases.err.date_future", err)
		}
		late.DecidedOn = "2026-03-10"
		if _, err := e.svc.RecordConsent(ctx, teen.ID, late); err != nil {
			t.Errorf("consent decided today (in Ecuador): %v", err)
		}
	})
}
