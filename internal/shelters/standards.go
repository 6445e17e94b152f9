// Package shelters is the registry of specialised shelters, their stays (admissions and
// discharges linked to cases), live occupancy, capacity and financial-sustainability
// assessments, improvement plans and the derived "functioning" status.
package shelters

// Domain is one area of the capacity standard.
type Domain struct {
	Code      string
	Standards []string // standard codes; label keys shelters.std.<code>
}

// Domains is the capacity standard: six domains, each with the standards checked in
// published shelter accreditation practice (see DOMAIN.md). Each standard is rated 1–4
// as accreditation bodies do: 1 fully in practice, 2 sound with minor gaps, 3 significant
// improvement needed, 4 minimal or none.
var Domains = []Domain{
	{"safety", []string{"confidential_location", "visitor_control", "search_rules", "fire_emergency"}},
	{"staffing", []string{"org_chart", "job_descriptions", "selection", "supervision", "first_aid", "trauma_informed"}},
	{"case_management", []string{"admission_criteria", "prompt_intake", "standard_assessment", "individual_plans", "referral_records"}},
	{"services", []string{"health_referrals", "medication_rules", "food", "psychosocial_legal", "education_children"}},
	{"infrastructure", []string{"no_basement_bedrooms", "dining_room", "ventilated_bathrooms", "visiting_room", "outdoor_space", "accessibility"}},
	{"governance", []string{"policy_manual", "residents_rights", "attendance_list", "residents_money", "financial_controls", "service_evaluation"}},
}

// DomainOf returns the domain of a standard code.
func DomainOf(standard string) (string, bool) {
	for _, d := range Domains {
		for _, s := range d.Standards {
			if s == standard {
				return d.Code, true
			}
		}
	}
	return "", false
}

// StandardCount is the number of standards in the capacity standard.
func StandardCount() int {
	n := 0
	for _, d := range Domains {
		n += len(d.Standards)
	}
	return n
}

// IncomeSources are the fixed source categories over which revenue concentration (the
// Herfindahl–Hirschman index) is computed.
var IncomeSources = []string{"central_government", "local_government", "international_donor",
	"private_donations", "own_income", "religious_organisation", "other"}

// Populations a shelter or service may serve.
var Populations = []string{"children", "adolescents", "women", "men", "lgbti", "nationals", "foreigners"}

// BedTypes of a shelter.
var BedTypes = []string{"girls", "boys", "women", "men", "family", "lgbti", "emergency"}

// StaffRoles counted per shelter.
var StaffRoles = []string{"coordinator", "social_worker", "psychologist", "lawyer", "educator", "nurse",
	"caregiver", "security", "cook", "other"}

// SpecialisedServices a shelter offers on site.
var SpecialisedServices = []string{"psychosocial", "health", "legal", "education", "vocational",
	"family_tracing", "interpretation", "disability_support"}

// DischargeReasons when a stay ends.
var DischargeReasons = []string{"reintegrated_family", "independent_living", "transferred", "returned_home_country",
	"left_voluntarily", "absconded", "other"}

// ActionStatuses of an improvement plan action.
var ActionStatuses = []string{"planned", "in_progress", "done", "dropped"}
