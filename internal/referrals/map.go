package referrals

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/amparo-ec/amparo/internal/platform/geo"
)

// The province map is drawn on the server as SVG: an equirectangular projection of the
// provinces' boundaries (WGS84 lon/lat; near the equator the distortion is negligible)
// into a viewBox, coordinates rounded to whole units and simplified, so the whole map
// weighs a few tens of kilobytes and needs no script. Galápagos, a thousand kilometres
// offshore, is moved next to the mainland in a framed inset.
const (
	mapScale      = 60.0 // viewBox units per degree (one unit is about 1.9 km)
	mapPad        = 8.0
	galapagos     = "20"
	galapagosMove = 7.6  // degrees of longitude Galápagos is moved east
	simplifyTol   = 0.55 // Douglas–Peucker tolerance in viewBox units
)

// MapShape is one province drawn in the map's viewBox.
type MapShape struct {
	Code string
	Name string
	D    string // SVG path data
}

// Box is a rectangle in viewBox units.
type Box struct{ X, Y, W, H int }

// ProvinceMap is the drawn map: the viewBox size, the 24 provinces and the frame of the
// Galápagos inset.
type ProvinceMap struct {
	Width, Height int
	Shapes        []MapShape
	Inset         Box
}

var (
	mapOnce sync.Once
	theMap  *ProvinceMap
	errMap  error
)

// Provinces returns the map, drawn once from geo.ProvincesGeoJSON.
func Provinces() (*ProvinceMap, error) {
	mapOnce.Do(func() { theMap, errMap = drawProvinces(geo.ProvincesGeoJSON()) })
	return theMap, errMap
}

type featureCollection struct {
	Features []struct {
		Properties struct {
			Code string `json:"code"`
		} `json:"properties"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

type pt struct{ x, y float64 }

// drawProvinces projects every province and writes its path.
func drawProvinces(raw []byte) (*ProvinceMap, error) {
	var fc featureCollection
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, fmt.Errorf("referrals: map: %w", err)
	}
	type prov struct {
		code  string
		polys [][][]pt // polygons -> rings -> lon/lat points
	}
	var provs []prov
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	var inset [4]float64 // Galápagos bounds after the move
	inset[0], inset[2] = math.Inf(1), math.Inf(1)
	inset[1], inset[3] = math.Inf(-1), math.Inf(-1)
	for _, f := range fc.Features {
		var polys [][][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			var rings [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil {
				return nil, fmt.Errorf("referrals: map %s: %w", f.Properties.Code, err)
			}
			polys = [][][][2]float64{rings}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				return nil, fmt.Errorf("referrals: map %s: %w", f.Properties.Code, err)
			}
		default:
			return nil, fmt.Errorf("referrals: map %s: geometry %s", f.Properties.Code, f.Geometry.Type)
		}
		p := prov{code: f.Properties.Code}
		for _, rings := range polys {
			var pr [][]pt
			for _, ring := range rings {
				var r []pt
				for _, c := range ring {
					lon, lat := c[0], c[1]
					if p.code == galapagos {
						lon += galapagosMove
						inset[0], inset[1] = math.Min(inset[0], lon), math.Max(inset[1], lon)
						inset[2], inset[3] = math.Min(inset[2], lat), math.Max(inset[3], lat)
					}
					minX, maxX = math.Min(minX, lon), math.Max(maxX, lon)
					minY, maxY = math.Min(minY, lat), math.Max(maxY, lat)
					r = append(r, pt{lon, lat})
				}
				pr = append(pr, r)
			}
			p.polys = append(p.polys, pr)
		}
		provs = append(provs, p)
	}
	project := func(q pt) pt {
		return pt{math.Round((q.x-minX)*mapScale + mapPad), math.Round((maxY-q.y)*mapScale + mapPad)}
	}
	m := &ProvinceMap{Width: int(math.Ceil((maxX-minX)*mapScale + 2*mapPad)),
		Height: int(math.Ceil((maxY-minY)*mapScale + 2*mapPad))}
	for _, p := range provs {
		var b strings.Builder
		var biggest []pt
		for _, rings := range p.polys {
			for _, ring := range rings {
				proj := make([]pt, 0, len(ring))
				for _, q := range ring {
					proj = append(proj, project(q))
				}
				proj = dedupe(proj)
				if len(proj) > len(biggest) {
					biggest = proj
				}
				simple := simplify(proj, simplifyTol)
				if len(simple) < 4 { // a closed ring needs three distinct points
					continue
				}
				writeRing(&b, simple)
			}
		}
		if b.Len() == 0 && len(biggest) > 0 { // never let a province vanish
			writeRing(&b, biggest)
		}
		name := p.code
		if gp, ok := geo.ProvinceByCode(p.code); ok {
			name = gp.Name
		}
		m.Shapes = append(m.Shapes, MapShape{Code: p.code, Name: name, D: b.String()})
	}
	if !math.IsInf(inset[0], 0) {
		tl, br := project(pt{inset[0], inset[3]}), project(pt{inset[1], inset[2]})
		m.Inset = Box{X: int(tl.x) - 6, Y: int(tl.y) - 6, W: int(br.x-tl.x) + 12, H: int(br.y-tl.y) + 12}
	}
	return m, nil
}

// dedupe drops points equal to the one before (rounding makes many).
func dedupe(in []pt) []pt {
	out := in[:0:0]
	for i, q := range in {
		if i > 0 && q == out[len(out)-1] {
			continue
		}
		out = append(out, q)
	}
	return out
}

// simplify is Douglas–Peucker: it keeps the points that stray more than tol from the
// line between the points kept around them.
func simplify(in []pt, tol float64) []pt {
	if len(in) < 3 {
		return in
	}
	keep := make([]bool, len(in))
	keep[0], keep[len(in)-1] = true, true
	var rec func(a, b int)
	rec = func(a, b int) {
		best, at := 0.0, -1
		for i := a + 1; i < b; i++ {
			if d := segDist(in[i], in[a], in[b]); d > best {
				best, at = d, i
			}
		}
		if at >= 0 && best > tol {
			keep[at] = true
			rec(a, at)
			rec(at, b)
		}
	}
	rec(0, len(in)-1)
	out := make([]pt, 0, len(in)/2)
	for i, k := range keep {
		if k {
			out = append(out, in[i])
		}
	}
	return out
}

// segDist is the distance from p to the segment ab.
func segDist(p, a, b pt) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	if dx == 0 && dy == 0 {
		return math.Hypot(p.x-a.x, p.y-a.y)
	}
	t := ((p.x-a.x)*dx + (p.y-a.y)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(p.x-(a.x+t*dx), p.y-(a.y+t*dy))
}

// writeRing writes a closed ring: an absolute move, then relative lines.
func writeRing(b *strings.Builder, ring []pt) {
	if n := len(ring); n > 1 && ring[0] == ring[n-1] {
		ring = ring[:n-1]
	}
	b.WriteString("M")
	b.WriteString(strconv.Itoa(int(ring[0].x)))
	b.WriteString(" ")
	b.WriteString(strconv.Itoa(int(ring[0].y)))
	b.WriteString("l")
	for i := 1; i < len(ring); i++ {
		dx, dy := int(ring[i].x-ring[i-1].x), int(ring[i].y-ring[i-1].y)
		if i > 1 && dx >= 0 {
			b.WriteString(" ")
		}
		b.WriteString(strconv.Itoa(dx))
		if dy >= 0 {
			b.WriteString(" ")
		}
		b.WriteString(strconv.Itoa(dy))
	}
	b.WriteString("z")
}

// MapClass is one step of the map's colour scale.
type MapClass struct {
	Min, Max int    // counts in this step (Max == Min for a single value)
	Fill     string // SVG fill
}

// mapFills is a sequential blue scale (ColorBrewer "Blues"); provinces without any
// service are light grey. The legend and the table say the numbers, so colour is
// never the only carrier of meaning.
var mapFills = []string{"#c6dbef", "#6baed6", "#2171b5", "#08306b"}

const noServiceFill = "#eeeeee"

// MapClasses divides 1..max into at most four steps of equal width; the first class
// returned is always "0".
func MapClasses(max int) []MapClass {
	out := []MapClass{{Min: 0, Max: 0, Fill: noServiceFill}}
	if max <= 0 {
		return out
	}
	steps := len(mapFills)
	if max < steps {
		steps = max
	}
	lo := 1
	for i := 1; i <= steps; i++ {
		hi := int(math.Ceil(float64(max) * float64(i) / float64(steps)))
		if hi < lo {
			continue
		}
		fill := mapFills[(i-1)*len(mapFills)/steps]
		if i == steps {
			fill = mapFills[len(mapFills)-1]
		}
		out = append(out, MapClass{Min: lo, Max: hi, Fill: fill})
		lo = hi + 1
	}
	return out
}

// FillFor returns the fill of a count in classes.
func FillFor(classes []MapClass, n int) string {
	for _, c := range classes {
		if n >= c.Min && n <= c.Max {
			return c.Fill
		}
	}
	return classes[len(classes)-1].Fill
}
