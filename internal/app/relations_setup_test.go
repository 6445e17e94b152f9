package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// One case with every relation to it, for TestRouteRelations: the people, what the
// owning agency wrote into each part of the file, and which relation should see it.

// The relations, as subtest names.
const (
	relOwner       = "owner"
	relAssigned    = "assigned"
	relReferral    = "referral"
	relShelter     = "shelter"
	relProsecution = "prosecution"
	relOutsider    = "outsider"
)

var allRelations = []string{relOwner, relAssigned, relReferral, relShelter, relProsecution, relOutsider}

// Markers: each is written by the owning agency into one part of the file; the matrix
// says which relations may see it.
const (
	mkName      = "Nayeli"
	mkCedula    = "1710034065"
	mkContact   = "0987000111"
	mkGuardian  = "Rosa Lema"
	mkNote      = "NOTA-DE-LA-DUENA"
	mkNarrative = "RELATO-DE-LA-NINA"
	mkFile      = "denuncia-secreta"
	mkTask      = "TAREA-INTERNA"
	mkPlan      = "PLAN-DE-SEGURIDAD"
	mkFlag      = "ALERTA-MOTIVO"
)

// seenBy is, for each marker, the relations whose case page shows it.
var seenBy = map[string][]string{
	mkName:            {relOwner, relAssigned, relReferral, relShelter, relProsecution},
	mkCedula:          {relOwner, relAssigned, relProsecution},   // documents: the prosecution set
	mkContact:         {relOwner, relAssigned},                   // neither psychosocial nor shelter carries it
	mkGuardian:        {relOwner, relAssigned, relShelter},       // a shelter referral carries the guardian
	mkNote:            {relOwner, relAssigned},                   // notes are the writing agency's
	mkNarrative:       {relOwner, relAssigned},                   // never shared
	mkFile:            {relOwner, relAssigned},                   // never shared
	mkTask:            {relOwner, relAssigned},                   // the owner's work
	mkPlan:            {relOwner, relAssigned, relShelter},       // the shelter keeps the person safe
	mkFlag:            {relOwner, relAssigned, relShelter},       // …and acts on the alerts
	`id="why-shared"`: {relReferral, relShelter, relProsecution}, // receivers are told why they see it
}

// relationsCase is a case with every relation to it, set up through the services as
// the people would.
type relationsCase struct {
	id, number, attachment, shelter string
	users                           map[string]*auth.User
}

func as(u *auth.User) context.Context {
	ctx := reqinfo.With(context.Background(), &reqinfo.Info{Via: "web", UserID: u.ID, AgencyID: u.AgencyID, Lang: "es"})
	return access.With(ctx, u.Subject())
}

func setUpRelations(t *testing.T, ta *testApp) *relationsCase {
	t.Helper()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	ag := map[string]string{}
	for code, typ := range map[string]string{"duena": "ngo", "recibe": "ngo", "albergue": "shelter", "fiscalia": "prosecution",
		"ajena": "ngo", "programa": "international_organisation"} {
		a, err := ta.Auth.CreateAgency(system(), &auth.Agency{Code: code, Name: "Institución " + code, Type: typ,
			ProvinceCode: "17", CantonCode: "1701"})
		must("agency "+code, err)
		ag[code] = a.ID
	}
	rc := &relationsCase{users: map[string]*auth.User{
		relOwner:       ta.createUser(t, ag["duena"], access.CaseSupervisor, "sup@duena.test"),
		relAssigned:    ta.createUser(t, ag["duena"], access.CaseWorker, "worker@duena.test"),
		relReferral:    ta.createUser(t, ag["recibe"], access.CaseWorker, "worker@recibe.test"),
		relShelter:     ta.createUser(t, ag["albergue"], access.ShelterCoordinator, "casa@albergue.test"),
		relProsecution: ta.createUser(t, ag["fiscalia"], access.ProsecutionLiaison, "enlace@fiscalia.test"),
		relOutsider:    ta.createUser(t, ag["ajena"], access.CaseSupervisor, "sup@ajena.test"),
	}}
	nc := ta.createUser(t, ag["programa"], access.NationalCoordinator, "coordinacion@programa.test")
	w := as(rc.users[relAssigned])
	today := time.Now().In(time.FixedZone("ECT", -5*3600)).Format("2006-01-02")
	birth := time.Now().AddDate(-14, -2, 0).Format("2006-01-02")
	c, err := ta.Cases.Register(w, cases.Input{
		Person: cases.Person{GivenNames: mkName, FamilyNames: "Caiza Lema", Sex: "female", Gender: "woman", BirthDate: birth,
			Nationalities: []string{"ECU"}, Documents: []cases.Document{{Type: "cedula", Number: mkCedula}},
			Contact: mkContact, Guardian: &cases.Guardian{Name: mkGuardian, Relation: "madre"}},
		Identification:    cases.Identification{Date: today, Country: "ECU", Province: "17", Canton: "1701", How: "police_operation"},
		TraffickingStatus: "possible", Exploitation: []string{"sexual"}, RiskLevel: "high",
	}, cases.RegisterOptions{NotDuplicate: true})
	must("register", err)
	rc.id, rc.number = c.ID, c.Number
	_, err = ta.Cases.AddNote(w, c.ID, mkNote+": la tía sabe dónde vive el reclutador")
	must("note", err)
	_, err = ta.Cases.AddEvent(w, c.ID, cases.EventInput{Kind: "recruitment", Country: "ECU", Province: "17", Canton: "1701",
		Narrative: mkNarrative + ": la llevaron en una camioneta"})
	must("event", err)
	a, err := ta.Cases.AddAttachment(w, c.ID, mkFile+".pdf", []byte("%PDF-1.4\n% denuncia\n%%EOF\n"))
	must("attachment", err)
	rc.attachment = a.ID
	_, err = ta.Cases.AddTask(w, c.ID, cases.TaskInput{Title: mkTask, DueOn: today})
	must("task", err)
	must("risk", ta.Cases.SetRisk(w, c.ID, "high", mkPlan+": no salir sola"))
	_, err = ta.Cases.AddFlag(w, c.ID, "trafficker_contact", mkFlag+": llamadas de un número desconocido")
	must("flag", err)
	for _, k := range []cases.ConsentInput{{Purpose: "referral", AgencyID: ag["recibe"]}, {Purpose: "referral", AgencyID: ag["albergue"]},
		{Purpose: "prosecution"}} {
		k.Status, k.GivenBy, k.Representative, k.Method, k.DecidedOn = "given", "representative", mkGuardian, "written", today
		_, err := ta.Cases.RecordConsent(w, c.ID, k)
		must("consent "+k.Purpose, err)
	}
	send := func(in referrals.ReferralInput, by string) *referrals.Referral {
		t.Helper()
		in.CaseID = c.ID
		r, err := ta.Referrals.Send(w, in)
		must("send to "+by, err)
		_, err = ta.Referrals.Step(as(rc.users[by]), r.ID, "accept", referrals.StepInput{})
		must("accept by "+by, err)
		return r
	}
	send(referrals.ReferralInput{ToAgencyID: ag["recibe"], SupportTypes: []string{"psychosocial"}}, relReferral)
	toShelter := send(referrals.ReferralInput{ToAgencyID: ag["albergue"], SupportTypes: []string{"shelter"}}, relShelter)
	send(referrals.ReferralInput{Purpose: "prosecution", ToAgencyID: ag["fiscalia"]}, relProsecution)
	sh, err := ta.Shelters.Save(as(nc), "", shelters.ShelterInput{AgencyID: ag["albergue"], Name: "Casa de prueba", Province: "17",
		Canton: "1701", Populations: []string{"children", "adolescents"}, Services: []string{"psychosocial"},
		Beds: map[string]int{"girls": 2}, Staff: map[string]int{"coordinator": 1}, Active: true})
	must("shelter", err)
	rc.shelter = sh.ID
	_, err = ta.Shelters.Admit(as(rc.users[relShelter]), sh.ID, shelters.AdmitInput{CaseID: c.ID, ReferralID: toShelter.ID, BedType: "girls"})
	must("admit", err)
	// Admitting the girl from the referral put the referral under way.
	got, err := ta.Referrals.Get(w, toShelter.ID)
	must("referral after admission", err)
	if got.Status != "in_progress" {
		t.Errorf("after the admission the shelter referral is %q, want in_progress", got.Status)
	}
	return rc
}
