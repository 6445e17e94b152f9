package cases

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// The registration and edit forms use the JSON names of Input as field names
// ("person.given_names", "identification.province"), so the field errors of Validate
// land next to the right control. Documents are numbered rows
// ("person.documents.0.number"); lists are repeated checkboxes.

// commonLanguages are offered as checkboxes; other ISO 639 codes are typed.
var commonLanguages = []string{"es", "qu", "jiv", "en", "pt", "fr", "ht", "zh"}

// minDocRows is how many document rows the form shows at least.
const minDocRows = 2

// formDate reads a date typed as dd/mm/yyyy (browsers without a date picker) or given
// as yyyy-mm-dd, and returns yyyy-mm-dd; anything else is returned as typed, for
// Validate to report.
func formDate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if t, err := i18n.ParseDate(s); err == nil {
		return t.Format("2006-01-02")
	}
	return s
}

// formInt reads an optional whole number; ok is false when something else was typed.
func formInt(s string) (*int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, false
	}
	return &n, true
}

// splitList reads a comma- or semicolon-separated list, or repeated fields.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// inputFromForm reads the case form. Problems only the form can see (letters in a
// number) come back as field errors beside those of Validate.
func inputFromForm(v url.Values) (Input, errs.Fields) {
	f := errs.Fields{}
	in := Input{
		Identification: Identification{Date: formDate(v.Get("identification.date")),
			Country: v.Get("identification.country"), Province: v.Get("identification.province"),
			Canton: v.Get("identification.canton"), How: v.Get("identification.how")},
		TraffickingStatus: v.Get("trafficking_status"), StatusDecidedBy: v.Get("status_decided_by"),
		Exploitation: v["exploitation"], SexTypes: v["sexual_exploitation_types"], Industries: v["labour_industries"],
		Control: v["means_of_control"], Recruitment: v["recruitment_methods"],
		RecruiterRelation: v.Get("recruiter_relation"), RiskLevel: v.Get("risk_level"),
		IdentifyingAgency: v.Get("identifying_agency_id"),
	}
	if !strings.EqualFold(strings.TrimSpace(in.Identification.Country), "ECU") {
		// The picker keeps what was chosen before the country changed; outside
		// Ecuador it means nothing.
		in.Identification.Province, in.Identification.Canton = "", ""
	}
	var ok bool
	if in.DurationMonths, ok = formInt(v.Get("duration_months")); !ok {
		f.Add("duration_months", "cases.err.duration")
	}
	p := &in.Person
	p.GivenNames, p.FamilyNames = v.Get("person.given_names"), v.Get("person.family_names")
	p.Aliases = splitList(v["person.aliases"])
	p.Sex, p.Gender, p.Ethnicity = v.Get("person.sex"), v.Get("person.gender"), v.Get("person.ethnicity")
	p.BirthDate = formDate(v.Get("person.birth_date"))
	if p.EstimatedAge, ok = formInt(v.Get("person.estimated_age")); !ok {
		f.Add("person.estimated_age", "cases.err.age")
	}
	p.Nationalities = append(append([]string{}, v["person.nationalities"]...), v.Get("person.nationality_other"))
	p.Languages = append(append([]string{}, v["person.languages"]...), splitList(v["person.languages_other"])...)
	for i := range p.Languages {
		p.Languages[i] = strings.ToLower(p.Languages[i])
	}
	p.Disability = v.Get("person.disability") == "1"
	p.DisabilityNotes, p.Contact = v.Get("person.disability_notes"), v.Get("person.contact")
	for i := 0; i < 20; i++ {
		pre := "person.documents." + strconv.Itoa(i) + "."
		if _, ok := v[pre+"type"]; !ok {
			break
		}
		p.Documents = append(p.Documents, Document{Type: v.Get(pre + "type"), Number: v.Get(pre + "number"),
			Country: v.Get(pre + "country")})
	}
	p.Guardian = &Guardian{Name: v.Get("person.guardian.name"), Relation: v.Get("person.guardian.relation"),
		Contact: v.Get("person.guardian.contact")}
	return in, f
}

// checkInput validates the input as the service will, plus the form's own checks, so
// one submission lists every problem at once. It returns nil when all is well.
func checkInput(in Input, formErrs errs.Fields, now time.Time) error {
	if len(formErrs) == 0 {
		return nil
	}
	all := errs.Fields{}
	in.Normalize()
	if err := in.Validate(now); err != nil {
		if e, ok := errs.As(err); ok {
			for k, v := range e.Fields {
				all.Add(k, v)
			}
		}
	}
	for k, v := range formErrs {
		all[k] = v
	}
	return all.Err()
}

// caseValues fills the form from a stored case (edit form before the first submit).
func caseValues(c *Case) url.Values {
	id, p := &c.Identification, &c.Person
	v := url.Values{
		"identification.date": {id.Date}, "identification.country": {id.Country},
		"identification.province": {id.Province}, "identification.canton": {id.Canton}, "identification.how": {id.How},
		"identifying_agency_id": {c.IdentifyingAgency}, "trafficking_status": {c.TraffickingStatus},
		"status_decided_by": {c.StatusDecidedBy}, "exploitation": c.Exploitation,
		"sexual_exploitation_types": c.SexTypes, "labour_industries": c.Industries, "means_of_control": c.Control,
		"recruitment_methods": c.Recruitment, "recruiter_relation": {c.RecruiterRelation}, "risk_level": {c.RiskLevel},
		"person.given_names": {p.GivenNames}, "person.family_names": {p.FamilyNames},
		"person.aliases": {strings.Join(p.Aliases, ", ")}, "person.sex": {p.Sex}, "person.gender": {p.Gender},
		"person.birth_date": {p.BirthDate}, "person.ethnicity": {p.Ethnicity},
		"person.disability_notes": {p.DisabilityNotes}, "person.contact": {p.Contact},
		"version": {strconv.Itoa(c.Version)},
	}
	if c.DurationMonths != nil {
		v.Set("duration_months", strconv.Itoa(*c.DurationMonths))
	}
	if p.EstimatedAge != nil {
		v.Set("person.estimated_age", strconv.Itoa(*p.EstimatedAge))
	}
	if p.Disability {
		v.Set("person.disability", "1")
	}
	main := map[string]bool{}
	for _, m := range mainCountries {
		main[m] = true
	}
	for _, n := range p.Nationalities {
		if main[n] {
			v.Add("person.nationalities", n)
		} else if v.Get("person.nationality_other") == "" {
			v.Set("person.nationality_other", n)
		} else {
			v.Add("person.nationalities", n) // a third nationality keeps a hidden field
		}
	}
	common := map[string]bool{}
	for _, l := range commonLanguages {
		common[l] = true
	}
	var other []string
	for _, l := range p.Languages {
		if common[l] {
			v.Add("person.languages", l)
		} else {
			other = append(other, l)
		}
	}
	v.Set("person.languages_other", strings.Join(other, ", "))
	for i, d := range p.Documents {
		pre := "person.documents." + strconv.Itoa(i) + "."
		v.Set(pre+"type", d.Type)
		v.Set(pre+"number", d.Number)
		v.Set(pre+"country", d.Country)
	}
	if g := p.Guardian; g != nil {
		v.Set("person.guardian.name", g.Name)
		v.Set("person.guardian.relation", g.Relation)
		v.Set("person.guardian.contact", g.Contact)
	}
	return v
}

// docRow is one row of the documents table, with its field names.
type docRow struct {
	Type, Number, Country *web.Field
}

// formData is what the registration and edit pages need besides the values.
type formData struct {
	withErrs
	Action     string
	Edit       bool
	Case       *Case
	Options    map[string][]web.Option
	Checks     map[string][]web.Option
	Docs       []docRow
	Extra      []string // nationalities beyond the checkboxes and the select
	Duplicates *dupPanel
	CanAssign  bool
	Conflict   bool
}

// dupView is one likely duplicate, with the reasons in words.
type dupView struct {
	Duplicate
	Why string
}

// fillForm prepares the choices of the case form.
func (h *Handlers) fillForm(ctx context.Context, r *http.Request, p *web.Page, d *formData) error {
	agencies, err := h.agencyOptions(ctx)
	if err != nil {
		return err
	}
	langs := make([]web.Option, 0, len(commonLanguages))
	for _, l := range commonLanguages {
		langs = append(langs, web.Option{Value: l, Label: p.T("cases.lang." + l)})
	}
	d.Options = map[string][]web.Option{
		"how": vocabOptions(p, "how"), "trafficking_status": vocabOptions(p, "trafficking_status"),
		"decider": vocabOptions(p, "decider"), "sex": vocabOptions(p, "sex"), "gender": vocabOptions(p, "gender"),
		"ethnicity": vocabOptions(p, "ethnicity"), "document": vocabOptions(p, "document"),
		"recruiter": vocabOptions(p, "recruiter"), "risk": vocabOptions(p, "risk"),
		"countries": countryOptions(p), "main_countries": mainCountryOptions(p), "agencies": agencies,
		"languages": langs,
	}
	d.Checks = map[string][]web.Option{
		"exploitation": vocabOptions(p, "exploitation"), "sex_type": vocabOptions(p, "sex_type"),
		"industry": vocabOptions(p, "industry"), "control": vocabOptions(p, "control"),
		"recruitment": vocabOptions(p, "recruitment"),
	}
	if !d.Edit && can(r, access.Manage) {
		sub := access.From(ctx)
		staff, err := h.staffOptions(ctx, sub.AgencyID)
		if err != nil {
			return err
		}
		d.Options["staff"] = staff
		d.CanAssign = true
	}
	rows := minDocRows
	for i := 0; i < 20; i++ {
		if _, ok := p.Form.Values["person.documents."+strconv.Itoa(i)+".type"]; !ok {
			break
		}
		rows = max(rows, i+1)
		if p.Form.Get("person.documents."+strconv.Itoa(i)+".number") != "" {
			rows = max(rows, i+2) // one empty row after the last filled one
		}
	}
	rows = min(rows, 20)
	for i := 0; i < rows; i++ {
		pre := "person.documents." + strconv.Itoa(i) + "."
		d.Docs = append(d.Docs, docRow{
			Type:    p.Field(pre+"type", "cases.document_type").Opts(d.Options["document"]),
			Number:  p.Field(pre+"number", "cases.document_number"),
			Country: p.Field(pre+"country", "cases.document_country").Opts(d.Options["countries"]),
		})
	}
	main := map[string]bool{}
	for _, m := range mainCountries {
		main[m] = true
	}
	for _, n := range p.Form.Values["person.nationalities"] {
		if !main[n] {
			d.Extra = append(d.Extra, n)
		}
	}
	p.Data = d
	return nil
}

// formPage builds the page of the registration or edit form from submitted values.
func (h *Handlers) formPage(r *http.Request, title string, values url.Values, d *formData) (*web.Page, error) {
	p := h.Web.NewPage(r, title)
	p.Form = web.NewForm(values)
	if err := h.fillForm(r.Context(), r, p, d); err != nil {
		return nil, err
	}
	return p, nil
}
