package cases

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/text"
)

// Document is an identity document. The number is encrypted; a blind index of it allows
// exact search and duplicate detection.
type Document struct {
	Type    string `json:"type"`
	Number  string `json:"number"`
	Country string `json:"country,omitempty"` // issuing country (ISO alpha-3)
}

// Guardian is a child's guardian or legal representative (encrypted as a whole).
type Guardian struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	Contact  string `json:"contact,omitempty"`
}

// Person holds who the presumed victim is. Names, aliases, documents, the exact birth
// date, contact, disability notes and guardian are encrypted; the rest stays in clear
// for statistics (sex, gender, birth year, age group, nationality, ethnicity, languages).
type Person struct {
	GivenNames      string     `json:"given_names"`
	FamilyNames     string     `json:"family_names"`
	Aliases         []string   `json:"aliases,omitempty"`
	Sex             string     `json:"sex"`
	Gender          string     `json:"gender,omitempty"`
	BirthDate       string     `json:"birth_date,omitempty"`    // yyyy-mm-dd, encrypted
	EstimatedAge    *int       `json:"estimated_age,omitempty"` // when the birth date is unknown
	Nationalities   []string   `json:"nationalities"`
	Documents       []Document `json:"documents,omitempty"`
	Languages       []string   `json:"languages,omitempty"` // ISO 639-1
	Ethnicity       string     `json:"ethnicity,omitempty"`
	Disability      bool       `json:"disability"`
	DisabilityNotes string     `json:"disability_notes,omitempty"`
	Contact         string     `json:"contact,omitempty"`
	Guardian        *Guardian  `json:"guardian,omitempty"`
}

// Identification is when, where and how the person was identified.
type Identification struct {
	Date     string `json:"date"` // yyyy-mm-dd
	Country  string `json:"country"`
	Province string `json:"province,omitempty"`
	Canton   string `json:"canton,omitempty"`
	How      string `json:"how"`
}

// Input is everything a worker types about a case. It is the body of POST and PATCH
// /api/v1/cases and the content of the registration and edit forms.
type Input struct {
	Person            Person         `json:"person"`
	Identification    Identification `json:"identification"`
	TraffickingStatus string         `json:"trafficking_status"`
	StatusDecidedBy   string         `json:"status_decided_by,omitempty"`
	Exploitation      []string       `json:"exploitation"`
	SexTypes          []string       `json:"sexual_exploitation_types,omitempty"`
	Industries        []string       `json:"labour_industries,omitempty"`
	Control           []string       `json:"means_of_control,omitempty"`
	Recruitment       []string       `json:"recruitment_methods,omitempty"`
	RecruiterRelation string         `json:"recruiter_relation,omitempty"`
	DurationMonths    *int           `json:"duration_months,omitempty"`
	RiskLevel         string         `json:"risk_level,omitempty"`
	IdentifyingAgency string         `json:"identifying_agency_id,omitempty"`
}

// Case is a case as stored and shown.
type Case struct {
	Input
	ID            string    `json:"id"`
	Number        string    `json:"number"`
	Version       int       `json:"version"`
	AgencyID      string    `json:"agency_id"`
	AgencyName    string    `json:"agency_name,omitempty"`
	AssignedTo    string    `json:"assigned_to,omitempty"`
	AssignedName  string    `json:"assigned_name,omitempty"`
	Status        string    `json:"status"`
	ClosureReason string    `json:"closure_reason,omitempty"`
	AgeAtID       int       `json:"age_at_identification"` // -1 unknown
	AgeGroup      string    `json:"age_group"`
	BirthYear     int       `json:"birth_year,omitempty"`
	Flagged       bool      `json:"flagged"`
	NextFollowUp  string    `json:"next_follow_up,omitempty"`
	SafetyPlan    string    `json:"safety_plan,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	ClosedAt      time.Time `json:"closed_at,omitempty"`
	CreatedBy     string    `json:"created_by,omitempty"`
}

// IsChild reports whether the person was under 18 when identified.
func (c *Case) IsChild() bool { return c.AgeAtID >= 0 && c.AgeAtID < 18 }

// FullName is the person's name for display.
func (p *Person) FullName() string {
	return strings.TrimSpace(p.GivenNames + " " + p.FamilyNames)
}

// Normalize trims what people type and drops empty list entries.
func (in *Input) Normalize() {
	p := &in.Person
	p.GivenNames = collapse(p.GivenNames)
	p.FamilyNames = collapse(p.FamilyNames)
	p.Aliases = cleanList(p.Aliases, false)
	p.Nationalities = cleanList(p.Nationalities, true)
	p.Languages = cleanList(p.Languages, false)
	p.BirthDate = strings.TrimSpace(p.BirthDate)
	p.Contact = strings.TrimSpace(p.Contact)
	p.DisabilityNotes = strings.TrimSpace(p.DisabilityNotes)
	var docs []Document
	for _, d := range p.Documents {
		d.Type = strings.TrimSpace(d.Type)
		d.Number = strings.TrimSpace(d.Number)
		d.Country = strings.ToUpper(strings.TrimSpace(d.Country))
		if d.Type != "" || d.Number != "" {
			docs = append(docs, d)
		}
	}
	p.Documents = docs
	if p.Guardian != nil {
		p.Guardian.Name = collapse(p.Guardian.Name)
		p.Guardian.Relation = strings.TrimSpace(p.Guardian.Relation)
		p.Guardian.Contact = strings.TrimSpace(p.Guardian.Contact)
		if p.Guardian.Name == "" && p.Guardian.Relation == "" && p.Guardian.Contact == "" {
			p.Guardian = nil
		}
	}
	id := &in.Identification
	id.Date = strings.TrimSpace(id.Date)
	id.Country = strings.ToUpper(strings.TrimSpace(id.Country))
	for _, l := range []*[]string{&in.Exploitation, &in.SexTypes, &in.Industries, &in.Control, &in.Recruitment} {
		*l = cleanList(*l, false)
	}
}

// collapse trims and joins runs of spaces; a name of only invisible characters (zero-
// width spaces, fillers) is no name: it becomes "", so "required" applies to it.
func collapse(s string) string {
	if text.Blank(s) {
		return ""
	}
	return strings.Join(strings.Fields(s), " ")
}

func cleanList(in []string, upper bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if upper {
			s = strings.ToUpper(s)
		}
		if !text.Blank(s) && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

const maxText = 20000

// Validate checks the input against the vocabularies, Ecuador's places and the rules of
// identity documents. It returns field errors keyed by the JSON path of each field.
func (in *Input) Validate(now time.Time) error {
	f := errs.Fields{}
	today := calendarToday(now)
	p := &in.Person
	if p.GivenNames == "" && p.FamilyNames == "" && len(p.Aliases) == 0 {
		f.Add("person.given_names", "cases.err.name_required")
	}
	for k, v := range map[string]string{"person.given_names": p.GivenNames, "person.family_names": p.FamilyNames,
		"person.contact": p.Contact, "person.disability_notes": p.DisabilityNotes} {
		if utf8.RuneCountInString(v) > 500 {
			f.Add(k, "validation.too_long")
		}
	}
	if !In("sex", p.Sex) {
		f.Add("person.sex", "cases.err.choose")
	}
	if p.Gender != "" && !In("gender", p.Gender) {
		f.Add("person.gender", "cases.err.choose")
	}
	if p.Ethnicity != "" && !In("ethnicity", p.Ethnicity) {
		f.Add("person.ethnicity", "cases.err.choose")
	}
	var birth time.Time
	if p.BirthDate != "" {
		t, err := time.Parse("2006-01-02", p.BirthDate)
		switch {
		case err != nil:
			f.Add("person.birth_date", "validation.date")
		case t.After(today):
			f.Add("person.birth_date", "cases.err.birth_future")
		case now.Year()-t.Year() > 110:
			f.Add("person.birth_date", "cases.err.birth_past")
		default:
			birth = t
		}
	}
	if p.EstimatedAge != nil && (*p.EstimatedAge < 0 || *p.EstimatedAge > 110) {
		f.Add("person.estimated_age", "cases.err.age")
	}
	if len(p.Nationalities) == 0 {
		f.Add("person.nationalities", "cases.err.nationality")
	}
	for _, n := range p.Nationalities {
		if _, ok := geo.CountryByCode(n); !ok {
			f.Add("person.nationalities", "validation.country")
		}
	}
	for i, d := range p.Documents {
		key := "person.documents"
		if !In("document", d.Type) {
			f.Add(key, "cases.err.document_type")
			continue
		}
		if d.Number == "" || len(d.Number) > 40 {
			f.Add(key, "cases.err.document_number")
			continue
		}
		if d.Type == "cedula" && !ValidCedula(d.Number) {
			f.Add(key, "cases.err.cedula")
		}
		if d.Country != "" {
			if _, ok := geo.CountryByCode(d.Country); !ok {
				f.Add(key, "validation.country")
			}
		}
		_ = i
	}
	for _, l := range p.Languages {
		if len(l) != 2 && len(l) != 3 {
			f.Add("person.languages", "cases.err.language")
		}
	}
	id := &in.Identification
	var idDate time.Time
	if t, err := time.Parse("2006-01-02", id.Date); err != nil {
		f.Add("identification.date", "validation.date")
	} else if t.After(today) {
		f.Add("identification.date", "cases.err.date_future")
	} else {
		idDate = t
		if !birth.IsZero() && birth.After(t) {
			f.Add("person.birth_date", "cases.err.birth_after_identification")
		}
	}
	if _, ok := geo.CountryByCode(id.Country); !ok {
		f.Add("identification.country", "validation.country")
	} else if strings.EqualFold(id.Country, "ECU") {
		validatePlace(f, "identification", id.Province, id.Canton, true)
	} else if id.Province != "" || id.Canton != "" {
		f.Add("identification.province", "cases.err.place_outside_ecuador")
	}
	if !In("how", id.How) {
		f.Add("identification.how", "cases.err.choose")
	}
	if !In("trafficking_status", in.TraffickingStatus) {
		f.Add("trafficking_status", "cases.err.choose")
	}
	if in.StatusDecidedBy != "" && !In("decider", in.StatusDecidedBy) {
		f.Add("status_decided_by", "cases.err.choose")
	}
	checkList(f, "exploitation", "exploitation", in.Exploitation)
	checkList(f, "sexual_exploitation_types", "sex_type", in.SexTypes)
	checkList(f, "labour_industries", "industry", in.Industries)
	checkList(f, "means_of_control", "control", in.Control)
	checkList(f, "recruitment_methods", "recruitment", in.Recruitment)
	if in.RecruiterRelation != "" && !In("recruiter", in.RecruiterRelation) {
		f.Add("recruiter_relation", "cases.err.choose")
	}
	if in.DurationMonths != nil && (*in.DurationMonths < 0 || *in.DurationMonths > 600) {
		f.Add("duration_months", "cases.err.duration")
	}
	if in.RiskLevel != "" && !In("risk", in.RiskLevel) {
		f.Add("risk_level", "cases.err.choose")
	}
	if g := p.Guardian; g != nil && g.Name == "" {
		f.Add("person.guardian.name", "validation.required")
	}
	_ = idDate
	return f.Err()
}

// calendarToday is today's date in Ecuador (the display zone) as midnight UTC, the way
// typed dates parse, so "in the future" compares calendar days: at 22:00 in Guayaquil,
// 03:00 UTC the next day, tomorrow's date is still in the future.
func calendarToday(now time.Time) time.Time {
	y, m, d := now.In(i18n.Zone()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func checkList(f errs.Fields, field, vocab string, values []string) {
	for _, v := range values {
		if !In(vocab, v) {
			f.Add(field, "cases.err.unknown_value")
		}
	}
}

// validatePlace checks a province/canton pair in Ecuador.
func validatePlace(f errs.Fields, prefix, province, canton string, required bool) {
	if province == "" {
		if required {
			f.Add(prefix+".province", "validation.province")
		}
		if canton != "" {
			f.Add(prefix+".canton", "validation.canton_not_in_province")
		}
		return
	}
	if _, ok := geo.ProvinceByCode(province); !ok {
		f.Add(prefix+".province", "validation.province")
		return
	}
	if canton == "" {
		return
	}
	if _, ok := geo.CantonByCode(canton); !ok {
		f.Add(prefix+".canton", "validation.canton")
	} else if !geo.CantonInProvince(canton, province) {
		f.Add(prefix+".canton", "validation.canton_not_in_province")
	}
}

// AgeAt returns the age in whole years at date t from a birth date, or the estimated
// age, or -1 when neither is known.
func (p *Person) AgeAt(t time.Time, now time.Time) int {
	if p.BirthDate != "" {
		b, err := time.Parse("2006-01-02", p.BirthDate)
		if err == nil {
			// Compare month and day, not the day of the year: with a 29 February in
			// only one of the two years, day numbers after February differ by one.
			age := t.Year() - b.Year()
			if t.Month() < b.Month() || t.Month() == b.Month() && t.Day() < b.Day() {
				age--
			}
			return age
		}
	}
	if p.EstimatedAge != nil {
		return *p.EstimatedAge
	}
	return -1
}

// ValidCedula checks an Ecuadorian cédula: ten digits, a province code (01–24, or 30 for
// Ecuadorians registered abroad), a third digit below 6 and the modulo-10 check digit.
func ValidCedula(s string) bool {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "-", ""), " ", "")
	if len(s) != 10 {
		return false
	}
	d := make([]int, 10)
	for i, r := range s {
		if r < '0' || r > '9' {
			return false
		}
		d[i] = int(r - '0')
	}
	prov := d[0]*10 + d[1]
	if !(prov >= 1 && prov <= 24 || prov == 30) || d[2] >= 6 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		v := d[i]
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return (10-sum%10)%10 == d[9]
}
