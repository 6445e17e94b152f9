package cases

import "strings"

// What the case file says to a reader who sees it as a receiving agency: why they
// have it, and, in each section their relation withholds, that it is not shared with
// them (rather than an empty section, which would read as "nothing recorded").

// writeSharing opens a receiver's case file with the relations that opened it.
func writeSharing(p *pdfDoc, cf *caseFile) {
	v := cf.view
	if v == nil || v.Full() {
		return
	}
	p.section("cases.pdf.s_sharing")
	for _, g := range v.Grants() {
		p.row("cases.why."+g.Reason, joinNonEmpty(" · ", g.Label, dmy(g.Since.Format(dayFormat))))
	}
	p.row("cases.pdf.owning_agency", cf.c.AgencyName)
	var fields []string
	for _, f := range v.Fields() {
		fields = append(fields, p.t("cases.field."+f))
	}
	p.row("cases.pdf.shared_fields", strings.Join(fields, ", "))
	p.f.SetFont(pdfFont, "", 8)
	p.f.MultiCell(0, pdfLineH, p.t("cases.pdf.receiver_note"), "", "L", false)
}

// withheld says, inside a section, that the reader's relation does not share it.
func (p *pdfDoc) withheld() {
	p.f.SetFont(pdfFont, "", 9)
	p.f.SetTextColor(90, 90, 90)
	p.f.MultiCell(0, pdfLineH, p.t("cases.withheld_pdf"), "", "L", false)
	p.f.SetTextColor(0, 0, 0)
}
