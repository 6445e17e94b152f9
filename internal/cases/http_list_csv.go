package cases

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// csvMaxRows bounds one export; a bigger one needs narrower filters.
const csvMaxRows = 50000

// ListCSV exports the filtered case list without names or documents: number, status,
// dates, sex, age group, place and forms of exploitation. The export is an audit event
// (row count and the names of the filters used, never their values) written before the
// first byte leaves.
func (h *Handlers) ListCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	rows, err := h.Svc.ExportRows(ctx, listFilter(r, q), csvMaxRows)
	if err != nil {
		return err
	}
	var used []string
	for _, n := range listFilterNames {
		if q.Get(n) != "" {
			used = append(used, n)
		}
	}
	detail := fmt.Sprintf("rows: %d", len(rows))
	if len(used) > 0 {
		detail += "; filters: " + strings.Join(used, ",")
	}
	if err := h.Audit.Record(ctx, audit.Event{Action: "case.export_csv", RecordType: "case",
		Outcome: audit.OutcomeOK, Detail: detail}); err != nil {
		return err
	}

	p := h.Web.NewPage(r, "")
	name := fmt.Sprintf("amparo-%s-%s.csv", p.T("cases.csv_file"), time.Now().In(i18n.Zone()).Format("2006-01-02"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	// A byte-order mark makes spreadsheet programs read the accents correctly.
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"cases.number", "cases.status_label", "cases.identified_on", "cases.updated_on", "cases.closed_on",
		"cases.person_sex", "cases.age_group", "cases.child", "cases.id_country", "cases.province", "cases.canton",
		"cases.exploitation_label", "cases.risk_label", "cases.flagged"}
	for i, k := range head {
		head[i] = p.T(k)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	yesNo := func(b bool) string {
		if b {
			return p.T("app.yes")
		}
		return p.T("app.no")
	}
	for _, row := range rows {
		c := &row.Case
		forms := make([]string, 0, len(c.Exploitation))
		for _, e := range c.Exploitation {
			forms = append(forms, p.T(LabelKey("exploitation", e)))
		}
		risk := ""
		if c.RiskLevel != "" {
			risk = p.T(LabelKey("risk", c.RiskLevel))
		}
		prov, canton := "", ""
		if c.Identification.Province != "" {
			prov = placeName(c.Identification.Province, "")
		}
		if c.Identification.Canton != "" {
			canton = placeName("", c.Identification.Canton)
		}
		rec := []string{c.Number, p.T(LabelKey("status", c.Status)), isoToDisplay(c.Identification.Date),
			i18n.FormatDate(c.UpdatedAt), i18n.FormatDate(c.ClosedAt), p.T(LabelKey("sex", c.Person.Sex)),
			ageLabel(p, c.AgeGroup), yesNo(c.IsChild()), countryName(p, c.Identification.Country), prov, canton,
			strings.Join(forms, "; "), risk, yesNo(c.Flagged)}
		for i := range rec {
			rec[i] = safeCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeCell stops a spreadsheet from reading a value as a formula (CSV injection).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// isoToDisplay shows a yyyy-mm-dd date as dd/mm/yyyy.
func isoToDisplay(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006")
}
