package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// TaskInput is a task on a case as the worker types it.
type TaskInput struct {
	Title string `json:"title"`  // encrypted: it may name the person or a place
	DueOn string `json:"due_on"` // yyyy-mm-dd
	// AssignedTo is an active case worker or supervisor of the case's agency; empty
	// means the case's assigned worker, or the user adding the task.
	AssignedTo string `json:"assigned_to,omitempty"`
}

// Task is a dated piece of work on a case.
type Task struct {
	ID           string    `json:"id"`
	CaseID       string    `json:"case_id"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"`
	DueOn        string    `json:"due_on"`
	AssignedTo   string    `json:"assigned_to,omitempty"`
	AssigneeName string    `json:"assignee_name,omitempty"`
	Done         bool      `json:"done"`
	DoneAt       time.Time `json:"done_at,omitempty"`
	DoneBy       string    `json:"done_by,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

const maxTitle = 500

// AddTask adds a task to a case.
func (s *Service) AddTask(ctx context.Context, caseID string, in TaskInput) (*Task, error) {
	sub, err := s.check(ctx, caseID, access.Update)
	if err != nil {
		return nil, err
	}
	in.Title, in.DueOn, in.AssignedTo = collapse(in.Title), strings.TrimSpace(in.DueOn), strings.TrimSpace(in.AssignedTo)
	f := errs.Fields{}
	if in.Title == "" {
		f.Add("title", "validation.required")
	} else if utf8.RuneCountInString(in.Title) > maxTitle {
		f.Add("title", "validation.too_long")
	}
	checkDay(f, "due_on", in.DueOn, true, "")
	rec, err := s.st.relation(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if in.AssignedTo == "" {
		in.AssignedTo = rec.UserIDs[0]
	}
	if in.AssignedTo == "" {
		in.AssignedTo = sub.UserID
	}
	if err := s.checkAssignee(ctx, in.AssignedTo, rec.AgencyID); err != nil {
		f.Add("assigned_to", "cases.err.task_assignee")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	t := &Task{ID: newID(), CaseID: caseID, Title: in.Title, Kind: "task", DueOn: in.DueOn, AssignedTo: in.AssignedTo,
		CreatedBy: sub.UserID, CreatedAt: now}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		sl := &sealer{kr: s.kr, kind: "case_task", id: t.ID}
		title := sl.seal("title", t.Title)
		if sl.err != nil {
			return sl.err
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO case_tasks (id, case_id, enc_title, kind, due_on, assigned_to, created_by,
			created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, caseID, title, t.Kind, t.DueOn, t.AssignedTo, sub.UserID,
			db.FormatTime(now)); err != nil {
			return fmt.Errorf("cases: add task: %w", err)
		}
		return s.record(ctx, "case.task_add", "case", caseID, "")
	})
	if err != nil {
		return nil, err
	}
	if m, err := s.dir.Member(ctx, t.AssignedTo); err == nil {
		t.AssigneeName = m.Name
	}
	return t, nil
}

// CompleteTask marks a task of the case done.
func (s *Service) CompleteTask(ctx context.Context, caseID, taskID string) error {
	sub, err := s.check(ctx, caseID, access.Update)
	if err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		var doneAt string
		err := s.d.QueryRow(ctx, "SELECT done_at FROM case_tasks WHERE id = ? AND case_id = ?", taskID, caseID).Scan(&doneAt)
		if errors.Is(err, db.ErrNoRows) {
			return errs.NotFound()
		}
		if err != nil {
			return fmt.Errorf("cases: task: %w", err)
		}
		if doneAt != "" {
			return errs.Conflict("cases.err.task_done")
		}
		if _, err := s.d.Exec(ctx, "UPDATE case_tasks SET done_at = ?, done_by = ? WHERE id = ? AND done_at = ''",
			db.FormatTime(s.Now()), sub.UserID, taskID); err != nil {
			return fmt.Errorf("cases: complete task: %w", err)
		}
		return s.record(ctx, "case.task_done", "case", caseID, "")
	})
}

// Tasks returns the case's tasks: open ones by due date, then done ones.
func (s *Service) Tasks(ctx context.Context, caseID string) ([]Task, error) {
	if _, _, err := s.seeSection(ctx, caseID, SecTasks); err != nil {
		return nil, err
	}
	return s.tasks(ctx, caseID, false)
}

func (s *Service) tasks(ctx context.Context, caseID string, openOnly bool) ([]Task, error) {
	q := `SELECT t.id, t.case_id, t.enc_title, t.kind, t.due_on, COALESCE(t.assigned_to, ''), COALESCE(u.name, ''),
		t.done_at, t.done_by, t.created_by, t.created_at FROM case_tasks t LEFT JOIN users u ON u.id = t.assigned_to
		WHERE t.case_id = ?`
	if openOnly {
		q += " AND t.done_at = ''"
	}
	rows, err := s.d.Query(ctx, q+" ORDER BY CASE WHEN t.done_at = '' THEN 0 ELSE 1 END, t.due_on, t.id", caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: tasks: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var t Task
		var enc, done, created string
		if err := rows.Scan(&t.ID, &t.CaseID, &enc, &t.Kind, &t.DueOn, &t.AssignedTo, &t.AssigneeName, &done, &t.DoneBy,
			&t.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("cases: tasks: %w", err)
		}
		sl := &sealer{kr: s.kr, kind: "case_task", id: t.ID}
		t.Title = sl.open("title", enc)
		if sl.err != nil {
			return nil, sl.err
		}
		t.Done = done != ""
		if t.Done {
			t.DoneAt, _ = db.ParseTime(done)
		}
		t.CreatedAt, _ = db.ParseTime(created)
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetFollowUp sets the date of the case's next follow-up (today or later); an empty
// date clears it. Cases whose follow-up is due show on their workers' home page.
func (s *Service) SetFollowUp(ctx context.Context, caseID, date string) error {
	if _, err := s.check(ctx, caseID, access.Update); err != nil {
		return err
	}
	date = strings.TrimSpace(date)
	if date != "" {
		f := errs.Fields{}
		if checkDay(f, "next_follow_up", date, true, "") && date < s.today() {
			f.Add("next_follow_up", "cases.err.date_past")
		}
		if err := f.Err(); err != nil {
			return err
		}
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		if _, err := s.d.Exec(ctx, "UPDATE cases SET next_follow_up = ?, version = version + 1, updated_at = ? WHERE id = ?",
			date, db.FormatTime(s.Now()), caseID); err != nil {
			return fmt.Errorf("cases: follow-up: %w", err)
		}
		detail := "set"
		if date == "" {
			detail = "cleared"
		}
		return s.record(ctx, "case.follow_up", "case", caseID, detail)
	})
}

// WorkTask is a task on the user's home page, with its case.
type WorkTask struct {
	Task
	CaseNumber string `json:"case_number"`
	// PersonName is shown only when the user may view the case (a task can be given to
	// a worker who does not otherwise see the case).
	PersonName string `json:"person_name,omitempty"`
}

// WorkCase is a case whose follow-up is due today or overdue.
type WorkCase struct {
	ID           string `json:"id"`
	Number       string `json:"number"`
	PersonName   string `json:"person_name"`
	Status       string `json:"status"`
	RiskLevel    string `json:"risk_level,omitempty"`
	Flagged      bool   `json:"flagged"`
	NextFollowUp string `json:"next_follow_up"`
	Overdue      bool   `json:"overdue"`
}

// Work is a case worker's or supervisor's home page: what is due, overdue or waiting
// for them.
type Work struct {
	Today     string     `json:"today"` // yyyy-mm-dd in the display zone
	Overdue   []WorkTask `json:"overdue"`
	DueToday  []WorkTask `json:"due_today"`
	Upcoming  []WorkTask `json:"upcoming"` // due within UpcomingDays
	FollowUps []WorkCase `json:"follow_ups"`
	Approvals []Approval `json:"approvals"` // waiting for the user's decision
	// Open cases the user may see (a worker's: assigned to them; a supervisor's: their
	// agency's), by status, and how many of them are flagged.
	OpenByStatus map[string]int `json:"open_by_status"`
	OpenCases    int            `json:"open_cases"`
	Flagged      int            `json:"flagged"`
}

// UpcomingDays is how far ahead MyWork lists tasks.
const UpcomingDays = 14

// MyWork gathers the signed-in user's work. Dates are compared in the display zone
// (America/Guayaquil). Each case whose person's name is shown is recorded as a list
// view in the audit trail, as in List.
func (s *Service) MyWork(ctx context.Context) (*Work, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.View, access.Case); err != nil {
		return nil, err
	}
	today := s.today()
	horizon := s.Now().In(i18n.Zone()).AddDate(0, 0, UpcomingDays).Format(dayFormat)
	w := &Work{Today: today, OpenByStatus: map[string]int{}}
	// The user's work is on the cases they hold in full: a case another agency referred
	// to theirs shows its owner's tasks and follow-ups to nobody but the owner.
	scope, scopeArgs := fullScopeSQL(sub)
	shown := map[string]bool{}

	rows, err := s.d.Query(ctx, `SELECT t.id, t.case_id, t.enc_title, t.kind, t.due_on, t.created_by, t.created_at, c.number,
		c.enc_given_names, c.enc_family_names, CASE WHEN `+scope+` THEN 1 ELSE 0 END
		FROM case_tasks t JOIN cases c ON c.id = t.case_id
		WHERE t.assigned_to = ? AND t.done_at = '' AND c.status <> 'closed' AND t.due_on <= ?
		ORDER BY t.due_on, c.number, t.id LIMIT 500`, append(append([]any{}, scopeArgs...), sub.UserID, horizon)...)
	if err != nil {
		return nil, fmt.Errorf("cases: my tasks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var wt WorkTask
		var title, created, given, family string
		var visible int
		if err := rows.Scan(&wt.ID, &wt.CaseID, &title, &wt.Kind, &wt.DueOn, &wt.CreatedBy, &created, &wt.CaseNumber,
			&given, &family, &visible); err != nil {
			return nil, fmt.Errorf("cases: my tasks: %w", err)
		}
		sl := &sealer{kr: s.kr, kind: "case_task", id: wt.ID}
		wt.Title = sl.open("title", title)
		if sl.err != nil {
			return nil, sl.err
		}
		wt.AssignedTo = sub.UserID
		wt.CreatedAt, _ = db.ParseTime(created)
		if visible == 1 {
			if wt.PersonName, err = s.personName(wt.CaseID, given, family); err != nil {
				return nil, err
			}
			shown[wt.CaseID] = true
		}
		switch {
		case wt.DueOn < today:
			w.Overdue = append(w.Overdue, wt)
		case wt.DueOn == today:
			w.DueToday = append(w.DueToday, wt)
		default:
			w.Upcoming = append(w.Upcoming, wt)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	if err := s.dueFollowUps(ctx, w, scope, scopeArgs, shown); err != nil {
		return nil, err
	}
	if err := s.openCounts(ctx, w, scope, scopeArgs); err != nil {
		return nil, err
	}
	if w.Approvals, err = s.PendingApprovals(ctx); err != nil {
		return nil, err
	}
	if len(shown) > 0 {
		err = s.d.InTx(ctx, func(ctx context.Context) error {
			for id := range shown {
				if err := s.record(ctx, "case.list_view", "case", id, "work"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return w, err
}

func (s *Service) dueFollowUps(ctx context.Context, w *Work, scope string, args []any, shown map[string]bool) error {
	rows, err := s.d.Query(ctx, `SELECT c.id, c.number, c.status, c.risk_level, c.flagged, c.next_follow_up,
		c.enc_given_names, c.enc_family_names FROM cases c WHERE `+scope+` AND c.status <> 'closed'
		AND c.next_follow_up <> '' AND c.next_follow_up <= ? ORDER BY c.next_follow_up, c.number LIMIT 200`,
		append(append([]any{}, args...), w.Today)...)
	if err != nil {
		return fmt.Errorf("cases: follow-ups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c WorkCase
		var flagged int
		var given, family string
		if err := rows.Scan(&c.ID, &c.Number, &c.Status, &c.RiskLevel, &flagged, &c.NextFollowUp, &given, &family); err != nil {
			return fmt.Errorf("cases: follow-ups: %w", err)
		}
		if c.PersonName, err = s.personName(c.ID, given, family); err != nil {
			return err
		}
		c.Flagged, c.Overdue = flagged == 1, c.NextFollowUp < w.Today
		shown[c.ID] = true
		w.FollowUps = append(w.FollowUps, c)
	}
	return rows.Err()
}

func (s *Service) openCounts(ctx context.Context, w *Work, scope string, args []any) error {
	rows, err := s.d.Query(ctx, `SELECT c.status, COUNT(*), COALESCE(SUM(c.flagged), 0) FROM cases c
		WHERE `+scope+` AND c.status <> 'closed' GROUP BY c.status`, args...)
	if err != nil {
		return fmt.Errorf("cases: open counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n, flagged int
		if err := rows.Scan(&st, &n, &flagged); err != nil {
			return fmt.Errorf("cases: open counts: %w", err)
		}
		w.OpenByStatus[st] = n
		w.OpenCases += n
		w.Flagged += flagged
	}
	return rows.Err()
}

// personName decrypts a person's full name from the case row's ciphertexts.
func (s *Service) personName(caseID, given, family string) (string, error) {
	c := &Case{ID: caseID}
	if err := s.st.openNames(c, given, family); err != nil {
		return "", err
	}
	return c.Person.FullName(), nil
}
