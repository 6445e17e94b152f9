package audittrail

import (
	"embed"
	"io/fs"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Templates returns the auditor pages for the renderer (pages "audittrail/…").
func Templates() web.TemplateSet {
	sub, err := fs.Sub(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	return web.TemplateSet{Prefix: "audittrail", FS: sub}
}

// Handlers serves the auditor screens and the audit API. They are thin: parse the query,
// call the service, render.
type Handlers struct {
	Svc *Service
	Web *web.Web
}

// Routes is this package's part of the route table.
func (h *Handlers) Routes() []web.Route {
	view, export := web.Perm(access.View, access.Audit), web.Perm(access.Export, access.Audit)
	return []web.Route{
		{Pattern: "GET /audit", Access: view, Handler: h.List},
		{Pattern: "GET /audit.csv", Access: export, Handler: h.ExportCSV},
		{Pattern: "GET /audit/verify", Access: view, Handler: h.Verify},
		{Pattern: "GET /api/v1/audit", Access: view, Handler: h.API},
	}
}
