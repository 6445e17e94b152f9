package cases

import (
	"net/http"
)

// RequestApproval asks the supervisors to approve the screening result, the plan or
// the closure.
func (h *Handlers) RequestApproval(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "workflow", "")
	if err != nil {
		return err
	}
	kind := a.get("kind")
	payload, field := "", ""
	switch kind {
	case "screening":
		payload, field = a.get("screening_result"), "screening_result"
	case "closure":
		payload, field = a.get("closure_reason"), "closure_reason"
	}
	if _, err := h.Svc.RequestApproval(r.Context(), a.id, kind, payload); err != nil {
		return h.failed(w, r, a, err, map[string]string{"payload": field, "kind": ""})
	}
	return h.done(w, r, a, "cases.flash_requested_"+kindKey(kind))
}

// kindKey keeps an approval kind to the known ones, for message keys.
func kindKey(kind string) string {
	if In("approval", kind) {
		return kind
	}
	return "screening"
}

// Approve approves a pending request (supervisors).
func (h *Handlers) Approve(w http.ResponseWriter, r *http.Request) error {
	return h.decide(w, r, true)
}

// Reject rejects a pending request with a comment (supervisors).
func (h *Handlers) Reject(w http.ResponseWriter, r *http.Request) error {
	return h.decide(w, r, false)
}

func (h *Handlers) decide(w http.ResponseWriter, r *http.Request, approve bool) error {
	a, err := newAction(r, "workflow", "")
	if err != nil {
		return err
	}
	approval := r.PathValue("approval")
	if err := h.Svc.Decide(r.Context(), approval, approve, a.get("comment")); err != nil {
		return h.failed(w, r, a, err, map[string]string{"comment": "comment-" + approval})
	}
	key := "cases.flash_rejected"
	if approve {
		key = "cases.flash_approved"
	}
	return h.done(w, r, a, key)
}

// Move changes the stage where no approval is needed (assisted, reintegration,
// follow-up).
func (h *Handlers) Move(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "workflow", "move.")
	if err != nil {
		return err
	}
	if err := h.Svc.Move(r.Context(), a.id, a.get("to")); err != nil {
		return h.failed(w, r, a, err, map[string]string{"status": "move.to"})
	}
	return h.done(w, r, a, "cases.flash_moved")
}

// Reopen brings a closed case back, with the reason.
func (h *Handlers) Reopen(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "workflow", "reopen.")
	if err != nil {
		return err
	}
	if err := h.Svc.Reopen(r.Context(), a.id, a.get("reason")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_reopened")
}

// Assign gives the case to a worker of its agency (supervisors).
func (h *Handlers) Assign(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "workflow", "assign.")
	if err != nil {
		return err
	}
	if err := h.Svc.Assign(r.Context(), a.id, a.get("assigned_to")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_assigned")
}
