package cases_test

import (
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

func TestAssistancePlan(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		t.Run("add, list, deliver", func(t *testing.T) { testPlanFlow(t, e) })
		t.Run("validation", func(t *testing.T) { testPlanValidation(t, e) })
		t.Run("plan approval needs a service", func(t *testing.T) { testPlanApproval(t, e) })
		t.Run("closed case refuses changes", func(t *testing.T) { testClosedCase(t, e) })
		t.Run("access", func(t *testing.T) { testPlanAccess(t, e) })
	})
}

func testPlanFlow(t *testing.T, e *caseEnv) {
	ctx := e.as(e.worker)
	shelter, err := e.svc.AddService(ctx, e.caseID, cases.ServiceInput{SupportType: "shelter",
		ProviderAgencyID: e.shelter.ID, PlannedFrom: "2026-03-11", PlannedTo: "2026-06-11",
		Notes: "Acogida para María José en Manta"})
	mustOK(t, err)
	if shelter.Status != "planned" || shelter.Need != "shelter" || shelter.ProviderAgencyName != "Casa Refugio Manta" {
		t.Fatalf("added %+v", shelter)
	}
	health, err := e.svc.AddService(ctx, e.caseID, cases.ServiceInput{SupportType: "health", Need: "psychosocial",
		ProviderName: "Hospital del Niño", PlannedFrom: "2026-03-02"})
	mustOK(t, err)
	wantEncrypted(t, e.raw(t, "case_services", "enc_notes", shelter.ID), "María", "Manta")
	if n := e.audited(t, "case.service_add", e.caseID); n != 2 {
		t.Errorf("case.service_add events = %d, want 2", n)
	}

	list, err := e.svc.Services(ctx, e.caseID)
	mustOK(t, err)
	if len(list) != 2 || list[0].ID != health.ID || list[1].ID != shelter.ID {
		t.Fatalf("services not by planned start: %+v", list)
	}
	if list[1].Notes != "Acogida para María José en Manta" || list[1].Provider() != "Casa Refugio Manta" ||
		list[0].Provider() != "Hospital del Niño" || list[0].Need != "psychosocial" {
		t.Errorf("services read back wrong: %+v", list)
	}

	// planned → in_progress → delivered; empty notes keep the notes.
	up, err := e.svc.UpdateService(ctx, e.caseID, shelter.ID, "in_progress", "", "")
	mustOK(t, err)
	if up.Status != "in_progress" || up.Notes != "Acogida para María José en Manta" {
		t.Errorf("in progress: %+v", up)
	}
	_, err = e.svc.UpdateService(ctx, e.caseID, shelter.ID, "delivered", "", "")
	wantFieldErr(t, err, "delivered_on", "validation.required")
	_, err = e.svc.UpdateService(ctx, e.caseID, shelter.ID, "delivered", "2026-03-11", "")
	wantFieldErr(t, err, "delivered_on", "cases.err.date_future")
	_, err = e.svc.UpdateService(ctx, e.caseID, shelter.ID, "delivered", "10/03/2026", "")
	wantFieldErr(t, err, "delivered_on", "validation.date")
	_, err = e.svc.UpdateService(ctx, e.caseID, shelter.ID, "delivered", "2026-03-09", "")
	wantFieldErr(t, err, "delivered_on", "cases.err.delivered_before_start")
	e.setNow(t, e.now.AddDate(0, 0, 5))
	up, err = e.svc.UpdateService(ctx, e.caseID, shelter.ID, "delivered", "2026-03-12", "Ingresó el 12")
	mustOK(t, err)
	if up.Status != "delivered" || up.DeliveredOn != "2026-03-12" || up.Notes != "Ingresó el 12" {
		t.Errorf("delivered: %+v", up)
	}
	_, err = e.svc.UpdateService(ctx, e.caseID, shelter.ID, "in_progress", "", "")
	wantFieldErr(t, err, "status", "cases.err.service_move")
	_, err = e.svc.UpdateService(ctx, e.caseID, shelter.ID, "done", "", "")
	wantFieldErr(t, err, "status", "cases.err.choose")
	_, err = e.svc.UpdateService(ctx, e.caseID, "no-such-service", "cancelled", "", "")
	wantErrCode(t, err, errs.CodeNotFound)
	_, err = e.svc.UpdateService(ctx, e.caseID, health.ID, "cancelled", "2026-03-12", "")
	mustOK(t, err)
	list, _ = e.svc.Services(ctx, e.caseID)
	if list[0].Status != "cancelled" || list[0].DeliveredOn != "" {
		t.Errorf("cancelled: %+v", list[0])
	}
	if n := e.audited(t, "case.service_update", e.caseID); n != 3 {
		t.Errorf("case.service_update events = %d, want 3", n)
	}
}

func testPlanValidation(t *testing.T, e *caseEnv) {
	caseID := e.newCase(t)
	good := cases.ServiceInput{SupportType: "legal", ProviderName: "Defensoría Pública"}
	tests := []struct {
		name       string
		edit       func(*cases.ServiceInput)
		field, key string
	}{
		{"unknown support type", func(in *cases.ServiceInput) { in.SupportType = "money" }, "support_type", "cases.err.choose"},
		{"unknown need", func(in *cases.ServiceInput) { in.Need = "money" }, "need", "cases.err.choose"},
		{"no provider", func(in *cases.ServiceInput) { in.ProviderName = "  " }, "provider_name", "cases.err.provider_required"},
		{"long provider", func(in *cases.ServiceInput) { in.ProviderName = strings.Repeat("a", 201) }, "provider_name", "validation.too_long"},
		{"bad start", func(in *cases.ServiceInput) { in.PlannedFrom = "2026-02-30" }, "planned_from", "validation.date"},
		{"bad end", func(in *cases.ServiceInput) { in.PlannedTo = "31/03/2026" }, "planned_to", "validation.date"},
		{"end before start", func(in *cases.ServiceInput) { in.PlannedFrom, in.PlannedTo = "2026-04-01", "2026-03-31" },
			"planned_to", "cases.err.date_order"},
		{"long notes", func(in *cases.ServiceInput) { in.Notes = strings.Repeat("n", cases.MaxNote+1) }, "notes", "validation.too_long"},
		{"unknown agency", func(in *cases.ServiceInput) { in.ProviderAgencyID = "no-such-agency" }, "provider_agency_id",
			"validation.agency_unknown"},
	}
	for _, tt := range tests {
		in := good
		tt.edit(&in)
		_, err := e.svc.AddService(e.as(e.worker), caseID, in)
		t.Run(tt.name, func(t *testing.T) { wantFieldErr(t, err, tt.field, tt.key) })
	}
	if n := e.count(t, "case_services", caseID); n != 0 {
		t.Errorf("%d services saved by invalid input", n)
	}
}

// The plan approval needs a service that is not cancelled (workflow.go).
func testPlanApproval(t *testing.T, e *caseEnv) {
	caseID := e.newCase(t)
	a, err := e.svc.RequestApproval(e.as(e.worker), caseID, "screening", "actual")
	mustOK(t, err)
	mustOK(t, e.svc.Decide(e.as(e.supervisor), a.ID, true, ""))
	_, err = e.svc.RequestApproval(e.as(e.worker), caseID, "plan", "")
	wantFieldErr(t, err, "kind", "cases.err.plan_empty")
	_, err = e.svc.AddService(e.as(e.worker), caseID, cases.ServiceInput{SupportType: "psychosocial",
		ProviderName: "Centro de salud mental"})
	mustOK(t, err)
	a, err = e.svc.RequestApproval(e.as(e.worker), caseID, "plan", "")
	mustOK(t, err)
	mustOK(t, e.svc.Decide(e.as(e.supervisor), a.ID, true, ""))
}

// A closed case takes no changes until it is reopened.
func testClosedCase(t *testing.T, e *caseEnv) {
	caseID := e.newCase(t)
	ctx := e.as(e.worker)
	svc, err := e.svc.AddService(ctx, caseID, cases.ServiceInput{SupportType: "legal", ProviderName: "Defensoría"})
	mustOK(t, err)
	task, err := e.svc.AddTask(ctx, caseID, cases.TaskInput{Title: "Llamar", DueOn: "2026-03-20"})
	mustOK(t, err)
	e.closeCase(t, caseID)
	changes := map[string]func() error{
		"AddService": func() error {
			_, err := e.svc.AddService(ctx, caseID, cases.ServiceInput{SupportType: "legal", ProviderName: "X"})
			return err
		},
		"UpdateService": func() error {
			_, err := e.svc.UpdateService(ctx, caseID, svc.ID, "cancelled", "", "")
			return err
		},
		"AddTask": func() error {
			_, err := e.svc.AddTask(ctx, caseID, cases.TaskInput{Title: "x", DueOn: "2026-03-20"})
			return err
		},
		"CompleteTask": func() error { return e.svc.CompleteTask(ctx, caseID, task.ID) },
		"SetFollowUp":  func() error { return e.svc.SetFollowUp(ctx, caseID, "2026-04-01") },
		"AddNote":      func() error { _, err := e.svc.AddNote(ctx, caseID, "nota"); return err },
		"AddAttachment": func() error {
			_, err := e.svc.AddAttachment(ctx, caseID, "a.pdf", []byte("%PDF-1.4\n%%EOF\n"))
			return err
		},
		"SetRisk": func() error { return e.svc.SetRisk(ctx, caseID, "high", "") },
		"AddFlag": func() error { _, err := e.svc.AddFlag(ctx, caseID, "threat", "amenaza"); return err },
		"AddEvent": func() error {
			_, err := e.svc.AddEvent(ctx, caseID, cases.EventInput{Kind: "transit", Country: "COL"})
			return err
		},
	}
	for name, fn := range changes {
		t.Run(name, func(t *testing.T) {
			err := fn()
			wantErrCode(t, err, errs.CodeConflict)
			if e, _ := errs.As(err); e.Key != "cases.err.closed" {
				t.Errorf("key = %s", e.Key)
			}
		})
	}
	// Closing completed the open tasks (workflow.go); reading still works.
	if _, err := e.svc.Services(ctx, caseID); err != nil {
		t.Fatal(err)
	}
}

// A worker of another agency learns nothing; a shelter the case was opened to may read
// the plan but not change it.
func testPlanAccess(t *testing.T, e *caseEnv) {
	caseID := e.newCase(t)
	sv, err := e.svc.AddService(e.as(e.worker), caseID, cases.ServiceInput{SupportType: "legal", ProviderName: "Defensoría"})
	mustOK(t, err)
	in := cases.ServiceInput{SupportType: "health", ProviderName: "Centro de salud"}
	out := e.as(e.outsider)
	_, err = e.svc.AddService(out, caseID, in)
	wantErrCode(t, err, errs.CodeNotFound)
	_, err = e.svc.UpdateService(out, caseID, sv.ID, "cancelled", "", "")
	wantErrCode(t, err, errs.CodeNotFound)
	_, err = e.svc.Services(out, caseID)
	wantErrCode(t, err, errs.CodeNotFound)
	if n := e.audited(t, "case.denied", caseID); n != 3 {
		t.Errorf("case.denied events = %d, want 3", n)
	}

	shelter := e.as(e.coordinator)
	_, err = e.svc.Services(shelter, caseID)
	wantErrCode(t, err, errs.CodeNotFound)
	// The shelter records the services it delivers (it is their provider) and sees
	// those, not the owner's plan; the owner sees both; each changes its own.
	e.shelterAccess(t, caseID)
	list, err := e.svc.Services(shelter, caseID)
	mustOK(t, err)
	if len(list) != 0 {
		t.Errorf("shelter sees the owner's plan: %+v", list)
	}
	own, err := e.svc.AddService(shelter, caseID, in)
	mustOK(t, err)
	if own.ProviderAgencyID != e.shelter.ID || own.ProviderName != "" {
		t.Errorf("the shelter's service names provider %q %q, want the shelter", own.ProviderAgencyID, own.ProviderName)
	}
	if list, _ := e.svc.Services(shelter, caseID); len(list) != 1 || list[0].ID != own.ID {
		t.Errorf("shelter sees %+v, want its own service", list)
	}
	if list, _ := e.svc.Services(e.as(e.worker), caseID); len(list) != 2 {
		t.Errorf("owner sees %d services, want 2", len(list))
	}
	_, err = e.svc.UpdateService(shelter, caseID, sv.ID, "cancelled", "", "")
	wantErrCode(t, err, errs.CodeNotFound) // not in its view
	_, err = e.svc.UpdateService(e.as(e.worker), caseID, own.ID, "cancelled", "", "")
	wantErrCode(t, err, errs.CodeForbidden)
	_, err = e.svc.UpdateService(shelter, caseID, own.ID, "delivered", "2026-03-10", "")
	mustOK(t, err)
}
