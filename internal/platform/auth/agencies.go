package auth

import (
	"context"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
)

// CreateAgency adds an agency (administrators).
func (s *Service) CreateAgency(ctx context.Context, a *Agency) (*Agency, error) {
	if err := access.From(ctx).Require(access.Create, access.Agency); err != nil {
		return nil, err
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	a.ID, a.Active, a.CreatedAt, a.UpdatedAt = newID(), true, now, now
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.insertAgency(ctx, a); err != nil {
			return err
		}
		return s.record(ctx, "agency.create", "agency", a.ID, audit.OutcomeOK, "")
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// UpdateAgency changes an agency's name, type, place or active flag.
func (s *Service) UpdateAgency(ctx context.Context, a *Agency) (*Agency, error) {
	if err := access.From(ctx).Require(access.Update, access.Agency); err != nil {
		return nil, err
	}
	cur, err := s.st.agency(ctx, "a.id = ?", a.ID)
	if err != nil {
		return nil, err
	}
	a.Normalize()
	a.Code = cur.Code // codes are stable: the CLI and other tools use them
	if err := a.Validate(); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = cur.CreatedAt, s.Now().UTC()
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.updateAgency(ctx, a); err != nil {
			return err
		}
		if cur.Active && !a.Active { // as SetAgencyActive: its users' access ends
			if _, err := s.endAccess(ctx, true, "agency_id = ?", a.ID); err != nil {
				return err
			}
		}
		return s.record(ctx, "agency.update", "agency", a.ID, audit.OutcomeOK, changed(map[string]bool{
			"name": cur.Name != a.Name, "type": cur.Type != a.Type, "province": cur.ProvinceCode != a.ProvinceCode,
			"canton": cur.CantonCode != a.CantonCode, "active": cur.Active != a.Active}))
	})
	if err != nil {
		return nil, err
	}
	return s.st.agency(ctx, "a.id = ?", a.ID)
}

// Agency returns one agency by id.
func (s *Service) Agency(ctx context.Context, id string) (*Agency, error) {
	if err := access.From(ctx).Require(access.View, access.Agency); err != nil {
		return nil, err
	}
	return s.st.agency(ctx, "a.id = ?", id)
}

// AgencyByCode returns one agency by its code (for the CLI).
func (s *Service) AgencyByCode(ctx context.Context, code string) (*Agency, error) {
	if err := access.From(ctx).Require(access.View, access.Agency); err != nil {
		return nil, err
	}
	return s.st.agency(ctx, "a.code = ?", strings.ToLower(strings.TrimSpace(code)))
}

// AgencyName returns an agency's name for display to any signed-in user (agency names
// are not personal data).
func (s *Service) AgencyName(ctx context.Context, id string) string {
	a, err := s.st.agency(ctx, "a.id = ?", id)
	if err != nil {
		return ""
	}
	return a.Name
}

// ListAgencies returns a page of agencies and the total.
func (s *Service) ListAgencies(ctx context.Context, f AgencyFilter) ([]*Agency, int, error) {
	if err := access.From(ctx).Require(access.View, access.Agency); err != nil {
		return nil, 0, err
	}
	f.Limit, f.Offset = clampPage(f.Limit, f.Offset)
	return s.st.listAgencies(ctx, f)
}

// AllAgencies lists active agencies for pickers (names only are shown).
func (s *Service) AllAgencies(ctx context.Context) ([]*Agency, error) {
	list, _, err := s.st.listAgencies(ctx, AgencyFilter{Active: "1", Limit: 10000})
	return list, err
}
