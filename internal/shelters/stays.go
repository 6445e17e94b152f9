package shelters

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// Admit admits a person (their case) to a free bed. The shelter's row is locked first,
// so concurrent admissions to the last bed are serialised on both engines and exactly
// one wins; occupancy never exceeds beds. The shelter's agency may then open the case
// while the stay lasts (and consent stands).
func (s *Service) Admit(ctx context.Context, shelterID string, in AdmitInput) (*Stay, error) {
	sub, err := s.require(ctx, shelterID, access.Create, access.ShelterStay)
	if err != nil {
		return nil, err
	}
	f := errs.Fields{}
	if !oneOf(BedTypes, in.BedType) {
		f.Add("bed_type", "cases.err.choose")
	}
	if in.AdmittedOn == "" {
		in.AdmittedOn = s.today()
	}
	if d, err := time.Parse("2006-01-02", in.AdmittedOn); err != nil {
		f.Add("admitted_on", "validation.date")
	} else if d.Format("2006-01-02") > s.today() {
		f.Add("admitted_on", "cases.err.date_future")
	}
	if in.CaseID == "" {
		f.Add("case_id", "validation.required")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	// The shelter must be able to see the case: its own case, or one referred to it and
	// accepted (with consent). The check also hides other agencies' cases. The stay
	// carries what the referral it comes from carries (what the agency sees of the
	// person by that referral, not by others: cancelling another referral must close
	// what that one carried); admitted by the case number alone, only what a stay needs
	// (StayFields) of what the agency was shown, so a legal referral's documents do not
	// outlive that referral through the stay.
	view, err := s.cases.ViewOf(ctx, in.CaseID)
	if err != nil {
		if errs.CodeOf(err) == errs.CodeNotFound {
			return nil, errs.Invalid(map[string]string{"case_id": "shelters.err.case_not_referred"})
		}
		return nil, err
	}
	var fields []string
	for _, f := range view.Fields() {
		if slices.Contains(s.StayFields, f) || (len(s.StayFields) == 0 && f == "case_number") {
			fields = append(fields, f)
		}
	}
	if in.ReferralID != "" {
		fields = nil // a referral the agency has not accepted is refused below (AdmittedFrom)
		for _, g := range view.Grants() {
			if g.Reason == "referral" && g.SourceID == in.ReferralID {
				fields = g.Fields
			}
		}
	}
	if view.Full() {
		fields = s.StayFields
	}
	var shelterName string
	if err := s.d.QueryRow(ctx, "SELECT name FROM shelters WHERE id = ?", shelterID).Scan(&shelterName); err != nil {
		return nil, fmt.Errorf("shelters: admit: %w", err)
	}
	st := &Stay{ID: newID(), ShelterID: shelterID, CaseID: in.CaseID, ReferralID: in.ReferralID, BedType: in.BedType, AdmittedOn: in.AdmittedOn}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		// Lock the shelter row (PostgreSQL: row lock until commit; SQLite: the single writer).
		if _, err := s.d.Exec(ctx, "UPDATE shelters SET version = version + 1 WHERE id = ?", shelterID); err != nil {
			return fmt.Errorf("shelters: lock: %w", err)
		}
		var beds, used, open int
		_ = s.d.QueryRow(ctx, "SELECT beds FROM shelter_beds WHERE shelter_id = ? AND bed_type = ?", shelterID, in.BedType).Scan(&beds)
		if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM shelter_stays WHERE shelter_id = ? AND bed_type = ? AND discharged_on = ''",
			shelterID, in.BedType).Scan(&used); err != nil {
			return err
		}
		if used >= beds {
			return errs.Conflict("shelters.err.no_free_bed")
		}
		if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM shelter_stays WHERE case_id = ? AND discharged_on = ''", in.CaseID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return errs.Invalid(map[string]string{"case_id": "shelters.err.already_staying"})
		}
		var ref any
		if in.ReferralID != "" {
			ref = in.ReferralID
		}
		now := db.Now()
		if _, err := s.d.Exec(ctx, `INSERT INTO shelter_stays (id, shelter_id, case_id, referral_id, bed_type, admitted_on,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, st.ID, shelterID, in.CaseID, ref,
			in.BedType, in.AdmittedOn, sub.UserID, now, now); err != nil {
			return fmt.Errorf("shelters: admit: %w", err)
		}
		if in.ReferralID != "" {
			if s.Referrals == nil {
				return errs.Invalid(map[string]string{"referral_id": "cases.err.choose"})
			}
			if err := s.Referrals.AdmittedFrom(ctx, in.ReferralID, in.CaseID); err != nil {
				return err
			}
		}
		if err := s.cases.GrantAccess(ctx, in.CaseID, cases.Grant{AgencyID: sub.AgencyID, Reason: "shelter",
			SourceID: st.ID, Fields: fields, Label: shelterName, Link: "/shelters/" + shelterID + "#residents"}); err != nil {
			return err
		}
		return s.record(ctx, "shelter.admit", "shelter_stay", st.ID, "")
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// Discharge ends a stay and the access it gave.
func (s *Service) Discharge(ctx context.Context, shelterID, stayID, on, reason, destination string) error {
	sub, err := s.require(ctx, shelterID, access.Update, access.ShelterStay)
	if err != nil {
		return err
	}
	f := errs.Fields{}
	if on == "" {
		on = s.today()
	}
	if _, err := time.Parse("2006-01-02", on); err != nil {
		f.Add("discharged_on", "validation.date")
	} else if on > s.today() {
		f.Add("discharged_on", "cases.err.date_future")
	}
	if !oneOf(DischargeReasons, reason) {
		f.Add("discharge_reason", "cases.err.choose")
	}
	if len(destination) > 200 {
		f.Add("destination", "validation.too_long")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.d.InTx(ctx, func(ctx context.Context) error {
		var caseID, admitted string
		err := s.d.QueryRow(ctx, "SELECT case_id, admitted_on FROM shelter_stays WHERE id = ? AND shelter_id = ? AND discharged_on = ''",
			stayID, shelterID).Scan(&caseID, &admitted)
		if err != nil {
			return errs.NotFound()
		}
		if on < admitted {
			return errs.Invalid(map[string]string{"discharged_on": "shelters.err.discharge_before_admission"})
		}
		if _, err := s.d.Exec(ctx, `UPDATE shelter_stays SET discharged_on = ?, discharge_reason = ?, destination = ?, updated_at = ?
			WHERE id = ?`, on, reason, destination, db.Now(), stayID); err != nil {
			return err
		}
		if err := s.cases.RevokeAccess(ctx, caseID, sub.AgencyID, "shelter", stayID); err != nil {
			return err
		}
		return s.record(ctx, "shelter.discharge", "shelter_stay", stayID, reason)
	})
}

// Residents lists a shelter's stays (current, or all) for its own staff. Each row names
// the case number only, and only while the staff may open the case: after the person
// withdrew the consent that opened it, the stay (a bed, dates) remains, its case does
// not. The case itself is opened through the case page (audited).
func (s *Service) Residents(ctx context.Context, shelterID string, current bool) ([]Stay, error) {
	if _, err := s.require(ctx, shelterID, access.View, access.ShelterStay); err != nil {
		return nil, err
	}
	q := `SELECT st.id, st.shelter_id, st.case_id, COALESCE(st.referral_id, ''), st.bed_type, st.admitted_on,
		st.discharged_on, st.discharge_reason, st.destination FROM shelter_stays st WHERE st.shelter_id = ?`
	if current {
		q += " AND st.discharged_on = ''"
	}
	rows, err := s.d.Query(ctx, q+" ORDER BY st.admitted_on DESC, st.id", shelterID)
	if err != nil {
		return nil, fmt.Errorf("shelters: residents: %w", err)
	}
	defer rows.Close()
	var out []Stay
	for rows.Next() {
		var st Stay
		if err := rows.Scan(&st.ID, &st.ShelterID, &st.CaseID, &st.ReferralID, &st.BedType, &st.AdmittedOn,
			&st.DischargedOn, &st.DischargeReason, &st.Destination); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	ids := make([]string, len(out))
	for i, st := range out {
		ids[i] = st.CaseID
	}
	numbers, err := s.cases.VisibleNumbers(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].CaseNumber = numbers[out[i].CaseID]
		if out[i].CaseNumber == "" {
			out[i].CaseID = "" // nothing to open, and nothing to tell
		}
	}
	return out, s.record(ctx, "shelter.residents_view", "shelter", shelterID, fmt.Sprintf("%d stays", len(out)))
}
