package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// What the sending agency writes about the girl and must keep to itself.
const (
	ntkOwnerNote  = "Entrevista: la tía conoce al reclutador y vive en Santo Domingo."
	ntkNarrative  = "La llevaron de noche en una camioneta blanca hasta una casa en Quevedo."
	ntkFile       = "informe-psicologico-nayeli"
	ntkShelterNte = "Llegó tranquila; comparte habitación con otra adolescente."
)

// TestNeedToKnowJourney is issue 8's journey on each engine: a case worker registers a
// girl and writes the case file (a note, the trafficking history with what the girl
// told, a psychological report), records her mother's consent to refer her to a
// shelter and refers her. The shelter coordinator accepts the referral and admits her;
// opening the case, the coordinator sees why (the referral, the stay), the fields the
// referral carries and the shelter's own records (its note, the service it delivers),
// and for each part of the file that is not shared a notice saying so — never the
// sending agency's notes, files or narratives, in the page or the API. The worker sees
// the shelter's service in the plan but not its note. When the mother withdraws the
// consent, the shelter gets nothing: 404 on the page and the API, and the residents
// list keeps the stay without the case.
func TestNeedToKnowJourney(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			start := time.Now()
			srv, office, worker, ag, shelterURL := startNetwork(t, engine)
			caseURL, caseNumber := registerGirl(t, worker)
			writeCaseFile(t, worker)
			consentToShelter(t, worker, ag["santa-rosa"])
			refURL, refNumber := referToShelter(t, worker, caseURL, ag["santa-rosa"], engine)

			shelter := office
			visit(t, shelter, srv.URL+"/login")
			follow(t, shelter, "shelter: sign in", signIn(t, shelter, netShelterEmail, netPassword))
			enrol(t, shelter, "shelter coordinator")
			acceptFromInbox(t, shelter, refURL, refNumber)
			admitFromReferral(t, shelter, shelterURL, refURL, refNumber, caseNumber, engine)
			shelterReadsWhatIsShared(t, shelter, srv, caseURL, refNumber, engine)
			shelterKeepsItsRecords(t, shelter, engine)
			ownerSeesTheService(t, worker, caseURL)

			withdrawShelterConsent(t, worker, caseURL, refURL, ag["santa-rosa"])
			shelterLosesAccess(t, shelter, caseURL, refURL)
			apiLosesAccess(t, srv, caseURL, refURL)
			residentWithoutCase(t, shelter, shelterURL, caseNumber, engine)
			t.Logf("%s journey took %s", engine, time.Since(start).Round(100*time.Millisecond))
		})
	}
}

// writeCaseFile: on the case page the tab is on, the worker adds a note, an event of
// the trafficking history with what the girl told, and a PDF report.
func writeCaseFile(t *testing.T, ctx context.Context) {
	t.Helper()
	set(t, ctx, "worker: note", `#note-form`, "note.body", ntkOwnerNote)
	follow(t, ctx, "worker: save the note", chromedp.Click(chromedp.CSS(`#note-form button[type="submit"]`)))
	openDetails(t, ctx, `details#event-add`)
	set(t, ctx, "worker: event", `#event-add form`, "event.kind", "recruitment", "event.narrative", ntkNarrative)
	follow(t, ctx, "worker: save the event", chromedp.Click(chromedp.CSS(`#event-add button[type="submit"]`)))
	file := filepath.Join(t.TempDir(), ntkFile+".pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4\n% informe\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "worker: choose the report", chromedp.SetUploadFiles(chromedp.CSS(`#f-attachment-file`), []string{file}))
	follow(t, ctx, "worker: upload the report", chromedp.Click(chromedp.CSS(`#upload-form button[type="submit"]`)))
	for sel, want := range map[string]string{`#notes`: ntkOwnerNote, `#events`: ntkNarrative, `#attachment-list`: ntkFile} {
		if got := text(t, ctx, sel); !strings.Contains(got, want) {
			t.Errorf("worker: %s reads %q, want %q", sel, got, want)
		}
	}
}

// shelterReadsWhatIsShared: from the residents table the coordinator opens the case:
// why they see it, the referral's fields, notices for what is not shared, and none of
// the sending agency's notes, narratives or files, in the page or the API.
func shelterReadsWhatIsShared(t *testing.T, ctx context.Context, srv *server, caseURL, refNumber, engine string) {
	t.Helper()
	path := caseURL[strings.Index(caseURL, "/cases/"):]
	follow(t, ctx, "shelter: open the case from the residents", chromedp.Click(chromedp.CSS(`#residents-table a[href="`+path+`"]`)))
	why := text(t, ctx, `#why-shared`)
	for _, want := range []string{refNumber, netShelter, "Fundación Esperanza"} {
		if !strings.Contains(why, want) {
			t.Errorf("shelter: why it sees the case reads %q, want %q", why, want)
		}
	}
	person := text(t, ctx, `#person`)
	for _, want := range []string{netGiven, netFamily, "Rosa Elvira Lema"} {
		if !strings.Contains(person, want) {
			t.Errorf("shelter: the person %q lacks %q, which the referral carries", person, want)
		}
	}
	body := text(t, ctx, `main`)
	for _, secret := range []string{netCedula, ntkOwnerNote, ntkNarrative, ntkFile} {
		if strings.Contains(body, secret) {
			t.Errorf("shelter: the case page shows %q, which the referral does not carry", secret)
		}
	}
	for _, sel := range []string{`#workflow-withheld`, `#tasks-withheld`, `#attachments-withheld`, `#history-withheld`,
		`#activity-withheld`, `#person-part`} {
		if got := text(t, ctx, sel); !strings.Contains(got, "no se comparte") && !strings.Contains(got, "no se comparten") &&
			!strings.Contains(got, "Solo se muestran") {
			t.Errorf("shelter: %s reads %q, want a notice that it is not shared", sel, got)
		}
	}
	token := strings.TrimSpace(cli(t, srv, "", "token", "create", "--email", netShelterEmail, "--name", "e2e-ntk"))
	status, js := apiCall(t, srv, token, http.MethodGet, "/api/v1/cases/"+path[len("/cases/"):], nil)
	if status != http.StatusOK || !strings.Contains(js, netGiven) || !strings.Contains(js, `"relations":["referral","shelter"]`) {
		t.Errorf("shelter: GET /api/v1/cases/{id}: %d %s", status, js)
	}
	for _, secret := range []string{netCedula, ntkNarrative, `"status"`} {
		if strings.Contains(js, secret) {
			t.Errorf("shelter: the API shows %q", secret)
		}
	}
	screenshot(t, ctx, "needtoknow_shelter_case_"+engine)
}

// shelterKeepsItsRecords: the coordinator writes a note and records the psychosocial
// care the shelter delivers; both show on the page.
func shelterKeepsItsRecords(t *testing.T, ctx context.Context, engine string) {
	t.Helper()
	set(t, ctx, "shelter: note", `#note-form`, "note.body", ntkShelterNte)
	follow(t, ctx, "shelter: save the note", chromedp.Click(chromedp.CSS(`#note-form button[type="submit"]`)))
	if got := text(t, ctx, `#notes`); !strings.Contains(got, ntkShelterNte) || strings.Contains(got, ntkOwnerNote) {
		t.Errorf("shelter: the notes read %q, want its own note only", got)
	}
	openDetails(t, ctx, `details#service-add`)
	set(t, ctx, "shelter: service", `#service-add form`, "service.support_type", "psychosocial",
		"service.planned_from", guayaquilToday())
	follow(t, ctx, "shelter: record the service", chromedp.Click(chromedp.CSS(`#service-add button[type="submit"]`)))
	if got := text(t, ctx, `#services`); !strings.Contains(got, "Apoyo psicosocial") || !strings.Contains(got, netShelterAg) {
		t.Errorf("shelter: the plan reads %q, want its psychosocial care", got)
	}
	run(t, ctx, "scroll to the plan", chromedp.Evaluate[chromedp.Void](`document.getElementById('plan').scrollIntoView(); 1`))
	screenshot(t, ctx, "needtoknow_shelter_records_"+engine)
}

// ownerSeesTheService: the worker reads the shelter's service in the plan and not the
// shelter's note.
func ownerSeesTheService(t *testing.T, ctx context.Context, caseURL string) {
	t.Helper()
	visit(t, ctx, caseURL)
	if got := text(t, ctx, `#services`); !strings.Contains(got, netShelterAg) {
		t.Errorf("worker: the plan %q does not show the shelter's service", got)
	}
	if got := text(t, ctx, `#notes`); strings.Contains(got, ntkShelterNte) || !strings.Contains(got, ntkOwnerNote) {
		t.Errorf("worker: the notes read %q, want the agency's own only", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#why-shared, .withheld').length`)); err != nil || n != 0 {
		t.Errorf("worker: the owner's page shows %d sharing notices (%v)", n, err)
	}
}

// residentWithoutCase: after the withdrawal the shelter's residents keep the stay (a
// bed is taken) without the case number or a link to it.
func residentWithoutCase(t *testing.T, ctx context.Context, shelterURL, caseNumber, engine string) {
	t.Helper()
	visit(t, ctx, shelterURL)
	got := text(t, ctx, `#residents-table`)
	if strings.Contains(got, caseNumber) || !strings.Contains(got, "ya no compartido") {
		t.Errorf("shelter: after the withdrawal the residents read %q", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#residents-table a[href^="/cases/"]').length`)); err != nil || n != 0 {
		t.Errorf("shelter: the residents still link %d cases (%v)", n, err)
	}
	run(t, ctx, "scroll to the residents", chromedp.Evaluate[chromedp.Void](`document.getElementById('residents').scrollIntoView(); 1`))
	screenshot(t, ctx, "needtoknow_residents_after_"+engine)
}
