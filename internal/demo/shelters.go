package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/referrals"
	"github.com/amparo-ec/amparo/internal/shelters"
)

// Markers in app_meta: the shelters (registry, assessments, finances, plans) and,
// separately, their stays, which need the demo cases and are added on a later start
// when the cases come after the shelters.
const (
	sheltersMarker = "demo_shelters_loaded"
	staysMarker    = "demo_shelter_stays_loaded"
)

// shelterDef is one demo shelter: where, who runs it, its beds and staff, how its
// capacity developed over four assessments (overall level of each, 1 best .. 4 worst),
// which domains lag, and its finances.
type shelterDef struct {
	agency, name, province, canton, licence string
	populations, services                   []string
	beds, staff                             map[string]int
	levels                                  [4]float64         // overall level of each assessment, oldest first
	lag                                     map[string]float64 // domains above (+) or below (−) the level
	critical                                []string           // standards rated 4 at the latest assessment
	finance                                 financeDef
}

// financeDef shapes eight quarters of figures: income shares by source at the start
// and at the end (moving linearly), reserves in months at the start and at the end.
type financeDef struct {
	monthlyPerBed         float64
	startShares, endShare map[string]float64
	largest               float64 // the largest single funder's part of its source
	reservesFrom          float64
	reservesTo            float64
	occupancy             float64
}

var (
	diversified = map[string]float64{"central_government": 0.35, "international_donor": 0.25, "private_donations": 0.2, "own_income": 0.2}
	donorHeavy  = map[string]float64{"international_donor": 0.75, "private_donations": 0.15, "own_income": 0.1}
	churchMix   = map[string]float64{"religious_organisation": 0.4, "local_government": 0.3, "private_donations": 0.2, "own_income": 0.1}
)

// demoShelters: five functioning, four needing strengthening, three not functioning at
// the latest assessment, with trends both ways.
var demoShelters = []shelterDef{
	{agency: "nuevos-caminos", name: "Casa Nuevos Caminos — Quito", province: "17", canton: "1701", licence: "MIES-CA-17-0142",
		populations: []string{"adolescents", "women", "nationals", "foreigners"}, services: []string{"psychosocial", "legal", "health", "education", "vocational"},
		beds: map[string]int{"girls": 8, "women": 10, "emergency": 2}, staff: map[string]int{"coordinator": 1, "social_worker": 2, "psychologist": 2, "lawyer": 1, "educator": 1, "caregiver": 6, "security": 2, "cook": 1},
		levels: [4]float64{2.6, 2.2, 1.9, 1.6}, lag: map[string]float64{"infrastructure": 0.3},
		finance: financeDef{monthlyPerBed: 520, startShares: donorHeavy, endShare: diversified, largest: 0.8, reservesFrom: 1.5, reservesTo: 4.2, occupancy: 0.82}},
	{agency: "puerto-seguro", name: "Hogar Puerto Seguro — Guayaquil", province: "09", canton: "0901", licence: "MIES-CA-09-0317",
		populations: []string{"children", "adolescents", "women", "lgbti", "nationals", "foreigners"}, services: []string{"psychosocial", "legal", "health", "education", "family_tracing"},
		beds: map[string]int{"girls": 10, "boys": 6, "women": 8, "lgbti": 3, "family": 2}, staff: map[string]int{"coordinator": 1, "social_worker": 3, "psychologist": 2, "lawyer": 1, "educator": 2, "nurse": 1, "caregiver": 9, "security": 3, "cook": 2},
		levels: [4]float64{2.3, 2.0, 1.8, 1.5}, lag: map[string]float64{"governance": 0.2},
		finance: financeDef{monthlyPerBed: 480, startShares: diversified, endShare: diversified, largest: 0.7, reservesFrom: 3.5, reservesTo: 5.0, occupancy: 0.88}},
	{agency: "casa-luz", name: "Casa Luz de Esperanza — Santo Domingo", province: "23", canton: "2301", licence: "MIES-CA-23-0051",
		populations: []string{"children", "adolescents", "nationals", "foreigners"}, services: []string{"psychosocial", "education", "health"},
		beds: map[string]int{"girls": 8, "boys": 4, "emergency": 2}, staff: map[string]int{"coordinator": 1, "social_worker": 1, "psychologist": 1, "educator": 1, "caregiver": 5, "security": 1, "cook": 1},
		levels: [4]float64{3.0, 2.6, 2.3, 2.0}, lag: map[string]float64{"staffing": 0.3},
		finance: financeDef{monthlyPerBed: 430, startShares: donorHeavy, endShare: churchMix, largest: 0.9, reservesFrom: 0.8, reservesTo: 1.8, occupancy: 0.9}},
	{agency: "frontera-sur", name: "Casa Amanecer — Machala", province: "07", canton: "0701", licence: "MIES-CA-07-0088",
		populations: []string{"adolescents", "women", "nationals", "foreigners"}, services: []string{"psychosocial", "legal", "interpretation"},
		beds: map[string]int{"girls": 6, "women": 6}, staff: map[string]int{"coordinator": 1, "social_worker": 1, "psychologist": 1, "caregiver": 3, "security": 1},
		levels: [4]float64{2.1, 2.4, 2.7, 3.0}, lag: map[string]float64{"safety": 0.4, "governance": 0.3}, critical: []string{"visitor_control"},
		finance: financeDef{monthlyPerBed: 390, startShares: diversified, endShare: donorHeavy, largest: 0.95, reservesFrom: 2.5, reservesTo: 0.6, occupancy: 0.7}},
	{agency: "amazonia-segura", name: "Casa Amazonía — Lago Agrio", province: "21", canton: "2101", licence: "MIES-CA-21-0019",
		populations: []string{"children", "adolescents", "women", "nationals", "foreigners"}, services: []string{"psychosocial", "health", "family_tracing", "interpretation"},
		beds: map[string]int{"girls": 6, "boys": 4, "women": 4}, staff: map[string]int{"coordinator": 1, "social_worker": 1, "psychologist": 1, "nurse": 1, "caregiver": 4, "security": 2, "cook": 1},
		levels: [4]float64{3.1, 2.8, 2.5, 2.2}, lag: map[string]float64{"infrastructure": 0.6},
		finance: financeDef{monthlyPerBed: 410, startShares: donorHeavy, endShare: diversified, largest: 0.85, reservesFrom: 1.0, reservesTo: 3.4, occupancy: 0.75}},
	{agency: "puente-norte", name: "Casa Puente Norte — Tulcán", province: "04", canton: "0401", licence: "MIES-CA-04-0033",
		populations: []string{"adolescents", "women", "men", "lgbti", "foreigners"}, services: []string{"psychosocial", "legal", "interpretation"},
		beds: map[string]int{"women": 6, "men": 4, "lgbti": 2, "family": 2}, staff: map[string]int{"coordinator": 1, "social_worker": 1, "psychologist": 1, "lawyer": 1, "caregiver": 3, "security": 1},
		levels: [4]float64{2.0, 2.0, 1.9, 1.9}, lag: map[string]float64{},
		finance: financeDef{monthlyPerBed: 450, startShares: donorHeavy, endShare: donorHeavy, largest: 0.92, reservesFrom: 3.0, reservesTo: 3.6, occupancy: 0.65}},
	{agency: "semillas-imbabura", name: "Casa Semillas — Ibarra", province: "10", canton: "1001", licence: "MIES-CA-10-0072",
		populations: []string{"children", "adolescents", "nationals"}, services: []string{"psychosocial", "education", "health", "disability_support"},
		beds: map[string]int{"girls": 6, "boys": 6}, staff: map[string]int{"coordinator": 1, "social_worker": 1, "psychologist": 1, "educator": 2, "caregiver": 5, "cook": 1},
		levels: [4]float64{1.8, 1.7, 1.7, 1.6}, lag: map[string]float64{"services": -0.2},
		finance: financeDef{monthlyPerBed: 400, startShares: churchMix, endShare: churchMix, largest: 0.8, reservesFrom: 4.0, reservesTo: 4.5, occupancy: 0.8}},
	{agency: "manos-pacifico", name: "Casa Manos del Pacífico — Portoviejo", province: "13", canton: "1301", licence: "MIES-CA-13-0046",
		populations: []string{"adolescents", "women", "nationals"}, services: []string{"psychosocial"},
		beds: map[string]int{"girls": 4, "women": 6}, staff: map[string]int{"coordinator": 1, "psychologist": 1, "caregiver": 2},
		levels: [4]float64{2.4, 2.8, 3.1, 3.4}, lag: map[string]float64{"staffing": 0.3, "infrastructure": 0.2},
		finance: financeDef{monthlyPerBed: 350, startShares: churchMix, endShare: donorHeavy, largest: 1, reservesFrom: 1.5, reservesTo: 0.3, occupancy: 0.55}},
	{agency: "manglar-verde", name: "Casa Manglar — Esmeraldas", province: "08", canton: "0801", licence: "MIES-CA-08-0029",
		populations: []string{"children", "adolescents", "women", "nationals", "foreigners"}, services: []string{"psychosocial", "health", "education"},
		beds: map[string]int{"girls": 8, "women": 4, "emergency": 2}, staff: map[string]int{"coordinator": 1, "social_worker": 1, "psychologist": 1, "educator": 1, "caregiver": 4, "security": 1, "cook": 1},
		levels: [4]float64{3.4, 3.0, 2.6, 2.2}, lag: map[string]float64{"staffing": 0.5},
		finance: financeDef{monthlyPerBed: 380, startShares: donorHeavy, endShare: diversified, largest: 0.9, reservesFrom: 0.4, reservesTo: 2.2, occupancy: 0.85}},
	{agency: "casa-austral", name: "Casa Austral — Cuenca", province: "01", canton: "0101", licence: "MIES-CA-01-0110",
		populations: []string{"children", "adolescents", "women", "men", "nationals", "foreigners"}, services: []string{"psychosocial", "legal", "health", "vocational", "family_tracing"},
		beds: map[string]int{"girls": 6, "boys": 4, "women": 6, "men": 4}, staff: map[string]int{"coordinator": 1, "social_worker": 2, "psychologist": 2, "lawyer": 1, "educator": 1, "nurse": 1, "caregiver": 6, "security": 2, "cook": 1},
		levels: [4]float64{1.9, 1.8, 1.6, 1.5}, lag: map[string]float64{},
		finance: financeDef{monthlyPerBed: 500, startShares: diversified, endShare: diversified, largest: 0.75, reservesFrom: 5.0, reservesTo: 6.0, occupancy: 0.78}},
	{agency: "horizonte-lojano", name: "Casa Horizonte — Loja", province: "11", canton: "1101", licence: "MIES-CA-11-0064",
		populations: []string{"adolescents", "women", "nationals", "foreigners"}, services: []string{"psychosocial", "legal", "vocational"},
		beds: map[string]int{"girls": 5, "women": 5}, staff: map[string]int{"coordinator": 1, "social_worker": 1, "psychologist": 1, "lawyer": 1, "caregiver": 4, "cook": 1},
		levels: [4]float64{2.9, 2.5, 2.1, 1.8}, lag: map[string]float64{"case_management": 0.2},
		finance: financeDef{monthlyPerBed: 420, startShares: donorHeavy, endShare: diversified, largest: 0.8, reservesFrom: 1.2, reservesTo: 3.3, occupancy: 0.7}},
	{agency: "rio-napo", name: "Casa Río Napo — Francisco de Orellana", province: "22", canton: "2201", licence: "",
		populations: []string{"children", "adolescents", "women", "nationals"}, services: []string{"psychosocial", "family_tracing"},
		beds: map[string]int{"girls": 4, "boys": 2, "women": 2}, staff: map[string]int{"coordinator": 1, "social_worker": 1, "caregiver": 3},
		levels: [4]float64{3.6, 3.3, 3.0, 2.8}, lag: map[string]float64{"case_management": 0.4}, critical: []string{"admission_criteria"},
		finance: financeDef{monthlyPerBed: 300, startShares: donorHeavy, endShare: donorHeavy, largest: 1, reservesFrom: 0.2, reservesTo: 0.9, occupancy: 0.6}},
}

// jitter spreads ratings around a domain's level so they look observed, not computed;
// it sums to zero over six standards.
var jitter = []float64{-0.45, 0.35, 0, 0.4, -0.3, 0}

// ratingsFor builds the ratings of assessment n (0..3) of a shelter.
func ratingsFor(s shelterDef, n int) (map[string]int, map[string]string) {
	ratings, evidence := map[string]int{}, map[string]string{}
	for _, d := range shelters.Domains {
		level := s.levels[n] + s.lag[d.Code]
		for i, std := range d.Standards {
			v := int(math.Round(level + jitter[(i+n)%len(jitter)]))
			ratings[std] = min(max(v, 1), 4)
		}
	}
	if n == 3 {
		for _, std := range s.critical {
			ratings[std] = 4
		}
	}
	for std, v := range ratings {
		if v >= 3 {
			evidence[std] = evidenceNotes[len(std)%len(evidenceNotes)]
		}
	}
	return ratings, evidence
}

var evidenceNotes = []string{
	"No hay registro escrito; el personal lo describe de palabra.",
	"El procedimiento existe pero no se aplicó en los casos revisados.",
	"Documento en borrador, sin aprobar por la dirección.",
	"Se observó en la visita; falta capacitación del personal nuevo.",
}

// assessmentDates are four assessments over two years, the last one to two months
// ago; the n-th shelter is visited a few days after the one before.
func assessmentDates(now time.Time, n int) [4]string {
	var out [4]string
	for i := range out {
		out[i] = now.AddDate(0, -1-8*(3-i), -7*i-4*n).Format("2006-01-02")
	}
	return out
}

// quarters returns the last eight complete calendar quarters, oldest first.
func quarters(now time.Time) [][2]time.Time {
	q := time.Date(now.Year(), time.Month(3*((int(now.Month())-1)/3)+1), 1, 0, 0, 0, 0, time.UTC)
	var out [][2]time.Time
	for i := 8; i >= 1; i-- {
		start := q.AddDate(0, -3*i, 0)
		out = append(out, [2]time.Time{start, start.AddDate(0, 3, -1)})
	}
	return out
}

func financeFor(s shelterDef, k int, q [2]time.Time) shelters.FinanceInput {
	f := s.finance
	beds := 0
	for _, n := range s.beds {
		beds += n
	}
	t := float64(k) / 7
	cost := math.Round(f.monthlyPerBed * float64(beds) * 3 * (1 + 0.02*float64(k)))
	income := map[string]float64{}
	total := cost * (0.97 + 0.01*float64(k%3))
	largest := 0.0
	for _, src := range shelters.IncomeSources {
		share := f.startShares[src]*(1-t) + f.endShare[src]*t
		if share > 0 {
			income[src] = math.Round(total * share)
			largest = max(largest, income[src]*f.largest)
		}
	}
	days := int(q[1].Sub(q[0]).Hours()/24) + 1
	reserves := (f.reservesFrom*(1-t) + f.reservesTo*t) * cost / 3
	return shelters.FinanceInput{PeriodStart: q[0].Format("2006-01-02"), PeriodEnd: q[1].Format("2006-01-02"),
		Income: income, LargestFunder: math.Floor(largest), OperatingCost: cost, UnrestrictedReserves: math.Round(reserves),
		OccupiedBedNights: int(float64(beds*days) * (f.occupancy - 0.04 + 0.02*float64(k%3))),
		StandardBudget:    math.Round(cost * 1.25), SecuredFunding: math.Round(total * (1.0 + 0.01*float64(k)))}
}

// actionsFor writes an improvement plan for the shelter's weakest areas.
func actionsFor(s shelterDef, now time.Time) []shelters.ActionInput {
	day := func(months int) string { return now.AddDate(0, months, 0).Format("2006-01-02") }
	out := []shelters.ActionInput{
		{Domain: "staffing", Action: "Capacitar a todo el personal en atención informada en trauma", Owner: "Coordinación de la casa",
			DueOn: day(-6), SupportReceived: "Taller de 16 horas del Programa Amparo", Status: "done"},
		{Domain: "governance", Action: "Aprobar el manual de políticas y el procedimiento de quejas", Owner: "Directorio",
			DueOn: day(2), Status: "in_progress"},
	}
	for _, dom := range shelters.Domains {
		if d := dom.Code; s.lag[d] > 0 {
			out = append(out, shelters.ActionInput{Domain: d, Action: actionText[d], Owner: "Coordinación de la casa",
				DueOn: day(-1), SupportReceived: "Asistencia técnica del programa", Status: "in_progress"})
		}
	}
	for _, std := range s.critical {
		d, _ := shelters.DomainOf(std)
		out = append(out, shelters.ActionInput{Domain: d, Action: actionText[std], Owner: "Dirección", DueOn: day(1), Status: "planned"})
	}
	if s.finance.reservesTo < shelters.MinReserveMonths || s.finance.endShare["international_donor"] > 0.6 {
		out = append(out, shelters.ActionInput{Domain: "governance", Action: "Diversificar las fuentes de ingreso: convenio con el GAD y campaña de donaciones",
			Owner: "Dirección", DueOn: day(4), SupportReceived: "Mentoría en movilización de recursos", Status: "planned"})
	}
	return out
}

var actionText = map[string]string{
	"safety":             "Revisar el plan de seguridad y simular una evacuación cada trimestre",
	"staffing":           "Contratar una psicóloga y definir la supervisión clínica mensual",
	"case_management":    "Adoptar la ficha de evaluación estandarizada y planes individuales",
	"services":           "Firmar convenios de derivación con el centro de salud y la Defensoría Pública",
	"infrastructure":     "Adecuar una sala de visitas y mejorar la ventilación de los baños",
	"governance":         "Llevar la contabilidad separada del dinero de las personas acogidas",
	"visitor_control":    "Instalar registro de visitas y control de acceso en la puerta principal",
	"admission_criteria": "Escribir y aplicar criterios de admisión con la red de protección local",
}

// LoadShelters creates the demo shelters once (its own app_meta markers, so it may run
// at every start): twelve shelters across provinces run by demo institutions (creating
// the extra fictitious operators when missing), each with four capacity assessments
// over two years, eight quarters of finances and an improvement plan, so the statuses
// spread over functioning, needing strengthening and not functioning with their
// trends. When the demo cases exist, some of them stay in the shelters: cases of the
// operating NGO admitted by its own staff, and cases of the other NGO referred to the
// shelter's operator with the person's consent, accepted and admitted from the
// referral (which then is in progress, or completed once the person left). The demo
// users must exist (Load).
func LoadShelters(ctx context.Context, d *db.DB, svc *shelters.Service, cs *cases.Service, refs *referrals.Service,
	users *auth.Service) error {
	done := func(key string) (bool, error) {
		var v string
		err := d.QueryRow(ctx, "SELECT value FROM app_meta WHERE key = ?", key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	sys := asUser(ctx, nil)
	nc, err := users.UserByEmail(sys, "coordinacion@amparo.demo")
	if err != nil {
		return fmt.Errorf("demo: shelters need the demo user coordinacion@amparo.demo (run demo.Load first): %w", err)
	}
	now := time.Now().In(i18n.Zone())
	if ok, err := done(sheltersMarker); err != nil {
		return fmt.Errorf("demo: shelters marker: %w", err)
	} else if !ok {
		err := d.InTx(sys, func(ctx context.Context) error {
			ids, err := demoAgencies(ctx, users)
			if err != nil {
				return err
			}
			for i, s := range demoShelters {
				if err := loadShelter(ctx, svc, asUser(ctx, nc), ids[s.agency], s, i, now); err != nil {
					return fmt.Errorf("demo: shelter %s: %w", s.name, err)
				}
			}
			_, err = d.Exec(ctx, "INSERT INTO app_meta (key, value) VALUES (?, ?)", sheltersMarker, db.Now())
			return err
		})
		if err != nil {
			return err
		}
	}
	if ok, err := done(staysMarker); err != nil || ok {
		return err
	}
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM cases").Scan(&n); err != nil || n == 0 {
		return err // no demo cases yet: the stays come on a later start
	}
	return d.InTx(sys, func(ctx context.Context) error {
		if err := loadStays(ctx, d, svc, cs, refs, users, now); err != nil {
			return err
		}
		_, err := d.Exec(ctx, "INSERT INTO app_meta (key, value) VALUES (?, ?)", staysMarker, db.Now())
		return err
	})
}

func loadShelter(ctx context.Context, svc *shelters.Service, nc context.Context, agencyID string, s shelterDef, n int, now time.Time) error {
	in := shelters.ShelterInput{AgencyID: agencyID, Name: s.name, LicenceNumber: s.licence, Province: s.province, Canton: s.canton,
		Address: "Dirección reservada (dato ficticio)", ContactName: "Coordinación (dato ficticio)", ContactPhone: "+593 9 0000 0000",
		ContactEmail: "casa@" + s.agency + ".demo", Populations: s.populations, Services: s.services, Beds: s.beds, Staff: s.staff, Active: true}
	if s.licence != "" {
		in.LicenceExpires = now.AddDate(1, 2, 0).Format("2006-01-02")
	}
	sh, err := svc.Save(nc, "", in)
	if err != nil {
		return err
	}
	for i, on := range assessmentDates(now, n) {
		ratings, evidence := ratingsFor(s, i)
		who := "Equipo técnico del Programa Amparo"
		if i%2 == 1 {
			who = "Autoevaluación de la casa con acompañamiento del programa"
		}
		if _, err := svc.AddAssessment(nc, sh.ID, shelters.AssessmentInput{AssessedOn: on, Assessor: who,
			Ratings: ratings, Evidence: evidence}); err != nil {
			return fmt.Errorf("assessment %d: %w", i+1, err)
		}
	}
	for k, q := range quarters(now) {
		if _, err := svc.AddFinance(nc, sh.ID, financeFor(s, k, q)); err != nil {
			return fmt.Errorf("finances %d: %w", k+1, err)
		}
	}
	for _, a := range actionsFor(s, now) {
		if _, err := svc.SaveAction(nc, sh.ID, "", a); err != nil {
			return fmt.Errorf("action: %w", err)
		}
	}
	return nil
}

// demoCase is what the stays need of a demo case (no personal data).
type demoCase struct {
	id, agencyID, worker, sex, identified string
	child                                 bool
}

// bedFor is the bed type for a person.
func bedFor(c demoCase) string {
	switch {
	case c.child && c.sex == "female":
		return "girls"
	case c.child && c.sex == "male":
		return "boys"
	case c.sex == "female":
		return "women"
	case c.sex == "male":
		return "men"
	}
	return "emergency"
}

// loadStays admits some demo cases to the shelters, about two thirds of the beds of
// each shelter at most, and discharges a few earlier stays. Cases of the operating NGO
// are admitted by its staff; other cases come by an accepted referral: the case's
// worker records the consent for the shelter's operator and refers the person, the
// operator's staff accept and admit from the referral, and close it with feedback
// when the person leaves.
func loadStays(ctx context.Context, d *db.DB, svc *shelters.Service, cs *cases.Service, refs *referrals.Service,
	users *auth.Service, now time.Time) error {
	rows, err := d.Query(ctx, `SELECT id, agency_id, COALESCE(assigned_to, ''), sex, is_child, identified_on FROM cases
		WHERE status IN ('screened', 'assisted', 'reintegration') ORDER BY number`)
	if err != nil {
		return err
	}
	var pool []demoCase
	for rows.Next() {
		var c demoCase
		var child int
		if err := rows.Scan(&c.id, &c.agencyID, &c.worker, &c.sex, &child, &c.identified); err != nil {
			rows.Close()
			return err
		}
		c.child = child == 1
		pool = append(pool, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	casa, err := users.UserByEmail(ctx, "casa@amparo.demo")
	if err != nil {
		return fmt.Errorf("demo: stays need the demo user casa@amparo.demo: %w", err)
	}
	ids, err := demoAgencies(ctx, users)
	if err != nil {
		return err
	}
	people, err := newRefPeople(ctx, users, ids)
	if err != nil {
		return err
	}
	list, err := svc.List(asUser(ctx, casa), shelters.Filter{})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	today := now.Format("2006-01-02")
	for i, sh := range list {
		staff := operatorStaff(ctx, sh.AgencyID, casa)
		want := sh.TotalBeds * 2 / 3
		admitted := 0
		for _, c := range pool {
			if admitted >= want+2 { // two of them discharged below
				break
			}
			bed := bedFor(c)
			if used[c.id] || sh.Beds[bed]-sh.OccupiedBy[bed] <= 0 {
				continue
			}
			own := c.agencyID == sh.AgencyID
			if !own && ((c.agencyID != pool[0].agencyID) != (i%2 == 0) || !people.knows(c.worker)) {
				continue // spread the referred cases of both NGOs over the shelters
			}
			in := shelters.AdmitInput{CaseID: c.id, BedType: bed, AdmittedOn: stayDate(c.identified, now, 10+(admitted*23)%140)}
			if !own {
				r, err := people.refer(ctx, refs, cs, refCase{id: c.id, agencyID: c.agencyID, worker: c.worker, child: c.child},
					sh.AgencyID, refPlan{support: []string{"shelter"}, reason: "Necesita acogida especializada y protección."},
					"accepted")
				if err != nil {
					return fmt.Errorf("demo: referral to %s: %w", sh.Name, err)
				}
				in.ReferralID = r.ID
			}
			st, err := svc.Admit(staff(own), sh.ID, in)
			if err != nil {
				return fmt.Errorf("demo: stay in %s: %w", sh.Name, err)
			}
			used[c.id] = true
			sh.OccupiedBy[bed]++
			admitted++
			if admitted <= 2 { // the first two left already
				out := stayDate(in.AdmittedOn, now, 0)
				if t, _ := time.Parse("2006-01-02", in.AdmittedOn); t.AddDate(0, 0, 45).Format("2006-01-02") < today {
					out = t.AddDate(0, 0, 45).Format("2006-01-02")
				}
				reason := shelters.DischargeReasons[(i+admitted)%3]
				if err := svc.Discharge(staff(own), sh.ID, st.ID, out, reason, "Con su familia en la provincia de origen"); err != nil {
					return fmt.Errorf("demo: discharge in %s: %w", sh.Name, err)
				}
				sh.OccupiedBy[bed]--
				if in.ReferralID != "" {
					if _, err := refs.Step(staff(false), in.ReferralID, "complete", referrals.StepInput{Outcome: "service_delivered",
						Comment: "Egresó con su familia; se coordinó el seguimiento con la institución que la derivó."}); err != nil {
						return fmt.Errorf("demo: complete the referral to %s: %w", sh.Name, err)
					}
				}
			}
		}
	}
	return nil
}

// stayDate is daysAgo days before now, but never before the case was identified.
func stayDate(identified string, now time.Time, daysAgo int) string {
	on := now.AddDate(0, 0, -daysAgo).Format("2006-01-02")
	if on < identified {
		return identified
	}
	return on
}

// operatorStaff returns who admits and discharges for a shelter's agency: the demo
// shelter coordinator for Casa Luz; for the other operators (which have no demo
// users) the demo loader acting as their shelter staff, and as their case supervisor
// for their own cases.
func operatorStaff(ctx context.Context, agencyID string, casa *auth.User) func(own bool) context.Context {
	return func(own bool) context.Context {
		if agencyID == casa.AgencyID {
			return asUser(ctx, casa)
		}
		roles := []access.Role{access.ShelterCoordinator}
		if own {
			roles = append(roles, access.CaseSupervisor)
		}
		sys := asUser(ctx, nil)
		return access.With(sys, &access.Subject{UserID: "system", AgencyID: agencyID, Roles: roles, JurisdictionLevel: "agency"})
	}
}
