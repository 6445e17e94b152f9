package shelters

import (
	"net/http"
	"strings"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// API answers the JSON API of shelters under /api/v1 with the same service as the
// screens: handlers decode, call the service and encode.
type API struct {
	Svc   *Service
	Cases *cases.Service
	Web   *web.Web
}

// apiShelter is a shelter as the API shows it: registry, beds and the derived status
// with its reasons, in the language of the caller.
type apiShelter struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	AgencyID    string         `json:"agency_id"`
	Agency      string         `json:"agency"`
	Province    string         `json:"province"`
	Canton      string         `json:"canton"`
	Populations []string       `json:"populations"`
	Services    []string       `json:"services"`
	Beds        map[string]int `json:"beds"`
	FreeByType  map[string]int `json:"free_by_type"`
	BedsTotal   int            `json:"beds_total"`
	Occupied    int            `json:"occupied"`
	Free        int            `json:"free"`
	Status      string         `json:"status"`
	Reasons     []apiReason    `json:"status_reasons"`
	LastAssess  string         `json:"last_assessed_on,omitempty"`
}

// apiReason is one reason of the status: its catalog key, arguments and message.
type apiReason struct {
	Key     string         `json:"key"`
	Args    map[string]any `json:"args,omitempty"`
	Message string         `json:"message"`
}

// apiDetail adds what GET /api/v1/shelters/{id} shows: licence, contact, staff, the
// address for the operator's staff, and the latest scores for those who may see them.
type apiDetail struct {
	apiShelter
	LicenceNumber  string          `json:"licence_number"`
	LicenceExpires string          `json:"licence_expires"`
	Address        string          `json:"address,omitempty"`
	ContactName    string          `json:"contact_name"`
	ContactPhone   string          `json:"contact_phone"`
	ContactEmail   string          `json:"contact_email"`
	Staff          map[string]int  `json:"staff"`
	Capacity       *Capacity       `json:"latest_capacity,omitempty"`
	Sustainability *Sustainability `json:"latest_sustainability,omitempty"`
}

// shape turns a shelter into its API form; p (the request's page data) translates.
func shape(p *web.Page, s *Shelter) apiShelter {
	out := apiShelter{ID: s.ID, Name: s.Name, AgencyID: s.AgencyID, Agency: s.AgencyName, Province: s.Province, Canton: s.Canton,
		Populations: nonNil(s.Populations), Services: nonNil(s.Services), Beds: s.Beds, FreeByType: map[string]int{},
		BedsTotal: s.TotalBeds, Occupied: s.Occupied, Free: s.Free, Status: s.Status, Reasons: []apiReason{}, LastAssess: s.LastAssess}
	for t, n := range s.Beds {
		out.FreeByType[t] = max(n-s.OccupiedBy[t], 0)
	}
	msgs := reasons(p, s.Reasons)
	for i, rs := range s.Reasons {
		out.Reasons = append(out.Reasons, apiReason{Key: rs.Key, Args: rs.Args, Message: msgs[i]})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// List answers GET /api/v1/shelters?province=&population=&bed_type=&free=1&status=.
// bed_type alone lists shelters with beds of that type; with free=1, free beds of it.
// Unknown parameters or values are a 422 naming them.
func (api *API) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	bad := errs.Fields{}
	for k := range q {
		switch k {
		case "province", "population", "bed_type", "free", "status":
		default:
			bad.Add(k, "error.bad_request")
		}
	}
	f := Filter{Province: strings.TrimSpace(q.Get("province")), Population: q.Get("population"), BedType: q.Get("bed_type"),
		Status: q.Get("status")}
	if _, ok := geo.ProvinceByCode(f.Province); f.Province != "" && !ok {
		bad.Add("province", "validation.province")
	}
	if f.Population != "" && !oneOf(Populations, f.Population) {
		bad.Add("population", "cases.err.choose")
	}
	if f.BedType != "" && !oneOf(BedTypes, f.BedType) {
		bad.Add("bed_type", "cases.err.choose")
	}
	if f.Status != "" && !oneOf(Statuses, f.Status) {
		bad.Add("status", "cases.err.choose")
	}
	switch strings.ToLower(q.Get("free")) {
	case "", "0", "false":
	case "1", "true":
		f.FreeOnly = true
	default:
		bad.Add("free", "error.bad_request")
	}
	if err := bad.Err(); err != nil {
		return err
	}
	list, err := api.Svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	p := api.Web.NewPage(r, "")
	out := make([]apiShelter, 0, len(list))
	for _, s := range list {
		if f.BedType != "" && !f.FreeOnly && s.Beds[f.BedType] == 0 {
			continue
		}
		out = append(out, shape(p, s))
	}
	return api.Web.JSON(w, http.StatusOK, map[string]any{"shelters": out, "total": len(out)})
}

// Get answers one shelter.
func (api *API) Get(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s, err := api.Svc.Get(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := apiDetail{apiShelter: shape(api.Web.NewPage(r, ""), s), LicenceNumber: s.LicenceNumber, LicenceExpires: s.LicenceExpires,
		Address: s.Address, ContactName: s.ContactName, ContactPhone: s.ContactPhone, ContactEmail: s.ContactEmail, Staff: s.Staff}
	if allowed(access.From(ctx), access.View, access.ShelterAssessment, s.AgencyID) {
		as, err := api.Svc.Assessments(ctx, s.ID)
		if err != nil {
			return err
		}
		if len(as) > 0 {
			d.Capacity = &as[len(as)-1].Capacity
		}
		fs, err := api.Svc.Finances(ctx, s.ID)
		if err != nil {
			return err
		}
		if len(fs) > 0 {
			d.Sustainability = &fs[len(fs)-1].Sustainability
		}
	}
	return api.Web.JSON(w, http.StatusOK, d)
}

// admitBody is the body of POST /api/v1/shelters/{id}/stays: the case by id or by its
// number, or an accepted referral's id with the case id.
type admitBody struct {
	CaseID     string `json:"case_id"`
	CaseNumber string `json:"case_number"`
	ReferralID string `json:"referral_id"`
	BedType    string `json:"bed_type"`
	AdmittedOn string `json:"admitted_on"`
}

// Admit admits a person: 201 with the stay; 409 when no bed of that type is free; 422
// for a case the shelter may not open, or bad input.
func (api *API) Admit(w http.ResponseWriter, r *http.Request) error {
	var b admitBody
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	in := AdmitInput{CaseID: b.CaseID, ReferralID: b.ReferralID, BedType: b.BedType, AdmittedOn: b.AdmittedOn}
	if in.CaseID == "" && b.CaseNumber != "" {
		id, err := caseByNumber(r, api.Cases, b.CaseNumber)
		if err != nil {
			return err
		}
		in.CaseID = id
	}
	st, err := api.Svc.Admit(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	if b.CaseNumber != "" && b.CaseID == "" {
		st.CaseNumber = normalizeCaseNumber(b.CaseNumber)
	}
	w.Header().Set("Location", "/api/v1/shelters/"+r.PathValue("id"))
	return api.Web.JSON(w, http.StatusCreated, st)
}
