package cases

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// listFilterNames are the query parameters of the case list and its CSV export.
var listFilterNames = []string{"q", "status", "worker", "province", "exploitation", "age", "child", "sex", "flagged", "overdue"}

// sortNames are the columns the list sorts by, in the order of the table.
var sortNames = []string{"number", "identified", "updated", "risk", "status"}

// listFilter turns the query of the list page into a service filter. "mine" stands for
// the signed-in user, so a bookmarked "my cases" works for everyone.
func listFilter(r *http.Request, q url.Values) Filter {
	f := Filter{Q: q.Get("q"), Status: q.Get("status"), Province: q.Get("province"),
		Exploitation: q.Get("exploitation"), AgeGroup: q.Get("age"), Child: q.Get("child"), Sex: q.Get("sex"),
		Flagged: q.Get("flagged") == "1", Overdue: q.Get("overdue") == "1", Sort: q.Get("sort"),
		Desc: q.Get("dir") != "asc", PerPage: pageSize}
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	switch w := q.Get("worker"); w {
	case "":
	case "mine":
		f.Worker = access.From(r.Context()).UserID
	default:
		f.Worker = w
	}
	if q.Get("sort") == "" {
		f.Sort, f.Desc = "identified", true
	}
	f.Page = pageOf(q)
	return f
}

// listRow is one line of the case list, with the words already chosen.
type listRow struct {
	ID, Number, Name, Age, Sex, Province, Assigned string
	Identified, Updated                            string
	Child, Flagged                                 bool
	Status, Risk                                   badge
	OpenTasks                                      int
}

// sortLink is a column heading's link: sorting by it, or reversing the order when the
// list is already sorted by it.
type sortLink struct {
	URL     string
	Current bool
	Desc    bool
}

// sharedListRow is a case another agency opened to the user's, with why.
type sharedListRow struct {
	ID, Number, Name, Agency string
	Why                      []whyRow
}

type listData struct {
	Rows []listRow
	// Cases other agencies opened to the user's (referral, stay, prosecution): listed
	// apart, with what every relation shows, on the first page and filtered only by the
	// search; SharedHidden says other filters hide them.
	Shared       []sharedListRow
	SharedHidden bool
	Total        int
	Filtered     bool
	Pager        map[string]any
	Sort         map[string]sortLink
	CSV          string
	CanCreate    bool
	CanExport    bool
	Options      map[string][]web.Option
}

// List shows the cases the user may see, filtered, sorted and paged in the URL.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := listFilter(r, q)
	rows, total, err := h.Svc.List(ctx, f)
	if err != nil {
		return err
	}
	p := h.Web.NewPage(r, "cases.list_title")
	kept := filterValues(q, listFilterNames...)
	p.Form = web.NewForm(kept)
	d := &listData{Total: total, Filtered: len(kept) > 0, CanCreate: can(r, access.Create), CanExport: can(r, access.Export)}
	for _, row := range rows {
		prov := ""
		if pr, ok := geo.ProvinceByCode(row.Identification.Province); ok {
			prov = pr.Name
		} else if row.Identification.Country != "" {
			prov = countryName(p, row.Identification.Country)
		}
		d.Rows = append(d.Rows, listRow{ID: row.ID, Number: row.Number, Name: displayName(p, &row.Case),
			Age: ageLabel(p, row.AgeGroup), Child: row.IsChild(), Sex: p.T(LabelKey("sex", row.Person.Sex)),
			Province: prov, Assigned: row.AssignedName, Flagged: row.Flagged,
			Status: statusBadge(p, row.Status), Risk: riskBadge(p, row.RiskLevel), OpenTasks: row.OpenTasks,
			Identified: isoToDisplay(row.Identification.Date), Updated: i18n.FormatDate(row.UpdatedAt)})
	}
	if err := h.fillShared(r, p, d, f, kept); err != nil {
		return err
	}
	withSort := kept
	if s := q.Get("sort"); s != "" {
		withSort = cloneValues(kept)
		withSort.Set("sort", s)
		if q.Get("dir") == "asc" {
			withSort.Set("dir", "asc")
		}
	}
	d.Pager = pager(p, "/cases", withSort, f.Page, total)
	d.Sort = sortLinks(kept, f)
	d.CSV = "/cases.csv"
	if len(withSort) > 0 {
		d.CSV += "?" + withSort.Encode()
	}
	workers := []web.Option{{Value: "mine", Label: p.T("cases.filter_mine")}}
	if sub := access.From(ctx); sub.Scope(access.View, access.Case) >= access.AgencyScope {
		staff, err := h.staffOptions(ctx, sub.AgencyID)
		if err != nil {
			return err
		}
		workers = append(workers, staff...)
	}
	statuses := append([]web.Option{{Value: "open", Label: p.T("cases.filter_open")}}, vocabOptions(p, "status")...)
	ages := make([]web.Option, 0, len(AgeGroups))
	for _, g := range AgeGroups {
		ages = append(ages, web.Option{Value: g, Label: ageLabel(p, g)})
	}
	d.Options = map[string][]web.Option{
		"status": statuses, "worker": workers, "province": web.ProvinceOptions(),
		"exploitation": vocabOptions(p, "exploitation"), "age": ages, "sex": vocabOptions(p, "sex"),
		"child": {{Value: "1", Label: p.T("cases.filter_children")}, {Value: "0", Label: p.T("cases.filter_adults")}},
	}
	p.Data = d
	return h.Web.Render(w, r, "cases/list", p)
}

// sortLinks builds the heading links; the first click sorts dates and risk newest or
// highest first, numbers and statuses in ascending order.
func sortLinks(kept url.Values, f Filter) map[string]sortLink {
	out := map[string]sortLink{}
	for _, s := range sortNames {
		v := cloneValues(kept)
		v.Set("sort", s)
		cur := f.Sort == s
		desc := s == "identified" || s == "updated" || s == "risk"
		if cur {
			desc = !f.Desc
		}
		if !desc {
			v.Set("dir", "asc")
		}
		out[s] = sortLink{URL: "/cases?" + v.Encode(), Current: cur, Desc: f.Desc}
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// filterValues keeps the non-empty values of the named parameters.
func filterValues(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if v := q.Get(n); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

// pageOf reads the 1-based page number from the query.
func pageOf(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 || n > 100000 {
		return 1
	}
	return n
}

// pager builds the data of the "pager" partial; links keep every filter of q.
func pager(p *web.Page, path string, q url.Values, page, total int) map[string]any {
	pages := (total + pageSize - 1) / pageSize
	if pages < 1 {
		pages = 1
	}
	link := func(n int) string {
		v := cloneValues(q)
		v.Del("page")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	d := map[string]any{"P": p, "Page": page, "Pages": pages, "Total": total, "Prev": "", "Next": ""}
	if page > 1 {
		d["Prev"] = link(min(page-1, pages))
	}
	if page < pages {
		d["Next"] = link(page + 1)
	}
	return d
}

// fillShared adds the cases opened to the user's agency by other agencies: on the first
// page, when no filter but the search is set (they carry too little to be filtered by
// status, place or risk, and a filter must not reveal what they withhold).
func (h *Handlers) fillShared(r *http.Request, p *web.Page, d *listData, f Filter, kept url.Values) error {
	others := len(kept)
	if kept.Get("q") != "" {
		others--
	}
	if f.Page > 1 {
		return nil
	}
	if others > 0 {
		d.SharedHidden = true
		return nil
	}
	shared, err := h.Svc.Shared(r.Context(), f.Q)
	if err != nil {
		return err
	}
	for _, sr := range shared {
		row := sharedListRow{ID: sr.ID, Number: sr.Number, Name: sr.Name(), Agency: sr.AgencyName}
		if row.Name == "" {
			row.Name = p.T("cases.name_not_shared")
		}
		for _, g := range sr.Grants {
			row.Why = append(row.Why, whyRow{Key: "cases.why." + g.Reason, Label: g.Label, Link: g.Link,
				Since: i18n.FormatDate(g.Since)})
		}
		d.Shared = append(d.Shared, row)
	}
	return nil
}
