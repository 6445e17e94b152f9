package audittrail

import (
	"net/http"
	"time"
)

// apiEvent is one event in the JSON API.
type apiEvent struct {
	Seq        int64     `json:"seq"`
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorName  string    `json:"actor_name,omitempty"`
	AgencyID   string    `json:"agency_id"`
	AgencyName string    `json:"agency_name,omitempty"`
	Action     string    `json:"action"`
	RecordType string    `json:"record_type"`
	RecordID   string    `json:"record_id"`
	Outcome    string    `json:"outcome"`
	RequestID  string    `json:"request_id"`
	IP         string    `json:"ip"`
	Via        string    `json:"via"`
	TokenID    string    `json:"token_id,omitempty"`
	Detail     string    `json:"detail"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// apiList is the body of GET /api/v1/audit.
type apiList struct {
	Events []apiEvent `json:"events"`
	Total  int64      `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// API answers GET /api/v1/audit?user=&email=&type=&record=&action=&outcome=&from=&to=
// &limit=&offset= with one page of events, newest first, and the total. Bad dates,
// limits or offsets get 422 with one message per field.
func (h *Handlers) API(w http.ResponseWriter, r *http.Request) error {
	q, err := ParseQuery(r.URL.Query(), true)
	if err != nil {
		return err
	}
	res, err := h.Svc.List(r.Context(), q)
	if err != nil {
		return err
	}
	body := apiList{Events: make([]apiEvent, 0, len(res.Rows)), Total: res.Total,
		Limit: q.Filter.Limit, Offset: q.Filter.Offset}
	for _, row := range res.Rows {
		e := row.Event
		body.Events = append(body.Events, apiEvent{Seq: e.Seq, ID: e.ID, At: e.At.UTC(),
			ActorID: e.ActorID, ActorName: row.ActorName, AgencyID: e.ActorAgencyID,
			AgencyName: row.AgencyName, Action: e.Action, RecordType: e.RecordType,
			RecordID: e.RecordID, Outcome: e.Outcome, RequestID: e.RequestID, IP: e.IP,
			Via: e.Via, TokenID: e.TokenID, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	return h.Web.JSON(w, http.StatusOK, body)
}
