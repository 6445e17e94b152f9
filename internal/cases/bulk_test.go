package cases_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/demo"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// TestBulkInsert: bulk cases read back like registered ones (decrypted, searchable by
// blind index, with their history), numbers go on from the same counter, and only the
// system may bulk insert.
func TestBulkInsert(t *testing.T) {
	ta := newAPIApp(t, "sqlite")
	worker := ta.user(ta.agency("norte"), access.CaseWorker, "worker@norte.test")
	maker := demo.NewCaseMaker(3, time.Now(), 2)
	var batch []*cases.Case
	for i := 0; i < 20; i++ {
		c := maker.Make()
		c.AgencyID, c.AssignedTo, c.CreatedBy = worker.user.AgencyID, worker.user.ID, worker.user.ID
		batch = append(batch, c)
	}
	wctx := access.With(reqinfo.With(context.Background(), &reqinfo.Info{UserID: worker.user.ID}), worker.user.Subject())
	if err := ta.Cases.BulkInsert(wctx, batch[:1], cases.BulkOptions{}); errs.CodeOf(err) != errs.CodeForbidden {
		t.Fatalf("bulk insert as a worker: %v, want forbidden", err)
	}
	if err := ta.Cases.BulkInsert(system(), batch, cases.BulkOptions{History: true}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range batch {
		if !numberRe.MatchString(c.Number) || seen[c.Number] {
			t.Fatalf("bulk number %q", c.Number)
		}
		seen[c.Number] = true
	}
	c := batch[5]
	var got cases.Case
	worker.want(t, http.StatusOK, "GET", "/api/v1/cases/"+c.ID, nil, &got)
	if got.Person.FullName() != c.Person.FullName() || got.Status != c.Status || len(got.Exploitation) != len(c.Exploitation) {
		t.Errorf("read back: %+v\nwant %+v", got, c)
	}
	var l listBody
	worker.want(t, http.StatusOK, "GET", "/api/v1/cases?per_page=200&q="+url.QueryEscape(c.Person.FullName()), nil, &l)
	found := false
	for _, r := range l.Cases {
		found = found || r.ID == c.ID
	}
	if !found {
		t.Errorf("name search does not find the bulk case %s", c.Number)
	}
	h, err := ta.Cases.History(wctx, c.ID)
	if err != nil || len(h) == 0 || h[0].To != "identified" || h[len(h)-1].To != c.Status {
		t.Errorf("history of a %s case: %+v %v", c.Status, h, err)
	}
	var next cases.Case
	worker.want(t, http.StatusCreated, "POST", "/api/v1/cases", variant(99, "17", "1701", "female", 20, "sexual"), &next)
	if seen[next.Number] {
		t.Errorf("registration after a bulk insert reused number %s", next.Number)
	}
}
