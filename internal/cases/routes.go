package cases

import (
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// Routes returns the HTML routes of the case screens with who may use them. The route
// guard checks the permission; the service checks the record again (404 for a case
// the user may not see).
func (h *Handlers) Routes() []web.Route {
	view, create := web.Perm(access.View, access.Case), web.Perm(access.Create, access.Case)
	update, approve := web.Perm(access.Update, access.Case), web.Perm(access.Approve, access.Case)
	manage, export := web.Perm(access.Manage, access.Case), web.Perm(access.Export, access.Case)
	return []web.Route{
		{Pattern: "GET /work", Access: view, Handler: h.Work},
		{Pattern: "GET /cases", Access: view, Handler: h.List},
		{Pattern: "GET /cases.csv", Access: export, Handler: h.ListCSV},
		{Pattern: "GET /cases/new", Access: create, Handler: h.NewCase},
		{Pattern: "POST /cases", Access: create, Handler: h.CreateCase},
		{Pattern: "GET /cases/{id}", Access: view, Handler: h.Case},
		{Pattern: "GET /cases/{id}/edit", Access: update, Handler: h.EditCase},
		{Pattern: "POST /cases/{id}", Access: update, Handler: h.UpdateCase},
		{Pattern: "POST /cases/{id}/consents", Access: update, Handler: h.RecordConsent},
		{Pattern: "GET /cases/{id}/consents/withdraw", Access: update, Handler: h.WithdrawConsent},
		{Pattern: "POST /cases/{id}/approvals", Access: update, Handler: h.RequestApproval},
		{Pattern: "POST /cases/{id}/approvals/{approval}/approve", Access: approve, Handler: h.Approve},
		{Pattern: "POST /cases/{id}/approvals/{approval}/reject", Access: approve, Handler: h.Reject},
		{Pattern: "POST /cases/{id}/move", Access: update, Handler: h.Move},
		{Pattern: "POST /cases/{id}/reopen", Access: update, Handler: h.Reopen},
		{Pattern: "POST /cases/{id}/assign", Access: manage, Handler: h.Assign},
		// A receiving agency records the services it delivers and writes its own notes:
		// those routes are open to whoever may view cases; the service decides by the
		// relation (View.Reach).
		{Pattern: "POST /cases/{id}/services", Access: view, Handler: h.AddService},
		{Pattern: "POST /cases/{id}/services/{service}", Access: view, Handler: h.UpdateService},
		{Pattern: "POST /cases/{id}/tasks", Access: update, Handler: h.AddTask},
		{Pattern: "POST /cases/{id}/tasks/{task}/done", Access: update, Handler: h.CompleteTask},
		{Pattern: "POST /cases/{id}/follow-up", Access: update, Handler: h.SetFollowUp},
		{Pattern: "POST /cases/{id}/notes", Access: view, Handler: h.AddNote},
		{Pattern: "POST " + UploadPrefix + "{id}", Access: update, Handler: h.UploadAttachment},
		{Pattern: "GET /cases/{id}/attachments/{attachment}", Access: view, Handler: h.DownloadAttachment},
		{Pattern: "POST /cases/{id}/risk", Access: update, Handler: h.SetRisk},
		{Pattern: "POST /cases/{id}/flags", Access: update, Handler: h.AddFlag},
		{Pattern: "POST /cases/{id}/flags/{flag}/clear", Access: update, Handler: h.ClearFlag},
		{Pattern: "POST /cases/{id}/events", Access: update, Handler: h.AddEvent},
		{Pattern: "POST /cases/{id}/events/{event}/delete", Access: update, Handler: h.DeleteEvent},
		{Pattern: "GET /cases/{id}/case-file.pdf", Access: export, Handler: h.CaseFile},
	}
}
