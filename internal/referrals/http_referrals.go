package referrals

import (
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// listRow is one line of a referral list, with the words already chosen.
type listRow struct {
	ID, Number, CaseNumber, Other, Purpose, Due, Sent string
	Support                                           []string
	Status                                            badge
	Urgent, Overdue, Prosecution                      bool
}

// tab is one direction of the list, with its overdue count.
type tab struct {
	Direction string
	Label     string
	Link      string
	Current   bool
	Overdue   int
	Show      bool
}

type listData struct {
	Direction string
	Rows      []listRow
	Total     int
	Filtered  bool
	Pager     map[string]any
	Tabs      []tab
	Statuses  []web.Option
}

// defaultDirection is the list a user lands on: outgoing for those who send
// referrals, the incoming inbox for receiving institutions.
func defaultDirection(r *http.Request) string {
	if can(r, access.Create, access.Referral) {
		return "outgoing"
	}
	return "incoming"
}

// List shows the incoming inbox or the outgoing referrals, filtered in the URL.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	dir := q.Get("direction")
	if dir != "incoming" && dir != "outgoing" {
		dir = defaultDirection(r)
	}
	status := q.Get("status")
	if status != "open" && !oneOf(Statuses, status) {
		status = ""
	}
	f := Filter{Direction: dir, Status: status, Overdue: q.Get("overdue") == "1", Urgent: q.Get("urgent") == "1",
		Page: pageOf(q), PerPage: pageSize}
	list, total, err := h.Svc.List(ctx, f)
	if err != nil {
		return err
	}
	in, out, err := h.Svc.OverdueCounts(ctx)
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "referrals.list_title")
	k := url.Values{"direction": {dir}}
	for n, on := range map[string]bool{"overdue": f.Overdue, "urgent": f.Urgent} {
		if on {
			k.Set(n, "1")
		}
	}
	if status != "" {
		k.Set("status", status)
	}
	p.Form = web.NewForm(k)
	d := &listData{Direction: dir, Total: total, Filtered: len(k) > 1,
		Statuses: append([]web.Option{{Value: "open", Label: p.T("referrals.filter_open")}}, options(p, "referrals.status.", Statuses)...)}
	for _, t := range []tab{{Direction: "incoming", Overdue: in}, {Direction: "outgoing", Overdue: out}} {
		t.Label, t.Link, t.Current = p.T("referrals.direction."+t.Direction), "/referrals?direction="+t.Direction, t.Direction == dir
		// Institutions that only receive see no "outgoing" tab, unless they open it.
		t.Show = t.Current || t.Direction == "incoming" || can(r, access.Create, access.Referral)
		d.Tabs = append(d.Tabs, t)
	}
	for _, ref := range list {
		other := ref.FromAgency
		if dir == "outgoing" {
			other = ref.ToAgency
		}
		d.Rows = append(d.Rows, listRow{ID: ref.ID, Number: ref.Number, CaseNumber: ref.CaseNumber, Other: other,
			Purpose: p.T("referrals.purpose." + ref.Purpose), Due: isoToDisplay(ref.DueOn), Sent: i18n.FormatDate(ref.CreatedAt),
			Support: supportLabels(p, ref.SupportTypes), Status: statusBadge(p, ref.Status),
			Urgent: ref.Urgent, Overdue: ref.Overdue, Prosecution: ref.Purpose == "prosecution"})
	}
	d.Pager = pager(p, "/referrals", k, f.Page, pageSize, total)
	p.Data = d
	return h.Web.Render(w, r, "referrals/list", p)
}
