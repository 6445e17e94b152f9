package cases_test

import (
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// "You already asked about this person" must not link two things a user typed. An
// outsider who sent a request about a cédula would otherwise type a name alone and read
// in that answer whether the name is the registered person's: the check answers only
// "likely duplicate elsewhere", and "already asked" is said only of the same search
// again (the registration after a request, or the same person typed another day).
func TestDuplicateRequestedLinksNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		first := e.check(t, e.outsider, probe()) // the env case's cédula, other names
		if !first.Elsewhere {
			t.Fatalf("the cédula does not match elsewhere: %+v", first)
		}
		if _, err := e.svc.SendDuplicateRequest(e.as(e.outsider), first.RequestCheck); err != nil {
			t.Fatal(err)
		}
		if again := e.check(t, e.outsider, probe()); !again.Requested || again.RequestCheck != first.RequestCheck {
			t.Errorf("the same search again does not say the request was sent: %+v", again)
		}
		// The registered person's names without the cédula: the same case matches by
		// name, and the answer must read as for any other name found elsewhere.
		byName := envInput()
		byName.Person.Documents = nil
		res := e.check(t, e.outsider, byName)
		if !res.Elsewhere {
			t.Fatalf("the names do not match elsewhere: %+v", res)
		}
		if res.Requested || res.RequestCheck != res.CheckID {
			t.Errorf("a search by the names alone says the earlier request (by the cédula) covers it, linking the two: %+v", res)
		}
		// The cédula with the registered names: no more "already asked" than with any
		// other names, or the difference would confirm the names.
		both := envInput()
		other := probe()
		other.Person.GivenNames, other.Person.FamilyNames = "Ana Lucía", "Pérez Mina"
		if a, b := e.check(t, e.outsider, both), e.check(t, e.outsider, other); a.Requested != b.Requested {
			t.Errorf("the cédula with the registered names says requested=%v, with other names %v", a.Requested, b.Requested)
		}
	})
}
