package cases

import "net/http"

// SetRisk records the risk level and the safety plan.
func (h *Handlers) SetRisk(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "safety", "risk.")
	if err != nil {
		return err
	}
	if err := h.Svc.SetRisk(r.Context(), a.id, a.get("risk_level"), a.get("safety_plan")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_risk")
}

// AddFlag flags the case with a reason.
func (h *Handlers) AddFlag(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "safety", "flag.")
	if err != nil {
		return err
	}
	if _, err := h.Svc.AddFlag(r.Context(), a.id, a.get("flag"), a.get("reason")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_flag_added")
}

// ClearFlag ends an active flag.
func (h *Handlers) ClearFlag(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "safety", "flag.")
	if err != nil {
		return err
	}
	if err := h.Svc.ClearFlag(r.Context(), a.id, r.PathValue("flag")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_flag_cleared")
}
