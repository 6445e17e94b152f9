package access

// grant is one line of the policy table.
type grant struct {
	res     Resource
	actions []Action
	scope   Scope
}

func g(res Resource, scope Scope, actions ...Action) grant {
	return grant{res: res, actions: actions, scope: scope}
}

// policy is the whole permission table: role -> grants. It is written once here and
// nowhere else; docs/SECURITY.md shows it as a matrix.
var policy = map[Role][]grant{
	Admin: {
		g(User, National, View, Create, Update, Manage),
		g(Agency, National, View, Create, Update, Manage),
		g(Token, Own, View, Create, Delete),
		g(ServiceMap, National, View),
		g(Shelter, National, View),
		g(Knowledge, National, View),
	},
	CaseWorker: {
		g(Case, Own, View, Create, Update, Export),
		g(Referral, Own, View, Create, Update),
		g(ShelterStay, Own, View),
		g(ServiceMap, National, View),
		g(Shelter, National, View),
		g(Reintegration, Own, View),
		g(Knowledge, National, View),
		g(Analytics, AgencyScope, View),
		g(Token, Own, View, Create, Delete),
	},
	CaseSupervisor: {
		g(Case, AgencyScope, View, Create, Update, Approve, Export, Manage),
		g(Referral, AgencyScope, View, Create, Update),
		g(ShelterStay, AgencyScope, View),
		g(ServiceMap, National, View),
		g(Shelter, National, View),
		g(Reintegration, AgencyScope, View),
		g(Knowledge, National, View, Create),
		g(Analytics, AgencyScope, View, Export),
		g(Token, Own, View, Create, Delete),
	},
	ShelterCoordinator: {
		g(Case, Own, View),
		g(Referral, AgencyScope, View, Update),
		g(ShelterStay, AgencyScope, View, Create, Update),
		g(Shelter, AgencyScope, Update),
		g(Shelter, National, View),
		g(ShelterAssessment, AgencyScope, View, Create, Update),
		g(ServiceMap, National, View),
		g(Knowledge, National, View),
		g(Analytics, AgencyScope, View),
		g(Token, Own, View, Create, Delete),
	},
	ReintegrationOfficer: {
		g(Case, Own, View),
		g(Referral, AgencyScope, View, Update),
		g(Reintegration, AgencyScope, View, Create, Update, Export),
		g(ServiceMap, National, View),
		g(Shelter, National, View),
		g(Knowledge, National, View),
		g(Analytics, AgencyScope, View),
		g(Token, Own, View, Create, Delete),
	},
	LocalFocalPoint: {
		g(Plan, Jurisdiction, View, Create, Update),
		g(Analytics, Jurisdiction, View, Export),
		g(ServiceMap, National, View),
		g(Shelter, National, View),
		g(Knowledge, National, View, Create),
		g(Token, Own, View, Create, Delete),
	},
	NationalCoordinator: {
		g(Plan, National, View, Create, Update, Approve, Export),
		g(Analytics, National, View, Export),
		g(ServiceMap, National, View, Create, Update, Manage),
		g(Shelter, National, View, Create, Update),
		g(ShelterAssessment, National, View, Create, Update),
		g(Knowledge, National, View, Create, Update),
		g(Grant, National, View),
		g(Token, Own, View, Create, Delete),
	},
	ProsecutionLiaison: {
		g(Case, Own, View),
		g(Referral, AgencyScope, View, Update),
		g(ServiceMap, National, View),
		g(Knowledge, National, View),
		g(Token, Own, View, Create, Delete),
	},
	Monitoring: {
		g(Grant, National, View, Create, Update, Export),
		g(Analytics, National, View, Export),
		g(Plan, National, View, Export),
		g(Shelter, National, View),
		g(ShelterAssessment, National, View),
		g(Knowledge, National, View),
		g(Token, Own, View, Create, Delete),
	},
	DataProtectionOfficer: {
		g(Audit, National, View, Export),
		g(User, National, View),
		g(Agency, National, View),
		g(Knowledge, National, View),
		g(Token, Own, View, Create, Delete),
	},
}

// table is policy indexed for lookups: role -> resource -> action -> scope.
var table = func() map[Role]map[Resource]map[Action]Scope {
	t := map[Role]map[Resource]map[Action]Scope{}
	for role, grants := range policy {
		t[role] = map[Resource]map[Action]Scope{}
		for _, gr := range grants {
			m := t[role][gr.res]
			if m == nil {
				m = map[Action]Scope{}
				t[role][gr.res] = m
			}
			for _, a := range gr.actions {
				if gr.scope > m[a] {
					m[a] = gr.scope
				}
			}
		}
	}
	return t
}()

// RoleScope returns how far role may do action on res (None when not at all).
func RoleScope(role Role, a Action, res Resource) Scope { return table[role][res][a] }

// Matrix returns, for documentation and tests, every resource and action a role has.
func Matrix(role Role) map[Resource]map[Action]Scope { return table[role] }
