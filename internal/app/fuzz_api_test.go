package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// apiBodySeeds is the seed corpus of FuzzAPIBodies: for every API route that takes a
// body, bodies a real client sends (the fuzzer mutates them) and a few hostile ones.
// In bodies, $CASE is replaced by a real case, $AGENCY by another agency (with a shelter
// and a service), $TODAY and $DUE by today and next week, and the {id} of a path by a
// real record of its kind, so the mutations reach the services' rules, not just the
// 404 of a made-up id.
// TestAPIBodySeeds fails for an API route with a body and no entry here.
var apiBodySeeds = map[string][]string{
	"POST /api/v1/cases": {
		`{"person":{"given_names":"Nayeli","family_names":"Quishpe","sex":"female","birth_date":"2010-03-01",` +
			`"nationalities":["ECU"],"documents":[{"type":"passport","number":"P123456"}],"languages":["es"]},` +
			`"identification":{"date":"2025-01-15","country":"ECU","province":"17","canton":"1701","how":"police_operation"},` +
			`"trafficking_status":"possible","exploitation":["sexual","begging"],"duration_months":6,"confirm_not_duplicate":true}`,
		`{"person":{"given_names":"\u200b","sex":"x","estimated_age":-1,"guardian":{"name":""}},"exploitation":[null]}`,
	},
	"PATCH /api/v1/cases/{id}": {
		`{"version":1,"risk_level":"high","person":{"aliases":["La Flaca"],"contact":"+593 99 123 4567"}}`,
		`{"person":{"documents":[{"type":"cedula","number":"1710034065","country":"ECU"}]},"version":0}`,
	},
	"POST /api/v1/cases/{id}/consents": {
		`{"purpose":"referral","agency_id":"$AGENCY","status":"given","given_by":"representative","representative":"Madre","method":"written","decided_on":"$TODAY"}`,
		`{"purpose":"assistance","status":"withdrawn","given_by":"self","method":"verbal","decided_on":"2999-01-01"}`,
	},
	"POST /api/v1/cases/{id}/status": {
		`{"action":"move","to":"screened"}`,
		`{"action":"request_approval","kind":"screening","payload":"actual"}`,
		`{"action":"reopen","reason":"nueva información"}`,
	},
	"POST /api/v1/approvals/{id}": {`{"decision":"approve"}`, `{"decision":"reject","comment":"Falta la evaluación"}`},
	"POST /api/v1/referrals": {
		`{"case_id":"$CASE","purpose":"referral","to_agency_id":"$AGENCY","support_types":["shelter","psychosocial"],` +
			`"urgent":true,"due_on":"$DUE","reason":"Necesita un lugar seguro"}`,
		`{"case_id":"$CASE","purpose":"prosecution","to_agency_id":"$AGENCY","support_types":[]}`,
	},
	"POST /api/v1/referrals/{id}/accept":           {`{}`, `{"comment":"Recibido"}`},
	"POST /api/v1/referrals/{id}/decline":          {`{"decline_reason":"no_capacity","comment":"Sin cupo"}`},
	"POST /api/v1/referrals/{id}/start":            {`{}`},
	"POST /api/v1/referrals/{id}/complete":         {`{"outcome":"completed","comment":"Atendida"}`},
	"POST /api/v1/referrals/{id}/cancel":           {`{"comment":"Se registró por error"}`},
	"POST /api/v1/duplicate-checks/{id}/request":   {``, `{}`},
	"POST /api/v1/duplicate-requests/{id}/connect": {``, `{"case_ids":["$CASE"]}`},
	"POST /api/v1/duplicate-requests/{id}/decline": {`{"reason":"No es la misma persona"}`},
	"POST /api/v1/shelters/{id}/stays": {
		`{"case_id":"$CASE","bed_type":"girls","admitted_on":"$TODAY"}`,
		`{"case_number":"EC-2025-00001","bed_type":"women"}`,
	},
}

// bodyRoutes lists the API routes that take a body, sorted.
func bodyRoutes(routes []web.Route) []web.Route {
	var out []web.Route
	for _, rt := range routes {
		method, path := requestFor(rt.Pattern)
		if isAPI(path) && (method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch) {
			out = append(out, rt)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

// TestAPIBodySeeds: every API route with a body has seeds in apiBodySeeds, so
// FuzzAPIBodies covers it, and every seed names a route that exists.
func TestAPIBodySeeds(t *testing.T) {
	ta := newApp(t, "sqlite")
	routes := bodyRoutes(ta.Routes())
	known := map[string]bool{}
	for _, rt := range routes {
		known[rt.Pattern] = true
		if len(apiBodySeeds[rt.Pattern]) == 0 {
			t.Errorf("API route %q takes a body and has no seed in apiBodySeeds (internal/app/fuzz_api_test.go): add a body a client would send", rt.Pattern)
		}
	}
	for p := range apiBodySeeds {
		if !known[p] {
			t.Errorf("apiBodySeeds names %q, which is not an API route with a body: remove it", p)
		}
	}
}

// fuzzTarget is the app with the users and records FuzzAPIBodies sends requests as.
type fuzzTarget struct {
	ta     *testApp
	routes []web.Route
	tokens map[access.Role]string
	vars   *strings.Replacer // $CASE, $AGENCY, $TODAY, $DUE in bodies
	ids    map[string]string // path prefix -> the record its {id} becomes
	caseID string
}

func newFuzzTarget(f *testing.F) *fuzzTarget {
	ta := openApp(f, "sqlite")
	f.Cleanup(func() { ta.Close() })
	ctx := system()
	ft := &fuzzTarget{ta: ta, routes: bodyRoutes(ta.Routes()), tokens: map[access.Role]string{}, ids: map[string]string{}}
	mine, err := ta.Auth.CreateAgency(ctx, &auth.Agency{Code: "fuzz-a", Name: "Agencia A", Type: "ngo", ProvinceCode: "17"})
	if err != nil {
		f.Fatal(err)
	}
	other, err := ta.Auth.CreateAgency(ctx, &auth.Agency{Code: "fuzz-b", Name: "Casa B", Type: "shelter", ProvinceCode: "17"})
	if err != nil {
		f.Fatal(err)
	}
	for _, u := range []struct {
		role   access.Role
		agency string
	}{{access.CaseSupervisor, mine.ID}, {access.ShelterCoordinator, other.ID}} {
		user, _, err := ta.Auth.CreateUser(ctx, &auth.User{Email: string(u.role) + "@fuzz.test", Name: "Persona " + string(u.role),
			AgencyID: u.agency, Roles: []access.Role{u.role}, JurisdictionLevel: "agency", Lang: "es"}, testPassword)
		if err != nil {
			f.Fatal(err)
		}
		tok, _, err := ta.Auth.CreateToken(ctx, user.ID, "fuzz", 24*time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		ft.tokens[u.role] = tok
	}
	// The shelter and the service map are national coordination's to create.
	nat := access.With(ctx, &access.Subject{UserID: "system", Roles: []access.Role{access.NationalCoordinator},
		JurisdictionLevel: "national"})
	sh, err := ta.Shelters.Save(nat, "", shelters.ShelterInput{AgencyID: other.ID, Name: "Casa B", Province: "17",
		Canton: "1701", Populations: []string{"children", "women"}, Beds: map[string]int{"girls": 4, "women": 4}})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := ta.Referrals.SaveOffer(nat, "", referrals.OfferInput{AgencyID: other.ID, SupportType: "shelter",
		Name: "Acogida", Populations: []string{"children", "women"}, Areas: []referrals.Area{{Province: "17"}}, Active: true}); err != nil {
		f.Fatal(err)
	}
	today := time.Now().In(i18n.Zone())
	ft.vars = strings.NewReplacer("$AGENCY", other.ID, "$TODAY", today.Format("2006-01-02"),
		"$DUE", today.AddDate(0, 0, 7).Format("2006-01-02"))
	sup := ft.tokens[access.CaseSupervisor]
	ft.caseID = ft.create(f, "/api/v1/cases", strings.ReplaceAll(apiBodySeeds["POST /api/v1/cases"][0], "P123456", "P999"), sup)
	ft.vars = strings.NewReplacer("$CASE", ft.caseID, "$AGENCY", other.ID, "$TODAY", today.Format("2006-01-02"),
		"$DUE", today.AddDate(0, 0, 7).Format("2006-01-02"))
	ft.create(f, "/api/v1/cases/"+ft.caseID+"/consents", apiBodySeeds["POST /api/v1/cases/{id}/consents"][0], sup)
	ft.ids["/api/v1/referrals/"] = ft.create(f, "/api/v1/referrals", apiBodySeeds["POST /api/v1/referrals"][0], sup)
	ft.ids["/api/v1/approvals/"] = ft.create(f, "/api/v1/cases/"+ft.caseID+"/status", `{"action":"request_approval","kind":"screening","payload":"actual"}`, sup)
	ft.ids["/api/v1/shelters/"] = sh.ID
	return ft
}

// create posts a body that must succeed and returns the id of what it created.
func (ft *fuzzTarget) create(f *testing.F, path, body, token string) string {
	rec := ft.send(http.MethodPost, path, []byte(ft.vars.Replace(body)), token)
	var v struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Code != http.StatusCreated {
		f.Fatalf("fuzz set-up: POST %s: %d %s", path, rec.Code, rec.Body)
	}
	return v.ID
}

func (ft *fuzzTarget) send(method, path string, body []byte, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	ft.ta.Handler().ServeHTTP(rec, req)
	return rec
}

// tokenFor picks a user whose role may use the route: the receiving shelter for a
// referral's answers, the sending supervisor for the rest.
func (ft *fuzzTarget) tokenFor(rt web.Route) string {
	order := []access.Role{access.CaseSupervisor, access.ShelterCoordinator}
	if strings.HasPrefix(rt.Pattern, "POST /api/v1/referrals/{id}/") && !strings.HasSuffix(rt.Pattern, "/cancel") {
		order = []access.Role{access.ShelterCoordinator}
	}
	for _, role := range order {
		if rt.Access.Action == "" || access.RoleScope(role, rt.Access.Action, rt.Access.Resource) > access.None {
			return ft.tokens[role]
		}
	}
	return ft.tokens[access.CaseSupervisor]
}

// FuzzAPIBodies sends mutated bodies to every API route that takes one, through the
// real router and services, as a user allowed to use the route, and checks what must
// hold whatever the body: no 5xx (a panic is a 500), a JSON answer, and errors in the
// one error shape with a message. Plain `go test` runs the seeds; run it with
// `go test ./internal/app/ -run '^$' -fuzz FuzzAPIBodies -fuzztime 60s`.
func FuzzAPIBodies(f *testing.F) {
	ft := newFuzzTarget(f)
	for i, rt := range ft.routes {
		for _, body := range apiBodySeeds[rt.Pattern] {
			f.Add(uint8(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := ft.routes[int(route)%len(ft.routes)]
		method, path := requestFor(rt.Pattern)
		id := ft.caseID
		for prefix, v := range ft.ids {
			if strings.HasPrefix(path, prefix) {
				id = v
			}
		}
		path = strings.ReplaceAll(path, placeholder, id)
		body = []byte(ft.vars.Replace(string(body)))
		rec := ft.send(method, path, body, ft.tokenFor(rt))
		what := rt.Pattern
		if rec.Code >= 500 {
			t.Fatalf("%s: status %d for body %q\n%s\n%s", what, rec.Code, body, rec.Body, ft.ta.logs.String())
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s: status %d with Content-Type %q for body %q", what, rec.Code, ct, body)
		}
		var answer map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("%s: status %d, answer is not a JSON object: %v\n%s", what, rec.Code, err, rec.Body)
		}
		if rec.Code >= 400 {
			var e struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(answer["error"], &e); err != nil || e.Code == "" || e.Message == "" {
				t.Fatalf("%s: status %d without the error shape\n%s", what, rec.Code, rec.Body)
			}
		}
	})
}
