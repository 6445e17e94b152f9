package cases

import (
	"errors"
	"net/http"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// createBody is the body of POST /api/v1/cases: the case as typed, plus the
// confirmation that the likely duplicates were checked and an optional assignee.
type createBody struct {
	Input
	ConfirmNotDuplicate bool   `json:"confirm_not_duplicate"`
	DuplicateCheckID    string `json:"duplicate_check_id"` // the 409's check_id, to keep the link to a request
	AssignedTo          string `json:"assigned_to"`
}

// Create registers a case: 201 with the case, 422 with field errors, 409 with the
// likely duplicates unless the body confirms the person is not one of them.
func (api *API) Create(w http.ResponseWriter, r *http.Request) error {
	var body createBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	c, err := api.Svc.Register(r.Context(), body.Input, RegisterOptions{AssignTo: body.AssignedTo,
		NotDuplicate: body.ConfirmNotDuplicate, CheckID: body.DuplicateCheckID})
	var dup *DuplicatesFound
	if errors.As(err, &dup) {
		return api.duplicates(w, r, dup)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+c.ID)
	return api.Web.JSON(w, http.StatusCreated, c)
}

// Get answers one case as the caller's relation shows it, with the view under "view"
// (relations, what each section gives, the sections withheld, the fields carried): the
// whole case for the owning agency's side, only the carried keys for a receiving
// agency. The view is audited; 404 when the case does not exist or is outside the
// caller's reach.
func (api *API) Get(w http.ResponseWriter, r *http.Request) error {
	c, v, err := api.Svc.Open(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	body, err := caseJSON(c, v)
	if err != nil {
		return err
	}
	return api.Web.JSON(w, http.StatusOK, body)
}

// patchBody is the body of PATCH: any part of Input, over the current values, and the
// version the client read, for optimistic concurrency.
type patchBody struct {
	Input
	Version *int `json:"version"`
}

// Update merges the body over the current case (JSON merge: absent fields keep their
// value, objects merge, lists are replaced) and saves it. 409 when "version" is given
// and the case changed since, or when the case is closed.
func (api *API) Update(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cur, err := api.Svc.Editable(r.Context(), id)
	if err != nil {
		return err
	}
	body := patchBody{Input: cur.Input}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	version := 0
	if body.Version != nil {
		if *body.Version < 1 {
			return errs.Invalid(map[string]string{"version": "error.bad_request"})
		}
		version = *body.Version
	}
	c, err := api.Svc.Update(r.Context(), id, version, body.Input)
	if err != nil {
		return err
	}
	return api.Web.JSON(w, http.StatusOK, c)
}

// listItem is one case in a list: what the list screen shows, no more (the list only
// decrypts names).
type listItem struct {
	ID                string    `json:"id"`
	Number            string    `json:"number"`
	Status            string    `json:"status"`
	ClosureReason     string    `json:"closure_reason,omitempty"`
	GivenNames        string    `json:"given_names"`
	FamilyNames       string    `json:"family_names"`
	Sex               string    `json:"sex"`
	AgeGroup          string    `json:"age_group"`
	AgeAtID           int       `json:"age_at_identification"`
	IdentifiedOn      string    `json:"identified_on"`
	Country           string    `json:"country"`
	Province          string    `json:"province,omitempty"`
	Canton            string    `json:"canton,omitempty"`
	TraffickingStatus string    `json:"trafficking_status"`
	RiskLevel         string    `json:"risk_level,omitempty"`
	Flagged           bool      `json:"flagged"`
	NextFollowUp      string    `json:"next_follow_up,omitempty"`
	OpenTasks         int       `json:"open_tasks"`
	AgencyID          string    `json:"agency_id"`
	AgencyName        string    `json:"agency_name"`
	AssignedTo        string    `json:"assigned_to,omitempty"`
	AssignedName      string    `json:"assigned_name,omitempty"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// listAnswer is the body of GET /api/v1/cases: a page of the cases the caller holds in
// full, and the cases other agencies opened to the caller's (at most MaxShared, most
// recent first, filtered by q only).
type listAnswer struct {
	Cases   []listItem  `json:"cases"`
	Total   int         `json:"total"`
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
	Shared  []SharedRow `json:"shared"`
}

// List answers one page of the cases the caller may see, filtered by the query (see
// parseFilter); each case listed is recorded as viewed.
func (api *API) List(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilter(r)
	if err != nil {
		return err
	}
	rows, total, err := api.Svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	shared, err := api.Svc.Shared(r.Context(), f.Q)
	if err != nil {
		return err
	}
	if shared == nil {
		shared = []SharedRow{}
	}
	out := listAnswer{Cases: make([]listItem, 0, len(rows)), Total: total, Page: f.Page, PerPage: f.PerPage, Shared: shared}
	for _, row := range rows {
		c := &row.Case
		out.Cases = append(out.Cases, listItem{ID: c.ID, Number: c.Number, Status: c.Status,
			ClosureReason: c.ClosureReason, GivenNames: c.Person.GivenNames, FamilyNames: c.Person.FamilyNames,
			Sex: c.Person.Sex, AgeGroup: c.AgeGroup, AgeAtID: c.AgeAtID, IdentifiedOn: c.Identification.Date,
			Country: c.Identification.Country, Province: c.Identification.Province, Canton: c.Identification.Canton,
			TraffickingStatus: c.TraffickingStatus, RiskLevel: c.RiskLevel, Flagged: c.Flagged,
			NextFollowUp: c.NextFollowUp, OpenTasks: row.OpenTasks, AgencyID: c.AgencyID, AgencyName: c.AgencyName,
			AssignedTo: c.AssignedTo, AssignedName: c.AssignedName, UpdatedAt: c.UpdatedAt})
	}
	return api.Web.JSON(w, http.StatusOK, out)
}

// RecordConsent records a consent decision: 201 with it.
func (api *API) RecordConsent(w http.ResponseWriter, r *http.Request) error {
	var in ConsentInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := api.Svc.RecordConsent(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.Web.JSON(w, http.StatusCreated, c)
}

// Consents answers every consent decision of a case, newest first.
func (api *API) Consents(w http.ResponseWriter, r *http.Request) error {
	list, err := api.Svc.Consents(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []Consent{}
	}
	return api.Web.JSON(w, http.StatusOK, map[string]any{"consents": list})
}

// statusBody is the body of POST /api/v1/cases/{id}/status.
type statusBody struct {
	Action  string `json:"action"`            // move, request_approval, reopen
	To      string `json:"to,omitempty"`      // move: the new status
	Kind    string `json:"kind,omitempty"`    // request_approval: screening, plan, closure
	Payload string `json:"payload,omitempty"` // request_approval: trafficking status or closure reason
	Reason  string `json:"reason,omitempty"`  // reopen
}

// Status changes where a case stands: a direct move, a request for a supervisor's
// approval (201 with the request, whose id POST /api/v1/approvals/{id} decides) or a
// reopening. Moves and reopenings answer 200 with the case.
func (api *API) Status(w http.ResponseWriter, r *http.Request) error {
	var body statusBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	var err error
	switch body.Action {
	case "move":
		err = api.Svc.Move(ctx, id, body.To)
	case "reopen":
		err = api.Svc.Reopen(ctx, id, body.Reason)
	case "request_approval":
		a, err := api.Svc.RequestApproval(ctx, id, body.Kind, body.Payload)
		if err != nil {
			return err
		}
		return api.Web.JSON(w, http.StatusCreated, a)
	default:
		return errs.Invalid(map[string]string{"action": "cases.err.choose"})
	}
	if err != nil {
		return err
	}
	return api.Get(w, r)
}

// PendingApprovals answers the requests waiting for the caller's decision.
func (api *API) PendingApprovals(w http.ResponseWriter, r *http.Request) error {
	list, err := api.Svc.PendingApprovals(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []Approval{}
	}
	return api.Web.JSON(w, http.StatusOK, map[string]any{"approvals": list})
}

// decideBody is the body of POST /api/v1/approvals/{id}.
type decideBody struct {
	Decision string `json:"decision"` // approve, reject
	Comment  string `json:"comment,omitempty"`
}

// Decide approves or rejects a pending request (a rejection needs a comment).
func (api *API) Decide(w http.ResponseWriter, r *http.Request) error {
	var body decideBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	if body.Decision != "approve" && body.Decision != "reject" {
		return errs.Invalid(map[string]string{"decision": "cases.err.choose"})
	}
	id := r.PathValue("id")
	if err := api.Svc.Decide(r.Context(), id, body.Decision == "approve", body.Comment); err != nil {
		return err
	}
	status := "rejected"
	if body.Decision == "approve" {
		status = "approved"
	}
	return api.Web.JSON(w, http.StatusOK, map[string]string{"id": id, "status": status})
}
