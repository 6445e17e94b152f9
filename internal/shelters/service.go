package shelters

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// Admissions is what an admission tells the referral capability: the person of an
// accepted referral came in, so the referral is under way. The app wires the referral
// service in (shelters cannot import it).
type Admissions interface {
	AdmittedFrom(ctx context.Context, referralID, caseID string) error
}

// Service holds the rules of shelters: registry, stays, assessments and status.
type Service struct {
	d     *db.DB
	kr    *secure.Keyring
	audit *audit.Log
	cases *cases.Service
	Now   func() time.Time
	// Referrals, when set, checks the referral an admission comes from and moves it to
	// "in progress" in the admission's transaction.
	Referrals Admissions
	// StayFields are the person's fields a stay carries when the shelter's own agency
	// holds the case in full (the fields a referral for shelter carries; the app sets
	// them from the referral capability). A stay of a referred person carries what the
	// referral carried.
	StayFields []string
}

// NewService builds the shelter service.
func NewService(d *db.DB, log *audit.Log, kr *secure.Keyring, cs *cases.Service) *Service {
	return &Service{d: d, kr: kr, audit: log, cases: cs, Now: time.Now}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Service) record(ctx context.Context, action, recType, id, detail string) error {
	return s.audit.Record(ctx, audit.Event{Action: action, RecordType: recType, RecordID: id, Outcome: audit.OutcomeOK, Detail: detail})
}

func (s *Service) today() string { return s.Now().In(i18n.Zone()).Format("2006-01-02") }

// operator returns the operating agency of a shelter.
func (s *Service) operator(ctx context.Context, id string) (string, error) {
	var ag string
	err := s.d.QueryRow(ctx, "SELECT agency_id FROM shelters WHERE id = ?", id).Scan(&ag)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.NotFound()
	}
	return ag, err
}

// allowed checks the subject may do a on res for the shelter operated by agencyID:
// national scope anywhere, agency scope for the operator's staff.
func allowed(sub *access.Subject, a access.Action, res access.Resource, agencyID string) bool {
	switch sub.Scope(a, res) {
	case access.National:
		return true
	case access.AgencyScope, access.Jurisdiction, access.Own:
		return sub.AgencyID == agencyID
	}
	return false
}

func (s *Service) require(ctx context.Context, shelterID string, a access.Action, res access.Resource) (*access.Subject, error) {
	sub := access.From(ctx)
	if sub == nil {
		return nil, errs.Unauthenticated()
	}
	ag, err := s.operator(ctx, shelterID)
	if err != nil {
		return nil, err
	}
	if !allowed(sub, a, res, ag) {
		if sub.Can(access.View, access.Shelter) {
			return nil, errs.Forbidden()
		}
		return nil, errs.NotFound()
	}
	return sub, nil
}

// Save creates (empty id) or updates a shelter's registry entry.
func (s *Service) Save(ctx context.Context, id string, in ShelterInput) (*Shelter, error) {
	sub := access.From(ctx)
	keepAddress := false
	if id == "" {
		if err := sub.Require(access.Create, access.Shelter); err != nil {
			return nil, err
		}
	} else {
		if _, err := s.require(ctx, id, access.Update, access.Shelter); err != nil {
			return nil, err
		}
		cur, err := s.operator(ctx, id)
		if err != nil {
			return nil, err
		}
		// Only national coordination hands a shelter to another operator.
		if in.AgencyID != cur && sub.Scope(access.Update, access.Shelter) < access.National {
			return nil, errs.Invalid(map[string]string{"agency_id": "shelters.err.operator_change"})
		}
		// The confidential address is known to the operator's staff only: others'
		// edits keep it as it is.
		keepAddress = sub.AgencyID != cur
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := db.Now()
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		if id == "" {
			id = newID()
			if _, err := s.d.Exec(ctx, `INSERT INTO shelters (id, agency_id, name, province_code, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, id, in.AgencyID, in.Name, in.Province, now, now); err != nil {
				if db.IsForeignKeyViolation(err) {
					return errs.Invalid(map[string]string{"agency_id": "validation.agency_unknown"})
				}
				return fmt.Errorf("shelters: insert: %w", err)
			}
		}
		addrSQL, addrArgs := "enc_address = ?, ", []any{}
		if keepAddress {
			addrSQL = ""
		} else {
			addr, err := s.kr.EncryptString(in.Address, "shelter:"+id+":address")
			if err != nil {
				return err
			}
			addrArgs = append(addrArgs, addr)
		}
		var canton any
		if in.Canton != "" {
			canton = in.Canton
		}
		args := append([]any{in.AgencyID, in.Name, in.LicenceNumber, in.LicenceExpires, in.Province, canton}, addrArgs...)
		args = append(args, in.ContactName, in.ContactPhone, in.ContactEmail, b2i(in.Active), now, id)
		if _, err := s.d.Exec(ctx, `UPDATE shelters SET agency_id = ?, name = ?, licence_number = ?, licence_expires = ?,
			province_code = ?, canton_code = ?, `+addrSQL+`contact_name = ?, contact_phone = ?, contact_email = ?,
			active = ?, updated_at = ? WHERE id = ?`, args...); err != nil {
			return fmt.Errorf("shelters: update: %w", err)
		}
		if err := s.replaceSets(ctx, id, in); err != nil {
			return err
		}
		return s.record(ctx, "shelter.save", "shelter", id, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Service) replaceSets(ctx context.Context, id string, in ShelterInput) error {
	for _, t := range []string{"shelter_populations", "shelter_services", "shelter_beds", "shelter_staff"} {
		if _, err := s.d.Exec(ctx, "DELETE FROM "+t+" WHERE shelter_id = ?", id); err != nil {
			return err
		}
	}
	for _, p := range in.Populations {
		if _, err := s.d.Exec(ctx, "INSERT INTO shelter_populations (shelter_id, population) VALUES (?, ?) ON CONFLICT DO NOTHING", id, p); err != nil {
			return err
		}
	}
	for _, v := range in.Services {
		if _, err := s.d.Exec(ctx, "INSERT INTO shelter_services (shelter_id, service) VALUES (?, ?) ON CONFLICT DO NOTHING", id, v); err != nil {
			return err
		}
	}
	for t, n := range in.Beds {
		if _, err := s.d.Exec(ctx, "INSERT INTO shelter_beds (shelter_id, bed_type, beds) VALUES (?, ?, ?)", id, t, n); err != nil {
			return err
		}
	}
	for r, n := range in.Staff {
		if _, err := s.d.Exec(ctx, "INSERT INTO shelter_staff (shelter_id, role, people) VALUES (?, ?, ?)", id, r, n); err != nil {
			return err
		}
	}
	return nil
}

// Filter narrows the shelter list.
type Filter struct {
	Province   string
	Population string
	BedType    string // with FreeOnly: free beds of this type
	FreeOnly   bool
	Status     string
}

// List returns the shelters (registry data, occupancy and derived status: no personal
// data) to anyone who may view shelters.
func (s *Service) List(ctx context.Context, f Filter) ([]*Shelter, error) {
	if err := access.From(ctx).Require(access.View, access.Shelter); err != nil {
		return nil, err
	}
	conds, args := []string{"sh.active = 1"}, []any{}
	if f.Province != "" {
		conds = append(conds, "sh.province_code = ?")
		args = append(args, f.Province)
	}
	if f.Population != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM shelter_populations p WHERE p.shelter_id = sh.id AND p.population = ?)")
		args = append(args, f.Population)
	}
	rows, err := s.d.Query(ctx, `SELECT sh.id FROM shelters sh WHERE `+strings.Join(conds, " AND ")+` ORDER BY sh.name, sh.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("shelters: list: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []*Shelter
	for _, id := range ids {
		sh, err := s.load(ctx, id, false)
		if err != nil {
			return nil, err
		}
		if f.FreeOnly {
			free := sh.Free
			if f.BedType != "" {
				free = sh.Beds[f.BedType] - sh.OccupiedBy[f.BedType]
			}
			if free <= 0 {
				continue
			}
		}
		if f.Status != "" && sh.Status != f.Status {
			continue
		}
		out = append(out, sh)
	}
	return out, nil
}

// Get returns one shelter; its confidential address only to its operator's staff.
func (s *Service) Get(ctx context.Context, id string) (*Shelter, error) {
	sub := access.From(ctx)
	if err := sub.Require(access.View, access.Shelter); err != nil {
		return nil, err
	}
	ag, err := s.operator(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.load(ctx, id, sub.AgencyID == ag)
}

func (s *Service) load(ctx context.Context, id string, withAddress bool) (*Shelter, error) {
	sh := &Shelter{ID: id, ShelterInput: ShelterInput{Beds: map[string]int{}, Staff: map[string]int{}}, OccupiedBy: map[string]int{}}
	var canton sql.NullString
	var addr, created, updated string
	var active int
	err := s.d.QueryRow(ctx, `SELECT sh.agency_id, a.name, sh.name, sh.licence_number, sh.licence_expires, sh.province_code,
		sh.canton_code, sh.enc_address, sh.contact_name, sh.contact_phone, sh.contact_email, sh.active, sh.created_at, sh.updated_at
		FROM shelters sh JOIN agencies a ON a.id = sh.agency_id WHERE sh.id = ?`, id).Scan(&sh.AgencyID, &sh.AgencyName, &sh.Name,
		&sh.LicenceNumber, &sh.LicenceExpires, &sh.Province, &canton, &addr, &sh.ContactName, &sh.ContactPhone, &sh.ContactEmail,
		&active, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("shelters: load: %w", err)
	}
	sh.Canton, sh.Active = canton.String, active == 1
	sh.CreatedAt, _ = db.ParseTime(created)
	sh.UpdatedAt, _ = db.ParseTime(updated)
	if withAddress && addr != "" {
		if sh.Address, err = s.kr.DecryptString(addr, "shelter:"+id+":address"); err != nil {
			return nil, err
		}
	}
	if err := s.loadSets(ctx, sh); err != nil {
		return nil, err
	}
	for t, n := range sh.Beds {
		sh.TotalBeds += n
		_ = t
	}
	for _, n := range sh.OccupiedBy {
		sh.Occupied += n
	}
	sh.Free = sh.TotalBeds - sh.Occupied
	if sh.Free < 0 {
		sh.Free = 0
	}
	d, date, err := s.derive(ctx, sh)
	if err != nil {
		return nil, err
	}
	sh.Status, sh.Reasons, sh.LastAssess = d.Status, d.Reasons, date
	return sh, nil
}

func (s *Service) loadSets(ctx context.Context, sh *Shelter) error {
	type q struct {
		sql  string
		scan func(k string, n int)
	}
	for _, x := range []q{
		{"SELECT population, 0 FROM shelter_populations WHERE shelter_id = ? ORDER BY population", func(k string, _ int) { sh.Populations = append(sh.Populations, k) }},
		{"SELECT service, 0 FROM shelter_services WHERE shelter_id = ? ORDER BY service", func(k string, _ int) { sh.Services = append(sh.Services, k) }},
		{"SELECT bed_type, beds FROM shelter_beds WHERE shelter_id = ?", func(k string, n int) { sh.Beds[k] = n }},
		{"SELECT role, people FROM shelter_staff WHERE shelter_id = ?", func(k string, n int) { sh.Staff[k] = n }},
		{"SELECT bed_type, COUNT(*) FROM shelter_stays WHERE shelter_id = ? AND discharged_on = '' GROUP BY bed_type", func(k string, n int) { sh.OccupiedBy[k] = n }},
	} {
		rows, err := s.d.Query(ctx, x.sql, sh.ID)
		if err != nil {
			return fmt.Errorf("shelters: details: %w", err)
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return err
			}
			x.scan(k, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	sort.Strings(sh.Populations)
	return nil
}
