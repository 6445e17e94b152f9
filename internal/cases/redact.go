package cases

import (
	"encoding/json"
	"fmt"
)

// redact returns the part of a case a view shows: the fields a receiving relation
// carries and nothing else. The owner's view keeps the case as it is. Identifying
// fields the view withholds were never decrypted (store.open); this clears the clear
// ones (workflow, risk, places, statistics codes) as well.
func redact(c *Case, v *View) *Case {
	if v.Full() {
		return c
	}
	out := &Case{ID: c.ID, Number: c.Number, AgencyID: c.AgencyID, AgencyName: c.AgencyName, AgeAtID: -1}
	p, q := &c.Person, &out.Person
	if v.Field("given_names") {
		q.GivenNames = p.GivenNames
	}
	if v.Field("family_names") {
		q.FamilyNames = p.FamilyNames
	}
	if v.Field("sex") {
		q.Sex = p.Sex
	}
	if v.Field("gender") {
		q.Gender = p.Gender
	}
	if v.Field("age_group") {
		out.AgeGroup = c.AgeGroup
	}
	if v.Field("age") {
		out.AgeAtID, q.EstimatedAge = c.AgeAtID, p.EstimatedAge
	}
	if v.Field("birth_date") {
		q.BirthDate, out.BirthYear = p.BirthDate, c.BirthYear
	}
	if v.Field("nationalities") {
		q.Nationalities = p.Nationalities
	}
	if v.Field("languages") {
		q.Languages = p.Languages
	}
	if v.Field("documents") {
		q.Documents = p.Documents
	}
	if v.Field("contact") {
		q.Contact = p.Contact
	}
	if v.Field("guardian") {
		q.Guardian = p.Guardian
	}
	if v.Field("disability") {
		q.Disability, q.DisabilityNotes = p.Disability, p.DisabilityNotes
	}
	if v.Field("exploitation") {
		out.Exploitation = c.Exploitation
	}
	if v.Field("identification") {
		id := c.Identification
		id.How = "" // how the person was found (a police operation…) is the owner's
		out.Identification = id
	}
	if v.Field("risk_level") || v.Sees(SecSafety) {
		out.RiskLevel = c.RiskLevel
	}
	if v.Reach(SecSafety) == ReachAll {
		out.SafetyPlan, out.Flagged = c.SafetyPlan, c.Flagged
	}
	return out
}

// withheldJSON maps what a receiving view may withhold to the keys of a Case in JSON:
// a field or section name to its top-level keys and its keys under "person".
var withheldJSON = map[string]struct{ top, person []string }{
	"given_names":    {nil, []string{"given_names"}},
	"family_names":   {nil, []string{"family_names"}},
	"sex":            {nil, []string{"sex"}},
	"gender":         {nil, []string{"gender"}},
	"age_group":      {[]string{"age_group"}, nil},
	"age":            {[]string{"age_at_identification"}, []string{"estimated_age"}},
	"birth_date":     {[]string{"birth_year"}, []string{"birth_date"}},
	"nationalities":  {nil, []string{"nationalities"}},
	"languages":      {nil, []string{"languages"}},
	"documents":      {nil, []string{"documents"}},
	"contact":        {nil, []string{"contact"}},
	"guardian":       {nil, []string{"guardian"}},
	"disability":     {nil, []string{"disability", "disability_notes"}},
	"exploitation":   {[]string{"exploitation"}, nil},
	"identification": {[]string{"identification"}, nil},
	"risk_level":     {[]string{"risk_level"}, nil},
	// Always the owner's: workflow, the rest of the profile and of the person.
	"owner": {[]string{"version", "status", "closure_reason", "trafficking_status", "status_decided_by",
		"sexual_exploitation_types", "labour_industries", "means_of_control", "recruitment_methods",
		"recruiter_relation", "duration_months", "identifying_agency_id", "assigned_to", "assigned_name",
		"next_follow_up", "created_at", "updated_at", "closed_at", "created_by"}, []string{"aliases", "ethnicity"}},
	"safety": {[]string{"safety_plan", "flagged"}, nil},
}

// caseJSON is a case as the API shows it to a viewer: for a receiving agency only the
// keys its view carries (an absent key means "not shared with you", never "empty"),
// and the view itself under "view".
func caseJSON(c *Case, v *View) (map[string]any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("cases: case as JSON: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("cases: case as JSON: %w", err)
	}
	if !v.Full() {
		person, _ := out["person"].(map[string]any)
		drop := func(k string) {
			for _, t := range withheldJSON[k].top {
				delete(out, t)
			}
			for _, p := range withheldJSON[k].person {
				delete(person, p)
			}
		}
		for _, f := range ShareableFields {
			if !v.Field(f) && !(f == "risk_level" && v.Sees(SecSafety)) {
				drop(f)
			}
		}
		drop("owner")
		if id, ok := out["identification"].(map[string]any); ok {
			delete(id, "how")
		}
		if v.Reach(SecSafety) != ReachAll {
			drop("safety")
		}
	}
	out["view"] = v
	return out, nil
}
