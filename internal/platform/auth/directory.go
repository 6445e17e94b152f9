package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
)

// StaffMember is a colleague as other capabilities show them: name and roles only.
type StaffMember struct {
	ID       string
	Name     string
	AgencyID string
	Roles    []access.Role
	Active   bool
}

// Staff lists the active users of an agency holding any of roles (all roles when none
// are given), for pickers such as "assign to". Staff names are not victims' data, so
// any signed-in user of the service may list them.
func (s *Service) Staff(ctx context.Context, agencyID string, roles ...access.Role) ([]StaffMember, error) {
	q := `SELECT u.id, u.name, u.agency_id FROM users u WHERE u.agency_id = ? AND u.active = 1`
	args := []any{agencyID}
	if len(roles) > 0 {
		ph := make([]string, len(roles))
		for i, r := range roles {
			ph[i] = "?"
			args = append(args, string(r))
		}
		q += " AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN (" + strings.Join(ph, ",") + "))"
	}
	rows, err := s.d.Query(ctx, q+" ORDER BY u.name", args...)
	if err != nil {
		return nil, fmt.Errorf("auth: staff: %w", err)
	}
	defer rows.Close()
	var out []StaffMember
	for rows.Next() {
		var m StaffMember
		if err := rows.Scan(&m.ID, &m.Name, &m.AgencyID); err != nil {
			return nil, err
		}
		m.Active = true
		out = append(out, m)
	}
	return out, rows.Err()
}

// Member returns one user's name, agency, roles and active flag.
func (s *Service) Member(ctx context.Context, userID string) (*StaffMember, error) {
	u, err := s.st.user(ctx, "u.id = ?", userID)
	if err != nil {
		return nil, err
	}
	return &StaffMember{ID: u.ID, Name: u.Name, AgencyID: u.AgencyID, Roles: u.Roles, Active: u.Active}, nil
}

// AgencyType returns the type of an active agency, and whether it exists.
func (s *Service) AgencyType(ctx context.Context, id string) (string, bool) {
	a, err := s.st.agency(ctx, "a.id = ?", id)
	if err != nil || !a.Active {
		return "", false
	}
	return a.Type, true
}
