package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
)

// who says who may use a route, as this test expects it: written out by hand and
// derived from nothing in the app, so that a change to a route's Access (or a new route)
// shows up here as a failure someone must look at.
type who struct {
	kind  whoKind
	roles []access.Role // for onlyRoles
}

type whoKind int

const (
	public   whoKind = iota // anyone, signed in or not
	signIn                  // pages of an unfinished sign-in: the handler checks the stage
	signedIn                // any signed-in user, whatever the role
	onlyRoles
)

func roles(rs ...access.Role) who { return who{kind: onlyRoles, roles: rs} }

// everyRole is written out (not access.Roles) so that adding a role is a decision here.
var everyRole = []access.Role{access.Admin, access.CaseWorker, access.CaseSupervisor,
	access.ShelterCoordinator, access.ReintegrationOfficer, access.LocalFocalPoint,
	access.NationalCoordinator, access.ProsecutionLiaison, access.Monitoring,
	access.DataProtectionOfficer}

// routeTable is the route × role table: every pattern of App.Routes and who may use it.
var routeTable = map[string]who{
	// Core pages and probes.
	"GET /{$}":         {kind: public},
	"POST /lang":       {kind: public},
	"GET /healthz":     {kind: public},
	"GET /readyz":      {kind: public},
	"GET /metrics":     {kind: public},
	"GET /static/":     {kind: public},
	"GET /geo/cantons": {kind: public},

	// Sign-in.
	"GET /login":                       {kind: public},
	"POST /login":                      {kind: public},
	"POST /logout":                     {kind: public},
	"GET /login/mfa":                   {kind: signIn},
	"POST /login/mfa":                  {kind: signIn},
	"GET /login/enrol":                 {kind: signIn},
	"POST /login/enrol":                {kind: signIn},
	"POST /login/recovery-codes":       {kind: signIn},
	"GET /password":                    {kind: signIn},
	"POST /password":                   {kind: signIn},
	"GET /reset/{token}":               {kind: public},
	"POST /reset/{token}":              {kind: public},
	"GET /profile":                     {kind: signedIn},
	"POST /profile/tokens":             roles(everyRole...),
	"POST /profile/tokens/{id}/revoke": roles(everyRole...),
	"POST /profile/logout-all":         {kind: signedIn},
	"POST /profile/recovery-codes":     {kind: signedIn},
	"GET /api/v1/me":                   {kind: signedIn},

	// Administration of users and agencies: the administrator; the data protection
	// officer may look.
	"GET /admin/users":                     roles(access.Admin, access.DataProtectionOfficer),
	"GET /admin/users.csv":                 roles(access.Admin, access.DataProtectionOfficer),
	"GET /admin/users/{id}":                roles(access.Admin, access.DataProtectionOfficer),
	"GET /admin/users/new":                 roles(access.Admin),
	"POST /admin/users":                    roles(access.Admin),
	"POST /admin/users/{id}":               roles(access.Admin),
	"POST /admin/users/{id}/deactivate":    roles(access.Admin),
	"POST /admin/users/{id}/reactivate":    roles(access.Admin),
	"POST /admin/users/{id}/reset-2fa":     roles(access.Admin),
	"POST /admin/users/{id}/unlock":        roles(access.Admin),
	"POST /admin/users/{id}/reset-link":    roles(access.Admin),
	"POST /admin/users/{id}/end-sessions":  roles(access.Admin),
	"GET /admin/agencies":                  roles(access.Admin, access.DataProtectionOfficer),
	"GET /admin/agencies/{id}":             roles(access.Admin, access.DataProtectionOfficer),
	"GET /admin/agencies/new":              roles(access.Admin),
	"POST /admin/agencies":                 roles(access.Admin),
	"POST /admin/agencies/{id}":            roles(access.Admin),
	"POST /admin/agencies/{id}/deactivate": roles(access.Admin),
	"POST /admin/agencies/{id}/reactivate": roles(access.Admin),

	// The audit trail: the data protection officer only.
	"GET /audit":        roles(access.DataProtectionOfficer),
	"GET /audit.csv":    roles(access.DataProtectionOfficer),
	"GET /audit/verify": roles(access.DataProtectionOfficer),
	"GET /api/v1/audit": roles(access.DataProtectionOfficer),

	// Cases: those who work a case see it; workers and supervisors change it;
	// supervisors approve and assign. What each relation to one case sees of it (owner,
	// assigned, referral, shelter, prosecution) is TestRouteRelations.
	"GET /work":       roles(caseViewers...),
	"GET /cases":      roles(caseViewers...),
	"GET /cases/{id}": roles(caseViewers...),
	"GET /cases/{id}/attachments/{attachment}": roles(caseViewers...),
	"GET /cases.csv":                                roles(caseEditors...),
	"GET /cases/{id}/case-file.pdf":                 roles(caseEditors...),
	"GET /cases/new":                                roles(caseEditors...),
	"POST /cases":                                   roles(caseEditors...),
	"GET /cases/{id}/edit":                          roles(caseEditors...),
	"POST /cases/{id}":                              roles(caseEditors...),
	"POST /cases/{id}/consents":                     roles(caseEditors...),
	"GET /cases/{id}/consents/withdraw":             roles(caseEditors...),
	"POST /cases/{id}/approvals":                    roles(caseEditors...),
	"POST /cases/{id}/approvals/{approval}/approve": roles(access.CaseSupervisor),
	"POST /cases/{id}/approvals/{approval}/reject":  roles(access.CaseSupervisor),
	"POST /cases/{id}/move":                         roles(caseEditors...),
	"POST /cases/{id}/reopen":                       roles(caseEditors...),
	"POST /cases/{id}/assign":                       roles(access.CaseSupervisor),
	"POST /cases/{id}/services":                     roles(caseViewers...), // a receiving agency records what it delivers
	"POST /cases/{id}/services/{service}":           roles(caseViewers...),
	"POST /cases/{id}/tasks":                        roles(caseEditors...),
	"POST /cases/{id}/tasks/{task}/done":            roles(caseEditors...),
	"POST /cases/{id}/follow-up":                    roles(caseEditors...),
	"POST /cases/{id}/notes":                        roles(caseViewers...), // a receiving agency writes its own
	"POST /uploads/cases/{id}":                      roles(caseEditors...),
	"POST /cases/{id}/risk":                         roles(caseEditors...),
	"POST /cases/{id}/flags":                        roles(caseEditors...),
	"POST /cases/{id}/flags/{flag}/clear":           roles(caseEditors...),
	"POST /cases/{id}/events":                       roles(caseEditors...),
	"POST /cases/{id}/events/{event}/delete":        roles(caseEditors...),

	// Connection requests about likely duplicates: those who register cases send them
	// and see their answers; supervisors decide those addressed to their institution.
	"POST /duplicate-checks/{id}/request":          roles(caseEditors...),
	"GET /duplicate-requests":                      roles(caseEditors...),
	"GET /duplicate-requests/{id}":                 roles(access.CaseSupervisor),
	"POST /duplicate-requests/{id}/connect":        roles(access.CaseSupervisor),
	"POST /duplicate-requests/{id}/decline":        roles(access.CaseSupervisor),
	"POST /api/v1/duplicate-checks/{id}/request":   roles(caseEditors...),
	"GET /api/v1/duplicate-requests":               roles(caseEditors...),
	"GET /api/v1/duplicate-requests/{id}":          roles(access.CaseSupervisor),
	"POST /api/v1/duplicate-requests/{id}/connect": roles(access.CaseSupervisor),
	"POST /api/v1/duplicate-requests/{id}/decline": roles(access.CaseSupervisor),

	// The case API: those who work a case see it; workers and supervisors change it;
	// supervisors approve.
	"GET /api/v1/cases":                roles(caseViewers...),
	"GET /api/v1/cases/{id}":           roles(caseViewers...),
	"GET /api/v1/cases/{id}/consents":  roles(caseViewers...),
	"POST /api/v1/cases":               roles(caseEditors...),
	"PATCH /api/v1/cases/{id}":         roles(caseEditors...),
	"POST /api/v1/cases/{id}/consents": roles(caseEditors...),
	"POST /api/v1/cases/{id}/status":   roles(caseEditors...),
	"GET /api/v1/approvals":            roles(access.CaseSupervisor),
	"POST /api/v1/approvals/{id}":      roles(access.CaseSupervisor),

	// Shelters: the registry for everyone who may view shelters; residents for the
	// operator's coordinator; assessments for the operator and national coordination.
	"GET /shelters":                              roles(shelterViewers...),
	"GET /shelters/{id}":                         roles(shelterViewers...),
	"GET /api/v1/shelters":                       roles(shelterViewers...),
	"GET /api/v1/shelters/{id}":                  roles(shelterViewers...),
	"GET /shelters/new":                          roles(access.NationalCoordinator),
	"POST /shelters":                             roles(access.NationalCoordinator),
	"GET /shelters/{id}/edit":                    roles(access.ShelterCoordinator, access.NationalCoordinator),
	"POST /shelters/{id}":                        roles(access.ShelterCoordinator, access.NationalCoordinator),
	"GET /shelters/{id}/assessments/new":         roles(access.ShelterCoordinator, access.NationalCoordinator),
	"POST /shelters/{id}/assessments":            roles(access.ShelterCoordinator, access.NationalCoordinator),
	"POST /shelters/{id}/finances":               roles(access.ShelterCoordinator, access.NationalCoordinator),
	"POST /shelters/{id}/actions":                roles(access.ShelterCoordinator, access.NationalCoordinator),
	"POST /shelters/{id}/actions/{action}":       roles(access.ShelterCoordinator, access.NationalCoordinator),
	"POST /shelters/{id}/stays":                  roles(access.ShelterCoordinator),
	"POST /api/v1/shelters/{id}/stays":           roles(access.ShelterCoordinator),
	"POST /shelters/{id}/stays/{stay}/discharge": roles(access.ShelterCoordinator),

	// The service map: everyone who refers or coordinates; national coordination edits.
	"GET /services":             roles(mapViewers...),
	"GET /services.csv":         roles(mapViewers...),
	"GET /services.xlsx":        roles(mapViewers...),
	"GET /services/map":         roles(mapViewers...),
	"GET /services/{id}":        roles(mapViewers...),
	"GET /api/v1/services":      roles(mapViewers...),
	"GET /api/v1/services/{id}": roles(mapViewers...),
	"GET /services/new":         roles(access.NationalCoordinator),
	"POST /services":            roles(access.NationalCoordinator),
	"GET /services/{id}/edit":   roles(access.NationalCoordinator),
	"POST /services/{id}":       roles(access.NationalCoordinator),

	// Referrals: workers and supervisors send; receiving institutions answer.
	"GET /cases/{id}/refer":                roles(refSenders...),
	"POST /cases/{id}/refer":               roles(refSenders...),
	"POST /cases/{id}/referrals":           roles(refSenders...),
	"POST /referrals/{id}/cancel":          roles(refSenders...),
	"POST /api/v1/referrals":               roles(refSenders...),
	"POST /api/v1/referrals/{id}/cancel":   roles(refSenders...),
	"GET /referrals":                       roles(refUsers...),
	"GET /referrals/{id}":                  roles(refUsers...),
	"POST /referrals/{id}/accept":          roles(refUsers...),
	"POST /referrals/{id}/decline":         roles(refUsers...),
	"POST /referrals/{id}/start":           roles(refUsers...),
	"POST /referrals/{id}/complete":        roles(refUsers...),
	"GET /api/v1/referrals":                roles(refUsers...),
	"GET /api/v1/referrals/{id}":           roles(refUsers...),
	"POST /api/v1/referrals/{id}/accept":   roles(refUsers...),
	"POST /api/v1/referrals/{id}/decline":  roles(refUsers...),
	"POST /api/v1/referrals/{id}/start":    roles(refUsers...),
	"POST /api/v1/referrals/{id}/complete": roles(refUsers...),
}

// Role groups of the table, written out by hand.
var (
	caseViewers = []access.Role{access.CaseWorker, access.CaseSupervisor, access.ShelterCoordinator,
		access.ReintegrationOfficer, access.ProsecutionLiaison}
	caseEditors = []access.Role{access.CaseWorker, access.CaseSupervisor}
	mapViewers  = []access.Role{access.Admin, access.CaseWorker, access.CaseSupervisor, access.ShelterCoordinator,
		access.ReintegrationOfficer, access.LocalFocalPoint, access.NationalCoordinator, access.ProsecutionLiaison}
	refUsers = []access.Role{access.CaseWorker, access.CaseSupervisor, access.ShelterCoordinator,
		access.ReintegrationOfficer, access.ProsecutionLiaison}
	refSenders     = []access.Role{access.CaseWorker, access.CaseSupervisor}
	shelterViewers = []access.Role{access.Admin, access.CaseWorker, access.CaseSupervisor, access.ShelterCoordinator,
		access.ReintegrationOfficer, access.LocalFocalPoint, access.NationalCoordinator, access.Monitoring}
)

func (w who) allows(role access.Role) bool {
	switch w.kind {
	case public, signIn, signedIn:
		return true
	}
	for _, r := range w.roles {
		if r == role {
			return true
		}
	}
	return false
}

// placeholder stands in for every path parameter; a handler may answer 404 for it,
// which still proves the request passed the guard.
const placeholder = "00000000-0000-0000-0000-000000000000"

var wildcardRe = regexp.MustCompile(`\{[^}]*\}`)

// requestFor turns a mux pattern ("POST /profile/tokens/{id}/revoke") into a method and
// a concrete path.
func requestFor(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = http.MethodGet, pattern
	}
	path = strings.TrimSpace(path)
	if i := strings.IndexByte(path, '/'); i > 0 { // a host pattern: keep the path
		path = path[i:]
	}
	path = wildcardRe.ReplaceAllStringFunc(path, func(w string) string {
		if w == "{$}" {
			return ""
		}
		return placeholder
	})
	return method, path
}

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") }

// body returns an empty form for pages and an empty JSON object for the API.
func bodyFor(method, path string) (string, map[string]string) {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return "", nil
	}
	if isAPI(path) {
		return "{}", map[string]string{"Content-Type": "application/json"}
	}
	return "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
}

// TestRouteTableComplete fails for a route with no entry in routeTable, and for an entry
// whose route is gone. It builds the app without signing anyone in, so it is quick and
// names every missing route at once.
func TestRouteTableComplete(t *testing.T) {
	ta := newApp(t, "sqlite")
	checkTableComplete(t, ta)
}

func checkTableComplete(t *testing.T, ta *testApp) {
	t.Helper()
	seen := map[string]bool{}
	for _, rt := range ta.Routes() {
		if seen[rt.Pattern] {
			t.Errorf("route %q appears twice in App.Routes", rt.Pattern)
		}
		seen[rt.Pattern] = true
		if _, ok := routeTable[rt.Pattern]; !ok {
			t.Errorf("route %q has no entry in the route × role table: add one to routeTable in internal/app/routes_test.go", rt.Pattern)
		}
	}
	for p := range routeTable {
		if !seen[p] {
			t.Errorf("route × role table names %q, which is no longer a route: remove the entry", p)
		}
	}
}

// TestRouteRoles sends every route a request from anonymous, from each of the ten roles
// with a real signed-in browser session, and (for /api/) with each role's API token, and
// checks the answer against routeTable: anonymous is sent to sign in (401 for the API),
// a role without permission gets 403 (and an access.denied audit event), an allowed role
// gets past the guard, and nobody ever gets a 500.
func TestRouteRoles(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) { testRouteRoles(t, engine) })
	}
}

// routeCase is one route of the table with the request that exercises it.
type routeCase struct {
	pattern      string
	want         who
	method, path string
	body         string
	hdr          map[string]string
}

// testRouteRoles runs anonymous and each role as parallel subtests over every route, so
// sign-ins (argon2) and requests of different roles overlap.
func testRouteRoles(t *testing.T, engine string) {
	ta := newApp(t, engine)
	checkTableComplete(t, ta)

	var cases []routeCase
	for _, rt := range ta.Routes() {
		want, ok := routeTable[rt.Pattern]
		if !ok {
			continue // reported by checkTableComplete
		}
		method, path := requestFor(rt.Pattern)
		body, hdr := bodyFor(method, path)
		cases = append(cases, routeCase{pattern: rt.Pattern, want: want, method: method, path: path, body: body, hdr: hdr})
	}
	ag := ta.createAgency(t, "agencia-rutas")

	t.Run("anonymous", func(t *testing.T) {
		t.Parallel()
		anon := ta.newBrowser(t, "", "")
		badToken := &bearer{ta: ta, c: anon.c, token: "amp_revoked-or-made-up"}
		for _, rc := range cases {
			resp, got := anon.do(t, rc.method, rc.path, strings.NewReader(rc.body), rc.hdr)
			checkAnonymous(t, rc.want, rc.method, rc.path, resp, got)
			if isAPI(rc.path) {
				resp, got = badToken.do(t, rc.method, rc.path, strings.NewReader(rc.body), rc.hdr)
				checkAnonymous(t, rc.want, rc.method, rc.path+" (bad token)", resp, got)
			}
		}
	})
	for _, role := range everyRole {
		t.Run(string(role), func(t *testing.T) {
			t.Parallel()
			u := ta.createUser(t, ag.ID, role, roleEmail(role))
			b := ta.newBrowser(t, u.Email, testPassword)
			b.signIn(t)
			api := ta.newBearer(t, u.ID)
			denied := func() int64 {
				_, n, err := ta.Audit.List(context.Background(),
					audit.Filter{Action: "access.denied", ActorID: u.ID, Limit: 1})
				if err != nil {
					t.Fatalf("audit list: %v", err)
				}
				return n
			}
			before := denied()
			for _, rc := range cases {
				resp, got := b.do(t, rc.method, rc.path, strings.NewReader(rc.body), rc.hdr)
				checkRole(t, rc.want, role, "session", rc.method, rc.path, resp, got)
				if resp.StatusCode == http.StatusForbidden && rc.want.kind == onlyRoles {
					if n := denied(); n <= before {
						t.Errorf("%s %s as %s: 403 without an access.denied audit event", rc.method, rc.path, role)
					} else {
						before = n
					}
				}
				b.ensureSignedIn(t)
				if isAPI(rc.path) {
					resp, got := api.do(t, rc.method, rc.path, strings.NewReader(rc.body), rc.hdr)
					checkRole(t, rc.want, role, "API token", rc.method, rc.path, resp, got)
				}
			}
		})
	}
}

// checkAnonymous: public routes answer; anything else sends a browser to sign in (or
// answers 401 to the API and to a form posted without a session).
func checkAnonymous(t *testing.T, want who, method, path string, resp *http.Response, body string) {
	t.Helper()
	st, loc := resp.StatusCode, resp.Header.Get("Location")
	if st >= 500 {
		t.Errorf("%s %s anonymous: status %d\n%s", method, path, st, short(body))
		return
	}
	switch {
	case want.kind == public:
		if st == http.StatusUnauthorized || st == http.StatusForbidden {
			t.Errorf("%s %s anonymous: status %d, but the route is public", method, path, st)
		}
	case want.kind == signIn:
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("%s %s anonymous: status %d to %q, want 303 to /login", method, path, st, loc)
		}
	case isAPI(path):
		if st != http.StatusUnauthorized {
			t.Errorf("%s %s anonymous: status %d, want 401", method, path, st)
			return
		}
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s anonymous: 401 without WWW-Authenticate", method, path)
		}
		checkJSONError(t, method+" "+path+" anonymous", body, "unauthenticated")
	case method == http.MethodGet:
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("%s %s anonymous: status %d to %q, want 303 to /login?next=…", method, path, st, loc)
			return
		}
		next, _ := url.Parse(loc)
		if got := next.Query().Get("next"); got != path {
			t.Errorf("%s %s anonymous: sent to sign in with next=%q, want %q", method, path, got, path)
		}
	default:
		// A form posted without a session cannot be replayed after signing in: the page
		// says to sign in (401) or the browser is sent there.
		if st != http.StatusUnauthorized && !(st == http.StatusSeeOther && strings.HasPrefix(loc, "/login")) {
			t.Errorf("%s %s anonymous: status %d to %q, want 401 or 303 to /login", method, path, st, loc)
		}
	}
}

// checkRole: a role with permission gets past the guard (not 401/403, not sent to sign
// in); a role without gets 403; never a 500.
func checkRole(t *testing.T, want who, role access.Role, via, method, path string, resp *http.Response, body string) {
	t.Helper()
	st, loc := resp.StatusCode, resp.Header.Get("Location")
	what := method + " " + path + " as " + string(role) + " (" + via + ")"
	if st >= 500 {
		t.Errorf("%s: status %d\n%s", what, st, short(body))
		return
	}
	if !want.allows(role) {
		if st != http.StatusForbidden {
			t.Errorf("%s: status %d to %q, want 403: the role has no permission for this route", what, st, loc)
			return
		}
		if isAPI(path) {
			checkJSONError(t, what, body, "forbidden")
		}
		return
	}
	if st == http.StatusUnauthorized {
		t.Errorf("%s: status 401, but the user is signed in\n%s", what, short(body))
		return
	}
	// Sign-in pages decide by the session's stage: a signed-in user may be refused an
	// enrolment they no longer need (403). Every other allowed route must let them in.
	if st == http.StatusForbidden && want.kind != signIn {
		t.Errorf("%s: status 403, but the role may use this route\n%s", what, short(body))
		return
	}
	if st == http.StatusSeeOther && (strings.HasPrefix(loc, "/login?") || loc == "/login/mfa" || loc == "/login/enrol") {
		t.Errorf("%s: sent to %q, but the user is signed in", what, loc)
	}
}

func checkJSONError(t *testing.T, what, body, code string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Errorf("%s: body is not a JSON error: %v\n%s", what, err, short(body))
		return
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("%s: JSON error code %q message %q, want code %q and a message", what, e.Error.Code,
			e.Error.Message, code)
	}
}

// TestHalfSignedIn: after the password alone, a role that needs a second factor is sent
// to finish signing in and gets nothing else; the API refuses the half session.
func TestHalfSignedIn(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-medio")
	u := ta.createUser(t, ag.ID, access.CaseWorker, "medio@amparo.test")
	b := ta.newBrowser(t, u.Email, testPassword)
	resp, body := b.postForm(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/enrol" {
		t.Fatalf("sign in: status %d to %q, want 303 to /login/enrol\n%s", resp.StatusCode,
			resp.Header.Get("Location"), short(body))
	}
	for _, p := range []string{"/", "/profile"} {
		resp, _ := b.do(t, http.MethodGet, p, nil, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/enrol" {
			t.Errorf("GET %s half signed in: status %d to %q, want 303 to /login/enrol", p,
				resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, body = b.do(t, http.MethodGet, "/api/v1/me", nil, nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me half signed in: status %d, want 401", resp.StatusCode)
	}
	checkJSONError(t, "GET /api/v1/me half signed in", body, "unauthenticated")
	resp, _ = b.postForm(t, "/profile/tokens", url.Values{"name": {"x"}, "days": {"30"}})
	if resp.StatusCode == http.StatusOK {
		t.Errorf("POST /profile/tokens half signed in: status 200, want a refusal")
	}
}

// TestBadBearerToken: an unknown, malformed or revoked token gets 401 on the API, even
// with a valid session cookie beside it.
func TestBadBearerToken(t *testing.T) {
	ta := newApp(t, "sqlite")
	ag := ta.createAgency(t, "agencia-token")
	u := ta.createUser(t, ag.ID, access.Monitoring, "token@amparo.test")
	b := ta.newBrowser(t, u.Email, testPassword)
	b.signIn(t)
	good := ta.newBearer(t, u.ID)
	resp, body := good.do(t, http.MethodGet, "/api/v1/me", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"email":"token@amparo.test"`) {
		t.Fatalf("GET /api/v1/me with a good token: status %d\n%s", resp.StatusCode, short(body))
	}
	for _, tok := range []string{"amp_nonsense", "not-a-token", good.token + "x"} {
		resp, body := b.do(t, http.MethodGet, "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + tok})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: status %d, want 401", tok, resp.StatusCode)
		}
		checkJSONError(t, "bad token", body, "unauthenticated")
	}
}

// TestReadyzWithDatabaseClosed: /readyz answers 503 once the database is gone, while
// /healthz (the process is alive) still answers 200.
func TestReadyzWithDatabaseClosed(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := openApp(t, engine)
			h := ta.Handler()
			get := func(p string) *httptest.ResponseRecorder {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
				return rec
			}
			if rec := get("/readyz"); rec.Code != http.StatusOK {
				t.Fatalf("/readyz with the database open: status %d, want 200", rec.Code)
			}
			if err := ta.DB.Close(); err != nil {
				t.Fatalf("close database: %v", err)
			}
			if rec := get("/readyz"); rec.Code != http.StatusServiceUnavailable {
				t.Errorf("/readyz with the database closed: status %d, want 503\n%s", rec.Code, rec.Body)
			}
			if rec := get("/healthz"); rec.Code != http.StatusOK {
				t.Errorf("/healthz with the database closed: status %d, want 200", rec.Code)
			}
		})
	}
}
