package admin

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// UsersCSV exports the filtered user list as CSV. Staff names and emails are personal
// data, so the export is an audit event (with the row count and the names of the
// filters used, never their values) written before the first byte leaves.
func (h *Handlers) UsersCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := h.userFilter(ctx, q)
	var users []*auth.User
	for off := 0; ; off += 500 {
		f.Limit, f.Offset = 500, off
		page, total, err := h.Svc.ListUsers(ctx, f)
		if err != nil {
			return err
		}
		users = append(users, page...)
		if len(page) == 0 || off+len(page) >= total {
			break
		}
	}
	var used []string
	for _, n := range userFilterNames {
		if q.Get(n) != "" {
			used = append(used, n)
		}
	}
	detail := fmt.Sprintf("rows: %d", len(users))
	if len(used) > 0 {
		detail += "; filters: " + strings.Join(used, ",")
	}
	if err := h.Audit.Record(ctx, audit.Event{Action: "export.users_csv", RecordType: "user",
		Outcome: audit.OutcomeOK, Detail: detail}); err != nil {
		return err
	}

	p := h.Web.NewPage(r, "")
	name := fmt.Sprintf("amparo-%s-%s.csv", p.T("admin.csv_file"), time.Now().In(i18n.Zone()).Format("2006-01-02"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	// A byte-order mark makes spreadsheet programs read the accents correctly.
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"users.name", "users.email", "admin.agency_code", "users.agency", "users.roles",
		"admin.jurisdiction", "admin.second_factor", "admin.locked", "admin.state", "admin.last_login", "admin.created"}
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
	for _, u := range users {
		row := h.row(p, u)
		state := p.T("admin.active")
		if !u.Active {
			state = p.T("admin.inactive")
		}
		last := ""
		if !u.LastLoginAt.IsZero() {
			last = i18n.FormatDateTime(u.LastLoginAt)
		}
		rec := []string{u.Name, u.Email, u.AgencyCode, u.AgencyName, row.Roles, row.Jurisdiction,
			yesNo(u.TOTPEnabled), yesNo(row.Locked), state, last, i18n.FormatDate(u.CreatedAt)}
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

// safeCell stops a spreadsheet from reading a typed value as a formula (CSV
// injection): a value starting with = + - @ or a tab gets a leading apostrophe.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
