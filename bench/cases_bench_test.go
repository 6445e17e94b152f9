package bench

import (
	"context"
	"math"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/bench/benchdb"
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// DBEnv names the variable with the path of a database made by bench/gen.
const DBEnv = "AMPARO_BENCH_DB"

var (
	openOnce sync.Once
	opened   *benchdb.Services
	openErr  error
)

// services opens the benchmark database once, or skips with the reason.
func services(b *testing.B) *benchdb.Services {
	b.Helper()
	path := os.Getenv(DBEnv)
	if path == "" {
		b.Skip(DBEnv + " is not set: make a database with `go run ./bench/gen -n 100000 -out /tmp/bench100k.db` and set " +
			DBEnv + "=/tmp/bench100k.db (see bench/README.md)")
	}
	openOnce.Do(func() { opened, openErr = benchdb.Open(context.Background(), path) })
	if openErr != nil {
		b.Fatalf("open %s: %v", path, openErr)
	}
	return opened
}

// as returns a context acting as the user with id, as a signed-in request would.
func as(b *testing.B, s *benchdb.Services, id string) context.Context {
	b.Helper()
	sys := access.With(reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"}), access.System())
	u, err := s.Auth.User(sys, id)
	if err != nil {
		b.Fatalf("user %s: %v", id, err)
	}
	return asUser(u)
}

func asUser(u *auth.User) context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "bench", UserID: u.ID, AgencyID: u.AgencyID})
	return access.With(ctx, u.Subject())
}

// listCase is one benchmark of the case list: who asks, the filter, and whether to
// read a deep page (the middle of the result) instead of the first.
type listCase struct {
	name   string
	worker bool
	deep   bool
	filter func(m *benchdb.Meta, i int) cases.Filter
}

func listCases() []listCase {
	none := func(*benchdb.Meta, int) cases.Filter { return cases.Filter{} }
	status := func(*benchdb.Meta, int) cases.Filter { return cases.Filter{Status: "assisted"} }
	open := func(*benchdb.Meta, int) cases.Filter {
		return cases.Filter{Status: "open", Sort: "updated", Desc: true}
	}
	provExp := func(m *benchdb.Meta, _ int) cases.Filter {
		return cases.Filter{Province: m.Province, Exploitation: "sexual"}
	}
	name := func(m *benchdb.Meta, i int) cases.Filter { return cases.Filter{Q: m.Names[i%len(m.Names)]} }
	family := func(m *benchdb.Meta, i int) cases.Filter { return cases.Filter{Q: m.FamilyNames[i%len(m.FamilyNames)]} }
	doc := func(m *benchdb.Meta, i int) cases.Filter { return cases.Filter{Q: m.Documents[i%len(m.Documents)]} }
	overdue := func(*benchdb.Meta, int) cases.Filter { return cases.Filter{Overdue: true} }
	flagged := func(*benchdb.Meta, int) cases.Filter { return cases.Filter{Flagged: true, Status: "open"} }
	child := func(m *benchdb.Meta, _ int) cases.Filter {
		return cases.Filter{AgeGroup: "9-17", Sex: "female", Exploitation: "begging"}
	}
	return []listCase{
		{"supervisor/none/page1", false, false, none},
		{"supervisor/none/deep", false, true, none},
		{"supervisor/status/page1", false, false, status},
		{"supervisor/status/deep", false, true, status},
		{"supervisor/open-by-updated/page1", false, false, open},
		{"supervisor/province+exploitation/page1", false, false, provExp},
		{"supervisor/province+exploitation/deep", false, true, provExp},
		{"supervisor/girls-begging/page1", false, false, child},
		{"supervisor/name/page1", false, false, name},
		{"supervisor/family-name/page1", false, false, family},
		{"supervisor/document/page1", false, false, doc},
		{"supervisor/overdue/page1", false, false, overdue},
		{"supervisor/overdue/deep", false, true, overdue},
		{"supervisor/flagged/page1", false, false, flagged},
		{"worker/none/page1", true, false, none},
		{"worker/none/deep", true, true, none},
		{"worker/name/page1", true, false, name},
		{"worker/overdue/page1", true, false, overdue},
	}
}

// BenchmarkCaseList measures one page of the case list (25 rows, names decrypted, the
// views recorded in the audit trail: what a user waits for) and reports p50 and p99.
func BenchmarkCaseList(b *testing.B) {
	s := services(b)
	m := &s.Meta
	sup, worker := as(b, s, m.SupervisorID), as(b, s, m.WorkerID)
	for _, lc := range listCases() {
		b.Run(lc.name, func(b *testing.B) {
			ctx := sup
			if lc.worker {
				ctx = worker
			}
			f := lc.filter(m, 0)
			if lc.deep {
				_, total, err := s.Cases.List(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				f.Page = max(1, total/25/2)
			}
			b.ReportAllocs()
			durs := make([]time.Duration, 0, b.N)
			rows := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g := lc.filter(m, i)
				g.Page = f.Page
				t0 := time.Now()
				r, _, err := s.Cases.List(ctx, g)
				durs = append(durs, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				rows += len(r)
			}
			b.StopTimer()
			report(b, durs)
			b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
		})
	}
}

// report adds the median and the 99th percentile of the durations, in milliseconds, by
// the nearest-rank method: with fewer than 100 operations the p99 is the slowest one.
func report(b *testing.B, durs []time.Duration) {
	if len(durs) == 0 {
		return
	}
	slices.Sort(durs)
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(durs)))) - 1
		return float64(durs[max(i, 0)].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkCaseGet measures opening one case: load, decrypt every field, audit.
func BenchmarkCaseGet(b *testing.B) {
	s := services(b)
	ctx := as(b, s, s.Meta.SupervisorID)
	rows, _, err := s.Cases.List(ctx, cases.Filter{PerPage: 200})
	if err != nil || len(rows) == 0 {
		b.Fatalf("list: %d rows, %v", len(rows), err)
	}
	b.ReportAllocs()
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := s.Cases.Get(ctx, rows[i%len(rows)].ID); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(t0))
	}
	b.StopTimer()
	report(b, durs)
}
