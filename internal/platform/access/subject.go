package access

import (
	"context"

	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Subject is the signed-in user as the policy sees them.
type Subject struct {
	UserID   string
	AgencyID string
	Roles    []Role
	// Jurisdiction: Level is "national", "province", "canton" or "agency"; Code is the
	// province (2 digits) or canton (4 digits) code.
	JurisdictionLevel string
	JurisdictionCode  string
}

// Scope is the widest scope any of the subject's roles has for action on res.
func (s *Subject) Scope(a Action, res Resource) Scope {
	if s == nil {
		return None
	}
	best := None
	for _, r := range s.Roles {
		if sc := RoleScope(r, a, res); sc > best {
			best = sc
		}
	}
	return best
}

// Can reports whether the subject may do action on res at all (for menus and routes).
func (s *Subject) Can(a Action, res Resource) bool { return s.Scope(a, res) > None }

// Has reports whether the subject holds role.
func (s *Subject) Has(role Role) bool {
	if s == nil {
		return false
	}
	for _, r := range s.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// SeesPersonalData reports whether any of the subject's roles sees personal data.
func (s *Subject) SeesPersonalData() bool {
	if s == nil {
		return false
	}
	for _, r := range s.Roles {
		if r.SeesPersonalData() {
			return true
		}
	}
	return false
}

// Record is what the policy needs to know about one record to decide.
type Record struct {
	AgencyID string // owning agency
	// UserIDs related to the record: the assigned worker, and others a capability
	// relates (e.g. a reintegration officer serving the participant).
	UserIDs []string
	// AgencyIDs related through an accepted referral or a stay in a shelter.
	AgencyIDs    []string
	ProvinceCode string
	CantonCode   string
}

// Allows decides whether the subject may do action on this record, by scope and
// relation.
func (s *Subject) Allows(a Action, res Resource, rec Record) bool {
	switch s.Scope(a, res) {
	case National:
		return true
	case Jurisdiction:
		return s.InJurisdiction(rec.ProvinceCode, rec.CantonCode) || s.related(rec)
	case AgencyScope:
		return (rec.AgencyID != "" && rec.AgencyID == s.AgencyID) || s.related(rec)
	case Own:
		return s.related(rec)
	}
	return false
}

func (s *Subject) related(rec Record) bool {
	for _, u := range rec.UserIDs {
		if u != "" && u == s.UserID {
			return true
		}
	}
	for _, ag := range rec.AgencyIDs {
		if ag != "" && ag == s.AgencyID {
			return true
		}
	}
	return false
}

// InJurisdiction reports whether a place lies within the subject's jurisdiction.
func (s *Subject) InJurisdiction(province, canton string) bool {
	switch s.JurisdictionLevel {
	case "national":
		return true
	case "province":
		return province != "" && province == s.JurisdictionCode
	case "canton":
		return canton != "" && canton == s.JurisdictionCode
	}
	return false
}

// Check returns nil when allowed, NotFound when the subject may not even know the record
// exists (no scope reaches it), and Forbidden when they may see it but not do this.
func (s *Subject) Check(a Action, res Resource, rec Record) error {
	if s.Allows(a, res, rec) {
		return nil
	}
	if a != View && s.Allows(View, res, rec) {
		return errs.Forbidden()
	}
	return errs.NotFound()
}

// Require returns Forbidden unless the subject may do action on res somewhere.
func (s *Subject) Require(a Action, res Resource) error {
	if s == nil {
		return errs.Unauthenticated()
	}
	if !s.Can(a, res) {
		return errs.Forbidden()
	}
	return nil
}

type ctxKey struct{}

// With returns a context carrying the subject.
func With(ctx context.Context, s *Subject) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// From returns the subject in ctx, or nil when anonymous.
func From(ctx context.Context) *Subject {
	s, _ := ctx.Value(ctxKey{}).(*Subject)
	return s
}

// System is the subject used by the CLI and by background jobs: national scope for
// everything an administrator may do. It is never given to a web request.
func System() *Subject {
	return &Subject{UserID: "system", Roles: []Role{Admin}, JurisdictionLevel: "national"}
}
