package cases_test

// testFields are what a referral for shelter carries (names, sex, age, guardian…): the
// tests grant them as an accepted referral would.
var testFields = []string{"age", "age_group", "case_number", "disability", "family_names", "gender", "given_names",
	"guardian", "languages", "nationalities", "risk_level", "sex"}
