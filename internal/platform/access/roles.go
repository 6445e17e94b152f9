// Package access is Amparo's single policy point: roles, their permissions (action ×
// resource) with a scope, and the relations that open a record to a user. Services call
// it before every read or write; list queries use the same scopes in SQL.
package access

// Role is a key from DOMAIN.md; the CLI and the API use these exact strings.
type Role string

// The roles of Amparo.
const (
	Admin                 Role = "admin"
	CaseWorker            Role = "case_worker"
	CaseSupervisor        Role = "case_supervisor"
	ShelterCoordinator    Role = "shelter_coordinator"
	ReintegrationOfficer  Role = "reintegration_officer"
	LocalFocalPoint       Role = "local_focal_point"
	NationalCoordinator   Role = "national_coordinator"
	ProsecutionLiaison    Role = "prosecution_liaison"
	Monitoring            Role = "monitoring"
	DataProtectionOfficer Role = "data_protection_officer"
)

// Roles lists every role in a stable order.
var Roles = []Role{Admin, CaseWorker, CaseSupervisor, ShelterCoordinator, ReintegrationOfficer,
	LocalFocalPoint, NationalCoordinator, ProsecutionLiaison, Monitoring, DataProtectionOfficer}

// ValidRole reports whether s is a known role key.
func ValidRole(s string) bool {
	for _, r := range Roles {
		if string(r) == s {
			return true
		}
	}
	return false
}

// LabelKey is the catalog key of the role's name.
func (r Role) LabelKey() string { return "role." + string(r) }

// SeesPersonalData reports whether the role may ever open identifying data of victims
// (or, for the administrator and the auditor, of staff and of data requests). Every
// such role must use a second factor.
func (r Role) SeesPersonalData() bool {
	switch r {
	case LocalFocalPoint, NationalCoordinator, Monitoring:
		return false
	}
	return true
}

// Action is what a user wants to do.
type Action string

// The actions.
const (
	View    Action = "view"
	Create  Action = "create"
	Update  Action = "update"
	Delete  Action = "delete"
	Approve Action = "approve"
	Export  Action = "export"
	Manage  Action = "manage" // administer (users, agencies, vocabularies, assignment)
)

// Resource is what the action is done to.
type Resource string

// The resources. "case" always includes the person's identifying data; aggregate
// figures are "analytics".
const (
	Case              Resource = "case"
	Referral          Resource = "referral"
	ServiceMap        Resource = "service_map"
	Shelter           Resource = "shelter"            // registry, beds, no personal data
	ShelterStay       Resource = "shelter_stay"       // residents: personal data
	ShelterAssessment Resource = "shelter_assessment" // capacity, finances, improvement plan
	Reintegration     Resource = "reintegration"
	Plan              Resource = "plan"
	Knowledge         Resource = "knowledge"
	Grant             Resource = "grant"
	Analytics         Resource = "analytics"
	Audit             Resource = "audit"
	User              Resource = "user"
	Agency            Resource = "agency"
	Token             Resource = "token" // the user's own API tokens
)

// Scope is how far a permission reaches. Higher includes lower.
type Scope int

// Scopes, from nothing to the whole country.
const (
	None         Scope = iota
	Own                // records assigned to the user or related to them (referral, stay)
	AgencyScope        // records of the user's agency
	Jurisdiction       // records in the user's province or canton
	National           // everything
)

func (s Scope) String() string {
	return [...]string{"none", "own", "agency", "jurisdiction", "national"}[s]
}
