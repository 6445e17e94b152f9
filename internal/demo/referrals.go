package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/referrals"
)

// referralsMarker is the app_meta key set once the demo referrals are loaded.
const referralsMarker = "demo_referrals_loaded"

// refPlan is a batch of demo referrals: from the cases of one NGO to one institution,
// for these services, each ending in one of ends (a referral status).
type refPlan struct {
	from, to string // agency codes
	purpose  string // "" for a referral for services, "prosecution"
	support  []string
	ends     []string
	reason   string
}

// refPlans put referrals in every state on both sides of the demo's institutions: the
// two NGOs refer to each other, to the health network, to the shelter Casa Luz (whose
// inbox keeps some waiting) and to the prosecution, whose liaison sees them arrive.
var refPlans = []refPlan{
	{from: "nuevos-caminos", to: "puerto-seguro", support: []string{"livelihood"}, reason: "Busca formación para el empleo en la costa.",
		ends: []string{"sent", "sent", "accepted", "in_progress", "completed", "declined", "cancelled", "revoked"}},
	{from: "puerto-seguro", to: "nuevos-caminos", support: []string{"legal", "psychosocial"}, reason: "Se trasladó a Quito con su familia; necesita patrocinio y acompañamiento.",
		ends: []string{"sent", "sent", "accepted", "in_progress", "completed", "declined", "cancelled", "revoked"}},
	{from: "nuevos-caminos", to: "salud-comunitaria", support: []string{"health"}, reason: "Control médico y salud sexual y reproductiva.",
		ends: []string{"sent", "in_progress", "completed"}},
	{from: "puerto-seguro", to: "casa-luz", support: []string{"shelter", "psychosocial"}, reason: "Necesita acogida fuera de su ciudad por seguridad.",
		ends: []string{"sent", "sent", "declined", "cancelled"}},
	{from: "nuevos-caminos", to: "fiscalia-pichincha", purpose: "prosecution", reason: "La persona decidió denunciar; se remite para la investigación.",
		ends: []string{"sent", "accepted", "in_progress", "completed", "declined", "revoked"}},
	{from: "puerto-seguro", to: "fiscalia-pichincha", purpose: "prosecution", reason: "Denuncia por trata con fines de explotación; la víctima colabora.",
		ends: []string{"sent", "accepted", "in_progress", "completed"}},
}

// LoadReferrals creates the demo referrals once (its own app_meta marker, so it may run
// at every start), after the cases and the service map: for each, the case's worker
// records the consent for that institution (or for the prosecution), sends the
// referral, and the receiving institution's staff accept, decline, start or complete
// it; a few are cancelled by the sender and a few revoked because the person withdrew
// the consent. Everything goes through the services as the demo users (and, for
// institutions without demo users, their staff) would.
func LoadReferrals(ctx context.Context, d *db.DB, refs *referrals.Service, cs *cases.Service, users *auth.Service) error {
	var done string
	err := d.QueryRow(ctx, "SELECT value FROM app_meta WHERE key = ?", referralsMarker).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("demo: referrals marker: %w", err)
	}
	sys := asUser(ctx, nil)
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM cases").Scan(&n); err != nil || n == 0 {
		return err // no demo cases yet: the referrals come on a later start
	}
	return d.InTx(sys, func(ctx context.Context) error {
		ids, err := demoAgencies(ctx, users)
		if err != nil {
			return err
		}
		people, err := newRefPeople(ctx, users, ids)
		if err != nil {
			return err
		}
		pool, err := referable(ctx, d)
		if err != nil {
			return err
		}
		used := map[string]bool{}
		for _, p := range refPlans {
			for _, end := range p.ends {
				c, ok := nextCase(pool, used, ids[p.from], p.purpose == "prosecution", people.knows)
				if !ok {
					return fmt.Errorf("demo: no case of %s left to refer to %s", p.from, p.to)
				}
				used[c.id] = true
				if _, err := people.refer(ctx, refs, cs, c, ids[p.to], p, end); err != nil {
					return fmt.Errorf("demo: referral of %s to %s (%s): %w", c.id, p.to, end, err)
				}
			}
		}
		_, err = d.Exec(ctx, "INSERT INTO app_meta (key, value) VALUES (?, ?)", referralsMarker, db.Now())
		return err
	})
}

// refCase is what the referrals need of a demo case (no personal data).
type refCase struct {
	id, agencyID, worker string
	child, actual        bool
}

// referable lists the open cases past screening, the ones a worker refers on.
func referable(ctx context.Context, d *db.DB) ([]refCase, error) {
	rows, err := d.Query(ctx, `SELECT id, agency_id, COALESCE(assigned_to, ''), is_child, trafficking_status FROM cases
		WHERE status IN ('screened', 'assisted', 'reintegration', 'follow_up') ORDER BY number DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []refCase
	for rows.Next() {
		var c refCase
		var child int
		var status string
		if err := rows.Scan(&c.id, &c.agencyID, &c.worker, &child, &status); err != nil {
			return nil, err
		}
		c.child, c.actual = child == 1, status == "actual"
		out = append(out, c)
	}
	return out, rows.Err()
}

func nextCase(pool []refCase, used map[string]bool, agencyID string, actual bool, known func(string) bool) (refCase, bool) {
	for _, c := range pool {
		if !used[c.id] && c.agencyID == agencyID && known(c.worker) && (!actual || c.actual) {
			return c, true
		}
	}
	return refCase{}, false
}

// refPeople acts as the people on both sides: the workers who refer, and each
// institution's staff who answer.
type refPeople struct {
	ctx      context.Context
	byID     map[string]*auth.User
	receiver map[string]context.Context // by agency id
}

func newRefPeople(ctx context.Context, users *auth.Service, ids map[string]string) (*refPeople, error) {
	p := &refPeople{ctx: ctx, byID: map[string]*auth.User{}, receiver: map[string]context.Context{}}
	for email, code := range map[string]string{"trabajadora@amparo.demo": "", "trabajador.gye@amparo.demo": "",
		"supervisora@amparo.demo": "nuevos-caminos", "reintegracion@amparo.demo": "puerto-seguro",
		"casa@amparo.demo": "casa-luz", "fiscalia@amparo.demo": "fiscalia-pichincha"} {
		u, err := users.UserByEmail(ctx, email)
		if err != nil {
			return nil, fmt.Errorf("demo: referrals need the demo user %s: %w", email, err)
		}
		p.byID[u.ID] = u
		if code != "" {
			p.receiver[ids[code]] = asUser(ctx, u)
		}
	}
	// The health network has no demo user: the loader acts as its staff.
	p.receiver[ids["salud-comunitaria"]] = agencyStaff(ctx, ids["salud-comunitaria"], access.CaseWorker)
	return p, nil
}

// knows reports whether the worker is a demo user the loader can act as.
func (p *refPeople) knows(userID string) bool { return p.byID[userID] != nil }

// staff acts as the receiving institution: its demo user, or the loader as its staff
// (a shelter coordinator, for the shelter operators without demo users).
func (p *refPeople) staff(agencyID string) context.Context {
	if ctx, ok := p.receiver[agencyID]; ok {
		return ctx
	}
	return agencyStaff(p.ctx, agencyID, access.ShelterCoordinator)
}

// agencyStaff is the demo loader acting as staff of an institution that has no demo
// user, with roles.
func agencyStaff(ctx context.Context, agencyID string, roles ...access.Role) context.Context {
	return access.With(asUser(ctx, nil), &access.Subject{UserID: "system", AgencyID: agencyID, Roles: roles,
		JurisdictionLevel: "agency"})
}

// refer sends one referral as the case's worker, after recording the consent it needs,
// and takes it to end as the receiving institution (or the worker) would.
func (p *refPeople) refer(ctx context.Context, refs *referrals.Service, cs *cases.Service, c refCase, toID string,
	plan refPlan, end string) (*referrals.Referral, error) {
	worker := asUser(ctx, p.byID[c.worker])
	purpose, consentAgency := "referral", toID
	if plan.purpose == "prosecution" {
		purpose, consentAgency = "prosecution", ""
	}
	today := time.Now().In(i18n.Zone()).Format("2006-01-02")
	consent := cases.ConsentInput{Purpose: purpose, AgencyID: consentAgency, Status: "given", GivenBy: "self",
		Method: "written", DecidedOn: today}
	if c.child {
		consent.GivenBy, consent.Representative = "representative", "Representante legal (dato ficticio)"
	}
	if st, err := cs.ConsentStatus(worker, c.id, purpose, consentAgency); err != nil {
		return nil, err
	} else if st != "given" {
		if _, err := cs.RecordConsent(worker, c.id, consent); err != nil {
			return nil, fmt.Errorf("consent: %w", err)
		}
	}
	r, err := refs.Send(worker, referrals.ReferralInput{CaseID: c.id, Purpose: plan.purpose, ToAgencyID: toID,
		SupportTypes: plan.support, Reason: plan.reason})
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	recv := p.staff(toID)
	step := func(who context.Context, action string, in referrals.StepInput) error {
		if _, err := refs.Step(who, r.ID, action, in); err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
		return nil
	}
	switch end {
	case "sent":
		return r, nil
	case "declined":
		return r, step(recv, "decline", referrals.StepInput{DeclineReason: "no_capacity",
			Comment: "Sin cupo este mes; sugerimos la red de la provincia."})
	case "cancelled":
		return r, step(worker, "cancel", referrals.StepInput{Comment: "La persona encontró el servicio más cerca de su casa."})
	}
	if err := step(recv, "accept", referrals.StepInput{}); err != nil {
		return nil, err
	}
	switch end {
	case "revoked": // the person changed their mind: the consent is withdrawn
		consent.Status, consent.Notes = "withdrawn", "Prefiere no seguir con esta institución."
		if _, err := cs.RecordConsent(worker, c.id, consent); err != nil {
			return nil, fmt.Errorf("withdraw: %w", err)
		}
		return r, nil
	case "in_progress", "completed":
		if err := step(recv, "start", referrals.StepInput{}); err != nil {
			return nil, err
		}
	}
	if end == "completed" {
		return r, step(recv, "complete", referrals.StepInput{Outcome: "service_delivered",
			Comment: "Se brindó el servicio; la persona asistió a todas las citas (dato ficticio)."})
	}
	return r, nil
}
