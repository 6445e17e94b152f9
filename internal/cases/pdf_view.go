package cases

import (
	"context"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// CaseFilePDF prints the case file as a PDF in lang ("es" or "en") for a referral
// meeting: the person, identification, trafficking status and history, consents in
// force, risk and active flags, the assistance plan, open tasks and the status history.
// Every page says it is confidential. It prints what the reader's View shows and names
// the sections it withholds: the whole file for the owning agency's side (with the
// Export permission on the case), what the relation carries for a receiving agency's
// staff who may export. The download is audited.
func (s *Service) CaseFilePDF(ctx context.Context, caseID, lang string) ([]byte, error) {
	sub, v, err := s.see(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if v.Full() {
		if _, err := s.check(ctx, caseID, access.Export); err != nil {
			return nil, err
		}
	} else if !sub.Can(access.Export, access.Case) {
		s.denied(ctx, caseID, string(access.Export))
		return nil, errs.Forbidden()
	}
	if !i18n.Valid(lang) {
		lang = i18n.Default
	}
	cf, err := s.loadCaseFile(ctx, sub, v, caseID)
	if err != nil {
		return nil, err
	}
	out, err := renderCaseFile(cf, lang)
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, "case.export_pdf", "case", caseID, lang+" "+v.auditDetail()); err != nil {
		return nil, err
	}
	return out, nil
}

// loadCaseFile reads what the view shows, and only that.
func (s *Service) loadCaseFile(ctx context.Context, sub *access.Subject, v *View, caseID string) (*caseFile, error) {
	cf := &caseFile{at: s.Now(), view: v}
	var err error
	if cf.c, err = s.st.loadFor(ctx, caseID, v); err != nil {
		return nil, err
	}
	if id := cf.c.IdentifyingAgency; id != "" && id != cf.c.AgencyID {
		_ = s.d.QueryRow(ctx, "SELECT name FROM agencies WHERE id = ?", id).Scan(&cf.identifyingAgency)
	}
	if v.Sees(SecEvents) {
		if cf.events, err = s.events(ctx, caseID, v.Sees(SecNarratives)); err != nil {
			return nil, err
		}
	}
	consents, err := s.Consents(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for _, k := range consents {
		if k.Current {
			cf.consents = append(cf.consents, k)
		}
	}
	if v.Reach(SecSafety) == ReachAll {
		if cf.flags, err = s.flags(ctx, caseID, false); err != nil {
			return nil, err
		}
	}
	if cf.services, err = s.Services(ctx, caseID); err != nil {
		return nil, err
	}
	if v.Sees(SecTasks) {
		if cf.tasks, err = s.tasks(ctx, caseID, true); err != nil {
			return nil, err
		}
	}
	if v.Sees(SecWorkflow) {
		if cf.history, err = s.History(ctx, caseID); err != nil {
			return nil, err
		}
	}
	if m, err := s.dir.Member(ctx, sub.UserID); err == nil {
		cf.generatedBy = m.Name
	}
	return cf, nil
}

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
		p.entry(p.t("cases.why."+g.Reason, "Label", g.Label)+" · "+p.t("cases.why_since", "Date",
			dmy(g.Since.In(i18n.Zone()).Format(dayFormat))), "")
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
