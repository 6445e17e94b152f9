package shelters

import (
	"strconv"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/web"
)

// trend is the capacity trend table: domains × assessment dates, with the overall mean.
type trend struct {
	Dates   []string // dd/mm/yyyy, oldest first
	Rows    []trendRow
	Overall trendRow
}

type trendRow struct {
	Label string
	Cells []trendCell
}

// trendCell is one mean; Weak marks a domain mean above DomainWeak (or an overall mean
// above OverallFailing), shown with text and not by colour alone.
type trendCell struct {
	Value string
	Weak  bool
}

func buildTrend(p *web.Page, as []Assessment) *trend {
	if len(as) == 0 {
		return nil
	}
	t := &trend{Overall: trendRow{Label: p.T("shelters.overall")}}
	for _, a := range as {
		t.Dates = append(t.Dates, showDate(a.AssessedOn))
	}
	for i, d := range Domains {
		row := trendRow{Label: p.T("shelters.domain." + d.Code)}
		for _, a := range as {
			ds := a.Capacity.Domains[i]
			if ds.Rated == 0 {
				row.Cells = append(row.Cells, trendCell{Value: "—"})
				continue
			}
			row.Cells = append(row.Cells, trendCell{Value: score(p, ds.Mean), Weak: ds.Mean > DomainWeak})
		}
		t.Rows = append(t.Rows, row)
	}
	for _, a := range as {
		t.Overall.Cells = append(t.Overall.Cells, trendCell{Value: score(p, a.Capacity.Overall), Weak: a.Capacity.Overall > OverallFailing})
	}
	return t
}

// chart is a small line chart of the overall capacity score over time, drawn on the
// server as SVG (no script). 1 (best) is at the top, so improvement goes up.
type chart struct {
	W, H        int
	Left, Right int // x of the plot's edges
	Line        string
	Points      []chartPoint
	Ticks       []chartTick
	Threshold   chartTick // the overall score above which a shelter is not functioning
	Desc        string
}

type chartPoint struct {
	X, Y   int
	LabelX int
	Date   string
	Value  string
	Label  bool // whether the date is written under the axis
}

type chartTick struct {
	Y     int
	Label string
}

func buildChart(p *web.Page, as []Assessment) *chart {
	var pts []Assessment
	for _, a := range as {
		if a.Capacity.Rated > 0 {
			pts = append(pts, a)
		}
	}
	if len(pts) == 0 {
		return nil
	}
	c := &chart{W: 560, H: 220, Left: 48, Right: 536}
	top, bottom := 16, 184
	y := func(v float64) int { return top + int((v-1)/3*float64(bottom-top)+0.5) }
	for v := 1; v <= 4; v++ {
		c.Ticks = append(c.Ticks, chartTick{Y: y(float64(v)), Label: strconv.Itoa(v)})
	}
	c.Threshold = chartTick{Y: y(OverallFailing), Label: score(p, OverallFailing)}
	first, _ := time.Parse("2006-01-02", pts[0].AssessedOn)
	last, _ := time.Parse("2006-01-02", pts[len(pts)-1].AssessedOn)
	span := last.Sub(first).Hours()
	every := 1 + (len(pts)-1)/6 // at most about six dates under the axis
	var line []string
	for i, a := range pts {
		x := (c.Left + c.Right) / 2
		if span > 0 {
			d, _ := time.Parse("2006-01-02", a.AssessedOn)
			x = c.Left + 12 + int(d.Sub(first).Hours()/span*float64(c.Right-c.Left-24)+0.5)
		}
		pt := chartPoint{X: x, Y: y(a.Capacity.Overall), LabelX: x, Date: showDate(a.AssessedOn),
			Value: score(p, a.Capacity.Overall), Label: i%every == 0 || i == len(pts)-1}
		c.Points = append(c.Points, pt)
		line = append(line, strconv.Itoa(pt.X)+","+strconv.Itoa(pt.Y))
	}
	c.Line = strings.Join(line, " ")
	a, b := c.Points[0], c.Points[len(c.Points)-1]
	c.Desc = p.T("shelters.chart_desc", "Count", len(pts), "First", a.Value, "FirstDate", a.Date, "Last", b.Value, "LastDate", b.Date)
	return c
}

// standardView is one rated standard of the latest assessment.
type standardView struct {
	Label, Rating, Evidence string
	Value                   int
}

// domainView is one domain of the latest assessment with its standards.
type domainView struct {
	Label     string
	Mean      string
	Standards []standardView
}

func latestRatings(p *web.Page, a Assessment) []domainView {
	var out []domainView
	for i, d := range Domains {
		dv := domainView{Label: p.T("shelters.domain." + d.Code), Mean: "—"}
		if ds := a.Capacity.Domains[i]; ds.Rated > 0 {
			dv.Mean = score(p, ds.Mean)
		}
		for _, std := range d.Standards {
			sv := standardView{Label: p.T("shelters.std." + std), Value: a.Ratings[std], Evidence: a.Evidence[std]}
			if v := a.Ratings[std]; v >= 1 && v <= 4 {
				sv.Rating = strconv.Itoa(v) + " — " + p.T("shelters.rating."+strconv.Itoa(v))
			} else {
				sv.Rating = p.T("shelters.not_rated")
			}
			dv.Standards = append(dv.Standards, sv)
		}
		out = append(out, dv)
	}
	return out
}
