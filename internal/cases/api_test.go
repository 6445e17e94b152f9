package cases_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// The API tests run the whole application over real HTTP, on SQLite and (where
// AMPARO_TEST_POSTGRES_URL is set) on PostgreSQL, with users calling it through API
// tokens.

const apiPassword = "Cometa-Azul-Páramo-4821"

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// apiApp is the application on a fresh database, served by an httptest server.
type apiApp struct {
	*app.App
	t   *testing.T
	srv *httptest.Server
}

func newAPIApp(t *testing.T, engine string) *apiApp {
	t.Helper()
	ctx := context.Background()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir, c.Key, c.KeyFile = t.TempDir(), "", ""
	c.DB = ""
	if engine == "postgres" {
		c.DB = dbtest.PostgresURL(t)
	}
	if err := c.Finish(config.WithData); err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &syncBuf{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := app.Open(ctx, c, log)
	if err != nil {
		t.Fatalf("app.Open: %v", err)
	}
	a, err := app.New(ctx, c, d, log)
	if err != nil {
		d.Close()
		t.Fatalf("app.New: %v", err)
	}
	ta := &apiApp{App: a, t: t, srv: httptest.NewServer(a.Handler())}
	t.Cleanup(func() {
		ta.srv.Close()
		a.Close()
		if t.Failed() {
			logs.mu.Lock()
			t.Logf("app log:\n%s", logs.b.String())
			logs.mu.Unlock()
		}
	})
	return ta
}

func system() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}

func (ta *apiApp) agency(code string) *auth.Agency {
	ta.t.Helper()
	ag, err := ta.Auth.CreateAgency(system(), &auth.Agency{Code: code, Name: "Fundación " + code + " (prueba)",
		Type: "ngo", ProvinceCode: "17", CantonCode: "1701"})
	if err != nil {
		ta.t.Fatalf("agency %s: %v", code, err)
	}
	return ag
}

// client is an API user with a bearer token.
type client struct {
	ta    *apiApp
	user  *auth.User
	token string
}

func (ta *apiApp) user(ag *auth.Agency, role access.Role, email string) *client {
	ta.t.Helper()
	u, _, err := ta.Auth.CreateUser(system(), &auth.User{Email: email, Name: "Persona " + email, AgencyID: ag.ID,
		Roles: []access.Role{role}, JurisdictionLevel: "agency", Lang: "en"}, apiPassword)
	if err != nil {
		ta.t.Fatalf("user %s: %v", email, err)
	}
	tok, _, err := ta.Auth.CreateToken(system(), u.ID, "api test", 24*time.Hour)
	if err != nil {
		ta.t.Fatalf("token %s: %v", email, err)
	}
	return &client{ta: ta, user: u, token: tok}
}

// do sends a request with the client's token (none when c is nil) and returns the
// status and the body.
func (c *client) do(t *testing.T, method, path string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.ta.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// want checks the status and decodes the body into v (when not nil).
func (c *client) want(t *testing.T, status int, method, path string, body, v any) string {
	t.Helper()
	st, got := c.do(t, method, path, body)
	if st != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, path, st, status, got)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(got), v); err != nil {
			t.Fatalf("%s %s: decode: %v\n%s", method, path, err, got)
		}
	}
	return got
}

// apiError is the error body.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
	Duplicates []cases.Duplicate `json:"duplicates"`
}

// exampleBody is the body of the example, with a generated (valid) cédula.
func exampleBody(seed uint64) map[string]any {
	now := time.Now()
	ced := demo.Cedula(rand.New(rand.NewPCG(seed, 7)), "17")
	return map[string]any{
		"person": map[string]any{
			"given_names": "Nayeli Fernanda", "family_names": "Quishpe Tipán", "sex": "female",
			"birth_date":    now.AddDate(-15, -2, 0).Format("2006-01-02"),
			"nationalities": []string{"ECU"},
			"documents":     []map[string]string{{"type": "cedula", "number": ced}},
		},
		"identification": map[string]any{"date": now.AddDate(0, 0, -20).Format("2006-01-02"), "country": "ECU",
			"province": "17", "canton": "1701", "how": "police_operation"},
		"trafficking_status": "possible",
		"exploitation":       []string{"sexual", "begging"},
	}
}

func set(m map[string]any, path string, v any) map[string]any {
	parts := strings.Split(path, ".")
	cur := m
	for _, p := range parts[:len(parts)-1] {
		cur = cur[p].(map[string]any)
	}
	cur[parts[len(parts)-1]] = v
	return m
}

func countCases(t *testing.T, ta *apiApp) int {
	t.Helper()
	var n int
	if err := ta.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM cases").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var numberRe = regexp.MustCompile(`^EC-\d{4}-\d{5}$`)

func engines(t *testing.T, fn func(t *testing.T, engine string)) {
	for _, e := range []string{"sqlite", "postgres"} {
		t.Run(e, func(t *testing.T) { fn(t, e) })
	}
}

func TestAPICreateAndGet(t *testing.T) {
	engines(t, func(t *testing.T, engine string) {
		ta := newAPIApp(t, engine)
		ag := ta.agency("norte")
		worker := ta.user(ag, access.CaseWorker, "worker@norte.test")

		var got map[string]any
		worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", exampleBody(1), &got)
		id, _ := got["id"].(string)
		if id == "" || !numberRe.MatchString(fmt.Sprint(got["number"])) {
			t.Fatalf("201 without id or number: %v", got)
		}
		for k, want := range map[string]any{"status": "identified", "version": 1.0, "agency_id": ag.ID,
			"assigned_to": worker.user.ID, "trafficking_status": "possible", "age_group": "9-17",
			"age_at_identification": 15.0, "flagged": false, "created_by": worker.user.ID} {
			if got[k] != want {
				t.Errorf("created case: %s = %v, want %v", k, got[k], want)
			}
		}
		p := got["person"].(map[string]any)
		if p["given_names"] != "Nayeli Fernanda" || p["family_names"] != "Quishpe Tipán" || p["sex"] != "female" {
			t.Errorf("created case: person %v", p)
		}
		if ex := fmt.Sprint(got["exploitation"]); ex != "[sexual begging]" {
			t.Errorf("created case: exploitation %s", ex)
		}

		// GET gives the same case, with agency and worker names.
		var c cases.Case
		worker.want(t, http.StatusOK, "GET", "/api/v1/cases/"+id, nil, &c)
		if c.ID != id || c.Number != got["number"] || c.AgencyName == "" || c.AssignedName == "" ||
			len(c.Person.Documents) != 1 || c.Identification.Canton != "1701" {
			t.Errorf("GET: %+v", c)
		}
		// The assigned worker's view is in the audit trail, with the worker as actor.
		evs, _, err := ta.Audit.List(context.Background(), audit.Filter{Action: "case.view", RecordID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 || evs[0].ActorID != worker.user.ID || evs[0].Via == "" {
			t.Errorf("case.view audit events: %+v", evs)
		}
	})
}

func TestAPIInvalidInput(t *testing.T) {
	engines(t, func(t *testing.T, engine string) {
		ta := newAPIApp(t, engine)
		worker := ta.user(ta.agency("norte"), access.CaseWorker, "worker@norte.test")
		future := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
		for _, tc := range []struct {
			name, field, path string
			value             any
		}{
			{"bad cédula check digit", "person.documents", "person.documents",
				[]map[string]string{{"type": "cedula", "number": "1710034064"}}},
			{"birth date in the future", "person.birth_date", "person.birth_date", future},
			{"canton not in the province", "identification.canton", "identification.canton", "0901"},
			{"unknown exploitation value", "exploitation", "exploitation", []string{"sexual", "smuggling"}},
			{"unknown field", "person.favourite_colour", "person.favourite_colour", "blue"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var e apiError
				worker.want(t, http.StatusUnprocessableEntity, "POST", "/api/v1/cases",
					set(exampleBody(2), tc.path, tc.value), &e)
				if e.Error.Code != "invalid" || e.Error.Fields[tc.field] == "" {
					t.Errorf("want a message for %s: %+v", tc.field, e.Error)
				}
				if strings.HasPrefix(e.Error.Fields[tc.field], "cases.") {
					t.Errorf("untranslated message: %q", e.Error.Fields[tc.field])
				}
			})
		}
		if n := countCases(t, ta); n != 0 {
			t.Errorf("%d cases saved after invalid input, want 0", n)
		}
	})
}

func TestAPIAccess(t *testing.T) {
	engines(t, func(t *testing.T, engine string) {
		ta := newAPIApp(t, engine)
		norte, sur := ta.agency("norte"), ta.agency("sur")
		worker := ta.user(norte, access.CaseWorker, "worker@norte.test")
		other := ta.user(sur, access.CaseWorker, "worker@sur.test")
		otherSup := ta.user(sur, access.CaseSupervisor, "sup@sur.test")
		monitor := ta.user(norte, access.Monitoring, "monitoreo@norte.test")
		var c cases.Case
		worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", exampleBody(3), &c)
		path := "/api/v1/cases/" + c.ID

		anon := &client{ta: ta}
		bad := &client{ta: ta, token: "amp_not-a-real-token"}
		for _, cl := range []*client{anon, bad} {
			for _, m := range []string{"GET /api/v1/cases", "GET " + path, "POST /api/v1/cases"} {
				method, p, _ := strings.Cut(m, " ")
				var e apiError
				cl.want(t, http.StatusUnauthorized, method, p, map[string]any{}, &e)
				if e.Error.Code != "unauthenticated" {
					t.Errorf("%s without a good token: %+v", m, e)
				}
			}
		}
		// A role without case permissions: 403 on every route.
		for _, m := range []string{"GET /api/v1/cases", "GET " + path, "POST /api/v1/cases", "PATCH " + path,
			"POST /api/v1/approvals/" + c.ID} {
			method, p, _ := strings.Cut(m, " ")
			var e apiError
			monitor.want(t, http.StatusForbidden, method, p, map[string]any{}, &e)
			if e.Error.Code != "forbidden" {
				t.Errorf("%s as monitoring: %+v", m, e)
			}
		}
		// Workers and supervisors of another agency do not learn the case exists.
		for _, cl := range []*client{other, otherSup} {
			cl.want(t, http.StatusNotFound, "GET", path, nil, nil)
			cl.want(t, http.StatusNotFound, "PATCH", path, map[string]any{"risk_level": "high"}, nil)
			cl.want(t, http.StatusNotFound, "GET", path+"/consents", nil, nil)
			var list struct{ Total int }
			cl.want(t, http.StatusOK, "GET", "/api/v1/cases", nil, &list)
			if list.Total != 0 {
				t.Errorf("%s lists %d cases of another agency", cl.user.Email, list.Total)
			}
		}
	})
}

func TestAPIDuplicates(t *testing.T) {
	engines(t, func(t *testing.T, engine string) {
		ta := newAPIApp(t, engine)
		worker := ta.user(ta.agency("norte"), access.CaseWorker, "worker@norte.test")
		var first cases.Case
		worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", exampleBody(4), &first)

		var e apiError
		worker.want(t, http.StatusConflict, "POST", "/api/v1/cases", exampleBody(4), &e)
		if e.Error.Code != "conflict" || e.Error.Message == "" || len(e.Duplicates) != 1 {
			t.Fatalf("409: %+v", e)
		}
		d := e.Duplicates[0]
		if d.CaseID != first.ID || d.Number != first.Number || !d.CanOpen || len(d.Reasons) == 0 {
			t.Errorf("duplicate: %+v", d)
		}
		if n := countCases(t, ta); n != 1 {
			t.Errorf("%d cases after the 409, want 1", n)
		}
		body := exampleBody(4)
		body["confirm_not_duplicate"] = true
		var second cases.Case
		worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", body, &second)
		if second.ID == first.ID || second.Number == first.Number {
			t.Errorf("confirmed registration reused the first case: %s %s", second.ID, second.Number)
		}
	})
}

func TestAPIPatch(t *testing.T) {
	engines(t, func(t *testing.T, engine string) {
		ta := newAPIApp(t, engine)
		worker := ta.user(ta.agency("norte"), access.CaseWorker, "worker@norte.test")
		var c cases.Case
		worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", exampleBody(5), &c)
		path := "/api/v1/cases/" + c.ID

		var got cases.Case
		worker.want(t, http.StatusOK, "PATCH", path, map[string]any{
			"person":         map[string]any{"aliases": []string{"La Flaca"}},
			"identification": map[string]any{"how": "hotline"},
			"risk_level":     "high",
			"version":        1,
		}, &got)
		if got.Version != 2 || got.RiskLevel != "high" || got.Identification.How != "hotline" {
			t.Errorf("patched: version %d risk %q how %q", got.Version, got.RiskLevel, got.Identification.How)
		}
		// Absent fields keep their value.
		if got.Person.GivenNames != "Nayeli Fernanda" || got.Identification.Province != "17" ||
			len(got.Person.Documents) != 1 || len(got.Exploitation) != 2 || got.Person.Aliases[0] != "La Flaca" {
			t.Errorf("patch lost fields: %+v", got.Input)
		}
		// A stale version is a conflict and changes nothing.
		var e apiError
		worker.want(t, http.StatusConflict, "PATCH", path, map[string]any{"risk_level": "low", "version": 1}, &e)
		if e.Error.Code != "conflict" {
			t.Errorf("stale version: %+v", e)
		}
		// Patched values are validated like new ones.
		worker.want(t, http.StatusUnprocessableEntity, "PATCH", path,
			map[string]any{"identification": map[string]any{"canton": "0901"}}, &e)
		if e.Error.Fields["identification.canton"] == "" {
			t.Errorf("patch with a canton of another province: %+v", e)
		}
		worker.want(t, http.StatusUnprocessableEntity, "PATCH", path, map[string]any{"status": "closed"}, nil)
		worker.want(t, http.StatusOK, "GET", path, nil, &got)
		if got.RiskLevel != "high" || got.Version != 2 {
			t.Errorf("after refused patches: risk %q version %d", got.RiskLevel, got.Version)
		}
		// Without a version the last write wins.
		worker.want(t, http.StatusOK, "PATCH", path, map[string]any{"risk_level": "medium"}, &got)
		if got.RiskLevel != "medium" || got.Version != 3 {
			t.Errorf("patch without version: risk %q version %d", got.RiskLevel, got.Version)
		}
	})
}

// variant is the example body with another place, sex, age and exploitation.
func variant(seed uint64, province, canton, sex string, age int, exploitation ...string) map[string]any {
	b := exampleBody(seed)
	b["confirm_not_duplicate"] = true
	set(b, "identification.province", province)
	set(b, "identification.canton", canton)
	set(b, "person.sex", sex)
	set(b, "person.given_names", fmt.Sprintf("Persona%d", seed))
	set(b, "person.birth_date", time.Now().AddDate(-age, -1, 0).Format("2006-01-02"))
	b["exploitation"] = exploitation
	return b
}

type listBody struct {
	Cases []struct {
		ID, Number, Status, Province string
		GivenNames                   string `json:"given_names"`
		AssignedTo                   string `json:"assigned_to"`
		Flagged                      bool
	} `json:"cases"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

func TestAPIList(t *testing.T) {
	engines(t, func(t *testing.T, engine string) {
		ta := newAPIApp(t, engine)
		ag := ta.agency("norte")
		worker := ta.user(ag, access.CaseWorker, "worker@norte.test")
		colleague := ta.user(ag, access.CaseWorker, "colega@norte.test")
		sup := ta.user(ag, access.CaseSupervisor, "sup@norte.test")
		bodies := []map[string]any{
			variant(10, "17", "1701", "female", 15, "sexual", "begging"),
			variant(11, "09", "0901", "male", 30, "forced_labour"),
			variant(12, "07", "0701", "female", 22, "sexual"),
			variant(13, "09", "0901", "female", 12, "begging"),
			variant(14, "17", "1701", "male", 16, "child_labour"),
			variant(15, "09", "0901", "female", 25, "sexual", "forced_labour"),
			variant(16, "21", "2101", "female", 17, "sexual"),
		}
		var ids, numbers []string
		var doc string
		for i, b := range bodies {
			var c cases.Case
			worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", b, &c)
			ids, numbers = append(ids, c.ID), append(numbers, c.Number)
			if i == 1 {
				doc = c.Person.Documents[0].Number
			}
		}
		// One case of the agency assigned to a colleague: the supervisor sees it, the worker not.
		b := variant(17, "17", "1701", "female", 19, "sexual")
		b["assigned_to"] = colleague.user.ID
		var theirs cases.Case
		worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", b, &theirs)
		// Flags and follow-ups come from the safety and task screens; set them here.
		ctx := context.Background()
		if _, err := ta.DB.Exec(ctx, "UPDATE cases SET flagged = 1 WHERE id = ?", ids[2]); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.DB.Exec(ctx, "UPDATE cases SET next_follow_up = ? WHERE id = ?", "2020-01-31", ids[3]); err != nil {
			t.Fatal(err)
		}

		list := func(c *client, query string) listBody {
			t.Helper()
			var l listBody
			c.want(t, http.StatusOK, "GET", "/api/v1/cases"+query, nil, &l)
			return l
		}
		for _, tc := range []struct {
			query string
			total int
		}{
			{"", 7}, {"?status=identified", 7}, {"?status=open", 7}, {"?status=closed", 0},
			{"?province=09", 3}, {"?province=09&exploitation=sexual", 1}, {"?exploitation=begging", 2},
			{"?sex=male", 2}, {"?age_group=9-17", 4}, {"?child=0", 3}, {"?flagged=1", 1}, {"?overdue=true", 1},
			{"?worker=me", 7}, {"?q=" + numbers[4], 1}, {"?q=" + doc, 1}, {"?q=Quishpe", 7},
			{"?q=persona12+quishpe+tipan", 1}, {"?q=Persona12%20Quishpe%20Tip%C3%A1n", 1}, {"?q=Nadie", 0},
		} {
			if l := list(worker, tc.query); l.Total != tc.total || len(l.Cases) != min(tc.total, 25) {
				t.Errorf("GET /api/v1/cases%s: total %d with %d cases, want %d", tc.query, l.Total, len(l.Cases), tc.total)
			}
		}
		if l := list(sup, ""); l.Total != 8 {
			t.Errorf("supervisor sees %d cases, want 8", l.Total)
		}
		if l := list(sup, "?worker="+colleague.user.ID); l.Total != 1 || l.Cases[0].ID != theirs.ID {
			t.Errorf("supervisor, worker filter: %+v", l)
		}
		// Pagination, sorted by number: pages cover every case once, in order.
		var seen []string
		for page := 1; page <= 3; page++ {
			l := list(worker, fmt.Sprintf("?sort=number&per_page=3&page=%d", page))
			if l.Page != page || l.PerPage != 3 || l.Total != 7 {
				t.Errorf("page %d: page %d per_page %d total %d", page, l.Page, l.PerPage, l.Total)
			}
			for _, c := range l.Cases {
				seen = append(seen, c.Number)
			}
		}
		if strings.Join(seen, ",") != strings.Join(numbers, ",") {
			t.Errorf("pages by number: %v, want %v", seen, numbers)
		}
		if l := list(worker, "?sort=number&desc=1&per_page=1"); l.Cases[0].Number != numbers[6] {
			t.Errorf("descending by number starts with %s, want %s", l.Cases[0].Number, numbers[6])
		}
		for _, q := range []string{"?page=abc", "?page=0", "?per_page=500", "?status=archived", "?sort=name",
			"?province=99", "?exploitation=smuggling", "?sex=x", "?age_group=10-12", "?flagged=maybe", "?colour=red"} {
			var e apiError
			worker.want(t, http.StatusUnprocessableEntity, "GET", "/api/v1/cases"+q, nil, &e)
			if len(e.Error.Fields) != 1 {
				t.Errorf("GET /api/v1/cases%s: fields %v, want the one parameter named", q, e.Error.Fields)
			}
		}
	})
}

func TestAPIWorkflow(t *testing.T) {
	engines(t, func(t *testing.T, engine string) {
		ta := newAPIApp(t, engine)
		ag := ta.agency("norte")
		worker := ta.user(ag, access.CaseWorker, "worker@norte.test")
		sup := ta.user(ag, access.CaseSupervisor, "sup@norte.test")
		body := variant(20, "17", "1701", "female", 13, "begging")
		var c cases.Case
		worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", body, &c)
		path := "/api/v1/cases/" + c.ID
		today := time.Now().In(i18n.Zone()).Format("2006-01-02")

		// Consent: a 13-year-old consents through a representative.
		consent := map[string]any{"purpose": "assistance", "status": "given", "given_by": "self",
			"method": "written", "decided_on": today}
		var e apiError
		worker.want(t, http.StatusUnprocessableEntity, "POST", path+"/consents", consent, &e)
		if e.Error.Fields["given_by"] == "" {
			t.Errorf("consent by a 13-year-old herself: %+v", e)
		}
		consent["given_by"], consent["representative"] = "representative", "Rosa Tipán (madre)"
		var k cases.Consent
		worker.want(t, http.StatusCreated, "POST", path+"/consents", consent, &k)
		var ks struct{ Consents []cases.Consent }
		worker.want(t, http.StatusOK, "GET", path+"/consents", nil, &ks)
		if len(ks.Consents) != 1 || !ks.Consents[0].Current || ks.Consents[0].Representative != "Rosa Tipán (madre)" {
			t.Errorf("consents: %+v", ks.Consents)
		}

		// Screening: the worker asks, the supervisor approves.
		var a cases.Approval
		worker.want(t, http.StatusCreated, "POST", path+"/status",
			map[string]any{"action": "request_approval", "kind": "screening", "payload": "actual"}, &a)
		worker.want(t, http.StatusForbidden, "POST", "/api/v1/approvals/"+a.ID, map[string]any{"decision": "approve"}, nil)
		var pending struct{ Approvals []cases.Approval }
		sup.want(t, http.StatusOK, "GET", "/api/v1/approvals", nil, &pending)
		if len(pending.Approvals) != 1 || pending.Approvals[0].ID != a.ID {
			t.Fatalf("pending approvals: %+v", pending)
		}
		sup.want(t, http.StatusUnprocessableEntity, "POST", "/api/v1/approvals/"+a.ID, map[string]any{"decision": "maybe"}, nil)
		sup.want(t, http.StatusOK, "POST", "/api/v1/approvals/"+a.ID, map[string]any{"decision": "approve"}, nil)
		sup.want(t, http.StatusConflict, "POST", "/api/v1/approvals/"+a.ID, map[string]any{"decision": "approve"}, nil)
		var got cases.Case
		worker.want(t, http.StatusOK, "GET", path, nil, &got)
		if got.Status != "screened" || got.TraffickingStatus != "actual" {
			t.Errorf("after screening approval: status %q trafficking %q", got.Status, got.TraffickingStatus)
		}

		// A move the workflow does not allow; an unknown action.
		worker.want(t, http.StatusUnprocessableEntity, "POST", path+"/status", map[string]any{"action": "move", "to": "closed"}, nil)
		worker.want(t, http.StatusUnprocessableEntity, "POST", path+"/status", map[string]any{"action": "archive"}, nil)

		// Closure: a rejection needs a comment; then approved; a closed case refuses changes
		// until it is reopened.
		worker.want(t, http.StatusCreated, "POST", path+"/status",
			map[string]any{"action": "request_approval", "kind": "closure", "payload": "lost_contact"}, &a)
		sup.want(t, http.StatusUnprocessableEntity, "POST", "/api/v1/approvals/"+a.ID, map[string]any{"decision": "reject"}, nil)
		sup.want(t, http.StatusOK, "POST", "/api/v1/approvals/"+a.ID,
			map[string]any{"decision": "reject", "comment": "Intentar contacto con la familia otra vez."}, nil)
		worker.want(t, http.StatusCreated, "POST", path+"/status",
			map[string]any{"action": "request_approval", "kind": "closure", "payload": "lost_contact"}, &a)
		sup.want(t, http.StatusOK, "POST", "/api/v1/approvals/"+a.ID, map[string]any{"decision": "approve"}, nil)
		worker.want(t, http.StatusConflict, "PATCH", path, map[string]any{"risk_level": "high"}, nil)
		worker.want(t, http.StatusUnprocessableEntity, "POST", path+"/status", map[string]any{"action": "reopen"}, nil)
		worker.want(t, http.StatusOK, "POST", path+"/status",
			map[string]any{"action": "reopen", "reason": "La familia retomó el contacto."}, &got)
		if got.Status != "screened" || got.ClosureReason != "" {
			t.Errorf("after reopening: status %q closure %q", got.Status, got.ClosureReason)
		}
	})
}
