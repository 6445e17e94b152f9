package shelters

import (
	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// Routes returns the shelter screens with who may use them. The route guard checks the
// permission somewhere; the service checks the shelter itself (its operator's staff, or
// national scope) and answers 403 or 404.
func (h *Handlers) Routes() []web.Route {
	view := web.Perm(access.View, access.Shelter)
	create, update := web.Perm(access.Create, access.Shelter), web.Perm(access.Update, access.Shelter)
	assess, plan := web.Perm(access.Create, access.ShelterAssessment), web.Perm(access.Update, access.ShelterAssessment)
	admit, discharge := web.Perm(access.Create, access.ShelterStay), web.Perm(access.Update, access.ShelterStay)
	return []web.Route{
		{Pattern: "GET /shelters", Access: view, Handler: h.List},
		{Pattern: "GET /shelters/new", Access: create, Handler: h.NewShelter},
		{Pattern: "POST /shelters", Access: create, Handler: h.CreateShelter},
		{Pattern: "GET /shelters/{id}", Access: view, Handler: h.Shelter},
		{Pattern: "GET /shelters/{id}/edit", Access: update, Handler: h.EditShelter},
		{Pattern: "POST /shelters/{id}", Access: update, Handler: h.UpdateShelter},
		{Pattern: "GET /shelters/{id}/assessments/new", Access: assess, Handler: h.NewAssessment},
		{Pattern: "POST /shelters/{id}/assessments", Access: assess, Handler: h.CreateAssessment},
		{Pattern: "POST /shelters/{id}/finances", Access: assess, Handler: h.AddFinance},
		{Pattern: "POST /shelters/{id}/actions", Access: plan, Handler: h.SaveAction},
		{Pattern: "POST /shelters/{id}/actions/{action}", Access: plan, Handler: h.SaveAction},
		{Pattern: "POST /shelters/{id}/stays", Access: admit, Handler: h.Admit},
		{Pattern: "POST /shelters/{id}/stays/{stay}/discharge", Access: discharge, Handler: h.Discharge},
	}
}

// APIRoutes returns the JSON API of shelters (docs/API.md).
func APIRoutes(svc *Service, cs *cases.Service, w *web.Web) []web.Route {
	api := &API{Svc: svc, Cases: cs, Web: w}
	view := web.Perm(access.View, access.Shelter)
	return []web.Route{
		{Pattern: "GET /api/v1/shelters", Access: view, Handler: api.List},
		{Pattern: "GET /api/v1/shelters/{id}", Access: view, Handler: api.Get},
		{Pattern: "POST /api/v1/shelters/{id}/stays", Access: web.Perm(access.Create, access.ShelterStay), Handler: api.Admit},
	}
}
