package cases

import "net/http"

// AddEvent adds a recruitment, transit or exploitation event to the trafficking
// history. The province/canton picker's "Update list" shows the page again unsaved.
func (h *Handlers) AddEvent(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "history", "event.")
	if err != nil {
		return err
	}
	if a.v.Get("_refresh") != "" {
		p, d, err := h.casePage(r, a.id, a.v)
		if err != nil {
			return err
		}
		d.Active = a.section
		return h.Web.Render(w, r, "cases/case", p)
	}
	in := EventInput{Kind: a.get("kind"), Country: a.get("country"), Province: a.get("province"),
		Canton: a.get("canton"), StartedOn: formDate(a.get("started_on")), EndedOn: formDate(a.get("ended_on")),
		Narrative: a.get("narrative")}
	if in.Country != "ECU" {
		in.Province, in.Canton = "", ""
	}
	if _, err := h.Svc.AddEvent(r.Context(), a.id, in); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_event_added")
}

// DeleteEvent removes an event typed by mistake (the page asks for confirmation).
func (h *Handlers) DeleteEvent(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "history", "event.")
	if err != nil {
		return err
	}
	if err := h.Svc.DeleteEvent(r.Context(), a.id, r.PathValue("event")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_event_deleted")
}
