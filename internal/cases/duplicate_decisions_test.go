package cases_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Declining tells the requester only that; requests expire; a check is good for a day.
func TestDuplicateRequestDeclineAndExpiry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		send := func() string {
			t.Helper()
			res := e.check(t, e.outsider, probe())
			_, err := e.svc.SendDuplicateRequest(e.as(e.outsider), res.RequestCheck)
			mustOK(t, err)
			in, _, err := e.svc.IncomingRequests(e.as(e.supervisor), cases.DupFilter{Status: "pending"})
			mustOK(t, err)
			return in[0].ID
		}
		first := send()
		wantFieldErr(t, e.svc.DeclineDuplicate(e.as(e.supervisor), first, "porque sí"), "reason", "cases.err.choose")
		mustOK(t, e.svc.DeclineDuplicate(e.as(e.supervisor), first, "safety"))
		if ev := e.dupEvents(t, "case.duplicate_decline", first); len(ev) != 1 || ev[0].Detail != "reason=safety" {
			t.Errorf("decline event: %+v", ev)
		}
		sent, _, err := e.svc.OutgoingRequests(e.as(e.outsider), cases.DupFilter{})
		mustOK(t, err)
		body, _ := json.Marshal(sent)
		if sent[0].Status != "declined" || len(sent[0].Connections) != 0 || strings.Contains(string(body), "safety") ||
			strings.Contains(string(body), e.agency.Name) || strings.Contains(string(body), e.supervisor.Name) {
			t.Errorf("declined, as the requester sees it: %s", body)
		}
		if w, err := e.svc.MyDupWork(e.as(e.outsider)); err != nil || w.Answered != 1 {
			t.Errorf("a declined request is an answer: %+v %v", w, err)
		}
		got, err := e.svc.IncomingRequest(e.as(e.supervisor), first)
		mustOK(t, err)
		if got.Status != "declined" || got.DeclineReason != "safety" || got.DeciderName != e.supervisor.Name {
			t.Errorf("declined, as the holder sees it: %+v", got)
		}

		// A request nobody decides expires after DupRequestTTL, on both sides.
		e.setNow(t, envNow.Add(time.Hour))
		second := send()
		e.setNow(t, envNow.Add(time.Hour+cases.DupRequestTTL+time.Minute))
		err = e.svc.ConnectDuplicate(e.as(e.supervisor), second, nil)
		wantErrCode(t, err, errs.CodeConflict)
		if x, _ := errs.As(err); x.Key != "cases.dupreq.expired" {
			t.Errorf("connect after expiry: %v", err)
		}
		if list, n, _ := e.svc.IncomingRequests(e.as(e.supervisor), cases.DupFilter{Status: "expired"}); n != 1 || list[0].ID != second {
			t.Errorf("expired list: %d %+v", n, list)
		}
		if _, n, _ := e.svc.IncomingRequests(e.as(e.supervisor), cases.DupFilter{Status: "pending"}); n != 0 {
			t.Errorf("%d pending after expiry", n)
		}
		sent, _, _ = e.svc.OutgoingRequests(e.as(e.outsider), cases.DupFilter{})
		if len(sent) != 2 || sent[0].Status != "expired" || sent[1].Status != "declined" {
			t.Errorf("sent after expiry: %+v", sent)
		}
		// A check is good for a request for DupCheckTTL.
		old := e.check(t, e.outsider, probe())
		e.setNow(t, e.now.Add(cases.DupCheckTTL+time.Minute))
		_, err = e.svc.SendDuplicateRequest(e.as(e.outsider), old.CheckID)
		wantErrCode(t, err, errs.CodeConflict)
		// A check that found nothing elsewhere has nobody to ask.
		mine := e.check(t, e.worker, probe())
		_, err = e.svc.SendDuplicateRequest(e.as(e.worker), mine.CheckID)
		wantErrCode(t, err, errs.CodeConflict)
	})
}

// Matches in two institutions: the requester sees one request; one "no" and one "yes"
// read as connected, with the one that connected.
func TestDuplicateRequestTwoHolders(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		third := e.newAgency(t, "tercera", "Tercera Fundación", "ngo", "17", "1701")
		thirdSup := e.newUser(t, third, "Hilda Supervisora", access.CaseSupervisor)
		e.register(t, thirdSup, envInput())
		res := e.check(t, e.outsider, probe())
		if !res.Elsewhere || len(res.InReach) != 0 {
			t.Fatalf("check: %+v", res)
		}
		_, err := e.svc.SendDuplicateRequest(e.as(e.outsider), res.RequestCheck)
		mustOK(t, err)
		ids := map[*auth.User]string{}
		for _, sup := range []*auth.User{e.supervisor, thirdSup} {
			in, _, err := e.svc.IncomingRequests(e.as(sup), cases.DupFilter{})
			mustOK(t, err)
			if len(in) != 1 || len(in[0].Matches) != 1 {
				t.Fatalf("%s receives %+v", sup.Name, in)
			}
			ids[sup] = in[0].ID
		}
		mustOK(t, e.svc.DeclineDuplicate(e.as(e.supervisor), ids[e.supervisor], "not_same_person"))
		sent, _, _ := e.svc.OutgoingRequests(e.as(e.outsider), cases.DupFilter{})
		if len(sent) != 1 || sent[0].Status != "pending" {
			t.Errorf("one declined, one waiting: %+v", sent)
		}
		if w, err := e.svc.MyDupWork(e.as(e.outsider)); err != nil || w.Answered != 0 {
			t.Errorf("one declined, one waiting counts as answered: %+v %v", w, err)
		}
		mustOK(t, e.svc.ConnectDuplicate(e.as(thirdSup), ids[thirdSup], nil))
		sent, _, _ = e.svc.OutgoingRequests(e.as(e.outsider), cases.DupFilter{})
		if len(sent) != 1 || sent[0].Status != "connected" || len(sent[0].Connections) != 1 ||
			sent[0].Connections[0].Agency != third.Name {
			t.Errorf("one declined, one connected: %+v", sent)
		}
		if w, err := e.svc.MyDupWork(e.as(e.outsider)); err != nil || w.Answered != 1 {
			t.Errorf("answered after the connection: %+v %v", w, err)
		}
	})
}
