package app

import (
	"context"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// The referral network: the service (after cases, whose consent withdrawals it
// follows), the service map and referral screens, their JSON API and menu entries.
func init() {
	addModule(module{
		name: "referrals",
		setup: func(a *App) error {
			a.Referrals = referrals.NewService(a.DB, a.Audit, a.Keyring, a.Cases, a.Auth)
			return nil
		},
		templates: referrals.Templates,
		routes: func(a *App) []web.Route {
			h := &referrals.Handlers{Svc: a.Referrals, Cases: a.Cases, Auth: a.Auth, Audit: a.Audit, Web: a.Web,
				Beds: shelterBeds{a}}
			return append(h.Routes(), referrals.APIRoutes(a.Referrals, a.Web)...)
		},
		nav: []navEntry{
			{order: 20, path: "/referrals", label: "nav.referrals", action: access.View, resource: access.Referral},
			{order: 25, path: "/services", label: "nav.services", action: access.View, resource: access.ServiceMap},
		},
	})
}

// shelterBeds answers the referral form's "free beds" panel from the shelter registry
// (built by the shelters module, which is set up after this one).
type shelterBeds struct{ a *App }

func (s shelterBeds) FreeBeds(ctx context.Context, province string) ([]referrals.ShelterBeds, error) {
	if s.a.Shelters == nil {
		return nil, nil
	}
	list, err := s.a.Shelters.List(ctx, shelters.Filter{Province: province, FreeOnly: true})
	if err != nil {
		return nil, err
	}
	out := make([]referrals.ShelterBeds, 0, len(list))
	for _, sh := range list {
		b := referrals.ShelterBeds{ShelterID: sh.ID, Name: sh.Name, AgencyID: sh.AgencyID, AgencyName: sh.AgencyName,
			Province: sh.Province, Canton: sh.Canton, Populations: sh.Populations, Free: map[string]int{}}
		for t, n := range sh.Beds {
			if free := n - sh.OccupiedBy[t]; free > 0 {
				b.Free[t] = free
				b.TotalFree += free
			}
		}
		out = append(out, b)
	}
	return out, nil
}
