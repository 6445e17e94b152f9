package referrals_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
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
	"github.com/xuri/excelize/v2"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// testPassword is the password of every user the helpers create.
const testPassword = "Colibrí-Nublado-Quinde-4821"

// logBuffer keeps the app's warnings and errors, shown when a test fails.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// env is the whole application on a fresh database, served over real HTTP, with a
// referring NGO, a shelter, a prosecutor's office and a registered case of the NGO.
type env struct {
	*app.App
	srv                    *httptest.Server
	ngo, casa, fge, office *auth.Agency
	worker                 *auth.User // case worker of the NGO, owner of the case
	caseID                 string
	n                      atomic.Int64
}

// newEnv builds the app on engine: "sqlite", or "postgres" (skipped without
// AMPARO_TEST_POSTGRES_URL).
func newEnv(t *testing.T, engine string) *env {
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
	logs := &logBuffer{}
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
	e := &env{App: a, srv: httptest.NewServer(a.Handler())}
	t.Cleanup(func() {
		e.srv.Close()
		a.Close()
		if t.Failed() && logs.String() != "" {
			t.Logf("app log:\n%s", logs.String())
		}
	})
	e.ngo = e.agency(t, "nuevos-caminos", "Fundación Nuevos Caminos", "ngo", "17")
	e.casa = e.agency(t, "casa-refugio", "Casa Refugio Esperanza", "shelter", "09")
	e.fge = e.agency(t, "fge", "Fiscalía General del Estado", "prosecution", "17")
	e.office = e.agency(t, "coordinacion", "Coordinación Nacional", "central_government", "17")
	e.worker = e.user(t, access.CaseWorker, e.ngo)
	age := 11
	cs, err := a.Cases.Register(e.ctx(e.worker), cases.Input{
		Person: cases.Person{GivenNames: "Maribel", FamilyNames: "Tenorio Quiñónez", Sex: "female", EstimatedAge: &age,
			Nationalities: []string{"ECU"}, Guardian: &cases.Guardian{Name: "Rosa Quiñónez", Relation: "madre"},
			Documents: []cases.Document{{Type: "passport", Number: "PX123456"}}},
		Identification:    cases.Identification{Date: "2026-10-01", Country: "ECU", Province: "17", Canton: "1701", How: "hotline"},
		TraffickingStatus: "possible", Exploitation: []string{"begging"},
	}, cases.RegisterOptions{})
	if err != nil {
		t.Fatalf("register case: %v", err)
	}
	e.caseID = cs.ID
	return e
}

// system is a context acting as the CLI.
func system() context.Context { return access.With(context.Background(), access.System()) }

func (e *env) ctx(u *auth.User) context.Context {
	return access.With(context.Background(), u.Subject())
}

func (e *env) agency(t *testing.T, code, name, typ, province string) *auth.Agency {
	t.Helper()
	a, err := e.Auth.CreateAgency(system(), &auth.Agency{Code: code, Name: name, Type: typ, ProvinceCode: province})
	if err != nil {
		t.Fatalf("create agency %s: %v", code, err)
	}
	return a
}

// user creates a user of agency with role and testPassword.
func (e *env) user(t *testing.T, role access.Role, agency *auth.Agency) *auth.User {
	t.Helper()
	n := e.n.Add(1)
	level := "agency"
	if role == access.Admin || role == access.NationalCoordinator || role == access.Monitoring {
		level = "national"
	}
	u, _, err := e.Auth.CreateUser(system(), &auth.User{
		Email: fmt.Sprintf("%s.%d@amparo.test", strings.ReplaceAll(string(role), "_", "-"), n),
		Name:  fmt.Sprintf("Persona %d %s", n, role), AgencyID: agency.ID,
		Roles: []access.Role{role}, JurisdictionLevel: level, Lang: "es"}, testPassword)
	if err != nil {
		t.Fatalf("create user with role %s: %v", role, err)
	}
	return u
}

// consent records a consent decision for the case, as its worker.
func (e *env) consent(t *testing.T, purpose, agencyID, status string) {
	t.Helper()
	_, err := e.Cases.RecordConsent(e.ctx(e.worker), e.caseID, cases.ConsentInput{Purpose: purpose, AgencyID: agencyID,
		Status: status, GivenBy: "representative", Representative: "Rosa Quiñónez", Method: "written",
		DecidedOn: time.Now().In(i18n.Zone()).Format("2006-01-02")})
	if err != nil {
		t.Fatalf("consent %s %s: %v", purpose, status, err)
	}
}

// count answers a COUNT(*) query.
func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// client is one person's browser: a cookie jar and no redirects followed.
type client struct {
	e    *env
	c    *http.Client
	User *auth.User
}

// browser signs u in (enrolling the second factor where the role needs one).
func (e *env) browser(t *testing.T, u *auth.User) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{e: e, User: u, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.signIn(t)
	return c
}

// as creates a user with role in agency and signs them in.
func (e *env) as(t *testing.T, role access.Role, agency *auth.Agency) *client {
	t.Helper()
	return e.browser(t, e.user(t, role, agency))
}

var secretRe = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7=]+)</code>`)

func (c *client) signIn(t *testing.T) {
	t.Helper()
	r := c.post(t, "/login", url.Values{"email": {c.User.Email}, "password": {testPassword}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d, want 303", c.User.Email, r.Status)
	}
	if loc := r.Header.Get("Location"); loc == "/login/enrol" {
		r = c.get(t, "/login/enrol")
		m := secretRe.FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("enrol %s: no secret on the page (%d)", c.User.Email, r.Status)
		}
		code, err := totp.GenerateCode(m[1], time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r = c.post(t, "/login/enrol", url.Values{"code": {code}}); r.Status != http.StatusOK {
			t.Fatalf("enrol %s: %d", c.User.Email, r.Status)
		}
	}
	if r = c.get(t, "/profile"); r.Status != http.StatusOK {
		t.Fatalf("sign in %s: /profile answers %d", c.User.Email, r.Status)
	}
}

// resp is an answer with its body read.
type resp struct {
	Status int
	Header http.Header
	Body   string
}

func (c *client) do(t *testing.T, method, path string, body io.Reader, ct string) resp {
	t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := c.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (c *client) get(t *testing.T, path string) resp {
	t.Helper()
	return c.do(t, http.MethodGet, path, nil, "")
}

// post sends a form as a same-origin browser would.
func (c *client) post(t *testing.T, path string, v url.Values) resp {
	t.Helper()
	return c.do(t, http.MethodPost, path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// want fails unless r has status; it shows the start of the body.
func want(t *testing.T, what string, r resp, status int) {
	t.Helper()
	if r.Status != status {
		b := r.Body
		if len(b) > 1500 {
			b = b[:1500]
		}
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, b)
	}
}

// has fails unless the page shows every text (compared unescaped).
func has(t *testing.T, what string, r resp, texts ...string) {
	t.Helper()
	body := html.UnescapeString(r.Body)
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Fatalf("%s: the page does not show %q", what, s)
		}
	}
}

// hasNot fails when the page shows any of texts.
func hasNot(t *testing.T, what string, r resp, texts ...string) {
	t.Helper()
	body := html.UnescapeString(r.Body)
	for _, s := range texts {
		if strings.Contains(body, s) {
			t.Fatalf("%s: the page shows %q", what, s)
		}
	}
}

// msg is a catalog message in Spanish (the test users' language).
func (e *env) msg(key string, args ...any) string { return e.Catalog.T("es", key, args...) }

var locRe = regexp.MustCompile(`^/referrals/([0-9a-f-]{36})$`)

// send posts the referral form and returns the new referral's id.
func (c *client) send(t *testing.T, v url.Values) string {
	t.Helper()
	r := c.post(t, "/cases/"+c.e.caseID+"/referrals", v)
	want(t, "send", r, http.StatusSeeOther)
	m := locRe.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("send: sent to %q", r.Header.Get("Location"))
	}
	return m[1]
}

func TestReferralWithoutConsentIsRefused(t *testing.T) {
	e := newEnv(t, "sqlite")
	w := e.browser(t, e.worker)
	r := w.get(t, "/cases/"+e.caseID+"/refer?to_agency_id="+e.casa.ID+"&support_types=shelter")
	want(t, "refer form", r, http.StatusOK)
	// Before sending, the form says what would travel and that consent is missing.
	has(t, "refer form", r, e.msg("referrals.consent.none"), e.msg("referrals.field.guardian"),
		e.msg("referrals.consent_missing", "Agency", e.casa.Name))
	hasNot(t, "refer form", r, e.msg("referrals.field.documents"))

	form := url.Values{"purpose": {"referral"}, "to_agency_id": {e.casa.ID}, "support_types": {"shelter"},
		"reason": {"necesita acogida"}}
	r = w.post(t, "/cases/"+e.caseID+"/referrals", form)
	want(t, "send without consent", r, http.StatusUnprocessableEntity)
	has(t, "refusal", r, e.msg("referrals.err.no_consent"), "necesita acogida")
	if n := e.count(t, "SELECT COUNT(*) FROM referrals"); n != 0 {
		t.Fatalf("a refused referral left %d rows", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_events WHERE action = 'referral.refused'"); n != 1 {
		t.Fatalf("%d refusal audit events", n)
	}
	// Prosecution has its own consent: the referral consent does not stand in for it.
	e.consent(t, "referral", e.fge.ID, "given")
	r = w.post(t, "/cases/"+e.caseID+"/referrals", url.Values{"purpose": {"prosecution"}, "to_agency_id": {e.fge.ID}})
	want(t, "prosecution without consent", r, http.StatusUnprocessableEntity)
	has(t, "prosecution refusal", r, e.msg("referrals.err.no_consent_prosecution"))
	// The preview (POST, nothing sent) follows the choices.
	r = w.post(t, "/cases/"+e.caseID+"/refer", url.Values{"purpose": {"prosecution"}, "to_agency_id": {e.fge.ID}})
	want(t, "preview", r, http.StatusOK)
	has(t, "preview", r, e.msg("referrals.consent_missing_prosecution"), e.msg("referrals.field.identification"))
	if n := e.count(t, "SELECT COUNT(*) FROM referrals"); n != 0 {
		t.Fatalf("the preview sent %d referrals", n)
	}
}

func TestReferralLifecycleThroughTheScreens(t *testing.T) {
	e := newEnv(t, "sqlite")
	w := e.browser(t, e.worker)
	coord := e.as(t, access.ShelterCoordinator, e.casa)
	e.consent(t, "referral", e.casa.ID, "given")

	r := w.get(t, "/cases/"+e.caseID+"/refer?to_agency_id="+e.casa.ID+"&support_types=shelter")
	has(t, "refer form with consent", r, e.msg("referrals.consent.given"), e.msg("referrals.consent_ok", "Agency", e.casa.Name))
	id := w.send(t, url.Values{"purpose": {"referral"}, "to_agency_id": {e.casa.ID}, "support_types": {"shelter"},
		"urgent": {"1"}, "reason": {"necesita acogida inmediata"}})

	// The inbox of the shelter shows it, urgent; the sender's outgoing list too.
	r = coord.get(t, "/referrals?direction=incoming")
	want(t, "inbox", r, http.StatusOK)
	has(t, "inbox", r, e.msg("referrals.urgent_badge"), e.msg("referrals.status.sent"), e.ngo.Name)
	r = w.get(t, "/referrals?direction=outgoing&status=open")
	has(t, "outgoing", r, e.casa.Name)
	r = w.get(t, "/referrals?direction=incoming")
	has(t, "sender's empty inbox", r, e.msg("referrals.empty_incoming"))

	// The shelter reads only what a shelter needs, field labels translated.
	r = coord.get(t, "/referrals/"+id)
	want(t, "receiver's page", r, http.StatusOK)
	has(t, "receiver's page", r, "Maribel", "Rosa Quiñónez", e.msg("referrals.field.guardian"), "necesita acogida inmediata",
		e.msg("referrals.action.accept"), e.msg("referrals.action.decline"))
	hasNot(t, "receiver's page", r, "PX123456", e.msg("referrals.action.cancel"))

	// The sender cannot take the receiver's steps.
	want(t, "sender accepting", w.post(t, "/referrals/"+id+"/accept", nil), http.StatusForbidden)
	// Declining needs a reason: the page comes back with the message.
	r = coord.post(t, "/referrals/"+id+"/decline", url.Values{"comment": {"sin cupo"}})
	want(t, "decline without reason", r, http.StatusUnprocessableEntity)
	has(t, "decline without reason", r, e.msg("cases.err.choose"))

	for _, step := range []string{"accept", "start"} {
		r = coord.post(t, "/referrals/"+id+"/"+step, nil)
		want(t, step, r, http.StatusSeeOther)
	}
	r = coord.post(t, "/referrals/"+id+"/complete", url.Values{"comment": {"ingresó"}})
	want(t, "complete without outcome", r, http.StatusUnprocessableEntity)
	r = coord.post(t, "/referrals/"+id+"/complete", url.Values{"outcome": {"service_delivered"},
		"comment": {"Ingresó a la casa el 3 de noviembre; sigue en acogida."}})
	want(t, "complete", r, http.StatusSeeOther)

	// The sender sees the feedback and the whole history.
	r = w.get(t, "/referrals/"+id)
	want(t, "sender's page", r, http.StatusOK)
	has(t, "sender's page", r, e.msg("referrals.outcome.service_delivered"),
		"Ingresó a la casa el 3 de noviembre; sigue en acogida.", e.msg("referrals.event.sent"),
		e.msg("referrals.event.accept"), e.msg("referrals.event.start"), e.msg("referrals.event.complete"),
		e.msg("referrals.status.completed"))
	hasNot(t, "completed referral", r, `action="/referrals/`+id+`/cancel"`)
	r = w.get(t, "/referrals?direction=outgoing&status=completed")
	has(t, "outgoing completed", r, e.msg("referrals.status.completed"))
}

func TestWithdrawnConsentRevokesTheReceiversView(t *testing.T) {
	e := newEnv(t, "sqlite")
	w := e.browser(t, e.worker)
	coord := e.as(t, access.ShelterCoordinator, e.casa)
	e.consent(t, "referral", e.casa.ID, "given")
	id := w.send(t, url.Values{"purpose": {"referral"}, "to_agency_id": {e.casa.ID}, "support_types": {"shelter"}})
	want(t, "accept", coord.post(t, "/referrals/"+id+"/accept", nil), http.StatusSeeOther)
	r := coord.get(t, "/referrals/"+id)
	has(t, "before withdrawal", r, "Maribel", `href="/cases/`+e.caseID+`"`)

	e.consent(t, "referral", e.casa.ID, "withdrawn")
	r = coord.get(t, "/referrals/"+id)
	want(t, "after withdrawal", r, http.StatusOK)
	has(t, "after withdrawal", r, e.msg("referrals.status.revoked"), e.msg("referrals.revoked_note_to"),
		e.msg("referrals.shared_data_gone"), e.msg("referrals.event.revoked"))
	hasNot(t, "after withdrawal", r, "Maribel", "Rosa Quiñónez", e.msg("referrals.action.start"))
	want(t, "case after withdrawal", coord.get(t, "/cases/"+e.caseID+"/refer"), http.StatusForbidden)
	want(t, "step after withdrawal", coord.post(t, "/referrals/"+id+"/start", nil), http.StatusConflict)
	r = w.get(t, "/referrals/"+id)
	has(t, "sender after withdrawal", r, e.msg("referrals.revoked_note_from"))
}

func TestFreeBedsWhenReferringForShelter(t *testing.T) {
	e := newEnv(t, "sqlite")
	nat := e.user(t, access.NationalCoordinator, e.office)
	if _, err := e.Shelters.Save(e.ctx(nat), "", shelters.ShelterInput{AgencyID: e.casa.ID, Name: "Casa Esperanza Guayaquil",
		Province: "09", Canton: "0901", Populations: []string{"children", "adolescents"}, Beds: map[string]int{"girls": 3},
		Active: true}); err != nil {
		t.Fatalf("shelter: %v", err)
	}
	if _, err := e.Shelters.Save(e.ctx(nat), "", shelters.ShelterInput{AgencyID: e.casa.ID, Name: "Casa Llena",
		Province: "09", Beds: map[string]int{}, Active: true}); err != nil {
		t.Fatalf("shelter: %v", err)
	}
	w := e.browser(t, e.worker)
	r := w.get(t, "/cases/"+e.caseID+"/refer?support_types=shelter&beds_province=09")
	want(t, "refer form", r, http.StatusOK)
	has(t, "free beds", r, e.msg("referrals.free_beds_title"), "Casa Esperanza Guayaquil",
		e.msg("referrals.free_beds_of", "Count", 3, "Type", e.msg("referrals.bed.girls")))
	hasNot(t, "free beds", r, "Casa Llena")
	// Choosing the shelter picks its operator as the receiving institution.
	r = w.post(t, "/cases/"+e.caseID+"/refer", url.Values{"support_types": {"shelter"}, "beds_province": {"09"},
		"pick_agency": {e.casa.ID}})
	want(t, "pick shelter", r, http.StatusOK)
	has(t, "pick shelter", r, `<option value="`+e.casa.ID+`" selected>`, e.msg("referrals.chosen"))
	r = w.get(t, "/cases/"+e.caseID+"/refer?support_types=shelter&beds_province=17")
	has(t, "no free beds in Pichincha", r, e.msg("referrals.free_beds_none"))
	// Without shelter among the support types, no bed panel.
	r = w.get(t, "/cases/"+e.caseID+"/refer?support_types=health")
	hasNot(t, "health referral", r, e.msg("referrals.free_beds_title"))
}

var pathTagRe = regexp.MustCompile(`<path d="M[^"]+"[^>]*data-province="(\d\d)"`)

func TestServiceMapScreensAndExports(t *testing.T) {
	e := newEnv(t, "sqlite")
	nat := e.as(t, access.NationalCoordinator, e.office)
	admin := e.as(t, access.Admin, e.office)

	r := admin.get(t, "/services")
	want(t, "empty directory", r, http.StatusOK)
	has(t, "empty directory", r, e.msg("referrals.services_empty"), e.msg("referrals.services_empty_ask"))
	want(t, "admin creating", admin.get(t, "/services/new"), http.StatusForbidden)

	// The coordinator's form keeps what was typed and lists the errors.
	r = nat.post(t, "/services", url.Values{"agency_id": {e.casa.ID}, "type": {"shelter"}, "name": {"Acogida especializada"}})
	want(t, "incomplete service", r, http.StatusUnprocessableEntity)
	has(t, "incomplete service", r, e.msg("referrals.err.populations"), e.msg("referrals.err.areas"), "Acogida especializada")
	r = nat.post(t, "/services", url.Values{"agency_id": {e.casa.ID}, "type": {"shelter"}, "name": {"Acogida especializada"},
		"populations": {"children", "adolescents"}, "province": {"09", "24"}, "canton": {"0901"},
		"contact_phone": {"+593 4 123 4567"}, "hours": {"24 horas"}, "active": {"1"}, "description": {"=cmd|' /C calc'!A0"}})
	want(t, "create service", r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	r = nat.get(t, loc)
	has(t, "service page", r, "Acogida especializada", "Guayaquil (Guayas)", "Santa Elena", "24 horas")
	hasNot(t, "service page", r, ">Guayas<") // narrowed to the canton
	r = nat.post(t, loc, url.Values{"agency_id": {e.ngo.ID}, "type": {"psychosocial"}, "name": {"Escucha para mujeres"},
		"populations": {"women"}, "province": {"17"}, "active": {"1"}})
	want(t, "second service (edit the first)", r, http.StatusSeeOther)
	for _, in := range []referrals.OfferInput{
		{AgencyID: e.casa.ID, SupportType: "shelter", Name: "Acogida especializada", Populations: []string{"children"},
			Areas: []referrals.Area{{Province: "09", Canton: "0901"}, {Province: "24"}}, ContactPhone: "+593 4 123 4567", Active: true},
		{AgencyID: e.fge.ID, SupportType: "legal", Name: "Asesoría a víctimas", Populations: []string{"women", "men"},
			Areas: []referrals.Area{{Province: "17"}, {Province: "09"}}, Active: true},
		{AgencyID: e.fge.ID, SupportType: "legal", Name: "Servicio cerrado", Populations: []string{"men"},
			Areas: []referrals.Area{{Province: "01"}}, Active: false},
	} {
		if _, err := e.Referrals.SaveOffer(e.ctx(nat.User), "", in); err != nil {
			t.Fatal(err)
		}
	}

	r = admin.get(t, "/services?province=09")
	want(t, "directory by province", r, http.StatusOK)
	has(t, "directory by province", r, "Acogida especializada", "Asesoría a víctimas", e.msg("app.total", "Count", 2))
	hasNot(t, "directory by province", r, "Escucha para mujeres", "Servicio cerrado")
	r = admin.get(t, "/services?q=asesor&type=legal&population=women")
	has(t, "search", r, "Asesoría a víctimas")
	hasNot(t, "search", r, "Acogida especializada")
	r = admin.get(t, "/services?q=zzz")
	has(t, "no match", r, e.msg("referrals.services_none_match"))
	r = nat.get(t, "/services?inactive=1&province=01")
	has(t, "inactive for coordination", r, "Servicio cerrado", e.msg("referrals.inactive_badge"))

	// Exports follow the filters and are audited.
	r = admin.get(t, "/services.csv?province=09")
	want(t, "csv", r, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != e.msg("referrals.service_name") || recs[1][0] != "Acogida especializada" {
		t.Fatalf("csv: %q", recs)
	}
	r = admin.get(t, "/services.xlsx?type=legal")
	want(t, "xlsx", r, http.StatusOK)
	x, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, err := x.GetRows(e.msg("referrals.export_sheet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "Asesoría a víctimas" || rows[1][1] != e.fge.Name {
		t.Fatalf("xlsx rows: %q", rows)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_events WHERE action = 'export.services'"); n != 2 {
		t.Fatalf("%d export audit events, want 2", n)
	}

	// The map: 24 provinces drawn, the table beside it with the numbers.
	r = admin.get(t, "/services/map")
	want(t, "map", r, http.StatusOK)
	seen := map[string]bool{}
	for _, m := range pathTagRe.FindAllStringSubmatch(r.Body, -1) {
		seen[m[1]] = true
	}
	if len(seen) != 24 {
		t.Fatalf("the map draws %d provinces, want 24", len(seen))
	}
	has(t, "map", r, e.msg("referrals.map_lead", "Count", 3), `<tr data-province="09"><th scope="row"><a href="/services?province=09">Guayas</a></th><td class="number">2</td>`)
	r = admin.get(t, "/services/map?type=legal")
	has(t, "map by type", r, `<tr data-province="17"><th scope="row"><a href="/services?province=17&type=legal">Pichincha</a></th><td class="number">1</td>`)
}

func TestReferralScreensByRole(t *testing.T) {
	e := newEnv(t, "sqlite")
	mon := e.as(t, access.Monitoring, e.office)
	want(t, "monitoring on /referrals", mon.get(t, "/referrals"), http.StatusForbidden)
	want(t, "monitoring on the map", mon.get(t, "/services"), http.StatusForbidden)
	admin := e.as(t, access.Admin, e.office)
	r := admin.get(t, "/services")
	want(t, "admin on the directory", r, http.StatusOK)
	has(t, "admin menu", r, `href="/services"`)
	hasNot(t, "admin menu", r, `href="/referrals"`)
	want(t, "admin on the map", admin.get(t, "/services/map"), http.StatusOK)
	want(t, "admin on /referrals", admin.get(t, "/referrals"), http.StatusForbidden)
	coord := e.as(t, access.ShelterCoordinator, e.casa)
	want(t, "coordinator referring", coord.get(t, "/cases/"+e.caseID+"/refer"), http.StatusForbidden)
	r = coord.get(t, "/referrals")
	want(t, "coordinator's inbox", r, http.StatusOK)
	has(t, "coordinator's inbox", r, e.msg("referrals.empty_incoming"), `aria-current="page" id="tab-incoming"`)
	// Another NGO's worker neither sees the case nor its referrals.
	other := e.as(t, access.CaseWorker, e.agency(t, "otra", "Otra ONG", "ngo", "17"))
	want(t, "outsider referring", other.get(t, "/cases/"+e.caseID+"/refer"), http.StatusNotFound)
	e.consent(t, "referral", e.casa.ID, "given")
	id := e.browser(t, e.worker).send(t, url.Values{"to_agency_id": {e.casa.ID}, "support_types": {"health"}})
	want(t, "outsider reading", other.get(t, "/referrals/"+id), http.StatusNotFound)
}
