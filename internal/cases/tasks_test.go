package cases_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

func TestTasksAndFollowUps(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		t.Run("add, list, complete", func(t *testing.T) { testTaskFlow(t, e) })
		t.Run("validation", func(t *testing.T) { testTaskValidation(t, e) })
		t.Run("follow-up", func(t *testing.T) { testFollowUp(t, e) })
		t.Run("access", func(t *testing.T) { testTaskAccess(t, e) })
	})
}

func testTaskFlow(t *testing.T, e *caseEnv) {
	caseID := e.newCase(t)
	ctx := e.as(e.supervisor)
	// Without an assignee the task goes to the case's worker, not to whoever adds it.
	call, err := e.svc.AddTask(ctx, caseID, cases.TaskInput{Title: "Llamar a la madre de María José", DueOn: "2026-03-20"})
	mustOK(t, err)
	if call.AssignedTo != e.worker.ID || call.AssigneeName != "Ana Trabajadora" || call.Done {
		t.Fatalf("added %+v", call)
	}
	visit, err := e.svc.AddTask(ctx, caseID, cases.TaskInput{Title: "Visita domiciliaria", DueOn: "2026-03-12",
		AssignedTo: e.worker2.ID})
	mustOK(t, err)
	wantEncrypted(t, e.raw(t, "case_tasks", "enc_title", call.ID), "Llamar", "María")

	list, err := e.svc.Tasks(e.as(e.worker), caseID)
	mustOK(t, err)
	if len(list) != 2 || list[0].ID != visit.ID || list[1].ID != call.ID {
		t.Fatalf("tasks not by due date: %+v", list)
	}
	if list[1].Title != "Llamar a la madre de María José" || list[0].AssigneeName != "Bruno Trabajador" {
		t.Errorf("tasks read back wrong: %+v", list)
	}

	mustOK(t, e.svc.CompleteTask(e.as(e.worker), caseID, visit.ID))
	err = e.svc.CompleteTask(e.as(e.worker), caseID, visit.ID)
	wantErrCode(t, err, errs.CodeConflict)
	err = e.svc.CompleteTask(e.as(e.worker), caseID, "no-such-task")
	wantErrCode(t, err, errs.CodeNotFound)
	err = e.svc.CompleteTask(e.as(e.worker), e.caseID, call.ID) // a task of another case
	wantErrCode(t, err, errs.CodeNotFound)
	list, _ = e.svc.Tasks(e.as(e.worker), caseID)
	if !list[1].Done || list[1].ID != visit.ID || list[1].DoneAt.IsZero() || list[0].Done {
		t.Errorf("done tasks go last: %+v", list)
	}
	if n := e.audited(t, "case.task_add", caseID); n != 2 {
		t.Errorf("case.task_add events = %d, want 2", n)
	}
	if n := e.audited(t, "case.task_done", caseID); n != 1 {
		t.Errorf("case.task_done events = %d, want 1", n)
	}
}

func testTaskValidation(t *testing.T, e *caseEnv) {
	caseID := e.newCase(t)
	tests := []struct {
		name       string
		in         cases.TaskInput
		field, key string
	}{
		{"no title", cases.TaskInput{Title: "  ", DueOn: "2026-03-20"}, "title", "validation.required"},
		{"long title", cases.TaskInput{Title: strings.Repeat("t", 501), DueOn: "2026-03-20"}, "title", "validation.too_long"},
		{"no date", cases.TaskInput{Title: "x"}, "due_on", "validation.required"},
		{"bad date", cases.TaskInput{Title: "x", DueOn: "20/03/2026"}, "due_on", "validation.date"},
		{"worker of another agency", cases.TaskInput{Title: "x", DueOn: "2026-03-20", AssignedTo: e.outsider.ID},
			"assigned_to", "cases.err.task_assignee"},
		{"not a case role", cases.TaskInput{Title: "x", DueOn: "2026-03-20", AssignedTo: e.admin.ID},
			"assigned_to", "cases.err.task_assignee"},
		{"unknown user", cases.TaskInput{Title: "x", DueOn: "2026-03-20", AssignedTo: "nobody"},
			"assigned_to", "cases.err.task_assignee"},
	}
	for _, tt := range tests {
		_, err := e.svc.AddTask(e.as(e.worker), caseID, tt.in)
		t.Run(tt.name, func(t *testing.T) { wantFieldErr(t, err, tt.field, tt.key) })
	}
	if n := e.count(t, "case_tasks", caseID); n != 0 {
		t.Errorf("%d tasks saved by invalid input", n)
	}
}

func testFollowUp(t *testing.T, e *caseEnv) {
	caseID := e.newCase(t)
	ctx := e.as(e.worker)
	mustOK(t, e.svc.SetFollowUp(ctx, caseID, "2026-04-15"))
	c, err := e.svc.Get(ctx, caseID)
	mustOK(t, err)
	if c.NextFollowUp != "2026-04-15" || c.Version != 2 {
		t.Errorf("follow-up %q, version %d", c.NextFollowUp, c.Version)
	}
	wantFieldErr(t, e.svc.SetFollowUp(ctx, caseID, "2026-03-09"), "next_follow_up", "cases.err.date_past")
	wantFieldErr(t, e.svc.SetFollowUp(ctx, caseID, "15/04/2026"), "next_follow_up", "validation.date")
	mustOK(t, e.svc.SetFollowUp(ctx, caseID, "2026-03-10")) // today is fine
	mustOK(t, e.svc.SetFollowUp(ctx, caseID, ""))
	c, _ = e.svc.Get(ctx, caseID)
	if c.NextFollowUp != "" {
		t.Errorf("follow-up not cleared: %q", c.NextFollowUp)
	}
	if n := e.audited(t, "case.follow_up", caseID); n != 3 {
		t.Errorf("case.follow_up events = %d, want 3", n)
	}
}

func testTaskAccess(t *testing.T, e *caseEnv) {
	caseID := e.newCase(t)
	task, err := e.svc.AddTask(e.as(e.worker), caseID, cases.TaskInput{Title: "x", DueOn: "2026-03-20"})
	mustOK(t, err)
	out := e.as(e.outsider)
	_, err = e.svc.AddTask(out, caseID, cases.TaskInput{Title: "x", DueOn: "2026-03-20"})
	wantErrCode(t, err, errs.CodeNotFound)
	wantErrCode(t, e.svc.CompleteTask(out, caseID, task.ID), errs.CodeNotFound)
	_, err = e.svc.Tasks(out, caseID)
	wantErrCode(t, err, errs.CodeNotFound)
	wantErrCode(t, e.svc.SetFollowUp(out, caseID, "2026-04-01"), errs.CodeNotFound)

	shelter := e.as(e.coordinator)
	e.shelterAccess(t, caseID)
	_, err = e.svc.Tasks(shelter, caseID)
	wantErrCode(t, err, errs.CodeForbidden) // the owner's tasks are not shared
	wantErrCode(t, e.svc.CompleteTask(shelter, caseID, task.ID), errs.CodeForbidden)
	wantErrCode(t, e.svc.SetFollowUp(shelter, caseID, "2026-04-01"), errs.CodeForbidden)
}

// MyWork on Friday 13 March 2026: overdue, due today and upcoming tasks, follow-ups due
// in the user's scope, approvals waiting for a supervisor, open cases by status.
func TestMyWork(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		case1, case2 := e.caseID, e.newCase(t)
		case3 := e.register(t, e.worker2, envInput()).ID // not visible to worker
		add := func(u *auth.User, caseID, title, due, to string) *cases.Task {
			t.Helper()
			task, err := e.svc.AddTask(e.as(u), caseID, cases.TaskInput{Title: title, DueOn: due, AssignedTo: to})
			mustOK(t, err)
			return task
		}
		w, me := e.worker, e.worker.ID
		overdue := add(w, case1, "Vencida", "2026-03-12", me)
		today := add(w, case2, "Para hoy", "2026-03-13", me)
		foreign := add(e.worker2, case3, "Ayuda a un colega", "2026-03-13", me)
		upcoming := add(w, case1, "En dos semanas", "2026-03-27", me)
		add(w, case1, "Más adelante", "2026-03-28", me)
		done := add(w, case2, "Hecha", "2026-03-05", me)
		mustOK(t, e.svc.CompleteTask(e.as(e.worker), case2, done.ID))
		add(w, case1, "De otra persona", "2026-03-12", e.worker2.ID)
		mustOK(t, e.svc.SetFollowUp(e.as(e.worker), case1, "2026-03-12"))
		mustOK(t, e.svc.SetFollowUp(e.as(e.worker), case2, "2026-03-13"))
		mustOK(t, e.svc.SetFollowUp(e.as(e.worker2), case3, "2026-03-11"))
		_, err := e.svc.AddFlag(e.as(e.worker), case2, "threat", "Mensajes del captor")
		mustOK(t, err)
		_, err = e.svc.RequestApproval(e.as(e.worker), case1, "screening", "actual")
		mustOK(t, err)

		// 22:00 on the 13th in Guayaquil is already the 14th in UTC.
		e.setNow(t, time.Date(2026, 3, 14, 3, 0, 0, 0, time.UTC))
		work, err := e.svc.MyWork(e.as(e.worker))
		mustOK(t, err)
		if work.Today != "2026-03-13" {
			t.Fatalf("today = %s, want 2026-03-13 (Guayaquil)", work.Today)
		}
		ids := func(list []cases.WorkTask) []string {
			var out []string
			for _, x := range list {
				out = append(out, x.ID)
			}
			return out
		}
		wantIDs := func(name string, got []string, want ...string) {
			t.Helper()
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		wantIDs("overdue", ids(work.Overdue), overdue.ID)
		wantIDs("due today", ids(work.DueToday), today.ID, foreign.ID)
		wantIDs("upcoming", ids(work.Upcoming), upcoming.ID)
		name := "María José Muñoz Quiñónez"
		if work.Overdue[0].PersonName != name || work.Overdue[0].Title != "Vencida" || work.Overdue[0].CaseNumber != e.caseNumber {
			t.Errorf("overdue task: %+v", work.Overdue[0])
		}
		if f := work.DueToday[1]; f.PersonName != "" || f.CaseNumber == "" || f.Title != "Ayuda a un colega" {
			t.Errorf("a task on a case the worker may not view shows %+v", f)
		}
		var fu []string
		for _, c := range work.FollowUps {
			fu = append(fu, c.ID)
			if c.PersonName != name {
				t.Errorf("follow-up name %q", c.PersonName)
			}
		}
		wantIDs("follow-ups", fu, case1, case2)
		if !work.FollowUps[0].Overdue || work.FollowUps[1].Overdue || !work.FollowUps[1].Flagged {
			t.Errorf("follow-ups: %+v", work.FollowUps)
		}
		if len(work.Approvals) != 0 || work.OpenCases != 2 || work.OpenByStatus["identified"] != 2 || work.Flagged != 1 {
			t.Errorf("worker counts: approvals %d, open %d %v, flagged %d", len(work.Approvals), work.OpenCases,
				work.OpenByStatus, work.Flagged)
		}
		if e.audited(t, "case.list_view", case1) != 1 || e.audited(t, "case.list_view", case2) != 1 ||
			e.audited(t, "case.list_view", case3) != 0 {
			t.Error("MyWork must record a list view of exactly the cases whose names it shows")
		}

		sup, err := e.svc.MyWork(e.as(e.supervisor))
		mustOK(t, err)
		fu = nil
		for _, c := range sup.FollowUps {
			fu = append(fu, c.ID)
		}
		wantIDs("supervisor follow-ups", fu, case3, case1, case2)
		if len(sup.Approvals) != 1 || sup.Approvals[0].CaseID != case1 || sup.OpenCases != 3 || sup.Flagged != 1 ||
			len(sup.Overdue)+len(sup.DueToday)+len(sup.Upcoming) != 0 {
			t.Errorf("supervisor work: %+v", sup)
		}

		_, err = e.svc.MyWork(e.as(e.admin))
		wantErrCode(t, err, errs.CodeForbidden)
	})
}
