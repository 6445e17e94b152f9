package referrals

import (
	"sort"
	"strconv"
	"strings"

	"github.com/amparo-ec/amparo/internal/cases"
)

// Field sets: what each kind of service needs to know about the person. A referral
// carries the union for its support types and nothing else. Prosecution gets the
// minimal set whatever the support types.
var baseFields = []string{"case_number", "given_names", "family_names", "sex", "age_group", "nationalities", "languages"}

var fieldsBySupport = map[string][]string{
	"safety":         {"risk_level", "contact"},
	"shelter":        {"age", "gender", "guardian", "disability", "risk_level"},
	"health":         {"age", "gender", "disability"},
	"psychosocial":   {"age", "gender", "exploitation"},
	"legal":          {"documents", "birth_date", "exploitation", "identification"},
	"documentation":  {"documents", "birth_date"},
	"education":      {"age", "guardian"},
	"livelihood":     {"age", "contact"},
	"family_tracing": {"age", "guardian", "identification"},
	"return":         {"documents", "birth_date", "nationalities"},
	"other":          {"age"},
}

var prosecutionFields = []string{"case_number", "given_names", "family_names", "sex", "age_group",
	"exploitation", "identification", "documents"}

// SharedFields returns the field names a referral of purpose with these support types
// carries, sorted.
func SharedFields(purpose string, support []string) []string {
	set := map[string]bool{}
	if purpose == "prosecution" {
		for _, f := range prosecutionFields {
			set[f] = true
		}
	} else {
		for _, f := range baseFields {
			set[f] = true
		}
		for _, s := range support {
			for _, f := range fieldsBySupport[s] {
				set[f] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// buildPayload copies the chosen fields of a case into plain strings for display.
func buildPayload(c *cases.Case, fields []string) map[string]string {
	p := map[string]string{}
	for _, f := range fields {
		var v string
		switch f {
		case "case_number":
			v = c.Number
		case "given_names":
			v = c.Person.GivenNames
		case "family_names":
			v = c.Person.FamilyNames
		case "sex":
			v = c.Person.Sex
		case "gender":
			v = c.Person.Gender
		case "age_group":
			v = c.AgeGroup
		case "age":
			if c.AgeAtID >= 0 {
				v = strconv.Itoa(c.AgeAtID)
			}
		case "birth_date":
			v = c.Person.BirthDate
		case "nationalities":
			v = strings.Join(c.Person.Nationalities, ", ")
		case "languages":
			v = strings.Join(c.Person.Languages, ", ")
		case "documents":
			var ds []string
			for _, d := range c.Person.Documents {
				ds = append(ds, d.Type+" "+d.Number)
			}
			v = strings.Join(ds, "; ")
		case "contact":
			v = c.Person.Contact
		case "guardian":
			if g := c.Person.Guardian; g != nil {
				v = strings.TrimSpace(g.Name + " (" + g.Relation + ") " + g.Contact)
			}
		case "disability":
			if c.Person.Disability {
				v = "yes"
				if c.Person.DisabilityNotes != "" {
					v += ": " + c.Person.DisabilityNotes
				}
			}
		case "risk_level":
			v = c.RiskLevel
		case "exploitation":
			v = strings.Join(c.Exploitation, ", ")
		case "identification":
			v = strings.TrimSpace(c.Identification.Date + " " + c.Identification.Country + " " +
				c.Identification.Province + " " + c.Identification.Canton)
		}
		if v != "" {
			p[f] = v
		}
	}
	return p
}
