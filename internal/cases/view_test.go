package cases_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// testFields are what a referral for shelter carries (names, sex, age, guardian…): the
// tests grant them as an accepted referral would.
var testFields = []string{"age", "age_group", "case_number", "disability", "family_names", "gender", "given_names",
	"guardian", "languages", "nationalities", "risk_level", "sex"}

// What a psychosocial referral and a prosecution referral carry (referrals.SharedFields).
var (
	psychosocialFields = []string{"age", "age_group", "case_number", "exploitation", "family_names", "gender",
		"given_names", "languages", "nationalities", "sex"}
	prosecutionFields = []string{"age_group", "case_number", "documents", "exploitation", "family_names", "given_names",
		"identification", "sex"}
)

// The relations of the test, in the order of the tables below.
var relationNames = []string{"owner", "assigned", "referral", "shelter", "prosecution"}

// sectionReads are the service's reads of each section of a case; each returns how
// many records it gave (1 for a section read whole) or the error.
func sectionReads(e *caseEnv, caseID, attachmentID string) map[string]func(context.Context) (int, error) {
	n := func(l int, err error) (int, error) { return l, err }
	return map[string]func(context.Context) (int, error){
		"history":   func(ctx context.Context) (int, error) { l, err := e.svc.History(ctx, caseID); return n(len(l), err) },
		"approvals": func(ctx context.Context) (int, error) { l, err := e.svc.Approvals(ctx, caseID); return n(len(l), err) },
		"consents":  func(ctx context.Context) (int, error) { l, err := e.svc.Consents(ctx, caseID); return n(len(l), err) },
		"events":    func(ctx context.Context) (int, error) { l, err := e.svc.Events(ctx, caseID); return n(len(l), err) },
		"services":  func(ctx context.Context) (int, error) { l, err := e.svc.Services(ctx, caseID); return n(len(l), err) },
		"tasks":     func(ctx context.Context) (int, error) { l, err := e.svc.Tasks(ctx, caseID); return n(len(l), err) },
		"notes":     func(ctx context.Context) (int, error) { l, err := e.svc.Notes(ctx, caseID); return n(len(l), err) },
		"attachments": func(ctx context.Context) (int, error) {
			l, err := e.svc.Attachments(ctx, caseID)
			return n(len(l), err)
		},
		"download": func(ctx context.Context) (int, error) {
			_, data, err := e.svc.Attachment(ctx, caseID, attachmentID)
			return n(min(len(data), 1), err)
		},
		"flags": func(ctx context.Context) (int, error) {
			l, err := e.svc.Flags(ctx, caseID, true)
			return n(len(l), err)
		},
	}
}

// sectionWant is, per read and relation (relationNames order), how many records it
// gives, or -1 for 403 (the relation withholds it).
var sectionWant = map[string][5]int{
	"history":     {2, 2, -1, -1, -1},
	"approvals":   {1, 1, -1, -1, -1},
	"consents":    {3, 3, 1, 1, 1}, // a receiver: the consent that lets it see the case
	"events":      {1, 1, -1, -1, 1},
	"services":    {1, 1, 0, 0, 0}, // a receiver: the services it records (none yet)
	"tasks":       {1, 1, -1, -1, -1},
	"notes":       {1, 1, 0, 0, 0}, // a receiver: its own notes (none yet)
	"attachments": {1, 1, -1, -1, -1},
	"download":    {1, 1, -1, -1, -1},
	"flags":       {1, 1, -1, 1, -1}, // the shelter acts on the alerts
}

// TestRelationSections reads every section of one case as each relation, on both
// engines, and checks the person's fields each gets, that withheld parts are refused
// or empty (never decrypted), and what a receiver may write.
func TestRelationSections(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		fiscalia := e.newAgency(t, "fiscalia", "Fiscalía Provincial", "prosecution", "09", "0901")
		liaison := e.newUser(t, fiscalia, "Gustavo Fiscal", access.ProsecutionLiaison)
		id := e.caseID
		w := e.as(e.worker)
		_, err := e.svc.AddNote(w, id, "Nota de la dueña")
		mustOK(t, err)
		_, err = e.svc.AddEvent(w, id, cases.EventInput{Kind: "exploitation", Country: "ECU", Province: "09", Canton: "0901",
			Narrative: "Lo que ella contó"})
		mustOK(t, err)
		att, err := e.svc.AddAttachment(w, id, "acta.pdf", []byte(samplePDF))
		mustOK(t, err)
		_, err = e.svc.AddTask(w, id, cases.TaskInput{Title: "Visita", DueOn: "2026-03-20"})
		mustOK(t, err)
		mustOK(t, e.svc.SetRisk(w, id, "high", "Plan de seguridad"))
		_, err = e.svc.AddFlag(w, id, "threat", "Amenazas")
		mustOK(t, err)
		_, err = e.svc.AddService(w, id, cases.ServiceInput{SupportType: "legal", ProviderName: "Defensoría", Notes: "Audiencia"})
		mustOK(t, err)
		ap, err := e.svc.RequestApproval(w, id, "screening", "actual")
		mustOK(t, err)
		mustOK(t, e.svc.Decide(e.as(e.supervisor), ap.ID, true, ""))
		for _, k := range []cases.ConsentInput{{Purpose: "referral", AgencyID: e.other.ID}, {Purpose: "referral", AgencyID: e.shelter.ID},
			{Purpose: "prosecution"}} {
			k.Status, k.GivenBy, k.Representative, k.Method, k.DecidedOn = "given", "representative", "Rosa Quiñónez", "written", "2026-03-05"
			_, err := e.svc.RecordConsent(w, id, k)
			mustOK(t, err)
		}
		for _, g := range []cases.Grant{
			{AgencyID: e.other.ID, Reason: "referral", SourceID: "ref-1", Fields: psychosocialFields, Label: "DER-2026-00001", Link: "/referrals/ref-1"},
			{AgencyID: e.shelter.ID, Reason: "shelter", SourceID: "stay-1", Fields: testFields, Label: "Casa Refugio", Link: "/shelters/x"},
			{AgencyID: fiscalia.ID, Reason: "prosecution", SourceID: "ref-2", Fields: prosecutionFields, Label: "DER-2026-00002"},
		} {
			mustOK(t, e.svc.GrantAccess(e.sys(), id, g))
		}
		users := []*auth.User{e.supervisor, e.worker, e.outsider, e.coordinator, liaison}
		t.Run("sections", func(t *testing.T) {
			for name, read := range sectionReads(e, id, att.ID) {
				for i, u := range users {
					got, err := read(e.as(u))
					want := sectionWant[name][i]
					switch {
					case want < 0 && errs.CodeOf(err) != errs.CodeForbidden:
						t.Errorf("%s reads %s: %d, %v; want forbidden", relationNames[i], name, got, err)
					case want >= 0 && (err != nil || got != want):
						t.Errorf("%s reads %s: %d, %v; want %d", relationNames[i], name, got, err, want)
					}
				}
				// No relation at all: not found, as for a case that does not exist.
				if _, err := read(e.as(e.worker2)); errs.CodeOf(err) != errs.CodeNotFound {
					t.Errorf("an unassigned colleague reads %s: %v, want not found", name, err)
				}
			}
		})
		t.Run("person", func(t *testing.T) { checkPersonByRelation(t, e, id, users) })
		t.Run("details", func(t *testing.T) { checkReceiverDetails(t, e, id, liaison) })
		t.Run("writes", func(t *testing.T) { checkReceiverWrites(t, e, id, users) })
		t.Run("pdf", func(t *testing.T) {
			// The owner's side prints the file; a receiving worker who may export prints
			// what the referral shares; a shelter coordinator may not export at all.
			for _, u := range []*auth.User{e.supervisor, e.worker, e.outsider} {
				pdf, err := e.svc.CaseFilePDF(e.as(u), id, "es")
				if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
					t.Errorf("PDF as %s: %v", u.Name, err)
				}
			}
			_, err := e.svc.CaseFilePDF(e.as(e.coordinator), id, "es")
			wantErrCode(t, err, errs.CodeForbidden)
			mustOK(t, e.svc.RevokeAccess(e.sys(), id, e.other.ID, "referral", "ref-1"))
			_, err = e.svc.CaseFilePDF(e.as(e.outsider), id, "es")
			wantErrCode(t, err, errs.CodeNotFound)
			_, _, err = e.svc.Open(e.as(e.outsider), id)
			wantErrCode(t, err, errs.CodeNotFound)
		})
	})
}

// checkPersonByRelation: Open gives each relation the fields it carries and the view
// that says so; the audit names the relation.
func checkPersonByRelation(t *testing.T, e *caseEnv, id string, users []*auth.User) {
	fields := [][]string{cases.ShareableFields, cases.ShareableFields, psychosocialFields, testFields, prosecutionFields}
	for i, u := range users {
		c, v, err := e.svc.Open(e.as(u), id)
		mustOK(t, err)
		rel := relationNames[i]
		if got := v.Fields(); !sameSet(got, fields[i]) {
			t.Errorf("%s sees the fields %v, want %v", rel, got, fields[i])
		}
		full := i < 2
		if v.Full() != full || v.Receiver() == full {
			t.Errorf("%s: Full %v, Receiver %v", rel, v.Full(), v.Receiver())
		}
		check := func(field string, shown bool) {
			t.Helper()
			if want := slices.Contains(fields[i], field); shown != want {
				t.Errorf("%s: %s shown %v, want %v", rel, field, shown, want)
			}
		}
		check("given_names", c.Person.GivenNames == "María José")
		check("documents", len(c.Person.Documents) == 1 && c.Person.Documents[0].Number == envCedula)
		check("guardian", c.Person.Guardian != nil && c.Person.Guardian.Name == "Rosa Quiñónez")
		check("birth_date", c.Person.BirthDate == "2011-05-20")
		check("exploitation", slices.Equal(c.Exploitation, []string{"begging"}))
		check("identification", c.Identification.Province == "09")
		check("languages", len(c.Person.Languages) == 1)
		// Never carried: the owner's workflow and the rest of the profile.
		if got := c.Status != "" || len(c.Control) > 0 || c.TraffickingStatus != ""; got != full {
			t.Errorf("%s: workflow and profile shown %v, want %v", rel, got, full)
		}
		if got := c.SafetyPlan != ""; got != (full || rel == "shelter") {
			t.Errorf("%s: safety plan shown %v", rel, got)
		}
		if !full && c.Identification.How != "" {
			t.Errorf("%s: how the person was found is shown", rel)
		}
		views := e.audited(t, "case.view", id)
		if views == 0 {
			t.Errorf("%s: the view is not audited", rel)
		}
	}
}

// checkReceiverDetails: a receiver's consents carry no representative or notes; the
// prosecution's events carry no narrative; the view says why and what it withholds.
func checkReceiverDetails(t *testing.T, e *caseEnv, id string, liaison *auth.User) {
	list, err := e.svc.Consents(e.as(e.outsider), id)
	mustOK(t, err)
	if len(list) != 1 || list[0].AgencyID != e.other.ID || list[0].Representative != "" || list[0].Notes != "" {
		t.Errorf("the referral's receiver reads the consents %+v", list)
	}
	events, err := e.svc.Events(e.as(liaison), id)
	mustOK(t, err)
	if len(events) != 1 || events[0].Province != "09" || events[0].Narrative != "" {
		t.Errorf("the prosecution reads the events %+v", events)
	}
	if own, _ := e.svc.Events(e.as(e.worker), id); len(own) != 1 || own[0].Narrative != "Lo que ella contó" {
		t.Errorf("the owner reads the events %+v", own)
	}
	_, v, err := e.svc.Open(e.as(e.coordinator), id)
	mustOK(t, err)
	grants := v.Grants()
	if len(grants) != 1 || grants[0].Label != "Casa Refugio" || grants[0].Reason != "shelter" {
		t.Errorf("the shelter's view grants %+v", grants)
	}
	b, err := json.Marshal(v)
	mustOK(t, err)
	for _, want := range []string{`"relations":["shelter"]`, `"safety":"all"`, `"notes":"own"`, `"attachments"`, `"narratives"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the shelter's view as JSON lacks %s: %s", want, b)
		}
	}
	withheld := v.Withheld()
	for _, s := range []cases.Section{cases.SecWorkflow, cases.SecTasks, cases.SecAttachments, cases.SecEvents, cases.SecNarratives} {
		if !slices.Contains(withheld, s) {
			t.Errorf("the shelter's view does not withhold %s: %v", s, withheld)
		}
	}
}

// checkReceiverWrites: each receiver writes its own notes and services, read by itself
// alone; none changes the case, the owner's services or its workflow.
func checkReceiverWrites(t *testing.T, e *caseEnv, id string, users []*auth.User) {
	for i, u := range users[2:] {
		rel := relationNames[i+2]
		ctx := e.as(u)
		_, err := e.svc.AddNote(ctx, id, "Nota de "+rel)
		mustOK(t, err)
		sv, err := e.svc.AddService(ctx, id, cases.ServiceInput{SupportType: "psychosocial", ProviderName: "otra"})
		mustOK(t, err)
		if sv.ProviderAgencyID != u.AgencyID {
			t.Errorf("%s records a service provided by %q", rel, sv.ProviderAgencyID)
		}
		notes, err := e.svc.Notes(ctx, id)
		mustOK(t, err)
		if len(notes) != 1 || notes[0].Body != "Nota de "+rel {
			t.Errorf("%s reads the notes %+v", rel, notes)
		}
		_, err = e.svc.Update(ctx, id, 0, envInput())
		wantErrCode(t, err, errs.CodeForbidden)
		wantErrCode(t, e.svc.Move(ctx, id, "assisted"), errs.CodeForbidden)
		_, err = e.svc.AddTask(ctx, id, cases.TaskInput{Title: "x", DueOn: "2026-03-20"})
		wantErrCode(t, err, errs.CodeForbidden)
	}
	notes, err := e.svc.Notes(e.as(e.supervisor), id)
	mustOK(t, err)
	if len(notes) != 1 {
		t.Errorf("the owner reads %d notes, want its own only", len(notes))
	}
	services, err := e.svc.Services(e.as(e.supervisor), id)
	mustOK(t, err)
	if len(services) != 4 {
		t.Errorf("the owner's plan holds %d services, want its own and the three receivers'", len(services))
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
