package cases

import "net/http"

// AddTask adds a dated task to the case.
func (h *Handlers) AddTask(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "tasks", "task.")
	if err != nil {
		return err
	}
	in := TaskInput{Title: a.get("title"), DueOn: formDate(a.get("due_on")), AssignedTo: a.get("assigned_to")}
	if _, err := h.Svc.AddTask(r.Context(), a.id, in); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_task_added")
}

// CompleteTask marks a task done.
func (h *Handlers) CompleteTask(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "tasks", "task.")
	if err != nil {
		return err
	}
	if err := h.Svc.CompleteTask(r.Context(), a.id, r.PathValue("task")); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_task_done")
}

// SetFollowUp sets or clears the date of the next follow-up.
func (h *Handlers) SetFollowUp(w http.ResponseWriter, r *http.Request) error {
	a, err := newAction(r, "tasks", "followup.")
	if err != nil {
		return err
	}
	date := formDate(a.get("next_follow_up"))
	if a.get("clear") != "" {
		date = ""
	}
	if err := h.Svc.SetFollowUp(r.Context(), a.id, date); err != nil {
		return h.failed(w, r, a, err, nil)
	}
	return h.done(w, r, a, "cases.flash_follow_up")
}
