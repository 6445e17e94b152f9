// Package cases is the heart of Amparo: a presumed victim's case from identification to
// closure (IOM direct-assistance stages, HTCDS 2.0 values, COIP art. 91 forms of
// exploitation), with identifying data encrypted field by field and every view audited.
package cases

// Vocabularies. Each value's label is the catalog key "<vocabulary>.<value>" under the
// "cases" namespace (for example cases.status.screened); tests check every one exists.

// Statuses follow the IOM direct-assistance stages.
var Statuses = []string{"identified", "screened", "assisted", "reintegration", "follow_up", "closed"}

// TraffickingStatuses (HTCDS isTraffickingVictim).
var TraffickingStatuses = []string{"possible", "actual", "not_victim"}

// Deciders of the trafficking status.
var Deciders = []string{"case_worker", "supervisor", "police", "prosecutor", "judge", "labour_inspector", "other"}

// IdentificationMethods: how the person was identified.
var IdentificationMethods = []string{"police_operation", "hotline", "self_referral", "ngo_outreach",
	"border", "labour_inspection", "health_service", "school", "family_community", "consulate", "other"}

// Sexes (HTCDS).
var Sexes = []string{"female", "male", "intersex", "unknown"}

// Genders (HTCDS gender identity).
var Genders = []string{"woman", "man", "transgender", "non_binary", "other", "not_stated"}

// Ethnicities: self-identification as in Ecuador's census.
var Ethnicities = []string{"mestizo", "indigenous", "afro_ecuadorian", "montubio", "white", "other", "not_stated"}

// DocumentTypes of identity documents.
var DocumentTypes = []string{"cedula", "passport", "refugee_id", "birth_certificate", "other"}

// ExploitationForms (COIP art. 91 and HTCDS).
var ExploitationForms = []string{"sexual", "forced_labour", "child_labour", "begging", "servile_marriage",
	"illegal_adoption", "organ_removal", "forced_recruitment", "forced_criminality", "child_pornography", "other"}

// SexualExploitationTypes (HTCDS typeOfSex).
var SexualExploitationTypes = []string{"prostitution", "pornography", "online", "private_sexual_services", "other"}

// LabourIndustries (HTCDS typeOfLabour).
var LabourIndustries = []string{"agriculture", "fishing", "mining", "construction", "manufacturing",
	"domestic_work", "hospitality", "street_vending", "begging_sector", "transport", "other"}

// ControlMeans (HTCDS means of control).
var ControlMeans = []string{"debt_bondage", "withheld_earnings", "restricted_movement", "threats",
	"physical_violence", "sexual_violence", "psychological_abuse", "documents_withheld", "drugs_alcohol",
	"false_promises", "threats_to_family", "isolation", "other"}

// RecruitmentMethods.
var RecruitmentMethods = []string{"job_offer", "romantic_relationship", "family", "abduction",
	"social_media", "education_offer", "migration_offer", "other"}

// RecruiterRelations (HTCDS recruiterRelation).
var RecruiterRelations = []string{"family", "partner", "friend", "acquaintance", "employer", "stranger", "other", "unknown"}

// EventKinds of the trafficking history.
var EventKinds = []string{"recruitment", "transit", "exploitation"}

// ConsentPurposes.
var ConsentPurposes = []string{"assistance", "referral", "prosecution", "statistics"}

// ConsentStatuses.
var ConsentStatuses = []string{"given", "refused", "withdrawn"}

// ConsentGivers: the person themself or a representative.
var ConsentGivers = []string{"self", "representative"}

// ConsentMethods: how consent was recorded.
var ConsentMethods = []string{"written", "verbal_witnessed", "verbal_recorded", "electronic"}

// SupportTypes (HTCDS support types).
var SupportTypes = []string{"safety", "shelter", "health", "psychosocial", "legal", "documentation",
	"education", "livelihood", "family_tracing", "return", "other"}

// ServiceStatuses of a planned service.
var ServiceStatuses = []string{"planned", "in_progress", "delivered", "cancelled"}

// RiskLevels.
var RiskLevels = []string{"low", "medium", "high"}

// FlagTypes.
var FlagTypes = []string{"trafficker_contact", "threat", "missing", "self_harm_risk", "health_emergency", "other"}

// ClosureReasons.
var ClosureReasons = []string{"reintegrated", "returned_home_country", "transferred", "declined_assistance",
	"lost_contact", "not_a_victim", "deceased", "other"}

// ApprovalKinds are the decisions a supervisor approves.
var ApprovalKinds = []string{"screening", "plan", "closure"}

// AgeGroups as CTDC publishes them (ageBroad).
var AgeGroups = []string{"0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+", "unknown"}

// Vocabularies lists each vocabulary by name, for validation, labels and tests.
var Vocabularies = map[string][]string{
	"status": Statuses, "trafficking_status": TraffickingStatuses, "decider": Deciders,
	"how": IdentificationMethods, "sex": Sexes, "gender": Genders, "ethnicity": Ethnicities,
	"document": DocumentTypes, "exploitation": ExploitationForms, "sex_type": SexualExploitationTypes,
	"industry": LabourIndustries, "control": ControlMeans, "recruitment": RecruitmentMethods,
	"recruiter": RecruiterRelations, "event": EventKinds, "purpose": ConsentPurposes,
	"consent": ConsentStatuses, "giver": ConsentGivers, "method": ConsentMethods,
	"support": SupportTypes, "service_status": ServiceStatuses, "risk": RiskLevels, "flag": FlagTypes,
	"closure": ClosureReasons, "approval": ApprovalKinds,
}

// In reports whether v is one of the values of vocabulary vocab.
func In(vocab, v string) bool {
	for _, x := range Vocabularies[vocab] {
		if x == v {
			return true
		}
	}
	return false
}

// LabelKey is the catalog key of a vocabulary value.
func LabelKey(vocab, v string) string { return "cases." + vocab + "." + v }

// AgeGroup returns the CTDC age group of an age in years (-1 for unknown).
func AgeGroup(age int) string {
	switch {
	case age < 0:
		return "unknown"
	case age <= 8:
		return "0-8"
	case age <= 17:
		return "9-17"
	case age <= 20:
		return "18-20"
	case age <= 23:
		return "21-23"
	case age <= 26:
		return "24-26"
	case age <= 29:
		return "27-29"
	case age <= 38:
		return "30-38"
	case age <= 47:
		return "39-47"
	}
	return "48+"
}
