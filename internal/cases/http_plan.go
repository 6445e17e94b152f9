package cases

import "net/http"

// AddService adds a service to the assistance plan.
func (h *Handlers) AddService(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "plan", "service.")
	if err != nil {
		return err
	}
	in := ServiceInput{SupportType: a.get("support_type"), Need: a.get("need"),
		ProviderAgencyID: a.get("provider_agency_id"), ProviderName: a.get("provider_name"),
		PlannedFrom: formDate(a.get("planned_from")), PlannedTo: formDate(a.get("planned_to")), Notes: a.get("notes")}
	if _, err := h.Svc.AddService(r.Context(), a.id, in); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_service_added")
}

// UpdateService moves a planned service on (in progress, delivered, cancelled). Each
// service's form has its own prefix, "svc-<id>.".
func (h *Handlers) UpdateService(w http.ResponseWriter, r *http.Request) error {
	sid := r.PathValue("service")
	a, err := newAction(r, "plan", "svc-"+sid+".")
	if err != nil {
		return err
	}
	if _, err := h.Svc.UpdateService(r.Context(), a.id, sid, a.get("status"), formDate(a.get("delivered_on")),
		a.get("notes")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_service_updated")
}
