package cases_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// cedula completes nine digits with the modulo-10 check digit, computed here
// independently of ValidCedula (coefficients 2,1,2,1…; products over 9 lose 9).
func cedula(nine string) string {
	coef := []int{2, 1, 2, 1, 2, 1, 2, 1, 2}
	sum := 0
	for i, r := range nine {
		p := int(r-'0') * coef[i]
		if p > 9 {
			p -= 9
		}
		sum += p
	}
	return nine + fmt.Sprint((10-sum%10)%10)
}

// wrongCheck returns a cédula with every digit but the last of a valid one.
func wrongCheck(valid string) string {
	last := valid[9] - '0'
	return valid[:9] + fmt.Sprint((last+1)%10)
}

func TestValidCedula(t *testing.T) {
	good := []string{
		"1710034065", // Pichincha, worked by hand
		"0926687856", // Guayas
		"3050000003", // registered abroad (30)
		cedula("010000000"), cedula("240123456"), cedula("175555555"), cedula("091111111"),
	}
	for _, c := range good {
		if !cases.ValidCedula(c) {
			t.Errorf("ValidCedula(%q) = false, want true", c)
		}
	}
	// Separators people type are accepted.
	for _, c := range []string{"171003406-5", "17 1003 4065", "1710034065"} {
		if !cases.ValidCedula(c) {
			t.Errorf("ValidCedula(%q) = false, want true (separators)", c)
		}
	}
	bad := map[string]string{
		"bad check digit":        wrongCheck("1710034065"),
		"bad check digit (2)":    wrongCheck(cedula("091111111")),
		"province 00":            cedula("001234567"),
		"province 25":            cedula("251234567"),
		"province 29":            cedula("291234567"),
		"province 31":            cedula("311234567"),
		"province 99":            cedula("991234567"),
		"third digit 6 (public)": cedula("176000000"),
		"third digit 9 (ruc)":    cedula("179000000"),
		"nine digits":            "171003406",
		"eleven digits":          "17100340651",
		"thirteen digits (ruc)":  "1710034065001",
		"empty":                  "",
		"letters":                "17100340A5",
		"dots":                   "17.1003.4065",
		"unicode digits":         "١٧١٠٠٣٤٠٦٥",
	}
	for name, c := range bad {
		if cases.ValidCedula(c) {
			t.Errorf("%s: ValidCedula(%q) = true, want false", name, c)
		}
	}
	// Every province code and 30 gives valid numbers; every wrong check digit fails.
	for p := 1; p <= 24; p++ {
		c := cedula(fmt.Sprintf("%02d3456789", p))
		if !cases.ValidCedula(c) {
			t.Errorf("province %02d: ValidCedula(%q) = false", p, c)
		}
		for d := 0; d <= 9; d++ {
			other := c[:9] + fmt.Sprint(d)
			if other != c && cases.ValidCedula(other) {
				t.Errorf("ValidCedula(%q) = true, but the check digit is %c", other, c[9])
			}
		}
	}
}

func FuzzValidCedula(f *testing.F) {
	for _, s := range []string{"1710034065", "171003406-5", "", "0000000000", "3050000007", "abc", "1710034065001", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := cases.ValidCedula(s)
		digits := strings.ReplaceAll(strings.ReplaceAll(s, "-", ""), " ", "")
		if !ok {
			return
		}
		if len(digits) != 10 {
			t.Fatalf("ValidCedula(%q) = true with %d characters after separators", s, len(digits))
		}
		if cedula(digits[:9]) != digits {
			t.Fatalf("ValidCedula(%q) = true but the check digit should be %s", s, cedula(digits[:9])[9:])
		}
		if !cases.ValidCedula(digits) {
			t.Fatalf("ValidCedula(%q) true but false without separators", s)
		}
	})
}

// now is the fixed "today" of the model tests.
var now = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

func ptr(i int) *int { return &i }

// goodInput is a complete, valid registration.
func goodInput() cases.Input {
	return cases.Input{
		Person: cases.Person{
			GivenNames: "María José", FamilyNames: "Quishpe Tenesaca", Aliases: []string{"Majo"},
			Sex: "female", Gender: "woman", BirthDate: "2012-05-14", Nationalities: []string{"ECU"},
			Documents: []cases.Document{{Type: "cedula", Number: "1710034065"}, {Type: "passport", Number: "A1234567", Country: "ECU"}},
			Languages: []string{"es", "qu"}, Ethnicity: "indigenous", Contact: "0991234567",
			Guardian: &cases.Guardian{Name: "Rosa Tenesaca", Relation: "mother"},
		},
		Identification:    cases.Identification{Date: "2026-02-01", Country: "ECU", Province: "17", Canton: "1701", How: "police_operation"},
		TraffickingStatus: "possible", StatusDecidedBy: "case_worker",
		Exploitation: []string{"begging", "sexual"}, SexTypes: []string{"online"}, Industries: []string{"street_vending"},
		Control: []string{"threats"}, Recruitment: []string{"family"}, RecruiterRelation: "family",
		DurationMonths: ptr(6), RiskLevel: "high",
	}
}

// fieldErrors validates in (normalised first, as the service does) and returns the
// field errors; it fails the test on any other kind of error.
func fieldErrors(t *testing.T, in cases.Input) map[string]string {
	t.Helper()
	in.Normalize()
	err := in.Validate(now)
	if err == nil {
		return nil
	}
	e, ok := errs.As(err)
	if !ok || e.Code != errs.CodeInvalid {
		t.Fatalf("Validate: %v, want an Invalid error with fields", err)
	}
	return e.Fields
}

func TestValidateGood(t *testing.T) {
	if f := fieldErrors(t, goodInput()); f != nil {
		t.Fatalf("a complete valid input got field errors %v", f)
	}
	// The minimum: a name, sex, nationality, a date, a place, how, status.
	min := cases.Input{Person: cases.Person{Aliases: []string{"La Flaca"}, Sex: "unknown", Nationalities: []string{"ven"}},
		Identification:    cases.Identification{Date: "2026-03-10", Country: "col", How: "border"},
		TraffickingStatus: "actual"}
	if f := fieldErrors(t, min); f != nil {
		t.Fatalf("a minimal input (alias only, foreign place) got %v", f)
	}
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(in *cases.Input)
		field string
		key   string
	}{
		{"no name at all", func(in *cases.Input) {
			in.Person.GivenNames, in.Person.FamilyNames, in.Person.Aliases = "  ", "", []string{" "}
		}, "person.given_names", "cases.err.name_required"},
		{"name too long", func(in *cases.Input) { in.Person.FamilyNames = strings.Repeat("ñ", 501) }, "person.family_names", "validation.too_long"},
		{"contact too long", func(in *cases.Input) { in.Person.Contact = strings.Repeat("9", 501) }, "person.contact", "validation.too_long"},
		{"sex missing", func(in *cases.Input) { in.Person.Sex = "" }, "person.sex", "cases.err.choose"},
		{"sex unknown value", func(in *cases.Input) { in.Person.Sex = "F" }, "person.sex", "cases.err.choose"},
		{"gender unknown value", func(in *cases.Input) { in.Person.Gender = "female" }, "person.gender", "cases.err.choose"},
		{"ethnicity unknown value", func(in *cases.Input) { in.Person.Ethnicity = "latino" }, "person.ethnicity", "cases.err.choose"},
		{"birth date not a date", func(in *cases.Input) { in.Person.BirthDate = "14/05/2012" }, "person.birth_date", "validation.date"},
		{"birth date in the future", func(in *cases.Input) { in.Person.BirthDate = "2026-03-11" }, "person.birth_date", "cases.err.birth_future"},
		{"birth date more than 110 years ago", func(in *cases.Input) { in.Person.BirthDate = "1915-01-01" }, "person.birth_date", "cases.err.birth_past"},
		{"birth date after identification", func(in *cases.Input) {
			in.Person.BirthDate, in.Identification.Date = "2020-05-02", "2020-05-01"
		}, "person.birth_date", "cases.err.birth_after_identification"},
		{"estimated age negative", func(in *cases.Input) { in.Person.BirthDate, in.Person.EstimatedAge = "", ptr(-1) }, "person.estimated_age", "cases.err.age"},
		{"estimated age over 110", func(in *cases.Input) { in.Person.BirthDate, in.Person.EstimatedAge = "", ptr(111) }, "person.estimated_age", "cases.err.age"},
		{"no nationality", func(in *cases.Input) { in.Person.Nationalities = []string{" "} }, "person.nationalities", "cases.err.nationality"},
		{"unknown nationality", func(in *cases.Input) { in.Person.Nationalities = []string{"ECU", "XXX"} }, "person.nationalities", "validation.country"},
		{"nationality as alpha-2", func(in *cases.Input) { in.Person.Nationalities = []string{"EC"} }, "person.nationalities", "validation.country"},
		{"document type unknown", func(in *cases.Input) {
			in.Person.Documents = []cases.Document{{Type: "dni", Number: "123"}}
		}, "person.documents", "cases.err.document_type"},
		{"document number missing", func(in *cases.Input) {
			in.Person.Documents = []cases.Document{{Type: "passport", Number: " "}}
		}, "person.documents", "cases.err.document_number"},
		{"document number too long", func(in *cases.Input) {
			in.Person.Documents = []cases.Document{{Type: "passport", Number: strings.Repeat("A", 41)}}
		}, "person.documents", "cases.err.document_number"},
		{"cédula bad check digit", func(in *cases.Input) {
			in.Person.Documents = []cases.Document{{Type: "cedula", Number: "1710034066"}}
		}, "person.documents", "cases.err.cedula"},
		{"cédula bad province", func(in *cases.Input) {
			in.Person.Documents = []cases.Document{{Type: "cedula", Number: cedula("261234567")}}
		}, "person.documents", "cases.err.cedula"},
		{"document country unknown", func(in *cases.Input) {
			in.Person.Documents = []cases.Document{{Type: "passport", Number: "X1", Country: "ZZZ"}}
		}, "person.documents", "validation.country"},
		{"language not a code", func(in *cases.Input) { in.Person.Languages = []string{"spanish"} }, "person.languages", "cases.err.language"},
		{"guardian without a name", func(in *cases.Input) {
			in.Person.Guardian = &cases.Guardian{Relation: "mother"}
		}, "person.guardian.name", "validation.required"},
		{"identification date missing", func(in *cases.Input) { in.Identification.Date = "" }, "identification.date", "validation.date"},
		{"identification date in the future", func(in *cases.Input) { in.Identification.Date = "2026-03-11" }, "identification.date", "cases.err.date_future"},
		{"identification country unknown", func(in *cases.Input) { in.Identification.Country = "QQQ" }, "identification.country", "validation.country"},
		{"province required in Ecuador", func(in *cases.Input) {
			in.Identification.Province, in.Identification.Canton = "", ""
		}, "identification.province", "validation.province"},
		{"province unknown", func(in *cases.Input) {
			in.Identification.Province, in.Identification.Canton = "90", ""
		}, "identification.province", "validation.province"},
		{"canton unknown", func(in *cases.Input) { in.Identification.Canton = "1799" }, "identification.canton", "validation.canton"},
		{"canton not in the province", func(in *cases.Input) {
			in.Identification.Province, in.Identification.Canton = "17", "0901"
		}, "identification.canton", "validation.canton_not_in_province"},
		{"canton without province", func(in *cases.Input) {
			in.Identification.Province, in.Identification.Canton = "", "1701"
		}, "identification.canton", "validation.canton_not_in_province"},
		{"province outside Ecuador", func(in *cases.Input) {
			in.Identification.Country, in.Identification.Province, in.Identification.Canton = "COL", "17", ""
		}, "identification.province", "cases.err.place_outside_ecuador"},
		{"canton outside Ecuador", func(in *cases.Input) {
			in.Identification.Country, in.Identification.Province, in.Identification.Canton = "PER", "", "1701"
		}, "identification.province", "cases.err.place_outside_ecuador"},
		{"how unknown", func(in *cases.Input) { in.Identification.How = "raid" }, "identification.how", "cases.err.choose"},
		{"trafficking status unknown", func(in *cases.Input) { in.TraffickingStatus = "victim" }, "trafficking_status", "cases.err.choose"},
		{"decider unknown", func(in *cases.Input) { in.StatusDecidedBy = "mayor" }, "status_decided_by", "cases.err.choose"},
		{"exploitation unknown", func(in *cases.Input) { in.Exploitation = []string{"begging", "slavery"} }, "exploitation", "cases.err.unknown_value"},
		{"sexual exploitation type unknown", func(in *cases.Input) { in.SexTypes = []string{"escort"} }, "sexual_exploitation_types", "cases.err.unknown_value"},
		{"industry unknown", func(in *cases.Input) { in.Industries = []string{"banking"} }, "labour_industries", "cases.err.unknown_value"},
		{"means of control unknown", func(in *cases.Input) { in.Control = []string{"magic"} }, "means_of_control", "cases.err.unknown_value"},
		{"recruitment unknown", func(in *cases.Input) { in.Recruitment = []string{"lottery"} }, "recruitment_methods", "cases.err.unknown_value"},
		{"recruiter relation unknown", func(in *cases.Input) { in.RecruiterRelation = "cousin" }, "recruiter_relation", "cases.err.choose"},
		{"risk unknown", func(in *cases.Input) { in.RiskLevel = "extreme" }, "risk_level", "cases.err.choose"},
		{"duration negative", func(in *cases.Input) { in.DurationMonths = ptr(-1) }, "duration_months", "cases.err.duration"},
		{"duration over 50 years", func(in *cases.Input) { in.DurationMonths = ptr(601) }, "duration_months", "cases.err.duration"},
		{"vocabulary values are case-sensitive", func(in *cases.Input) { in.Exploitation = []string{"Begging"} }, "exploitation", "cases.err.unknown_value"},
	}
	cat := i18n.MustLoad()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := goodInput()
			tc.edit(&in)
			f := fieldErrors(t, in)
			if got := f[tc.field]; got != tc.key {
				t.Errorf("field %s: got %q, want %q (all errors: %v)", tc.field, got, tc.key, f)
			}
			for field, key := range f {
				for _, lang := range i18n.Langs {
					if !cat.Has(lang, key) {
						t.Errorf("field %s: message key %q missing from the %s catalog", field, key, lang)
					}
				}
			}
		})
	}
}

func TestValidateBoundaries(t *testing.T) {
	ok := []func(in *cases.Input){
		func(in *cases.Input) { in.Person.BirthDate = "2026-03-10"; in.Identification.Date = "2026-03-10" }, // born today
		func(in *cases.Input) { in.Person.BirthDate = "1916-12-31" },                                        // 110 years by calendar year
		func(in *cases.Input) { in.Person.BirthDate, in.Person.EstimatedAge = "", ptr(0) },
		func(in *cases.Input) { in.Person.BirthDate, in.Person.EstimatedAge = "", ptr(110) },
		func(in *cases.Input) { in.DurationMonths = ptr(0) },
		func(in *cases.Input) { in.DurationMonths = ptr(600) },
		func(in *cases.Input) {
			in.Person.Documents = []cases.Document{{Type: "passport", Number: strings.Repeat("A", 40)}}
		},
		func(in *cases.Input) { in.Person.Documents = []cases.Document{{Type: "cedula", Number: "171003406-5"}} },
		func(in *cases.Input) { in.Person.FamilyNames = strings.Repeat("ñ", 500) },
		func(in *cases.Input) { in.Identification.Canton = "" }, // province alone is enough
		func(in *cases.Input) { in.Person.Guardian = &cases.Guardian{Name: " ", Relation: " "} },
		func(in *cases.Input) { in.Person.Documents = []cases.Document{{Type: " ", Number: " "}} }, // blank row dropped
	}
	for i, edit := range ok {
		in := goodInput()
		edit(&in)
		if f := fieldErrors(t, in); f != nil {
			t.Errorf("case %d: want valid, got %v", i, f)
		}
	}
}

func TestNormalize(t *testing.T) {
	in := goodInput()
	in.Person.GivenNames = "  María   José "
	in.Person.Nationalities = []string{"ecu", " ECU", "col", ""}
	in.Exploitation = []string{" begging", "begging", ""}
	in.Person.Guardian = &cases.Guardian{}
	in.Identification.Country = " ecu "
	in.Normalize()
	if in.Person.GivenNames != "María José" {
		t.Errorf("given names %q", in.Person.GivenNames)
	}
	if fmt.Sprint(in.Person.Nationalities) != "[ECU COL]" {
		t.Errorf("nationalities %v", in.Person.Nationalities)
	}
	if fmt.Sprint(in.Exploitation) != "[begging]" {
		t.Errorf("exploitation %v", in.Exploitation)
	}
	if in.Person.Guardian != nil {
		t.Errorf("an empty guardian should be dropped: %+v", in.Person.Guardian)
	}
	if in.Identification.Country != "ECU" {
		t.Errorf("country %q", in.Identification.Country)
	}
}

func TestAgeGroup(t *testing.T) {
	want := map[int]string{-5: "unknown", -1: "unknown", 0: "0-8", 8: "0-8", 9: "9-17", 17: "9-17", 18: "18-20",
		20: "18-20", 21: "21-23", 23: "21-23", 24: "24-26", 26: "24-26", 27: "27-29", 29: "27-29", 30: "30-38",
		38: "30-38", 39: "39-47", 47: "39-47", 48: "48+", 110: "48+"}
	for age, g := range want {
		if got := cases.AgeGroup(age); got != g {
			t.Errorf("AgeGroup(%d) = %q, want %q", age, got, g)
		}
	}
	for age := -1; age <= 120; age++ {
		if !contains(cases.AgeGroups, cases.AgeGroup(age)) {
			t.Errorf("AgeGroup(%d) = %q is not in AgeGroups", age, cases.AgeGroup(age))
		}
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestAgeAt(t *testing.T) {
	d := func(s string) time.Time {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		birth string
		at    string
		want  int
	}{
		{"2011-06-15", "2026-06-14", 14},
		{"2011-06-15", "2026-06-15", 15},
		{"2011-06-15", "2026-06-16", 15},
		// Leap years: a birthday on 1 March is reached on 1 March, also when the birth year
		// had a 29 February and this one does not (day-of-year differs by one).
		{"2000-03-01", "2010-03-01", 10},
		{"2000-03-01", "2010-02-28", 9},
		{"2001-03-01", "2004-02-29", 2},
		{"2001-03-01", "2004-03-01", 3},
		{"2000-12-31", "2010-12-31", 10},
		{"2000-12-31", "2010-12-30", 9},
		{"2004-02-29", "2019-02-28", 14},
		{"2004-02-29", "2019-03-01", 15},
	}
	for _, tc := range tests {
		p := cases.Person{BirthDate: tc.birth}
		if got := p.AgeAt(d(tc.at), now); got != tc.want {
			t.Errorf("born %s, age on %s = %d, want %d", tc.birth, tc.at, got, tc.want)
		}
	}
	p := cases.Person{EstimatedAge: ptr(11)}
	if got := p.AgeAt(now, now); got != 11 {
		t.Errorf("estimated age: %d, want 11", got)
	}
	if got := (&cases.Person{}).AgeAt(now, now); got != -1 {
		t.Errorf("nothing known: %d, want -1", got)
	}
}

// TestVocabularyLabels checks that every value of every vocabulary has its label in
// both catalogs, and that every vocabulary has unique values.
func TestVocabularyLabels(t *testing.T) {
	cat := i18n.MustLoad()
	for vocab, values := range cases.Vocabularies {
		if len(values) == 0 {
			t.Errorf("vocabulary %s is empty", vocab)
		}
		seen := map[string]bool{}
		for _, v := range values {
			if seen[v] {
				t.Errorf("vocabulary %s lists %q twice", vocab, v)
			}
			seen[v] = true
			if !cases.In(vocab, v) {
				t.Errorf("In(%q, %q) = false", vocab, v)
			}
			key := cases.LabelKey(vocab, v)
			if key != "cases."+vocab+"."+v {
				t.Errorf("LabelKey(%q, %q) = %q", vocab, v, key)
			}
			for _, lang := range i18n.Langs {
				if !cat.Has(lang, key) {
					t.Errorf("catalog %s lacks %s", lang, key)
				}
			}
		}
	}
	if cases.In("sex", "") || cases.In("nope", "female") {
		t.Error("In accepts an empty value or an unknown vocabulary")
	}
}

// FuzzValidate feeds JSON bodies, as the API receives them, through Normalize and
// Validate: nothing may panic, every field error must be a catalog key, and a valid
// input stays valid when normalised again.
func FuzzValidate(f *testing.F) {
	good, _ := json.Marshal(goodInput())
	f.Add(string(good))
	f.Add(`{}`)
	f.Add(`{"person":{"given_names":"\u0000","birth_date":"2026-02-30","estimated_age":-99999999,"documents":[{"type":"cedula","number":"-- --"}]}}`)
	f.Add(`{"person":{"guardian":{"name":""},"nationalities":["",""]},"identification":{"country":"ecu","province":"17","canton":"0901"}}`)
	f.Add(`{"identification":{"date":"9999-12-31","country":"ECU","province":"","canton":"1701"},"duration_months":2147483647}`)
	f.Add(`{"person":{"birth_date":"0001-01-01","documents":[{"type":"passport","number":"\xff\xfe"}]},"exploitation":[null]}`)
	cat := i18n.MustLoad()
	f.Fuzz(func(t *testing.T, body string) {
		var in cases.Input
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			return
		}
		in.Normalize()
		err := in.Validate(now)
		if err == nil {
			again := in
			again.Normalize()
			if err := again.Validate(now); err != nil {
				t.Fatalf("valid input became invalid after a second Normalize: %v", err)
			}
			return
		}
		e, ok := errs.As(err)
		if !ok || e.Code != errs.CodeInvalid || len(e.Fields) == 0 {
			t.Fatalf("Validate returned %v, want Invalid with fields", err)
		}
		for field, key := range e.Fields {
			if !cat.Has("es", key) || !cat.Has("en", key) {
				t.Fatalf("field %s: key %q not in the catalogs", field, key)
			}
		}
	})
}

// TestValidateDatesInEcuador: dates are typed as calendar days in Ecuador. At 22:00 in
// Guayaquil (03:00 UTC the next day) tomorrow's date is still in the future, and today's
// is not.
func TestValidateDatesInEcuador(t *testing.T) {
	evening := time.Date(2026, 3, 11, 3, 0, 0, 0, time.UTC) // 10 March, 22:00 in Guayaquil
	in := goodInput()
	in.Person.BirthDate = "2026-03-11"
	in.Identification.Date = "2026-03-10"
	in.Normalize()
	e, _ := errs.As(in.Validate(evening))
	if e == nil || e.Fields["person.birth_date"] != "cases.err.birth_future" {
		t.Errorf("born tomorrow (in Ecuador): %v, want person.birth_date cases.err.birth_future", e)
	}
	in = goodInput()
	in.Identification.Date = "2026-03-11"
	e, _ = errs.As(in.Validate(evening))
	if e == nil || e.Fields["identification.date"] != "cases.err.date_future" {
		t.Errorf("identified tomorrow (in Ecuador): %v, want identification.date cases.err.date_future", e)
	}
	in = goodInput()
	in.Identification.Date = "2026-03-10"
	in.Person.BirthDate = "2026-03-10"
	morning := time.Date(2026, 3, 10, 5, 30, 0, 0, time.UTC) // 00:30 in Guayaquil
	for _, at := range []time.Time{evening, morning} {
		if err := in.Validate(at); err != nil {
			t.Errorf("born and identified today (in Ecuador), validated at %s: %v", at, err)
		}
	}
}
