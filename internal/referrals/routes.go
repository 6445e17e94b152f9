package referrals

import (
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// Routes returns the HTML routes of the service map and of referrals with who may use
// them. The route guard checks the permission; the service checks the record again
// (404 for a referral the user's side may not see, 403 for an action of the other side).
func (h *Handlers) Routes() []web.Route {
	mapView := web.Perm(access.View, access.ServiceMap)
	mapCreate, mapUpdate := web.Perm(access.Create, access.ServiceMap), web.Perm(access.Update, access.ServiceMap)
	view, send := web.Perm(access.View, access.Referral), web.Perm(access.Create, access.Referral)
	receive := web.Perm(access.Update, access.Referral)
	return []web.Route{
		{Pattern: "GET /services", Access: mapView, Handler: h.Directory},
		{Pattern: "GET /services.csv", Access: mapView, Handler: h.DirectoryCSV},
		{Pattern: "GET /services.xlsx", Access: mapView, Handler: h.DirectoryXLSX},
		{Pattern: "GET /services/map", Access: mapView, Handler: h.Map},
		{Pattern: "GET /services/new", Access: mapCreate, Handler: h.NewOffer},
		{Pattern: "POST /services", Access: mapCreate, Handler: h.CreateOffer},
		{Pattern: "GET /services/{id}", Access: mapView, Handler: h.OfferPage},
		{Pattern: "GET /services/{id}/edit", Access: mapUpdate, Handler: h.EditOffer},
		{Pattern: "POST /services/{id}", Access: mapUpdate, Handler: h.UpdateOffer},

		{Pattern: "GET /cases/{id}/refer", Access: send, Handler: h.ReferForm},
		{Pattern: "POST /cases/{id}/refer", Access: send, Handler: h.ReferForm},
		{Pattern: "POST /cases/{id}/referrals", Access: send, Handler: h.Send},
		{Pattern: "GET /referrals", Access: view, Handler: h.List},
		{Pattern: "GET /referrals/{id}", Access: view, Handler: h.Referral},
		{Pattern: "POST /referrals/{id}/accept", Access: receive, Handler: h.step("accept")},
		{Pattern: "POST /referrals/{id}/decline", Access: receive, Handler: h.step("decline")},
		{Pattern: "POST /referrals/{id}/start", Access: receive, Handler: h.step("start")},
		{Pattern: "POST /referrals/{id}/complete", Access: receive, Handler: h.step("complete")},
		{Pattern: "POST /referrals/{id}/cancel", Access: send, Handler: h.step("cancel")},
	}
}

// APIRoutes returns the JSON API of the service map and referrals (docs/API.md).
func APIRoutes(svc *Service, w *web.Web) []web.Route {
	api := &API{Svc: svc, Web: w}
	mapView := web.Perm(access.View, access.ServiceMap)
	view, send := web.Perm(access.View, access.Referral), web.Perm(access.Create, access.Referral)
	receive := web.Perm(access.Update, access.Referral)
	return []web.Route{
		{Pattern: "GET /api/v1/services", Access: mapView, Handler: api.Services},
		{Pattern: "GET /api/v1/services/{id}", Access: mapView, Handler: api.Service},
		{Pattern: "GET /api/v1/referrals", Access: view, Handler: api.List},
		{Pattern: "POST /api/v1/referrals", Access: send, Handler: api.Send},
		{Pattern: "GET /api/v1/referrals/{id}", Access: view, Handler: api.Get},
		{Pattern: "POST /api/v1/referrals/{id}/accept", Access: receive, Handler: api.step("accept")},
		{Pattern: "POST /api/v1/referrals/{id}/decline", Access: receive, Handler: api.step("decline")},
		{Pattern: "POST /api/v1/referrals/{id}/start", Access: receive, Handler: api.step("start")},
		{Pattern: "POST /api/v1/referrals/{id}/complete", Access: receive, Handler: api.step("complete")},
		{Pattern: "POST /api/v1/referrals/{id}/cancel", Access: send, Handler: api.step("cancel")},
	}
}
