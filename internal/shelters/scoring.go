package shelters

import (
	"math"
	"sort"
)

// Ratings of a capacity assessment, standard code -> 1..4 (0 or absent: not rated).
type Ratings map[string]int

// DomainScore is the roll-up of one domain.
type DomainScore struct {
	Domain string  `json:"domain"`
	Mean   float64 `json:"mean"` // mean rating of the rated standards, 1 (best) .. 4 (worst); 0 if none rated
	Rated  int     `json:"rated"`
	Total  int     `json:"total"`
	Worst  int     `json:"worst"` // the worst rating in the domain
}

// Capacity is the scored result of a capacity assessment.
type Capacity struct {
	Domains []DomainScore `json:"domains"`
	Overall float64       `json:"overall"` // mean of the domain means (each domain weighs the same)
	Rated   int           `json:"rated"`
	Total   int           `json:"total"`
}

// ScoreCapacity rolls ratings up by domain. Ratings outside 1–4 are ignored.
func ScoreCapacity(r Ratings) Capacity {
	var c Capacity
	var sum float64
	var domains int
	for _, d := range Domains {
		ds := DomainScore{Domain: d.Code, Total: len(d.Standards)}
		var s int
		for _, std := range d.Standards {
			v := r[std]
			if v < 1 || v > 4 {
				continue
			}
			ds.Rated++
			s += v
			if v > ds.Worst {
				ds.Worst = v
			}
		}
		if ds.Rated > 0 {
			ds.Mean = round2(float64(s) / float64(ds.Rated))
			sum += ds.Mean
			domains++
		}
		c.Rated += ds.Rated
		c.Total += ds.Total
		c.Domains = append(c.Domains, ds)
	}
	if domains > 0 {
		c.Overall = round2(sum / float64(domains))
	}
	return c
}

// Finances are the figures of one period of a shelter's financial assessment. Amounts in
// US dollars (Ecuador's currency).
type Finances struct {
	Income               map[string]float64 // source category -> amount in the period
	LargestFunderAmount  float64            // the single largest funder's contribution in the period
	PeriodMonths         int
	OperatingCost        float64 // total operating cost in the period
	UnrestrictedReserves float64 // liquid reserves free to use
	OccupiedBedNights    int
	Beds                 int
	Days                 int     // days in the period
	StandardBudget       float64 // cost of a budget that meets the standards, for the period
	SecuredFunding       float64 // funding secured for that budget
}

// Sustainability is the derived financial picture.
type Sustainability struct {
	TotalIncome        float64 `json:"total_income"`
	MonthlyCost        float64 `json:"monthly_cost"`
	ReserveMonths      float64 `json:"reserve_months"` // unrestricted reserves ÷ monthly operating cost
	HHI                float64 `json:"hhi"`            // Σ(share of each source category)², 0..1
	LargestFunderShare float64 `json:"largest_funder_share"`
	CostPerBedNight    float64 `json:"cost_per_bed_night"`
	Occupancy          float64 `json:"occupancy"`   // occupied bed-nights ÷ (beds × days), 0..1
	FundingGap         float64 `json:"funding_gap"` // standard budget − secured funding (never negative)
}

// ScoreFinances computes the sustainability measures. Divisions by zero give 0.
func ScoreFinances(f Finances) Sustainability {
	var s Sustainability
	for _, src := range IncomeSources {
		s.TotalIncome += f.Income[src]
	}
	if f.PeriodMonths > 0 {
		s.MonthlyCost = f.OperatingCost / float64(f.PeriodMonths)
	}
	if s.MonthlyCost > 0 {
		s.ReserveMonths = round2(f.UnrestrictedReserves / s.MonthlyCost)
	}
	if s.TotalIncome > 0 {
		for _, src := range IncomeSources {
			share := f.Income[src] / s.TotalIncome
			s.HHI += share * share
		}
		s.HHI = round4(s.HHI)
		s.LargestFunderShare = round4(f.LargestFunderAmount / s.TotalIncome)
	}
	if f.OccupiedBedNights > 0 {
		s.CostPerBedNight = round2(f.OperatingCost / float64(f.OccupiedBedNights))
	}
	if f.Beds > 0 && f.Days > 0 {
		s.Occupancy = round4(float64(f.OccupiedBedNights) / float64(f.Beds*f.Days))
	}
	s.FundingGap = round2(math.Max(0, f.StandardBudget-f.SecuredFunding))
	s.MonthlyCost = round2(s.MonthlyCost)
	return s
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

// Status of a shelter, derived from its latest assessments.
const (
	StatusFunctioning    = "functioning"
	StatusNeedsSupport   = "needs_strengthening"
	StatusNotFunctioning = "not_functioning"
	StatusNotAssessed    = "not_assessed"
)

// Thresholds of the status rules. They are written here and nowhere else.
const (
	// A domain whose mean is above this needs significant improvement.
	DomainWeak = 2.5
	// A safety or case-management standard rated 4 (minimal or none) stops a shelter
	// from functioning: residents are not protected.
	CriticalRating = 4
	// Reserves under this many months of operating cost are a fragility.
	MinReserveMonths = 3.0
	// One funder providing more than this share of income is a dependence.
	MaxFunderShare = 0.6
	// Revenue concentration above this is a dependence.
	MaxHHI = 0.5
	// A capacity overall mean above this means the shelter is not functioning.
	OverallFailing = 3.25
)

// Derived is a status with the reasons that produced it (catalog keys with arguments).
type Derived struct {
	Status  string
	Reasons []Reason
}

// Reason explains one rule that fired.
type Reason struct {
	Key  string         `json:"key"` // shelters.reason.<...>
	Args map[string]any `json:"args,omitempty"`
}

// DeriveStatus applies the rules to the latest capacity assessment (nil when none) and
// the latest financial figures (nil when none):
//
//   - no capacity assessment: not assessed;
//   - not functioning when a safety or case-management standard is rated 4, or when the
//     overall capacity mean is above 3.25, or when the shelter has no beds;
//   - functioning, needs strengthening when any domain mean is above 2.5, reserves are
//     under 3 months, the largest funder gives more than 60% of income, or the HHI is
//     above 0.5 (or no financial figures exist);
//   - functioning otherwise.
func DeriveStatus(cap *Capacity, ratings Ratings, fin *Sustainability, beds int) Derived {
	if cap == nil || cap.Rated == 0 {
		return Derived{Status: StatusNotAssessed, Reasons: []Reason{{Key: "shelters.reason.not_assessed"}}}
	}
	var stop, weak []Reason
	if beds <= 0 {
		stop = append(stop, Reason{Key: "shelters.reason.no_beds"})
	}
	var critical []string
	for _, d := range []string{"safety", "case_management"} {
		for _, dom := range Domains {
			if dom.Code != d {
				continue
			}
			for _, std := range dom.Standards {
				if ratings[std] == CriticalRating {
					critical = append(critical, std)
				}
			}
		}
	}
	sort.Strings(critical)
	for _, std := range critical {
		stop = append(stop, Reason{Key: "shelters.reason.critical_standard", Args: map[string]any{"Standard": std}})
	}
	if cap.Overall > OverallFailing {
		stop = append(stop, Reason{Key: "shelters.reason.overall_failing", Args: map[string]any{"Score": cap.Overall}})
	}
	for _, d := range cap.Domains {
		if d.Rated > 0 && d.Mean > DomainWeak {
			weak = append(weak, Reason{Key: "shelters.reason.weak_domain", Args: map[string]any{"Domain": d.Domain, "Score": d.Mean}})
		}
	}
	if fin == nil {
		weak = append(weak, Reason{Key: "shelters.reason.no_finances"})
	} else {
		if fin.ReserveMonths < MinReserveMonths {
			weak = append(weak, Reason{Key: "shelters.reason.low_reserves", Args: map[string]any{"Months": fin.ReserveMonths}})
		}
		if fin.LargestFunderShare > MaxFunderShare {
			weak = append(weak, Reason{Key: "shelters.reason.funder_dependence", Args: map[string]any{"Share": fin.LargestFunderShare}})
		}
		if fin.HHI > MaxHHI {
			weak = append(weak, Reason{Key: "shelters.reason.concentrated_income", Args: map[string]any{"HHI": fin.HHI}})
		}
	}
	switch {
	case len(stop) > 0:
		return Derived{Status: StatusNotFunctioning, Reasons: append(stop, weak...)}
	case len(weak) > 0:
		return Derived{Status: StatusNeedsSupport, Reasons: weak}
	}
	return Derived{Status: StatusFunctioning, Reasons: []Reason{{Key: "shelters.reason.meets_standards"}}}
}
