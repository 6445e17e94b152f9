package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/geo"
)

// CaseMaker makes clearly fictitious cases for the demo and for benchmarks: names are
// random combinations of common Ecuadorian, Venezuelan and Colombian names, document
// numbers are random (cédulas pass the check digit), and the proportions follow what
// Ecuador's programmes report: many children, mostly women and girls, sexual
// exploitation and forced labour first, then begging and child labour; the places
// weigh population and the known hotspots (borders, ports, the two big cities).
// The same seed gives the same cases.
type CaseMaker struct {
	rng    *rand.Rand
	now    time.Time
	years  int
	serial int
}

// NewCaseMaker returns a maker with a fixed seed. Identification dates fall within the
// last years years before now.
func NewCaseMaker(seed uint64, now time.Time, years int) *CaseMaker {
	if years < 1 {
		years = 1
	}
	return &CaseMaker{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), now: now.UTC(), years: years}
}

// weighted picks one of values by weight.
type weighted[T any] struct {
	v T
	w float64
}

func pick[T any](r *rand.Rand, opts []weighted[T]) T {
	total := 0.0
	for _, o := range opts {
		total += o.w
	}
	x := r.Float64() * total
	for _, o := range opts {
		if x < o.w {
			return o.v
		}
		x -= o.w
	}
	return opts[len(opts)-1].v
}

func one[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// provinceWeights: share of identified victims by province (DPA code), weighing
// population and the hotspots of the reports (Pichincha, Guayas, the northern border
// of Carchi, Sucumbíos and Esmeraldas, the southern border of El Oro, Imbabura's
// labour corridor, Santo Domingo and Manabí).
var provinceWeights = []weighted[string]{
	{"17", 20}, {"09", 18}, {"07", 8}, {"21", 7}, {"10", 6}, {"13", 6}, {"08", 6}, {"04", 5},
	{"23", 5}, {"01", 4}, {"12", 3}, {"18", 2}, {"22", 2}, {"11", 2}, {"05", 1.5}, {"06", 1.5},
	{"24", 1}, {"15", 1}, {"14", 0.5}, {"19", 0.5}, {"16", 0.5}, {"03", 0.5}, {"02", 0.5}, {"20", 0.2},
}

// cantonWeights caches each province's cantons weighted by population.
var cantonWeights = func() map[string][]weighted[string] {
	out := map[string][]weighted[string]{}
	for _, p := range geo.Provinces() {
		for _, c := range geo.CantonsOf(p.Code) {
			w := float64(c.Population)
			if w < 5000 {
				w = 5000
			}
			out[p.Code] = append(out[p.Code], weighted[string]{c.Code, w})
		}
	}
	return out
}()

// Make returns one fictitious case as it stands today: the person and what was typed
// about them, the stage reached (with closure reason), risk, flag, next follow-up and
// the dates. Agency, assignment and creator are left to the caller.
func (m *CaseMaker) Make() *cases.Case {
	r := m.rng
	m.serial++
	c := &cases.Case{}
	in := &c.Input
	p := &in.Person

	// When and where.
	back := int(r.ExpFloat64() * float64(m.years) * 365 / 2.5)
	if back > m.years*365 {
		back = r.IntN(m.years * 365)
	}
	idDate := m.now.AddDate(0, 0, -back-1)
	in.Identification.Date = idDate.Format("2006-01-02")
	in.Identification.Country = "ECU"
	province := pick(r, provinceWeights)
	in.Identification.Province = province
	in.Identification.Canton = pick(r, cantonWeights[province])

	// Who: nationality first, since it shapes names, documents and place.
	nat := pick(r, nationalities)
	p.Nationalities = []string{nat}
	if nat == "VEN" && chance(r, 0.04) {
		p.Nationalities = append(p.Nationalities, "COL")
	}
	child := chance(r, 0.46)
	var age int
	if child {
		age = pick(r, childAges)
	} else {
		age = pick(r, adultAges)
	}
	forms := m.exploitation(child)
	in.Exploitation = forms
	main := forms[0]
	femaleShare := 0.78
	switch main {
	case "sexual", "servile_marriage", "child_pornography":
		femaleShare = 0.93
	case "forced_labour", "forced_criminality", "forced_recruitment":
		femaleShare = 0.42
	case "begging", "child_labour":
		femaleShare = 0.55
	}
	switch {
	case chance(r, femaleShare):
		p.Sex, p.Gender = "female", "woman"
	case chance(r, 0.98):
		p.Sex, p.Gender = "male", "man"
	default:
		p.Sex, p.Gender = "unknown", "not_stated"
	}
	if !child && chance(r, 0.02) {
		p.Gender = "transgender"
	}
	m.name(p, nat)
	if chance(r, 0.82) {
		birth := idDate.AddDate(-age, 0, -r.IntN(365))
		p.BirthDate = birth.Format("2006-01-02")
	} else {
		est := age
		p.EstimatedAge = &est
	}
	m.documents(p, nat, province)
	p.Languages = []string{"es"}
	p.Ethnicity = m.ethnicity(nat, province)
	if p.Ethnicity == "indigenous" && chance(r, 0.6) {
		p.Languages = append(p.Languages, "qu")
	}
	if nat == "HTI" {
		p.Languages = []string{"fr", "es"}
	}
	if nat == "CHN" {
		p.Languages = []string{"zh"}
	}
	if chance(r, 0.05) {
		p.Disability = true
		p.DisabilityNotes = "Discapacidad registrada en la evaluación inicial (dato ficticio)."
	}
	if chance(r, 0.12) {
		p.Aliases = []string{one(r, aliases)}
	}
	if !child && chance(r, 0.3) {
		p.Contact = fmt.Sprintf("contacto.%04d@example.org", m.serial%10000)
	}
	if child {
		rel := one(r, guardianRelations)
		p.Guardian = &cases.Guardian{Name: one(r, femaleNames) + " " + one(r, familyNamesFor(nat)), Relation: rel}
	}

	// How it happened.
	in.Identification.How = m.how(main, child, province)
	m.history(in, main, child)

	// Where the case stands.
	m.stage(c, idDate, nat)
	return c
}

// exploitation returns the forms of exploitation, the main one first.
func (m *CaseMaker) exploitation(child bool) []string {
	r := m.rng
	var main string
	if child {
		main = pick(r, []weighted[string]{{"sexual", 42}, {"begging", 20}, {"child_labour", 16},
			{"forced_labour", 8}, {"child_pornography", 4}, {"forced_criminality", 3}, {"forced_recruitment", 3},
			{"servile_marriage", 2}, {"illegal_adoption", 1}, {"other", 1}})
	} else {
		main = pick(r, []weighted[string]{{"sexual", 52}, {"forced_labour", 36}, {"begging", 4},
			{"servile_marriage", 3}, {"forced_criminality", 3}, {"organ_removal", 0.3}, {"other", 1.7}})
	}
	forms := []string{main}
	if chance(r, 0.14) {
		second := one(r, []string{"forced_labour", "sexual", "begging", "forced_criminality"})
		if child && chance(r, 0.5) {
			second = "child_labour"
		}
		if second != main && (child || second != "child_labour") {
			forms = append(forms, second)
		}
	}
	return forms
}

func (m *CaseMaker) how(main string, child bool, province string) string {
	r := m.rng
	opts := []weighted[string]{{"police_operation", 24}, {"hotline", 12}, {"ngo_outreach", 18},
		{"self_referral", 8}, {"health_service", 5}, {"family_community", 7}, {"other", 2}}
	switch province {
	case "04", "21", "07", "08":
		opts = append(opts, weighted[string]{"border", 16})
	}
	if main == "forced_labour" || main == "child_labour" {
		opts = append(opts, weighted[string]{"labour_inspection", 22})
	}
	if child {
		opts = append(opts, weighted[string]{"school", 8})
	}
	return pick(r, opts)
}

// history fills the types, means of control, recruitment and duration.
func (m *CaseMaker) history(in *cases.Input, main string, child bool) {
	r := m.rng
	for _, f := range in.Exploitation {
		switch f {
		case "sexual":
			in.SexTypes = append(in.SexTypes, pick(r, []weighted[string]{{"prostitution", 60},
				{"online", 15}, {"private_sexual_services", 15}, {"pornography", 6}, {"other", 4}}))
		case "forced_labour", "child_labour":
			in.Industries = append(in.Industries, pick(r, []weighted[string]{{"agriculture", 26},
				{"domestic_work", 22}, {"street_vending", 14}, {"mining", 9}, {"fishing", 7},
				{"construction", 7}, {"hospitality", 7}, {"manufacturing", 4}, {"transport", 2}, {"other", 2}}))
		case "begging":
			in.Industries = append(in.Industries, "begging_sector")
		}
	}
	in.Industries = dedupe(in.Industries)
	n := 1 + r.IntN(3)
	for i := 0; i < n; i++ {
		in.Control = append(in.Control, pick(r, []weighted[string]{{"false_promises", 20}, {"threats", 16},
			{"debt_bondage", 12}, {"withheld_earnings", 10}, {"documents_withheld", 9}, {"psychological_abuse", 9},
			{"restricted_movement", 8}, {"physical_violence", 6}, {"isolation", 4}, {"threats_to_family", 3},
			{"drugs_alcohol", 2}, {"sexual_violence", 1}}))
	}
	in.Control = dedupe(in.Control)
	rec := pick(r, []weighted[string]{{"job_offer", 38}, {"romantic_relationship", 16}, {"social_media", 14},
		{"family", 12}, {"migration_offer", 10}, {"education_offer", 4}, {"abduction", 2}, {"other", 4}})
	if child && main == "begging" {
		rec = "family"
	}
	in.Recruitment = []string{rec}
	switch rec {
	case "family":
		in.RecruiterRelation = "family"
	case "romantic_relationship":
		in.RecruiterRelation = "partner"
	default:
		in.RecruiterRelation = pick(r, []weighted[string]{{"acquaintance", 35}, {"stranger", 20},
			{"employer", 20}, {"friend", 15}, {"unknown", 10}})
	}
	d := 1 + int(r.ExpFloat64()*8)
	if d > 120 {
		d = 120
	}
	in.DurationMonths = &d
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !strings.Contains(" "+strings.Join(out, " ")+" ", " "+x+" ") {
			out = append(out, x)
		}
	}
	return out
}

// stage decides the status reached, with its dates, risk, flag and follow-up.
func (m *CaseMaker) stage(c *cases.Case, idDate time.Time, nat string) {
	r := m.rng
	age := int(m.now.Sub(idDate).Hours() / 24)
	created := idDate.Add(time.Duration(13+r.IntN(6))*time.Hour + time.Duration(r.IntN(3600))*time.Second)
	if d := r.IntN(4); age > d {
		created = created.AddDate(0, 0, d)
	}
	c.CreatedAt = created.UTC()
	// Older cases are further along.
	var status string
	switch {
	case age < 10:
		status = pick(r, []weighted[string]{{"identified", 75}, {"screened", 20}, {"closed", 5}})
	case age < 45:
		status = pick(r, []weighted[string]{{"identified", 20}, {"screened", 30}, {"assisted", 40}, {"closed", 10}})
	case age < 180:
		status = pick(r, []weighted[string]{{"identified", 4}, {"screened", 8}, {"assisted", 44}, {"reintegration", 22},
			{"follow_up", 8}, {"closed", 14}})
	default:
		status = pick(r, []weighted[string]{{"assisted", 14}, {"reintegration", 20}, {"follow_up", 26}, {"closed", 40}})
	}
	c.Status = status
	switch status {
	case "identified":
		c.TraffickingStatus = "possible"
	case "closed":
		opts := []weighted[string]{{"reintegrated", 40}, {"transferred", 10}, {"declined_assistance", 10},
			{"lost_contact", 15}, {"not_a_victim", 10}, {"other", 3}}
		if nat != "ECU" {
			opts = append(opts, weighted[string]{"returned_home_country", 20})
		}
		c.ClosureReason = pick(r, opts)
		c.TraffickingStatus = "actual"
		if c.ClosureReason == "not_a_victim" {
			c.TraffickingStatus = "not_victim"
		}
		c.StatusDecidedBy = "supervisor"
	default:
		c.TraffickingStatus = pick(r, []weighted[string]{{"actual", 80}, {"possible", 20}})
		c.StatusDecidedBy = pick(r, []weighted[string]{{"supervisor", 60}, {"prosecutor", 25}, {"police", 15}})
	}
	c.RiskLevel = pick(r, []weighted[string]{{"high", 20}, {"medium", 45}, {"low", 35}})
	if status != "closed" {
		c.Flagged = chance(r, 0.04) || (c.RiskLevel == "high" && chance(r, 0.15))
	}
	// The last change happened some time after registration, never in the future.
	upd := created.Add(time.Duration(r.Float64() * float64(m.now.Sub(created))))
	c.UpdatedAt = upd.UTC()
	if status == "closed" {
		c.ClosedAt = c.UpdatedAt
	}
	switch status {
	case "assisted", "reintegration", "follow_up":
		// A follow-up every 30–90 days; about one in six is overdue.
		due := m.now.AddDate(0, 0, 1+r.IntN(60))
		if chance(r, 0.17) {
			due = m.now.AddDate(0, 0, -1-r.IntN(40))
		}
		c.NextFollowUp = due.Format("2006-01-02")
	case "screened":
		if chance(r, 0.5) {
			c.NextFollowUp = m.now.AddDate(0, 0, -5+r.IntN(20)).Format("2006-01-02")
		}
	}
}
