package cases_test

import (
	"testing"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// An unknown identifying agency is bad input (422 on the field), not a server error.
func TestUnknownIdentifyingAgency(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		age := 20
		_, err := e.svc.Register(e.as(e.worker), cases.Input{Person: cases.Person{GivenNames: "Rosa", Sex: "female",
			EstimatedAge: &age, Nationalities: []string{"ECU"}}, Identification: cases.Identification{Date: "2026-01-01",
			Country: "ECU", Province: "17", How: "hotline"}, TraffickingStatus: "possible",
			IdentifyingAgency: "00000000-0000-0000-0000-000000000000"}, cases.RegisterOptions{NotDuplicate: true})
		e2, ok := errs.As(err)
		if !ok || e2.Code != errs.CodeInvalid || e2.Fields["identifying_agency_id"] != "validation.agency_unknown" {
			t.Fatalf("unknown agency: %v", err)
		}
	})
}
