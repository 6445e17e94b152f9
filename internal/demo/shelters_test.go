package demo_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// TestLoadNetworkAndShelters loads the service map and the shelters on a fresh app,
// first without the demo cases (no stays), then with them (stays added on the next
// start), and checks the spread and that loading again adds nothing.
func TestLoadNetworkAndShelters(t *testing.T) {
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
	start := time.Now()
	if err := demo.LoadNetwork(ctx, a.DB, a.Referrals, a.Auth); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadShelters(ctx, a.DB, a.Shelters, a.Cases, a.Referrals, a.Auth); err != nil {
		t.Fatal(err)
	}
	t.Logf("LoadNetwork and LoadShelters: %s", time.Since(start).Round(time.Millisecond))
	count := func(q string) int {
		t.Helper()
		var n int
		if err := a.DB.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count("SELECT COUNT(*) FROM shelter_stays"); n != 0 {
		t.Fatalf("%d stays without demo cases", n)
	}
	if err := demo.LoadCases(ctx, a.DB, a.Cases, a.Auth); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the stays come now; the second run adds nothing
		if err := demo.LoadShelters(ctx, a.DB, a.Shelters, a.Cases, a.Referrals, a.Auth); err != nil {
			t.Fatal(err)
		}
		if err := demo.LoadNetwork(ctx, a.DB, a.Referrals, a.Auth); err != nil {
			t.Fatal(err)
		}
	}

	nc, err := a.Auth.UserByEmail(sysCtx(), "coordinacion@amparo.demo")
	if err != nil {
		t.Fatal(err)
	}
	as := access.With(ctx, nc.Subject())
	list, err := a.Shelters.List(as, shelters.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 12 {
		t.Fatalf("%d shelters, want 12", len(list))
	}
	provinces, statuses, occupied := map[string]bool{}, map[string]int{}, 0
	for _, s := range list {
		provinces[s.Province] = true
		statuses[s.Status]++
		occupied += s.Occupied
		if s.Occupied > s.TotalBeds {
			t.Errorf("%s: %d occupied of %d beds", s.Name, s.Occupied, s.TotalBeds)
		}
		as2, err := a.Shelters.Assessments(as, s.ID)
		if err != nil || len(as2) != 4 {
			t.Fatalf("%s: %d assessments (%v)", s.Name, len(as2), err)
		}
		if first, last := as2[0].Capacity.Overall, as2[3].Capacity.Overall; first == last {
			t.Errorf("%s: no trend (%.2f then %.2f)", s.Name, first, last)
		}
		fs, err := a.Shelters.Finances(as, s.ID)
		if err != nil || len(fs) != 8 {
			t.Fatalf("%s: %d finance periods (%v)", s.Name, len(fs), err)
		}
		acts, err := a.Shelters.Actions(as, s.ID)
		if err != nil || len(acts) < 2 {
			t.Fatalf("%s: %d actions (%v)", s.Name, len(acts), err)
		}
		t.Logf("%-42s %-20s beds %2d occupied %2d overall %.2f→%.2f", s.Name, s.Status, s.TotalBeds, s.Occupied,
			as2[0].Capacity.Overall, as2[3].Capacity.Overall)
	}
	if len(provinces) != 12 {
		t.Errorf("shelters in %d provinces, want 12", len(provinces))
	}
	want := map[string]int{shelters.StatusFunctioning: 5, shelters.StatusNeedsSupport: 4, shelters.StatusNotFunctioning: 3}
	for st, n := range want {
		if statuses[st] != n {
			t.Errorf("%d shelters %s, want %d (%v)", statuses[st], st, n, statuses)
		}
	}
	if occupied < 40 {
		t.Errorf("only %d beds occupied across the shelters", occupied)
	}
	if n := count("SELECT COUNT(*) FROM shelter_stays WHERE discharged_on <> ''"); n < 12 {
		t.Errorf("%d discharged stays, want some history in every shelter", n)
	}

	// The demo shelter coordinator runs exactly one shelter and sees its residents.
	casa, err := a.Auth.UserByEmail(sysCtx(), "casa@amparo.demo")
	if err != nil {
		t.Fatal(err)
	}
	cctx := access.With(ctx, casa.Subject())
	mine := 0
	for _, s := range list {
		if s.AgencyID == casa.AgencyID {
			mine++
			res, err := a.Shelters.Residents(cctx, s.ID, true)
			if err != nil || len(res) == 0 {
				t.Errorf("casa@ residents: %d (%v)", len(res), err)
			}
		}
	}
	if mine != 1 {
		t.Errorf("casa@ runs %d shelters, want 1", mine)
	}

	// The service map spans provinces and kinds of service.
	offers, total, err := a.Referrals.Offers(as, referrals.OfferFilter{PerPage: -1})
	if err != nil {
		t.Fatal(err)
	}
	kinds, where := map[string]bool{}, map[string]bool{}
	for _, o := range offers {
		kinds[o.SupportType] = true
		for _, ar := range o.Areas {
			where[ar.Province] = true
		}
	}
	if total < 30 || len(kinds) < 7 || len(where) < 12 {
		t.Errorf("service map: %d services, %d kinds, %d provinces", total, len(kinds), len(where))
	}
}

// sysCtx acts as the CLI.
func sysCtx() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}
