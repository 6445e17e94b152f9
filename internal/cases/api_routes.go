package cases

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// API answers the JSON API of cases under /api/v1 with the same service as the
// screens: handlers decode, call the service and encode, and hold no rule. The route
// rule only says the role may do the action somewhere; the service checks the record.
type API struct {
	Svc *Service
	Web *web.Web
}

// APIRoutes returns the routes of the cases API (see docs/API.md).
func APIRoutes(svc *Service, w *web.Web) []web.Route {
	api := &API{Svc: svc, Web: w}
	view, create := web.Perm(access.View, access.Case), web.Perm(access.Create, access.Case)
	update, approve := web.Perm(access.Update, access.Case), web.Perm(access.Approve, access.Case)
	return []web.Route{
		{Pattern: "GET /api/v1/cases", Access: view, Handler: api.List},
		{Pattern: "POST /api/v1/cases", Access: create, Handler: api.Create},
		{Pattern: "GET /api/v1/cases/{id}", Access: view, Handler: api.Get},
		{Pattern: "PATCH /api/v1/cases/{id}", Access: update, Handler: api.Update},
		{Pattern: "GET /api/v1/cases/{id}/consents", Access: view, Handler: api.Consents},
		{Pattern: "POST /api/v1/cases/{id}/consents", Access: update, Handler: api.RecordConsent},
		{Pattern: "POST /api/v1/cases/{id}/status", Access: update, Handler: api.Status},
		{Pattern: "GET /api/v1/approvals", Access: approve, Handler: api.PendingApprovals},
		{Pattern: "POST /api/v1/approvals/{id}", Access: approve, Handler: api.Decide},
	}
}

// listParams are the query parameters GET /api/v1/cases accepts; any other is refused,
// so a misspelt filter is reported instead of silently listing everything.
var listParams = map[string]bool{"q": true, "status": true, "province": true, "exploitation": true,
	"age_group": true, "sex": true, "child": true, "flagged": true, "overdue": true, "worker": true,
	"agency": true, "sort": true, "desc": true, "page": true, "per_page": true}

// apiSorts are the sort keys of the list.
var apiSorts = []string{"identified", "number", "updated", "risk", "status"}

// maxPerPage bounds a page of the API list.
const maxPerPage = 200

// parseFilter reads the list filters from the query, with 422 and the parameter named
// for anything it does not understand.
func parseFilter(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	bad := errs.Fields{}
	for k := range q {
		if !listParams[k] {
			bad.Add(k, "error.bad_request")
		}
	}
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	f := Filter{Q: get("q"), Status: get("status"), Province: get("province"), Exploitation: get("exploitation"),
		AgeGroup: get("age_group"), Sex: get("sex"), Child: get("child"), Worker: get("worker"),
		Agency: get("agency"), Sort: get("sort"), Page: 1, PerPage: 25}
	oneOf := func(k, v string, ok bool) {
		if v != "" && !ok {
			bad.Add(k, "cases.err.choose")
		}
	}
	if utf8.RuneCountInString(f.Q) > 200 {
		bad.Add("q", "validation.too_long")
	}
	oneOf("status", f.Status, f.Status == "open" || In("status", f.Status))
	_, okProv := geo.ProvinceByCode(f.Province)
	oneOf("province", f.Province, okProv)
	oneOf("exploitation", f.Exploitation, In("exploitation", f.Exploitation))
	oneOf("age_group", f.AgeGroup, slices.Contains(AgeGroups, f.AgeGroup))
	oneOf("sex", f.Sex, In("sex", f.Sex))
	oneOf("child", f.Child, f.Child == "1" || f.Child == "0")
	oneOf("sort", f.Sort, slices.Contains(apiSorts, f.Sort))
	for k, v := range map[string]string{"worker": f.Worker, "agency": f.Agency} {
		if len(v) > 64 {
			bad.Add(k, "validation.too_long")
		}
	}
	if f.Worker == "me" {
		if sub := access.From(r.Context()); sub != nil {
			f.Worker = sub.UserID
		}
	}
	boolean := func(k string) bool {
		switch strings.ToLower(get(k)) {
		case "", "0", "false":
			return false
		case "1", "true":
			return true
		}
		bad.Add(k, "error.bad_request")
		return false
	}
	f.Flagged, f.Overdue, f.Desc = boolean("flagged"), boolean("overdue"), boolean("desc")
	if f.Sort == "" && get("desc") == "" {
		f.Sort, f.Desc = "identified", true
	}
	number := func(k string, lo, hi int, dst *int) {
		v := get(k)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			bad.Add(k, "error.bad_request")
			return
		}
		*dst = n
	}
	number("page", 1, 1_000_000, &f.Page)
	number("per_page", 1, maxPerPage, &f.PerPage)
	return f, bad.Err()
}
