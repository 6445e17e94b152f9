package app

import (
	"context"

	"github.com/amparo-ec/amparo/internal/audittrail"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// The auditor screens: the event list, "what did this user touch", the CSV export, the
// chain check and the audit API.
func init() {
	addModule(module{
		name:      "audittrail",
		templates: audittrail.Templates,
		routes: func(a *App) []web.Route {
			h := &audittrail.Handlers{Svc: audittrail.NewService(a.Audit, a.Auth), Web: a.Web}
			return h.Routes()
		},
		nav: []navEntry{{order: 80, path: "/audit", label: "nav.audit", action: access.View, resource: access.Audit}},
	})
}

// VerifyAuditTrail checks the audit chain of d for "amparo audit verify" and records the
// check, with its result, as the web page does. The result is returned even when the
// check cannot be recorded (a read-only replica, say); recErr then says why.
func VerifyAuditTrail(ctx context.Context, d *db.DB) (res audit.VerifyResult, recErr, err error) {
	log := audit.New(d)
	res, err = log.Verify(ctx)
	if err != nil {
		return res, nil, err
	}
	return res, log.Record(ctx, audittrail.VerifyEvent(res)), nil
}
