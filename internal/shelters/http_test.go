package shelters_test

import (
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// uiPassword is the password of every user the HTTP tests create.
const uiPassword = "Guayacán-Florecido-Loja-2718"

// uiApp is the whole application on a fresh database, served over real HTTP, with the
// agencies of a small network: a case NGO, the shelter's operator, another shelter and
// the programme.
type uiApp struct {
	*app.App
	srv                   *httptest.Server
	ngo, casa, otra, prog *auth.Agency
	n                     atomic.Int64
	logs                  *syncBuf
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// newUIApp builds the app on engine ("sqlite", or "postgres", skipped without
// AMPARO_TEST_POSTGRES_URL).
func newUIApp(t *testing.T, engine string) *uiApp {
	t.Helper()
	ctx := context.Background()
	c := config.Register(flag.NewFlagSet("t", flag.ContinueOnError), config.WithData)
	c.DataDir, c.Key, c.KeyFile, c.DB = t.TempDir(), "", "", ""
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
	ua := &uiApp{App: a, srv: httptest.NewServer(a.Handler()), logs: logs}
	t.Cleanup(func() {
		ua.srv.Close()
		a.Close()
		if t.Failed() {
			t.Logf("app log:\n%s", logs.b.String())
		}
	})
	ua.ngo = ua.agency(t, "ngo-test", "Fundación Prueba (ficticia)", "ngo")
	ua.casa = ua.agency(t, "casa-test", "Casa de Acogida Prueba (ficticia)", "shelter")
	ua.otra = ua.agency(t, "otra-test", "Otra Casa de Acogida (ficticia)", "shelter")
	ua.prog = ua.agency(t, "prog-test", "Programa (ficticio)", "international_organisation")
	return ua
}

// today is now in Guayaquil, where dates are decided.
func today() time.Time { return time.Now().In(i18n.Zone()) }

// sys acts as the CLI.
func sys() context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "cli", UserID: "system"})
	return access.With(ctx, access.System())
}

func (ua *uiApp) agency(t *testing.T, code, name, typ string) *auth.Agency {
	t.Helper()
	a, err := ua.Auth.CreateAgency(sys(), &auth.Agency{Code: code, Name: name, Type: typ, ProvinceCode: "17", CantonCode: "1701"})
	if err != nil {
		t.Fatalf("agency %s: %v", code, err)
	}
	return a
}

// browser is one signed-in person: a cookie jar, no redirects followed.
type browser struct {
	ua   *uiApp
	c    *http.Client
	User *auth.User
	ctx  context.Context // the user as the services see them
}

// as creates a user of agency with role and signs them in through the pages,
// enrolling TOTP where the role needs it.
func (ua *uiApp) as(t *testing.T, ag *auth.Agency, role access.Role) *browser {
	t.Helper()
	n := ua.n.Add(1)
	level := "agency"
	if role == access.NationalCoordinator || role == access.Monitoring {
		level = "national"
	}
	u, _, err := ua.Auth.CreateUser(sys(), &auth.User{Email: fmt.Sprintf("u%d@amparo.test", n), Name: fmt.Sprintf("Persona %d", n),
		AgencyID: ag.ID, Roles: []access.Role{role}, JurisdictionLevel: level, Lang: "es"}, uiPassword)
	if err != nil {
		t.Fatalf("user %s: %v", role, err)
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{ua: ua, User: u, ctx: access.With(context.Background(), u.Subject()),
		c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	r := b.post(t, "/login", url.Values{"email": {u.Email}, "password": {uiPassword}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", r.Status, short(r.Body))
	}
	if r.Header.Get("Location") == "/login/enrol" {
		page := b.get(t, "/login/enrol")
		m := regexp.MustCompile(`<code id="totp-secret">([A-Z2-7=]+)</code>`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("enrol: no secret\n%s", short(page.Body))
		}
		code, err := totp.GenerateCode(m[1], time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r = b.post(t, "/login/enrol", url.Values{"code": {code}}); r.Status != http.StatusOK {
			t.Fatalf("enrol: %d\n%s", r.Status, short(r.Body))
		}
	}
	if r := b.get(t, "/profile"); r.Status != http.StatusOK {
		t.Fatalf("signed in %s but /profile answers %d", role, r.Status)
	}
	return b
}

// answer is a response with its body read.
type answer struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) do(t *testing.T, method, path string, body io.Reader, ct string) answer {
	t.Helper()
	req, err := http.NewRequest(method, b.ua.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return answer{Status: res.StatusCode, Header: res.Header, Body: string(data)}
}

func (b *browser) get(t *testing.T, path string) answer {
	t.Helper()
	return b.do(t, http.MethodGet, path, nil, "")
}

func (b *browser) post(t *testing.T, path string, v url.Values) answer {
	t.Helper()
	return b.do(t, http.MethodPost, path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// must fails unless the answer has status.
func must(t *testing.T, what string, r answer, status int) answer {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, short(r.Body))
	}
	return r
}

func short(s string) string {
	if i := strings.Index(s, `<main id="main"`); i > 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}

// byID returns the text of the element with id (tags stripped) and whether it exists.
func byID(body, id string) (string, bool) {
	open := regexp.MustCompile(`<([a-z0-9]+)[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`)
	loc := open.FindStringSubmatchIndex(body)
	if loc == nil {
		return "", false
	}
	name := body[loc[2]:loc[3]]
	tags := regexp.MustCompile(`<(/?)` + name + `\b[^>]*>`)
	depth, rest := 1, body[loc[1]:]
	for _, m := range tags.FindAllStringSubmatchIndex(rest, -1) {
		if rest[m[2]:m[3]] == "/" {
			depth--
		} else {
			depth++
		}
		if depth == 0 {
			return textOf(rest[:m[0]]), true
		}
	}
	return textOf(rest), true
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

func textOf(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRe.ReplaceAllString(s, " "))), " ")
}

// rowsOf returns the text of each body row of the table with id.
func rowsOf(body, id string) []string {
	m := regexp.MustCompile(`(?s)<table id="` + regexp.QuoteMeta(id) + `".*?<tbody>(.*?)</tbody>`).FindStringSubmatch(body)
	if m == nil {
		return nil
	}
	var out []string
	for _, r := range regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`).FindAllStringSubmatch(m[1], -1) {
		out = append(out, textOf(r[1]))
	}
	return out
}

// registryForm is a complete, valid registry form for the casa agency.
func (ua *uiApp) registryForm(name string, beds map[string]int) url.Values {
	v := url.Values{"agency_id": {ua.casa.ID}, "name": {name}, "licence_number": {"MIES-CA-17-0001"},
		"licence_expires": {"2030-12-31"}, "province": {"17"}, "canton": {"1701"}, "address": {"Calle Reservada 123 y Secreta"},
		"contact_name": {"Rosa Prueba"}, "contact_phone": {"+593 2 000 0000"}, "contact_email": {"casa@prueba.ec"},
		"populations": {"children", "adolescents", "women"}, "services": {"psychosocial", "legal"},
		"staff_psychologist": {"2"}, "staff_caregiver": {"5"}, "active": {"1"}}
	for t, n := range beds {
		v.Set("beds_"+t, fmt.Sprint(n))
	}
	return v
}

// uiWorld is a shelter (created through the registry form by national coordination) and
// the people who look at it.
type uiWorld struct {
	*uiApp
	id                                   string // the shelter
	nc, coord, outsider, monitor, worker *browser
}

func newUIWorld(t *testing.T, engine string, beds map[string]int) *uiWorld {
	t.Helper()
	ua := newUIApp(t, engine)
	w := &uiWorld{uiApp: ua}
	w.nc = ua.as(t, ua.prog, access.NationalCoordinator)
	w.coord = ua.as(t, ua.casa, access.ShelterCoordinator)
	w.outsider = ua.as(t, ua.otra, access.ShelterCoordinator)
	w.monitor = ua.as(t, ua.prog, access.Monitoring)
	w.worker = ua.as(t, ua.ngo, access.CaseWorker)
	r := must(t, "register shelter", w.nc.post(t, "/shelters", ua.registryForm("Casa Prueba Norte", beds)), http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/shelters/") {
		t.Fatalf("register shelter: sent to %q", loc)
	}
	w.id = strings.TrimPrefix(loc, "/shelters/")
	return w
}

// newCase registers a case of the NGO and, when referred, opens it to the shelter's
// agency as an accepted referral does.
func (w *uiWorld) referCase(t *testing.T, name string, age int, sex string, referred bool) *cases.Case {
	t.Helper()
	c, err := w.Cases.Register(w.worker.ctx, cases.Input{
		Person:            cases.Person{GivenNames: name, FamilyNames: "Prueba", Sex: sex, EstimatedAge: &age, Nationalities: []string{"ECU"}},
		Identification:    cases.Identification{Date: today().AddDate(0, 0, -20).Format("2006-01-02"), Country: "ECU", Province: "17", How: "hotline"},
		TraffickingStatus: "possible", Exploitation: []string{"sexual"},
	}, cases.RegisterOptions{NotDuplicate: true})
	if err != nil {
		t.Fatal(err)
	}
	if referred {
		if err := w.Cases.GrantAccess(sys(), c.ID, cases.Grant{AgencyID: w.casa.ID, Reason: "referral", SourceID: "test-" + c.ID, Fields: testFields}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func allRatings(v int) url.Values {
	out := url.Values{}
	for _, d := range shelters.Domains {
		for _, s := range d.Standards {
			out.Set("rating_"+s, fmt.Sprint(v))
		}
	}
	return out
}

// TestRegistryForm: national coordination registers a shelter; invalid input comes
// back with 422 and the errors next to the fields, and nothing is saved; the operator
// edits the entry, national coordination may not (the confidential address).
func TestRegistryForm(t *testing.T) {
	w := newUIWorld(t, "sqlite", map[string]int{"girls": 2})
	must(t, "new form", w.nc.get(t, "/shelters/new"), http.StatusOK)
	must(t, "new form, coordinator", w.coord.get(t, "/shelters/new"), http.StatusForbidden)

	bad := w.registryForm("", map[string]int{})
	bad.Set("beds_girls", "muchas")
	bad.Set("canton", "0901") // Guayaquil is not in Pichincha
	r := must(t, "invalid registry", w.nc.post(t, "/shelters", bad), http.StatusUnprocessableEntity)
	for _, id := range []string{"f-name-error", "f-beds_girls-error", "error-summary"} {
		if _, ok := byID(r.Body, id); !ok {
			t.Errorf("invalid registry: no #%s", id)
		}
	}
	if list, _ := w.Shelters.List(w.nc.ctx, shelters.Filter{}); len(list) != 1 {
		t.Fatalf("%d shelters after an invalid form, want 1", len(list))
	}
	bad.Set("beds_girls", "2")
	bad.Set("name", "Casa Sur")
	r = must(t, "wrong canton", w.nc.post(t, "/shelters", bad), http.StatusUnprocessableEntity)
	if txt, _ := byID(r.Body, "f-canton-error"); txt == "" {
		t.Errorf("wrong canton: no error next to the canton")
	}
	if !strings.Contains(r.Body, `value="Casa Sur"`) {
		t.Error("the form lost what was typed")
	}

	// National coordination edits any shelter; the address it cannot see is not in its form.
	if r := must(t, "edit, national coordination", w.nc.get(t, "/shelters/"+w.id+"/edit"), http.StatusOK); strings.Contains(r.Body, "Calle Reservada") {
		t.Error("national coordination sees the confidential address")
	}
	must(t, "edit, other shelter", w.outsider.get(t, "/shelters/"+w.id+"/edit"), http.StatusForbidden)
	r = must(t, "edit form", w.coord.get(t, "/shelters/"+w.id+"/edit"), http.StatusOK)
	if !strings.Contains(r.Body, "Calle Reservada 123 y Secreta") {
		t.Error("the operator's edit form does not show the address")
	}
	v := w.registryForm("Casa Prueba Norte renovada", map[string]int{"girls": 3, "women": 1})
	v.Set("agency_id", w.otra.ID) // the operator cannot hand the shelter over
	must(t, "edit", w.coord.post(t, "/shelters/"+w.id, v), http.StatusSeeOther)
	s, err := w.Shelters.Get(w.coord.ctx, w.id)
	if err != nil || s.Name != "Casa Prueba Norte renovada" || s.TotalBeds != 4 || s.AgencyID != w.casa.ID {
		t.Fatalf("after edit: %+v %v", s, err)
	}
}

// TestPagesByRole: who sees what on the list and the shelter page.
func TestPagesByRole(t *testing.T) {
	w := newUIWorld(t, "sqlite", map[string]int{"girls": 2, "women": 1})
	c := w.referCase(t, "Paola", 14, "female", true)
	if _, err := w.Shelters.Admit(w.coord.ctx, w.id, shelters.AdmitInput{CaseID: c.ID, BedType: "girls"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Shelters.AddAssessment(w.coord.ctx, w.id, shelters.AssessmentInput{AssessedOn: today().Format("2006-01-02"),
		Assessor: "Equipo", Ratings: map[string]int{"visitor_control": 2, "food": 1}}); err != nil {
		t.Fatal(err)
	}

	// The list: everyone who may view shelters sees the registry, beds and status.
	for name, b := range map[string]*browser{"case worker": w.worker, "monitoring": w.monitor, "other shelter": w.outsider} {
		r := must(t, "list as "+name, b.get(t, "/shelters"), http.StatusOK)
		rows := rowsOf(r.Body, "shelters")
		if len(rows) != 1 || !strings.Contains(rows[0], "Casa Prueba Norte") || !strings.Contains(rows[0], "Casa de Acogida Prueba") ||
			!strings.Contains(rows[0], "Funciona, necesita fortalecerse") {
			t.Errorf("list as %s: %q", name, rows)
		}
		if strings.Contains(r.Body, "Calle Reservada") {
			t.Errorf("list as %s shows the address", name)
		}
	}
	r := must(t, "list filtered", w.worker.get(t, "/shelters?free=women&province=17"), http.StatusOK)
	if rows := rowsOf(r.Body, "shelters"); len(rows) != 1 {
		t.Errorf("free women beds: %q", rows)
	}
	r = must(t, "list, none", w.worker.get(t, "/shelters?free=boys"), http.StatusOK)
	if txt, ok := byID(r.Body, "empty"); !ok || !strings.Contains(txt, "Ninguna casa") {
		t.Errorf("empty state: %q", txt)
	}

	page := "/shelters/" + w.id
	// The operator: everything, with the address and the residents.
	r = must(t, "page as operator", w.coord.get(t, page), http.StatusOK)
	for _, id := range []string{"residents", "admit-form", "assessments", "finances", "plan", "trend"} {
		if _, ok := byID(r.Body, id); !ok {
			t.Errorf("operator: no #%s", id)
		}
	}
	if txt, _ := byID(r.Body, "address"); !strings.Contains(txt, "Calle Reservada 123") {
		t.Errorf("operator address: %q", txt)
	}
	if rows := rowsOf(r.Body, "residents-table"); len(rows) != 1 || !strings.Contains(rows[0], c.Number) {
		t.Errorf("residents: %q", rows)
	}
	if n := len(w.events(t, "shelter.residents_view")); n == 0 {
		t.Error("no audit event for the residents list")
	}
	// Monitoring: status, assessments and finances, no residents, no address.
	r = must(t, "page as monitoring", w.monitor.get(t, page), http.StatusOK)
	for _, id := range []string{"status-reasons", "assessments", "finances", "plan", "trend"} {
		if _, ok := byID(r.Body, id); !ok {
			t.Errorf("monitoring: no #%s", id)
		}
	}
	for _, id := range []string{"residents", "admit-form", "finance-form", "new-assessment", "edit-shelter"} {
		if _, ok := byID(r.Body, id); ok {
			t.Errorf("monitoring sees #%s", id)
		}
	}
	if strings.Contains(r.Body, "Calle Reservada") || strings.Contains(r.Body, c.Number) {
		t.Error("monitoring sees the address or a resident")
	}
	// A case worker: registry and beds only.
	r = must(t, "page as case worker", w.worker.get(t, page), http.StatusOK)
	if rows := rowsOf(r.Body, "beds-table"); len(rows) != 2 || !strings.Contains(rows[0], "1") {
		t.Errorf("case worker beds: %q", rows)
	}
	for _, id := range []string{"residents", "assessments", "finances", "plan"} {
		if _, ok := byID(r.Body, id); ok {
			t.Errorf("case worker sees #%s", id)
		}
	}
	// Another shelter's coordinator: no residents, no address, no assessments.
	r = must(t, "page as other shelter", w.outsider.get(t, page), http.StatusOK)
	for _, id := range []string{"residents", "assessments", "admit-form"} {
		if _, ok := byID(r.Body, id); ok {
			t.Errorf("other shelter sees #%s", id)
		}
	}
	if strings.Contains(r.Body, "Calle Reservada") || strings.Contains(r.Body, c.Number) {
		t.Error("another shelter sees the address or a resident")
	}
	must(t, "admit at another shelter", w.outsider.post(t, page+"/stays", url.Values{"case_number": {c.Number}, "bed_type": {"girls"}}), http.StatusForbidden)
	must(t, "no such shelter", w.worker.get(t, "/shelters/0190aaaa-0000-7000-8000-000000000000"), http.StatusNotFound)
	must(t, "monitoring adds finances", w.monitor.post(t, page+"/finances", url.Values{}), http.StatusForbidden)
}

// TestAdmitAndDischarge: admission by case number and from the free bed to "no free
// bed" (409 with the message), then a confirmed discharge frees the bed.
func TestAdmitAndDischarge(t *testing.T) {
	w := newUIWorld(t, "sqlite", map[string]int{"girls": 1})
	page := "/shelters/" + w.id
	a := w.referCase(t, "Ana", 15, "female", true)
	b := w.referCase(t, "Berta", 13, "female", true)
	stranger := w.referCase(t, "Clara", 12, "female", false)

	r := must(t, "not referred", w.coord.post(t, page+"/stays", url.Values{"case_number": {stranger.Number}, "bed_type": {"girls"},
		"admitted_on": {today().Format("2006-01-02")}}), http.StatusUnprocessableEntity)
	if txt, _ := byID(r.Body, "f-case_number-error"); !strings.Contains(txt, "no pertenece") {
		t.Errorf("not referred: %q", txt)
	}
	must(t, "nothing chosen", w.coord.post(t, page+"/stays", url.Values{"bed_type": {"girls"}}), http.StatusUnprocessableEntity)

	// The number as people type it: lower case, without the zeros.
	short := strings.ToLower(strings.Replace(a.Number, "-000", "-", 1))
	r = must(t, "admit", w.coord.post(t, page+"/stays", url.Values{"case_number": {short}, "bed_type": {"girls"},
		"admitted_on": {today().Format("02/01/2006")}}), http.StatusSeeOther)
	r = must(t, "page", w.coord.get(t, r.Header.Get("Location")), http.StatusOK)
	rows := rowsOf(r.Body, "residents-table")
	if len(rows) != 1 || !strings.Contains(rows[0], a.Number) {
		t.Fatalf("residents after admission: %q", rows)
	}
	if !strings.Contains(r.Body, "Se registró el ingreso") {
		t.Error("no confirmation after the admission")
	}

	r = must(t, "full", w.coord.post(t, page+"/stays", url.Values{"case_number": {b.Number}, "bed_type": {"girls"}}), http.StatusConflict)
	if txt, ok := byID(r.Body, "admit-error"); !ok || !strings.Contains(txt, "No hay camas libres") {
		t.Errorf("409 message: %q", txt)
	}
	if txt, _ := byID(r.Body, "error-summary"); !strings.Contains(txt, "No hay camas libres") {
		t.Errorf("409 summary: %q", txt)
	}
	if !strings.Contains(r.Body, `value="`+b.Number+`"`) {
		t.Error("the admission form lost the case number")
	}

	stays, err := w.Shelters.Residents(w.coord.ctx, w.id, true)
	if err != nil || len(stays) != 1 {
		t.Fatalf("stays: %v %d", err, len(stays))
	}
	discharge := page + "/stays/" + stays[0].ID + "/discharge"
	must(t, "discharge by monitoring", w.monitor.post(t, discharge, url.Values{"confirm": {"1"}}), http.StatusForbidden)
	r = must(t, "unconfirmed discharge", w.coord.post(t, discharge, url.Values{"discharge_reason": {"reintegrated_family"}}), http.StatusUnprocessableEntity)
	if _, ok := byID(r.Body, "f-confirm-"+stays[0].ID+"-error"); !ok {
		t.Error("unconfirmed discharge: no error next to the box")
	}
	r = must(t, "discharge without reason", w.coord.post(t, discharge, url.Values{"confirm": {"1"}}), http.StatusUnprocessableEntity)
	if _, ok := byID(r.Body, "f-discharge_reason-"+stays[0].ID+"-error"); !ok {
		t.Error("discharge without reason: no error next to the reason")
	}
	must(t, "discharge", w.coord.post(t, discharge, url.Values{"confirm": {"1"}, "discharge_reason": {"reintegrated_family"},
		"destination": {"Con su madre"}, "discharged_on": {today().Format("2006-01-02")}}), http.StatusSeeOther)
	r = must(t, "page after discharge", w.coord.get(t, page), http.StatusOK)
	if rows := rowsOf(r.Body, "discharged-table"); len(rows) != 1 || !strings.Contains(rows[0], "Reintegración familiar") {
		t.Errorf("discharged: %q", rows)
	}
	if _, ok := byID(r.Body, "no-residents"); !ok {
		t.Error("the bed is not free after the discharge")
	}
	must(t, "admit the second", w.coord.post(t, page+"/stays", url.Values{"case_number": {b.Number}, "bed_type": {"girls"}}), http.StatusSeeOther)
}

// TestAssessmentFormAndStatus: the form offers every standard with the four meanings;
// saving all ratings changes the derived status, and finances complete it.
func TestAssessmentFormAndStatus(t *testing.T) {
	w := newUIWorld(t, "sqlite", map[string]int{"girls": 4})
	page := "/shelters/" + w.id
	must(t, "form as monitoring", w.monitor.get(t, page+"/assessments/new"), http.StatusForbidden)
	must(t, "form as other shelter", w.outsider.get(t, page+"/assessments/new"), http.StatusForbidden)
	r := must(t, "form", w.coord.get(t, page+"/assessments/new"), http.StatusOK)
	radios := regexp.MustCompile(`<input type="radio" id="f-rating_[a-z_]+-[1-4]" name="rating_([a-z_]+)"`).FindAllStringSubmatch(r.Body, -1)
	if len(radios) != 4*shelters.StandardCount() {
		t.Fatalf("%d radios, want %d", len(radios), 4*shelters.StandardCount())
	}
	for _, key := range []string{"Plenamente en práctica", "Mínimo o nada", "Ubicación confidencial", "Gobernanza y registros"} {
		if !strings.Contains(r.Body, key) {
			t.Errorf("form lacks %q", key)
		}
	}

	v := allRatings(1)
	v.Set("assessed_on", today().AddDate(0, 0, -30).Format("2006-01-02"))
	v.Set("assessor", "Equipo técnico")
	v.Set("evidence_visitor_control", "Libro de visitas al día.")
	bad := url.Values{}
	for k, x := range v {
		bad[k] = x
	}
	bad.Set("rating_food", "7")
	r = must(t, "rating 7", w.coord.post(t, page+"/assessments", bad), http.StatusUnprocessableEntity)
	if _, ok := byID(r.Body, "f-rating_food-error"); !ok {
		t.Error("rating 7: no error next to the standard")
	}
	if !strings.Contains(r.Body, `id="f-rating_dining_room-1" name="rating_dining_room" value="1" checked`) {
		t.Error("the form lost the ratings")
	}
	must(t, "assessment", w.coord.post(t, page+"/assessments", v), http.StatusSeeOther)
	as, err := w.Shelters.Assessments(w.monitor.ctx, w.id)
	if err != nil || len(as) != 1 || len(as[0].Ratings) != shelters.StandardCount() || as[0].Evidence["visitor_control"] == "" {
		t.Fatalf("saved assessment: %v %+v", err, as)
	}
	s, _ := w.Shelters.Get(w.monitor.ctx, w.id)
	if s.Status != shelters.StatusNeedsSupport { // no finances yet
		t.Fatalf("status after a perfect assessment without finances: %s", s.Status)
	}

	must(t, "finances", w.coord.post(t, page+"/finances", url.Values{"period_start": {"2026-01-01"}, "period_end": {"2026-03-31"},
		"income_central_government": {"30000"}, "income_private_donations": {"20000"}, "income_own_income": {"10.000,75"},
		"largest_funder": {"30000"}, "operating_cost": {"45000"}, "unrestricted_reserves": {"60000"},
		"occupied_bed_nights": {"300"}, "standard_budget": {"50000"}, "secured_funding": {"48000"}}), http.StatusSeeOther)
	r = must(t, "page", w.monitor.get(t, page), http.StatusOK)
	if txt, _ := byID(r.Body, "shelter-badges"); txt != "Funciona" {
		t.Errorf("status after finances: %q", txt)
	}
	if rows := rowsOf(r.Body, "finances-table"); len(rows) != 1 || !strings.Contains(rows[0], "$ 60.001") || !strings.Contains(rows[0], "4,0") {
		t.Errorf("finances row: %q", rows)
	}

	// A second assessment, later, with a safety standard at 4: not functioning, with
	// the standard named in the reasons, and the trend shows both dates.
	v = allRatings(2)
	v.Set("rating_fire_emergency", "4")
	v.Set("assessed_on", today().Format("2006-01-02"))
	v.Set("assessor", "Equipo técnico")
	must(t, "second assessment", w.nc.post(t, page+"/assessments", v), http.StatusSeeOther)
	r = must(t, "page", w.monitor.get(t, page), http.StatusOK)
	if txt, _ := byID(r.Body, "status-reasons"); !strings.Contains(txt, "Procedimientos contra incendios y emergencias") {
		t.Errorf("reasons: %q", txt)
	}
	if rows := rowsOf(r.Body, "trend"); len(rows) != len(shelters.Domains) || !strings.Contains(rows[0], "1,00") || !strings.Contains(rows[0], "2,50") {
		t.Errorf("trend: %q", rows)
	}
	if _, ok := byID(r.Body, "trend-chart"); !ok || !strings.Contains(r.Body, "<polyline") {
		t.Error("no trend chart")
	}
	r = must(t, "list", w.monitor.get(t, "/shelters?status=not_functioning"), http.StatusOK)
	if rows := rowsOf(r.Body, "shelters"); len(rows) != 1 || !strings.Contains(rows[0], "No funciona") {
		t.Errorf("list by status: %q", rows)
	}
	// The same page in English: labels and numbers the English way.
	must(t, "language", w.monitor.post(t, "/lang", url.Values{"lang": {"en"}, "next": {page}}), http.StatusSeeOther)
	r = must(t, "page in English", w.monitor.get(t, page), http.StatusOK)
	if txt, _ := byID(r.Body, "shelter-badges"); txt != "Not functioning" {
		t.Errorf("English status: %q", txt)
	}
	if rows := rowsOf(r.Body, "trend"); len(rows) == 0 || !strings.Contains(rows[0], "2.50") || !strings.Contains(rows[0], "Safety and security") {
		t.Errorf("English trend: %q", rows)
	}
}

// TestFinanceFormInvalid: figures that are not numbers, a period that ends before it
// starts and a negative cost come back at once, next to their fields, and nothing is
// saved.
func TestFinanceFormInvalid(t *testing.T) {
	w := newUIWorld(t, "sqlite", map[string]int{"girls": 4})
	page := "/shelters/" + w.id
	r := must(t, "not numbers", w.coord.post(t, page+"/finances", url.Values{"period_start": {"2026-04-01"}, "period_end": {"2026-03-01"},
		"income_central_government": {"mucho"}, "operating_cost": {"45000"}, "occupied_bed_nights": {"3,5"}}), http.StatusUnprocessableEntity)
	for _, id := range []string{"f-income_central_government-error", "f-occupied_bed_nights-error"} {
		if _, ok := byID(r.Body, id); !ok {
			t.Errorf("not numbers: no #%s", id)
		}
	}
	if !strings.Contains(r.Body, `<details open id="finance-add">`) {
		t.Error("the finance form is not open on the answer")
	}
	if !strings.Contains(r.Body, `value="mucho"`) {
		t.Error("the form lost what was typed")
	}
	r = must(t, "service refusals", w.coord.post(t, page+"/finances", url.Values{"period_start": {"2026-04-01"}, "period_end": {"2026-03-01"},
		"income_central_government": {"100"}, "operating_cost": {"-5"}, "largest_funder": {"500"}}), http.StatusUnprocessableEntity)
	for _, id := range []string{"f-period_end-error", "f-operating_cost-error", "f-largest_funder-error"} {
		if _, ok := byID(r.Body, id); !ok {
			t.Errorf("service refusals: no #%s", id)
		}
	}
	if fs, err := w.Shelters.Finances(w.coord.ctx, w.id); err != nil || len(fs) != 0 {
		t.Fatalf("finances saved after invalid forms: %d %v", len(fs), err)
	}
}

// TestImprovementPlan: an action is added, then updated; a bad status is refused.
func TestImprovementPlan(t *testing.T) {
	w := newUIWorld(t, "sqlite", map[string]int{"girls": 4})
	page := "/shelters/" + w.id
	must(t, "no text", w.coord.post(t, page+"/actions", url.Values{"domain": {"safety"}}), http.StatusUnprocessableEntity)
	must(t, "add", w.nc.post(t, page+"/actions", url.Values{"domain": {"safety"}, "action": {"Instalar detectores de humo"},
		"owner": {"Coordinación"}, "due_on": {"2020-01-31"}, "support_received": {"Fondos del programa"}}), http.StatusSeeOther)
	acts, err := w.Shelters.Actions(w.coord.ctx, w.id)
	if err != nil || len(acts) != 1 {
		t.Fatalf("actions: %v %d", err, len(acts))
	}
	r := must(t, "page", w.coord.get(t, page), http.StatusOK)
	if rows := rowsOf(r.Body, "plan-table"); len(rows) != 1 || !strings.Contains(rows[0], "Vencida") || !strings.Contains(rows[0], "Planificada") {
		t.Errorf("plan: %q", rows)
	}
	edit := page + "/actions/" + acts[0].ID
	r = must(t, "bad status", w.coord.post(t, edit, url.Values{"domain": {"safety"}, "action": {"Instalar detectores"}, "status": {"olvidada"}}), http.StatusUnprocessableEntity)
	if _, ok := byID(r.Body, "f-status-"+acts[0].ID+"-error"); !ok {
		t.Error("bad status: no error next to the action's status")
	}
	must(t, "done", w.coord.post(t, edit, url.Values{"domain": {"safety"}, "action": {"Instalar detectores de humo"}, "status": {"done"},
		"due_on": {"2020-01-31"}}), http.StatusSeeOther)
	r = must(t, "page", w.monitor.get(t, page), http.StatusOK)
	if rows := rowsOf(r.Body, "plan-table"); len(rows) != 1 || !strings.Contains(rows[0], "Cumplida") || strings.Contains(rows[0], "Vencida") {
		t.Errorf("plan after update: %q", rows)
	}
	must(t, "monitoring edits", w.monitor.post(t, edit, url.Values{"domain": {"safety"}, "action": {"x"}}), http.StatusForbidden)
	must(t, "other shelter edits", w.outsider.post(t, edit, url.Values{"domain": {"safety"}, "action": {"x"}}), http.StatusForbidden)
}

// events lists audit events with action.
func (ua *uiApp) events(t *testing.T, action string) []audit.Event {
	t.Helper()
	list, _, err := ua.Audit.List(context.Background(), audit.Filter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestAdmitFromReferral: an accepted referral to the shelter's agency is offered on the
// admission form, and the stay records it.
func TestAdmitFromReferral(t *testing.T) {
	w := newUIWorld(t, "sqlite", map[string]int{"women": 2})
	c := w.referCase(t, "Lucía", 30, "female", false)
	if _, err := w.Cases.RecordConsent(w.worker.ctx, c.ID, cases.ConsentInput{Purpose: "referral", AgencyID: w.casa.ID, Status: "given",
		GivenBy: "self", Method: "written", DecidedOn: today().Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	ref, err := w.Referrals.Send(w.worker.ctx, referrals.ReferralInput{CaseID: c.ID, ToAgencyID: w.casa.ID, SupportTypes: []string{"shelter"}})
	if err != nil {
		t.Fatal(err)
	}
	page := "/shelters/" + w.id
	r := must(t, "page before acceptance", w.coord.get(t, page), http.StatusOK)
	if strings.Contains(r.Body, ref.Number) {
		t.Error("a referral not yet accepted is offered for admission")
	}
	if _, err := w.Referrals.Step(w.coord.ctx, ref.ID, "accept", referrals.StepInput{}); err != nil {
		t.Fatal(err)
	}
	r = must(t, "page", w.coord.get(t, page), http.StatusOK)
	if txt, ok := byID(r.Body, "f-referral_id"); !ok || !strings.Contains(txt, ref.Number) || !strings.Contains(txt, c.Number) {
		t.Fatalf("referral select: %q", txt)
	}
	must(t, "unknown referral", w.coord.post(t, page+"/stays", url.Values{"referral_id": {"0190aaaa-0000-7000-8000-000000000000"},
		"bed_type": {"women"}}), http.StatusUnprocessableEntity)
	must(t, "admit from the referral", w.coord.post(t, page+"/stays", url.Values{"referral_id": {ref.ID}, "bed_type": {"women"}}), http.StatusSeeOther)
	stays, err := w.Shelters.Residents(w.coord.ctx, w.id, true)
	if err != nil || len(stays) != 1 || stays[0].ReferralID != ref.ID || stays[0].CaseID != c.ID {
		t.Fatalf("stay: %v %+v", err, stays)
	}
}
