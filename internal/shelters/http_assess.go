package shelters

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// assessForm is the capacity assessment form: every standard, grouped by domain, rated
// 1–4 with the four meanings as labels, and an evidence note.
type assessForm struct {
	S        *Shelter
	Domains  []assessDomain
	Meanings []web.Option // "1".."4" with their meanings
	Previous string       // date of the previous assessment, shown beside each standard
	Errors   []errorLink
}

type assessDomain struct {
	Code, Label string
	Standards   []assessStandard
}

type assessStandard struct {
	Code, Label string
	Value       string // the chosen rating
	Error       string
	Evidence    *web.Field
	Previous    string // the previous rating with its meaning
}

// NewAssessment shows the assessment form, dated today, by the signed-in user.
func (h *Handlers) NewAssessment(w http.ResponseWriter, r *http.Request) error {
	name := ""
	if u := auth.UserFrom(r.Context()); u != nil {
		name = u.Name
	}
	p, err := h.assessPage(r, url.Values{"assessed_on": {h.Svc.today()}, "assessor": {name}}, nil)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, "shelters/assess", p)
}

// assessPage builds the form with what was typed and the field errors (nil at first).
func (h *Handlers) assessPage(r *http.Request, v url.Values, fields map[string]string) (*web.Page, error) {
	ctx := r.Context()
	s, err := h.Svc.Get(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if !may(r, access.Create, access.ShelterAssessment, s.AgencyID) {
		return nil, errs.Forbidden()
	}
	prev, err := h.Svc.Assessments(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	p := h.Web.NewPage(r, "shelters.assess_title")
	p.Title = p.T("shelters.assess_title_of", "Name", s.Name)
	p.Form = web.NewForm(v)
	p.Form.SetErrors(fields)
	f := &assessForm{S: s, Errors: errorLinks(p, "")}
	var last *Assessment
	if len(prev) > 0 {
		last = &prev[len(prev)-1]
		f.Previous = showDate(last.AssessedOn)
	}
	for i := 1; i <= 4; i++ {
		f.Meanings = append(f.Meanings, web.Option{Value: strconv.Itoa(i), Label: p.T("shelters.rating." + strconv.Itoa(i))})
	}
	ff := formFields{p: p, live: true}
	for _, d := range Domains {
		ad := assessDomain{Code: d.Code, Label: p.T("shelters.domain." + d.Code)}
		for _, std := range d.Standards {
			st := assessStandard{Code: std, Label: p.T("shelters.std." + std), Value: v.Get("rating_" + std),
				Error: p.Form.Error("rating_" + std), Evidence: ff.field("evidence_"+std, "shelters.evidence", "text", "")}
			st.Evidence.ID = "f-evidence_" + std
			if last != nil {
				if n := last.Ratings[std]; n >= 1 && n <= 4 {
					st.Previous = strconv.Itoa(n) + " — " + p.T("shelters.rating."+strconv.Itoa(n))
				}
			}
			ad.Standards = append(ad.Standards, st)
		}
		f.Domains = append(f.Domains, ad)
	}
	p.Data = f
	return p, nil
}

// CreateAssessment saves the ratings: each standard 1–4 or left unrated; at least one.
func (h *Handlers) CreateAssessment(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid(nil).Wrap(err)
	}
	if err := h.guard(r, access.Create, access.ShelterAssessment); err != nil {
		return err
	}
	v := r.PostForm
	in := AssessmentInput{AssessedOn: formDate(v.Get("assessed_on")), Assessor: v.Get("assessor"),
		Notes: strings.TrimSpace(v.Get("notes")), Ratings: map[string]int{}, Evidence: map[string]string{}}
	bad := errs.Fields{}
	for _, d := range Domains {
		for _, std := range d.Standards {
			n, ok := ratingOf(v.Get("rating_" + std))
			if !ok {
				bad.Add("rating_"+std, "shelters.err.rating")
			} else if n > 0 {
				in.Ratings[std] = n
			}
			if ev := strings.TrimSpace(v.Get("evidence_" + std)); ev != "" {
				if utf8.RuneCountInString(ev) > 1000 {
					bad.Add("evidence_"+std, "validation.too_long")
				}
				in.Evidence[std] = ev
			}
		}
	}
	if utf8.RuneCountInString(in.Notes) > 4000 {
		bad.Add("notes", "validation.too_long")
	}
	var err error
	if len(bad) > 0 {
		err = bad.Err()
	} else if _, err = h.Svc.AddAssessment(r.Context(), r.PathValue("id"), in); err == nil {
		web.Redirect(w, r, "/shelters/"+r.PathValue("id")+"#assessments", "ok", "shelters.flash.assessed")
		return nil
	}
	var fields map[string]string
	if e, ok := errs.As(err); ok {
		fields = e.Fields
	}
	p, perr := h.assessPage(r, v, fields)
	if perr != nil {
		return perr
	}
	return h.Web.RenderInvalid(w, r, "shelters/assess", p, err)
}
