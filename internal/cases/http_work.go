package cases

import (
	"net/http"

	"github.com/amparo-ec/amparo/internal/platform/access"
)

// count is one figure of "my work" with the filtered list it opens.
type count struct {
	Label string
	N     int
	URL   string
	Warn  bool
}

// workTask is a task of "my work" with its date in words.
type workTask struct {
	WorkTask
	Due string
}

// workCase is a due follow-up of "my work" with its date in words.
type workCase struct {
	WorkCase
	Date   string
	Status badge
	Risk   badge
}

type workData struct {
	Counts    []count
	Overdue   []workTask
	Today     []workTask
	Upcoming  []workTask
	FollowUps []workCase
	Pending   []Approval
	Agency    bool // counts are the agency's (supervisors), not only the user's
	CanCreate bool
	Dup       *DupWork // connection requests (duplicate_views.go), for those who register cases
}

// Work is the home page of those who work on cases: overdue and due tasks, follow-ups
// due, requests waiting for their decision and their open cases by stage.
func (h *Handlers) Work(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	work, err := h.Svc.MyWork(ctx)
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "cases.work_title")
	sub := access.From(ctx)
	d := &workData{CanCreate: can(r, access.Create), Pending: work.Approvals,
		Agency: sub.Scope(access.View, access.Case) >= access.AgencyScope}
	tasks := func(in []WorkTask) []workTask {
		out := make([]workTask, 0, len(in))
		for _, t := range in {
			out = append(out, workTask{WorkTask: t, Due: isoToDisplay(t.DueOn)})
		}
		return out
	}
	d.Overdue, d.Today, d.Upcoming = tasks(work.Overdue), tasks(work.DueToday), tasks(work.Upcoming)
	for _, c := range work.FollowUps {
		d.FollowUps = append(d.FollowUps, workCase{WorkCase: c, Date: isoToDisplay(c.NextFollowUp),
			Status: statusBadge(p, c.Status), Risk: riskBadge(p, c.RiskLevel)})
	}
	scope := "&worker=mine"
	if d.Agency {
		scope = ""
	}
	d.Counts = append(d.Counts, count{Label: p.T("cases.work_open"), N: work.OpenCases, URL: "/cases?status=open" + scope})
	for _, st := range Statuses {
		if n := work.OpenByStatus[st]; n > 0 {
			d.Counts = append(d.Counts, count{Label: p.T(LabelKey("status", st)), N: n, URL: "/cases?status=" + st + scope})
		}
	}
	d.Counts = append(d.Counts, count{Label: p.T("cases.flagged_badge"), N: work.Flagged,
		URL: "/cases?status=open&flagged=1" + scope, Warn: work.Flagged > 0})
	if h.ReferralsOverdue != nil {
		in, out, err := h.ReferralsOverdue(r.Context())
		if err != nil {
			return err
		}
		d.Counts = append(d.Counts,
			count{Label: p.T("referrals.work_overdue_in"), N: in, URL: "/referrals?direction=incoming&overdue=1", Warn: in > 0},
			count{Label: p.T("referrals.work_overdue_out"), N: out, URL: "/referrals?direction=outgoing&overdue=1", Warn: out > 0})
	}
	if d.CanCreate {
		dw, err := h.Svc.MyDupWork(ctx)
		if err != nil {
			return err
		}
		d.Dup = &dw
	}
	p.Data = d
	return h.Web.Render(w, r, "cases/work", p)
}
