package cases

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
)

// Need to know. A case is one file, but the people who may open it stand in different
// relations to it and need different parts of it. This file decides, in one place,
// which parts a viewer gets: the case page, the JSON API, the PDF case file, the list
// and its export all ask the View, and the service reads and decrypts nothing outside
// it. docs/SECURITY.md ("Sharing between institutions") shows the same rule as a table.

// Relation is how a viewer is related to a case.
type Relation string

// The relations. Owner and assigned see the whole file; the others are receiving
// agencies, opened to the case by a row of case_access that another capability
// granted (an accepted referral, a stay, an accepted referral to the prosecution).
const (
	RelOwner       Relation = "owner"       // staff of the owning agency with agency scope (the supervisor)
	RelAssigned    Relation = "assigned"    // the worker the case is assigned to
	RelReferral    Relation = "referral"    // the receiving agency of an accepted referral
	RelShelter     Relation = "shelter"     // the agency operating the shelter where the person stays
	RelProsecution Relation = "prosecution" // the prosecution office of an accepted prosecution referral
)

// Section is a part of the case file that a relation may or may not see.
type Section string

// The sections, in the order of the case page.
const (
	SecWorkflow       Section = "workflow"       // stage, approvals, status history
	SecPerson         Section = "person"         // who the person is (field by field for receivers)
	SecIdentification Section = "identification" // when, where and how identified; trafficking status
	SecProfile        Section = "profile"        // forms of exploitation, means of control, recruitment
	SecEvents         Section = "events"         // the trafficking history: kinds, places, dates
	SecNarratives     Section = "narratives"     // what the person told of each event
	SecConsent        Section = "consent"        // consent decisions
	SecPlan           Section = "plan"           // the assistance plan and services delivered
	SecTasks          Section = "tasks"          // tasks and follow-ups
	SecNotes          Section = "notes"          // case notes
	SecAttachments    Section = "attachments"    // files
	SecSafety         Section = "safety"         // risk level, safety plan, flags
)

// Sections lists every section in page order.
var Sections = []Section{SecWorkflow, SecPerson, SecIdentification, SecProfile, SecEvents, SecNarratives,
	SecConsent, SecPlan, SecTasks, SecNotes, SecAttachments, SecSafety}

// Reach is how much of a section a viewer gets.
type Reach int

// Reaches, from nothing to everything.
const (
	ReachNone Reach = iota
	// ReachOwn: only what the viewer's own agency recorded (notes, services) or what
	// concerns it (the consent that allowed its access).
	ReachOwn
	// ReachPart: the fields the relation carries (person, identification, profile) or
	// the risk level alone (safety).
	ReachPart
	ReachAll
)

var reachNames = []string{"none", "own", "part", "all"}

// String names a reach for the API.
func (r Reach) String() string { return reachNames[r] }

// ShareableFields are the person's fields a relation may carry, by the names the
// referral payload uses. A relation carries some of them (case_access.fields); the
// owner and the assigned worker see them all.
var ShareableFields = []string{"case_number", "given_names", "family_names", "sex", "gender", "age_group", "age",
	"birth_date", "nationalities", "languages", "documents", "contact", "guardian", "disability", "risk_level",
	"exploitation", "identification"}

// Grant is a row of case_access: what opened a case to another agency, and what it
// carries. The granting capability fills Label and Link (a referral's number and page,
// a shelter's name and page) so the receiver's case page can say why it sees the case
// without the case service knowing other capabilities.
type Grant struct {
	AgencyID string    `json:"agency_id"`
	Reason   string    `json:"reason"`    // referral, shelter, prosecution
	SourceID string    `json:"source_id"` // the referral or the stay
	Fields   []string  `json:"fields"`    // ShareableFields the relation carries
	Label    string    `json:"label"`
	Link     string    `json:"link,omitempty"`
	Since    time.Time `json:"since"`
}

// receiverReach is what each receiving relation gets beyond the fields it carries.
var receiverReach = map[Relation]map[Section]Reach{
	// A referral's receiver: the fields, its own notes and services, the consent
	// that allowed it.
	RelReferral: {SecConsent: ReachOwn, SecPlan: ReachOwn, SecNotes: ReachOwn},
	// The shelter has the person in its care: also the risk, the safety plan and the
	// active flags, which its staff must act on.
	RelShelter: {SecConsent: ReachOwn, SecPlan: ReachOwn, SecNotes: ReachOwn, SecSafety: ReachAll},
	// The prosecution prepares a criminal complaint: also the places and dates of the
	// trafficking history, never what the person told.
	RelProsecution: {SecConsent: ReachOwn, SecPlan: ReachOwn, SecNotes: ReachOwn, SecEvents: ReachAll},
}

// View is what one viewer gets of one case.
type View struct {
	caseID    string
	agencyID  string // the viewer's agency: its own notes and services
	relations []Relation
	grants    []Grant
	reach     map[Section]Reach
	fields    map[string]bool
}

// viewFor decides the view of a subject already allowed to view a case: the owning
// agency's supervisors and the assigned worker see everything; a receiving agency
// sees, for each of its grants, what that relation carries (the union when several).
func viewFor(sub *access.Subject, caseID string, rec access.Record, grants []Grant) *View {
	v := &View{caseID: caseID, agencyID: sub.AgencyID, reach: map[Section]Reach{}, fields: map[string]bool{}}
	if sub.AgencyID != "" && sub.AgencyID == rec.AgencyID && sub.Scope(access.View, access.Case) >= access.AgencyScope {
		v.relations = append(v.relations, RelOwner)
	}
	if slices.Contains(rec.UserIDs, sub.UserID) && sub.UserID != "" {
		v.relations = append(v.relations, RelAssigned)
	}
	if v.Full() {
		for _, s := range Sections {
			v.reach[s] = ReachAll
		}
		for _, f := range ShareableFields {
			v.fields[f] = true
		}
		return v
	}
	for _, g := range grants {
		if g.AgencyID != sub.AgencyID {
			continue
		}
		rel := Relation(g.Reason)
		extra, ok := receiverReach[rel]
		if !ok {
			continue // a reason this code does not know opens nothing
		}
		if !slices.Contains(v.relations, rel) {
			v.relations = append(v.relations, rel)
		}
		v.grants = append(v.grants, g)
		for s, r := range extra {
			v.reach[s] = max(v.reach[s], r)
		}
		for _, f := range g.Fields {
			if slices.Contains(ShareableFields, f) {
				v.fields[f] = true
			}
		}
	}
	if len(v.grants) > 0 {
		v.fields["case_number"] = true
		v.reach[SecPerson] = ReachPart
		if v.fields["identification"] {
			v.reach[SecIdentification] = ReachPart
		}
		if v.fields["exploitation"] {
			v.reach[SecProfile] = ReachPart
		}
		if v.fields["risk_level"] && v.reach[SecSafety] == ReachNone {
			v.reach[SecSafety] = ReachPart
		}
	}
	return v
}

// Full reports whether the viewer sees the whole file (owner or assigned worker).
func (v *View) Full() bool {
	return slices.Contains(v.relations, RelOwner) || slices.Contains(v.relations, RelAssigned)
}

// Receiver reports whether the viewer sees the case only as a receiving agency.
func (v *View) Receiver() bool { return !v.Full() && len(v.grants) > 0 }

// Reach is how much of a section the viewer gets.
func (v *View) Reach(s Section) Reach { return v.reach[s] }

// Sees reports whether the viewer gets anything of a section.
func (v *View) Sees(s Section) bool { return v.reach[s] > ReachNone }

// Field reports whether the viewer sees a person field (ShareableFields).
func (v *View) Field(f string) bool { return v.fields[f] }

// Fields lists the person fields the viewer sees, in ShareableFields order.
func (v *View) Fields() []string {
	var out []string
	for _, f := range ShareableFields {
		if v.fields[f] {
			out = append(out, f)
		}
	}
	return out
}

// Relations lists how the viewer is related to the case.
func (v *View) Relations() []Relation { return slices.Clone(v.relations) }

// Grants lists the access rows that open the case to a receiving viewer.
func (v *View) Grants() []Grant { return slices.Clone(v.grants) }

// Withheld lists the sections the viewer gets nothing of.
func (v *View) Withheld() []Section {
	var out []Section
	for _, s := range Sections {
		if v.reach[s] == ReachNone {
			out = append(out, s)
		}
	}
	return out
}

// auditDetail names the relations for the audit trail ("referral", "owner,assigned").
func (v *View) auditDetail() string {
	parts := make([]string, len(v.relations))
	for i, r := range v.relations {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

// MarshalJSON shows the view to API clients: the relations, what each section gives
// ("all", "own", "part"), the sections withheld and the person fields carried.
func (v *View) MarshalJSON() ([]byte, error) {
	sections := map[string]string{}
	for _, s := range Sections {
		if r := v.reach[s]; r > ReachNone {
			sections[string(s)] = r.String()
		}
	}
	withheld := []Section{}
	withheld = append(withheld, v.Withheld()...)
	grants := []Grant{}
	grants = append(grants, v.grants...)
	return json.Marshal(struct {
		Relations []Relation        `json:"relations"`
		Sections  map[string]string `json:"sections"`
		Withheld  []Section         `json:"withheld"`
		Fields    []string          `json:"fields"`
		Grants    []Grant           `json:"grants"`
	}{v.Relations(), sections, withheld, v.Fields(), grants})
}

// splitFields reads a comma list of field names as stored in case_access.fields.
func splitFields(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
