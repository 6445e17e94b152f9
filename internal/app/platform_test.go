package app_test

import (
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/text"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// caseBody is a valid body of POST /api/v1/cases.
func caseBody(seed uint64) map[string]any {
	now := time.Now()
	return map[string]any{
		"person": map[string]any{
			"given_names": "Nayeli", "family_names": "Quishpe", "sex": "female",
			"birth_date":    now.AddDate(-15, 0, 0).Format("2006-01-02"),
			"nationalities": []string{"ECU"},
			"documents":     []map[string]string{{"type": "cedula", "number": demo.Cedula(rand.New(rand.NewPCG(seed, 3)), "17")}},
		},
		"identification": map[string]any{"date": now.AddDate(0, 0, -3).Format("2006-01-02"), "country": "ECU",
			"province": "17", "canton": "1701", "how": "police_operation"},
		"trafficking_status": "possible",
		"exploitation":       []string{"sexual"},
	}
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fieldsOf reads the field errors of a JSON error body.
func fieldsOf(t *testing.T, body string) map[string]string {
	t.Helper()
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not a JSON error: %v\n%s", err, short(body))
	}
	return e.Error.Fields
}

// TestBadInputRefusedThroughRouter: the case API, through the real router and
// service, refuses bad text, names of only invisible characters, unbounded lists,
// trailing data and other content types with 422 naming the field, and saves
// nothing; a form does the same.
func TestBadInputRefusedThroughRouter(t *testing.T) {
	cat := i18n.MustLoad()
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			ag := ta.createAgency(t, "agencia-entrada")
			u := ta.createUser(t, ag.ID, access.CaseWorker, "entrada@amparo.test")
			api := ta.newBearer(t, u.ID)
			with := func(path string, v any) string {
				b := caseBody(1)
				parts := strings.Split(path, ".")
				m := b
				for _, p := range parts[:len(parts)-1] {
					m = m[p].(map[string]any)
				}
				m[parts[len(parts)-1]] = v
				return encode(t, b)
			}
			manyDocs := make([]map[string]string, 20000)
			for i := range manyDocs {
				manyDocs[i] = map[string]string{"type": "passport", "number": "P1"}
			}
			manyValues := make([]string, 100000)
			for i := range manyValues {
				manyValues[i] = "sexual"
			}
			for _, tc := range []struct {
				name, body, ctype, field, key string
			}{
				{"NUL in a name", with("person.given_names", "Ana\x00"), "", "person.given_names", text.KeyControl},
				{"bidi override in a name", with("person.family_names", "Quishpe\u202eepihsiuQ"), "", "person.family_names", text.KeyBidi},
				{"invalid UTF-8", strings.Replace(with("person.given_names", "ANA"), "ANA", "A\xffA", 1), "", "person.given_names", text.KeyEncoding},
				{"invisible names", with("person", map[string]any{"given_names": "\u200b\u3164", "family_names": " \u2800 ",
					"sex": "female", "nationalities": []string{"ECU"}}), "", "person.given_names", "cases.err.name_required"},
				{"20,000 documents", with("person.documents", manyDocs), "", "person.documents", text.KeyList},
				{"100,000 exploitation values", with("exploitation", manyValues), "", "exploitation", text.KeyList},
				{"trailing data", encode(t, caseBody(1)) + `{"x":1}`, "", "body", "error.json_trailing"},
				{"JSON sent as a form", encode(t, caseBody(1)), "application/x-www-form-urlencoded", "body", "error.json_content_type"},
				{"JSON sent as text", encode(t, caseBody(1)), "text/plain", "body", "error.json_content_type"},
			} {
				ct := tc.ctype
				if ct == "" {
					ct = "application/json"
				}
				resp, body := api.do(t, http.MethodPost, "/api/v1/cases", strings.NewReader(tc.body), map[string]string{"Content-Type": ct})
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d, want 422\n%s", tc.name, resp.StatusCode, short(body))
					continue
				}
				if got, want := fieldsOf(t, body)[tc.field], cat.T("es", tc.key); got != want {
					t.Errorf("%s: fields %v, want %s: %q", tc.name, fieldsOf(t, body), tc.field, want)
				}
			}
			var n int
			if err := ta.DB.QueryRow(system(), "SELECT COUNT(*) FROM cases").Scan(&n); err != nil || n != 0 {
				t.Fatalf("%d cases saved by refused requests (%v)", n, err)
			}
			resp, body := api.do(t, http.MethodPost, "/api/v1/cases", strings.NewReader(encode(t, caseBody(1))),
				map[string]string{"Content-Type": "application/json"})
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("the valid body: status %d\n%s", resp.StatusCode, short(body))
			}
		})
	}
}

// TestBadFormInputRefused: a registration form with a bidirectional override in a name
// is refused with 422, the page naming the field, and nothing is saved.
func TestBadFormInputRefused(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-form")
	u := ta.createUser(t, ag.ID, access.CaseWorker, "form@amparo.test")
	b := ta.newBrowser(t, u.Email, testPassword)
	b.signIn(t)
	resp, body := b.postForm(t, "/cases", url.Values{"person.given_names": {"Ana\u202e"}, "person.sex": {"female"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "<code>person.given_names</code>") {
		t.Errorf("bidi override in the registration form: status %d\n%s", resp.StatusCode, short(body))
	}
	var n int
	if err := ta.DB.QueryRow(system(), "SELECT COUNT(*) FROM cases").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d cases saved (%v)", n, err)
	}
}

// TestInvisibleNamesAreMissing: the capabilities' required names treat a name of only
// invisible characters as missing.
func TestInvisibleNamesAreMissing(t *testing.T) {
	const invisible = "\u200b\u200d\u3164 \u2800"
	offer := referrals.OfferInput{AgencyID: "a", SupportType: "shelter", Name: invisible}
	shelter := shelters.ShelterInput{AgencyID: "a", Name: invisible, Province: "17"}
	agency := auth.Agency{Code: "invisible", Name: invisible, Type: "ngo"}
	user := auth.User{Email: "a@b.ec", Name: invisible, AgencyID: "a"}
	for name, err := range map[string]error{"service": offer.Validate(), "shelter": shelter.Validate(),
		"agency": agency.Validate(), "user": user.Validate()} {
		if got := fieldKey(err, "name"); got != "validation.required" {
			t.Errorf("%s named %q: name error %q, want validation.required", name, invisible, got)
		}
	}
}

// TestUnknownURLTranslated: an unknown page is the translated 404 page in the layout;
// an unknown API path is a JSON 404.
func TestUnknownURLTranslated(t *testing.T) {
	ta := newApp(t, "sqlite")
	cat := i18n.MustLoad()
	b := ta.newBrowser(t, "", "")
	for _, lang := range []string{"es", "en"} {
		resp, body := b.do(t, http.MethodGet, "/no-such-page", nil, map[string]string{"Accept-Language": lang})
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `<html lang="`+lang+`"`) ||
			!strings.Contains(body, cat.T(lang, "error.title")) {
			t.Errorf("unknown page in %s: status %d\n%s", lang, resp.StatusCode, short(body))
		}
	}
	resp, body := b.do(t, http.MethodGet, "/api/v1/no-such-thing", nil, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown API path: status %d", resp.StatusCode)
	}
	checkJSONError(t, "unknown API path", body, "not_found")
	resp, body = b.do(t, http.MethodGet, "/api/v1/cases?q="+strings.Repeat("x", 9000), nil, nil)
	if resp.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("oversized API URL: status %d", resp.StatusCode)
	}
	checkJSONError(t, "oversized API URL", body, "too_large")
}

// TestResetTokenNeverLogged: opening and using a password-reset link leaves the token
// in no log line; the access log shows the route and the path with {token}.
func TestResetTokenNeverLogged(t *testing.T) {
	ta := newApp(t, "sqlite")
	logs := &logBuffer{}
	ta.Web.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ag := ta.createAgency(t, "agencia-reset")
	u := ta.createUser(t, ag.ID, access.Monitoring, "reset@amparo.test")
	tok, err := ta.Auth.IssueReset(system(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := ta.newBrowser(t, "", "")
	if resp, body := b.do(t, http.MethodGet, "/reset/"+tok, nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("reset form: status %d\n%s", resp.StatusCode, short(body))
	}
	resp, _ := b.postForm(t, "/reset/"+tok, url.Values{"new": {"Otra-Frase-Larga-4821"}, "confirm": {"Otra-Frase-Larga-4821"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: status %d", resp.StatusCode)
	}
	b.do(t, http.MethodGet, "/reset/"+tok, nil, nil) // used: 404
	out := logs.String()
	if strings.Contains(out, tok) {
		t.Errorf("the reset token reached the log:\n%s", out)
	}
	if n := strings.Count(out, `path=/reset/{token}`); n != 3 {
		t.Errorf("%d access log lines with path=/reset/{token}, want 3:\n%s", n, out)
	}
}

// TestReadyzWhenDatabaseCannotBeWritten: /readyz is 503 while the SQLite data folder
// or database file cannot be written, and 200 again once it can.
func TestReadyzWhenDatabaseCannotBeWritten(t *testing.T) {
	ta := openApp(t, "sqlite")
	defer ta.Close()
	ta.DB.SetProbeInterval(0)
	h := ta.Handler()
	readyz := func() int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code
	}
	if code := readyz(); code != http.StatusOK {
		t.Fatalf("/readyz: %d, want 200", code)
	}
	for _, p := range []string{ta.Config.DataDir, ta.Config.SQLitePath()} {
		undo := dbtest.ReadOnly(t, p)
		if code := readyz(); code != http.StatusServiceUnavailable {
			t.Errorf("/readyz with %s read-only: %d, want 503", p, code)
		}
		undo()
		if code := readyz(); code != http.StatusOK {
			t.Errorf("/readyz with %s writable again: %d, want 200", p, code)
		}
	}
	if !strings.Contains(ta.logs.String(), "readyz: database not ready") {
		t.Error("the failed probe was not logged")
	}
}

// fieldKey returns the catalog key of field in a validation error, or "".
func fieldKey(err error, field string) string {
	if e, ok := errs.As(err); ok {
		return e.Fields[field]
	}
	return ""
}
