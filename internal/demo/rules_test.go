package demo_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"testing"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// TestDemoObeysTheRules loads the whole demo as `amparo demo` does and checks that it
// keeps the sharing rule — every row that opens a case to another agency comes from a
// referral accepted with the person's consent or from a stay in the agency's shelter —
// that referrals are in every state on both sides, that many cases have a trafficking
// history, and that each demo role's main screens have rows.
func TestDemoObeysTheRules(t *testing.T) {
	ctx := context.Background()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir, c.Key, c.KeyFile, c.DB = t.TempDir(), "", "", ""
	if err := c.Finish(config.WithData); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := app.Open(ctx, c, log)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, c, d, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := demo.Load(ctx, a.DB, a.Auth, c.DataDir); err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { return demo.LoadCases(ctx, a.DB, a.Cases, a.Auth) },
		func() error { return demo.LoadNetwork(ctx, a.DB, a.Referrals, a.Auth) },
		func() error { return demo.LoadReferrals(ctx, a.DB, a.Referrals, a.Cases, a.Auth) },
		func() error { return demo.LoadShelters(ctx, a.DB, a.Shelters, a.Cases, a.Referrals, a.Auth) },
	}
	for i, load := range steps {
		if err := load(); err != nil {
			t.Fatalf("load step %d: %v", i+1, err)
		}
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := a.DB.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	t.Run("access rows have a source", func(t *testing.T) { checkAccessSources(t, a, count) })
	t.Run("referrals in every state", func(t *testing.T) {
		for _, st := range referrals.Statuses {
			n := count("SELECT COUNT(*) FROM referrals WHERE status = ?", st)
			if n == 0 {
				t.Errorf("no demo referral is %s", st)
			}
			t.Logf("referrals %s: %d", st, n)
		}
		for _, code := range []string{"nuevos-caminos", "puerto-seguro"} {
			out := count("SELECT COUNT(*) FROM referrals r JOIN agencies a ON a.id = r.from_agency_id WHERE a.code = ?", code)
			in := count("SELECT COUNT(*) FROM referrals r JOIN agencies a ON a.id = r.to_agency_id WHERE a.code = ?", code)
			if out < 5 || in < 5 {
				t.Errorf("%s sent %d referrals and received %d, want both sides", code, out, in)
			}
		}
		if n := count("SELECT COUNT(*) FROM referrals WHERE purpose = 'prosecution'"); n < 5 {
			t.Errorf("%d prosecution referrals", n)
		}
	})
	t.Run("trafficking history", func(t *testing.T) {
		if n := count("SELECT COUNT(DISTINCT case_id) FROM case_events"); n < 100 {
			t.Errorf("%d cases with a trafficking history, want many", n)
		}
		if n := count("SELECT COUNT(DISTINCT kind) FROM case_events"); n != len(cases.EventKinds) {
			t.Errorf("%d kinds of events", n)
		}
	})
	t.Run("screens have rows", func(t *testing.T) { checkRoleScreens(t, a) })
}

// checkAccessSources: each case_access row is an accepted (or later) referral to that
// agency for that case with the consent for it in force, or the open stay of the case
// in that agency's shelter; and it carries fields.
func checkAccessSources(t *testing.T, a *app.App, count func(string, ...any) int) {
	total := count("SELECT COUNT(*) FROM case_access")
	t.Logf("%d access rows, %d stays", total, count("SELECT COUNT(*) FROM shelter_stays"))
	if total < 50 {
		t.Fatalf("%d access rows: the demo opens too few cases", total)
	}
	orphans := count(`SELECT COUNT(*) FROM case_access ca WHERE NOT (
		(ca.reason IN ('referral', 'prosecution') AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = ca.source_id
			AND r.case_id = ca.case_id AND r.to_agency_id = ca.agency_id AND r.status IN ('accepted', 'in_progress', 'completed')
			AND r.purpose = ca.reason))
		OR (ca.reason = 'shelter' AND EXISTS (SELECT 1 FROM shelter_stays st JOIN shelters sh ON sh.id = st.shelter_id
			WHERE st.id = ca.source_id AND st.case_id = ca.case_id AND sh.agency_id = ca.agency_id AND st.discharged_on = '')))`)
	if orphans != 0 {
		t.Errorf("%d of %d access rows have no accepted referral or open stay behind them", orphans, total)
	}
	if n := count("SELECT COUNT(*) FROM case_access WHERE fields = '' OR label = ''"); n != 0 {
		t.Errorf("%d access rows say nothing of what they carry or why", n)
	}
	// The consent in force allows each referral's access.
	rows, err := a.DB.Query(context.Background(), "SELECT case_id, agency_id, reason FROM case_access WHERE reason <> 'shelter'")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ caseID, agencyID, reason string }
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.caseID, &r.agencyID, &r.reason); err != nil {
			t.Fatal(err)
		}
		list = append(list, r)
	}
	rows.Close()
	for _, r := range list {
		agency := r.agencyID
		if r.reason == "prosecution" {
			agency = ""
		}
		st, err := a.Cases.ConsentStatus(sysCtx(), r.caseID, r.reason, agency)
		if err != nil || st != "given" {
			t.Errorf("case %s open to %s by %s with the consent %q (%v)", r.caseID, r.agencyID, r.reason, st, err)
		}
	}
	// Stays of other agencies' cases come from a referral to the shelter's operator.
	if n := count(`SELECT COUNT(*) FROM shelter_stays st JOIN shelters sh ON sh.id = st.shelter_id JOIN cases c ON c.id = st.case_id
		WHERE c.agency_id <> sh.agency_id AND (st.referral_id IS NULL OR NOT EXISTS (SELECT 1 FROM referrals r
			WHERE r.id = st.referral_id AND r.to_agency_id = sh.agency_id AND r.case_id = st.case_id))`); n != 0 {
		t.Errorf("%d stays of referred people without their referral", n)
	}
}

// checkRoleScreens signs in (as the services see it) as each demo user and reads the
// main screens of their role.
func checkRoleScreens(t *testing.T, a *app.App) {
	ctx := context.Background()
	as := func(email string) context.Context {
		t.Helper()
		u, err := a.Auth.UserByEmail(sysCtx(), email)
		if err != nil {
			t.Fatal(err)
		}
		return access.With(reqinfo.With(ctx, &reqinfo.Info{Via: "web", UserID: u.ID, AgencyID: u.AgencyID}), u.Subject())
	}
	want := func(what string, n int, err error) {
		t.Helper()
		if err != nil || n == 0 {
			t.Errorf("%s: %d rows (%v)", what, n, err)
		}
	}
	refs := func(ctx context.Context, who, dir string) {
		t.Helper()
		_, n, err := a.Referrals.List(ctx, referrals.Filter{Direction: dir})
		want(who+" referrals "+dir, n, err)
	}
	for _, email := range []string{"trabajadora@amparo.demo", "trabajador.gye@amparo.demo", "supervisora@amparo.demo"} {
		u := as(email)
		_, n, err := a.Cases.List(u, cases.Filter{})
		want(email+" cases", n, err)
		w, err := a.Cases.MyWork(u)
		want(email+" work", len(w.Overdue)+len(w.DueToday)+len(w.Upcoming)+len(w.FollowUps)+len(w.Approvals), err)
		refs(u, email, "outgoing")
		refs(u, email, "incoming")
	}
	pending, err := a.Cases.PendingApprovals(as("supervisora@amparo.demo"))
	want("supervisora approvals", len(pending), err)
	for _, email := range []string{"casa@amparo.demo", "reintegracion@amparo.demo", "fiscalia@amparo.demo"} {
		u := as(email)
		shared, err := a.Cases.Shared(u, "")
		want(email+" shared cases", len(shared), err)
		refs(u, email, "incoming")
		if len(shared) > 0 {
			_, v, err := a.Cases.Open(u, shared[0].ID)
			if err != nil || !v.Receiver() || v.Sees(cases.SecNotes) && v.Reach(cases.SecNotes) != cases.ReachOwn {
				t.Errorf("%s opens a shared case: %v (view %+v)", email, err, v)
			}
		}
	}
	casa := as("casa@amparo.demo")
	list, err := a.Shelters.List(casa, shelters.Filter{})
	want("shelters", len(list), err)
	for _, s := range list {
		if s.AgencyID == access.From(casa).AgencyID {
			res, err := a.Shelters.Residents(casa, s.ID, true)
			want("casa residents", len(res), err)
			for _, r := range res {
				if r.CaseNumber == "" {
					t.Errorf("casa's resident %s has no case it may open", r.ID)
				}
			}
		}
	}
	for _, email := range []string{"coordinacion@amparo.demo", "monitoreo@amparo.demo", "gad.ibarra@amparo.demo"} {
		l, err := a.Shelters.List(as(email), shelters.Filter{})
		want(email+" shelters", len(l), err)
	}
	_, n, err := a.Referrals.Offers(as("coordinacion@amparo.demo"), referrals.OfferFilter{})
	want("service map", n, err)
	_, total, err := a.Auth.ListUsers(as("admin@amparo.demo"), auth.UserFilter{})
	want("admin users", total, err)
	_, events, err := a.Audit.List(ctx, audit.Filter{Limit: 1})
	want("audit trail", int(events), err)
}
