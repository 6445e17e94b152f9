package cases_test

import (
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

func TestTraffickingHistory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		t.Run("add, list, delete", func(t *testing.T) {
			caseID := e.newCase(t)
			ctx := e.as(e.worker)
			transit, err := e.svc.AddEvent(ctx, caseID, cases.EventInput{Kind: "transit", Country: "per"})
			mustOK(t, err)
			exploit, err := e.svc.AddEvent(ctx, caseID, cases.EventInput{Kind: "exploitation", Country: "ECU", Province: "09",
				Canton: "0901", StartedOn: "2025-07-01", EndedOn: "2026-02-28",
				Narrative: "La obligaban a pedir dinero en la Bahía de Guayaquil."})
			mustOK(t, err)
			recruit, err := e.svc.AddEvent(ctx, caseID, cases.EventInput{Kind: "recruitment", Country: "COL",
				StartedOn: "2025-06-01", EndedOn: "2025-06-01", Narrative: "Una vecina le ofreció trabajo en Ecuador."})
			mustOK(t, err)
			if transit.Country != "PER" {
				t.Errorf("country %q not upper-cased", transit.Country)
			}
			wantEncrypted(t, e.raw(t, "case_events", "enc_narrative", exploit.ID), "dinero", "Bahía")

			list, err := e.svc.Events(ctx, caseID)
			mustOK(t, err)
			if len(list) != 3 || list[0].ID != recruit.ID || list[1].ID != exploit.ID || list[2].ID != transit.ID {
				t.Fatalf("events not in date order, undated last: %+v", list)
			}
			if list[1].Narrative != "La obligaban a pedir dinero en la Bahía de Guayaquil." || list[1].Canton != "0901" {
				t.Errorf("event read back %+v", list[1])
			}
			if e.audited(t, "case.events_view", caseID) != 1 || e.audited(t, "case.event_add", caseID) != 3 {
				t.Error("adding and reading the history must be audited")
			}
			mustOK(t, e.svc.DeleteEvent(ctx, caseID, transit.ID))
			wantErrCode(t, e.svc.DeleteEvent(ctx, caseID, transit.ID), errs.CodeNotFound)
			wantErrCode(t, e.svc.DeleteEvent(ctx, e.caseID, exploit.ID), errs.CodeNotFound) // event of another case
			if n := e.count(t, "case_events", caseID); n != 2 || e.audited(t, "case.event_delete", caseID) != 1 {
				t.Errorf("%d events left after one delete", n)
			}
		})
		t.Run("validation", func(t *testing.T) {
			caseID := e.newCase(t)
			tests := []struct {
				name       string
				in         cases.EventInput
				field, key string
			}{
				{"kind", cases.EventInput{Kind: "holiday", Country: "COL"}, "kind", "cases.err.choose"},
				{"country", cases.EventInput{Kind: "transit", Country: "XXX"}, "country", "validation.country"},
				{"no country", cases.EventInput{Kind: "transit"}, "country", "validation.country"},
				{"province", cases.EventInput{Kind: "transit", Country: "ECU", Province: "99"}, "province", "validation.province"},
				{"canton", cases.EventInput{Kind: "transit", Country: "ECU", Province: "09", Canton: "9999"}, "canton", "validation.canton"},
				{"canton not in province", cases.EventInput{Kind: "transit", Country: "ECU", Province: "09", Canton: "1701"},
					"canton", "validation.canton_not_in_province"},
				{"canton without province", cases.EventInput{Kind: "transit", Country: "ECU", Canton: "0901"},
					"canton", "validation.canton_not_in_province"},
				{"province outside Ecuador", cases.EventInput{Kind: "transit", Country: "COL", Province: "09"},
					"province", "cases.err.place_outside_ecuador"},
				{"bad date", cases.EventInput{Kind: "transit", Country: "COL", StartedOn: "2025-13-01"}, "started_on", "validation.date"},
				{"future start", cases.EventInput{Kind: "transit", Country: "COL", StartedOn: "2026-03-11"},
					"started_on", "cases.err.date_future"},
				{"future end", cases.EventInput{Kind: "transit", Country: "COL", EndedOn: "2027-01-01"},
					"ended_on", "cases.err.date_future"},
				{"end before start", cases.EventInput{Kind: "transit", Country: "COL", StartedOn: "2025-06-02", EndedOn: "2025-06-01"},
					"ended_on", "cases.err.date_order"},
				{"long narrative", cases.EventInput{Kind: "transit", Country: "COL", Narrative: strings.Repeat("n", cases.MaxNote+1)},
					"narrative", "validation.too_long"},
			}
			for _, tt := range tests {
				_, err := e.svc.AddEvent(e.as(e.worker), caseID, tt.in)
				t.Run(tt.name, func(t *testing.T) { wantFieldErr(t, err, tt.field, tt.key) })
			}
			if n := e.count(t, "case_events", caseID); n != 0 {
				t.Errorf("%d events saved by invalid input", n)
			}
		})
		t.Run("access", func(t *testing.T) {
			caseID := e.newCase(t)
			ev, err := e.svc.AddEvent(e.as(e.worker), caseID, cases.EventInput{Kind: "recruitment", Country: "ECU"})
			mustOK(t, err)
			out := e.as(e.outsider)
			_, err = e.svc.AddEvent(out, caseID, cases.EventInput{Kind: "transit", Country: "COL"})
			wantErrCode(t, err, errs.CodeNotFound)
			wantErrCode(t, e.svc.DeleteEvent(out, caseID, ev.ID), errs.CodeNotFound)
			_, err = e.svc.Events(out, caseID)
			wantErrCode(t, err, errs.CodeNotFound)
			// A stay opens the case to the shelter, not the trafficking history.
			e.shelterAccess(t, caseID)
			shelter := e.as(e.coordinator)
			_, err = e.svc.Events(shelter, caseID)
			wantErrCode(t, err, errs.CodeForbidden)
			wantErrCode(t, e.svc.DeleteEvent(shelter, caseID, ev.ID), errs.CodeForbidden)
			if n := e.count(t, "case_events", caseID); n != 1 {
				t.Errorf("%d events after refused changes", n)
			}
		})
	})
}
