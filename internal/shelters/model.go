package shelters

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/text"
)

func oneOf(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ShelterInput is the registry entry of a shelter.
type ShelterInput struct {
	AgencyID       string         `json:"agency_id"`
	Name           string         `json:"name"`
	LicenceNumber  string         `json:"licence_number,omitempty"`
	LicenceExpires string         `json:"licence_expires,omitempty"`
	Province       string         `json:"province"`
	Canton         string         `json:"canton,omitempty"`
	Address        string         `json:"address,omitempty"` // confidential: encrypted, shown to the operator only
	ContactName    string         `json:"contact_name,omitempty"`
	ContactPhone   string         `json:"contact_phone,omitempty"`
	ContactEmail   string         `json:"contact_email,omitempty"`
	Populations    []string       `json:"populations"`
	Services       []string       `json:"services"`
	Beds           map[string]int `json:"beds"`
	Staff          map[string]int `json:"staff"`
	Active         bool           `json:"active"`
}

// Shelter is a shelter with its live occupancy and derived status.
type Shelter struct {
	ShelterInput
	ID         string         `json:"id"`
	AgencyName string         `json:"agency_name"`
	TotalBeds  int            `json:"beds_total"`
	Occupied   int            `json:"occupied"`
	Free       int            `json:"free"`
	OccupiedBy map[string]int `json:"occupied_by_type"`
	Status     string         `json:"status"`
	Reasons    []Reason       `json:"status_reasons"`
	LastAssess string         `json:"last_assessed_on,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
}

// Validate checks a registry entry.
func (in *ShelterInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Address = strings.TrimSpace(in.Address)
	f := errs.Fields{}
	if in.AgencyID == "" {
		f.Add("agency_id", "validation.required")
	}
	if text.Blank(in.Name) {
		f.Add("name", "validation.required")
	} else if utf8.RuneCountInString(in.Name) > 200 {
		f.Add("name", "validation.too_long")
	}
	if _, ok := geo.ProvinceByCode(in.Province); !ok {
		f.Add("province", "validation.province")
	} else if in.Canton != "" && !geo.CantonInProvince(in.Canton, in.Province) {
		f.Add("canton", "validation.canton_not_in_province")
	}
	if in.LicenceExpires != "" {
		if _, err := time.Parse("2006-01-02", in.LicenceExpires); err != nil {
			f.Add("licence_expires", "validation.date")
		}
	}
	if len(in.Address) > 500 || len(in.LicenceNumber) > 100 || len(in.ContactName) > 200 || len(in.ContactPhone) > 50 || len(in.ContactEmail) > 200 {
		f.Add("address", "validation.too_long")
	}
	for _, p := range in.Populations {
		if !oneOf(Populations, p) {
			f.Add("populations", "cases.err.unknown_value")
		}
	}
	for _, s := range in.Services {
		if !oneOf(SpecialisedServices, s) {
			f.Add("services", "cases.err.unknown_value")
		}
	}
	for t, n := range in.Beds {
		if !oneOf(BedTypes, t) {
			f.Add("beds", "cases.err.unknown_value")
		} else if n < 0 || n > 1000 {
			f.Add("beds", "shelters.err.count")
		}
	}
	for r, n := range in.Staff {
		if !oneOf(StaffRoles, r) {
			f.Add("staff", "cases.err.unknown_value")
		} else if n < 0 || n > 1000 {
			f.Add("staff", "shelters.err.count")
		}
	}
	return f.Err()
}

// Stay is a person's stay in a shelter. Lists of stays show the case number and name
// only to those who may see the residents.
type Stay struct {
	ID              string `json:"id"`
	ShelterID       string `json:"shelter_id"`
	CaseID          string `json:"case_id"`
	CaseNumber      string `json:"case_number"`
	ReferralID      string `json:"referral_id,omitempty"`
	BedType         string `json:"bed_type"`
	AdmittedOn      string `json:"admitted_on"`
	DischargedOn    string `json:"discharged_on,omitempty"`
	DischargeReason string `json:"discharge_reason,omitempty"`
	Destination     string `json:"destination,omitempty"`
}

// AdmitInput admits a person (their case) to a bed type.
type AdmitInput struct {
	CaseID     string `json:"case_id"`
	ReferralID string `json:"referral_id,omitempty"`
	BedType    string `json:"bed_type"`
	AdmittedOn string `json:"admitted_on"`
}

// AssessmentInput is one capacity assessment.
type AssessmentInput struct {
	AssessedOn string            `json:"assessed_on"`
	Assessor   string            `json:"assessor"`
	Notes      string            `json:"notes,omitempty"`
	Ratings    map[string]int    `json:"ratings"`
	Evidence   map[string]string `json:"evidence,omitempty"`
}

// Assessment is a stored capacity assessment with its scores.
type Assessment struct {
	AssessmentInput
	ID       string   `json:"id"`
	Capacity Capacity `json:"capacity"`
}

// FinanceInput is one period of financial figures.
type FinanceInput struct {
	PeriodStart          string             `json:"period_start"`
	PeriodEnd            string             `json:"period_end"`
	Income               map[string]float64 `json:"income"`
	LargestFunder        float64            `json:"largest_funder"`
	OperatingCost        float64            `json:"operating_cost"`
	UnrestrictedReserves float64            `json:"unrestricted_reserves"`
	OccupiedBedNights    int                `json:"occupied_bed_nights"`
	StandardBudget       float64            `json:"standard_budget"`
	SecuredFunding       float64            `json:"secured_funding"`
	Notes                string             `json:"notes,omitempty"`
}

// Finance is a stored period with its derived measures.
type Finance struct {
	FinanceInput
	ID             string         `json:"id"`
	Sustainability Sustainability `json:"sustainability"`
}

// ActionInput is one improvement-plan action.
type ActionInput struct {
	Domain          string `json:"domain"`
	Action          string `json:"action"`
	Owner           string `json:"owner"`
	DueOn           string `json:"due_on"`
	SupportReceived string `json:"support_received,omitempty"`
	Status          string `json:"status"`
}

// Action is a stored improvement-plan action.
type Action struct {
	ActionInput
	ID string `json:"id"`
}

// months returns the whole months between two dates (at least 1).
func months(start, end time.Time) int {
	m := (end.Year()-start.Year())*12 + int(end.Month()-start.Month())
	if end.Day() >= start.Day() {
		m++
	}
	if m < 1 {
		m = 1
	}
	return m
}
