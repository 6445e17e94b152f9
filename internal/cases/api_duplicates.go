package cases

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// DuplicateAPIRoutes returns the API routes of connection requests (docs/API.md,
// "Duplicates"). There is no route that only checks for duplicates: a check happens
// when a case is registered, so the registry cannot be used as a lookup service.
func DuplicateAPIRoutes(svc *Service, w *web.Web) []web.Route {
	api := &API{Svc: svc, Web: w}
	create, approve := web.Perm(access.Create, access.Case), web.Perm(access.Approve, access.Case)
	return []web.Route{
		{Pattern: "POST /api/v1/duplicate-checks/{id}/request", Access: create, Handler: api.SendDuplicateRequest},
		{Pattern: "GET /api/v1/duplicate-requests", Access: create, Handler: api.DuplicateRequests},
		{Pattern: "GET /api/v1/duplicate-requests/{id}", Access: approve, Handler: api.DuplicateRequest},
		{Pattern: "POST /api/v1/duplicate-requests/{id}/connect", Access: approve, Handler: api.ConnectDuplicate},
		{Pattern: "POST /api/v1/duplicate-requests/{id}/decline", Access: approve, Handler: api.DeclineDuplicate},
	}
}

// duplicatesError is the 409 body of a registration: the usual error object, the likely
// duplicates within the caller's reach (numbers, agencies and reasons: no personal
// data), whether one or more exist in other institutions (nothing else about them) and
// where to send a connection request about those.
type duplicatesError struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id,omitempty"`
	} `json:"error"`
	Duplicates []Duplicate `json:"duplicates"`
	Elsewhere  bool        `json:"elsewhere"`
	CheckID    string      `json:"check_id"`
	Requested  bool        `json:"requested"`
	RequestURL string      `json:"request_url,omitempty"`
}

func (api *API) duplicates(w http.ResponseWriter, r *http.Request, dup *DuplicatesFound) error {
	var body duplicatesError
	body.Error.Code = string(errs.CodeConflict)
	body.Error.Message = api.Web.Catalog.T(web.LangOf(r), "cases.dup.found")
	body.Error.RequestID = reqinfo.From(r.Context()).RequestID
	res := dup.Result
	body.Duplicates = append([]Duplicate{}, res.InReach...)
	body.Elsewhere, body.CheckID, body.Requested = res.Elsewhere, res.RequestCheck, res.Requested
	if res.Elsewhere && !res.Requested {
		body.RequestURL = "/api/v1/duplicate-checks/" + res.RequestCheck + "/request"
	}
	return api.Web.JSON(w, http.StatusConflict, body)
}

// SendDuplicateRequest sends a connection request from the check of a 409: 201 with the
// request as the sender sees it; 409 when already sent, too old or nothing to ask; 404
// for someone else's check.
func (api *API) SendDuplicateRequest(w http.ResponseWriter, r *http.Request) error {
	out, err := api.Svc.SendDuplicateRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.Web.JSON(w, http.StatusCreated, out)
}

// dupListParams are the query parameters of GET /api/v1/duplicate-requests.
var dupListParams = []string{"view", "status", "page", "per_page"}

// DuplicateRequests lists connection requests: view=received (addressed to the caller's
// institution; its supervisors) or view=sent (the default for everyone else).
func (api *API) DuplicateRequests(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	bad := errs.Fields{}
	for k := range q {
		if !slices.Contains(dupListParams, k) {
			bad.Add(k, "error.bad_request")
		}
	}
	sub := access.From(r.Context())
	view := strings.TrimSpace(q.Get("view"))
	switch {
	case view == "" && mayDecideDup(sub, sub.AgencyID):
		view = "received"
	case view == "":
		view = "sent"
	case view != "received" && view != "sent":
		bad.Add("view", "cases.err.choose")
	}
	f := DupFilter{Status: q.Get("status"), Page: 1, PerPage: pageSize}
	if f.Status != "" && !slices.Contains(DupStatuses, f.Status) {
		bad.Add("status", "cases.err.choose")
	}
	for k, dst := range map[string]*int{"page": &f.Page, "per_page": &f.PerPage} {
		if v := q.Get(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1_000_000 || (k == "per_page" && n > maxPerPage) {
				bad.Add(k, "error.bad_request")
				continue
			}
			*dst = n
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	var list any
	var total int
	var err error
	if view == "received" {
		var in []IncomingRequest
		in, total, err = api.Svc.IncomingRequests(r.Context(), f)
		list = append([]IncomingRequest{}, in...)
	} else {
		if f.Status != "" {
			return errs.Invalid(map[string]string{"status": "cases.dupreq.status_received_only"})
		}
		var out []OutgoingRequest
		out, total, err = api.Svc.OutgoingRequests(r.Context(), f)
		list = append([]OutgoingRequest{}, out...)
	}
	if err != nil {
		return err
	}
	return api.Web.JSON(w, http.StatusOK, map[string]any{"view": view, "requests": list, "total": total,
		"page": f.Page, "per_page": f.PerPage})
}

// DuplicateRequest answers one request addressed to the caller's institution.
func (api *API) DuplicateRequest(w http.ResponseWriter, r *http.Request) error {
	in, err := api.Svc.IncomingRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.Web.JSON(w, http.StatusOK, in)
}

// connectBody is the optional body of a connection: which matched cases to link
// (all of them when absent).
type connectBody struct {
	CaseIDs []string `json:"case_ids"`
}

// ConnectDuplicate connects a request: 200 with the request as it now stands.
func (api *API) ConnectDuplicate(w http.ResponseWriter, r *http.Request) error {
	var body connectBody
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &body); err != nil {
			return err
		}
		if body.CaseIDs != nil && len(body.CaseIDs) > maxDupMatches {
			return errs.Invalid(map[string]string{"case_ids": "cases.dupreq.choose_case"})
		}
	}
	if err := api.Svc.ConnectDuplicate(r.Context(), r.PathValue("id"), body.CaseIDs); err != nil {
		return err
	}
	return api.DuplicateRequest(w, r)
}

// declineBody is the body of a refusal.
type declineBody struct {
	Reason string `json:"reason"`
}

// DeclineDuplicate declines a request with a reason: 200 with the request.
func (api *API) DeclineDuplicate(w http.ResponseWriter, r *http.Request) error {
	var body declineBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	if err := api.Svc.DeclineDuplicate(r.Context(), r.PathValue("id"), body.Reason); err != nil {
		return err
	}
	return api.DuplicateRequest(w, r)
}
