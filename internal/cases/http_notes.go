package cases

import "net/http"

// AddNote adds a note to the case. Notes are never edited; a correction is a new note.
func (h *Handlers) AddNote(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "notes", "note.")
	if err != nil {
		return err
	}
	if _, err := h.Svc.AddNote(r.Context(), a.id, a.get("body")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_note_added")
}
