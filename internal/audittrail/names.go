package audittrail

import (
	"context"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// directoryPage is how many users or agencies one directory call returns (the identity
// service's largest page).
const directoryPage = 500

// SystemActor is the actor id of the CLI and of background jobs (access.System).
const SystemActor = "system"

// nameMaps resolves ids to names for one page of events.
type nameMaps struct {
	users    map[string]string
	agencies map[string]string
	listed   []*auth.User // the users listed on the way, for the page's user picker
}

// names resolves the actors and agencies of a page of events. One call each lists the
// first directoryPage users and agencies, which covers every id in most installations;
// ids beyond that are looked up one by one. An id that no longer resolves stays
// unnamed and the page shows the id.
//
// TODO(auth): a batch lookup by ids on auth.Service (names for a set of ids in one
// query) would replace both the full listing and the one-by-one fallback.
func (s *Service) names(ctx context.Context, events []audit.Event) (nameMaps, error) {
	m := nameMaps{users: map[string]string{}, agencies: map[string]string{}}
	needUser, needAgency := map[string]bool{}, map[string]bool{}
	for _, e := range events {
		if e.ActorID != "" && e.ActorID != SystemActor {
			needUser[e.ActorID] = true
		}
		if e.ActorAgencyID != "" {
			needAgency[e.ActorAgencyID] = true
		}
	}
	users, err := s.Users(ctx)
	if err != nil {
		return m, err
	}
	m.listed = users
	if len(needUser) > 0 {
		for _, u := range users {
			if needUser[u.ID] {
				m.users[u.ID] = u.Name
			}
		}
		for id := range needUser {
			if _, ok := m.users[id]; ok {
				continue
			}
			u, err := s.Dir.User(ctx, id)
			if err == nil {
				m.users[id] = u.Name
			} else if !unresolved(err) {
				return m, err
			}
		}
	}
	if len(needAgency) > 0 {
		ags, _, err := s.Dir.ListAgencies(ctx, auth.AgencyFilter{Limit: directoryPage})
		if err != nil && !unresolved(err) {
			return m, err
		}
		for _, a := range ags {
			if needAgency[a.ID] {
				m.agencies[a.ID] = a.Name
			}
		}
		for id := range needAgency {
			if _, ok := m.agencies[id]; ok {
				continue
			}
			a, err := s.Dir.Agency(ctx, id)
			if err == nil {
				m.agencies[id] = a.Name
			} else if !unresolved(err) {
				return m, err
			}
		}
	}
	return m, nil
}

// Users lists the users an auditor can pick from, by name (the first directoryPage;
// larger installations search by email). A role that may read the trail but not the
// user directory gets no users, and the pages show ids instead of names.
func (s *Service) Users(ctx context.Context) ([]*auth.User, error) {
	if err := access.From(ctx).Require(access.View, access.Audit); err != nil {
		return nil, err
	}
	users, _, err := s.Dir.ListUsers(ctx, auth.UserFilter{Limit: directoryPage})
	if err != nil && !unresolved(err) {
		return nil, err
	}
	return users, nil
}

// unresolved reports whether a directory error only means "no name to show": the id is
// unknown, or the caller may not read the directory.
func unresolved(err error) bool {
	c := errs.CodeOf(err)
	return c == errs.CodeNotFound || c == errs.CodeForbidden
}
