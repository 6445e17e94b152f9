package cases_test

import (
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

func TestRiskAndFlags(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		t.Run("risk and safety plan", func(t *testing.T) {
			caseID := e.newCase(t)
			ctx := e.as(e.worker)
			plan := "Cambiar de número. María José no sale sola del colegio."
			mustOK(t, e.svc.SetRisk(ctx, caseID, "high", plan))
			c, err := e.svc.Get(ctx, caseID)
			mustOK(t, err)
			if c.RiskLevel != "high" || c.SafetyPlan != plan || c.Version != 2 {
				t.Errorf("risk %q, plan %q, version %d", c.RiskLevel, c.SafetyPlan, c.Version)
			}
			wantEncrypted(t, e.raw(t, "cases", "enc_safety_plan", caseID), "María", "colegio")
			wantFieldErr(t, e.svc.SetRisk(ctx, caseID, "extreme", ""), "risk_level", "cases.err.choose")
			wantFieldErr(t, e.svc.SetRisk(ctx, caseID, "", ""), "risk_level", "cases.err.choose")
			wantFieldErr(t, e.svc.SetRisk(ctx, caseID, "low", strings.Repeat("p", cases.MaxNote+1)), "safety_plan", "validation.too_long")
			mustOK(t, e.svc.SetRisk(ctx, caseID, "medium", ""))
			c, _ = e.svc.Get(ctx, caseID)
			if c.RiskLevel != "medium" || c.SafetyPlan != "" {
				t.Errorf("after clearing the plan: %q, %q", c.RiskLevel, c.SafetyPlan)
			}
			if n := e.audited(t, "case.risk", caseID); n != 2 {
				t.Errorf("case.risk events = %d, want 2", n)
			}
		})
		t.Run("flags", func(t *testing.T) {
			caseID := e.newCase(t)
			ctx := e.as(e.worker)
			threat, err := e.svc.AddFlag(ctx, caseID, "threat", "El captor llamó a la madre de María José")
			mustOK(t, err)
			wantEncrypted(t, e.raw(t, "case_flags", "enc_reason", threat.ID), "captor", "María")
			contact, err := e.svc.AddFlag(e.as(e.supervisor), caseID, "trafficker_contact", "Visto cerca del colegio")
			mustOK(t, err)
			flagged := func() bool {
				t.Helper()
				c, err := e.svc.Get(ctx, caseID)
				mustOK(t, err)
				return c.Flagged
			}
			if !flagged() {
				t.Fatal("a flag must mark the case")
			}
			rows, _, err := e.svc.List(e.as(e.supervisor), cases.Filter{Flagged: true})
			mustOK(t, err)
			found := false
			for _, r := range rows {
				found = found || r.ID == caseID
			}
			if !found {
				t.Error("the flagged filter of the list misses the case")
			}

			mustOK(t, e.svc.ClearFlag(ctx, caseID, threat.ID))
			if !flagged() {
				t.Error("the case stays flagged while a flag is active")
			}
			wantErrCode(t, e.svc.ClearFlag(ctx, caseID, threat.ID), errs.CodeConflict)
			wantErrCode(t, e.svc.ClearFlag(ctx, caseID, "no-such-flag"), errs.CodeNotFound)
			wantErrCode(t, e.svc.ClearFlag(ctx, e.caseID, contact.ID), errs.CodeNotFound) // flag of another case

			active, err := e.svc.Flags(ctx, caseID, false)
			mustOK(t, err)
			if len(active) != 1 || active[0].ID != contact.ID || active[0].CreatorName != "Carla Supervisora" {
				t.Errorf("active flags %+v", active)
			}
			mustOK(t, e.svc.ClearFlag(ctx, caseID, contact.ID))
			if flagged() {
				t.Error("no active flag left, the case must not be flagged")
			}
			all, err := e.svc.Flags(ctx, caseID, true)
			mustOK(t, err)
			if len(all) != 2 || all[0].Active || all[1].ClearerName != "Ana Trabajadora" || all[1].ClearedAt.IsZero() {
				t.Errorf("all flags %+v", all)
			}
			for _, f := range all {
				if f.ID == threat.ID && f.Reason != "El captor llamó a la madre de María José" {
					t.Errorf("reason read back %q", f.Reason)
				}
			}
			if e.audited(t, "case.flag_add", caseID) != 2 || e.audited(t, "case.flag_clear", caseID) != 2 {
				t.Error("flag changes must be audited")
			}
		})
		t.Run("flag validation", func(t *testing.T) {
			caseID := e.newCase(t)
			_, err := e.svc.AddFlag(e.as(e.worker), caseID, "bad_mood", "x")
			wantFieldErr(t, err, "flag", "cases.err.choose")
			_, err = e.svc.AddFlag(e.as(e.worker), caseID, "threat", "  ")
			wantFieldErr(t, err, "reason", "validation.required")
			_, err = e.svc.AddFlag(e.as(e.worker), caseID, "threat", strings.Repeat("r", 2001))
			wantFieldErr(t, err, "reason", "validation.too_long")
			if n := e.count(t, "case_flags", caseID); n != 0 {
				t.Errorf("%d flags saved by invalid input", n)
			}
		})
		t.Run("access", func(t *testing.T) {
			caseID := e.newCase(t)
			fl, err := e.svc.AddFlag(e.as(e.worker), caseID, "missing", "No volvió al refugio")
			mustOK(t, err)
			out := e.as(e.outsider)
			wantErrCode(t, e.svc.SetRisk(out, caseID, "low", ""), errs.CodeNotFound)
			_, err = e.svc.AddFlag(out, caseID, "threat", "x")
			wantErrCode(t, err, errs.CodeNotFound)
			wantErrCode(t, e.svc.ClearFlag(out, caseID, fl.ID), errs.CodeNotFound)
			_, err = e.svc.Flags(out, caseID, true)
			wantErrCode(t, err, errs.CodeNotFound)
			e.shelterAccess(t, caseID)
			shelter := e.as(e.coordinator)
			list, err := e.svc.Flags(shelter, caseID, false)
			mustOK(t, err)
			if len(list) != 1 || list[0].Reason != "No volvió al refugio" {
				t.Errorf("shelter sees %+v", list)
			}
			wantErrCode(t, e.svc.SetRisk(shelter, caseID, "low", ""), errs.CodeForbidden)
			wantErrCode(t, e.svc.ClearFlag(shelter, caseID, fl.ID), errs.CodeForbidden)
		})
	})
}
