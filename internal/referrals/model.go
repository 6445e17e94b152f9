// Package referrals is the network: the service map of institutions and what they offer
// where and for whom, and referrals that send a case to an institution carrying only
// what the service needs and the person's consent allows.
package referrals

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/text"
)

// Populations a service is for.
var Populations = []string{"children", "adolescents", "women", "men", "lgbti", "nationals", "foreigners"}

// Statuses of a referral.
var Statuses = []string{"sent", "accepted", "declined", "in_progress", "completed", "revoked", "cancelled"}

// Open statuses still expect an answer or work from the receiving side.
var openStatuses = []string{"sent", "accepted", "in_progress"}

// DeclineReasons of a receiving institution.
var DeclineReasons = []string{"no_capacity", "not_eligible", "service_unavailable", "duplicate", "other"}

// Outcomes of a completed referral.
var Outcomes = []string{"service_delivered", "partially_delivered", "person_declined", "lost_contact", "other"}

// Purposes: a referral for services, or a referral to the prosecution (its own consent
// and a minimal data set).
var Purposes = []string{"referral", "prosecution"}

func oneOf(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Area is where a service is offered: a province, or one canton of it.
type Area struct {
	Province string `json:"province"`
	Canton   string `json:"canton,omitempty"`
}

// OfferInput is what an institution says it offers.
type OfferInput struct {
	AgencyID     string   `json:"agency_id"`
	SupportType  string   `json:"type"`
	Name         string   `json:"name"`
	Description  string   `json:"description,omitempty"`
	Populations  []string `json:"populations"`
	Areas        []Area   `json:"areas"`
	ContactName  string   `json:"contact_name,omitempty"`
	ContactPhone string   `json:"contact_phone,omitempty"`
	ContactEmail string   `json:"contact_email,omitempty"`
	Hours        string   `json:"hours,omitempty"`
	Active       bool     `json:"active"`
}

// Offer is an entry of the service map: one service an institution offers.
type Offer struct {
	OfferInput
	ID         string    `json:"id"`
	AgencyName string    `json:"agency_name"`
	AgencyType string    `json:"agency_type"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Validate checks a service-map entry.
func (s *OfferInput) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	s.Description = strings.TrimSpace(s.Description)
	f := errs.Fields{}
	if s.AgencyID == "" {
		f.Add("agency_id", "validation.required")
	}
	if !cases.In("support", s.SupportType) {
		f.Add("type", "cases.err.choose")
	}
	if text.Blank(s.Name) {
		f.Add("name", "validation.required")
	} else if utf8.RuneCountInString(s.Name) > 200 {
		f.Add("name", "validation.too_long")
	}
	if utf8.RuneCountInString(s.Description) > 2000 || len(s.Hours) > 200 || len(s.ContactName) > 200 ||
		len(s.ContactPhone) > 50 || len(s.ContactEmail) > 200 {
		f.Add("description", "validation.too_long")
	}
	if len(s.Populations) == 0 {
		f.Add("populations", "referrals.err.populations")
	}
	for _, p := range s.Populations {
		if !oneOf(Populations, p) {
			f.Add("populations", "cases.err.unknown_value")
		}
	}
	if len(s.Areas) == 0 {
		f.Add("areas", "referrals.err.areas")
	}
	for _, a := range s.Areas {
		if _, ok := geo.ProvinceByCode(a.Province); !ok {
			f.Add("areas", "validation.province")
		} else if a.Canton != "" && !geo.CantonInProvince(a.Canton, a.Province) {
			f.Add("areas", "validation.canton_not_in_province")
		}
	}
	return f.Err()
}

// ReferralInput is what a worker sends.
type ReferralInput struct {
	CaseID       string   `json:"case_id"`
	Purpose      string   `json:"purpose"` // referral (default) or prosecution
	ToAgencyID   string   `json:"to_agency_id"`
	ServiceID    string   `json:"service_id,omitempty"`
	SupportTypes []string `json:"support_types"`
	Urgent       bool     `json:"urgent"`
	DueOn        string   `json:"due_on,omitempty"` // yyyy-mm-dd; default 7 days (2 when urgent)
	Reason       string   `json:"reason,omitempty"` // why, in the worker's words (encrypted)
}

// Referral is a referral as both sides see it. Payload holds the shared fields, and is
// empty for whoever may not see them (or after consent was withdrawn).
type Referral struct {
	ID            string            `json:"id"`
	Number        string            `json:"number"`
	CaseID        string            `json:"case_id"`
	CaseNumber    string            `json:"case_number"`
	Purpose       string            `json:"purpose"`
	FromAgencyID  string            `json:"from_agency_id"`
	FromAgency    string            `json:"from_agency"`
	FromUserID    string            `json:"from_user_id"`
	FromUser      string            `json:"from_user"`
	ToAgencyID    string            `json:"to_agency_id"`
	ToAgency      string            `json:"to_agency"`
	ServiceID     string            `json:"service_id,omitempty"`
	ServiceName   string            `json:"service_name,omitempty"`
	SupportTypes  []string          `json:"support_types"`
	Urgent        bool              `json:"urgent"`
	DueOn         string            `json:"due_on"`
	Overdue       bool              `json:"overdue"`
	Status        string            `json:"status"`
	SharedFields  []string          `json:"shared_fields"`
	Payload       map[string]string `json:"payload,omitempty"`
	Reason        string            `json:"reason,omitempty"`
	DeclineReason string            `json:"decline_reason,omitempty"`
	Outcome       string            `json:"outcome,omitempty"`
	Feedback      string            `json:"feedback,omitempty"`
	Version       int               `json:"version"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Events        []Event           `json:"events,omitempty"`
}

// Event is one step of a referral's history.
type Event struct {
	Action  string    `json:"action"`
	ByUser  string    `json:"by_user"`
	Agency  string    `json:"agency"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}
