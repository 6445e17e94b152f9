// Command gen writes a benchmark database: N fictitious cases in a new SQLite file,
// through the same encryption and blind indexes as a registration (cases.BulkInsert),
// in large transactions.
//
//	go run ./bench/gen -n 100000 -out /tmp/bench100k.db
//
// Beside the file it writes FILE.key (the field-encryption key) and FILE.json (who to
// act as and what to search for), which the benchmarks in bench/ read.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/amparo-ec/amparo/bench/benchdb"
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

func main() {
	n := flag.Int("n", 100000, "number of cases")
	out := flag.String("out", "", "SQLite file to create (must not exist)")
	seed := flag.Uint64("seed", 20260101, "random seed (the same seed gives the same cases)")
	batch := flag.Int("batch", 10000, "cases per transaction")
	years := flag.Int("years", 5, "identification dates spread over this many years")
	prof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if *out == "" || *n < 1 || *batch < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*n, *out, *seed, *batch, *years); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// agencyDef is one generated agency with its share of the cases and its workers.
type agencyDef struct {
	code, name, typ, province, canton string
	share                             float64
	workers                           int
}

var agencyDefs = []agencyDef{
	{"bench-norte", "Fundación Bench Norte (ficticia)", "ngo", "17", "1701", 30, 20},
	{"bench-pacifico", "Fundación Bench Pacífico (ficticia)", "ngo", "09", "0901", 20, 12},
	{"bench-frontera-sur", "Fundación Bench Frontera Sur (ficticia)", "ngo", "07", "0701", 10, 6},
	{"bench-frontera-norte", "Fundación Bench Frontera Norte (ficticia)", "ngo", "21", "2101", 10, 6},
	{"bench-ministerio", "Unidad contra la Trata Bench (ficticia)", "central_government", "17", "1701", 10, 6},
	{"bench-policia", "Unidad Policial Bench (ficticia)", "law_enforcement", "09", "0901", 5, 4},
	{"bench-acogida", "Casa de Acogida Bench (ficticia)", "shelter", "23", "2301", 5, 4},
	{"bench-sierra", "Fundación Bench Sierra (ficticia)", "ngo", "10", "1001", 5, 4},
	{"bench-costa", "Fundación Bench Costa (ficticia)", "ngo", "13", "1301", 5, 4},
}

type agency struct {
	def        agencyDef
	id         string
	supervisor string
	workers    []string
}

func run(n int, out string, seed uint64, batchSize, years int) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists: remove it (and %s, %s) first", out, benchdb.KeyPath(out), benchdb.MetaPath(out))
	}
	start := time.Now()
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	ctx = access.With(ctx, access.System())
	d, err := db.Open(ctx, "sqlite:"+out)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	if err := geo.Seed(ctx, d); err != nil {
		return err
	}
	// The generator is the only writer of a throw-away file: a large page cache and
	// no fsync at commit make it several times faster. Nothing else runs like this.
	for _, p := range []string{"PRAGMA cache_size = -524288", "PRAGMA synchronous = OFF"} {
		if _, err := d.Exec(ctx, p); err != nil {
			return err
		}
	}
	if err := secure.GenerateKeyFile(benchdb.KeyPath(out)); err != nil {
		return err
	}
	kr, err := secure.LoadKeyringFromEnvOrFile("", benchdb.KeyPath(out))
	if err != nil {
		return err
	}
	svc := benchdb.New(d, kr)
	ags, err := makeAgencies(ctx, svc.Auth)
	if err != nil {
		return err
	}
	fmt.Printf("agencies and %d users in %s\n", countUsers(ags), time.Since(start).Round(time.Millisecond))

	meta := benchdb.Meta{Cases: n, Seed: seed, AgencyID: ags[0].id, SupervisorID: ags[0].supervisor,
		WorkerID: ags[0].workers[0]}
	batches := make(chan []*cases.Case, 2)
	go func() {
		defer close(batches)
		maker := demo.NewCaseMaker(seed, time.Now(), years)
		pick := newPicker(seed, ags)
		for done := 0; done < n; {
			k := min(batchSize, n-done)
			b := make([]*cases.Case, k)
			for i := range b {
				c := maker.Make()
				a := pick.agency()
				c.AgencyID, c.IdentifyingAgency = a.id, a.id
				c.AssignedTo = pick.worker(a)
				c.CreatedBy = c.AssignedTo
				if a == ags[0] {
					sample(&meta, c, done+i)
				}
				b[i] = c
			}
			batches <- b
			done += k
		}
	}()
	done, genStart := 0, time.Now()
	for b := range batches {
		if err := svc.Cases.BulkInsert(ctx, b, cases.BulkOptions{}); err != nil {
			return err
		}
		done += len(b)
		el := time.Since(genStart)
		fmt.Printf("%d cases  %s  %.0f cases/s\n", done, el.Round(time.Second), float64(done)/el.Seconds())
	}
	// Fresh statistics for the query planner, as an operator would have after ANALYZE.
	if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
		return err
	}
	if _, err := d.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return err
	}
	meta.GeneratedIn = time.Since(start).Round(time.Second).String()
	b, _ := json.MarshalIndent(meta, "", "  ")
	if err := os.WriteFile(benchdb.MetaPath(out), b, 0o600); err != nil {
		return err
	}
	st, _ := os.Stat(out)
	fmt.Printf("done: %d cases in %s, %s is %.1f MB\n", n, meta.GeneratedIn, out, float64(st.Size())/1e6)
	return nil
}

// sample keeps some names and documents of the big agency for the search benchmarks.
func sample(m *benchdb.Meta, c *cases.Case, i int) {
	if i%997 != 0 || len(m.Names) >= 64 {
		return
	}
	m.Names = append(m.Names, c.Person.FullName())
	m.FamilyNames = append(m.FamilyNames, c.Person.FamilyNames)
	for _, doc := range c.Person.Documents {
		m.Documents = append(m.Documents, doc.Number)
	}
	if m.Province == "" {
		m.Province = c.Identification.Province
	}
}

func makeAgencies(ctx context.Context, a *auth.Service) ([]*agency, error) {
	var out []*agency
	for _, def := range agencyDefs {
		ag, err := a.CreateAgency(ctx, &auth.Agency{Code: def.code, Name: def.name, Type: def.typ,
			ProvinceCode: def.province, CantonCode: def.canton})
		if err != nil {
			return nil, fmt.Errorf("agency %s: %w", def.code, err)
		}
		x := &agency{def: def, id: ag.ID}
		mk := func(email string, role access.Role) (string, error) {
			u, _, err := a.CreateUser(ctx, &auth.User{Email: email, Name: "Persona ficticia " + email,
				AgencyID: ag.ID, Roles: []access.Role{role}, JurisdictionLevel: "agency", Lang: "es"}, auth.GeneratePassword())
			if err != nil {
				return "", fmt.Errorf("user %s: %w", email, err)
			}
			return u.ID, nil
		}
		if x.supervisor, err = mk("supervision@"+def.code+".bench", access.CaseSupervisor); err != nil {
			return nil, err
		}
		for i := 0; i < def.workers; i++ {
			id, err := mk(fmt.Sprintf("trabajo%02d@%s.bench", i+1, def.code), access.CaseWorker)
			if err != nil {
				return nil, err
			}
			x.workers = append(x.workers, id)
		}
		out = append(out, x)
	}
	return out, nil
}

func countUsers(ags []*agency) int {
	n := 0
	for _, a := range ags {
		n += 1 + len(a.workers)
	}
	return n
}
