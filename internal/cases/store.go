package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// store holds the SQL of the case tables; no other package touches them.
type store struct {
	d  *db.DB
	kr *secure.Keyring
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nextNumber reserves the next case number of the year inside the transaction. One
// upsert does it: on PostgreSQL two registrations of a year without a number yet would
// both miss a SELECT and collide on the INSERT; the conflict clause turns the second
// into the increment, which waits for the first's row lock.
func (s *store) nextNumber(ctx context.Context, year int) (string, error) {
	var last int
	err := s.d.QueryRowWrite(ctx, `INSERT INTO case_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, year).Scan(&last)
	if err != nil {
		return "", fmt.Errorf("cases: counter: %w", err)
	}
	return fmt.Sprintf("EC-%d-%05d", year, last), nil
}

// writeCase inserts (insert=true) or updates the case row and its side tables.
func (s *store) writeCase(ctx context.Context, c *Case, insert bool) error {
	sl := &sealer{kr: s.kr, kind: "case", id: c.ID}
	p := &c.Person
	enc := []any{sl.seal("given_names", p.GivenNames), sl.seal("family_names", p.FamilyNames),
		sl.sealJSON("aliases", p.Aliases), sl.seal("birth_date", p.BirthDate), sl.sealJSON("documents", p.Documents),
		sl.seal("contact", p.Contact), sl.seal("disability_notes", p.DisabilityNotes), sl.sealJSON("guardian", p.Guardian),
		sl.seal("safety_plan", c.SafetyPlan)}
	if sl.err != nil {
		return sl.err
	}
	id := &c.Identification
	var birthYear any
	if c.BirthYear > 0 {
		birthYear = c.BirthYear
	}
	clear := []any{c.AgencyID, nullStr(c.IdentifyingAgency), nullStr(c.AssignedTo), c.Status, c.ClosureReason,
		c.TraffickingStatus, c.StatusDecidedBy, id.Date, id.Country, nullStr(id.Province), nullStr(id.Canton), id.How,
		p.Sex, p.Gender, birthYear, nullInt(p.EstimatedAge), c.AgeAtID, c.AgeGroup, b2i(c.IsChild()), p.Ethnicity,
		b2i(p.Disability), c.RecruiterRelation, nullInt(c.DurationMonths), c.RiskLevel, b2i(c.Flagged), c.NextFollowUp}
	cols := `agency_id, identifying_agency_id, assigned_to, status, closure_reason, trafficking_status, status_decided_by,
		identified_on, id_country, id_province, id_canton, id_how, sex, gender, birth_year, estimated_age, age_at_id,
		age_group, is_child, ethnicity, disability, recruiter_relation, duration_months, risk_level, flagged, next_follow_up,
		enc_given_names, enc_family_names, enc_aliases, enc_birth_date, enc_documents, enc_contact, enc_disability_notes,
		enc_guardian, enc_safety_plan`
	args := append(clear, enc...)
	if insert {
		args = append([]any{c.ID, c.Number, c.Version}, args...)
		args = append(args, c.CreatedBy, db.FormatTime(c.CreatedAt), db.FormatTime(c.UpdatedAt), formatOpt(c.ClosedAt))
		q := "INSERT INTO cases (id, number, version, " + cols + ", created_by, created_at, updated_at, closed_at) VALUES (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ") + ")"
		if _, err := s.d.Exec(ctx, q, args...); err != nil {
			if db.IsForeignKeyViolation(err) {
				return errs.Invalid(map[string]string{"identifying_agency_id": "validation.agency_unknown"})
			}
			return fmt.Errorf("cases: insert: %w", err)
		}
	} else {
		sets := []string{}
		for _, col := range strings.Split(cols, ",") {
			sets = append(sets, strings.TrimSpace(col)+" = ?")
		}
		q := "UPDATE cases SET " + strings.Join(sets, ", ") + ", version = version + 1, updated_at = ?, closed_at = ? WHERE id = ? AND version = ?"
		args = append(args, db.FormatTime(c.UpdatedAt), formatOpt(c.ClosedAt), c.ID, c.Version)
		res, err := s.d.Exec(ctx, q, args...)
		if db.IsForeignKeyViolation(err) {
			return errs.Invalid(map[string]string{"identifying_agency_id": "validation.agency_unknown"})
		}
		if err != nil {
			return fmt.Errorf("cases: update: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Conflict("error.conflict")
		}
		c.Version++
	}
	return s.writeSide(ctx, c)
}

func formatOpt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return db.FormatTime(t)
}

// writeSide replaces the multi-valued codes and the blind indexes of a case.
func (s *store) writeSide(ctx context.Context, c *Case) error {
	if _, err := s.d.Exec(ctx, "DELETE FROM case_values WHERE case_id = ?", c.ID); err != nil {
		return fmt.Errorf("cases: clear values: %w", err)
	}
	for kind, vals := range map[string][]string{"nationality": c.Person.Nationalities, "language": c.Person.Languages,
		"exploitation": c.Exploitation, "sex_type": c.SexTypes, "industry": c.Industries, "control": c.Control,
		"recruitment": c.Recruitment} {
		for _, v := range vals {
			if _, err := s.d.Exec(ctx, "INSERT INTO case_values (case_id, kind, value) VALUES (?, ?, ?)", c.ID, kind, v); err != nil {
				return fmt.Errorf("cases: value: %w", err)
			}
		}
	}
	if _, err := s.d.Exec(ctx, "DELETE FROM case_search WHERE case_id = ?", c.ID); err != nil {
		return fmt.Errorf("cases: clear search: %w", err)
	}
	for _, k := range personKeys(s.kr, &c.Person, c.BirthYear) {
		if _, err := s.d.Exec(ctx, "INSERT INTO case_search (case_id, kind, value) VALUES (?, ?, ?)", c.ID, k.kind, k.value); err != nil {
			return fmt.Errorf("cases: search key: %w", err)
		}
	}
	return nil
}

const caseCols = `c.id, c.number, c.version, c.agency_id, COALESCE(ag.name, ''), COALESCE(c.identifying_agency_id, ''),
	COALESCE(c.assigned_to, ''), COALESCE(u.name, ''), c.status, c.closure_reason, c.trafficking_status, c.status_decided_by,
	c.identified_on, c.id_country, COALESCE(c.id_province, ''), COALESCE(c.id_canton, ''), c.id_how, c.sex, c.gender,
	COALESCE(c.birth_year, 0), c.estimated_age, c.age_at_id, c.age_group, c.ethnicity, c.disability, c.recruiter_relation,
	c.duration_months, c.risk_level, c.flagged, c.next_follow_up, c.created_at, c.updated_at, c.closed_at, c.created_by`

const caseFrom = ` FROM cases c JOIN agencies ag ON ag.id = c.agency_id LEFT JOIN users u ON u.id = c.assigned_to`

// rawCase is a row before decryption.
type rawCase struct {
	c   Case
	enc [9]string
}

func scanCase(sc interface{ Scan(...any) error }, withEnc bool) (*rawCase, error) {
	var r rawCase
	c := &r.c
	var est, dur sql.NullInt64
	var disab, flagged int
	var created, updated, closed string
	dest := []any{&c.ID, &c.Number, &c.Version, &c.AgencyID, &c.AgencyName, &c.IdentifyingAgency, &c.AssignedTo,
		&c.AssignedName, &c.Status, &c.ClosureReason, &c.TraffickingStatus, &c.StatusDecidedBy, &c.Identification.Date,
		&c.Identification.Country, &c.Identification.Province, &c.Identification.Canton, &c.Identification.How,
		&c.Person.Sex, &c.Person.Gender, &c.BirthYear, &est, &c.AgeAtID, &c.AgeGroup, &c.Person.Ethnicity, &disab,
		&c.RecruiterRelation, &dur, &c.RiskLevel, &flagged, &c.NextFollowUp, &created, &updated, &closed, &c.CreatedBy}
	if withEnc {
		for i := range r.enc {
			dest = append(dest, &r.enc[i])
		}
	}
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	if est.Valid {
		v := int(est.Int64)
		c.Person.EstimatedAge = &v
	}
	if dur.Valid {
		v := int(dur.Int64)
		c.DurationMonths = &v
	}
	c.Person.Disability, c.Flagged = disab == 1, flagged == 1
	c.CreatedAt, _ = db.ParseTime(created)
	c.UpdatedAt, _ = db.ParseTime(updated)
	if closed != "" {
		c.ClosedAt, _ = db.ParseTime(closed)
	}
	return &r, nil
}

const encCols = `, c.enc_given_names, c.enc_family_names, c.enc_aliases, c.enc_birth_date, c.enc_documents, c.enc_contact,
	c.enc_disability_notes, c.enc_guardian, c.enc_safety_plan`

// open decrypts the identifying fields of a case; with a view, only those it shows
// (nil: all of them), so a receiving agency's read never decrypts what it may not see.
func (s *store) open(r *rawCase, v *View) (*Case, error) {
	c := &r.c
	sl := &sealer{kr: s.kr, kind: "case", id: c.ID}
	p := &c.Person
	want := func(field string) bool { return v == nil || v.Field(field) }
	if want("given_names") {
		p.GivenNames = sl.open("given_names", r.enc[0])
	}
	if want("family_names") {
		p.FamilyNames = sl.open("family_names", r.enc[1])
	}
	if v == nil || v.Full() {
		sl.openJSON("aliases", r.enc[2], &p.Aliases)
	}
	if want("birth_date") {
		p.BirthDate = sl.open("birth_date", r.enc[3])
	}
	if want("documents") {
		sl.openJSON("documents", r.enc[4], &p.Documents)
	}
	if want("contact") {
		p.Contact = sl.open("contact", r.enc[5])
	}
	if want("disability") {
		p.DisabilityNotes = sl.open("disability_notes", r.enc[6])
	}
	if want("guardian") {
		sl.openJSON("guardian", r.enc[7], &p.Guardian)
	}
	if v == nil || v.Reach(SecSafety) == ReachAll {
		c.SafetyPlan = sl.open("safety_plan", r.enc[8])
	}
	return c, sl.err
}

// openNames decrypts only the names (for lists).
func (s *store) openNames(c *Case, given, family string) error {
	sl := &sealer{kr: s.kr, kind: "case", id: c.ID}
	c.Person.GivenNames = sl.open("given_names", given)
	c.Person.FamilyNames = sl.open("family_names", family)
	return sl.err
}

// load reads one case with its decrypted fields and side values, or NotFound.
func (s *store) load(ctx context.Context, id string) (*Case, error) { return s.loadFor(ctx, id, nil) }

// loadFor reads one case as a view shows it (nil: all of it), or NotFound.
func (s *store) loadFor(ctx context.Context, id string, v *View) (*Case, error) {
	r, err := scanCase(s.d.QueryRow(ctx, "SELECT "+caseCols+encCols+caseFrom+" WHERE c.id = ?", id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("cases: load: %w", err)
	}
	c, err := s.open(r, v)
	if err != nil {
		return nil, err
	}
	if err := s.loadValues(ctx, c); err != nil {
		return nil, err
	}
	if v != nil {
		c = redact(c, v)
	}
	return c, nil
}

func (s *store) loadValues(ctx context.Context, c *Case) error {
	rows, err := s.d.Query(ctx, "SELECT kind, value FROM case_values WHERE case_id = ? ORDER BY kind, value", c.ID)
	if err != nil {
		return fmt.Errorf("cases: values: %w", err)
	}
	defer rows.Close()
	c.Person.Nationalities, c.Person.Languages, c.Exploitation = nil, nil, nil
	c.SexTypes, c.Industries, c.Control, c.Recruitment = nil, nil, nil, nil
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		switch k {
		case "nationality":
			c.Person.Nationalities = append(c.Person.Nationalities, v)
		case "language":
			c.Person.Languages = append(c.Person.Languages, v)
		case "exploitation":
			c.Exploitation = append(c.Exploitation, v)
		case "sex_type":
			c.SexTypes = append(c.SexTypes, v)
		case "industry":
			c.Industries = append(c.Industries, v)
		case "control":
			c.Control = append(c.Control, v)
		case "recruitment":
			c.Recruitment = append(c.Recruitment, v)
		}
	}
	return rows.Err()
}

// relation returns what the policy needs to decide on a case: owning agency, assigned
// worker, related agencies and place.
func (s *store) relation(ctx context.Context, id string) (access.Record, error) {
	rec, _, err := s.access(ctx, id)
	return rec, err
}

// scopeSQL is the SQL form of the policy for lists: the cases the subject may open for
// action. It mirrors access.Subject.Allows.
func scopeSQL(sub *access.Subject, a access.Action) (string, []any) {
	// An IN over case_access (not a correlated EXISTS) lets both engines answer each side
	// of the OR from an index instead of scanning cases (see docs/PERFORMANCE.md).
	related := "c.id IN (SELECT ca.case_id FROM case_access ca WHERE ca.agency_id = ?)"
	switch sub.Scope(a, access.Case) {
	case access.National:
		return "1=1", nil
	case access.Jurisdiction:
		switch sub.JurisdictionLevel {
		case "national":
			return "1=1", nil
		case "province":
			return "(c.id_province = ? OR " + related + ")", []any{sub.JurisdictionCode, sub.AgencyID}
		case "canton":
			return "(c.id_canton = ? OR " + related + ")", []any{sub.JurisdictionCode, sub.AgencyID}
		}
		return related, []any{sub.AgencyID}
	case access.AgencyScope:
		return "(c.agency_id = ? OR " + related + ")", []any{sub.AgencyID, sub.AgencyID}
	case access.Own:
		return "(c.assigned_to = ? OR " + related + ")", []any{sub.UserID, sub.AgencyID}
	}
	return "1=0", nil
}
