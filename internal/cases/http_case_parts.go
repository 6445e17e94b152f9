package cases

import (
	"context"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// serviceRow is a planned service in words, with the statuses it may move to.
type serviceRow struct {
	PlannedService
	Support, Need, From, To, Delivered string
	StatusBadge                        badge
	Next                               []web.Option
	Final                              bool
	Mine                               bool // recorded by the user's agency, which alone changes it
}

// taskRow is a task with its dates in words.
type taskRow struct {
	Task
	Due     string
	Overdue bool
	DoneOn  string
}

// noteRow is a note with its lines, so line breaks show without styles.
type noteRow struct {
	Note
	Lines []string
}

// lines splits a typed text into its lines.
func lines(s string) []string {
	return strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n")
}

// attachmentRow is a file with its size in words.
type attachmentRow struct {
	Attachment
	Size string
}

// eventRow is an event of the trafficking history in words.
type eventRow struct {
	TraffickingEvent
	Kind, Place, From, To string
	Lines                 []string
}

// fillParts adds the plan, tasks, notes, files, flags and events of the case.
func (h *Handlers) fillParts(ctx context.Context, p *web.Page, d *caseData) error {
	id := d.C.ID
	show := d.Show
	var services []PlannedService
	var err error
	if show["plan"] {
		if services, err = h.Svc.Services(ctx, id); err != nil {
			return err
		}
	}
	for _, s := range services {
		row := serviceRow{PlannedService: s, Support: p.T(LabelKey("support", s.SupportType)),
			From: isoToDisplay(s.PlannedFrom), To: isoToDisplay(s.PlannedTo), Delivered: isoToDisplay(s.DeliveredOn),
			StatusBadge: serviceBadge(p, s.Status), Mine: s.AgencyID == access.From(ctx).AgencyID}
		if s.Need != "" && s.Need != s.SupportType {
			row.Need = p.T(LabelKey("support", s.Need))
		}
		next := serviceMoves[s.Status]
		row.Final = len(next) == 0
		for _, st := range append([]string{s.Status}, next...) {
			row.Next = append(row.Next, web.Option{Value: st, Label: p.T(LabelKey("service_status", st))})
		}
		d.Services = append(d.Services, row)
	}
	var tasks []Task
	if show["tasks"] {
		if tasks, err = h.Svc.Tasks(ctx, id); err != nil {
			return err
		}
	}
	for _, t := range tasks {
		row := taskRow{Task: t, Due: isoToDisplay(t.DueOn), Overdue: !t.Done && t.DueOn < d.Today,
			DoneOn: i18n.FormatDate(t.DoneAt)}
		if !t.Done {
			d.OpenTasks++
		}
		d.Tasks = append(d.Tasks, row)
	}
	var notes []Note
	if show["notes"] {
		if notes, err = h.Svc.Notes(ctx, id); err != nil {
			return err
		}
	}
	for _, n := range notes {
		d.Notes = append(d.Notes, noteRow{Note: n, Lines: lines(n.Body)})
	}
	d.SafetyPlan = lines(d.C.SafetyPlan)
	var files []Attachment
	if show["attachments"] {
		if files, err = h.Svc.Attachments(ctx, id); err != nil {
			return err
		}
	}
	for _, f := range files {
		d.Attachments = append(d.Attachments, attachmentRow{Attachment: f, Size: sizeLabel(p, f.Size)})
	}
	var flags []Flag
	if show["flags"] {
		if flags, err = h.Svc.Flags(ctx, id, true); err != nil {
			return err
		}
	}
	for _, f := range flags {
		if f.Active {
			d.Flags = append(d.Flags, f)
		} else {
			d.OldFlags = append(d.OldFlags, f)
		}
	}
	var events []TraffickingEvent
	if show["events"] {
		if events, err = h.Svc.Events(ctx, id); err != nil {
			return err
		}
	}
	for _, e := range events {
		place := placeName(e.Province, e.Canton)
		if c := countryName(p, e.Country); place == "" {
			place = c
		} else {
			place += ", " + c
		}
		d.Events = append(d.Events, eventRow{TraffickingEvent: e, Kind: p.T(LabelKey("event", e.Kind)), Place: place,
			From: isoToDisplay(e.StartedOn), To: isoToDisplay(e.EndedOn), Lines: lines(e.Narrative)})
	}
	return nil
}

func serviceBadge(p *web.Page, status string) badge {
	class := "badge-info"
	switch status {
	case "delivered":
		class = "badge-ok"
	case "cancelled":
		class = ""
	}
	return badge{Class: class, Label: p.T(LabelKey("service_status", status))}
}

// sizeLabel shows a file size in KB or MB with the page's number format.
func sizeLabel(p *web.Page, n int64) string {
	if n < 1<<20 {
		kb := (n + 1023) / 1024
		return p.T("cases.size_kb", "N", i18n.FormatInt(p.Lang, kb))
	}
	return p.T("cases.size_mb", "N", i18n.FormatNumber(p.Lang, float64(n)/(1<<20), 1))
}
