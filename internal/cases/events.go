package cases

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
)

// EventInput is one event of the trafficking history as the worker types it: where and
// when the person was recruited, moved or exploited. Places and dates stay in clear for
// the routes map; the narrative is encrypted.
type EventInput struct {
	Kind      string `json:"kind"`               // EventKinds
	Country   string `json:"country"`            // ISO 3166 alpha-3
	Province  string `json:"province,omitempty"` // in Ecuador only
	Canton    string `json:"canton,omitempty"`   // in Ecuador only, within the province
	StartedOn string `json:"started_on,omitempty"`
	EndedOn   string `json:"ended_on,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

// TraffickingEvent is a recorded event of the trafficking history.
type TraffickingEvent struct {
	EventInput
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

func (in *EventInput) normalize() {
	in.Kind = strings.TrimSpace(in.Kind)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	in.Province = strings.TrimSpace(in.Province)
	in.Canton = strings.TrimSpace(in.Canton)
	in.StartedOn = strings.TrimSpace(in.StartedOn)
	in.EndedOn = strings.TrimSpace(in.EndedOn)
	in.Narrative = strings.TrimSpace(strings.ReplaceAll(in.Narrative, "\r\n", "\n"))
}

func (in *EventInput) validate(today string) error {
	f := errs.Fields{}
	if !In("event", in.Kind) {
		f.Add("kind", "cases.err.choose")
	}
	if _, ok := geo.CountryByCode(in.Country); !ok {
		f.Add("country", "validation.country")
	} else if in.Country == "ECU" {
		// validatePlace names fields "<prefix>.province"; the event form's are bare.
		pf := errs.Fields{}
		validatePlace(pf, "event", in.Province, in.Canton, false)
		for k, v := range pf {
			f.Add(strings.TrimPrefix(k, "event."), v)
		}
	} else if in.Province != "" || in.Canton != "" {
		f.Add("province", "cases.err.place_outside_ecuador")
	}
	okStart := checkDay(f, "started_on", in.StartedOn, false, today)
	okEnd := checkDay(f, "ended_on", in.EndedOn, false, today)
	if okStart && okEnd && in.EndedOn < in.StartedOn {
		f.Add("ended_on", "cases.err.date_order")
	}
	if utf8.RuneCountInString(in.Narrative) > maxText {
		f.Add("narrative", "validation.too_long")
	}
	return f.Err()
}

// AddEvent adds an event to the case's trafficking history.
func (s *Service) AddEvent(ctx context.Context, caseID string, in EventInput) (*TraffickingEvent, error) {
	sub, err := s.check(ctx, caseID, access.Update)
	if err != nil {
		return nil, err
	}
	in.normalize()
	if err := in.validate(s.today()); err != nil {
		return nil, err
	}
	e := &TraffickingEvent{EventInput: in, ID: newID(), CaseID: caseID, CreatedBy: sub.UserID, CreatedAt: s.Now().UTC()}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		sl := &sealer{kr: s.kr, kind: "case_event", id: e.ID}
		enc := sl.seal("narrative", in.Narrative)
		if sl.err != nil {
			return sl.err
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO case_events (id, case_id, kind, country, province, canton, started_on, ended_on,
			enc_narrative, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, caseID, in.Kind, in.Country,
			nullStr(in.Province), nullStr(in.Canton), in.StartedOn, in.EndedOn, enc, sub.UserID,
			db.FormatTime(e.CreatedAt)); err != nil {
			return fmt.Errorf("cases: add event: %w", err)
		}
		return s.record(ctx, "case.event_add", "case", caseID, in.Kind)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// DeleteEvent removes an event typed by mistake from the trafficking history.
func (s *Service) DeleteEvent(ctx context.Context, caseID, eventID string) error {
	if _, err := s.check(ctx, caseID, access.Update); err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		res, err := s.d.Exec(ctx, "DELETE FROM case_events WHERE id = ? AND case_id = ?", eventID, caseID)
		if err != nil {
			return fmt.Errorf("cases: delete event: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound()
		}
		return s.record(ctx, "case.event_delete", "case", caseID, eventID)
	})
}

// Events returns the case's trafficking history in date order (undated events last).
// Narratives are sensitive, so the reading is audited.
func (s *Service) Events(ctx context.Context, caseID string) ([]TraffickingEvent, error) {
	_, v, err := s.seeSection(ctx, caseID, SecEvents)
	if err != nil {
		return nil, err
	}
	out, err := s.events(ctx, caseID, v.Sees(SecNarratives))
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, "case.events_view", "case", caseID, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// events reads the history of a case; narratives are decrypted only when asked for
// (a relation that sees places and dates but not what the person told).
func (s *Service) events(ctx context.Context, caseID string, narratives bool) ([]TraffickingEvent, error) {
	rows, err := s.d.Query(ctx, `SELECT id, kind, country, COALESCE(province, ''), COALESCE(canton, ''), started_on, ended_on,
		enc_narrative, created_by, created_at FROM case_events WHERE case_id = ?
		ORDER BY CASE WHEN started_on = '' THEN 1 ELSE 0 END, started_on, ended_on, created_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: events: %w", err)
	}
	defer rows.Close()
	var out []TraffickingEvent
	for rows.Next() {
		e := TraffickingEvent{CaseID: caseID}
		var enc, at string
		if err := rows.Scan(&e.ID, &e.Kind, &e.Country, &e.Province, &e.Canton, &e.StartedOn, &e.EndedOn, &enc,
			&e.CreatedBy, &at); err != nil {
			return nil, fmt.Errorf("cases: events: %w", err)
		}
		if narratives {
			sl := &sealer{kr: s.kr, kind: "case_event", id: e.ID}
			e.Narrative = sl.open("narrative", enc)
			if sl.err != nil {
				return nil, sl.err
			}
		}
		e.CreatedAt, _ = db.ParseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
