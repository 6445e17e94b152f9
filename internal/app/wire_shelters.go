package app

import (
	"context"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// Shelters: the registry, stays, assessments and improvement plans (service), their
// screens and JSON API, and the menu entry. Admissions may come from an accepted
// referral, read through the referral service.
func init() {
	addModule(module{
		name: "shelters",
		setup: func(a *App) error {
			a.Shelters = shelters.NewService(a.DB, a.Audit, a.Keyring, a.Cases)
			// An admission from a referral moves it to "in progress"; a stay of the
			// shelter agency's own case carries what a referral for shelter would.
			if a.Referrals != nil {
				a.Shelters.Referrals = a.Referrals
			}
			a.Shelters.StayFields = referrals.SharedFields("referral", []string{"shelter"})
			return nil
		},
		templates: shelters.Templates,
		routes: func(a *App) []web.Route {
			var refs shelters.ReferralSource
			if a.Referrals != nil {
				refs = acceptedReferrals{a.Referrals}
			}
			h := shelters.NewHandlers(a.Shelters, a.Cases, a.Auth, refs, a.Web)
			return append(h.Routes(), shelters.APIRoutes(a.Shelters, a.Cases, a.Web)...)
		},
		nav: []navEntry{{order: 30, path: "/shelters", label: "nav.shelters", action: access.View, resource: access.Shelter}},
	})
}

// acceptedReferrals lists the referrals to the user's agency that were accepted and are
// still open, for the admission form.
type acceptedReferrals struct{ svc *referrals.Service }

func (r acceptedReferrals) AcceptedIncoming(ctx context.Context) ([]shelters.IncomingReferral, error) {
	if !access.From(ctx).Can(access.View, access.Referral) {
		return nil, nil
	}
	list, _, err := r.svc.List(ctx, referrals.Filter{Direction: "incoming", Status: "open", PerPage: 200})
	if err != nil {
		return nil, err
	}
	var out []shelters.IncomingReferral
	for _, ref := range list {
		if ref.Status != "accepted" && ref.Status != "in_progress" {
			continue
		}
		out = append(out, shelters.IncomingReferral{ID: ref.ID, Number: ref.Number, CaseID: ref.CaseID,
			CaseNumber: ref.CaseNumber, FromAgency: ref.FromAgency})
	}
	return out, nil
}
