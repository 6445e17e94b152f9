package cases_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// status reads a case's status as its worker sees it.
func (e *env) status(t *testing.T, ctx context.Context, id string) *cases.Case {
	t.Helper()
	c, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return c
}

// addPlannedService puts one planned service in a case's assistance plan.
func (e *env) addPlannedService(t *testing.T, ctx context.Context, caseID string) *cases.PlannedService {
	t.Helper()
	p, err := e.svc.AddService(ctx, caseID, cases.ServiceInput{SupportType: "psychosocial", ProviderName: "Centro de salud mental",
		PlannedFrom: "2026-03-10", PlannedTo: "2026-06-10"})
	if err != nil {
		t.Fatalf("add service: %v", err)
	}
	return p
}

// addOpenTask adds an open task to a case.
func (e *env) addOpenTask(t *testing.T, ctx context.Context, caseID, due string) *cases.Task {
	t.Helper()
	task, err := e.svc.AddTask(ctx, caseID, cases.TaskInput{Title: "Visita domiciliaria", DueOn: due})
	if err != nil {
		t.Fatalf("add task: %v", err)
	}
	return task
}

// TestWorkflow walks a case through every stage with the supervisor's approvals.
func TestWorkflow(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		sup := e.user(t, e.agA, access.CaseSupervisor)
		sup2 := e.user(t, e.agA, access.CaseSupervisor)
		supB := e.user(t, e.agB, access.CaseSupervisor)
		wctx, sctx, s2ctx := e.as(w), e.as(sup), e.as(sup2)
		c := e.register(t, wctx, goodInput())
		step := func() { e.setNow(e.svc.Now().Add(time.Minute)) }

		// Nothing moves out of "identified" without the screening approval.
		for _, to := range []string{"screened", "assisted", "closed", "identified", "nonsense"} {
			wantField(t, "move identified -> "+to, e.svc.Move(wctx, c.ID, to), "status", "cases.err.move")
		}
		_, err := e.svc.RequestApproval(wctx, c.ID, "plan", "")
		wantField(t, "plan before screening", err, "kind", "cases.err.approval_stage")
		_, err = e.svc.RequestApproval(wctx, c.ID, "screening", "maybe")
		wantField(t, "screening with a bad result", err, "payload", "cases.err.choose")
		_, err = e.svc.RequestApproval(wctx, c.ID, "holidays", "")
		wantField(t, "unknown approval kind", err, "kind", "cases.err.choose")

		// Screening: requested by the worker, rejected with a comment, asked again, approved.
		step()
		ap, err := e.svc.RequestApproval(wctx, c.ID, "screening", "possible")
		if err != nil {
			t.Fatalf("request screening: %v", err)
		}
		_, err = e.svc.RequestApproval(wctx, c.ID, "screening", "actual")
		wantCode(t, "second pending screening request", err, errs.CodeConflict)
		wantCode(t, "worker decides", e.svc.Decide(wctx, ap.ID, true, ""), errs.CodeForbidden)
		wantCode(t, "supervisor of another agency decides", e.svc.Decide(e.as(supB), ap.ID, true, ""), errs.CodeNotFound)
		wantCode(t, "unknown approval", e.svc.Decide(sctx, "nope", true, ""), errs.CodeNotFound)
		wantField(t, "reject without a comment", e.svc.Decide(sctx, ap.ID, false, "  "), "comment", "cases.err.reject_comment")
		pending, err := e.svc.PendingApprovals(sctx)
		if err != nil || len(pending) != 1 || pending[0].ID != ap.ID || pending[0].CaseNumber != c.Number {
			t.Errorf("pending approvals of the supervisor: %+v %v", pending, err)
		}
		if p, _ := e.svc.PendingApprovals(e.as(supB)); len(p) != 0 {
			t.Errorf("a supervisor of another agency sees %d pending approvals", len(p))
		}
		if p, _ := e.svc.PendingApprovals(wctx); len(p) != 0 {
			t.Errorf("a worker sees %d approvals to decide", len(p))
		}
		step()
		if err := e.svc.Decide(sctx, ap.ID, false, "Falta la entrevista completa"); err != nil {
			t.Fatalf("reject screening: %v", err)
		}
		if got := e.status(t, wctx, c.ID); got.Status != "identified" || got.TraffickingStatus != "possible" {
			t.Errorf("after rejection: %s %s", got.Status, got.TraffickingStatus)
		}
		wantCode(t, "decide twice", e.svc.Decide(s2ctx, ap.ID, true, ""), errs.CodeConflict)
		step()
		ap, err = e.svc.RequestApproval(wctx, c.ID, "screening", "actual")
		if err != nil {
			t.Fatalf("request screening again: %v", err)
		}
		step()
		if err := e.svc.Decide(sctx, ap.ID, true, "Entrevista completa"); err != nil {
			t.Fatalf("approve screening: %v", err)
		}
		got := e.status(t, wctx, c.ID)
		if got.Status != "screened" || got.TraffickingStatus != "actual" || got.StatusDecidedBy != "supervisor" {
			t.Errorf("after screening approval: status %s, trafficking %s, decided by %s", got.Status, got.TraffickingStatus, got.StatusDecidedBy)
		}
		apps, err := e.svc.Approvals(wctx, c.ID)
		if err != nil || len(apps) != 2 {
			t.Fatalf("approvals of the case: %d %v", len(apps), err)
		}
		for _, a := range apps {
			switch a.Status {
			case "rejected":
				if a.Comment != "Falta la entrevista completa" || a.DecidedBy != sup.ID || a.DeciderName != sup.Name || a.RequesterName != w.Name {
					t.Errorf("rejected approval: %+v", a)
				}
			case "approved":
				if a.Payload != "actual" || a.Comment != "Entrevista completa" {
					t.Errorf("approved approval: %+v", a)
				}
			default:
				t.Errorf("approval in status %s", a.Status)
			}
		}

		// The plan needs at least one service.
		step()
		_, err = e.svc.RequestApproval(wctx, c.ID, "plan", "")
		wantField(t, "plan without services", err, "kind", "cases.err.plan_empty")
		svc := e.addPlannedService(t, wctx, c.ID)
		// A supervisor may not approve what they asked for themselves.
		ap, err = e.svc.RequestApproval(sctx, c.ID, "plan", "")
		if err != nil {
			t.Fatalf("supervisor requests the plan: %v", err)
		}
		err = e.svc.Decide(sctx, ap.ID, true, "")
		wantCode(t, "approve own request", err, errs.CodeForbidden)
		if e2, _ := errs.As(err); e2.Key != "cases.err.approve_own" {
			t.Errorf("approve own request: key %s", e2.Key)
		}
		if p, _ := e.svc.PendingApprovals(sctx); len(p) != 0 {
			t.Errorf("the requester's pending list shows their own request: %+v", p)
		}
		step()
		if err := e.svc.Decide(s2ctx, ap.ID, true, ""); err != nil {
			t.Fatalf("second supervisor approves the plan: %v", err)
		}
		if got := e.status(t, wctx, c.ID); got.Status != "assisted" {
			t.Fatalf("after plan approval: %s", got.Status)
		}
		// The service is delivered.
		if _, err := e.svc.UpdateService(wctx, c.ID, svc.ID, "delivered", "2026-03-10", "Cinco sesiones"); err != nil {
			t.Fatalf("deliver the service: %v", err)
		}
		if list, err := e.svc.Services(wctx, c.ID); err != nil || len(list) != 1 || list[0].Status != "delivered" {
			t.Errorf("services after delivery: %+v %v", list, err)
		}

		// Direct moves between the assistance stages.
		for _, to := range []string{"identified", "screened", "closed"} {
			wantField(t, "move assisted -> "+to, e.svc.Move(wctx, c.ID, to), "status", "cases.err.move")
		}
		for _, to := range []string{"reintegration", "follow_up", "assisted", "follow_up", "reintegration"} {
			step()
			if err := e.svc.Move(wctx, c.ID, to); err != nil {
				t.Fatalf("move to %s: %v", to, err)
			}
		}
		wantCode(t, "supervisor of another agency moves", e.svc.Move(e.as(supB), c.ID, "assisted"), errs.CodeNotFound)

		// Closure: the reason is required; approval closes the case and its open tasks.
		e.addOpenTask(t, wctx, c.ID, "2026-04-01")
		e.addOpenTask(t, wctx, c.ID, "2026-05-01")
		_, err = e.svc.RequestApproval(wctx, c.ID, "closure", "bored")
		wantField(t, "closure with a bad reason", err, "payload", "cases.err.choose")
		step()
		ap, err = e.svc.RequestApproval(wctx, c.ID, "closure", "reintegrated")
		if err != nil {
			t.Fatalf("request closure: %v", err)
		}
		step()
		if err := e.svc.Decide(sctx, ap.ID, true, ""); err != nil {
			t.Fatalf("approve closure: %v", err)
		}
		got = e.status(t, wctx, c.ID)
		if got.Status != "closed" || got.ClosureReason != "reintegrated" || got.ClosedAt.IsZero() {
			t.Errorf("after closure: %s %q %v", got.Status, got.ClosureReason, got.ClosedAt)
		}
		if n := e.count(t, "case_tasks", "case_id = ? AND done_at = ''", c.ID); n != 0 {
			t.Errorf("%d tasks still open after closure", n)
		}
		if n := e.count(t, "case_tasks", "case_id = ? AND done_by = ?", c.ID, sup.ID); n != 2 {
			t.Errorf("%d tasks closed by the approving supervisor, want 2", n)
		}
		_, err = e.svc.Update(wctx, c.ID, 0, got.Input)
		wantCode(t, "edit a closed case", err, errs.CodeConflict)
		_, err = e.svc.AddService(wctx, c.ID, cases.ServiceInput{SupportType: "legal", ProviderName: "Defensoría"})
		wantCode(t, "plan a service on a closed case", err, errs.CodeConflict)
		wantField(t, "move a closed case", e.svc.Move(wctx, c.ID, "assisted"), "status", "cases.err.move")
		_, err = e.svc.RequestApproval(wctx, c.ID, "closure", "other")
		wantField(t, "close a closed case", err, "kind", "cases.err.approval_stage")

		// Reopen: a reason is required; the case goes back where it was.
		wantField(t, "reopen without reason", e.svc.Reopen(wctx, c.ID, " "), "reason", "cases.err.reopen_reason")
		wantCode(t, "reopen by another agency", e.svc.Reopen(e.as(supB), c.ID, "x"), errs.CodeNotFound)
		step()
		if err := e.svc.Reopen(wctx, c.ID, "Nueva amenaza del tratante"); err != nil {
			t.Fatalf("reopen: %v", err)
		}
		got = e.status(t, wctx, c.ID)
		if got.Status != "reintegration" || got.ClosureReason != "" || !got.ClosedAt.IsZero() {
			t.Errorf("after reopening: %s %q %v, want reintegration with no closure", got.Status, got.ClosureReason, got.ClosedAt)
		}
		wantField(t, "reopen an open case", e.svc.Reopen(wctx, c.ID, "otra vez"), "reason", "cases.err.not_closed")

		// Once more, within the same second: closed from follow_up, reopened to follow_up.
		if err := e.svc.Move(wctx, c.ID, "follow_up"); err != nil {
			t.Fatal(err)
		}
		ap, err = e.svc.RequestApproval(wctx, c.ID, "closure", "lost_contact")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Decide(sctx, ap.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Reopen(wctx, c.ID, "Reapareció"); err != nil {
			t.Fatal(err)
		}
		if got := e.status(t, wctx, c.ID); got.Status != "follow_up" {
			t.Errorf("second reopening went to %s, want follow_up (the status before the latest closure)", got.Status)
		}

		// The history tells the whole story, oldest first, with comments decrypted.
		hist, err := e.svc.History(wctx, c.ID)
		if err != nil {
			t.Fatalf("history: %v", err)
		}
		var path []string
		for _, h := range hist {
			path = append(path, h.To)
		}
		want := "identified screened assisted reintegration follow_up assisted follow_up reintegration closed reintegration follow_up closed follow_up"
		if strings.Join(path, " ") != want {
			t.Errorf("history:\n got %s\nwant %s", strings.Join(path, " "), want)
		}
		for _, h := range hist {
			if h.To == "screened" && (h.Comment != "Entrevista completa" || h.By != sup.ID || h.ByName != sup.Name) {
				t.Errorf("screening entry: %+v", h)
			}
			if h.From == "closed" && h.Reason != "reopened" {
				t.Errorf("reopen entry without reason code: %+v", h)
			}
		}
		if h := hist[9]; h.Comment != "Nueva amenaza del tratante" || h.By != w.ID {
			t.Errorf("first reopen entry: %+v", h)
		}
		if h := hist[8]; h.Reason != "reintegrated" {
			t.Errorf("closure entry: %+v", h)
		}
		for action, min := range map[string]int{"case.approval_request": 5, "case.approval_approved": 4,
			"case.approval_rejected": 1, "case.status": 12} {
			if n := len(e.events(t, action, c.ID)); n < min {
				t.Errorf("%s events: %d, want at least %d", action, n, min)
			}
		}
	})
}

// TestApprovalsOnlyByTheCaseAgency: a referral or a shelter stay opens a case to
// another agency, but only supervisors of the case's own agency decide its approvals
// (Decide's contract), and only they see them waiting.
func TestApprovalsOnlyByTheCaseAgency(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.user(t, e.agA, access.CaseWorker)
		supB := e.user(t, e.agB, access.CaseSupervisor)
		c := e.register(t, e.as(w), goodInput())
		if err := e.svc.GrantAccess(e.sys(), c.ID, cases.Grant{AgencyID: e.agB.ID, Reason: "referral", SourceID: "ref-1", Fields: testFields}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(e.as(supB), c.ID); err != nil {
			t.Fatalf("the receiving agency's supervisor cannot view the referred case: %v", err)
		}
		ap, err := e.svc.RequestApproval(e.as(w), c.ID, "screening", "actual")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := e.svc.PendingApprovals(e.as(supB)); err != nil || len(p) != 0 {
			t.Errorf("the receiving agency's supervisor has %d approvals waiting (%v), want none", len(p), err)
		}
		err = e.svc.Decide(e.as(supB), ap.ID, true, "")
		if code := errs.CodeOf(err); code != errs.CodeForbidden && code != errs.CodeNotFound {
			t.Errorf("the receiving agency's supervisor decides the screening: %v, want forbidden or not found", err)
		}
		if got := e.status(t, e.as(w), c.ID); got.Status != "identified" {
			t.Errorf("the case moved to %s on another agency's approval", got.Status)
		}
	})
}
