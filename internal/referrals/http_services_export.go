package referrals

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// exportColumns are the catalog keys of the export's headings, in order.
var exportColumns = []string{"referrals.service_name", "referrals.agency", "referrals.agency_type",
	"referrals.service_type", "referrals.populations", "referrals.areas", "referrals.contact_name",
	"referrals.contact_phone", "referrals.contact_email", "referrals.hours", "referrals.active",
	"referrals.description", "referrals.updated_on"}

// exportRows loads every entry matching the directory's filters and records the export
// (row count and the names of the filters used) before anything is sent.
func (h *Handlers) exportRows(r *http.Request, format string) (*web.Page, [][]string, error) {
	q := r.URL.Query()
	f, k := directoryFilter(r, q)
	f.PerPage, f.Page = -1, 1
	list, _, err := h.Svc.Offers(r.Context(), f)
	if err != nil {
		return nil, nil, err
	}
	var used []string
	for _, n := range directoryParams {
		if k.Get(n) != "" {
			used = append(used, n)
		}
	}
	detail := fmt.Sprintf("%s; rows: %d", format, len(list))
	if len(used) > 0 {
		detail += "; filters: " + strings.Join(used, ",")
	}
	if err := h.Audit.Record(r.Context(), audit.Event{Action: "export.services", RecordType: "network_service",
		Outcome: audit.OutcomeOK, Detail: detail}); err != nil {
		return nil, nil, err
	}
	p := h.Web.NewPage(r, "")
	head := make([]string, len(exportColumns))
	for i, key := range exportColumns {
		head[i] = p.T(key)
	}
	rows := [][]string{head}
	for _, o := range list {
		row := newOfferRow(p, o)
		active := p.T("app.no")
		if o.Active {
			active = p.T("app.yes")
		}
		rows = append(rows, []string{o.Name, o.AgencyName, p.T("agencies.type_" + o.AgencyType), row.Type,
			strings.Join(row.Populations, "; "), strings.Join(row.Areas, "; "), o.ContactName, o.ContactPhone,
			o.ContactEmail, o.Hours, active, o.Description, i18n.FormatDate(o.UpdatedAt)})
	}
	return p, rows, nil
}

func exportName(p *web.Page, ext string) string {
	return fmt.Sprintf("amparo-%s-%s.%s", p.T("referrals.export_file"), time.Now().In(i18n.Zone()).Format("2006-01-02"), ext)
}

// DirectoryCSV exports the filtered directory as CSV (UTF-8 with a byte-order mark, so
// spreadsheet programs read the accents).
func (h *Handlers) DirectoryCSV(w http.ResponseWriter, r *http.Request) error {
	p, rows, err := h.exportRows(r, "csv")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName(p, "csv")+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, rec := range rows {
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

// DirectoryXLSX exports the filtered directory as an Excel workbook: one sheet, a bold
// frozen heading row and a table with filters, every cell text.
func (h *Handlers) DirectoryXLSX(w http.ResponseWriter, r *http.Request) error {
	p, rows, err := h.exportRows(r, "xlsx")
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := p.T("referrals.export_sheet")
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	widths := []float64{36, 32, 20, 22, 28, 36, 24, 16, 28, 24, 8, 48, 12}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, rec := range rows {
		cells := make([]any, len(rec))
		for j, v := range rec {
			if i == 0 {
				cells[j] = excelize.Cell{StyleID: bold, Value: v}
			} else {
				cells[j] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if len(rows) > 1 {
		last, _ := excelize.CoordinatesToCellName(len(exportColumns), len(rows))
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "services", StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName(p, "xlsx")+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = x.WriteTo(w)
	return err
}

// safeCell stops a spreadsheet from reading a value as a formula (CSV injection).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
