package demo_test

import (
	"context"
	"encoding/json"
	"flag"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

func TestCedulaPassesCheckDigit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, prov := range []string{"01", "09", "17", "24", "x"} {
		for i := 0; i < 200; i++ {
			if c := demo.Cedula(r, prov); !cases.ValidCedula(c) {
				t.Fatalf("Cedula(%q) = %s fails the check", prov, c)
			}
		}
	}
}

// TestCaseMakerDeterministicAndValid: the same seed gives the same cases, and every
// case passes the validation of a registration.
func TestCaseMakerDeterministicAndValid(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	a, b := demo.NewCaseMaker(7, now, 3), demo.NewCaseMaker(7, now, 3)
	for i := 0; i < 500; i++ {
		ca, cb := a.Make(), b.Make()
		ja, _ := json.Marshal(ca)
		jb, _ := json.Marshal(cb)
		if string(ja) != string(jb) {
			t.Fatalf("case %d differs with the same seed:\n%s\n%s", i, ja, jb)
		}
		in := ca.Input
		in.Normalize()
		if err := in.Validate(now); err != nil {
			t.Fatalf("case %d does not validate: %v\n%s", i, err, ja)
		}
	}
}

// TestLoadCases loads the demo on a fresh app, checks the spread of the cases and that
// a second load adds nothing.
func TestLoadCases(t *testing.T) {
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
	if err := demo.LoadCases(ctx, a.DB, a.Cases, a.Auth); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("LoadCases: %d cases in %s", demo.DemoCases, took.Round(time.Millisecond))
	if took > 60*time.Second {
		t.Errorf("LoadCases took %s: it runs at the first `amparo demo` and must stay quick", took)
	}
	if err := demo.LoadCases(ctx, a.DB, a.Cases, a.Auth); err != nil {
		t.Fatalf("second load: %v", err)
	}

	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := a.DB.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	total := count("SELECT COUNT(*) FROM cases")
	if total < demo.DemoCases || total > demo.DemoCases+10 {
		t.Fatalf("%d cases after two loads, want about %d", total, demo.DemoCases)
	}
	share := func(where string) float64 {
		return float64(count("SELECT COUNT(*) FROM cases WHERE "+where)) / float64(total)
	}
	if s := share("is_child = 1"); s < 0.35 || s > 0.55 {
		t.Errorf("children are %.0f%% of the cases, want 35–55%%", s*100)
	}
	if s := share("sex = 'female'"); s < 0.6 || s > 0.9 {
		t.Errorf("women and girls are %.0f%%, want 60–90%%", s*100)
	}
	for _, st := range cases.Statuses {
		if count("SELECT COUNT(*) FROM cases WHERE status = ?", st) == 0 {
			t.Errorf("no case with status %s", st)
		}
	}
	for _, f := range []string{"sexual", "forced_labour", "begging", "child_labour"} {
		if count("SELECT COUNT(*) FROM case_values WHERE kind = 'exploitation' AND value = ?", f) < 10 {
			t.Errorf("fewer than 10 cases of %s", f)
		}
	}
	for what, q := range map[string]string{
		"provinces":               "SELECT COUNT(DISTINCT id_province) FROM cases",
		"nationalities":           "SELECT COUNT(DISTINCT value) FROM case_values WHERE kind = 'nationality'",
		"closure reasons":         "SELECT COUNT(DISTINCT closure_reason) FROM cases WHERE status = 'closed'",
		"flagged cases":           "SELECT COUNT(*) FROM cases WHERE flagged = 1",
		"high-risk cases":         "SELECT COUNT(*) FROM cases WHERE risk_level = 'high'",
		"overdue follow-ups":      "SELECT COUNT(*) FROM cases WHERE status <> 'closed' AND next_follow_up <> '' AND next_follow_up < '" + time.Now().In(i18n.Zone()).Format("2006-01-02") + "'",
		"pending approvals":       "SELECT COUNT(*) FROM case_approvals WHERE status = 'requested'",
		"rejected approvals":      "SELECT COUNT(*) FROM case_approvals WHERE status = 'rejected'",
		"consents":                "SELECT COUNT(*) FROM case_consents",
		"withdrawn consents":      "SELECT COUNT(*) FROM case_consents WHERE status = 'withdrawn'",
		"representative consents": "SELECT COUNT(*) FROM case_consents WHERE given_by = 'representative'",
		"status history":          "SELECT COUNT(*) FROM case_status_history",
		"flags with a reason":     "SELECT COUNT(*) FROM case_flags",
		"planned services":        "SELECT COUNT(*) FROM case_services",
		"delivered services":      "SELECT COUNT(*) FROM case_services WHERE status = 'delivered'",
		"tasks":                   "SELECT COUNT(*) FROM case_tasks",
		"plan approvals":          "SELECT COUNT(*) FROM case_approvals WHERE kind = 'plan'",
	} {
		min := 2
		switch what {
		case "provinces":
			min = 15
		case "pending approvals", "consents", "status history":
			min = 10
		}
		if n := count(q); n < min {
			t.Errorf("%s: %d, want at least %d", what, n, min)
		}
	}

	// The workers see their cases through the service; the names decrypt and the
	// likely duplicates planted by the demo are found.
	sys := access.With(reqinfo.With(ctx, &reqinfo.Info{Via: "cli", UserID: "system"}), access.System())
	u, err := a.Auth.UserByEmail(sys, "trabajadora@amparo.demo")
	if err != nil {
		t.Fatal(err)
	}
	wctx := access.With(reqinfo.With(ctx, &reqinfo.Info{Via: "cli", UserID: u.ID, AgencyID: u.AgencyID}), u.Subject())
	rows, n, err := a.Cases.List(wctx, cases.Filter{PerPage: 5})
	if err != nil || n < 50 || len(rows) != 5 || rows[0].Person.FamilyNames == "" {
		t.Fatalf("worker's list: %d cases, err %v", n, err)
	}
	full, err := a.Cases.Get(wctx, rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range full.Person.Documents {
		if doc.Type == "cedula" && !cases.ValidCedula(doc.Number) {
			t.Errorf("case %s: cédula %s fails the check digit", full.Number, doc.Number)
		}
	}
	// The people registered twice by the demo share a document or a phonetic name key.
	if n := count(`SELECT COUNT(*) FROM (SELECT kind, value FROM case_search WHERE kind IN ('doc', 'name_phon_year')
		GROUP BY kind, value HAVING COUNT(DISTINCT case_id) > 1) x`); n < 3 {
		t.Errorf("%d likely duplicates planted, want at least 3", n)
	}
}
