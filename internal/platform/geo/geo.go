// Package geo holds the places Amparo records: Ecuador's provinces and cantons with their
// INEC codes (División Político-Administrativa), the countries of ISO 3166-1 with Spanish
// and English names, and the simplified boundaries for drawing maps. Everything is
// embedded in the binary and read-only; Seed copies provinces and cantons into the store
// so that other tables can reference them.
//
// The source (INEC's DPA 2012 layer, see data/README.md) holds 24 provinces (01–24) and
// 221 cantons. It has no rows for code 90, "zonas no delimitadas": those areas belong
// to no province or canton, so they are not offered here; a case whose place is unknown
// should leave the place empty rather than point at a pseudo-province.
package geo

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

var (
	//go:embed data/cantones.csv
	cantonesCSV []byte
	//go:embed data/provincias.geojson
	provincesGeoJSON []byte
	//go:embed data/cantones.geojson
	cantonsGeoJSON []byte
)

// Province is one of Ecuador's 24 provinces. Values returned by this package are shared:
// treat them, and their Cantons slice, as read-only.
type Province struct {
	Code       string    // two-digit DPA code, "01" (Azuay) to "24" (Santa Elena)
	Name       string    // display name in Spanish with accents, "Los Ríos"
	SourceName string    // name as written in the source, "LOS RIOS"
	Region     string    // natural region: RegionCosta, RegionSierra, ...
	Population int64     // sum of its cantons' populations
	Cantons    []*Canton // sorted by Name
}

// Canton is a canton (municipality). Values returned by this package are shared: treat
// them as read-only.
type Canton struct {
	Code         string // four-digit DPA code; its first two digits are ProvinceCode
	ProvinceCode string
	Name         string // display name in Spanish with accents, "Durán"
	SourceName   string // name as written in the source, "DURAN"
	// Population as published in the source layer, whose reference year is not stated:
	// use it as an approximate denominator. Zero means the source gives none (La
	// Concordia, see data/README.md).
	Population int64
	AreaKm2    float64
}

// The natural regions a province belongs to, as stored in Province.Region.
const (
	RegionCosta    = "Costa"
	RegionSierra   = "Sierra"
	RegionAmazonia = "Amazonía"
	RegionInsular  = "Insular" // Galápagos
)

// regions maps the source's region labels to the values above.
var regions = map[string]string{
	"COSTA":          RegionCosta,
	"SIERRA":         RegionSierra,
	"AMAZONÍA":       RegionAmazonia,
	"REGIÓN INSULAR": RegionInsular,
}

// dpa is the parsed DPA data; the embedded file is part of the build, so a parse error
// is a programming error caught by the tests and reported by a panic at start-up.
var dpa = mustLoad(cantonesCSV)

type dpaData struct {
	provinces []*Province // sorted by name
	byProv    map[string]*Province
	byCanton  map[string]*Canton
}

func mustLoad(src []byte) *dpaData {
	d, err := load(src)
	if err != nil {
		panic(err)
	}
	return d
}

// load parses the cantons CSV: canton_code,canton,province_code,province,region,
// population,area_km2.
func load(src []byte) (*dpaData, error) {
	rows, err := csv.NewReader(bytes.NewReader(src)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("geo: read cantons csv: %w", err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("geo: read cantons csv: no rows")
	}
	d := &dpaData{byProv: map[string]*Province{}, byCanton: map[string]*Canton{}}
	for i, r := range rows[1:] {
		line := i + 2
		if len(r) != 7 {
			return nil, fmt.Errorf("geo: cantons csv line %d: want 7 fields, got %d", line, len(r))
		}
		pop, err := strconv.ParseInt(r[5], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("geo: cantons csv line %d: population: %w", line, err)
		}
		area, err := strconv.ParseFloat(r[6], 64)
		if err != nil {
			return nil, fmt.Errorf("geo: cantons csv line %d: area: %w", line, err)
		}
		region, ok := regions[r[4]]
		if !ok {
			return nil, fmt.Errorf("geo: cantons csv line %d: unknown region %q", line, r[4])
		}
		c := &Canton{Code: r[0], ProvinceCode: r[2], Name: displayName(r[1]), SourceName: r[1],
			Population: pop, AreaKm2: area}
		if len(c.Code) != 4 || len(c.ProvinceCode) != 2 || !strings.HasPrefix(c.Code, c.ProvinceCode) {
			return nil, fmt.Errorf("geo: cantons csv line %d: bad codes %q/%q", line, c.Code, c.ProvinceCode)
		}
		if _, dup := d.byCanton[c.Code]; dup {
			return nil, fmt.Errorf("geo: cantons csv line %d: duplicate canton %s", line, c.Code)
		}
		p := d.byProv[c.ProvinceCode]
		if p == nil {
			p = &Province{Code: c.ProvinceCode, Name: displayName(r[3]), SourceName: r[3], Region: region}
			d.byProv[p.Code] = p
			d.provinces = append(d.provinces, p)
		} else if p.SourceName != r[3] || p.Region != region {
			return nil, fmt.Errorf("geo: cantons csv line %d: province %s described two ways", line, p.Code)
		}
		p.Population += c.Population
		p.Cantons = append(p.Cantons, c)
		d.byCanton[c.Code] = c
	}
	for _, p := range d.provinces {
		slices.SortFunc(p.Cantons, func(a, b *Canton) int { return compareNames(a.Name, a.Code, b.Name, b.Code) })
	}
	slices.SortFunc(d.provinces, func(a, b *Province) int { return compareNames(a.Name, a.Code, b.Name, b.Code) })
	return d, nil
}
