package cases_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

func TestNotes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		t.Run("add and read", func(t *testing.T) {
			caseID := e.newCase(t)
			first, err := e.svc.AddNote(e.as(e.worker), caseID, "  María José contó que la obligaban a pedir dinero.\r\n")
			mustOK(t, err)
			if first.Body != "María José contó que la obligaban a pedir dinero." || first.AuthorName != "Ana Trabajadora" {
				t.Errorf("added %+v", first)
			}
			e.setNow(t, e.now.Add(time.Hour))
			second, err := e.svc.AddNote(e.as(e.supervisor), caseID, strings.Repeat("ñ", cases.MaxNote))
			mustOK(t, err)
			wantEncrypted(t, e.raw(t, "case_notes", "enc_body", first.ID), "María", "dinero")

			if n := e.audited(t, "case.notes_view", caseID); n != 0 {
				t.Fatalf("notes_view before reading: %d", n)
			}
			notes, err := e.svc.Notes(e.as(e.worker), caseID)
			mustOK(t, err)
			if len(notes) != 2 || notes[0].ID != second.ID || notes[1].ID != first.ID {
				t.Fatalf("notes not newest first: %+v", notes)
			}
			if notes[0].AuthorName != "Carla Supervisora" || notes[1].Body != first.Body || !notes[0].CreatedAt.After(notes[1].CreatedAt) {
				t.Errorf("notes read back wrong: %+v", notes[1])
			}
			if e.audited(t, "case.note_add", caseID) != 2 || e.audited(t, "case.notes_view", caseID) != 1 {
				t.Error("adding and reading notes must be audited")
			}
		})
		t.Run("validation", func(t *testing.T) {
			caseID := e.newCase(t)
			_, err := e.svc.AddNote(e.as(e.worker), caseID, " \n\t ")
			wantFieldErr(t, err, "body", "validation.required")
			_, err = e.svc.AddNote(e.as(e.worker), caseID, strings.Repeat("a", cases.MaxNote+1))
			wantFieldErr(t, err, "body", "validation.too_long")
			if n := e.count(t, "case_notes", caseID); n != 0 {
				t.Errorf("%d notes saved by invalid input", n)
			}
		})
		t.Run("access", func(t *testing.T) {
			caseID := e.newCase(t)
			_, err := e.svc.AddNote(e.as(e.worker), caseID, "nota")
			mustOK(t, err)
			_, err = e.svc.AddNote(e.as(e.outsider), caseID, "nota")
			wantErrCode(t, err, errs.CodeNotFound)
			_, err = e.svc.Notes(e.as(e.outsider), caseID)
			wantErrCode(t, err, errs.CodeNotFound)
			// The shelter reads and writes its own notes, never the owner's; the owner
			// does not read the shelter's.
			e.shelterAccess(t, caseID)
			notes, err := e.svc.Notes(e.as(e.coordinator), caseID)
			mustOK(t, err)
			if len(notes) != 0 {
				t.Errorf("shelter sees %d notes of the owner", len(notes))
			}
			_, err = e.svc.AddNote(e.as(e.coordinator), caseID, "nota de la casa")
			mustOK(t, err)
			if notes, _ := e.svc.Notes(e.as(e.coordinator), caseID); len(notes) != 1 || notes[0].Body != "nota de la casa" {
				t.Errorf("shelter's own notes: %+v", notes)
			}
			if notes, _ := e.svc.Notes(e.as(e.worker), caseID); len(notes) != 1 || notes[0].Body != "nota" {
				t.Errorf("owner's notes: %+v", notes)
			}
			if n := e.count(t, "case_notes", caseID); n != 2 {
				t.Errorf("%d notes, want 2", n)
			}
		})
	})
}
