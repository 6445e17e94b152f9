package referrals

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// API answers the JSON API of the service map and referrals under /api/v1 with the same
// service as the screens: handlers decode, call the service and encode.
type API struct {
	Svc *Service
	Web *web.Web
}

// maxPerPage bounds a page of an API list.
const maxPerPage = 200

// query reads strict list parameters: any name outside allowed, or a bad page number,
// is a 422 naming the parameter, so a misspelt filter is not silently ignored.
type query struct {
	q   url.Values
	bad errs.Fields
}

func newQuery(r *http.Request, allowed ...string) *query {
	qq := &query{q: r.URL.Query(), bad: errs.Fields{}}
	ok := map[string]bool{"page": true, "per_page": true}
	for _, a := range allowed {
		ok[a] = true
	}
	for k := range qq.q {
		if !ok[k] {
			qq.bad.Add(k, "error.bad_request")
		}
	}
	return qq
}

func (qq *query) get(k string) string { return strings.TrimSpace(qq.q.Get(k)) }

func (qq *query) number(k string, def, lo, hi int) int {
	v := qq.get(k)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		qq.bad.Add(k, "error.bad_request")
		return def
	}
	return n
}

func (qq *query) boolean(k string) bool {
	switch strings.ToLower(qq.get(k)) {
	case "", "0", "false":
		return false
	case "1", "true":
		return true
	}
	qq.bad.Add(k, "error.bad_request")
	return false
}

func (qq *query) choice(k string, ok bool) {
	if qq.get(k) != "" && !ok {
		qq.bad.Add(k, "cases.err.choose")
	}
}

// servicesAnswer is the body of GET /api/v1/services.
type servicesAnswer struct {
	Services []*Offer `json:"services"`
	Total    int      `json:"total"`
	Page     int      `json:"page"`
	PerPage  int      `json:"per_page"`
}

// Services searches the service map: ?q=&province=&type=&population=&agency_id=.
func (api *API) Services(w http.ResponseWriter, r *http.Request) error {
	qq := newQuery(r, "q", "province", "type", "population", "agency_id")
	f := OfferFilter{Q: qq.get("q"), Province: qq.get("province"), Type: qq.get("type"),
		Population: qq.get("population"), AgencyID: qq.get("agency_id")}
	if utf8.RuneCountInString(f.Q) > 200 {
		qq.bad.Add("q", "validation.too_long")
	}
	_, okProv := geo.ProvinceByCode(f.Province)
	qq.choice("province", okProv)
	qq.choice("type", cases.In("support", f.Type))
	qq.choice("population", oneOf(Populations, f.Population))
	f.Page, f.PerPage = qq.number("page", 1, 1, 1_000_000), qq.number("per_page", 50, 1, maxPerPage)
	if err := qq.bad.Err(); err != nil {
		return err
	}
	list, total, err := api.Svc.Offers(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*Offer{}
	}
	return api.Web.JSON(w, http.StatusOK, servicesAnswer{Services: list, Total: total, Page: f.Page, PerPage: f.PerPage})
}

// Service answers one entry of the service map.
func (api *API) Service(w http.ResponseWriter, r *http.Request) error {
	o, err := api.Svc.Offer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.Web.JSON(w, http.StatusOK, o)
}

// referralsAnswer is the body of GET /api/v1/referrals. Lists carry no shared data.
type referralsAnswer struct {
	Referrals []*Referral `json:"referrals"`
	Total     int         `json:"total"`
	Page      int         `json:"page"`
	PerPage   int         `json:"per_page"`
}

// List answers one page of referrals in one direction:
// ?direction=incoming|outgoing&status=&overdue=&urgent=&case_id=.
func (api *API) List(w http.ResponseWriter, r *http.Request) error {
	qq := newQuery(r, "direction", "status", "overdue", "urgent", "case_id")
	f := Filter{Direction: qq.get("direction"), Status: qq.get("status"), CaseID: qq.get("case_id"),
		Overdue: qq.boolean("overdue"), Urgent: qq.boolean("urgent"),
		Page: qq.number("page", 1, 1, 1_000_000), PerPage: qq.number("per_page", 25, 1, maxPerPage)}
	if len(f.CaseID) > 64 {
		qq.bad.Add("case_id", "validation.too_long")
	}
	if err := qq.bad.Err(); err != nil {
		return err
	}
	list, total, err := api.Svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*Referral{}
	}
	return api.Web.JSON(w, http.StatusOK, referralsAnswer{Referrals: list, Total: total, Page: f.Page, PerPage: f.PerPage})
}

// Send refers a case: 201 with the referral as GET answers it (names, shared data,
// history, actions); 422 with field errors, among them the missing consent (on
// "to_agency_id"), and nothing sent.
func (api *API) Send(w http.ResponseWriter, r *http.Request) error {
	var in ReferralInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	sent, err := api.Svc.Send(r.Context(), in)
	if err != nil {
		return err
	}
	ref, err := api.Svc.Get(r.Context(), sent.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/referrals/"+ref.ID)
	return api.Web.JSON(w, http.StatusCreated, api.answer(r, ref))
}

// referralAnswer is a referral with the actions the caller may take on it now.
type referralAnswer struct {
	*Referral
	Actions []string `json:"actions"`
}

func (api *API) answer(r *http.Request, ref *Referral) referralAnswer {
	acts := api.Svc.Actions(r.Context(), ref)
	if acts == nil {
		acts = []string{}
	}
	return referralAnswer{Referral: ref, Actions: acts}
}

// Get answers one referral as the caller's side sees it (the view of shared data is
// audited); 404 when the caller is on neither side.
func (api *API) Get(w http.ResponseWriter, r *http.Request) error {
	ref, err := api.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.Web.JSON(w, http.StatusOK, api.answer(r, ref))
}

// step takes an action with an optional JSON body (StepInput): 200 with the referral,
// 403 for the other side's action, 409 when the status does not allow it, 422 for a
// missing decline reason or outcome.
func (api *API) step(action string) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in StepInput
		if r.ContentLength != 0 {
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
		}
		ref, err := api.Svc.Step(r.Context(), r.PathValue("id"), action, in)
		if err != nil {
			return err
		}
		return api.Web.JSON(w, http.StatusOK, api.answer(r, ref))
	}
}
