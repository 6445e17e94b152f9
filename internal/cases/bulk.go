package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// BulkOptions tune BulkInsert.
type BulkOptions struct {
	// History writes the status changes that lead from "identified" to each case's
	// status, spread between its CreatedAt and UpdatedAt, as the workflow would have.
	History bool
	// Approver returns who approved the screening, the plan and the closure of a case
	// in that history (default: the case's creator).
	Approver func(c *Case) string
}

// BulkInsert writes many cases at once, for demo data and benchmarks, through the same
// encryption and blind indexes as Register (store.writeCase). Each case arrives as it
// stands: status, assignment, flags, follow-up and dates are taken as given; the id is
// made when empty and the readable number is given here, per year of CreatedAt, in the
// order of the slice. The rules of Register are not run beyond validation (no
// duplicates check, no check of the assignee): only the system subject may call it, and
// the batch is one audit event. It joins the transaction in ctx, or opens one.
func (s *Service) BulkInsert(ctx context.Context, cs []*Case, opt BulkOptions) error {
	sub := access.From(ctx)
	if sub == nil || sub.UserID != access.System().UserID {
		return errs.Forbidden()
	}
	now := s.Now()
	for i, c := range cs {
		c.Input.Normalize()
		if err := c.Input.Validate(now); err != nil {
			return fmt.Errorf("cases: bulk case %d: %w", i, err)
		}
		if c.ID == "" {
			c.ID = newID()
		}
		if c.Version == 0 {
			c.Version = 1
		}
		if c.Status == "" {
			c.Status = "identified"
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now.UTC()
		}
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = c.CreatedAt
		}
		if c.IdentifyingAgency == "" {
			c.IdentifyingAgency = c.AgencyID
		}
		s.derive(c)
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.bulkNumbers(ctx, cs); err != nil {
			return err
		}
		for _, c := range cs {
			if err := s.st.writeCase(ctx, c, true); err != nil {
				return err
			}
			if opt.History {
				if err := s.st.bulkHistory(ctx, c, opt.Approver); err != nil {
					return err
				}
			}
		}
		return s.record(ctx, "case.bulk_insert", "case", "", fmt.Sprintf("%d cases", len(cs)))
	})
}

// bulkNumbers gives each case its readable number, reserving one block per year from
// the yearly counter (the same counter Register uses, so later registrations go on).
func (s *store) bulkNumbers(ctx context.Context, cs []*Case) error {
	perYear := map[int]int{}
	var years []int
	for _, c := range cs {
		y := c.CreatedAt.In(i18n.Zone()).Year()
		if perYear[y] == 0 {
			years = append(years, y)
		}
		perYear[y]++
	}
	next := map[int]int{}
	for _, y := range years {
		var last int
		err := s.d.QueryRow(ctx, "SELECT last FROM case_counters WHERE year = ?", y).Scan(&last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = s.d.Exec(ctx, "INSERT INTO case_counters (year, last) VALUES (?, ?)", y, perYear[y])
		case err == nil:
			_, err = s.d.Exec(ctx, "UPDATE case_counters SET last = last + ? WHERE year = ?", perYear[y], y)
		}
		if err != nil {
			return fmt.Errorf("cases: bulk counter: %w", err)
		}
		next[y] = last + 1
	}
	for _, c := range cs {
		y := c.CreatedAt.In(i18n.Zone()).Year()
		c.Number = fmt.Sprintf("EC-%d-%05d", y, next[y])
		next[y]++
	}
	return nil
}

// statusPath is the way the workflow leads to a status; whether a step needed a
// supervisor's approval (screening, plan, closure) decides who is recorded for it.
func statusPath(c *Case) []string {
	full := []string{"identified", "screened", "assisted", "reintegration", "follow_up"}
	switch c.Status {
	case "closed":
		switch c.ClosureReason {
		case "not_a_victim":
			return []string{"identified", "screened", "closed"}
		case "reintegrated":
			return append(full, "closed")
		}
		return []string{"identified", "screened", "assisted", "closed"}
	case "follow_up":
		return full
	}
	for i, st := range full {
		if st == c.Status {
			return full[:i+1]
		}
	}
	return full[:1]
}

// bulkHistory writes the status changes of a bulk case.
func (s *store) bulkHistory(ctx context.Context, c *Case, approver func(*Case) string) error {
	path := statusPath(c)
	end := c.UpdatedAt
	if !c.ClosedAt.IsZero() {
		end = c.ClosedAt
	}
	span := end.Sub(c.CreatedAt)
	if span < 0 {
		span = 0
	}
	for i, to := range path {
		from, reason, by := "", "", c.CreatedBy
		if i > 0 {
			from = path[i-1]
		}
		if to == "screened" || to == "assisted" || to == "closed" {
			if approver != nil {
				if a := approver(c); a != "" {
					by = a
				}
			}
		}
		if to == "closed" {
			reason = c.ClosureReason
		}
		at := c.CreatedAt
		if len(path) > 1 {
			at = c.CreatedAt.Add(time.Duration(int64(span) / int64(len(path)-1) * int64(i)))
		}
		if err := s.addHistory(ctx, c.ID, from, to, reason, "", by, at); err != nil {
			return err
		}
	}
	return nil
}
