package cases

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// DuplicateRoutes returns the HTML routes of connection requests (docs/SECURITY.md,
// "Duplicates"): those who register cases send them and see their answers; only
// supervisors open and decide the requests addressed to their institution (the service
// checks the institution).
func (h *Handlers) DuplicateRoutes() []web.Route {
	create, approve := web.Perm(access.Create, access.Case), web.Perm(access.Approve, access.Case)
	return []web.Route{
		{Pattern: "POST /duplicate-checks/{id}/request", Access: create, Handler: h.SendDuplicateRequest},
		{Pattern: "GET /duplicate-requests", Access: create, Handler: h.DuplicateRequests},
		{Pattern: "GET /duplicate-requests/{id}", Access: approve, Handler: h.DuplicateRequest},
		{Pattern: "POST /duplicate-requests/{id}/connect", Access: approve, Handler: h.ConnectDuplicate},
		{Pattern: "POST /duplicate-requests/{id}/decline", Access: approve, Handler: h.DeclineDuplicate},
	}
}

// dupPanel is the duplicate panel of the registration page: the likely duplicates the
// worker may know about, and whether others exist elsewhere (nothing more about them).
type dupPanel struct {
	Rows        []dupView
	Elsewhere   bool
	CheckID     string // the check a request is sent from, and the registration links to
	Requested   bool   // a request about these matches was sent
	RequestedAt time.Time
	Sent        bool // ... just now
}

// dupPanelOf turns a check's result into the panel, with the reasons in words.
func dupPanelOf(p *web.Page, res *DuplicateResult) *dupPanel {
	d := &dupPanel{Elsewhere: res.Elsewhere, CheckID: res.RequestCheck, Requested: res.Requested,
		RequestedAt: res.RequestedAt}
	for _, x := range res.InReach {
		d.Rows = append(d.Rows, dupView{Duplicate: x, Why: reasonWords(p, x.Reasons)})
	}
	return d
}

// reasonWords says why a case matched, in the page's language.
func reasonWords(p *web.Page, reasons []string) string {
	why := make([]string, 0, len(reasons))
	for _, r := range reasons {
		why = append(why, p.T("cases.dup."+r))
	}
	return strings.Join(why, "; ")
}

// SendDuplicateRequest sends a connection request from the registration page's panel.
// Its button submits the registration form here, so what the worker typed comes back
// with the confirmation, and they can go on and register the person.
func (h *Handlers) SendDuplicateRequest(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	ctx, id := r.Context(), r.PathValue("id")
	d := &formData{Action: "/cases"}
	p, err := h.formPage(r, "cases.new_title", r.PostForm, d)
	if err != nil {
		return err
	}
	status := http.StatusOK
	_, sendErr := h.Svc.SendDuplicateRequest(ctx, id)
	if e, ok := errs.As(sendErr); ok && e.Code == errs.CodeConflict {
		p.Form.General, status = append(p.Form.General, e.Key), http.StatusConflict
	} else if sendErr != nil {
		return sendErr
	}
	res, err := h.Svc.CheckResult(ctx, id)
	if err != nil {
		return err
	}
	d.Duplicates = dupPanelOf(p, res)
	d.Duplicates.Sent = sendErr == nil
	p.Form.Values.Del("not_duplicate")
	return h.renderStatus(w, status, "cases/new", p)
}

// badgeOfDup is a request's status as a badge.
func badgeOfDup(p *web.Page, status string) badge {
	class := map[string]string{dupPending: "badge-warn", dupConnected: "badge-ok", dupDeclined: "badge-err"}[status]
	return badge{Class: class, Label: p.T("cases.dupreq.status." + status)}
}

// incomingView is a received request with its words.
type incomingView struct {
	IncomingRequest
	Badge   badge
	Reason  string // decline reason in words
	Matches []matchView
}

type matchView struct {
	RequestMatch
	Why string
}

func incomingViewOf(p *web.Page, in IncomingRequest) incomingView {
	v := incomingView{IncomingRequest: in, Badge: badgeOfDup(p, in.Status)}
	if in.DeclineReason != "" {
		v.Reason = p.T("cases.dupreq.reason." + in.DeclineReason)
	}
	for _, m := range in.Matches {
		v.Matches = append(v.Matches, matchView{RequestMatch: m, Why: reasonWords(p, m.Reasons)})
	}
	return v
}

// outgoingView is a sent request with its words.
type outgoingView struct {
	OutgoingRequest
	Badge badge
}

// dupTab is one tab of the list: received or sent.
type dupTab struct {
	View, Label, Link string
	Current           bool
}

// dupListData is what the list of connection requests shows.
type dupListData struct {
	View      string // received, sent
	Tabs      []dupTab
	Statuses  []web.Option
	Incoming  []incomingView
	Outgoing  []outgoingView
	Pager     map[string]any
	Filtered  bool
	CanDecide bool
}

// DuplicateRequests lists connection requests: received by the user's institution (its
// supervisors) and sent by the user (their institution's, for a supervisor).
func (h *Handlers) DuplicateRequests(w http.ResponseWriter, r *http.Request) error {
	ctx, q := r.Context(), r.URL.Query()
	sub := access.From(ctx)
	p := h.Web.NewPage(r, "cases.dupreq.list_title")
	d := &dupListData{View: q.Get("view"), CanDecide: mayDecideDup(sub, sub.AgencyID)}
	if d.View != "sent" && d.View != "received" {
		d.View = "sent"
		if d.CanDecide {
			d.View = "received"
		}
	}
	if !d.CanDecide {
		d.View = "sent"
	}
	for _, v := range []string{"received", "sent"} {
		if v == "received" && !d.CanDecide {
			continue
		}
		d.Tabs = append(d.Tabs, dupTab{View: v, Label: p.T("cases.dupreq.tab_" + v), Link: "/duplicate-requests?view=" + v,
			Current: v == d.View})
	}
	f := DupFilter{Status: q.Get("status"), PerPage: pageSize}
	if !slices.Contains(DupStatuses, f.Status) {
		f.Status = ""
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	p.Form = web.NewForm(url.Values{"status": {f.Status}})
	for _, st := range DupStatuses {
		d.Statuses = append(d.Statuses, web.Option{Value: st, Label: p.T("cases.dupreq.status." + st)})
	}
	var total int
	var err error
	if d.View == "received" {
		d.Filtered = f.Status != ""
		var list []IncomingRequest
		if list, total, err = h.Svc.IncomingRequests(ctx, f); err != nil {
			return err
		}
		for _, in := range list {
			d.Incoming = append(d.Incoming, incomingViewOf(p, in))
		}
	} else {
		var list []OutgoingRequest
		if list, total, err = h.Svc.OutgoingRequests(ctx, f); err != nil {
			return err
		}
		for _, o := range list {
			d.Outgoing = append(d.Outgoing, outgoingView{OutgoingRequest: o, Badge: badgeOfDup(p, o.Status)})
		}
	}
	kept := url.Values{"view": {d.View}}
	if d.Filtered {
		kept.Set("status", f.Status)
	}
	d.Pager = pager(p, "/duplicate-requests", kept, f.Page, total)
	p.Data = d
	return h.Web.Render(w, r, "cases/duplicate_requests", p)
}

// dupRequestData is what the decision page shows.
type dupRequestData struct {
	withErrs
	R       incomingView
	Reasons []web.Option
	Pending bool
}

// DuplicateRequest shows a received request and, while it waits, the two decisions.
func (h *Handlers) DuplicateRequest(w http.ResponseWriter, r *http.Request) error {
	return h.dupRequestPage(w, r, http.StatusOK, nil)
}

// dupRequestPage renders the decision page, with a failed decision's error.
func (h *Handlers) dupRequestPage(w http.ResponseWriter, r *http.Request, status int, failed error) error {
	in, err := h.Svc.IncomingRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "cases.dupreq.title")
	d := &dupRequestData{R: incomingViewOf(p, *in), Pending: in.Status == dupPending}
	for _, reason := range DupDeclineReasons {
		d.Reasons = append(d.Reasons, web.Option{Value: reason, Label: p.T("cases.dupreq.reason." + reason)})
	}
	values := url.Values{"case_ids": nil}
	for _, m := range in.Matches {
		values.Add("case_ids", m.CaseID)
	}
	if failed != nil {
		_ = r.ParseForm()
		values = r.PostForm
	}
	p.Form = web.NewForm(values)
	p.Data = d
	if failed != nil {
		return h.Web.RenderInvalid(w, r, "cases/duplicate_request", p, failed)
	}
	return h.renderStatus(w, status, "cases/duplicate_request", p)
}

// ConnectDuplicate connects a request with the cases ticked on the decision page.
func (h *Handlers) ConnectDuplicate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	ids := append([]string{}, r.PostForm["case_ids"]...) // none ticked is a choice to refuse, not "all"
	return h.decided(w, r, h.Svc.ConnectDuplicate(r.Context(), r.PathValue("id"), ids), "cases.dupreq.flash_connected")
}

// DeclineDuplicate declines a request with the reason chosen on the decision page.
func (h *Handlers) DeclineDuplicate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	err := h.Svc.DeclineDuplicate(r.Context(), r.PathValue("id"), r.PostForm.Get("reason"))
	return h.decided(w, r, err, "cases.dupreq.flash_declined")
}

// decided answers a decision: back to the request with a message, the page again with
// the field errors, or the request as it now stands when someone decided first.
func (h *Handlers) decided(w http.ResponseWriter, r *http.Request, err error, okKey string) error {
	target := "/duplicate-requests/" + r.PathValue("id")
	switch e, _ := errs.As(err); {
	case err == nil:
		web.Redirect(w, r, target, "ok", okKey)
	case isInvalid(err):
		return h.dupRequestPage(w, r, http.StatusUnprocessableEntity, err)
	case e != nil && e.Code == errs.CodeConflict:
		web.Redirect(w, r, target, "error", e.Key)
	default:
		return err
	}
	return nil
}
