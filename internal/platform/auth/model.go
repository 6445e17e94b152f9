// Package auth holds agencies and users, passwords, sessions, the second factor
// (TOTP), login throttling and API tokens.
package auth

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/text"
)

// AgencyTypes are the HTCDS organisation types an agency may have.
var AgencyTypes = []string{"ngo", "law_enforcement", "prosecution", "central_government",
	"local_government", "health", "legal", "international_organisation", "shelter", "other"}

// ValidAgencyType reports whether t is one of AgencyTypes.
func ValidAgencyType(t string) bool {
	for _, a := range AgencyTypes {
		if a == t {
			return true
		}
	}
	return false
}

// Agency is an institution taking part in the programme.
type Agency struct {
	ID           string    `json:"id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Type         string    `json:"type"`
	ProvinceCode string    `json:"province,omitempty"`
	CantonCode   string    `json:"canton,omitempty"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Users        int       `json:"users"`
}

var codeRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{1,39}$`)

// Normalize trims and lower-cases what must be compared case-insensitively.
func (a *Agency) Normalize() {
	a.Code = strings.ToLower(strings.TrimSpace(a.Code))
	a.Name = strings.TrimSpace(a.Name)
	a.Type = strings.TrimSpace(a.Type)
}

// Validate returns field errors as catalog keys.
func (a *Agency) Validate() error {
	f := errs.Fields{}
	if !codeRe.MatchString(a.Code) {
		f.Add("code", "validation.code")
	}
	if text.Blank(a.Name) {
		f.Add("name", "validation.required")
	} else if utf8.RuneCountInString(a.Name) > 200 {
		f.Add("name", "validation.too_long")
	}
	if !ValidAgencyType(a.Type) {
		f.Add("type", "validation.agency_type")
	}
	if a.ProvinceCode != "" {
		if _, ok := geo.ProvinceByCode(a.ProvinceCode); !ok {
			f.Add("province", "validation.province")
		}
	}
	if a.CantonCode != "" {
		if _, ok := geo.CantonByCode(a.CantonCode); !ok {
			f.Add("canton", "validation.canton")
		} else if a.ProvinceCode != "" && !geo.CantonInProvince(a.CantonCode, a.ProvinceCode) {
			f.Add("canton", "validation.canton_not_in_province")
		}
	}
	return f.Err()
}

// User is a person who signs in to Amparo.
type User struct {
	ID                 string        `json:"id"`
	Email              string        `json:"email"`
	Name               string        `json:"name"`
	AgencyID           string        `json:"agency_id"`
	AgencyName         string        `json:"agency_name,omitempty"`
	AgencyCode         string        `json:"agency_code,omitempty"`
	Roles              []access.Role `json:"roles"`
	JurisdictionLevel  string        `json:"jurisdiction_level"`
	JurisdictionCode   string        `json:"jurisdiction_code,omitempty"`
	Lang               string        `json:"lang"`
	Active             bool          `json:"active"`
	AgencyActive       bool          `json:"agency_active"` // the user's agency is active
	TOTPEnabled        bool          `json:"totp_enabled"`
	MustChangePassword bool          `json:"must_change_password"`
	LastLoginAt        time.Time     `json:"last_login_at,omitempty"`
	CreatedAt          time.Time     `json:"created_at"`
	UpdatedAt          time.Time     `json:"updated_at"`
	passwordHash       string
	totpSecret         string // encrypted
	totpLastStep       int64
	recoveryCodes      string
	failedLogins       int
	lockedUntil        time.Time
}

// Subject returns the policy's view of the user.
func (u *User) Subject() *access.Subject {
	return &access.Subject{UserID: u.ID, AgencyID: u.AgencyID, Roles: u.Roles,
		JurisdictionLevel: u.JurisdictionLevel, JurisdictionCode: u.JurisdictionCode}
}

// canSignIn reports whether the account may be used at all: the user and their agency
// are both active. Sign-in, sessions and API tokens all ask it.
func (u *User) canSignIn() bool { return u.Active && u.AgencyActive }

// NeedsSecondFactor reports whether the user's roles require TOTP.
func (u *User) NeedsSecondFactor() bool { return u.Subject().SeesPersonalData() }

// Normalize trims fields and lower-cases the email.
func (u *User) Normalize() {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	u.JurisdictionCode = strings.TrimSpace(u.JurisdictionCode)
	if u.Lang == "" {
		u.Lang = i18n.Default
	}
	if u.JurisdictionLevel == "" {
		u.JurisdictionLevel = "agency"
	}
}

// ValidEmail reports whether s looks like a plain email address.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.IndexByte(s, '@'):], ".")
}

// Validate returns field errors as catalog keys.
func (u *User) Validate() error {
	f := errs.Fields{}
	if !ValidEmail(u.Email) {
		f.Add("email", "validation.email")
	}
	if text.Blank(u.Name) {
		f.Add("name", "validation.required")
	} else if utf8.RuneCountInString(u.Name) > 200 {
		f.Add("name", "validation.too_long")
	}
	if u.AgencyID == "" {
		f.Add("agency", "validation.required")
	}
	if len(u.Roles) == 0 {
		f.Add("roles", "validation.roles")
	}
	for _, r := range u.Roles {
		if !access.ValidRole(string(r)) {
			f.Add("roles", "validation.role_unknown")
		}
	}
	if !i18n.Valid(u.Lang) {
		f.Add("lang", "validation.lang")
	}
	switch u.JurisdictionLevel {
	case "national", "agency":
		u.JurisdictionCode = ""
	case "province":
		if _, ok := geo.ProvinceByCode(u.JurisdictionCode); !ok {
			f.Add("jurisdiction", "validation.province")
		}
	case "canton":
		if _, ok := geo.CantonByCode(u.JurisdictionCode); !ok {
			f.Add("jurisdiction", "validation.canton")
		}
	default:
		f.Add("jurisdiction", "validation.jurisdiction")
	}
	return f.Err()
}

// ParseJurisdiction reads the CLI/API form: "national", a province code (2 digits) or a
// canton code (4 digits); "" means the user's agency only.
func ParseJurisdiction(s string) (level, code string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "agency":
		return "agency", ""
	case s == "national":
		return "national", ""
	case len(s) == 2:
		return "province", s
	case len(s) == 4:
		return "canton", s
	}
	return "invalid", s
}
