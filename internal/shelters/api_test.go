package shelters_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// apiClient calls the JSON API with a bearer token.
type apiClient struct {
	ua    *uiApp
	token string
}

func (ua *uiApp) token(t *testing.T, u *auth.User) *apiClient {
	t.Helper()
	tok, _, err := ua.Auth.CreateToken(sys(), u.ID, "pruebas", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &apiClient{ua: ua, token: tok}
}

// call sends body (nil, or a value encoded as JSON) and decodes the answer into out
// when it is not nil; it returns the status.
func (c *apiClient) call(t *testing.T, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.ua.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, data, err)
		}
	}
	return res.StatusCode
}

// apiUser creates a user without signing in (tokens need no session).
func (ua *uiApp) apiUser(t *testing.T, ag *auth.Agency, role access.Role) *auth.User {
	t.Helper()
	level := "agency"
	if role == access.NationalCoordinator || role == access.Monitoring {
		level = "national"
	}
	n := ua.n.Add(1)
	u, _, err := ua.Auth.CreateUser(sys(), &auth.User{Email: fmt.Sprintf("api%d@amparo.test", n),
		Name: "Persona API", AgencyID: ag.ID, Roles: []access.Role{role}, JurisdictionLevel: level, Lang: "es"}, uiPassword)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAPI runs on both engines: the list's shape and filters, one shelter by role,
// admissions with 201 and 409.
func TestAPI(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { testAPI(t, engine) })
	}
}

func testAPI(t *testing.T, engine string) {
	ua := newUIApp(t, engine)
	nc := access.With(sys(), ua.apiUser(t, ua.prog, access.NationalCoordinator).Subject())
	coordUser := ua.apiUser(t, ua.casa, access.ShelterCoordinator)
	coord := access.With(sys(), coordUser.Subject())
	worker := ua.apiUser(t, ua.ngo, access.CaseWorker)
	s, err := ua.Shelters.Save(nc, "", shelters.ShelterInput{AgencyID: ua.casa.ID, Name: "Casa API", Province: "17", Canton: "1701",
		Address: "Calle Reservada 9", Populations: []string{"children", "adolescents"}, Beds: map[string]int{"girls": 1, "boys": 2},
		Staff: map[string]int{"psychologist": 1}, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ua.Shelters.Save(nc, "", shelters.ShelterInput{AgencyID: ua.otra.ID, Name: "Casa Costa", Province: "09",
		Beds: map[string]int{"women": 3}, Active: true}); err != nil {
		t.Fatal(err)
	}
	ratings := map[string]int{}
	for _, d := range shelters.Domains {
		for _, std := range d.Standards {
			ratings[std] = 2
		}
	}
	ratings["search_rules"] = 4
	if _, err := ua.Shelters.AddAssessment(coord, s.ID, shelters.AssessmentInput{AssessedOn: today().Format("2006-01-02"),
		Assessor: "Equipo", Ratings: ratings}); err != nil {
		t.Fatal(err)
	}

	wc := ua.token(t, worker)
	var list struct {
		Shelters []map[string]any `json:"shelters"`
		Total    int              `json:"total"`
	}
	if st := wc.call(t, "GET", "/api/v1/shelters", nil, &list); st != http.StatusOK || list.Total != 2 || len(list.Shelters) != 2 {
		t.Fatalf("list: %d %+v", st, list)
	}
	first := list.Shelters[0]
	for _, k := range []string{"id", "name", "agency", "province", "canton", "beds", "beds_total", "occupied", "free", "status", "status_reasons"} {
		if _, ok := first[k]; !ok {
			t.Errorf("list item lacks %q: %v", k, first)
		}
	}
	if _, ok := first["address"]; ok {
		t.Error("the list shows an address")
	}
	if first["name"] != "Casa API" || first["status"] != "not_functioning" || first["beds_total"] != float64(3) {
		t.Errorf("first shelter: %v", first)
	}
	reasons, _ := first["status_reasons"].([]any)
	if len(reasons) == 0 || !strings.Contains(reasons[0].(map[string]any)["message"].(string), "Reglas de revisión") {
		t.Errorf("reasons: %v", reasons)
	}
	for q, want := range map[string]int{"?province=09": 1, "?population=children": 1, "?bed_type=women": 1,
		"?bed_type=girls&free=1": 1, "?free=1": 2, "?status=not_assessed": 1} {
		if st := wc.call(t, "GET", "/api/v1/shelters"+q, nil, &list); st != http.StatusOK || list.Total != want {
			t.Errorf("%s: %d, %d shelters, want %d", q, st, list.Total, want)
		}
	}
	var bad struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if st := wc.call(t, "GET", "/api/v1/shelters?provincia=17&bed_type=sofa", nil, &bad); st != http.StatusUnprocessableEntity ||
		bad.Error.Fields["provincia"] == "" || bad.Error.Fields["bed_type"] == "" {
		t.Errorf("bad filters: %d %+v", st, bad)
	}

	// One shelter: the address for the operator's staff only; scores for those who may
	// see assessments.
	cc := ua.token(t, coordUser)
	var one map[string]any
	if st := cc.call(t, "GET", "/api/v1/shelters/"+s.ID, nil, &one); st != http.StatusOK || one["address"] != "Calle Reservada 9" ||
		one["latest_capacity"] == nil {
		t.Errorf("operator's view: %d %v", st, one)
	}
	one = nil
	if st := wc.call(t, "GET", "/api/v1/shelters/"+s.ID, nil, &one); st != http.StatusOK || one["address"] != nil || one["latest_capacity"] != nil {
		t.Errorf("case worker's view: %d %v", st, one)
	}
	if st := wc.call(t, "GET", "/api/v1/shelters/0190aaaa-0000-7000-8000-000000000000", nil, &bad); st != http.StatusNotFound {
		t.Errorf("unknown shelter: %d", st)
	}

	// Admissions: a case referred to the shelter, by number; the last girls' bed goes,
	// then 409.
	w := &uiWorld{uiApp: ua, worker: &browser{ua: ua, User: worker, ctx: access.With(sys(), worker.Subject())}}
	a := w.referCase(t, "Daniela", 12, "female", true)
	b := w.referCase(t, "Elena", 13, "female", true)
	if st := wc.call(t, "POST", "/api/v1/shelters/"+s.ID+"/stays", map[string]any{"case_id": a.ID, "bed_type": "girls"}, &bad); st != http.StatusForbidden {
		t.Errorf("case worker admits: %d", st)
	}
	var stay map[string]any
	if st := cc.call(t, "POST", "/api/v1/shelters/"+s.ID+"/stays", map[string]any{"case_number": a.Number, "bed_type": "girls"}, &stay); st != http.StatusCreated ||
		stay["case_id"] != a.ID || stay["bed_type"] != "girls" || stay["case_number"] != a.Number {
		t.Fatalf("admit: %d %v", st, stay)
	}
	if st := cc.call(t, "POST", "/api/v1/shelters/"+s.ID+"/stays", map[string]any{"case_id": b.ID, "bed_type": "girls"}, &bad); st != http.StatusConflict ||
		bad.Error.Code != "conflict" {
		t.Errorf("full: %d %+v", st, bad)
	}
	if st := cc.call(t, "POST", "/api/v1/shelters/"+s.ID+"/stays", map[string]any{"case_id": b.ID, "bed_type": "girls", "cama": 1}, &bad); st != http.StatusUnprocessableEntity {
		t.Errorf("unknown field: %d", st)
	}
	if st := cc.call(t, "POST", "/api/v1/shelters/"+s.ID+"/stays", map[string]any{"case_number": "EC-1999-99999", "bed_type": "boys"}, &bad); st != http.StatusUnprocessableEntity ||
		bad.Error.Fields["case_number"] == "" {
		t.Errorf("unknown case: %d %+v", st, bad)
	}
	one = nil
	if st := wc.call(t, "GET", "/api/v1/shelters/"+s.ID, nil, &one); st != http.StatusOK || one["occupied"] != float64(1) || one["free"] != float64(2) {
		t.Errorf("occupancy: %v", one)
	}
	if free, _ := one["free_by_type"].(map[string]any); free["girls"] != float64(0) || free["boys"] != float64(2) {
		t.Errorf("free by type: %v", one["free_by_type"])
	}
}
