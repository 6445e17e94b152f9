package shelters

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// allRated gives every standard the same rating, then applies overrides.
func allRated(v int, over map[string]int) Ratings {
	r := Ratings{}
	for _, d := range Domains {
		for _, s := range d.Standards {
			r[s] = v
		}
	}
	for k, x := range over {
		r[k] = x
	}
	return r
}

// Worked example 1: a shelter rated 1 everywhere except two safety standards at 3 and
// one infrastructure standard unrated.
//
//	safety: (1+1+3+3)/4 = 2.00; staffing 1.00; case_management 1.00; services 1.00;
//	infrastructure: five rated 1 → 1.00 (accessibility not rated); governance 1.00.
//	overall = (2+1+1+1+1+1)/6 = 1.1666… → 1.17.
func TestScoreCapacityWorkedExample(t *testing.T) {
	r := allRated(1, map[string]int{"search_rules": 3, "fire_emergency": 3, "accessibility": 0})
	c := ScoreCapacity(r)
	if c.Domains[0].Domain != "safety" || !near(c.Domains[0].Mean, 2.0) || c.Domains[0].Worst != 3 {
		t.Fatalf("safety: %+v", c.Domains[0])
	}
	if inf := c.Domains[4]; inf.Rated != 5 || inf.Total != 6 || !near(inf.Mean, 1) {
		t.Fatalf("infrastructure: %+v", inf)
	}
	if !near(c.Overall, 1.17) {
		t.Fatalf("overall %v, want 1.17", c.Overall)
	}
	if c.Rated != StandardCount()-1 || c.Total != StandardCount() {
		t.Fatalf("rated %d/%d", c.Rated, c.Total)
	}
	// Out-of-range ratings are ignored.
	if c2 := ScoreCapacity(Ratings{"visitor_control": 7, "food": -1}); c2.Rated != 0 || c2.Overall != 0 {
		t.Fatalf("bad ratings counted: %+v", c2)
	}
}

// Worked example 2 (finances for a quarter):
//
//	income: central government 30 000, international donor 60 000, private 10 000 → 100 000
//	shares 0.3, 0.6, 0.1 → HHI = 0.09 + 0.36 + 0.01 = 0.46; largest funder 60 000 → 0.60
//	operating cost 90 000 over 3 months → 30 000 a month; reserves 75 000 → 2.5 months
//	20 beds × 90 days = 1 800 bed-nights; 1 350 occupied → occupancy 0.75;
//	cost per occupied bed-night 90 000 / 1 350 = 66.67
//	standard budget 120 000 − secured 95 000 → funding gap 25 000.
func TestScoreFinancesWorkedExample(t *testing.T) {
	s := ScoreFinances(Finances{
		Income:              map[string]float64{"central_government": 30000, "international_donor": 60000, "private_donations": 10000},
		LargestFunderAmount: 60000, PeriodMonths: 3, OperatingCost: 90000, UnrestrictedReserves: 75000,
		OccupiedBedNights: 1350, Beds: 20, Days: 90, StandardBudget: 120000, SecuredFunding: 95000,
	})
	want := Sustainability{TotalIncome: 100000, MonthlyCost: 30000, ReserveMonths: 2.5, HHI: 0.46,
		LargestFunderShare: 0.6, CostPerBedNight: 66.67, Occupancy: 0.75, FundingGap: 25000}
	if s != want {
		t.Fatalf("got %+v\nwant %+v", s, want)
	}
	// Nothing to divide by: zeros, no panic; a surplus is no gap.
	z := ScoreFinances(Finances{StandardBudget: 10, SecuredFunding: 20})
	if z != (Sustainability{}) {
		t.Fatalf("zero finances: %+v", z)
	}
}

func TestDeriveStatusWorkedExamples(t *testing.T) {
	good := allRated(1, nil)
	goodCap := ScoreCapacity(good)
	healthy := &Sustainability{ReserveMonths: 4, LargestFunderShare: 0.4, HHI: 0.3}

	// Example A: all standards in practice, healthy finances → functioning.
	if d := DeriveStatus(&goodCap, good, healthy, 20); d.Status != StatusFunctioning {
		t.Fatalf("A: %+v", d)
	}
	// Example B: same capacity, 2.5 months of reserves and a 60%-plus funder (the worked
	// finances above with 0.61) → needs strengthening, two reasons.
	weakFin := &Sustainability{ReserveMonths: 2.5, LargestFunderShare: 0.61, HHI: 0.46}
	d := DeriveStatus(&goodCap, good, weakFin, 20)
	if d.Status != StatusNeedsSupport || len(d.Reasons) != 2 ||
		d.Reasons[0].Key != "shelters.reason.low_reserves" || d.Reasons[1].Key != "shelters.reason.funder_dependence" {
		t.Fatalf("B: %+v", d)
	}
	// Example C: the safety domain averages 2.75 (1,3,3,4 → 11/4) with no visitor
	// control at all (4) → not functioning, with the critical standard and the weak domain.
	r := allRated(1, map[string]int{"confidential_location": 1, "visitor_control": 4, "search_rules": 3, "fire_emergency": 3})
	c := ScoreCapacity(r)
	d = DeriveStatus(&c, r, healthy, 20)
	if d.Status != StatusNotFunctioning || d.Reasons[0].Key != "shelters.reason.critical_standard" ||
		d.Reasons[0].Args["Standard"] != "visitor_control" || d.Reasons[1].Key != "shelters.reason.weak_domain" {
		t.Fatalf("C: %+v", d)
	}
	// Example D: ratings of 3 in every domain except 4 in a non-critical one
	// (infrastructure) → overall (3·5 + 4)/6 = 3.17 ≤ 3.25: needs strengthening, not
	// "not functioning"; all six domains are weak.
	r = allRated(3, nil)
	for _, s := range Domains[4].Standards {
		r[s] = 4
	}
	c = ScoreCapacity(r)
	if !near(c.Overall, 3.17) {
		t.Fatalf("D overall %v", c.Overall)
	}
	d = DeriveStatus(&c, r, healthy, 20)
	if d.Status != StatusNeedsSupport || len(d.Reasons) != 6 {
		t.Fatalf("D: %+v", d)
	}
	// Example E: everything rated 4 except safety and case management at 3 → overall
	// (3+4+3+4+4+4)/6 = 3.67 > 3.25 → not functioning.
	r = allRated(4, nil)
	for _, i := range []int{0, 2} {
		for _, s := range Domains[i].Standards {
			r[s] = 3
		}
	}
	c = ScoreCapacity(r)
	if d = DeriveStatus(&c, r, healthy, 20); d.Status != StatusNotFunctioning || d.Reasons[0].Key != "shelters.reason.overall_failing" {
		t.Fatalf("E: %+v", d)
	}
	// No assessment, no beds, no finances.
	if d = DeriveStatus(nil, nil, nil, 10); d.Status != StatusNotAssessed {
		t.Fatalf("none: %+v", d)
	}
	if d = DeriveStatus(&goodCap, good, healthy, 0); d.Status != StatusNotFunctioning || d.Reasons[0].Key != "shelters.reason.no_beds" {
		t.Fatalf("no beds: %+v", d)
	}
	if d = DeriveStatus(&goodCap, good, nil, 10); d.Status != StatusNeedsSupport || d.Reasons[0].Key != "shelters.reason.no_finances" {
		t.Fatalf("no finances: %+v", d)
	}
}
