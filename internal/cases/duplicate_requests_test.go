package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// probe is another person with the env case's cédula: a document-only match, so what a
// requester sees can be searched for the env case's names.
func probe() cases.Input {
	in := envInput()
	in.Person.GivenNames, in.Person.FamilyNames, in.Person.BirthDate = "Rosa Elena", "Tenorio Cuero", "1990-01-15"
	in.Person.Guardian = nil
	return in
}

// check runs a duplicate check as u.
func (e *caseEnv) check(t *testing.T, u *auth.User, in cases.Input) *cases.DuplicateResult {
	t.Helper()
	in.Normalize()
	res, err := e.svc.Duplicates(e.as(u), &in, "")
	if err != nil {
		t.Fatalf("duplicate check as %s: %v", u.Name, err)
	}
	return res
}

// dupEvents lists the audit events with action (and record id when given).
func (e *caseEnv) dupEvents(t *testing.T, action, recordID string) []audit.Event {
	t.Helper()
	list, _, err := e.log.List(context.Background(), audit.Filter{Action: action, RecordID: recordID, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("audit list: %v", err)
	}
	return list
}

// Within reach duplicates are listed as before; another institution's are only a yes.
func TestDuplicateReach(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		// The assigned worker may open the case.
		res := e.check(t, e.worker, probe())
		if len(res.InReach) != 1 || !res.InReach[0].CanOpen || res.InReach[0].Number != e.caseNumber ||
			res.InReach[0].AgencyName != e.agency.Name || res.Elsewhere {
			t.Errorf("assigned worker: %+v", res)
		}
		if got := strings.Join(res.InReach[0].Reasons, ","); got != "document" {
			t.Errorf("reasons %q, want document", got)
		}
		// A colleague of the same institution sees it, but may not open it.
		res = e.check(t, e.worker2, probe())
		if len(res.InReach) != 1 || res.InReach[0].CanOpen || res.Elsewhere {
			t.Errorf("colleague: %+v", res)
		}
		// A worker of another institution: elsewhere, nothing more.
		res = e.check(t, e.outsider, probe())
		if len(res.InReach) != 0 || !res.Elsewhere || res.CheckID == "" || res.RequestCheck != res.CheckID {
			t.Errorf("outsider: %+v", res)
		}
		// A referral that does not carry the documents opens the case to the other
		// institution, but a document match stays "elsewhere": the receiver must not
		// learn the person's document number through the check.
		mustOK(t, e.svc.GrantAccess(e.sys(), e.caseID, cases.Grant{AgencyID: e.other.ID, Reason: "referral", SourceID: "ref-1", Fields: testFields}))
		res = e.check(t, e.outsider, probe())
		if len(res.InReach) != 0 || !res.Elsewhere {
			t.Errorf("outsider after a referral without documents: %+v", res)
		}
		// One that carries them puts the case within reach.
		withDocs := append([]string{"documents"}, testFields...)
		mustOK(t, e.svc.GrantAccess(e.sys(), e.caseID, cases.Grant{AgencyID: e.other.ID, Reason: "referral", SourceID: "ref-2", Fields: withDocs}))
		res = e.check(t, e.outsider, probe())
		if len(res.InReach) != 1 || !res.InReach[0].CanOpen || res.Elsewhere {
			t.Errorf("outsider after a referral with documents: %+v", res)
		}
		// Someone who may not register cases may not check.
		in := probe()
		_, err := e.svc.Duplicates(e.as(e.coordinator), &in, "")
		wantErrCode(t, err, errs.CodeForbidden)
		// Register answers the same.
		outB := e.newUser(t, e.shelter, "Ines Externa", access.CaseSupervisor)
		_, err = e.svc.Register(e.as(outB), probe(), cases.RegisterOptions{})
		var df *cases.DuplicatesFound
		if !errors.As(err, &df) || len(df.Duplicates) != 0 || !df.Result.Elsewhere {
			t.Fatalf("register in a third institution: %v", err)
		}
		wantErrCode(t, err, errs.CodeConflict)
	})
}

// Every check is audited with the ids it matched, also when it matched nothing, and each
// matched case gets an event of its own, so an auditor finds who probed a case.
func TestDuplicateCheckAudit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		res := e.check(t, e.outsider, probe())
		ev := e.dupEvents(t, "case.duplicate_check", res.CheckID)
		if len(ev) != 1 || ev[0].ActorID != e.outsider.ID || ev[0].RecordType != "duplicate_check" ||
			ev[0].Detail != "in_reach=- elsewhere="+e.caseID {
			t.Fatalf("check event: %+v", ev)
		}
		match := e.dupEvents(t, "case.duplicate_match", e.caseID)
		if len(match) != 1 || match[0].ActorID != e.outsider.ID || match[0].RecordType != "case" ||
			match[0].Detail != "check="+res.CheckID+" elsewhere reasons=document" {
			t.Fatalf("match event: %+v", match)
		}
		// The worker's own check: in reach.
		mine := e.check(t, e.worker, probe())
		if ev := e.dupEvents(t, "case.duplicate_check", mine.CheckID); len(ev) != 1 || ev[0].Detail != "in_reach="+e.caseID+" elsewhere=-" {
			t.Errorf("in-reach check event: %+v", ev)
		}
		// A check that finds nothing is audited too.
		none := envInput()
		none.Person.GivenNames, none.Person.FamilyNames = "Pedro", "Guamán"
		none.Person.Documents = []cases.Document{{Type: "cedula", Number: "1710034065"}}
		empty := e.check(t, e.outsider, none)
		if empty.Found() {
			t.Fatalf("a different person matched: %+v", empty)
		}
		if ev := e.dupEvents(t, "case.duplicate_check", empty.CheckID); len(ev) != 1 || ev[0].Detail != "none" {
			t.Errorf("empty check event: %+v", ev)
		}
		// No event carries personal data.
		all := append(e.dupEvents(t, "case.duplicate_check", ""), e.dupEvents(t, "case.duplicate_match", "")...)
		for _, ev := range all {
			for _, personal := range []string{"Rosa", "Tenorio", "María", envCedula, "1710034065"} {
				if strings.Contains(ev.Detail, personal) || strings.Contains(ev.RecordID, personal) {
					t.Errorf("audit event %s holds %q: %+v", ev.Action, personal, ev)
				}
			}
		}
	})
}

// Twenty checks in ten minutes pass; the twenty-first is refused and audited, and the
// window slides.
func TestDuplicateRateLimit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		for i := 0; i < cases.DupCheckLimit; i++ {
			e.setNow(t, envNow.Add(time.Duration(i)*time.Second))
			e.check(t, e.outsider, probe())
		}
		in := probe()
		_, err := e.svc.Duplicates(e.as(e.outsider), &in, "")
		wantErrCode(t, err, errs.CodeTooMany)
		if e, ok := errs.As(err); !ok || e.Key != "cases.dup.limited" {
			t.Errorf("limit error: %v", err)
		}
		_, err = e.svc.Register(e.as(e.outsider), probe(), cases.RegisterOptions{})
		wantErrCode(t, err, errs.CodeTooMany)
		ev := e.dupEvents(t, "case.duplicate_check_limited", e.outsider.ID)
		if len(ev) != 2 || ev[0].Outcome != audit.OutcomeDenied || ev[0].RecordType != "user" {
			t.Fatalf("limited events: %+v", ev)
		}
		// Another user is not limited by it.
		e.check(t, e.worker2, probe())
		// Ten minutes after the first checks, the window has room again.
		e.setNow(t, envNow.Add(cases.DupCheckWindow+time.Second))
		e.check(t, e.outsider, probe())
	})
}

// A request goes to the holding institution's supervisors only; connecting tells the
// requester the institution and a contact and links the cases, nothing more.
func TestDuplicateRequestConnect(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		otherSup := e.newUser(t, e.other, "Gabriela Supervisora", access.CaseSupervisor)
		_, err := e.svc.Register(e.as(e.outsider), probe(), cases.RegisterOptions{})
		var df *cases.DuplicatesFound
		if !errors.As(err, &df) {
			t.Fatalf("register: %v", err)
		}
		check := df.Result.RequestCheck
		// Someone else cannot send a request from this check.
		_, err = e.svc.SendDuplicateRequest(e.as(otherSup), check)
		wantErrCode(t, err, errs.CodeNotFound)
		out, err := e.svc.SendDuplicateRequest(e.as(e.outsider), check)
		mustOK(t, err)
		if out.Status != "pending" || len(out.Connections) != 0 || !out.ExpiresAt.Equal(envNow.Add(cases.DupRequestTTL)) {
			t.Errorf("sent: %+v", out)
		}
		_, err = e.svc.SendDuplicateRequest(e.as(e.outsider), check)
		wantErrCode(t, err, errs.CodeConflict)
		// A new check of the same person says a request was already sent.
		again := e.check(t, e.outsider, probe())
		if !again.Requested || again.RequestCheck != check || again.CheckID == check {
			t.Errorf("check after the request: %+v", again)
		}
		// Only the holding institution's supervisors see and decide it.
		in, _, err := e.svc.IncomingRequests(e.as(e.supervisor), cases.DupFilter{Status: "pending"})
		mustOK(t, err)
		if len(in) != 1 || in[0].RequesterName != e.outsider.Name || in[0].RequesterAgency != e.other.Name ||
			len(in[0].Matches) != 1 || in[0].Matches[0].Number != e.caseNumber || in[0].Matches[0].Reasons[0] != "document" {
			t.Fatalf("incoming: %+v", in)
		}
		id := in[0].ID
		for _, u := range []*auth.User{e.worker, otherSup, e.outsider, e.coordinator} {
			_, err := e.svc.IncomingRequest(e.as(u), id)
			wantErrCode(t, err, errs.CodeNotFound)
			wantErrCode(t, e.svc.ConnectDuplicate(e.as(u), id, nil), errs.CodeNotFound)
			if list, _, _ := e.svc.IncomingRequests(e.as(u), cases.DupFilter{}); len(list) != 0 {
				t.Errorf("%s lists %d incoming requests", u.Name, len(list))
			}
		}
		if n := len(e.dupEvents(t, "case.denied", id)); n != 8 {
			t.Errorf("%d refused looks at the request audited, want 8", n)
		}
		// The requester registers the person anyway, keeping the link.
		mine, err := e.svc.Register(e.as(e.outsider), probe(), cases.RegisterOptions{NotDuplicate: true, CheckID: again.RequestCheck})
		mustOK(t, err)
		if ev := e.dupEvents(t, "case.create", mine.ID); len(ev) != 1 || ev[0].Detail != "duplicates reviewed check="+check {
			t.Errorf("registration event: %+v", ev)
		}
		// Someone else's check links nothing.
		other, err := e.svc.Register(e.as(otherSup), probe(), cases.RegisterOptions{NotDuplicate: true, CheckID: check})
		mustOK(t, err)
		if ev := e.dupEvents(t, "case.create", other.ID); len(ev) != 1 || ev[0].Detail != "duplicates reviewed" {
			t.Errorf("registration with someone else's check: %+v", ev)
		}
		if w, err := e.svc.MyDupWork(e.as(e.supervisor)); err != nil || w.Waiting != 1 {
			t.Errorf("supervisor's work: %+v %v", w, err)
		}
		wantFieldErr(t, e.svc.ConnectDuplicate(e.as(e.supervisor), id, []string{}), "case_ids", "cases.dupreq.choose_case")
		wantFieldErr(t, e.svc.ConnectDuplicate(e.as(e.supervisor), id, []string{mine.ID}), "case_ids", "cases.dupreq.choose_case")
		mustOK(t, e.svc.ConnectDuplicate(e.as(e.supervisor), id, []string{e.caseID}))
		wantErrCode(t, e.svc.ConnectDuplicate(e.as(e.supervisor), id, nil), errs.CodeConflict)
		wantErrCode(t, e.svc.DeclineDuplicate(e.as(e.supervisor), id, "other"), errs.CodeConflict)
		if ev := e.dupEvents(t, "case.duplicate_connect", id); len(ev) != 1 || ev[0].Detail != "cases="+e.caseID {
			t.Errorf("connect event: %+v", ev)
		}
		// The requester's side: the institution and the supervisor as the contact.
		sent, total, err := e.svc.OutgoingRequests(e.as(e.outsider), cases.DupFilter{})
		mustOK(t, err)
		if total != 1 || sent[0].Status != "connected" || len(sent[0].Connections) != 1 || sent[0].CaseID != mine.ID {
			t.Fatalf("sent after connecting: %+v", sent)
		}
		c := sent[0].Connections[0]
		if c.Agency != e.agency.Name || c.ContactName != e.supervisor.Name || c.ContactEmail != e.supervisor.Email {
			t.Errorf("connection: %+v", c)
		}
		body, _ := json.Marshal(sent)
		for _, leak := range []string{e.caseNumber, e.caseID, "María", "Muñoz", envCedula} {
			if strings.Contains(string(body), leak) {
				t.Errorf("the requester's view holds %q: %s", leak, body)
			}
		}
		// The other institution's supervisor sees their institution's requests too.
		if list, _, _ := e.svc.OutgoingRequests(e.as(otherSup), cases.DupFilter{}); len(list) != 1 {
			t.Errorf("requester's supervisor sees %d sent requests", len(list))
		}
		if w, err := e.svc.MyDupWork(e.as(e.outsider)); err != nil || w.Answered != 1 {
			t.Errorf("requester's work: %+v %v", w, err)
		}
		// Each side sees that a linked case exists in the other institution.
		links, err := e.svc.LinkedCases(e.as(e.outsider), mine.ID)
		mustOK(t, err)
		if len(links) != 1 || links[0].Agency != e.agency.Name || !links[0].Requested {
			t.Errorf("requester's links: %+v", links)
		}
		links, err = e.svc.LinkedCases(e.as(e.worker), e.caseID)
		mustOK(t, err)
		if len(links) != 1 || links[0].Agency != e.other.Name || links[0].Requested || !links[0].Registered ||
			links[0].ContactEmail != e.outsider.Email {
			t.Errorf("holder's links: %+v", links)
		}
		// A shelter that may see the case through a stay does not see its links.
		e.shelterAccess(t, e.caseID)
		if links, err := e.svc.LinkedCases(e.as(e.coordinator), e.caseID); err != nil || len(links) != 0 {
			t.Errorf("the shelter sees links: %+v %v", links, err)
		}
	})
}
