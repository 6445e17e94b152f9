package app_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// TestReceiversCannotChangeTheCase: every receiving relation to a case (the NGO of an
// accepted referral, through a worker and through a supervisor, whose agency scope
// reaches the case by its relation; the shelter; the prosecution office) tries every
// route that changes the owner's file, on the screens and the API: each is refused,
// including the screens that only lead to a change (the edit form, the consent
// withdrawal form), and the file is as it was.
func TestReceiversCannotChangeTheCase(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			rc := setUpRelations(t, ta)
			w := as(rc.users[relAssigned])
			recvSup := ta.createUser(t, rc.users[relReferral].AgencyID, access.CaseSupervisor, "sup@recibe.test")
			svc, err := ta.Cases.AddService(w, rc.id, cases.ServiceInput{SupportType: "health", ProviderName: "Centro de salud"})
			if err != nil {
				t.Fatal(err)
			}
			ap, err := ta.Cases.RequestApproval(w, rc.id, "screening", "actual")
			if err != nil {
				t.Fatal(err)
			}
			tasks, err := ta.Cases.Tasks(w, rc.id)
			if err != nil || len(tasks) == 0 {
				t.Fatalf("tasks: %v %v", tasks, err)
			}
			flags, err := ta.Cases.Flags(w, rc.id, false)
			if err != nil || len(flags) == 0 {
				t.Fatalf("flags: %v %v", flags, err)
			}
			events, err := ta.Cases.Events(w, rc.id)
			if err != nil || len(events) == 0 {
				t.Fatalf("events: %v %v", events, err)
			}
			before := fileSnapshot(t, ta, rc)

			page := "/cases/" + rc.id
			later := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
			forms := []struct {
				path string
				v    url.Values
			}{
				{page, url.Values{"version": {"1"}, "person.given_names": {"Otra"}, "person.sex": {"female"}}},
				{page + "/consents", url.Values{"consent.purpose": {"statistics"}, "consent.status": {"given"},
					"consent.given_by": {"representative"}, "consent.representative": {"x"}, "consent.method": {"written"}}},
				{page + "/approvals", url.Values{"approval.kind": {"plan"}}},
				{page + "/approvals/" + ap.ID + "/approve", url.Values{}},
				{page + "/approvals/" + ap.ID + "/reject", url.Values{"decide.comment": {"no"}}},
				{page + "/move", url.Values{"move.to": {"screened"}}},
				{page + "/reopen", url.Values{"reopen.reason": {"x"}}},
				{page + "/assign", url.Values{"assign.assigned_to": {recvSup.ID}}},
				{page + "/services/" + svc.ID, url.Values{"svc-" + svc.ID + ".status": {"cancelled"}}},
				{page + "/tasks", url.Values{"task.title": {"x"}, "task.due_on": {later}}},
				{page + "/tasks/" + tasks[0].ID + "/done", url.Values{}},
				{page + "/follow-up", url.Values{"follow.next_follow_up": {later}}},
				{page + "/risk", url.Values{"risk.risk_level": {"low"}, "risk.safety_plan": {"x"}}},
				{page + "/flags", url.Values{"flag.flag": {"trafficker_contact"}, "flag.reason": {"x"}}},
				{page + "/flags/" + flags[0].ID + "/clear", url.Values{}},
				{page + "/events", url.Values{"event.kind": {"transit"}, "event.country": {"ECU"}}},
				{page + "/events/" + events[0].ID + "/delete", url.Values{}},
				{page + "/refer", url.Values{}},
				{page + "/referrals", url.Values{"to_agency_id": {rc.users[relOutsider].AgencyID}, "support_types": {"health"}}},
			}
			pages := []string{page + "/edit", page + "/consents/withdraw?purpose=referral&agency_id=" + recvSup.AgencyID,
				page + "/refer"}
			apis := []struct{ method, path, body string }{
				{http.MethodPatch, "/api/v1/cases/" + rc.id, `{"person":{"given_names":"Otra"}}`},
				{http.MethodPost, "/api/v1/cases/" + rc.id + "/consents", `{"purpose":"statistics","status":"given",` +
					`"given_by":"representative","representative":"x","method":"written","decided_on":"2025-01-01"}`},
				{http.MethodPost, "/api/v1/cases/" + rc.id + "/status", `{"action":"move","to":"screened"}`},
				{http.MethodPost, "/api/v1/cases/" + rc.id + "/status", `{"action":"request_approval","kind":"plan"}`},
				{http.MethodPost, "/api/v1/approvals/" + ap.ID, `{"decision":"approve"}`},
				{http.MethodPost, "/api/v1/referrals", fmt.Sprintf(`{"case_id":%q,"to_agency_id":%q,"support_types":["health"]}`,
					rc.id, rc.users[relOutsider].AgencyID)},
			}
			receivers := map[string]string{relReferral: rc.users[relReferral].Email, "referral-supervisor": recvSup.Email,
				relShelter: rc.users[relShelter].Email, relProsecution: rc.users[relProsecution].Email}
			ids := map[string]string{relReferral: rc.users[relReferral].ID, "referral-supervisor": recvSup.ID,
				relShelter: rc.users[relShelter].ID, relProsecution: rc.users[relProsecution].ID}
			for rel, email := range receivers {
				b := ta.newBrowser(t, email, testPassword)
				b.signIn(t)
				for _, p := range pages {
					resp, body := b.do(t, http.MethodGet, p, nil, nil)
					wantStatus(t, rel+" GET "+p, resp, body, http.StatusForbidden)
				}
				for _, f := range forms {
					resp, body := b.postForm(t, f.path, f.v)
					if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
						t.Errorf("%s POST %s: status %d, want 403 or 404\n%s", rel, f.path, resp.StatusCode, short(body))
					}
				}
				resp, body := upload(t, b, rc.id)
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s uploads a file: status %d, want 403\n%s", rel, resp.StatusCode, short(body))
				}
				api := ta.newBearer(t, ids[rel])
				for _, c := range apis {
					resp, body := api.do(t, c.method, c.path, strings.NewReader(c.body),
						map[string]string{"Content-Type": "application/json"})
					if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
						t.Errorf("%s %s %s: status %d, want 403 or 404\n%s", rel, c.method, c.path, resp.StatusCode, short(body))
					}
				}
			}
			if after := fileSnapshot(t, ta, rc); after != before {
				t.Errorf("the receivers changed the owner's file:\nbefore %s\nafter  %s", before, after)
			}
			// The same upload by the assigned worker goes through: the refusals above are
			// the access rule, not a malformed request.
			b := ta.newBrowser(t, rc.users[relAssigned].Email, testPassword)
			b.signIn(t)
			if resp, body := upload(t, b, rc.id); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("the assigned worker uploads a file: status %d\n%s", resp.StatusCode, short(body))
			}
		})
	}
}

// fileSnapshot sums up the owner's file as its assigned worker reads it: what any
// write route would change.
func fileSnapshot(t *testing.T, ta *testApp, rc *relationsCase) string {
	t.Helper()
	w := as(rc.users[relAssigned])
	c, err := ta.Cases.Get(w, rc.id)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v%d %s %s %s %s %s|", c.Version, c.Status, c.AssignedTo, c.RiskLevel, c.Person.GivenNames, c.NextFollowUp)
	consents, _ := ta.Cases.Consents(w, rc.id)
	tasks, _ := ta.Cases.Tasks(w, rc.id)
	flags, _ := ta.Cases.Flags(w, rc.id, true)
	events, _ := ta.Cases.Events(w, rc.id)
	services, _ := ta.Cases.Services(w, rc.id)
	approvals, _ := ta.Cases.Approvals(w, rc.id)
	files, _ := ta.Cases.Attachments(w, rc.id)
	fmt.Fprintf(&b, "consents %d tasks %d flags %d events %d files %d", len(consents), len(tasks), len(flags), len(events),
		len(files))
	for _, x := range tasks {
		fmt.Fprintf(&b, " task:%v", x.Done)
	}
	for _, x := range flags {
		fmt.Fprintf(&b, " flag:%v", x.Active)
	}
	for _, x := range services {
		fmt.Fprintf(&b, " service:%s:%s", x.AgencyID[:8], x.Status)
	}
	for _, x := range approvals {
		fmt.Fprintf(&b, " approval:%s:%s", x.Kind, x.Status)
	}
	return b.String()
}

// upload sends a small PDF as the case page's attachment form does.
func upload(t *testing.T, b *browser, caseID string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("attachment.file", "informe.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte("%PDF-1.4\n% informe\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.do(t, http.MethodPost, cases.UploadPrefix+caseID, &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
}

// TestReceiversAreNotToldTheCaseClosed: the owner's stage is withheld from receiving
// agencies, so closing the case must not show through their own records: the NGO, the
// shelter and the prosecution office go on writing their notes, and the NGO recording
// the services it delivers, as before (a refusal "the case is closed" would tell them).
func TestReceiversAreNotToldTheCaseClosed(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			rc := setUpRelations(t, ta)
			w := as(rc.users[relAssigned])
			ap, err := ta.Cases.RequestApproval(w, rc.id, "closure", "transferred")
			if err != nil {
				t.Fatal(err)
			}
			if err := ta.Cases.Decide(as(rc.users[relOwner]), ap.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			for _, rel := range []string{relReferral, relShelter, relProsecution} {
				ctx := as(rc.users[rel])
				if _, err := ta.Cases.AddNote(ctx, rc.id, "Seguimiento de "+rel); err != nil {
					t.Errorf("%s writes a note on the closed case: %v", rel, err)
				}
				s, err := ta.Cases.AddService(ctx, rc.id, cases.ServiceInput{SupportType: "psychosocial"})
				if err != nil {
					t.Errorf("%s records a service on the closed case: %v", rel, err)
					continue
				}
				if _, err := ta.Cases.UpdateService(ctx, rc.id, s.ID, "delivered", time.Now().In(time.FixedZone("ECT", -5*3600)).Format("2006-01-02"), ""); err != nil {
					t.Errorf("%s updates its service on the closed case: %v", rel, err)
				}
			}
			// The owner's side still may not change the closed file without reopening it.
			if _, err := ta.Cases.AddNote(w, rc.id, "nota"); errs.CodeOf(err) != errs.CodeConflict {
				t.Errorf("the assigned worker writes a note on the closed case: %v, want a conflict", err)
			}
		})
	}
}
