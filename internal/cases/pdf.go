package cases

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// DejaVu Sans has every letter of Spanish (and of the other languages victims speak
// in Ecuador that use the Latin script); PDF's built-in fonts cannot show "ñ" in UTF-8.
// Licence in fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// caseFile is what the printed case file shows.
type caseFile struct {
	c                 *Case
	identifyingAgency string
	events            []TraffickingEvent
	consents          []Consent // in force only
	flags             []Flag    // active only
	services          []PlannedService
	tasks             []Task // open only
	history           []HistoryEntry
	generatedBy       string
	at                time.Time
	view              *View // what the reader's relation shows; the rest is named as withheld
}

// pdfDoc writes the sections of the case file.
type pdfDoc struct {
	f    *fpdf.Fpdf
	cat  *i18n.Catalog
	lang string
}

const (
	pdfFont   = "DejaVu"
	pdfLabelW = 52.0 // mm
	pdfLineH  = 5.0  // mm
)

func (p *pdfDoc) t(key string, args ...any) string { return p.cat.T(p.lang, key, args...) }

// label translates a vocabulary value ("" stays "").
func (p *pdfDoc) label(vocab, v string) string {
	if v == "" {
		return ""
	}
	return p.t(LabelKey(vocab, v))
}

func (p *pdfDoc) labels(vocab string, vs []string) string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, p.label(vocab, v))
	}
	return strings.Join(out, ", ")
}

func (p *pdfDoc) section(key string) {
	f := p.f
	f.Ln(3)
	if _, y := f.GetXY(); y > 250 { // keep a heading with its first lines
		f.AddPage()
	}
	f.SetFont(pdfFont, "B", 11)
	f.SetFillColor(230, 234, 240)
	f.CellFormat(0, 7, p.t(key), "", 1, "L", true, 0, "")
	f.Ln(1)
}

// row prints a label and its value; empty values are left out.
func (p *pdfDoc) row(key, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	f := p.f
	left, _, right, _ := f.GetMargins()
	pageW, _ := f.GetPageSize()
	f.SetFont(pdfFont, "B", 9)
	f.SetX(left)
	f.CellFormat(pdfLabelW, pdfLineH, p.t(key), "", 0, "L", false, 0, "")
	f.SetFont(pdfFont, "", 9)
	f.MultiCell(pageW-left-right-pdfLabelW, pdfLineH, value, "", "L", false)
}

// entry prints a line in bold and, under it, a paragraph.
func (p *pdfDoc) entry(head, body string) {
	f := p.f
	f.SetFont(pdfFont, "B", 9)
	f.MultiCell(0, pdfLineH, head, "", "L", false)
	if strings.TrimSpace(body) != "" {
		f.SetFont(pdfFont, "", 9)
		f.SetX(f.GetX() + 4)
		f.MultiCell(0, pdfLineH, body, "", "L", false)
	}
	f.Ln(1)
}

func (p *pdfDoc) none() {
	p.f.SetFont(pdfFont, "", 9)
	p.f.MultiCell(0, pdfLineH, p.t("cases.pdf.none"), "", "L", false)
}

// dmy shows a yyyy-mm-dd date as dd/mm/yyyy.
func dmy(day string) string {
	t, err := time.Parse(dayFormat, day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}

// span shows a period; an open end reads "since …" or "until …".
func (p *pdfDoc) span(from, to string) string {
	switch {
	case from != "" && to != "":
		return dmy(from) + " – " + dmy(to)
	case from != "":
		return p.t("cases.pdf.since", "Date", dmy(from))
	case to != "":
		return p.t("cases.pdf.until", "Date", dmy(to))
	}
	return ""
}

// place names a country, and in Ecuador the canton and province.
func place(lang, country, province, canton string) string {
	var parts []string
	if c, ok := geo.CantonByCode(canton); ok {
		parts = append(parts, c.Name)
	}
	if p, ok := geo.ProvinceByCode(province); ok {
		parts = append(parts, p.Name)
	}
	if c, ok := geo.CountryByCode(country); ok {
		parts = append(parts, c.Name(lang))
	} else if country != "" {
		parts = append(parts, country)
	}
	return strings.Join(parts, ", ")
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func renderCaseFile(cf *caseFile, lang string) ([]byte, error) {
	c := cf.c
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.AddUTF8FontFromBytes(pdfFont, "", fontRegular)
	f.AddUTF8FontFromBytes(pdfFont, "B", fontBold)
	p := &pdfDoc{f: f, cat: i18n.MustLoad(), lang: lang}
	title := p.t("cases.pdf.title", "Number", c.Number)
	f.SetTitle(title, true)
	f.SetCreator("Amparo", true)
	f.SetCreationDate(cf.at)
	f.SetModificationDate(cf.at)
	f.SetMargins(15, 15, 15)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	f.SetHeaderFunc(func() {
		if f.PageNo() == 1 {
			return
		}
		f.SetFont(pdfFont, "", 7)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(0, 4, title+" · "+p.t("cases.pdf.confidential_short"), "", 1, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
		f.Ln(2)
	})
	f.SetFooterFunc(func() {
		f.SetY(-13)
		f.SetFont(pdfFont, "", 7)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(0, 4, p.t("cases.pdf.confidential_short")+" · "+c.Number, "", 0, "L", false, 0, "")
		f.CellFormat(0, 4, p.t("cases.pdf.page", "Page", strconv.Itoa(f.PageNo()), "Pages", "{nb}"), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()

	f.SetFont(pdfFont, "B", 16)
	f.CellFormat(0, 9, title, "", 1, "L", false, 0, "")
	f.SetFont(pdfFont, "B", 8)
	f.SetTextColor(160, 20, 20)
	f.MultiCell(0, 4, p.t("cases.pdf.confidential"), "", "L", false)
	f.SetTextColor(0, 0, 0)
	f.SetFont(pdfFont, "", 8)
	f.MultiCell(0, 4, p.t("cases.pdf.generated", "When", i18n.FormatDateTime(cf.at), "Who", cf.generatedBy), "", "L", false)

	writeSharing(p, cf)
	writePerson(p, c, lang)
	writeIdentification(p, cf, lang)
	writeTrafficking(p, cf, lang)
	writeConsents(p, cf)
	writeRisk(p, cf)
	writePlan(p, cf)
	writeStatusHistory(p, cf)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("cases: case file pdf: %w", err)
	}
	return buf.Bytes(), nil
}

func writePerson(p *pdfDoc, c *Case, lang string) {
	pe := &c.Person
	p.section("cases.pdf.s_person")
	p.row("cases.pdf.names", pe.FullName())
	p.row("cases.pdf.aliases", strings.Join(pe.Aliases, ", "))
	p.row("cases.pdf.sex", p.label("sex", pe.Sex))
	p.row("cases.pdf.gender", p.label("gender", pe.Gender))
	p.row("cases.pdf.birth_date", dmy(pe.BirthDate))
	if pe.BirthDate == "" && pe.EstimatedAge != nil {
		p.row("cases.pdf.estimated_age", strconv.Itoa(*pe.EstimatedAge))
	}
	if c.AgeAtID >= 0 {
		p.row("cases.pdf.age_at_id", strconv.Itoa(c.AgeAtID)+" ("+c.AgeGroup+")")
	}
	var nats []string
	for _, n := range pe.Nationalities {
		if k, ok := geo.CountryByCode(n); ok {
			nats = append(nats, k.Name(lang))
		} else {
			nats = append(nats, n)
		}
	}
	p.row("cases.pdf.nationalities", strings.Join(nats, ", "))
	var docs []string
	for _, d := range pe.Documents {
		doc := p.label("document", d.Type) + " " + d.Number
		if k, ok := geo.CountryByCode(d.Country); ok {
			doc += " (" + k.Name(lang) + ")"
		}
		docs = append(docs, doc)
	}
	p.row("cases.pdf.documents", strings.Join(docs, "; "))
	p.row("cases.pdf.languages", strings.Join(pe.Languages, ", "))
	p.row("cases.pdf.ethnicity", p.label("ethnicity", pe.Ethnicity))
	if pe.Disability {
		p.row("cases.pdf.disability", joinNonEmpty(": ", p.t("cases.pdf.yes"), pe.DisabilityNotes))
	}
	p.row("cases.pdf.contact", pe.Contact)
	if g := pe.Guardian; g != nil {
		p.row("cases.pdf.guardian", joinNonEmpty(" · ", g.Name, g.Relation, g.Contact))
	}
}

func writeIdentification(p *pdfDoc, cf *caseFile, lang string) {
	c := cf.c
	id := &c.Identification
	p.section("cases.pdf.s_identification")
	p.row("cases.pdf.id_date", dmy(id.Date))
	p.row("cases.pdf.id_place", place(lang, id.Country, id.Province, id.Canton))
	p.row("cases.pdf.id_how", p.label("how", id.How))
	p.row("cases.pdf.identifying_agency", cf.identifyingAgency)
	p.row("cases.pdf.owning_agency", c.AgencyName)
	p.row("cases.pdf.assigned_to", c.AssignedName)
	p.row("cases.pdf.case_status", joinNonEmpty(" · ", p.label("status", c.Status), p.label("closure", c.ClosureReason)))
	p.row("cases.pdf.trafficking_status", joinNonEmpty(" · ", p.label("trafficking_status", c.TraffickingStatus),
		p.label("decider", c.StatusDecidedBy)))
}

func writeTrafficking(p *pdfDoc, cf *caseFile, lang string) {
	c := cf.c
	p.section("cases.pdf.s_trafficking")
	if !cf.view.Sees(SecProfile) {
		p.withheld()
	}
	p.row("cases.pdf.exploitation", p.labels("exploitation", c.Exploitation))
	p.row("cases.pdf.sex_types", p.labels("sex_type", c.SexTypes))
	p.row("cases.pdf.industries", p.labels("industry", c.Industries))
	p.row("cases.pdf.control", p.labels("control", c.Control))
	p.row("cases.pdf.recruitment", p.labels("recruitment", c.Recruitment))
	p.row("cases.pdf.recruiter", p.label("recruiter", c.RecruiterRelation))
	if c.DurationMonths != nil {
		p.row("cases.pdf.duration_months", strconv.Itoa(*c.DurationMonths))
	}
	p.section("cases.pdf.s_history")
	if !cf.view.Sees(SecEvents) {
		p.withheld()
		return
	}
	if len(cf.events) == 0 {
		p.none()
	}
	for _, e := range cf.events {
		p.entry(joinNonEmpty(" · ", p.label("event", e.Kind), p.span(e.StartedOn, e.EndedOn),
			place(lang, e.Country, e.Province, e.Canton)), e.Narrative)
	}
}

func writeConsents(p *pdfDoc, cf *caseFile) {
	p.section("cases.pdf.s_consent")
	if len(cf.consents) == 0 {
		p.none()
	}
	for _, k := range cf.consents {
		purpose := p.label("purpose", k.Purpose)
		if k.AgencyName != "" {
			purpose += " (" + k.AgencyName + ")"
		}
		giver := p.label("giver", k.GivenBy)
		if k.Representative != "" {
			giver += ": " + k.Representative
		}
		p.entry(joinNonEmpty(" · ", purpose, p.label("consent", k.Status), dmy(k.DecidedOn)),
			joinNonEmpty(" · ", giver, p.label("method", k.Method)))
	}
}

func writeRisk(p *pdfDoc, cf *caseFile) {
	c := cf.c
	p.section("cases.pdf.s_risk")
	if !cf.view.Sees(SecSafety) {
		p.withheld()
		return
	}
	risk := p.label("risk", c.RiskLevel)
	if risk == "" {
		risk = p.t("cases.pdf.not_assessed")
	}
	p.row("cases.pdf.risk_level", risk)
	p.row("cases.pdf.safety_plan", c.SafetyPlan)
	for _, fl := range cf.flags {
		p.entry(joinNonEmpty(" · ", p.label("flag", fl.Flag), i18n.FormatDate(fl.CreatedAt), fl.CreatorName), fl.Reason)
	}
}

func writePlan(p *pdfDoc, cf *caseFile) {
	p.section("cases.pdf.s_plan")
	if len(cf.services) == 0 {
		p.none()
	}
	for _, sv := range cf.services {
		head := p.label("support", sv.SupportType)
		if sv.Need != "" && sv.Need != sv.SupportType {
			head += " (" + p.t("cases.pdf.need", "Need", p.label("support", sv.Need)) + ")"
		}
		status := p.label("service_status", sv.Status)
		if sv.DeliveredOn != "" {
			status += " " + dmy(sv.DeliveredOn)
		}
		p.entry(joinNonEmpty(" · ", head, sv.Provider(), p.span(sv.PlannedFrom, sv.PlannedTo), status), sv.Notes)
	}
	p.section("cases.pdf.s_tasks")
	if !cf.view.Sees(SecTasks) {
		p.withheld()
		return
	}
	if len(cf.tasks) == 0 {
		p.none()
	}
	for _, t := range cf.tasks {
		p.entry(joinNonEmpty(" · ", dmy(t.DueOn), t.AssigneeName), t.Title)
	}
}

func writeStatusHistory(p *pdfDoc, cf *caseFile) {
	p.section("cases.pdf.s_status")
	if !cf.view.Sees(SecWorkflow) {
		p.withheld()
		return
	}
	for _, h := range cf.history {
		change := p.label("status", h.To)
		if h.From != "" {
			change = p.label("status", h.From) + " → " + change
		}
		reason := ""
		switch {
		case h.Reason == "reopened":
			reason = p.t("cases.pdf.reopened")
		case In("closure", h.Reason):
			reason = p.label("closure", h.Reason)
		}
		p.entry(joinNonEmpty(" · ", i18n.FormatDate(h.At), change, reason, h.ByName), "")
	}
}
