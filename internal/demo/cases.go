package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

// DemoCases is how many fictitious cases LoadCases creates.
const DemoCases = 300

// casesSeed fixes the demo cases: every new demo shows the same people.
const casesSeed = 20260415

// casesMarker is the app_meta key set once the demo cases are loaded.
const casesMarker = "demo_cases_loaded"

// coast are the provinces whose cases the Guayaquil NGO (Puerto Seguro) takes; the
// Quito NGO (Nuevos Caminos) takes the others.
var coast = []string{"09", "07", "13", "08", "12", "24", "20", "23"}

// demoStaff are the demo users who own the cases.
type demoStaff struct {
	quito, gye, supQuito *auth.User
	supGye               *auth.User // optional: used when the demo has one
}

// LoadCases creates the demo cases once (it checks its own marker in app_meta, so it
// may run at every start): about 300 clearly fictitious cases of the two demo NGOs,
// assigned to their case workers, at every stage, with consents, pending and decided
// approvals, risk, flags and overdue follow-ups. The demo users must exist (Load).
// Everything is written in one transaction; the cases go in through
// cases.Service.BulkInsert and the consents and approvals through the service as the
// demo workers and supervisor, so the audit trail shows them acting.
func LoadCases(ctx context.Context, d *db.DB, svc *cases.Service, users *auth.Service) error {
	var done string
	err := d.QueryRow(ctx, "SELECT value FROM app_meta WHERE key = ?", casesMarker).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("demo: cases marker: %w", err)
	}
	sys := asUser(ctx, nil)
	staff, err := findStaff(sys, users)
	if err != nil {
		return err
	}
	now := time.Now()
	maker := NewCaseMaker(casesSeed, now, 3)
	list := make([]*cases.Case, 0, DemoCases)
	for i := 0; i < DemoCases; i++ {
		c := maker.Make()
		u := staff.quito
		if slices.Contains(coast, c.Identification.Province) {
			u = staff.gye
		}
		c.AgencyID, c.IdentifyingAgency, c.AssignedTo, c.CreatedBy = u.AgencyID, u.AgencyID, u.ID, u.ID
		list = append(list, c)
	}
	list = append(list, duplicatesOf(list, staff)...)
	slices.SortStableFunc(list, func(a, b *cases.Case) int { return a.CreatedAt.Compare(b.CreatedAt) })
	approver := func(c *cases.Case) string {
		if c.AgencyID == staff.supQuito.AgencyID {
			return staff.supQuito.ID
		}
		if staff.supGye != nil {
			return staff.supGye.ID
		}
		return ""
	}
	return d.InTx(sys, func(ctx context.Context) error {
		if err := svc.BulkInsert(ctx, list, cases.BulkOptions{History: true, Approver: approver}); err != nil {
			return fmt.Errorf("demo: cases: %w", err)
		}
		r := rand.New(rand.NewPCG(casesSeed, 1))
		for _, c := range list {
			if err := caseActivity(ctx, svc, r, c, staff, now); err != nil {
				return fmt.Errorf("demo: case %s: %w", c.Number, err)
			}
		}
		_, err := d.Exec(ctx, "INSERT INTO app_meta (key, value) VALUES (?, ?)", casesMarker, db.Now())
		return err
	})
}

// asUser returns ctx acting as u (the system when u is nil), for the policy and the
// audit trail alike.
func asUser(ctx context.Context, u *auth.User) context.Context {
	if u == nil {
		ctx = reqinfo.With(ctx, &reqinfo.Info{Via: "cli", UserID: "system"})
		return access.With(ctx, access.System())
	}
	ctx = reqinfo.With(ctx, &reqinfo.Info{Via: "cli", UserID: u.ID, AgencyID: u.AgencyID, Lang: u.Lang})
	return access.With(ctx, u.Subject())
}

func findStaff(sys context.Context, users *auth.Service) (*demoStaff, error) {
	get := func(email string) (*auth.User, error) {
		u, err := users.UserByEmail(sys, email)
		if err != nil {
			return nil, fmt.Errorf("demo: cases need the demo user %s (run demo.Load first): %w", email, err)
		}
		return u, nil
	}
	var s demoStaff
	var err error
	if s.quito, err = get("trabajadora@amparo.demo"); err != nil {
		return nil, err
	}
	if s.gye, err = get("trabajador.gye@amparo.demo"); err != nil {
		return nil, err
	}
	if s.supQuito, err = get("supervisora@amparo.demo"); err != nil {
		return nil, err
	}
	if u, err := users.UserByEmail(sys, "supervisor.gye@amparo.demo"); err == nil && u.AgencyID == s.gye.AgencyID {
		s.supGye = u
	}
	return &s, nil
}

// duplicatesOf registers a few people twice, as happens when a person moves between
// cities: the same person known to the other NGO, with the name spelt as heard, so the
// likely-duplicates warning has something to show.
func duplicatesOf(list []*cases.Case, staff *demoStaff) []*cases.Case {
	var out []*cases.Case
	for _, i := range []int{7, 42, 133} {
		orig := list[i]
		c := &cases.Case{}
		c.Input = orig.Input
		c.Person.Documents = slices.Clone(orig.Person.Documents)
		c.Person.GivenNames = respell(orig.Person.GivenNames)
		u := staff.gye
		if orig.AssignedTo == staff.gye.ID {
			u = staff.quito
		}
		c.AgencyID, c.IdentifyingAgency, c.AssignedTo, c.CreatedBy = u.AgencyID, u.AgencyID, u.ID, u.ID
		c.Status, c.TraffickingStatus, c.RiskLevel = "identified", "possible", orig.RiskLevel
		c.Identification.How = "ngo_outreach"
		c.CreatedAt = time.Now().AddDate(0, 0, -2-i%5).UTC()
		c.UpdatedAt = c.CreatedAt
		c.Identification.Date = c.CreatedAt.Format("2006-01-02")
		out = append(out, c)
	}
	return out
}

// respell writes a name as it is often misheard (y/ll, v/b, s/z).
func respell(name string) string {
	b := []rune(name)
	for i, r := range b {
		switch r {
		case 'Y':
			return string(b[:i]) + "Ll" + string(b[i+1:])
		case 'v':
			b[i] = 'b'
			return string(b)
		case 's':
			b[i] = 'z'
			return string(b)
		}
	}
	return name + "h"
}

// caseActivity records, through the service and as the people who did it, what
// happened on a case besides its registration: consents (through a representative for
// children under 15), a few withdrawn, the trafficking history the person told, and
// requests for the supervisor's approval, some waiting and some rejected with a comment.
func caseActivity(ctx context.Context, svc *cases.Service, r *rand.Rand, c *cases.Case, staff *demoStaff, now time.Time) error {
	worker, sup := staff.quito, staff.supQuito
	if c.AssignedTo == staff.gye.ID {
		worker, sup = staff.gye, staff.supGye
	}
	wctx := asUser(ctx, worker)
	day := func(t time.Time, plus int) string {
		d := t.AddDate(0, 0, plus)
		if d.After(now) {
			d = now
		}
		return d.In(i18n.Zone()).Format("2006-01-02") // days are Ecuador's
	}
	if c.Status != "identified" || chance(r, 0.5) {
		k := cases.ConsentInput{Purpose: "assistance", Status: "given", GivenBy: "self", Method: "written",
			DecidedOn: day(c.CreatedAt, r.IntN(3))}
		if c.AgeAtID >= 0 && c.AgeAtID < 15 || c.AgeAtID < 18 && chance(r, 0.5) {
			k.GivenBy, k.Representative = "representative", "Representante legal (dato ficticio)"
			if g := c.Person.Guardian; g != nil {
				k.Representative = g.Name + " (" + g.Relation + ")"
			}
		}
		if chance(r, 0.04) {
			k.Status = "refused"
		}
		if _, err := svc.RecordConsent(wctx, c.ID, k); err != nil {
			return fmt.Errorf("consent: %w", err)
		}
		if k.Status == "given" && chance(r, 0.65) {
			k.Purpose, k.Method = "statistics", "verbal_witnessed"
			if _, err := svc.RecordConsent(wctx, c.ID, k); err != nil {
				return fmt.Errorf("statistics consent: %w", err)
			}
			if chance(r, 0.05) {
				k.Status, k.DecidedOn, k.Notes = "withdrawn", day(c.CreatedAt, 20+r.IntN(60)), "Retira el consentimiento en la visita de seguimiento."
				if _, err := svc.RecordConsent(wctx, c.ID, k); err != nil {
					return fmt.Errorf("withdrawal: %w", err)
				}
			}
		}
		if k.Status == "given" && c.TraffickingStatus == "actual" && chance(r, 0.3) {
			k.Purpose, k.Method, k.Notes = "prosecution", "written", ""
			if _, err := svc.RecordConsent(wctx, c.ID, k); err != nil {
				return fmt.Errorf("prosecution consent: %w", err)
			}
		}
	}
	if c.Status != "closed" && c.Status != "identified" || c.Status == "identified" && chance(r, 0.3) {
		if err := historyEvents(wctx, svc, r, c, day); err != nil {
			return err
		}
	}
	hasPlan := false
	if c.Status != "closed" {
		var err error
		if hasPlan, err = openCaseWork(wctx, svc, r, c, now, day); err != nil {
			return err
		}
	}
	var kind, payload, rejection string
	switch {
	case c.Status == "screened" && hasPlan && chance(r, 0.4):
		kind = "plan"
		if chance(r, 0.4) {
			rejection = "Incluir el acompañamiento legal antes de aprobar el plan."
		}
	case c.Status == "identified" && chance(r, 0.5):
		kind, payload = "screening", pick(r, []weighted[string]{{"actual", 75}, {"possible", 20}, {"not_victim", 5}})
		if chance(r, 0.4) {
			rejection = "Falta la entrevista de evaluación completa; completar antes de decidir."
		}
	case c.Status == "follow_up" && chance(r, 0.25):
		kind, payload = "closure", "reintegrated"
	case c.Status == "assisted" && chance(r, 0.1):
		kind, payload = "closure", "lost_contact"
		rejection = "Intentar contacto con la familia y la escuela antes de cerrar."
	}
	if kind == "" {
		return nil
	}
	a, err := svc.RequestApproval(wctx, c.ID, kind, payload)
	if err != nil {
		return fmt.Errorf("request %s: %w", kind, err)
	}
	if rejection != "" && sup != nil {
		if err := svc.Decide(asUser(ctx, sup), a.ID, false, rejection); err != nil {
			return fmt.Errorf("reject %s: %w", kind, err)
		}
	}
	return nil
}

// Fictitious providers of the services in the demo plans.
var providers = map[string]string{
	"shelter":        "Casa de Acogida Luz de Esperanza (ficticia)",
	"health":         "Centro de Salud Tipo B (ficticio)",
	"psychosocial":   "Equipo psicosocial de la fundación",
	"legal":          "Consultorio jurídico gratuito (ficticio)",
	"documentation":  "Registro Civil — ventanilla de atención (ficticia)",
	"education":      "Unidad Educativa Fiscal (ficticia)",
	"livelihood":     "Programa de emprendimiento (ficticio)",
	"family_tracing": "Equipo de búsqueda familiar de la fundación",
	"return":         "Programa de retorno voluntario (ficticio)",
	"safety":         "Unidad de protección de víctimas (ficticia)",
}

var flagReasons = map[string]string{
	"trafficker_contact": "La persona informa de mensajes de un número desconocido que menciona a su familia.",
	"threat":             "Amenazas recibidas por redes sociales después de la denuncia.",
	"missing":            "No se presentó a dos citas y no contesta el teléfono.",
	"self_harm_risk":     "La psicóloga recomienda seguimiento diario esta semana.",
	"health_emergency":   "Ingreso hospitalario; coordinar con el centro de salud.",
	"other":              "Situación que requiere atención de la supervisora.",
}

var taskTitles = []string{"Visita de seguimiento en el domicilio", "Llamar a la familia de acogida",
	"Acompañar a la audiencia en la Fiscalía", "Revisar la matrícula escolar", "Coordinar cita médica",
	"Actualizar la evaluación de riesgo"}

// openCaseWork gives an open case what the case page shows besides its registration:
// an assistance plan with services planned, under way or delivered (from screening on),
// the flags of flagged cases with their reasons, and a few tasks, some overdue. It
// reports whether the case has a plan.
func openCaseWork(wctx context.Context, svc *cases.Service, r *rand.Rand, c *cases.Case, now time.Time,
	day func(time.Time, int) string) (bool, error) {
	if c.Flagged {
		f := pick(r, []weighted[string]{{"trafficker_contact", 35}, {"threat", 30}, {"missing", 15},
			{"self_harm_risk", 10}, {"health_emergency", 5}, {"other", 5}})
		if _, err := svc.AddFlag(wctx, c.ID, f, flagReasons[f]); err != nil {
			return false, fmt.Errorf("flag: %w", err)
		}
	}
	hasPlan := c.Status != "identified" && (c.Status != "screened" || chance(r, 0.7))
	if hasPlan {
		needs := []string{"psychosocial", "health"}
		switch {
		case c.IsChild():
			needs = append(needs, one(r, []string{"education", "family_tracing", "shelter"}))
		case !slices.Contains(c.Person.Nationalities, "ECU"):
			needs = append(needs, one(r, []string{"documentation", "return", "legal"}))
		default:
			needs = append(needs, one(r, []string{"livelihood", "legal", "shelter"}))
		}
		if c.RiskLevel == "high" {
			needs = append(needs, "safety")
		}
		for i, need := range needs {
			from := day(c.CreatedAt, 3+7*i)
			p, err := svc.AddService(wctx, c.ID, cases.ServiceInput{SupportType: need, ProviderName: providers[need],
				PlannedFrom: from, PlannedTo: day(c.CreatedAt, 60+30*i)})
			if err != nil {
				return false, fmt.Errorf("plan: %w", err)
			}
			status := ""
			switch {
			case c.Status == "screened":
			case c.Status == "assisted" && chance(r, 0.5):
				status = one(r, []string{"in_progress", "delivered"})
			case c.Status == "reintegration" || c.Status == "follow_up":
				status = pick(r, []weighted[string]{{"delivered", 80}, {"in_progress", 15}, {"cancelled", 5}})
			}
			if status == "" {
				continue
			}
			delivered := ""
			if status == "delivered" {
				delivered = day(c.CreatedAt, 10+7*i)
			}
			if _, err := svc.UpdateService(wctx, c.ID, p.ID, status, delivered, ""); err != nil {
				return false, fmt.Errorf("plan update: %w", err)
			}
		}
	}
	if c.Status != "identified" && chance(r, 0.6) {
		for i, n := 0, 1+r.IntN(2); i < n; i++ {
			due := now.AddDate(0, 0, -10+r.IntN(40))
			if _, err := svc.AddTask(wctx, c.ID, cases.TaskInput{Title: one(r, taskTitles), DueOn: due.In(i18n.Zone()).Format("2006-01-02")}); err != nil {
				return false, fmt.Errorf("task: %w", err)
			}
		}
	}
	return hasPlan, nil
}
