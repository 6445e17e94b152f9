package cases_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// The people of the leak test. Their names are unusual on purpose: no place, agency or
// vocabulary of Amparo contains them, which the baseline scan checks.
var (
	leakCedula1 = cedula("180234567")
	leakCedula2 = cedula("130987654")
)

// leakSecrets are the strings that must never be stored in clear, each also looked for
// in the forms a leak could take (without accents, another case, document numbers
// without or with separators).
func leakSecrets() []string {
	raw := []string{
		"Xiomara", "Guachamín", "Tixilema", "Gata Nocturna", "Clotilde", "Pazmiño Yánez",
		"Wilmer", "Anchundia", "Flaco Wilmer", "Yuliana", "Ñaupari", "Oyolaza",
		leakCedula1, leakCedula1[:9] + "-" + leakCedula1[9:], leakCedula2, "PA7731942X", "PE55512389",
		"0987 654 321", "0987654321", "xiomara.leak@example.org", "0991112233",
		"2011-04-19", "19/04/2011", "1996-10-07", "2003-02-14",
		"Hipoacusia severa", "Fausto Maigua", "casa verde de Peguche", "Acompañar a Xiomara",
		"denuncia_Xiomara", "Reapareció en Tulcán", "Plan de seguridad de Wilmer",
		"contenido secreto del adjunto",
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if k := strings.ToLower(s); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	for _, s := range raw {
		add(s)
		add(secure.Normalize(s))         // no accents
		add(secure.NormalizeDocument(s)) // no separators
	}
	return out
}

// fillLeakData registers three people with every kind of identifying data, and, through
// the services of the case file, consent, notes, an attachment, a task, a flag, a safety
// plan, a trafficking event, a planned service and a workflow with comments. It returns
// the numbers of the cases, stored in clear.
func (e *env) fillLeakData(t *testing.T) []string {
	t.Helper()
	w := e.user(t, e.agA, access.CaseWorker)
	sup := e.user(t, e.agA, access.CaseSupervisor)
	ctx, sctx := e.as(w), e.as(sup)

	in1 := goodInput()
	in1.Person = cases.Person{GivenNames: "Xiomara", FamilyNames: "Guachamín Tixilema", Aliases: []string{"La Gata Nocturna"},
		Sex: "female", Gender: "woman", BirthDate: "2011-04-19", Nationalities: []string{"ECU"},
		Documents: []cases.Document{{Type: "cedula", Number: leakCedula1[:9] + "-" + leakCedula1[9:]},
			{Type: "passport", Number: "PA7731942X", Country: "ECU"}},
		Languages: []string{"es", "qu"}, Ethnicity: "indigenous", Disability: true, DisabilityNotes: "Hipoacusia severa en el oído izquierdo",
		Contact:  "xiomara.leak@example.org, 0987 654 321",
		Guardian: &cases.Guardian{Name: "Clotilde Pazmiño Yánez", Relation: "abuela", Contact: "0991112233"}}
	in1.Exploitation = []string{"begging"}
	c1 := e.register(t, ctx, in1)

	in2 := goodInput()
	in2.Person = cases.Person{GivenNames: "Wilmer", FamilyNames: "Anchundia", Aliases: []string{"El Flaco Wilmer"}, Sex: "male",
		BirthDate: "1996-10-07", Nationalities: []string{"ECU"}, Documents: []cases.Document{{Type: "cedula", Number: leakCedula2}}}
	in2.Exploitation = []string{"forced_labour"}
	c2 := e.register(t, ctx, in2)

	in3 := goodInput()
	in3.Person = cases.Person{GivenNames: "Yuliana", FamilyNames: "Ñaupari Oyolaza", Sex: "female", BirthDate: "2003-02-14",
		Nationalities: []string{"PER"}, Documents: []cases.Document{{Type: "passport", Number: "PE55512389", Country: "PER"}}}
	in3.Exploitation = []string{"sexual"}
	c3 := e.register(t, ctx, in3)

	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := e.svc.RecordConsent(ctx, c1.ID, cases.ConsentInput{Purpose: "assistance", Status: "given", GivenBy: "representative",
		Representative: "Clotilde Pazmiño Yánez", Method: "written", DecidedOn: "2026-03-01", Notes: "Firmó Clotilde Pazmiño Yánez"})
	must("consent", err)
	_, err = e.svc.AddNote(ctx, c1.ID, "Relata que Fausto Maigua la llevó a la casa verde de Peguche.")
	must("note", err)
	pdf := []byte("%PDF-1.4\n1 0 obj << /Title (Xiomara Guachamín) >> endobj\n% contenido secreto del adjunto\n%%EOF\n")
	_, err = e.svc.AddAttachment(ctx, c1.ID, "denuncia_Xiomara_Guachamín.pdf", pdf)
	must("attachment", err)
	_, err = e.svc.AddTask(ctx, c1.ID, cases.TaskInput{Title: "Acompañar a Xiomara a la fiscalía", DueOn: "2026-03-20"})
	must("task", err)
	_, err = e.svc.AddFlag(ctx, c2.ID, "trafficker_contact", "Fausto Maigua llamó a Wilmer")
	must("flag", err)
	must("risk", e.svc.SetRisk(ctx, c2.ID, "high", "Plan de seguridad de Wilmer: no volver a la casa verde de Peguche"))
	_, err = e.svc.AddEvent(ctx, c1.ID, cases.EventInput{Kind: "recruitment", Country: "ECU", Province: "10", Canton: "1004",
		StartedOn: "2025-01-10", Narrative: "Fausto Maigua ofreció trabajo a Xiomara"})
	must("event", err)
	_, err = e.svc.AddService(ctx, c3.ID, cases.ServiceInput{SupportType: "legal", ProviderName: "Consultorio jurídico",
		Notes: "Yuliana Ñaupari pide regresar a Lima"})
	must("service", err)
	ap, err := e.svc.RequestApproval(ctx, c3.ID, "screening", "actual")
	must("request screening", err)
	must("reject", e.svc.Decide(sctx, ap.ID, false, "Falta la declaración de Yuliana Ñaupari Oyolaza"))
	ap, err = e.svc.RequestApproval(ctx, c3.ID, "closure", "lost_contact")
	must("request closure", err)
	must("approve closure", e.svc.Decide(sctx, ap.ID, true, "Yuliana no contesta"))
	must("reopen", e.svc.Reopen(ctx, c3.ID, "Reapareció en Tulcán"))

	// Reading and searching leave no trace in clear either.
	for _, id := range []string{c1.ID, c2.ID, c3.ID} {
		_, err := e.svc.Get(ctx, id)
		must("get", err)
	}
	for _, q := range []string{"Xiomara Guachamín", "anchundia", leakCedula1, "PA7731942X"} {
		_, n, err := e.svc.List(sctx, cases.Filter{Q: q})
		must("search", err)
		if n != 1 {
			t.Fatalf("search %q found %d cases, want 1", q, n)
		}
	}
	return []string{c1.Number, c2.Number, c3.Number}
}

// scanClear fails for every secret found in data (compared case-insensitively), and
// unless every clear value is found, which proves the scan reads real data.
func scanClear(t *testing.T, where string, data []byte, secrets, clear []string) {
	t.Helper()
	if len(data) == 0 {
		t.Fatalf("%s: nothing to scan", where)
	}
	lower := bytes.ToLower(data)
	for _, s := range secrets {
		if bytes.Contains(lower, bytes.ToLower([]byte(s))) {
			t.Errorf("%s: %q is stored in clear", where, s)
		}
	}
	for _, s := range clear {
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("%s: clear value %q not found: the scan does not see the data", where, s)
		}
	}
}

// readFiles concatenates the files that exist among paths.
func readFiles(t *testing.T, paths ...string) []byte {
	t.Helper()
	var out []byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		out = append(out, b...)
	}
	return out
}

// TestRawDatabaseHoldsNoPersonalData is the proof: the SQLite file and its WAL,
// and a PostgreSQL dump, hold no name, document number, contact, guardian, birth date,
// note, attachment or comment in clear.
func TestRawDatabaseHoldsNoPersonalData(t *testing.T) {
	t.Parallel()
	secrets := leakSecrets()
	t.Run("sqlite", func(t *testing.T) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "amparo.db")
		d, err := db.Open(ctx, "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, d)
		// The secrets are chosen so that nothing in a fresh database contains them.
		scanClear(t, "fresh database", readFiles(t, path, path+"-wal"), secrets, nil)

		numbers := e.fillLeakData(t)
		clear := append(numbers, "police_operation", "forced_labour", "trafficker_contact")
		wal := path + "-wal"
		if st, err := os.Stat(wal); err != nil || st.Size() == 0 {
			t.Fatalf("no write-ahead log to scan (%v): the WAL part of the test would prove nothing", err)
		}
		// While the server runs, most of the data is in the WAL.
		scanClear(t, "database file + WAL", readFiles(t, path, wal), secrets, clear)
		scanClear(t, "WAL alone", readFiles(t, wal), secrets, nil)

		// After a checkpoint everything is in the main file.
		var busy, logPages, done int
		if err := d.Writer().QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &done); err != nil {
			t.Fatalf("checkpoint: %v", err)
		}
		if busy != 0 {
			t.Fatalf("checkpoint blocked (busy=%d)", busy)
		}
		scanClear(t, "database file after checkpoint", readFiles(t, path), secrets, clear)

		if res, err := e.log.Verify(ctx); err != nil || !res.OK {
			t.Fatalf("audit verify: %v %+v", err, res)
		}
		e.closed = true
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		scanClear(t, "closed database (file, WAL, shared memory)", readFiles(t, path, wal, path+"-shm", path+"-journal"), secrets, clear)
	})

	t.Run("postgres", func(t *testing.T) {
		pgDump := findPgDump()
		if pgDump == "" {
			dbtest.SkipOrFail(t, "pg_dump not found in PATH, /usr/bin or /usr/lib/postgresql/*/bin: PostgreSQL dump check skipped")
		}
		u := dbtest.PostgresURL(t)
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		schema := pu.Query().Get("search_path")
		if schema == "" {
			t.Fatalf("no search_path in the test URL")
		}
		ctx := context.Background()
		d, err := db.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, d)
		dump := func() []byte {
			t.Helper()
			// pg_dump takes the server URL without the search_path Amparo's driver uses.
			base, _ := url.Parse(u)
			q := base.Query()
			q.Del("search_path")
			base.RawQuery = q.Encode()
			cmd := exec.Command(pgDump, "--schema="+schema, "--no-owner", "--no-privileges", base.String())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("pg_dump: %v\n%s", err, stderr.String())
			}
			return out
		}
		scanClear(t, "dump of a fresh schema", dump(), secrets, []string{"CREATE TABLE " + schema + ".cases"})
		numbers := e.fillLeakData(t)
		scanClear(t, "pg_dump", dump(), secrets, append(numbers, "police_operation", "forced_labour", "trafficker_contact"))
	})
}

// findPgDump looks for pg_dump where Debian installs it.
func findPgDump() string {
	if p, err := exec.LookPath("pg_dump"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/pg_dump"); err == nil {
		return "/usr/bin/pg_dump"
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump"); len(m) > 0 {
		return m[len(m)-1]
	}
	return ""
}
