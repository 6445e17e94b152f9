package audittrail

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// listView is the data of the event list page.
type listView struct {
	Users    []web.Option
	Outcomes []web.Option
	Actions  []web.Option
	Rows     []rowView
	Total    int64
	Page     int
	Pages    int
	Prev     string
	Next     string
	CSV      string // export link with the current filter; "" without Export
	Filtered bool
	Touched  *touchedView // set when the list is one user's activity
}

// touchedView heads the answer to "what did this user touch between these dates".
type touchedView struct {
	Name   string
	Period string // already translated
}

// rowView is one table row.
type rowView struct {
	Seq                    int64
	At                     time.Time
	AtISO                  string
	ActorID, ActorName     string
	AgencyID, AgencyName   string
	Action, ActionLabel    string
	RecordType, RecordID   string
	Outcome, OutcomeKey    string
	Badge                  string
	RequestID, IP, Via     string
	TokenID                string
	Detail, Hash, PrevHash string
}

// List shows the event list, GET /audit.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang := web.LangOf(r)
	p := h.Web.NewPage(r, "audittrail.title")
	p.Form = web.NewForm(r.URL.Query())
	v := &listView{Outcomes: outcomeOptions(p), Actions: actionOptions(h.Web.Catalog, lang), Page: 1, Pages: 1}
	p.Data = v
	q, err := ParseQuery(r.URL.Query(), false)
	var res *Result
	if err == nil {
		res, err = h.Svc.List(ctx, q)
	}
	if err != nil {
		if errs.CodeOf(err) != errs.CodeInvalid {
			return err
		}
		users, uerr := h.Svc.Users(ctx)
		if uerr != nil {
			return uerr
		}
		v.Users = userOptions(users)
		v.Filtered = true
		return h.Web.RenderInvalid(w, r, "audittrail/list", p, err)
	}
	q = res.Query
	v.Users = userOptions(res.Users)
	if q.Filter.ActorID != "" && p.Form.Get("user") == "" {
		// The email search found the user: show them picked.
		p.Form.Values.Set("user", q.Filter.ActorID)
	}
	v.Total, v.Page, v.Filtered = res.Total, q.Page, q.Active()
	v.Pages = max(1, int((res.Total+PageSize-1)/PageSize))
	base := q.Values()
	if v.Page > 1 {
		v.Prev = pageURL(base, v.Page-1)
	}
	if v.Page < v.Pages {
		v.Next = pageURL(base, v.Page+1)
	}
	if access.From(ctx).Can(access.Export, access.Audit) {
		v.CSV = "/audit.csv"
		if len(base) > 0 {
			v.CSV += "?" + base.Encode()
		}
	}
	for _, row := range res.Rows {
		v.Rows = append(v.Rows, h.rowView(lang, row))
	}
	if q.Filter.ActorID != "" {
		name := userName(res.Users, q.Filter.ActorID)
		if q.Filter.ActorID == SystemActor {
			name = p.T("audittrail.actor_system")
		}
		v.Touched = &touchedView{Name: name, Period: period(p, q)}
	}
	return h.Web.Render(w, r, "audittrail/list", p)
}

func (h *Handlers) rowView(lang string, row Row) rowView {
	e := row.Event
	rv := rowView{Seq: e.Seq, At: e.At, AtISO: e.At.UTC().Format(time.RFC3339),
		ActorID: e.ActorID, ActorName: row.ActorName, AgencyID: e.ActorAgencyID,
		AgencyName: row.AgencyName, Action: e.Action,
		ActionLabel: actionLabel(h.Web.Catalog, lang, e.Action), RecordType: e.RecordType,
		RecordID: e.RecordID, Outcome: e.Outcome, RequestID: e.RequestID, IP: e.IP, Via: e.Via,
		TokenID: e.TokenID, Detail: e.Detail, Hash: e.Hash, PrevHash: e.PrevHash}
	switch e.Outcome {
	case audit.OutcomeOK:
		rv.OutcomeKey, rv.Badge = "audittrail.outcome_ok", "ok"
	case audit.OutcomeDenied:
		rv.OutcomeKey, rv.Badge = "audittrail.outcome_denied", "err"
	default:
		rv.OutcomeKey, rv.Badge = "audittrail.outcome_failed", "warn"
	}
	return rv
}

func pageURL(base url.Values, page int) string {
	v := url.Values{}
	for k, vs := range base {
		v[k] = vs
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/audit"
	}
	return "/audit?" + v.Encode()
}

func outcomeOptions(p *web.Page) []web.Option {
	return []web.Option{
		{Value: audit.OutcomeOK, Label: p.T("audittrail.outcome_ok")},
		{Value: audit.OutcomeDenied, Label: p.T("audittrail.outcome_denied")},
		{Value: audit.OutcomeFailed, Label: p.T("audittrail.outcome_failed")},
	}
}

// userOptions labels users by name and email, since two people may share a name.
func userOptions(users []*auth.User) []web.Option {
	out := make([]web.Option, len(users))
	for i, u := range users {
		out[i] = web.Option{Value: u.ID, Label: u.Name + " (" + u.Email + ")"}
	}
	return out
}

func userName(users []*auth.User, id string) string {
	for _, u := range users {
		if u.ID == id {
			return u.Name
		}
	}
	return id
}

// period says in words which days the list covers.
func period(p *web.Page, q Query) string {
	from, to := day(q.FromDay, q.Filter.From, false), day(q.ToDay, q.Filter.To, true)
	switch {
	case from != "" && to != "":
		return p.T("audittrail.period_between", "From", from, "To", to)
	case from != "":
		return p.T("audittrail.period_from", "From", from)
	case to != "":
		return p.T("audittrail.period_to", "To", to)
	}
	return p.T("audittrail.period_all")
}

// day shows a bound as dd/mm/yyyy: the day as typed, or for an instant (API-style
// links) the day it falls in; an exclusive end instant shows the day before it ends.
func day(typed, at time.Time, end bool) string {
	switch {
	case !typed.IsZero():
		return typed.Format("02/01/2006")
	case at.IsZero():
		return ""
	case end:
		return i18n.FormatDate(at.Add(-time.Nanosecond))
	}
	return i18n.FormatDate(at)
}
