package referrals_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/referrals"
)

// engines are the database engines the API tests run on; postgres is skipped without
// AMPARO_TEST_POSTGRES_URL.
var engines = []string{"sqlite", "postgres"}

// apiClient calls the API with a user's bearer token.
type apiClient struct {
	e     *env
	token string
	User  *auth.User
}

func (e *env) api(t *testing.T, u *auth.User) *apiClient {
	t.Helper()
	tok, _, err := e.Auth.CreateToken(system(), u.ID, "api test", 24*time.Hour)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	return &apiClient{e: e, token: tok, User: u}
}

// call sends body (nil, a string or a value to encode) and decodes the answer into out
// when out is not nil; it returns the status and the raw body.
func (c *apiClient) call(t *testing.T, method, path string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	return res.StatusCode, string(raw)
}

// apiError is the error body of the API.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func decodeError(t *testing.T, raw string) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		t.Fatalf("error body: %v\n%s", err, raw)
	}
	return e
}

func wantStatus(t *testing.T, what string, got int, raw string, status int) {
	t.Helper()
	if got != status {
		t.Fatalf("%s: %d, want %d\n%s", what, got, status, raw)
	}
}

type servicesBody struct {
	Services []referrals.Offer `json:"services"`
	Total    int               `json:"total"`
}

type referralsBody struct {
	Referrals []referrals.Referral `json:"referrals"`
	Total     int                  `json:"total"`
}

type referralBody struct {
	referrals.Referral
	Actions []string `json:"actions"`
}

func TestServicesAPI(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			nat := e.user(t, access.NationalCoordinator, e.office)
			for _, in := range []referrals.OfferInput{
				{AgencyID: e.casa.ID, SupportType: "shelter", Name: "Acogida especializada", Populations: []string{"children", "adolescents"},
					Areas: []referrals.Area{{Province: "09"}, {Province: "17", Canton: "1701"}}, Hours: "24 horas", Active: true},
				{AgencyID: e.fge.ID, SupportType: "legal", Name: "Asesoría a víctimas", Populations: []string{"women"},
					Areas: []referrals.Area{{Province: "17"}}, Active: true},
			} {
				if _, err := e.Referrals.SaveOffer(e.ctx(nat), "", in); err != nil {
					t.Fatal(err)
				}
			}
			c := e.api(t, e.worker)
			var b servicesBody
			st, raw := c.call(t, "GET", "/api/v1/services?province=17&type=shelter", nil, &b)
			wantStatus(t, "services", st, raw, http.StatusOK)
			if b.Total != 1 || len(b.Services) != 1 || b.Services[0].Name != "Acogida especializada" ||
				b.Services[0].AgencyName != e.casa.Name || len(b.Services[0].Areas) != 2 {
				t.Fatalf("services: %s", raw)
			}
			st, raw = c.call(t, "GET", "/api/v1/services?population=women&q=ASESOR", nil, &b)
			wantStatus(t, "search", st, raw, http.StatusOK)
			if b.Total != 1 || b.Services[0].SupportType != "legal" {
				t.Fatalf("search: %s", raw)
			}
			st, raw = c.call(t, "GET", "/api/v1/services?province=99", nil, &b)
			wantStatus(t, "unknown province", st, raw, http.StatusUnprocessableEntity)
			if decodeError(t, raw).Error.Fields["province"] == "" {
				t.Fatalf("unknown province: %s", raw)
			}
			st, raw = c.call(t, "GET", "/api/v1/services?provincia=17", nil, nil)
			wantStatus(t, "misspelt filter", st, raw, http.StatusUnprocessableEntity)
			st, raw = c.call(t, "GET", "/api/v1/services?type=legal", nil, &b)
			wantStatus(t, "by type", st, raw, http.StatusOK)
			var one referrals.Offer
			st, raw = c.call(t, "GET", "/api/v1/services/"+b.Services[0].ID, nil, &one)
			wantStatus(t, "one service", st, raw, http.StatusOK)
			if one.Name != "Asesoría a víctimas" {
				t.Fatalf("one service: %s", raw)
			}
			mon := e.api(t, e.user(t, access.Monitoring, e.office))
			st, raw = mon.call(t, "GET", "/api/v1/services", nil, nil)
			wantStatus(t, "monitoring", st, raw, http.StatusForbidden)
		})
	}
}

func TestReferralsAPI(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			w := e.api(t, e.worker)
			coord := e.api(t, e.user(t, access.ShelterCoordinator, e.casa))
			in := referrals.ReferralInput{CaseID: e.caseID, ToAgencyID: e.casa.ID, SupportTypes: []string{"shelter"},
				Urgent: true, Reason: "necesita acogida"}

			// No consent: 422 with the message on to_agency_id, and nothing sent.
			st, raw := w.call(t, "POST", "/api/v1/referrals", in, nil)
			wantStatus(t, "without consent", st, raw, http.StatusUnprocessableEntity)
			if got := decodeError(t, raw).Error.Fields["to_agency_id"]; got != e.msg("referrals.err.no_consent") {
				t.Fatalf("without consent: %s", raw)
			}
			var list referralsBody
			st, raw = w.call(t, "GET", "/api/v1/referrals?direction=outgoing", nil, &list)
			wantStatus(t, "outgoing", st, raw, http.StatusOK)
			if list.Total != 0 || list.Referrals == nil {
				t.Fatalf("outgoing after refusal: %s", raw)
			}
			st, raw = w.call(t, "POST", "/api/v1/referrals", `{"case_id": "x", "to_agency": "y"}`, nil)
			wantStatus(t, "unknown field", st, raw, http.StatusUnprocessableEntity)

			e.consent(t, "referral", e.casa.ID, "given")
			var sent referralBody
			st, raw = w.call(t, "POST", "/api/v1/referrals", in, &sent)
			wantStatus(t, "send", st, raw, http.StatusCreated)
			if sent.Status != "sent" || sent.Number == "" || !sent.Urgent || sent.DueOn == "" ||
				sent.ToAgency != e.casa.Name || strings.Join(sent.Actions, ",") != "cancel" {
				t.Fatalf("sent: %s", raw)
			}

			// The inbox lists it without the shared data; opening it shows the data.
			st, raw = coord.call(t, "GET", "/api/v1/referrals?direction=incoming&status=sent", nil, &list)
			wantStatus(t, "incoming", st, raw, http.StatusOK)
			if list.Total != 1 || list.Referrals[0].ID != sent.ID || len(list.Referrals[0].Payload) != 0 {
				t.Fatalf("incoming: %s", raw)
			}
			st, raw = coord.call(t, "GET", "/api/v1/referrals?direction=sideways", nil, nil)
			wantStatus(t, "bad direction", st, raw, http.StatusUnprocessableEntity)
			var got referralBody
			st, raw = coord.call(t, "GET", "/api/v1/referrals/"+sent.ID, nil, &got)
			wantStatus(t, "get", st, raw, http.StatusOK)
			if got.Payload["given_names"] != "Maribel" || got.Reason != "necesita acogida" ||
				strings.Join(got.Actions, ",") != "accept,decline" {
				t.Fatalf("receiver's view: %s", raw)
			}
			if _, ok := got.Payload["documents"]; ok {
				t.Fatalf("a shelter referral carries documents: %s", raw)
			}

			// Steps: the other side's step is 403, a missing outcome 422, a step out of
			// order 409.
			st, raw = w.call(t, "POST", "/api/v1/referrals/"+sent.ID+"/accept", nil, nil)
			wantStatus(t, "sender accepting", st, raw, http.StatusForbidden)
			st, raw = coord.call(t, "POST", "/api/v1/referrals/"+sent.ID+"/start", nil, nil)
			wantStatus(t, "start before accepting", st, raw, http.StatusConflict)
			st, raw = coord.call(t, "POST", "/api/v1/referrals/"+sent.ID+"/accept", nil, &got)
			wantStatus(t, "accept", st, raw, http.StatusOK)
			if got.Status != "accepted" {
				t.Fatalf("accept: %s", raw)
			}
			st, raw = coord.call(t, "POST", "/api/v1/referrals/"+sent.ID+"/complete", referrals.StepInput{Comment: "listo"}, nil)
			wantStatus(t, "complete without outcome", st, raw, http.StatusUnprocessableEntity)
			if decodeError(t, raw).Error.Fields["outcome"] == "" {
				t.Fatalf("complete without outcome: %s", raw)
			}
			st, raw = coord.call(t, "POST", "/api/v1/referrals/"+sent.ID+"/complete",
				referrals.StepInput{Outcome: "service_delivered", Comment: "ingresó a la casa"}, &got)
			wantStatus(t, "complete", st, raw, http.StatusOK)

			// The sender reads the feedback and the history.
			st, raw = w.call(t, "GET", "/api/v1/referrals/"+sent.ID, nil, &got)
			wantStatus(t, "sender's view", st, raw, http.StatusOK)
			if got.Status != "completed" || got.Outcome != "service_delivered" || got.Feedback != "ingresó a la casa" ||
				len(got.Events) != 3 || len(got.Actions) != 0 {
				t.Fatalf("sender's view: %s", raw)
			}
			st, raw = w.call(t, "POST", "/api/v1/referrals/"+sent.ID+"/cancel", nil, nil)
			wantStatus(t, "cancel completed", st, raw, http.StatusConflict)

			first := sent.ID
			// A second referral, cancelled by the sender, then the consent withdrawn:
			// the completed one is revoked; the receiving side keeps the history but
			// loses the data.
			st, raw = w.call(t, "POST", "/api/v1/referrals", referrals.ReferralInput{CaseID: e.caseID, ToAgencyID: e.casa.ID,
				SupportTypes: []string{"health"}}, &sent)
			wantStatus(t, "second send", st, raw, http.StatusCreated)
			st, raw = w.call(t, "POST", "/api/v1/referrals/"+sent.ID+"/cancel", `{"comment": "ya no hace falta"}`, &got)
			wantStatus(t, "cancel", st, raw, http.StatusOK)
			if got.Status != "cancelled" {
				t.Fatalf("cancel: %s", raw)
			}
			st, raw = coord.call(t, "GET", "/api/v1/referrals?direction=incoming&status=cancelled", nil, &list)
			wantStatus(t, "cancelled list", st, raw, http.StatusOK)
			if list.Total != 1 {
				t.Fatalf("cancelled list: %s", raw)
			}
			e.consent(t, "referral", e.casa.ID, "withdrawn")
			st, raw = coord.call(t, "GET", "/api/v1/referrals?direction=incoming&status=revoked", nil, &list)
			wantStatus(t, "revoked list", st, raw, http.StatusOK)
			if list.Total != 1 || list.Referrals[0].ID != first {
				t.Fatalf("revoked list: %s", raw)
			}
			var revoked referralBody
			st, raw = coord.call(t, "GET", "/api/v1/referrals/"+first, nil, &revoked)
			wantStatus(t, "revoked", st, raw, http.StatusOK)
			if revoked.Status != "revoked" || len(revoked.Payload) != 0 || revoked.Reason != "" || len(revoked.Actions) != 0 {
				t.Fatalf("revoked: %s", raw)
			}

			// Outsiders and roles without referrals.
			other := e.api(t, e.user(t, access.CaseWorker, e.agency(t, "otra", "Otra ONG", "ngo", "17")))
			st, raw = other.call(t, "GET", "/api/v1/referrals/"+sent.ID, nil, nil)
			wantStatus(t, "outsider", st, raw, http.StatusNotFound)
			mon := e.api(t, e.user(t, access.Monitoring, e.office))
			st, raw = mon.call(t, "GET", "/api/v1/referrals", nil, nil)
			wantStatus(t, "monitoring", st, raw, http.StatusForbidden)
			st, raw = coord.call(t, "POST", "/api/v1/referrals", in, nil)
			wantStatus(t, "coordinator sending", st, raw, http.StatusForbidden)
		})
	}
}
