package shelters

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// AddAssessment stores a capacity assessment (the shelter's own staff, or national
// coordination). Ratings are 1–4 per standard.
func (s *Service) AddAssessment(ctx context.Context, shelterID string, in AssessmentInput) (*Assessment, error) {
	sub, err := s.require(ctx, shelterID, access.Create, access.ShelterAssessment)
	if err != nil {
		return nil, err
	}
	f := errs.Fields{}
	if d, err := time.Parse("2006-01-02", in.AssessedOn); err != nil {
		f.Add("assessed_on", "validation.date")
	} else if d.Format("2006-01-02") > s.today() {
		f.Add("assessed_on", "cases.err.date_future")
	}
	in.Assessor = strings.TrimSpace(in.Assessor)
	if in.Assessor == "" {
		f.Add("assessor", "validation.required")
	}
	if len(in.Ratings) == 0 {
		f.Add("ratings", "shelters.err.no_ratings")
	}
	for std, v := range in.Ratings {
		if _, ok := DomainOf(std); !ok {
			f.Add("ratings", "cases.err.unknown_value")
		} else if v < 1 || v > 4 {
			f.Add("rating_"+std, "shelters.err.rating")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	a := &Assessment{AssessmentInput: in, ID: newID(), Capacity: ScoreCapacity(in.Ratings)}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.d.Exec(ctx, `INSERT INTO shelter_assessments (id, shelter_id, assessed_on, assessor, notes, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ID, shelterID, in.AssessedOn, in.Assessor, in.Notes, sub.UserID, db.Now()); err != nil {
			return fmt.Errorf("shelters: assessment: %w", err)
		}
		for std, v := range in.Ratings {
			if _, err := s.d.Exec(ctx, "INSERT INTO shelter_ratings (assessment_id, standard, rating, evidence) VALUES (?, ?, ?, ?)",
				a.ID, std, v, in.Evidence[std]); err != nil {
				return err
			}
		}
		return s.record(ctx, "shelter.assessment_add", "shelter", shelterID, "")
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Assessments lists a shelter's capacity assessments, oldest first (the trend).
func (s *Service) Assessments(ctx context.Context, shelterID string) ([]Assessment, error) {
	if _, err := s.require(ctx, shelterID, access.View, access.ShelterAssessment); err != nil {
		return nil, err
	}
	return s.assessments(ctx, shelterID)
}

func (s *Service) assessments(ctx context.Context, shelterID string) ([]Assessment, error) {
	rows, err := s.d.Query(ctx, `SELECT a.id, a.assessed_on, a.assessor, a.notes, r.standard, r.rating, r.evidence
		FROM shelter_assessments a LEFT JOIN shelter_ratings r ON r.assessment_id = a.id
		WHERE a.shelter_id = ? ORDER BY a.assessed_on, a.id`, shelterID)
	if err != nil {
		return nil, fmt.Errorf("shelters: assessments: %w", err)
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		var id, on, who, notes string
		var std, ev *string
		var v *int
		if err := rows.Scan(&id, &on, &who, &notes, &std, &v, &ev); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, Assessment{ID: id, AssessmentInput: AssessmentInput{AssessedOn: on, Assessor: who, Notes: notes,
				Ratings: map[string]int{}, Evidence: map[string]string{}}})
		}
		if std != nil && v != nil {
			a := &out[len(out)-1]
			a.Ratings[*std] = *v
			if ev != nil && *ev != "" {
				a.Evidence[*std] = *ev
			}
		}
	}
	for i := range out {
		out[i].Capacity = ScoreCapacity(out[i].Ratings)
	}
	return out, rows.Err()
}

// AddFinance stores one period of financial figures.
func (s *Service) AddFinance(ctx context.Context, shelterID string, in FinanceInput) (*Finance, error) {
	sub, err := s.require(ctx, shelterID, access.Create, access.ShelterAssessment)
	if err != nil {
		return nil, err
	}
	f := errs.Fields{}
	start, e1 := time.Parse("2006-01-02", in.PeriodStart)
	end, e2 := time.Parse("2006-01-02", in.PeriodEnd)
	if e1 != nil {
		f.Add("period_start", "validation.date")
	}
	if e2 != nil {
		f.Add("period_end", "validation.date")
	}
	if e1 == nil && e2 == nil && !end.After(start) {
		f.Add("period_end", "shelters.err.period")
	}
	for src, v := range in.Income {
		if !oneOf(IncomeSources, src) {
			f.Add("income", "cases.err.unknown_value")
		} else if v < 0 {
			f.Add("income_"+src, "shelters.err.amount")
		}
	}
	for k, v := range map[string]float64{"operating_cost": in.OperatingCost, "unrestricted_reserves": in.UnrestrictedReserves,
		"largest_funder": in.LargestFunder, "standard_budget": in.StandardBudget, "secured_funding": in.SecuredFunding} {
		if v < 0 {
			f.Add(k, "shelters.err.amount")
		}
	}
	if in.OperatingCost <= 0 {
		f.Add("operating_cost", "shelters.err.amount")
	}
	if in.OccupiedBedNights < 0 {
		f.Add("occupied_bed_nights", "shelters.err.count")
	}
	var total float64
	for _, v := range in.Income {
		total += v
	}
	if in.LargestFunder > total {
		f.Add("largest_funder", "shelters.err.largest_funder")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	fin := &Finance{FinanceInput: in, ID: newID()}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.d.Exec(ctx, `INSERT INTO shelter_finances (id, shelter_id, period_start, period_end, operating_cost,
			unrestricted_reserves, largest_funder, occupied_bed_nights, standard_budget, secured_funding, notes, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fin.ID, shelterID, in.PeriodStart, in.PeriodEnd, in.OperatingCost,
			in.UnrestrictedReserves, in.LargestFunder, in.OccupiedBedNights, in.StandardBudget, in.SecuredFunding, in.Notes,
			sub.UserID, db.Now()); err != nil {
			return fmt.Errorf("shelters: finance: %w", err)
		}
		for src, v := range in.Income {
			if _, err := s.d.Exec(ctx, "INSERT INTO shelter_income (finance_id, source, amount) VALUES (?, ?, ?)", fin.ID, src, v); err != nil {
				return err
			}
		}
		return s.record(ctx, "shelter.finance_add", "shelter", shelterID, "")
	})
	if err != nil {
		return nil, err
	}
	list, err := s.finances(ctx, shelterID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == fin.ID {
			return &list[i], nil
		}
	}
	return fin, nil
}

// Finances lists a shelter's financial periods, oldest first, with derived measures.
func (s *Service) Finances(ctx context.Context, shelterID string) ([]Finance, error) {
	if _, err := s.require(ctx, shelterID, access.View, access.ShelterAssessment); err != nil {
		return nil, err
	}
	return s.finances(ctx, shelterID)
}

func (s *Service) finances(ctx context.Context, shelterID string) ([]Finance, error) {
	var beds int
	_ = s.d.QueryRow(ctx, "SELECT COALESCE(SUM(beds), 0) FROM shelter_beds WHERE shelter_id = ?", shelterID).Scan(&beds)
	rows, err := s.d.Query(ctx, `SELECT id, period_start, period_end, operating_cost, unrestricted_reserves, largest_funder,
		occupied_bed_nights, standard_budget, secured_funding, notes FROM shelter_finances WHERE shelter_id = ?
		ORDER BY period_end, id`, shelterID)
	if err != nil {
		return nil, fmt.Errorf("shelters: finances: %w", err)
	}
	var out []Finance
	for rows.Next() {
		var f Finance
		if err := rows.Scan(&f.ID, &f.PeriodStart, &f.PeriodEnd, &f.OperatingCost, &f.UnrestrictedReserves, &f.LargestFunder,
			&f.OccupiedBedNights, &f.StandardBudget, &f.SecuredFunding, &f.Notes); err != nil {
			rows.Close()
			return nil, err
		}
		f.Income = map[string]float64{}
		out = append(out, f)
	}
	rows.Close()
	for i := range out {
		f := &out[i]
		r, err := s.d.Query(ctx, "SELECT source, amount FROM shelter_income WHERE finance_id = ?", f.ID)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var src string
			var v float64
			if err := r.Scan(&src, &v); err != nil {
				r.Close()
				return nil, err
			}
			f.Income[src] = v
		}
		r.Close()
		start, _ := time.Parse("2006-01-02", f.PeriodStart)
		end, _ := time.Parse("2006-01-02", f.PeriodEnd)
		f.Sustainability = ScoreFinances(Finances{Income: f.Income, LargestFunderAmount: f.LargestFunder,
			PeriodMonths: months(start, end), OperatingCost: f.OperatingCost, UnrestrictedReserves: f.UnrestrictedReserves,
			OccupiedBedNights: f.OccupiedBedNights, Beds: beds, Days: int(end.Sub(start).Hours()/24) + 1,
			StandardBudget: f.StandardBudget, SecuredFunding: f.SecuredFunding})
	}
	return out, nil
}

// derive computes the shelter's status from its latest assessment and finances.
func (s *Service) derive(ctx context.Context, sh *Shelter) (Derived, string, error) {
	as, err := s.assessments(ctx, sh.ID)
	if err != nil {
		return Derived{}, "", err
	}
	fs, err := s.finances(ctx, sh.ID)
	if err != nil {
		return Derived{}, "", err
	}
	var capacity *Capacity
	var ratings Ratings
	date := ""
	if len(as) > 0 {
		last := as[len(as)-1]
		capacity, ratings, date = &last.Capacity, last.Ratings, last.AssessedOn
	}
	var fin *Sustainability
	if len(fs) > 0 {
		fin = &fs[len(fs)-1].Sustainability
	}
	return DeriveStatus(capacity, ratings, fin, sh.TotalBeds), date, nil
}

// SaveAction creates (empty id) or updates an improvement-plan action.
func (s *Service) SaveAction(ctx context.Context, shelterID, id string, in ActionInput) (*Action, error) {
	sub, err := s.require(ctx, shelterID, access.Update, access.ShelterAssessment)
	if err != nil {
		return nil, err
	}
	in.Action, in.Owner = strings.TrimSpace(in.Action), strings.TrimSpace(in.Owner)
	f := errs.Fields{}
	known := false
	for _, d := range Domains {
		known = known || d.Code == in.Domain
	}
	if !known {
		f.Add("domain", "cases.err.choose")
	}
	if in.Action == "" {
		f.Add("action", "validation.required")
	} else if len(in.Action) > 1000 {
		f.Add("action", "validation.too_long")
	}
	if in.DueOn != "" {
		if _, err := time.Parse("2006-01-02", in.DueOn); err != nil {
			f.Add("due_on", "validation.date")
		}
	}
	if in.Status == "" {
		in.Status = "planned"
	}
	if !oneOf(ActionStatuses, in.Status) {
		f.Add("status", "cases.err.choose")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := db.Now()
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if id == "" {
			id = newID()
			_, err := s.d.Exec(ctx, `INSERT INTO shelter_actions (id, shelter_id, domain, action, owner, due_on, support_received,
				status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, shelterID, in.Domain,
				in.Action, in.Owner, in.DueOn, in.SupportReceived, in.Status, sub.UserID, now, now)
			if err != nil {
				return fmt.Errorf("shelters: action: %w", err)
			}
		} else {
			res, err := s.d.Exec(ctx, `UPDATE shelter_actions SET domain = ?, action = ?, owner = ?, due_on = ?, support_received = ?,
				status = ?, updated_at = ? WHERE id = ? AND shelter_id = ?`, in.Domain, in.Action, in.Owner, in.DueOn,
				in.SupportReceived, in.Status, now, id, shelterID)
			if err != nil {
				return fmt.Errorf("shelters: action: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.NotFound()
			}
		}
		return s.record(ctx, "shelter.action_save", "shelter", shelterID, in.Status)
	})
	if err != nil {
		return nil, err
	}
	return &Action{ActionInput: in, ID: id}, nil
}

// Actions lists a shelter's improvement plan.
func (s *Service) Actions(ctx context.Context, shelterID string) ([]Action, error) {
	if _, err := s.require(ctx, shelterID, access.View, access.ShelterAssessment); err != nil {
		return nil, err
	}
	rows, err := s.d.Query(ctx, `SELECT id, domain, action, owner, due_on, support_received, status FROM shelter_actions
		WHERE shelter_id = ? ORDER BY CASE status WHEN 'done' THEN 2 WHEN 'dropped' THEN 3 ELSE 1 END, due_on, id`, shelterID)
	if err != nil {
		return nil, fmt.Errorf("shelters: actions: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		var a Action
		if err := rows.Scan(&a.ID, &a.Domain, &a.Action, &a.Owner, &a.DueOn, &a.SupportReceived, &a.Status); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
