package cases_test

import (
	"context"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// caseCalls are the calls on one case a user may be refused, each returning its error.
func caseCalls(e *env, c *cases.Case) map[string]func(ctx context.Context) error {
	return map[string]func(ctx context.Context) error{
		"Get": func(ctx context.Context) error { _, err := e.svc.Get(ctx, c.ID); return err },
		"Update": func(ctx context.Context) error {
			_, err := e.svc.Update(ctx, c.ID, 0, c.Input)
			return err
		},
		"RecordConsent": func(ctx context.Context) error {
			_, err := e.svc.RecordConsent(ctx, c.ID, consent("statistics", "given", "representative", "Madre"))
			return err
		},
		"History":  func(ctx context.Context) error { _, err := e.svc.History(ctx, c.ID); return err },
		"Consents": func(ctx context.Context) error { _, err := e.svc.Consents(ctx, c.ID); return err },
		"Approvals": func(ctx context.Context) error {
			_, err := e.svc.Approvals(ctx, c.ID)
			return err
		},
		"RequestApproval": func(ctx context.Context) error {
			_, err := e.svc.RequestApproval(ctx, c.ID, "screening", "possible")
			return err
		},
		"Move":   func(ctx context.Context) error { return e.svc.Move(ctx, c.ID, "assisted") },
		"Reopen": func(ctx context.Context) error { return e.svc.Reopen(ctx, c.ID, "motivo") },
		"Assign": func(ctx context.Context) error { return e.svc.Assign(ctx, c.ID, c.AssignedTo) },
	}
}

func TestAccessToACase(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		shelterC := e.agency(t, "albergue-c", "shelter", "09", "0901")
		wA := e.user(t, e.agA, access.CaseWorker)
		wA2 := e.user(t, e.agA, access.CaseWorker)
		supA := e.user(t, e.agA, access.CaseSupervisor)
		wB := e.user(t, e.agB, access.CaseWorker)
		supB := e.user(t, e.agB, access.CaseSupervisor)
		coordC := e.user(t, shelterC, access.ShelterCoordinator)
		c := e.register(t, e.as(wA), goodInput())
		calls := caseCalls(e, c)

		// Nobody outside the case's reach learns it exists: every call is "not found",
		// exactly as for an id that does not exist, and the refusal is audited.
		outsiders := map[string]*auth.User{
			"worker of another agency":               wB,
			"supervisor of another agency":           supB,
			"unassigned worker of the same agency":   wA2,
			"shelter coordinator without a stay":     coordC,
			"national coordinator":                   e.user(t, e.agA, access.NationalCoordinator),
			"monitoring":                             e.user(t, e.agA, access.Monitoring),
			"local focal point of the case's canton": e.user(t, e.agA, access.LocalFocalPoint),
			"administrator":                          e.user(t, e.agA, access.Admin),
			"data protection officer":                e.user(t, e.agA, access.DataProtectionOfficer),
			"prosecution liaison":                    e.user(t, e.agB, access.ProsecutionLiaison),
			"reintegration officer":                  e.user(t, e.agA, access.ReintegrationOfficer),
		}
		for who, u := range outsiders {
			for name, call := range calls {
				err := call(e.as(u))
				if errs.CodeOf(err) != errs.CodeNotFound {
					t.Errorf("%s: %s gave %v, want not found", who, name, err)
				}
			}
		}
		denied := e.events(t, "case.denied", c.ID)
		byActor := map[string]int{}
		for _, ev := range denied {
			if ev.Outcome != audit.OutcomeDenied || ev.RecordType != "case" {
				t.Errorf("case.denied event: %+v", ev)
			}
			byActor[ev.ActorID]++
		}
		for who, u := range outsiders {
			if byActor[u.ID] != len(calls) {
				t.Errorf("%s: %d case.denied events, want %d", who, byActor[u.ID], len(calls))
			}
		}
		if len(e.events(t, "case.view", c.ID)) != 0 {
			t.Error("a refused Get was recorded as a view")
		}
		// Nothing changed through the refused calls.
		if n := e.count(t, "case_consents", ""); n != 0 {
			t.Errorf("%d consents recorded by outsiders", n)
		}
		if n := e.count(t, "case_approvals", ""); n != 0 {
			t.Errorf("%d approvals requested by outsiders", n)
		}

		// The assigned worker and the agency's supervisor may; the view is audited for each.
		for who, u := range map[string]*auth.User{"assigned worker": wA, "supervisor": supA} {
			if _, err := e.svc.Get(e.as(u), c.ID); err != nil {
				t.Errorf("%s: get: %v", who, err)
			}
			if _, err := e.svc.History(e.as(u), c.ID); err != nil {
				t.Errorf("%s: history: %v", who, err)
			}
		}
		views := map[string]bool{}
		for _, ev := range e.events(t, "case.view", c.ID) {
			views[ev.ActorID] = true
		}
		if !views[wA.ID] || !views[supA.ID] || len(views) != 2 {
			t.Errorf("case.view actors: %v", views)
		}
		if _, err := e.svc.Update(e.as(supA), c.ID, 0, c.Input); err != nil {
			t.Errorf("supervisor updates: %v", err)
		}
		// The assigned worker may not reassign (seeing is not managing: forbidden).
		wantCode(t, "worker assigns", e.svc.Assign(e.as(wA), c.ID, wA2.ID), errs.CodeForbidden)

		// A shelter stay opens the case to the shelter for viewing only, while it lasts.
		if err := e.svc.GrantAccess(e.sys(), c.ID, cases.Grant{AgencyID: shelterC.ID, Reason: "shelter", SourceID: "stay-7", Fields: testFields}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(e.as(coordC), c.ID); err != nil {
			t.Errorf("shelter coordinator after the grant: %v", err)
		}
		_, err := e.svc.Update(e.as(coordC), c.ID, 0, c.Input)
		wantCode(t, "shelter coordinator updates", err, errs.CodeForbidden)
		_, err = e.svc.RecordConsent(e.as(coordC), c.ID, consent("statistics", "given", "representative", "Madre"))
		wantCode(t, "shelter coordinator records consent", err, errs.CodeForbidden)
		// The shelter holds no case in full: the stay lists the case apart, as shared.
		if _, total, err := e.svc.List(e.as(coordC), cases.Filter{}); err != nil || total != 0 {
			t.Errorf("shelter coordinator's own list with the stay: %d %v", total, err)
		}
		if shared, err := e.svc.Shared(e.as(coordC), ""); err != nil || len(shared) != 1 || shared[0].ID != c.ID {
			t.Errorf("shelter coordinator's shared cases with the stay: %+v %v", shared, err)
		}
		// The shared list is one audit event naming the cases it showed, not one per row.
		if evs, _, err := e.log.List(context.Background(), audit.Filter{Action: "case.shared_list_view", ActorID: coordC.ID}); err != nil ||
			len(evs) != 1 || evs[0].Detail != c.Number {
			t.Errorf("shared list audit: %+v %v", evs, err)
		}
		// The grant is for the shelter's agency only.
		_, err = e.svc.Get(e.as(wB), c.ID)
		wantCode(t, "agency B after C's grant", err, errs.CodeNotFound)
		if err := e.svc.RevokeAccess(e.sys(), c.ID, shelterC.ID, "shelter", "stay-7"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Get(e.as(coordC), c.ID)
		wantCode(t, "shelter coordinator after the revocation", err, errs.CodeNotFound)
		if shared, err := e.svc.Shared(e.as(coordC), ""); err != nil || len(shared) != 0 {
			t.Errorf("shelter coordinator's shared cases after the stay: %+v %v", shared, err)
		}
		if len(e.events(t, "case.access_grant", c.ID)) != 1 || len(e.events(t, "case.access_revoke", c.ID)) != 1 {
			t.Error("grant and revocation are not both audited")
		}

		// Without a user, nothing.
		_, err = e.svc.Get(context.Background(), c.ID)
		wantCode(t, "anonymous get", err, errs.CodeUnauthenticated)
		_, _, err = e.svc.List(context.Background(), cases.Filter{})
		wantCode(t, "anonymous list", err, errs.CodeUnauthenticated)
	})
}

// TestListScope counts what each user's list holds with several agencies and workers:
// never a case out of scope, whatever the filter or search.
func TestListScope(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		agC := e.agency(t, "tercera", "ngo", "10", "1001")
		wA1 := e.user(t, e.agA, access.CaseWorker)
		wA2 := e.user(t, e.agA, access.CaseWorker)
		supA := e.user(t, e.agA, access.CaseSupervisor)
		wB := e.user(t, e.agB, access.CaseWorker)
		supB := e.user(t, e.agB, access.CaseSupervisor)
		wC := e.user(t, agC, access.CaseWorker)
		supC := e.user(t, agC, access.CaseSupervisor)
		// Every case has the same name, so a name search would find them all if the
		// scope failed.
		owned := map[string][]string{}
		i := 0
		for u, n := range map[*auth.User]int{wA1: 3, wA2: 2, wB: 4, wC: 1} {
			for range n {
				i++
				c := e.register(t, e.as(u), person(i, "Mismo", "Nombre"))
				owned[u.ID] = append(owned[u.ID], c.ID)
			}
		}
		// One of B's cases is referred to agency C.
		if err := e.svc.GrantAccess(e.sys(), owned[wB.ID][0], cases.Grant{AgencyID: agC.ID, Reason: "referral", SourceID: "ref-1", Fields: testFields}); err != nil {
			t.Fatal(err)
		}
		// The list holds the cases each user holds in full; the one referred to C is
		// listed apart, as shared with C.
		want := map[*auth.User]int{wA1: 3, wA2: 2, supA: 5, wB: 4, supB: 4, wC: 1, supC: 1}
		for u, n := range want {
			for _, f := range []cases.Filter{{}, {Q: "Mismo Nombre"}, {Q: "mismo"}, {Status: "open"}, {Child: "1"}, {PerPage: 1}} {
				rows, total, err := e.svc.List(e.as(u), f)
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				if total != n {
					t.Errorf("user of %s (%v) with %+v: total %d, want %d", u.AgencyID, u.Roles, f, total, n)
				}
				for _, r := range rows {
					if _, err := e.svc.Get(e.as(u), r.ID); err != nil {
						t.Errorf("list shows %s to a user who cannot open it: %v", r.Number, err)
					}
				}
			}
		}
		for u, n := range map[*auth.User]int{wA1: 0, supA: 0, supB: 0, wC: 1, supC: 1} {
			for _, q := range []string{"", "Mismo Nombre", "EC-2026-9999"} {
				shared, err := e.svc.Shared(e.as(u), q)
				if err != nil {
					t.Fatalf("shared: %v", err)
				}
				wantN := n
				if q == "EC-2026-9999" {
					wantN = 0
				}
				if len(shared) != wantN {
					t.Errorf("user of %s (%v), shared with %q: %d, want %d", u.AgencyID, u.Roles, q, len(shared), wantN)
				}
				for _, r := range shared {
					if r.ID != owned[wB.ID][0] {
						t.Errorf("shared list shows %s", r.Number)
					}
				}
			}
		}
		// A filter on another agency does not widen the scope.
		if _, total, _ := e.svc.List(e.as(supA), cases.Filter{Agency: e.agB.ID}); total != 0 {
			t.Errorf("supervisor A filtering on agency B sees %d", total)
		}
		if _, total, _ := e.svc.List(e.as(wA1), cases.Filter{Worker: wA2.ID}); total != 0 {
			t.Errorf("worker filtering on a colleague sees %d", total)
		}
		// Roles without access to personal data cannot list cases at all.
		for _, r := range []access.Role{access.NationalCoordinator, access.Monitoring, access.LocalFocalPoint,
			access.Admin, access.DataProtectionOfficer} {
			u := e.user(t, e.agA, r)
			_, _, err := e.svc.List(e.as(u), cases.Filter{})
			wantCode(t, "list as "+string(r), err, errs.CodeForbidden)
			pending, err := e.svc.PendingApprovals(e.as(u))
			if err != nil || len(pending) != 0 {
				t.Errorf("pending approvals as %s: %v %v", r, pending, err)
			}
		}
	})
}

// TestRelatedAgencyOnlyViews: a referral opens the case to the receiving agency so its
// staff can read what the referral carries and record their own notes and services;
// changing the case (identity data, consent, workflow) and reading the owner's workflow
// stay with the agency that owns it. The receiving agency is told "forbidden", not
// "not found", since it may see the case.
func TestRelatedAgencyOnlyViews(t *testing.T) {
	t.Parallel()
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		wA := e.user(t, e.agA, access.CaseWorker)
		wB := e.user(t, e.agB, access.CaseWorker)
		supB := e.user(t, e.agB, access.CaseSupervisor)
		c := e.register(t, e.as(wA), goodInput())
		if err := e.svc.GrantAccess(e.sys(), c.ID, cases.Grant{AgencyID: e.agB.ID, Reason: "referral", SourceID: "ref-9", Fields: testFields}); err != nil {
			t.Fatal(err)
		}
		calls := caseCalls(e, c)
		calls["AddService"] = func(ctx context.Context) error {
			_, err := e.svc.AddService(ctx, c.ID, cases.ServiceInput{SupportType: "legal", ProviderName: "Defensoría"})
			return err
		}
		calls["AddNote"] = func(ctx context.Context) error { _, err := e.svc.AddNote(ctx, c.ID, "nota"); return err }
		for who, u := range map[string]*auth.User{"worker of the receiving agency": wB, "its supervisor": supB} {
			for _, name := range []string{"Get", "Consents", "AddService", "AddNote"} {
				if err := calls[name](e.as(u)); err != nil {
					t.Errorf("%s: %s: %v (a referral lets them view and keep their own records)", who, name, err)
				}
			}
			for _, name := range []string{"Update", "RecordConsent", "RequestApproval", "Move", "Reopen", "Assign", "History", "Approvals"} {
				if err := calls[name](e.as(u)); errs.CodeOf(err) != errs.CodeForbidden {
					t.Errorf("%s: %s gave %v, want forbidden", who, name, err)
				}
			}
		}
		got, err := e.svc.Get(e.as(wA), c.ID)
		if err != nil || got.Version != 1 {
			t.Errorf("the owning agency's case changed through the receiving agency: v%d %v", got.Version, err)
		}
		if n := e.count(t, "case_consents", "case_id = ?", c.ID); n != 0 {
			t.Errorf("%d consents recorded by the receiving agency", n)
		}
	})
}
